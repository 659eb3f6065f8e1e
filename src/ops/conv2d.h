/* 2-D convolution and its transpose over NCHW float arrays, as im2col + GEMM (cblas).
 *
 * One geometry describes both directions. The "image" side is the larger tensor (input of
 * conv2d, output of conv2d_transpose); the "map" side the smaller one. Weights are stored
 * (C_map, C_img, K_h, K_w): PyTorch's Conv2d layout (out, in, kh, kw) and, for the transpose,
 * PyTorch's ConvTranspose2d layout (in, out, kh, kw), so conv2d_transpose is the exact adjoint
 * of conv2d with the same weights and geometry.
 *
 * Padding follows TensorFlow. SAME: H_map = ceil(H_img / stride), total padding
 * max((H_map - 1) * stride + K - H_img, 0), of which floor(total/2) goes before (top/left) and
 * the rest after (bottom/right): for 5x5 stride 2 on an even size, 1 before and 2 after.
 * VALID: H_map = floor((H_img - K) / stride) + 1, no padding.
 *
 * Backward functions ACCUMULATE (+=) into every gradient they are given; a NULL gradient
 * pointer skips that work (e.g. NULL dweight/dbias during G updates through D). */
#ifndef DCGAN_OPS_CONV2D_H
#define DCGAN_OPS_CONV2D_H

#include <stddef.h>

typedef enum { CONV_PAD_SAME = 0, CONV_PAD_VALID = 1 } conv_padding;

typedef struct {
    int N;
    int C_img, H_img, W_img;
    int C_map, H_map, W_map;
    int K_h, K_w, stride_h, stride_w;
    int pad_top, pad_left; /* bottom/right padding is whatever the geometry leaves */
} conv_geom;

/* Fills g from the image-side size; returns 0, or -1 if the sizes give no output. */
int conv_geom_init(conv_geom *g, int N, int C_img, int H_img, int W_img, int C_map, int K_h,
                   int K_w, int stride_h, int stride_w, conv_padding pad);

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
