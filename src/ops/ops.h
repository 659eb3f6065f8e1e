/* The backend interface: every numerical operation the layers (src/nn/) and the training step
 * (src/train/) run, and the memory they run on. Callers hold an ops_backend and never see
 * which library computes, where the floats live, or how a backend lays out the maps between
 * two convolutions.
 *
 * Memory: every array passed to an op is backend memory from ops_alloc (on the CPU backend,
 * plain host memory). Host code reads and writes it only through ops_to_host/ops_from_host,
 * or directly where ops_memory_is_host says it may.
 *
 * Layouts: maps are NCHW (OPS_LAYOUT_PLAIN) unless a backend offers a layout of its own for
 * the maps between two of its convolutions (ops_conv_native_layout). The ids it offers mean
 * nothing outside it: callers pass them on to the convolutions and the batch norms that touch
 * those maps; activations are element-wise and do not care.
 *
 * Semantics of each op (shapes, what accumulates, the exact formulas) are those of the CPU
 * kernels documented in docs/ops.md; a backend must match them to float rounding.
 *
 * Adding a backend: implement ops_vtable (ops/ops_backend.h) in a folder beside ops/cpu/ and
 * add its name to ops_open (ops/backend.c). */
#ifndef DCGAN_OPS_OPS_H
#define DCGAN_OPS_OPS_H

#include <stddef.h>
#include "core/error.h"
#include "ops/conv_geom.h"

typedef struct ops_backend ops_backend;
typedef struct ops_conv ops_conv;

/* The reference's constants. */
#define LRELU_SLOPE 0.2f
#define BATCHNORM_DECAY 0.9f
#define BATCHNORM_EPS 1e-5f

#define OPS_LAYOUT_PLAIN 0

/* How the CPU backend runs convolutions (--conv-backend). */
typedef enum {
    CONV_BACKEND_AUTO = 0, /* its JIT kernels where they can, else im2col */
    CONV_BACKEND_IM2COL,
    CONV_BACKEND_ONEDNN,
} conv_backend;

/* What the convolutions and linear layers compute in (--precision). BF16: their inputs
 * (activations, weights, incoming gradients) rounded to bf16, products accumulated in f32,
 * results f32; every array the callers see, batch norm, activations, the loss and Adam stay
 * f32. Only where ops_precision_check allows it. */
typedef enum { OPS_PRECISION_FP32 = 0, OPS_PRECISION_BF16 } ops_precision;

typedef struct {
    const char *device; /* "cpu" (NULL: "cpu"), "cuda" or "cuda:N" */
    conv_backend conv;  /* CPU backend only */
    ops_precision precision;
} ops_options;

typedef enum { OPS_RELU, OPS_LRELU, OPS_TANH, OPS_SIGMOID } ops_activation;

/* Adam in TensorFlow's update form (tf.train.AdamOptimizer):
 *   lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2
 *   p -= lr_t * m / (sqrt(v) + eps)
 * t is the 1-based step number. */
typedef struct {
    float lr;    /* 2e-4 */
    float beta1; /* 0.5 */
    float beta2; /* 0.999 */
    float eps;   /* 1e-8 */
} adam_config;

adam_config adam_config_default(void);

/* "auto", "im2col", "onednn" */
const char *conv_backend_name(conv_backend b);
int conv_backend_parse(const char *s, conv_backend *b);

/* "fp32", "bf16" */
const char *ops_precision_name(ops_precision p);
int ops_precision_parse(const char *s, ops_precision *p);
/* 0 if a backend opened with o can compute in o->precision; otherwise -1 with the reason (one
 * line naming the option) in e: bf16 needs the CPU backend, oneDNN's convolutions (not
 * --conv-backend im2col) and a CPU with bf16 instructions (AVX512_BF16, as oneDNN reports). */
int ops_precision_check(const ops_options *o, dc_err *e);

/* ---- the backend ---- */
/* NULL with a message naming the device if it is unknown or cannot start. */
ops_backend *ops_open(const ops_options *o, dc_err *e);
void ops_close(ops_backend *be);
/* "cpu" or "cuda" */
const char *ops_device_name(const ops_backend *be);
/* What it runs on, for logs: "cpu", "NVIDIA H200 (cuda:0, cuDNN 9.19.0)". */
const char *ops_device_description(ops_backend *be);
/* Waits until every op issued so far has finished (for timings; a no-op on the CPU). Ops run
 * in issue order, and results the host asks for (ops_to_host, the loss, ops_all_finite) are
 * complete when returned, so correctness never needs this. */
