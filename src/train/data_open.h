/* The training data a run's options name. */
#ifndef DCGAN_TRAIN_DATA_OPEN_H
#define DCGAN_TRAIN_DATA_OPEN_H

#include <stddef.h>
#include "core/error.h"
#include "data/dataset.h"
#include "data/source.h"
#include "train/options.h"

/* Opens the training data as train_run does: DATA_DIR/DATASET as MNIST-format IDX files (with
 * the fashion-mnist fallback) or an image folder (scaled to [-1, 1]; IDX data: [0, 1]). src
 * receives the folder used. */
int train_open_dataset(const train_options *o, dataset *ds, char *src, size_t srclen, dc_err *e);
/* The options' data settings as a dataset_source (pointing into o). */
void train_dataset_source(const train_options *o, dataset_source *s);

/* Data held in memory (IDX) is used as it is: a flag that would resize, crop or recolour it
 * (--output-height/--output-width other than its size, --crop, --c-dim other than its channels)
 * is refused (-1 with the message) rather than silently ignored. */
int train_check_held_data(const train_options *o, const dataset *ds, const char *src, dc_err *e);

#endif
