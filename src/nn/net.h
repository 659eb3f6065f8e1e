/* A network as the reference builds its G and D: a sequence of layers over NCHW activations
 * for a fixed batch size, with the one-hot condition y available to CONCAT_Y layers.
 *
 * Every op runs on the net's backend (ops/ops.h); activations, gradients and parameters are
 * backend memory. Every layer keeps its output (and a gradient buffer of the same size) for
 * the backward pass.
 * Activation layers run in place on their input, and RESHAPE only relabels the shape, so the
 * reshape the reference does between a linear layer and a feature map (channel-major, like
 * PyTorch's view) and D's flatten cost nothing.
 *
 * Parameter names are the reference's TensorFlow variable names: "<prefix>/<layer>/Matrix" and
 * "/bias" (linear), "/w" and "/biases" (conv, deconv), "/gamma", "/beta", "/moving_mean",
 * "/moving_variance" (batch norm). */
#ifndef DCGAN_NN_NET_H
#define DCGAN_NN_NET_H

#include "nn/param_store.h"
#include "ops/ops.h"

#define NET_MAX_LAYERS 32
#define NET_LAYER_NAME_MAX 32

typedef enum {
    LAYER_LINEAR,
    LAYER_CONV,      /* 5x5 stride 2 SAME conv2d */
    LAYER_DECONV,    /* its transpose, to a given output size */
    LAYER_BATCHNORM, /* per channel on maps, per feature on (C,1,1) */
    LAYER_RELU,
    LAYER_LRELU,
    LAYER_TANH,
    LAYER_SIGMOID,
    LAYER_CONCAT_Y, /* append y as constant planes (as features when H = W = 1) */
    LAYER_RESHAPE,
} layer_kind;
/* "linear", "conv", "deconv", "batchnorm", ...: a layer kind for messages and summaries. */
const char *layer_kind_name(layer_kind k);

typedef struct {
    layer_kind kind;
    char name[NET_LAYER_NAME_MAX];
    int in_C, in_H, in_W;
    int C, H, W;
    conv_geom geom;
    ops_conv *conv;               /* conv/deconv: planned by net_finish */
    float *w, *b, *dw, *db;       /* linear/conv/deconv weight and bias; batch norm gamma, beta */
    float *run_mean, *run_var;    /* batch norm moving statistics */
    float *save_mean, *save_rstd; /* batch norm batch statistics of the last training pass */
    float *out, *dout;            /* (batch, C, H, W) */
    int sn;                       /* linear/conv: the weight is spectrally normalised */
    float *sn_u, *sn_v;           /* ... its power iteration's vectors (buffers) */
    float *w_sn;                  /* ... the weight it uses, w / sigma, from the last forward */
    float sigma;                  /* ... and that forward's sigma */
    int layout;                   /* of out/dout: OPS_LAYOUT_PLAIN, or one the convolutions on
                                   * both sides offered (net_finish) */
    int folded;                   /* concat_y: the next convolution takes the labels itself
                                   * (ops_conv_create_cond); out and dout are NULL */
    int act_fused;                /* batch norm: its last forward also applied the activation
                                   * layer after it (ops_batchnorm_act_forward_train) */
} layer;

static inline int layer_is_conv(const layer *l)
{
    return l->kind == LAYER_CONV || l->kind == LAYER_DECONV;
}
static inline int layer_is_activation(const layer *l)
{
    return l->kind == LAYER_RELU || l->kind == LAYER_LRELU || l->kind == LAYER_TANH ||
           l->kind == LAYER_SIGMOID;
}
/* Activations overwrite their input; reshape shares it. Neither needs buffers of its own. */
static inline int layer_aliases_input(const layer *l)
{
    return layer_is_activation(l) || l->kind == LAYER_RESHAPE;
}
/* Floats per item of the layer's output. */
static inline size_t layer_size(const layer *l) { return (size_t)l->C * l->H * l->W; }

/* Per-layer timing (dcgan bench --layers). A net with a profile synchronizes the backend and
 * reads the clock around every layer's forward and backward and adds the seconds here; without
 * one (the default) nothing is timed. Within a backward the input and the parameter gradients
 * are timed apart: linear and conv layers then make two calls of the op instead of one (the
 * same results); batch norm computes both in one pass, counted as backward-data. */
typedef enum {
    NET_PHASE_FORWARD,
    NET_PHASE_BACKWARD_DATA,    /* the input gradient */
    NET_PHASE_BACKWARD_WEIGHTS, /* the parameter gradients (and a spectral norm's backward) */
    NET_PHASES
} net_phase;

typedef struct {
    double seconds[NET_MAX_LAYERS][NET_PHASES];
    int calls[NET_MAX_LAYERS][NET_PHASES];
    /* conv layers: the layout copies within each phase's seconds (ops_conv_time_reorders) */
    double reorder_seconds[NET_MAX_LAYERS][NET_PHASES];
    int reorders_timed; /* 1 if every conv layer's backend reports its reorders */
    double reorder_total[NET_MAX_LAYERS], reorder_seen[NET_MAX_LAYERS]; /* bookkeeping */
    double other_seconds; /* input copies, gradient zeroing, repeated moving-average updates */
} net_profile;

