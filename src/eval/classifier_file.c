/* The classifier's safetensors file. */
#include "eval/classifier.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"

static char *meta_json(const classifier *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "channels", c->C);
    cJSON_AddNumberToObject(o, "height", c->H);
    cJSON_AddNumberToObject(o, "width", c->W);
    cJSON_AddNumberToObject(o, "classes", c->classes);
    cJSON_AddNumberToObject(o, "features", CLASSIFIER_FEATURES);
    cJSON *names = cJSON_AddArrayToObject(o, "class_names");
    for (int i = 0; i < c->classes; i++)
        cJSON_AddItemToArray(names, cJSON_CreateString(c->class_names[i]));
    cJSON_AddNumberToObject(o, "test_accuracy", c->test_accuracy);
    cJSON_AddNumberToObject(o, "test_count", (double)c->test_count);
    cJSON_AddStringToObject(o, "dataset", c->dataset);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

int classifier_save(const classifier *c, const char *path, dc_err *e)
{
    const param_store *ps = &c->net.ps;
    param_store_download(ps);
    safetensors_entry *en = dc_calloc((size_t)ps->count, sizeof *en);
    for (int i = 0; i < ps->count; i++) {
        const param_spec *s = &ps->specs[i];
        en[i].name = s->name;
        en[i].data = param_store_host_values(ps, s);
        en[i].ndim = s->ndim;
        for (int d = 0; d < s->ndim; d++) en[i].shape[d] = s->shape[d];
    }
    char *meta = meta_json(c);
    DC_ASSERT(meta != NULL, "out of memory");
    const char *keys[2] = {"format", "classifier"};
    const char *vals[2] = {CLASSIFIER_FORMAT, meta};
    int rc = safetensors_write(path, en, (size_t)ps->count, keys, vals, 2, e);
    free(meta);
    free(en);
    return rc;
}

static int json_int(const cJSON *o, const char *key, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi) return -1;
    *out = (int)v->valuedouble;
    return 0;
}

/* Builds the classifier the metadata describes; the names and accuracy are filled in. */
static int create_from_meta(classifier *c, const char *path, const char *json,
                            const char *device, int batch, dc_err *e)
{
    cJSON *o = cJSON_Parse(json);
    int C, H, W, k, f;
    if (!o || json_int(o, "channels", 1, 4, &C) || json_int(o, "height", 4, 4096, &H) ||
        json_int(o, "width", 4, 4096, &W) || json_int(o, "classes", 2, 100000, &k) ||
        json_int(o, "features", 1, 1 << 20, &f)) {
        cJSON_Delete(o);
        return dc_fail(e, "%s: the classifier's metadata is damaged", path);
    }
    if (f != CLASSIFIER_FEATURES) {
        cJSON_Delete(o);
        return dc_fail(e, "%s: a classifier with %d features; this version makes %d", path, f,
                       CLASSIFIER_FEATURES);
    }
    char **names = dc_calloc((size_t)k, sizeof(char *));
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "class_names");
    for (int i = 0; i < k; i++) {
        const cJSON *s = cJSON_IsArray(arr) ? cJSON_GetArrayItem(arr, i) : NULL;
        names[i] = cJSON_IsString(s) ? s->valuestring : NULL;
    }
    int rc = classifier_create(c, device, batch, C, H, W, k, names, e);
    free(names);
    if (rc == 0) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "test_accuracy");
        c->test_accuracy = cJSON_IsNumber(v) ? v->valuedouble : 0;
        v = cJSON_GetObjectItemCaseSensitive(o, "test_count");
        c->test_count = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
        v = cJSON_GetObjectItemCaseSensitive(o, "dataset");
        snprintf(c->dataset, sizeof c->dataset, "%s", cJSON_IsString(v) ? v->valuestring : "");
    }
    cJSON_Delete(o);
    return rc;
}

int classifier_load(classifier *c, const char *path, const char *device, int batch, dc_err *e)
{
    memset(c, 0, sizeof *c);
    safetensors_file *f = safetensors_read(path, e);
    if (!f) return -1;
    const char *fmt = safetensors_metadata(f, "format");
    const char *meta = safetensors_metadata(f, "classifier");
    if (!fmt || strcmp(fmt, CLASSIFIER_FORMAT) != 0 || !meta) {
        safetensors_free(f);
        return dc_fail(e, "%s: not a dcgan.c classifier (make one with 'dcgan classifier train')",
                       path);
    }
    if (create_from_meta(c, path, meta, device, batch, e) != 0) {
        safetensors_free(f);
        return -1;
    }
    param_store *ps = &c->net.ps;
    int rc = 0;
    for (int i = 0; i < ps->count && rc == 0; i++) {
        const param_spec *s = &ps->specs[i];
        const safetensors_tensor *t = safetensors_find(f, s->name);
        int ok = t && t->dtype == SAFETENSORS_F32 && t->ndim == s->ndim;
        for (int d = 0; ok && d < s->ndim; d++) ok = t->shape[d] == s->shape[d];
        if (!ok)
            rc = dc_fail(e, "%s: tensor '%s' is %s", path, s->name,
                         t ? "of the wrong dtype or shape" : "missing");
        else
            memcpy(param_store_host_values(ps, s), t->data, s->numel * sizeof(float));
    }
    safetensors_free(f);
    if (rc != 0) {
        classifier_free(c);
        return -1;
    }
    param_store_upload(ps);
    return 0;
}
