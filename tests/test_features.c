/* The Table 1 protocol's pieces: adaptive max pooling against windows written out by hand, D's
 * feature layout and batch independence, the CIFAR-10 reader on small files written here (and
 * damaged ones), and the linear SVM on a separable set and against scikit-learn's LinearSVC
 * (tests/reference/features/, made by tests/tools/make_features_reference.py). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rng.h"
#include "data/cifar.h"
#include "eval/d_model.h"
#include "eval/features.h"
#include "eval/linear_svm.h"
#include "eval/protocol.h"
#include "io/npy.h"
#include "testutil.h"

#define REF_DIR "tests/reference/features"

/* ------------------------------------------------------------------------------- pooling */

/* Max of m (H x W) over rows [y0,y1) and columns [x0,x1). */
static float window_max(const float *m, int W, int y0, int y1, int x0, int x1)
{
    float best = -FLT_MAX;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (m[y * W + x] > best) best = m[y * W + x];
    return best;
}

/* Pools a C x H x W map of distinct values (a scrambled ramp, so that every window's maximum
 * sits somewhere else) to 4x4 and checks each cell against the windows given: rows[i] =
 * {start, end} of output row i, cols likewise. */
static void check_pool(int C, int H, int W, const int rows[][2], int oh, const int cols[][2],
                       int ow)
{
    float *in = malloc(sizeof(float) * (size_t)C * H * W);
    float *out = malloc(sizeof(float) * (size_t)C * oh * ow);
    for (int i = 0; i < C * H * W; i++) in[i] = (float)((i * 37) % 101) - 50.0f;
    features_adaptive_max_pool(in, C, H, W, oh, ow, out);
    int bad = 0;
    for (int c = 0; c < C; c++)
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
                float want = window_max(in + c * H * W, W, rows[i][0], rows[i][1], cols[j][0],
                                        cols[j][1]);
                if (out[(c * oh + i) * ow + j] != want) bad++;
            }
    TEST_CHECK(bad == 0, "%dx%dx%d to %dx%d: %d cells differ from the hand-written windows", C,
               H, W, oh, ow, bad);
    free(in);
    free(out);
}

static void test_pooling(void)
{
    /* PyTorch's AdaptiveMaxPool2d windows: [floor(i*H/4), ceil((i+1)*H/4)) */
    static const int w7[4][2] = {{0, 2}, {1, 4}, {3, 6}, {5, 7}};
    static const int w14[4][2] = {{0, 4}, {3, 7}, {7, 11}, {10, 14}};
    static const int w8[4][2] = {{0, 2}, {2, 4}, {4, 6}, {6, 8}};
    static const int w4[4][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}};
    static const int w5[4][2] = {{0, 2}, {1, 3}, {2, 4}, {3, 5}};
    static const int w2[2][2] = {{0, 1}, {1, 2}};
    check_pool(3, 7, 7, w7, 4, w7, 4);
    check_pool(2, 14, 14, w14, 4, w14, 4);
    check_pool(2, 8, 14, w8, 4, w14, 4);
    check_pool(1, 5, 7, w5, 4, w7, 4);
    check_pool(2, 4, 4, w4, 4, w4, 4); /* 4x4: kept as it is */
    check_pool(3, 2, 2, w2, 2, w2, 2); /* smaller than the grid: kept, not upsampled */
    TEST_CHECK(features_pooled_side(14) == 4 && features_pooled_side(4) == 4 &&
                   features_pooled_side(2) == 2 && features_pooled_side(1) == 1,
               "pooled sides");
    /* a 1x1 output is the global maximum */
    float m[6] = {1, -2, 7.5f, 3, 0, -1}, g;
    features_adaptive_max_pool(m, 1, 2, 3, 1, 1, &g);
    TEST_CHECK(g == 7.5f, "global max %g", g);
}

/* ------------------------------------------------------------------------------ features */

