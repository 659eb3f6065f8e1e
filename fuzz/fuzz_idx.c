/* libFuzzer target: the IDX reader (raw and gzip, images and labels) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "data/idx.h"
#include "fuzz_file.h"

/* reads land here, so they are not optimised away */
static volatile unsigned g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    dc_err e;
    uint8_t *px = NULL;
    int count, rows, cols;
    if (idx_read_images(path, &px, &count, &rows, &cols, &e) == 0) {
        /* touch every byte: a short buffer shows up under ASan */
        for (size_t i = 0; i < (size_t)count * rows * cols; i++) g_sink += px[i];
        free(px);
    }
    uint8_t *lab = NULL;
    if (idx_read_labels(path, &lab, &count, &e) == 0) {
        for (int i = 0; i < count; i++) g_sink += lab[i];
        free(lab);
    }
    return 0;
}
