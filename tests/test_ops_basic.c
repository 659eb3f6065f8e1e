/* Unit tests of the element-wise / normalisation / optimiser / RNG ops, independent of PyTorch:
 * properties, hand computations in double, and central finite differences of double-precision
 * reference forwards. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/cpu/activation.h"
#include "ops/cpu/adam.h"
#include "ops/cpu/batchnorm.h"
#include "ops/cpu/concat.h"
#include "ops/cpu/loss.h"
#include "ops/ops.h"
#include "core/rng.h"
#include "testutil.h"

/* The reference's constants, written here rather than taken from ops/ops.h, so that a changed
 * constant fails (DCGAN-tensorflow's ops.py: batch_norm(epsilon=1e-5, momentum=0.9),
 * lrelu(leak=0.2)). */
#define REF_BN_EPS 1e-5
#define REF_BN_DECAY 0.9
#define REF_LRELU_LEAK 0.2f

/* ---- small deterministic helpers (independent of core/rng) ---- */

static uint64_t g_lcg = 0x243F6A8885A308D3ull;
static double frand(void) /* [0,1) */
{
    g_lcg = g_lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(g_lcg >> 11) * 0x1p-53;
}
static float frange(double lo, double hi) { return (float)(lo + (hi - lo) * frand()); }
static float *fvec(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    if (!p) abort();
    return p;
}
static double *dvec(size_t n)
{
    double *p = calloc(n ? n : 1, sizeof(double));
    if (!p) abort();
    return p;
}

/* ---- batchnorm ---- */

/* Double reference of the training forward; L = sum(w * out). */
static void bn_ref_forward(double *out, double *mean, double *var, const double *x,
                           const double *gamma, const double *beta, int N, int C, int S,
                           double eps)
{
    double M = (double)N * S;
    for (int c = 0; c < C; c++) {
        double s = 0;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) s += x[((size_t)n * C + c) * S + k];
        double mu = s / M, q = 0;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                double d = x[((size_t)n * C + c) * S + k] - mu;
                q += d * d;
            }
        double v = q / M;
        if (mean) mean[c] = mu;
        if (var) var[c] = v;
        double rs = 1.0 / sqrt(v + eps);
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                size_t i = ((size_t)n * C + c) * S + k;
                out[i] = gamma[c] * (x[i] - mu) * rs + beta[c];
            }
    }
}

static double bn_ref_loss(const double *x, const double *gamma, const double *beta,
                          const double *w, int N, int C, int S, double eps, double *scratch)
{
    bn_ref_forward(scratch, NULL, NULL, x, gamma, beta, N, C, S, eps);
    double L = 0;
    for (size_t i = 0; i < (size_t)N * C * S; i++) L += w[i] * scratch[i];
    return L;
}

static void test_bn_forward_properties(void)
{
    const int N = 4, C = 3, S = 5;
    const size_t T = (size_t)N * C * S;
    const double M = (double)N * S;
    float *x = fvec(T), *y = fvec(T), *g = fvec(C), *b = fvec(C);
    float mean[3], rstd[3], rm[3], rv[3], rm0[3], rv0[3];
    for (size_t i = 0; i < T; i++) x[i] = frange(-2, 3) + (float)((i / S) % C); /* per-channel offset */
    for (int c = 0; c < C; c++) {
        g[c] = 1;
        b[c] = 0;
        rm0[c] = rm[c] = frange(-1, 1);
        rv0[c] = rv[c] = frange(0.5, 2);
    }
    batchnorm_forward_train(y, mean, rstd, rm, rv, x, g, b, N, C, S, BATCHNORM_DECAY,
                            BATCHNORM_EPS);
    float want_mean[3], want_rstd[3], want_rm[3], want_rv[3];
    for (int c = 0; c < C; c++) {
        double s = 0, q = 0, so = 0, qo = 0;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) s += x[((size_t)n * C + c) * S + k];
        double mu = s / M;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                size_t i = ((size_t)n * C + c) * S + k;
                q += (x[i] - mu) * (x[i] - mu);
                so += y[i];
            }
        double var = q / M, mo = so / M;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                double d = y[((size_t)n * C + c) * S + k] - mo;
                qo += d * d;
            }
        double vo = qo / M;
        TEST_CHECK(fabs(mo) < 1e-6, "bn out mean c=%d: %g", c, mo);
        double want_vo = var / (var + REF_BN_EPS);
        TEST_CHECK(fabs(vo - want_vo) < 1e-5, "bn out var c=%d: %.9g want %.9g", c, vo, want_vo);
        TEST_CHECK(fabs(vo - 1.0) < 1e-3, "bn out var c=%d ~ 1: %.9g", c, vo);
        want_mean[c] = (float)mu;
        want_rstd[c] = (float)(1.0 / sqrt(var + REF_BN_EPS));
        /* running stats: decay*old + (1-decay)*stat, unbiased variance (n/(n-1)) */
        double d = REF_BN_DECAY;
        want_rm[c] = (float)(d * rm0[c] + (1 - d) * mu);
        want_rv[c] = (float)(d * rv0[c] + (1 - d) * var * M / (M - 1));
    }
    check_close("bn saved mean", mean, want_mean, C, 1e-6, 1e-6);
    check_close("bn saved rstd", rstd, want_rstd, C, 0, 1e-6);
    check_close("bn running_mean after one update", rm, want_rm, C, 1e-7, 1e-6);
    check_close("bn running_var after one update (unbiased)", rv, want_rv, C, 0, 1e-6);

    /* NULL running stats: same output, nothing else touched */
    float *y2 = fvec(T);
    batchnorm_forward_train(y2, mean, rstd, NULL, NULL, x, g, b, N, C, S, BATCHNORM_DECAY,
                            BATCHNORM_EPS);
    TEST_CHECK(memcmp(y, y2, T * sizeof(float)) == 0, "bn output without running stats differs");

    /* eval forward uses the running stats */
    for (int c = 0; c < C; c++) {
        g[c] = frange(0.5, 1.5);
        b[c] = frange(-0.5, 0.5);
    }
    float *ye = fvec(T), *want = fvec(T);
    batchnorm_forward_eval(ye, x, rm, rv, g, b, N, C, S, BATCHNORM_EPS);
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int k = 0; k < S; k++) {
                size_t i = ((size_t)n * C + c) * S + k;
                want[i] = (float)((double)g[c] * (x[i] - (double)rm[c]) /
                                      sqrt((double)rv[c] + (double)BATCHNORM_EPS) +
                                  b[c]);
            }
    check_close("bn eval forward", ye, want, T, 1e-6, 1e-5);
    free(x), free(y), free(y2), free(g), free(b), free(ye), free(want);
}