void ops_synchronize(ops_backend *be);
/* Device memory in bytes: what the backend holds now and held at most, and what the whole
 * device has in use (other processes and the driver's context included). All 0 on the CPU. */
void ops_memory_stats(ops_backend *be, size_t *held, size_t *peak, size_t *device_used);
/* Choices a backend benchmarks once per shape (cuDNN's convolution algorithms), kept in a file
 * so that a resumed run skips the benchmarks. Load: a missing file is no error, a file made on
 * another GPU or library version is ignored (the choices are benchmarked again). Save: written
 * atomically, only when something was benchmarked since. Both return 0 on backends that
 * benchmark nothing. */
int ops_tuning_load(ops_backend *be, const char *path, dc_err *e);
int ops_tuning_save(ops_backend *be, const char *path, dc_err *e);

/* ---- memory ---- */
float *ops_alloc(ops_backend *be, size_t n); /* zeroed; aborts when memory runs out */
void ops_free(ops_backend *be, float *p);
/* 1 if backend memory is host memory (the copies below are then memcpy). */
int ops_memory_is_host(const ops_backend *be);
void ops_to_host(ops_backend *be, float *host, const float *src, size_t n);
void ops_from_host(ops_backend *be, float *dst, const float *host, size_t n);
void ops_copy(ops_backend *be, float *dst, const float *src, size_t n);
void ops_zero(ops_backend *be, float *p, size_t n);
void ops_accumulate(ops_backend *be, float *dst, const float *src, size_t n); /* dst += src */
/* 1 if no element is NaN or Inf. */
int ops_all_finite(ops_backend *be, const float *x, size_t n);

/* ---- convolution (5x5 stride 2 in the models, any geometry here) ---- */
/* A planned conv2d (transpose 0) or conv2d_transpose; NULL if the backend cannot run it the
 * way its options ask (e.g. --conv-backend onednn on a geometry oneDNN refuses). */
ops_conv *ops_conv_create(ops_backend *be, const conv_geom *g, int transpose);
/* The same layer fed the reference's conv_cond_concat of x and y (N, Y): its last Y input
 * channels (C_img's of a conv, C_map's of a transpose) are y's values as constant planes. The
 * backend may compute their part without convolving them: forward and backward then take inp
 * and dinp with the other channels only, and y (backend memory, borrowed) is read at every
 * call; weights, their gradients and the output are the whole layer's. NULL where the backend
 * has no such convolution (the caller concatenates and uses ops_conv_create). */
ops_conv *ops_conv_create_cond(ops_backend *be, const conv_geom *g, int transpose, int Y,
                               const float *y);
void ops_conv_free(ops_conv *c);
/* Scratch floats that forward/backward need (one buffer may serve every convolution). */
size_t ops_conv_workspace_floats(const ops_conv *c);
/* The layout this convolution would keep one side in natively (map_side 1: the smaller side),
 * or OPS_LAYOUT_PLAIN. Two convolutions offering the same id can pass maps in it. */
int ops_conv_native_layout(const ops_conv *c, int map_side);
/* Switches the sides' layouts (each OPS_LAYOUT_PLAIN or the id offered); -1 if refused. */
int ops_conv_set_layout(ops_conv *c, int img_layout, int map_layout);
/* What computes it, for reports: "onednn", "im2col", ... */
const char *ops_conv_engine(const ops_conv *c);
/* Per-layer profiles (dcgan bench --layers): from now on, the seconds this convolution spends
 * copying maps between the caller's layout and its own (inside forward/backward) are added to
 * *seconds; NULL stops it (the default). Returns 0, or -1 where the backend cannot tell. */
int ops_conv_time_reorders(ops_conv *c, double *seconds);
/* conv: out (N,C_map,H_map,W_map) from inp (N,C_img,H_img,W_img); transpose: the reverse.
 * Weights (C_map, C_img, K_h, K_w); bias per output channel, may be NULL. */
void ops_conv_forward(const ops_conv *c, float *out, const float *inp, const float *weight,
                      const float *bias, float *work);
/* Accumulates into dweight, dbias and dinp (each may be NULL); dinp_overwrite: dinp is
 * overwritten instead. */
void ops_conv_backward(const ops_conv *c, float *dinp, float *dweight, float *dbias,
                       const float *dout, const float *inp, const float *weight,
                       int dinp_overwrite, float *work);

/* ---- linear: out (N,OUT) = inp (N,IN) @ weight^T + bias, weight (OUT,IN) ---- */
void ops_linear_forward(ops_backend *be, float *out, const float *inp, const float *weight,
                        const float *bias, int N, int IN, int OUT);
