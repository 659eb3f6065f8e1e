/* Synchronised batch norm on the CPU (ops_set_batchnorm_sync): the per-channel sums are taken
 * locally, summed across the replicas, and the element loops then apply the global
 * statistics. The same double accumulations as batchnorm.c, in three phases:
 *   forward:  sum x -> replicas -> mean; sum (x-mean)^2, sum (x-mean) -> replicas -> var;
 *   backward: sum dy, sum dy*(x-mean) -> dgamma, dbeta from the local sums (the gradient
 *             all-reduce adds the replicas' up), dx's coefficients from the replicas' sums.
 *
 * Every layout is viewed as (N, CB, S, L) with channel c = cb*L + l: NCHW maps as L = 1 (a
 * contiguous run of S per channel, reduced with `omp simd`), nChw16c as L = 16 and (N, C)
 * features as CB = 1, S = 1, L = C (lanes along the row). With L > 1 the loops run across the
 * lanes, so they vectorise in every layout. Blocks cb are shared among the threads; each
 * writes only its own channels. */
#include "ops/cpu/batchnorm.h"

#include <stdlib.h>

#include "core/error.h"
#include "ops/formulas.h"

#define BN_PAR_MIN 16384

typedef struct {
    int N, CB, S, L;
    int par; /* worth threads */
} bn_shape;

static bn_shape shape_of(int c16, int N, int C, int S)
{
    bn_shape sh = {N, C, S, 1, 0};
    if (c16) sh.CB = C / 16, sh.L = 16;
    else if (S == 1) sh.CB = 1, sh.L = C;
    sh.par = (size_t)N * C * S >= BN_PAR_MIN && sh.CB > 1;
    return sh;
}

/* offset of element (n, cb, s, 0) */
static size_t at(const bn_shape *sh, int n, int cb, int s)
{
    return (((size_t)n * sh->CB + cb) * sh->S + s) * sh->L;
}

/* a[c] = sum x; with mu: a[c] = sum (x - mu)^2, b[c] = sum (x - mu) */
static void channel_sums(const bn_shape *sh, const float *x, const double *mu, double *a,
                         double *b)
{
    const int L = sh->L;
#pragma omp parallel for schedule(static) if (sh->par)
    for (int cb = 0; cb < sh->CB; cb++) {
        double *ac = a + (size_t)cb * L, *bc = b ? b + (size_t)cb * L : NULL;
        const double *m = mu ? mu + (size_t)cb * L : NULL;
        for (int l = 0; l < L; l++) ac[l] = 0.0;
        if (bc) for (int l = 0; l < L; l++) bc[l] = 0.0;
        for (int n = 0; n < sh->N; n++) {
            const float *p = x + at(sh, n, cb, 0);
            if (L == 1) {
                double s1 = 0.0, s2 = 0.0;
                const double m0 = m ? m[0] : 0.0;
                if (!m) {
#pragma omp simd reduction(+ : s1)
                    for (int s = 0; s < sh->S; s++) s1 += (double)p[s];
                    ac[0] += s1;
                } else {
#pragma omp simd reduction(+ : s1, s2)
                    for (int s = 0; s < sh->S; s++) {
                        double d = (double)p[s] - m0;
                        s1 += d * d;
                        s2 += d;
                    }
                    ac[0] += s1;
                    bc[0] += s2;
                }
                continue;
            }
            for (int s = 0; s < sh->S; s++, p += L) {
                if (!m) {
#pragma omp simd
                    for (int l = 0; l < L; l++) ac[l] += (double)p[l];
                } else {
#pragma omp simd
                    for (int l = 0; l < L; l++) {
                        double d = (double)p[l] - m[l];
                        ac[l] += d * d;
                        bc[l] += d;
                    }
                }
            }
        }
    }
}

/* a[c] = sum dy, b[c] = sum dy*(x - mean) */
static void grad_sums(const bn_shape *sh, const float *x, const float *dy, const float *mean,
                      double *a, double *b)
{
    const int L = sh->L;
#pragma omp parallel for schedule(static) if (sh->par)
    for (int cb = 0; cb < sh->CB; cb++) {
        double *ac = a + (size_t)cb * L, *bc = b + (size_t)cb * L;
        const float *m = mean + (size_t)cb * L;
        for (int l = 0; l < L; l++) ac[l] = bc[l] = 0.0;
        for (int n = 0; n < sh->N; n++) {
            const size_t o = at(sh, n, cb, 0);
            const float *px = x + o, *pd = dy + o;
            if (L == 1) {
                double s1 = 0.0, s2 = 0.0;
                const float m0 = m[0];
#pragma omp simd reduction(+ : s1, s2)
                for (int s = 0; s < sh->S; s++) {
                    s1 += (double)pd[s];
                    s2 += (double)pd[s] * (double)(px[s] - m0);
                }
                ac[0] += s1;
                bc[0] += s2;
                continue;
            }
            for (int s = 0; s < sh->S; s++, px += L, pd += L)
#pragma omp simd
                for (int l = 0; l < L; l++) {
                    ac[l] += (double)pd[l];
                    bc[l] += (double)pd[l] * (double)(px[l] - m[l]);
                }
        }
    }
}

