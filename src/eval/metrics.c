#include "eval/metrics.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIST_BLOCK 512 /* rows of a distance block: 512 x 10,000 floats = 20 MB */

int feature_stats_compute(feature_stats *s, const float *x, long n, int d, dc_err *e)
{
    memset(s, 0, sizeof *s);
    if (n < 2 || d < 1) return dc_fail(e, "statistics need at least 2 vectors (got %ld)", n);
    s->d = d;
    s->n = n;
    s->mean = dc_calloc((size_t)d, sizeof(double));
    s->cov = dc_calloc((size_t)d * (size_t)d, sizeof(double));
    double *xc = dc_calloc((size_t)n * (size_t)d, sizeof(double));
    for (long i = 0; i < n; i++)
        for (int j = 0; j < d; j++) s->mean[j] += x[(size_t)i * (size_t)d + (size_t)j];
    for (int j = 0; j < d; j++) s->mean[j] /= (double)n;
    for (long i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
            xc[(size_t)i * (size_t)d + (size_t)j] =
                x[(size_t)i * (size_t)d + (size_t)j] - s->mean[j];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int)n, 1.0 / (double)(n - 1), xc, d,
                0.0, s->cov, d);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < i; j++) s->cov[(size_t)i * d + j] = s->cov[(size_t)j * d + i];
    free(xc);
    return 0;
}

void feature_stats_free(feature_stats *s)
{
    if (!s) return;
    free(s->mean);
    free(s->cov);
    memset(s, 0, sizeof *s);
}

/* sqrt of a symmetric positive semi-definite matrix (d x d) into out; rounding's small
 * negative eigenvalues count as 0. */
static int sym_sqrt(const double *a, int d, double *out, dc_err *e)
{
    double *v = dc_calloc((size_t)d * d, sizeof(double));
    double *w = dc_calloc((size_t)d, sizeof(double));
    double *vs = dc_calloc((size_t)d * d, sizeof(double));
    memcpy(v, a, sizeof(double) * (size_t)d * d);
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', d, v, d, w);
    if (info == 0) {
        /* columns of v are the eigenvectors: out = v diag(sqrt w) v^T */
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                vs[(size_t)i * d + j] = v[(size_t)i * d + j] * sqrt(w[j] > 0 ? w[j] : 0);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, d, d, d, 1.0, vs, d, v, d, 0.0,
                    out, d);
    }
    free(v);
    free(w);
    free(vs);
    if (info != 0) return dc_fail(e, "eigendecomposition failed (LAPACK dsyevd info %d)", (int)info);
    return 0;
}

int metrics_frechet_distance(const feature_stats *a, const feature_stats *b, double *out,
                             dc_err *e)
{
    int d = a->d;
    if (b->d != d) return dc_fail(e, "feature sizes differ (%d and %d)", a->d, b->d);
    size_t dd = (size_t)d * d;
    double *sa = dc_calloc(dd, sizeof(double)), *t = dc_calloc(dd, sizeof(double));
    double *m = dc_calloc(dd, sizeof(double)), *w = dc_calloc((size_t)d, sizeof(double));
    int rc = sym_sqrt(a->cov, d, sa, e);
    if (rc == 0) {
        /* S_a^(1/2) S_b S_a^(1/2) is symmetric and similar to S_a S_b: same trace of sqrt */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, sa, d, b->cov, d,
                    0.0, t, d);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, t, d, sa, d, 0.0,
                    m, d);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) {
                double s = 0.5 * (m[(size_t)i * d + j] + m[(size_t)j * d + i]);
                m[(size_t)i * d + j] = m[(size_t)j * d + i] = s;
            }
        lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', d, m, d, w);
        if (info != 0) {
            rc = dc_fail(e, "eigenvalues failed (LAPACK dsyevd info %d)", (int)info);
        } else {
            double mean2 = 0, tr = 0, trsqrt = 0;
            for (int i = 0; i < d; i++) {
                double diff = a->mean[i] - b->mean[i];
                mean2 += diff * diff;
                tr += a->cov[(size_t)i * d + i] + b->cov[(size_t)i * d + i];
                trsqrt += sqrt(w[i] > 0 ? w[i] : 0);
            }
            *out = mean2 + tr - 2.0 * trsqrt;
        }
    }
    free(sa);
    free(t);
    free(m);
    free(w);
    return rc;
}

