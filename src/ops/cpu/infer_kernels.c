/* The inference path's bias-and-activation pass and its direct transposed convolution. The
 * activations use the formulas of ops/cpu/activation.c, so outputs agree with the layer-by-layer
 * path to the rounding of the folded weights. */
#include "ops/cpu/infer_kernels.h"

#include <math.h>
#include <string.h>

#include "ops/ops.h"

#define EPI_PAR_MIN 32768
/* The widest output row infer_deconv_direct accumulates on the stack, in floats. */
#define DIRECT_ACC_MAX 4096

static inline float act_relu(float x) { return x > 0.0f ? x : 0.0f; }
static inline float act_lrelu(float x) { return x > 0.0f ? x : LRELU_SLOPE * x; }
static inline float act_tanh(float x) { return tanhf(x); }
static inline float act_sigmoid(float x)
{
    float e = expf(-fabsf(x)), s = 1.0f / (1.0f + e);
    return x >= 0.0f ? s : e * s;
}
static inline float act_none(float x) { return x; }

/* One (n, 16-channel block) of the pass between any two layouts; F the activation. The source
 * index of (c, s) and the destination's differ only by layout. */
#define EPI_BLOCK(F)                                                                            \
    for (int j = 0; j < cw; j++) {                                                             \
        const int c = c0 + j;                                                                  \
        const float bc = bias ? bias[c] : 0.0f;                                                \
        const float *sp = src + (src_c16 ? blk + (size_t)j : ((size_t)n * C + c) * S);         \
        float *dp = dst + (dst_c16 ? blk + (size_t)j : ((size_t)n * C + c) * S);               \
        const size_t ss = src_c16 ? 16 : 1, ds = dst_c16 ? 16 : 1;                             \
        _Pragma("omp simd") for (size_t s = 0; s < S; s++) dp[s * ds] = F(sp[s * ss] + bc);    \
    }

#define EPI_CASE(F)                                                                             \
    _Pragma("omp parallel for collapse(2) schedule(static) if (total >= EPI_PAR_MIN)")          \
    for (int n = 0; n < N; n++)                                                                \
        for (int cb = 0; cb < CB; cb++) {                                                      \
            const int c0 = cb * 16, cw = C - c0 < 16 ? C - c0 : 16;                            \
            const size_t blk = ((size_t)n * CB + cb) * S * 16;                                 \
            EPI_BLOCK(F)                                                                       \
        }

void infer_epilogue(float *dst, int dst_c16, const float *src, int src_c16, const float *bias,
                    int act, int N, int C, size_t S)
{
    const int CB = (C + 15) / 16;
    const size_t total = (size_t)N * C * S;
    switch (act) {
    case OPS_RELU: EPI_CASE(act_relu) break;
    case OPS_LRELU: EPI_CASE(act_lrelu) break;
    case OPS_TANH: EPI_CASE(act_tanh) break;
    case OPS_SIGMOID: EPI_CASE(act_sigmoid) break;
    default: EPI_CASE(act_none) break;
    }
}

/* Output columns ow = r + s*q of phase r take the taps kw = r + pad (mod s); Q_r of them. */
static int phase_cols(int W_img, int s, int r) { return r < W_img ? (W_img - r + s - 1) / s : 0; }

size_t infer_deconv_direct_acc(const conv_geom *g)
{
    size_t q = (size_t)(g->W_img + g->stride_w - 1) / g->stride_w;
    size_t need = (size_t)g->C_img * g->stride_w * q;
    return need <= DIRECT_ACC_MAX ? need : 0;
}

/* acc[(co*sw + r)*Q + q] += the taps of input row ih at kernel row kh, for every output column
 * ow = r + sw*q of one output row. */
static void direct_row_taps(float *acc, int Q, const float *x_rows, const float *wt, int kh,
                            const conv_geom *g)
{
    const int sw = g->stride_w, Cm = g->C_map, Ci = g->C_img;
    const size_t plane = (size_t)g->H_map * g->W_map;
    for (int kw = 0; kw < g->K_w; kw++) {
        const int r = ((kw - g->pad_left) % sw + sw) % sw;
        const int d = (r + g->pad_left - kw) / sw; /* iw = q + d; exact division */
        const int qr = phase_cols(g->W_img, sw, r);
        const int q_lo = d < 0 ? -d : 0, q_hi = qr < g->W_map - d ? qr : g->W_map - d;
        if (q_lo >= q_hi) continue;
        const float *wk = wt + ((size_t)kh * g->K_w + kw) * Ci * Cm;
        for (int cm = 0; cm < Cm; cm++) {
            const float *xr = x_rows + (size_t)cm * plane + d;
            for (int co = 0; co < Ci; co++) {
                const float wv = wk[(size_t)co * Cm + cm];
                float *a = acc + ((size_t)co * sw + r) * Q;
#pragma omp simd
                for (int q = q_lo; q < q_hi; q++) a[q] += xr[q] * wv;
            }
        }
    }
}

#define DIRECT_STORE(F)                                                                         \
    for (int co = 0; co < Ci; co++) {                                                          \
        float *o = out + (((size_t)n * Ci + co) * g->H_img + oh) * g->W_img;                   \
        const float bc = bias ? bias[co] : 0.0f;                                               \
        for (int ow = 0; ow < g->W_img; ow++)                                                  \
            o[ow] = F(acc[((size_t)co * sw + ow % sw) * Q + ow / sw] + bc);                    \
    }

void infer_deconv_direct(float *out, const float *inp, const float *wt, const float *bias,
                         int act, const conv_geom *g)
{
    const int sw = g->stride_w, sh = g->stride_h, Ci = g->C_img;
    const int Q = (g->W_img + sw - 1) / sw;
    const size_t used = infer_deconv_direct_acc(g);
#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < g->N; n++)
        for (int oh = 0; oh < g->H_img; oh++) {
            float acc[DIRECT_ACC_MAX];
            memset(acc, 0, used * sizeof(float));
            for (int kh = 0; kh < g->K_h; kh++) {
                const int t = oh + g->pad_top - kh;
                if (t < 0 || t % sh != 0 || t / sh >= g->H_map) continue;
                const float *x_rows =
                    inp + ((size_t)n * g->C_map * g->H_map + t / sh) * g->W_map;
                direct_row_taps(acc, Q, x_rows, wt, kh, g);
            }
            switch (act) {
            case OPS_RELU: DIRECT_STORE(act_relu) break;
            case OPS_LRELU: DIRECT_STORE(act_lrelu) break;
            case OPS_TANH: DIRECT_STORE(act_tanh) break;
            case OPS_SIGMOID: DIRECT_STORE(act_sigmoid) break;
            default: DIRECT_STORE(act_none) break;
            }
        }
}
