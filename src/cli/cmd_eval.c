/* dcgan eval: quality numbers of a trained generator against its training data, with real
 * held-out images measured the same way as the floor. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "eval/evaluate.h"
#include "eval/run_data.h"
#include "model/generator.h"

enum { OPT_RUN = 1000, OPT_CKPT, OPT_CLASSIFIER, OPT_N, OPT_JSON, OPT_SEED, OPT_DATA_DIR,
       OPT_OUT_DIR, OPT_NN, OPT_KID_SUBSETS, OPT_KID_SIZE, OPT_DEVICE, OPT_HELP };

static const struct option eval_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"classifier", required_argument, 0, OPT_CLASSIFIER},
    {"num", required_argument, 0, OPT_N},
    {"json", no_argument, 0, OPT_JSON},
    {"seed", required_argument, 0, OPT_SEED},
    {"data-dir", required_argument, 0, OPT_DATA_DIR},
    {"data_dir", required_argument, 0, OPT_DATA_DIR},
    {"out-dir", required_argument, 0, OPT_OUT_DIR},
    {"out_dir", required_argument, 0, OPT_OUT_DIR},
    {"nn-samples", required_argument, 0, OPT_NN},
    {"kid-subsets", required_argument, 0, OPT_KID_SUBSETS},
    {"kid-subset-size", required_argument, 0, OPT_KID_SIZE},
    {"device", required_argument, 0, OPT_DEVICE},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void eval_help(void)
{
    printf(
        "usage: dcgan eval (--run DIR | --checkpoint FILE) [-n N] [--json] [options]\n"
        "\n"
        "Measures N generated images against N images of the run's training data (the part a\n"
        "classifier trains on: train-* of IDX data, nine files in ten of a folder) in the\n"
        "features of the domain classifier ('dcgan classifier train'), and N real held-out\n"
        "images (t10k-*, the tenth files) the same way, printed beside them as the floor:\n"
        "  FID        Frechet distance of the features' Gaussians (lower is better)\n"
        "  KID        kernel inception distance, unbiased, cubic kernel; mean and spread over\n"
        "             subsets (lower is better)\n"
        "  precision  share of samples inside the real images' k-NN manifold (k = 3)\n"
        "  recall     share of real images inside the samples' manifold\n"
        "  entropy    of the classifier's predicted-class histogram (max: log of the classes)\n"
        "  label acc  conditional models: samples classified as the label they were made for\n"
        "  NN RMSE    mean pixel RMSE to the nearest training image (the memorisation check)\n"
        "docs/evaluation.md explains each number and how it was checked.\n"
        "\n"
        "  -n, --num N            images per side (10000)\n"
        "  --json                 one JSON object on stdout instead of the table\n"
        "  --classifier FILE      default OUT_DIR/classifiers/DATASET-HxWxC.safetensors\n"
        "  --out-dir DIR          where the default classifier lives (./out)\n"
        "  --data-dir DIR         where the data set is now, if it moved (DIR/DATASET)\n"
        "  --seed N               latent vectors and subsets (1)\n"
        "  --nn-samples N         images searched against the training set (1000; 0: none)\n"
        "  --kid-subsets N (100)  --kid-subset-size N (1000)\n"
        "  --device D             cpu (default), cuda or cuda:N (a build with CUDA)\n"
        "\n"
        "examples:\n"
        "  dcgan eval --run out/RUN\n"
        "  dcgan eval --run out/RUN -n 2000 --json\n");
}

static void print_row(const char *name, double a, double b, const char *fmt)
{
    char x[32] = "-", y[32] = "-";
    if (isfinite(a)) snprintf(x, sizeof x, fmt, a);
    if (isfinite(b)) snprintf(y, sizeof y, fmt, b);
    printf("  %-28s %14s %14s\n", name, x, y);
}

static void print_table(const eval_metrics *g, const eval_metrics *r, const classifier *c,
                        const char *cpath)
{
    printf("classifier %s (test accuracy %.4f)\n", cpath, c->test_accuracy);
    printf("  %-28s %14s %14s\n", "", "generated", "real held-out");
    print_row("images", (double)g->n, (double)r->n, "%.0f");
    print_row("FID", g->fid, r->fid, "%.3f");
    print_row("KID x 1000", 1000 * g->kid, 1000 * r->kid, "%.3f");
    print_row("KID spread x 1000", 1000 * g->kid_std, 1000 * r->kid_std, "%.3f");
    print_row("precision (k=3)", g->precision, r->precision, "%.4f");
    print_row("recall (k=3)", g->recall, r->recall, "%.4f");
    char ent[64];
    snprintf(ent, sizeof ent, "class entropy (max %.3f)", g->entropy_max);
    print_row(ent, g->entropy, r->entropy, "%.4f");
    print_row("label accuracy", g->label_accuracy, r->label_accuracy, "%.4f");
    print_row("NN RMSE to training set", g->nn_rmse, r->nn_rmse, "%.4f");
    print_row("seconds", g->seconds, r->seconds, "%.1f");
}

typedef struct {
    const char *run, *ckpt, *classifier, *data_dir, *out_dir;
    int json;
    eval_options o;
    char device[CLI_DEVICE_SIZE];
} eval_args;

static int open_sets(generator *g, const eval_args *a, dataset *train, dataset *test,
                     char *where, size_t wn, dc_err *e)
{
    run_data rd;
    if (run_data_from_generator(g, a->data_dir, &rd, e) != 0) return -1;
    rd.src.split = DATASET_SPLIT_TRAIN;
    if (run_data_open(g, &rd, a->data_dir, train, where, wn, e) != 0) return -1;
    rd.src.split = DATASET_SPLIT_TEST;
    if (run_data_open(g, &rd, a->data_dir, test, where, wn, e) != 0) {
        dataset_free(train);
        return -1;
    }
    return 0;
}

static int measure_and_report(generator *g, classifier *c, const char *cpath, dataset *train,
                              dataset *test, const eval_args *a, dc_err *e)
{
    eval_reference ref;
    log_info("eval: classifier features of %ld training images", a->o.n);
    if (eval_reference_init(&ref, c, train, &a->o, e) != 0) return -1;
    eval_metrics gm, rm;
    eval_model_source src;
    eval_model_source_init(&src, &g->model, g->zdist, g->lo, g->hi, a->o.seed);
    log_info("eval: %ld generated images", ref.o.n);
    int rc = eval_measure(&ref, eval_model_source_fn, &src,
                          generator_config(g)->y_dim > 0 && !generator_has_attributes(g), &gm,
                          e);
    if (rc == 0) {
        log_info("eval: %ld real held-out images (the floor)", ref.o.n);
        rc = eval_measure_dataset(&ref, test, a->o.seed + 1, &rm, e);
    }
    eval_reference_free(&ref);
    if (rc != 0) return -1;
    if (!a->json) {
        printf("checkpoint %s\n", g->path);
        print_table(&gm, &rm, c, cpath);
        return 0;
    }
    char *gj = eval_metrics_json(&gm, NULL), *rj = eval_metrics_json(&rm, NULL);
    printf("{\"checkpoint\":\"%s\",\"classifier\":\"%s\",\"classifier_accuracy\":%.6f,"
           "\"generated\":%s,\"real_heldout\":%s}\n", g->path, cpath, c->test_accuracy, gj, rj);
    free(gj);
    free(rj);
    return 0;
}

static int eval_with(const eval_args *a)
{
    dc_err e;
    generator g;
    int labels[1], nl, all;
    int rc = cli_open_generator("eval", a->run, a->ckpt, a->device, NULL, &g, labels, 1, &nl,
                                &all);
    if (rc >= 0) return rc;
    dataset train, test;
    char where[4096], cpath[4096];
    classifier c;
    rc = 1;
    if (open_sets(&g, a, &train, &test, where, sizeof where, &e) != 0) {
        log_error("%s", e.msg);
    } else {
        const dcgan_config *mc = generator_config(&g);
        if (a->classifier) snprintf(cpath, sizeof cpath, "%s", a->classifier);
        int ok = a->classifier || eval_classifier_path(cpath, sizeof cpath, a->out_dir, where,
                                                       mc->c_dim, mc->output_h, mc->output_w,
                                                       &e) == 0;
        if (!ok) {
            log_error("%s", e.msg);
        } else if (!a->classifier && access(cpath, R_OK) != 0) {
            log_error("%s: no classifier (make it once with 'dcgan classifier train --dataset "
                      "%s', or give --classifier FILE)", cpath, g.run.dataset);
        } else if (classifier_load(&c, cpath, a->device, 100, &e) != 0) {
            log_error("%s", e.msg);
        } else {
            rc = measure_and_report(&g, &c, cpath, &train, &test, a, &e) == 0 ? 0 : 1;
            if (rc) log_error("%s", e.msg);
            classifier_free(&c);
        }
        dataset_free(&train);
        dataset_free(&test);
    }
    generator_close(&g);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    const char *C = "eval";
    eval_args a;
    memset(&a, 0, sizeof a);
    a.o = eval_options_default();
    a.out_dir = "./out";
    snprintf(a.device, sizeof a.device, "cpu");
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":hn:", eval_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        int bad = 0;
        switch (opt) {
        case OPT_RUN: a.run = optarg; break;
        case OPT_CKPT: a.ckpt = optarg; break;
        case OPT_CLASSIFIER: a.classifier = optarg; break;
        case 'n':
        case OPT_N: bad = cli_parse_long(C, "-n", optarg, 10, 1000000, &a.o.n); break;
        case OPT_JSON: a.json = 1; break;
        case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &a.o.seed); break;
        case OPT_DATA_DIR: a.data_dir = optarg; break;
        case OPT_OUT_DIR: a.out_dir = optarg; break;
        case OPT_NN: bad = cli_parse_long(C, "--nn-samples", optarg, 0, 1000000, &a.o.nn_samples); break;
        case OPT_KID_SUBSETS: bad = cli_parse_int(C, "--kid-subsets", optarg, 1, 100000, &a.o.kid_subsets); break;
        case OPT_KID_SIZE: bad = cli_parse_long(C, "--kid-subset-size", optarg, 2, 1000000, &a.o.kid_subset_size); break;
        case OPT_DEVICE: bad = cli_parse_device(C, optarg, a.device, sizeof a.device); break;
        case 'h':
        case OPT_HELP: eval_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, eval_options_table);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!a.run == !a.ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    return eval_with(&a);
}
