/* A whole training run as the reference does it: data, model, the iteration loop, sample grids,
 * checkpoints with rotation and resume, the per-iteration log and TensorBoard events. Everything
 * lives in out_dir/out_name/: config.json, log.csv, samples/, checkpoints/, logs/. */
#ifndef DCGAN_TRAIN_RUN_H
#define DCGAN_TRAIN_RUN_H

#include <signal.h>
#include <stdint.h>
#include "data/dataset.h"
#include "data/source.h"
#include "model/zdist.h"
#include "core/error.h"

typedef struct {
    /* data */
    char dataset[256];
    char data_dir[1024];
    char input_fname_pattern[256];
    int input_h, input_w;   /* crop size with --crop */
    int output_h, output_w;
    int crop;
    int c_dim;              /* 0: from the data */
    int conditional;        /* -1: when the data has labels */
    uint8_t background[3];  /* for transparent PNGs */
    long train_size;        /* items per epoch; <= 0: all */
    int skip_bad_images;    /* image folders: 1 skip files that cannot be decoded, 0 fail */
    int loader_threads;
    /* model */
    int z_dim, gf_dim, df_dim, gfc_dim, dfc_dim;
    z_dist zdist;
    /* optimisation */
    long epochs;
    int batch_size;
    float learning_rate, beta1;
    long max_steps;         /* stop after this many iterations in all; <= 0: no cap */
    uint64_t seed;
    int threads;
    int conv_backend;       /* conv_backend (ops/conv_plan.h): AUTO by default */
    /* outputs */
    char out_dir[1024];
    char out_name[256];     /* empty: derived from the dataset and model settings */
    long sample_freq, ckpt_freq;
    int max_to_keep;
    int progress;           /* 1 progress line on stderr */
    /* stop request: when *stop becomes non-zero (a signal number), training finishes the
     * current iteration, writes a checkpoint and returns TRAIN_RUN_STOPPED. NULL: never. */
    const volatile sig_atomic_t *stop;
    int tensorboard;        /* 1: TensorBoard event files in logs/ */
    long hist_freq;         /* TensorBoard histograms every this many iterations */
} train_options;

void train_options_default(train_options *o);

#define TRAIN_RUN_STOPPED 1
/* Opens the training data as train_run does: DATA_DIR/DATASET as MNIST-format IDX files (with
 * the fashion-mnist fallback) or an image folder (scaled to [-1, 1]; IDX data: [0, 1]). src
 * receives the folder used. */
int train_open_dataset(const train_options *o, dataset *ds, char *src, size_t srclen, dc_err *e);
/* The options' data settings as a dataset_source (pointing into o). */
void train_dataset_source(const train_options *o, dataset_source *s);

/* Runs training; resumes from the newest checkpoint in the run folder if there is one.
 * Returns 0, -1 with a one-line message, or TRAIN_RUN_STOPPED (stopped on request, checkpoint
 * written; e->msg says where). */
int train_run(const train_options *o, dc_err *e);

#endif