static void test_d_features(void)
{
    dc_err e;
    dcgan_config cfg = dcgan_config_default();
    cfg.output_h = cfg.output_w = 16;
    cfg.c_dim = 1;
    cfg.df_dim = cfg.gf_dim = 4;
    cfg.z_dim = 4;
    dcgan_model m;
    if (d_model_random(&m, &cfg, 7, &e) != 0) {
        TEST_CHECK(0, "random D: %s", e.msg);
        return;
    }
    features_plan p;
    TEST_CHECK(features_plan_make(&m.D, &p, &e) == 0, "plan: %s", e.msg);
    /* 16x16: maps 8x8x4, 4x4x8, 2x2x16, 1x1x32; the last two are kept as they are */
    TEST_CHECK(p.n_maps == 4, "%d maps", p.n_maps);
    TEST_CHECK(p.dim == 4 * 16 + 8 * 16 + 16 * 4 + 32 * 1, "dim %zu", p.dim);
    TEST_CHECK(p.ph[0] == 4 && p.ph[2] == 2 && p.pw[3] == 1, "pooled sides");

    /* 7 items (a short batch) at once, and the fourth alone: the same features */
    dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.count = 7;
    ds.C = 1;
    ds.H = ds.W = 16;
    ds.lo = 0.0f;
    ds.hi = 1.0f;
    ds.images = malloc(sizeof(float) * 7 * 256);
    rng_state r;
    rng_init(&r, 3);
    rng_uniform(&r, ds.images, 7 * 256, 0.0f, 1.0f);
    float *all = malloc(sizeof(float) * 7 * p.dim), *one = malloc(sizeof(float) * p.dim);
    TEST_CHECK(features_extract(&m, &p, &ds, all, NULL, NULL, &e) == 0, "extract: %s", e.msg);
    dataset single = ds;
    single.count = 1;
    single.images = ds.images + 3 * 256;
    TEST_CHECK(features_extract(&m, &p, &single, one, NULL, NULL, &e) == 0, "extract one: %s",
               e.msg);
    check_close("item 3 alone = in a batch", one, all + 3 * p.dim, p.dim, 1e-6, 1e-5);
    /* lrelu outputs: every feature finite, and the random D's features not all equal */
    int finite = 1, varied = 0;
    for (size_t i = 0; i < 7 * p.dim; i++) {
        if (!isfinite(all[i])) finite = 0;
        if (all[i] != all[0]) varied = 1;
    }
    TEST_CHECK(finite && varied, "features finite (%d) and varied (%d)", finite, varied);

    /* the wrong image size is an error naming both shapes */
    dataset wrong = ds;
    wrong.H = wrong.W = 8;
    wrong.count = 4;
    TEST_CHECK(features_extract(&m, &p, &wrong, all, NULL, NULL, &e) != 0 &&
                   strstr(e.msg, "8x8x1") && strstr(e.msg, "16x16x1"),
               "size mismatch: %s", e.msg);
    free(all);
    free(one);
    free(ds.images);
    dcgan_model_free(&m);

    /* a conditional D is refused */
    cfg.y_dim = 10;
    cfg.gfc_dim = cfg.dfc_dim = 8;
    cfg.batch = 4;
    cfg.conv_backend = CONV_BACKEND_IM2COL;
    if (dcgan_model_init(&m, &cfg, &e) == 0) {
        TEST_CHECK(features_plan_make(&m.D, &p, &e) != 0 && strstr(e.msg, "conditional"),
                   "conditional D: %s", e.msg);
        dcgan_model_free(&m);
    }
    TEST_CHECK(d_model_random(&m, &cfg, 1, &e) != 0, "random conditional D refused");
}

/* The same random D on the GPU gives the CPU's features (the maps read back from device
 * memory). Without a GPU (or CUDA in the build) it says so and passes, unless
 * DCGAN_REQUIRE_GPU=1. */
