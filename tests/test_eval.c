/* The evaluation as a user meets it: the classifier learns Fashion-MNIST (a slice, a couple of
 * epochs: well above chance, and its file round-trips to the same predictions); the numbers
 * separate real held-out images from an untrained generator's; dcgan train --eval-every
 * writes metrics.jsonl (cut back and rewritten on resume), dcgan plot charts it, and dcgan
 * eval runs on a run folder; bad invocations are usage errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "data/source.h"
#include "data/take.h"
#include "eval/classifier.h"
#include "eval/evaluate.h"
#include "model/dcgan.h"
#include "testutil.h"
#include "tinyrun.h"
#include "train/options.h"
#include "train/run.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && st.st_size > 0;
}

/* iterations of metrics.jsonl's lines, in order; returns the count */
static int jsonl_iterations(const char *path, long *its, int max)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[8192];
    int n = 0;
    while (n < max && fgets(line, sizeof line, f))
        if (sscanf(line, "{\"iteration\":%ld,", &its[n]) == 1) n++;
    fclose(f);
    return n;
}

static void open_fmnist(dataset *ds, int split)
{
    dataset_source s;
    memset(&s, 0, sizeof s);
    s.data_dir = "/usr/share/datasets";
    s.dataset = "fashion-mnist";
    s.split = split;
    char where[4096];
    dc_err e;
    TEST_CHECK(dataset_open_source(&s, ds, where, sizeof where, &e) == 0, "%s", e.msg);
}

/* Learns from 3,000 images in two epochs; the file gives back the same predictions. */
static void test_classifier_learns(const char *root, char *cls_path, size_t n)
{
    dataset train, test;
    open_fmnist(&train, DATASET_SPLIT_TRAIN);
    open_fmnist(&test, DATASET_SPLIT_TEST);
    if (g_test.failures) return;
    classifier c, back;
    dc_err e;
    TEST_CHECK(classifier_create(&c, "cpu", 50, 1, 28, 28, 10, train.class_names, &e) == 0,
               "%s", e.msg);
    classifier_train_options o = classifier_train_defaults();
    o.epochs = 2;
    o.batch = 50;
    o.max_train = 3000;
    o.quiet = 1;
    TEST_CHECK(classifier_train(&c, &train, &test, &o, &e) == 0, "%s", e.msg);
    printf("  classifier on 3000 images, 2 epochs: test accuracy %.4f on %ld\n",
           c.test_accuracy, c.test_count);
    TEST_CHECK(c.test_accuracy > 0.70 && c.test_count == 10000, "accuracy %.4f on %ld",
               c.test_accuracy, c.test_count);
    snprintf(cls_path, n, "%s/fm.safetensors", root);
    TEST_CHECK(classifier_save(&c, cls_path, &e) == 0, "%s", e.msg);
    TEST_CHECK(classifier_load(&back, cls_path, "cpu", 64, &e) == 0, "%s", e.msg);
    if (g_test.failures == 0) {
        float *img = calloc(200 * 784, sizeof(float)), *p1 = calloc(2000, sizeof(float)),
              *p2 = calloc(2000, sizeof(float));
        int lab[200];
        TEST_CHECK(dataset_take(&test, 200, 3, img, lab, &e) == 0, "%s", e.msg);
        classifier_run(&c, img, 200, NULL, p1);
        classifier_run(&back, img, 200, NULL, p2);
        check_close("classifier file round trip", p2, p1, 2000, 1e-6, 1e-5);
        TEST_CHECK(fabs(back.test_accuracy - c.test_accuracy) < 1e-9, "stored accuracy");
        TEST_CHECK(strcmp(back.class_names[9], "ankle-boot") == 0, "class 9 '%s'",
                   back.class_names[9]);
        free(img);
        free(p1);
        free(p2);
        classifier_free(&back);
    }
    classifier_free(&c);
    dataset_free(&train);
    dataset_free(&test);
}

