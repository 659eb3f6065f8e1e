/* Feature-axis concatenation and conv_cond_concat (labels appended as constant planes). */
#include "ops/cpu/concat.h"

#include <stddef.h>
#include <string.h>

#define CONCAT_PAR_MIN 65536

void concat_forward(float *out, const float *a, const float *b, int N, int A, int B)
{
    const size_t row = (size_t)A + B;
#pragma omp parallel for schedule(static) if ((size_t)N * row >= CONCAT_PAR_MIN)
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * row;
        if (A > 0) memcpy(o, a + (size_t)n * A, (size_t)A * sizeof(float));
        if (B > 0) memcpy(o + A, b + (size_t)n * B, (size_t)B * sizeof(float));
    }
}

void concat_backward(float *da, float *db, const float *dout, int N, int A, int B)
{
    const size_t row = (size_t)A + B;
#pragma omp parallel for schedule(static) if ((size_t)N * row >= CONCAT_PAR_MIN)
    for (int n = 0; n < N; n++) {
        const float *g = dout + (size_t)n * row;
        if (da) {
            float *d = da + (size_t)n * A;
#pragma omp simd
            for (int i = 0; i < A; i++) d[i] += g[i];
        }
        if (db) {
            float *d = db + (size_t)n * B;
#pragma omp simd
            for (int i = 0; i < B; i++) d[i] += g[A + i];
        }
    }
}

void cond_concat_forward(float *out, const float *x, const float *y, int N, int C, int H, int W,
                         int Y)
{
    const size_t plane = (size_t)H * W;
    const size_t xs = (size_t)C * plane, os = (size_t)(C + Y) * plane;
#pragma omp parallel for schedule(static) if ((size_t)N * os >= CONCAT_PAR_MIN)
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * os;
        if (xs) memcpy(o, x + (size_t)n * xs, xs * sizeof(float));
        for (int j = 0; j < Y; j++) {
            const float v = y[(size_t)n * Y + j];
            float *p = o + xs + (size_t)j * plane;
#pragma omp simd
            for (size_t k = 0; k < plane; k++) p[k] = v;
        }
    }
}

void cond_concat_backward(float *dx, float *dy, const float *dout, int N, int C, int H, int W,
                          int Y)
{
    const size_t plane = (size_t)H * W;
    const size_t xs = (size_t)C * plane, os = (size_t)(C + Y) * plane;
#pragma omp parallel for schedule(static) if ((size_t)N * os >= CONCAT_PAR_MIN)
    for (int n = 0; n < N; n++) {
        const float *g = dout + (size_t)n * os;
        if (dx) {
            float *d = dx + (size_t)n * xs;
#pragma omp simd
            for (size_t k = 0; k < xs; k++) d[k] += g[k];
        }
        if (dy) {
            for (int j = 0; j < Y; j++) {
                const float *p = g + xs + (size_t)j * plane;
                double s = 0.0;
#pragma omp simd reduction(+ : s)
                for (size_t k = 0; k < plane; k++) s += (double)p[k];
                dy[(size_t)n * Y + j] += (float)s;
            }
        }
    }
}