/* Forward vs double reference, including |mean| >> std and the OpenMP path. */
static void test_bn_forward_reference(const char *name, int N, int C, int S, double offset,
                                      double spread, double atol)
{
    const size_t T = (size_t)N * C * S;
    float *x = fvec(T), *y = fvec(T), *g = fvec(C), *b = fvec(C), *want = fvec(T);
    float *mean = fvec(C), *rstd = fvec(C), *wmean = fvec(C), *wrstd = fvec(C);
    double *xd = dvec(T), *yd = dvec(T), *gd = dvec(C), *bd = dvec(C), *md = dvec(C),
           *vd = dvec(C);
    for (size_t i = 0; i < T; i++) xd[i] = x[i] = frange(offset - spread, offset + spread);
    for (int c = 0; c < C; c++) {
        gd[c] = g[c] = frange(0.5, 1.5);
        bd[c] = b[c] = frange(-0.5, 0.5);
    }
    batchnorm_forward_train(y, mean, rstd, NULL, NULL, x, g, b, N, C, S, BATCHNORM_DECAY,
                            BATCHNORM_EPS);
    bn_ref_forward(yd, md, vd, xd, gd, bd, N, C, S, BATCHNORM_EPS);
    for (size_t i = 0; i < T; i++) want[i] = (float)yd[i];
    for (int c = 0; c < C; c++) {
        wmean[c] = (float)md[c];
        wrstd[c] = (float)(1.0 / sqrt(vd[c] + BATCHNORM_EPS));
    }
    char buf[128];
    snprintf(buf, sizeof buf, "%s out", name);
    check_close(buf, y, want, T, atol, 0);
    snprintf(buf, sizeof buf, "%s mean", name);
    check_close(buf, mean, wmean, C, 0, 1e-7);
    snprintf(buf, sizeof buf, "%s rstd", name);
    check_close(buf, rstd, wrstd, C, 0, 1e-6);
    free(x), free(y), free(g), free(b), free(want), free(mean), free(rstd), free(wmean),
        free(wrstd), free(xd), free(yd), free(gd), free(bd), free(md), free(vd);
}

/* Backward vs central finite differences of the double reference forward. */
static void test_bn_backward_fd(int N, int C, int S)
{
    const size_t T = (size_t)N * C * S;
    const double eps = 1e-3; /* larger eps than default: keeps the test meaningful near var~eps */
    const double h = 1e-6;
    float *x = fvec(T), *g = fvec(C), *b = fvec(C), *y = fvec(T), *dout = fvec(T);
    float *mean = fvec(C), *rstd = fvec(C);
    float *dx = fvec(T), *dg = fvec(C), *db = fvec(C);
    float *want_dx = fvec(T), *want_dg = fvec(C), *want_db = fvec(C);
    double *xd = dvec(T), *gd = dvec(C), *bd = dvec(C), *w = dvec(T), *scr = dvec(T);
    for (size_t i = 0; i < T; i++) {
        xd[i] = x[i] = frange(-1, 2);
        w[i] = dout[i] = frange(-1, 1);
        dx[i] = frange(-0.1, 0.1); /* backward accumulates */
    }
    for (int c = 0; c < C; c++) {
        gd[c] = g[c] = frange(0.5, 1.5);
        bd[c] = b[c] = frange(-0.5, 0.5);
        dg[c] = frange(-0.1, 0.1);
        db[c] = frange(-0.1, 0.1);
    }
    for (size_t i = 0; i < T; i++) {
        double s = xd[i];
        xd[i] = s + h;
        double lp = bn_ref_loss(xd, gd, bd, w, N, C, S, eps, scr);
        xd[i] = s - h;
        double lm = bn_ref_loss(xd, gd, bd, w, N, C, S, eps, scr);
        xd[i] = s;
        want_dx[i] = (float)(dx[i] + (lp - lm) / (2 * h));
    }
    for (int c = 0; c < C; c++) {
        double s = gd[c];
        gd[c] = s + h;
        double lp = bn_ref_loss(xd, gd, bd, w, N, C, S, eps, scr);
        gd[c] = s - h;
        double lm = bn_ref_loss(xd, gd, bd, w, N, C, S, eps, scr);
        gd[c] = s;
        want_dg[c] = (float)(dg[c] + (lp - lm) / (2 * h));
        s = bd[c];
        bd[c] = s + h;
        lp = bn_ref_loss(xd, gd, bd, w, N, C, S, eps, scr);
        bd[c] = s - h;
        lm = bn_ref_loss(xd, gd, bd, w, N, C, S, eps, scr);
        bd[c] = s;
        want_db[c] = (float)(db[c] + (lp - lm) / (2 * h));
    }
    batchnorm_forward_train(y, mean, rstd, NULL, NULL, x, g, b, N, C, S, BATCHNORM_DECAY,
                            (float)eps);
    float *dg2 = fvec(C), *db2 = fvec(C), *dx2 = fvec(T);
    memcpy(dg2, dg, C * sizeof(float));
    memcpy(db2, db, C * sizeof(float));
    memcpy(dx2, dx, T * sizeof(float));
    batchnorm_backward(dx, dg, db, dout, x, mean, rstd, g, N, C, S);
    char buf[96];
    snprintf(buf, sizeof buf, "bn backward dx vs FD (%d,%d,%d)", N, C, S);
    check_close(buf, dx, want_dx, T, 2e-5, 1e-4);
    snprintf(buf, sizeof buf, "bn backward dgamma vs FD (%d,%d,%d)", N, C, S);
    check_close(buf, dg, want_dg, C, 2e-5, 1e-4);
    snprintf(buf, sizeof buf, "bn backward dbeta vs FD (%d,%d,%d)", N, C, S);
    check_close(buf, db, want_db, C, 2e-5, 1e-4);

    /* NULL outputs: each part alone gives the same values */
    batchnorm_backward(NULL, dg2, NULL, dout, x, mean, rstd, g, N, C, S);
    batchnorm_backward(NULL, NULL, db2, dout, x, mean, rstd, g, N, C, S);
    batchnorm_backward(dx2, NULL, NULL, dout, x, mean, rstd, g, N, C, S);
    batchnorm_backward(NULL, NULL, NULL, dout, x, mean, rstd, g, N, C, S);
    TEST_CHECK(memcmp(dg2, dg, C * sizeof(float)) == 0, "dgamma alone differs");
    TEST_CHECK(memcmp(db2, db, C * sizeof(float)) == 0, "dbeta alone differs");
    TEST_CHECK(memcmp(dx2, dx, T * sizeof(float)) == 0, "dinp alone differs");
    free(x), free(g), free(b), free(y), free(dout), free(mean), free(rstd), free(dx), free(dg),
        free(db), free(want_dx), free(want_dg), free(want_db), free(xd), free(gd), free(bd),
        free(w), free(scr), free(dg2), free(db2), free(dx2);
}

/* Backward on a shape large enough for the OpenMP path, vs the analytic formula in double. */
static void test_bn_backward_large(void)
{
    const int N = 8, C = 6, S = 1024;
    const size_t T = (size_t)N * C * S;
    const double M = (double)N * S;
    float *x = fvec(T), *y = fvec(T), *dout = fvec(T), *dx = fvec(T), *want = fvec(T);
    float *g = fvec(C), *b = fvec(C), *mean = fvec(C), *rstd = fvec(C), *dg = fvec(C),
          *db = fvec(C), *wdg = fvec(C), *wdb = fvec(C);
    for (size_t i = 0; i < T; i++) {
        x[i] = frange(-3, 5);
        dout[i] = frange(-1, 1);
    }
    for (int c = 0; c < C; c++) g[c] = frange(0.5, 1.5), b[c] = frange(-1, 1);
    batchnorm_forward_train(y, mean, rstd, NULL, NULL, x, g, b, N, C, S, BATCHNORM_DECAY,
                            BATCHNORM_EPS);
    batchnorm_backward(dx, dg, db, dout, x, mean, rstd, g, N, C, S);
    for (int c = 0; c < C; c++) {
        double mu = 0, q = 0;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) mu += x[((size_t)n * C + c) * S + k];
        mu /= M;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                double d = x[((size_t)n * C + c) * S + k] - mu;
                q += d * d;
            }
        double rs = 1.0 / sqrt(q / M + BATCHNORM_EPS), sdy = 0, sdyx = 0;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                size_t i = ((size_t)n * C + c) * S + k;
                sdy += dout[i];
                sdyx += dout[i] * (x[i] - mu) * rs;
            }
        wdb[c] = (float)sdy;
        wdg[c] = (float)sdyx;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                size_t i = ((size_t)n * C + c) * S + k;
                double xh = (x[i] - mu) * rs;
                want[i] = (float)(g[c] * rs / M * (M * dout[i] - sdy - xh * sdyx));
            }
    }
    check_close("bn backward dx (8,6,1024) vs double formula", dx, want, T, 1e-6, 1e-4);
    check_close("bn backward dgamma (8,6,1024)", dg, wdg, C, 1e-3, 1e-5);
    check_close("bn backward dbeta (8,6,1024)", db, wdb, C, 1e-3, 1e-5);
    free(x), free(y), free(dout), free(dx), free(want), free(g), free(b), free(mean), free(rstd),
        free(dg), free(db), free(wdg), free(wdb);
}