static void test_d_features_cuda(void)
{
    dc_err e;
    dcgan_config cfg = dcgan_config_default();
    cfg.output_h = cfg.output_w = 28;
    cfg.c_dim = 1;
    cfg.df_dim = cfg.gf_dim = 8;
    dcgan_model cpu, gpu;
    snprintf(cfg.device, sizeof cfg.device, "cuda");
    if (d_model_random(&gpu, &cfg, 5, &e) != 0) {
        const char *req = getenv("DCGAN_REQUIRE_GPU");
        TEST_CHECK(!(req && strcmp(req, "1") == 0), "DCGAN_REQUIRE_GPU=1 but %s", e.msg);
        printf("SKIP: features on the GPU: %s\n", e.msg);
        return;
    }
    snprintf(cfg.device, sizeof cfg.device, "cpu");
    if (d_model_random(&cpu, &cfg, 5, &e) != 0) {
        TEST_CHECK(0, "cpu: %s", e.msg);
        dcgan_model_free(&gpu);
        return;
    }
    features_plan pc, pg;
    TEST_CHECK(features_plan_make(&cpu.D, &pc, &e) == 0 && features_plan_make(&gpu.D, &pg, &e) == 0 &&
                   pc.dim == pg.dim,
               "plans");
    dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.count = 130; /* two batches, the second short */
    ds.C = 1;
    ds.H = ds.W = 28;
    ds.hi = 1.0f;
    ds.images = malloc(sizeof(float) * 130 * 784);
    rng_state r;
    rng_init(&r, 9);
    rng_uniform(&r, ds.images, 130 * 784, 0.0f, 1.0f);
    float *fc = malloc(sizeof(float) * 130 * pc.dim), *fg = malloc(sizeof(float) * 130 * pc.dim);
    TEST_CHECK(features_extract(&cpu, &pc, &ds, fc, NULL, NULL, &e) == 0 &&
                   features_extract(&gpu, &pg, &ds, fg, NULL, NULL, &e) == 0,
               "extract: %s", e.msg);
    /* the CUDA backend matches the CPU's ops to float rounding (docs/ops.md) */
    check_close("D features: cuda = cpu", fg, fc, 130 * pc.dim, 1e-5, 1e-3);
    free(fc);
    free(fg);
    free(ds.images);
    dcgan_model_free(&cpu);
    dcgan_model_free(&gpu);
}

/* --------------------------------------------------------------------------------- CIFAR */

