/* Where and how the visualisation commands write what a generator makes: the output folder,
 * images as .npy, and the enlargement that keeps small images visible. */
#ifndef DCGAN_VIZ_OUTPUT_H
#define DCGAN_VIZ_OUTPUT_H

#include "core/dirs.h"
#include "core/error.h"
#include "model/generator.h"
#include "model/output_check.h"

/* Writes n generated images (n, c_dim, H, W) as float32 [n, H, W, c_dim] (like 'dcgan sample
 * --npy'). */
int generator_write_npy(const generator *g, const char *path, const float *images, int n,
                        dc_err *e);

/* 0, or -1 naming the first of n latent vectors (z_dim each, read from path) that holds NaN
 * or Inf. */
int generator_check_latents(const char *path, const float *z, long n, int z_dim, dc_err *e);

/* Enlargement that makes a cell at least `min_px` pixels on its shorter side (1..4). */
int generator_auto_scale(const generator *g, int min_px);

/* The output folder: out (created with its parents) or the default one; an out that is a
 * run's checkpoints folder is refused (output_check_path). */
int generator_out_dir(const generator *g, const char *out, char *buf, size_t n, dc_err *e);

#endif
