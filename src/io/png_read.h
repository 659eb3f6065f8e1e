/* Reading a PNG as 8-bit pixels (libpng's simplified API), for tools that reuse images the
 * program wrote (the training samples). Training data goes through src/data/image.h. */
#ifndef DCGAN_IO_PNG_READ_H
#define DCGAN_IO_PNG_READ_H

#include <stdint.h>
#include "core/error.h"

/* *pixels (malloc'ed): H rows of W*C bytes; C is 1 for gray files and 3 otherwise (alpha is
 * composited onto white). */
int png_read_u8(const char *path, uint8_t **pixels, int *W, int *H, int *C, dc_err *e);

#endif
