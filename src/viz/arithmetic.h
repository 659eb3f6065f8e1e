/* 'dcgan arithmetic', the paper's vector arithmetic on latent vectors (figure 7): a numbered
 * sheet of samples to pick exemplars from, then the picture of an expression over groups of
 * them (each group's z's averaged, the averages added and subtracted). */
#ifndef DCGAN_VIZ_ARITHMETIC_H
#define DCGAN_VIZ_ARITHMETIC_H

#include <stdint.h>

#include "core/error.h"
#include "model/generator.h"
#include "viz/latent.h"

typedef struct {
    int n;          /* sheet: samples */
    int cols;       /* sheet: columns; 0: ceil(sqrt(n)) */
    int label;      /* conditional models: every image's class */
    uint64_t seed;  /* sheet: latent vectors; result: the variations' noise */
    int variations; /* result: how many noisy copies of the result */
    float jitter;   /* result: their noise U(-jitter, jitter) */
    int scale;      /* enlargement; 0: cells >= 64 pixels */
    const char *npy; /* result: also the images, float32 [1 + variations, H, W, C], or NULL */
    const char *out; /* output folder, or NULL: the generator's default */
} arithmetic_options;

/* OUT/sheet.png (each sample's index drawn on it) and OUT/sheet_z.npy. */
int arithmetic_write_sheet(generator *g, const arithmetic_options *o, dc_err *e);

/* A sheet's latent vectors (float32 [N, z_dim]); *n = N. NULL with a message on failure. */
float *arithmetic_read_sheet(const generator *g, const char *path, int *n, dc_err *e);

/* OUT/arithmetic.png (a row per group: its exemplars and their mean; then the result and its
 * variations) and OUT/arithmetic_z.npy. x's indices are rows of sheet. */
int arithmetic_write_result(generator *g, const arithmetic_options *o, const float *sheet,
                            const latent_expr *x, dc_err *e);

#endif
