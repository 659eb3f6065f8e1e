/* dcgan train: the reference's training flags (kebab-case, snake_case accepted). */
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "cli/reference_args.h"
#include "model/dcgan.h"
#include "train/run.h"
#include "train/step.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "parallel/dist.h"

enum {
    OPT_DATASET = 1000, OPT_DATA_DIR, OPT_PATTERN, OPT_EPOCH, OPT_TRAIN_SIZE, OPT_BATCH_SIZE,
    OPT_LR, OPT_BETA1, OPT_INPUT_H, OPT_INPUT_W, OPT_OUTPUT_H, OPT_OUTPUT_W, OPT_CROP,
    OPT_NO_CROP, OPT_Z_DIM, OPT_Z_DIST, OPT_GF_DIM, OPT_DF_DIM, OPT_GFC_DIM, OPT_DFC_DIM,
    OPT_OUT_DIR, OPT_OUT_NAME, OPT_SAMPLE_FREQ, OPT_CKPT_FREQ, OPT_MAX_TO_KEEP, OPT_MAX_STEPS,
    OPT_SEED, OPT_THREADS, OPT_CONV, OPT_PRECISION, OPT_COND, OPT_NO_COND, OPT_C_DIM, OPT_BACKGROUND, OPT_LOADER_THREADS,
    OPT_QUIET, OPT_TRAIN_FLAG, OPT_HELP, OPT_ON_BAD_IMAGE, OPT_NO_TB, OPT_HIST_FREQ,
    OPT_NO_SYNC_BN, OPT_GRAD_BUCKET, OPT_DEVICE, OPT_COND_CONCAT, OPT_EVAL_EVERY,
    OPT_EVAL_SAMPLES, OPT_EVAL_CLASSIFIER, OPT_LABELS_FILE, OPT_ATTRIBUTES, OPT_SPECTRAL_NORM,
    OPT_D_FIRST_CHANNELS, OPT_G_EMA, OPT_LOSS, OPT_LABEL_SMOOTHING, OPT_D_LR, OPT_G_LR, OPT_RECIPE,
    OPT_ACCEPT_CHANGED_DATA,
};

