/* Element-wise activations over n floats. Forward may run in place (out == inp). Backward
 * accumulates dinp += dout * f'(x); f' is taken from the saved input (relu, lrelu) or the saved
 * output (tanh, sigmoid), as each signature says. */
#ifndef DCGAN_OPS_CPU_ACTIVATION_H
#define DCGAN_OPS_CPU_ACTIVATION_H

#include <stddef.h>

#include "ops/ops.h" /* LRELU_SLOPE */

void relu_forward(float *out, const float *inp, size_t n);
void relu_backward(float *dinp, const float *dout, const float *inp, size_t n);
/* lrelu(x) = max(x, slope*x) */
void lrelu_forward(float *out, const float *inp, float slope, size_t n);
void lrelu_backward(float *dinp, const float *dout, const float *inp, float slope, size_t n);
void tanh_forward(float *out, const float *inp, size_t n);
void tanh_backward(float *dinp, const float *dout, const float *out, size_t n);
void sigmoid_forward(float *out, const float *inp, size_t n);
void sigmoid_backward(float *dinp, const float *dout, const float *out, size_t n);

/* In place: d = d * f'(x) (each dout overwritten by the matching dinp): for layers whose
 * gradient buffer is shared with their input's. Equal to the accumulating backward into zeros. */
void relu_backward_inplace(float *d, const float *inp, size_t n);
void lrelu_backward_inplace(float *d, const float *inp, float slope, size_t n);
void tanh_backward_inplace(float *d, const float *out, size_t n);
void sigmoid_backward_inplace(float *d, const float *out, size_t n);

#endif
