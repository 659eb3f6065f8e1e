#include "ops/cpu/cpu_backend.h"

#include <dnnl.h>
#include <string.h>

#include "ops/cpu/activation.h"
#include "ops/cpu/adam.h"
#include "ops/cpu/batchnorm.h"
#include "ops/cpu/concat.h"
#include "ops/cpu/cond_conv.h"
#include "ops/cpu/infer.h"
#include "ops/cpu/conv_plan.h"
#include "ops/cpu/linear.h"
#include "ops/cpu/loss.h"
#include "ops/ops_backend.h"

/* The one layout this backend offers besides NCHW: oneDNN's nChw16c. */
#define CPU_LAYOUT_C16 1

typedef struct {
    ops_backend base;
    conv_backend conv; /* what the options asked for */
    gemm_lib gemm;     /* linear layers: the GEMM library of the convolutions */
    ops_precision precision;
    linear_bf16 *lin16; /* precision BF16: the linear layers' oneDNN state */
} cpu_backend;

typedef struct {
    ops_conv base;
    conv_plan plan; /* the layer; unused when cond */
    int cond;       /* ops_conv_create_cond: the layer without its label channels, in cc.x */
    cond_conv cc;
} cpu_conv;

static cpu_backend *cpu(ops_backend *be) { return (cpu_backend *)be; }
static conv_plan *plan_rw(ops_conv *c)
{
    cpu_conv *cc = (cpu_conv *)c;
    return cc->cond ? &cc->cc.x : &cc->plan;
}
static const conv_plan *plan_of(const ops_conv *c) { return plan_rw((ops_conv *)c); }

static void cpu_close(ops_backend *be)
{
    linear_bf16_free(cpu(be)->lin16);
    free(be);
}

int ops_cpu_has_bf16(void)
{
    /* oneDNN's view: the CPU's instructions, capped by DNNL_MAX_CPU_ISA if set */
    unsigned isa = (unsigned)dnnl_get_effective_cpu_isa(), want = dnnl_cpu_isa_avx512_core_bf16;
    return (isa & want) == want;
}

/* ---- memory: host memory, 64-byte aligned ---- */
static float *cpu_alloc(ops_backend *be, size_t n)
{
    (void)be;
    return dc_alloc_floats(n);
}
static void cpu_free(ops_backend *be, float *p)
{
    (void)be;
    free(p);
}
static void cpu_copy(ops_backend *be, float *dst, const float *src, size_t n)
{
    (void)be;
    if (n) memcpy(dst, src, n * sizeof(float));
}
static void cpu_zero(ops_backend *be, float *p, size_t n)
{
    (void)be;
    if (n) memset(p, 0, n * sizeof(float));
}
static void cpu_accumulate(ops_backend *be, float *dst, const float *src, size_t n)
{
    (void)be;
    for (size_t i = 0; i < n; i++) dst[i] += src[i];
}
static int cpu_all_finite(ops_backend *be, const float *x, size_t n)
{
    (void)be;
    /* summing x*0 keeps the loop branch-free: it is 0 unless some x is NaN or Inf */
    float acc = 0.0f;
    for (size_t i = 0; i < n; i++) acc += x[i] * 0.0f;
    return acc == 0.0f;
}

/* ---- convolution ---- */
/* Under --precision bf16, layers with fewer than 16 image-side channels stay f32: those are the
 * networks' image ends (G's last layer, D's first: 1 or 3 colour channels, plus the labels in the
 * conditional model). They are 1-3% of the FLOPs, but they carry the image G emits and the
 * gradient D hands back to G, and bf16 rounds both to 8 bits of mantissa. */
static ops_precision cpu_conv_precision(ops_precision want, const conv_geom *g)
{
    return want == OPS_PRECISION_BF16 && g->C_img < 16 ? OPS_PRECISION_FP32 : want;
}

