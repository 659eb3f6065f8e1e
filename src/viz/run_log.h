/* A training run's log.csv (one row per iteration, docs/usage.md) read back: the columns found
 * by name in its header. What `dcgan plot` and `dcgan report` draw. */
#ifndef DCGAN_VIZ_RUN_LOG_H
#define DCGAN_VIZ_RUN_LOG_H

#include "core/error.h"

enum {
    RUN_LOG_D_LOSS, RUN_LOG_G_LOSS, RUN_LOG_D_LOSS_REAL, RUN_LOG_D_LOSS_FAKE,
    RUN_LOG_D_REAL, RUN_LOG_D_FAKE, RUN_LOG_COLS
};

typedef struct {
    int n, cap;
    double *it, *epoch;
    double *seconds; /* since the training process started (it restarts at a resume); NaN in
                      * logs without the column */
    double *col[RUN_LOG_COLS];
} run_log;

/* Reads path; every column but seconds must be in the header. A row training is writing right
 * now (no newline yet) is left out. 0 with d->n rows (possibly none), or -1 with a message
 * ("path: ...", "path:LINE: ...") and d empty. */
int run_log_read(const char *path, run_log *d, dc_err *e);
void run_log_free(run_log *d);

/* Training time in seconds over every process that wrote the log: the last `seconds` before
 * each restart, summed (NaN without the column); *sessions: how many processes that was. */
double run_log_elapsed(const run_log *d, int *sessions);

#endif
