/* libFuzzer target: log.csv as dcgan plot and report read it back (viz/run_log.c, compiled into
 * this target alone: the rest of viz needs cairo): the header's columns, rows of numbers (the
 * fast decimal path and strtod's), short and unfinished rows. */
#include <math.h>
#include <stdint.h>

#include "viz/run_log.h"
#include "fuzz_file.h"

static volatile double g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_log d;
    dc_err e;
    if (run_log_read(fuzz_file(data, size), &d, &e) == 0) {
        for (int i = 0; i < d.n; i++) {
            g_sink += d.it[i] + d.epoch[i] + d.seconds[i];
            for (int k = 0; k < RUN_LOG_COLS; k++) g_sink += d.col[k][i];
        }
        int sessions;
        g_sink += run_log_elapsed(&d, &sessions);
        run_log_free(&d);
    }
    return 0;
}
