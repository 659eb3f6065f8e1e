/* conv2d / conv2d_transpose on oneDNN (C API of oneDNN 2.x).
 *
 * Each of a plan's three primitives is a `conv_step`: two inputs and one output, each of which
 * the primitive may want in a blocked layout of its own choosing (format "any"). Inputs in
 * another layout than the caller's NCHW/OIHW are reordered into `work` first; the output is
 * written to the caller's array directly when the layouts agree and the call overwrites, and
 * otherwise to `work` and then reordered into the caller's array, with a sum post-op where the
 * call accumulates. Scratchpads are user-managed so that all memory comes from `work`. */
#include "ops/cpu/conv2d_onednn.h"

#include <dnnl.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define STEP_INPUTS 2

typedef struct {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    int arg_in[STEP_INPUTS], arg_out;
    dnnl_memory_desc_t md_in[STEP_INPUTS], md_out; /* the primitive's layouts */
    dnnl_memory_desc_t user_in[STEP_INPUTS], user_out;
    dnnl_primitive_t reorder_in[STEP_INPUTS]; /* NULL: the caller's array is used as is */
    dnnl_primitive_t reorder_sum;  /* staging -> caller's array, adding (NULL: never accumulates) */
    dnnl_primitive_t reorder_copy; /* staging -> caller's array, overwriting (NULL: the layouts
                                      agree and the primitive writes the caller's array) */
    dnnl_memory_desc_t md_scratch;
    size_t off_in[STEP_INPUTS], off_out, off_scratch; /* in floats, into work */
    size_t work_floats;
} conv_step;

struct conv_onednn {
    conv_geom g;
    int transpose;
    int native_img, native_map; /* that side's activations are in nChw16c, not NCHW */
    int bf16; /* the primitives read bf16 (reordered from the caller's f32) and write f32 */
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    conv_step fwd, bwd_data, bwd_weights;
    size_t work_floats;
};

static size_t floats_for(const dnnl_memory_desc_t *md)
{
    size_t bytes = dnnl_memory_desc_get_size(md);
    return (bytes / sizeof(float) + 15) / 16 * 16; /* keep every region 64-byte aligned */
}

static void step_free(conv_step *s)
{
    for (int i = 0; i < STEP_INPUTS; i++)
        if (s->reorder_in[i]) dnnl_primitive_destroy(s->reorder_in[i]);
    if (s->reorder_sum) dnnl_primitive_destroy(s->reorder_sum);
    if (s->reorder_copy) dnnl_primitive_destroy(s->reorder_copy);
    if (s->prim) dnnl_primitive_destroy(s->prim);
    if (s->pd) dnnl_primitive_desc_destroy(s->pd);
    memset(s, 0, sizeof *s);
}

static int reorder_create(dnnl_primitive_t *r, dnnl_engine_t eng, const dnnl_memory_desc_t *from,
                          const dnnl_memory_desc_t *to, int accumulate)
{
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int ok = dnnl_primitive_attr_create(&attr) == dnnl_success;
    if (ok && accumulate)
        ok = dnnl_post_ops_create(&po) == dnnl_success &&
             dnnl_post_ops_append_sum(po, 1.0f) == dnnl_success &&
             dnnl_primitive_attr_set_post_ops(attr, po) == dnnl_success;
    ok = ok && dnnl_reorder_primitive_desc_create(&pd, from, eng, to, eng, attr) == dnnl_success;
    ok = ok && dnnl_primitive_create(r, pd) == dnnl_success;
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return ok ? 0 : -1;
}

/* Completes s after its pd exists: the primitive, the layout queries, the reorders and the
 * workspace layout. query_in/query_out name the primitive's memory descriptors; may_sum and
 * may_copy say whether calls accumulate into the output, overwrite it, or both. */
