/* The inference path's bias-and-activation pass and its direct transposed convolution. The
 * activations use the formulas of ops/cpu/activation.c, so outputs agree with the layer-by-layer
 * path to the rounding of the folded weights. */
#include "ops/cpu/infer_kernels.h"

/* Compiled with -ffp-contract=fast (Makefile): the accumulations are fused multiply-adds. */

#include "ops/cpu/vec_math.h"
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#include "ops/ops.h"

#define EPI_PAR_MIN 32768
/* The most output channels infer_deconv_direct takes (its accumulators: 16 columns each). */
#define DIRECT_MAX_CI 8

static inline float act_relu(float x) { return x > 0.0f ? x : 0.0f; }
static inline float act_lrelu(float x) { return x > 0.0f ? x : LRELU_SLOPE * x; }
static inline float act_none(float x) { return x; }

/* One (n, 16-channel block) of the pass between any two layouts; F the activation. The source
 * index of (c, s) and the destination's differ only by layout. */
#define EPI_BLOCK(F)                                                                            \
    for (int j = 0; j < cw; j++) {                                                             \
        const int c = c0 + j;                                                                  \
        const float bc = bias ? bias[c] : 0.0f, sc = scale ? scale[c] : 1.0f;                  \
        const float *sp = src + (src_c16 ? blk + (size_t)j : ((size_t)n * C + c) * S);         \
        float *dp = dst + (dst_c16 ? blk + (size_t)j : ((size_t)n * C + c) * S);               \
        const size_t ss = src_c16 ? 16 : 1, ds = dst_c16 ? 16 : 1;                             \
        _Pragma("omp simd") for (size_t s = 0; s < S; s++) dp[s * ds] = F(sp[s * ss] * sc + bc); \
    }

#define EPI_CASE(F)                                                                             \
    _Pragma("omp parallel for collapse(2) schedule(static) if (total >= EPI_PAR_MIN)")          \
    for (int n = 0; n < N; n++)                                                                \
        for (int cb = 0; cb < CB; cb++) {                                                      \
            const int c0 = cb * 16, cw = C - c0 < 16 ? C - c0 : 16;                            \
            const size_t blk = ((size_t)n * CB + cb) * S * 16;                                 \
            EPI_BLOCK(F)                                                                       \
        }

void infer_epilogue(float *dst, int dst_c16, const float *src, int src_c16, const float *scale,
                    const float *bias, int act, int N, int C, size_t S)
{
    const int CB = (C + 15) / 16;
    const size_t total = (size_t)N * C * S;
    switch (act) {
    case OPS_RELU: EPI_CASE(act_relu) break;
    case OPS_LRELU: EPI_CASE(act_lrelu) break;
    case OPS_TANH: EPI_CASE(vm_tanh) break;
    case OPS_SIGMOID: EPI_CASE(vm_sigmoid) break;
    default: EPI_CASE(act_none) break;
    }
}

/* Output columns ow = r + s*q of phase r: Q_r of them. */
static int phase_cols(int W_img, int s, int r) { return r < W_img ? (W_img - r + s - 1) / s : 0; }

/* Where output column phase r reads its input: kernel columns kw = r + pad (mod s) at input
 * column q + d(kw), d = (r + pad - kw) / s (exact). */
static int tap_shift(const conv_geom *g, int r, int kw) { return (r + g->pad_left - kw) / g->stride_w; }
static int tap_in_phase(const conv_geom *g, int r, int kw)
{
    return ((kw - g->pad_left - r) % g->stride_w + g->stride_w) % g->stride_w == 0;
}

int infer_deconv_direct_fits(const conv_geom *g)
{
    return g->C_img >= 1 && g->C_img <= DIRECT_MAX_CI;
}

/* One image's input, each row padded with zeros so that every 16-wide block of every phase
 * reads inside it: (H_map, C_map, Wp), the channels' rows of one input row side by side, column
 * iw at pw + iw. */
typedef struct {
    int pw, Wp;
} direct_pad;

static direct_pad direct_padding(const conv_geom *g)
{
    int lo = 0, hi = 0, qmax = 0;
    for (int r = 0; r < g->stride_w; r++) {
        int q = phase_cols(g->W_img, g->stride_w, r);
        if (q > qmax) qmax = q;
        for (int kw = 0; kw < g->K_w; kw++) {
            if (!tap_in_phase(g, r, kw)) continue;
            int d = tap_shift(g, r, kw);
            if (d < lo) lo = d;
            if (d > hi) hi = d;
        }
    }
    direct_pad p = {-lo, 0};
    p.Wp = p.pw + hi + (qmax + 15) / 16 * 16 + 1;
    return p;
}

