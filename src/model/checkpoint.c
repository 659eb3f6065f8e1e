#include "model/checkpoint.h"

#include <errno.h>
#include <math.h>
#include "model/run_config.h"

#include <limits.h>
#include <cJSON.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void checkpoint_state_free(checkpoint_state *s)
{
    free(s->run_json);
    free(s->class_names_json);
    free(s->attribute_names_json);
    s->run_json = s->class_names_json = s->attribute_names_json = NULL;
}

int checkpoint_path(dc_err *e, char *buf, size_t n, const char *dir, long iteration)
{
    return dc_path(e, buf, n, "%s/ckpt-%08ld.safetensors", dir, iteration);
}

int checkpoint_list(const char *dir, long *iters, int max)
{
    DIR *d = opendir(dir);
    if (!d || max <= 0) {
        if (d) closedir(d);
        return 0;
    }
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        long it;
        char tail[32];
        int used = 0;
        /* exactly ckpt-<digits>.safetensors (not the temporary or set-aside files) */
        if (sscanf(de->d_name, "ckpt-%ld.%31s%n", &it, tail, &used) != 2 ||
            strcmp(tail, "safetensors") != 0 || it < 0 || de->d_name[5] < '0' ||
            de->d_name[5] > '9')
            continue;
        if (count < max) {
            iters[count++] = it;
        } else { /* full: replace the oldest if this one is newer */
            int lo = 0;
            for (int i = 1; i < count; i++)
                if (iters[i] < iters[lo]) lo = i;
            if (it > iters[lo]) iters[lo] = it;
        }
    }
    closedir(d);
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && iters[j - 1] > iters[j]; j--) {
            long t = iters[j];
            iters[j] = iters[j - 1];
            iters[j - 1] = t;
        }
    return count;
}

/* generator_only: a file of G alone, whose G is what sampling runs (the average, when there
 * is one, goes in as G): it records no average. */
static char *model_config_json(const dcgan_config *c, int generator_only)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "output_height", c->output_h);
    cJSON_AddNumberToObject(o, "output_width", c->output_w);
    cJSON_AddNumberToObject(o, "c_dim", c->c_dim);
    cJSON_AddNumberToObject(o, "y_dim", c->y_dim);
    cJSON_AddNumberToObject(o, "z_dim", c->z_dim);
    cJSON_AddNumberToObject(o, "gf_dim", c->gf_dim);
    cJSON_AddNumberToObject(o, "df_dim", c->df_dim);
    cJSON_AddNumberToObject(o, "gfc_dim", c->gfc_dim);
    cJSON_AddNumberToObject(o, "dfc_dim", c->dfc_dim);
    if (c->y_dim > 0)
        cJSON_AddStringToObject(o, "cond_concat", dcgan_cond_concat_name(c->cond_concat));
    /* the departures from the reference only when taken: older readers see no new keys */
    if (c->spectral_norm) cJSON_AddNumberToObject(o, "spectral_norm", 1);
    if (c->d_first_channels) cJSON_AddNumberToObject(o, "d_first_channels", c->d_first_channels);
    if (c->g_ema > 0.0f && !generator_only)
        cJSON_AddNumberToObject(o, "g_ema", run_config_json_float(c->g_ema));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

typedef struct {
    safetensors_entry *entries;
    size_t count, cap;
    char **names; /* owned names for Adam slots */
    size_t n_names;
} entry_list;

static void entry_add(entry_list *l, const char *name, const float *data, const param_spec *s,
                      int own_name)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->entries = realloc(l->entries, l->cap * sizeof *l->entries);
        l->names = realloc(l->names, l->cap * sizeof *l->names);
        DC_ASSERT(l->entries && l->names, "out of memory");
    }
    safetensors_entry *e = &l->entries[l->count++];
    memset(e, 0, sizeof *e);
    e->name = own_name ? (l->names[l->n_names++] = strdup(name)) : name;
    DC_ASSERT(e->name != NULL, "out of memory");
    e->data = data;
    e->ndim = s->ndim;
    for (int i = 0; i < s->ndim; i++) e->shape[i] = s->shape[i];
}

static void entries_add_net(entry_list *l, const net *n, int with_adam)
{
    const param_store *ps = &n->ps;
    param_store_download(ps);
    for (int i = 0; i < ps->count; i++) {
        const param_spec *s = &ps->specs[i];
        entry_add(l, s->name, param_store_host_values(ps, s), s, 0);
        if (with_adam && s->trainable) {
            char name[PARAM_NAME_MAX + 16];
            snprintf(name, sizeof name, "%s/Adam", s->name);
            entry_add(l, name, param_store_host_adam_m(ps, s), s, 1);
            snprintf(name, sizeof name, "%s/Adam_1", s->name);
            entry_add(l, name, param_store_host_adam_v(ps, s), s, 1);
        }
    }
}

