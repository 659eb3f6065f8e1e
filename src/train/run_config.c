#include "train/run_config.h"

#include <cJSON.h>
#include <math.h>
#include <string.h>

#include "core/log.h"

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
    FIELD("learning_rate", RUN_CONFIG_LEARNING_RATE,
          get_number(o, "learning_rate", 0, 3.5e38, 0, &c->learning_rate));
    FIELD("beta1", RUN_CONFIG_BETA1, get_number(o, "beta1", 0, 1, 0, &c->beta1));
    FIELD("batch_size", RUN_CONFIG_BATCH_SIZE, get_number(o, "batch_size", 1, 65536, 1, &d));
    if (c->have & RUN_CONFIG_BATCH_SIZE) c->batch_size = (int)d;
#undef FIELD
    rc = 0;
    goto done;
invalid:
    dc_fail(e, "%s: the run's setting '%s' is missing a valid value", name, bad);
done:
    cJSON_Delete(o);
    return rc;
}

static int mismatch(dc_err *e, const char *name, const char *flag, const char *was,
                    const char *now)
{
    return dc_fail(e, "%s: the run was trained with %s %s, this command has %s %s; resume with "
                      "the run's settings, or start a new run with --out-name",
                   name, flag, was, flag, now);
}

int run_config_check_resume(const run_config *s, const train_options *o, const char *name,
                            dc_err *e)
{
    char a[300], b[300];
    if ((s->have & RUN_CONFIG_DATASET) && strcmp(s->dataset, o->dataset) != 0)
        return mismatch(e, name, "--dataset", s->dataset, o->dataset);
    if ((s->have & RUN_CONFIG_PATTERN) && strcmp(s->input_fname_pattern, o->input_fname_pattern) != 0)
        return mismatch(e, name, "--input-fname-pattern", s->input_fname_pattern,
                        o->input_fname_pattern);
    if ((s->have & RUN_CONFIG_CROP) && s->crop != (o->crop != 0))
        return mismatch(e, name, "--crop", s->crop ? "on" : "off", o->crop ? "on" : "off");
    if ((s->have & RUN_CONFIG_INPUT_SIZE) && o->crop &&
        (s->input_h != o->input_h || s->input_w != o->input_w)) {
        snprintf(a, sizeof a, "%dx%d", s->input_h, s->input_w);
        snprintf(b, sizeof b, "%dx%d", o->input_h, o->input_w);
        return mismatch(e, name, "--input-height/--input-width", a, b);
    }
    if ((s->have & RUN_CONFIG_TRAIN_SIZE) && s->train_size != (o->train_size > 0 ? o->train_size : 0)) {
        snprintf(a, sizeof a, "%ld", s->train_size);
        snprintf(b, sizeof b, "%ld", o->train_size > 0 ? o->train_size : 0);
        return mismatch(e, name, "--train-size", s->train_size ? a : "inf",
                        o->train_size > 0 ? b : "inf");
    }
    if ((s->have & RUN_CONFIG_SEED) && s->seed != (double)o->seed) {
        snprintf(a, sizeof a, "%.0f", s->seed);
        snprintf(b, sizeof b, "%llu", (unsigned long long)o->seed);
        return mismatch(e, name, "--seed", a, b);
    }
    if ((s->have & RUN_CONFIG_Z_DIST) && s->zdist != o->zdist)
        return mismatch(e, name, "--z-dist", z_dist_name(s->zdist), z_dist_name(o->zdist));
    /* allowed to change: said once, so the log explains a change in the curves */
    if ((s->have & RUN_CONFIG_LEARNING_RATE) && (float)s->learning_rate != o->learning_rate)
        log_warn("%s: the run was trained with --learning-rate %g; continuing with %g", name,
                 s->learning_rate, (double)o->learning_rate);
    if ((s->have & RUN_CONFIG_BETA1) && (float)s->beta1 != o->beta1)
        log_warn("%s: the run was trained with --beta1 %g; continuing with %g", name, s->beta1,
                 (double)o->beta1);
    return 0;
}
