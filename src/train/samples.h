/* The fixed latent vectors a run draws its sample grids from (the same every time the run is
 * resumed), and the grids: samples/train_<iteration>.png and TensorBoard's G image. */
#ifndef DCGAN_TRAIN_SAMPLES_H
#define DCGAN_TRAIN_SAMPLES_H

#include <stdint.h>
#include "core/error.h"
#include "io/tb_events.h"
#include "model/dcgan.h"
#include "model/zdist.h"
#include "data/dataset.h"

typedef struct {
    float *z, *y;
    int n, cols;
    float *images;
} sample_set;

/* A conditional model: GRID_COLS_PER_CLASS per class, a row each; otherwise one batch in a
 * square grid. z from seed, y one-hot. */
void sample_set_init(sample_set *s, const dcgan_config *mc, uint64_t seed, z_dist zd);
void sample_set_free(sample_set *s);

/* Generates the grid and writes sample_dir/train_<iteration, 8 digits>.png, and the same image
 * to tb (may be NULL). */
int sample_set_save(sample_set *s, dcgan_model *m, const char *sample_dir, long iteration,
                    tb_writer *tb, dc_err *e);

/* sample_dir/real.png: training images in the grid the samples use (same rows and columns; a
 * conditional model's row r holds items of class r, or with attribute r), drawn from seed,
 * so the samples can be compared with them at a glance. ds holds items in the model's range.
 * An item that cannot be decoded gives its cell to the next one. Written atomically, and only
 * when absent (a resumed run keeps the one it has). */
int sample_set_write_real(const sample_set *s, const dataset *ds, const dcgan_config *mc,
                          const char *sample_dir, uint64_t seed, dc_err *e);

#endif