/* 16 floats as one vector (the compiler splits it where the machine's are narrower); vf16u may
 * sit at any float boundary. */
typedef float vf16 __attribute__((vector_size(64)));
typedef float vf16u __attribute__((vector_size(64), aligned(4)));

/* acc[co] = the taps of output row oh, columns r + s*(q0 + l), l < 16, for CI output channels.
 * Four sets of accumulators over interleaved input channels keep four FMA chains per output
 * channel in flight; with CI a literal (DIRECT_BLOCK_FN) they all stay in registers. */
#define DIRECT_BLOCK_BODY(CI, NA)                                                              \
    const int Cm = g->C_map;                                                                   \
    const size_t plane = (size_t)pad->Wp; /* from one input channel's row to the next's */      \
    vf16 a[4][NA];                                                                             \
    for (int k = 0; k < 4; k++)                                                                \
        for (int co = 0; co < (CI); co++) a[k][co] = (vf16){0};                                \
    for (int kh = 0; kh < g->K_h; kh++) {                                                      \
        const int t = oh + g->pad_top - kh;                                                    \
        if (t < 0 || t % g->stride_h != 0 || t / g->stride_h >= g->H_map) continue;            \
        for (int kw = 0; kw < g->K_w; kw++) {                                                  \
            if (!tap_in_phase(g, r, kw)) continue;                                             \
            const float *x = xp + (size_t)(t / g->stride_h) * Cm * pad->Wp + pad->pw +         \
                             tap_shift(g, r, kw) + q0;                                         \
            const float *w = wt + ((size_t)kh * g->K_w + kw) * Cm * (CI);                      \
            int cm = 0;                                                                        \
            for (; cm + 4 <= Cm; cm += 4, x += 4 * plane, w += 4 * (CI))                       \
                for (int k = 0; k < 4; k++) {                                                  \
                    const vf16 xv = *(const vf16u *)(x + k * plane);                           \
                    for (int co = 0; co < (CI); co++) a[k][co] += xv * w[k * (CI) + co];       \
                }                                                                              \
            for (; cm < Cm; cm++, x += plane, w += (CI)) {                                     \
                const vf16 xv = *(const vf16u *)x;                                             \
                for (int co = 0; co < (CI); co++) a[0][co] += xv * w[co];                      \
            }                                                                                  \
        }                                                                                      \
    }                                                                                          \
    for (int co = 0; co < (CI); co++) acc[co] = (a[0][co] + a[1][co]) + (a[2][co] + a[3][co]);

#define DIRECT_BLOCK_ARGS                                                                      \
    vf16 *acc, const float *xp, const direct_pad *pad, const float *wt, const conv_geom *g,    \
        int oh, int r, int q0

#define DIRECT_BLOCK_FN(NAME, CI)                                                              \
    static void NAME(DIRECT_BLOCK_ARGS) { DIRECT_BLOCK_BODY(CI, CI) }
DIRECT_BLOCK_FN(direct_block1, 1)
DIRECT_BLOCK_FN(direct_block3, 3)

static void direct_block_any(DIRECT_BLOCK_ARGS)
{
    DIRECT_BLOCK_BODY(g->C_img, DIRECT_MAX_CI)
}

/* v[0..15] = act(v): a vector at a time (ops/cpu/vec_math.h) */
static void act16(float *v, int act)
{
    switch (act) {
    case OPS_RELU: _Pragma("omp simd") for (int l = 0; l < 16; l++) v[l] = act_relu(v[l]); break;
    case OPS_LRELU: _Pragma("omp simd") for (int l = 0; l < 16; l++) v[l] = act_lrelu(v[l]); break;
    case OPS_TANH: _Pragma("omp simd") for (int l = 0; l < 16; l++) v[l] = vm_tanh(v[l]); break;
    case OPS_SIGMOID: _Pragma("omp simd") for (int l = 0; l < 16; l++) v[l] = vm_sigmoid(v[l]); break;
    default: break;
    }
}