/* n records: label (first + i) % 10, pixel k of record i = (i * 7 + k) % 256. */
static int write_records(const char *path, int n, int first, long extra_bytes)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    for (int i = 0; i < n; i++) {
        fputc((first + i) % 10, f);
        for (int k = 0; k < CIFAR_RECORD_BYTES - 1; k++) fputc((i * 7 + k) % 256, f);
    }
    for (long k = 0; k < extra_bytes; k++) fputc(0, f);
    return fclose(f);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void test_cifar(void)
{
    dc_err e;
    const char *dir = test_tmpdir();
    char name[64];
    TEST_CHECK(!cifar_dir_has_batches(dir), "an empty folder has no batches");
    static const int counts[5] = {2, 1, 1, 1, 3};
    int first = 0;
    for (int b = 0; b < 5; b++) {
        snprintf(name, sizeof name, "data_batch_%d.bin", b + 1);
        write_records(test_tmpdir_path(name), counts[b], first, 0);
        first += counts[b];
    }
    write_records(test_tmpdir_path("test_batch.bin"), 2, 9, 0);
    TEST_CHECK(cifar_dir_has_batches(dir), "batches found");

    dataset tr, te;
    TEST_CHECK(dataset_load_cifar(&tr, dir, DATASET_IDX_TRAIN, &e) == 0, "train: %s", e.msg);
    TEST_CHECK(tr.count == 8 && tr.C == 3 && tr.H == 32 && tr.W == 32, "train shape %d %dx%dx%d",
               tr.count, tr.C, tr.H, tr.W);
    TEST_CHECK(tr.num_classes == 10 && strcmp(tr.class_names[0], "airplane") == 0 &&
                   strcmp(tr.class_names[9], "truck") == 0,
               "CIFAR-10's class names");
    /* item 2 is data_batch_2's first record: label 2, pixel k = k % 256 */
    TEST_CHECK(tr.labels[2] == 2 && tr.labels[7] == 7, "labels %d %d", tr.labels[2], tr.labels[7]);
    const float *it = tr.images + 2 * 3072;
    TEST_CHECK(it[0] == 0.0f && it[255] == 1.0f && it[1024 + 1] == 1 / 255.0f,
               "planar pixels in [0,1]: %g %g %g", it[0], it[255], it[1025]);
    /* item 1: record 1 of data_batch_1; green plane, row 0 col 3 = (7 + 1024 + 3) % 256 */
    TEST_CHECK(tr.images[3072 + 1024 + 3] == (float)((7 + 1024 + 3) % 256) / 255.0f,
               "record 1's green pixel");
    TEST_CHECK(dataset_load_cifar(&te, dir, DATASET_IDX_TEST, &e) == 0, "test: %s", e.msg);
    TEST_CHECK(te.count == 2 && te.labels[0] == 9 && te.labels[1] == 0, "test labels");
    dataset_free(&tr);
    dataset_free(&te);

    /* batches.meta.txt names the classes (blank lines and CRs ignored) */
    write_text(test_tmpdir_path("batches.meta.txt"),
               "a0\r\nb1\nc2\nd3\ne4\n\nf5\ng6\nh7\ni8\nj9\n\n");
    TEST_CHECK(dataset_load_cifar(&te, dir, DATASET_IDX_TEST, &e) == 0 &&
                   strcmp(te.class_names[0], "a0") == 0 && strcmp(te.class_names[9], "j9") == 0,
               "meta names: %s", e.msg);
    dataset_free(&te);
    write_text(test_tmpdir_path("batches.meta.txt"), "only\ntwo\n");
    TEST_CHECK(dataset_load_cifar(&te, dir, DATASET_IDX_TEST, &e) != 0 &&
                   strstr(e.msg, "batches.meta.txt: 2 class names"),
               "short meta: %s", e.msg);
    remove(test_tmpdir_path("batches.meta.txt"));

    /* a truncated batch: an error naming it */
    write_records(test_tmpdir_path("data_batch_3.bin"), 1, 0, 100);
    TEST_CHECK(dataset_load_cifar(&tr, dir, DATASET_IDX_TRAIN, &e) != 0 &&
                   strstr(e.msg, "data_batch_3.bin: 3173 bytes is not a whole number of 3073"),
               "truncated: %s", e.msg);
    /* a label above 9 */
    FILE *f = fopen(test_tmpdir_path("data_batch_3.bin"), "wb");
    if (f) {
        fputc(10, f);
        for (int k = 0; k < 3072; k++) fputc(0, f);
        fclose(f);
    }
    TEST_CHECK(dataset_load_cifar(&tr, dir, DATASET_IDX_TRAIN, &e) != 0 &&
                   strstr(e.msg, "data_batch_3.bin: label 10 of record 0"),
               "bad label: %s", e.msg);
    /* empty, then missing */
    write_records(test_tmpdir_path("data_batch_3.bin"), 0, 0, 0);
    TEST_CHECK(dataset_load_cifar(&tr, dir, DATASET_IDX_TRAIN, &e) != 0 &&
                   strstr(e.msg, "data_batch_3.bin: 0 bytes"),
               "empty: %s", e.msg);
    remove(test_tmpdir_path("data_batch_3.bin"));
    TEST_CHECK(dataset_load_cifar(&tr, dir, DATASET_IDX_TRAIN, &e) != 0 &&
                   strstr(e.msg, "data_batch_3.bin: missing"),
               "missing: %s", e.msg);
    /* the test split does not need the training batches */
    TEST_CHECK(dataset_load_cifar(&te, dir, DATASET_IDX_TEST, &e) == 0, "test alone: %s", e.msg);
    dataset_free(&te);
}

/* ----------------------------------------------------------------------------------- SVM */