/* Each long option in --kebab-case, with the reference's --snake_case spelling beside it. */
static const struct option train_options_table[] = {
    {"dataset", required_argument, 0, OPT_DATASET},
    {"data-dir", required_argument, 0, OPT_DATA_DIR},
    {"data_dir", required_argument, 0, OPT_DATA_DIR},
    {"input-fname-pattern", required_argument, 0, OPT_PATTERN},
    {"input_fname_pattern", required_argument, 0, OPT_PATTERN},
    {"labels-file", required_argument, 0, OPT_LABELS_FILE},
    {"labels_file", required_argument, 0, OPT_LABELS_FILE},
    {"attributes", required_argument, 0, OPT_ATTRIBUTES},
    {"epoch", required_argument, 0, OPT_EPOCH},
    {"train-size", required_argument, 0, OPT_TRAIN_SIZE},
    {"train_size", required_argument, 0, OPT_TRAIN_SIZE},
    {"batch-size", required_argument, 0, OPT_BATCH_SIZE},
    {"batch_size", required_argument, 0, OPT_BATCH_SIZE},
    {"learning-rate", required_argument, 0, OPT_LR},
    {"learning_rate", required_argument, 0, OPT_LR},
    {"beta1", required_argument, 0, OPT_BETA1},
    {"input-height", required_argument, 0, OPT_INPUT_H},
    {"input_height", required_argument, 0, OPT_INPUT_H},
    {"input-width", required_argument, 0, OPT_INPUT_W},
    {"input_width", required_argument, 0, OPT_INPUT_W},
    {"output-height", required_argument, 0, OPT_OUTPUT_H},
    {"output_height", required_argument, 0, OPT_OUTPUT_H},
    {"output-width", required_argument, 0, OPT_OUTPUT_W},
    {"output_width", required_argument, 0, OPT_OUTPUT_W},
    {"crop", no_argument, 0, OPT_CROP},
    {"no-crop", no_argument, 0, OPT_NO_CROP},
    {"z-dim", required_argument, 0, OPT_Z_DIM},
    {"z_dim", required_argument, 0, OPT_Z_DIM},
    {"z-dist", required_argument, 0, OPT_Z_DIST},
    {"z_dist", required_argument, 0, OPT_Z_DIST},
    {"gf-dim", required_argument, 0, OPT_GF_DIM},
    {"gf_dim", required_argument, 0, OPT_GF_DIM},
    {"df-dim", required_argument, 0, OPT_DF_DIM},
    {"df_dim", required_argument, 0, OPT_DF_DIM},
    {"gfc-dim", required_argument, 0, OPT_GFC_DIM},
    {"gfc_dim", required_argument, 0, OPT_GFC_DIM},
    {"dfc-dim", required_argument, 0, OPT_DFC_DIM},
    {"dfc_dim", required_argument, 0, OPT_DFC_DIM},
    {"recipe", required_argument, 0, OPT_RECIPE},
    {"spectral-norm", no_argument, 0, OPT_SPECTRAL_NORM},
    {"spectral_norm", no_argument, 0, OPT_SPECTRAL_NORM},
    {"d-first-channels", required_argument, 0, OPT_D_FIRST_CHANNELS},
    {"d_first_channels", required_argument, 0, OPT_D_FIRST_CHANNELS},
    {"g-ema", required_argument, 0, OPT_G_EMA},
    {"g_ema", required_argument, 0, OPT_G_EMA},
    {"loss", required_argument, 0, OPT_LOSS},
    {"label-smoothing", required_argument, 0, OPT_LABEL_SMOOTHING},
    {"label_smoothing", required_argument, 0, OPT_LABEL_SMOOTHING},
    {"d-learning-rate", required_argument, 0, OPT_D_LR},
    {"d_learning_rate", required_argument, 0, OPT_D_LR},
    {"g-learning-rate", required_argument, 0, OPT_G_LR},
    {"g_learning_rate", required_argument, 0, OPT_G_LR},
    {"cond-concat", required_argument, 0, OPT_COND_CONCAT},
    {"cond_concat", required_argument, 0, OPT_COND_CONCAT},
    {"c-dim", required_argument, 0, OPT_C_DIM},
    {"c_dim", required_argument, 0, OPT_C_DIM},
    {"out-dir", required_argument, 0, OPT_OUT_DIR},
    {"out_dir", required_argument, 0, OPT_OUT_DIR},
    {"out-name", required_argument, 0, OPT_OUT_NAME},
    {"out_name", required_argument, 0, OPT_OUT_NAME},
    {"sample-freq", required_argument, 0, OPT_SAMPLE_FREQ},
    {"sample_freq", required_argument, 0, OPT_SAMPLE_FREQ},
    {"ckpt-freq", required_argument, 0, OPT_CKPT_FREQ},
    {"ckpt_freq", required_argument, 0, OPT_CKPT_FREQ},
    {"max-to-keep", required_argument, 0, OPT_MAX_TO_KEEP},
    {"max_to_keep", required_argument, 0, OPT_MAX_TO_KEEP},
    {"max-steps", required_argument, 0, OPT_MAX_STEPS},
    {"max_steps", required_argument, 0, OPT_MAX_STEPS},
    {"seed", required_argument, 0, OPT_SEED},
    {"threads", required_argument, 0, OPT_THREADS},
    {"device", required_argument, 0, OPT_DEVICE},
    {"conv-backend", required_argument, 0, OPT_CONV},
    {"conv_backend", required_argument, 0, OPT_CONV},
    {"precision", required_argument, 0, OPT_PRECISION},
    {"loader-threads", required_argument, 0, OPT_LOADER_THREADS},
    {"loader_threads", required_argument, 0, OPT_LOADER_THREADS},
    {"conditional", no_argument, 0, OPT_COND},
    {"no-conditional", no_argument, 0, OPT_NO_COND},
    {"background", required_argument, 0, OPT_BACKGROUND},
    {"on-bad-image", required_argument, 0, OPT_ON_BAD_IMAGE},
    {"accept-changed-data", no_argument, 0, OPT_ACCEPT_CHANGED_DATA},
    {"on_bad_image", required_argument, 0, OPT_ON_BAD_IMAGE},
    {"quiet", no_argument, 0, OPT_QUIET},
    {"no-tensorboard", no_argument, 0, OPT_NO_TB},
    {"hist-freq", required_argument, 0, OPT_HIST_FREQ},
    {"hist_freq", required_argument, 0, OPT_HIST_FREQ},
    {"eval-every", required_argument, 0, OPT_EVAL_EVERY},
    {"eval_every", required_argument, 0, OPT_EVAL_EVERY},
    {"eval-samples", required_argument, 0, OPT_EVAL_SAMPLES},
    {"eval_samples", required_argument, 0, OPT_EVAL_SAMPLES},
    {"eval-classifier", required_argument, 0, OPT_EVAL_CLASSIFIER},
    {"eval_classifier", required_argument, 0, OPT_EVAL_CLASSIFIER},
    {"no-sync-bn", no_argument, 0, OPT_NO_SYNC_BN},
    {"no_sync_bn", no_argument, 0, OPT_NO_SYNC_BN},
    {"grad-bucket-mb", required_argument, 0, OPT_GRAD_BUCKET},
    {"grad_bucket_mb", required_argument, 0, OPT_GRAD_BUCKET},
    {"train", no_argument, 0, OPT_TRAIN_FLAG},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void train_help(void)
{
    printf(
        "usage: dcgan train [options]\n"
        "\n"
        "Trains the reference's DCGAN. Running the same command again resumes the run from its\n"
        "newest checkpoint. Outputs go to OUT_DIR/OUT_NAME/: config.json, log.csv, samples/,\n"
        "checkpoints/.\n"
        "\n"
        "data:\n"
        "  --dataset NAME            folder DATA_DIR/NAME (default celebA): MNIST-format IDX files\n"
        "                            ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]), an LMDB\n"
        "                            database of images (data.mdb, as LSUN's bedroom_train_lmdb),\n"
        "                            or images (JPEG, PNG, WebP); fashion-mnist falls back to\n"
        "                            /usr/share/datasets/fashion-mnist\n"
        "  --data-dir DIR            default ./data\n"
        "  --input-fname-pattern P   image glob, default '*.jpg'; one subfolder per class makes\n"
        "                            a labelled set\n"
        "  --labels-file PATH        labels for an image folder: CelebA's list_attr_celeba.txt, or a\n"
        "                            CSV with a header: file,class (one-hot classes) or\n"
        "                            file,attr1,attr2,... (1/0 or 1/-1: multi-hot attributes); a\n"
        "                            file with no entry is an error naming it\n"
        "  --attributes A,B,...      the labels file's attributes to condition on (default: all)\n"
        "  --crop / --no-crop        centre-crop INPUT_HEIGHT x INPUT_WIDTH before resizing (off)\n"
        "  --input-height N          crop height (108); --input-width N (= height)\n"
        "  --output-height N         image size the model makes (64); --output-width N (= height)\n"
        "  --c-dim 1|3               force grayscale or colour (default: from the data)\n"
        "  --background R,G,B        colour under transparent PNG pixels (255,255,255)\n"
        "  --train-size N            images per epoch (default all)\n"
        "  --on-bad-image skip|fail  image files that cannot be decoded: skip them (default),\n"
        "                            with a warning and a count, or stop with an error\n"
        "  --accept-changed-data     resume although the data's files changed since the run\n"
        "                            started (added, removed, replaced): a warning, not an error\n"
        "  --conditional / --no-conditional\n"
        "                            label-conditioned model (default: when the data has labels)\n"
        "model:\n"
        "  --z-dim N (100)  --z-dist uniform_signed|uniform_unsigned|normal01\n"
        "  --gf-dim N (64)  --df-dim N (64)  --gfc-dim N (1024)  --dfc-dim N (1024)\n"
        "  --cond-concat all|input|g-layers|d-layers\n"
        "                            where the conditional model concatenates the label: at every\n"
        "                            layer of G and D (all, the reference's), at their inputs only\n"
        "                            (input), or at the inputs and every layer of G (g-layers) or\n"
        "                            of D (d-layers)\n"
        "departures from the reference (off by default; docs/experiments.md measures them):\n"
        "  --recipe reference        the reference's recipe (the default; no combination of the\n"
        "                            flags below won clearly in docs/experiments.md)\n"
        "  --g-ema DECAY             keep an exponential moving average of G's weights (e.g.\n"
        "                            0.999), saved beside G; sampling, grids and eval use it\n"
        "  --label-smoothing S       one-sided: D's target for real images is 1 - S (e.g. 0.1)\n"
        "  --d-learning-rate X       D's Adam rate (default --learning-rate); --g-learning-rate\n"
        "                            X likewise for G (two time-scale update rule)\n"
        "  --spectral-norm           spectral normalisation of D's weights\n"
        "  --loss bce|hinge          the reference's cross-entropy (bce) or the hinge loss\n"
        "  --d-first-channels N      conditional D's first conv: N channels (the reference's:\n"
        "                            c_dim + y_dim = 11 on MNIST)\n"
        "training:\n"
        "  --epoch N (25)  --batch-size N (64, per rank)  --learning-rate X (0.0002)\n"
        "  --beta1 X (0.5)\n"
        "  --max-steps N             stop after N iterations in all\n"
        "  --seed N (1)              weights, data order and latent vectors\n"
        "  --threads N               compute threads (default: all cores)\n"
        "  --device D                where the model trains: cpu (default), cuda or cuda:N (a\n"
        "                            build with CUDA); checkpoints move between devices\n"
        "  --conv-backend B          CPU convolutions: auto (default: oneDNN where it can),\n"
        "                            onednn or im2col\n"
        "  --precision P             fp32 (default) or bf16: convolutions and linear layers in\n"
        "                            bf16 with fp32 accumulation; the image-end layers, weights,\n"
        "                            batch norm, loss and Adam in fp32 (CPUs with AVX512_BF16,\n"
        "                            oneDNN convolutions)\n"
        "  --loader-threads N        image decoding threads (2)\n"
        "  --no-sync-bn              under mpirun: batch norm over each rank's own batch (default:\n"
        "                            over all ranks' batches, as one process of the global batch)\n"
        "  --grad-bucket-mb X        under mpirun: gradients are averaged in all-reduces of X MB\n"
        "                            (4), each started as the backward pass finishes it; 0: one\n"
        "                            all-reduce after the pass\n"
        "outputs:\n"
        "  --out-dir DIR (./out)  --out-name NAME (default: from the dataset and model settings)\n"
        "  --sample-freq N (200)  --ckpt-freq N (200)  --max-to-keep N (1)\n"
        "  --quiet                   no progress line\n"
        "  --no-tensorboard          no TensorBoard event files (default: OUT_NAME/logs/: losses\n"
        "                            every iteration, the sample grid every --sample-freq)\n"
        "  --hist-freq N (10)        TensorBoard histograms of z, D(x), D(G(z)) every N iterations\n"
        "                            (0: none)\n"
        "  --eval-every N            quality metrics (as 'dcgan eval') every N iterations and at\n"
        "                            the end, to OUT_NAME/metrics.jsonl and TensorBoard; needs the\n"
        "                            data's classifier ('dcgan classifier train')\n"
        "  --eval-samples N (2000)   generated and training images per measurement\n"
        "  --eval-classifier FILE    default OUT_DIR/classifiers/DATASET-HxWxC.safetensors\n"
        "\n"
        "Data-parallel: mpirun -np N dcgan train ... trains on N ranks, each on its own share\n"
        "of every epoch with --batch-size items per step; rank 0 writes the run folder.\n"
        "The reference's --snake_case spellings (--batch_size, ...) are accepted too.\n"
        "\n"
        "examples:\n"
        "  dcgan train --dataset fashion-mnist --epoch 5\n"
        "  dcgan train --dataset faces --crop --input-height 108 --output-height 64\n");
}

static int parse_background(const char *s, uint8_t bg[3])
{
    int r, g, b;
    char tail;
    if (sscanf(s, "%d,%d,%d%c", &r, &g, &b, &tail) != 3 || r < 0 || r > 255 || g < 0 ||
        g > 255 || b < 0 || b > 255)
        return -1;
    bg[0] = (uint8_t)r;
    bg[1] = (uint8_t)g;
    bg[2] = (uint8_t)b;
    return 0;
}

/* The command line that resumes this run: the program as invoked, then the same arguments. */
static void resume_command(char *buf, size_t n, int world, int argc, char **argv)
{
    size_t len = 0;
    buf[0] = 0;
    if (world > 1) len = (size_t)snprintf(buf, n, "mpirun -np %d ", world);
    len = cli_append_quoted(buf, n, len, program_invocation_name);
    for (int i = 0; i < argc && len + 2 < n; i++) { /* argv[0] is "train" */
        buf[len++] = ' ';
        buf[len] = 0;
        len = cli_append_quoted(buf, n, len, argv[i]);
    }
}

/* A usage error's exit status into *code, for apply_option's callers. */
static int usage(int *code, int rc)
{
    *code = rc;
    return 1;
}

static int set_cond_concat(const char *s, train_options *o)
{
    dcgan_cond_concat cc;
    if (dcgan_cond_concat_parse(s, &cc) != 0)
        return cli_usage_error("train", "--cond-concat: bad value '%s' (expected all, input, "
                                        "g-layers or d-layers)", s);
    o->cond_concat = (int)cc;
    return 0;
}

/* The departures from the reference's recipe; 1 (with *code) on a bad value. */
static int apply_departure(int opt, train_options *o, int *code)
{
    const char *C = "train";
    int bad = 0;
    switch (opt) {
    case OPT_RECIPE: break; /* applied before the other flags (cmd_train) */
    case OPT_SPECTRAL_NORM: o->spectral_norm = 1; break;
    case OPT_D_FIRST_CHANNELS:
        bad = cli_parse_int(C, "--d-first-channels", optarg, 1, 65536, &o->d_first_channels);
        break;
    case OPT_G_EMA: bad = cli_parse_float(C, "--g-ema", optarg, 0.0f, 0.999999f, &o->g_ema); break;
    case OPT_LOSS: {
        train_loss l;
        if (train_loss_parse(optarg, &l) != 0)
            return usage(code, cli_usage_error(C, "--loss: bad value '%s' (expected bce or hinge)",
                                               optarg));
        o->loss = (int)l;
        break;
    }
    case OPT_LABEL_SMOOTHING:
        bad = cli_parse_float(C, "--label-smoothing", optarg, 0.0f, 0.5f, &o->label_smoothing);
        break;
    case OPT_D_LR: bad = cli_parse_float(C, "--d-learning-rate", optarg, 0.0f, FLT_MAX, &o->d_learning_rate); break;
    case OPT_G_LR: bad = cli_parse_float(C, "--g-learning-rate", optarg, 0.0f, FLT_MAX, &o->g_learning_rate); break;
    default: break;
    }
    if (bad) *code = EXIT_USAGE;
    return bad;
}

/* --labels-file and --attributes. */
static int set_labels_option(int opt, const char *arg, train_options *o)
{
    if (opt == OPT_LABELS_FILE)
        return cli_copy("train", "--labels-file", arg, o->labels_file, sizeof o->labels_file);
    if (!arg[0]) return cli_usage_error("train", "--attributes: no attribute named");
    return cli_copy("train", "--attributes", arg, o->attributes, sizeof o->attributes);
}

/* Applies one option of the table to o. Returns 0 to go on, or 1 with *code: the command's exit
 * status (after --help, or a usage error already reported). */
/* The flags without a value; 1 if opt is one. */
static int apply_switch(int opt, train_options *o)
{
    switch (opt) {
    case OPT_CROP: o->crop = 1; return 1;
    case OPT_NO_CROP: o->crop = 0; return 1;
    case OPT_COND: o->conditional = 1; return 1;
    case OPT_NO_COND: o->conditional = 0; return 1;
    case OPT_QUIET: o->progress = 0; return 1;
    case OPT_ACCEPT_CHANGED_DATA: o->accept_changed_data = 1; return 1;
    case OPT_NO_TB: o->tensorboard = 0; return 1;
    case OPT_NO_SYNC_BN: o->sync_bn = 0; return 1;
    case OPT_TRAIN_FLAG: return 1; /* the reference's --train; training is this command */
    default: return 0;
    }
}

static int apply_option(int opt, const char *flag, train_options *o, int *code)
{
    if (opt >= OPT_SPECTRAL_NORM && opt <= OPT_RECIPE) return apply_departure(opt, o, code);
    if (apply_switch(opt, o)) return 0;
    if (opt == OPT_OUTPUT_H || opt == OPT_OUTPUT_W) o->output_given = 1; /* IDX data refuses it */
    const char *C = "train";
    int bad = 0;
    switch (opt) {
    case OPT_DATASET: bad = cli_copy(C, "--dataset", optarg, o->dataset, sizeof o->dataset); break;
    case OPT_DATA_DIR: bad = cli_copy(C, "--data-dir", optarg, o->data_dir, sizeof o->data_dir); break;
    case OPT_PATTERN:
        bad = cli_copy(C, "--input-fname-pattern", optarg, o->input_fname_pattern,
                       sizeof o->input_fname_pattern);
        break;
    case OPT_LABELS_FILE: case OPT_ATTRIBUTES: bad = set_labels_option(opt, optarg, o); break;
    case OPT_EPOCH: bad = cli_parse_long(C, "--epoch", optarg, 1, 1000000000L, &o->epochs); break;
    case OPT_TRAIN_SIZE:
        if (strcmp(optarg, "inf") == 0) o->train_size = 0;
        else bad = cli_parse_long(C, "--train-size", optarg, 1, 2000000000L, &o->train_size);
        break;
    case OPT_BATCH_SIZE: bad = cli_parse_int(C, "--batch-size", optarg, 1, 65536, &o->batch_size); break;
    case OPT_LR: bad = cli_parse_float(C, "--learning-rate", optarg, 0.0f, FLT_MAX, &o->learning_rate); break;
    case OPT_BETA1: bad = cli_parse_float(C, "--beta1", optarg, 0.0f, 0.999999f, &o->beta1); break;
    case OPT_INPUT_H: bad = cli_parse_int(C, "--input-height", optarg, 1, 65536, &o->input_h); break;
    case OPT_INPUT_W: bad = cli_parse_int(C, "--input-width", optarg, 1, 65536, &o->input_w); break;
    case OPT_OUTPUT_H: bad = cli_parse_int(C, "--output-height", optarg, 1, 8192, &o->output_h); break;
    case OPT_OUTPUT_W: bad = cli_parse_int(C, "--output-width", optarg, 1, 8192, &o->output_w); break;
    case OPT_Z_DIM: bad = cli_parse_int(C, "--z-dim", optarg, 1, 100000, &o->z_dim); break;
    case OPT_Z_DIST:
        if (z_dist_parse(optarg, &o->zdist) != 0)
            return usage(code, cli_usage_error(C, "--z-dist: bad value '%s' (expected "
                                                  "uniform_signed, uniform_unsigned or normal01)",
                                               optarg));
        break;
    case OPT_GF_DIM: bad = cli_parse_int(C, "--gf-dim", optarg, 1, 4096, &o->gf_dim); break;
    case OPT_DF_DIM: bad = cli_parse_int(C, "--df-dim", optarg, 1, 4096, &o->df_dim); break;
    case OPT_GFC_DIM: bad = cli_parse_int(C, "--gfc-dim", optarg, 1, 65536, &o->gfc_dim); break;
    case OPT_DFC_DIM: bad = cli_parse_int(C, "--dfc-dim", optarg, 1, 65536, &o->dfc_dim); break;
    case OPT_COND_CONCAT:
        if (set_cond_concat(optarg, o) != 0) return usage(code, EXIT_USAGE);
        break;
    case OPT_C_DIM:
        if (strcmp(optarg, "1") == 0) o->c_dim = 1;
        else if (strcmp(optarg, "3") == 0) o->c_dim = 3;
        else return usage(code, cli_usage_error(C, "--c-dim: bad value '%s' (expected 1 or 3)", optarg));
        break;
    case OPT_OUT_DIR: bad = cli_copy(C, "--out-dir", optarg, o->out_dir, sizeof o->out_dir); break;
    case OPT_OUT_NAME:
        bad = cli_copy(C, "--out-name", optarg, o->out_name, sizeof o->out_name);
        if (!bad && (strchr(optarg, '/') || !optarg[0] || strcmp(optarg, ".") == 0 ||
                     strcmp(optarg, "..") == 0))
            return usage(code, cli_usage_error(C, "--out-name: bad value '%s' (a folder name, no '/')", optarg));
        break;
    case OPT_SAMPLE_FREQ: bad = cli_parse_long(C, "--sample-freq", optarg, 0, 2000000000L, &o->sample_freq); break;
    case OPT_CKPT_FREQ: bad = cli_parse_long(C, "--ckpt-freq", optarg, 0, 2000000000L, &o->ckpt_freq); break;
    case OPT_MAX_TO_KEEP: bad = cli_parse_int(C, "--max-to-keep", optarg, 1, 4096, &o->max_to_keep); break;
    case OPT_MAX_STEPS: bad = cli_parse_long(C, "--max-steps", optarg, 1, 2000000000L, &o->max_steps); break;
    case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &o->seed); break;
    case OPT_THREADS: bad = cli_parse_int(C, "--threads", optarg, 1, 1024, &o->threads); break;
    case OPT_DEVICE: bad = cli_parse_device(C, optarg, o->device, sizeof o->device); break;
    case OPT_CONV: {
        conv_backend b = CONV_BACKEND_AUTO;
        bad = cli_parse_conv_backend(C, optarg, &b);
        o->conv_backend = (int)b;
        break;
    }
    case OPT_PRECISION: {
        ops_precision pr = OPS_PRECISION_FP32;
        bad = cli_parse_precision(C, optarg, &pr);
        o->precision = (int)pr;
        break;
    }
    case OPT_LOADER_THREADS: bad = cli_parse_int(C, "--loader-threads", optarg, 0, 64, &o->loader_threads); break;
    case OPT_BACKGROUND:
        if (parse_background(optarg, o->background) != 0)
            return usage(code, cli_usage_error(C, "--background: bad value '%s' (expected R,G,B with 0..255)", optarg));
        break;
    case OPT_ON_BAD_IMAGE:
        if (strcmp(optarg, "skip") == 0) o->skip_bad_images = 1;
        else if (strcmp(optarg, "fail") == 0) o->skip_bad_images = 0;
        else return usage(code, cli_usage_error(C, "--on-bad-image: bad value '%s' (expected skip or fail)", optarg));
        break;
    case OPT_HIST_FREQ: bad = cli_parse_long(C, "--hist-freq", optarg, 0, 2000000000L, &o->hist_freq); break;
    case OPT_EVAL_EVERY: bad = cli_parse_long(C, "--eval-every", optarg, 0, 2000000000L, &o->eval_every); break;
    case OPT_EVAL_SAMPLES: bad = cli_parse_long(C, "--eval-samples", optarg, 100, 1000000, &o->eval_samples); break;
    case OPT_EVAL_CLASSIFIER: bad = cli_copy(C, "--eval-classifier", optarg, o->eval_classifier, sizeof o->eval_classifier); break;
    case OPT_GRAD_BUCKET: {
        float mb = 0;
        bad = cli_parse_float(C, "--grad-bucket-mb", optarg, 0.0f, 4096.0f, &mb);
        o->grad_bucket_mb = mb;
        break;
    }
    case 'h':
    case OPT_HELP:
        train_help();
        *code = 0;
        return 1;
    case ':': return usage(code, cli_usage_error(C, "%s needs a value", flag));
    default: return usage(code, option_error_report(C, flag, train_options_table));
    }
    *code = EXIT_USAGE;
    return bad != 0;
}

