/* Fully connected layer: out (N,OUT) = inp (N,IN) @ weight^T + bias, weight (OUT,IN) as
 * PyTorch's Linear. Backward accumulates into each non-NULL gradient. */
#ifndef DCGAN_OPS_LINEAR_H
#define DCGAN_OPS_LINEAR_H

void linear_forward(float *out, const float *inp, const float *weight, const float *bias, int N,
                    int IN, int OUT);
void linear_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, int N, int IN, int OUT);

#endif
