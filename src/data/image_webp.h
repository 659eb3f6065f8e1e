/* Internal to src/data/image*.c: WebP (libwebp) from bytes in memory, into the decoded pixels
 * that image_resize.c crops and resizes. */
#ifndef DCGAN_DATA_IMAGE_WEBP_H
#define DCGAN_DATA_IMAGE_WEBP_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "data/image_resize.h"

/* "RIFF" <size> "WEBP": the first 12 bytes of every WebP file. */
int image_webp_signature(const uint8_t *data, size_t len);
/* The header of len bytes (a prefix of the file may do): size into d->full_w/full_h, channels
 * into d->nc (3, or 4 with alpha). 1 when the prefix is too short to tell (read more), 0, or
 * -1 with "path: problem" (animated, broken header). */
int image_webp_header(const uint8_t *data, size_t len, const char *path, image_decoded *d,
                      dc_err *e);
/* Decodes the whole file (header already read into d, size already checked) into d->px (RGB or
 * RGBA, malloc'ed). -1 with "path: problem" (truncated, corrupt). */
int image_webp_decode(const uint8_t *data, size_t len, const char *path, image_decoded *d,
                      dc_err *e);

#endif
