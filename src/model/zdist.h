/* The latent distribution z is drawn from (the run's --z-dist): the reference's U(-1, 1), or
 * U(0, 1), or N(0, 1). Training, sampling and every visualisation draw z through here, so a
 * run's samples come from the distribution it was trained on. */
#ifndef DCGAN_MODEL_ZDIST_H
#define DCGAN_MODEL_ZDIST_H

#include <stddef.h>
#include "core/rng.h"

typedef enum { Z_DIST_UNIFORM_SIGNED = 0, Z_DIST_UNIFORM_UNSIGNED, Z_DIST_NORMAL01 } z_dist;

/* "uniform_signed", "uniform_unsigned", "normal01" */
const char *z_dist_name(z_dist d);
/* 0, or -1 if s names no distribution (*d unchanged). */
int z_dist_parse(const char *s, z_dist *d);
/* n values of d from r. */
void z_dist_draw(z_dist d, rng_state *r, float *z, size_t n);

#endif