static int step_finish(conv_step *s, dnnl_engine_t eng, const dnnl_query_t query_in[STEP_INPUTS],
                       dnnl_query_t query_out, int may_sum, int may_copy)
{
    if (dnnl_primitive_create(&s->prim, s->pd) != dnnl_success) return -1;
    size_t off = 0;
    for (int i = 0; i < STEP_INPUTS; i++) {
        const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(s->pd, query_in[i], 0);
        if (!md) return -1;
        s->md_in[i] = *md;
        if (!dnnl_memory_desc_equal(&s->md_in[i], &s->user_in[i])) {
            if (reorder_create(&s->reorder_in[i], eng, &s->user_in[i], &s->md_in[i], 0)) return -1;
            s->off_in[i] = off;
            off += floats_for(&s->md_in[i]);
        }
    }
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(s->pd, query_out, 0);
    if (!md) return -1;
    s->md_out = *md;
    int differ = !dnnl_memory_desc_equal(&s->md_out, &s->user_out);
    if (may_sum && reorder_create(&s->reorder_sum, eng, &s->md_out, &s->user_out, 1)) return -1;
    if (may_copy && differ &&
        reorder_create(&s->reorder_copy, eng, &s->md_out, &s->user_out, 0))
        return -1;
    if (s->reorder_sum || s->reorder_copy) {
        s->off_out = off;
        off += floats_for(&s->md_out);
    }
    md = dnnl_primitive_desc_query_md(s->pd, dnnl_query_scratchpad_md, 0);
    if (!md) return -1;
    s->md_scratch = *md;
    s->off_scratch = off;
    off += floats_for(&s->md_scratch);
    s->work_floats = off;
    return 0;
}

static int mem_create(dnnl_memory_t *m, const dnnl_memory_desc_t *md, dnnl_engine_t eng,
                      const void *ptr)
{
    /* oneDNN's handles are non-const; inputs are only read */
    return dnnl_memory_create(m, md, eng, (void *)ptr) == dnnl_success ? 0 : -1;
}

static void run_reorder(const conv_onednn *p, dnnl_primitive_t r, const dnnl_memory_desc_t *from_md,
                        const void *from, const dnnl_memory_desc_t *to_md, void *to)
{
    dnnl_memory_t a = NULL, b = NULL;
    int ok = !mem_create(&a, from_md, p->engine, from) && !mem_create(&b, to_md, p->engine, to);
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
    ok = ok && dnnl_primitive_execute(r, p->stream, 2, args) == dnnl_success;
    if (a) dnnl_memory_destroy(a);
    if (b) dnnl_memory_destroy(b);
    DC_ASSERT(ok, "oneDNN reorder failed");
}

/* out = step(in0, in1), or out += step(in0, in1) when accumulate, in the caller's layouts. */
static void step_run(const conv_onednn *p, const conv_step *s, const float *in0, const float *in1,
                     float *out, int accumulate, float *work)
{
    dnnl_primitive_t finish = accumulate ? s->reorder_sum : s->reorder_copy;
    DC_ASSERT(!accumulate || finish, "oneDNN step cannot accumulate");
    const float *in[STEP_INPUTS] = {in0, in1};
    dnnl_exec_arg_t args[STEP_INPUTS + 2];
    dnnl_memory_t mems[STEP_INPUTS + 2] = {0};
    int n = 0, ok = 1;
    for (int i = 0; i < STEP_INPUTS; i++) {
        const void *ptr = in[i];
        if (s->reorder_in[i]) {
            float *staged = work + s->off_in[i];
            run_reorder(p, s->reorder_in[i], &s->user_in[i], in[i], &s->md_in[i], staged);
            ptr = staged;
        }
        ok = ok && !mem_create(&mems[n], &s->md_in[i], p->engine, ptr);
        args[n] = (dnnl_exec_arg_t){s->arg_in[i], mems[n]};
        n++;
    }
    float *dst = finish ? work + s->off_out : out;
    ok = ok && !mem_create(&mems[n], &s->md_out, p->engine, dst);
    args[n] = (dnnl_exec_arg_t){s->arg_out, mems[n]};
    n++;
    ok = ok && !mem_create(&mems[n], &s->md_scratch, p->engine, work + s->off_scratch);
    args[n] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, mems[n]};
    n++;
    ok = ok && dnnl_primitive_execute(s->prim, p->stream, n, args) == dnnl_success;
    for (int i = 0; i < n; i++)
        if (mems[i]) dnnl_memory_destroy(mems[i]);
    DC_ASSERT(ok, "oneDNN convolution failed");
    if (finish) run_reorder(p, finish, &s->md_out, dst, &s->user_out, out);
}

static int md_plain(dnnl_memory_desc_t *md, dnnl_dim_t a, dnnl_dim_t b, dnnl_dim_t c,
                    dnnl_dim_t d, dnnl_format_tag_t tag)
{
    dnnl_dims_t dims = {a, b, c, d};
    return dnnl_memory_desc_init_by_tag(md, 4, dims, dnnl_f32, tag) == dnnl_success ? 0 : -1;
}

