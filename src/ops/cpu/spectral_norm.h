/* Spectral normalisation of a weight viewed as a (rows, cols) matrix (rows: output features or
 * channels), as torch.nn.utils.spectral_norm computes it with one power iteration:
 *   iterate: v = normalize(W^T u), u = normalize(W v)   (normalize(x) = x / max(|x|, eps))
 *   sigma = u . (W v);  w_sn = W / sigma
 * u and v are state kept between calls (the layer's buffers); without iterate they are only
 * read (a forward outside training). The gradient treats u and v as constants, as PyTorch's:
 *   dW += (dW_sn - (dW_sn . W_sn) u v^T) / sigma
 * Dot products and norms accumulate in double. */
#ifndef DCGAN_OPS_CPU_SPECTRAL_NORM_H
#define DCGAN_OPS_CPU_SPECTRAL_NORM_H

#include <stddef.h>

float spectral_norm_forward(float *w_sn, float *u, float *v, const float *w, size_t rows,
                            size_t cols, int iterate, float eps);
void spectral_norm_backward(float *dw, const float *dw_sn, const float *w_sn, const float *u,
                            const float *v, float sigma, size_t rows, size_t cols);

#endif