static void format_duration(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0) s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
}

/* The progress line on stderr: epoch and batch count from 0, as log.csv's columns and the
 * reference's progress line (the iteration counts from 1). Redrawn in place on a terminal (at most every half second),
 * a line every 10 s otherwise; always after the last iteration and a sample grid. On a
 * terminal the line is ended after a sample grid or a checkpoint, so that it stays. */
typedef struct {
    int tty;
    double last_print; /* elapsed seconds at the last line */
    long reports;      /* iterations reported */
} progress_line;

static void progress_print(const train_progress *p, void *ctx)
{
    progress_line *pl = ctx;
    double el = p->elapsed;
    pl->reports++;
    if (!(el - pl->last_print >= (pl->tty ? 0.5 : 10.0) || p->iteration == p->total || p->sampled))
        return;
    pl->last_print = el;
    double rate = (double)(p->iteration - p->start_iteration) / (el > 1e-9 ? el : 1e-9);
    char eta[32];
    format_duration(eta, sizeof eta, (p->total - p->iteration) / (rate > 0 ? rate : 1e-9));
    fprintf(stderr,
            "%s[%ld/%ld] epoch %ld batch %ld/%ld  %.1f img/s  ETA %s  d_loss %.4f "
            "g_loss %.4f  D(x) %.3f D(G(z)) %.3f%s",
            pl->tty ? "\r\033[K" : "", p->iteration, p->total, p->epoch, p->batch,
            p->per_epoch, rate * p->batch_size, eta, p->d_loss, p->g_loss, p->d_real, p->d_fake,
            pl->tty ? "" : "\n");
    if (pl->tty && (p->sampled || p->saved || p->iteration == p->total)) fputc('\n', stderr);
}

