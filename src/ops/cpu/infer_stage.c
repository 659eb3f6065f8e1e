/* oneDNN's part of an inference stage: a transposed convolution as the backward-data primitive
 * of the convolution it transposes (as ops/cpu/conv2d_onednn.c runs it in training), with the
 * weights reordered once per load instead of once per call. */
#include "ops/cpu/infer_stage.h"

#include <string.h>

#include "core/error.h"

static size_t floats_for(const dnnl_memory_desc_t *md)
{
    return (dnnl_memory_desc_get_size(md) / sizeof(float) + 15) / 16 * 16;
}

static int md_4d(dnnl_memory_desc_t *md, int a, int b, int c, int d, dnnl_format_tag_t tag)
{
    dnnl_dims_t dims = {a, b, c, d};
    return dnnl_memory_desc_init_by_tag(md, 4, dims, dnnl_f32, tag) == dnnl_success ? 0 : -1;
}

int infer_md_is_c16(const dnnl_memory_desc_t *md, int N, int C, int H, int W)
{
    dnnl_memory_desc_t c16;
    if (C % 16 != 0 || md_4d(&c16, N, C, H, W, dnnl_nChw16c)) return 0;
    return dnnl_memory_desc_equal(md, &c16);
}

static int reorder_make(dnnl_primitive_t *r, dnnl_engine_t eng, const dnnl_memory_desc_t *from,
                        const dnnl_memory_desc_t *to)
{
    dnnl_primitive_desc_t pd = NULL;
    int ok = dnnl_reorder_primitive_desc_create(&pd, from, eng, to, eng, NULL) == dnnl_success &&
             dnnl_primitive_create(r, pd) == dnnl_success;
    if (pd) dnnl_primitive_desc_destroy(pd);
    return ok ? 0 : -1;
}

static void reorder_run(dnnl_primitive_t r, dnnl_engine_t eng, dnnl_stream_t stream,
                        const dnnl_memory_desc_t *from_md, const void *from,
                        const dnnl_memory_desc_t *to_md, void *to)
{
    dnnl_memory_t a = NULL, b = NULL;
    int ok = dnnl_memory_create(&a, from_md, eng, (void *)from) == dnnl_success &&
             dnnl_memory_create(&b, to_md, eng, to) == dnnl_success;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
    ok = ok && dnnl_primitive_execute(r, stream, 2, args) == dnnl_success;
    if (a) dnnl_memory_destroy(a);
    if (b) dnnl_memory_destroy(b);
    DC_ASSERT(ok, "oneDNN reorder failed");
}

int infer_stage_dnn_create(infer_stage *s, dnnl_engine_t eng)
{
    const conv_geom *g = &s->g;
    dnnl_memory_desc_t img, map, w;
    if (md_4d(&img, g->N, g->C_img, g->H_img, g->W_img, dnnl_format_tag_any) ||
        md_4d(&map, g->N, g->C_map, g->H_map, g->W_map, dnnl_format_tag_any) ||
        md_4d(&w, g->C_map, g->C_img, g->K_h, g->K_w, dnnl_format_tag_any) ||
        md_4d(&s->md_w_plain, g->C_map, g->C_img, g->K_h, g->K_w, dnnl_oihw))
        return -1;
    dnnl_dims_t strides = {g->stride_h, g->stride_w}, pad_l = {g->pad_top, g->pad_left};
    dnnl_dims_t pad_r = {(dnnl_dim_t)(g->H_map - 1) * g->stride_h + g->K_h - g->H_img - g->pad_top,
                         (dnnl_dim_t)(g->W_map - 1) * g->stride_w + g->K_w - g->W_img -
                             g->pad_left};
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t hint = NULL, pd = NULL;
    dnnl_convolution_desc_t d;
    int ok = dnnl_primitive_attr_create(&attr) == dnnl_success &&
             dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) ==
                 dnnl_success;
    ok = ok && dnnl_convolution_forward_desc_init(&d, dnnl_forward_training,
                                                  dnnl_convolution_direct, &img, &w, NULL, &map,
                                                  strides, pad_l, pad_r) == dnnl_success;
    ok = ok && dnnl_primitive_desc_create(&hint, &d, attr, eng, NULL) == dnnl_success;
    ok = ok && dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &img, &w,
                                                        &map, strides, pad_l,
                                                        pad_r) == dnnl_success;
    ok = ok && dnnl_primitive_desc_create(&pd, &d, attr, eng, hint) == dnnl_success;
    ok = ok && dnnl_primitive_create(&s->prim, pd) == dnnl_success;
    const dnnl_memory_desc_t *q[4] = {NULL, NULL, NULL, NULL};
    if (ok) {
        q[0] = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0);
        q[1] = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        q[2] = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_src_md, 0);
        q[3] = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
        ok = q[0] && q[1] && q[2] && q[3];
    }
    if (ok) {
        s->md_src = *q[0];
        s->md_w = *q[1];
        s->md_dst = *q[2];
        s->md_scratch = *q[3];
        s->dst_c16 = infer_md_is_c16(&s->md_dst, g->N, g->C_img, g->H_img, g->W_img);
        ok = !md_4d(&s->md_plain_out, g->N, g->C_img, g->H_img, g->W_img, dnnl_nchw);
    }
    /* a layout the passes after it do not read (channels padded to 16): to NCHW first */
    if (ok && !s->dst_c16 && !dnnl_memory_desc_equal(&s->md_dst, &s->md_plain_out))
        ok = !reorder_make(&s->reorder_out, eng, &s->md_dst, &s->md_plain_out);
    ok = ok && !reorder_make(&s->reorder_w, eng, &s->md_w_plain, &s->md_w);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (hint) dnnl_primitive_desc_destroy(hint);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (ok) {
        s->w_floats = floats_for(&s->md_w);
        s->w = dc_alloc_floats(s->w_floats);
    }
    return ok ? 0 : -1;
}