/* Three well-separated clusters in 5 dimensions, on very different scales. */
static void separable_set(float *X, int *y, int n, uint64_t seed)
{
    static const float scale[5] = {0.01f, 1.0f, 100.0f, 3.0f, 0.5f};
    rng_state r;
    rng_init(&r, seed);
    rng_normal(&r, X, (size_t)n * 5, 0.0f, 0.3f);
    for (int i = 0; i < n; i++) {
        y[i] = i % 3;
        X[i * 5 + y[i]] += 4.0f; /* class k: far along axis k */
        for (int j = 0; j < 5; j++) X[i * 5 + j] *= scale[j];
    }
}

static void test_svm_separable(void)
{
    enum { NTR = 150, NTE = 60 };
    float Xtr[NTR * 5], Xte[NTE * 5];
    int ytr[NTR], yte[NTE], pred[NTE];
    separable_set(Xtr, ytr, NTR, 11);
    separable_set(Xte, yte, NTE, 12);
    svm_options o = svm_options_default();
    svm_result r;
    dc_err e;
    TEST_CHECK(linear_svm_evaluate(Xtr, ytr, NULL, NTR, Xte, yte, NTE, 5, 3, &o, &r, pred, &e) == 0,
               "separable: %s", e.msg);
    TEST_CHECK(r.test_accuracy == 1.0 && r.val_accuracy == 1.0, "separable: test %g val %g",
               r.test_accuracy, r.val_accuracy);
    TEST_CHECK(r.n_val == 30 && r.n_train == 120, "20%% of each class held out: %d / %d",
               r.n_val, r.n_train);
    /* ties go to the smallest C */
    TEST_CHECK(r.best_c == o.c_grid[0], "best C %g", r.best_c);
    o.solver = SVM_SOLVER_PRIMAL;
    TEST_CHECK(linear_svm_evaluate(Xtr, ytr, NULL, NTR, Xte, yte, NTE, 5, 3, &o, &r, pred, &e) == 0 &&
                   r.test_accuracy == 1.0,
               "separable, primal: %g", r.test_accuracy);
    /* a subset of rows by index, and one class only */
    int idx[3] = {0, 3, 6};
    TEST_CHECK(linear_svm_evaluate(Xtr, ytr, idx, 3, Xte, yte, NTE, 5, 3, &o, &r, pred, &e) != 0 &&
                   strstr(e.msg, "one class"),
               "one class: %s", e.msg);

    /* the protocol: draws of 5 per class, mean and spread; too many per class is an error */
    protocol_options po = protocol_options_default();
    po.labels_per_class = 5;
    po.draws = 3;
    protocol_result pr;
    TEST_CHECK(protocol_run(Xtr, ytr, NTR, Xte, yte, NTE, 5, 3, &po, &pr, &e) == 0, "protocol: %s",
               e.msg);
    TEST_CHECK(pr.have_all && pr.all_accuracy == 1.0 && pr.draws == 3 && pr.few_mean > 0.9 &&
                   pr.few_std >= 0.0,
               "protocol: all %g, %d draws mean %g std %g", pr.all_accuracy, pr.draws,
               pr.few_mean, pr.few_std);
    po.max_train = 30;
    po.draws = 0;
    TEST_CHECK(protocol_run(Xtr, ytr, NTR, Xte, yte, NTE, 5, 3, &po, &pr, &e) == 0 &&
                   pr.all_rows == 30 && pr.draws == 0,
               "--max-train 30: %d rows", pr.all_rows);
    po.labels_per_class = 51;
    po.draws = 1;
    TEST_CHECK(protocol_run(Xtr, ytr, NTR, Xte, yte, NTE, 5, 3, &po, &pr, &e) != 0 &&
                   strstr(e.msg, "51 labels per class"),
               "too few per class: %s", e.msg);
}

