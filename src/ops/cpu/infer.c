/* The CPU inference plan: stages from the layer list, batch norm folded into the weights, the
 * layouts between stages, and the forward pass. */
#include "ops/cpu/infer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ops/cpu/concat.h"
#include "ops/cpu/infer_kernels.h"
#include "ops/cpu/infer_stage.h"
#include "ops/ops_backend.h"

typedef struct {
    ops_infer base;
    gemm_lib gemm;
    int batch, y_dim;
    ops_infer_layer *layers; /* a copy: stages point into it */
    int n_layers, n_stages;
    infer_stage *st;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    float *buf[2]; /* stage outputs, alternately, where the layers lend no memory */
    float *work;   /* reorders, staging, oneDNN's scratchpad */
    size_t work_floats;
    size_t fold_floats; /* the largest folded weight before its reorder (made while loading) */
} cpu_infer;

static cpu_infer *plan_of(ops_infer *p) { return (cpu_infer *)p; }

/* Absorbs reshapes from layer i on; returns the next other layer's index. */
static int skip_reshapes(const cpu_infer *p, int i)
{
    while (i < p->n_layers && p->layers[i].kind == OPS_INFER_RESHAPE) i++;
    return i;
}

/* A compute layer at i with the batch norm and activation after it; returns the next index. */
static int stage_take_compute(cpu_infer *p, infer_stage *s, int i)
{
    const ops_infer_layer *l = &p->layers[i];
    s->comp = l;
    s->kind = l->kind == OPS_INFER_LINEAR ? STAGE_LINEAR : STAGE_DECONV_DNN;
    i = skip_reshapes(p, i + 1);
    if (i < p->n_layers && p->layers[i].kind == OPS_INFER_BATCHNORM) s->bn = &p->layers[i++];
    i = skip_reshapes(p, i);
    if (i < p->n_layers && p->layers[i].kind == OPS_INFER_ACTIVATION) s->act = p->layers[i++].act;
    return skip_reshapes(p, i);
}

/* Groups the layers into stages; -1 for a sequence the plan does not run. */
static int plan_stages(cpu_infer *p)
{
    int i = skip_reshapes(p, 0);
    while (i < p->n_layers) {
        const ops_infer_layer *l = &p->layers[i];
        infer_stage *s = &p->st[p->n_stages++];
        memset(s, 0, sizeof *s);
        s->act = INFER_ACT_NONE;
        s->in_C = l->in_C;
        s->in_H = l->in_H;
        s->in_W = l->in_W;
        int next = skip_reshapes(p, i + 1);
        if (l->kind == OPS_INFER_CONCAT_Y && next < p->n_layers &&
            p->layers[next].kind == OPS_INFER_DECONV && p->y_dim > 0 &&
            p->layers[next].geom.C_map > p->y_dim) {
            /* the deconv takes the labels itself (cond_conv.h): no concatenated copy */
            s->cond = 1;
            l = &p->layers[next];
            i = stage_take_compute(p, s, next);
        } else if (l->kind == OPS_INFER_CONCAT_Y) {
            s->kind = STAGE_CONCAT;
            i = next;
        } else if (l->kind == OPS_INFER_LINEAR || l->kind == OPS_INFER_DECONV) {
            i = stage_take_compute(p, s, i);
        } else {
            return -1; /* conv, or a batch norm / activation after no compute layer */
        }
        s->out_mem = l->out; /* the first layer's: the stage's output has its size */
        const ops_infer_layer *last = &p->layers[i - 1];
        s->C = last->C;
        s->H = last->H;
        s->W = last->W;
        if (s->bn && s->comp->kind == OPS_INFER_DECONV && s->bn->C != s->comp->C) return -1;
        if (s->bn && s->comp->kind == OPS_INFER_LINEAR &&
            (size_t)s->bn->C * s->bn->H * s->bn->W != (size_t)s->comp->C)
            return -1;
        if (s->comp && s->comp->kind == OPS_INFER_DECONV) {
            s->g = s->comp->geom;
            s->g.N = p->batch;
            if (s->cond) {
                cond_planes_init(&s->planes, &s->g, 1, p->y_dim);
                s->g.C_map -= p->y_dim;
            }
            if (infer_deconv_direct_fits(&s->g)) {
                s->kind = STAGE_DECONV_DIRECT;
                s->w_floats = (size_t)s->g.C_map * s->g.C_img * s->g.K_h * s->g.K_w;
                s->w = dc_alloc_floats(s->w_floats);
            }
            s->b = dc_alloc_floats((size_t)s->g.C_img);
        } else if (s->comp && s->comp->kind == OPS_INFER_LINEAR) {
            /* linear: its weight transposed (IN, OUT), the product oneDNN's sgemm runs fastest
             * (224 against 177 GFLOP/s for the conditional G's 1034 -> 6272 at batch 64) */
            const ops_infer_layer *l = s->comp;
            s->w_floats = (size_t)l->in_C * l->in_H * l->in_W * l->C;
            s->w = dc_alloc_floats(s->w_floats);
        }
        if (s->comp && s->comp->kind == OPS_INFER_LINEAR && s->bn) { /* the batch norm applied after */
            s->scale = dc_alloc_floats((size_t)s->bn->C);
            s->b = dc_alloc_floats((size_t)s->bn->C);
        }
    }
    return p->n_stages > 0 ? 0 : -1;
}

