/* Training data sets (the batch loader that reads them is data/loader.h).
 *
 * A dataset is held in memory (MNIST-format IDX data, already scaled), or a list of image files
 * decoded on demand, or the entries of an LMDB database of encoded images (LSUN) decoded on
 * demand. Any may carry class labels (conditional model); image files may carry attributes
 * instead (a multi-hot condition, data/labels_file.h). */
#ifndef DCGAN_DATA_DATASET_H
#define DCGAN_DATA_DATASET_H

#include <stddef.h>
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
    int num_attributes;  /* 0: none; else each item's condition is a multi-hot vector */
    char **attribute_names; /* num_attributes names (a labels file's columns) */
    uint8_t *attributes; /* (count, num_attributes) of 0/1, or NULL */
    float *images;       /* memory-backed: (count, C, H, W); NULL for file-backed */
    char **paths;        /* file-backed: count paths; NULL otherwise */
    struct lmdb_source *db; /* LMDB-backed: its entries, in key order; NULL otherwise */
    image_spec spec;     /* file-backed: how each file becomes an item */
    int skipped;         /* file-backed: matching files dropped as unusable (spec.skip_bad) */
    char fingerprint[64]; /* the data's files (names, sizes, modification times) as
                           * "<count> files, fnv1a64 <16 hex digits>" (dataset_open_source);
                           * "" when unknown */
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

/* An LMDB database of encoded images (dir/data.mdb, LSUN's layout): every entry an item, in
 * key order. Only the first few values are looked at now (spec->channels 0: gray only if the
 * first 16 that decode are all gray; none of them decoding is an error); the others are
 * decoded by the loader, where a bad one is skipped or fails as spec->skip_bad says. */
int dataset_open_lmdb(dataset *ds, const char *dir, const image_spec *spec, dc_err *e);

void dataset_free(dataset *ds);

/* The width of the condition the data gives a conditional model: its classes (one-hot) or
 * its attributes (multi-hot); 0 when unlabelled. */
static inline int dataset_y_dim(const dataset *ds)
{
    return ds->num_classes > 0 ? ds->num_classes : ds->num_attributes;
}

/* Items decoded on demand (image files or LMDB entries), not held in memory. */
static inline int dataset_on_demand(const dataset *ds)
{
    return !ds->images && (ds->paths || ds->db);
}
/* Decodes item i of an on-demand set into out (C, H, W) in the spec's range. */
int dataset_load_item(const dataset *ds, int i, const image_spec *spec, float *out, dc_err *e);
/* Item i's file path or "DIR/data.mdb[key]", for messages. */
void dataset_item_name(const dataset *ds, int i, char *buf, size_t n);
/* Keeps the items keep[0..n-1] (ascending) of an on-demand set, with their labels. */
void dataset_keep_items(dataset *ds, const int *keep, int n);

/* The range the items come in: the held pixels' (memory), or what the loader decodes files
 * to (spec, which a caller may change after opening). */
static inline void dataset_range(const dataset *ds, float *lo, float *hi)
{
    *lo = ds->images ? ds->lo : ds->spec.lo;
    *hi = ds->images ? ds->hi : ds->spec.hi;
}

#endif
