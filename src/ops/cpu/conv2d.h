/* 2-D convolution and its transpose over NCHW float arrays, as im2col + GEMM (cblas).
 *
 * The geometry and its padding rules: ops/conv_geom.h.
 *
 * Backward functions ACCUMULATE (+=) into every gradient they are given; a NULL gradient
 * pointer skips that work (e.g. NULL dweight/dbias during G updates through D). */
#ifndef DCGAN_OPS_CPU_CONV2D_H
#define DCGAN_OPS_CPU_CONV2D_H

#include <stddef.h>
#include "ops/conv_geom.h"

/* Floats of scratch `work` that conv2d_* and conv2d_transpose_* need for this geometry. */
size_t conv_geom_workspace_floats(const conv_geom *g);

/* out (N,C_map,H_map,W_map) = conv(inp (N,C_img,H_img,W_img), weight) + bias (C_map; may be NULL) */
void conv2d_forward(float *out, const float *inp, const float *weight, const float *bias,
                    const conv_geom *g, float *work);
/* dinp (N,C_img,H_img,W_img), dweight (C_map,C_img,K_h,K_w), dbias (C_map): each may be NULL. */
void conv2d_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, const conv_geom *g, float *work);

/* out (N,C_img,H_img,W_img) = conv_transpose(inp (N,C_map,H_map,W_map), weight) + bias (C_img) */
void conv2d_transpose_forward(float *out, const float *inp, const float *weight,
                              const float *bias, const conv_geom *g, float *work);
/* dinp (N,C_map,H_map,W_map), dweight (C_map,C_img,K_h,K_w), dbias (C_img): each may be NULL. */
void conv2d_transpose_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                               const float *inp, const float *weight, const conv_geom *g,
                               float *work);

/* The bias step on its own (both directions, any backend): x (N, C, hw) += bias[c]; and
 * dbias[c] += the sum of dy (N, C, hw) over n and hw, summed in double. */
void conv2d_bias_forward(float *x, const float *bias, int N, int C, size_t hw);
void conv2d_bias_backward(float *dbias, const float *dy, int N, int C, size_t hw);

#endif
