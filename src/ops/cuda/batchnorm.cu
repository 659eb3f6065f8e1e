/* Batch norm over (N, C, S), the CPU backend's arithmetic (src/ops/cpu/batchnorm.c): two-pass
 * statistics in double, the mean carried as hi + lo floats into the element loop, the same
 * per-channel formulas. One block per channel does the whole training forward (or backward)
 * in one launch. With synchronised batch norm (ops_set_batchnorm_sync) the per-channel sums
 * come to the host, are summed over the replicas, and go back. */
#include "ops/cuda/cuda_internal.h"
#include "ops/formulas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BN_BLOCK 512

/* Sum of v over the block; every thread gets it. red: blockDim.x/32 doubles of shared memory. */
__device__ static double block_sum(double v, double *red)
{
    for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffffu, v, o);
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, nw = blockDim.x / 32;
    __syncthreads(); /* red may still be read from the previous call */
    if (lane == 0) red[warp] = v;
    __syncthreads();
    double s = 0.0;
    for (int w = 0; w < nw; w++) s += red[w];
    return s;
}

#define AT(c, k) (((size_t)((k) / S) * C + (c)) * S + (k) % S)

__global__ static void k_bn_train(float *out, float *mean, float *rstd, float *running_mean,
                                  float *running_var, const float *inp, const float *gamma,
                                  const float *beta, int N, int C, int S, float decay, float eps)
{
    __shared__ double red[BN_BLOCK / 32];
    __shared__ bn_affine aff;
    const int c = blockIdx.x;
    const size_t M = (size_t)N * S;
    double a = 0.0;
    for (size_t k = threadIdx.x; k < M; k += blockDim.x) a += (double)inp[AT(c, k)];
    const double mu = block_sum(a, red) / (double)M;
    double sq = 0.0, sd = 0.0;
    for (size_t k = threadIdx.x; k < M; k += blockDim.x) {
        double d = (double)inp[AT(c, k)] - mu;
        sq += d * d;
        sd += d;
    }
    sq = block_sum(sq, red);
    sd = block_sum(sd, red);
    if (threadIdx.x == 0) {
        double r = sq - sd * sd / (double)M;
        aff = bn_channel_train(c, mu, r > 0.0 ? r : 0.0, (double)M, mean, rstd, running_mean,
                               running_var, gamma, beta, decay, eps);
    }
    __syncthreads();
    const bn_affine f = aff;
    for (size_t k = threadIdx.x; k < M; k += blockDim.x) {
        size_t i = AT(c, k);
        out[i] = ((inp[i] - f.mhi) - f.mlo) * f.scale + f.shift;
    }
}

/* ---- the synchronised path's pieces ---- */
/* sums[c] = sum x (what 0); sums[c] = sum (x-mu)^2, sums[C+c] = sum (x-mu) (what 1) */
__global__ static void k_bn_sums(double *sums, const float *inp, const double *mu, int N, int C,
                                 int S, int what)
{
    __shared__ double red[BN_BLOCK / 32];
    const int c = blockIdx.x;
    const size_t M = (size_t)N * S;
    if (what == 0) {
        double a = 0.0;
        for (size_t k = threadIdx.x; k < M; k += blockDim.x) a += (double)inp[AT(c, k)];
        a = block_sum(a, red);
        if (threadIdx.x == 0) sums[c] = a;
        return;
    }
    const double m = mu[c];
    double sq = 0.0, sd = 0.0;
    for (size_t k = threadIdx.x; k < M; k += blockDim.x) {
        double d = (double)inp[AT(c, k)] - m;
        sq += d * d;
        sd += d;
    }
    sq = block_sum(sq, red);
    sd = block_sum(sd, red);
    if (threadIdx.x == 0) {
        sums[c] = sq;
        sums[C + c] = sd;
    }
}

/* y = ((x - mhi) - mlo) * scale + shift with the per-channel floats in aff (4 x C). */
__global__ static void k_bn_apply(float *out, const float *inp, const float *aff, int C, int S,
                                  size_t total)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total;
         i += (size_t)gridDim.x * blockDim.x) {
        int c = (int)((i / S) % C);
        out[i] = ((inp[i] - aff[C + c]) - aff[2 * C + c]) * aff[c] + aff[3 * C + c];
    }
}

