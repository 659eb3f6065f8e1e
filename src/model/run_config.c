#include "model/run_config.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "model/dcgan.h"

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A number in [lo, hi] with no fractional part, if integral. Returns 1 if present and valid,
 * 0 if absent, -1 if present and invalid. */
static int get_number(const cJSON *o, const char *key, double lo, double hi, int integral,
                      double *out)
{
    const cJSON *v = item(o, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v)) return -1;
    double d = v->valuedouble;
    if (!isfinite(d) || d < lo || d > hi || (integral && d != floor(d))) return -1;
    *out = d;
    return 1;
}

static int get_string(const cJSON *o, const char *key, char *dst, size_t cap)
{
    const cJSON *v = item(o, key);
    if (!v) return 0;
    if (!cJSON_IsString(v) || !v->valuestring || strlen(v->valuestring) >= cap) return -1;
    memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
    return 1;
}

/* "loss": 1 (bce or hinge), 0 absent, -1 another value. */
static int get_loss(const cJSON *o, char *out, size_t n)
{
    int r = get_string(o, "loss", out, n);
    if (r > 0 && strcmp(out, "bce") != 0 && strcmp(out, "hinge") != 0) return -1;
    return r;
}

/* "background": "R,G,B": 1, 0 absent, -1 another value. */
static int get_background(const cJSON *o, uint8_t out[3])
{
    char bg[32];
    int r = get_string(o, "background", bg, sizeof bg);
    if (r <= 0) return r;
    unsigned r_, g_, b_;
    char end;
    if (sscanf(bg, "%u,%u,%u%c", &r_, &g_, &b_, &end) != 3 || r_ > 255 || g_ > 255 || b_ > 255)
        return -1;
    out[0] = (uint8_t)r_;
    out[1] = (uint8_t)g_;
    out[2] = (uint8_t)b_;
    return 1;
}

/* threads and device: both (1), none (0), or a bad one (-1, *bad its key). */
static int get_compute(const cJSON *o, run_config *c, const char **bad)
{
    double t = 0;
    int rt = get_number(o, "threads", 1, 65536, 1, &t);
    int rd = get_string(o, "device", c->device, sizeof c->device);
    *bad = rt < 0 ? "threads" : rd < 0 ? "device" : NULL;
    if (*bad) return -1;
    c->threads = (int)t;
    return rt > 0 && rd > 0;
}


/* What training recorded about how it ran (the data's files, the convolutions): the bad key,
 * or NULL. */
static const char *get_run_records(const cJSON *o, run_config *c)
{
    int r = get_string(o, "data_fingerprint", c->data_fingerprint, sizeof c->data_fingerprint);
    if (r < 0) return "data_fingerprint";
    if (r > 0) c->have |= RUN_CONFIG_FINGERPRINT;
    r = get_string(o, "conv_backend", c->conv_backend, sizeof c->conv_backend);
    if (r < 0) return "conv_backend";
    if (r > 0) c->have |= RUN_CONFIG_CONV_BACKEND;
    r = get_string(o, "precision", c->precision, sizeof c->precision);
    if (r < 0) return "precision";
    if (r > 0) c->have |= RUN_CONFIG_PRECISION;
    return NULL;
}