/* ---- activations ---- */

/* nChw16c batch norm against the NCHW one on the same numbers. */
static size_t c16_index(int n, int c, int s, int C, int S)
{
    return (((size_t)n * (C / 16) + c / 16) * S + s) * 16 + c % 16;
}

static void test_bn_c16(int N, int C, int S)
{
    const size_t T = (size_t)N * C * S;
    float *x = fvec(T), *xb = fvec(T), *dy = fvec(T), *dyb = fvec(T);
    float *g = fvec(C), *b = fvec(C);
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int s = 0; s < S; s++) {
                size_t i = ((size_t)n * C + c) * S + s, j = c16_index(n, c, s, C, S);
                xb[j] = x[i] = frange(-2, 2) + 0.1f * (float)c;
                dyb[j] = dy[i] = frange(-1, 1);
            }
    for (int c = 0; c < C; c++) {
        g[c] = frange(0.5, 1.5);
        b[c] = frange(-0.5, 0.5);
    }
    float *y = fvec(T), *yb = fvec(T), *yperm = fvec(T), *dx = fvec(T), *dxb = fvec(T),
          *dxperm = fvec(T);
    float *m1 = fvec(C), *r1 = fvec(C), *m2 = fvec(C), *r2 = fvec(C);
    float *rm1 = fvec(C), *rv1 = fvec(C), *rm2 = fvec(C), *rv2 = fvec(C);
    float *dg1 = fvec(C), *db1 = fvec(C), *dg2 = fvec(C), *db2 = fvec(C);
    for (int c = 0; c < C; c++) {
        rm1[c] = rm2[c] = 0.1f;
        rv1[c] = rv2[c] = 1.2f;
        dg1[c] = dg2[c] = db1[c] = db2[c] = 0.0f;
    }
    memset(dx, 0, T * sizeof *dx);
    memset(dxb, 0, T * sizeof *dxb);
    batchnorm_forward_train(y, m1, r1, rm1, rv1, x, g, b, N, C, S, BATCHNORM_DECAY, BATCHNORM_EPS);
    batchnorm_forward_train_c16(yb, m2, r2, rm2, rv2, xb, g, b, N, C, S, BATCHNORM_DECAY,
                                BATCHNORM_EPS);
    batchnorm_backward(dx, dg1, db1, dy, x, m1, r1, g, N, C, S);
    batchnorm_backward_c16(dxb, dg2, db2, dyb, xb, m2, r2, g, N, C, S);
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int s = 0; s < S; s++) {
                size_t i = ((size_t)n * C + c) * S + s, j = c16_index(n, c, s, C, S);
                yperm[i] = yb[j];
                dxperm[i] = dxb[j];
            }
    char what[96];
    snprintf(what, sizeof what, "bn c16 (%d,%d,%d) out", N, C, S);
    check_close(what, yperm, y, T, 1e-6, 1e-5);
    snprintf(what, sizeof what, "bn c16 (%d,%d,%d) mean, rstd, moving", N, C, S);
    check_close(what, m2, m1, C, 1e-6, 1e-6);
    check_close(what, r2, r1, C, 0, 1e-6);
    check_close(what, rm2, rm1, C, 1e-7, 1e-6);
    check_close(what, rv2, rv1, C, 0, 1e-6);
    snprintf(what, sizeof what, "bn c16 (%d,%d,%d) dinp, dgamma, dbeta", N, C, S);
    check_close(what, dxperm, dx, T, 1e-6, 1e-4);
    check_close(what, dg2, dg1, C, 1e-5, 1e-5);
    check_close(what, db2, db1, C, 1e-5, 1e-5);
    batchnorm_forward_eval(y, x, rm1, rv1, g, b, N, C, S, BATCHNORM_EPS);
    batchnorm_forward_eval_c16(yb, xb, rm1, rv1, g, b, N, C, S, BATCHNORM_EPS);
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int s = 0; s < S; s++) yperm[((size_t)n * C + c) * S + s] = yb[c16_index(n, c, s, C, S)];
    snprintf(what, sizeof what, "bn c16 (%d,%d,%d) eval", N, C, S);
    check_close(what, yperm, y, T, 0, 0);
    float *all[] = {x, xb, dy, dyb, g, b, y, yb, yperm, dx, dxb, dxperm, m1, r1, m2, r2,
                    rm1, rv1, rm2, rv2, dg1, db1, dg2, db2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

/* The in-place backwards equal the accumulating ones into a zeroed buffer, bit for bit. */
static void test_activations_inplace(void)
{
    enum { n = 100000 }; /* above the threading threshold */
    float *x = fvec(n), *y = fvec(n), *g = fvec(n), *acc = fvec(n), *inp = fvec(n);
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < n; i++) {
            x[i] = frange(-4, 4);
            g[i] = frange(-1, 1);
        }
        const char *name = "";
        switch (k) {
        case 0: relu_forward(y, x, n); name = "relu"; break;
        case 1: lrelu_forward(y, x, LRELU_SLOPE, n); name = "lrelu"; break;
        case 2: tanh_forward(y, x, n); name = "tanh"; break;
        default: sigmoid_forward(y, x, n); name = "sigmoid"; break;
        }
        memset(acc, 0, n * sizeof *acc);
        memcpy(inp, g, n * sizeof *g);
        switch (k) {
        case 0: relu_backward(acc, g, y, n); relu_backward_inplace(inp, y, n); break;
        case 1:
            lrelu_backward(acc, g, y, LRELU_SLOPE, n);
            lrelu_backward_inplace(inp, y, LRELU_SLOPE, n);
            break;
        case 2: tanh_backward(acc, g, y, n); tanh_backward_inplace(inp, y, n); break;
        default: sigmoid_backward(acc, g, y, n); sigmoid_backward_inplace(inp, y, n); break;
        }
        char what[64];
        snprintf(what, sizeof what, "%s backward in place", name);
        check_close(what, inp, acc, n, 0, 0);
    }
    free(x), free(y), free(g), free(acc), free(inp);
}

