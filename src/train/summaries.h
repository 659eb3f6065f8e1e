/* What a run records every iteration: a row of log.csv and the reference's TensorBoard
 * summaries (the four losses; histograms of z, D(x) and D(G(z)) every hist_freq iterations). */
#ifndef DCGAN_TRAIN_SUMMARIES_H
#define DCGAN_TRAIN_SUMMARIES_H

#include <stdio.h>
#include "core/error.h"
#include "io/tb_events.h"
#include "train/step.h"

/* Keeps log.csv's header and its rows up to `iteration` (a resumed run rewrites what came
 * after; a torn last line goes too). No file: nothing to do. */
int train_log_truncate(const char *path, long iteration, dc_err *e);
/* The same for any file of lines: the header line (when header is not NULL) if it starts so,
 * and the whole lines whose iteration (scanned with row_fmt, e.g. "%ld,") is <= iteration. */
int train_lines_truncate(const char *path, const char *header, const char *row_fmt,
                         long iteration, dc_err *e);
/* The `seconds` of log.csv's last row (after train_log_truncate: the checkpoint's iteration),
 * so that a resumed run's clock goes on from it; 0 without a row. */
double train_log_last_seconds(const char *path);
/* Opens log.csv for appending, writing the header when it is new or empty. */
FILE *train_log_open(const char *path, dc_err *e);
/* One row: iteration, the data position of its batch (epoch and batch from 0), seconds of
 * training (across resumes), the losses and the mean D outputs; flushed. */
int train_log_row(FILE *f, const char *path, long iteration, long epoch, long batch,
                  double seconds, const step_stats *s, dc_err *e);

/* The iteration's TensorBoard summaries; z: its latent vectors (batch x z_dim), tr: the D
 * outputs of its D update. */
int train_tb_summaries(tb_writer *tb, long iteration, long hist_freq, const step_stats *s,
                       const float *z, int batch, int z_dim, const trainer *tr, dc_err *e);

#endif
