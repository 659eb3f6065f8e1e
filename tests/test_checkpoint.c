/* Damaged checkpoints: checkpoint_load reports a flipped bit, a truncated file, a missing
 * checksum (CHECKPOINT_DAMAGED, naming the file) apart from a sound checkpoint of another model
 * (CHECKPOINT_MISMATCH); a run whose newest checkpoint is damaged resumes from the previous
 * good one, sets the damaged one aside, and still ends bit for bit where an uninterrupted run
 * ends; a run whose checkpoints are all damaged stops with an error and renames nothing;
 * temporary files of a killed run are removed at the next start; rotation keeps max_to_keep. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/checkpoint.h"
#include "train/run.h"
#include "core/log.h"
#include "testdata.h"
#include "testutil.h"

static char g_root[64];

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void ckpt(char *buf, size_t n, const train_options *o, long it)
{
    snprintf(buf, n, "%s/%s/checkpoints/ckpt-%08ld.safetensors", o->out_dir, o->out_name, it);
}

static int run(train_options o, long steps, dc_err *e)
{
    o.max_steps = steps;
    return train_run(&o, e);
}

static void flip_byte(const char *path, long from_end)
{
    FILE *f = fopen(path, "r+b");
    TEST_CHECK(f != NULL, "open %s", path);
    if (!f) return;
    fseek(f, -from_end, SEEK_END);
    int c = fgetc(f);
    fseek(f, -from_end, SEEK_END);
    fputc(c ^ 0x10, f);
    fclose(f);
}

static void truncate_half(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) TEST_CHECK(truncate(path, st.st_size / 2) == 0, "truncate");
}

static void test_load_errors(const train_options *base)
{
    printf("checkpoint_load on damaged files\n");
    train_options o = *base;
    snprintf(o.out_name, sizeof o.out_name, "load");
    dc_err e;
    TEST_CHECK(run(o, 2, &e) == 0, "train: %s", e.msg);
    char good[2600], bad[2700];
    ckpt(good, sizeof good, &o, 2);
    dcgan_config cfg = dcgan_config_default();
    TEST_CHECK(checkpoint_read_config(good, &cfg, &e) == 0, "%s", e.msg);
    cfg.batch = o.batch_size;
    dcgan_model m;
    TEST_CHECK(dcgan_model_init(&m, &cfg, &e) == 0, "%s", e.msg);
    TEST_CHECK(checkpoint_load(good, &m, 0, NULL, &e) == 0, "%s", e.msg);

    snprintf(bad, sizeof bad, "%s.bad", good);
    struct {
        const char *label, *want;
        int how;
    } cases[] = {
        {"flipped data bit", "checksum mismatch", 0},
        {"truncated to half", NULL, 1},
        {"empty file", "too short", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len;
        char *raw = test_read_file(good, &len);
        FILE *f = fopen(bad, "wb");
        if (raw && f) fwrite(raw, 1, cases[i].how == 2 ? 0 : len, f);
        if (f) fclose(f);
        free(raw);
        if (cases[i].how == 0) flip_byte(bad, 100);
        if (cases[i].how == 1) truncate_half(bad);
        int rc = checkpoint_load(bad, &m, 0, NULL, &e);
        TEST_CHECK(rc == CHECKPOINT_DAMAGED, "%s: rc %d (%s)", cases[i].label, rc, e.msg);
        TEST_CHECK(strncmp(e.msg, bad, strlen(bad)) == 0, "%s: message does not name the file: %s",
                   cases[i].label, e.msg);
        TEST_CHECK(!cases[i].want || strstr(e.msg, cases[i].want), "%s: %s", cases[i].label, e.msg);
        printf("  %-20s -> %s\n", cases[i].label, e.msg);
        rc = checkpoint_read_config(bad, &cfg, &e);
        TEST_CHECK(rc == CHECKPOINT_DAMAGED, "%s: read_config rc %d", cases[i].label, rc);
    }
    dcgan_model_free(&m);

    /* a sound checkpoint of another model */
    dcgan_config other = cfg;
    other.gf_dim = cfg.gf_dim * 2;
    TEST_CHECK(dcgan_model_init(&m, &other, &e) == 0, "%s", e.msg);
    int rc = checkpoint_load(good, &m, 0, NULL, &e);
    TEST_CHECK(rc == CHECKPOINT_MISMATCH && strstr(e.msg, "differs"), "other model: rc %d %s", rc,
               e.msg);
    dcgan_model_free(&m);
}

