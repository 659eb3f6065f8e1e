/* Linear layers on cuBLAS (fp32, no TF32), and the sgemm peak for reports. Row-major (N, IN)
 * activations are column-major (IN, N) matrices to cuBLAS, so each product below is the
 * CPU's (src/ops/cpu/linear.c) transposed. */
#include "ops/cuda/cuda_internal.h"

#include <chrono>

__global__ static void k_fill_rows(float *out, const float *bias, int N, int OUT)
{
    size_t total = (size_t)N * OUT;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total;
         i += (size_t)gridDim.x * blockDim.x)
        out[i] = bias[i % OUT];
}

void cuda_linear_forward(ops_backend *be, float *out, const float *inp, const float *weight,
                         const float *bias, int N, int IN, int OUT)
{
    cuda_backend *b = cuda_of(be);
    if (bias) {
        size_t total = (size_t)N * OUT;
        k_fill_rows<<<cuda_grid(total, 256), 256, 0, b->stream>>>(out, bias, N, OUT);
        CUDA_LAUNCHED("linear_forward");
    }
    const float one = 1.0f, zero = 0.0f;
    /* out^T (OUT,N) = W (OUT,IN) @ inp^T (IN,N) [+ out^T] */
    CUBLAS_CHECK(cublasSgemm(b->blas, CUBLAS_OP_T, CUBLAS_OP_N, OUT, N, IN, &one, weight, IN, inp,
                             IN, bias ? &one : &zero, out, OUT));
}

/* dbias[o] += sum over n of dout[n][o], in double; one thread per output */
__global__ static void k_col_sum_add(float *acc, const float *x, int N, int OUT)
{
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= OUT) return;
    double s = 0.0;
    for (int n = 0; n < N; n++) s += (double)x[(size_t)n * OUT + o];
    acc[o] += (float)s;
}

void cuda_linear_backward(ops_backend *be, float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight, int N,
                          int IN, int OUT)
{
    cuda_backend *b = cuda_of(be);
    const float one = 1.0f;
    if (dinp) /* dinp^T (IN,N) += W^T (IN,OUT) @ dout^T (OUT,N) */
        CUBLAS_CHECK(cublasSgemm(b->blas, CUBLAS_OP_N, CUBLAS_OP_N, IN, N, OUT, &one, weight, IN,
                                 dout, OUT, &one, dinp, IN));
    if (dweight) /* dW^T (IN,OUT) += inp^T (IN,N) @ dout (N,OUT) */
        CUBLAS_CHECK(cublasSgemm(b->blas, CUBLAS_OP_N, CUBLAS_OP_T, IN, OUT, N, &one, inp, IN,
                                 dout, OUT, &one, dweight, IN));
    if (dbias) {
        k_col_sum_add<<<(OUT + 255) / 256, 256, 0, b->stream>>>(dbias, dout, N, OUT);
        CUDA_LAUNCHED("linear_backward");
    }
}

/* Best of a few 4096^3 sgemms after a warm-up, GFLOP/s. */
int cuda_gemm_peaks(ops_backend *be, ops_gemm_peak *out, int max)
{
    if (max < 1) return 0;
    cuda_backend *b = cuda_of(be);
    const int n = 4096;
    float *a = (float *)b->base.vt->alloc(be, (size_t)n * n);
    float *bb = (float *)b->base.vt->alloc(be, (size_t)n * n);
    float *c = (float *)b->base.vt->alloc(be, (size_t)n * n);
    const float one = 1.0f, zero = 0.0f;
    double best = 0.0;
    for (int rep = 0; rep < 6; rep++) {
        CUDA_CHECK(cudaStreamSynchronize(b->stream));
        auto t0 = std::chrono::steady_clock::now();
        CUBLAS_CHECK(cublasSgemm(b->blas, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, n, bb, n,
                                 &zero, c, n));
        CUDA_CHECK(cudaStreamSynchronize(b->stream));
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double g = 2.0 * n * (double)n * n / s / 1e9;
        if (rep > 0 && g > best) best = g;
    }
    b->base.vt->free(be, a);
    b->base.vt->free(be, bb);
    b->base.vt->free(be, c);
    out[0] = {"cuBLAS", best};
    return 1;
}
