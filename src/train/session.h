/* A training run in steps: train_open prepares it (data, model, run folder and its lock,
 * config.json, resume from the newest checkpoint or fresh weights, the data loader, TensorBoard),
 * train_step_next runs one iteration and everything that comes with it (log.csv row, TensorBoard
 * summaries, sample grid, checkpoint) and reports it, train_close ends it. The caller draws
 * progress from the reports; nothing here writes to the terminal but the log lines of
 * core/log.h. */
#ifndef DCGAN_TRAIN_SESSION_H
#define DCGAN_TRAIN_SESSION_H

#include "core/error.h"
#include "train/options.h"

/* train_step_next: stopped on request (options' stop), checkpoint written; e->msg says where. */
#define TRAIN_RUN_STOPPED 2
/* train_step_next in a data-parallel run: every rank failed alike (divergence, ranks whose
 * weights no longer agree); rank 0's e says why, the others' messages are empty. */
#define TRAIN_RUN_FAILED_ALL 3
/* train_open_status and train_run: the options do not fit the data, a flag the data rules out
 * (--cond-concat on unlabelled data): a usage error, known only once the data is read. Every
 * rank meets it alike; e names the flag. */
#define TRAIN_RUN_USAGE 4

typedef struct train_session train_session;

/* One finished iteration, as train_step_next reports it. */
typedef struct {
    long iteration;       /* iterations done in all, this one included */
    long total;           /* iterations the run will have done when it ends */
    long start_iteration; /* iterations done when this session opened (resumed from) */
    long epoch, batch;    /* this iteration's batch: its epoch and its index in the epoch */
    long per_epoch;       /* batches per epoch */
    int batch_size;
    double elapsed;       /* seconds since train_open finished (log.csv's seconds) */
    float d_loss, d_loss_real, d_loss_fake, g_loss;
    float d_real, d_fake; /* mean sigmoid(D(x)), mean sigmoid(D(G(z))) */
    int sampled;          /* a sample grid was written for this iteration */
    int saved;            /* a checkpoint was written for this iteration */
} train_progress;

/* Opens the run o describes (o is copied; o->stop is read while training). NULL with a
 * one-line message on failure, everything released. Logs the run folder and the plan. */
train_session *train_open(const train_options *o, dc_err *e);
/* The same; *status (may be NULL) receives why it failed: TRAIN_RUN_USAGE, or -1. */
train_session *train_open_status(const train_options *o, int *status, dc_err *e);

/* Runs the next iteration. Returns 1 with *p filled; 0 when the run is complete (no iteration
 * run); TRAIN_RUN_STOPPED when a stop was requested (after an iteration of this session: its
 * checkpoint is written; before any: nothing to save); -1 on error (divergence, a write that
 * failed, ...): nothing more of the iteration is written. The lines that follow an iteration's
 * report (the sample grid's path, the stop) come at the start of the next call, so that a
 * progress line drawn from the report comes before them. Once it returns anything but 1, call
 * train_close. In a data-parallel run every rank gets the same answer, except for -1: a
 * failure of this rank alone (its data, rank 0's writes), after which the other ranks must be
 * stopped (dist_abort). */
int train_step_next(train_session *s, train_progress *p, dc_err *e);

/* The real images the last iteration trained D on, in host memory as the model was fed them:
 * *items (this rank's batch) x *item_floats floats (C x H x W). NULL before the first
 * iteration of the session. For checks of what training sees (tests, diagnostics). */
const float *train_session_last_batch(const train_session *s, int *items, size_t *item_floats);

/* Ends the session and frees it (s may be NULL). After train_step_next returned 0: the final
 * lines (bad images skipped, done) and the TensorBoard file closed, -1 if that fails. Otherwise
 * (an error, a stop, or stopping early) it only releases, returns 0 and leaves e alone. */
int train_close(train_session *s, dc_err *e);

#endif