int infer_stage_dnn_finish(infer_stage *s, dnnl_engine_t eng)
{
    const conv_geom *g = &s->g;
    if (md_4d(&s->md_user_in, g->N, g->C_map, g->H_map, g->W_map,
              s->in_c16 ? dnnl_nChw16c : dnnl_nchw))
        return -1;
    size_t off = 0;
    if (!dnnl_memory_desc_equal(&s->md_user_in, &s->md_src)) {
        if (reorder_make(&s->reorder_in, eng, &s->md_user_in, &s->md_src)) return -1;
        s->off_in = off;
        off += floats_for(&s->md_src);
    }
    s->off_dst = off;
    if (s->dst_c16 != s->out_c16 || s->reorder_out) off += floats_for(&s->md_dst);
    s->off_plain = off;
    if (s->reorder_out) off += floats_for(&s->md_plain_out);
    s->off_scratch = off;
    off += floats_for(&s->md_scratch);
    s->work_floats = off;
    return 0;
}

void infer_stage_dnn_load(infer_stage *s, const float *plain, dnnl_engine_t eng,
                          dnnl_stream_t stream)
{
    reorder_run(s->reorder_w, eng, stream, &s->md_w_plain, plain, &s->md_w, s->w);
}

const float *infer_stage_dnn_run(const infer_stage *s, float *dst, int dst_c16, const float *src,
                                 float *work, dnnl_engine_t eng, dnnl_stream_t stream, int *c16)
{
    if (s->dst_c16 != dst_c16 || s->reorder_out) dst = work + s->off_dst;
    if (s->reorder_in) {
        reorder_run(s->reorder_in, eng, stream, &s->md_user_in, src, &s->md_src, work + s->off_in);
        src = work + s->off_in;
    }
    dnnl_memory_t m[4] = {NULL, NULL, NULL, NULL};
    int ok = dnnl_memory_create(&m[0], &s->md_src, eng, (void *)src) == dnnl_success &&
             dnnl_memory_create(&m[1], &s->md_w, eng, s->w) == dnnl_success &&
             dnnl_memory_create(&m[2], &s->md_dst, eng, dst) == dnnl_success &&
             dnnl_memory_create(&m[3], &s->md_scratch, eng, work + s->off_scratch) ==
                 dnnl_success;
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_DIFF_DST, m[0]},
                               {DNNL_ARG_WEIGHTS, m[1]},
                               {DNNL_ARG_DIFF_SRC, m[2]},
                               {DNNL_ARG_SCRATCHPAD, m[3]}};
    ok = ok && dnnl_primitive_execute(s->prim, stream, 4, args) == dnnl_success;
    for (int i = 0; i < 4; i++)
        if (m[i]) dnnl_memory_destroy(m[i]);
    DC_ASSERT(ok, "oneDNN transposed convolution failed");
    *c16 = s->dst_c16;
    if (!s->reorder_out) return dst;
    reorder_run(s->reorder_out, eng, stream, &s->md_dst, dst, &s->md_plain_out,
                work + s->off_plain);
    return work + s->off_plain;
}

void infer_stage_dnn_free(infer_stage *s)
{
    if (s->prim) dnnl_primitive_destroy(s->prim);
    if (s->reorder_in) dnnl_primitive_destroy(s->reorder_in);
    if (s->reorder_w) dnnl_primitive_destroy(s->reorder_w);
    if (s->reorder_out) dnnl_primitive_destroy(s->reorder_out);
    s->prim = s->reorder_in = s->reorder_w = s->reorder_out = NULL;
}
