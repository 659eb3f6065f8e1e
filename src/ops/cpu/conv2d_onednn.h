/* conv2d and conv2d_transpose (ops/conv2d.h) on oneDNN's JIT convolution kernels.
 *
 * Same arrays, layouts, padding and semantics as ops/conv2d.h: NCHW activations, weights
 * (C_map, C_img, K_h, K_w), backward functions ACCUMULATE into each gradient given and skip
 * NULL ones. Only the arithmetic differs (oneDNN picks its own blocked layouts and summation
 * order), so results agree with the im2col path to float rounding.
 *
 * Both directions use the three primitives of one convolution (image side -> map side):
 *   conv2d forward             = forward             (+ bias)
 *   conv2d backward            = backward-data, backward-weights
 *   conv2d_transpose forward   = backward-data       (+ bias)
 *   conv2d_transpose backward  = forward (no bias),  backward-weights with the roles swapped
 * which is exactly the adjoint relation ops/conv2d.h promises.
 *
 * A plan holds the primitives for one geometry; it reads and writes nothing between calls, and
 * takes its scratch (layout copies, oneDNN's scratchpad) from the caller's `work`.
 *
 * Layouts: the image side and the map side are NCHW unless the plan is made `native` for that
 * side, in which case those activations (and their gradients) are in oneDNN's nChw16c: element
 * (n, c, h, w) at ((n*C/16 + c/16)*H*W + h*W + w)*16 + c%16. A network whose layers between two
 * convolutions all accept nChw16c (batch norm, activations) skips the reorders to and from
 * NCHW there; conv_onednn_native_c16 says whether the primitives use nChw16c for a side. */
#ifndef DCGAN_OPS_CPU_CONV2D_ONEDNN_H
#define DCGAN_OPS_CPU_CONV2D_ONEDNN_H

#include <stddef.h>

#include "ops/cpu/conv2d.h"

typedef struct conv_onednn conv_onednn;

/* A plan for g, or NULL if oneDNN has no implementation for it (the caller falls back to
 * ops/conv2d.h). transpose selects the primitives conv2d_transpose needs (bias on the image
 * side) instead of conv2d's. bf16: mixed precision (--precision bf16): each primitive reads its
 * two inputs in bf16 (reordered from the caller's f32 into `work`, rounding to nearest even)
 * and writes its output (activations, data and weight gradients) in f32, accumulating the
 * exact bf16 products in f32; the caller's arrays stay f32. */
conv_onednn *conv_onednn_create(const conv_geom *g, int transpose, int native_img,
                                int native_map, int bf16);
void conv_onednn_free(conv_onednn *p);
/* Floats of `work` every call on this plan needs. */
size_t conv_onednn_workspace_floats(const conv_onednn *p);
/* 1 if all three primitives keep that side (map_side: the smaller one) in nChw16c. */
int conv_onednn_native_c16(const conv_onednn *p, int map_side);

void conv_onednn_forward(const conv_onednn *p, float *out, const float *inp, const float *weight,
                         const float *bias, float *work);
/* dinp_overwrite: dinp = the input gradient instead of +=, saving a pass when the caller's
 * buffer would be zero anyway. Weight and bias gradients always accumulate. */
void conv_onednn_backward(const conv_onednn *p, float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight,
                          int dinp_overwrite, float *work);
void conv_onednn_transpose_forward(const conv_onednn *p, float *out, const float *inp,
                                   const float *weight, const float *bias, float *work);
void conv_onednn_transpose_backward(const conv_onednn *p, float *dinp, float *dweight,
                                    float *dbias, const float *dout, const float *inp,
                                    const float *weight, int dinp_overwrite, float *work);

#endif