#define CONTENTS_GENERATOR "generator"
#define EMA_PREFIX "generator_ema"

/* "generator/<rest>" -> "generator_ema/<rest>", the average's name for a tensor of G. */
static void ema_name(char *out, size_t n, const char *g_name)
{
    const char *slash = strchr(g_name, '/');
    snprintf(out, n, "%s%s", EMA_PREFIX, slash ? slash : g_name);
}

/* Host views of the average, laid out as G's params and buffers: the backend memory itself on
 * a host-memory backend, copies otherwise (*owned set: free them). */
static void ema_host_views(const dcgan_model *m, float **params, float **buffers, int *owned)
{
    const param_store *ps = &m->G.ps;
    *owned = !ops_memory_is_host(m->be);
    if (!*owned) {
        *params = m->ema_params;
        *buffers = m->ema_buffers;
        return;
    }
    *params = dc_alloc_floats(ps->n_params ? ps->n_params : 1);
    *buffers = dc_alloc_floats(ps->n_buffers ? ps->n_buffers : 1);
    ops_to_host(m->be, *params, m->ema_params, ps->n_params);
    ops_to_host(m->be, *buffers, m->ema_buffers, ps->n_buffers);
}

static void entries_add_ema(entry_list *l, const net *G, const float *params,
                            const float *buffers)
{
    const param_store *ps = &G->ps;
    for (int i = 0; i < ps->count; i++) {
        const param_spec *s = &ps->specs[i];
        char name[PARAM_NAME_MAX + 16];
        ema_name(name, sizeof name, s->name);
        entry_add(l, name, (s->trainable ? params : buffers) + s->offset, s, 1);
    }
}

static int checkpoint_write(const char *path, const dcgan_model *m, int with_optimizer,
                            const checkpoint_state *s, int generator_only, dc_err *e)
{
    entry_list l = {0};
    entries_add_net(&l, &m->G, with_optimizer);
    if (!generator_only) entries_add_net(&l, &m->D, with_optimizer);
    float *ema_p = NULL, *ema_b = NULL;
    int ema_owned = 0;
    if (m->ema_params && !generator_only) {
        ema_host_views(m, &ema_p, &ema_b, &ema_owned);
        entries_add_ema(&l, &m->G, ema_p, ema_b);
    }

    char num[20][32];
    char *model_json = model_config_json(&m->cfg, generator_only);
    const char *keys[20], *vals[20];
    size_t nm = 0;
    keys[nm] = "format", vals[nm++] = CHECKPOINT_FORMAT;
    keys[nm] = "model", vals[nm++] = model_json;
    if (generator_only) keys[nm] = "contents", vals[nm++] = CONTENTS_GENERATOR;
#define META_NUM(key, fmt, value)                                   \
    do {                                                            \
        snprintf(num[nm], sizeof num[nm], fmt, value);              \
        keys[nm] = key;                                             \
        vals[nm] = num[nm];                                         \
        nm++;                                                       \
    } while (0)
    META_NUM("iteration", "%ld", s->iteration);
    META_NUM("epoch", "%ld", s->epoch);
    META_NUM("batch", "%ld", s->batch);
    META_NUM("samples", "%ld", s->samples);
    META_NUM("ranks", "%d", s->ranks > 0 ? s->ranks : 1);
    META_NUM("rng_seed", "%" PRIu64, s->z_rng.seed);
    META_NUM("rng_counter", "%" PRIu64, s->z_rng.counter);
    META_NUM("d_steps", "%ld", s->d_steps);
    META_NUM("g_steps", "%ld", s->g_steps);
    META_NUM("batch_size", "%d", s->batch_size);
    META_NUM("image_lo", "%.9g", (double)s->image_lo);
    META_NUM("image_hi", "%.9g", (double)s->image_hi);
#undef META_NUM
    if (s->run_json) keys[nm] = "run", vals[nm++] = s->run_json;
    if (s->class_names_json) keys[nm] = "class_names", vals[nm++] = s->class_names_json;
    if (s->attribute_names_json) keys[nm] = "attribute_names", vals[nm++] = s->attribute_names_json;

    int rc = safetensors_write(path, l.entries, l.count, keys, vals, nm, e);
    if (ema_owned) {
        free(ema_p);
        free(ema_b);
    }
    for (size_t i = 0; i < l.n_names; i++) free(l.names[i]);
    free(l.names);
    free(l.entries);
    free(model_json);
    return rc;
}

