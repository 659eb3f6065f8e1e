/* What a backend implements: the operations of ops/ops.h as a table of functions, and the
 * headers every backend's objects start with. Only backends and ops/backend.c include this;
 * everyone else uses ops/ops.h. Each entry has the semantics of the ops_ function of the same
 * name. */
#ifndef DCGAN_OPS_OPS_BACKEND_H
#define DCGAN_OPS_OPS_BACKEND_H

#include "ops/ops.h"

typedef struct ops_vtable ops_vtable;

/* A backend's state begins with this (the backend's own struct embeds it first). */
struct ops_backend {
    const ops_vtable *vt;
    const char *device;
    ops_replica_sum bn_sync; /* sum == NULL: per-replica batch norm (ops_set_batchnorm_sync) */
};

/* So does each of its convolutions, and each inference plan. */
struct ops_conv {
    ops_backend *be;
};
struct ops_infer {
    ops_backend *be;
};

struct ops_vtable {
    void (*close)(ops_backend *be);
    /* memory */
    int memory_is_host;
    float *(*alloc)(ops_backend *be, size_t n);
    void (*free)(ops_backend *be, float *p);
    void (*to_host)(ops_backend *be, float *host, const float *src, size_t n);
    void (*from_host)(ops_backend *be, float *dst, const float *host, size_t n);
    void (*copy)(ops_backend *be, float *dst, const float *src, size_t n);
    void (*zero)(ops_backend *be, float *p, size_t n);
    void (*accumulate)(ops_backend *be, float *dst, const float *src, size_t n);
    int (*all_finite)(ops_backend *be, const float *x, size_t n);
    /* convolution */
    ops_conv *(*conv_create)(ops_backend *be, const conv_geom *g, int transpose);
    /* optional (NULL: ops_conv_create_cond returns NULL) */
    ops_conv *(*conv_create_cond)(ops_backend *be, const conv_geom *g, int transpose, int Y,
                                  const float *y);
    void (*conv_free)(ops_conv *c);
    size_t (*conv_workspace_floats)(const ops_conv *c);
    int (*conv_native_layout)(const ops_conv *c, int map_side);
    int (*conv_set_layout)(ops_conv *c, int img_layout, int map_layout);
    const char *(*conv_engine)(const ops_conv *c);
    void (*conv_forward)(const ops_conv *c, float *out, const float *inp, const float *weight,
                         const float *bias, float *work);
    void (*conv_backward)(const ops_conv *c, float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight,
                          int dinp_overwrite, float *work);
    /* linear */
    void (*linear_forward)(ops_backend *be, float *out, const float *inp, const float *weight,
                           const float *bias, int N, int IN, int OUT);
    void (*linear_backward)(ops_backend *be, float *dinp, float *dweight, float *dbias,
                            const float *dout, const float *inp, const float *weight, int N,
                            int IN, int OUT);
    /* batch norm */
    void (*batchnorm_forward_train)(ops_backend *be, int layout, float *out, float *mean,
                                    float *rstd, float *running_mean, float *running_var,
                                    const float *inp, const float *gamma, const float *beta,
                                    int N, int C, int S, float decay, float eps);
    void (*batchnorm_forward_eval)(ops_backend *be, int layout, float *out, const float *inp,
                                   const float *running_mean, const float *running_var,
                                   const float *gamma, const float *beta, int N, int C, int S,
                                   float eps);
    void (*batchnorm_backward)(ops_backend *be, int layout, float *dinp, float *dgamma,
                               float *dbeta, const float *dout, const float *inp,
                               const float *mean, const float *rstd, const float *gamma, int N,
                               int C, int S);
    /* optional (NULL: never fused); may return -1 for a call it does not fuse */
    int (*batchnorm_act_forward_train)(ops_backend *be, int layout, ops_activation act,
                                       float *out, float *mean, float *rstd, float *running_mean,
                                       float *running_var, const float *inp, const float *gamma,
                                       const float *beta, int N, int C, int S, float decay,
                                       float eps);
    void (*batchnorm_update_moving)(ops_backend *be, float *running_mean, float *running_var,
                                    const float *mean, const float *rstd, int C, double M,
                                    float decay, float eps);
    /* activations */
    void (*activation_forward)(ops_backend *be, ops_activation a, float *out, const float *inp,
                               size_t n);
    void (*activation_backward)(ops_backend *be, ops_activation a, float *din,
                                const float *dout, const float *out, size_t n);
    /* concat, loss, optimiser */
    void (*cond_concat_forward)(ops_backend *be, float *out, const float *x, const float *y,
                                int N, int C, int H, int W, int Y);
    void (*cond_concat_backward)(ops_backend *be, float *dx, float *dy, const float *dout, int N,
                                 int C, int H, int W, int Y);
    float (*sigmoid_xent_forward)(ops_backend *be, const float *logits, float target, size_t n);
    void (*sigmoid_xent_backward)(ops_backend *be, float *dlogits, const float *logits,
                                  float target, float scale, size_t n);
    void (*adam_update)(ops_backend *be, float *param, const float *grad, float *m, float *v,
                        size_t n, long t, const adam_config *cfg);
    /* reports */
    int (*gemm_peaks)(ops_backend *be, ops_gemm_peak *out, int max);
    /* optional (NULL: host backend, nothing to wait for / report / tune) */
    void (*synchronize)(ops_backend *be);
    void (*memory_stats)(ops_backend *be, size_t *held, size_t *peak, size_t *device_used);
    const char *(*description)(ops_backend *be);
    int (*tuning_load)(ops_backend *be, const char *path, dc_err *e);
    int (*tuning_save)(ops_backend *be, const char *path, dc_err *e);
    int (*conv_time_reorders)(ops_conv *c, double *seconds); /* NULL: cannot tell */
    /* optional (NULL: no inference path; callers run the layers one by one) */
    ops_infer *(*infer_create)(ops_backend *be, const ops_infer_layer *layers, int n_layers,
                               int batch, int y_dim);
    void (*infer_load)(ops_infer *p);
    void (*infer_run)(ops_infer *p, float *out, const float *inp, const float *y);
    void (*infer_free)(ops_infer *p);
};

#endif
