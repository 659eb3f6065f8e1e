#include "ops/conv_plan.h"

#include <string.h>

#include "util/error.h"

int conv_plan_init(conv_plan *p, const conv_geom *g, int transpose, conv_backend want)
{
    DC_ASSERT(p && g, "conv_plan_init: NULL argument");
    memset(p, 0, sizeof *p);
    p->geom = *g;
    p->transpose = transpose ? 1 : 0;
    p->backend = CONV_BACKEND_IM2COL;
    if (want == CONV_BACKEND_IM2COL) return 0;
    p->dnn = conv_onednn_create(g, p->transpose);
    if (p->dnn) p->backend = CONV_BACKEND_ONEDNN;
    return (want == CONV_BACKEND_ONEDNN && !p->dnn) ? -1 : 0;
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
                        const float *dout, const float *inp, const float *weight, float *work)
{
    if (p->dnn && p->transpose)
        conv_onednn_transpose_backward(p->dnn, dinp, dweight, dbias, dout, inp, weight, work);
    else if (p->dnn)
        conv_onednn_backward(p->dnn, dinp, dweight, dbias, dout, inp, weight, work);
    else if (p->transpose)
        conv2d_transpose_backward(dinp, dweight, dbias, dout, inp, weight, &p->geom, work);
    else
        conv2d_backward(dinp, dweight, dbias, dout, inp, weight, &p->geom, work);
}

static const char *const backend_names[] = {"auto", "im2col", "onednn"};

const char *conv_backend_name(conv_backend b)
{
    return (unsigned)b < sizeof backend_names / sizeof backend_names[0] ? backend_names[b] : "?";
}

int conv_backend_parse(const char *s, conv_backend *b)
{
    for (unsigned i = 0; i < sizeof backend_names / sizeof backend_names[0]; i++)
        if (s && strcmp(s, backend_names[i]) == 0) {
            *b = (conv_backend)i;
            return 0;
        }
    return -1;
}
