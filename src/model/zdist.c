#include "model/zdist.h"

#include <string.h>

const char *z_dist_name(z_dist d)
{
    switch (d) {
    case Z_DIST_UNIFORM_SIGNED: return "uniform_signed";
    case Z_DIST_UNIFORM_UNSIGNED: return "uniform_unsigned";
    case Z_DIST_NORMAL01: return "normal01";
    }
    return "?";
}

int z_dist_parse(const char *s, z_dist *d)
{
    for (int i = 0; i <= Z_DIST_NORMAL01; i++)
        if (strcmp(s, z_dist_name((z_dist)i)) == 0) {
            *d = (z_dist)i;
            return 0;
        }
    return -1;
}

void z_dist_draw(z_dist d, rng_state *r, float *z, size_t n)
{
    switch (d) {
    case Z_DIST_UNIFORM_SIGNED: rng_uniform(r, z, n, -1.0f, 1.0f); break;
    case Z_DIST_UNIFORM_UNSIGNED: rng_uniform(r, z, n, 0.0f, 1.0f); break;
    case Z_DIST_NORMAL01: rng_normal(r, z, n, 0.0f, 1.0f); break;
    }
}