/* float .npy of n values (any shape) into *out; the count, or -1. */
static long load_npy(const char *name, float **out)
{
    char path[256];
    snprintf(path, sizeof path, REF_DIR "/%s", name);
    int nd;
    int64_t shape[NPY_MAX_DIMS];
    dc_err e;
    if (npy_read_f32(path, out, &nd, shape, &e) != 0) {
        TEST_CHECK(0, "%s", e.msg);
        return -1;
    }
    long n = 1;
    for (int i = 0; i < nd; i++) n *= (long)shape[i];
    return n;
}

static int *to_labels(const float *v, long n)
{
    int *y = malloc(sizeof(int) * (size_t)n);
    for (long i = 0; i < n; i++) y[i] = (int)v[i];
    return y;
}

static void test_svm_sklearn(void)
{
    float *xtr = NULL, *ytrf = NULL, *xte = NULL, *ytef = NULL, *skp = NULL, *meta = NULL;
    long nxtr = load_npy("x_train.npy", &xtr), ntr = load_npy("y_train.npy", &ytrf);
    long nxte = load_npy("x_test.npy", &xte), nte = load_npy("y_test.npy", &ytef);
    long np = load_npy("sklearn_pred.npy", &skp), nm = load_npy("sklearn_meta.npy", &meta);
    if (nxtr < 0 || ntr < 0 || nxte < 0 || nte < 0 || np < 0 || nm != 3) goto done;
    int dim = (int)(nxtr / ntr);
    int *ytr = to_labels(ytrf, ntr), *yte = to_labels(ytef, nte), *skl = to_labels(skp, np);
    int *pred = malloc(sizeof(int) * (size_t)nte);
    svm_options o = svm_options_default();
    o.n_grid = 1; /* sklearn's C, no search */
    o.c_grid[0] = meta[0];
    /* sklearn's tolerance: both close to the exact optimum, so the predictions match */
    o.eps = meta[2];
    svm_result r;
    dc_err e;
    TEST_CHECK(linear_svm_evaluate(xtr, ytr, NULL, (int)ntr, xte, yte, (int)nte, dim, 3, &o, &r,
                                   pred, &e) == 0,
               "sklearn set: %s", e.msg);
    int agree = 0;
    for (long i = 0; i < nte; i++) agree += pred[i] == skl[i];
    printf("sklearn LinearSVC C=%g: test accuracy %.4f; ours %.4f, %d/%ld predictions agree\n",
           meta[0], meta[1], r.test_accuracy, agree, nte);
    TEST_CHECK(fabs(r.test_accuracy - meta[1]) <= 0.01, "accuracy %g vs sklearn %g",
               r.test_accuracy, meta[1]);
    TEST_CHECK(agree >= nte - 2, "%d of %ld predictions agree with sklearn", agree, nte);
    /* liblinear's own tolerance (0.1): within 2 points */
    o.eps = 0;
    TEST_CHECK(linear_svm_evaluate(xtr, ytr, NULL, (int)ntr, xte, yte, (int)nte, dim, 3, &o, &r,
                                   pred, &e) == 0 &&
                   fabs(r.test_accuracy - meta[1]) <= 0.02,
               "default tolerance: %g vs sklearn %g", r.test_accuracy, meta[1]);
    /* and with the search, near (the set is small: 3 points of slack) */
    svm_options g = svm_options_default();
    TEST_CHECK(linear_svm_evaluate(xtr, ytr, NULL, (int)ntr, xte, yte, (int)nte, dim, 3, &g, &r,
                                   pred, &e) == 0 &&
                   r.test_accuracy >= meta[1] - 0.03,
               "with the C search: %g (C %g)", r.test_accuracy, r.best_c);
    free(ytr);
    free(yte);
    free(skl);
    free(pred);
done:
    free(xtr);
    free(ytrf);
    free(xte);
    free(ytef);
    free(skp);
    free(meta);
}

int main(void)
{
    test_begin("test_features");
    log_set_level(LOG_LEVEL_WARN);
    if (test_tmpdir_create("features") != 0) return 1;
    test_pooling();
    test_d_features();
    test_d_features_cuda();
    test_cifar();
    test_svm_separable();
    test_svm_sklearn();
    test_tmpdir_remove();
    return test_finish();
}
