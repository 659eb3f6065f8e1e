/* A trained run's data set, found from the settings its checkpoint records (the same folder,
 * crop, size and channels), for the tools that compare samples with the training data. */
#ifndef DCGAN_EVAL_RUN_DATA_H
#define DCGAN_EVAL_RUN_DATA_H

#include <stddef.h>

#include "core/error.h"
#include "data/dataset.h"
#include "data/source.h"
#include "model/generator.h"

typedef struct {
    char data_dir[GENERATOR_PATH_MAX], dataset[GENERATOR_PATH_MAX], pattern[256];
    char labels_file[1024], attributes[1024]; /* the run's --labels-file, --attributes */
    dataset_source src; /* points into the strings above; src.split picks a part */
} run_data;

/* data_dir: where the data set is now (DATA_DIR/DATASET), or NULL for where training read it.
 * Fails when the checkpoint holds no run settings or they name no data set. */
int run_data_from_generator(const generator *g, const char *data_dir, run_data *d, dc_err *e);

/* Opens the data set (d->src.split's part; a file-backed set then decodes to [0, 1]) and
 * checks that its items have the model's shape; src receives the folder. */
int run_data_open(const generator *g, const run_data *d, const char *data_dir, dataset *ds,
                  char *src, size_t srclen, dc_err *e);

#endif
