#include "nn/param_store.h"

#include <math.h>

#include <string.h>
#include "core/error.h"

void param_store_init(param_store *ps) { memset(ps, 0, sizeof *ps); }

void param_store_declare(param_store *ps, const char *name, int ndim, const int64_t *shape,
                         int trainable, param_init init, float **value_slot, float **grad_slot)
{
    DC_ASSERT(ndim >= 1 && ndim <= PARAM_MAX_DIMS, "bad ndim %d for %s", ndim, name);
    DC_ASSERT(strlen(name) < PARAM_NAME_MAX, "name too long: %s", name);
    DC_ASSERT(!ps->params && !ps->buffers, "declare after alloc: %s", name);
    if (ps->count == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 32;
        param_spec *s = realloc(ps->specs, (size_t)cap * sizeof *s);
        DC_ASSERT(s != NULL, "out of memory");
        ps->specs = s;
        ps->cap = cap;
    }
    param_spec *s = &ps->specs[ps->count++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->ndim = ndim;
    s->numel = 1;
    for (int i = 0; i < ndim; i++) {
        DC_ASSERT(shape[i] > 0, "bad shape for %s", name);
        s->shape[i] = shape[i];
        s->numel *= (size_t)shape[i];
    }
    s->trainable = trainable;
    s->init = init;
    s->value_slot = value_slot;
    s->grad_slot = grad_slot;
    /* keep every tensor 16-float (64-byte) aligned */
    size_t padded = (s->numel + 15) / 16 * 16;
    if (trainable) {
        s->offset = ps->n_params;
        ps->n_params += padded;
    } else {
        s->offset = ps->n_buffers;
        ps->n_buffers += padded;
    }
}

void param_store_alloc(param_store *ps, ops_backend *be)
{
    ps->be = be;
    ps->params = ops_alloc(be, ps->n_params);
    ps->grads = ops_alloc(be, ps->n_params);
    ps->adam_m = ops_alloc(be, ps->n_params);
    ps->adam_v = ops_alloc(be, ps->n_params);
    ps->buffers = ops_alloc(be, ps->n_buffers);
    if (ops_memory_is_host(be)) {
        ps->host_params = ps->params;
        ps->host_adam_m = ps->adam_m;
        ps->host_adam_v = ps->adam_v;
        ps->host_buffers = ps->buffers;
    } else {
        ps->host_params = dc_alloc_floats(ps->n_params);
        ps->host_adam_m = dc_alloc_floats(ps->n_params);
        ps->host_adam_v = dc_alloc_floats(ps->n_params);
        ps->host_buffers = dc_alloc_floats(ps->n_buffers);
    }
    for (int i = 0; i < ps->count; i++) {
        param_spec *s = &ps->specs[i];
        if (s->value_slot) *s->value_slot = param_store_values(ps, s);
        if (s->grad_slot) *s->grad_slot = s->trainable ? ps->grads + s->offset : NULL;
    }
}

float *param_store_values(const param_store *ps, const param_spec *s)
{
    return (s->trainable ? ps->params : ps->buffers) + s->offset;
}

float *param_store_host_values(const param_store *ps, const param_spec *s)
{
    return (s->trainable ? ps->host_params : ps->host_buffers) + s->offset;
}

float *param_store_host_adam_m(const param_store *ps, const param_spec *s)
{
    DC_ASSERT(s->trainable, "%s has no Adam moments", s->name);
    return ps->host_adam_m + s->offset;
}

float *param_store_host_adam_v(const param_store *ps, const param_spec *s)
{
    DC_ASSERT(s->trainable, "%s has no Adam moments", s->name);
    return ps->host_adam_v + s->offset;
}

void param_store_download(const param_store *ps)
{
    if (ops_memory_is_host(ps->be)) return;
    ops_to_host(ps->be, ps->host_params, ps->params, ps->n_params);
    ops_to_host(ps->be, ps->host_adam_m, ps->adam_m, ps->n_params);
    ops_to_host(ps->be, ps->host_adam_v, ps->adam_v, ps->n_params);
    ops_to_host(ps->be, ps->host_buffers, ps->buffers, ps->n_buffers);
}

void param_store_touch(param_store *ps) { ps->version++; }

void param_store_upload(param_store *ps)
{
    ps->version++;
    if (ops_memory_is_host(ps->be)) return;
    ops_from_host(ps->be, ps->params, ps->host_params, ps->n_params);
    ops_from_host(ps->be, ps->adam_m, ps->host_adam_m, ps->n_params);
    ops_from_host(ps->be, ps->adam_v, ps->host_adam_v, ps->n_params);
    ops_from_host(ps->be, ps->buffers, ps->host_buffers, ps->n_buffers);
}

void param_store_init_values(param_store *ps, rng_state *r, float std)
{
    ps->version++;
    for (int i = 0; i < ps->count; i++) {
        param_spec *s = &ps->specs[i];
        float *v = param_store_host_values(ps, s);
        switch (s->init) {
        case PARAM_INIT_ZERO: memset(v, 0, s->numel * sizeof *v); break;
        case PARAM_INIT_ONE:
            for (size_t j = 0; j < s->numel; j++) v[j] = 1.0f;
            break;
        case PARAM_INIT_NORMAL: rng_normal(r, v, s->numel, 0.0f, std); break;
        case PARAM_INIT_TRUNCATED_NORMAL: rng_truncated_normal(r, v, s->numel, 0.0f, std); break;
        case PARAM_INIT_UNIT_VECTOR: {
            rng_normal(r, v, s->numel, 0.0f, 1.0f);
            double ss = 0;
            for (size_t j = 0; j < s->numel; j++) ss += (double)v[j] * v[j];
            double inv = ss > 0 ? 1.0 / sqrt(ss) : 0.0;
            for (size_t j = 0; j < s->numel; j++) v[j] = (float)(v[j] * inv);
            break;
        }
        }
    }
    memset(ps->host_adam_m, 0, ps->n_params * sizeof(float));
    memset(ps->host_adam_v, 0, ps->n_params * sizeof(float));
    param_store_upload(ps);
    param_store_zero_grads(ps);
}

void param_store_reset_buffers(param_store *ps)
{
    ps->version++;
    for (int i = 0; i < ps->count; i++) {
        const param_spec *s = &ps->specs[i];
        if (s->trainable) continue;
        DC_ASSERT(s->init == PARAM_INIT_ZERO || s->init == PARAM_INIT_ONE,
                  "%s: only constant buffers can be reset", s->name);
        float *v = param_store_host_values(ps, s);
        for (size_t j = 0; j < s->numel; j++) v[j] = s->init == PARAM_INIT_ONE ? 1.0f : 0.0f;
    }
    if (!ops_memory_is_host(ps->be))
        ops_from_host(ps->be, ps->buffers, ps->host_buffers, ps->n_buffers);
}

void param_store_zero_grads(param_store *ps) { ops_zero(ps->be, ps->grads, ps->n_params); }

const param_spec *param_store_find(const param_store *ps, const char *name)
{
    for (int i = 0; i < ps->count; i++)
        if (strcmp(ps->specs[i].name, name) == 0) return &ps->specs[i];
    return NULL;
}

void param_store_free(param_store *ps)
{
    free(ps->specs);
    if (ps->be && !ops_memory_is_host(ps->be)) {
        free(ps->host_params);
        free(ps->host_adam_m);
        free(ps->host_adam_v);
        free(ps->host_buffers);
    }
    if (ps->be) {
        ops_free(ps->be, ps->params);
        ops_free(ps->be, ps->grads);
        ops_free(ps->be, ps->adam_m);
        ops_free(ps->be, ps->adam_v);
        ops_free(ps->be, ps->buffers);
    }
    memset(ps, 0, sizeof *ps);
}
