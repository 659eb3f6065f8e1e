/* The plans of nn/net_infer.h: the net described layer by layer for ops_infer_create, kept per
 * batch size and reloaded when the parameter store's version moves. */
#include "nn/net_infer.h"

#include <stdlib.h>

#include "core/error.h"

#define NET_INFER_SLOTS 2

struct net_infer {
    ops_infer *plan[NET_INFER_SLOTS]; /* [0]: the net's batch; [1]: a smaller one */
    int batch[NET_INFER_SLOTS];
    unsigned long version[NET_INFER_SLOTS];
    int refused; /* the backend offers no plan for this net */
};

static ops_activation infer_activation(layer_kind k)
{
    switch (k) {
    case LAYER_LRELU: return OPS_LRELU;
    case LAYER_TANH: return OPS_TANH;
    case LAYER_SIGMOID: return OPS_SIGMOID;
    default: return OPS_RELU;
    }
}

/* The layers as the backend's plan sees them; -1 for one it cannot be given (a spectrally
 * normalised weight: it is made by the training forward). */
static int infer_describe(const net *n, ops_infer_layer *out)
{
    for (int i = 0; i < n->n_layers; i++) {
        const layer *l = &n->layers[i];
        ops_infer_layer *d = &out[i];
        *d = (ops_infer_layer){.in_C = l->in_C, .in_H = l->in_H, .in_W = l->in_W,
                               .C = l->C, .H = l->H, .W = l->W, .geom = l->geom,
                               .w = l->w, .b = l->b, .out = l->out};
        if (l->sn) return -1;
        switch (l->kind) {
        case LAYER_LINEAR: d->kind = OPS_INFER_LINEAR; break;
        case LAYER_CONV: d->kind = OPS_INFER_CONV; break;
        case LAYER_DECONV: d->kind = OPS_INFER_DECONV; break;
        case LAYER_BATCHNORM:
            d->kind = OPS_INFER_BATCHNORM;
            d->mean = l->run_mean;
            d->var = l->run_var;
            break;
        case LAYER_RELU:
        case LAYER_LRELU:
        case LAYER_TANH:
        case LAYER_SIGMOID:
            d->kind = OPS_INFER_ACTIVATION;
            d->act = infer_activation(l->kind);
            break;
        case LAYER_CONCAT_Y: d->kind = OPS_INFER_CONCAT_Y; break;
        case LAYER_RESHAPE: d->kind = OPS_INFER_RESHAPE; break;
        }
    }
    return 0;
}

static ops_infer *infer_plan(net *n, int batch)
{
    ops_infer_layer layers[NET_MAX_LAYERS];
    if (infer_describe(n, layers) != 0) return NULL;
    return ops_infer_create(n->be, layers, n->n_layers, batch, n->y_dim);
}

/* The plan for `items` items (0: the net's batch), made or refreshed as needed; NULL if none. */
static ops_infer *infer_slot(net *n, int items)
{
    struct net_infer *c = n->infer;
    int k = items <= n->batch / 2 ? 1 : 0, batch = k ? items : n->batch;
    if (c->plan[k] && c->batch[k] != batch) {
        ops_infer_free(c->plan[k]);
        c->plan[k] = NULL;
    }
    if (!c->plan[k]) {
        c->plan[k] = infer_plan(n, batch);
        if (!c->plan[k]) return NULL;
        c->batch[k] = batch;
        c->version[k] = n->ps.version;
    } else if (c->version[k] != n->ps.version) {
        ops_infer_load(c->plan[k]);
        c->version[k] = n->ps.version;
    }
    return c->plan[k];
}

static void infer_release(struct net_infer *c)
{
    for (int k = 0; k < NET_INFER_SLOTS; k++) ops_infer_free(c->plan[k]);
    free(c);
}

const float *net_forward_infer(net *n, int items)
{
    DC_ASSERT(items >= 1 && items <= n->batch, "net_forward_infer: %d items of %d", items,
              n->batch);
    if (!n->infer) {
        n->infer = dc_calloc(1, sizeof *n->infer);
        n->infer_release = infer_release;
    }
    if (n->infer->refused) return NULL;
    ops_infer *p = infer_slot(n, items);
    if (!p) {
        /* a backend without plans, or a net it cannot plan: the same answer for any batch */
        n->infer->refused = 1;
        return NULL;
    }
    float *out = net_output(n)->out;
    ops_infer_run(p, out, n->input, n->y_dim > 0 ? n->y : NULL);
    return out;
}

void net_infer_free(net *n)
{
    if (n->infer) infer_release(n->infer);
    n->infer = NULL;
}