/* Real held-out images score far better than an untrained generator's noise. */
static void test_metrics_separate(const char *cls_path)
{
    dataset train, test;
    open_fmnist(&train, DATASET_SPLIT_TRAIN);
    open_fmnist(&test, DATASET_SPLIT_TEST);
    classifier c;
    dc_err e;
    TEST_CHECK(classifier_load(&c, cls_path, "cpu", 100, &e) == 0, "%s", e.msg);
    if (g_test.failures) return;
    eval_options o = eval_options_default();
    o.n = 500;
    o.kid_subsets = 20;
    o.nn_samples = 50;
    eval_reference ref;
    eval_metrics real, fake;
    TEST_CHECK(eval_reference_init(&ref, &c, &train, &o, &e) == 0, "%s", e.msg);
    TEST_CHECK(eval_measure_dataset(&ref, &test, 7, &real, &e) == 0, "%s", e.msg);
    dcgan_config mc = dcgan_config_default();
    mc.output_h = mc.output_w = 28;
    mc.c_dim = 1;
    mc.y_dim = 10;
    mc.z_dim = 10;
    mc.gf_dim = mc.df_dim = 8;
    mc.gfc_dim = mc.dfc_dim = 32;
    mc.batch = 50;
    dcgan_model m;
    TEST_CHECK(dcgan_model_init(&m, &mc, &e) == 0, "%s", e.msg);
    rng_state r;
    rng_init(&r, 3);
    dcgan_model_init_weights(&m, &r);
    eval_model_source src;
    eval_model_source_init(&src, &m, Z_DIST_UNIFORM_SIGNED, 0.0f, 1.0f, 9);
    TEST_CHECK(eval_measure(&ref, eval_model_source_fn, &src, 1, &fake, &e) == 0, "%s", e.msg);
    printf("  real held-out: FID %.2f KID %.4f P %.3f R %.3f entropy %.3f acc %.3f nn %.3f\n",
           real.fid, real.kid, real.precision, real.recall, real.entropy, real.label_accuracy,
           real.nn_rmse);
    printf("  untrained G:   FID %.2f KID %.4f P %.3f R %.3f entropy %.3f acc %.3f nn %.3f\n",
           fake.fid, fake.kid, fake.precision, fake.recall, fake.entropy, fake.label_accuracy,
           fake.nn_rmse);
    TEST_CHECK(fake.fid > 5 * real.fid, "FID real %.3f fake %.3f", real.fid, fake.fid);
    TEST_CHECK(fake.kid > real.kid + 3 * real.kid_std, "KID real %.4f fake %.4f", real.kid,
               fake.kid);
    TEST_CHECK(real.precision > 0.6 && real.recall > 0.6 && fake.recall < real.recall,
               "precision/recall real %.3f/%.3f fake %.3f/%.3f", real.precision, real.recall,
               fake.precision, fake.recall);
    TEST_CHECK(real.label_accuracy > 0.7 && fake.label_accuracy < 0.5, "label accuracy");
    TEST_CHECK(real.entropy > 0.95 * real.entropy_max, "real class entropy %.3f", real.entropy);
    TEST_CHECK(fake.nn_rmse > real.nn_rmse, "nearest RMSE real %.3f fake %.3f", real.nn_rmse,
               fake.nn_rmse);
    dcgan_model_free(&m);
    eval_reference_free(&ref);
    classifier_free(&c);
    dataset_free(&train);
    dataset_free(&test);
}

