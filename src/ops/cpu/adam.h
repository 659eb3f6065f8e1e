/* Adam in TensorFlow's update form (tf.train.AdamOptimizer):
 *   lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2
 *   p -= lr_t * m / (sqrt(v) + eps)
 * t is the 1-based step number. */
#ifndef DCGAN_OPS_CPU_ADAM_H
#define DCGAN_OPS_CPU_ADAM_H

#include <stddef.h>
#include "ops/ops.h"


void adam_update(float *param, const float *grad, float *m, float *v, size_t n, long t,
                 const adam_config *cfg);

#endif
