/* Sigmoid cross-entropy with logits against a constant target t, averaged over n:
 * loss = mean(max(x,0) - x*t + log1p(exp(-|x|))), stable for |x| up to 1e4 and beyond. */
#ifndef DCGAN_OPS_CPU_LOSS_H
#define DCGAN_OPS_CPU_LOSS_H

#include <stddef.h>

float sigmoid_xent_forward(const float *logits, float target, size_t n);
/* dlogits += scale * (sigmoid(x) - t) / n */
void sigmoid_xent_backward(float *dlogits, const float *logits, float target, float scale,
                           size_t n);

#endif