static void test_train_eval_every(const char *root)
{
    char run[1200], cls[1200], jsonl[1300], png[1300], arg[64];
    TEST_CHECK(tiny_idx_run(root, "cond", run, sizeof run) == 0, "tiny run");
    snprintf(cls, sizeof cls, "%s/tiny-cls.safetensors", root);
    char data[1100];
    snprintf(data, sizeof data, "%s/data", root);
    TEST_CHECK(tiny_cmd(cmd_classifier, "classifier", "train", "--data-dir", data, "--dataset",
                        "idx", "--epochs", "2", "--batch-size", "5", "--out", cls, "--quiet",
                        NULL) == 0, "classifier train on the tiny set");
    TEST_CHECK(file_exists(cls), "%s", cls);
    /* a run measured every 2 iterations to iteration 5, then resumed from its iteration-4
     * checkpoint to 6: lines 2, 4, 5 then 2, 4, 6 */
    train_options o;
    train_options_default(&o);
    snprintf(o.data_dir, sizeof o.data_dir, "%.1000s", data);
    snprintf(o.dataset, sizeof o.dataset, "idx");
    snprintf(o.out_dir, sizeof o.out_dir, "%.900s/out", root);
    snprintf(o.out_name, sizeof o.out_name, "evalrun");
    snprintf(o.eval_classifier, sizeof o.eval_classifier, "%.1000s", cls);
    o.batch_size = 8;
    o.z_dim = TINY_Z_DIM;
    o.gf_dim = o.df_dim = 4;
    o.gfc_dim = o.dfc_dim = 16;
    o.threads = 1;
    o.tensorboard = 1;
    o.eval_every = 2;
    o.eval_samples = 100;
    o.max_steps = 5;
    o.ckpt_freq = 4;
    o.sample_freq = 0;
    dc_err e;
    TEST_CHECK(train_run(&o, &e) == 0, "%s", e.msg);
    snprintf(jsonl, sizeof jsonl, "%s/out/evalrun/metrics.jsonl", root);
    long its[16];
    int n = jsonl_iterations(jsonl, its, 16);
    TEST_CHECK(n == 3 && its[0] == 2 && its[1] == 4 && its[2] == 5, "%d lines", n);
    /* as if killed after 5's line, before its checkpoint: only ckpt-4 stays */
    snprintf(png, sizeof png, "%s/out/evalrun/checkpoints/ckpt-00000005.safetensors", root);
    unlink(png);
    o.max_steps = 6;
    TEST_CHECK(train_run(&o, &e) == 0, "%s", e.msg);
    n = jsonl_iterations(jsonl, its, 16);
    TEST_CHECK(n == 3 && its[0] == 2 && its[1] == 4 && its[2] == 6, "%d lines after resume",
               n);
    snprintf(arg, sizeof arg, "%s", "plot");
    snprintf(png, sizeof png, "%s/out/evalrun", root);
    TEST_CHECK(tiny_cmd(cmd_plot, arg, "--run", png, NULL) == 0, "dcgan plot");
    snprintf(png, sizeof png, "%s/out/evalrun/visualize/plot-metrics.png", root);
    TEST_CHECK(file_exists(png), "%s", png);
    int W, H, C;
    TEST_CHECK(tiny_png_size(png, &W, &H, &C) == 0 && W > 400 && H > 300, "chart size");
    /* dcgan eval on the run folder, and its usage errors */
    snprintf(png, sizeof png, "%s/out/evalrun", root);
    TEST_CHECK(tiny_cmd(cmd_eval, "eval", "--run", png, "--classifier", cls, "-n", "20",
                        "--nn-samples", "5", "--kid-subsets", "3", "--json", NULL) == 0,
               "dcgan eval --json");
    TEST_CHECK(tiny_cmd(cmd_eval, "eval", "-n", "20", NULL) == 2, "eval without a run");
    TEST_CHECK(tiny_cmd(cmd_eval, "eval", "--run", png, "-n", "abc", NULL) == 2, "bad -n");
    TEST_CHECK(tiny_cmd(cmd_eval, "eval", "--run", png, "--out-dir", root, NULL) == 1,
               "no classifier at the default place");
    TEST_CHECK(tiny_cmd(cmd_classifier, "classifier", "fit", NULL) == 2, "unknown subcommand");
    TEST_CHECK(tiny_cmd(cmd_eval, "eval", "--run", png, "--classifier", jsonl, NULL) == 1,
               "a file that is not a classifier");
}

int main(void)
{
    test_begin("test_eval");
    log_set_level(LOG_LEVEL_WARN);
    char tmpl[] = "/tmp/dcgan-eval-XXXXXX";
    char *root = mkdtemp(tmpl);
    if (!root) return test_finish();
    if (access(FMNIST, R_OK) == 0) {
        char cls[1200];
        test_classifier_learns(root, cls, sizeof cls);
        if (g_test.failures == 0) test_metrics_separate(cls);
    } else {
        printf("  note: %s absent; the learning checks are skipped\n", FMNIST);
    }
    test_train_eval_every(root);
    tiny_rmtree(root);
    return test_finish();
}
