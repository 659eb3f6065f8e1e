/* Element-wise ops, the label concatenation, the loss and Adam: the formulas of the CPU
 * kernels (src/ops/cpu/), one thread per element in grid-stride loops. */
#include "ops/cuda/cuda_internal.h"
#include "ops/formulas.h"

#include <math.h>

#define BLOCK 256

#define FOR_EACH(i, n) \
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n); i += (size_t)gridDim.x * blockDim.x)

__global__ static void k_accumulate(float *d, const float *s, size_t n)
{
    FOR_EACH(i, n) d[i] += s[i];
}

void cuda_accumulate(ops_backend *be, float *dst, const float *src, size_t n)
{
    if (!n) return;
    k_accumulate<<<cuda_grid(n, BLOCK), BLOCK, 0, cuda_of(be)->stream>>>(dst, src, n);
    CUDA_LAUNCHED("accumulate");
}

__global__ static void k_all_finite(const float *x, size_t n, int *flag)
{
    int bad = 0;
    FOR_EACH(i, n) bad |= !isfinite(x[i]);
    if (__syncthreads_or(bad) && threadIdx.x == 0) *flag = 1;
}

int cuda_all_finite(ops_backend *be, const float *x, size_t n)
{
    cuda_backend *b = cuda_of(be);
    if (!n) return 1;
    CUDA_CHECK(cudaMemsetAsync(b->dflag, 0, sizeof(int), b->stream));
    k_all_finite<<<cuda_grid(n, BLOCK), BLOCK, 0, b->stream>>>(x, n, b->dflag);
    CUDA_LAUNCHED("all_finite");
    CUDA_CHECK(cudaMemcpyAsync(b->host_flag, b->dflag, sizeof(int), cudaMemcpyDeviceToHost, b->stream));
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
    return *b->host_flag == 0;
}

/* ---- activations ---- */
__device__ static inline float act_f(ops_activation a, float x)
{
    switch (a) {
    case OPS_RELU: return x > 0.0f ? x : 0.0f;
    case OPS_LRELU: return x > 0.0f ? x : LRELU_SLOPE * x;
    case OPS_TANH: return tanhf(x);
    case OPS_SIGMOID: {
        float e = expf(-fabsf(x));
        float s = 1.0f / (1.0f + e);
        return x >= 0.0f ? s : e * s;
    }
    }
    return x;
}

/* f'(x) from y = f(x) */
__device__ static inline float act_df(ops_activation a, float y)
{
    switch (a) {
    case OPS_RELU: return y > 0.0f ? 1.0f : 0.0f;
    case OPS_LRELU: return y > 0.0f ? 1.0f : LRELU_SLOPE;
    case OPS_TANH: return 1.0f - y * y;
    case OPS_SIGMOID: return y * (1.0f - y);
    }
    return 1.0f;
}

__global__ static void k_act_forward(ops_activation a, float *out, const float *inp, size_t n)
{
    FOR_EACH(i, n) out[i] = act_f(a, inp[i]);
}

void cuda_act_forward(ops_backend *be, ops_activation a, float *out, const float *inp, size_t n)
{
    if (!n) return;
    k_act_forward<<<cuda_grid(n, BLOCK), BLOCK, 0, cuda_of(be)->stream>>>(a, out, inp, n);
    CUDA_LAUNCHED("activation_forward");
}

__global__ static void k_act_backward(ops_activation a, float *din, const float *dout,
                                      const float *out, size_t n, int inplace)
{
    FOR_EACH(i, n)
    {
        const float y = out[i];
        /* relu zeroes rather than multiplies (0 * inf stays 0, as on the CPU) */
        float g;
        if (a == OPS_RELU) g = y > 0.0f ? dout[i] : 0.0f;
        else if (a == OPS_SIGMOID) g = dout[i] * y * (1.0f - y);
        else g = dout[i] * act_df(a, y);
        if (inplace) din[i] = g;
        else din[i] += g;
    }
}

void cuda_act_backward(ops_backend *be, ops_activation a, float *din, const float *dout,
                       const float *out, size_t n)
{
    if (!n) return;
    k_act_backward<<<cuda_grid(n, BLOCK), BLOCK, 0, cuda_of(be)->stream>>>(a, din, dout, out, n,
                                                                           din == dout);
    CUDA_LAUNCHED("activation_backward");
}

/* ---- conv_cond_concat ---- */
__global__ static void k_concat_forward(float *out, const float *x, const float *y, int C,
                                        size_t plane, int Y, size_t total)
{
    const size_t os = (size_t)(C + Y) * plane;
    FOR_EACH(i, total)
    {
        size_t n = i / os, r = i % os;
        size_t c = r / plane;
        out[i] = c < (size_t)C ? x[n * C * plane + r] : y[n * Y + (c - C)];
    }
}

void cuda_concat_forward(ops_backend *be, float *out, const float *x, const float *y, int N,
                         int C, int H, int W, int Y)
{
    size_t plane = (size_t)H * W, total = (size_t)N * (C + Y) * plane;
    if (!total) return;
    k_concat_forward<<<cuda_grid(total, BLOCK), BLOCK, 0, cuda_of(be)->stream>>>(out, x, y, C,
                                                                                 plane, Y, total);
    CUDA_LAUNCHED("cond_concat_forward");
}

