/* A net's eval-mode forward on its backend's inference plan (ops_infer_create in ops/ops.h):
 * batch norm folded into the layer before it, activations fused, the backend's layouts
 * throughout, primitives and prepared weights made once. Plans are made on first use, one for
 * the net's batch and one for the last smaller batch asked for, and their weights are prepared
 * again when n->ps.version says the parameters or buffers changed (a training step, a loaded
 * checkpoint, the weight average swapped in). */
#ifndef DCGAN_NN_NET_INFER_H
#define DCGAN_NN_NET_INFER_H

#include "nn/net.h"

/* What net_forward(n, 0) computes, for the first `items` (1..batch) items of n->input and n->y:
 * returns their output (items, C, H, W), NCHW in backend memory (valid until the next forward),
 * or NULL when the backend offers no plan for this net (run net_forward then). Outputs agree
 * with net_forward's to float rounding (docs/ops.md). */
const float *net_forward_infer(net *n, int items);
/* Frees the plans now (net_free does it too). */
void net_infer_free(net *n);

#endif