/* Stage outputs stay in nChw16c where the next stage is a oneDNN one that reads it; everything
 * else passes NCHW. Then the oneDNN stages' reorders and the buffers. */
static int plan_layouts(cpu_infer *p)
{
    size_t buf_floats = 16, B = (size_t)p->batch;
    for (int i = 0; i < p->n_stages; i++) {
        infer_stage *s = &p->st[i], *next = i + 1 < p->n_stages ? &p->st[i + 1] : NULL;
        s->in_c16 = i > 0 && p->st[i - 1].out_c16;
        s->out_c16 = next && next->kind == STAGE_DECONV_DNN &&
                     (s->kind == STAGE_LINEAR || s->kind == STAGE_DECONV_DNN) &&
                     infer_md_is_c16(&next->md_src, p->batch, s->C, s->H, s->W);
        /* a linear stage's pass goes by batch-norm channel: nChw16c only if those are the maps' */
        if (s->kind == STAGE_LINEAR && s->bn && s->bn->C != s->C) s->out_c16 = 0;
        /* before the direct kernel, which copies its input anyway: the primitive's nChw16c
         * passes on as it is, the bias and activation applied in that copy */
        if (s->kind == STAGE_DECONV_DNN && s->dst_c16 && next && next->kind == STAGE_DECONV_DIRECT) {
            s->defer = s->out_c16 = 1;
            next->pre_b = s->b;
            next->pre_act = s->act;
        }
        size_t out = B * s->C * s->H * s->W;
        if (out > buf_floats) buf_floats = out;
        size_t work = 0;
        if (s->kind == STAGE_DECONV_DNN) {
            if (infer_stage_dnn_finish(s, p->engine)) return -1;
            work = s->work_floats;
        } else if (s->kind == STAGE_LINEAR && s->out_c16) {
            work = out;
        }
        if (work > p->work_floats) p->work_floats = work;
        if (s->kind == STAGE_DECONV_DNN) {
            size_t wf = (size_t)s->g.C_map * s->g.C_img * s->g.K_h * s->g.K_w;
            if (wf > p->fold_floats) p->fold_floats = wf;
        }
    }
    for (int i = 0; i + 1 < p->n_stages; i++)
        if (!p->st[i].out_mem && !p->buf[i % 2]) p->buf[i % 2] = dc_alloc_floats(buf_floats);
    p->work = dc_alloc_floats(p->work_floats + 16);
    return 0;
}

/* The batch norm after a compute layer as out = x*scale[c] + shift[c], with the layer's bias
 * folded into shift (eval mode: moving statistics; the scale as batchnorm_forward_eval rounds
 * it). */
static void fold_channel(const infer_stage *s, int c, float bias, float *scale, float *shift)
{
    if (!s->bn) {
        *scale = 1.0f;
        *shift = bias;
        return;
    }
    const ops_infer_layer *bn = s->bn;
    const float g = bn->w ? bn->w[c] : 1.0f, beta = bn->b ? bn->b[c] : 0.0f;
    *scale = (float)((double)g / sqrt((double)bn->var[c] + (double)BATCHNORM_EPS));
    *shift = (bias - bn->mean[c]) * *scale + beta;
}

/* A linear layer's weight is copied transposed as it is, not folded: the batch norm after it
 * is the output pass's x*scale + shift, shift = beta - mean*scale (the layer's bias is added
 * by the GEMM). */
