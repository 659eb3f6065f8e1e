/* The run folder as the report reads it: config.json, log.csv, metrics.jsonl, the sample grids
 * and the checkpoints, each on its own, so that a part missing or broken costs only its part
 * of the page. */
#include "viz/report.h"
#include "viz/report_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX (16 << 20)     /* a config.json larger than this is not ours */
#define HEADER_MAX (64 << 20)     /* a safetensors header larger than this either */

static int is_regular(const char *path, long long *bytes, long long *mtime)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    if (bytes) *bytes = (long long)st.st_size;
    if (mtime) *mtime = (long long)st.st_mtime;
    return 1;
}

/* A whole regular file of at most max bytes (NUL-terminated; caller frees), or NULL with why. */
static char *read_small(const char *path, long long max, size_t *len, char *why, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, n, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > max) {
        snprintf(why, n, "%s: not a regular file of at most %lld bytes", path, max);
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    DC_ASSERT(buf != NULL, "out of memory");
    size_t got = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    if (got != (size_t)st.st_size) {
        snprintf(why, n, "%s: read %zu of %lld bytes", path, got, (long long)st.st_size);
        free(buf);
        return NULL;
    }
    buf[got] = 0;
    *len = got;
    return buf;
}

static void read_config(report_run *r)
{
    char path[REPORT_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/config.json", r->run);
    if (!is_regular(path, NULL, NULL) && access(path, F_OK) != 0) {
        snprintf(r->config_note, sizeof r->config_note, "No config.json: training has not started here.");
        return;
    }
    size_t len;
    char *s = read_small(path, CONFIG_MAX, &len, r->config_note, sizeof r->config_note);
    if (!s) return;
    r->config = cJSON_ParseWithLength(s, len);
    free(s);
    if (!cJSON_IsObject(r->config)) {
        cJSON_Delete(r->config);
        r->config = NULL;
        snprintf(r->config_note, sizeof r->config_note, "%s: not a JSON object", path);
    }
}

static void read_series(report_run *r)
{
    char path[REPORT_PATH_MAX + 16];
    dc_err e;
    snprintf(path, sizeof path, "%s/log.csv", r->run);
    r->log_mtime = -1;
    if (!is_regular(path, NULL, &r->log_mtime))
        snprintf(r->log_note, sizeof r->log_note, "No log.csv: training has not started here.");
    else if (run_log_read(path, &r->log, &e) != 0)
        snprintf(r->log_note, sizeof r->log_note, "%s", e.msg);
    else if (r->log.n == 0)
        snprintf(r->log_note, sizeof r->log_note, "log.csv has no iterations yet.");
    snprintf(path, sizeof path, "%s/metrics.jsonl", r->run);
    if (!is_regular(path, NULL, NULL))
        snprintf(r->metrics_note, sizeof r->metrics_note, "No metrics.jsonl: the run was not "
                 "trained with --eval-every N.");
    else if (run_metrics_read(path, &r->metrics, &e) != 0)
        snprintf(r->metrics_note, sizeof r->metrics_note, "%s", e.msg);
    else if (r->metrics.n == 0)
        snprintf(r->metrics_note, sizeof r->metrics_note, "metrics.jsonl has no measurements yet.");
}

/* "<prefix><digits><suffix>" -> the number, or -1. */
static long numbered(const char *name, const char *prefix, const char *suffix)
{
    size_t lp = strlen(prefix), ls = strlen(suffix), l = strlen(name);
    if (l <= lp + ls || strncmp(name, prefix, lp) != 0 || strcmp(name + l - ls, suffix) != 0)
        return -1;
    long v = 0;
    for (size_t i = lp; i < l - ls; i++) {
        if (name[i] < '0' || name[i] > '9' || v > (LONG_MAX - 9) / 10) return -1;
        v = v * 10 + (name[i] - '0');
    }
    return v;
}

static int by_iteration(const void *a, const void *b)
{
    const report_file *x = a, *y = b;
    if (x->iteration != y->iteration) return x->iteration < y->iteration ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* dir/<prefix>N<suffix> (regular files) into *files by N; *others counts the other names
 * ending in other_suffix (NULL: none counted) but skip. */
static int list_numbered(const char *dir, const char *prefix, const char *suffix,
                         report_file **files, const char *other_suffix, const char *skip,
                         int *others)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char path[REPORT_PATH_MAX + 300];
        long long bytes;
        if (strlen(de->d_name) >= sizeof(*files)->name) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (!is_regular(path, &bytes, NULL)) continue;
        long it = numbered(de->d_name, prefix, suffix);
        if (it < 0) {
            size_t l = strlen(de->d_name), lo = other_suffix ? strlen(other_suffix) : 0;
            if (others && other_suffix && l > lo && strcmp(de->d_name + l - lo, other_suffix) == 0 &&
                strcmp(de->d_name, skip) != 0)
                (*others)++;
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            *files = realloc(*files, (size_t)cap * sizeof **files);
            DC_ASSERT(*files != NULL, "out of memory");
        }
        report_file *f = &(*files)[n++];
        f->iteration = it;
        f->bytes = bytes;
        snprintf(f->name, sizeof f->name, "%s", de->d_name);
    }
    closedir(d);
    if (n > 1) qsort(*files, (size_t)n, sizeof **files, by_iteration);
    return n;
}

