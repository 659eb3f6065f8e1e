/* dcgan train --eval-every N: the quality numbers of `dcgan eval` (on fewer images) measured
 * during training, appended to RUN/metrics.jsonl and TensorBoard so a user sees quality rise
 * or collapse. The training images' side is computed once when the run starts; the latent
 * vectors are the same at every measurement, and drawn from a stream of their own, so a run
 * trains exactly as it would without the measurements. */
#ifndef DCGAN_TRAIN_EVAL_HOOK_H
#define DCGAN_TRAIN_EVAL_HOOK_H

#include "core/error.h"
#include "data/dataset.h"
#include "io/tb_events.h"
#include "model/dcgan.h"
#include "train/options.h"

typedef struct train_eval train_eval;

/* Opens the classifier (o->eval_classifier, or OUT_DIR/classifiers/<data folder's name>-
 * HxWxC.safetensors), measures the training side on ds, and cuts RUN/metrics.jsonl back to
 * the lines of iterations <= iteration (a resumed run writes the later ones again). */
train_eval *train_eval_open(const train_options *o, const dataset *ds, const char *data_folder,
                            const dcgan_config *mc, const char *run_dir, long iteration,
                            dc_err *e);
/* Measures G now: a line in metrics.jsonl, scalars "eval/fid", ... in tb (may be NULL). */
int train_eval_run(train_eval *t, dcgan_model *m, long iteration, tb_writer *tb, dc_err *e);
void train_eval_close(train_eval *t);

#endif