static void direct_store(float *out, const vf16 *acc, int CI, const float *bias, int act,
                         const conv_geom *g, int n, int oh, int r, int q0)
{
    const int qn = phase_cols(g->W_img, g->stride_w, r) - q0;
    for (int co = 0; co < CI; co++) {
        float *o = out + (((size_t)n * g->C_img + co) * g->H_img + oh) * g->W_img + r;
        const float bc = bias ? bias[co] : 0.0f;
        float v[16];
        for (int l = 0; l < 16; l++) v[l] = acc[co][l] + bc;
        act16(v, act);
        for (int l = 0; l < 16 && l < qn; l++) o[(size_t)(q0 + l) * g->stride_w] = v[l];
    }
}

/* One output row of one image, every phase and block. */
static void direct_row(float *out, const float *xp, const direct_pad *pad, const float *wt,
                       const float *bias, int act, const conv_geom *g, int n, int oh)
{
    vf16 acc[DIRECT_MAX_CI];
    for (int r = 0; r < g->stride_w; r++)
        for (int q0 = 0; q0 < phase_cols(g->W_img, g->stride_w, r); q0 += 16) {
            switch (g->C_img) { /* grayscale and colour images: registers only */
            case 1: direct_block1(acc, xp, pad, wt, g, oh, r, q0); break;
            case 3: direct_block3(acc, xp, pad, wt, g, oh, r, q0); break;
            default: direct_block_any(acc, xp, pad, wt, g, oh, r, q0); break;
            }
            direct_store(out, acc, g->C_img, bias, act, g, n, oh, r, q0);
        }
}

/* Image n of the input into its padded copy, through the previous layer's bias and activation
 * when they were left to this pass (pre_bias non-NULL). */
static void direct_copy_in(float *xp, const direct_pad *pad, const float *inp, int in_c16,
                           const float *pre_bias, int pre_act, const conv_geom *g, int n)
{
    const int C = g->C_map, W = g->W_map;
    const size_t plane = (size_t)g->H_map * W;
    for (int c = 0; c < C; c++) {
        const float b = pre_bias ? pre_bias[c] : 0.0f;
        for (int h = 0; h < g->H_map; h++) {
            float *d = xp + ((size_t)h * C + c) * pad->Wp + pad->pw;
            const float *s = in_c16 ? inp + (((size_t)n * (C / 16) + c / 16) * plane +
                                             (size_t)h * W) * 16 + c % 16
                                    : inp + ((size_t)n * C + c) * plane + (size_t)h * W;
            const size_t step = in_c16 ? 16 : 1;
            switch (pre_bias ? pre_act : INFER_ACT_NONE) {
            case OPS_RELU:
                for (int w = 0; w < W; w++) d[w] = act_relu(s[w * step] + b);
                break;
            case OPS_LRELU:
                for (int w = 0; w < W; w++) d[w] = act_lrelu(s[w * step] + b);
                break;
            default:
                for (int w = 0; w < W; w++) d[w] = s[w * step] + b;
                if (pre_bias && pre_act != INFER_ACT_NONE)
                    infer_epilogue(d, 0, d, 0, NULL, NULL, pre_act, 1, 1, (size_t)W);
                break;
            }
        }
    }
}

void infer_deconv_direct(float *out, const float *inp, int in_c16, const float *pre_bias,
                         int pre_act, const float *wt, const float *bias, int act,
                         const conv_geom *g)
{
    const direct_pad pad = direct_padding(g);
    if (g->N < omp_get_max_threads()) {
        /* fewer images than threads (a single image's latency): the rows of each in parallel */
        float *xp = dc_alloc_floats((size_t)g->C_map * g->H_map * pad.Wp);
        for (int n = 0; n < g->N; n++) {
            direct_copy_in(xp, &pad, inp, in_c16, pre_bias, pre_act, g, n);
#pragma omp parallel for schedule(static)
            for (int oh = 0; oh < g->H_img; oh++) direct_row(out, xp, &pad, wt, bias, act, g, n, oh);
        }
        free(xp);
        return;
    }
#pragma omp parallel
    {
        /* this thread's padded copy of one image (the padding stays zero) */
        float *xp = dc_alloc_floats((size_t)g->C_map * g->H_map * pad.Wp);
#pragma omp for schedule(static)
        for (int n = 0; n < g->N; n++) {
            direct_copy_in(xp, &pad, inp, in_c16, pre_bias, pre_act, g, n);
            for (int oh = 0; oh < g->H_img; oh++) direct_row(out, xp, &pad, wt, bias, act, g, n, oh);
        }
        free(xp);
    }
}
