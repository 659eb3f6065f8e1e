/* LSUN's layout: an LMDB database (built here by Debian's python3-lmdb) whose keys are hex ids
 * and whose values are encoded images (WebP, with JPEG and PNG among them). It opens as a data
 * set beside image folders: the same items in the same order as a folder of the same files,
 * decoded alike, batches identical through the threaded loader and after a seek; the test
 * split; bad values skipped or named; broken databases named; and a training run on it that
 * resumes bit for bit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <webp/encode.h>

#include "core/rng.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "data/source.h"
#include "io/png_write.h"
#include "train/run.h"
#include "testdata.h"
#include "testutil.h"

#define N_ITEMS 40
#define PY "/usr/bin/python3"
/* snprintf into an array, checked (paths here are short) */
#define PF(buf, ...) TEST_CHECK(snprintf(buf, sizeof buf, __VA_ARGS__) < (int)sizeof buf, "path too long")

static char g_keys[N_ITEMS][41];

static int cmp_key(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n) {
        fprintf(stderr, "test: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* N_ITEMS images 12x10 in dir, named by 40-hex keys (as LSUN's): WebP (lossy and lossless),
 * every fifth a JPEG, every seventh a PNG. */
static void write_images(const char *dir)
{
    rng_state r;
    rng_init(&r, 7);
    uint8_t px[12 * 10 * 3];
    for (int i = 0; i < N_ITEMS; i++) {
        for (int k = 0; k < 40; k++) g_keys[i][k] = "0123456789abcdef"[rng_below(&r, 16)];
        g_keys[i][40] = 0;
        for (size_t j = 0; j < sizeof px; j++) px[j] = (uint8_t)(rng_below(&r, 64) + 40 * (j % 3));
        char p[4200];
        dc_err e;
        if (i % 7 == 3) {
            PF(p, "%s/%s.png", dir, g_keys[i]);
            TEST_CHECK(png_write(p, px, 12, 10, 3, &e) == 0, "%s", e.msg);
            continue;
        }
        if (i % 5 == 1) {
            PF(p, "%s/%s.jpg", dir, g_keys[i]);
            TEST_CHECK(testdata_write_jpeg(p, 12, 10) == 0, "jpeg");
            continue;
        }
        uint8_t *out = NULL;
        size_t n = i % 2 ? WebPEncodeLosslessRGB(px, 12, 10, 36, &out)
                         : WebPEncodeRGB(px, 12, 10, 36, 80, &out);
        TEST_CHECK(n > 0, "WebP encoding");
        PF(p, "%s/%s.webp", dir, g_keys[i]);
        write_bytes(p, out, n);
        WebPFree(out);
    }
}

/* db/data.mdb from the files of src: key = the name without its extension, value = the bytes. */
static int make_db(const char *src, const char *db)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             PY " -c 'import lmdb, os, sys\n"
                "src, db = sys.argv[1], sys.argv[2]\n"
                "env = lmdb.open(db, map_size=1 << 26, subdir=True)\n"
                "with env.begin(write=True) as t:\n"
                "    for f in sorted(os.listdir(src)):\n"
                "        t.put(f.rsplit(\".\", 1)[0].encode(), open(os.path.join(src, f), \"rb\").read())\n"
                "env.close()\n' '%s' '%s'",
             src, db);
    int rc = system(cmd);
    TEST_CHECK(rc == 0, "building the LMDB database needs Debian's python3-lmdb "
                        "(scripts/install-deps): %s exited %d", PY, rc);
    return rc;
}

static dataset_source source_of(const char *data_dir, const char *name, const char *pattern)
{
    dataset_source s;
    memset(&s, 0, sizeof s);
    s.data_dir = data_dir;
    s.dataset = name;
    s.input_fname_pattern = pattern;
    s.output_h = s.output_w = 8;
    s.background[0] = s.background[1] = s.background[2] = 255;
    s.skip_bad_images = 1;
    return s;
}