typedef struct {
    char prefix[32];
    ops_backend *be; /* borrowed */
    int batch;
    int in_C, in_H, in_W;
    int y_dim;
    int n_layers;
    layer layers[NET_MAX_LAYERS];
    param_store ps;
    float *input;      /* (batch, in_C, in_H, in_W): net_set_input fills it */
    float *dinput;     /* gradient w.r.t. input after net_backward(want_input_grad) */
    float *y;          /* (batch, y_dim): the condition, also set by net_set_input */
    float *arena;      /* outputs and gradients of all layers, and the batch-norm statistics */
    size_t arena_floats;
    float *work;       /* convolution scratch, shared by all layers */
    size_t work_floats;
    int work_borrowed; /* work belongs to another net (net_share_work) */
    int spectral_norm; /* net_spectral_norm: linear and conv layers declared from now on */
    float *sn_grad;    /* gradient w.r.t. a normalised weight, scratch for every such layer */
    /* If set, net_backward (with want_param_grads) calls it after each layer with parameters:
     * ps.grads[offset, n_params) will not change again in this pass (the layers run last to
     * first, and declare their parameters first to last), so it can be sent on meanwhile. */
    void (*grads_ready)(void *ctx, size_t offset);
    void *grads_ready_ctx;
    net_profile *profile; /* NULL (the default): untimed; set with net_set_profile */
    /* eval-mode plans (nn/net_infer.h), made on first use, and what frees them (net_free) */
    struct net_infer *infer;
    void (*infer_release)(struct net_infer *infer);
} net;

void net_begin(net *n, ops_backend *be, const char *prefix, int batch, int C, int H, int W,
               int y_dim);
/* Layer builders; each takes the current output shape as its input. */
void net_linear(net *n, const char *name, int out_features);
void net_conv(net *n, const char *name, int C_out);
/* Returns -1 if (H_out, W_out) does not halve to the current size. */
int net_deconv(net *n, const char *name, int C_out, int H_out, int W_out);
void net_batchnorm(net *n, const char *name);
/* The linear and conv layers declared after this call normalise their weight by its largest
 * singular value (ops_spectral_norm_forward: one power iteration per training forward, none
 * otherwise), keeping the iteration's vectors as buffers "<layer>/sn_u" (output features) and
 * "<layer>/sn_v" (the rest), as torch.nn.utils.spectral_norm does. */
void net_spectral_norm(net *n, int on);
void net_activation(net *n, layer_kind kind);
void net_concat_y(net *n);
void net_reshape(net *n, int C, int H, int W);
/* What runs the convolutions after net_finish (ops_conv_engine): the engine's name when all
 * layers agree, "mixed" when they differ (e.g. oneDNN refused some geometry), "none". */
const char *net_conv_engine(const net *n);
/* Allocates parameters and activations and plans the convolutions. Returns 0, or -1 if the
 * backend cannot run one of the layers as its options ask (nothing is allocated then). */
int net_finish(net *n);
void net_free(net *n);
/* Networks that never run at the same time (G and D) can share one convolution scratch:
 * afterwards both use the larger buffer, owned by the net it came from; free the borrower
 * first or together (net_free of the owner releases it). */
void net_share_work(net *a, net *b);

/* The output of the last layer, (batch, C, H, W). */
const layer *net_output(const net *n);
size_t net_output_size(const net *n); /* floats per item */
/* Input for the next forward pass: x (batch items, from host memory, or backend memory when
 * x_on_backend, e.g. another net's output) and y (batch, y_dim) from host memory (ignored
 * without a condition). */
void net_set_input(net *n, const float *x, int x_on_backend, const float *y);
/* Copies the first `items` items of the output to host memory. */
void net_read_output(const net *n, float *host, int items);

/* Multiply-adds of one forward pass over the batch (linear, conv and deconv layers), and of
 * its first such layer (whose input gradient a network's first layer often skips). executed 0:
 * the reference's count; 1: what runs (a convolution that took over a concat_y does not
 * convolve the label planes). */
double net_forward_macs(const net *n, double *first_layer_macs, int executed);
/* Multiply-adds of layer i's forward pass over the batch (0 for layers other than linear, conv
 * and deconv); each of its two backward halves takes as many. executed: as above. */
double net_layer_macs(const net *n, int i, int executed);
/* Times every layer into p from now on (NULL: stop); p is the caller's, and is only added to
 * (zero it to start over). */
void net_set_profile(net *n, net_profile *p);
/* The timers net.c puts around its layers (nn/net_cost.c), free without a profile: start
 * synchronizes the backend and reads the clock (0 without a profile); stop adds the seconds
 * since t0 to layer_index's phase ph (and the convolution's reorders since the last stop to that
 * phase), or to the net's other work when layer_index < 0. */
double net_profile_start(const net *n);
void net_profile_stop(net *n, int layer_index, net_phase ph, double t0);

/* Forward pass on n->input (and n->y). train: batch statistics, moving averages updated;
 * otherwise the moving averages are used (the reference's sampler). */
void net_forward(net *n, int train);
/* The moving-average updates a repeated training forward on the same input would make,
 * without the pass itself (the layer outputs and saved statistics stay as they are). */
void net_repeat_moving_update(net *n);
/* Backward pass of the last training forward, given the gradient of the output (batch, C,H,W).
 * Accumulates parameter gradients into n->ps.grads when want_param_grads (telling
 * n->grads_ready as they become final); writes n->dinput when want_input_grad. */
void net_backward(net *n, const float *dout, int want_param_grads, int want_input_grad);

/* Divergence checks (cheap: one pass over the floats). The first parameter or buffer tensor
 * (in declaration order, which is layer order) with a NaN or Inf: its index in n->ps.specs, or
 * -1 if all are finite. */
int net_first_nonfinite_param(const net *n);
/* The first layer whose output (of the last forward pass) holds a NaN or Inf, or -1. In-place
 * activations share their input's buffer, so a non-finite activation output is reported at
 * the layer that owns the buffer. */
int net_first_nonfinite_output(const net *n);
/* "<prefix>/<layer name>", or for unnamed layers "<prefix>/<kind> after <previous name>". */
void net_layer_label(const net *n, int i, char *buf, size_t len);

#endif