__global__ static void k_concat_backward_x(float *dx, const float *dout, int C, size_t plane,
                                           int Y, size_t total)
{
    const size_t xs = (size_t)C * plane, os = (size_t)(C + Y) * plane;
    FOR_EACH(i, total)
    {
        size_t n = i / xs, r = i % xs;
        dx[i] += dout[n * os + r];
    }
}

/* One block per (n, j): the label plane's gradient summed in double. */
__global__ static void k_concat_backward_y(float *dy, const float *dout, int C, size_t plane, int Y)
{
    __shared__ double part[BLOCK];
    const int n = blockIdx.x / Y, j = blockIdx.x % Y;
    const float *p = dout + ((size_t)n * (C + Y) + C + j) * plane;
    double s = 0.0;
    for (size_t k = threadIdx.x; k < plane; k += blockDim.x) s += (double)p[k];
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w /= 2) {
        if ((int)threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) dy[(size_t)n * Y + j] += (float)part[0];
}

void cuda_concat_backward(ops_backend *be, float *dx, float *dy, const float *dout, int N, int C,
                          int H, int W, int Y)
{
    cudaStream_t st = cuda_of(be)->stream;
    size_t plane = (size_t)H * W;
    if (dx && C > 0) {
        size_t total = (size_t)N * C * plane;
        k_concat_backward_x<<<cuda_grid(total, BLOCK), BLOCK, 0, st>>>(dx, dout, C, plane, Y, total);
        CUDA_LAUNCHED("cond_concat_backward");
    }
    if (dy && Y > 0 && N > 0) {
        k_concat_backward_y<<<N * Y, BLOCK, 0, st>>>(dy, dout, C, plane, Y);
        CUDA_LAUNCHED("cond_concat_backward");
    }
}

/* ---- sigmoid cross-entropy with logits against a constant target ---- */
__global__ static void k_xent_forward(const float *logits, double t, size_t n, double *out)
{
    __shared__ double part[BLOCK];
    double acc = 0.0;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x) {
        double x = logits[i];
        acc += (x > 0.0 ? x : 0.0) - x * t + log1p(exp(-fabs(x)));
    }
    part[threadIdx.x] = acc;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w /= 2) {
        if ((int)threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) *out = part[0];
}

float cuda_xent_forward(ops_backend *be, const float *logits, float target, size_t n)
{
    cuda_backend *b = cuda_of(be);
    if (!n) return 0.0f;
    cuda_scratch_reserve(b, 1);
    k_xent_forward<<<1, BLOCK, 0, b->stream>>>(logits, (double)target, n, b->dsum);
    CUDA_LAUNCHED("sigmoid_xent_forward");
    CUDA_CHECK(cudaMemcpyAsync(b->host_sum, b->dsum, sizeof(double), cudaMemcpyDeviceToHost, b->stream));
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
    return (float)(b->host_sum[0] / (double)n);
}

__global__ static void k_xent_backward(float *dlogits, const float *logits, double t, double k,
                                       size_t n)
{
    FOR_EACH(i, n)
    {
        double x = logits[i];
        double e = exp(-fabs(x));
        double s = x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        dlogits[i] += (float)(k * (s - t));
    }
}

void cuda_xent_backward(ops_backend *be, float *dlogits, const float *logits, float target,
                        float scale, size_t n)
{
    if (!n) return;
    k_xent_backward<<<cuda_grid(n, BLOCK), BLOCK, 0, cuda_of(be)->stream>>>(
        dlogits, logits, (double)target, (double)scale / (double)n, n);
    CUDA_LAUNCHED("sigmoid_xent_backward");
}

/* ---- Adam, TensorFlow's update form; lr_t formed in double on the host as on the CPU ---- */
__global__ static void k_adam(float *param, const float *grad, float *m, float *v, size_t n,
                              float lr_t, float beta1, float beta2, float eps)
{
    FOR_EACH(i, n) adam_update_one(&param[i], &m[i], &v[i], grad[i], lr_t, beta1, beta2, eps);
}

void cuda_adam(ops_backend *be, float *param, const float *grad, float *m, float *v, size_t n,
               long t, const adam_config *cfg)
{
    DC_ASSERT(t >= 1, "adam step %ld: steps are 1-based", t);
    if (!n) return;
    const float lr_t = adam_step_size(cfg, t);
    k_adam<<<cuda_grid(n, BLOCK), BLOCK, 0, cuda_of(be)->stream>>>(param, grad, m, v, n, lr_t,
                                                                   cfg->beta1, cfg->beta2, cfg->eps);
    CUDA_LAUNCHED("adam_update");
}

/* ---- bias per channel of (N, C, S) ---- */
__global__ static void k_add_bias(float *out, const float *inp, const float *bias, int C,
                                  size_t S, size_t total)
{
    FOR_EACH(i, total) out[i] = inp[i] + bias[(i / S) % C];
}

void cuda_add_bias(cuda_backend *b, float *out, const float *inp, const float *bias, int N, int C,
                   int S)
{
    size_t total = (size_t)N * C * S;
    if (!total) return;
    k_add_bias<<<cuda_grid(total, BLOCK), BLOCK, 0, b->stream>>>(out, inp, bias, C, (size_t)S, total);
    CUDA_LAUNCHED("add_bias");
}