/* Batches of the two sets through threaded loaders: identical, also after a seek. */
static void compare_loaders(const dataset *a, const dataset *b)
{
    dc_err e = {{0}};
    loader *la = loader_create(a, 4, 11, 0, 0, 1, 2, 3, &e);
    loader *lb = loader_create(b, 4, 11, 0, 0, 1, 0, 1, &e);
    TEST_CHECK(la && lb, "loaders: %s", e.msg);
    if (!la || !lb) {
        loader_free(la);
        loader_free(lb);
        return;
    }
    size_t n = (size_t)4 * a->C * a->H * a->W;
    float *xa = malloc(n * sizeof(float)), *xb = malloc(n * sizeof(float));
    int same = 1;
    for (int s = 0; s < 25; s++) { /* 2.5 epochs of 10 steps */
        if (s == 17) { /* a resume: the position the checkpoint of step 13 stores */
            loader_seek_items(la, 1, 12);
            loader_seek_items(lb, 1, 12);
        }
        long ea, ba, eb, bb;
        if (loader_next(la, xa, NULL, &ea, &ba, &e) != 0 || loader_next(lb, xb, NULL, &eb, &bb, &e) != 0) {
            TEST_CHECK(0, "loader_next: %s", e.msg);
            break;
        }
        same &= ea == eb && ba == bb && memcmp(xa, xb, n * sizeof(float)) == 0;
    }
    TEST_CHECK(same, "LMDB batches (threaded) equal the folder's (synchronous), across epochs and a seek");
    free(xa);
    free(xb);
    loader_free(la);
    loader_free(lb);
}

static void test_open(const char *root)
{
    char data[4200], imgs[4200], db[4200];
    PF(data, "%s/data", root);
    PF(imgs, "%s/data/files", root);
    PF(db, "%s/data/bedroom_train_lmdb", root);
    dataset_source so = source_of(data, "bedroom_train_lmdb", "*.jpg");
    dataset lm, fo;
    char src[4200];
    dc_err e = {{0}};
    TEST_CHECK(dataset_open_source(&so, &lm, src, sizeof src, &e) == 0, "open LMDB: %s", e.msg);
    if (!lm.db) return;
    TEST_CHECK(lm.count == N_ITEMS && lm.C == 3 && lm.H == 8 && lm.db != NULL,
               "%d items of %dx%dx%d", lm.count, lm.H, lm.W, lm.C);
    /* the folder of the same files: sorted by name = by key */
    dataset_source sf = source_of(data, "files", "*");
    TEST_CHECK(dataset_open_source(&sf, &fo, src, sizeof src, &e) == 0, "open folder: %s", e.msg);
    char name[4400];
    int order = 1;
    for (int i = 0; i < N_ITEMS && i < lm.count && i < fo.count; i++) {
        dataset_item_name(&lm, i, name, sizeof name);
        const char *key = strrchr(name, '[');
        const char *base = strrchr(fo.paths[i], '/') + 1;
        order &= key && strncmp(key + 1, base, 40) == 0;
    }
    TEST_CHECK(order, "LMDB keys in the folder's file order (e.g. %s)", name);
    size_t per = (size_t)lm.C * lm.H * lm.W;
    float *a = malloc(per * sizeof(float)), *b = malloc(per * sizeof(float));
    int same = 1;
    for (int i = 0; i < N_ITEMS && i < lm.count; i++) {
        same &= dataset_load_item(&lm, i, &lm.spec, a, &e) == 0 &&
                dataset_load_item(&fo, i, &fo.spec, b, &e) == 0 && memcmp(a, b, per * 4) == 0;
    }
    TEST_CHECK(same, "every LMDB value decodes as its file does: %s", e.msg);
    free(a);
    free(b);
    compare_loaders(&lm, &fo);
    dataset_free(&lm);
    dataset_free(&fo);

    so.split = DATASET_SPLIT_TEST;
    TEST_CHECK(dataset_open_source(&so, &lm, src, sizeof src, &e) == 0 && lm.count == N_ITEMS / 10,
               "test split: %d items (%s)", lm.count, e.msg);
    if (lm.count > 0) {
        dataset_item_name(&lm, 0, name, sizeof name);
        TEST_CHECK(strstr(name, g_keys[9]) != NULL, "the split's first item is the tenth key: %s", name);
    }
    dataset_free(&lm);
    (void)db;
    (void)imgs;
}

