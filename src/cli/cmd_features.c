/* dcgan features: the paper's Table 1 protocol (Radford et al. 2015, section 5.1): how well a
 * linear SVM classifies the test split from a discriminator's features, against raw pixels
 * and a randomly initialised D (eval/features.h, eval/protocol.h). */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/threads.h"
#include "data/cifar.h"
#include "data/dataset.h"
#include "eval/d_model.h"
#include "eval/features.h"
#include "eval/protocol.h"

#define FASHION_MNIST_SYSTEM_DIR "/usr/share/datasets/fashion-mnist"
#define FEAT_PATH_MAX 4096

enum { ROW_TRAINED, ROW_PIXELS, ROW_RANDOM, N_ROWS };
static const char *const row_names[N_ROWS] = {"trained D", "raw pixels", "random D"};
static const char *const row_keys[N_ROWS] = {"trained", "pixels", "random"};

enum { OPT_RUN = 1000, OPT_CKPT, OPT_RANDOM_D, OPT_DF_DIM, OPT_DATASET, OPT_DATA_DIR, OPT_LPC,
       OPT_DRAWS, OPT_MAX_TRAIN, OPT_C_GRID, OPT_SOLVER, OPT_ROWS, OPT_SEED, OPT_THREADS,
       OPT_JSON, OPT_QUIET, OPT_DEVICE, OPT_HELP };

static const struct option features_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"random-d", no_argument, 0, OPT_RANDOM_D},
    {"df-dim", required_argument, 0, OPT_DF_DIM},
    {"dataset", required_argument, 0, OPT_DATASET},
    {"data-dir", required_argument, 0, OPT_DATA_DIR},
    {"labels-per-class", required_argument, 0, OPT_LPC},
    {"draws", required_argument, 0, OPT_DRAWS},
    {"max-train", required_argument, 0, OPT_MAX_TRAIN},
    {"c-grid", required_argument, 0, OPT_C_GRID},
    {"solver", required_argument, 0, OPT_SOLVER},
    {"rows", required_argument, 0, OPT_ROWS},
    {"seed", required_argument, 0, OPT_SEED},
    {"threads", required_argument, 0, OPT_THREADS},
    {"json", no_argument, 0, OPT_JSON},
    {"quiet", no_argument, 0, OPT_QUIET},
    {"device", required_argument, 0, OPT_DEVICE},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void features_help(void)
{
    printf(
        "usage: dcgan features (--run DIR | --checkpoint FILE | --random-d) --dataset NAME\n"
        "                      [options]\n"
        "\n"
        "The paper's Table 1 protocol: every convolution output of D (after batch norm and\n"
        "leaky ReLU) max-pooled to 4x4 per layer (a map already smaller is kept as it is),\n"
        "concatenated, standardised, and a linear L2-SVM (liblinear, squared hinge) trained on\n"
        "the training split with C chosen on a validation share of it, scored on the test\n"
        "split: with every label, and with N labels per class (mean and standard deviation\n"
        "over draws). Rows: D of the run (unconditional models: a conditional D needs a\n"
        "label), raw pixels, and a randomly initialised D of the same shape.\n"
        "\n"
        "  --run DIR              D of the run's newest checkpoint\n"
        "  --checkpoint FILE      D of a training checkpoint\n"
        "  --random-d             no trained D: the raw-pixels and random-D rows only\n"
        "  --df-dim N             --random-d: D's width (64); the image shape is the data's\n"
        "  --dataset NAME|PATH    DATA_DIR/NAME or a folder: MNIST-format IDX files (the train\n"
        "                         and t10k splits; fashion-mnist falls back to\n"
        "                         " FASHION_MNIST_SYSTEM_DIR ") or CIFAR-10's binary\n"
        "                         batches (data_batch_1..5.bin, test_batch.bin)\n"
        "  --data-dir DIR         default ./data\n"
        "  --labels-per-class N   the few-label column (100)\n"
        "  --draws N              random draws of it (10; 0: no few-label column)\n"
        "  --max-train N          all-labels column: a random N of the training items\n"
        "                         (default all; liblinear holds ~16 bytes a feature value:\n"
        "                         60000 x 9216 features take ~9 GB)\n"
        "  --c-grid LIST          SVM C values tried, ascending, until validation accuracy\n"
        "                         falls (1e-5,1e-4,1e-3,1e-2,0.1,1)\n"
        "  --solver dual|primal   liblinear's solver (dual coordinate descent)\n"
        "  --rows LIST            some of trained,pixels,random (default: all that apply)\n"
        "  --seed N               random D's weights, the draws, validation splits (1)\n"
        "  --threads N            compute threads for D (default: all cores)\n"
        "  --json                 the results as JSON on stdout instead of the table\n"
        "  --quiet                no progress lines\n"
        "  --device D             where D runs: cpu (default), cuda or cuda:N\n"
        "\n"
        "examples:\n"
        "  dcgan features --run out/RUN --dataset fashion-mnist\n"
        "  dcgan features --random-d --dataset fashion-mnist\n");
}

