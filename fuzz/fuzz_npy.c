/* libFuzzer target: the .npy reader (latent vectors for dcgan sample --z). */
#include <stdint.h>
#include <stdlib.h>

#include "io/npy.h"
#include "fuzz_file.h"

/* reads land here, so they are not optimised away */
static volatile float g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    float *v = NULL;
    int nd = 0;
    int64_t shape[NPY_MAX_DIMS];
    dc_err e;
    if (npy_read_f32(fuzz_file(data, size), &v, &nd, shape, &e) == 0) {
        int64_t n = 1;
        for (int i = 0; i < nd; i++) n *= shape[i];
        for (int64_t i = 0; i < n; i++) g_sink += v[i];
        free(v);
    }
    return 0;
}
