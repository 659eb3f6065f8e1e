#include "ops/cpu/conv_plan.h"

#include <string.h>

#include "core/error.h"

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
    p->c16_img = img ? 1 : 0;
    p->c16_map = map ? 1 : 0;
    return 0;
}

void conv_plan_forward(const conv_plan *p, float *out, const float *inp, const float *weight,
                       const float *bias, float *work)
{
    if (p->dnn && p->transpose)
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