typedef struct {
    const char *run, *ckpt, *dataset, *data_dir;
    int random_d, df_dim, json, quiet, threads;
    int rows[N_ROWS], rows_given;
    char device[CLI_DEVICE_SIZE];
    protocol_options proto;
} features_args;

static int parse_c_grid(const char *C, const char *s, svm_options *o)
{
    char buf[1024];
    if (cli_copy(C, "--c-grid", s, buf, sizeof buf)) return -1;
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        float v;
        if (n == SVM_MAX_GRID) {
            cli_usage_error(C, "--c-grid: at most %d values", SVM_MAX_GRID);
            return -1;
        }
        if (cli_parse_float(C, "--c-grid", t, 1e-9f, 1e9f, &v)) return -1;
        if (n > 0 && !(v > o->c_grid[n - 1])) {
            cli_usage_error(C, "--c-grid: values must ascend ('%s' after %g)", t, o->c_grid[n - 1]);
            return -1;
        }
        o->c_grid[n++] = v;
    }
    if (n == 0) {
        cli_usage_error(C, "--c-grid: no value given");
        return -1;
    }
    o->n_grid = n;
    return 0;
}

static int parse_rows(const char *C, const char *s, int *rows)
{
    char buf[256];
    if (cli_copy(C, "--rows", s, buf, sizeof buf)) return -1;
    memset(rows, 0, sizeof(int) * N_ROWS);
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save), n++) {
        int k = 0;
        while (k < N_ROWS && strcmp(t, row_keys[k]) != 0) k++;
        if (k == N_ROWS) {
            cli_usage_error(C, "--rows: bad value '%s' (expected trained, pixels or random)", t);
            return -1;
        }
        rows[k] = 1;
    }
    if (n == 0) {
        cli_usage_error(C, "--rows: no row given");
        return -1;
    }
    return 0;
}

