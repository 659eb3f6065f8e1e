#include "train/replicas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crc32c.h"

/* A buffer of backend memory, summed or broadcast through host memory when the backend's is
 * not the host's. */
static void host_staged(dist *d, ops_backend *be, float *buf, size_t n, int broadcast)
{
    float *h = buf;
    if (!ops_memory_is_host(be)) {
        h = dc_alloc_floats(n);
        ops_to_host(be, h, buf, n);
    }
    if (broadcast)
        dist_broadcast(d, h, n * sizeof(float));
    else
        dist_mean_floats(d, h, n);
    if (h != buf) {
        ops_from_host(be, buf, h, n);
        free(h);
    }
}

static void broadcast_store(dist *d, param_store *ps)
{
    param_store_download(ps);
    dist_broadcast(d, ps->host_params, ps->n_params * sizeof(float));
    dist_broadcast(d, ps->host_adam_m, ps->n_params * sizeof(float));
    dist_broadcast(d, ps->host_adam_v, ps->n_params * sizeof(float));
    dist_broadcast(d, ps->host_buffers, ps->n_buffers * sizeof(float));
    param_store_upload(ps);
}

void replicas_broadcast_model(dist *d, dcgan_model *m)
{
    if (dist_world(d) == 1) return;
    broadcast_store(d, &m->G.ps);
    broadcast_store(d, &m->D.ps);
}

void replicas_mean_grads(dist *d, param_store *ps)
{
    if (dist_world(d) == 1) return;
    host_staged(d, ps->be, ps->grads, ps->n_params, 0);
}

void replicas_mean_buffers(dist *d, param_store *ps)
{
    if (dist_world(d) == 1) return;
    host_staged(d, ps->be, ps->buffers, ps->n_buffers, 0);
    param_store_touch(ps);
}

static void grads_ready(void *ctx, size_t offset)
{
    grad_sync *g = ctx;
    if (g->launched - offset < g->bucket) return;
    dist_sum_floats_start(g->d, g->n->ps.grads + offset, g->launched - offset);
    g->launched = offset;
}

void grad_sync_begin(grad_sync *g, dist *d, net *n, size_t bucket)
{
    g->d = d;
    g->n = n;
    g->bucket = bucket;
    g->launched = n->ps.n_params;
    int overlap = dist_world(d) > 1 && bucket > 0 && ops_memory_is_host(n->be);
    n->grads_ready = overlap ? grads_ready : NULL;
    n->grads_ready_ctx = overlap ? g : NULL;
}

void grad_sync_end(grad_sync *g)
{
    net *n = g->n;
    if (dist_world(g->d) == 1) return;
    if (!n->grads_ready) {
        replicas_mean_grads(g->d, &n->ps);
        return;
    }
    n->grads_ready = NULL;
    n->grads_ready_ctx = NULL;
    float *grads = n->ps.grads;
    dist_sum_floats_start(g->d, grads, g->launched);
    dist_wait_sums(g->d);
    const float inv = 1.0f / (float)dist_world(g->d);
    for (size_t i = 0; i < n->ps.n_params; i++) grads[i] *= inv;
}

static void sum_doubles(void *ctx, double *buf, size_t n)
{
    dist_sum_doubles(ctx, buf, n);
}

void replicas_set_batchnorm_sync(dist *d, dcgan_model *m, int sync)
{
    if (!sync || dist_world(d) == 1) {
        ops_set_batchnorm_sync(m->be, NULL);
        return;
    }
    ops_replica_sum rs = {sum_doubles, d, dist_world(d)};
    ops_set_batchnorm_sync(m->be, &rs);
}

static uint32_t store_checksum(uint32_t crc, const param_store *ps)
{
    param_store_download(ps);
    crc = crc32c_extend(crc, ps->host_params, ps->n_params * sizeof(float));
    return crc32c_extend(crc, ps->host_buffers, ps->n_buffers * sizeof(float));
}

uint32_t replicas_model_checksum(const dcgan_model *m)
{
    return store_checksum(store_checksum(0, &m->G.ps), &m->D.ps);
}

int replicas_check_same(dist *d, const dcgan_model *m, long iteration, dc_err *e)
{
    int world = dist_world(d);
    if (world == 1) return 0;
    uint32_t *all = calloc((size_t)world, sizeof *all);
    if (!all) return dc_fail(e, "out of memory comparing the ranks' weights");
    dist_gather_u32(d, replicas_model_checksum(m), all);
    char list[256] = "";
    size_t len = 0;
    int bad = 0;
    for (int r = 1; r < world; r++) {
        if (all[r] == all[0]) continue;
        if (bad++ < 8 && len < sizeof list - 16)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%d", len ? ", " : "", r);
    }
    free(all);
    if (!bad) return 0;
    return dc_fail(e, "at iteration %ld the weights of rank%s %s%s differ from rank 0's (by "
                      "checksum): the ranks no longer train one model; stopping before this "
                      "checkpoint is written (the previous one is intact)",
                   iteration, bad > 1 ? "s" : "", list, bad > 8 ? ", ..." : "");
}
