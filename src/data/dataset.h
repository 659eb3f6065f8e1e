/* Training data sets and the batch loader.
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

/* Image folder: files in dir matching the glob `pattern` (e.g. "*.jpg"). If dir has no
 * matching files but subfolders that do, each subfolder is a class (sorted by name). `spec`
 * gives output size, crop and range; spec->channels 0 = decide from the data (gray only if
 * every file is gray). Every file's header is checked (image_validate: a JPEG or PNG within the
 * size limit); with spec->skip_bad a bad file is dropped from the list (a warning line each, up
 * to 10, then a count), otherwise it is an error naming it. The same files give the same list
 * at every start, so a resumed run sees the same data. Fails if nothing usable matches. */
int dataset_open_folder(dataset *ds, const char *dir, const char *pattern,
                        const image_spec *spec, dc_err *e);

void dataset_free(dataset *ds);

typedef struct loader loader;

/* Batches of batch_size items in an order reshuffled every epoch from (seed, epoch); the last
 * incomplete batch of an epoch is dropped. items_per_epoch (0 = all) caps an epoch like the
 * reference's train_size. rank r of world w gets batches r, r+w, r+2w, ... of each epoch.
 * File-backed sets are decoded by `threads` background threads, `prefetch` batches ahead.
 * The dataset must outlive the loader. */
loader *loader_create(const dataset *ds, int batch_size, uint64_t seed, long items_per_epoch,
                      int rank, int world, int threads, int prefetch, dc_err *e);
/* Batches this rank gets per epoch. */
long loader_batches_per_epoch(const loader *l);
/* Next batch is batch `batch` (0-based, this rank's numbering) of epoch `epoch`. */
void loader_seek(loader *l, long epoch, long batch);
/* Fills images (batch_size,C,H,W) and, if non-NULL, labels_onehot (batch_size,num_classes),
 * reports which (epoch, batch) it was, and advances (wrapping into the next epoch). An image
 * that cannot be decoded: with spec.skip_bad it is replaced, with its label, by the next item
 * of the data set (in file order, wrapping) that decodes, a pure function of the files, so
 * resumed and threaded runs see the same batches; a warning names it once. Otherwise -1 with
 * the failing file's name and problem. */
int loader_next(loader *l, float *images, float *labels_onehot, long *epoch, long *batch,
                dc_err *e);
/* Files found undecodable (and replaced) so far. */
int loader_bad_count(const loader *l);
void loader_free(loader *l);

#endif
