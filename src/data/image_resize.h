/* Internal to src/data/image*.c: the decoded pixels that image.c hands to the crop and resize
 * of image_resize.c. */
#ifndef DCGAN_DATA_IMAGE_RESIZE_H
#define DCGAN_DATA_IMAGE_RESIZE_H

#include <stdint.h>
#include "data/image_spec.h"
#include "core/error.h"

/* An 8-bit interleaved decoded image; full_w/full_h are the file's dimensions (w/h may be
 * smaller after DCT scaling). nc: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (or CMYK, see cmyk). */
typedef struct {
    uint8_t *px;
    int w, h, nc;
    int full_w, full_h;
    int cmyk, cmyk_inverted;
} image_decoded;

/* The crop window (x0, y0, width, height) of spec in a W x H image; a crop larger than the
 * image is clamped to it. Offsets round half to even, like the reference. */
void image_crop_window(const image_spec *spec, int W, int H, int *cx0, int *cy0, int *cw,
                       int *ch);

/* Crops, resizes and converts d into out (spec->channels, out_h, out_w) scaled to [lo,hi].
 * -1 (out of memory) with the message in e, naming path. */
int image_resize_into(const image_decoded *d, const image_spec *spec, float *out,
                      const char *path, dc_err *e);

#endif
