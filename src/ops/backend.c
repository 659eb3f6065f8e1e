/* The one switch between backends, and the calls that forward each op to the backend's
 * table. */
#include "ops/ops_backend.h"

#include <stdlib.h>
#include <string.h>

#include "ops/cpu/cpu_backend.h"
#include "ops/cpu/loss.h"
#include "ops/cpu/spectral_norm.h"
#include "ops/cuda/cuda_backend.h"

adam_config adam_config_default(void)
{
    adam_config c = {2e-4f, 0.5f, 0.999f, 1e-8f};
    return c;
}

static const char *const conv_backend_names[] = {"auto", "im2col", "onednn"};

const char *conv_backend_name(conv_backend b)
{
    return (unsigned)b < sizeof conv_backend_names / sizeof conv_backend_names[0]
               ? conv_backend_names[b]
               : "?";
}

int conv_backend_parse(const char *s, conv_backend *b)
{
    for (unsigned i = 0; i < sizeof conv_backend_names / sizeof conv_backend_names[0]; i++)
        if (s && strcmp(s, conv_backend_names[i]) == 0) {
            *b = (conv_backend)i;
            return 0;
        }
    return -1;
}

static const char *const precision_names[] = {"fp32", "bf16"};

const char *ops_precision_name(ops_precision p)
{
    return (unsigned)p < sizeof precision_names / sizeof precision_names[0] ? precision_names[p]
                                                                            : "?";
}

int ops_precision_parse(const char *s, ops_precision *p)
{
    for (unsigned i = 0; i < sizeof precision_names / sizeof precision_names[0]; i++)
        if (s && strcmp(s, precision_names[i]) == 0) {
            *p = (ops_precision)i;
            return 0;
        }
    return -1;
}

int ops_precision_check(const ops_options *o, dc_err *e)
{
    if (!o || o->precision == OPS_PRECISION_FP32) return 0;
    const char *device = o->device ? o->device : "cpu";
    if (strcmp(device, "cpu") != 0)
        return dc_fail(e, "--precision bf16: only the CPU backend computes in bf16, not --device %s",
                       device);
    if (o->conv == CONV_BACKEND_IM2COL)
        return dc_fail(e, "--precision bf16 needs oneDNN's convolutions, not --conv-backend im2col");
    if (!ops_cpu_has_bf16())
        return dc_fail(e, "--precision bf16: this CPU has no bf16 instructions (AVX512_BF16; "
                          "oneDNN reports a lesser ISA): use --precision fp32");
    return 0;
}

ops_backend *ops_open(const ops_options *o, dc_err *e)
{
    if (ops_precision_check(o, e)) return NULL;
    const char *device = o && o->device ? o->device : "cpu";
    if (strcmp(device, "cpu") == 0) return ops_cpu_open(o, e);
    if (strncmp(device, "cuda", 4) == 0 && (device[4] == 0 || device[4] == ':'))
        return ops_cuda_open(o, device, e);
    dc_fail(e, "device '%s': unknown (expected cpu, cuda or cuda:N)", device);
    return NULL;
}

void ops_close(ops_backend *be)
{
    if (be) be->vt->close(be);
}

const char *ops_device_name(const ops_backend *be) { return be->device; }

const char *ops_device_description(ops_backend *be)
{
    return be->vt->description ? be->vt->description(be) : be->device;
}

void ops_synchronize(ops_backend *be)
{
    if (be->vt->synchronize) be->vt->synchronize(be);
}

void ops_memory_stats(ops_backend *be, size_t *held, size_t *peak, size_t *device_used)
{
    *held = *peak = *device_used = 0;
    if (be->vt->memory_stats) be->vt->memory_stats(be, held, peak, device_used);
}

int ops_tuning_load(ops_backend *be, const char *path, dc_err *e)
{
    return be->vt->tuning_load ? be->vt->tuning_load(be, path, e) : 0;
}

int ops_tuning_save(ops_backend *be, const char *path, dc_err *e)
{
    return be->vt->tuning_save ? be->vt->tuning_save(be, path, e) : 0;
}

