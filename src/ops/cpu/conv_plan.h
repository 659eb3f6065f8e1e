/* One convolution layer's geometry and the implementation that runs it.
 *
 * The model code calls conv_plan_forward/backward and never sees which backend computes them:
 * oneDNN's JIT kernels (ops/conv2d_onednn.h) where oneDNN supports the geometry, im2col + BLAS
 * (ops/conv2d.h) otherwise or when asked for. Both keep ops/conv2d.h's arrays and semantics
 * (NCHW, backward accumulates, NULL gradients skipped), so a plan can be swapped without
 * touching the caller. */
#ifndef DCGAN_OPS_CPU_CONV_PLAN_H
#define DCGAN_OPS_CPU_CONV_PLAN_H

#include "ops/ops.h"
#include "ops/cpu/conv2d.h"
#include "ops/cpu/conv2d_onednn.h"



typedef struct {
    conv_geom geom;
    int transpose;        /* 1: the layer is conv2d_transpose (image side is the output) */
    conv_backend backend; /* IM2COL or ONEDNN: what runs */
    conv_onednn *dnn;
    int c16_img, c16_map; /* that side's activations are in nChw16c (conv_plan_set_c16) */
    int bf16;             /* oneDNN's primitives compute in bf16 (conv_plan_init_precision) */
} conv_plan;

/* Returns 0, or -1 when `want` is ONEDNN and oneDNN cannot run this geometry. */
int conv_plan_init(conv_plan *p, const conv_geom *g, int transpose, conv_backend want);
/* conv_plan_init in a precision: OPS_PRECISION_BF16 needs oneDNN (want AUTO or ONEDNN) and
 * returns -1 where oneDNN cannot run the geometry in bf16 (no im2col fallback: the caller asked
 * for bf16 and must not silently get f32). */
int conv_plan_init_precision(conv_plan *p, const conv_geom *g, int transpose, conv_backend want,
                             ops_precision precision);
void conv_plan_free(conv_plan *p);
size_t conv_plan_workspace_floats(const conv_plan *p);
/* Whether the backend can keep a side's activations in nChw16c (ops/conv2d_onednn.h): only
 * oneDNN plans, and only where its primitives use that layout anyway. */
int conv_plan_c16_available(const conv_plan *p, int map_side);
/* Switches the sides to nChw16c (or back); returns -1, with the plan unchanged, if not
 * available. */
int conv_plan_set_c16(conv_plan *p, int img, int map);

/* The layer's forward: conv2d_forward, or conv2d_transpose_forward when p->transpose. */
void conv_plan_forward(const conv_plan *p, float *out, const float *inp, const float *weight,
                       const float *bias, float *work);
/* The layer's backward (accumulating; NULL gradients skipped). dinp_overwrite: dinp is
 * overwritten instead (callers whose dinp buffer would be all zeros). */
void conv_plan_backward(const conv_plan *p, float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        int dinp_overwrite, float *work);



#endif
