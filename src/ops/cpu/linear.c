#include "ops/cpu/linear.h"

#include <cblas.h>
#include <dnnl.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/clock.h"

/* Row-major C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C. */
static void sgemm(gemm_lib lib, int ta, int tb, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (lib == GEMM_ONEDNN) {
        dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, A, lda, B,
                                      ldb, beta, C, ldc);
        DC_ASSERT(st == dnnl_success, "dnnl_sgemm failed: status %d", (int)st);
    } else {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    }
}

void linear_forward(float *out, const float *inp, const float *weight, const float *bias, int N,
                    int IN, int OUT, gemm_lib lib)
{
    DC_ASSERT(out && inp && weight, "linear_forward: NULL argument");
    DC_ASSERT(N > 0 && IN > 0 && OUT > 0, "linear_forward: bad sizes %d %d %d", N, IN, OUT);
    if (bias) {
        for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OUT, bias, sizeof(float) * OUT);
    }
    /* out (N,OUT) = inp (N,IN) @ weight^T (IN,OUT) [+ out] */
    sgemm(lib, 0, 1, N, OUT, IN, 1.0f, inp, IN, weight, IN, bias ? 1.0f : 0.0f, out, OUT);
}

void linear_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, int N, int IN, int OUT, gemm_lib lib)
{
    DC_ASSERT(dout, "linear_backward: NULL dout");
    DC_ASSERT(N > 0 && IN > 0 && OUT > 0, "linear_backward: bad sizes %d %d %d", N, IN, OUT);
    if (dinp) {
        DC_ASSERT(weight, "linear_backward: dinp needs weight");
        /* dinp (N,IN) += dout (N,OUT) @ weight (OUT,IN) */
        sgemm(lib, 0, 0, N, IN, OUT, 1.0f, dout, OUT, weight, IN, 1.0f, dinp, IN);
    }
    if (dweight) {
        DC_ASSERT(inp, "linear_backward: dweight needs inp");
        /* dweight (OUT,IN) += dout^T (OUT,N) @ inp (N,IN) */
        sgemm(lib, 1, 0, OUT, IN, N, 1.0f, dout, OUT, inp, IN, 1.0f, dweight, IN);
    }
    if (dbias) {
        /* Row by row over blocks of outputs, so dout is read contiguously. */
        enum { BLK = 256 };
        for (int o0 = 0; o0 < OUT; o0 += BLK) {
            const int m = OUT - o0 < BLK ? OUT - o0 : BLK;
            double acc[BLK];
            for (int j = 0; j < m; j++) acc[j] = 0.0;
            for (int n = 0; n < N; n++) {
                const float *row = dout + (size_t)n * OUT + o0;
                for (int j = 0; j < m; j++) acc[j] += row[j];
            }
            for (int j = 0; j < m; j++) dbias[o0 + j] += (float)acc[j];
        }
    }
}

double linear_sgemm_peak(gemm_lib lib)
{
    const int n = 1536;
    float *a = dc_alloc_floats((size_t)n * n), *b = dc_alloc_floats((size_t)n * n),
          *c = dc_alloc_floats((size_t)n * n);
    rng_state r;
    rng_init(&r, 7);
    rng_uniform(&r, a, (size_t)n * n, -1, 1);
    rng_uniform(&r, b, (size_t)n * n, -1, 1);
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t = clock_seconds();
        if (lib == GEMM_ONEDNN)
            dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n,
                        0.0f, c, n);
        double g = 2.0 * n * n * (double)n / (clock_seconds() - t) / 1e9;
        if (rep > 0 && g > best) best = g; /* the first warms caches and JIT */
    }
    free(a);
    free(b);
    free(c);
    return best;
}
