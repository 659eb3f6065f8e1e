/* 'dcgan interpolate': the images on a path through latent points (the paper's "walking in
 * the latent space"), linear or spherical, as a PNG (a row per pair) and a GIF. */
#ifndef DCGAN_VIZ_INTERPOLATE_H
#define DCGAN_VIZ_INTERPOLATE_H

#include <stdint.h>

#include "core/error.h"
#include "model/generator.h"

#define INTERP_MAX_LABELS 1024
#define INTERP_MAX_POINTS 1000

typedef struct {
    int points;         /* K random points (when no zfile) */
    const char *zfile;  /* the points instead: float32 [K, z_dim], 2 <= K <= INTERP_MAX_POINTS */
    int steps;          /* intermediate points between each pair */
    int slerp;          /* spherical instead of linear */
    uint64_t seed;      /* random points */
    const int *labels;  /* classes side by side; nlabels 0: every class (conditional) */
    int nlabels;
    const char *npy;    /* also the images, float32 [M * labels, H, W, C], or NULL */
    float duration;     /* seconds a step shows in the GIF (the points 5 times as long) */
    int scale;          /* enlargement; 0: cells >= 64 pixels */
    const char *out;    /* output folder, or NULL: the generator's default */
} interpolate_options;

/* Writes OUT/interp_lerp.{png,gif} (or interp_slerp.*) and the .npy if asked. */
int interpolate_write(generator *g, const interpolate_options *o, dc_err *e);

#endif