static void download(cuda_backend *b, void *host, const void *dev, size_t bytes)
{
    CUDA_CHECK(cudaMemcpyAsync(host, dev, bytes, cudaMemcpyDeviceToHost, b->stream));
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
}
static void upload(cuda_backend *b, void *dev, const void *host, size_t bytes)
{
    CUDA_CHECK(cudaMemcpyAsync(dev, host, bytes, cudaMemcpyHostToDevice, b->stream));
    CUDA_CHECK(cudaStreamSynchronize(b->stream)); /* host buffers are reused at once */
}

/* Float arrays of C that may be NULL, brought to the host and back. */
static float *host_copy(cuda_backend *b, const float *dev, int C)
{
    if (!dev) return NULL;
    float *h = (float *)malloc((size_t)C * sizeof(float));
    if (!h) cuda_die("malloc", "out of host memory");
    download(b, h, dev, (size_t)C * sizeof(float));
    return h;
}

static void bn_train_sync(cuda_backend *b, float *out, float *mean, float *rstd,
                          float *running_mean, float *running_var, const float *inp,
                          const float *gamma, const float *beta, int N, int C, int S, float decay,
                          float eps)
{
    const ops_replica_sum *rs = &b->base.bn_sync;
    cuda_scratch_reserve(b, 2 * (size_t)C);
    const double M = (double)N * S * rs->replicas;
    double *h = (double *)malloc(2 * (size_t)C * sizeof(double));
    if (!h) cuda_die("malloc", "out of host memory");
    k_bn_sums<<<C, BN_BLOCK, 0, b->stream>>>(b->dsum, inp, NULL, N, C, S, 0);
    CUDA_LAUNCHED("batchnorm");
    download(b, h, b->dsum, (size_t)C * sizeof(double));
    rs->sum(rs->ctx, h, (size_t)C);
    for (int c = 0; c < C; c++) h[c] /= M;
    upload(b, b->dsum + C, h, (size_t)C * sizeof(double)); /* the means */
    double *mu = (double *)malloc((size_t)C * sizeof(double));
    if (!mu) cuda_die("malloc", "out of host memory");
    memcpy(mu, h, (size_t)C * sizeof(double));
    k_bn_sums<<<C, BN_BLOCK, 0, b->stream>>>(b->dsum, inp, b->dsum + C, N, C, S, 1);
    CUDA_LAUNCHED("batchnorm");
    download(b, h, b->dsum, 2 * (size_t)C * sizeof(double));
    rs->sum(rs->ctx, h, 2 * (size_t)C);
    float *hm = (float *)malloc((size_t)C * 2 * sizeof(float));
    float *aff = (float *)malloc((size_t)C * 4 * sizeof(float));
    if (!hm || !aff) cuda_die("malloc", "out of host memory");
    float *rm = host_copy(b, running_mean, C), *rv = host_copy(b, running_var, C);
    float *g = host_copy(b, gamma, C), *bt = host_copy(b, beta, C);
    for (int c = 0; c < C; c++) {
        double r = h[c] - h[C + c] * h[C + c] / M;
        bn_affine a = bn_channel_train(c, mu[c], r > 0.0 ? r : 0.0, M, hm, hm + C, rm, rv, g,
                                         bt, decay, eps);
        aff[c] = a.scale, aff[C + c] = a.mhi, aff[2 * C + c] = a.mlo, aff[3 * C + c] = a.shift;
    }
    upload(b, mean, hm, (size_t)C * sizeof(float));
    upload(b, rstd, hm + C, (size_t)C * sizeof(float));
    if (rm) upload(b, running_mean, rm, (size_t)C * sizeof(float));
    if (rv) upload(b, running_var, rv, (size_t)C * sizeof(float));
    /* the affine floats ride in the scratch doubles (4C floats fit in 2C doubles) */
    float *daff = (float *)b->dsum;
    upload(b, daff, aff, (size_t)C * 4 * sizeof(float));
    size_t total = (size_t)N * C * S;
    k_bn_apply<<<cuda_grid(total, 256), 256, 0, b->stream>>>(out, inp, daff, C, S, total);
    CUDA_LAUNCHED("batchnorm");
    CUDA_CHECK(cudaStreamSynchronize(b->stream)); /* dsum is reused by the next call */
    free(h), free(mu), free(hm), free(aff), free(rm), free(rv), free(g), free(bt);
}