/* Settings that can never make a model are usage errors; whether the data is labelled (and so
 * which model) is known only once it is read. */
static int check_model_settings(const train_options *o, dc_err *e)
{
    if (o->attributes[0] && !o->labels_file[0])
        return dc_fail(e, "--attributes: picks columns of a --labels-file; give one");
    if (o->cond_concat >= 0 && o->conditional == 0)
        return dc_fail(e, "--cond-concat: only the conditional model takes a label (drop "
                          "--no-conditional or --cond-concat)");
    if (o->loss == TRAIN_LOSS_HINGE && o->label_smoothing > 0)
        return dc_fail(e, "--label-smoothing: the hinge loss has no target to smooth (drop "
                          "--label-smoothing or --loss hinge)");
    /* the sizes the flags fix (the data decides channels and classes later) */
    dcgan_config mc =
        train_options_model_config(o, o->output_h, o->output_w > 0 ? o->output_w : o->output_h,
                                   3, o->conditional == 0 ? 0 : 1);
    if (dcgan_config_validate(&mc, e) != 0) return -1;
    /* the sizes, where the flags decide the model (else the data does, when it is built) */
    return o->conditional >= 0 ? dcgan_config_check_sizes(&mc, e) : 0;
}

const struct option *cmd_train_options(void)
{
    return train_options_table;
}

