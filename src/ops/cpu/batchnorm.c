/* Batch normalisation over (N, C, S). One OpenMP task per channel; within a channel the N rows of
 * S contiguous floats are reduced with `omp simd` double accumulators (so large means keep their
 * precision and the loops still vectorise).
 *
 * Precision: statistics are two-pass in double (mean, then the centred sum of squares with the
 * sum of deviations as a correction term). The mean is carried into the float element loops as
 * an unevaluated sum hi + lo of two floats, so x - mean is nearly exact even when |mean| >> std.
 * gamma/beta may be NULL (treated as 1 and 0). */
#include "ops/cpu/batchnorm.h"
#include "ops/formulas.h"

#include <math.h>
#include <stddef.h>

/* Below this many elements the whole op runs on one thread. */
#define BN_PAR_MIN 16384

/* The activation a fused forward applies to its output (batchnorm_act_forward_train), with
 * activation.c's expressions, so it gives the same bits as the two ops. BN_NO_ACT: none. All
 * three results are formed and one is selected: branch-free, so the loops stay vectorised (the
 * outlined OpenMP bodies do not see act as a constant). */
#define BN_NO_ACT (-1)
static inline float bn_act(float v, int act)
{
    const float relu = v > 0.0f ? v : 0.0f, lrelu = v > 0.0f ? v : LRELU_SLOPE * v;
    return act == OPS_RELU ? relu : act == OPS_LRELU ? lrelu : v;
}

/* Per-channel mean (double) of x viewed as (N, C, S). */
static double channel_mean(const float *inp, int N, int C, int S, int c)
{
    double acc = 0.0;
    for (int n = 0; n < N; n++) {
        const float *x = inp + ((size_t)n * C + c) * S;
        double a = 0.0;
#pragma omp simd reduction(+ : a)
        for (int s = 0; s < S; s++) a += (double)x[s];
        acc += a;
    }
    return acc / ((double)N * S);
}

/* Centred second moment: sum (x - mean)^2 - (sum (x - mean))^2 / M, in double. */
static double channel_ssd(const float *inp, int N, int C, int S, int c, double mean)
{
    double sq = 0.0, sd = 0.0;
    for (int n = 0; n < N; n++) {
        const float *x = inp + ((size_t)n * C + c) * S;
        double a = 0.0, b = 0.0;
#pragma omp simd reduction(+ : a, b)
        for (int s = 0; s < S; s++) {
            double d = (double)x[s] - mean;
            a += d * d;
            b += d;
        }
        sq += a;
        sd += b;
    }
    double M = (double)N * S;
    double r = sq - sd * sd / M;
    return r > 0.0 ? r : 0.0;
}

/* ---- S == 1: per-feature normalisation of (N, C) rows (the linear layers' batch norms).
 * The per-channel code above would walk each feature down a column with stride C; these loops
 * run along the rows instead, over blocks of FEAT_BLK features, with the same double
 * accumulations in the same order, so the results are identical. */
#define FEAT_BLK 256

static void feat_forward_train(int act, float *out, float *mean, float *rstd,
                               float *running_mean, float *running_var, const float *inp,
                               const float *gamma, const float *beta, int N, int C, float decay,
                               float eps)
{
    const double M = (double)N;
#pragma omp parallel for schedule(static) if ((size_t)N * C >= BN_PAR_MIN && C > FEAT_BLK)
    for (int c0 = 0; c0 < C; c0 += FEAT_BLK) {
        const int m = C - c0 < FEAT_BLK ? C - c0 : FEAT_BLK;
        double mu[FEAT_BLK], sq[FEAT_BLK], sd[FEAT_BLK];
        float scale[FEAT_BLK], mhi[FEAT_BLK], mlo[FEAT_BLK], bt[FEAT_BLK];
        for (int j = 0; j < m; j++) mu[j] = sq[j] = sd[j] = 0.0;
        for (int n = 0; n < N; n++) {
            const float *x = inp + (size_t)n * C + c0;
#pragma omp simd
            for (int j = 0; j < m; j++) mu[j] += (double)x[j];
        }
        for (int j = 0; j < m; j++) mu[j] /= M;
        for (int n = 0; n < N; n++) {
            const float *x = inp + (size_t)n * C + c0;
#pragma omp simd
            for (int j = 0; j < m; j++) {
                double d = (double)x[j] - mu[j];
                sq[j] += d * d;
                sd[j] += d;
            }
        }
        for (int j = 0; j < m; j++) {
            double r = sq[j] - sd[j] * sd[j] / M;
            bn_affine a = bn_channel_train(c0 + j, mu[j], r > 0.0 ? r : 0.0, M, mean, rstd,
                                           running_mean, running_var, gamma, beta, decay, eps);
            scale[j] = a.scale, mhi[j] = a.mhi, mlo[j] = a.mlo, bt[j] = a.shift;
        }
        for (int n = 0; n < N; n++) {
            const float *x = inp + (size_t)n * C + c0;
            float *y = out + (size_t)n * C + c0;
#pragma omp simd
            for (int j = 0; j < m; j++)
                y[j] = bn_act(((x[j] - mhi[j]) - mlo[j]) * scale[j] + bt[j], act);
        }
    }
}

