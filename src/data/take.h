/* Random draws of items from a data set into memory, through the batch loader (file-backed
 * sets decode on its threads), whole or a part at a time. */
#ifndef DCGAN_DATA_TAKE_H
#define DCGAN_DATA_TAKE_H

#include <stdint.h>
#include "core/error.h"
#include "data/dataset.h"

typedef struct dataset_stream dataset_stream;

/* n distinct items (n <= ds->count) in an order drawn from seed, read in parts by
 * dataset_stream_next. The data set must outlive the stream. */
dataset_stream *dataset_stream_open(const dataset *ds, long n, uint64_t seed, dc_err *e);
/* The next count items: images (count, C, H, W) mapped from the set's range to [0, 1];
 * labels (count, may be NULL) their classes, -1 when unlabelled. Fails naming a file that
 * cannot be decoded (unless the set skips bad files), or when the n items are used up. */
int dataset_stream_next(dataset_stream *s, float *images, int *labels, long count, dc_err *e);
void dataset_stream_close(dataset_stream *s);

/* All n at once. */
int dataset_take(const dataset *ds, long n, uint64_t seed, float *images, int *labels,
                 dc_err *e);

#endif