void cuda_bn_train(ops_backend *be, int layout, float *out, float *mean, float *rstd,
                   float *running_mean, float *running_var, const float *inp,
                   const float *gamma, const float *beta, int N, int C, int S, float decay,
                   float eps)
{
    DC_ASSERT(layout == OPS_LAYOUT_PLAIN, "cuda batchnorm: layout %d", layout);
    cuda_backend *b = cuda_of(be);
    if (be->bn_sync.sum) {
        bn_train_sync(b, out, mean, rstd, running_mean, running_var, inp, gamma, beta, N, C, S,
                      decay, eps);
        return;
    }
    k_bn_train<<<C, BN_BLOCK, 0, b->stream>>>(out, mean, rstd, running_mean, running_var, inp,
                                              gamma, beta, N, C, S, decay, eps);
    CUDA_LAUNCHED("batchnorm_forward_train");
}

__global__ static void k_bn_eval(float *out, const float *inp, const float *rm, const float *rv,
                                 const float *gamma, const float *beta, int C, int S, float eps,
                                 size_t total)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total;
         i += (size_t)gridDim.x * blockDim.x) {
        int c = (int)((i / S) % C);
        const float g = gamma ? gamma[c] : 1.0f;
        const float bt = beta ? beta[c] : 0.0f;
        const float scale = (float)((double)g / sqrt((double)rv[c] + (double)eps));
        out[i] = (inp[i] - rm[c]) * scale + bt;
    }
}

void cuda_bn_eval(ops_backend *be, int layout, float *out, const float *inp,
                  const float *running_mean, const float *running_var, const float *gamma,
                  const float *beta, int N, int C, int S, float eps)
{
    DC_ASSERT(layout == OPS_LAYOUT_PLAIN, "cuda batchnorm: layout %d", layout);
    size_t total = (size_t)N * C * S;
    if (!total) return;
    k_bn_eval<<<cuda_grid(total, 256), 256, 0, cuda_of(be)->stream>>>(
        out, inp, running_mean, running_var, gamma, beta, C, S, eps, total);
    CUDA_LAUNCHED("batchnorm_forward_eval");
}

/* kk: NULL, or (sync) the coefficients 3 x C already computed on the host */
__global__ static void k_bn_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                                     const float *inp, const float *mean, const float *rstd,
                                     const float *gamma, int N, int C, int S, double *sums,
                                     const float *kk, int pass)
{
    __shared__ double red[BN_BLOCK / 32];
    __shared__ bn_grad k;
    const int c = blockIdx.x;
    const size_t M = (size_t)N * S;
    const float mu = mean[c];
    if (pass != 2) {
        double a = 0.0, bsum = 0.0;
        for (size_t j = threadIdx.x; j < M; j += blockDim.x) {
            size_t i = AT(c, j);
            a += (double)dout[i];
            bsum += (double)dout[i] * (double)(inp[i] - mu);
        }
        a = block_sum(a, red);
        bsum = block_sum(bsum, red);
        if (pass == 1) { /* sums only (synchronised) */
            if (threadIdx.x == 0) sums[c] = a, sums[C + c] = bsum;
            return;
        }
        if (threadIdx.x == 0) k = bn_channel_grad(c, a, bsum, (double)M, rstd, gamma, dgamma, dbeta);
    } else if (threadIdx.x == 0) {
        k = bn_grad{kk[c], kk[C + c], kk[2 * C + c]};
    }
    __syncthreads();
    if (!dinp) return;
    const float k1 = k.k1, k2 = k.k2, k3 = k.k3;
    for (size_t j = threadIdx.x; j < M; j += blockDim.x) {
        size_t i = AT(c, j);
        dinp[i] += k1 * dout[i] + k2 * (inp[i] - mu) + k3;
    }
}

