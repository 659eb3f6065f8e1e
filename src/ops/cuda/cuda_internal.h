/* The CUDA backend's shared state and helpers. Private to src/ops/cuda/ (CUDA C++). */
#ifndef DCGAN_OPS_CUDA_INTERNAL_H
#define DCGAN_OPS_CUDA_INTERNAL_H

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

extern "C" {
#include "ops/ops_backend.h"
}

/* One benchmarked cuDNN choice: which algorithm (and math type) runs a convolution direction
 * on one shape, and the workspace it needs. */
typedef struct {
    char key[160];
    int algo, math;
    size_t workspace;
} cuda_tune_entry;

typedef struct {
    void *p;
    size_t bytes;
} cuda_block;

typedef struct {
    ops_backend base;
    int device;
    char description[256];
    cudaStream_t stream;
    cublasHandle_t blas;
    cudnnHandle_t dnn;
    /* cuDNN workspace, shared by every convolution (one stream: one user at a time) */
    void *workspace;
    size_t workspace_bytes;
    /* small scratch: per-channel double sums (bn, loss) and a flag, on the device and pinned
     * on the host for the few results that come back */
    double *dsum;
    size_t dsum_n;
    double *host_sum; /* pinned, dsum_n doubles */
    int *dflag, *host_flag;
    /* allocations, for the memory report */
    cuda_block *blocks;
    size_t n_blocks, cap_blocks;
    size_t held, peak;
    /* benchmarked algorithm choices (ops_tuning_load/save) */
    cuda_tune_entry *tune;
    int n_tune, cap_tune, tune_dirty;
} cuda_backend;

static inline cuda_backend *cuda_of(ops_backend *be) { return (cuda_backend *)be; }

/* Fatal errors: an error from the CUDA runtime, cuBLAS or cuDNN in the middle of a step leaves
 * the device in an unknown state; the message names the call, and the process exits 1 (what
 * was saved stays saved). */
void cuda_die(const char *what, const char *detail);
#define CUDA_CHECK(call)                                                        \
    do {                                                                        \
        cudaError_t err_ = (call);                                              \
        if (err_ != cudaSuccess) cuda_die(#call, cudaGetErrorString(err_));     \
    } while (0)
#define CUBLAS_CHECK(call)                                                      \
    do {                                                                        \
        cublasStatus_t st_ = (call);                                            \
        if (st_ != CUBLAS_STATUS_SUCCESS) cuda_die(#call, cublasGetStatusString(st_)); \
    } while (0)
#define CUDNN_CHECK(call)                                                       \
    do {                                                                        \
        cudnnStatus_t st_ = (call);                                             \
        if (st_ != CUDNN_STATUS_SUCCESS) cuda_die(#call, cudnnGetErrorString(st_)); \
    } while (0)
/* After a kernel launch: launch errors (bad configuration) surface here. */
#define CUDA_LAUNCHED(name) CUDA_CHECK(cudaPeekAtLastError())

/* Grid for a grid-stride loop over n elements. */
static inline unsigned cuda_grid(size_t n, unsigned block)
{
    size_t g = (n + block - 1) / block;
    if (g < 1) g = 1;
    if (g > 65535u * 4) g = 65535u * 4;
    return (unsigned)g;
}

/* The workspace grown to at least bytes (synchronises when it grows). */
void *cuda_workspace(cuda_backend *b, size_t bytes);
/* At least n device doubles of scratch (dsum) and as many pinned host doubles. */
void cuda_scratch_reserve(cuda_backend *b, size_t n);

/* Algorithm choices (tuning.cu). */
const cuda_tune_entry *cuda_tune_find(cuda_backend *b, const char *key);
void cuda_tune_add(cuda_backend *b, const char *key, int algo, int math, size_t workspace);
int cuda_tuning_load(ops_backend *be, const char *path, dc_err *e);
int cuda_tuning_save(ops_backend *be, const char *path, dc_err *e);

/* The op tables of each file, filled into the vtable by cuda_backend.cu. */
ops_conv *cuda_conv_create(ops_backend *be, const conv_geom *g, int transpose);
void cuda_conv_free(ops_conv *c);
size_t cuda_conv_workspace_floats(const ops_conv *c);
int cuda_conv_native_layout(const ops_conv *c, int map_side);
int cuda_conv_set_layout(ops_conv *c, int img_layout, int map_layout);
const char *cuda_conv_engine(const ops_conv *c);
void cuda_conv_forward(const ops_conv *c, float *out, const float *inp, const float *weight,
                       const float *bias, float *work);
void cuda_conv_backward(const ops_conv *c, float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        int dinp_overwrite, float *work);

void cuda_linear_forward(ops_backend *be, float *out, const float *inp, const float *weight,
                         const float *bias, int N, int IN, int OUT);
void cuda_linear_backward(ops_backend *be, float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight, int N,
                          int IN, int OUT);
int cuda_gemm_peaks(ops_backend *be, ops_gemm_peak *out, int max);

void cuda_bn_train(ops_backend *be, int layout, float *out, float *mean, float *rstd,
                   float *running_mean, float *running_var, const float *inp,
                   const float *gamma, const float *beta, int N, int C, int S, float decay,
                   float eps);
void cuda_bn_eval(ops_backend *be, int layout, float *out, const float *inp,
                  const float *running_mean, const float *running_var, const float *gamma,
                  const float *beta, int N, int C, int S, float eps);
void cuda_bn_backward(ops_backend *be, int layout, float *dinp, float *dgamma, float *dbeta,
                      const float *dout, const float *inp, const float *mean, const float *rstd,
                      const float *gamma, int N, int C, int S);
void cuda_bn_update_moving(ops_backend *be, float *running_mean, float *running_var,
                           const float *mean, const float *rstd, int C, double M, float decay,
                           float eps);
/* sum over (N, S) of x viewed as (N, C, S), added into acc (C floats); the conv bias grads */
void cuda_channel_sum_add(cuda_backend *b, float *acc, const float *x, int N, int C, int S);

void cuda_accumulate(ops_backend *be, float *dst, const float *src, size_t n);
int cuda_all_finite(ops_backend *be, const float *x, size_t n);
void cuda_act_forward(ops_backend *be, ops_activation a, float *out, const float *inp, size_t n);
void cuda_act_backward(ops_backend *be, ops_activation a, float *din, const float *dout,
                       const float *out, size_t n);
void cuda_concat_forward(ops_backend *be, float *out, const float *x, const float *y, int N,
                         int C, int H, int W, int Y);
void cuda_concat_backward(ops_backend *be, float *dx, float *dy, const float *dout, int N, int C,
                          int H, int W, int Y);
float cuda_xent_forward(ops_backend *be, const float *logits, float target, size_t n);
void cuda_xent_backward(ops_backend *be, float *dlogits, const float *logits, float target,
                        float scale, size_t n);
void cuda_adam(ops_backend *be, float *param, const float *grad, float *m, float *v, size_t n,
               long t, const adam_config *cfg);
/* out (N,C,S) = inp + bias[c] (out may be inp) */
void cuda_add_bias(cuda_backend *b, float *out, const float *inp, const float *bias, int N, int C,
                   int S);

#endif
