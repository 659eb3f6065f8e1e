/* The losses on D's logits, averaged over n, in double:
 *   sigmoid cross-entropy against a constant target t (the reference's):
 *     mean(max(x,0) - x*t + log1p(exp(-|x|))), stable for |x| up to 1e4 and beyond;
 *   the hinge loss of D: mean(max(0, 1 - sign*x)) (sign +1 on real logits, -1 on fake ones);
 *   G's hinge loss, linear in the logits: mean(-sign*x) (sign +1). */
#ifndef DCGAN_OPS_CPU_LOSS_H
#define DCGAN_OPS_CPU_LOSS_H

#include <stddef.h>

float sigmoid_xent_forward(const float *logits, float target, size_t n);
/* dlogits += scale * (sigmoid(x) - t) / n */
void sigmoid_xent_backward(float *dlogits, const float *logits, float target, float scale,
                           size_t n);

float hinge_forward(const float *logits, float sign, size_t n);
/* dlogits += scale * (-sign) / n where 1 - sign*x > 0 */
void hinge_backward(float *dlogits, const float *logits, float sign, float scale, size_t n);

float linear_loss_forward(const float *logits, float sign, size_t n);
/* dlogits += scale * (-sign) / n */
void linear_loss_backward(float *dlogits, float sign, float scale, size_t n);

/* ema = decay*ema + (1-decay)*x over n floats (an exponential moving average of weights). */
void ema_update(float *ema, const float *x, float decay, size_t n);

#endif