void cuda_bn_backward(ops_backend *be, int layout, float *dinp, float *dgamma, float *dbeta,
                      const float *dout, const float *inp, const float *mean, const float *rstd,
                      const float *gamma, int N, int C, int S)
{
    DC_ASSERT(layout == OPS_LAYOUT_PLAIN, "cuda batchnorm: layout %d", layout);
    if (!dinp && !dgamma && !dbeta) return;
    cuda_backend *b = cuda_of(be);
    if (!be->bn_sync.sum) {
        k_bn_backward<<<C, BN_BLOCK, 0, b->stream>>>(dinp, dgamma, dbeta, dout, inp, mean, rstd,
                                                     gamma, N, C, S, NULL, NULL, 0);
        CUDA_LAUNCHED("batchnorm_backward");
        return;
    }
    /* synchronised: the sums over every replica's batch; dgamma and dbeta stay our own */
    const ops_replica_sum *rs = &be->bn_sync;
    cuda_scratch_reserve(b, 3 * (size_t)C);
    k_bn_backward<<<C, BN_BLOCK, 0, b->stream>>>(NULL, NULL, NULL, dout, inp, mean, rstd, gamma,
                                                 N, C, S, b->dsum, NULL, 1);
    CUDA_LAUNCHED("batchnorm_backward");
    double *own = (double *)malloc(2 * (size_t)C * sizeof(double));
    double *all = (double *)malloc(2 * (size_t)C * sizeof(double));
    float *kk = (float *)malloc(3 * (size_t)C * sizeof(float));
    if (!own || !all || !kk) cuda_die("malloc", "out of host memory");
    download(b, own, b->dsum, 2 * (size_t)C * sizeof(double));
    memcpy(all, own, 2 * (size_t)C * sizeof(double));
    rs->sum(rs->ctx, all, 2 * (size_t)C);
    float *hr = host_copy(b, rstd, C), *hg = host_copy(b, gamma, C);
    float *hdg = host_copy(b, dgamma, C), *hdb = host_copy(b, dbeta, C);
    const double M = (double)N * S * rs->replicas;
    for (int c = 0; c < C; c++) {
        /* dgamma/dbeta from this replica's sums (the gradient all-reduce sums them) */
        bn_channel_grad(c, own[c], own[C + c], M, hr, hg, hdg, hdb);
        bn_grad k = bn_channel_grad(c, all[c], all[C + c], M, hr, hg, NULL, NULL);
        kk[c] = k.k1, kk[C + c] = k.k2, kk[2 * C + c] = k.k3;
    }
    if (hdg) upload(b, dgamma, hdg, (size_t)C * sizeof(float));
    if (hdb) upload(b, dbeta, hdb, (size_t)C * sizeof(float));
    float *dk = (float *)b->dsum; /* 3C floats fit in 3C doubles */
    upload(b, dk, kk, 3 * (size_t)C * sizeof(float));
    k_bn_backward<<<C, BN_BLOCK, 0, b->stream>>>(dinp, NULL, NULL, dout, inp, mean, rstd, gamma,
                                                 N, C, S, NULL, dk, 2);
    CUDA_LAUNCHED("batchnorm_backward");
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
    free(own), free(all), free(kk), free(hr), free(hg), free(hdg), free(hdb);
}

__global__ static void k_bn_update_moving(float *rm, float *rv, const float *mean,
                                          const float *rstd, int C, double M, float decay,
                                          float eps)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    const double rs = rstd[c];
    double var = 1.0 / (rs * rs) - (double)eps;
    if (var < 0.0) var = 0.0;
    const double unbiased = M > 1.0 ? var * M / (M - 1.0) : var;
    rm[c] = (float)((double)decay * rm[c] + (1.0 - decay) * (double)mean[c]);
    rv[c] = (float)((double)decay * rv[c] + (1.0 - decay) * unbiased);
}

void cuda_bn_update_moving(ops_backend *be, float *running_mean, float *running_var,
                           const float *mean, const float *rstd, int C, double M, float decay,
                           float eps)
{
    k_bn_update_moving<<<(C + 255) / 256, 256, 0, cuda_of(be)->stream>>>(
        running_mean, running_var, mean, rstd, C, M, decay, eps);
    CUDA_LAUNCHED("batchnorm_update_moving");
}

__global__ static void k_channel_sum_add(float *acc, const float *x, int N, int C, int S)
{
    __shared__ double red[BN_BLOCK / 32];
    const int c = blockIdx.x;
    const size_t M = (size_t)N * S;
    double a = 0.0;
    for (size_t k = threadIdx.x; k < M; k += blockDim.x) a += (double)x[AT(c, k)];
    a = block_sum(a, red);
    if (threadIdx.x == 0) acc[c] += (float)a;
}

void cuda_channel_sum_add(cuda_backend *b, float *acc, const float *x, int N, int C, int S)
{
    k_channel_sum_add<<<C, BN_BLOCK, 0, b->stream>>>(acc, x, N, C, S);
    CUDA_LAUNCHED("channel_sum");
}