float *ops_alloc(ops_backend *be, size_t n) { return be->vt->alloc(be, n); }
void ops_free(ops_backend *be, float *p)
{
    if (p) be->vt->free(be, p);
}
int ops_memory_is_host(const ops_backend *be) { return be->vt->memory_is_host; }
void ops_to_host(ops_backend *be, float *host, const float *src, size_t n)
{
    be->vt->to_host(be, host, src, n);
}
void ops_from_host(ops_backend *be, float *dst, const float *host, size_t n)
{
    be->vt->from_host(be, dst, host, n);
}
void ops_copy(ops_backend *be, float *dst, const float *src, size_t n)
{
    be->vt->copy(be, dst, src, n);
}
void ops_zero(ops_backend *be, float *p, size_t n) { be->vt->zero(be, p, n); }
void ops_accumulate(ops_backend *be, float *dst, const float *src, size_t n)
{
    be->vt->accumulate(be, dst, src, n);
}
int ops_all_finite(ops_backend *be, const float *x, size_t n)
{
    return be->vt->all_finite(be, x, n);
}

ops_infer *ops_infer_create(ops_backend *be, const ops_infer_layer *layers, int n_layers,
                            int batch, int y_dim)
{
    if (!be->vt->infer_create) return NULL;
    return be->vt->infer_create(be, layers, n_layers, batch, y_dim);
}
void ops_infer_load(ops_infer *p) { p->be->vt->infer_load(p); }
void ops_infer_run(ops_infer *p, float *out, const float *inp, const float *y)
{
    p->be->vt->infer_run(p, out, inp, y);
}
void ops_infer_free(ops_infer *p)
{
    if (p) p->be->vt->infer_free(p);
}

ops_conv *ops_conv_create(ops_backend *be, const conv_geom *g, int transpose)
{
    return be->vt->conv_create(be, g, transpose);
}
ops_conv *ops_conv_create_cond(ops_backend *be, const conv_geom *g, int transpose, int Y,
                               const float *y)
{
    return be->vt->conv_create_cond ? be->vt->conv_create_cond(be, g, transpose, Y, y) : NULL;
}
void ops_conv_free(ops_conv *c)
{
    if (c) c->be->vt->conv_free(c);
}
size_t ops_conv_workspace_floats(const ops_conv *c)
{
    return c->be->vt->conv_workspace_floats(c);
}
int ops_conv_native_layout(const ops_conv *c, int map_side)
{
    return c->be->vt->conv_native_layout(c, map_side);
}
int ops_conv_set_layout(ops_conv *c, int img_layout, int map_layout)
{
    return c->be->vt->conv_set_layout(c, img_layout, map_layout);
}
const char *ops_conv_engine(const ops_conv *c) { return c->be->vt->conv_engine(c); }
int ops_conv_time_reorders(ops_conv *c, double *seconds)
{
    return c->be->vt->conv_time_reorders ? c->be->vt->conv_time_reorders(c, seconds) : -1;
}
void ops_conv_forward(const ops_conv *c, float *out, const float *inp, const float *weight,
                      const float *bias, float *work)
{
    c->be->vt->conv_forward(c, out, inp, weight, bias, work);
}
void ops_conv_backward(const ops_conv *c, float *dinp, float *dweight, float *dbias,
                       const float *dout, const float *inp, const float *weight,
                       int dinp_overwrite, float *work)
{
    c->be->vt->conv_backward(c, dinp, dweight, dbias, dout, inp, weight, dinp_overwrite, work);
}

void ops_linear_forward(ops_backend *be, float *out, const float *inp, const float *weight,
                        const float *bias, int N, int IN, int OUT)
{
    be->vt->linear_forward(be, out, inp, weight, bias, N, IN, OUT);
}
void ops_linear_backward(ops_backend *be, float *dinp, float *dweight, float *dbias,
                         const float *dout, const float *inp, const float *weight, int N, int IN,
                         int OUT)
{
    be->vt->linear_backward(be, dinp, dweight, dbias, dout, inp, weight, N, IN, OUT);
}