int checkpoint_save(const char *path, const dcgan_model *m, int with_optimizer,
                    const checkpoint_state *s, dc_err *e)
{
    return checkpoint_write(path, m, with_optimizer, s, 0, e);
}

int checkpoint_export_generator(const char *path, const dcgan_model *m, const checkpoint_state *s,
                                dc_err *e)
{
    return checkpoint_write(path, m, 0, s, 1, e);
}

static int json_int(const cJSON *o, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9) return -1;
    *out = (int)v->valuedouble;
    return 0;
}

static int parse_model_config(const char *path, const char *json, dcgan_config *c, dc_err *e)
{
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    if (!o) return dc_fail(e, "%s: no valid 'model' entry in the metadata", path);
    int bad = json_int(o, "output_height", &c->output_h) | json_int(o, "output_width", &c->output_w) |
              json_int(o, "c_dim", &c->c_dim) | json_int(o, "y_dim", &c->y_dim) |
              json_int(o, "z_dim", &c->z_dim) | json_int(o, "gf_dim", &c->gf_dim) |
              json_int(o, "df_dim", &c->df_dim) | json_int(o, "gfc_dim", &c->gfc_dim) |
              json_int(o, "dfc_dim", &c->dfc_dim);
    /* files from before cond_concat existed concatenate y everywhere */
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(o, "cond_concat");
    c->cond_concat = DCGAN_COND_CONCAT_ALL;
    int bad_cc = cc && (!cJSON_IsString(cc) ||
                        dcgan_cond_concat_parse(cc->valuestring, &c->cond_concat) != 0);
    /* the departures from the reference: absent in files that did not take them */
    c->spectral_norm = c->d_first_channels = 0;
    c->g_ema = 0.0f;
    if (cJSON_GetObjectItemCaseSensitive(o, "spectral_norm"))
        bad |= json_int(o, "spectral_norm", &c->spectral_norm);
    if (cJSON_GetObjectItemCaseSensitive(o, "d_first_channels"))
        bad |= json_int(o, "d_first_channels", &c->d_first_channels);
    const cJSON *ema = cJSON_GetObjectItemCaseSensitive(o, "g_ema");
    if (ema) {
        if (cJSON_IsNumber(ema)) c->g_ema = (float)ema->valuedouble;
        else bad = 1;
    }
    cJSON_Delete(o);
    if (bad) return dc_fail(e, "%s: the 'model' metadata lacks a size or has a bad one", path);
    if (bad_cc) return dc_fail(e, "%s: the 'model' metadata has a bad cond_concat", path);
    dc_err inner;
    if (dcgan_config_validate(c, &inner) != 0 || dcgan_config_check_sizes(c, &inner) != 0)
        return dc_fail(e, "%s: stored model is invalid: %s", path, inner.msg);
    return 0;
}

int checkpoint_parse_config(const safetensors_file *f, const char *path, dcgan_config *cfg,
                            dc_err *e)
{
    const char *fmt = safetensors_metadata(f, "format");
    if (!fmt || strcmp(fmt, CHECKPOINT_FORMAT) != 0)
        return dc_fail(e, "%s: not a dcgan.c checkpoint (format '%.60s')", path,
                       fmt ? fmt : "none");
    return parse_model_config(path, safetensors_metadata(f, "model"), cfg, e);
}

/* Reads path and verifies its checksum, which a checkpoint must have. */
static safetensors_file *read_verified(const char *path, dc_err *e)
{
    safetensors_file *f = safetensors_read(path, e);
    if (f && !safetensors_metadata(f, SAFETENSORS_CHECKSUM_KEY)) {
        dc_fail(e, "%s: no checksum in the metadata (damaged, or not written by dcgan.c)", path);
        safetensors_free(f);
        return NULL;
    }
    return f;
}

int checkpoint_read_config(const char *path, dcgan_config *cfg, dc_err *e)
{
    safetensors_file *f = read_verified(path, e);
    if (!f) return CHECKPOINT_DAMAGED;
    int rc = checkpoint_parse_config(f, path, cfg, e);
    safetensors_free(f);
    return rc == 0 ? 0 : CHECKPOINT_DAMAGED;
}

/* finite: the values must be (weights and statistics; Adam's second moment may overflow to Inf
 * in a run whose weights stay finite, so moments are taken as they are) */