/* One option into a; *code: the exit code when it returns 1. */
static int apply_option(int opt, const char *flag, features_args *a, int *code)
{
    const char *C = "features";
    protocol_options *p = &a->proto;
    int bad = 0;
    *code = EXIT_USAGE;
    switch (opt) {
    case OPT_RUN: a->run = optarg; break;
    case OPT_CKPT: a->ckpt = optarg; break;
    case OPT_RANDOM_D: a->random_d = 1; break;
    case OPT_DF_DIM: bad = cli_parse_int(C, "--df-dim", optarg, 1, 4096, &a->df_dim); break;
    case OPT_DATASET: a->dataset = optarg; break;
    case OPT_DATA_DIR: a->data_dir = optarg; break;
    case OPT_LPC: bad = cli_parse_int(C, "--labels-per-class", optarg, 1, 1000000, &p->labels_per_class); break;
    case OPT_DRAWS: bad = cli_parse_int(C, "--draws", optarg, 0, PROTOCOL_MAX_DRAWS, &p->draws); break;
    case OPT_MAX_TRAIN: bad = cli_parse_int(C, "--max-train", optarg, 2, 100000000, &p->max_train); break;
    case OPT_C_GRID: bad = parse_c_grid(C, optarg, &p->svm); break;
    case OPT_SOLVER:
        if (strcmp(optarg, "dual") == 0) p->svm.solver = SVM_SOLVER_DUAL;
        else if (strcmp(optarg, "primal") == 0) p->svm.solver = SVM_SOLVER_PRIMAL;
        else bad = cli_usage_error(C, "--solver: bad value '%s' (expected dual or primal)", optarg);
        break;
    case OPT_ROWS: bad = parse_rows(C, optarg, a->rows); a->rows_given = 1; break;
    case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &p->seed); break;
    case OPT_THREADS: bad = cli_parse_int(C, "--threads", optarg, 1, 1024, &a->threads); break;
    case OPT_JSON: a->json = 1; break;
    case OPT_QUIET: a->quiet = 1; break;
    case OPT_DEVICE: bad = cli_parse_device(C, optarg, a->device, sizeof a->device); break;
    case 'h':
    case OPT_HELP: features_help(); *code = 0; return 1;
    case ':': cli_usage_error(C, "%s needs a value", flag); return 1;
    default: option_error_report(C, flag, features_options_table); return 1;
    }
    return bad ? 1 : 0;
}

/* ------------------------------------------------------------------------------ progress */

typedef struct {
    int quiet, tty;
    const char *row;
    double t0, last;    /* this stage's start, the last line */
    int offset, total;  /* feature extraction: items before this split, of all */
    double svm_t0;
    int few;            /* in the few-label draws: no line per fit */
    int per_class, draws;
} progress;

