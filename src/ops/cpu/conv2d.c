/* 2-D convolution and its transpose as im2col + GEMM over chunks of the batch.
 *
 * Per chunk of `cnt` images the column matrix is (CKK, cnt*HWm) with CKK = C_img*K_h*K_w,
 * row r = (c, ki, kj), column n*HWm + oh*W_map + ow: one GEMM per chunk whose N dimension is
 * cnt*HWm, so small late-layer maps (4x4, 8x8) still give the GEMM a wide matrix. The map side
 * of a chunk lives in a (C_map, cnt*HWm) buffer and is gathered from / scattered to NCHW; with
 * a single image per chunk that buffer is the NCHW slice itself and no copy happens.
 *
 *   conv2d forward:            map = W (C_map, CKK) @ im2col(img)
 *   conv2d backward:           dW += dmap @ im2col(img)^T;  dimg += col2im(W^T @ dmap)
 *   conv2d_transpose forward:  img = col2im(W^T @ map)
 *   conv2d_transpose backward: dmap += W @ im2col(dimg);   dW += map @ im2col(dimg)^T
 *
 * Workspace: col (nb*CKK*HWm floats, rounded up to 16) then map (nb*C_map*HWm), sized for
 * nb = chunk_limit() images; the chunks actually run have chunk_images() <= that many. */
#include "ops/cpu/conv2d.h"

#include <cblas.h>
#include <limits.h>
#include <string.h>

#include "core/error.h"

/* Target size of one chunk's scratch (col + map) in floats: 8M floats = 32 MB. Measured on the
 * DCGAN shapes (batch 64, 2 cores): 1M and 2M floats lose 10-30% on the 4x4 and 8x8 maps
 * (GEMM N too narrow, more chunk transitions); 4M..16M are within a few percent. A single
 * image larger than this still gets a chunk of its own. */
#ifndef CONV_CHUNK_FLOATS
#define CONV_CHUNK_FLOATS ((size_t)8 << 20)
#endif

static int chunk_limit(const conv_geom *g)
{
    size_t hw = (size_t)g->H_map * g->W_map;
    size_t ckk = (size_t)g->C_img * g->K_h * g->K_w;
    size_t per = (ckk + (size_t)g->C_map) * hw; /* > 0: conv_geom_init checked every size */
    size_t nb = CONV_CHUNK_FLOATS / per;
    if (nb > (size_t)g->N) nb = (size_t)g->N;
    /* cnt*HWm is a GEMM dimension and leading dimension (int). */
    if (nb > (size_t)INT_MAX / hw) nb = (size_t)INT_MAX / hw;
    if (nb < 1) nb = 1;
    return (int)nb;
}

/* Images per chunk as used: the limit evened out so the chunks of the batch have nearly equal
 * sizes (64 images with a limit of 9 run as 8 chunks of 8, not 7 of 9 and one of 1). */
static int chunk_images(const conv_geom *g)
{
    int lim = chunk_limit(g);
    int chunks = (g->N + lim - 1) / lim;
    return (g->N + chunks - 1) / chunks;
}

static size_t col_floats(const conv_geom *g, int nb)
{
    size_t n = (size_t)nb * g->C_img * g->K_h * g->K_w * g->H_map * g->W_map;
    return (n + 15) / 16 * 16;
}

/* Sized by the limit, not by the evened-out chunk (which is never larger), so the workspace
 * only grows with N: a buffer sized for batch N also serves every smaller batch. */
size_t conv_geom_workspace_floats(const conv_geom *g)
{
    DC_ASSERT(g != NULL, "conv_geom_workspace_floats: NULL geometry");
    int nb = chunk_limit(g);
    return col_floats(g, nb) + (size_t)nb * g->C_map * g->H_map * g->W_map;
}

/* Whether our own loops should use OpenMP threads. With the OpenMP build of OpenBLAS the GEMMs
 * and our loops share one thread pool. With the pthreads build, OpenMP workers that just left a
 * parallel region keep spinning (libgomp's default wait policy) while OpenBLAS' own threads
 * start the next GEMM, and on a small machine the two pools fight for the cores; measured on
 * 2 cores that costs far more than running the copy loops on one thread (a single-threaded
 * OpenBLAS has no pool to fight with). */
#ifndef CONV_PARALLEL
#define CONV_PARALLEL (openblas_get_parallel() != 1 || openblas_get_num_threads() == 1)
#endif