static void load_linear(infer_stage *s)
{
    const ops_infer_layer *l = s->comp;
    linear_transpose_weight(s->w, l->w, l->in_C * l->in_H * l->in_W, l->C);
    for (int c = 0; s->bn && c < s->bn->C; c++) {
        float scale, shift;
        fold_channel(s, c, 0.0f, &scale, &shift);
        s->scale[c] = scale;
        s->b[c] = shift;
    }
}

/* Deconv weights (C_map, C_img, K_h, K_w) scaled per output channel c_img, into `to` as they
 * are (oneDNN stages, reordered after) or transposed to (K_h, K_w, C_map, C_img) (direct). */
static void load_deconv(infer_stage *s, float *to, int transposed)
{
    const conv_geom *g = &s->g;
    const size_t Cm = (size_t)g->C_map, Ci = (size_t)g->C_img, KK = (size_t)g->K_h * g->K_w;
    for (size_t ci = 0; ci < Ci; ci++) {
        float scale, shift;
        fold_channel(s, (int)ci, s->comp->b ? s->comp->b[ci] : 0.0f, &scale, &shift);
        s->b[ci] = shift;
        for (size_t cm = 0; cm < Cm; cm++)
            for (size_t k = 0; k < KK; k++) {
                float v = s->comp->w[(cm * Ci + ci) * KK + k] * scale;
                if (transposed) to[(k * Cm + cm) * Ci + ci] = v;
                else to[(cm * Ci + ci) * KK + k] = v;
            }
    }
}

/* label_T of a deconv that takes the labels: each label plane's response through the layer with
 * the batch norm's scale folded in, in the layout its raw output comes in. */
static void load_label_table(const cpu_infer *p, infer_stage *s)
{
    const conv_geom *g = &s->g;
    const size_t Ci = (size_t)g->C_img, KK = (size_t)g->K_h * g->K_w, Y = (size_t)p->y_dim;
    float *lw = dc_alloc_floats(Y * Ci * KK); /* the label rows, scaled */
    for (size_t ci = 0; ci < Ci; ci++) {
        float scale, shift;
        fold_channel(s, (int)ci, 0.0f, &scale, &shift);
        for (size_t c = 0; c < Y; c++)
            for (size_t k = 0; k < KK; k++)
                lw[(c * Ci + ci) * KK + k] =
                    s->comp->w[(((size_t)g->C_map + c) * Ci + ci) * KK + k] * scale;
    }
    const int c16 = s->kind == STAGE_DECONV_DNN && s->dst_c16;
    if (!s->label_T) /* the layout is fixed with the plan: one table for every load */
        s->label_T = dc_alloc_floats(Y * cond_planes_out_floats(&s->planes, c16));
    cond_planes_table(&s->planes, s->label_T, lw, 1, c16);
    free(lw);
}

void cpu_infer_load(ops_infer *pi)
{
    cpu_infer *p = plan_of(pi);
    /* the folded weights pass through memory given back after */
    float *fold = p->fold_floats ? dc_alloc_floats(p->fold_floats) : NULL;
    for (int i = 0; i < p->n_stages; i++) {
        infer_stage *s = &p->st[i];
        switch (s->kind) {
        case STAGE_LINEAR: load_linear(s); break;
        case STAGE_DECONV_DNN:
            load_deconv(s, fold, 0);
            infer_stage_dnn_load(s, fold, p->engine, p->stream);
            break;
        case STAGE_DECONV_DIRECT: load_deconv(s, s->w, 1); break;
        case STAGE_CONCAT: break;
        }
        if (s->cond) load_label_table(p, s);
    }
    free(fold);
}

