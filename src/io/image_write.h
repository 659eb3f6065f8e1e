/* Writing an 8-bit image as the file's extension says: PNG (libpng) or JPEG (libjpeg),
 * atomically. */
#ifndef DCGAN_IO_IMAGE_WRITE_H
#define DCGAN_IO_IMAGE_WRITE_H

#include <stdint.h>
#include "core/error.h"

typedef enum { IMAGE_FILE_PNG = 0, IMAGE_FILE_JPEG = 1 } image_file_format;

#define IMAGE_WRITE_JPEG_QUALITY 95

/* The format path's extension names: .png (or none) PNG; .jpg, .jpeg JPEG, in any case; -1
 * for another extension (which nothing here writes). */
int image_file_format_of(const char *path);

/* pixels: H rows of W*C bytes, C = 1 (gray) or 3 (RGB) (PNG also 2 and 4). Written as
 * image_file_format_of(path) says; another extension is an error naming it. */
int image_write(const char *path, const uint8_t *pixels, int W, int H, int C, dc_err *e);

/* JPEG at the given quality (1..100), gray or RGB, atomically. */
int jpeg_write(const char *path, const uint8_t *pixels, int W, int H, int C, int quality,
               dc_err *e);

#endif
