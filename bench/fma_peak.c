/* The machine's fused-multiply-add ceiling: every thread runs 12 independent chains of 16-lane
 * float FMAs (AVX-512) in registers, no memory traffic, and the best of 5 runs is printed as
 * GFLOP/s (2 FLOPs per lane per FMA). No GEMM or convolution can run faster than this on the
 * same cores, so it bounds what any program's speed-up over another can be: docs/performance.md
 * sets our training and generation rates against it.
 *
 *   gcc -O3 -march=native -fopenmp bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
 *   OMP_NUM_THREADS=1 /tmp/fma_peak
 */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>

#define CHAINS 12

int main(void)
{
    const long iters = 200000000 / 16;
    double best = 0;
    int threads = 1;
    float sink = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t = omp_get_wtime();
#pragma omp parallel reduction(+ : sink)
        {
#pragma omp single
            threads = omp_get_num_threads();
            __m512 a[CHAINS];
            for (int k = 0; k < CHAINS; k++) a[k] = _mm512_set1_ps(1.0f + (float)k * 1e-3f);
            const __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
            for (long i = 0; i < iters; i++)
                for (int k = 0; k < CHAINS; k++) a[k] = _mm512_fmadd_ps(a[k], b, c);
            __m512 s = a[0];
            for (int k = 1; k < CHAINS; k++) s = _mm512_add_ps(s, a[k]);
            sink += _mm512_reduce_add_ps(s); /* keeps the chains live */
        }
        t = omp_get_wtime() - t;
        double g = 2.0 * 16 * CHAINS * (double)iters * threads / t / 1e9;
        if (g > best) best = g;
    }
    printf("fma peak: %.1f GFLOP/s on %d threads (checksum %g)\n", best, threads, (double)sink);
    return 0;
}
