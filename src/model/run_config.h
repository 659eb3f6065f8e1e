/* A run's settings as config.json (and every checkpoint's "run" metadata) records them: the
 * one writer and the one strict reader. Training writes them; resuming, sampling and the
 * visualisations read them (the latent distribution, where the data was). */
#ifndef DCGAN_MODEL_RUN_CONFIG_H
#define DCGAN_MODEL_RUN_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "model/zdist.h"

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
    RUN_CONFIG_DATA_SOURCE = 1u << 10,
    RUN_CONFIG_BACKGROUND = 1u << 11,
    RUN_CONFIG_COND_CONCAT = 1u << 12,
    RUN_CONFIG_LOSS = 1u << 13,
    RUN_CONFIG_LABELS = 1u << 14, /* labels_file and attributes */
    RUN_CONFIG_FINGERPRINT = 1u << 15,
    RUN_CONFIG_CONV_BACKEND = 1u << 16,
    RUN_CONFIG_COMPUTE = 1u << 17, /* threads and device (older runs lack them) */
    RUN_CONFIG_PRECISION = 1u << 18,
};

#define RUN_CONFIG_CLASSES_MAX 1024

typedef struct {
    unsigned have; /* RUN_CONFIG_* bits of the keys present (older runs may lack some) */
    /* data */
    char dataset[256];
    char data_source[4096]; /* the folder training read */
    char data_format[16];   /* "idx", "images" or "lmdb": which settings below apply ("": all
                             * are written, as older runs have them) */
    char input_fname_pattern[256];
    long dataset_size;
    int crop;
    int input_h, input_w;
    int skip_bad_images;
    uint8_t background[3];
    char data_fingerprint[64]; /* the data's files (dataset.fingerprint; "" unknown) */
    char labels_file[1024];   /* --labels-file ("" none) */
    char attributes[1024];    /* --attributes as given ("" all) */
    /* model */
    int output_h, output_w, c_dim, y_dim, z_dim, gf_dim, df_dim, gfc_dim, dfc_dim;
    int cond_concat;  /* dcgan_cond_concat (model/dcgan.h); written for conditional models */
    z_dist zdist;
    char conv_backend[16];  /* --conv-backend: "auto", "onednn" or "im2col" ("" unknown) */
    char precision[8];      /* --precision: "fp32" or "bf16" ("" unknown: older runs, fp32) */
    /* optimisation */
    long epochs;
    long train_size;  /* 0: all */
    int batch_size;
    double learning_rate, beta1;
    /* departures from the reference (written always; loss read back) */
    char recipe[16];        /* "reference", "improved" or "custom" */
    char loss[8];           /* "bce" or "hinge" */
    double label_smoothing, d_learning_rate, g_learning_rate, g_ema;
    int spectral_norm, d_first_channels;
    long max_steps;
    double seed;      /* as stored: a JSON number */
    /* what the numbers were computed with: a run resumed with others goes on, not bit for bit */
    int threads;            /* compute threads */
    char device[16];        /* --device: cpu, cuda, cuda:N */
    /* outputs */
    char out_dir[4096], run_dir[4096];
    long sample_freq, ckpt_freq;
    int max_to_keep;
    /* class names (written only; checkpoints carry them apart too) */
    int num_classes;
    char *const *class_names;
    /* attribute names of a multi-hot condition (written only, like class_names) */
    int num_attributes;
    char *const *attribute_names;
} run_config;

/* A float setting as a JSON number: the float's shortest decimal (2e-4f is written 0.0002, not
 * 0.000199999994947575). */
double run_config_json_float(double v);
/* The settings as pretty-printed JSON (caller frees), every field above that applies: data
 * held in memory (IDX) has no file pattern, crop, bad images or background; an LMDB database
 * no file pattern or labels file; without --crop there is no crop size. */
char *run_config_to_json(const run_config *c);

/* Parses len bytes of JSON (need not be NUL-terminated). Keys it does not know are ignored; a
 * known key with a value of the wrong type or out of range is an error ("name: ..."). Only
 * the keys behind the RUN_CONFIG_* bits are read (class_names is left NULL). */
int run_config_parse(const char *json, size_t len, const char *name, run_config *c, dc_err *e);

#endif