static void test_activations(void)
{
    const float edge[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 1.0f, -1.0f, 0.5f, -0.5f,
                          20.0f, -20.0f, 89.0f, -89.0f, 100.0f, -100.0f, 1e4f, -1e4f,
                          3e38f, -3e38f};
    const size_t n = sizeof edge / sizeof edge[0];
    float out[18], want[18], d[18], dwant[18], ones[18];
    for (size_t i = 0; i < n; i++) ones[i] = 1.0f;

    relu_forward(out, edge, n);
    for (size_t i = 0; i < n; i++) want[i] = edge[i] > 0 ? edge[i] : 0.0f;
    check_close("relu forward edges", out, want, n, 0, 0);
    for (size_t i = 0; i < n; i++) d[i] = 0.5f, dwant[i] = 0.5f + (edge[i] > 0 ? 1.0f : 0.0f);
    relu_backward(d, ones, edge, n);
    check_close("relu backward edges (f'(0)=0, accumulates)", d, dwant, n, 0, 0);

    lrelu_forward(out, edge, LRELU_SLOPE, n);
    for (size_t i = 0; i < n; i++) want[i] = edge[i] > 0 ? edge[i] : REF_LRELU_LEAK * edge[i];
    check_close("lrelu forward edges", out, want, n, 0, 0);
    for (size_t i = 0; i < n; i++) d[i] = 0.5f, dwant[i] = 0.5f + 2.0f * (edge[i] > 0 ? 1.0f : REF_LRELU_LEAK);
    float twos[18];
    for (size_t i = 0; i < n; i++) twos[i] = 2.0f;
    lrelu_backward(d, twos, edge, LRELU_SLOPE, n);
    check_close("lrelu backward edges (f'(0)=slope)", d, dwant, n, 0, 1e-7);

    tanh_forward(out, edge, n);
    for (size_t i = 0; i < n; i++) want[i] = (float)tanh((double)edge[i]);
    check_close("tanh forward edges", out, want, n, 1e-7, 1e-6);
    TEST_CHECK(out[0] == 0.0f && out[14] == 1.0f && out[15] == -1.0f, "tanh(0), tanh(+-1e4)");
    for (size_t i = 0; i < n; i++) {
        d[i] = 0;
        dwant[i] = (float)(1.0 - (double)out[i] * out[i]);
    }
    tanh_backward(d, ones, out, n);
    check_close("tanh backward from output", d, dwant, n, 1e-7, 1e-6);
    TEST_CHECK(d[0] == 1.0f && d[14] == 0.0f && d[15] == 0.0f, "tanh' at 0 / saturation");

    sigmoid_forward(out, edge, n);
    for (size_t i = 0; i < n; i++) want[i] = (float)(1.0 / (1.0 + exp(-(double)edge[i])));
    check_close("sigmoid forward edges", out, want, n, 1e-38, 1e-6);
    int finite = 1;
    for (size_t i = 0; i < n; i++) finite &= isfinite(out[i]) && out[i] >= 0 && out[i] <= 1;
    TEST_CHECK(finite, "sigmoid output not finite / outside [0,1]");
    TEST_CHECK(out[0] == 0.5f && out[14] == 1.0f && out[15] == 0.0f, "sigmoid(0), (+-1e4)");
    TEST_CHECK(out[13] > 0.0f, "sigmoid(-100) should be a tiny positive (got %g)", out[13]);
    for (size_t i = 0; i < n; i++) {
        d[i] = 0;
        dwant[i] = (float)((double)out[i] * (1.0 - out[i]));
    }
    sigmoid_backward(d, ones, out, n);
    check_close("sigmoid backward from output", d, dwant, n, 1e-12, 1e-6);

    /* in place */
    float ip[18];
    memcpy(ip, edge, sizeof ip);
    lrelu_forward(ip, ip, LRELU_SLOPE, n);
    lrelu_forward(out, edge, LRELU_SLOPE, n);
    TEST_CHECK(memcmp(ip, out, sizeof ip) == 0, "lrelu in place differs");
    memcpy(ip, edge, sizeof ip);
    sigmoid_forward(ip, ip, n);
    sigmoid_forward(out, edge, n);
    TEST_CHECK(memcmp(ip, out, sizeof ip) == 0, "sigmoid in place differs");

    /* large arrays (parallel path) vs per-element double */
    const size_t L = 200003;
    float *x = fvec(L), *o = fvec(L), *w = fvec(L), *dd = fvec(L), *dw = fvec(L), *g = fvec(L);
    for (size_t i = 0; i < L; i++) x[i] = frange(-8, 8), g[i] = frange(-1, 1);
    lrelu_forward(o, x, LRELU_SLOPE, L);
    for (size_t i = 0; i < L; i++) w[i] = x[i] > 0 ? x[i] : LRELU_SLOPE * x[i];
    check_close("lrelu forward large", o, w, L, 0, 0);
    lrelu_backward(dd, g, x, LRELU_SLOPE, L);
    for (size_t i = 0; i < L; i++) dw[i] = g[i] * (x[i] > 0 ? 1.0f : LRELU_SLOPE);
    check_close("lrelu backward large", dd, dw, L, 0, 0);
    relu_forward(o, x, L);
    for (size_t i = 0; i < L; i++) w[i] = x[i] > 0 ? x[i] : 0;
    check_close("relu forward large", o, w, L, 0, 0);
    tanh_forward(o, x, L);
    for (size_t i = 0; i < L; i++) w[i] = (float)tanh((double)x[i]);
    check_close("tanh forward large", o, w, L, 1e-7, 1e-6);
    sigmoid_forward(o, x, L);
    for (size_t i = 0; i < L; i++) w[i] = (float)(1.0 / (1.0 + exp(-(double)x[i])));
    check_close("sigmoid forward large", o, w, L, 1e-9, 1e-6);
    memset(dd, 0, L * sizeof(float));
    sigmoid_backward(dd, g, o, L);
    for (size_t i = 0; i < L; i++) dw[i] = (float)((double)g[i] * o[i] * (1.0 - o[i]));
    check_close("sigmoid backward large", dd, dw, L, 1e-9, 1e-5);
    free(x), free(o), free(w), free(dd), free(dw), free(g);
}

/* tanh and sigmoid run on libmvec's vector functions, whose bits differ between widths and from
 * the scalar ones: every element must take the same path whatever the thread count (runs
 * resume bit for bit with another --threads) and wherever it sits (the partial last block). */
static void test_activations_threads(void)
{
    printf("tanh/sigmoid: the same bits with 1 and 2 threads, and at any offset\n");
    const size_t L = 32768 + 13; /* over the parallel threshold, a partial last block */
    float *x = fvec(L), *a = fvec(L), *b = fvec(L), *c = fvec(L);
    for (size_t i = 0; i < L; i++) x[i] = frange(-6, 6);
    const int threads = omp_get_max_threads();
    for (int f = 0; f < 2; f++) {
        const char *name = f ? "sigmoid" : "tanh";
        void (*fwd)(float *, const float *, size_t) = f ? sigmoid_forward : tanh_forward;
        omp_set_num_threads(1);
        fwd(a, x, L);
        omp_set_num_threads(2);
        fwd(b, x, L);
        omp_set_num_threads(threads);
        TEST_CHECK(memcmp(a, b, L * sizeof *a) == 0, "%s: 1 and 2 threads differ", name);
        /* the same elements one block later in a shorter call, and each alone */
        fwd(c, x + 16, L - 16);
        TEST_CHECK(memcmp(a + 16, c, (L - 16) * sizeof *a) == 0, "%s: shifted call differs", name);
        int alone_ok = 1;
        for (size_t i = L - 40; i < L; i++) {
            float y;
            fwd(&y, x + i, 1);
            alone_ok &= memcmp(&y, a + i, sizeof y) == 0;
        }
        TEST_CHECK(alone_ok, "%s: an element alone differs from it in a long call", name);
    }
    free(x), free(a), free(b), free(c);
}

