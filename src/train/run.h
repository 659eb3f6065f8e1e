/* A whole training run as the reference does it: data, model, the iteration loop, sample grids,
 * checkpoints with rotation and resume, the per-iteration log and TensorBoard events. Everything
 * lives in out_dir/out_name/: config.json, log.csv, samples/, checkpoints/, logs/.
 * train_run is a loop over the steps of train/session.h. */
#ifndef DCGAN_TRAIN_RUN_H
#define DCGAN_TRAIN_RUN_H

#include "core/error.h"
#include "train/data_open.h"
#include "train/options.h"
#include "train/session.h"

/* Called after each iteration with its report (train/session.h); ctx as given. */
typedef void (*train_progress_fn)(const train_progress *p, void *ctx);

/* Runs training; resumes from the newest checkpoint in the run folder if there is one.
 * Returns 0, -1 with a one-line message, TRAIN_RUN_USAGE (a flag the data rules out; e names
 * it), or TRAIN_RUN_STOPPED (stopped on request, checkpoint written; e->msg says where). */
int train_run(const train_options *o, dc_err *e);
/* The same, calling progress (may be NULL) after every iteration. */
int train_run_progress(const train_options *o, train_progress_fn progress, void *ctx, dc_err *e);

#endif
