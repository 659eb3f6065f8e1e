#include "ops/cpu/conv_plan.h"

#include <string.h>

#include "core/error.h"
#include "ops/cpu/infer_kernels.h"

int conv_plan_init_precision(conv_plan *p, const conv_geom *g, int transpose, conv_backend want,
                             ops_precision precision)
{
    DC_ASSERT(p && g, "conv_plan_init: NULL argument");
    memset(p, 0, sizeof *p);
    p->geom = *g;
    p->transpose = transpose ? 1 : 0;
    p->bf16 = precision == OPS_PRECISION_BF16;
    p->backend = CONV_BACKEND_IM2COL;
    if (want == CONV_BACKEND_IM2COL) return p->bf16 ? -1 : 0;
    p->dnn = conv_onednn_create(g, p->transpose, 0, 0, p->bf16);
    if (p->dnn) p->backend = CONV_BACKEND_ONEDNN;
    return ((want == CONV_BACKEND_ONEDNN || p->bf16) && !p->dnn) ? -1 : 0;
}

int conv_plan_init(conv_plan *p, const conv_geom *g, int transpose, conv_backend want)
{
    return conv_plan_init_precision(p, g, transpose, want, OPS_PRECISION_FP32);
}

void conv_plan_free(conv_plan *p)
{
    if (!p) return;
    conv_onednn_free(p->dnn);
    p->dnn = NULL;
}

size_t conv_plan_workspace_floats(const conv_plan *p)
{
    return p->dnn ? conv_onednn_workspace_floats(p->dnn) : conv_geom_workspace_floats(&p->geom);
}

int conv_plan_c16_available(const conv_plan *p, int map_side)
{
    return p->dnn ? conv_onednn_native_c16(p->dnn, map_side) : 0;
}

int conv_plan_set_c16(conv_plan *p, int img, int map)
{
    if (img == p->c16_img && map == p->c16_map) return 0;
    if (!p->dnn || (img && !conv_plan_c16_available(p, 0)) || (map && !conv_plan_c16_available(p, 1)))
        return -1;
    conv_onednn *d = conv_onednn_create(&p->geom, p->transpose, img, map, p->bf16);
    if (!d) return -1;
    conv_onednn_free(p->dnn);
    p->dnn = d;
    conv_onednn_time_reorders(d, p->reorder_seconds);
    p->c16_img = img ? 1 : 0;
    p->c16_map = map ? 1 : 0;
    return 0;
}

void conv_plan_time_reorders(conv_plan *p, double *seconds)
{
    p->reorder_seconds = seconds;
    if (p->dnn) conv_onednn_time_reorders(p->dnn, seconds);
}

/* G's last layer and D's first have 3 or 1 image channels. In the direction that produces the
 * image side (the transposed convolution's forward, the convolution's backward-data) oneDNN's
 * blocked kernels compute 16 channels for each of them: 5-17% of the convolution peak in
 * `dcgan bench --layers`. The inference path's direct kernel computes just those channels, in
 * f32 (a bf16 plan keeps oneDNN: its products must be bf16's). */
static int plan_direct_fits(const conv_plan *p)
{
    return p->dnn && !p->bf16 && !p->c16_img && infer_deconv_direct_fits(&p->geom) &&
           (!p->c16_map || p->geom.C_map % 16 == 0);
}

/* img = conv2d_transpose(map) (+ bias) with the layer's weight (C_map, C_img, K_h, K_w). */
static void plan_direct_to_img(const conv_plan *p, float *img, const float *map,
                               const float *weight, const float *bias)
{
    const conv_geom *g = &p->geom;
    const int K = g->K_h * g->K_w;
    float *wt = dc_alloc_floats((size_t)K * g->C_map * g->C_img); /* (K_h, K_w, C_map, C_img) */
    for (int cm = 0; cm < g->C_map; cm++)
        for (int ci = 0; ci < g->C_img; ci++)
            for (int k = 0; k < K; k++)
                wt[((size_t)k * g->C_map + cm) * g->C_img + ci] =
                    weight[((size_t)cm * g->C_img + ci) * K + k];
    infer_deconv_direct(img, map, p->c16_map, NULL, INFER_ACT_NONE, wt, bias, INFER_ACT_NONE, g);
    free(wt);
}

/* dinp (+)= the convolution's input gradient, through the direct kernel. */
static void plan_direct_dinp(const conv_plan *p, float *dinp, const float *dout,
                             const float *weight, int dinp_overwrite)
{
    const conv_geom *g = &p->geom;
    if (dinp_overwrite) {
        plan_direct_to_img(p, dinp, dout, weight, NULL);
        return;
    }
    const size_t n = (size_t)g->N * g->C_img * g->H_img * g->W_img;
    float *t = dc_alloc_floats(n);
    plan_direct_to_img(p, t, dout, weight, NULL);
    for (size_t i = 0; i < n; i++) dinp[i] += t[i];
    free(t);
}

void conv_plan_forward(const conv_plan *p, float *out, const float *inp, const float *weight,
                       const float *bias, float *work)
{
    if (p->transpose && plan_direct_fits(p))
        plan_direct_to_img(p, out, inp, weight, bias);
    else if (p->dnn && p->transpose)
        conv_onednn_transpose_forward(p->dnn, out, inp, weight, bias, work);
    else if (p->dnn)
        conv_onednn_forward(p->dnn, out, inp, weight, bias, work);
    else if (p->transpose)
        conv2d_transpose_forward(out, inp, weight, bias, &p->geom, work);
    else
        conv2d_forward(out, inp, weight, bias, &p->geom, work);
}

void conv_plan_backward(const conv_plan *p, float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        int dinp_overwrite, float *work)
{
    if (p->dnn && p->transpose) {
        conv_onednn_transpose_backward(p->dnn, dinp, dweight, dbias, dout, inp, weight,
                                       dinp_overwrite, work);
        return;
    }
    if (p->dnn) {
        if (dinp && plan_direct_fits(p)) {
            plan_direct_dinp(p, dinp, dout, weight, dinp_overwrite);
            dinp = NULL;
        }
        conv_onednn_backward(p->dnn, dinp, dweight, dbias, dout, inp, weight, dinp_overwrite,
                             work);
        return;
    }
    if (dinp && dinp_overwrite) {
        const conv_geom *g = &p->geom;
        size_t n = p->transpose ? (size_t)g->N * g->C_map * g->H_map * g->W_map
                                : (size_t)g->N * g->C_img * g->H_img * g->W_img;
        memset(dinp, 0, n * sizeof *dinp);
    }
    if (p->transpose)
        conv2d_transpose_backward(dinp, dweight, dbias, dout, inp, weight, &p->geom, work);
    else
        conv2d_backward(dinp, dweight, dbias, dout, inp, weight, &p->geom, work);
}
