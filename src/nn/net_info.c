/* What a net tells about itself (nn/net.h): the engine of its convolutions, the first
 * non-finite parameter or output, and its layers' names. */
#include <stdio.h>
#include <string.h>

#include "nn/net.h"

const char *net_conv_engine(const net *n)
{
    const char *engine = NULL;
    for (int i = 0; i < n->n_layers; i++) {
        const layer *l = &n->layers[i];
        if (!layer_is_conv(l)) continue;
        const char *e = ops_conv_engine(l->conv);
        if (engine && strcmp(engine, e) != 0) return "mixed";
        engine = e;
    }
    return engine ? engine : "none";
}

int net_first_nonfinite_param(const net *n)
{
    const param_store *ps = &n->ps;
    if (ops_all_finite(n->be, ps->params, ps->n_params) &&
        ops_all_finite(n->be, ps->buffers, ps->n_buffers))
        return -1;
    for (int i = 0; i < ps->count; i++)
        if (!ops_all_finite(n->be, param_store_values(ps, &ps->specs[i]), ps->specs[i].numel))
            return i;
    return -1;
}

int net_first_nonfinite_output(const net *n)
{
    for (int i = 0; i < n->n_layers; i++) {
        const layer *l = &n->layers[i];
        /* in-place layers share the buffer of the layer that owns it: checked there, and that
         * buffer holds what the last of them wrote */
        if (layer_aliases_input(l) || l->folded) continue;
        if (!ops_all_finite(n->be, l->out, (size_t)n->batch * layer_size(l))) return i;
    }
    return -1;
}

const char *layer_kind_name(layer_kind k)
{
    switch (k) {
    case LAYER_LINEAR: return "linear";
    case LAYER_CONV: return "conv";
    case LAYER_DECONV: return "deconv";
    case LAYER_BATCHNORM: return "batchnorm";
    case LAYER_RELU: return "relu";
    case LAYER_LRELU: return "lrelu";
    case LAYER_TANH: return "tanh";
    case LAYER_SIGMOID: return "sigmoid";
    case LAYER_CONCAT_Y: return "concat_y";
    case LAYER_RESHAPE: return "reshape";
    }
    return "?";
}

void net_layer_label(const net *n, int i, char *buf, size_t len)
{
    const layer *l = &n->layers[i];
    if (l->name[0]) {
        snprintf(buf, len, "%s/%s", n->prefix, l->name);
        return;
    }
    int j = i - 1;
    while (j >= 0 && !n->layers[j].name[0]) j--;
    if (j >= 0)
        snprintf(buf, len, "%s/%s after %s", n->prefix, layer_kind_name(l->kind), n->layers[j].name);
    else
        snprintf(buf, len, "%s/%s at the input", n->prefix, layer_kind_name(l->kind));
}
