/* Decoding one JPEG (libjpeg-turbo), PNG (libpng) or WebP (libwebp) file into a model input: optional centre
 * crop, then resize with an antialiasing (area-averaging / triangle) filter, output as float
 * (C,H,W) scaled to [lo,hi]. JPEGs much larger than needed are decoded with libjpeg's DCT
 * scaling. PNG and WebP alpha is composited onto `background` (RGB 0..255). */
#ifndef DCGAN_DATA_IMAGE_H
#define DCGAN_DATA_IMAGE_H

#include <stddef.h>
#include "data/image_spec.h"
#include "core/error.h"

/* Reads just enough of the file to tell its size and channels (1 gray, 3 colour, alpha ignored). */
int image_probe(const char *path, int *width, int *height, int *channels, dc_err *e);
/* The same for len bytes in memory (name is used in messages). */
int image_probe_mem(const void *data, size_t len, const char *name, int *width, int *height,
                    int *channels, dc_err *e);
/* image_probe, then the size limit of spec (max_pixels): what can be known of a file without
 * decoding its pixels. Fills *channels (1 or 3). */
int image_validate(const char *path, const image_spec *spec, int *channels, dc_err *e);
/* The same, with the image's size. */
int image_validate_dims(const char *path, const image_spec *spec, int *channels, int *width,
                        int *height, dc_err *e);
/* Decodes path into out (channels, out_h, out_w). */
int image_load(const char *path, const image_spec *spec, float *out, dc_err *e);
/* The same from len bytes in memory (name is used in messages). */
int image_load_mem(const void *data, size_t len, const char *name, const image_spec *spec,
                   float *out, dc_err *e);

#endif
