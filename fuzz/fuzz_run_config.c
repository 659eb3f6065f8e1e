/* libFuzzer target: the run-settings reader (config.json, a checkpoint's "run" metadata) and
 * the resume check against a default command. */
#include <stdint.h>

#include "model/run_config.h"
#include "train/resume_check.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_set_level(LOG_LEVEL_ERROR); /* the check's warnings */
    run_config c;
    dc_err e;
    if (run_config_parse((const char *)data, size, "fuzz", &c, &e) == 0) {
        train_options o;
        train_options_default(&o);
        (void)run_config_check_resume(&c, &o, "fuzz", &e);
    }
    return 0;
}
