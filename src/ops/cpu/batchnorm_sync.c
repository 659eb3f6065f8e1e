/* Synchronised batch norm on the CPU (ops_set_batchnorm_sync): the per-channel sums are taken
 * locally, summed across the replicas, and the element loops then apply the global
 * statistics. The same double accumulations as batchnorm.c, in three phases:
 *   forward:  sum x -> replicas -> mean; sum (x-mean)^2, sum (x-mean) -> replicas -> var;
 *   backward: sum dy, sum dy*(x-mean) -> dgamma, dbeta from the local sums (the gradient
 *             all-reduce adds the replicas' up), dx's coefficients from the replicas' sums.
 * One code path serves both layouts: channel c's elements are N runs of S, run n starting at
 * chan_base(n) with stride `step` (1 for NCHW, 16 for nChw16c). */
#include "ops/cpu/batchnorm.h"

#include <stdlib.h>

#include "core/error.h"
#include "ops/cpu/batchnorm_channel.h"

#define BN_PAR_MIN 16384

typedef struct {
    int c16, C, S;
} bn_geom;

static size_t chan_base(const bn_geom *g, int n, int c)
{
    if (g->c16) return (((size_t)n * (g->C / 16) + c / 16) * g->S) * 16 + c % 16;
    return ((size_t)n * g->C + c) * g->S;
}

static int chan_step(const bn_geom *g) { return g->c16 ? 16 : 1; }

static void channel_sum(const bn_geom *g, const float *x, int N, int c, double *out)
{
    const int step = chan_step(g);
    double acc = 0.0;
    for (int n = 0; n < N; n++) {
        const float *p = x + chan_base(g, n, c);
        double a = 0.0;
#pragma omp simd reduction(+ : a)
        for (int s = 0; s < g->S; s++) a += (double)p[(size_t)s * step];
        acc += a;
    }
    *out = acc;
}

void batchnorm_forward_train_sync(const ops_replica_sum *rs, int c16, float *out, float *mean,
                                  float *rstd, float *running_mean, float *running_var,
                                  const float *inp, const float *gamma, const float *beta, int N,
                                  int C, int S, float decay, float eps)
{
    const bn_geom g = {c16, C, S};
    const int step = chan_step(&g);
    const double M = (double)N * S * rs->replicas;
    const int par = (size_t)N * C * S >= BN_PAR_MIN && C > 1;
    double *acc = (double *)dc_calloc((size_t)3 * C, sizeof(double));
    double *mu = acc, *sq = acc + C, *sd = acc + 2 * C;
#pragma omp parallel for schedule(static) if (par)
    for (int c = 0; c < C; c++) channel_sum(&g, inp, N, c, &mu[c]);
    rs->sum(rs->ctx, mu, (size_t)C);
    for (int c = 0; c < C; c++) mu[c] /= M;
#pragma omp parallel for schedule(static) if (par)
    for (int c = 0; c < C; c++) {
        double q = 0.0, d1 = 0.0;
        for (int n = 0; n < N; n++) {
            const float *x = inp + chan_base(&g, n, c);
            double a = 0.0, b = 0.0;
#pragma omp simd reduction(+ : a, b)
            for (int s = 0; s < S; s++) {
                double d = (double)x[(size_t)s * step] - mu[c];
                a += d * d;
                b += d;
            }
            q += a;
            d1 += b;
        }
        sq[c] = q;
        sd[c] = d1;
    }
    rs->sum(rs->ctx, sq, (size_t)2 * C);
#pragma omp parallel for schedule(static) if (par)
    for (int c = 0; c < C; c++) {
        double r = sq[c] - sd[c] * sd[c] / M;
        bn_affine a = bn_channel_train(c, mu[c], r > 0.0 ? r : 0.0, M, mean, rstd, running_mean,
                                       running_var, gamma, beta, decay, eps);
        for (int n = 0; n < N; n++) {
            const size_t b = chan_base(&g, n, c);
            const float *x = inp + b;
            float *y = out + b;
#pragma omp simd
            for (int s = 0; s < S; s++)
                y[(size_t)s * step] = ((x[(size_t)s * step] - a.mhi) - a.mlo) * a.scale + a.shift;
        }
    }
    free(acc);
}

void batchnorm_backward_sync(const ops_replica_sum *rs, int c16, float *dinp, float *dgamma,
                             float *dbeta, const float *dout, const float *inp, const float *mean,
                             const float *rstd, const float *gamma, int N, int C, int S)
{
    if (!dinp && !dgamma && !dbeta) return;
    const bn_geom g = {c16, C, S};
    const int step = chan_step(&g);
    const double M_local = (double)N * S, M = M_local * rs->replicas;
    const int par = (size_t)N * C * S >= BN_PAR_MIN && C > 1;
    double *acc = (double *)dc_calloc((size_t)2 * C, sizeof(double));
    double *sdy = acc, *sdyd = acc + C;
#pragma omp parallel for schedule(static) if (par)
    for (int c = 0; c < C; c++) {
        const float mu = mean[c];
        double a1 = 0.0, b1 = 0.0;
        for (int n = 0; n < N; n++) {
            const size_t base = chan_base(&g, n, c);
            const float *x = inp + base, *dy = dout + base;
            double a = 0.0, b = 0.0;
#pragma omp simd reduction(+ : a, b)
            for (int s = 0; s < S; s++) {
                a += (double)dy[(size_t)s * step];
                b += (double)dy[(size_t)s * step] * (double)(x[(size_t)s * step] - mu);
            }
            a1 += a;
            b1 += b;
        }
        sdy[c] = a1;
        sdyd[c] = b1;
        bn_channel_grad(c, a1, b1, M_local, rstd, gamma, dgamma, dbeta);
    }
    /* no input gradient wanted: nothing needs the other replicas' sums (every replica takes
     * the same branch, so the collectives still pair up) */
    if (dinp) {
        rs->sum(rs->ctx, acc, (size_t)2 * C);
#pragma omp parallel for schedule(static) if (par)
        for (int c = 0; c < C; c++) {
            const float mu = mean[c];
            bn_grad k = bn_channel_grad(c, sdy[c], sdyd[c], M, rstd, gamma, NULL, NULL);
            for (int n = 0; n < N; n++) {
                const size_t base = chan_base(&g, n, c);
                const float *x = inp + base, *dy = dout + base;
                float *dx = dinp + base;
#pragma omp simd
                for (int s = 0; s < S; s++)
                    dx[(size_t)s * step] += k.k1 * dy[(size_t)s * step] +
                                            k.k2 * (x[(size_t)s * step] - mu) + k.k3;
            }
        }
    }
    free(acc);
}
