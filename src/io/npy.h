/* NumPy .npy files (format 1.0/2.0), float32 little-endian, C order. */
#ifndef DCGAN_IO_NPY_H
#define DCGAN_IO_NPY_H

#include <stdint.h>
#include "core/error.h"

#define NPY_MAX_DIMS 8

/* Reads a '<f4' C-order array (also accepts '<f8' and converts). *data is malloc'ed. */
int npy_read_f32(const char *path, float **data, int *ndim, int64_t shape[NPY_MAX_DIMS],
                 dc_err *e);
/* Writes '<f4' atomically. */
int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape,
                  dc_err *e);

#endif
