#include "nn/net.h"

#include <math.h>
#include <string.h>
#include "core/error.h"

#define NET_KERNEL 5
#define NET_STRIDE 2
#define NET_SN_EPS 1e-12f

void net_begin(net *n, ops_backend *be, const char *prefix, int batch, int C, int H, int W,
               int y_dim)
{
    memset(n, 0, sizeof *n);
    n->be = be;
    snprintf(n->prefix, sizeof n->prefix, "%s", prefix);
    n->batch = batch;
    n->in_C = C;
    n->in_H = H;
    n->in_W = W;
    n->y_dim = y_dim;
    param_store_init(&n->ps);
}

static void net_current_shape(const net *n, int *C, int *H, int *W)
{
    if (n->n_layers == 0) {
        *C = n->in_C;
        *H = n->in_H;
        *W = n->in_W;
    } else {
        const layer *l = &n->layers[n->n_layers - 1];
        *C = l->C;
        *H = l->H;
        *W = l->W;
    }
}

static layer *net_add(net *n, layer_kind kind, const char *name)
{
    DC_ASSERT(n->n_layers < NET_MAX_LAYERS, "too many layers");
    layer *l = &n->layers[n->n_layers];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    snprintf(l->name, sizeof l->name, "%s", name ? name : "");
    net_current_shape(n, &l->in_C, &l->in_H, &l->in_W);
    l->C = l->in_C;
    l->H = l->in_H;
    l->W = l->in_W;
    n->n_layers++;
    return l;
}

static void net_declare(net *n, const layer *l, const char *suffix, int ndim, const int64_t *shape,
                        int trainable, param_init init, float **value, float **grad)
{
    char name[PARAM_NAME_MAX];
    snprintf(name, sizeof name, "%s/%s/%s", n->prefix, l->name, suffix);
    param_store_declare(&n->ps, name, ndim, shape, trainable, init, value, grad);
}

void net_spectral_norm(net *n, int on) { n->spectral_norm = on; }

/* A weight (rows, cols) of a layer just declared: with spectral norm on, its u and v. */
static void net_declare_sn(net *n, layer *l, int64_t rows, int64_t cols)
{
    if (!n->spectral_norm) return;
    l->sn = 1;
    int64_t ushape[1] = {rows}, vshape[1] = {cols};
    net_declare(n, l, "sn_u", 1, ushape, 0, PARAM_INIT_UNIT_VECTOR, &l->sn_u, NULL);
    net_declare(n, l, "sn_v", 1, vshape, 0, PARAM_INIT_UNIT_VECTOR, &l->sn_v, NULL);
}

/* The weight a linear or conv layer computes with. */
static const float *layer_weight(const layer *l) { return l->sn ? l->w_sn : l->w; }

static size_t layer_weight_floats(const layer *l)
{
    if (l->kind == LAYER_LINEAR) return (size_t)l->C * l->in_C * l->in_H * l->in_W;
    return (size_t)l->geom.C_map * l->geom.C_img * l->geom.K_h * l->geom.K_w;
}

void net_linear(net *n, const char *name, int out_features)
{
    layer *l = net_add(n, LAYER_LINEAR, name);
    int64_t in = (int64_t)l->in_C * l->in_H * l->in_W;
    l->C = out_features;
    l->H = l->W = 1;
    int64_t wshape[2] = {out_features, in}, bshape[1] = {out_features};
    net_declare(n, l, "Matrix", 2, wshape, 1, PARAM_INIT_NORMAL, &l->w, &l->dw);
    net_declare(n, l, "bias", 1, bshape, 1, PARAM_INIT_ZERO, &l->b, &l->db);
    net_declare_sn(n, l, out_features, in);
}

void net_conv(net *n, const char *name, int C_out)
{
    layer *l = net_add(n, LAYER_CONV, name);
    int rc = conv_geom_init(&l->geom, n->batch, l->in_C, l->in_H, l->in_W, C_out, NET_KERNEL,
                            NET_KERNEL, NET_STRIDE, NET_STRIDE, CONV_PAD_SAME);
    DC_ASSERT(rc == 0, "conv %s: bad geometry", name);
    l->C = C_out;
    l->H = l->geom.H_map;
    l->W = l->geom.W_map;
    int64_t wshape[4] = {C_out, l->in_C, NET_KERNEL, NET_KERNEL}, bshape[1] = {C_out};
    net_declare(n, l, "w", 4, wshape, 1, PARAM_INIT_TRUNCATED_NORMAL, &l->w, &l->dw);
    net_declare(n, l, "biases", 1, bshape, 1, PARAM_INIT_ZERO, &l->b, &l->db);
    net_declare_sn(n, l, C_out, (int64_t)l->in_C * NET_KERNEL * NET_KERNEL);
}

