/* A training run's log.csv as a chart (cairo): the losses (d_loss, g_loss, d_loss_real,
 * d_loss_fake) in one panel and D's mean outputs (d_real = D(x), d_fake = D(G(z))) in another,
 * over iterations, with axes, ticks, legends and optional smoothing. */
#ifndef DCGAN_VIZ_PLOT_H
#define DCGAN_VIZ_PLOT_H

#include <stddef.h>

#include "core/error.h"

typedef struct {
    int width, height;  /* pixels */
    double smooth;      /* TensorBoard's exponential smoothing weight in [0, 1); 0 = none */
    const char *title;  /* NULL: none */
} plot_options;

/* Reads csv (the columns are found by name in its header) and writes png atomically. */
int plot_log_csv(const char *csv, const char *png, const plot_options *o, dc_err *e);

/* RUN/metrics.jsonl (dcgan train --eval-every): FID, KID x 1000, and precision, recall, label
 * accuracy and class entropy / its maximum, over iterations. */
int plot_metrics_jsonl(const char *jsonl, const char *png, const plot_options *o, dc_err *e);

/* A run folder's RUN/log.csv as out (NULL: RUN/visualize/plot.png, the folder made), titled
 * with the run folder's name; o->smooth < 0: 0.6 for more than 50 rows, else none. The PNG's
 * path goes to png (size n). When the run has RUN/metrics.jsonl, its chart goes beside it
 * (plot-metrics.png). */
int plot_run(const char *run, const char *out, plot_options *o, char *png, size_t n, dc_err *e);

#endif
