/* A data set named the way the command line and config.json name it: DATA_DIR/DATASET, either
 * MNIST-format IDX files (fashion-mnist falls back to Debian's dataset-fashion-mnist copy) or
 * a folder of images prepared by the crop and size settings. */
#ifndef DCGAN_DATA_SOURCE_H
#define DCGAN_DATA_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "data/dataset.h"

typedef struct {
    const char *data_dir, *dataset, *input_fname_pattern;
    int crop, input_h, input_w; /* crop size (input_w <= 0: = input_h) */
    int output_h, output_w;     /* item size (output_w <= 0: = output_h) */
    int c_dim;                  /* 0: from the data */
    uint8_t background[3];      /* under transparent PNG pixels */
    int skip_bad_images;
    int split;                  /* DATASET_SPLIT_*: all of it (training a GAN), or a part */
    const char *labels_file;    /* NULL or "": none; else an image folder's labels
                                 * (data/labels_file.h) */
    const char *attributes;     /* the labels file's columns to keep (NULL or "": all) */
} dataset_source;

/* A classifier's parts: IDX data's train and t10k files; in an image folder, every tenth file
 * (of the sorted list, so each class gives its share) is the test part. */
#define DATASET_SPLIT_ALL 0
#define DATASET_SPLIT_TRAIN 1
#define DATASET_SPLIT_TEST 2

/* Opens the data (the part s->split names): IDX sets scaled to [0, 1] with their class names (Fashion-MNIST's named),
 * image folders to [-1, 1]. src receives the folder used. The message of a missing folder
 * says how to get the well-known ones. ds->fingerprint is set from the files the whole data
 * set is read from (for a folder: the usable images kept). */
int dataset_open_source(const dataset_source *s, dataset *ds, char *src, size_t srclen,
                        dc_err *e);

#endif