int net_deconv(net *n, const char *name, int C_out, int H_out, int W_out)
{
    /* its weight is (C_in, C_out, ...): rows are not its outputs; G takes no spectral norm */
    DC_ASSERT(!n->spectral_norm, "deconv %s: spectral norm is for D's layers", name);
    layer *l = net_add(n, LAYER_DECONV, name);
    int rc = conv_geom_init(&l->geom, n->batch, C_out, H_out, W_out, l->in_C, NET_KERNEL,
                            NET_KERNEL, NET_STRIDE, NET_STRIDE, CONV_PAD_SAME);
    if (rc != 0 || l->geom.H_map != l->in_H || l->geom.W_map != l->in_W) {
        n->n_layers--;
        return -1;
    }
    l->C = C_out;
    l->H = H_out;
    l->W = W_out;
    int64_t wshape[4] = {l->in_C, C_out, NET_KERNEL, NET_KERNEL}, bshape[1] = {C_out};
    net_declare(n, l, "w", 4, wshape, 1, PARAM_INIT_NORMAL, &l->w, &l->dw);
    net_declare(n, l, "biases", 1, bshape, 1, PARAM_INIT_ZERO, &l->b, &l->db);
    return 0;
}

void net_batchnorm(net *n, const char *name)
{
    layer *l = net_add(n, LAYER_BATCHNORM, name);
    int64_t shape[1] = {l->C};
    net_declare(n, l, "beta", 1, shape, 1, PARAM_INIT_ZERO, &l->b, &l->db);
    net_declare(n, l, "gamma", 1, shape, 1, PARAM_INIT_ONE, &l->w, &l->dw);
    net_declare(n, l, "moving_mean", 1, shape, 0, PARAM_INIT_ZERO, &l->run_mean, NULL);
    net_declare(n, l, "moving_variance", 1, shape, 0, PARAM_INIT_ONE, &l->run_var, NULL);
}

void net_activation(net *n, layer_kind kind)
{
    DC_ASSERT(kind == LAYER_RELU || kind == LAYER_LRELU || kind == LAYER_TANH ||
                  kind == LAYER_SIGMOID,
              "not an activation: %d", (int)kind);
    net_add(n, kind, NULL);
}

void net_concat_y(net *n)
{
    DC_ASSERT(n->y_dim > 0, "concat_y in a network without a condition");
    layer *l = net_add(n, LAYER_CONCAT_Y, NULL);
    l->C = l->in_C + n->y_dim;
}

void net_reshape(net *n, int C, int H, int W)
{
    layer *l = net_add(n, LAYER_RESHAPE, NULL);
    DC_ASSERT((int64_t)C * H * W == (int64_t)l->in_C * l->in_H * l->in_W, "reshape size");
    l->C = C;
    l->H = H;
    l->W = W;
}

/* After the first layer they also share their input's gradient buffer: an activation's
 * backward scales it in place, a reshape's is nothing. */
static int layer_shares_grad(const net *n, int i)
{
    return i > 0 && layer_aliases_input(&n->layers[i]);
}

/* The layer whose output is layer i's input, past a folded concat_y; -1: the net's input. */
static int layer_source(const net *n, int i)
{
    int j = i - 1;
    if (j >= 0 && n->layers[j].folded) j--;
    return j;
}

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

/* net_finish's first part: each conv and deconv layer's convolution, then the layouts between
 * them. Returns -1, with no convolution left, if the backend refuses a layer. */
static int net_plan_convs(net *n)
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

