/* 'dcgan nearest', the paper's memorisation check: generated samples (or given images) beside
 * their nearest images of the run's training data, as a sheet (nearest.png) and a table
 * (nearest.csv). The data set is found from the run's settings, not the training code. */
#ifndef DCGAN_VIZ_NEAREST_CHECK_H
#define DCGAN_VIZ_NEAREST_CHECK_H

#include <stdint.h>

#include "core/error.h"
#include "data/source.h"
#include "eval/run_data.h"
#include "model/generator.h"

typedef struct {
    int n;                     /* generated samples (when no queries) */
    int k;                     /* neighbours per sample (at most the data set's size) */
    int scale;                 /* sheet enlargement; 0: cells >= 64 pixels */
    uint64_t seed;             /* latent vectors */
    const int *labels;         /* nlabels classes cycled over the samples; 0: in turn */
    int nlabels;
    const char *const *queries; /* nqueries image files searched for instead of samples */
    int nqueries;
    const char *data_dir;      /* --data-dir, or NULL (only for run_data_from_generator) */
    const char *out;           /* output folder, or NULL: the generator's default */
} nearest_options;

/* Opens the run's data, searches it and writes OUT/nearest.csv and OUT/nearest.png. */
int nearest_check(generator *g, const nearest_options *o, dc_err *e);

#endif
