/* A convolution (or its transpose) whose last Y input channels are the condition y (N, Y) as
 * constant planes: the reference's conv_cond_concat followed by the layer, without the
 * concatenation and without convolving the planes.
 *
 * A constant plane's response depends only on the weight and on which taps fall inside the
 * image, not on the position's neighbours: with T (Y, C_out, H_out, W_out) the response of
 * each label plane to the value 1, the layer's output is conv(x, W_x) + y @ T, and the
 * weight gradient of the label channels is a sum of y^T @ dout over each tap's valid
 * positions. The conditional models concatenate 10 labels at each layer, so this removes
 * 7-91% of each conditional convolution's FLOPs and the concatenated maps' copies, and leaves
 * channel counts (128 instead of 138) that the blocked layouts take as they are.
 *
 * The x part runs on a conv_plan of the geometry without the labels. T is f32 in the output's
 * layout, one sum of taps per row class and column class (cond_planes): made at every forward
 * in training (the weights change every step), once at load in an inference plan (infer.c). */
#ifndef DCGAN_OPS_CPU_COND_CONV_H
#define DCGAN_OPS_CPU_COND_CONV_H

#include "ops/cpu/conv_plan.h"

/* The output rows (or columns) of one axis, grouped by the taps that reach them: a plane's
 * response is the same at all positions of one row class and one column class. */
typedef struct {
    int n;      /* classes */
    int *of;    /* (rows): each row's class */
    int *taps;  /* (n, K): each class's taps, ... */
    int *count; /* (n): ... this many */
} cond_axis;

/* The label planes of one layer: what their response and their weights' gradient take. */
typedef struct {
    conv_geom full; /* the layer's geometry, label channels included */
    int transpose, Y;
    int out_C, out_H, out_W; /* the output side */
    cond_axis rows, cols;
    float *class_sums; /* (Y, out_C, rows.n, cols.n) */
} cond_planes;

void cond_planes_init(cond_planes *cp, const conv_geom *full, int transpose, int Y);
/* Floats per item of the output side: out_C*out_H*out_W, channels padded to 16 in nChw16c. */
size_t cond_planes_out_floats(const cond_planes *cp, int out_c16);
void cond_planes_free(cond_planes *cp);
/* T (Y, cond_planes_out_floats): label c's plane of ones through the layer, in NCHW or
 * (out_c16) nChw16c, padding channels zero. weight: the layer's (C_map, C_img, K_h, K_w); for a transpose it may instead hold
 * only the Y label rows (Y, C_img, K_h, K_w) when labels_only is set. */
void cond_planes_table(const cond_planes *cp, float *T, const float *weight, int labels_only,
                       int out_c16);
/* out (full.N, cond_planes_out_floats) += y (full.N, Y) @ T: the label planes' part of the
 * output, T from cond_planes_table in the same layout. */
void cond_planes_add(const cond_planes *cp, float *out, const float *y, const float *T,
                     int out_c16);
/* dweight's label channels += the taps' sums of D (Y, out floats), the output gradient summed
 * over the batch per label (y^T @ dout), in the output's layout. */
void cond_planes_weight_grad(const cond_planes *cp, float *dweight, const float *D, int out_c16);

typedef struct {
    const float *y;    /* (N, Y), borrowed: read at every call */
    conv_plan x;       /* the layer without the label channels */
    float *w_x, *dw_x; /* conv only: the weight's non-label slice, (C_map, C_img - Y, K_h, K_w) */
    float *table;      /* (Y, output floats per item): T, then y^T @ dout in the backward */
    cond_planes planes;
} cond_conv;

/* The geometry of `full` without its last Y input channels (C_img for a conv, C_map for a
 * transpose). Returns -1 if there are no other channels. */
int cond_conv_x_geom(conv_geom *x, const conv_geom *full, int transpose, int Y);
/* Plans the x part in `precision` with conv_plan_init_precision; returns its result. */
int cond_conv_init(cond_conv *c, const conv_geom *full, int transpose, int Y, const float *y,
                   conv_backend want, ops_precision precision);
void cond_conv_free(cond_conv *c);

/* As conv_plan_forward/backward of the whole layer, with inp and dinp holding only the non-label
 * channels; weight and dweight are the whole layer's (C_map, C_img, K_h, K_w). The output side
 * may be in nChw16c (the x plan's layout). */
void cond_conv_forward(const cond_conv *c, float *out, const float *inp, const float *weight,
                       const float *bias, float *work);
void cond_conv_backward(const cond_conv *c, float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        int dinp_overwrite, float *work);

#endif