/* ---- loss ---- */

static double xent_ref(const float *x, double t, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        /* textbook: -t*log(sigmoid) - (1-t)*log(1-sigmoid), fine for moderate |x| */
        double sg = 1.0 / (1.0 + exp(-v));
        s += -t * log(sg) - (1 - t) * log1p(-sg);
    }
    return s / n;
}

static void test_loss(void)
{
    float big[1] = {1e4f}, nbig[1] = {-1e4f}, zero[1] = {0.0f};
    float l;
    l = sigmoid_xent_forward(big, 0.0f, 1);
    TEST_CHECK(l == 1e4f, "loss(1e4, t=0) = %g, want 1e4", l);
    l = sigmoid_xent_forward(big, 1.0f, 1);
    TEST_CHECK(l == 0.0f, "loss(1e4, t=1) = %g, want 0", l);
    l = sigmoid_xent_forward(nbig, 1.0f, 1);
    TEST_CHECK(l == 1e4f, "loss(-1e4, t=1) = %g, want 1e4", l);
    l = sigmoid_xent_forward(nbig, 0.0f, 1);
    TEST_CHECK(l == 0.0f, "loss(-1e4, t=0) = %g, want 0", l);
    l = sigmoid_xent_forward(zero, 0.0f, 1);
    TEST_CHECK(fabs(l - log(2.0)) < 1e-7, "loss(0, 0) = %.9g, want log 2", l);
    l = sigmoid_xent_forward(zero, 1.0f, 1);
    TEST_CHECK(fabs(l - log(2.0)) < 1e-7, "loss(0, 1) = %.9g, want log 2", l);
    l = sigmoid_xent_forward(big, 0.9f, 1); /* smoothed target: 1e4*(1-0.9) */
    TEST_CHECK(fabs(l - 1e3) < 1e-3 && isfinite(l), "loss(1e4, 0.9) = %.9g, want 1000", l);
    float mix[4] = {1e4f, -1e4f, 0.0f, 1e4f};
    l = sigmoid_xent_forward(mix, 0.0f, 4);
    TEST_CHECK(fabs(l - (2e4 + log(2.0)) / 4) < 1e-3, "mixed mean loss %.9g", l);

    /* backward at extremes: finite, exact */
    float dl[4] = {1, 1, 1, 1};
    sigmoid_xent_backward(dl, mix, 0.0f, 2.0f, 4);
    float wdl[4] = {1 + 2.0f / 4, 1, 1 + 0.5f * 2.0f / 4, 1 + 2.0f / 4};
    check_close("xent backward at +-1e4, 0 (t=0, scale 2)", dl, wdl, 4, 1e-7, 0);
    float dl1[4] = {0, 0, 0, 0};
    sigmoid_xent_backward(dl1, mix, 1.0f, 1.0f, 4);
    float wdl1[4] = {0, -0.25f, -0.125f, 0};
    check_close("xent backward at +-1e4, 0 (t=1)", dl1, wdl1, 4, 1e-7, 0);

    /* random logits vs textbook formula and finite differences */
    enum { NL = 64 };
    float x[NL], g[NL], gw[NL];
    for (int i = 0; i < NL; i++) x[i] = frange(-6, 6), g[i] = 0;
    for (int ti = 0; ti < 3; ti++) {
        double t = ti == 0 ? 0.0 : ti == 1 ? 1.0 : 0.9;
        l = sigmoid_xent_forward(x, (float)t, NL);
        double want = xent_ref(x, (float)t, NL);
        TEST_CHECK(fabs(l - want) < 1e-6 * (1 + fabs(want)), "xent t=%g: %.9g want %.9g", t, l,
                   want);
        memset(g, 0, sizeof g);
        sigmoid_xent_backward(g, x, (float)t, 1.0f, NL);
        for (int i = 0; i < NL; i++) {
            /* d/dx_i of the mean: (sigmoid(x) - t)/n, from a central difference in double */
            double h = 1e-5, v = x[i];
            double lp = ((v + h > 0 ? v + h : 0) - (v + h) * (float)t + log1p(exp(-fabs(v + h))));
            double lm = ((v - h > 0 ? v - h : 0) - (v - h) * (float)t + log1p(exp(-fabs(v - h))));
            gw[i] = (float)((lp - lm) / (2 * h) / NL);
        }
        char buf[64];
        snprintf(buf, sizeof buf, "xent backward vs FD t=%g", t);
        check_close(buf, g, gw, NL, 1e-8, 1e-5);
    }
}

/* ---- concat ---- */

static void test_concat(void)
{
    const int N = 3, A = 5, B = 4;
    float a[15], b[12], out[27], da[15], db[12];
    for (int i = 0; i < N * A; i++) a[i] = frange(-1, 1);
    for (int i = 0; i < N * B; i++) b[i] = frange(-1, 1);
    concat_forward(out, a, b, N, A, B);
    int ok = 1;
    for (int n = 0; n < N; n++) {
        for (int i = 0; i < A; i++) ok &= out[n * (A + B) + i] == a[n * A + i];
        for (int i = 0; i < B; i++) ok &= out[n * (A + B) + A + i] == b[n * B + i];
    }
    TEST_CHECK(ok, "concat forward layout");
    for (int i = 0; i < N * A; i++) da[i] = 1.0f;
    for (int i = 0; i < N * B; i++) db[i] = 2.0f;
    concat_backward(da, db, out, N, A, B);
    ok = 1;
    for (int i = 0; i < N * A; i++) ok &= da[i] == 1.0f + a[i];
    for (int i = 0; i < N * B; i++) ok &= db[i] == 2.0f + b[i];
    TEST_CHECK(ok, "concat backward round trip (accumulating)");
    float db2[12];
    memcpy(db2, db, sizeof db);
    concat_backward(NULL, db, out, N, A, B);
    ok = 1;
    for (int i = 0; i < N * B; i++) ok &= db[i] == db2[i] + b[i];
    TEST_CHECK(ok, "concat backward with da NULL");
    concat_backward(da, NULL, out, N, A, B);
    concat_backward(NULL, NULL, out, N, A, B);

    /* cond_concat */
    const int C = 2, H = 3, W = 4, Y = 3, P = H * W;
    float x[3 * 2 * 12], y[3 * 3], o[3 * 5 * 12], dx[3 * 2 * 12], dy[9], wdy[9];
    for (int i = 0; i < N * C * P; i++) x[i] = frange(-1, 1);
    for (int i = 0; i < N * Y; i++) y[i] = (float)(i % Y == (i / Y) % Y); /* one-hot rows */
    cond_concat_forward(o, x, y, N, C, H, W, Y);
    ok = 1;
    for (int n = 0; n < N; n++) {
        for (int i = 0; i < C * P; i++) ok &= o[n * (C + Y) * P + i] == x[n * C * P + i];
        for (int j = 0; j < Y; j++)
            for (int k = 0; k < P; k++) ok &= o[(n * (C + Y) + C + j) * P + k] == y[n * Y + j];
    }
    TEST_CHECK(ok, "cond_concat forward layout");
    memset(dx, 0, sizeof dx);
    for (int i = 0; i < N * Y; i++) dy[i] = 0.5f;
    float go[3 * 5 * 12];
    for (int i = 0; i < N * (C + Y) * P; i++) go[i] = frange(-1, 1);
    cond_concat_backward(dx, dy, go, N, C, H, W, Y);
    ok = 1;
    for (int n = 0; n < N; n++) {
        for (int i = 0; i < C * P; i++) ok &= dx[n * C * P + i] == go[n * (C + Y) * P + i];
        for (int j = 0; j < Y; j++) {
            double s = 0.5;
            for (int k = 0; k < P; k++) s += go[(n * (C + Y) + C + j) * P + k];
            wdy[n * Y + j] = (float)s;
        }
    }
    TEST_CHECK(ok, "cond_concat backward dx");
    check_close("cond_concat backward dy = plane sums (accumulating)", dy, wdy, N * Y, 1e-6, 1e-6);
    /* round trip: feeding the forward output back gives dy = P*y */
    memset(dy, 0, sizeof dy);
    memset(dx, 0, sizeof dx);
    cond_concat_backward(NULL, dy, o, N, C, H, W, Y);
    for (int i = 0; i < N * Y; i++) wdy[i] = (float)P * y[i];
    check_close("cond_concat round trip dy = H*W*y", dy, wdy, N * Y, 0, 0);
    cond_concat_backward(dx, NULL, o, N, C, H, W, Y);
    TEST_CHECK(memcmp(dx, x, sizeof dx) == 0, "cond_concat round trip dx = x");
}

