/* libFuzzer target: log.csv as dcgan plot reads it back (io/log_csv.c): the header's columns,
 * rows of numbers (the fast decimal path and strtod's), short and unfinished rows. */
#include <math.h>
#include <stdint.h>

#include "io/log_csv.h"
#include "fuzz_file.h"

static volatile double g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_csv d;
    dc_err e;
    if (log_csv_read(fuzz_file(data, size), &d, &e) == 0) {
        for (int i = 0; i < d.n; i++) {
            g_sink += d.it[i] + d.epoch[i];
            for (int k = 0; k < 6; k++) g_sink += d.col[k][i];
        }
        log_csv_free(&d);
    }
    return 0;
}
