/* libFuzzer target: WebP decoding (libwebp through image_webp.c), crop and resize
 * (image_load_mem, the path LMDB values take), and the header probe and size check that opening
 * an image folder runs on a file (image_validate, reading a prefix first). The first byte picks
 * the output size, channels and crop, as in fuzz_image.c; inputs that are not WebP are left to
 * fuzz_image. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 13 || memcmp(data + 1, "RIFF", 4) != 0 || memcmp(data + 9, "WEBP", 4) != 0)
        return 0;
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
    free(out);
    int c;
    const char *path = fuzz_file(data + 1, size - 1);
    (void)image_validate(path, &spec, &c, &e);
    float *o2 = malloc(sizeof(float) * (size_t)n);
    (void)image_load(path, &spec, o2, &e);
    free(o2);
    return 0;
}
