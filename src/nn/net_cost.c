/* What a net's layers cost: their FLOP counts, and the per-layer profile's timers (nn/net.h:
 * net_profile) that net.c puts around them. */
#include "nn/net.h"

#include "core/clock.h"

double net_profile_start(const net *n)
{
    if (!n->profile) return 0;
    ops_synchronize(n->be);
    return clock_seconds();
}

void net_profile_stop(net *n, int layer_index, net_phase ph, double t0)
{
    if (!n->profile) return;
    ops_synchronize(n->be);
    double dt = clock_seconds() - t0;
    if (layer_index < 0) {
        n->profile->other_seconds += dt;
        return;
    }
    net_profile *p = n->profile;
    p->seconds[layer_index][ph] += dt;
    p->calls[layer_index][ph]++;
    /* the reorders the convolution timed since the last phase belong to this one */
    p->reorder_seconds[layer_index][ph] += p->reorder_total[layer_index] -
                                           p->reorder_seen[layer_index];
    p->reorder_seen[layer_index] = p->reorder_total[layer_index];
}

void net_set_profile(net *n, net_profile *p)
{
    n->profile = p;
    if (p) p->reorders_timed = 1;
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (l->kind != LAYER_CONV && l->kind != LAYER_DECONV) continue;
        int rc = ops_conv_time_reorders(l->conv, p ? &p->reorder_total[i] : NULL);
        if (rc != 0 && p) p->reorders_timed = 0;
    }
}

double net_layer_macs(const net *n, int i, int executed)
{
    const layer *l = &n->layers[i];
    if (l->kind == LAYER_LINEAR) return (double)n->batch * l->in_C * l->in_H * l->in_W * l->C;
    if (l->kind != LAYER_CONV && l->kind != LAYER_DECONV) return 0;
    const conv_geom *g = &l->geom;
    double in_C = l->kind == LAYER_CONV ? g->C_img : g->C_map;
    double macs = (double)n->batch * g->H_map * g->W_map * g->C_map * g->C_img * g->K_h * g->K_w;
    /* a folded concat_y's label planes are not convolved (ops_conv_create_cond) */
    if (executed && i > 0 && n->layers[i - 1].folded) macs *= (in_C - n->y_dim) / in_C;
    return macs;
}

double net_forward_macs(const net *n, double *first_layer_macs, int executed)
{
    double total = 0, first = -1;
    for (int i = 0; i < n->n_layers; i++) {
        double macs = net_layer_macs(n, i, executed);
        if (macs > 0 && first < 0) first = macs;
        total += macs;
    }
    if (first_layer_macs) *first_layer_macs = first > 0 ? first : 0;
    return total;
}