/* ---- adam ---- */

static void test_adam(void)
{
    adam_config cfg = adam_config_default();
    TEST_CHECK(cfg.lr == 2e-4f && cfg.beta1 == 0.5f && cfg.beta2 == 0.999f && cfg.eps == 1e-8f,
               "adam defaults {%g, %g, %g, %g}", cfg.lr, cfg.beta1, cfg.beta2, cfg.eps);
    for (int big = 0; big < 2; big++) {
        const size_t n = big ? 100001 : 7;
        float *p = fvec(n), *g = fvec(n), *m = fvec(n), *v = fvec(n), *pw = fvec(n);
        double *pd = dvec(n), *md = dvec(n), *vd = dvec(n);
        for (size_t i = 0; i < n; i++) pd[i] = p[i] = frange(-1, 1);
        adam_config c = cfg;
        if (big) c.lr = 1e-2f;
        for (long t = 1; t <= 3; t++) {
            for (size_t i = 0; i < n; i++) g[i] = i == 0 ? 0.0f : frange(-2, 2);
            if (!big) g[1] = 1e-6f, g[2] = -50.0f;
            adam_update(p, g, m, v, n, t, &c);
            double b1 = c.beta1, b2 = c.beta2;
            double lrt = (double)c.lr * sqrt(1 - pow(b2, (double)t)) / (1 - pow(b1, (double)t));
            for (size_t i = 0; i < n; i++) {
                md[i] = b1 * md[i] + (1 - b1) * g[i];
                vd[i] = b2 * vd[i] + (1 - b2) * (double)g[i] * g[i];
                pd[i] -= lrt * md[i] / (sqrt(vd[i]) + (double)c.eps);
            }
        }
        for (size_t i = 0; i < n; i++) pw[i] = (float)pd[i];
        check_close(big ? "adam 3 steps vs double (n=100001, parallel)" : "adam 3 steps vs double",
                    p, pw, n, 1e-7, 1e-6);
        TEST_CHECK(p[0] == (float)pd[0], "adam with zero gradient moved the parameter");
        free(p), free(g), free(m), free(v), free(pw), free(pd), free(md), free(vd);
    }
    /* first step moves each parameter by about lr (sign of the gradient) */
    float p1[2] = {0, 0}, g1[2] = {3, -0.5f}, m1[2] = {0, 0}, v1[2] = {0, 0};
    adam_update(p1, g1, m1, v1, 2, 1, &cfg);
    TEST_CHECK(fabsf(p1[0] + 2e-4f) < 1e-9f && fabsf(p1[1] - 2e-4f) < 1e-9f,
               "adam step 1 = -lr*sign(g): %g %g", p1[0], p1[1]);
}

/* ---- rng ---- */

static void moments(const float *x, size_t n, double *mean, double *std, double *amax)
{
    double s = 0, q = 0, mx = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    double mu = s / n;
    for (size_t i = 0; i < n; i++) {
        q += (x[i] - mu) * (x[i] - mu);
        if (fabs(x[i] - 0.0) > mx) mx = fabs(x[i]);
    }
    *mean = mu;
    *std = sqrt(q / n);
    *amax = mx;
}

typedef void (*fill_fn)(rng_state *, float *, size_t, float, float);

static void test_rng_thread_independence(const char *name, fill_fn f, float a, float b)
{
    const size_t n = (1u << 18) + 3;
    float *o1 = fvec(n), *o2 = fvec(n), *o3 = fvec(n);
    int saved = omp_get_max_threads();
    rng_state r1, r2;
    rng_init(&r1, 1234);
    rng_init(&r2, 1234);
    omp_set_num_threads(1);
    f(&r1, o1, 5, a, b); /* a non-multiple-of-4 fill first */
    f(&r1, o1, n, a, b);
    omp_set_num_threads(2);
    f(&r2, o2, 5, a, b);
    f(&r2, o2, n, a, b);
    omp_set_num_threads(saved);
    char buf[96];
    snprintf(buf, sizeof buf, "%s identical with 1 and 2 threads", name);
    TEST_CHECK(memcmp(o1, o2, n * sizeof(float)) == 0, "%s", buf);
    TEST_CHECK(r1.counter == r2.counter, "%s: counters differ", name);
    /* the counter advance depends only on n, not on the seed */
    rng_state r3;
    rng_init(&r3, 99);
    f(&r3, o3, 5, a, b);
    f(&r3, o3, n, a, b);
    TEST_CHECK(r3.counter == r1.counter, "%s: counter advance depends on the seed", name);
    TEST_CHECK(memcmp(o1, o3, n * sizeof(float)) != 0, "%s: seed has no effect", name);
    /* prefix property: element i depends only on (seed, counter, i) */
    rng_state r4;
    rng_init(&r4, 1234);
    f(&r4, o3, 5, a, b);
    f(&r4, o3, 1000, a, b);
    TEST_CHECK(memcmp(o1, o3, 1000 * sizeof(float)) == 0, "%s: short fill is not a prefix", name);
    free(o1), free(o2), free(o3);
}