static ops_conv *cpu_conv_create(ops_backend *be, const conv_geom *g, int transpose)
{
    cpu_conv *c = dc_calloc(1, sizeof *c);
    c->base.be = be;
    if (conv_plan_init_precision(&c->plan, g, transpose, cpu(be)->conv,
                                 cpu_conv_precision(cpu(be)->precision, g)) != 0) {
        conv_plan_free(&c->plan);
        free(c);
        return NULL;
    }
    return &c->base;
}
static ops_conv *cpu_conv_create_cond(ops_backend *be, const conv_geom *g, int transpose, int Y,
                                      const float *y)
{
    cpu_conv *c = dc_calloc(1, sizeof *c);
    c->base.be = be;
    c->cond = 1;
    /* the precision rule looks at the whole layer: the labels are image-side channels too */
    if (cond_conv_init(&c->cc, g, transpose, Y, y, cpu(be)->conv,
                       cpu_conv_precision(cpu(be)->precision, g)) != 0) {
        cond_conv_free(&c->cc);
        free(c);
        return NULL;
    }
    return &c->base;
}
static void cpu_conv_free(ops_conv *c)
{
    cpu_conv *cc = (cpu_conv *)c;
    if (cc->cond) cond_conv_free(&cc->cc);
    else conv_plan_free(&cc->plan);
    free(c);
}
static size_t cpu_conv_workspace_floats(const ops_conv *c)
{
    return conv_plan_workspace_floats(plan_of(c));
}
static int cpu_conv_native_layout(const ops_conv *c, int map_side)
{
    return conv_plan_c16_available(plan_of(c), map_side) ? CPU_LAYOUT_C16 : OPS_LAYOUT_PLAIN;
}
static int cpu_conv_set_layout(ops_conv *c, int img_layout, int map_layout)
{
    return conv_plan_set_c16(plan_rw(c), img_layout == CPU_LAYOUT_C16,
                             map_layout == CPU_LAYOUT_C16);
}
static const char *cpu_conv_engine(const ops_conv *c)
{
    return plan_of(c)->backend == CONV_BACKEND_ONEDNN ? "onednn" : "im2col";
}
static int cpu_conv_time_reorders(ops_conv *c, double *seconds)
{
    conv_plan_time_reorders(plan_rw(c), seconds);
    return 0;
}
static void cpu_conv_forward(const ops_conv *c, float *out, const float *inp,
                             const float *weight, const float *bias, float *work)
{
    const cpu_conv *cc = (const cpu_conv *)c;
    if (cc->cond) cond_conv_forward(&cc->cc, out, inp, weight, bias, work);
    else conv_plan_forward(&cc->plan, out, inp, weight, bias, work);
}
static void cpu_conv_backward(const ops_conv *c, float *dinp, float *dweight, float *dbias,
                              const float *dout, const float *inp, const float *weight,
                              int dinp_overwrite, float *work)
{
    const cpu_conv *cc = (const cpu_conv *)c;
    if (cc->cond)
        cond_conv_backward(&cc->cc, dinp, dweight, dbias, dout, inp, weight, dinp_overwrite, work);
    else
        conv_plan_backward(&cc->plan, dinp, dweight, dbias, dout, inp, weight, dinp_overwrite,
                           work);
}

/* ---- linear ---- */
static void cpu_linear_forward(ops_backend *be, float *out, const float *inp, const float *weight,
                               const float *bias, int N, int IN, int OUT)
{
    if (cpu(be)->lin16)
        linear_forward_bf16(cpu(be)->lin16, out, inp, weight, bias, N, IN, OUT);
    else
        linear_forward(out, inp, weight, bias, N, IN, OUT, cpu(be)->gemm);
}
static void cpu_linear_backward(ops_backend *be, float *dinp, float *dweight, float *dbias,
                                const float *dout, const float *inp, const float *weight, int N,
                                int IN, int OUT)
{
    if (cpu(be)->lin16)
        linear_backward_bf16(cpu(be)->lin16, dinp, dweight, dbias, dout, inp, weight, N, IN, OUT);
    else
        linear_backward(dinp, dweight, dbias, dout, inp, weight, N, IN, OUT, cpu(be)->gemm);
}