/* Accumulates into each non-NULL gradient. */
void ops_linear_backward(ops_backend *be, float *dinp, float *dweight, float *dbias,
                         const float *dout, const float *inp, const float *weight, int N, int IN,
                         int OUT);

/* ---- batch norm over x viewed as (N, C, S), in `layout` ---- */
void ops_batchnorm_forward_train(ops_backend *be, int layout, float *out, float *mean,
                                 float *rstd, float *running_mean, float *running_var,
                                 const float *inp, const float *gamma, const float *beta, int N,
                                 int C, int S, float decay, float eps);
void ops_batchnorm_forward_eval(ops_backend *be, int layout, float *out, const float *inp,
                                const float *running_mean, const float *running_var,
                                const float *gamma, const float *beta, int N, int C, int S,
                                float eps);
void ops_batchnorm_backward(ops_backend *be, int layout, float *dinp, float *dgamma,
                            float *dbeta, const float *dout, const float *inp, const float *mean,
                            const float *rstd, const float *gamma, int N, int C, int S);
/* The training forward followed by `act` (OPS_RELU or OPS_LRELU) in place on its output, in one
 * pass where the backend fuses them: the same results as the two ops in sequence (the backward
 * is the two ops' as ever). Returns 0, or -1 with nothing done where the backend does not fuse
 * (the caller runs the two ops). */
int ops_batchnorm_act_forward_train(ops_backend *be, int layout, ops_activation act, float *out,
                                    float *mean, float *rstd, float *running_mean,
                                    float *running_var, const float *inp, const float *gamma,
                                    const float *beta, int N, int C, int S, float decay,
                                    float eps);
/* The moving-average update a second training forward on the same batch would make. */
void ops_batchnorm_update_moving(ops_backend *be, float *running_mean, float *running_var,
                                 const float *mean, const float *rstd, int C, double M,
                                 float decay, float eps);

/* ---- data-parallel batch norm ---- */
/* A sum across the replicas of a data-parallel run, in place over n doubles (an MPI
 * all-reduce, say). Every replica calls it in the same order; each has the same batch size. */
typedef struct {
    void (*sum)(void *ctx, double *buf, size_t n);
    void *ctx;
    int replicas;
} ops_replica_sum;
/* Synchronised batch norm: from now on the training forward computes its statistics, and the
 * backward its sums, over every replica's batch, as one batch of replicas x N would (the
 * moving averages then agree on every replica). dgamma and dbeta stay each replica's own
 * (the gradient all-reduce sums them). rs NULL: each replica normalises its own batch (the
 * default). The backend copies *rs. */
void ops_set_batchnorm_sync(ops_backend *be, const ops_replica_sum *rs);

/* ---- element-wise activations (in place allowed: out == inp) ---- */
void ops_activation_forward(ops_backend *be, ops_activation a, float *out, const float *inp,
                            size_t n);
/* din += dout * f'(x), f' recovered from the forward's output `out` (relu/lrelu: out > 0
 * exactly when x > 0). din == dout: dout is scaled in place (din = dout * f'(x)). */
void ops_activation_backward(ops_backend *be, ops_activation a, float *din, const float *dout,
                             const float *out, size_t n);

/* ---- the reference's conv_cond_concat: out (N, C+Y, H, W) = [x, y as constant planes] ---- */
void ops_cond_concat_forward(ops_backend *be, float *out, const float *x, const float *y, int N,
                             int C, int H, int W, int Y);
/* Accumulates into dx and dy (each may be NULL). */
void ops_cond_concat_backward(ops_backend *be, float *dx, float *dy, const float *dout, int N,
                              int C, int H, int W, int Y);

/* ---- sigmoid cross-entropy with logits against a constant target, averaged over n ---- */
float ops_sigmoid_xent_forward(ops_backend *be, const float *logits, float target, size_t n);
/* dlogits += scale * (sigmoid(x) - t) / n */
void ops_sigmoid_xent_backward(ops_backend *be, float *dlogits, const float *logits,
                               float target, float scale, size_t n);

/* ---- the hinge loss (--loss hinge): D's mean(max(0, 1 - sign*x)), sign +1 on real logits and
 * -1 on fake ones; G's mean(-sign*x), sign +1 ---- */
float ops_hinge_forward(ops_backend *be, const float *logits, float sign, size_t n);
/* dlogits += scale * (-sign) / n where 1 - sign*x > 0 */
void ops_hinge_backward(ops_backend *be, float *dlogits, const float *logits, float sign,
                        float scale, size_t n);
