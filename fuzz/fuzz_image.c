/* libFuzzer target: JPEG and PNG decoding, crop and resize (image_load_mem), and the header
 * probe and size check that opening an image folder runs (image_validate). The first byte
 * picks the output size, channels and crop, so the geometry code is fuzzed too. */
#include "fuzz_image_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_image_input(data, size, 0);
}