ops_infer *cpu_infer_create(ops_backend *be, const ops_infer_layer *layers, int n_layers,
                            int batch, int y_dim, gemm_lib gemm)
{
    cpu_infer *p = dc_calloc(1, sizeof *p);
    p->base.be = be;
    p->gemm = gemm;
    p->batch = batch;
    p->y_dim = y_dim;
    p->n_layers = n_layers;
    p->layers = dc_calloc((size_t)n_layers + 1, sizeof *p->layers);
    memcpy(p->layers, layers, sizeof *layers * (size_t)n_layers);
    p->st = dc_calloc((size_t)n_layers + 1, sizeof *p->st);
    int ok = dnnl_engine_create(&p->engine, dnnl_cpu, 0) == dnnl_success &&
             dnnl_stream_create(&p->stream, p->engine, dnnl_stream_default_flags) ==
                 dnnl_success &&
             plan_stages(p) == 0;
    for (int i = 0; ok && i < p->n_stages; i++)
        if (p->st[i].kind == STAGE_DECONV_DNN) ok = infer_stage_dnn_create(&p->st[i], p->engine) == 0;
    ok = ok && plan_layouts(p) == 0;
    if (!ok) {
        cpu_infer_free(&p->base);
        return NULL;
    }
    cpu_infer_load(&p->base);
    return &p->base;
}

static void run_stage(cpu_infer *p, const infer_stage *s, float *dst, const float *src,
                      const float *y)
{
    const int B = p->batch;
    const size_t S = (size_t)s->H * s->W;
    switch (s->kind) {
    case STAGE_CONCAT:
        cond_concat_forward(dst, src, y, B, s->in_C, s->H, s->W, p->y_dim);
        break;
    case STAGE_LINEAR: {
        const ops_infer_layer *l = s->comp;
        float *lin = s->out_c16 ? p->work : dst;
        linear_forward_wt(lin, src, s->w, l->b, B, l->in_C * l->in_H * l->in_W, l->C, p->gemm);
        /* per batch-norm channel (its shape is the output's where that is nChw16c) */
        int C = s->bn ? s->bn->C : s->C;
        size_t per = s->bn ? (size_t)s->bn->H * s->bn->W : S;
        if (s->bn || s->out_c16 || s->act != INFER_ACT_NONE)
            infer_epilogue(dst, s->out_c16, lin, 0, s->scale, s->b, s->act, B, C, per);
        break;
    }
    case STAGE_DECONV_DNN: {
        int raw_c16;
        const float *raw = infer_stage_dnn_run(s, dst, s->out_c16, src, p->work, p->engine,
                                               p->stream, &raw_c16);
        if (s->cond) {
            DC_ASSERT(raw_c16 == s->dst_c16, "inference plan: the label table's layout");
            /* raw is dst or the plan's work */
            cond_planes_add(&s->planes, (float *)raw, y, s->label_T, raw_c16);
        }
        if (!s->defer)
            infer_epilogue(dst, s->out_c16, raw, raw_c16, NULL, s->b, s->act, B, s->C, S);
        break;
    }
    case STAGE_DECONV_DIRECT:
        if (!s->cond) {
            infer_deconv_direct(dst, src, s->in_c16, s->pre_b, s->pre_act, s->w, s->b, s->act,
                                &s->g);
            break;
        }
        /* the labels go in before the activation */
        infer_deconv_direct(dst, src, s->in_c16, s->pre_b, s->pre_act, s->w, s->b,
                            INFER_ACT_NONE, &s->g);
        cond_planes_add(&s->planes, dst, y, s->label_T, 0);
        if (s->act != INFER_ACT_NONE)
            infer_epilogue(dst, 0, dst, 0, NULL, NULL, s->act, B, s->C, S);
        break;
    }
}

void cpu_infer_run(ops_infer *pi, float *out, const float *inp, const float *y)
{
    cpu_infer *p = plan_of(pi);
    const float *cur = inp;
    for (int i = 0; i < p->n_stages; i++) {
        float *dst = i + 1 == p->n_stages ? out : p->st[i].out_mem ? p->st[i].out_mem : p->buf[i % 2];
        run_stage(p, &p->st[i], dst, cur, y);
        cur = dst;
    }
}

void cpu_infer_free(ops_infer *pi)
{
    cpu_infer *p = plan_of(pi);
    if (!p) return;
    for (int i = 0; i < p->n_stages; i++) {
        infer_stage_dnn_free(&p->st[i]);
        free(p->st[i].w);
        free(p->st[i].b);
        free(p->st[i].scale);
        free(p->st[i].label_T);
        if (p->st[i].cond) cond_planes_free(&p->st[i].planes);
    }
    free(p->st);
    free(p->layers);
    free(p->buf[0]);
    free(p->buf[1]);
    free(p->work);
    if (p->stream) dnnl_stream_destroy(p->stream);
    if (p->engine) dnnl_engine_destroy(p->engine);
    free(p);
}
