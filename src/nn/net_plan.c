/* net_finish's planning of the convolutions (nn/net.h: net_plan_convs): which object runs each
 * conv and deconv layer, and in which layout the maps between two of them stay. */
#include <string.h>

#include "nn/net.h"

/* A convolution right after a concat_y takes the labels itself where the backend can
 * (ops_conv_create_cond): the concat is then skipped. */
static ops_conv *layer_conv_create(net *n, int i)
{
    layer *l = &n->layers[i];
    int transpose = l->kind == LAYER_DECONV;
    if (i > 0 && n->layers[i - 1].kind == LAYER_CONCAT_Y) {
        ops_conv *c = ops_conv_create_cond(n->be, &l->geom, transpose, n->y_dim, n->y);
        if (c) {
            n->layers[i - 1].folded = 1;
            return c;
        }
    }
    return ops_conv_create(n->be, &l->geom, transpose);
}

/* Layers that pass a backend's own layout through between two convolutions: batch norm, the
 * activations, and a concat_y that the next convolution took over. */
static int is_layout_passthrough(const layer *l)
{
    return l->kind == LAYER_BATCHNORM || layer_is_activation(l) || l->folded;
}

/* Where a convolution's output flows through batch norm and activations only into the next
 * convolution, and both convolutions offer the same layout of their own for that side, the
 * maps between them stay in it: the reorders to and from NCHW between the two disappear
 * (oneDNN's nChw16c on the CPU backend). */
static void net_plan_layouts(net *n)
{
    int want_img[NET_MAX_LAYERS] = {0}, want_map[NET_MAX_LAYERS] = {0};
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (!layer_is_conv(l)) continue;
        int j = i + 1;
        while (j < n->n_layers && is_layout_passthrough(&n->layers[j])) j++;
        if (j >= n->n_layers || !layer_is_conv(&n->layers[j])) continue;
        layer *next = &n->layers[j];
        int out_map = l->kind == LAYER_CONV, in_map = next->kind == LAYER_DECONV;
        int layout = ops_conv_native_layout(l->conv, out_map);
        if (layout == OPS_LAYOUT_PLAIN || ops_conv_native_layout(next->conv, in_map) != layout)
            continue;
        for (int k = i; k < j; k++) n->layers[k].layout = layout;
        if (out_map) want_map[i] = layout;
        else want_img[i] = layout;
        if (in_map) want_map[j] = layout;
        else want_img[j] = layout;
    }
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (!layer_is_conv(l) || (!want_img[i] && !want_map[i])) continue;
        int rc = ops_conv_set_layout(l->conv, want_img[i], want_map[i]);
        DC_ASSERT(rc == 0, "layer %s: the layout the backend offered was refused", l->name);
    }
}

int net_plan_convs(net *n)
{
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (!layer_is_conv(l)) continue;
        l->conv = layer_conv_create(n, i);
        if (!l->conv) {
            for (int j = 0; j < i; j++) {
                ops_conv_free(n->layers[j].conv);
                n->layers[j].conv = NULL;
                n->layers[j].folded = 0;
            }
            return -1;
        }
    }
    net_plan_layouts(n);
    return 0;
}

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