/* ------------------------------------------------------------------------------------ KID */

static double kernel_sum(const float *g, long m, long n, int d, int skip_diagonal)
{
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            if (skip_diagonal && i == j) continue;
            double k = (double)g[(size_t)i * (size_t)n + (size_t)j] / d + 1.0;
            s += k * k * k;
        }
    return s;
}

double metrics_mmd2_poly(const float *x, long m, const float *y, long n, int d)
{
    long big = m > n ? m : n;
    float *g = dc_calloc((size_t)big * (size_t)big, sizeof(float));
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)m, d, 1.0f, x, d, 0.0f, g, (int)m);
    for (long i = 0; i < m; i++)
        for (long j = 0; j < i; j++) g[(size_t)i * m + j] = g[(size_t)j * m + i];
    double kxx = kernel_sum(g, m, m, d, 1);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, d, 1.0f, y, d, 0.0f, g, (int)n);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < i; j++) g[(size_t)i * n + j] = g[(size_t)j * n + i];
    double kyy = kernel_sum(g, n, n, d, 1);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, d, 1.0f, x, d, y, d,
                0.0f, g, (int)n);
    double kxy = kernel_sum(g, m, n, d, 0);
    free(g);
    return kxx / ((double)m * (double)(m - 1)) + kyy / ((double)n * (double)(n - 1)) -
           2.0 * kxy / ((double)m * (double)n);
}

/* k distinct rows of x (n x d) chosen at random into out. */
static void draw_rows(const float *x, long n, int d, long k, int *idx, rng_state *r, float *out)
{
    for (long i = 0; i < n; i++) idx[i] = (int)i;
    for (long i = 0; i < k; i++) {
        long j = i + (long)rng_below(r, (uint64_t)(n - i));
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        memcpy(out + (size_t)i * d, x + (size_t)idx[i] * d, sizeof(float) * (size_t)d);
    }
}

void metrics_kid(const float *x, long m, const float *y, long n, int d, int subsets,
                 long subset_size, rng_state *r, double *mean, double *std)
{
    long k = subset_size;
    if (k > m) k = m;
    if (k > n) k = n;
    int *idx = dc_calloc((size_t)(m > n ? m : n), sizeof(int));
    float *xs = dc_calloc((size_t)k * d, sizeof(float)), *ys = dc_calloc((size_t)k * d, sizeof(float));
    double s = 0, s2 = 0;
    for (int t = 0; t < subsets; t++) {
        draw_rows(x, m, d, k, idx, r, xs);
        draw_rows(y, n, d, k, idx, r, ys);
        double v = metrics_mmd2_poly(xs, k, ys, k, d);
        s += v;
        s2 += v * v;
    }
    *mean = s / subsets;
    double var = subsets > 1 ? (s2 - s * s / subsets) / (subsets - 1) : 0;
    *std = var > 0 ? sqrt(var) : 0;
    free(idx);
    free(xs);
    free(ys);
}

/* ---------------------------------------------------------------- precision and recall */

static void row_norms(const float *x, long n, int d, float *out)
{
    for (long i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (double)x[(size_t)i * d + j] * x[(size_t)i * d + j];
        out[i] = (float)s;
    }
}

/* Squared distances between rows a[0..na) and b[0..nb) into out (na x nb). */
static void sq_dists(const float *a, const float *an, long na, const float *b, const float *bn,
                     long nb, int d, float *out)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)nb, d, -2.0f, a, d, b, d,
                0.0f, out, (int)nb);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < na; i++)
        for (long j = 0; j < nb; j++) {
            float v = out[(size_t)i * nb + j] + an[i] + bn[j];
            out[(size_t)i * nb + j] = v > 0 ? v : 0;
        }
}

