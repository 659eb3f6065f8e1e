#include "ops/cpu/linear.h"

#include <cblas.h>
#include <dnnl.h>
#include <stdint.h>
#include <stdlib.h>
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

/* out (N,OUT) = t (OUT,N)^T + bias, in blocks of 64 outputs so that the 64 rows of t being read
 * stay in L1 while the batch is walked. */
static void transpose_add_bias(float *out, const float *t, const float *bias, int N, int OUT)
{
#pragma omp parallel for schedule(static) if ((size_t)N * OUT >= 65536)
    for (int o0 = 0; o0 < OUT; o0 += 64) {
        const int o1 = OUT - o0 < 64 ? OUT : o0 + 64;
        for (int n = 0; n < N; n++) {
            float *row = out + (size_t)n * OUT;
            for (int o = o0; o < o1; o++) row[o] = t[(size_t)o * N + n] + (bias ? bias[o] : 0.0f);
        }
    }
}

void linear_forward(float *out, const float *inp, const float *weight, const float *bias, int N,
                    int IN, int OUT, gemm_lib lib)
{
    DC_ASSERT(out && inp && weight, "linear_forward: NULL argument");
    DC_ASSERT(N > 0 && IN > 0 && OUT > 0, "linear_forward: bad sizes %d %d %d", N, IN, OUT);
    if (lib == GEMM_ONEDNN && (size_t)N * OUT >= 16384 && IN >= 512) {
        /* oneDNN's sgemm is slow on inp @ weight^T (67-155 GFLOP/s on the mnist model's layers,
         * where weight @ inp^T runs at 160-195): compute out^T, then transpose it. */
        float *t = dc_alloc_floats((size_t)OUT * N);
        sgemm(lib, 0, 1, OUT, N, IN, 1.0f, weight, IN, inp, IN, 0.0f, t, N);
        transpose_add_bias(out, t, bias, N, OUT);
        free(t);
        return;
    }
    if (bias) {
        for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OUT, bias, sizeof(float) * OUT);
    }
    /* out (N,OUT) = inp (N,IN) @ weight^T (IN,OUT) [+ out] */
    sgemm(lib, 0, 1, N, OUT, IN, 1.0f, inp, IN, weight, IN, bias ? 1.0f : 0.0f, out, OUT);
}

void linear_forward_wt(float *out, const float *inp, const float *wt, const float *bias, int N,
                       int IN, int OUT, gemm_lib lib)
{
    DC_ASSERT(out && inp && wt, "linear_forward_wt: NULL argument");
    DC_ASSERT(N > 0 && IN > 0 && OUT > 0, "linear_forward_wt: bad sizes %d %d %d", N, IN, OUT);
    if (bias) {
        for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OUT, bias, sizeof(float) * OUT);
    }
    sgemm(lib, 0, 0, N, OUT, IN, 1.0f, inp, IN, wt, OUT, bias ? 1.0f : 0.0f, out, OUT);
}

void linear_transpose_weight(float *wt, const float *weight, int IN, int OUT)
{
    /* 32x32 tiles: both sides' rows stay in cache while a tile is copied */
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)IN * OUT >= 65536)
    for (int o0 = 0; o0 < OUT; o0 += 32)
        for (int i0 = 0; i0 < IN; i0 += 32)
            for (int o = o0; o < OUT && o < o0 + 32; o++)
                for (int i = i0; i < IN && i < i0 + 32; i++)
                    wt[(size_t)i * OUT + o] = weight[(size_t)o * IN + i];
}

/* dbias (OUT) += column sums of dout (N,OUT), in double; row by row over blocks of outputs,
 * so dout is read contiguously. */
static void bias_backward(float *dbias, const float *dout, int N, int OUT)
{
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
        /* dweight (OUT,IN) += dout^T (OUT,N) @ inp (N,IN): OpenBLAS whatever the library of the
         * rest (190-200 GFLOP/s against oneDNN's 150-170 on this product with a short K) */
        sgemm(GEMM_OPENBLAS, 1, 0, OUT, IN, N, 1.0f, dout, OUT, inp, IN, 1.0f, dweight, IN);
    }
    if (dbias) bias_backward(dbias, dout, N, OUT);
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

/* ---- bf16 ---- */

struct linear_bf16 {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    uint16_t *buf; /* the two bf16 operands of one product */
    size_t cap;    /* elements */
};

linear_bf16 *linear_bf16_create(void)
{
    linear_bf16 *l = dc_calloc(1, sizeof *l);
    if (dnnl_engine_create(&l->engine, dnnl_cpu, 0) != dnnl_success ||
        dnnl_stream_create(&l->stream, l->engine, dnnl_stream_default_flags) != dnnl_success) {
        linear_bf16_free(l);
        return NULL;
    }
    return l;
}

void linear_bf16_free(linear_bf16 *l)
{
    if (!l) return;
    if (l->stream) dnnl_stream_destroy(l->stream);
    if (l->engine) dnnl_engine_destroy(l->engine);
    free(l->buf);
    free(l);
}

