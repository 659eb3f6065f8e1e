#include "ops/cpu/spectral_norm.h"

#include <math.h>
#include <stdlib.h>

#include "core/error.h"

/* out (rows) = W x, in double */
static void matvec(double *out, const float *w, const float *x, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        double s = 0;
        for (size_t c = 0; c < cols; c++) s += (double)wr[c] * x[c];
        out[r] = s;
    }
}

/* x (n) = a / max(|a|, eps) */
static void normalize_into(float *x, const double *a, size_t n, float eps)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * a[i];
    double norm = sqrt(s);
    if (norm < (double)eps) norm = eps;
    for (size_t i = 0; i < n; i++) x[i] = (float)(a[i] / norm);
}

float spectral_norm_forward(float *w_sn, float *u, float *v, const float *w, size_t rows,
                            size_t cols, int iterate, float eps)
{
    double *wv = malloc(rows * sizeof *wv);
    double *wtu = iterate ? calloc(cols, sizeof *wtu) : NULL;
    DC_ASSERT(wv && (!iterate || wtu), "out of memory");
    if (iterate) {
        for (size_t r = 0; r < rows; r++) {
            const float *wr = w + r * cols;
            const double ur = u[r];
            for (size_t c = 0; c < cols; c++) wtu[c] += (double)wr[c] * ur;
        }
        normalize_into(v, wtu, cols, eps);
        matvec(wv, w, v, rows, cols);
        normalize_into(u, wv, rows, eps);
    } else {
        matvec(wv, w, v, rows, cols);
    }
    double sigma = 0;
    for (size_t r = 0; r < rows; r++) sigma += (double)u[r] * wv[r];
    const double inv = 1.0 / sigma;
    for (size_t i = 0; i < rows * cols; i++) w_sn[i] = (float)(w[i] * inv);
    free(wv);
    free(wtu);
    return (float)sigma;
}

void spectral_norm_backward(float *dw, const float *dw_sn, const float *w_sn, const float *u,
                            const float *v, float sigma, size_t rows, size_t cols)
{
    double c = 0;
    for (size_t i = 0; i < rows * cols; i++) c += (double)dw_sn[i] * w_sn[i];
    const double inv = 1.0 / (double)sigma;
    for (size_t r = 0; r < rows; r++) {
        const double cu = c * u[r];
        for (size_t k = 0; k < cols; k++) {
            size_t i = r * cols + k;
            dw[i] += (float)((dw_sn[i] - cu * v[k]) * inv);
        }
    }
}