/* A copy of md with another data type (same dims, "any" layout). */
static int md_typed(dnnl_memory_desc_t *out, const dnnl_memory_desc_t *md, dnnl_data_type_t t)
{
    return dnnl_memory_desc_init_by_tag(out, md->ndims, md->dims, t, dnnl_format_tag_any) ==
                   dnnl_success ? 0 : -1;
}

/* The caller's layouts, and "any" for the primitives to choose, each side's "any" once in the
 * type primitives read (in_*: bf16 in bf16 plans) and once in the type they write (f32). */
typedef struct {
    dnnl_memory_desc_t img, map, w;          /* the caller's, f32 */
    dnnl_memory_desc_t img_out, map_out, w_out; /* "any", f32 */
    dnnl_memory_desc_t img_in, map_in, w_in;    /* "any", the input type */
} conv_mds;

static int mds_init(conv_mds *m, const conv_geom *g, int native_img, int native_map, int bf16)
{
    dnnl_data_type_t t = bf16 ? dnnl_bf16 : dnnl_f32;
    return md_plain(&m->img, g->N, g->C_img, g->H_img, g->W_img,
                    native_img ? dnnl_nChw16c : dnnl_nchw) ||
           md_plain(&m->map, g->N, g->C_map, g->H_map, g->W_map,
                    native_map ? dnnl_nChw16c : dnnl_nchw) ||
           md_plain(&m->w, g->C_map, g->C_img, g->K_h, g->K_w, dnnl_oihw) ||
           md_typed(&m->img_out, &m->img, dnnl_f32) || md_typed(&m->map_out, &m->map, dnnl_f32) ||
           md_typed(&m->w_out, &m->w, dnnl_f32) || md_typed(&m->img_in, &m->img, t) ||
           md_typed(&m->map_in, &m->map, t) || md_typed(&m->w_in, &m->w, t);
}