/* Range [lo, hi) of output positions o whose input position o*s - pad + k lies in [0, in). */
static inline void valid_range(int out, int in, int s, int pad, int k, int *lo, int *hi)
{
    int off = k - pad; /* input = o*s + off */
    int l = off >= 0 ? 0 : (-off + s - 1) / s;
    int h = in - 1 - off < 0 ? 0 : (in - 1 - off) / s + 1;
    if (h > out) h = out;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/* col (CKK, cnt*HWm) from img (cnt, C_img, H_img, W_img). */
static void im2col(float *restrict col, const float *restrict img, int cnt, const conv_geom *g)
{
    const int Kh = g->K_h, Kw = g->K_w, KK = Kh * Kw;
    const int Hi = g->H_img, Wi = g->W_img, Hm = g->H_map, Wm = g->W_map;
    const int sh = g->stride_h, sw = g->stride_w, pt = g->pad_top, pl = g->pad_left;
    const int ckk = g->C_img * KK;
    const size_t hwm = (size_t)Hm * Wm, hwi = (size_t)Hi * Wi;
    const size_t ldn = (size_t)cnt * hwm;
    const int par = CONV_PARALLEL;
#pragma omp parallel for collapse(2) schedule(static) if (par)
    for (int r = 0; r < ckk; r++) {
        for (int n = 0; n < cnt; n++) {
            const int c = r / KK, ki = (r / Kw) % Kh, kj = r % Kw;
            const float *src = img + ((size_t)n * g->C_img + c) * hwi;
            float *dst = col + (size_t)r * ldn + (size_t)n * hwm;
            int oh_lo, oh_hi, ow_lo, ow_hi;
            valid_range(Hm, Hi, sh, pt, ki, &oh_lo, &oh_hi);
            valid_range(Wm, Wi, sw, pl, kj, &ow_lo, &ow_hi);
            const int off_w = kj - pl;
            if (oh_lo > 0) memset(dst, 0, sizeof(float) * (size_t)oh_lo * Wm);
            for (int oh = oh_lo; oh < oh_hi; oh++) {
                const float *srow = src + (size_t)(oh * sh + ki - pt) * Wi + off_w;
                float *d = dst + (size_t)oh * Wm;
                for (int ow = 0; ow < ow_lo; ow++) d[ow] = 0.0f;
                if (sw == 1) {
                    memcpy(d + ow_lo, srow + ow_lo, sizeof(float) * (size_t)(ow_hi - ow_lo));
                } else if (sw == 2) {
                    for (int ow = ow_lo; ow < ow_hi; ow++) d[ow] = srow[2 * ow];
                } else {
                    for (int ow = ow_lo; ow < ow_hi; ow++) d[ow] = srow[(size_t)ow * sw];
                }
                for (int ow = ow_hi; ow < Wm; ow++) d[ow] = 0.0f;
            }
            if (oh_hi < Hm) memset(dst + (size_t)oh_hi * Wm, 0, sizeof(float) * (size_t)(Hm - oh_hi) * Wm);
        }
    }
}

/* img (cnt, C_img, H_img, W_img) += col2im(col), or = bias + col2im(col) when overwrite
 * (bias may be NULL: zero). */
static void col2im(float *restrict img, const float *restrict col, int cnt, const conv_geom *g,
                   int overwrite, const float *bias)
{
    const int Kh = g->K_h, Kw = g->K_w, C = g->C_img;
    const int Hi = g->H_img, Wi = g->W_img, Hm = g->H_map, Wm = g->W_map;
    const int sh = g->stride_h, sw = g->stride_w, pt = g->pad_top, pl = g->pad_left;
    const size_t hwm = (size_t)Hm * Wm, hwi = (size_t)Hi * Wi;
    const size_t ldn = (size_t)cnt * hwm;
    const int par = CONV_PARALLEL;
#pragma omp parallel for collapse(2) schedule(static) if (par)
    for (int n = 0; n < cnt; n++) {
        for (int c = 0; c < C; c++) {
            float *plane = img + ((size_t)n * C + c) * hwi;
            if (overwrite) {
                const float b = bias ? bias[c] : 0.0f;
                for (size_t i = 0; i < hwi; i++) plane[i] = b;
            }
            for (int ki = 0; ki < Kh; ki++) {
                int oh_lo, oh_hi;
                valid_range(Hm, Hi, sh, pt, ki, &oh_lo, &oh_hi);
                for (int kj = 0; kj < Kw; kj++) {
                    int ow_lo, ow_hi;
                    valid_range(Wm, Wi, sw, pl, kj, &ow_lo, &ow_hi);
                    const int r = (c * Kh + ki) * Kw + kj;
                    const float *src = col + (size_t)r * ldn + (size_t)n * hwm;
                    const int off_w = kj - pl;
                    for (int oh = oh_lo; oh < oh_hi; oh++) {
                        float *drow = plane + (size_t)(oh * sh + ki - pt) * Wi + off_w;
                        const float *s = src + (size_t)oh * Wm;
                        if (sw == 1) {
                            for (int ow = ow_lo; ow < ow_hi; ow++) drow[ow] += s[ow];
                        } else if (sw == 2) {
                            for (int ow = ow_lo; ow < ow_hi; ow++) drow[2 * ow] += s[ow];
                        } else {
                            for (int ow = ow_lo; ow < ow_hi; ow++) drow[(size_t)ow * sw] += s[ow];
                        }
                    }
                }
            }
        }
    }
}

/* map (C, cnt*hw) from x (cnt, C, hw). */
static void gather_map(float *restrict map, const float *restrict x, int cnt, int C, size_t hw)
{
    const size_t ldn = (size_t)cnt * hw;
    const int par = CONV_PARALLEL;
#pragma omp parallel for collapse(2) schedule(static) if (par)
    for (int c = 0; c < C; c++)
        for (int n = 0; n < cnt; n++)
            memcpy(map + (size_t)c * ldn + (size_t)n * hw, x + ((size_t)n * C + c) * hw,
                   sizeof(float) * hw);
}

/* x (cnt, C, hw) = map (+ bias), or x += map when accumulate. */
static void scatter_map(float *restrict x, const float *restrict map, int cnt, int C, size_t hw,
                        const float *bias, int accumulate)
{
    const size_t ldn = (size_t)cnt * hw;
    const int par = CONV_PARALLEL;
#pragma omp parallel for collapse(2) schedule(static) if (par)
    for (int n = 0; n < cnt; n++) {
        for (int c = 0; c < C; c++) {
            float *d = x + ((size_t)n * C + c) * hw;
            const float *s = map + (size_t)c * ldn + (size_t)n * hw;
            if (accumulate) {
                for (size_t i = 0; i < hw; i++) d[i] += s[i];
            } else if (bias) {
                const float b = bias[c];
                for (size_t i = 0; i < hw; i++) d[i] = s[i] + b;
            } else {
                memcpy(d, s, sizeof(float) * hw);
            }
        }
    }
}

void conv2d_bias_forward(float *x, const float *bias, int N, int C, size_t hw)
{
    const int par = CONV_PARALLEL;
#pragma omp parallel for collapse(2) schedule(static) if (par)
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            float *d = x + ((size_t)n * C + c) * hw;
            const float b = bias[c];
            for (size_t i = 0; i < hw; i++) d[i] += b;
        }
}

