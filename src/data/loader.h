/* The batch loader: shuffled batches of a dataset, per epoch and rank, decoded ahead of use by
 * background threads for file-backed sets. */
#ifndef DCGAN_DATA_LOADER_H
#define DCGAN_DATA_LOADER_H

#include <stdint.h>
#include "data/dataset.h"
#include "core/error.h"

typedef struct loader loader;

/* Batches of batch_size items in an order reshuffled every epoch from (seed, epoch).
 * items_per_epoch (0 = all) caps an epoch like the reference's train_size. Each step all
 * `world` ranks together take the next world * batch_size items of the epoch's order, rank r
 * the r-th batch of them (so rank r gets global batches r, r+w, r+2w, ...); the last
 * incomplete step of an epoch is dropped.
 * File-backed sets are decoded by `threads` background threads, `prefetch` batches ahead.
 * The dataset must outlive the loader. */
loader *loader_create(const dataset *ds, int batch_size, uint64_t seed, long items_per_epoch,
                      int rank, int world, int threads, int prefetch, dc_err *e);
/* Steps (batches of this rank) per epoch. */
long loader_batches_per_epoch(const loader *l);
/* Next step is step `batch` (0-based) of epoch `epoch`. */
void loader_seek(loader *l, long epoch, long batch);
/* Next step starts after the first `offset` items of epoch `epoch`'s order, the position as
 * loader_tell_items gives it (then offset + world * batch_size, ...: when offset is not a
 * multiple of that, as after a resume with another world or batch size, that epoch's steps
 * start there). */
void loader_seek_items(loader *l, long epoch, long offset);
/* The position of the next step: its epoch, and the items of that epoch taken before it by all
 * ranks together. A checkpoint stores it: it is the same for every rank. */
void loader_tell_items(const loader *l, long *epoch, long *offset);
/* Steps from the next one to the end of epoch epochs - 1 (LONG_MAX if more). */
long loader_steps_left(const loader *l, long epochs);
/* Fills images (batch_size,C,H,W) and, if non-NULL, labels_onehot (batch_size, dataset_y_dim: one-hot classes or multi-hot attributes),
 * reports which (epoch, step of the epoch) it was, and advances (wrapping into the next epoch). An image
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
