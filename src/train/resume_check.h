/* Whether a resumed command continues the same run: its flags against the settings the run
 * recorded (model/run_config.h). */
#ifndef DCGAN_TRAIN_RESUME_CHECK_H
#define DCGAN_TRAIN_RESUME_CHECK_H

#include "core/error.h"
#include "model/run_config.h"
#include "train/options.h"

/* A resumed command against the run's settings (name: where they come from, for messages).
 * Settings that decide the data, its order or the latent vectors (dataset, file pattern, crop
 * and its size, --train-size, --seed, --z-dist) must match: otherwise -1 naming the flag.
 * --learning-rate and --beta1 may change (after a divergence, say): a warning line each; so
 * may --conv-backend between im2col and oneDNN, and the thread count and --device: each then
 * cannot resume bit for bit (a line says so). */
int run_config_check_resume(const run_config *saved, const train_options *now, const char *name,
                            dc_err *e);

/* The data's files (names, sizes, modification times) against the run's record of them: a
 * change is an error (the data position would point elsewhere), or a warning with
 * --accept-changed-data. Nothing to compare (an older run) passes. */
int run_config_check_data(const run_config *saved, const train_options *now,
                          const char *fingerprint, const char *name, dc_err *e);

#endif
