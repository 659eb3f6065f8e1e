/* libFuzzer target: WebP decoding (libwebp through image_webp.c), crop and resize
 * (image_load_mem, the path LMDB values take), the header probe and size check that opening an
 * image folder runs on a file (image_validate, reading a prefix first), and decoding from the
 * path (image_load). The first byte picks the output size, channels and crop, as in
 * fuzz_image.c; inputs that are not WebP are left to fuzz_image. */
#include <string.h>

#include "fuzz_image_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 13 || memcmp(data + 1, "RIFF", 4) != 0 || memcmp(data + 9, "WEBP", 4) != 0)
        return 0;
    return fuzz_image_input(data, size, 1);
}
