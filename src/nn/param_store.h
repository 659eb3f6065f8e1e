/* One flat allocation per category for a network: trainable parameters, their gradients, Adam's
 * first and second moments (all with the same layout), and non-trained buffers (batch-norm
 * moving statistics). Checkpointing, zeroing gradients, the optimiser step and a future MPI
 * all-reduce are then one loop or one call over one buffer.
 *
 * The buffers are backend memory (ops_alloc). The host sees the values, Adam's moments and the
 * buffers through host views (host_*): the same memory on a host-memory backend, copies kept
 * by param_store_download/upload otherwise.
 *
 * Use: declare every tensor (each declaration says where to store its pointers), then
 * param_store_alloc() allocates and fills in those pointers. */
#ifndef DCGAN_NN_PARAM_STORE_H
#define DCGAN_NN_PARAM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "core/rng.h"
#include "ops/ops.h"

#define PARAM_MAX_DIMS 4
#define PARAM_NAME_MAX 96

typedef enum {
    PARAM_INIT_ZERO = 0,
    PARAM_INIT_ONE,
    PARAM_INIT_NORMAL,           /* N(0, 0.02) */
    PARAM_INIT_TRUNCATED_NORMAL, /* N(0, 0.02) within 2 std */
    PARAM_INIT_UNIT_VECTOR,      /* N(0, 1) draws scaled to unit length (spectral norm's u, v) */
} param_init;

typedef struct {
    char name[PARAM_NAME_MAX];
    int ndim;
    int64_t shape[PARAM_MAX_DIMS];
    size_t numel;
    size_t offset;    /* into params/grads/m/v, or into buffers when !trainable */
    int trainable;
    param_init init;
    float **value_slot; /* filled with the tensor's address by param_store_alloc */
    float **grad_slot;  /* trainable only; may be NULL */
} param_spec;

typedef struct {
    param_spec *specs;
    int count, cap;
    size_t n_params;  /* floats in params, grads, adam_m, adam_v */
    size_t n_buffers; /* floats in buffers */
    float *params, *grads, *adam_m, *adam_v, *buffers; /* backend memory */
    ops_backend *be;
    float *host_params, *host_adam_m, *host_adam_v, *host_buffers;
    /* Counts changes of the values and buffers, for whoever keeps something made from them (a
     * backend's inference plan, nn/net_infer.h): init_values, reset_buffers, upload and touch
     * add one. Code that changes them in place otherwise (the optimiser step, a training forward
     * that moves the batch-norm statistics, a swap with the weight average) calls touch. */
    unsigned long version;
} param_store;

void param_store_init(param_store *ps);
/* Declares a tensor of the given shape (ndim <= 4). */
void param_store_declare(param_store *ps, const char *name, int ndim, const int64_t *shape,
                         int trainable, param_init init, float **value_slot,
                         float **grad_slot);
void param_store_alloc(param_store *ps, ops_backend *be);
/* Fills every tensor by its init rule; N(0, std) draws come from r in declaration order.
 * Adam's moments and the gradients are zeroed. */
void param_store_init_values(param_store *ps, rng_state *r, float std);
void param_store_zero_grads(param_store *ps);
/* Sets the non-trained buffers back to their init values (ZERO or ONE rules only). */
void param_store_reset_buffers(param_store *ps);
const param_spec *param_store_find(const param_store *ps, const char *name);
/* Address of a tensor's values (backend memory). */
float *param_store_values(const param_store *ps, const param_spec *s);
/* Its host view, and the host views of its Adam moments (trainable tensors only). */
float *param_store_host_values(const param_store *ps, const param_spec *s);
float *param_store_host_adam_m(const param_store *ps, const param_spec *s);
float *param_store_host_adam_v(const param_store *ps, const param_spec *s);
/* Host views <- backend memory (values, moments, buffers), and back. No-ops on host memory. */
void param_store_download(const param_store *ps);
void param_store_upload(param_store *ps);
/* The values or buffers changed in backend memory (see version). */
void param_store_touch(param_store *ps);
void param_store_free(param_store *ps);

#endif