int net_finish(net *n)
{
    n->y = ops_alloc(n->be, (size_t)n->batch * (size_t)(n->y_dim > 0 ? n->y_dim : 1));
    if (net_plan_convs(n) != 0) {
        ops_free(n->be, n->y);
        n->y = NULL;
        return -1;
    }
    param_store_alloc(&n->ps, n->be);
    size_t B = (size_t)n->batch;
    size_t in_size = (size_t)n->in_C * n->in_H * n->in_W;
    size_t total = 2 * B * in_size;
    size_t sn_grad_floats = 0;
    for (int i = 0; i < n->n_layers; i++) {
        const layer *l = &n->layers[i];
        /* a folded concat_y writes nothing: its out and dout stay NULL */
        size_t sz = l->folded ? 0 : (layer_size(l) + 15) / 16 * 16;
        if (!layer_shares_grad(n, i)) total += B * sz; /* dout */
        if (!layer_aliases_input(l)) total += B * sz;
        if (l->kind == LAYER_BATCHNORM) total += 2 * ((size_t)l->C + 16);
        if (l->sn) {
            size_t wf = layer_weight_floats(l);
            total += wf + 16;
            if (wf > sn_grad_floats) sn_grad_floats = wf;
        }
        if (layer_is_conv(l)) {
            size_t w = ops_conv_workspace_floats(l->conv);
            if (w > n->work_floats) n->work_floats = w;
        }
    }
    total += sn_grad_floats + 16;
    n->arena_floats = total + 64;
    n->arena = ops_alloc(n->be, n->arena_floats);
    n->work = ops_alloc(n->be, n->work_floats);
    float *p = n->arena;
#define TAKE(count) (p += ((count) + 15) / 16 * 16, p - ((count) + 15) / 16 * 16)
    n->input = TAKE(B * in_size);
    n->dinput = TAKE(B * in_size);
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (l->folded) {
            l->out = l->dout = NULL;
            continue;
        }
        size_t sz = (layer_size(l) + 15) / 16 * 16;
        float *prev_out = i ? n->layers[i - 1].out : n->input;
        l->out = layer_aliases_input(l) ? prev_out : TAKE(B * sz);
        l->dout = layer_shares_grad(n, i) ? n->layers[i - 1].dout : TAKE(B * sz);
        if (l->kind == LAYER_BATCHNORM) {
            l->save_mean = TAKE((size_t)l->C);
            l->save_rstd = TAKE((size_t)l->C);
        }
        if (l->sn) l->w_sn = TAKE(layer_weight_floats(l));
    }
    n->sn_grad = sn_grad_floats ? TAKE(sn_grad_floats) : NULL;
#undef TAKE
    DC_ASSERT((size_t)(p - n->arena) <= n->arena_floats, "arena overflow");
    return 0;
}

void net_free(net *n)
{
    if (n->infer) n->infer_release(n->infer);
    n->infer = NULL;
    for (int i = 0; i < n->n_layers; i++) {
        ops_conv_free(n->layers[i].conv);
        n->layers[i].conv = NULL;
    }
    param_store_free(&n->ps);
    if (n->be) {
        ops_free(n->be, n->y);
        ops_free(n->be, n->arena);
        if (!n->work_borrowed) ops_free(n->be, n->work);
    }
    n->arena = n->work = n->y = NULL;
}

void net_share_work(net *a, net *b)
{
    net *owner = a->work_floats >= b->work_floats ? a : b;
    net *other = owner == a ? b : a;
    if (!other->work_borrowed) ops_free(other->be, other->work);
    other->work = owner->work;
    other->work_floats = owner->work_floats;
    other->work_borrowed = 1;
}

const layer *net_output(const net *n) { return &n->layers[n->n_layers - 1]; }
size_t net_output_size(const net *n) { return layer_size(net_output(n)); }

void net_set_input(net *n, const float *x, int x_on_backend, const float *y)
{
    double t0 = net_profile_start(n);
    size_t count = (size_t)n->batch * n->in_C * n->in_H * n->in_W;
    if (x_on_backend) ops_copy(n->be, n->input, x, count);
    else ops_from_host(n->be, n->input, x, count);
    if (n->y_dim > 0) ops_from_host(n->be, n->y, y, (size_t)n->batch * n->y_dim);
    net_profile_stop(n, -1, NET_PHASE_FORWARD, t0);
}

void net_read_output(const net *n, float *host, int items)
{
    ops_to_host(n->be, host, net_output(n)->out, (size_t)items * net_output_size(n));
}

/* The activations a batch norm can apply in its own pass. */
static int layer_fusable_act(const layer *l)
{
    return l->kind == LAYER_RELU || l->kind == LAYER_LRELU;
}

static ops_activation activation_of(layer_kind k)
{
    switch (k) {
    case LAYER_LRELU: return OPS_LRELU;
    case LAYER_TANH: return OPS_TANH;
    case LAYER_SIGMOID: return OPS_SIGMOID;
    default: return OPS_RELU;
    }
}