conv_onednn *conv_onednn_create(const conv_geom *g, int transpose, int native_img, int native_map,
                                int bf16)
{
    DC_ASSERT(g != NULL, "conv_onednn_create: NULL geometry");
    conv_onednn *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->g = *g;
    p->transpose = transpose ? 1 : 0;
    p->native_img = native_img ? 1 : 0;
    p->native_map = native_map ? 1 : 0;
    p->bf16 = bf16 ? 1 : 0;
    dnnl_primitive_attr_t attr = NULL;
    int ok = dnnl_engine_create(&p->engine, dnnl_cpu, 0) == dnnl_success &&
             dnnl_stream_create(&p->stream, p->engine, dnnl_stream_default_flags) == dnnl_success &&
             dnnl_primitive_attr_create(&attr) == dnnl_success &&
             dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) ==
                 dnnl_success;
    conv_mds m;
    memset(&m, 0, sizeof m); /* copied into the steps even when a call below fails */
    ok = ok && !mds_init(&m, g, p->native_img, p->native_map, p->bf16);

    /* TensorFlow's padding: pad_top/left before; after, whatever makes the sizes agree
     * (SAME: the rest of the total; VALID: the unused tail, given as negative padding). */
    dnnl_dims_t strides = {g->stride_h, g->stride_w};
    dnnl_dims_t pad_l = {g->pad_top, g->pad_left};
    dnnl_dims_t pad_r = {(dnnl_dim_t)(g->H_map - 1) * g->stride_h + g->K_h - g->H_img - g->pad_top,
                         (dnnl_dim_t)(g->W_map - 1) * g->stride_w + g->K_w - g->W_img -
                             g->pad_left};

    /* forward: img -> map. Biases are added by conv2d_bias_forward on the caller's layout (one
     * pass over the smaller side for conv2d; conv2d_transpose's backward needs none). */
    conv_step *f = &p->fwd;
    dnnl_convolution_desc_t d;
    ok = ok && dnnl_convolution_forward_desc_init(&d, dnnl_forward_training,
                                                  dnnl_convolution_direct, &m.img_in, &m.w_in,
                                                  NULL, &m.map_out, strides,
                                                  pad_l, pad_r) == dnnl_success;
    ok = ok && dnnl_primitive_desc_create(&f->pd, &d, attr, p->engine, NULL) == dnnl_success;
    f->arg_in[0] = DNNL_ARG_SRC;
    f->arg_in[1] = DNNL_ARG_WEIGHTS;
    f->arg_out = DNNL_ARG_DST;
    f->user_in[0] = m.img;
    f->user_in[1] = m.w;
    f->user_out = m.map;
    const dnnl_query_t fwd_in[STEP_INPUTS] = {dnnl_query_src_md, dnnl_query_weights_md};
    ok = ok && !step_finish(f, p->engine, fwd_in, dnnl_query_dst_md, transpose, 1);

    /* backward-data: map -> img (conv2d's input gradient, conv2d_transpose's forward) */
    conv_step *bd = &p->bwd_data;
    ok = ok && dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &m.img_out,
                                                        &m.w_in, &m.map_in, strides, pad_l,
                                                        pad_r) == dnnl_success;
    ok = ok && dnnl_primitive_desc_create(&bd->pd, &d, attr, p->engine, f->pd) == dnnl_success;
    bd->arg_in[0] = DNNL_ARG_DIFF_DST;
    bd->arg_in[1] = DNNL_ARG_WEIGHTS;
    bd->arg_out = DNNL_ARG_DIFF_SRC;
    bd->user_in[0] = m.map;
    bd->user_in[1] = m.w;
    bd->user_out = m.img;
    const dnnl_query_t bd_in[STEP_INPUTS] = {dnnl_query_diff_dst_md, dnnl_query_weights_md};
    ok = ok && !step_finish(bd, p->engine, bd_in, dnnl_query_diff_src_md, !transpose, 1);

    /* backward-weights: (img, map) -> w, always accumulated; bias gradients are summed by
     * conv2d_bias_backward on the caller's layout */
    conv_step *bw = &p->bwd_weights;
    ok = ok && dnnl_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct,
                                                           &m.img_in, &m.w_out, NULL, &m.map_in,
                                                           strides, pad_l, pad_r) == dnnl_success;
    ok = ok && dnnl_primitive_desc_create(&bw->pd, &d, attr, p->engine, f->pd) == dnnl_success;
    bw->arg_in[0] = DNNL_ARG_SRC;
    bw->arg_in[1] = DNNL_ARG_DIFF_DST;
    bw->arg_out = DNNL_ARG_DIFF_WEIGHTS;
    bw->user_in[0] = m.img;
    bw->user_in[1] = m.map;
    bw->user_out = m.w;
    const dnnl_query_t bw_in[STEP_INPUTS] = {dnnl_query_src_md, dnnl_query_diff_dst_md};
    ok = ok && !step_finish(bw, p->engine, bw_in, dnnl_query_diff_weights_md, 1, 0);

    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!ok) {
        conv_onednn_free(p);
        return NULL;
    }
    p->work_floats = f->work_floats;
    if (bd->work_floats > p->work_floats) p->work_floats = bd->work_floats;
    if (bw->work_floats > p->work_floats) p->work_floats = bw->work_floats;
    return p;
}

void conv_onednn_free(conv_onednn *p)
{
    if (!p) return;
    step_free(&p->fwd);
    step_free(&p->bwd_data);
    step_free(&p->bwd_weights);
    if (p->stream) dnnl_stream_destroy(p->stream);
    if (p->engine) dnnl_engine_destroy(p->engine);
    free(p);
}

size_t conv_onednn_workspace_floats(const conv_onednn *p) { return p->work_floats; }

/* Biases on a side that may be in nChw16c (x viewed as (N, C/16, hw, 16)). */
static void bias_forward(float *x, const float *bias, int N, int C, size_t hw, int c16)
{
    if (!c16) {
        conv2d_bias_forward(x, bias, N, C, hw);
        return;
    }
    const int CB = C / 16;
#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int cb = 0; cb < CB; cb++) {
            float *d = x + ((size_t)n * CB + cb) * hw * 16;
            const float *b = bias + cb * 16;
            for (size_t i = 0; i < hw; i++)
#pragma omp simd
                for (int j = 0; j < 16; j++) d[i * 16 + j] += b[j];
        }
}

static void bias_backward(float *dbias, const float *dy, int N, int C, size_t hw, int c16)
{
    if (!c16) {
        conv2d_bias_backward(dbias, dy, N, C, hw);
        return;
    }
    const int CB = C / 16;
#pragma omp parallel for schedule(static)
    for (int cb = 0; cb < CB; cb++) {
        double acc[16] = {0};
        for (int n = 0; n < N; n++) {
            const float *d = dy + ((size_t)n * CB + cb) * hw * 16;
            float part[16] = {0}; /* one image's sum in float lanes, then double */
            for (size_t i = 0; i < hw; i++)
#pragma omp simd
                for (int j = 0; j < 16; j++) part[j] += d[i * 16 + j];
            for (int j = 0; j < 16; j++) acc[j] += part[j];
        }
        for (int j = 0; j < 16; j++) dbias[cb * 16 + j] += (float)acc[j];
    }
}