/* Sum of x[0..n) with 16 independent float lanes (vectorisable), finished in double. */
static double sum_floats(const float *x, size_t n)
{
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += x[i + j];
    double s = 0.0;
    for (; i < n; i++) s += x[i];
    for (int j = 0; j < 16; j++) s += acc[j];
    return s;
}

void conv2d_bias_backward(float *dbias, const float *dy, int N, int C, size_t hw)
{
    const int par = CONV_PARALLEL;
#pragma omp parallel for schedule(static) if (par)
    for (int c = 0; c < C; c++) {
        double s = 0.0;
        for (int n = 0; n < N; n++) s += sum_floats(dy + ((size_t)n * C + c) * hw, hw);
        dbias[c] += (float)s;
    }
}

void conv2d_forward(float *out, const float *inp, const float *weight, const float *bias,
                    const conv_geom *g, float *work)
{
    DC_ASSERT(out && inp && weight && g && work, "conv2d_forward: NULL argument");
    const int nb = chunk_images(g);
    const int ckk = g->C_img * g->K_h * g->K_w;
    const size_t hwm = (size_t)g->H_map * g->W_map, hwi = (size_t)g->H_img * g->W_img;
    float *col = work, *map = work + col_floats(g, nb);
    for (int n0 = 0; n0 < g->N; n0 += nb) {
        const int cnt = g->N - n0 < nb ? g->N - n0 : nb;
        const int ldn = cnt * (int)hwm;
        float *o = out + (size_t)n0 * g->C_map * hwm;
        im2col(col, inp + (size_t)n0 * g->C_img * hwi, cnt, g);
        if (cnt == 1) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->C_map, ldn, ckk, 1.0f,
                        weight, ckk, col, ldn, 0.0f, o, ldn);
            if (bias) conv2d_bias_forward(o, bias, 1, g->C_map, hwm);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->C_map, ldn, ckk, 1.0f,
                        weight, ckk, col, ldn, 0.0f, map, ldn);
            scatter_map(o, map, cnt, g->C_map, hwm, bias, 0);
        }
    }
}

