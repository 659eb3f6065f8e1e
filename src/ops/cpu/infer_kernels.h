/* The CPU inference path's own kernels (ops/cpu/infer.c): the pass that finishes a layer (bias,
 * activation, layout change in one pass) and a direct transposed convolution for layers with
 * few output channels (G's last layer: 3 or 1), where oneDNN's blocked kernels would compute 16
 * channels for each 3.
 *
 * Layouts: NCHW (c16 0) or oneDNN's nChw16c (c16 1: element (n, c, s) at
 * ((n*C/16 + c/16)*S + s)*16 + c%16, C a multiple of 16). */
#ifndef DCGAN_OPS_CPU_INFER_KERNELS_H
#define DCGAN_OPS_CPU_INFER_KERNELS_H

#include <stddef.h>

#include "ops/conv_geom.h"

/* The activation of a layer, or none. */
#define INFER_ACT_NONE (-1)

/* dst (N, C, S) = act(src * scale[c] + bias[c]) in dst's layout from src's; scale and bias may
 * be NULL (1, 0); in place (dst == src) when both layouts are the same. act: an ops_activation
 * or INFER_ACT_NONE. */
void infer_epilogue(float *dst, int dst_c16, const float *src, int src_c16, const float *scale,
                    const float *bias, int act, int N, int C, size_t S);

/* 1 if infer_deconv_direct runs g (up to 8 output channels), else 0. */
int infer_deconv_direct_fits(const conv_geom *g);
/* conv2d_transpose of g (map side -> image side, NCHW out), out = act(conv + bias), of the
 * input inp (NCHW, or nChw16c when in_c16) taken as pre_act(inp + pre_bias[c]) when pre_bias
 * is given (the previous layer's pass, done here while copying):
 * wt (K_h, K_w, C_map, C_img): the layer's weight (C_map, C_img, K_h, K_w) transposed. Each
 * output row is computed per column phase (stride) in blocks of 16 columns, the input channels
 * innermost, from a zero-padded copy of the image's input. */
void infer_deconv_direct(float *out, const float *inp, int in_c16, const float *pre_bias,
                         int pre_act, const float *wt, const float *bias, int act,
                         const conv_geom *g);

#endif