/* The primitives' layout of one side's activations, if all three agree on nChw16c. */
static int side_is_c16(const conv_onednn *p, int map_side)
{
    dnnl_memory_desc_t c16;
    const conv_geom *g = &p->g;
    if (map_side ? g->C_map % 16 : g->C_img % 16) return 0;
    if (map_side ? md_plain(&c16, g->N, g->C_map, g->H_map, g->W_map, dnnl_nChw16c)
                 : md_plain(&c16, g->N, g->C_img, g->H_img, g->W_img, dnnl_nChw16c))
        return 0;
    const dnnl_memory_desc_t *mds[3];
    if (map_side) {
        mds[0] = &p->fwd.md_out;
        mds[1] = &p->bwd_data.md_in[0];
        mds[2] = &p->bwd_weights.md_in[1];
    } else {
        mds[0] = &p->fwd.md_in[0];
        mds[1] = &p->bwd_data.md_out;
        mds[2] = &p->bwd_weights.md_in[0];
    }
    for (int i = 0; i < 3; i++) {
        /* bf16 plans read a side in bf16: nChw16c there still saves the layout change (the
         * reorder into work then only converts) */
        dnnl_memory_desc_t want = c16;
        if (mds[i]->data_type != dnnl_f32 &&
            dnnl_memory_desc_init_by_tag(&want, 4, c16.dims, mds[i]->data_type, dnnl_nChw16c) !=
                dnnl_success)
            return 0;
        if (!dnnl_memory_desc_equal(mds[i], &want)) return 0;
    }
    return 1;
}

int conv_onednn_native_c16(const conv_onednn *p, int map_side) { return side_is_c16(p, map_side); }

void conv_onednn_forward(const conv_onednn *p, float *out, const float *inp, const float *weight,
                         const float *bias, float *work)
{
    DC_ASSERT(p && !p->transpose && out && inp && weight && work, "conv_onednn_forward: bad call");
    const conv_geom *g = &p->g;
    step_run(p, &p->fwd, inp, weight, out, 0, work);
    if (bias) bias_forward(out, bias, g->N, g->C_map, (size_t)g->H_map * g->W_map, p->native_map);
}

void conv_onednn_backward(const conv_onednn *p, float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight,
                          int dinp_overwrite, float *work)
{
    DC_ASSERT(p && !p->transpose && dout && inp && weight && work, "conv_onednn_backward: bad call");
    const conv_geom *g = &p->g;
    if (dbias) bias_backward(dbias, dout, g->N, g->C_map, (size_t)g->H_map * g->W_map, p->native_map);
    if (dweight) step_run(p, &p->bwd_weights, inp, dout, dweight, 1, work);
    if (dinp) step_run(p, &p->bwd_data, dout, weight, dinp, !dinp_overwrite, work);
}

void conv_onednn_transpose_forward(const conv_onednn *p, float *out, const float *inp,
                                   const float *weight, const float *bias, float *work)
{
    DC_ASSERT(p && p->transpose && out && inp && weight && work,
              "conv_onednn_transpose_forward: bad call");
    const conv_geom *g = &p->g;
    step_run(p, &p->bwd_data, inp, weight, out, 0, work);
    if (bias) bias_forward(out, bias, g->N, g->C_img, (size_t)g->H_img * g->W_img, p->native_img);
}

void conv_onednn_transpose_backward(const conv_onednn *p, float *dinp, float *dweight,
                                    float *dbias, const float *dout, const float *inp,
                                    const float *weight, int dinp_overwrite, float *work)
{
    DC_ASSERT(p && p->transpose && dout && inp && weight && work,
              "conv_onednn_transpose_backward: bad call");
    const conv_geom *g = &p->g;
    if (dbias) bias_backward(dbias, dout, g->N, g->C_img, (size_t)g->H_img * g->W_img, p->native_img);
    if (dweight) step_run(p, &p->bwd_weights, dout, inp, dweight, 1, work);
    if (dinp) step_run(p, &p->fwd, dout, weight, dinp, !dinp_overwrite, work);
}