/* The safetensors header (8 bytes of length, then JSON) of path, or NULL with why. */
static cJSON *read_header(const char *path, char *why, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, n, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char le[8];
    unsigned long long len = 0;
    cJSON *h = NULL;
    if (fread(le, 1, 8, f) == 8) {
        for (int i = 7; i >= 0; i--) len = len << 8 | le[i];
        if (len > 0 && len <= HEADER_MAX) {
            char *buf = malloc((size_t)len);
            DC_ASSERT(buf != NULL, "out of memory");
            if (fread(buf, 1, (size_t)len, f) == len) h = cJSON_ParseWithLength(buf, (size_t)len);
            free(buf);
        }
    }
    fclose(f);
    if (!cJSON_IsObject(h)) {
        cJSON_Delete(h);
        snprintf(why, n, "%s: not a safetensors file", path);
        return NULL;
    }
    return h;
}

static void read_files(report_run *r)
{
    char dir[REPORT_PATH_MAX + 16], path[REPORT_PATH_MAX + 300];
    snprintf(dir, sizeof dir, "%s/samples", r->run);
    int n = list_numbered(dir, "train_", ".png", &r->samples, ".png", "real.png", &r->n_other_pngs);
    r->n_samples = n > 0 ? n : 0;
    snprintf(path, sizeof path, "%s/real.png", dir);
    r->have_real = is_regular(path, &r->real_bytes, NULL);
    snprintf(dir, sizeof dir, "%s/checkpoints", r->run);
    n = list_numbered(dir, "ckpt-", ".safetensors", &r->ckpts, NULL, NULL, NULL);
    r->n_ckpts = n > 0 ? n : 0;
    snprintf(r->ckpt_note, sizeof r->ckpt_note, "No checkpoint yet.");
    /* the newest whose header reads (a damaged newest one is what a resume skips too) */
    for (int i = r->n_ckpts - 1; i >= 0 && !r->ckpt; i--) {
        snprintf(path, sizeof path, "%s/%s", dir, r->ckpts[i].name);
        r->ckpt = read_header(path, r->ckpt_note, sizeof r->ckpt_note);
        if (r->ckpt) snprintf(r->ckpt_name, sizeof r->ckpt_name, "%s", r->ckpts[i].name);
    }
}

int report_run_open(report_run *r, const char *run, const report_options *o, dc_err *e)
{
    memset(r, 0, sizeof *r);
    r->run = run;
    r->o = o;
    struct stat st;
    if (stat(run, &st) != 0)
        return dc_fail(e, "%s: cannot open the run folder: %s", run, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return dc_fail(e, "%s: not a folder (give a training run folder)", run);
    if (!realpath(run, r->path)) snprintf(r->path, sizeof r->path, "%s", run);
    const char *slash = strrchr(r->path, '/');
    snprintf(r->name, sizeof r->name, "%s", slash && slash[1] ? slash + 1 : r->path);
    read_config(r);
    read_series(r);
    read_files(r);
    return 0;
}

void report_run_close(report_run *r)
{
    cJSON_Delete(r->config);
    cJSON_Delete(r->ckpt);
    run_log_free(&r->log);
    run_metrics_free(&r->metrics);
    free(r->samples);
    free(r->ckpts);
    memset(r, 0, sizeof *r);
}

int report_pick_samples(const report_run *r, int *picked)
{
    int n = r->n_samples, k = n < r->o->max_samples ? n : r->o->max_samples;
    for (; k >= 1; k--) {
        double bytes = 0;
        for (int j = 0; j < k; j++) {
            /* evenly spread, the first and the newest included */
            picked[j] = k == 1 ? n - 1 : (int)((double)j * (n - 1) / (k - 1) + 0.5);
            bytes += (double)r->samples[picked[j]].bytes;
        }
        if (bytes <= r->o->max_image_bytes || k == 1) return k;
    }
    return 0;
}

unsigned char *report_read_png(const report_run *r, const char *name, long long max, size_t *len,
                               char *why, size_t why_n)
{
    char path[REPORT_PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/samples/%s", r->run, name);
    unsigned char *p = (unsigned char *)read_small(path, max, len, why, why_n);
    if (p && (*len < 8 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0)) {
        snprintf(why, why_n, "%s: not a PNG file", path);
        free(p);
        return NULL;
    }
    return p;
}

double report_config_number(const report_run *r, const char *key)
{
    const cJSON *v = r->config ? cJSON_GetObjectItemCaseSensitive(r->config, key) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *report_ckpt_meta(const report_run *r, const char *key)
{
    const cJSON *m = r->ckpt ? cJSON_GetObjectItemCaseSensitive(r->ckpt, "__metadata__") : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *report_config_string(const report_run *r, const char *key)
{
    const cJSON *v = r->config ? cJSON_GetObjectItemCaseSensitive(r->config, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void report_format_number(char *buf, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "%s", isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e18) { /* integers as digits: 70000, not 7e+04 */
        snprintf(buf, n, "%.0f", v);
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}
