/* A training run's metrics.jsonl (dcgan train --eval-every: one JSON object per measurement,
 * docs/evaluation.md) read back. What `dcgan plot` and `dcgan report` draw. */
#ifndef DCGAN_VIZ_RUN_METRICS_H
#define DCGAN_VIZ_RUN_METRICS_H

#include "core/error.h"

enum {
    RUN_METRIC_N, RUN_METRIC_FID, RUN_METRIC_KID, RUN_METRIC_KID_STD, RUN_METRIC_PRECISION,
    RUN_METRIC_RECALL, RUN_METRIC_CLASS_ENTROPY, RUN_METRIC_CLASS_ENTROPY_MAX,
    RUN_METRIC_LABEL_ACCURACY, RUN_METRIC_NN_RMSE, RUN_METRIC_SECONDS, RUN_METRIC_COLS
};

/* The JSON key of each column ("n", "fid", "kid", ...). */
extern const char *const run_metrics_keys[RUN_METRIC_COLS];

typedef struct {
    int n, cap;
    double *it;                     /* "iteration" */
    double *col[RUN_METRIC_COLS];   /* NaN where a line lacks the key (label_accuracy of an
                                     * unconditional model) */
} run_metrics;

/* Reads path, one object per line; a line training is writing right now (no newline yet) is
 * left out. 0 with d->n measurements (possibly none), or -1 with a message ("path:LINE: not a
 * metrics line") and d empty. */
int run_metrics_read(const char *path, run_metrics *d, dc_err *e);
void run_metrics_free(run_metrics *d);

#endif