static int load_tensor(const safetensors_file *f, const char *path, const char *name,
                       const param_spec *s, float *dst, int finite, dc_err *e)
{
    const safetensors_tensor *t = safetensors_find(f, name);
    if (!t) return dc_fail(e, "%s: tensor '%s' is missing", path, name);
    int ok = t->dtype == SAFETENSORS_F32 && t->ndim == s->ndim;
    for (int i = 0; ok && i < s->ndim; i++) ok = t->shape[i] == s->shape[i];
    if (!ok) return dc_fail(e, "%s: tensor '%s' has the wrong dtype or shape", path, name);
    memcpy(dst, t->data, s->numel * sizeof(float));
    /* training never saves a non-finite value (it stops first): this file was made otherwise */
    for (size_t i = 0; finite && i < s->numel; i++)
        if (!isfinite(dst[i]))
            return dc_fail(e, "%s: tensor '%s' holds a non-finite value (NaN or Inf) at %zu: not "
                              "what training writes (edited, or made by another program)",
                           path, name, i);
    return 0;
}

static int load_net(const safetensors_file *f, const char *path, net *n, int with_adam, dc_err *e)
{
    param_store *ps = &n->ps;
    param_store_download(ps); /* what the file does not replace stays as it was */
    for (int i = 0; i < ps->count; i++) {
        const param_spec *s = &ps->specs[i];
        if (load_tensor(f, path, s->name, s, param_store_host_values(ps, s), 1, e)) return -1;
        if (with_adam && s->trainable) {
            char name[PARAM_NAME_MAX + 16];
            snprintf(name, sizeof name, "%s/Adam", s->name);
            if (load_tensor(f, path, name, s, param_store_host_adam_m(ps, s), 0, e)) return -1;
            snprintf(name, sizeof name, "%s/Adam_1", s->name);
            if (load_tensor(f, path, name, s, param_store_host_adam_v(ps, s), 0, e)) return -1;
        }
    }
    param_store_upload(ps);
    return 0;
}

static int load_ema(const safetensors_file *f, const char *path, dcgan_model *m, dc_err *e)
{
    const param_store *ps = &m->G.ps;
    float *p = dc_alloc_floats(ps->n_params ? ps->n_params : 1);
    float *b = dc_alloc_floats(ps->n_buffers ? ps->n_buffers : 1);
    int rc = 0;
    for (int i = 0; rc == 0 && i < ps->count; i++) {
        const param_spec *s = &ps->specs[i];
        char name[PARAM_NAME_MAX + 16];
        ema_name(name, sizeof name, s->name);
        rc = load_tensor(f, path, name, s, (s->trainable ? p : b) + s->offset, 1, e);
    }
    if (rc == 0) {
        ops_from_host(m->be, m->ema_params, p, ps->n_params);
        ops_from_host(m->be, m->ema_buffers, b, ps->n_buffers);
    }
    free(p);
    free(b);
    return rc;
}

static int meta_long(const safetensors_file *f, const char *path, const char *key, long *out,
                     dc_err *e)
{
    const char *v = safetensors_metadata(f, key);
    char *end = NULL;
    errno = 0;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || end == v || x < 0 || errno == ERANGE)
        return dc_fail(e, "%s: metadata '%s' missing or bad", path, key);
    *out = x;
    return 0;
}

static int meta_u64(const safetensors_file *f, const char *path, const char *key, uint64_t *out,
                    dc_err *e)
{
    const char *v = safetensors_metadata(f, key);
    char *end = NULL;
    errno = 0;
    unsigned long long x = v ? strtoull(v, &end, 10) : 0;
    if (!v || *end || end == v || *v == '-' || errno == ERANGE)
        return dc_fail(e, "%s: metadata '%s' missing or bad", path, key);
    *out = (uint64_t)x;
    return 0;
}