int run_config_parse(const char *json, size_t len, const char *name, run_config *c, dc_err *e)
{
    memset(c, 0, sizeof *c);
    cJSON *o = cJSON_ParseWithLength(json, len);
    if (!o) return dc_fail(e, "%s: the run's settings are not valid JSON", name);
    int rc = -1;
    const char *bad = NULL;
    double d = 0;
    int r;
    if (!cJSON_IsObject(o)) {
        dc_fail(e, "%s: the run's settings are not a JSON object", name);
        goto done;
    }
#define FIELD(key, bit, expr)             \
    do {                                  \
        r = (expr);                       \
        if (r < 0) {                      \
            bad = key;                    \
            goto invalid;                 \
        }                                 \
        if (r > 0) c->have |= (bit);      \
    } while (0)
    FIELD("dataset", RUN_CONFIG_DATASET, get_string(o, "dataset", c->dataset, sizeof c->dataset));
    FIELD("input_fname_pattern", RUN_CONFIG_PATTERN,
          get_string(o, "input_fname_pattern", c->input_fname_pattern, sizeof c->input_fname_pattern));
    const cJSON *crop = item(o, "crop");
    if (crop) {
        if (!cJSON_IsBool(crop)) {
            bad = "crop";
            goto invalid;
        }
        c->crop = cJSON_IsTrue(crop);
        c->have |= RUN_CONFIG_CROP;
    }
    double h = 0, w = 0;
    int rh = get_number(o, "input_height", 1, 65536, 1, &h);
    int rw = get_number(o, "input_width", 1, 65536, 1, &w);
    if (rh < 0 || rw < 0) {
        bad = rh < 0 ? "input_height" : "input_width";
        goto invalid;
    }
    if (rh > 0 && rw > 0) {
        c->input_h = (int)h;
        c->input_w = (int)w;
        c->have |= RUN_CONFIG_INPUT_SIZE;
    }
    FIELD("train_size", RUN_CONFIG_TRAIN_SIZE, get_number(o, "train_size", 0, 2e9, 1, &d));
    if (c->have & RUN_CONFIG_TRAIN_SIZE) c->train_size = (long)d;
    FIELD("seed", RUN_CONFIG_SEED, get_number(o, "seed", 0, 1.8446744073709552e19, 1, &c->seed));
    char zd[32];
    FIELD("z_dist", RUN_CONFIG_Z_DIST, get_string(o, "z_dist", zd, sizeof zd));
    if ((c->have & RUN_CONFIG_Z_DIST) && z_dist_parse(zd, &c->zdist) != 0) {
        bad = "z_dist";
        goto invalid;
    }
    char cc[32];
    FIELD("cond_concat", RUN_CONFIG_COND_CONCAT, get_string(o, "cond_concat", cc, sizeof cc));
    if (c->have & RUN_CONFIG_COND_CONCAT) {
        dcgan_cond_concat v;
        if (dcgan_cond_concat_parse(cc, &v) != 0) {
            bad = "cond_concat";
            goto invalid;
        }
        c->cond_concat = (int)v;
    }
    FIELD("loss", RUN_CONFIG_LOSS, get_loss(o, c->loss, sizeof c->loss));
    r = get_compute(o, c, &bad);
    if (r < 0) goto invalid;
    if (r > 0) c->have |= RUN_CONFIG_COMPUTE;
    FIELD("learning_rate", RUN_CONFIG_LEARNING_RATE,
          get_number(o, "learning_rate", 0, 3.5e38, 0, &c->learning_rate));
    FIELD("beta1", RUN_CONFIG_BETA1, get_number(o, "beta1", 0, 1, 0, &c->beta1));
    FIELD("batch_size", RUN_CONFIG_BATCH_SIZE, get_number(o, "batch_size", 1, 65536, 1, &d));
    if (c->have & RUN_CONFIG_BATCH_SIZE) c->batch_size = (int)d;
    FIELD("data_source", RUN_CONFIG_DATA_SOURCE,
          get_string(o, "data_source", c->data_source, sizeof c->data_source));
    if ((bad = get_run_records(o, c)) != NULL) goto invalid;
    int rl = get_string(o, "labels_file", c->labels_file, sizeof c->labels_file);
    int ra = get_string(o, "attributes", c->attributes, sizeof c->attributes);
    if (rl < 0 || ra < 0) {
        bad = rl < 0 ? "labels_file" : "attributes";
        goto invalid;
    }
    if (rl > 0 || ra > 0) c->have |= RUN_CONFIG_LABELS;
    FIELD("background", RUN_CONFIG_BACKGROUND, get_background(o, c->background));
#undef FIELD
    rc = 0;
    goto done;
invalid:
    dc_fail(e, "%s: the run's setting '%s' is missing a valid value", name, bad);
done:
    cJSON_Delete(o);
    return rc;
}

double run_config_json_float(double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.7g", (double)(float)v);
    return strtod(buf, NULL);
}

