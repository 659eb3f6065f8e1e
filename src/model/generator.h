/* A trained generator opened for sampling and the visualisation tools: from a run folder (its newest
 * checkpoint) or a checkpoint file (a training checkpoint or a generator-only export), with the
 * run's class names, latent distribution and pixel range, and the default output folder. */
#ifndef DCGAN_MODEL_GENERATOR_H
#define DCGAN_MODEL_GENERATOR_H

#include <stddef.h>
#include <stdint.h>

#include "model/dcgan.h"
#include "core/rng.h"
#include "model/checkpoint.h"
#include "model/run_config.h"
#include "model/zdist.h"
#include "core/error.h"

#define GENERATOR_PATH_MAX 4096
#define GENERATOR_CHUNK 64

typedef struct {
    char path[GENERATOR_PATH_MAX];       /* the checkpoint file */
    char default_out[GENERATOR_PATH_MAX]; /* RUN/visualize, or beside the checkpoint */
    dcgan_model model;
    int model_open;
    checkpoint_state st;
    void *class_names; /* cJSON array or NULL */
    void *attribute_names; /* cJSON array, or NULL: y is one-hot over classes */
    float *conds;      /* (n_conds, y_dim) multi-hot conditions --labels gave (owned) */
    int n_conds;
    run_config run;    /* the run's settings (config.json) when have_run */
    int have_run;
    z_dist zdist;      /* the run's latent distribution */
    float lo, hi;      /* G's output range */
} generator;

/* Exactly one of run_dir and ckpt is non-NULL. device: where G runs, ops_open's name ("cpu",
 * "cuda" or "cuda:N"; NULL = "cpu"); a device that is unknown or cannot start fails with a
 * message naming it. */
int generator_open(generator *g, const char *run_dir, const char *ckpt, const char *device,
                   dc_err *e);
void generator_close(generator *g);

static inline const dcgan_config *generator_config(const generator *g)
{
    return &g->model.cfg;
}
size_t generator_image_floats(const generator *g);

/* n images: z (n, z_dim); labels (n class indices, ignored by unconditional models; NULL =
 * class 0); out (n, c_dim, H, W) in [lo, hi]. A model conditioned on attributes reads label
 * k < y_dim as attribute k alone, and y_dim + j as the j-th condition generator_parse_labels
 * stored. */
void generator_generate(generator *g, const float *z, const int *labels, int n, float *out);

/* n * z_dim values from the run's latent distribution. */
void generator_draw_z(const generator *g, rng_state *r, float *z, size_t count);

/* A class given as an index (0..y_dim-1) or as one of class_names (a cJSON array, may be
 * NULL) in any case; -1 if it is neither. */
int generator_class_index(const char *tok, int y_dim, const void *class_names);
/* The name of label k as generator_generate reads it: its class name (or index), or for a
 * model conditioned on attributes the attributes set to 1 joined by '+' ("none" if none). */
void generator_label_name(const generator *g, int k, char *buf, size_t n);
/* 1 when the model's y is multi-hot over named attributes (a --labels-file run). */
static inline int generator_has_attributes(const generator *g)
{
    return g->attribute_names != NULL;
}

/* Parses a --labels value (flag: the flag's name for messages): comma-separated class indices
 * or names, or "all" (every class in order; *all set). Returns the count (<= max) or -1 with
 * a message naming the flag and the bad class. A model conditioned on attributes takes
 * conditions instead, separated by ';', each a comma-separated list of NAME=1, NAME=0 or NAME
 * (= 1), attributes not named 0 ("Smiling=1,Male=0;Eyeglasses"); each is stored in g and
 * counts as one label; "all" is each attribute alone, in order. */
int generator_parse_labels(generator *g, const char *flag, const char *spec, int *out,
                           int max, int *all, dc_err *e);

/* The newest sound checkpoint of a run folder, RUN/checkpoints/ckpt-*.safetensors
 * (checkpoint_find_newest: damaged newer ones are skipped with a warning). */
int generator_find_checkpoint(const char *run_dir, char *out, size_t n,
                              safetensors_file **opened, dc_err *e);

#endif