static void feat_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                          const float *inp, const float *mean, const float *rstd,
                          const float *gamma, int N, int C)
{
    const double M = (double)N;
#pragma omp parallel for schedule(static) if ((size_t)N * C >= BN_PAR_MIN && C > FEAT_BLK)
    for (int c0 = 0; c0 < C; c0 += FEAT_BLK) {
        const int m = C - c0 < FEAT_BLK ? C - c0 : FEAT_BLK;
        double sdy[FEAT_BLK], sdyd[FEAT_BLK];
        float k1[FEAT_BLK], k2[FEAT_BLK], k3[FEAT_BLK];
        const float *mu = mean + c0;
        for (int j = 0; j < m; j++) sdy[j] = sdyd[j] = 0.0;
        for (int n = 0; n < N; n++) {
            const float *x = inp + (size_t)n * C + c0;
            const float *dy = dout + (size_t)n * C + c0;
#pragma omp simd
            for (int j = 0; j < m; j++) {
                sdy[j] += (double)dy[j];
                sdyd[j] += (double)dy[j] * (double)(x[j] - mu[j]);
            }
        }
        for (int j = 0; j < m; j++) {
            bn_grad k = bn_channel_grad(c0 + j, sdy[j], sdyd[j], M, rstd, gamma, dgamma, dbeta);
            k1[j] = k.k1, k2[j] = k.k2, k3[j] = k.k3;
        }
        if (!dinp) continue;
        for (int n = 0; n < N; n++) {
            const float *x = inp + (size_t)n * C + c0;
            const float *dy = dout + (size_t)n * C + c0;
            float *dx = dinp + (size_t)n * C + c0;
#pragma omp simd
            for (int j = 0; j < m; j++) dx[j] += k1[j] * dy[j] + k2[j] * (x[j] - mu[j]) + k3[j];
        }
    }
}

static void plain_forward_train(int act, float *out, float *mean, float *rstd,
                                float *running_mean, float *running_var, const float *inp,
                                const float *gamma, const float *beta, int N, int C, int S,
                                float decay, float eps)
{
    if (S == 1) {
        feat_forward_train(act, out, mean, rstd, running_mean, running_var, inp, gamma, beta, N,
                           C, decay, eps);
        return;
    }
    const double M = (double)N * S;
    const size_t total = (size_t)N * C * S;
#pragma omp parallel for schedule(static) if (total >= BN_PAR_MIN && C > 1)
    for (int c = 0; c < C; c++) {
        double mu = channel_mean(inp, N, C, S, c);
        bn_affine a = bn_channel_train(c, mu, channel_ssd(inp, N, C, S, c, mu), M, mean, rstd,
                                       running_mean, running_var, gamma, beta, decay, eps);
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * C + c) * S;
            float *y = out + ((size_t)n * C + c) * S;
#pragma omp simd
            for (int s = 0; s < S; s++)
                y[s] = bn_act(((x[s] - a.mhi) - a.mlo) * a.scale + a.shift, act);
        }
    }
}

void batchnorm_forward_train(float *out, float *mean, float *rstd, float *running_mean,
                             float *running_var, const float *inp, const float *gamma,
                             const float *beta, int N, int C, int S, float decay, float eps)
{
    plain_forward_train(BN_NO_ACT, out, mean, rstd, running_mean, running_var, inp, gamma, beta,
                        N, C, S, decay, eps);
}

void batchnorm_update_moving(float *running_mean, float *running_var, const float *mean,
                             const float *rstd, int C, double M, float decay, float eps)
{
    for (int c = 0; c < C; c++) {
        const double rs = rstd[c];
        double var = 1.0 / (rs * rs) - (double)eps;
        if (var < 0.0) var = 0.0;
        const double unbiased = M > 1.0 ? var * M / (M - 1.0) : var;
        running_mean[c] = (float)((double)decay * running_mean[c] + (1.0 - decay) * (double)mean[c]);
        running_var[c] = (float)((double)decay * running_var[c] + (1.0 - decay) * unbiased);
    }
}