static void test_rng(void)
{
    rng_state a, b;
    rng_init(&a, 42);
    rng_init(&b, 42);
    int same = 1, differ = 0;
    uint64_t prev = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_next_u64(&a), y = rng_next_u64(&b);
        same &= x == y;
        differ += x != prev;
        prev = x;
    }
    TEST_CHECK(same, "same seed gives a different u64 stream");
    TEST_CHECK(differ == 100, "u64 stream repeats");
    rng_init(&b, 43);
    TEST_CHECK(rng_next_u64(&a) != rng_next_u64(&b), "seeds 42/43 give the same value");

    test_rng_thread_independence("uniform", rng_uniform, -1.0f, 3.0f);
    test_rng_thread_independence("normal", rng_normal, 0.5f, 2.0f);
    test_rng_thread_independence("truncated_normal", rng_truncated_normal, 0.0f, 0.02f);

    const size_t n = 1000000;
    float *x = fvec(n);
    double mu, sd, mx;
    rng_init(&a, 7);
    rng_uniform(&a, x, n, 0.0f, 1.0f);
    moments(x, n, &mu, &sd, &mx);
    TEST_CHECK(fabs(mu - 0.5) < 2e-3, "uniform mean %g", mu);
    TEST_CHECK(fabs(sd * sd - 1.0 / 12) < 1e-3, "uniform var %g", sd * sd);
    int inrange = 1, grid = 1;
    for (size_t i = 0; i < n; i++) {
        inrange &= x[i] >= 0.0f && x[i] < 1.0f;
        grid &= x[i] * 16777216.0f == floorf(x[i] * 16777216.0f);
    }
    TEST_CHECK(inrange, "uniform [0,1) out of range");
    TEST_CHECK(grid, "uniform [0,1) values are not multiples of 2^-24");
    rng_uniform(&a, x, n, -3.0f, 5.0f);
    moments(x, n, &mu, &sd, &mx);
    inrange = 1;
    for (size_t i = 0; i < n; i++) inrange &= x[i] >= -3.0f && x[i] < 5.0f;
    TEST_CHECK(inrange, "uniform [-3,5) out of range");
    TEST_CHECK(fabs(mu - 1.0) < 2e-2 && fabs(sd - 8 / sqrt(12.0)) < 1e-2,
               "uniform [-3,5) mean %g std %g", mu, sd);
    /* rounding onto hi must be pulled back */
    const float lo = 1.0f, hi = nextafterf(1.0f, 2.0f);
    rng_uniform(&a, x, 1000, lo, hi);
    inrange = 1;
    for (size_t i = 0; i < 1000; i++) inrange &= x[i] == lo;
    TEST_CHECK(inrange, "uniform [1, 1+ulp) returned hi");
    rng_uniform(&a, x, 1000, 1e6f, 1e6f + 0.0625f); /* 2 representable values */
    inrange = 1;
    for (size_t i = 0; i < 1000; i++) inrange &= x[i] >= 1e6f && x[i] < 1e6f + 0.0625f;
    TEST_CHECK(inrange, "uniform [1e6, 1e6+ulp) returned hi");

    rng_normal(&a, x, n, 0.0f, 1.0f);
    moments(x, n, &mu, &sd, &mx);
    TEST_CHECK(fabs(mu) < 5e-3 && fabs(sd - 1) < 5e-3, "normal mean %g std %g", mu, sd);
    int fin = 1;
    size_t beyond3 = 0;
    for (size_t i = 0; i < n; i++) {
        fin &= isfinite(x[i]);
        beyond3 += fabsf(x[i]) > 3.0f;
    }
    TEST_CHECK(fin, "normal produced non-finite values");
    /* P(|z| > 3) = 0.0027 */
    TEST_CHECK(beyond3 > 2200 && beyond3 < 3200, "normal tail count %zu (want ~2700)", beyond3);
    rng_normal(&a, x, n, 3.0f, 0.5f);
    moments(x, n, &mu, &sd, &mx);
    TEST_CHECK(fabs(mu - 3) < 5e-3 && fabs(sd - 0.5) < 5e-3, "normal(3,0.5) mean %g std %g", mu,
               sd);

    rng_truncated_normal(&a, x, n, 0.0f, 0.02f);
    moments(x, n, &mu, &sd, &mx);
    TEST_CHECK(mx <= 2 * 0.02f, "truncated normal max |x| %.9g > 2 std", mx);
    TEST_CHECK(mx > 0.0395, "truncated normal never reaches near 2 std (max %g)", mx);
    /* std of a standard normal truncated at +-2: 0.87962 */
    TEST_CHECK(fabs(mu) < 1e-4 && fabs(sd / 0.02 - 0.87962) < 5e-3,
               "truncated normal mean %g std/0.02 %g (want 0.8796)", mu, sd / 0.02);
    rng_truncated_normal(&a, x, n, 1.0f, 1.0f);
    inrange = 1;
    for (size_t i = 0; i < n; i++) inrange &= x[i] >= -1.0f && x[i] <= 3.0f;
    TEST_CHECK(inrange, "truncated normal (1,1) outside [-1,3]");
    free(x);

    /* rng_below: range, rough uniformity, bound 1 */
    rng_init(&a, 5);
    TEST_CHECK(rng_below(&a, 1) == 0, "rng_below(1) != 0");
    long hist[7] = {0};
    int below_ok = 1;
    for (int i = 0; i < 70000; i++) {
        uint64_t v = rng_below(&a, 7);
        below_ok &= v < 7;
        if (v < 7) hist[v]++;
    }
    TEST_CHECK(below_ok, "rng_below(7) out of range");
    for (int k = 0; k < 7; k++) TEST_CHECK(labs(hist[k] - 10000) < 500, "rng_below hist[%d]=%ld", k, hist[k]);
    const uint64_t hb = (1ull << 63) + 12345;
    int hi_ok = 1, upper = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t v = rng_below(&a, hb);
        hi_ok &= v < hb;
        upper += v >= (1ull << 62);
    }
    TEST_CHECK(hi_ok, "rng_below(2^63+k) out of range");
    TEST_CHECK(upper > 400, "rng_below(2^63+k) not spread: %d of 1000 in upper half", upper);

    /* shuffle is a permutation, depends on the seed, and is reproducible */
    const int P = 1000;
    int idx[1000], idx2[1000], seen[1000] = {0};
    for (int i = 0; i < P; i++) idx[i] = idx2[i] = i;
    rng_init(&a, 11);
    rng_init(&b, 11);
    rng_shuffle(&a, idx, P);
    rng_shuffle(&b, idx2, P);
    int perm = 1, moved = 0;
    for (int i = 0; i < P; i++) {
        if (idx[i] < 0 || idx[i] >= P || seen[idx[i]]++) perm = 0;
        moved += idx[i] != i;
    }
    TEST_CHECK(perm, "shuffle is not a permutation");
    TEST_CHECK(moved > 900, "shuffle left %d of 1000 in place", P - moved);
    TEST_CHECK(memcmp(idx, idx2, sizeof idx) == 0, "shuffle not reproducible");
    int one[1] = {5};
    rng_shuffle(&a, one, 1);
    rng_shuffle(&a, one, 0);
    TEST_CHECK(one[0] == 5, "shuffle of 1 element changed it");
    /* every permutation of 3 appears, roughly equally often */
    int counts[6] = {0};
    for (int it = 0; it < 60000; it++) {
        int t[3] = {0, 1, 2};
        rng_shuffle(&a, t, 3);
        int code = t[0] * 2 + (t[1] > t[2]); /* 0..5 */
        counts[code]++;
    }
    for (int k = 0; k < 6; k++)
        TEST_CHECK(abs(counts[k] - 10000) < 500, "shuffle(3) permutation %d seen %d times", k,
                   counts[k]);
}

/* The backend interface: the switch names an unknown device; the CPU backend's memory calls
 * do what ops/ops.h promises; a layout is offered only where both ends can use it. */