void ops_batchnorm_forward_train(ops_backend *be, int layout, float *out, float *mean,
                                 float *rstd, float *running_mean, float *running_var,
                                 const float *inp, const float *gamma, const float *beta, int N,
                                 int C, int S, float decay, float eps)
{
    be->vt->batchnorm_forward_train(be, layout, out, mean, rstd, running_mean, running_var, inp,
                                    gamma, beta, N, C, S, decay, eps);
}
void ops_batchnorm_forward_eval(ops_backend *be, int layout, float *out, const float *inp,
                                const float *running_mean, const float *running_var,
                                const float *gamma, const float *beta, int N, int C, int S,
                                float eps)
{
    be->vt->batchnorm_forward_eval(be, layout, out, inp, running_mean, running_var, gamma, beta,
                                   N, C, S, eps);
}
void ops_batchnorm_backward(ops_backend *be, int layout, float *dinp, float *dgamma,
                            float *dbeta, const float *dout, const float *inp, const float *mean,
                            const float *rstd, const float *gamma, int N, int C, int S)
{
    be->vt->batchnorm_backward(be, layout, dinp, dgamma, dbeta, dout, inp, mean, rstd, gamma, N,
                               C, S);
}
int ops_batchnorm_act_forward_train(ops_backend *be, int layout, ops_activation act, float *out,
                                    float *mean, float *rstd, float *running_mean,
                                    float *running_var, const float *inp, const float *gamma,
                                    const float *beta, int N, int C, int S, float decay,
                                    float eps)
{
    if (!be->vt->batchnorm_act_forward_train) return -1;
    return be->vt->batchnorm_act_forward_train(be, layout, act, out, mean, rstd, running_mean,
                                               running_var, inp, gamma, beta, N, C, S, decay,
                                               eps);
}
void ops_batchnorm_update_moving(ops_backend *be, float *running_mean, float *running_var,
                                 const float *mean, const float *rstd, int C, double M,
                                 float decay, float eps)
{
    /* synchronised statistics were taken over every replica's batch */
    if (be->bn_sync.sum) M *= be->bn_sync.replicas;
    be->vt->batchnorm_update_moving(be, running_mean, running_var, mean, rstd, C, M, decay, eps);
}

void ops_set_batchnorm_sync(ops_backend *be, const ops_replica_sum *rs)
{
    DC_ASSERT(!rs || (rs->sum && rs->replicas >= 1), "ops_set_batchnorm_sync: no sum");
    if (rs)
        be->bn_sync = *rs;
    else
        memset(&be->bn_sync, 0, sizeof be->bn_sync);
}

void ops_activation_forward(ops_backend *be, ops_activation a, float *out, const float *inp,
                            size_t n)
{
    be->vt->activation_forward(be, a, out, inp, n);
}
void ops_activation_backward(ops_backend *be, ops_activation a, float *din, const float *dout,
                             const float *out, size_t n)
{
    be->vt->activation_backward(be, a, din, dout, out, n);
}

void ops_cond_concat_forward(ops_backend *be, float *out, const float *x, const float *y, int N,
                             int C, int H, int W, int Y)
{
    be->vt->cond_concat_forward(be, out, x, y, N, C, H, W, Y);
}
void ops_cond_concat_backward(ops_backend *be, float *dx, float *dy, const float *dout, int N,
                              int C, int H, int W, int Y)
{
    be->vt->cond_concat_backward(be, dx, dy, dout, N, C, H, W, Y);
}

float ops_sigmoid_xent_forward(ops_backend *be, const float *logits, float target, size_t n)
{
    return be->vt->sigmoid_xent_forward(be, logits, target, n);
}
void ops_sigmoid_xent_backward(ops_backend *be, float *dlogits, const float *logits,
                               float target, float scale, size_t n)
{
    be->vt->sigmoid_xent_backward(be, dlogits, logits, target, scale, n);
}

void ops_adam_update(ops_backend *be, float *param, const float *grad, float *m, float *v,
                     size_t n, long t, const adam_config *cfg)
{
    be->vt->adam_update(be, param, grad, m, v, n, t, cfg);
}