/* newest damaged -> resume from the previous, which still ends bit for bit equal */
static void test_fallback(const train_options *base, int how, const char *label)
{
    printf("resume with the newest checkpoint %s\n", label);
    train_options a = *base, b = *base;
    snprintf(a.out_name, sizeof a.out_name, "straight");
    snprintf(b.out_name, sizeof b.out_name, "fallback-%d", how);
    dc_err e;
    char pa[2600], pb[2600], newest[2600], aside[2700];
    ckpt(pa, sizeof pa, &a, 12);
    if (!exists(pa)) TEST_CHECK(run(a, 12, &e) == 0, "straight: %s", e.msg);
    TEST_CHECK(run(b, 8, &e) == 0, "first part: %s", e.msg); /* checkpoints 4 and 8 */
    ckpt(newest, sizeof newest, &b, 8);
    if (how == 0) flip_byte(newest, 1);
    if (how == 1) truncate_half(newest);
    TEST_CHECK(run(b, 12, &e) == 0, "resume: %s", e.msg);
    snprintf(aside, sizeof aside, "%s.damaged", newest);
    TEST_CHECK(exists(aside), "%s not set aside", aside);
    ckpt(pb, sizeof pb, &b, 12);
    TEST_CHECK(testdata_compare_checkpoints(pa, pb) == 0, "resumed from the previous checkpoint "
                                                          "but ended differently");
}

static void test_all_damaged(const train_options *base)
{
    printf("every checkpoint damaged\n");
    train_options b = *base;
    snprintf(b.out_name, sizeof b.out_name, "alldamaged");
    b.max_to_keep = 1;
    dc_err e;
    TEST_CHECK(run(b, 4, &e) == 0, "%s", e.msg);
    char p[2600];
    ckpt(p, sizeof p, &b, 4);
    flip_byte(p, 1);
    int rc = run(b, 8, &e);
    TEST_CHECK(rc != 0, "a run whose only checkpoint is damaged went on");
    TEST_CHECK(strstr(e.msg, "no usable checkpoint") && strstr(e.msg, "checksum mismatch"), "%s",
               e.msg);
    TEST_CHECK(exists(p), "the damaged checkpoint was moved although nothing replaced it");
    printf("  -> %s\n", e.msg);
}

static void test_stale_and_rotation(const train_options *base)
{
    printf("temporary files of a killed run; rotation\n");
    train_options b = *base;
    snprintf(b.out_name, sizeof b.out_name, "stale");
    b.max_to_keep = 2;
    dc_err e;
    TEST_CHECK(run(b, 4, &e) == 0, "%s", e.msg);
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0);
    char tmp[2700], p[2600];
    ckpt(p, sizeof p, &b, 5);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", p, (long)child);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fputs("half a checkpoint", f);
        fclose(f);
    }
    TEST_CHECK(run(b, 12, &e) == 0, "%s", e.msg);
    TEST_CHECK(!exists(tmp), "%s not removed", tmp);
    long iters[16];
    char dir[2600];
    snprintf(dir, sizeof dir, "%s/%s/checkpoints", b.out_dir, b.out_name);
    int n = checkpoint_list(dir, iters, 16);
    TEST_CHECK(n == 2 && iters[0] == 8 && iters[1] == 12, "kept %d checkpoints (want 8 and 12)", n);
}

static int count_lines(const char *path, int *rows_1)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    int n = 0;
    *rows_1 = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strncmp(line, "1,", 2) == 0) (*rows_1)++;
        if (n == 1) TEST_CHECK(strncmp(line, "iteration,epoch,", 16) == 0, "header: %s", line);
    }
    fclose(f);
    return n;
}

/* A run killed before its first checkpoint left rows (or a torn header) in log.csv: the fresh
 * start writes them again, once (found by the crash test). */