void batchnorm_forward_eval(float *out, const float *inp, const float *running_mean,
                            const float *running_var, const float *gamma, const float *beta,
                            int N, int C, int S, float eps)
{
    const size_t total = (size_t)N * C * S;
#pragma omp parallel for schedule(static) if (total >= BN_PAR_MIN && C > 1)
    for (int c = 0; c < C; c++) {
        const float g = gamma ? gamma[c] : 1.0f;
        const float bt = beta ? beta[c] : 0.0f;
        const float rm = running_mean[c];
        const float scale = (float)((double)g / sqrt((double)running_var[c] + (double)eps));
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * C + c) * S;
            float *y = out + ((size_t)n * C + c) * S;
#pragma omp simd
            for (int s = 0; s < S; s++) y[s] = (x[s] - rm) * scale + bt;
        }
    }
}

/* With xhat = (x - mean)*rstd and dy_hat = dout*gamma over the M = N*S elements of a channel:
 *   dbeta  = sum dout,  dgamma = sum dout*xhat
 *   dx     = rstd/M * (M*dy_hat - sum dy_hat - xhat * sum dy_hat*xhat)
 *          = k1*dout + k2*(x - mean) + k3
 * with k1 = gamma*rstd, k2 = -gamma*rstd^2*dgamma/M, k3 = -gamma*rstd*dbeta/M. */
void batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                        const float *inp, const float *mean, const float *rstd,
                        const float *gamma, int N, int C, int S)
{
    if (!dinp && !dgamma && !dbeta) return;
    if (S == 1) {
        feat_backward(dinp, dgamma, dbeta, dout, inp, mean, rstd, gamma, N, C);
        return;
    }
    const double M = (double)N * S;
    const size_t total = (size_t)N * C * S;
#pragma omp parallel for schedule(static) if (total >= BN_PAR_MIN && C > 1)
    for (int c = 0; c < C; c++) {
        const float mu = mean[c];
        double sum_dy = 0.0, sum_dyd = 0.0; /* sum dout, sum dout*(x - mean) */
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * C + c) * S;
            const float *dy = dout + ((size_t)n * C + c) * S;
            double a = 0.0, b = 0.0;
#pragma omp simd reduction(+ : a, b)
            for (int s = 0; s < S; s++) {
                a += (double)dy[s];
                b += (double)dy[s] * (double)(x[s] - mu);
            }
            sum_dy += a;
            sum_dyd += b;
        }
        bn_grad k = bn_channel_grad(c, sum_dy, sum_dyd, M, rstd, gamma, dgamma, dbeta);
        if (!dinp) continue;
        const float k1 = k.k1, k2 = k.k2, k3 = k.k3;
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * C + c) * S;
            const float *dy = dout + ((size_t)n * C + c) * S;
            float *dx = dinp + ((size_t)n * C + c) * S;
#pragma omp simd
            for (int s = 0; s < S; s++) dx[s] += k1 * dy[s] + k2 * (x[s] - mu) + k3;
        }
    }
}

/* ---- nChw16c: x viewed as (N, C/16, S, 16), the layout oneDNN's convolutions keep their
 * activations in. Sixteen channels are processed together, one per vector lane; the same
 * double accumulations as above, summed in (n, s) order per channel. */

static void c16_forward_train(int act, float *out, float *mean, float *rstd,
                              float *running_mean, float *running_var, const float *inp,
                              const float *gamma, const float *beta, int N, int C, int S,
                              float decay, float eps)
{
    const int CB = C / 16;
    const double M = (double)N * S;
    const size_t total = (size_t)N * C * S;
#pragma omp parallel for schedule(static) if (total >= BN_PAR_MIN && CB > 1)
    for (int cb = 0; cb < CB; cb++) {
        double mu[16] = {0}, sq[16] = {0}, sd[16] = {0};
        float scale[16], mhi[16], mlo[16], bt[16];
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * CB + cb) * S * 16;
            for (int s = 0; s < S; s++)
#pragma omp simd
                for (int j = 0; j < 16; j++) mu[j] += (double)x[s * 16 + j];
        }
        for (int j = 0; j < 16; j++) mu[j] /= M;
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * CB + cb) * S * 16;
            for (int s = 0; s < S; s++)
#pragma omp simd
                for (int j = 0; j < 16; j++) {
                    double d = (double)x[s * 16 + j] - mu[j];
                    sq[j] += d * d;
                    sd[j] += d;
                }
        }
        for (int j = 0; j < 16; j++) {
            double r = sq[j] - sd[j] * sd[j] / M;
            bn_affine a = bn_channel_train(cb * 16 + j, mu[j], r > 0.0 ? r : 0.0, M, mean, rstd,
                                           running_mean, running_var, gamma, beta, decay, eps);
            scale[j] = a.scale, mhi[j] = a.mhi, mlo[j] = a.mlo, bt[j] = a.shift;
        }
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * CB + cb) * S * 16;
            float *y = out + ((size_t)n * CB + cb) * S * 16;
            for (int s = 0; s < S; s++)
