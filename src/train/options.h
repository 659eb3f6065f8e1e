/* The settings of a training run (dcgan train's flags), apart from the code that runs it, so that
 * what checks them (train/resume_check.h) and what runs them (train/session.h) share them. */
#ifndef DCGAN_TRAIN_OPTIONS_H
#define DCGAN_TRAIN_OPTIONS_H

#include <signal.h>
#include <stdint.h>
#include "model/dcgan.h"
#include "model/zdist.h"

typedef struct {
    /* data */
    char dataset[256];
    char data_dir[1024];
    char input_fname_pattern[256];
    int input_h, input_w;   /* crop size with --crop */
    int output_h, output_w;
    int output_given;       /* --output-height/--output-width was given (IDX data refuses it) */
    int crop;
    int c_dim;              /* 0: from the data */
    int conditional;        /* -1: when the data has labels */
    uint8_t background[3];  /* for transparent PNGs */
    long train_size;        /* items per epoch; <= 0: all */
    int skip_bad_images;    /* image folders: 1 skip files that cannot be decoded, 0 fail */
    int accept_changed_data; /* resume although the data's files changed (a warning) */
    char labels_file[1024]; /* empty: none; else an image folder's labels (data/labels_file.h) */
    char attributes[1024];  /* the labels file's attributes to condition on (empty: all) */
    int loader_threads;
    /* model */
    int z_dim, gf_dim, df_dim, gfc_dim, dfc_dim;
    int cond_concat;        /* dcgan_cond_concat; -1: not given (ALL), so that it can be refused
                             * on an unconditional model */
    z_dist zdist;
    /* departures from the reference (docs/experiments.md), all off by default */
    int spectral_norm;      /* D's weights spectrally normalised */
    int d_first_channels;   /* conditional D's first conv width; 0: c_dim + y_dim */
    float g_ema;            /* decay of the average of G that sampling uses; 0: none */
    int loss;               /* train_loss (train/step.h): TRAIN_LOSS_BCE */
    float label_smoothing;  /* one-sided: D's target for real images is 1 - this */
    float d_learning_rate, g_learning_rate; /* two time-scale rates; 0: --learning-rate */
    char recipe[16];        /* "reference", "improved" (what --recipe set), or "custom" */
    /* optimisation */
    long epochs;
    int batch_size;
    float learning_rate, beta1;
    long max_steps;         /* stop after this many iterations in all; <= 0: no cap */
    uint64_t seed;
    int threads;
    int conv_backend;       /* conv_backend (ops/conv_plan.h): AUTO by default */
    int precision;          /* ops_precision (ops/ops.h): FP32 by default */
    char device[16];        /* where the model runs: "cpu" (default), "cuda", "cuda:N" */
    /* outputs */
    char out_dir[1024];
    char out_name[256];     /* empty: derived from the dataset and model settings */
    long sample_freq, ckpt_freq;
    int max_to_keep;
    int progress;           /* 1: the caller shows progress (dcgan train: a line on stderr, drawn
                             * by its progress callback); training itself prints none */
    /* stop request: when *stop becomes non-zero (a signal number), training finishes the
     * current iteration, writes a checkpoint and returns TRAIN_RUN_STOPPED. NULL: never. */
    const volatile sig_atomic_t *stop;
    int tensorboard;        /* 1: TensorBoard event files in logs/ */
    /* data-parallel training: this process is one rank of `dist` (NULL: the only one); each
     * rank trains batch_size items per step, rank 0 alone writes the run folder */
    struct dist *dist;
    int sync_bn;            /* 1: batch-norm statistics over all ranks' batches (the default) */
    double grad_bucket_mb;  /* gradient all-reduces started during the backward pass, of at
                             * least this many MB each (0: one after the pass) */
    long hist_freq;         /* TensorBoard histograms every this many iterations */
    long eval_every;        /* quality metrics (train/eval_hook.h) every this many; 0: never */
    long eval_samples;      /* images per measurement (2000) */
    char eval_classifier[1024]; /* empty: OUT_DIR/classifiers/<data>-HxWxC.safetensors */
} train_options;

void train_options_default(train_options *o);
/* Sets the departures from the reference (spectral_norm .. g_learning_rate above) to those of
 * the named recipe ("reference": none) and records its name. -1 for an unknown name. */
int train_options_apply_recipe(train_options *o, const char *name);
/* 1 if a and b take the same departures. */
int train_options_same_recipe(const train_options *a, const train_options *b);

/* The model these options build for items of H x W x C and y_dim classes (0: unconditional). */
dcgan_config train_options_model_config(const train_options *o, int H, int W, int C, int y_dim);

#endif
