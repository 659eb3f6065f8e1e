/* The discriminator a representation comes from: a trained one read from a run folder or a
 * checkpoint, or a randomly initialised one of the same shape (the paper's baseline). Both
 * are opened for features_extract: unconditional, batch FEATURES_BATCH, and on the CPU with
 * the im2col convolutions, which keep every map in NCHW where the features are read. */
#ifndef DCGAN_EVAL_D_MODEL_H
#define DCGAN_EVAL_D_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "model/dcgan.h"

#define FEATURES_BATCH 100
/* d_model_open's return for a sound file whose D cannot give features (a conditional model, or
 * a generator-only export): the command's usage error. Other failures return -1. */
#define D_MODEL_UNUSABLE (-2)

/* Exactly one of run_dir (its newest sound checkpoint) and ckpt. device: ops_open's name (NULL:
 * "cpu"). path (size n) receives the checkpoint file used. */
int d_model_open(dcgan_model *m, const char *run_dir, const char *ckpt, const char *device,
                 char *path, size_t n, dc_err *e);
/* A model of shape cfg (its batch, device and convolutions set as above) with the reference's
 * random initialisation from seed. */
int d_model_random(dcgan_model *m, const dcgan_config *cfg, uint64_t seed, dc_err *e);

#endif
