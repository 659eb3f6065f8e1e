/* What 'dcgan sample' makes from an opened generator: N images from seeded (or given) latent
 * vectors, written as separate PNGs, one grid and/or the raw output as .npy. */
#ifndef DCGAN_VIZ_SAMPLE_H
#define DCGAN_VIZ_SAMPLE_H

#include <signal.h>
#include <stdint.h>

#include "core/error.h"
#include "model/generator.h"
#include "model/zdist.h"

#define SAMPLE_MAX_LABELS 4096

typedef struct {
    int n;             /* images (replaced by the rows of zfile) */
    int n_given;       /* n was asked for (else --labels all makes a row per class) */
    int cols;          /* grid columns; 0: 8 with label_rows, else ceil(sqrt(n)) */
    uint64_t seed;     /* latent vectors */
    int zdist_given;   /* zdist overrides the run's latent distribution */
    z_dist zdist;
    const int *labels; /* nlabels class indices cycled over the images; 0: classes in turn */
    int nlabels;
    int label_rows;    /* --labels all: a row per class */
    const char *zfile; /* float32 [N, z_dim] latent vectors, or NULL */
    const char *npy;   /* raw output as float32 [N, H, W, C], or NULL */
    const char *out_dir; /* sample_%05d.png files (conditional: sample_%05d_CLASS.png and
                          * labels.csv), or NULL */
    const char *grid;  /* one grid, PNG or JPEG by its extension (io/image_write.h), or NULL */
    int scale;         /* the grid's enlargement; 0: cells of at least 64 pixels */
    const char *run_dir; /* the default grid RUN/samples/sample.png; NULL: beside g->path */
    const volatile sig_atomic_t *stop; /* set (a signal number): stop before the next image
                                        * file; NULL: never */
} sample_options;

/* sample_write's return value when o->stop was set: the files written are whole, the message
 * says how many. */
#define SAMPLE_STOPPED 1

/* Generates and writes the images; with none of out_dir, grid and npy, a grid at the default
 * place. out_dir alone is generated a chunk at a time; temporary files a killed sample left
 * there are removed first. Returns 0, SAMPLE_STOPPED, or -1 with the message in e. */
int sample_write(generator *g, const sample_options *o, dc_err *e);

#endif
