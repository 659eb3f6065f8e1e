#include "viz/run_metrics.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const run_metrics_keys[RUN_METRIC_COLS] = {
    "n", "fid", "kid", "kid_std", "precision", "recall", "class_entropy", "class_entropy_max",
    "label_accuracy", "nn_rmse", "seconds",
};

void run_metrics_free(run_metrics *d)
{
    free(d->it);
    for (int k = 0; k < RUN_METRIC_COLS; k++) free(d->col[k]);
    memset(d, 0, sizeof *d);
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void push_row(run_metrics *d, const cJSON *o)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->it = realloc(d->it, (size_t)d->cap * sizeof(double));
        DC_ASSERT(d->it != NULL, "out of memory");
        for (int k = 0; k < RUN_METRIC_COLS; k++) {
            d->col[k] = realloc(d->col[k], (size_t)d->cap * sizeof(double));
            DC_ASSERT(d->col[k] != NULL, "out of memory");
        }
    }
    d->it[d->n] = num(o, "iteration");
    for (int k = 0; k < RUN_METRIC_COLS; k++) d->col[k][d->n] = num(o, run_metrics_keys[k]);
    d->n++;
}

int run_metrics_read(const char *path, run_metrics *d, dc_err *e)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "r");
    if (!f) return dc_fail(e, "%s: cannot open (train with --eval-every N to make it)", path);
    char line[8192];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n')) break; /* being written right now */
        cJSON *o = cJSON_Parse(line);
        if (!o || !isfinite(num(o, "iteration"))) {
            cJSON_Delete(o);
            fclose(f);
            run_metrics_free(d);
            return dc_fail(e, "%s:%d: not a metrics line", path, lineno);
        }
        push_row(d, o);
        cJSON_Delete(o);
    }
    fclose(f);
    return 0;
}
