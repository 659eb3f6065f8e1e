/* image_spec: how an image file becomes a model input (size, crop, channels, range). Its own
 * header so that image.c and its resize step (image_resize.h) share it without an include
 * cycle. */
#ifndef DCGAN_DATA_IMAGE_SPEC_H
#define DCGAN_DATA_IMAGE_SPEC_H

#include <stdint.h>

typedef struct {
    int out_h, out_w;      /* model input size */
    int channels;          /* 1 (gray) or 3 (RGB): what the model wants */
    int crop;              /* centre-crop crop_h x crop_w first */
    int crop_h, crop_w;
    uint8_t background[3]; /* for PNG alpha */
    float lo, hi;          /* pixel range: 0 -> lo, 255 -> hi */
    long max_pixels;       /* refuse images larger than this (decompression bombs); 0 = default */
    int skip_bad;          /* image folders: 1 skip files that cannot be decoded, 0 fail */
} image_spec;

#endif
