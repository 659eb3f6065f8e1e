/* Training data sets (the batch loader that reads them is data/loader.h).
 *
 * A dataset is either held in memory (MNIST-format IDX data, already scaled) or a list of image
 * files decoded on demand. Either may carry class labels (conditional model). */
#ifndef DCGAN_DATA_DATASET_H
#define DCGAN_DATA_DATASET_H

#include <stdint.h>
#include "data/image.h"
#include "core/error.h"

#define DATASET_MAX_CLASSES 1024

typedef struct {
    int count;           /* items */
    int C, H, W;         /* model input shape of one item */
    float lo, hi;        /* pixel range of the items */
    int num_classes;     /* 0: unlabelled */
    char **class_names;  /* num_classes names (folder names, or "0".."9" for IDX) */
    int *labels;         /* count labels in [0,num_classes), or NULL */
    float *images;       /* memory-backed: (count, C, H, W); NULL for file-backed */
    char **paths;        /* file-backed: count paths; NULL for memory-backed */
    image_spec spec;     /* file-backed: how each file becomes an item */
    int skipped;         /* file-backed: matching files dropped as unusable (spec.skip_bad) */
} dataset;

/* The reference's MNIST protocol: {train,t10k}-{images-idx3,labels-idx1}-ubyte in dir (each
 * raw or with .gz appended), train then t10k concatenated (70,000 for MNIST), shuffled once
 * with a fixed seed, pixels / 255 into [0,1], 10 classes. */
int dataset_load_idx(dataset *ds, const char *dir, dc_err *e);
/* One or both parts, in file order (shuffle 0) or shuffled as above: DATASET_IDX_TRAIN alone
 * is the training split a classifier learns from, DATASET_IDX_TEST alone its test split. */
#define DATASET_IDX_TRAIN 1
#define DATASET_IDX_TEST 2
int dataset_load_idx_parts(dataset *ds, const char *dir, int parts_mask, int shuffle,
                           dc_err *e);

/* Image folder: files in dir matching the glob `pattern` (e.g. "*.jpg"). If dir has no
 * matching files but subfolders that do, each subfolder is a class (sorted by name). `spec`
 * gives output size, crop and range; spec->channels 0 = decide from the data (gray only if
 * every file is gray). Every file's header is checked (image_validate: a JPEG, PNG or WebP within the
 * size limit); with spec->skip_bad a bad file is dropped from the list (a warning line each, up
 * to 10, then a count), otherwise it is an error naming it. The same files give the same list
 * at every start, so a resumed run sees the same data. Fails if nothing usable matches. */
int dataset_open_folder(dataset *ds, const char *dir, const char *pattern,
                        const image_spec *spec, dc_err *e);

void dataset_free(dataset *ds);

/* The range the items come in: the held pixels' (memory), or what the loader decodes files
 * to (spec, which a caller may change after opening). */
static inline void dataset_range(const dataset *ds, float *lo, float *hi)
{
    *lo = ds->images ? ds->lo : ds->spec.lo;
    *hi = ds->images ? ds->hi : ds->spec.hi;
}

#endif
