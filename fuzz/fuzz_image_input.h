/* The image targets' common body (fuzz_image.c, fuzz_webp.c): the first byte picks the output
 * size, channels and crop, so the geometry code is fuzzed too; the rest is the file. Decodes it
 * from memory (image_load_mem, checking that every output value is written and in range), then
 * probes it as a folder's file (image_validate) and, with load_file, decodes it from the path
 * (image_load) too. */
#ifndef DCGAN_FUZZ_FUZZ_IMAGE_INPUT_H
#define DCGAN_FUZZ_FUZZ_IMAGE_INPUT_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "data/image.h"
#include "fuzz_file.h"

static int fuzz_image_input(const uint8_t *data, size_t size, int load_file)
{
    if (size < 1) return 0;
    uint8_t k = data[0];
    image_spec spec = {0};
    spec.out_h = 4 + (k & 7) * 3;
    spec.out_w = 4 + ((k >> 3) & 3) * 5;
    spec.channels = (k & 0x20) ? 3 : 1;
    spec.crop = (k & 0x40) != 0;
    spec.crop_h = spec.out_h + 3;
    spec.crop_w = spec.out_w * 2;
    spec.background[0] = 10, spec.background[1] = 200, spec.background[2] = 30;
    spec.lo = -1.0f;
    spec.hi = 1.0f;
    spec.max_pixels = 1L << 20; /* keeps each run fast; the limit check itself is fuzzed */
    int n = spec.channels * spec.out_h * spec.out_w;
    float *out = malloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++) out[i] = NAN;
    dc_err e;
    if (image_load_mem(data + 1, size - 1, "fuzz", &spec, out, &e) == 0) {
        for (int i = 0; i < n; i++)
            if (!(out[i] >= spec.lo - 1e-3f && out[i] <= spec.hi + 1e-3f)) abort();
    }
    int c;
    const char *path = fuzz_file(data + 1, size - 1);
    (void)image_validate(path, &spec, &c, &e);
    if (load_file) (void)image_load(path, &spec, out, &e);
    free(out);
    return 0;
}

#endif
