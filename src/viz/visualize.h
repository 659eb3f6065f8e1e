/* The reference's test-time visualisations of a trained generator (utils.py visualize, options
 * 0-4) and an animation of training from a run's sample grids, written into a folder. */
#ifndef DCGAN_VIZ_VISUALIZE_H
#define DCGAN_VIZ_VISUALIZE_H

#include <stdint.h>

#include "core/error.h"
#include "model/generator.h"

#define VIS_MAX_LABELS 1024
#define VIS_MAX_DIMS 100000
#define VIS_PATH_MAX 4400

typedef struct {
    int option;       /* 0..4 */
    int batch;        /* images per grid, frames per animation */
    int cols;         /* grid columns; 0: ceil(sqrt(batch)), 8 with labels_all */
    int count;        /* option 2: random dimensions */
    int scale;        /* enlargement of every output */
    int base_random;  /* option 1: other dimensions U(-1, 1) instead of 0 */
    int max_frames;   /* progress: at most this many frames */
    int labels[VIS_MAX_LABELS], nlabels, labels_all;
    int *dims, ndims; /* the z dimensions to sweep */
    double duration;  /* seconds an animation plays (progress: 0 = 0.15 s a frame) */
    uint64_t seed;
    char out[VIS_PATH_MAX]; /* the output folder (made) */
} visualize_options;

/* The classes shown when --labels is not given: class 0 for option 4, every class for the
 * other animations, none (classes in turn) for the grids. */
void visualize_default_labels(const generator *g, visualize_options *v);
/* The dimensions swept when --dims is not given: option 2 --count distinct random ones, option
 * 4 the first 100, else all. v->dims must hold z_dim values. */
void visualize_default_dims(const generator *g, visualize_options *v);

/* The folder, under the default output folder, that option v->option writes into with these
 * settings: "option1_it500" (the checkpoint's iteration), then each setting that differs from
 * its default ("_b16_base-random_seed2_labels-3+7"), so that another option, other settings or
 * a newer checkpoint never overwrite what an earlier command wrote. labels, dims: the flags
 * as given (NULL: not given). */
void visualize_folder_name(const generator *g, const visualize_options *v, const char *labels,
                           const char *dims, char *buf, size_t n);

/* Writes option v->option's pictures into v->out. */
int visualize_write(generator *g, const visualize_options *v, dc_err *e);

/* RUN/samples/train_*.png as one animation, OUT/progress.gif (out NULL: RUN/visualize). */
int visualize_progress(const visualize_options *v, const char *run, const char *out, dc_err *e);

#endif