static void test_log_after_early_kill(const train_options *base)
{
    printf("log.csv of a run killed before its first checkpoint\n");
    const char *leftovers[] = {
        "iteration,epoch,batch,seconds,d_loss,d_loss_real,d_loss_fake,g_loss,d_real,d_fake\n"
        "1,0,0,0.1,1,1,1,1,1,1\n2,0,1,0.2,1,1,1",
        "iterat",
    };
    for (int k = 0; k < 2; k++) {
        train_options b = *base;
        snprintf(b.out_name, sizeof b.out_name, "earlykill%d", k);
        char dir[2600], log[2700];
        snprintf(dir, sizeof dir, "%s/%s", b.out_dir, b.out_name);
        mkdir(b.out_dir, 0777);
        mkdir(dir, 0777);
        snprintf(log, sizeof log, "%s/log.csv", dir);
        FILE *f = fopen(log, "w");
        if (f) {
            fputs(leftovers[k], f);
            fclose(f);
        }
        dc_err e;
        TEST_CHECK(run(b, 3, &e) == 0, "%s", e.msg);
        int ones = 0, n = count_lines(log, &ones);
        TEST_CHECK(n == 4 && ones == 1, "case %d: %d lines, %d rows of iteration 1 (want 4, 1)", k, n,
                   ones);
    }
}

/* The last sample grid is written before the last checkpoint: a run killed between the two
 * would resume as complete and never write the grid (found by the crash test). */
static void test_last_grid_before_last_checkpoint(const train_options *base)
{
    printf("the last sample grid comes before the last checkpoint\n");
    train_options b = *base;
    snprintf(b.out_name, sizeof b.out_name, "lastgrid");
    b.sample_freq = 7; /* 10 is not a multiple: the last grid is an extra one */
    dc_err e;
    TEST_CHECK(run(b, 10, &e) == 0, "%s", e.msg);
    char grid[2600], ck[2600];
    snprintf(grid, sizeof grid, "%s/%s/samples/train_00000010.png", b.out_dir, b.out_name);
    ckpt(ck, sizeof ck, &b, 10);
    struct stat sg, sc;
    int ok = stat(grid, &sg) == 0 && stat(ck, &sc) == 0;
    TEST_CHECK(ok, "%s or %s missing", grid, ck);
    if (ok)
        TEST_CHECK(sg.st_mtim.tv_sec < sc.st_mtim.tv_sec ||
                       (sg.st_mtim.tv_sec == sc.st_mtim.tv_sec && sg.st_mtim.tv_nsec <= sc.st_mtim.tv_nsec),
                   "the last grid was written after the last checkpoint");
}

int main(void)
{
    test_begin("test_checkpoint");
    log_set_level(LOG_LEVEL_ERROR);
    snprintf(g_root, sizeof g_root, "/tmp/dcgan-ckpt-XXXXXX");
    if (!mkdtemp(g_root)) return 1;
    char data[128], dir[160];
    snprintf(data, sizeof data, "%s/data", g_root);
    snprintf(dir, sizeof dir, "%s/idx", data);
    mkdir(data, 0777);
    mkdir(dir, 0777);
    TEST_CHECK(testdata_write_idx(dir, "train", 40, 1) == 0 && testdata_write_idx(dir, "t10k", 8, 2) == 0,
               "data");

    train_options o;
    train_options_default(&o);
    snprintf(o.data_dir, sizeof o.data_dir, "%s", data);
    snprintf(o.dataset, sizeof o.dataset, "idx");
    snprintf(o.out_dir, sizeof o.out_dir, "%s/out", g_root);
    o.batch_size = 8;
    o.z_dim = 8;
    o.gf_dim = o.df_dim = 4;
    o.gfc_dim = o.dfc_dim = 16;
    o.epochs = 100;
    o.sample_freq = 0;
    o.ckpt_freq = 4;
    o.max_to_keep = 3;
    o.progress = 0;
    o.threads = 1;

    test_load_errors(&o);
    test_fallback(&o, 0, "damaged (a flipped bit)");
    test_fallback(&o, 1, "truncated");
    test_all_damaged(&o);
    test_stale_and_rotation(&o);
    test_log_after_early_kill(&o);
    test_last_grid_before_last_checkpoint(&o);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_root);
    if (!g_test.failures && system(cmd) != 0) printf("could not remove %s\n", g_root);
    return test_finish();
}