static void test_bad(const char *root)
{
    char data[4200], files[4200], db[4200], p[4400];
    PF(data, "%s/bad", root);
    PF(files, "%s/bad/files", root);
    PF(db, "%s/bad/broken_lmdb", root);
    PF(p, "mkdir -p '%s' '%s'", files, db);
    TEST_CHECK(system(p) == 0, "mkdir");
    /* 8 good values, and a truncated WebP under key 'k3' */
    uint8_t px[8 * 8 * 3];
    memset(px, 90, sizeof px);
    uint8_t *out = NULL;
    size_t n = WebPEncodeRGB(px, 8, 8, 24, 80, &out);
    for (int i = 0; i < 8; i++) {
        PF(p, "%s/k%d.webp", files, i);
        write_bytes(p, out, i == 3 ? n / 2 : n);
    }
    WebPFree(out);
    if (make_db(files, db) != 0) return;
    dataset_source so = source_of(data, "broken_lmdb", "*");
    so.output_h = so.output_w = 4;
    dataset ds;
    char src[4200];
    dc_err e = {{0}};
    TEST_CHECK(dataset_open_source(&so, &ds, src, sizeof src, &e) == 0, "%s", e.msg);
    float batch[8 * 3 * 16];
    ds.spec.skip_bad = 0;
    loader *l = loader_create(&ds, 8, 1, 0, 0, 1, 2, 2, &e);
    TEST_CHECK(l && loader_next(l, batch, NULL, NULL, NULL, &e) == -1 &&
                   strstr(e.msg, "broken_lmdb/data.mdb[k3]: truncated WebP"),
               "a bad value named with its key: %s", e.msg);
    printf("  -> %s\n", e.msg);
    loader_free(l);
    ds.spec.skip_bad = 1;
    l = loader_create(&ds, 8, 1, 0, 0, 1, 2, 2, &e);
    TEST_CHECK(l && loader_next(l, batch, NULL, NULL, NULL, &e) == 0 && loader_bad_count(l) == 1,
               "skipped with --on-bad-image skip: %s", e.msg);
    loader_free(l);
    dataset_free(&ds);

    /* not a database; no entries */
    PF(p, "%s/garbage_lmdb", data);
    mkdir(p, 0777);
    PF(p, "%s/garbage_lmdb/data.mdb", data);
    write_bytes(p, (const uint8_t *)"this is not an LMDB file, just text......", 40);
    so = source_of(data, "garbage_lmdb", "*");
    TEST_CHECK(dataset_open_source(&so, &ds, src, sizeof src, &e) == -1 &&
                   strstr(e.msg, "garbage_lmdb/data.mdb: cannot open the LMDB database"),
               "garbage named: %s", e.msg);
    printf("  -> %s\n", e.msg);
    PF(p, "%s/nofiles", data);
    mkdir(p, 0777);
    PF(db, "%s/empty_lmdb", data);
    if (make_db(p, db) != 0) return;
    so = source_of(data, "empty_lmdb", "*");
    TEST_CHECK(dataset_open_source(&so, &ds, src, sizeof src, &e) == -1 &&
                   strstr(e.msg, "empty_lmdb/data.mdb: the LMDB database has no entries"),
               "empty named: %s", e.msg);
    printf("  -> %s\n", e.msg);
}

static int run_steps(const char *root, const char *name, long steps, char *ckpt, size_t n)
{
    train_options o;
    train_options_default(&o);
    snprintf(o.data_dir, sizeof o.data_dir, "%s/data", root);
    snprintf(o.dataset, sizeof o.dataset, "bedroom_train_lmdb");
    snprintf(o.out_dir, sizeof o.out_dir, "%s/out", root);
    snprintf(o.out_name, sizeof o.out_name, "%s", name);
    o.output_h = 16;
    o.batch_size = 8;
    o.z_dim = 8;
    o.gf_dim = o.df_dim = 4;
    o.max_steps = steps;
    o.sample_freq = 0;
    o.ckpt_freq = 0;
    o.progress = 0;
    o.threads = 2;
    o.tensorboard = 0;
    dc_err e = {{0}};
    int rc = train_run(&o, &e);
    TEST_CHECK(rc == 0, "train_run on LMDB: %s", e.msg);
    snprintf(ckpt, n, "%s/out/%s/checkpoints/ckpt-%08ld.safetensors", root, name, steps);
    return rc;
}

/* 7 iterations (5 per epoch) straight, and 3 then resumed to 7: the same checkpoint. */
static void test_resume(const char *root)
{
    char a[4400], b[4400], real[4400];
    if (run_steps(root, "straight", 7, a, sizeof a) != 0) return;
    run_steps(root, "resumed", 3, b, sizeof b);
    run_steps(root, "resumed", 7, b, sizeof b);
    TEST_CHECK(testdata_compare_checkpoints(a, b) == 0, "a resumed LMDB run equals a straight one");
    PF(real, "%s/out/straight/samples/real.png", root);
    struct stat st;
    TEST_CHECK(stat(real, &st) == 0, "samples/real.png written");
}

int main(void)
{
    test_begin("test_lmdb");
    if (test_tmpdir_create("test_lmdb") != 0) return 1;
    char root[4200], files[4300], db[4300], cmd[9000];
    PF(root, "%s", test_tmpdir());
    PF(files, "%s/data/files", root);
    PF(db, "%s/data/bedroom_train_lmdb", root);
    PF(cmd, "mkdir -p '%s'", files);
    TEST_CHECK(system(cmd) == 0, "mkdir");
    write_images(files);
    qsort(g_keys, N_ITEMS, sizeof g_keys[0], cmp_key); /* the database's order */
    if (make_db(files, db) == 0) {
        test_open(root);
        test_bad(root);
        test_resume(root);
    }
    test_tmpdir_remove();
    return test_finish();
}