void net_forward(net *n, int train)
{
    int B = n->batch;
    if (train) param_store_touch(&n->ps); /* moving statistics, spectral norm's vectors */
    const float *in = n->input;
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        size_t count = (size_t)B * layer_size(l);
        double t0 = net_profile_start(n);
        switch (l->kind) {
        case LAYER_LINEAR:
        case LAYER_CONV:
        case LAYER_DECONV:
            if (l->sn)
                l->sigma = ops_spectral_norm_forward(n->be, l->w_sn, l->sn_u, l->sn_v, l->w,
                                                     (size_t)l->C, layer_weight_floats(l) / l->C,
                                                     train, NET_SN_EPS);
            if (l->kind == LAYER_LINEAR)
                ops_linear_forward(n->be, l->out, in, layer_weight(l), l->b, B,
                                   l->in_C * l->in_H * l->in_W, l->C);
            else
                ops_conv_forward(l->conv, l->out, in, layer_weight(l), l->b, n->work);
            break;
        case LAYER_BATCHNORM:
            /* a relu or lrelu right after goes in the same pass where the backend can */
            l->act_fused = train && i + 1 < n->n_layers && layer_fusable_act(&n->layers[i + 1]) &&
                           ops_batchnorm_act_forward_train(
                               n->be, l->layout, activation_of(n->layers[i + 1].kind), l->out,
                               l->save_mean, l->save_rstd, l->run_mean, l->run_var, in, l->w,
                               l->b, B, l->C, l->H * l->W, BATCHNORM_DECAY, BATCHNORM_EPS) == 0;
            if (l->act_fused) break;
            if (train)
                ops_batchnorm_forward_train(n->be, l->layout, l->out, l->save_mean, l->save_rstd,
                                            l->run_mean, l->run_var, in, l->w, l->b, B, l->C,
                                            l->H * l->W, BATCHNORM_DECAY, BATCHNORM_EPS);
            else
                ops_batchnorm_forward_eval(n->be, l->layout, l->out, in, l->run_mean,
                                           l->run_var, l->w, l->b, B, l->C, l->H * l->W,
                                           BATCHNORM_EPS);
            break;
        case LAYER_RELU:
        case LAYER_LRELU:
        case LAYER_TANH:
        case LAYER_SIGMOID:
            if (!(i > 0 && n->layers[i - 1].act_fused)) /* else the batch norm applied it */
                ops_activation_forward(n->be, activation_of(l->kind), l->out, in, count);
            break;
        case LAYER_CONCAT_Y:
            if (!l->folded)
                ops_cond_concat_forward(n->be, l->out, in, n->y, B, l->in_C, l->H, l->W,
                                        n->y_dim);
            break;
        case LAYER_RESHAPE: break;
        }
        net_profile_stop(n, i, NET_PHASE_FORWARD, t0);
        if (!l->folded) in = l->out;
    }
}

void net_repeat_moving_update(net *n)
{
    double t0 = net_profile_start(n);
    param_store_touch(&n->ps);
    for (int i = 0; i < n->n_layers; i++) {
        layer *l = &n->layers[i];
        if (l->kind != LAYER_BATCHNORM) continue;
        ops_batchnorm_update_moving(n->be, l->run_mean, l->run_var, l->save_mean, l->save_rstd,
                                    l->C, (double)n->batch * l->H * l->W, BATCHNORM_DECAY,
                                    BATCHNORM_EPS);
    }
    net_profile_stop(n, -1, NET_PHASE_FORWARD, t0);
}

static void layer_backward_call(net *n, int i, float *din, float *dw, float *db, const float *in)
{
    layer *l = &n->layers[i];
    if (l->kind == LAYER_LINEAR)
        ops_linear_backward(n->be, din, dw, db, l->dout, in, layer_weight(l), n->batch,
                            l->in_C * l->in_H * l->in_W, l->C);
    else /* nothing else writes din: overwrite it (net_backward skipped zeroing it) */
        ops_conv_backward(l->conv, din, dw, db, l->dout, in, layer_weight(l), 1, n->work);
}

/* A linear or conv layer's gradients: one call of the op, or with a profile two (parameter
 * gradients, then the input gradient), each timed. */
static void layer_backward_params(net *n, int i, float *din, float *dw, float *db,
                                  const float *in)
{
    if (!n->profile) {
        layer_backward_call(n, i, din, dw, db, in);
        return;
    }
    if (dw || db) {
        double t0 = net_profile_start(n);
        layer_backward_call(n, i, NULL, dw, db, in);
        net_profile_stop(n, i, NET_PHASE_BACKWARD_WEIGHTS, t0);
    }
    if (din) {
        double t0 = net_profile_start(n);
        layer_backward_call(n, i, din, NULL, NULL, in);
        net_profile_stop(n, i, NET_PHASE_BACKWARD_DATA, t0);
    }
}

