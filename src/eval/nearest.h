/* Nearest training images of given images (the paper's memorisation check): squared L2
 * distance in pixel space over a whole data set, both sides in [0, 1]. File-backed data sets
 * are decoded in parallel chunks, never held in memory at once. */
#ifndef DCGAN_EVAL_NEAREST_H
#define DCGAN_EVAL_NEAREST_H

#include "data/dataset.h"
#include "core/error.h"

typedef struct {
    int index;     /* into the data set */
    double dist2;  /* sum of squared differences over C*H*W values in [0, 1] */
} nearest_hit;

/* queries: nq images (C, H, W) of the data set's shape in [0, 1]. hits: nq * k, each query's
 * k nearest, closest first. The data set's pixels are mapped from [ds->lo, ds->hi] (memory)
 * or decoded with ds->spec (files) and then mapped from [spec.lo, spec.hi]. */
int nearest_search(const dataset *ds, const float *queries, int nq, int k, nearest_hit *hits,
                   dc_err *e);

#endif
