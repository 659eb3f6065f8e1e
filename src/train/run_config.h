/* The run's settings as config.json (and every checkpoint's "run" metadata) records them: a
 * strict reader, and the check that a resumed command continues the same run. */
#ifndef DCGAN_TRAIN_RUN_CONFIG_H
#define DCGAN_TRAIN_RUN_CONFIG_H

#include <stddef.h>
#include "train/run.h"
#include "core/error.h"

enum {
    RUN_CONFIG_DATASET = 1u << 0,
    RUN_CONFIG_PATTERN = 1u << 1,
    RUN_CONFIG_CROP = 1u << 2,
    RUN_CONFIG_INPUT_SIZE = 1u << 3,
    RUN_CONFIG_TRAIN_SIZE = 1u << 4,
    RUN_CONFIG_SEED = 1u << 5,
    RUN_CONFIG_Z_DIST = 1u << 6,
    RUN_CONFIG_LEARNING_RATE = 1u << 7,
    RUN_CONFIG_BETA1 = 1u << 8,
    RUN_CONFIG_BATCH_SIZE = 1u << 9,
};

typedef struct {
    unsigned have; /* RUN_CONFIG_* bits of the keys present (older runs may lack some) */
    char dataset[256];
    char input_fname_pattern[256];
    int crop;
    int input_h, input_w;
    long train_size;  /* 0: all */
    double seed;      /* as stored: a JSON number */
    z_dist zdist;
    double learning_rate, beta1;
    int batch_size;
} run_config;

/* Parses len bytes of JSON (need not be NUL-terminated). Keys it does not know are ignored; a
 * known key with a value of the wrong type or out of range is an error ("name: ..."). */
int run_config_parse(const char *json, size_t len, const char *name, run_config *c, dc_err *e);

/* A resumed command against the run's settings (name: where they come from, for messages).
 * Settings that decide the data, its order or the latent vectors (dataset, file pattern, crop
 * and its size, --train-size, --seed, --z-dist) must match: otherwise -1 naming the flag.
 * --learning-rate and --beta1 may change (after a divergence, say): a warning line each. */
int run_config_check_resume(const run_config *saved, const train_options *now, const char *name,
                            dc_err *e);

#endif
