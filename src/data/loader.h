/* The batch loader: shuffled batches of a dataset, per epoch and rank, decoded ahead of use by
 * background threads for file-backed sets. */
#ifndef DCGAN_DATA_LOADER_H
#define DCGAN_DATA_LOADER_H

#include <stdint.h>
#include "data/dataset.h"
#include "core/error.h"

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