/* Round to nearest even (oneDNN's own f32 -> bf16 rule); NaN stays a (quiet) NaN. */
static inline uint16_t bf16_round(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/* dst = bf16 of src (n elements, the same layout). */
static void to_bf16(uint16_t *dst, const float *src, size_t n)
{
#pragma omp parallel for schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++) dst[i] = bf16_round(src[i]);
}

/* Room for a (M,K) and a (K,N) bf16 operand; returns the first, *b the second. */
static uint16_t *operands(linear_bf16 *l, int M, int N, int K, uint16_t **b)
{
    size_t na = ((size_t)M * K + 31) / 32 * 32, need = na + (size_t)K * N;
    if (need > l->cap) {
        free(l->buf);
        l->buf = (uint16_t *)dc_alloc_floats((need + 1) / 2); /* 64-byte aligned */
        l->cap = need;
    }
    *b = l->buf + na;
    return l->buf;
}

/* A (rows, cols) matrix, row-major, or stored transposed (column-major) when trans. */
static int md_2d(dnnl_memory_desc_t *md, int rows, int cols, dnnl_data_type_t t, int trans)
{
    dnnl_dims_t dims = {rows, cols};
    return dnnl_memory_desc_init_by_tag(md, 2, dims, t, trans ? dnnl_ba : dnnl_ab) ==
                   dnnl_success ? 0 : -1;
}

/* C (M,N) = A (M,K) @ B (K,N), or C += A @ B when accumulate; A and B bf16 (each stored
 * transposed when ta / tb: oneDNN reads them in place, no copy), C f32 row-major. */
static void matmul_bf16(linear_bf16 *l, int M, int N, int K, const uint16_t *A, int ta,
                        const uint16_t *B, int tb, float *C, int accumulate)
{
    dnnl_memory_desc_t ma, mb, mc;
    dnnl_matmul_desc_t d;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t mem[3] = {0};
    int ok = !md_2d(&ma, M, K, dnnl_bf16, ta) && !md_2d(&mb, K, N, dnnl_bf16, tb) &&
             !md_2d(&mc, M, N, dnnl_f32, 0) &&
             dnnl_matmul_desc_init(&d, &ma, &mb, NULL, &mc) == dnnl_success &&
             dnnl_primitive_attr_create(&attr) == dnnl_success;
    if (ok && accumulate)
        ok = dnnl_post_ops_create(&po) == dnnl_success &&
             dnnl_post_ops_append_sum(po, 1.0f) == dnnl_success &&
             dnnl_primitive_attr_set_post_ops(attr, po) == dnnl_success;
    /* oneDNN's primitive cache makes the repeated creations cheap */
    ok = ok && dnnl_primitive_desc_create(&pd, &d, attr, l->engine, NULL) == dnnl_success &&
         dnnl_primitive_create(&prim, pd) == dnnl_success &&
         dnnl_memory_create(&mem[0], &ma, l->engine, (void *)A) == dnnl_success &&
         dnnl_memory_create(&mem[1], &mb, l->engine, (void *)B) == dnnl_success &&
         dnnl_memory_create(&mem[2], &mc, l->engine, C) == dnnl_success;
    if (ok) {
        dnnl_exec_arg_t args[3] = {
            {DNNL_ARG_SRC, mem[0]}, {DNNL_ARG_WEIGHTS, mem[1]}, {DNNL_ARG_DST, mem[2]}};
        ok = dnnl_primitive_execute(prim, l->stream, 3, args) == dnnl_success &&
             dnnl_stream_wait(l->stream) == dnnl_success;
    }
    for (int i = 0; i < 3; i++)
        if (mem[i]) dnnl_memory_destroy(mem[i]);
    if (prim) dnnl_primitive_destroy(prim);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
    DC_ASSERT(ok, "oneDNN bf16 matmul %dx%dx%d failed", M, N, K);
}

void linear_forward_bf16(linear_bf16 *l, float *out, const float *inp, const float *weight,
                         const float *bias, int N, int IN, int OUT)
{
    DC_ASSERT(l && out && inp && weight, "linear_forward_bf16: NULL argument");
    DC_ASSERT(N > 0 && IN > 0 && OUT > 0, "linear_forward_bf16: bad sizes %d %d %d", N, IN, OUT);
    uint16_t *b, *a = operands(l, N, OUT, IN, &b);
    to_bf16(a, inp, (size_t)N * IN);
    to_bf16(b, weight, (size_t)OUT * IN); /* (OUT,IN) row-major: weight^T stored transposed */
    if (bias)
        for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OUT, bias, sizeof(float) * OUT);
    matmul_bf16(l, N, OUT, IN, a, 0, b, 1, out, bias != NULL);
}

void linear_backward_bf16(linear_bf16 *l, float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight, int N, int IN,
                          int OUT)
{
    DC_ASSERT(l && dout, "linear_backward_bf16: NULL argument");
    DC_ASSERT(N > 0 && IN > 0 && OUT > 0, "linear_backward_bf16: bad sizes %d %d %d", N, IN, OUT);
    uint16_t *a, *b;
    if (dinp) {
        DC_ASSERT(weight, "linear_backward_bf16: dinp needs weight");
        /* dinp (N,IN) += dout (N,OUT) @ weight (OUT,IN) */
        a = operands(l, N, IN, OUT, &b);
        to_bf16(a, dout, (size_t)N * OUT);
        to_bf16(b, weight, (size_t)OUT * IN);
        matmul_bf16(l, N, IN, OUT, a, 0, b, 0, dinp, 1);
    }
    if (dweight) {
        DC_ASSERT(inp, "linear_backward_bf16: dweight needs inp");
        /* dweight (OUT,IN) += dout^T (OUT,N) @ inp (N,IN) */
        a = operands(l, OUT, IN, N, &b);
        to_bf16(a, dout, (size_t)N * OUT); /* (N,OUT) row-major: dout^T stored transposed */
        to_bf16(b, inp, (size_t)N * IN);
        matmul_bf16(l, OUT, IN, N, a, 1, b, 0, dweight, 1);
    }
    if (dbias) bias_backward(dbias, dout, N, OUT);
}