static int train_main(int argc, char **argv)
{
    const char *C = "train";
    train_options o;
    train_options_default(&o);
    optind = 1;
    opterr = 0;
    int opt, idx, code;
    /* --recipe first, wherever it stands: the flags that change its parts apply after it */
    while ((opt = getopt_long(argc, argv, ":h", train_options_table, &idx)) != -1)
        if (opt == OPT_RECIPE && train_options_apply_recipe(&o, optarg) != 0)
            return cli_usage_error(C, "--recipe: bad value '%s' (expected reference)",
                                   optarg);
    optind = 0; /* glibc: start the scan again from scratch */
    while ((opt = getopt_long(argc, argv, ":h", train_options_table, &idx)) != -1) {
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        if (apply_option(opt, argv[optind - 1], &o, &code)) return code;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    dc_err e;
    if (check_model_settings(&o, &e) != 0) return cli_usage_error(C, "%s", e.msg);
    ops_options oo = {o.device[0] ? o.device : "cpu", (conv_backend)o.conv_backend,
                      (ops_precision)o.precision};
    if (ops_precision_check(&oo, &e) != 0) return cli_usage_error(C, "%s", e.msg);
    /* SIGINT/SIGTERM: finish the iteration, checkpoint, say how to resume; taken by a thread
     * of their own, so before any other thread starts (MPI's too). SIGXFSZ ignored: a
     * file-size limit then fails the write (EFBIG) like a full disk, reported and survived,
     * instead of killing the process. */
    if (interrupt_install("dcgan: stopping after this iteration to write a checkpoint (send the "
                          "signal again to stop at once)\n") == 0)
        o.stop = interrupt_flag();
    signal(SIGXFSZ, SIG_IGN);
    dist *d = dist_open(NULL, NULL, &e);
    if (!d) {
        log_error("%s", e.msg);
        return 1;
    }
    int rank = dist_rank(d), world = dist_world(d);
    o.dist = d;
    if (rank > 0) { /* rank 0 speaks for the run */
        o.progress = 0;
        if (log_get_level() > LOG_LEVEL_WARN) log_set_level(LOG_LEVEL_WARN);
    }
    progress_line pl = {isatty(2), 0, 0};
    int rc = train_run_progress(&o, o.progress ? progress_print : NULL, &pl, &e);
    if (rc == TRAIN_RUN_STOPPED) {
        if (pl.tty && pl.reports > 0) fputc('\n', stderr); /* end the progress line */
        char cmd[8192];
        resume_command(cmd, sizeof cmd, world, argc, argv);
        if (rank == 0) log_warn("%s; resume with: %s", e.msg, cmd);
        /* every rank waits until rank 0 has written the checkpoint and said so: mpirun ends
         * the others as soon as one exits with a signal's status */
        (void)dist_any(d, 0);
        dist_close(d);
        return 128 + (o.stop && *o.stop ? *o.stop : SIGTERM); /* the ranks agreed on another's signal */
    }
    if (rc == TRAIN_RUN_USAGE) { /* every rank reads the same data: all stop here */
        if (rank == 0) cli_usage_error(C, "%s", e.msg);
        dist_close(d);
        return EXIT_USAGE;
    }
    if (rc == TRAIN_RUN_FAILED_ALL) { /* every rank stops here; rank 0 says why */
        if (rank == 0) log_error("%s", e.msg);
        dist_close(d);
        return 1;
    }
    if (rc != 0) {
        if (world == 1) {
            log_error("%s", e.msg);
            dist_close(d);
            return 1;
        }
        /* this rank alone: the others may be waiting for it in a collective, end them all */
        log_error("rank %d of %d: %s", rank, world, e.msg);
        fflush(stderr);
        dist_abort(d, 1);
    }
    dist_close(d);
    return 0;
}

/* The reference's spellings (--crop=True, --nocrop, --checkpoint_dir) first: they become ours. */
int cmd_train(int argc, char **argv)
{
    cli_argv a;
    int rc = reference_args_rewrite("train", argc, argv, train_options_table, &a);
    if (rc != 0) return rc;
    rc = train_main(a.argc, a.argv);
    cli_argv_free(&a);
    return rc;
}
