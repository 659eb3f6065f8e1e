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

/* dst (N, C, S) = act(src + bias[c]) in dst's layout from src's; bias may be NULL; in place
 * (dst == src) when both layouts are the same. act: an ops_activation or INFER_ACT_NONE. */
void infer_epilogue(float *dst, int dst_c16, const float *src, int src_c16, const float *bias,
                    int act, int N, int C, size_t S);

/* Floats of accumulator one output row of infer_deconv_direct needs; 0 if the geometry is not
 * one it runs (too wide a row for its per-thread stack buffer). */
size_t infer_deconv_direct_acc(const conv_geom *g);
/* conv2d_transpose of g (map side -> image side, NCHW both), out = act(conv + bias):
 * wt (K_h, K_w, C_img, C_map): the layer's weight (C_map, C_img, K_h, K_w) transposed. */
void infer_deconv_direct(float *out, const float *inp, const float *wt, const float *bias,
                         int act, const conv_geom *g);

#endif