/* ---- batch norm ---- */
static void cpu_bn_train(ops_backend *be, int layout, float *out, float *mean, float *rstd,
                         float *running_mean, float *running_var, const float *inp,
                         const float *gamma, const float *beta, int N, int C, int S, float decay,
                         float eps)
{
    if (be->bn_sync.sum) {
        batchnorm_forward_train_sync(&be->bn_sync, layout == CPU_LAYOUT_C16, out, mean, rstd,
                                     running_mean, running_var, inp, gamma, beta, N, C, S, decay,
                                     eps);
        return;
    }
    (layout == CPU_LAYOUT_C16 ? batchnorm_forward_train_c16 : batchnorm_forward_train)(
        out, mean, rstd, running_mean, running_var, inp, gamma, beta, N, C, S, decay, eps);
}
static void cpu_bn_eval(ops_backend *be, int layout, float *out, const float *inp,
                        const float *running_mean, const float *running_var, const float *gamma,
                        const float *beta, int N, int C, int S, float eps)
{
    (void)be;
    (layout == CPU_LAYOUT_C16 ? batchnorm_forward_eval_c16 : batchnorm_forward_eval)(
        out, inp, running_mean, running_var, gamma, beta, N, C, S, eps);
}
static void cpu_bn_backward(ops_backend *be, int layout, float *dinp, float *dgamma, float *dbeta,
                            const float *dout, const float *inp, const float *mean,
                            const float *rstd, const float *gamma, int N, int C, int S)
{
    if (be->bn_sync.sum) {
        batchnorm_backward_sync(&be->bn_sync, layout == CPU_LAYOUT_C16, dinp, dgamma, dbeta, dout,
                                inp, mean, rstd, gamma, N, C, S);
        return;
    }
    (layout == CPU_LAYOUT_C16 ? batchnorm_backward_c16 : batchnorm_backward)(
        dinp, dgamma, dbeta, dout, inp, mean, rstd, gamma, N, C, S);
}
/* relu and lrelu, on one replica's batch (the synchronised pass is not fused) */
static int cpu_bn_fuses(const ops_backend *be, ops_activation act)
{
    return !be->bn_sync.sum && (act == OPS_RELU || act == OPS_LRELU);
}
static int cpu_bn_act_train(ops_backend *be, int layout, ops_activation act, float *out,
                            float *mean, float *rstd, float *running_mean, float *running_var,
                            const float *inp, const float *gamma, const float *beta, int N,
                            int C, int S, float decay, float eps)
{
    if (!cpu_bn_fuses(be, act)) return -1;
    batchnorm_act_forward_train(act, layout == CPU_LAYOUT_C16, out, mean, rstd, running_mean,
                                running_var, inp, gamma, beta, N, C, S, decay, eps);
    return 0;
}
static void cpu_bn_update_moving(ops_backend *be, float *running_mean, float *running_var,
                                 const float *mean, const float *rstd, int C, double M,
                                 float decay, float eps)
{
    (void)be;
    batchnorm_update_moving(running_mean, running_var, mean, rstd, C, M, decay, eps);
}

/* ---- activations ---- */
static void cpu_act_forward(ops_backend *be, ops_activation a, float *out, const float *inp,
                            size_t n)
{
    (void)be;
    switch (a) {
    case OPS_RELU: relu_forward(out, inp, n); break;
    case OPS_LRELU: lrelu_forward(out, inp, LRELU_SLOPE, n); break;
    case OPS_TANH: tanh_forward(out, inp, n); break;
    case OPS_SIGMOID: sigmoid_forward(out, inp, n); break;
    }
}
static void cpu_act_backward(ops_backend *be, ops_activation a, float *din, const float *dout,
                             const float *out, size_t n)
{
    (void)be;
    int inplace = din == dout;
    switch (a) {
    case OPS_RELU:
        if (inplace) relu_backward_inplace(din, out, n);
        else relu_backward(din, dout, out, n);
        break;
    case OPS_LRELU:
        if (inplace) lrelu_backward_inplace(din, out, LRELU_SLOPE, n);
        else lrelu_backward(din, dout, out, LRELU_SLOPE, n);
        break;
    case OPS_TANH:
        if (inplace) tanh_backward_inplace(din, out, n);
        else tanh_backward(din, dout, out, n);
        break;
    case OPS_SIGMOID:
        if (inplace) sigmoid_backward_inplace(din, out, n);
        else sigmoid_backward(din, dout, out, n);
        break;
    }
}

/* ---- concat, loss, optimiser ---- */
static void cpu_concat_forward(ops_backend *be, float *out, const float *x, const float *y, int N,
                               int C, int H, int W, int Y)
{
    (void)be;
    cond_concat_forward(out, x, y, N, C, H, W, Y);
}
static void cpu_concat_backward(ops_backend *be, float *dx, float *dy, const float *dout, int N,
                                int C, int H, int W, int Y)
{
    (void)be;
    cond_concat_backward(dx, dy, dout, N, C, H, W, Y);
}
static float cpu_xent_forward(ops_backend *be, const float *logits, float target, size_t n)
{
    (void)be;
    return sigmoid_xent_forward(logits, target, n);
}
static void cpu_xent_backward(ops_backend *be, float *dlogits, const float *logits, float target,
                              float scale, size_t n)
{
    (void)be;
    sigmoid_xent_backward(dlogits, logits, target, scale, n);
}
static void cpu_adam(ops_backend *be, float *param, const float *grad, float *m, float *v,
                     size_t n, long t, const adam_config *cfg)
{
    (void)be;
    adam_update(param, grad, m, v, n, t, cfg);
}

