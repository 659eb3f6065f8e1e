/* MNIST-format IDX files (idx3 unsigned-byte images, idx1 unsigned-byte labels), raw or gzip
 * (detected from the bytes, not the name). Magic numbers, dimensions and lengths are validated. */
#ifndef DCGAN_DATA_IDX_H
#define DCGAN_DATA_IDX_H

#include <stdint.h>
#include "core/error.h"

/* *pixels is malloc'ed: count * rows * cols bytes. */
int idx_read_images(const char *path, uint8_t **pixels, int *count, int *rows, int *cols,
                    dc_err *e);
/* *labels is malloc'ed: count bytes. */
int idx_read_labels(const char *path, uint8_t **labels, int *count, dc_err *e);

#endif
