/* Outputs that would destroy inputs: a file the command reads (`export --checkpoint X --out X`)
 * or anything in a run's checkpoints folder (`export --out RUN/checkpoints/<the newest>` once
 * replaced a run's only checkpoint, with D and the optimiser state). */
#ifndef DCGAN_MODEL_OUTPUT_CHECK_H
#define DCGAN_MODEL_OUTPUT_CHECK_H

#include "core/error.h"

/* 0, or -1 with "FLAG PATH: ..." when out names the same file as one of inputs[0..n) (NULL
 * entries are skipped), or out (or the folder it is in) is a run's checkpoints folder: a
 * folder named "checkpoints" beside a config.json or holding ckpt-*.safetensors files. out
 * need not exist. */
int output_check_path(const char *flag, const char *out, const char *const *inputs, int n,
                      dc_err *e);

#endif