#pragma omp simd
                for (int j = 0; j < 16; j++)
                    y[s * 16 + j] =
                        bn_act(((x[s * 16 + j] - mhi[j]) - mlo[j]) * scale[j] + bt[j], act);
        }
    }
}

void batchnorm_forward_train_c16(float *out, float *mean, float *rstd, float *running_mean,
                                 float *running_var, const float *inp, const float *gamma,
                                 const float *beta, int N, int C, int S, float decay, float eps)
{
    c16_forward_train(BN_NO_ACT, out, mean, rstd, running_mean, running_var, inp, gamma, beta, N,
                      C, S, decay, eps);
}

void batchnorm_act_forward_train(int act, int c16, float *out, float *mean, float *rstd,
                                 float *running_mean, float *running_var, const float *inp,
                                 const float *gamma, const float *beta, int N, int C, int S,
                                 float decay, float eps)
{
    (c16 ? c16_forward_train : plain_forward_train)(act, out, mean, rstd, running_mean,
                                                    running_var, inp, gamma, beta, N, C, S,
                                                    decay, eps);
}

void batchnorm_forward_eval_c16(float *out, const float *inp, const float *running_mean,
                                const float *running_var, const float *gamma, const float *beta,
                                int N, int C, int S, float eps)
{
    const int CB = C / 16;
    const size_t total = (size_t)N * C * S;
#pragma omp parallel for schedule(static) if (total >= BN_PAR_MIN && CB > 1)
    for (int cb = 0; cb < CB; cb++) {
        float scale[16], rm[16], bt[16];
        for (int j = 0; j < 16; j++) {
            const int c = cb * 16 + j;
            const float g = gamma ? gamma[c] : 1.0f;
            bt[j] = beta ? beta[c] : 0.0f;
            rm[j] = running_mean[c];
            scale[j] = (float)((double)g / sqrt((double)running_var[c] + (double)eps));
        }
        for (int n = 0; n < N; n++) {
            const float *x = inp + ((size_t)n * CB + cb) * S * 16;
            float *y = out + ((size_t)n * CB + cb) * S * 16;
            for (int s = 0; s < S; s++)
#pragma omp simd
                for (int j = 0; j < 16; j++) y[s * 16 + j] = (x[s * 16 + j] - rm[j]) * scale[j] + bt[j];
        }
    }
}

void batchnorm_backward_c16(float *dinp, float *dgamma, float *dbeta, const float *dout,
                            const float *inp, const float *mean, const float *rstd,
                            const float *gamma, int N, int C, int S)
{
    if (!dinp && !dgamma && !dbeta) return;
    const int CB = C / 16;
    const double M = (double)N * S;
    const size_t total = (size_t)N * C * S;
#pragma omp parallel for schedule(static) if (total >= BN_PAR_MIN && CB > 1)
    for (int cb = 0; cb < CB; cb++) {
        const float *mu = mean + cb * 16;
        double sdy[16] = {0}, sdyd[16] = {0};
        float k1[16], k2[16], k3[16];
        for (int n = 0; n < N; n++) {
            const size_t base = ((size_t)n * CB + cb) * S * 16;
            const float *x = inp + base, *dy = dout + base;
            for (int s = 0; s < S; s++)
#pragma omp simd
                for (int j = 0; j < 16; j++) {
                    sdy[j] += (double)dy[s * 16 + j];
                    sdyd[j] += (double)dy[s * 16 + j] * (double)(x[s * 16 + j] - mu[j]);
                }
        }
        for (int j = 0; j < 16; j++) {
            bn_grad k = bn_channel_grad(cb * 16 + j, sdy[j], sdyd[j], M, rstd, gamma, dgamma, dbeta);
            k1[j] = k.k1, k2[j] = k.k2, k3[j] = k.k3;
        }
        if (!dinp) continue;
        for (int n = 0; n < N; n++) {
            const size_t base = ((size_t)n * CB + cb) * S * 16;
            const float *x = inp + base, *dy = dout + base;
            float *dx = dinp + base;
            for (int s = 0; s < S; s++)
#pragma omp simd
                for (int j = 0; j < 16; j++)
                    dx[s * 16 + j] += k1[j] * dy[s * 16 + j] + k2[j] * (x[s * 16 + j] - mu[j]) + k3[j];
        }
    }
}