static void fmt_duration(char *buf, size_t n, double s)
{
    long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;
    if (t >= 3600) snprintf(buf, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
}

/* a line redrawn in place on a terminal (at most every half second), else every 10 s */
static void on_features(void *ctx, int done, int total)
{
    progress *p = ctx;
    (void)total;
    if (p->quiet) return;
    double now = clock_seconds(), el = now - p->t0;
    int all = p->offset + done;
    if (all < p->total && now - p->last < (p->tty ? 0.5 : 10.0)) return;
    p->last = now;
    double rate = el > 1e-9 ? all / el : 0;
    char eta[32];
    fmt_duration(eta, sizeof eta, rate > 0 ? (p->total - all) / rate : 0);
    fprintf(stderr, "%sfeatures (%s): %d/%d images  %.0f img/s  ETA %s%s",
            p->tty ? "\r\033[K" : "", p->row, all, p->total, rate, eta,
            p->tty && all < p->total ? "" : "\n");
}

static void on_stage(void *ctx, const char *stage, int rows)
{
    progress *p = ctx;
    p->svm_t0 = clock_seconds();
    p->few = strcmp(stage, "all") != 0;
    if (p->quiet) return;
    if (strcmp(stage, "all") == 0)
        fprintf(stderr, "svm (%s): all labels, %d training items\n", p->row, rows);
    else
        fprintf(stderr, "svm (%s): %d draws of %d labels per class (%d training items)\n",
                p->row, p->draws, p->per_class, rows);
}

static void on_fit(void *ctx, const svm_fit_report *r)
{
    progress *p = ctx;
    if (p->quiet || p->few) return;
    if (r->index < 0)
        fprintf(stderr, "  C=%g on every training item: %.1f s\n", r->c, r->seconds);
    else
        fprintf(stderr, "  C=%g (%d/%d of the grid): validation %.2f%%  %.1f s\n", r->c,
                r->index + 1, r->n_grid, 100 * r->val_accuracy, r->seconds);
}

static void on_draw(void *ctx, int draw, int draws, double acc, double c)
{
    progress *p = ctx;
    if (p->quiet) return;
    double el = clock_seconds() - p->svm_t0;
    char eta[32];
    fmt_duration(eta, sizeof eta, el / draw * (draws - draw));
    fprintf(stderr, "  draw %d/%d: test %.2f%% (C=%g)  %.1f draws/min  ETA %s\n", draw, draws,
            100 * acc, c, 60.0 * draw / (el > 1e-9 ? el : 1e-9), eta);
}

/* ---------------------------------------------------------------------------------- data */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_file(const char *dir, const char *name)
{
    char p[FEAT_PATH_MAX];
    struct stat st;
    return dc_path(NULL, p, sizeof p, "%s/%s", dir, name) == 0 && stat(p, &st) == 0;
}

static int has_idx(const char *dir)
{
    return has_file(dir, "train-images-idx3-ubyte") || has_file(dir, "train-images-idx3-ubyte.gz");
}

/* DATA_DIR/NAME, else NAME as a path, else the well-known places; the train and test splits. */
static int open_data(const char *data_dir, const char *name, dataset *train, dataset *test,
                     char *src, size_t n, dc_err *e)
{
    if (dc_path(e, src, n, "%s/%s", data_dir, name)) return -1;
    if (!is_dir(src) && is_dir(name)) snprintf(src, n, "%s", name);
    if (!is_dir(src) && strcmp(name, "fashion-mnist") == 0 && has_idx(FASHION_MNIST_SYSTEM_DIR))
        snprintf(src, n, "%s", FASHION_MNIST_SYSTEM_DIR);
    if (!is_dir(src) && (strcmp(name, "cifar-10") == 0 || strcmp(name, "cifar10") == 0) &&
        dc_path(NULL, src, n, "%s/cifar-10-batches-bin", data_dir) == 0 && !is_dir(src))
        dc_path(NULL, src, n, "%s/%s", data_dir, name);
    if (!is_dir(src)) return dc_fail(e, "%s: no such folder (check --data-dir and --dataset)", src);
    if (has_idx(src)) {
        if (dataset_load_idx_parts(train, src, DATASET_IDX_TRAIN, 0, e)) return -1;
        if (dataset_load_idx_parts(test, src, DATASET_IDX_TEST, 0, e) == 0) return 0;
    } else if (cifar_dir_has_batches(src)) {
        if (dataset_load_cifar(train, src, DATASET_IDX_TRAIN, e)) return -1;
        if (dataset_load_cifar(test, src, DATASET_IDX_TEST, e) == 0) return 0;
    } else {
        return dc_fail(e, "%s: neither MNIST-format IDX files (train-images-idx3-ubyte[.gz]) "
                       "nor CIFAR-10 binary batches (data_batch_1.bin)", src);
    }
    dataset_free(train);
    return -1;
}

/* ------------------------------------------------------------------------------- results */

typedef struct {
    int done;
    size_t dim;
    protocol_result r;
    double feature_seconds, svm_seconds;
} row_result;

/* Features of both splits from D (model freed here, before the SVM needs the memory). */
static int d_features(dcgan_model *m, const dataset *train, const dataset *test, progress *pg,
                      float **Xtr, float **Xte, size_t *dim, dc_err *e)
{
    features_plan plan;
    int rc = features_plan_make(&m->D, &plan, e);
    if (rc == 0) {
        *dim = plan.dim;
        *Xtr = malloc(sizeof(float) * plan.dim * (size_t)train->count);
        *Xte = malloc(sizeof(float) * plan.dim * (size_t)test->count);
        if (!*Xtr || !*Xte)
            rc = dc_fail(e, "out of memory for %d x %zu features", train->count + test->count,
                         plan.dim);
    }
    pg->t0 = pg->last = clock_seconds();
    pg->offset = 0;
    pg->total = train->count + test->count;
    if (rc == 0) rc = features_extract(m, &plan, train, *Xtr, on_features, pg, e);
    pg->offset = train->count;
    if (rc == 0) rc = features_extract(m, &plan, test, *Xte, on_features, pg, e);
    dcgan_model_free(m);
    if (rc != 0) {
        free(*Xtr);
        free(*Xte);
        *Xtr = *Xte = NULL;
    }
    return rc;
}

/* One row of the table: its features, then the protocol on them. models[row] is consumed. */
static int run_row(int row, dcgan_model *m, const dataset *train, const dataset *test,
                   const features_args *a, row_result *out, dc_err *e)
{
    progress pg = {a->quiet, isatty(2), row_names[row], 0, 0, 0, 0, 0, 0,
                   a->proto.labels_per_class, a->proto.draws};
    float *Xtr = NULL, *Xte = NULL;
    const float *tr = train->images, *te = test->images;
    size_t dim = (size_t)train->C * train->H * train->W;
    double t0 = clock_seconds();
    if (m) {
        if (d_features(m, train, test, &pg, &Xtr, &Xte, &dim, e)) return -1;
        tr = Xtr;
        te = Xte;
    }
    out->feature_seconds = clock_seconds() - t0;
    out->dim = dim;
    protocol_options po = a->proto;
    po.on_stage = on_stage;
    po.on_draw = on_draw;
    po.ctx = &pg;
    po.svm.on_fit = on_fit;
    po.svm.ctx = &pg;
    t0 = clock_seconds();
    int rc = protocol_run(tr, train->labels, train->count, te, test->labels, test->count,
                          (int)dim, train->num_classes, &po, &out->r, e);
    out->svm_seconds = clock_seconds() - t0;
    out->done = rc == 0;
    free(Xtr);
    free(Xte);
    return rc;
}

static void print_table(const row_result *res, const features_args *a, const char *src,
                        const dataset *train, const dataset *test)
{
    const protocol_options *p = &a->proto;
    printf("%s: %d training, %d test items; linear L2-SVM on standardised features\n", src,
           train->count, test->count);
    char all_h[64], few_h[64];
    snprintf(all_h, sizeof all_h, "all labels (%d)",
             p->max_train > 0 && p->max_train < train->count ? p->max_train : train->count);
    snprintf(few_h, sizeof few_h, "%d per class (%d draws)", p->labels_per_class, p->draws);
    printf("%-12s %6s  %-18s %-24s %s\n", "features", "dim", all_h, p->draws ? few_h : "",
           p->draws ? "C: all / few (mode)" : "C");
    for (int k = 0; k < N_ROWS; k++) {
        const row_result *r = &res[k];
        if (!r->done) continue;
        char all[32], few[64] = "", cs[64];
        snprintf(all, sizeof all, "%.2f%%", 100 * r->r.all_accuracy);
        if (r->r.draws) {
            snprintf(few, sizeof few, "%.2f%% +- %.2f", 100 * r->r.few_mean, 100 * r->r.few_std);
            snprintf(cs, sizeof cs, "%g / %g", r->r.all_c, r->r.few_c_mode);
        } else {
            snprintf(cs, sizeof cs, "%g", r->r.all_c);
        }
        printf("%-12s %6zu  %-18s %-24s %s\n", row_names[k], r->dim, all, few, cs);
    }
}

static void print_json(const row_result *res, const features_args *a, const char *src,
                       const dataset *train, const dataset *test, const char *ckpt_path)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "dataset", src);
    if (ckpt_path[0]) cJSON_AddStringToObject(root, "checkpoint", ckpt_path);
    cJSON_AddNumberToObject(root, "train_items", train->count);
    cJSON_AddNumberToObject(root, "test_items", test->count);
    cJSON_AddNumberToObject(root, "labels_per_class", a->proto.labels_per_class);
    cJSON_AddNumberToObject(root, "draws", a->proto.draws);
    cJSON_AddNumberToObject(root, "seed", (double)a->proto.seed);
    cJSON *rows = cJSON_AddArrayToObject(root, "rows");
    for (int k = 0; k < N_ROWS; k++) {
        const row_result *r = &res[k];
        if (!r->done) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "features", row_keys[k]);
        cJSON_AddNumberToObject(o, "dim", (double)r->dim);
        cJSON_AddNumberToObject(o, "all_accuracy", r->r.all_accuracy);
        cJSON_AddNumberToObject(o, "all_c", r->r.all_c);
        cJSON_AddNumberToObject(o, "all_train_items", r->r.all_rows);
        if (r->r.draws) {
            cJSON_AddNumberToObject(o, "few_mean", r->r.few_mean);
            cJSON_AddNumberToObject(o, "few_std", r->r.few_std);
            cJSON_AddItemToObject(o, "few_accuracy",
                                  cJSON_CreateDoubleArray(r->r.few_accuracy, r->r.draws));
            cJSON_AddItemToObject(o, "few_c", cJSON_CreateDoubleArray(r->r.few_c, r->r.draws));
        }
        cJSON_AddNumberToObject(o, "feature_seconds", r->feature_seconds);
        cJSON_AddNumberToObject(o, "svm_seconds", r->svm_seconds);
        cJSON_AddItemToArray(rows, o);
    }
    char *text = cJSON_PrintUnformatted(root);
    if (text) printf("%s\n", text);
    free(text);
    cJSON_Delete(root);
}

