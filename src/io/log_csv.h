/* A training run's log.csv (one row per iteration, columns named in its header), read back:
 * the iterations, epochs, losses and D's mean outputs. What `dcgan plot` draws; fuzzed by
 * fuzz/fuzz_log_csv.c. */
#ifndef DCGAN_IO_LOG_CSV_H
#define DCGAN_IO_LOG_CSV_H

#include "core/error.h"

typedef struct {
    int n, cap;
    double *it, *epoch;
    double *col[6]; /* d_loss, g_loss, d_loss_real, d_loss_fake, d_real, d_fake */
} log_csv;

/* Reads path (the columns are found by name in its header; an unfinished last row, which
 * training may be writing, is skipped); 0, or -1 naming the file (and line). */
int log_csv_read(const char *path, log_csv *d, dc_err *e);
void log_csv_free(log_csv *d);

#endif