/* Per channel c, with the coefficients a, b, c, d:
 *   forward (dy NULL): out = ((x - a) - b) * c + d   (a + b the mean as hi + lo, c the scale,
 *                                                     d the shift);
 *   backward:          out += a * dy + b * (x - d) + c   (a, b, c: k1, k2, k3; d the mean). */
static void apply(const bn_shape *sh, float *out, const float *x, const float *dy,
                  const float *p1, const float *p2, const float *p3, const float *p4)
{
    const int L = sh->L;
#pragma omp parallel for schedule(static) if (sh->par)
    for (int cb = 0; cb < sh->CB; cb++) {
        const size_t c0 = (size_t)cb * L;
        const float *a = p1 + c0, *b = p2 + c0, *c = p3 + c0, *d = p4 + c0;
        for (int n = 0; n < sh->N; n++) {
            const size_t o = at(sh, n, cb, 0);
            const float *px = x + o, *pd = dy ? dy + o : NULL;
            float *py = out + o;
            if (L == 1) { /* one channel's run of S */
                const float a0 = a[0], b0 = b[0], c0 = c[0], d0 = d[0];
                if (!pd) {
#pragma omp simd
                    for (int i = 0; i < sh->S; i++) py[i] = ((px[i] - a0) - b0) * c0 + d0;
                } else {
#pragma omp simd
                    for (int i = 0; i < sh->S; i++) py[i] += a0 * pd[i] + b0 * (px[i] - d0) + c0;
                }
                continue;
            }
            for (int r = 0; r < sh->S; r++, px += L, py += L) { /* S rows of L lanes */
                if (!pd) {
#pragma omp simd
                    for (int l = 0; l < L; l++) py[l] = ((px[l] - a[l]) - b[l]) * c[l] + d[l];
                } else {
#pragma omp simd
                    for (int l = 0; l < L; l++) py[l] += a[l] * pd[l] + b[l] * (px[l] - d[l]) + c[l];
                    pd += L;
                }
            }
        }
    }
}

void batchnorm_forward_train_sync(const ops_replica_sum *rs, int c16, float *out, float *mean,
                                  float *rstd, float *running_mean, float *running_var,
                                  const float *inp, const float *gamma, const float *beta, int N,
                                  int C, int S, float decay, float eps)
{
    const bn_shape sh = shape_of(c16, N, C, S);
    const double M = (double)N * S * rs->replicas;
    double *acc = (double *)dc_calloc((size_t)3 * C, sizeof(double));
    double *mu = acc, *sq = acc + C, *sd = acc + 2 * C;
    float *f = dc_alloc_floats((size_t)4 * C);
    float *mhi = f, *mlo = f + C, *scale = f + 2 * C, *shift = f + 3 * C;
    channel_sums(&sh, inp, NULL, mu, NULL);
    rs->sum(rs->ctx, mu, (size_t)C);
    for (int c = 0; c < C; c++) mu[c] /= M;
    channel_sums(&sh, inp, mu, sq, sd);
    rs->sum(rs->ctx, sq, (size_t)2 * C);
    for (int c = 0; c < C; c++) {
        double r = sq[c] - sd[c] * sd[c] / M;
        bn_affine a = bn_channel_train(c, mu[c], r > 0.0 ? r : 0.0, M, mean, rstd, running_mean,
                                       running_var, gamma, beta, decay, eps);
        mhi[c] = a.mhi, mlo[c] = a.mlo, scale[c] = a.scale, shift[c] = a.shift;
    }
    apply(&sh, out, inp, NULL, mhi, mlo, scale, shift);
    free(acc);
    free(f);
}

void batchnorm_backward_sync(const ops_replica_sum *rs, int c16, float *dinp, float *dgamma,
                             float *dbeta, const float *dout, const float *inp, const float *mean,
                             const float *rstd, const float *gamma, int N, int C, int S)
{
    if (!dinp && !dgamma && !dbeta) return;
    const bn_shape sh = shape_of(c16, N, C, S);
    const double M = (double)N * S * rs->replicas;
    double *acc = (double *)dc_calloc((size_t)2 * C, sizeof(double));
    double *sdy = acc, *sdyd = acc + C;
    grad_sums(&sh, inp, dout, mean, sdy, sdyd);
    for (int c = 0; c < C; c++) bn_channel_grad(c, sdy[c], sdyd[c], M, rstd, gamma, dgamma, dbeta);
    /* no input gradient wanted: nothing needs the other replicas' sums (every replica takes
     * the same branch, so the collectives still pair up) */
    if (dinp) {
        rs->sum(rs->ctx, acc, (size_t)2 * C);
        float *f = dc_alloc_floats((size_t)3 * C);
        float *k1 = f, *k2 = f + C, *k3 = f + 2 * C;
        for (int c = 0; c < C; c++) {
            bn_grad k = bn_channel_grad(c, sdy[c], sdyd[c], M, rstd, gamma, NULL, NULL);
            k1[c] = k.k1, k2[c] = k.k2, k3[c] = k.k3;
        }
        apply(&sh, dinp, inp, dout, k1, k2, k3, mean);
        free(f);
    }
    free(acc);
}