void conv2d_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, const conv_geom *g, float *work)
{
    DC_ASSERT(dout && g, "conv2d_backward: NULL argument");
    const size_t hwm = (size_t)g->H_map * g->W_map, hwi = (size_t)g->H_img * g->W_img;
    if (dbias) conv2d_bias_backward(dbias, dout, g->N, g->C_map, hwm);
    if (!dinp && !dweight) return;
    DC_ASSERT(work, "conv2d_backward: NULL work");
    DC_ASSERT(!dweight || inp, "conv2d_backward: dweight needs inp");
    DC_ASSERT(!dinp || weight, "conv2d_backward: dinp needs weight");
    const int nb = chunk_images(g);
    const int ckk = g->C_img * g->K_h * g->K_w;
    float *col = work, *mapbuf = work + col_floats(g, nb);
    for (int n0 = 0; n0 < g->N; n0 += nb) {
        const int cnt = g->N - n0 < nb ? g->N - n0 : nb;
        const int ldn = cnt * (int)hwm;
        const float *dmap = dout + (size_t)n0 * g->C_map * hwm;
        if (cnt > 1) {
            gather_map(mapbuf, dmap, cnt, g->C_map, hwm);
            dmap = mapbuf;
        }
        if (dweight) {
            im2col(col, inp + (size_t)n0 * g->C_img * hwi, cnt, g);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g->C_map, ckk, ldn, 1.0f, dmap,
                        ldn, col, ldn, 1.0f, dweight, ckk);
        }
        if (dinp) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ckk, ldn, g->C_map, 1.0f,
                        weight, ckk, dmap, ldn, 0.0f, col, ldn);
            col2im(dinp + (size_t)n0 * g->C_img * hwi, col, cnt, g, 0, NULL);
        }
    }
}

void conv2d_transpose_forward(float *out, const float *inp, const float *weight,
                              const float *bias, const conv_geom *g, float *work)
{
    DC_ASSERT(out && inp && weight && g && work, "conv2d_transpose_forward: NULL argument");
    const int nb = chunk_images(g);
    const int ckk = g->C_img * g->K_h * g->K_w;
    const size_t hwm = (size_t)g->H_map * g->W_map, hwi = (size_t)g->H_img * g->W_img;
    float *col = work, *mapbuf = work + col_floats(g, nb);
    for (int n0 = 0; n0 < g->N; n0 += nb) {
        const int cnt = g->N - n0 < nb ? g->N - n0 : nb;
        const int ldn = cnt * (int)hwm;
        const float *map = inp + (size_t)n0 * g->C_map * hwm;
        if (cnt > 1) {
            gather_map(mapbuf, map, cnt, g->C_map, hwm);
            map = mapbuf;
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ckk, ldn, g->C_map, 1.0f, weight,
                    ckk, map, ldn, 0.0f, col, ldn);
        col2im(out + (size_t)n0 * g->C_img * hwi, col, cnt, g, 1, bias);
    }
}

void conv2d_transpose_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                               const float *inp, const float *weight, const conv_geom *g,
                               float *work)
{
    DC_ASSERT(dout && g, "conv2d_transpose_backward: NULL argument");
    const size_t hwm = (size_t)g->H_map * g->W_map, hwi = (size_t)g->H_img * g->W_img;
    if (dbias) conv2d_bias_backward(dbias, dout, g->N, g->C_img, hwi);
    if (!dinp && !dweight) return;
    DC_ASSERT(work, "conv2d_transpose_backward: NULL work");
    DC_ASSERT(!dweight || inp, "conv2d_transpose_backward: dweight needs inp");
    DC_ASSERT(!dinp || weight, "conv2d_transpose_backward: dinp needs weight");
    const int nb = chunk_images(g);
    const int ckk = g->C_img * g->K_h * g->K_w;
    float *col = work, *mapbuf = work + col_floats(g, nb);
    for (int n0 = 0; n0 < g->N; n0 += nb) {
        const int cnt = g->N - n0 < nb ? g->N - n0 : nb;
        const int ldn = cnt * (int)hwm;
        im2col(col, dout + (size_t)n0 * g->C_img * hwi, cnt, g);
        if (dweight) {
            const float *map = inp + (size_t)n0 * g->C_map * hwm;
            if (cnt > 1) {
                gather_map(mapbuf, map, cnt, g->C_map, hwm);
                map = mapbuf;
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g->C_map, ckk, ldn, 1.0f, map,
                        ldn, col, ldn, 1.0f, dweight, ckk);
        }
        if (dinp) {
            float *d = dinp + (size_t)n0 * g->C_map * hwm;
            if (cnt == 1) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->C_map, ldn, ckk, 1.0f,
                            weight, ckk, col, ldn, 1.0f, d, ldn);
            } else {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->C_map, ldn, ckk, 1.0f,
                            weight, ckk, col, ldn, 0.0f, mapbuf, ldn);
                scatter_map(d, mapbuf, cnt, g->C_map, hwm, NULL, 1);
            }
        }
    }
}