void net_backward(net *n, const float *dout, int want_param_grads, int want_input_grad)
{
    int B = n->batch;
    double t0 = net_profile_start(n);
    /* Gradients accumulate into zeroed buffers, except where a convolution writes the buffer
     * (it overwrites). A buffer belongs to a layer that does not share its input's; the layer
     * that writes it is the next one that does not share either. */
    for (int i = 0; i < n->n_layers; i++) {
        if (layer_shares_grad(n, i)) continue;
        int w = i + 1;
        while (w < n->n_layers && (layer_shares_grad(n, w) || n->layers[w].folded)) w++;
        if (w < n->n_layers && !layer_is_conv(&n->layers[w]))
            ops_zero(n->be, n->layers[i].dout, (size_t)B * layer_size(&n->layers[i]));
    }
    const layer *last = net_output(n);
    ops_copy(n->be, last->dout, dout, (size_t)B * layer_size(last));
    if (want_input_grad && !layer_is_conv(&n->layers[n->layers[0].folded ? 1 : 0]))
        ops_zero(n->be, n->dinput, (size_t)B * n->in_C * n->in_H * n->in_W);
    net_profile_stop(n, -1, NET_PHASE_FORWARD, t0);

    /* up to the first layer with parameters, input gradients serve only a caller who wants
     * them (the conditional nets start with concat_y: D's first conv would else compute one) */
    int first_param = 0;
    while (first_param < n->n_layers && !n->layers[first_param].dw) first_param++;
    for (int i = n->n_layers - 1; i >= 0; i--) {
        layer *l = &n->layers[i];
        if (l->folded) continue;
        int src = layer_source(n, i);
        const float *in = src >= 0 ? n->layers[src].out : n->input;
        float *din = src >= 0 ? n->layers[src].dout : (want_input_grad ? n->dinput : NULL);
        if (i <= first_param && !want_input_grad) din = NULL;
        size_t count = (size_t)B * layer_size(l);
        float *dw = want_param_grads ? l->dw : NULL;
        float *db = want_param_grads ? l->db : NULL;
        /* a normalised weight's gradient goes to sn_grad first, then through the norm */
        float *dw_direct = dw && l->sn ? n->sn_grad : dw;
        if (dw && l->sn) ops_zero(n->be, n->sn_grad, layer_weight_floats(l));
        t0 = net_profile_start(n);
        switch (l->kind) {
        case LAYER_LINEAR:
        case LAYER_CONV:
        case LAYER_DECONV:
            /* timed inside: the input and parameter gradients apart */
            layer_backward_params(n, i, din, dw_direct, db, in);
            break;
        case LAYER_BATCHNORM:
            ops_batchnorm_backward(n->be, l->layout, din, dw, db, l->dout, in, l->save_mean,
                                   l->save_rstd, l->w, B, l->C, l->H * l->W);
            break;
        /* in-place activations: their output is what the next layer saw, and the derivative
         * is recoverable from it (relu/lrelu: out > 0 exactly when in > 0); with a shared
         * gradient buffer, din == l->dout: scaled in place */
        case LAYER_RELU:
        case LAYER_LRELU:
        case LAYER_TANH:
        case LAYER_SIGMOID:
            if (din)
                ops_activation_backward(n->be, activation_of(l->kind), din, l->dout, l->out,
                                        count);
            break;
        case LAYER_CONCAT_Y:
            if (din)
                ops_cond_concat_backward(n->be, din, NULL, l->dout, B, l->in_C, l->H, l->W,
                                         n->y_dim);
            break;
        case LAYER_RESHAPE:
            if (din && din != l->dout) ops_accumulate(n->be, din, l->dout, count);
            break;
        }
        if (l->kind != LAYER_LINEAR && !layer_is_conv(l)) net_profile_stop(n, i, NET_PHASE_BACKWARD_DATA, t0);
        t0 = net_profile_start(n);
        if (dw && l->sn)
            ops_spectral_norm_backward(n->be, dw, n->sn_grad, l->w_sn, l->sn_u, l->sn_v, l->sigma,
                                       (size_t)l->C, layer_weight_floats(l) / l->C);
        if (dw && l->sn) net_profile_stop(n, i, NET_PHASE_BACKWARD_WEIGHTS, t0);
        if (n->grads_ready && (dw || db)) {
            const float *first = dw && (!db || dw < db) ? dw : db;
            n->grads_ready(n->grads_ready_ctx, (size_t)(first - n->ps.grads));
        }
    }
}
