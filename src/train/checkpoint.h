/* Checkpoints: safetensors files holding both networks' parameters and batch-norm moving
 * statistics under the reference's variable names ("generator/g_h0_lin/Matrix", ...), Adam's
 * moments ("<name>/Adam", "<name>/Adam_1", TensorFlow's slot names), and in __metadata__ the
 * model shape, the training settings, the position in the data and the random state, so a run
 * resumes exactly where it stopped. docs/checkpoints.md documents every name and layout. */
#ifndef DCGAN_TRAIN_CHECKPOINT_H
#define DCGAN_TRAIN_CHECKPOINT_H

#include "model/dcgan.h"
#include "ops/rng.h"
#include "train/step.h"
#include "util/error.h"

#define CHECKPOINT_FORMAT "dcgan.c/checkpoint/1"

typedef struct {
    long iteration;        /* iterations completed */
    long epoch, batch;     /* position of the next batch */
    rng_state z_rng;       /* latent sampling stream */
    long d_steps, g_steps; /* Adam step counters */
    int batch_size;        /* batch the run trains with */
    char *run_json;        /* training settings (config.json), owned; may be NULL */
    char *class_names_json;/* JSON array of class names, owned; may be NULL */
    float image_lo, image_hi;
    int generator_only;    /* the file holds G only (metadata "contents": "generator") */
} checkpoint_state;

void checkpoint_state_free(checkpoint_state *s);

/* Writes atomically. t may be NULL (no optimiser state: a generator-serving file still loads). */
int checkpoint_save(const char *path, const dcgan_model *m, const trainer *t,
                    const checkpoint_state *s, dc_err *e);
/* A generator-only file for serving (the reference's --export/--freeze): G's parameters and
 * batch-norm moving statistics, no D, no Adam moments; the same metadata, plus
 * "contents": "generator". checkpoint_load reads it (t must be NULL: it cannot resume
 * training). */
int checkpoint_export_generator(const char *path, const dcgan_model *m, const checkpoint_state *s,
                                dc_err *e);
/* Reads the model shape stored in a checkpoint (batch is left as it is in *cfg). */
int checkpoint_read_config(const char *path, dcgan_config *cfg, dc_err *e);
/* Loads into a model built with the stored shape; t (may be NULL) receives the Adam state,
 * s (may be NULL) the run state. Fails, naming the file and tensor, on anything missing or
 * of the wrong shape. A generator-only file loads G and leaves D as it is. */
int checkpoint_load(const char *path, dcgan_model *m, trainer *t, checkpoint_state *s,
                    dc_err *e);

#endif
