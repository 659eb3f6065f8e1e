/* Batch normalisation over x viewed as (N, C, S): S = H*W for feature maps, S = 1 for (N,F).
 * Training: per-channel batch mean and biased variance normalise the batch; the moving averages
 * are updated in place as running = decay*running + (1-decay)*batch_stat, where the variance fed
 * to the moving average is the unbiased one (PyTorch's convention; decay 0.9 is PyTorch's
 * momentum 0.1). Inference uses the moving averages. Backward accumulates. */
#ifndef DCGAN_OPS_CPU_BATCHNORM_H
#define DCGAN_OPS_CPU_BATCHNORM_H

#include "ops/ops.h" /* BATCHNORM_DECAY, BATCHNORM_EPS */

/* mean, rstd (C): saved for backward; rstd = 1/sqrt(var_biased + eps).
 * running_mean/running_var (C) may be NULL (not updated). */
void batchnorm_forward_train(float *out, float *mean, float *rstd, float *running_mean,
                             float *running_var, const float *inp, const float *gamma,
                             const float *beta, int N, int C, int S, float decay, float eps);
/* The moving-average update of batchnorm_forward_train alone, from the statistics it saved
 * (mean, rstd) for a batch of M = N*S elements per channel: what a second training forward on
 * the same input would do to the moving averages (to float rounding: the variance is
 * recovered from rstd). */
void batchnorm_update_moving(float *running_mean, float *running_var, const float *mean,
                             const float *rstd, int C, double M, float decay, float eps);
void batchnorm_forward_eval(float *out, const float *inp, const float *running_mean,
                            const float *running_var, const float *gamma, const float *beta,
                            int N, int C, int S, float eps);
/* Gradient of the training-mode forward. dinp, dgamma, dbeta may each be NULL. */
void batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                        const float *inp, const float *mean, const float *rstd,
                        const float *gamma, int N, int C, int S);

/* The same on oneDNN's nChw16c layout: element (n, c, s) at ((n*C/16 + c/16)*S + s)*16 + c%16;
 * C must be a multiple of 16. Results agree with the NCHW functions to float rounding (the
 * channel sums run in another order). */
void batchnorm_forward_train_c16(float *out, float *mean, float *rstd, float *running_mean,
                                 float *running_var, const float *inp, const float *gamma,
                                 const float *beta, int N, int C, int S, float decay, float eps);
void batchnorm_forward_eval_c16(float *out, const float *inp, const float *running_mean,
                                const float *running_var, const float *gamma, const float *beta,
                                int N, int C, int S, float eps);
void batchnorm_backward_c16(float *dinp, float *dgamma, float *dbeta, const float *dout,
                            const float *inp, const float *mean, const float *rstd,
                            const float *gamma, int N, int C, int S);

/* Batch norm in training mode followed by act (OPS_RELU or OPS_LRELU) on its output, in one pass
 * over the maps (c16: nChw16c, else NCHW): the same bits as the two ops one after the other
 * (activation.c's expressions). The backward stays two ops: the activation's in place, then the
 * batch norm's (fused, its reductions lost their vectorisation and it was slower). */
void batchnorm_act_forward_train(int act, int c16, float *out, float *mean, float *rstd,
                                 float *running_mean, float *running_var, const float *inp,
                                 const float *gamma, const float *beta, int N, int C, int S,
                                 float decay, float eps);

/* Synchronised batch norm (ops_set_batchnorm_sync), either layout (c16: nChw16c): statistics
 * and the backward's sums over every replica's batch through rs; dgamma and dbeta from this
 * replica's batch alone. batchnorm_sync.c. */
void batchnorm_forward_train_sync(const ops_replica_sum *rs, int c16, float *out, float *mean,
                                  float *rstd, float *running_mean, float *running_var,
                                  const float *inp, const float *gamma, const float *beta, int N,
                                  int C, int S, float decay, float eps);
void batchnorm_backward_sync(const ops_replica_sum *rs, int c16, float *dinp, float *dgamma,
                             float *dbeta, const float *dout, const float *inp, const float *mean,
                             const float *rstd, const float *gamma, int N, int C, int S);

#endif