/* ---------------------------------------------------------------------------------- main */

/* Checks the flags that need no file; 0 or the usage error's exit code. */
static int check_args(features_args *a)
{
    const char *C = "features";
    if ((a->run != NULL) + (a->ckpt != NULL) + a->random_d != 1)
        return cli_usage_error(C, "give exactly one of --run DIR, --checkpoint FILE and --random-d");
    if (!a->dataset) return cli_usage_error(C, "--dataset is required (e.g. fashion-mnist)");
    if (a->df_dim && !a->random_d)
        return cli_usage_error(C, "--df-dim is for --random-d (a trained D has its own width)");
    if (!a->rows_given)
        for (int k = 0; k < N_ROWS; k++) a->rows[k] = 1;
    if (a->random_d) {
        if (a->rows_given && a->rows[ROW_TRAINED])
            return cli_usage_error(C, "--rows trained needs --run or --checkpoint");
        a->rows[ROW_TRAINED] = 0;
    }
    return 0;
}

/* The trained D, before the data is read (its errors need no data); the exit code on failure. */
static int open_trained(const features_args *a, dcgan_model *m, char *ckpt_path, size_t n)
{
    dc_err e;
    int rc = d_model_open(m, a->run, a->ckpt, a->device, ckpt_path, n, &e);
    if (rc == D_MODEL_UNUSABLE) return cli_usage_error("features", "%s", e.msg);
    if (rc) log_error("%s", e.msg);
    return rc ? 1 : 0;
}