int checkpoint_load_from(const safetensors_file *f, const char *path, dcgan_model *m,
                         int with_optimizer, checkpoint_state *s, dc_err *e)
{
    if (s) memset(s, 0, sizeof *s);
    int rc = CHECKPOINT_DAMAGED;
    dcgan_config stored = m->cfg;
    if (checkpoint_parse_config(f, path, &stored, e)) goto done;
    char what[1024], fix[512];
    if (dcgan_config_diff(&stored, &m->cfg, what, sizeof what, fix, sizeof fix) > 0) {
        /* what differs, and the flags that would build the checkpoint's model */
        dc_fail(e, "%s: the checkpoint's model differs from this command's: %s; %s%s%sor start a "
                   "new run with --out-name", path, what, fix[0] ? "to continue it add " : "",
                fix, fix[0] ? ", " : "");
        rc = CHECKPOINT_MISMATCH;
        goto done;
    }
    const char *contents = safetensors_metadata(f, "contents");
    int g_only = contents && strcmp(contents, CONTENTS_GENERATOR) == 0;
    if (g_only && with_optimizer) {
        dc_fail(e, "%s: a generator-only file (dcgan export): it cannot resume training", path);
        goto done;
    }
    if (load_net(f, path, &m->G, with_optimizer, e) ||
        (!g_only && load_net(f, path, &m->D, with_optimizer, e)) ||
        (m->ema_params && load_ema(f, path, m, e)))
        goto done;
    if (s) {
        long bs = 0, d = 0, g = 0;
        if (meta_long(f, path, "iteration", &s->iteration, e) ||
            meta_long(f, path, "epoch", &s->epoch, e) || meta_long(f, path, "batch", &s->batch, e) ||
            meta_u64(f, path, "rng_seed", &s->z_rng.seed, e) ||
            meta_u64(f, path, "rng_counter", &s->z_rng.counter, e) ||
            meta_long(f, path, "d_steps", &d, e) || meta_long(f, path, "g_steps", &g, e) ||
            meta_long(f, path, "batch_size", &bs, e))
            goto done;
        if (bs < 1 || bs > 65536) {
            dc_fail(e, "%s: metadata 'batch_size' %ld is out of range", path, bs);
            goto done;
        }
        s->d_steps = d;
        s->g_steps = g;
        s->batch_size = (int)bs;
        long ranks = 1;
        if (safetensors_metadata(f, "samples")) {
            if (meta_long(f, path, "samples", &s->samples, e) ||
                meta_long(f, path, "ranks", &ranks, e))
                goto done;
            if (ranks < 1 || ranks > 1000000) {
                dc_fail(e, "%s: metadata 'ranks' %ld is out of range", path, ranks);
                goto done;
            }
        } else if (s->batch > LONG_MAX / bs) {
            dc_fail(e, "%s: metadata 'batch' %ld is out of range", path, s->batch);
            goto done;
        } else {
            s->samples = s->batch * bs; /* written before data-parallel training */
        }
        s->ranks = (int)ranks;
        const char *lo = safetensors_metadata(f, "image_lo"), *hi = safetensors_metadata(f, "image_hi");
        s->image_lo = lo ? strtof(lo, NULL) : 0.0f;
        s->image_hi = hi ? strtof(hi, NULL) : 1.0f;
        const char *run = safetensors_metadata(f, "run");
        const char *cls = safetensors_metadata(f, "class_names");
        s->generator_only = g_only;
        s->run_json = run ? strdup(run) : NULL;
        s->class_names_json = cls ? strdup(cls) : NULL;
        const char *attrs = safetensors_metadata(f, "attribute_names");
        s->attribute_names_json = attrs ? strdup(attrs) : NULL;
    }
    rc = 0;
done:
    if (rc != 0 && s) checkpoint_state_free(s);
    return rc;
}

int checkpoint_load(const char *path, dcgan_model *m, int with_optimizer, checkpoint_state *s,
                    dc_err *e)
{
    if (s) memset(s, 0, sizeof *s);
    safetensors_file *f = read_verified(path, e);
    if (!f) return CHECKPOINT_DAMAGED;
    int rc = checkpoint_load_from(f, path, m, with_optimizer, s, e);
    safetensors_free(f);
    return rc;
}

#define CHECKPOINT_LIST_MAX 4096

safetensors_file *checkpoint_open(const char *path, dc_err *e) { return read_verified(path, e); }

int checkpoint_find_newest(const char *dir, char *out, size_t n, long *iteration,
                           dc_err *skipped, int skipped_max, int *n_skipped,
                           safetensors_file **opened, dc_err *e)
{
    long *iters = malloc(CHECKPOINT_LIST_MAX * sizeof *iters);
    DC_ASSERT(iters != NULL, "out of memory");
    int count = checkpoint_list(dir, iters, CHECKPOINT_LIST_MAX), bad = 0, rc = 0;
    dc_err first = {{0}};
    for (int i = count - 1; i >= 0; i--) {
        dc_err why;
        if (checkpoint_path(e, out, n, dir, iters[i]) != 0) {
            rc = -1;
            break;
        }
        safetensors_file *f = read_verified(out, &why);
        if (f) {
            if (opened) *opened = f;
            else safetensors_free(f);
            *iteration = iters[i];
            rc = 1;
            break;
        }
        if (bad == 0) first = why;
        if (skipped && bad < skipped_max) skipped[bad] = why;
        bad++;
    }
    if (count > 0 && rc == 0)
        rc = dc_fail(e, "%s: no usable checkpoint (%d damaged; the newest: %s)", dir, count,
                     first.msg);
    if (n_skipped) *n_skipped = bad;
    free(iters);
    return rc;
}
