/* Resume exactness: a run stopped and resumed ends with the same weights, Adam state, moving
 * statistics and random state, bit for bit, as one that never stopped. Covers the in-memory
 * IDX path (conditional model) and the file-backed image folder path (unconditional model,
 * decoded by background threads), with stops inside an epoch and across epochs: by --max-steps
 * through train_run, and by a stop request through the session API (train/session.h), whose
 * reports are checked along the way. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/png_write.h"
#include "io/safetensors.h"
#include "core/rng.h"
#include "train/run.h"
#include "core/log.h"
#include "testdata.h"
#include "testutil.h"


static void write_png_set(const char *dir, int n)
{
    rng_state r;
    rng_init(&r, 99);
    uint8_t px[16 * 16 * 3];
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < sizeof px; j++) px[j] = (uint8_t)rng_below(&r, 256);
        char p[1024];
        snprintf(p, sizeof p, "%s/img%03d.png", dir, i);
        dc_err e;
        TEST_CHECK(png_write(p, px, 16, 16, 3, &e) == 0, "%s", e.msg);
    }
}

/* Every tensor of two checkpoints identical byte for byte, and the run state too. */
static void compare_checkpoints(const char *a, const char *b)
{
    dc_err e;
    safetensors_file *fa = safetensors_read(a, &e);
    TEST_CHECK(fa != NULL, "%s", e.msg);
    safetensors_file *fb = safetensors_read(b, &e);
    TEST_CHECK(fb != NULL, "%s", e.msg);
    if (!fa || !fb) {
        safetensors_free(fa);
        safetensors_free(fb);
        return;
    }
    TEST_CHECK(safetensors_count(fa) == safetensors_count(fb), "tensor counts differ");
    size_t differing = 0, total = safetensors_count(fa);
    for (size_t i = 0; i < total; i++) {
        const safetensors_tensor *ta = safetensors_at(fa, i);
        const safetensors_tensor *tb = safetensors_find(fb, ta->name);
        if (!tb || tb->numel != ta->numel || memcmp(ta->data, tb->data, ta->numel * 4) != 0) {
            if (differing++ < 5) printf("       differs: %s\n", ta->name);
        }
    }
    TEST_CHECK(differing == 0, "%zu of %zu tensors differ between %s and %s", differing, total, a, b);
    static const char *keys[] = {"iteration", "epoch", "batch", "rng_seed", "rng_counter", "d_steps", "g_steps"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const char *va = safetensors_metadata(fa, keys[k]), *vb = safetensors_metadata(fb, keys[k]);
        TEST_CHECK(va && vb && strcmp(va, vb) == 0, "metadata %s: %s vs %s", keys[k], va ? va : "-", vb ? vb : "-");
    }
    printf("  %s %zu tensors identical\n", differing ? "FAIL" : "ok  ", total - differing);
    safetensors_free(fa);
    safetensors_free(fb);
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

static void run_or_fail(const train_options *o)
{
    dc_err e;
    int rc = train_run(o, &e);
    TEST_CHECK(rc == 0, "train_run: %s", e.msg);
}

/* Drives the run through train_open / train_step_next / train_close, checking each report;
 * stop_at > 0: requests a stop once that iteration is reported (TRAIN_RUN_STOPPED expected). */
static void run_session(const train_options *base, long stop_at)
{
    static volatile sig_atomic_t stop;
    train_options o = *base;
    stop = 0;
    o.stop = &stop;
    dc_err e;
    train_session *s = train_open(&o, &e);
    TEST_CHECK(s != NULL, "train_open: %s", e.msg);
    if (!s) return;
    train_progress p;
    long prev = -1;
    int rc, bad = 0;
    while ((rc = train_step_next(s, &p, &e)) == 1) {
        if (prev < 0) prev = p.start_iteration;
        long it = p.iteration;
        int want_sample = it % o.sample_freq == 0 || it == p.total;
        int want_ckpt = it % o.ckpt_freq == 0 || it == p.total;
        bad += it != prev + 1 || p.total != o.max_steps || p.batch_size != o.batch_size ||
               p.batch < 0 || p.batch >= p.per_epoch || p.sampled != want_sample ||
               p.saved != want_ckpt || p.elapsed < 0;
        prev = it;
        if (it == stop_at) stop = SIGINT;
    }
    TEST_CHECK(bad == 0, "%d inconsistent progress reports", bad);
    if (stop_at > 0) {
        TEST_CHECK(rc == TRAIN_RUN_STOPPED && prev == stop_at, "stop at %ld: rc %d after %ld: %s",
                   stop_at, rc, prev, e.msg);
    } else {
        TEST_CHECK(rc == 0 && prev == o.max_steps, "run to %ld: rc %d after %ld: %s", o.max_steps,
                   rc, prev, e.msg);
    }
    TEST_CHECK(train_close(s, &e) == 0, "train_close: %s", e.msg);
}

/* Uninterrupted run of `total` iterations vs runs stopped at each of `stops`. */
static void check_resume(train_options base, const char *label, long total, const long *stops, int nstops)
{
    printf("%s\n", label);
    train_options a = base;
    snprintf(a.out_name, sizeof a.out_name, "%s-straight", label);
    a.max_steps = total;
    run_or_fail(&a);

    train_options b = base;
    snprintf(b.out_name, sizeof b.out_name, "%s-resumed", label);
    for (int i = 0; i < nstops; i++) {
        if (i % 2 == 0) { /* by --max-steps */
            b.max_steps = stops[i];
            run_or_fail(&b);
        } else { /* by a stop request */
            b.max_steps = total;
            run_session(&b, stops[i]);
        }
    }
    b.max_steps = total;
    run_session(&b, 0);

    char pa[2600], pb[2600];
    snprintf(pa, sizeof pa, "%s/%s/checkpoints/ckpt-%08ld.safetensors", base.out_dir, a.out_name, total);
    snprintf(pb, sizeof pb, "%s/%s/checkpoints/ckpt-%08ld.safetensors", base.out_dir, b.out_name, total);
    compare_checkpoints(pa, pb);
    snprintf(pb, sizeof pb, "%s/%s/log.csv", base.out_dir, b.out_name);
    int rows = count_lines(pb);
    TEST_CHECK(rows == total + 1, "%s: %d lines, expected a header and %ld rows", pb, rows, total);
}

int main(void)
{
    test_begin("test_resume");
    log_set_level(LOG_LEVEL_WARN);
    char tmpl[] = "/tmp/dcgan-resume-XXXXXX";
    char *root = mkdtemp(tmpl);
    TEST_CHECK(root != NULL, "mkdtemp");
    if (!root) return test_finish();
    char dir[600];

    /* conditional model on IDX data: 80 items, batch 8 -> 10 batches per epoch */
    snprintf(dir, sizeof dir, "%s/data/idx", root);
    char data[600];
    snprintf(data, sizeof data, "%s/data", root);
    mkdir(data, 0777);
    mkdir(dir, 0777);
    TEST_CHECK(testdata_write_idx(dir, "train", 60, 1) == 0, "writing IDX test data");
    TEST_CHECK(testdata_write_idx(dir, "t10k", 20, 2) == 0, "writing IDX test data");

    train_options o;
    train_options_default(&o);
    snprintf(o.data_dir, sizeof o.data_dir, "%s", data);
    snprintf(o.dataset, sizeof o.dataset, "idx");
    snprintf(o.out_dir, sizeof o.out_dir, "%s/out", root);
    o.batch_size = 8;
    o.z_dim = 8;
    o.gf_dim = o.df_dim = 4;
    o.gfc_dim = o.dfc_dim = 16;
    o.epochs = 100;
    o.sample_freq = 9;
    o.ckpt_freq = 5;
    o.max_to_keep = 2;
    o.progress = 0;
    o.threads = 2;
    long stops_idx[] = {7, 13}; /* inside epoch 0, then inside epoch 1 after a checkpoint-less stretch */
    check_resume(o, "idx-cond", 24, stops_idx, 2);

    /* unconditional model on a PNG folder, decoded by 2 background threads */
    snprintf(dir, sizeof dir, "%s/data/png", root);
    mkdir(dir, 0777);
    write_png_set(dir, 36);
    train_options p = o;
    snprintf(p.dataset, sizeof p.dataset, "png");
    snprintf(p.input_fname_pattern, sizeof p.input_fname_pattern, "*.png");
    p.output_h = 16;
    p.loader_threads = 2;
    p.batch_size = 6;
    p.zdist = Z_DIST_NORMAL01;
    long stops_png[] = {6, 11};
    check_resume(p, "png-uncond", 15, stops_png, 2);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (!g_test.failures && system(cmd) != 0) printf("could not remove %s\n", root);
    return test_finish();
}
