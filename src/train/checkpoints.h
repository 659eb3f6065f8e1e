/* A run's checkpoints as training uses them: written with rotation (the max_to_keep newest
 * kept), and the newest usable one loaded to resume, damaged ones set aside. */
#ifndef DCGAN_TRAIN_CHECKPOINTS_H
#define DCGAN_TRAIN_CHECKPOINTS_H

#include "core/error.h"
#include "core/rng.h"
#include "model/dcgan.h"
#include "train/options.h"
#include "train/step.h"

/* Where training stands: iterations done, the data position of the next step (its epoch and
 * the items of that epoch all ranks took before it: loader_tell_items), the latent vectors'
 * random state. */
typedef struct {
    long iteration, epoch, samples;
    rng_state z_rng;
} train_position;

/* What a checkpoint holds besides the position: the model (with Adam's moments), the step
 * counters, the run's settings and class names (JSON text, may be NULL). */
typedef struct {
    const char *ckpt_dir;
    const train_options *o;
    const dcgan_model *model;
    const trainer *tr;
    char *run_json, *classes_json;
    char *attributes_json; /* the attributes' names (JSON array), or NULL */
    int ranks; /* of the data-parallel run: the global batch is ranks * o->batch_size */
} train_ckpt_ctx;

/* Writes ckpt_dir/ckpt-<iteration>.safetensors, then keeps the max_to_keep newest. */
int train_checkpoint_save(const train_ckpt_ctx *c, const train_position *pos, dc_err *e);

/* Loads the newest usable checkpoint of the run into m, tr's step counters and *pos. Damaged
 * ones (unreadable, truncated, checksum mismatch) are skipped; once an older good one is found,
 * each is reported in one line and renamed to "<name>.damaged", out of rotation's way. A sound
 * checkpoint that does not fit the command (model shape, settings) is an error. A run that
 * continues with another global batch (ranks x batch size) is told so in one line.
 * Returns 1 resumed, 0 nothing to resume from, -1 error (also when every checkpoint is
 * damaged: nothing is renamed then). */
int train_checkpoint_resume(const char *ckpt_dir, const train_options *o, int ranks,
                            const char *fingerprint, dcgan_model *m, trainer *tr,
                            train_position *pos, dc_err *e);

#endif
