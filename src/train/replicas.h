/* What data-parallel training adds to an iteration (parallel/dist.h): every rank keeps the same
 * model by starting from rank 0's and applying the same averaged gradients; batch norm may
 * take its statistics over all ranks' batches. With one rank every call here is a no-op. */
#ifndef DCGAN_TRAIN_REPLICAS_H
#define DCGAN_TRAIN_REPLICAS_H

#include <stdint.h>
#include "parallel/dist.h"
#include "model/dcgan.h"
#include "nn/param_store.h"

/* Rank 0's parameters, Adam moments and batch-norm buffers of both networks to every rank. */
void replicas_broadcast_model(dist *d, dcgan_model *m);
/* In place, each gradient becomes the mean of the ranks' gradients. */
void replicas_mean_grads(dist *d, param_store *ps);

/* The same, overlapped with the backward pass that makes the gradients: from
 * grad_sync_begin on, net_backward starts summing each bucket of `bucket` floats (or more)
 * as soon as the layers behind it are done; grad_sync_end starts the rest, waits for all
 * and takes the mean. bucket 0: one sum after the pass. Where the backend's memory is not
 * the host's, everything waits for grad_sync_end (replicas_mean_grads). */
typedef struct {
    dist *d;
    net *n;
    size_t bucket;
    size_t launched; /* grads[launched, n_params) are being summed */
} grad_sync;
void grad_sync_begin(grad_sync *g, dist *d, net *n, size_t bucket);
void grad_sync_end(grad_sync *g);
/* In place, the batch-norm moving averages become the mean of the ranks' (per-rank batch
 * norm: the moving averages then stay one, since they are linear in the batch statistics). */
void replicas_mean_buffers(dist *d, param_store *ps);
/* Synchronised batch norm on the model's backend over the ranks of d (sync 0, or one rank:
 * each rank its own batch). */
void replicas_set_batchnorm_sync(dist *d, dcgan_model *m, int sync);
/* CRC-32C of both networks' parameters and batch-norm buffers as the host sees them. */
uint32_t replicas_model_checksum(const dcgan_model *m);
/* 0 if every rank holds the same model (by checksum), else -1 naming the ranks that differ
 * from rank 0; the same answer on every rank. */
int replicas_check_same(dist *d, const dcgan_model *m, long iteration, dc_err *e);

#endif
