#include "eval/features.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

int features_pooled_side(int s)
{
    return s < FEATURES_GRID ? s : FEATURES_GRID;
}

void features_adaptive_max_pool(const float *in, int C, int H, int W, int oh, int ow,
                                float *out)
{
    DC_ASSERT(oh >= 1 && oh <= H && ow >= 1 && ow <= W, "pool %dx%d to %dx%d", H, W, oh, ow);
    for (int c = 0; c < C; c++) {
        const float *m = in + (size_t)c * H * W;
        for (int i = 0; i < oh; i++) {
            int y0 = i * H / oh, y1 = ((i + 1) * H + oh - 1) / oh;
            for (int j = 0; j < ow; j++) {
                int x0 = j * W / ow, x1 = ((j + 1) * W + ow - 1) / ow;
                float best = -FLT_MAX;
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++)
                        if (m[(size_t)y * W + x] > best) best = m[(size_t)y * W + x];
                *out++ = best;
            }
        }
    }
}

static int is_map_passthrough(layer_kind k)
{
    return k == LAYER_BATCHNORM || k == LAYER_RELU || k == LAYER_LRELU || k == LAYER_TANH ||
           k == LAYER_SIGMOID;
}

int features_plan_make(const net *D, features_plan *p, dc_err *e)
{
    memset(p, 0, sizeof *p);
    if (D->y_dim > 0)
        return dc_fail(e, "%s is conditional: it needs a label, which a classifier does not have",
                       D->prefix);
    for (int i = 0; i < D->n_layers; i++) {
        if (D->layers[i].kind != LAYER_CONV) continue;
        int j = i;
        while (j + 1 < D->n_layers && is_map_passthrough(D->layers[j + 1].kind)) j++;
        const layer *l = &D->layers[j];
        if (l->layout != OPS_LAYOUT_PLAIN)
            return dc_fail(e, "%s/%s: its output map is in a layout of the backend's own, not "
                           "NCHW (open the model with the im2col convolutions)", D->prefix,
                           D->layers[i].name);
        int k = p->n_maps++;
        p->layer[k] = j;
        p->C[k] = l->C;
        p->H[k] = l->H;
        p->W[k] = l->W;
        p->ph[k] = features_pooled_side(l->H);
        p->pw[k] = features_pooled_side(l->W);
        p->dim += (size_t)l->C * p->ph[k] * p->pw[k];
    }
    if (p->n_maps == 0) return dc_fail(e, "%s: no convolution to take features from", D->prefix);
    return 0;
}

int features_extract(dcgan_model *m, const features_plan *p, const dataset *ds, float *out,
                     features_progress_fn progress, void *ctx, dc_err *e)
{
    net *D = &m->D;
    if (!ds->images) return dc_fail(e, "features: the data set is not held in memory");
    if (ds->C != D->in_C || ds->H != D->in_H || ds->W != D->in_W)
        return dc_fail(e, "images are %dx%dx%d (HxWxC), but the model takes %dx%dx%d", ds->H,
                       ds->W, ds->C, D->in_H, D->in_W, D->in_C);
    if (!(ds->hi > ds->lo)) return dc_fail(e, "features: the data's pixel range is empty");
    float lo, hi;
    dcgan_model_range(&m->cfg, &lo, &hi);
    const float scale = (hi - lo) / (ds->hi - ds->lo);
    const int B = D->batch;
    const size_t item = (size_t)ds->C * ds->H * ds->W;
    size_t map_max = 0;
    for (int k = 0; k < p->n_maps; k++) {
        size_t sz = (size_t)p->C[k] * p->H[k] * p->W[k];
        if (sz > map_max) map_max = sz;
    }
    float *input = malloc(sizeof(float) * item * (size_t)B);
    float *maps = malloc(sizeof(float) * map_max * (size_t)B);
    if (!input || !maps) {
        free(input);
        free(maps);
        return dc_fail(e, "features: out of memory for a batch of %d", B);
    }
    for (int start = 0; start < ds->count; start += B) {
        int n = ds->count - start < B ? ds->count - start : B;
        const float *src = ds->images + item * (size_t)start;
        for (size_t i = 0; i < item * (size_t)n; i++) input[i] = lo + (src[i] - ds->lo) * scale;
        /* a short last batch: the rest is padding whose features are not read */
        memset(input + item * (size_t)n, 0, sizeof(float) * item * (size_t)(B - n));
        net_set_input(D, input, 0, NULL);
        net_forward(D, 0);
        size_t off = 0;
        for (int k = 0; k < p->n_maps; k++) {
            const layer *l = &D->layers[p->layer[k]];
            size_t sz = (size_t)p->C[k] * p->H[k] * p->W[k];
            ops_to_host(m->be, maps, l->out, sz * (size_t)n);
            size_t fk = (size_t)p->C[k] * p->ph[k] * p->pw[k];
            for (int i = 0; i < n; i++)
                features_adaptive_max_pool(maps + sz * (size_t)i, p->C[k], p->H[k], p->W[k],
                                           p->ph[k], p->pw[k],
                                           out + p->dim * (size_t)(start + i) + off);
            off += fk;
        }
        if (progress) progress(ctx, start + n, ds->count);
    }
    free(input);
    free(maps);
    return 0;
}
