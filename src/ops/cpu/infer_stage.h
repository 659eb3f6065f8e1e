/* One stage of the CPU inference plan (ops/cpu/infer.h) and the oneDNN part of it: the
 * backward-data primitive a transposed convolution runs on, its weights in the primitive's
 * format, and the reorder of its input when the previous stage's layout is not the one it
 * wants. Only ops/cpu/infer.c uses this. */
#ifndef DCGAN_OPS_CPU_INFER_STAGE_H
#define DCGAN_OPS_CPU_INFER_STAGE_H

#include <dnnl.h>
#include <stddef.h>

#include "ops/ops.h"
#include "ops/cpu/cond_conv.h"

typedef enum { STAGE_LINEAR, STAGE_CONCAT, STAGE_DECONV_DNN, STAGE_DECONV_DIRECT } stage_kind;

typedef struct {
    stage_kind kind;
    const ops_infer_layer *comp, *bn; /* the compute layer and the batch norm after it (or NULL) */
    int act;                          /* ops_activation or INFER_ACT_NONE */
    int in_C, in_H, in_W, C, H, W;    /* per item, in and out */
    int in_c16, out_c16;              /* layouts of the input and of the output */
    float *out_mem;                   /* where the output goes (lent by the layer), or NULL */
    int defer;                        /* oneDNN stage: bias and activation left to the next */
    const float *pre_b;               /* direct stage: the previous stage's deferred bias ... */
    int pre_act;                      /* ... and activation */
    conv_geom g;                      /* deconv, N = the plan's batch */
    float *w, *b;                     /* prepared weight and bias (owned); linear: none, and b the
                                       * batch norm's shift */
    float *scale;                     /* linear: the batch norm's scale (owned) */
    int cond;                         /* deconv after a concat_y: its input is without the labels
                                       * (g without them), which add y @ label_T to its output */
    cond_planes planes;               /* ... the whole layer's (N = the plan's batch) */
    float *label_T;                   /* ... (y_dim, output floats) in the raw output's layout,
                                       * the batch norm's scale folded in (owned) */
    size_t w_floats, b_floats;
    /* STAGE_DECONV_DNN */
    dnnl_primitive_t prim, reorder_in, reorder_w, reorder_out;
    dnnl_memory_desc_t md_src, md_w, md_dst, md_scratch, md_user_in, md_w_plain, md_plain_out;
    int dst_c16;                      /* the primitive writes nChw16c (else NCHW, or another
                                       * layout reorder_out turns into NCHW) */
    size_t off_in, off_dst, off_plain, off_scratch, work_floats; /* into the plan's work */
} infer_stage;

/* The primitive for s (s->g set, batch included); -1 if oneDNN refuses it. */
int infer_stage_dnn_create(infer_stage *s, dnnl_engine_t eng);
/* After the layouts are chosen (s->in_c16, s->out_c16): the input reorder and the work layout. */
int infer_stage_dnn_finish(infer_stage *s, dnnl_engine_t eng);
/* s->w = the folded weight (C_map, C_img, K_h, K_w plain, in `plain`) in the primitive's format. */
void infer_stage_dnn_load(infer_stage *s, const float *plain, dnnl_engine_t eng,
                          dnnl_stream_t stream);
/* The transposed convolution of src (the stage's input layout), in nChw16c (*c16 1) or NCHW:
 * into dst when that is the primitive's layout and dst_c16 says so, else into work. */
const float *infer_stage_dnn_run(const infer_stage *s, float *dst, int dst_c16, const float *src,
                                 float *work, dnnl_engine_t eng, dnnl_stream_t stream, int *c16);
void infer_stage_dnn_free(infer_stage *s);
/* 1 if md is nChw16c of (N, C, H, W). */
int infer_md_is_c16(const dnnl_memory_desc_t *md, int N, int C, int H, int W);

#endif