/* The squared distance from each row to its k-th nearest other row (the row itself, at
 * distance ~0, is the 0-th). */
static void kth_radii(const float *x, const float *xn, long n, int d, int k, float *radii2,
                      float *block)
{
    for (long i0 = 0; i0 < n; i0 += DIST_BLOCK) {
        long rows = n - i0 < DIST_BLOCK ? n - i0 : DIST_BLOCK;
        sq_dists(x + (size_t)i0 * d, xn + i0, rows, x, xn, n, d, block);
#pragma omp parallel for schedule(static)
        for (long i = 0; i < rows; i++) {
            float best[64]; /* the k + 1 smallest, ascending */
            int have = 0;
            const float *row = block + (size_t)i * n;
            for (long j = 0; j < n; j++) {
                float v = row[j];
                if (have == k + 1 && v >= best[k]) continue;
                int p = have < k + 1 ? have++ : k;
                while (p > 0 && best[p - 1] > v) {
                    best[p] = best[p - 1];
                    p--;
                }
                best[p] = v;
            }
            radii2[i0 + i] = best[k];
        }
    }
}

/* Share of the rows of q that fall within the ball of some row of x. */
static double share_covered(const float *q, const float *qn, long nq, const float *x,
                            const float *xn, const float *radii2, long n, int d, float *block)
{
    long covered = 0;
    for (long i0 = 0; i0 < nq; i0 += DIST_BLOCK) {
        long rows = nq - i0 < DIST_BLOCK ? nq - i0 : DIST_BLOCK;
        sq_dists(q + (size_t)i0 * d, qn + i0, rows, x, xn, n, d, block);
#pragma omp parallel for reduction(+ : covered) schedule(static)
        for (long i = 0; i < rows; i++) {
            const float *row = block + (size_t)i * n;
            for (long j = 0; j < n; j++)
                if (row[j] <= radii2[j]) {
                    covered++;
                    break;
                }
        }
    }
    return (double)covered / (double)nq;
}

void metrics_precision_recall(const float *real, long n_real, const float *fake, long n_fake,
                              int d, int k, double *precision, double *recall)
{
    if (k > 63) k = 63;
    long most = n_real > n_fake ? n_real : n_fake;
    float *block = dc_calloc((size_t)DIST_BLOCK * (size_t)most, sizeof(float));
    float *rn = dc_calloc((size_t)n_real, sizeof(float)), *fn = dc_calloc((size_t)n_fake, sizeof(float));
    float *rr = dc_calloc((size_t)n_real, sizeof(float)), *fr = dc_calloc((size_t)n_fake, sizeof(float));
    row_norms(real, n_real, d, rn);
    row_norms(fake, n_fake, d, fn);
    kth_radii(real, rn, n_real, d, k, rr, block);
    kth_radii(fake, fn, n_fake, d, k, fr, block);
    *precision = share_covered(fake, fn, n_fake, real, rn, rr, n_real, d, block);
    *recall = share_covered(real, rn, n_real, fake, fn, fr, n_fake, d, block);
    free(block);
    free(rn);
    free(fn);
    free(rr);
    free(fr);
}

/* --------------------------------------------------------------------------- classes */

int metrics_argmax(const float *row, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (row[i] > row[best]) best = i;
    return best;
}

double metrics_class_entropy(const float *probs, long n, int classes, long *hist)
{
    long *h = dc_calloc((size_t)classes, sizeof(long));
    for (long i = 0; i < n; i++) h[metrics_argmax(probs + (size_t)i * classes, classes)]++;
    double ent = 0;
    for (int c = 0; c < classes; c++) {
        if (h[c] > 0) {
            double p = (double)h[c] / (double)n;
            ent -= p * log(p);
        }
        if (hist) hist[c] = h[c];
    }
    free(h);
    return ent;
}

double metrics_label_accuracy(const float *probs, long n, int classes, const int *labels)
{
    long right = 0;
    for (long i = 0; i < n; i++)
        right += metrics_argmax(probs + (size_t)i * classes, classes) == labels[i];
    return n > 0 ? (double)right / (double)n : 0;
}