float ops_linear_loss_forward(ops_backend *be, const float *logits, float sign, size_t n);
/* dlogits += scale * (-sign) / n */
void ops_linear_loss_backward(ops_backend *be, float *dlogits, float sign, float scale, size_t n);

/* ---- spectral normalisation of a weight as a (rows, cols) matrix, rows = output features
 * (torch.nn.utils.spectral_norm, one power iteration) ----
 * iterate (training): v = normalize(W^T u), u = normalize(W v), normalize(x) = x/max(|x|,eps);
 * then sigma = u . (W v) and w_sn = W / sigma. u (rows) and v (cols) are the layer's state,
 * read and (iterate) updated. Returns sigma. */
float ops_spectral_norm_forward(ops_backend *be, float *w_sn, float *u, float *v, const float *w,
                                size_t rows, size_t cols, int iterate, float eps);
/* dw += (dw_sn - (dw_sn . w_sn) u v^T) / sigma: u and v taken as constants, as PyTorch's. */
void ops_spectral_norm_backward(ops_backend *be, float *dw, const float *dw_sn, const float *w_sn,
                                const float *u, const float *v, float sigma, size_t rows,
                                size_t cols);

/* ---- an exponential moving average of weights: ema = decay*ema + (1-decay)*x ---- */
void ops_ema_update(ops_backend *be, float *ema, const float *x, float decay, size_t n);

/* ---- the optimiser: one Adam step over n parameters ---- */
void ops_adam_update(ops_backend *be, float *param, const float *grad, float *m, float *v,
                     size_t n, long t, const adam_config *cfg);

/* ---- inference: a whole network's eval-mode forward as one plan (optional) ----
 * For a network that only runs forward on weights that change rarely (G when sampling), a
 * backend may offer a faster path than one op per layer: each batch norm (moving statistics)
 * folded with the layer before it, the activation fused into that layer's output pass, its own
 * layouts between layers, primitives and prepared weights made once. The layers are described
 * per item; the plan reads the weights through their pointers (which must stay valid) when it
 * is made and at each ops_infer_load. ops_infer_create returns NULL when the backend has no
 * such path or cannot plan this sequence of layers: callers then run the layers one by one. */
typedef enum {
    OPS_INFER_LINEAR,     /* w (C, in_C*in_H*in_W), b (C) */
    OPS_INFER_CONV,       /* w (C_map, C_img, K_h, K_w), b (C_map); geom */
    OPS_INFER_DECONV,     /* the transpose: w as above, b (C_img); geom */
    OPS_INFER_BATCHNORM,  /* w gamma, b beta, mean, var (C); eps BATCHNORM_EPS */
    OPS_INFER_ACTIVATION, /* act */
    OPS_INFER_CONCAT_Y,   /* appends y (y_dim) as constant planes, or as features (H = W = 1) */
    OPS_INFER_RESHAPE,
} ops_infer_kind;

typedef struct {
    ops_infer_kind kind;
    ops_activation act;
    int in_C, in_H, in_W, C, H, W; /* per item */
    conv_geom geom;                /* CONV, DECONV (its N is replaced by the plan's batch) */
    const float *w, *b, *mean, *var;
    float *out; /* NULL, or memory the plan may use for this layer's output (at least batch x
                 * C*H*W floats), e.g. the buffer the layer-by-layer forward writes */
} ops_infer_layer;

typedef struct ops_infer ops_infer;

ops_infer *ops_infer_create(ops_backend *be, const ops_infer_layer *layers, int n_layers,
                            int batch, int y_dim);
/* Reads the weights again (after they changed). */
void ops_infer_load(ops_infer *p);
/* out (batch, C, H, W of the last layer, NCHW) = the network on inp (batch, in_C, in_H, in_W)
 * and y (batch, y_dim; NULL without a condition); all backend memory. */
void ops_infer_run(ops_infer *p, float *out, const float *inp, const float *y);
void ops_infer_free(ops_infer *p);

/* ---- reports ---- */
typedef struct {
    const char *name; /* the library, e.g. "OpenBLAS" */
    double gflops;
} ops_gemm_peak;
/* The sustained sgemm rate (best of a few 1536^3 products, GFLOP/s) of each GEMM library the
 * backend can use, for FLOP-rate reports; at most max entries, returns how many. */
int ops_gemm_peaks(ops_backend *be, ops_gemm_peak *out, int max);

#endif
