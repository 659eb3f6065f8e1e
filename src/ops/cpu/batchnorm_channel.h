/* The per-channel arithmetic batchnorm.c and batchnorm_sync.c share: from a channel's sums to
 * what its element loops apply. Private to the CPU backend's batch norm. */
#ifndef DCGAN_OPS_CPU_BATCHNORM_CHANNEL_H
#define DCGAN_OPS_CPU_BATCHNORM_CHANNEL_H

/* y = ((x - mhi) - mlo) * scale + shift, the mean carried as hi + lo floats. */
typedef struct {
    float scale, mhi, mlo, shift;
} bn_affine;

/* For channel c of a training forward, from its mean and centred sum of squares r >= 0 over M
 * elements: saves mean and rstd, updates the moving averages (either may be NULL), and
 * returns the affine map of its elements. */
bn_affine bn_channel_train(int c, double mu, double r, double M, float *mean, float *rstd,
                           float *running_mean, float *running_var, const float *gamma,
                           const float *beta, float decay, float eps);

/* dx = k1*dout + k2*(x - mean) + k3 (see batchnorm_backward). */
typedef struct {
    float k1, k2, k3;
} bn_grad;

/* For channel c of a backward over M elements, from sum dout and sum dout*(x - mean):
 * accumulates dgamma and dbeta (each may be NULL) and returns dx's coefficients. */
bn_grad bn_channel_grad(int c, double sum_dy, double sum_dyd, double M, const float *rstd,
                        const float *gamma, float *dgamma, float *dbeta);

#endif