/* The recipe ops (hinge loss, spectral norm, weight averages) are small next to the
 * convolutions: every backend runs them with the CPU kernels, on host copies where its memory
 * is not host memory. */
static float *host_copy(ops_backend *be, const float *src, size_t n)
{
    if (ops_memory_is_host(be)) return (float *)src;
    float *h = dc_alloc_floats(n ? n : 1);
    ops_to_host(be, h, src, n);
    return h;
}

/* Writes a host copy back (if it is one) and frees it. */
static void host_release(ops_backend *be, float *dst, float *h, size_t n, int write_back)
{
    if (h == dst) return;
    if (write_back) ops_from_host(be, dst, h, n);
    free(h);
}

float ops_hinge_forward(ops_backend *be, const float *logits, float sign, size_t n)
{
    float *h = host_copy(be, logits, n);
    float loss = hinge_forward(h, sign, n);
    host_release(be, (float *)logits, h, n, 0);
    return loss;
}
void ops_hinge_backward(ops_backend *be, float *dlogits, const float *logits, float sign,
                        float scale, size_t n)
{
    float *d = host_copy(be, dlogits, n), *h = host_copy(be, logits, n);
    hinge_backward(d, h, sign, scale, n);
    host_release(be, (float *)logits, h, n, 0);
    host_release(be, dlogits, d, n, 1);
}
float ops_linear_loss_forward(ops_backend *be, const float *logits, float sign, size_t n)
{
    float *h = host_copy(be, logits, n);
    float loss = linear_loss_forward(h, sign, n);
    host_release(be, (float *)logits, h, n, 0);
    return loss;
}
void ops_linear_loss_backward(ops_backend *be, float *dlogits, float sign, float scale, size_t n)
{
    float *d = host_copy(be, dlogits, n);
    linear_loss_backward(d, sign, scale, n);
    host_release(be, dlogits, d, n, 1);
}

float ops_spectral_norm_forward(ops_backend *be, float *w_sn, float *u, float *v, const float *w,
                                size_t rows, size_t cols, int iterate, float eps)
{
    size_t n = rows * cols;
    float *hw = host_copy(be, w, n), *hs = host_copy(be, w_sn, n);
    float *hu = host_copy(be, u, rows), *hv = host_copy(be, v, cols);
    float sigma = spectral_norm_forward(hs, hu, hv, hw, rows, cols, iterate, eps);
    host_release(be, (float *)w, hw, n, 0);
    host_release(be, w_sn, hs, n, 1);
    host_release(be, u, hu, rows, iterate);
    host_release(be, v, hv, cols, iterate);
    return sigma;
}
void ops_spectral_norm_backward(ops_backend *be, float *dw, const float *dw_sn, const float *w_sn,
                                const float *u, const float *v, float sigma, size_t rows,
                                size_t cols)
{
    size_t n = rows * cols;
    float *hd = host_copy(be, dw, n), *hg = host_copy(be, dw_sn, n), *hs = host_copy(be, w_sn, n);
    float *hu = host_copy(be, u, rows), *hv = host_copy(be, v, cols);
    spectral_norm_backward(hd, hg, hs, hu, hv, sigma, rows, cols);
    host_release(be, (float *)dw_sn, hg, n, 0);
    host_release(be, (float *)w_sn, hs, n, 0);
    host_release(be, (float *)u, hu, rows, 0);
    host_release(be, (float *)v, hv, cols, 0);
    host_release(be, dw, hd, n, 1);
}

void ops_ema_update(ops_backend *be, float *ema, const float *x, float decay, size_t n)
{
    float *he = host_copy(be, ema, n), *hx = host_copy(be, x, n);
    ema_update(he, hx, decay, n);
    host_release(be, (float *)x, hx, n, 0);
    host_release(be, ema, he, n, 1);
}

int ops_gemm_peaks(ops_backend *be, ops_gemm_peak *out, int max)
{
    return be->vt->gemm_peaks(be, out, max);
}