/* Both libraries linked: OpenBLAS may be held to older kernels by OPENBLAS_CORETYPE, oneDNN
 * picks its own. */
static int cpu_gemm_peaks(ops_backend *be, ops_gemm_peak *out, int max)
{
    (void)be;
    int n = 0;
    if (n < max) out[n++] = (ops_gemm_peak){"OpenBLAS", linear_sgemm_peak(GEMM_OPENBLAS)};
    if (n < max) out[n++] = (ops_gemm_peak){"oneDNN", linear_sgemm_peak(GEMM_ONEDNN)};
    return n;
}

/* ---- inference plans (ops/cpu/infer.h) ---- */
static ops_infer *cpu_infer_open(ops_backend *be, const ops_infer_layer *layers, int n_layers,
                                 int batch, int y_dim)
{
    /* --conv-backend im2col asks for no oneDNN convolutions, --precision bf16 for bf16 ones
     * (the plan computes in f32): layer by layer then */
    if (cpu(be)->conv == CONV_BACKEND_IM2COL || cpu(be)->precision != OPS_PRECISION_FP32)
        return NULL;
    return cpu_infer_create(be, layers, n_layers, batch, y_dim, cpu(be)->gemm);
}

static const ops_vtable cpu_vtable = {
    .close = cpu_close,
    .memory_is_host = 1,
    .alloc = cpu_alloc,
    .free = cpu_free,
    .to_host = cpu_copy,
    .from_host = cpu_copy,
    .copy = cpu_copy,
    .zero = cpu_zero,
    .accumulate = cpu_accumulate,
    .all_finite = cpu_all_finite,
    .conv_create = cpu_conv_create,
    .conv_create_cond = cpu_conv_create_cond,
    .conv_free = cpu_conv_free,
    .conv_workspace_floats = cpu_conv_workspace_floats,
    .conv_native_layout = cpu_conv_native_layout,
    .conv_set_layout = cpu_conv_set_layout,
    .conv_engine = cpu_conv_engine,
    .conv_forward = cpu_conv_forward,
    .conv_backward = cpu_conv_backward,
    .linear_forward = cpu_linear_forward,
    .linear_backward = cpu_linear_backward,
    .batchnorm_forward_train = cpu_bn_train,
    .batchnorm_forward_eval = cpu_bn_eval,
    .batchnorm_backward = cpu_bn_backward,
    .batchnorm_act_forward_train = cpu_bn_act_train,
    .batchnorm_update_moving = cpu_bn_update_moving,
    .activation_forward = cpu_act_forward,
    .activation_backward = cpu_act_backward,
    .cond_concat_forward = cpu_concat_forward,
    .cond_concat_backward = cpu_concat_backward,
    .sigmoid_xent_forward = cpu_xent_forward,
    .sigmoid_xent_backward = cpu_xent_backward,
    .adam_update = cpu_adam,
    .gemm_peaks = cpu_gemm_peaks,
    .conv_time_reorders = cpu_conv_time_reorders,
    .infer_create = cpu_infer_open,
    .infer_load = cpu_infer_load,
    .infer_run = cpu_infer_run,
    .infer_free = cpu_infer_free,
};

ops_backend *ops_cpu_open(const ops_options *o, dc_err *e)
{
    cpu_backend *b = dc_calloc(1, sizeof *b);
    b->base.vt = &cpu_vtable;
    b->base.device = "cpu";
    b->conv = o ? o->conv : CONV_BACKEND_AUTO;
    b->gemm = b->conv == CONV_BACKEND_IM2COL ? GEMM_OPENBLAS : GEMM_ONEDNN;
    b->precision = o ? o->precision : OPS_PRECISION_FP32;
    if (b->precision == OPS_PRECISION_BF16 && !(b->lin16 = linear_bf16_create())) {
        free(b);
        dc_fail(e, "--precision bf16: oneDNN could not start");
        return NULL;
    }
    return &b->base;
}