/* The random D: the trained D's shape, or (--random-d) the data's with --df-dim. trained may
 * be NULL. The exit code on failure. */
static int open_random(const features_args *a, const dataset *train, const dcgan_model *trained,
                       const char *ckpt_path, dcgan_model *m, int *open)
{
    const char *C = "features";
    dc_err e;
    dcgan_config cfg = dcgan_config_default();
    if (trained) {
        cfg = trained->cfg;
        if (cfg.c_dim != train->C || cfg.output_h != train->H || cfg.output_w != train->W)
            return cli_usage_error(C, "--dataset %s: images are %dx%dx%d (HxWxC), but the model "
                                   "of %s takes %dx%dx%d", a->dataset, train->H, train->W,
                                   train->C, ckpt_path, cfg.output_h, cfg.output_w, cfg.c_dim);
    } else {
        cfg.df_dim = a->df_dim ? a->df_dim : cfg.df_dim;
        cfg.c_dim = train->C;
        cfg.output_h = train->H;
        cfg.output_w = train->W;
        snprintf(cfg.device, sizeof cfg.device, "%s", a->device);
        if (dcgan_config_validate(&cfg, &e))
            return cli_usage_error(C, "--random-d on %dx%dx%d images: %s", train->H, train->W,
                                   train->C, e.msg);
    }
    if (!a->rows[ROW_RANDOM]) return 0;
    if (d_model_random(m, &cfg, a->proto.seed, &e)) {
        log_error("%s", e.msg);
        return 1;
    }
    *open = 1;
    return 0;
}

