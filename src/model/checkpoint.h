/* Checkpoints: safetensors files holding both networks' parameters and batch-norm moving
 * statistics under the reference's variable names ("generator/g_h0_lin/Matrix", ...), Adam's
 * moments ("<name>/Adam", "<name>/Adam_1", TensorFlow's slot names), and in __metadata__ the
 * model shape, the training settings, the position in the data and the random state, so a run
 * resumes exactly where it stopped. docs/checkpoints.md documents every name and layout. */
#ifndef DCGAN_MODEL_CHECKPOINT_H
#define DCGAN_MODEL_CHECKPOINT_H

#include "io/safetensors.h"
#include "model/dcgan.h"
#include "core/rng.h"
#include "core/error.h"

#define CHECKPOINT_FORMAT "dcgan.c/checkpoint/1"

/* Return values of the loaders besides 0. DAMAGED: the file cannot be used at all (unreadable,
 * truncated, checksum mismatch, no checksum, not a checkpoint, something missing), so an
 * older checkpoint may be tried instead. MISMATCH: a sound checkpoint of a different model. */
#define CHECKPOINT_MISMATCH (-1)
#define CHECKPOINT_DAMAGED (-2)
#define CHECKPOINT_NAME_MAX 64

typedef struct {
    long iteration;        /* iterations completed */
    long epoch, batch;     /* position of the next step: its epoch and step in the epoch */
    long samples;          /* ... and the items of that epoch all ranks took before it (a
                            * file without it: batch * batch_size, one rank) */
    int ranks;             /* ranks of the data-parallel run that wrote it (1 if absent) */
    rng_state z_rng;       /* latent sampling stream */
    long d_steps, g_steps; /* Adam step counters */
    int batch_size;        /* batch the run trains with, per rank */
    char *run_json;        /* training settings (config.json), owned; may be NULL */
    char *class_names_json;/* JSON array of class names, owned; may be NULL */
    char *attribute_names_json; /* JSON array of the attributes a multi-hot y stands for
                            * (a labels file's columns), owned; NULL for one-hot classes */
    float image_lo, image_hi;
    int generator_only;    /* the file holds G only (metadata "contents": "generator") */
} checkpoint_state;

void checkpoint_state_free(checkpoint_state *s);

/* "dir/ckpt-<iteration, 8 digits>.safetensors". Returns -1 (message in e) if it does not fit. */
int checkpoint_path(dc_err *e, char *buf, size_t n, const char *dir, long iteration);
/* Iterations of the "ckpt-<iteration>.safetensors" files in dir, ascending, at most max of
 * them (the newest kept). Returns the count; 0 if dir cannot be read. */
int checkpoint_list(const char *dir, long *iters, int max);

/* Writes atomically, with a checksum. with_optimizer: Adam's moments too, and s's step
 * counters (d_steps, g_steps) in any case. */
int checkpoint_save(const char *path, const dcgan_model *m, int with_optimizer,
                    const checkpoint_state *s, dc_err *e);
/* A generator-only file for serving (the reference's --export/--freeze): G's parameters and
 * batch-norm moving statistics, no D, no Adam moments; the same metadata, plus
 * "contents": "generator". checkpoint_load reads it without with_optimizer (it cannot resume
 * training). */
int checkpoint_export_generator(const char *path, const dcgan_model *m, const checkpoint_state *s,
                                dc_err *e);
/* Reads the model shape stored in a checkpoint (batch is left as it is in *cfg), verifying
 * the whole file's checksum. 0 or CHECKPOINT_DAMAGED. */
int checkpoint_read_config(const char *path, dcgan_config *cfg, dc_err *e);
/* Loads into a model built with the stored shape; with_optimizer: Adam's moments too (into
 * the model's parameter stores); s (may be NULL) receives the run state and step counters. Fails, naming the file and tensor, on anything missing or
 * of the wrong shape: CHECKPOINT_MISMATCH if the model differs, else CHECKPOINT_DAMAGED.
 * A generator-only file loads G and leaves D as it is. */
int checkpoint_load(const char *path, dcgan_model *m, int with_optimizer, checkpoint_state *s,
                    dc_err *e);

/* The newest sound checkpoint in dir (whole file readable and its checksum right; the
 * content is checked when it is loaded): its path in out and its iteration in *iteration.
 * Newer damaged ones are skipped; the first `skipped_max` of them (newest first) are
 * described in skipped[] (may be NULL), and *n_skipped (may be NULL) counts them all.
 * Returns 1 found, 0 if dir holds no checkpoint (or does not exist), -1 if every one is
 * damaged (e names the folder, the count and the newest one's problem). */
int checkpoint_find_newest(const char *dir, char *out, size_t n, long *iteration,
                           dc_err *skipped, int skipped_max, int *n_skipped,
                           safetensors_file **opened, dc_err *e);
/* (found: the file as read and verified in *opened, when opened is not NULL, for
 * checkpoint_parse_config/checkpoint_load_from, so it is not read again; safetensors_free it.) */

/* Reads a checkpoint file and verifies its checksum (which it must have); NULL with the
 * problem in e if it is damaged. */
safetensors_file *checkpoint_open(const char *path, dc_err *e);

/* The same on an already parsed file (path names it in messages); exposed for the fuzzers.
 * These check the content, not the checksum: checkpoint_load requires and verifies that. */
int checkpoint_parse_config(const safetensors_file *f, const char *path, dcgan_config *cfg,
                            dc_err *e);
int checkpoint_load_from(const safetensors_file *f, const char *path, dcgan_model *m,
                         int with_optimizer, checkpoint_state *s, dc_err *e);

#endif