char *run_config_to_json(const run_config *r)
{
    cJSON *c = cJSON_CreateObject();
    /* decoded images take crop, background and bad-file settings; a folder its pattern and
     * labels file (an unknown format: all, as before) */
    int idx = strcmp(r->data_format, "idx") == 0, folder = !r->data_format[0] || strcmp(r->data_format, "images") == 0;
    cJSON_AddStringToObject(c, "dataset", r->dataset);
    cJSON_AddStringToObject(c, "data_source", r->data_source);
    if (r->data_format[0]) cJSON_AddStringToObject(c, "data_format", r->data_format);
    if (folder) cJSON_AddStringToObject(c, "input_fname_pattern", r->input_fname_pattern);
    cJSON_AddNumberToObject(c, "dataset_size", (double)r->dataset_size);
    if (r->data_fingerprint[0]) cJSON_AddStringToObject(c, "data_fingerprint", r->data_fingerprint);
    if (!idx && (r->crop || !r->data_format[0])) {
        cJSON_AddNumberToObject(c, "input_height", r->input_h);
        cJSON_AddNumberToObject(c, "input_width", r->input_w);
    }
    cJSON_AddNumberToObject(c, "output_height", r->output_h);
    cJSON_AddNumberToObject(c, "output_width", r->output_w);
    if (!idx) {
        cJSON_AddBoolToObject(c, "crop", r->crop);
        cJSON_AddStringToObject(c, "on_bad_image", r->skip_bad_images ? "skip" : "fail");
        char bg[16];
        snprintf(bg, sizeof bg, "%d,%d,%d", r->background[0], r->background[1], r->background[2]);
        cJSON_AddStringToObject(c, "background", bg);
    }
    if (folder) {
        cJSON_AddStringToObject(c, "labels_file", r->labels_file);
        cJSON_AddStringToObject(c, "attributes", r->attributes);
    }
    cJSON_AddNumberToObject(c, "c_dim", r->c_dim);
    cJSON_AddNumberToObject(c, "y_dim", r->y_dim);
    cJSON_AddBoolToObject(c, "conditional", r->y_dim > 0);
    if (r->y_dim > 0)
        cJSON_AddStringToObject(c, "cond_concat",
                                dcgan_cond_concat_name((dcgan_cond_concat)r->cond_concat));
    cJSON_AddNumberToObject(c, "z_dim", r->z_dim);
    cJSON_AddStringToObject(c, "z_dist", z_dist_name(r->zdist));
    if (r->conv_backend[0]) cJSON_AddStringToObject(c, "conv_backend", r->conv_backend);
    if (r->precision[0]) cJSON_AddStringToObject(c, "precision", r->precision);
    cJSON_AddNumberToObject(c, "gf_dim", r->gf_dim);
    cJSON_AddNumberToObject(c, "df_dim", r->df_dim);
    cJSON_AddNumberToObject(c, "gfc_dim", r->gfc_dim);
    cJSON_AddNumberToObject(c, "dfc_dim", r->dfc_dim);
    cJSON_AddNumberToObject(c, "epoch", (double)r->epochs);
    cJSON_AddNumberToObject(c, "train_size", (double)r->train_size);
    cJSON_AddNumberToObject(c, "batch_size", r->batch_size);
    cJSON_AddNumberToObject(c, "learning_rate", run_config_json_float(r->learning_rate));
    cJSON_AddNumberToObject(c, "beta1", run_config_json_float(r->beta1));
    cJSON_AddStringToObject(c, "recipe", r->recipe[0] ? r->recipe : "reference");
    cJSON_AddStringToObject(c, "loss", r->loss[0] ? r->loss : "bce");
    cJSON_AddNumberToObject(c, "label_smoothing", run_config_json_float(r->label_smoothing));
    cJSON_AddNumberToObject(c, "d_learning_rate", run_config_json_float(r->d_learning_rate));
    cJSON_AddNumberToObject(c, "g_learning_rate", run_config_json_float(r->g_learning_rate));
    cJSON_AddNumberToObject(c, "g_ema", run_config_json_float(r->g_ema));
    cJSON_AddBoolToObject(c, "spectral_norm", r->spectral_norm);
    if (r->y_dim > 0) cJSON_AddNumberToObject(c, "d_first_channels", r->d_first_channels);
    cJSON_AddNumberToObject(c, "max_steps", (double)r->max_steps);
    cJSON_AddNumberToObject(c, "seed", r->seed);
    if (r->threads > 0) {
        cJSON_AddNumberToObject(c, "threads", r->threads);
        cJSON_AddStringToObject(c, "device", r->device);
    }
    cJSON_AddStringToObject(c, "out_dir", r->out_dir);
    cJSON_AddStringToObject(c, "run_dir", r->run_dir);
    cJSON_AddNumberToObject(c, "sample_freq", (double)r->sample_freq);
    cJSON_AddNumberToObject(c, "ckpt_freq", (double)r->ckpt_freq);
    cJSON_AddNumberToObject(c, "max_to_keep", r->max_to_keep);
    if (r->num_classes > 0) {
        cJSON *a = cJSON_AddArrayToObject(c, "class_names");
        for (int i = 0; i < r->num_classes; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(r->class_names[i]));
    }
    if (r->num_attributes > 0) {
        cJSON *a = cJSON_AddArrayToObject(c, "attribute_names");
        for (int i = 0; i < r->num_attributes; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(r->attribute_names[i]));
    }
    char *s = cJSON_Print(c);
    cJSON_Delete(c);
    return s;
}