int cmd_features(int argc, char **argv)
{
    features_args a;
    memset(&a, 0, sizeof a);
    a.data_dir = "./data";
    snprintf(a.device, sizeof a.device, "cpu");
    a.proto = protocol_options_default();
    optind = 1;
    opterr = 0;
    int opt, idx, code;
    while ((opt = getopt_long(argc, argv, ":h", features_options_table, &idx)) != -1) {
        if (cli_empty_value("features", argv)) return EXIT_USAGE;
        if (apply_option(opt, argv[optind - 1], &a, &code)) return code;
    }
    if (optind < argc) return cli_usage_error("features", "unexpected argument '%s'", argv[optind]);
    if ((code = check_args(&a))) return code;
    if (a.threads > 0) threads_set_compute(a.threads);

    dc_err e;
    dataset train, test;
    char src[FEAT_PATH_MAX], ckpt_path[FEAT_PATH_MAX] = "";
    dcgan_model models[N_ROWS];
    int open[N_ROWS] = {0};
    if (!a.random_d) {
        if ((code = open_trained(&a, &models[ROW_TRAINED], ckpt_path, sizeof ckpt_path)))
            return code;
        open[ROW_TRAINED] = 1;
    }
    if (open_data(a.data_dir, a.dataset, &train, &test, src, sizeof src, &e)) {
        log_error("%s", e.msg);
        if (open[ROW_TRAINED]) dcgan_model_free(&models[ROW_TRAINED]);
        return 1;
    }
    code = open_random(&a, &train, open[ROW_TRAINED] ? &models[ROW_TRAINED] : NULL, ckpt_path,
                       &models[ROW_RANDOM], &open[ROW_RANDOM]);
    if (code == 0 && open[ROW_TRAINED] && !a.rows[ROW_TRAINED]) { /* only its shape was wanted */
        dcgan_model_free(&models[ROW_TRAINED]);
        open[ROW_TRAINED] = 0;
    }
    row_result res[N_ROWS];
    memset(res, 0, sizeof res);
    for (int k = 0; k < N_ROWS && code == 0; k++) {
        if (!a.rows[k]) continue;
        /* run_row frees the model once its features are out */
        int rc = run_row(k, open[k] ? &models[k] : NULL, &train, &test, &a, &res[k], &e);
        open[k] = 0;
        if (rc) {
            log_error("%s: %s", row_names[k], e.msg);
            code = 1;
        } else if (!a.quiet) { /* each row as it is done: a long run's results survive a crash */
            const protocol_result *r = &res[k].r;
            fprintf(stderr, "%s: all labels %.2f%% (C=%g)", row_names[k], 100 * r->all_accuracy,
                    r->all_c);
            if (r->draws)
                fprintf(stderr, ", %d per class %.2f%% +- %.2f over %d draws",
                        a.proto.labels_per_class, 100 * r->few_mean, 100 * r->few_std, r->draws);
            fprintf(stderr, "; features %.0f s, SVM %.0f s\n", res[k].feature_seconds,
                    res[k].svm_seconds);
        }
    }
    for (int k = 0; k < N_ROWS; k++)
        if (open[k]) dcgan_model_free(&models[k]);
    if (code == 0) {
        if (a.json) print_json(res, &a, src, &train, &test, ckpt_path);
        else print_table(res, &a, src, &train, &test);
    }
    dataset_free(&train);
    dataset_free(&test);
    return code;
}
