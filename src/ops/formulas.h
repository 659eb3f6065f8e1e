/* The arithmetic every backend shares, written once so that the CPU kernels (ops/cpu/) and the
 * CUDA kernels (ops/cuda/, where these are __host__ __device__) compute the same formulas:
 * batch norm's per-channel step from its sums to what its element loops apply, and Adam's
 * per-parameter update. Header-only: each backend inlines them into its own loops. */
#ifndef DCGAN_OPS_FORMULAS_H
#define DCGAN_OPS_FORMULAS_H

#include <math.h>

#include "ops/ops.h"

#ifdef __CUDACC__
#define OPS_HD __host__ __device__
#else
#define OPS_HD
#endif

/* y = ((x - mhi) - mlo) * scale + shift, the mean carried as hi + lo floats. */
typedef struct {
    float scale, mhi, mlo, shift;
} bn_affine;

/* For channel c of a training forward, from its mean and centred sum of squares r >= 0 over M
 * elements: saves mean and rstd, updates the moving averages (either may be NULL; the variance
 * unbiased), and returns the affine map of its elements. gamma/beta NULL: 1 and 0. */
static inline OPS_HD bn_affine bn_channel_train(int c, double mu, double r, double M, float *mean,
                                                float *rstd, float *running_mean,
                                                float *running_var, const float *gamma,
                                                const float *beta, float decay, float eps)
{
    double var = r / M; /* biased */
    double rs = 1.0 / sqrt(var + (double)eps);
    mean[c] = (float)mu;
    rstd[c] = (float)rs;
    if (running_mean)
        running_mean[c] = (float)((double)decay * running_mean[c] + (1.0 - decay) * mu);
    if (running_var) {
        double unbiased = M > 1.0 ? var * M / (M - 1.0) : var;
        running_var[c] = (float)((double)decay * running_var[c] + (1.0 - decay) * unbiased);
    }
    bn_affine a;
    const float g = gamma ? gamma[c] : 1.0f;
    a.shift = beta ? beta[c] : 0.0f;
    a.scale = (float)((double)g * rs);
    a.mhi = (float)mu;
    a.mlo = (float)(mu - (double)a.mhi);
    return a;
}

/* dx = k1*dout + k2*(x - mean) + k3. */
typedef struct {
    float k1, k2, k3;
} bn_grad;

/* For channel c of a backward over M elements, from sum dout and sum dout*(x - mean):
 * accumulates dgamma and dbeta (each may be NULL) and returns dx's coefficients. With
 * xhat = (x - mean)*rstd: dbeta = sum dout, dgamma = sum dout*xhat, k1 = gamma*rstd,
 * k2 = -gamma*rstd^2*dgamma/M, k3 = -gamma*rstd*dbeta/M. */
static inline OPS_HD bn_grad bn_channel_grad(int c, double sum_dy, double sum_dyd, double M,
                                             const float *rstd, const float *gamma,
                                             float *dgamma, float *dbeta)
{
    const double rs = rstd[c];
    const double dg = sum_dyd * rs; /* sum dout*xhat */
    if (dbeta) dbeta[c] += (float)sum_dy;
    if (dgamma) dgamma[c] += (float)dg;
    const double g = gamma ? gamma[c] : 1.0;
    bn_grad k = {(float)(g * rs), (float)(-g * rs * rs * dg / M), (float)(-g * rs * sum_dy / M)};
    return k;
}

/* Adam's step size at 1-based step t, formed in double (TensorFlow's update form, ops.h). */
static inline float adam_step_size(const adam_config *cfg, long t)
{
    const double b1 = cfg->beta1, b2 = cfg->beta2, td = (double)t;
    return (float)((double)cfg->lr * sqrt(1.0 - pow(b2, td)) / (1.0 - pow(b1, td)));
}

/* One parameter's Adam update with step size lr_t. */
static inline OPS_HD void adam_update_one(float *param, float *m, float *v, float g, float lr_t,
                                          float beta1, float beta2, float eps)
{
    const float mi = beta1 * *m + (1.0f - beta1) * g;
    const float vi = beta2 * *v + (1.0f - beta2) * g * g;
    *m = mi;
    *v = vi;
    *param -= lr_t * mi / (sqrtf(vi) + eps);
}

#endif