static void test_backend(void)
{
    printf("backend interface\n");
    dc_err e;
    ops_options bad = {"tpu", CONV_BACKEND_AUTO, OPS_PRECISION_FP32};
    TEST_CHECK(ops_open(&bad, &e) == NULL && strstr(e.msg, "'tpu'"), "unknown device: %s", e.msg);
    ops_options o = {"cpu", CONV_BACKEND_AUTO, OPS_PRECISION_FP32};
    ops_backend *be = ops_open(&o, &e);
    TEST_CHECK(be != NULL, "cpu: %s", e.msg);
    if (!be) return;
    TEST_CHECK(strcmp(ops_device_name(be), "cpu") == 0 && ops_memory_is_host(be), "cpu is host");
    enum { N = 37 };
    float *a = ops_alloc(be, N), *b = ops_alloc(be, N), host[N], back[N];
    int zeroed = 1;
    for (int i = 0; i < N; i++) zeroed &= a[i] == 0.0f;
    TEST_CHECK(zeroed, "ops_alloc zeroes");
    for (int i = 0; i < N; i++) host[i] = (float)i - 3.5f;
    ops_from_host(be, a, host, N);
    ops_copy(be, b, a, N);
    ops_accumulate(be, b, a, N); /* b = 2a */
    ops_to_host(be, back, b, N);
    int ok = 1;
    for (int i = 0; i < N; i++) ok &= back[i] == 2.0f * host[i];
    TEST_CHECK(ok, "from_host, copy, accumulate, to_host");
    TEST_CHECK(ops_all_finite(be, b, N), "finite");
    b[N - 1] = NAN;
    TEST_CHECK(!ops_all_finite(be, b, N), "a NaN is seen");
    b[N - 1] = INFINITY;
    TEST_CHECK(!ops_all_finite(be, b, N), "an Inf is seen");
    ops_zero(be, b, N);
    ops_to_host(be, back, b, N);
    ok = 1;
    for (int i = 0; i < N; i++) ok &= back[i] == 0.0f;
    TEST_CHECK(ok, "zero");
    ops_free(be, a);
    ops_free(be, b);
    /* the im2col backend offers no layout of its own; a channel count oneDNN blocks by 16
     * gets one from the default backend */
    conv_geom g;
    conv_geom_init(&g, 4, 32, 16, 16, 64, 5, 5, 2, 2, CONV_PAD_SAME);
    ops_conv *c = ops_conv_create(be, &g, 0);
    TEST_CHECK(c != NULL, "conv plan");
    if (c) {
        printf("  %s: native layout img %d, map %d\n", ops_conv_engine(c),
               ops_conv_native_layout(c, 0), ops_conv_native_layout(c, 1));
        if (strcmp(ops_conv_engine(c), "onednn") == 0)
            TEST_CHECK(ops_conv_native_layout(c, 1) != OPS_LAYOUT_PLAIN, "oneDNN offers nChw16c");
        ops_conv_free(c);
    }
    ops_close(be);
    ops_options im = {"cpu", CONV_BACKEND_IM2COL, OPS_PRECISION_FP32};
    be = ops_open(&im, &e);
    c = be ? ops_conv_create(be, &g, 1) : NULL;
    TEST_CHECK(c && strcmp(ops_conv_engine(c), "im2col") == 0 &&
                   ops_conv_native_layout(c, 0) == OPS_LAYOUT_PLAIN &&
                   ops_conv_native_layout(c, 1) == OPS_LAYOUT_PLAIN &&
                   ops_conv_set_layout(c, 1, 0) != 0,
               "im2col: plain layouts only");
    ops_conv_free(c);
    ops_close(be);
}

/* batchnorm_act_forward_train: the same bits as batchnorm_forward_train(_c16) then the
 * activation (relu, lrelu), statistics and moving averages included; NCHW (S > 1 and the S == 1
 * feature path) and nChw16c, threaded and not. */
static void test_bn_act_fused(int N, int C, int S, int c16)
{
    const size_t T = (size_t)N * C * S;
    float *x = fvec(T), *g = fvec(C), *b = fvec(C);
    for (size_t i = 0; i < T; i++) x[i] = frange(-2, 2) + 0.05f * (float)(i % 7);
    for (int c = 0; c < C; c++) {
        g[c] = frange(0.5, 1.5);
        b[c] = frange(-0.5, 0.5);
    }
    const ops_activation acts[2] = {OPS_RELU, OPS_LRELU};
    for (int k = 0; k < 2; k++) {
        float *y1 = fvec(T), *y2 = fvec(T), *m1 = fvec(C), *r1 = fvec(C), *m2 = fvec(C),
              *r2 = fvec(C), *rm1 = fvec(C), *rv1 = fvec(C), *rm2 = fvec(C), *rv2 = fvec(C);
        for (int c = 0; c < C; c++) rm1[c] = rm2[c] = 0.1f, rv1[c] = rv2[c] = 1.2f;
        (c16 ? batchnorm_forward_train_c16 : batchnorm_forward_train)(
            y1, m1, r1, rm1, rv1, x, g, b, N, C, S, BATCHNORM_DECAY, BATCHNORM_EPS);
        if (acts[k] == OPS_RELU) relu_forward(y1, y1, T);
        else lrelu_forward(y1, y1, LRELU_SLOPE, T);
        batchnorm_act_forward_train(acts[k], c16, y2, m2, r2, rm2, rv2, x, g, b, N, C, S,
                                    BATCHNORM_DECAY, BATCHNORM_EPS);
        int same = memcmp(y1, y2, T * sizeof *y1) == 0 && memcmp(m1, m2, C * sizeof *m1) == 0 &&
                   memcmp(r1, r2, C * sizeof *r1) == 0 && memcmp(rm1, rm2, C * sizeof *rm1) == 0 &&
                   memcmp(rv1, rv2, C * sizeof *rv1) == 0;
        size_t negative = 0;
        for (size_t i = 0; i < T; i++) negative += y1[i] <= 0.0f;
        TEST_CHECK(same && negative > 0 && negative < T,
                   "bn+%s fused (%d,%d,%d)%s: same bits %d, %zu of %zu outputs <= 0",
                   acts[k] == OPS_RELU ? "relu" : "lrelu", N, C, S, c16 ? " c16" : "", same,
                   negative, T);
        free(y1), free(y2), free(m1), free(r1), free(m2), free(r2);
        free(rm1), free(rv1), free(rm2), free(rv2);
    }
    free(x), free(g), free(b);
}

int main(void)
{
    test_begin("test_ops_basic");
    test_bn_act_fused(4, 3, 5, 0);
    test_bn_act_fused(16, 8, 256, 0);  /* threaded */
    test_bn_act_fused(24, 1100, 1, 0); /* the feature path, several blocks */
    test_bn_act_fused(3, 32, 5, 1);
    test_bn_act_fused(8, 64, 64, 1);   /* threaded */
    test_bn_forward_properties();
    test_bn_forward_reference("bn fwd (4,3,5)", 4, 3, 5, 0.0, 2.0, 2e-6);
    test_bn_forward_reference("bn fwd S=1 (16,7,1)", 16, 7, 1, 1.0, 1.0, 2e-6);
    test_bn_forward_reference("bn fwd mean 1e4 std ~0.6 (8,4,64)", 8, 4, 64, 1e4, 1.0, 2e-4);
    test_bn_forward_reference("bn fwd parallel (16,8,256)", 16, 8, 256, -0.5, 3.0, 4e-6);
    /* S = 1 runs row-wise over blocks of 256 features: several blocks, a partial last one,
     * threaded (N*C >= 16384) */
    test_bn_forward_reference("bn fwd S=1 blocks (24,1100,1)", 24, 1100, 1, 0.5, 2.0, 2e-6);
    test_bn_backward_fd(3, 2, 4);
    test_bn_backward_fd(5, 3, 1);
    test_bn_backward_fd(2, 2, 3);
    test_bn_backward_fd(3, 600, 1); /* S = 1, three feature blocks */
    test_bn_backward_large();
    test_bn_c16(3, 32, 5);
    test_bn_c16(8, 64, 64); /* threaded */
    test_activations();
    test_activations_inplace();
    test_activations_threads();
    test_loss();
    test_concat();
    test_adam();
    test_rng();
    test_backend();
    return test_finish();
}
