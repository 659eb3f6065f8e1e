/* IDX reading (raw and gzip) and dataset_load_idx: round trips, malformed files, Fashion-MNIST. */
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "data/dataset.h"
#include "data/idx.h"
#include "testutil.h"

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", test_tmpdir(), name);
}

static void write_bytes(const char *path, const uint8_t *b, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        if (n) gzwrite(f, b, (unsigned)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        if (n) fwrite(b, 1, n, f);
        fclose(f);
    }
}

static size_t put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

/* images file: count x rows x cols, pixel(i, k) = pix(i, k); extra: trailing bytes (may be
 * negative: cut that many bytes off the end). */
static void write_images(const char *path, uint32_t magic, int count, int rows, int cols,
                         const uint8_t *px, int gz, int extra)
{
    size_t n = 16 + (size_t)count * rows * cols;
    uint8_t *b = calloc(n + 16, 1);
    size_t o = put_be32(b, magic);
    o += put_be32(b + o, (uint32_t)count);
    o += put_be32(b + o, (uint32_t)rows);
    o += put_be32(b + o, (uint32_t)cols);
    memcpy(b + o, px, (size_t)count * rows * cols);
    for (int i = 0; i < extra; i++) b[n + i] = 0xab;
    write_bytes(path, b, (size_t)((long)n + extra), gz);
    free(b);
}

static void write_labels(const char *path, int count, const uint8_t *lab, int gz, int extra)
{
    size_t n = 8 + (size_t)count;
    uint8_t *b = calloc(n + 16, 1);
    size_t o = put_be32(b, 0x00000801);
    o += put_be32(b + o, (uint32_t)count);
    memcpy(b + o, lab, (size_t)count);
    write_bytes(path, b, (size_t)((long)n + extra), gz);
    free(b);
}

static int names(const dc_err *e, const char *path)
{
    return strstr(e->msg, path) != NULL;
}

static void test_round_trip(void)
{
    uint8_t px[3 * 2 * 5];
    for (int i = 0; i < 30; i++) px[i] = (uint8_t)(i * 7 + 3);
    uint8_t lab[3] = {9, 0, 4};
    for (int gz = 0; gz < 2; gz++) {
        char ip[512], lp[512];
        path_in(ip, sizeof ip, gz ? "img.gz" : "img");
        path_in(lp, sizeof lp, gz ? "lab.gz" : "lab");
        write_images(ip, 0x803, 3, 2, 5, px, gz, 0);
        write_labels(lp, 3, lab, gz, 0);
        dc_err e = {{0}};
        uint8_t *got = NULL, *gl = NULL;
        int n = 0, r = 0, c = 0, nl = 0;
        int rc = idx_read_images(ip, &got, &n, &r, &c, &e);
        TEST_CHECK(rc == 0, "gz=%d images: %s", gz, e.msg);
        if (rc == 0) {
            TEST_CHECK(n == 3 && r == 2 && c == 5, "dims %d %d %d", n, r, c);
            TEST_CHECK(memcmp(got, px, 30) == 0, "gz=%d pixels differ", gz);
        }
        free(got);
        rc = idx_read_labels(lp, &gl, &nl, &e);
        TEST_CHECK(rc == 0, "gz=%d labels: %s", gz, e.msg);
        if (rc == 0) TEST_CHECK(nl == 3 && memcmp(gl, lab, 3) == 0, "labels differ");
        free(gl);
        /* a labels file read as images (and vice versa) is a magic error */
        got = NULL;
        rc = idx_read_images(lp, &got, &n, &r, &c, &e);
        TEST_CHECK(rc == -1 && names(&e, lp) && strstr(e.msg, "magic"), "labels as images: %s",
                   e.msg);
        TEST_CHECK(got == NULL, "no buffer on failure");
        rc = idx_read_labels(ip, &gl, &nl, &e);
        TEST_CHECK(rc == -1 && names(&e, ip), "images as labels: %s", e.msg);
    }
}

static void expect_fail(const char *path, const char *what, const char *needle)
{
    dc_err e = {{0}};
    uint8_t *p = NULL;
    int n, r, c;
    int rc = idx_read_images(path, &p, &n, &r, &c, &e);
    TEST_CHECK(rc == -1, "%s: should fail", what);
    TEST_CHECK(names(&e, path), "%s: message should name the file: %s", what, e.msg);
    if (needle) TEST_CHECK(strstr(e.msg, needle) != NULL, "%s: '%s' not in: %s", what, needle,
                           e.msg);
    TEST_CHECK(p == NULL, "%s: buffer returned", what);
    printf("  %-28s -> %s\n", what, e.msg);
}

static void test_bad_files(void)
{
    uint8_t px[4 * 3 * 3];
    for (int i = 0; i < 36; i++) px[i] = (uint8_t)i;
    char p[512];
    path_in(p, sizeof p, "badmagic");
    write_images(p, 0x804, 4, 3, 3, px, 0, 0);
    expect_fail(p, "bad magic", "magic");
    path_in(p, sizeof p, "trunc");
    write_images(p, 0x803, 4, 3, 3, px, 0, -5);
    expect_fail(p, "truncated raw", "truncated");
    path_in(p, sizeof p, "trunc.gz");
    write_images(p, 0x803, 4, 3, 3, px, 1, -5);
    expect_fail(p, "truncated data in gzip", "truncated");
    path_in(p, sizeof p, "trailing");
    write_images(p, 0x803, 4, 3, 3, px, 0, 3);
    expect_fail(p, "trailing bytes raw", "trailing");
    path_in(p, sizeof p, "trailing.gz");
    write_images(p, 0x803, 4, 3, 3, px, 1, 3);
    expect_fail(p, "trailing bytes gzip", "trailing");
    path_in(p, sizeof p, "empty");
    write_bytes(p, px, 0, 0);
    expect_fail(p, "empty file", "empty");
    path_in(p, sizeof p, "header-only");
    write_bytes(p, (const uint8_t *)"\0\0\x08\x03\0\0", 6, 0);
    expect_fail(p, "truncated header", "truncated");
    path_in(p, sizeof p, "zerodim");
    write_images(p, 0x803, 4, 0, 3, px, 0, 0);
    expect_fail(p, "zero dimension", NULL);
    path_in(p, sizeof p, "huge");
    write_bytes(p, (const uint8_t *)"\0\0\x08\x03\x7f\xff\xff\xff\0\x01\x86\xa0\0\x01\x86\xa0xyz", 19, 0);
    expect_fail(p, "huge claimed size", NULL);
    /* found by fuzz_idx: 2 x (2^32-1) x (2^32-1) overflowed the size product (signed overflow,
     * undefined behaviour; make SAN=1 test catches a regression) */
    path_in(p, sizeof p, "overflow");
    write_bytes(p, (const uint8_t *)"\0\0\x08\x03\0\0\0\x02\xff\xff\xff\xff\xff\xff\xff\xffxyz", 19, 0);
    expect_fail(p, "dims whose product overflows", "implausible");
    path_in(p, sizeof p, "does-not-exist");
    expect_fail(p, "missing file", "No such file");
    /* a gzip stream cut short in the compressed bytes */
    char g[512];
    path_in(g, sizeof g, "full.gz");
    write_images(g, 0x803, 4, 3, 3, px, 1, 0);
    size_t len = 0;
    uint8_t *b = test_read_file(g, &len);
    path_in(p, sizeof p, "cut.gz");
    write_bytes(p, b, len - 12, 0);
    free(b);
    expect_fail(p, "truncated gzip stream", NULL);
}

/* train: 5 items (gzip), t10k: 3 items (raw); pixel value encodes the label. */
static void make_set(const char *sub, int n_train_labels)
{
    char d[512], p[600];
    path_in(d, sizeof d, sub);
    mkdir(d, 0755);
    uint8_t px[8 * 2 * 2], lab[8];
    for (int i = 0; i < 8; i++) {
        lab[i] = (uint8_t)(i % 10);
        for (int k = 0; k < 4; k++) px[i * 4 + k] = (uint8_t)(lab[i] * 25 + k);
    }
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", d);
    write_images(p, 0x803, 5, 2, 2, px, 1, 0);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte.gz", d);
    write_labels(p, n_train_labels, lab, 1, 0);
    snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte", d);
    write_images(p, 0x803, 3, 2, 2, px + 20, 0, 0);
    snprintf(p, sizeof p, "%s/t10k-labels-idx1-ubyte", d);
    write_labels(p, 3, lab + 5, 0, 0);
}

static void test_dataset_idx(void)
{
    make_set("set", 5);
    char d[512];
    path_in(d, sizeof d, "set");
    dataset ds;
    dc_err e = {{0}};
    int rc = dataset_load_idx(&ds, d, &e);
    TEST_CHECK(rc == 0, "load: %s", e.msg);
    if (rc == 0) {
        TEST_CHECK(ds.count == 8 && ds.C == 1 && ds.H == 2 && ds.W == 2, "shape %d %d %d %d",
                   ds.count, ds.C, ds.H, ds.W);
        TEST_CHECK(ds.num_classes == 10 && ds.labels && ds.images && !ds.paths, "classes");
        TEST_CHECK(ds.lo == 0.0f && ds.hi == 1.0f, "range");
        for (int i = 0; i < 10; i++) {
            char want[2] = {(char)('0' + i), 0};
            TEST_CHECK(strcmp(ds.class_names[i], want) == 0, "class name %d", i);
        }
        int seen[8] = {0}, identity = 1;
        for (int i = 0; i < ds.count; i++) {
            int l = ds.labels[i];
            TEST_CHECK(l >= 0 && l < 8, "label %d", l);
            if (l < 0 || l >= 8) continue;
            seen[l]++;
            if (l != i) identity = 0;
            for (int k = 0; k < 4; k++)
                TEST_CHECK(ds.images[i * 4 + k] == (float)(l * 25 + k) / 255.0f,
                           "item %d pixel %d: %g (label %d)", i, k, ds.images[i * 4 + k], l);
        }
        for (int l = 0; l < 8; l++) TEST_CHECK(seen[l] == 1, "label %d seen %d times", l, seen[l]);
        TEST_CHECK(!identity, "items should be shuffled");
        /* the shuffle is fixed: loading again gives the same order */
        dataset ds2;
        if (dataset_load_idx(&ds2, d, &e) == 0) {
            TEST_CHECK(memcmp(ds.labels, ds2.labels, sizeof(int) * 8) == 0, "same shuffle");
            dataset_free(&ds2);
        }
        dataset_free(&ds);
    }
    make_set("mismatch", 4);
    path_in(d, sizeof d, "mismatch");
    rc = dataset_load_idx(&ds, d, &e);
    TEST_CHECK(rc == -1 && strstr(e.msg, "train-labels-idx1-ubyte.gz"), "count mismatch: %s",
               e.msg);
    printf("  count mismatch -> %s\n", e.msg);
    path_in(d, sizeof d, "nothing-here");
    rc = dataset_load_idx(&ds, d, &e);
    TEST_CHECK(rc == -1 && names(&e, d), "missing dir: %s", e.msg);
    printf("  missing files -> %s\n", e.msg);
}

static void test_fashion_mnist(void)
{
    const char *dir = "/usr/share/datasets/fashion-mnist";
    if (access(dir, R_OK) != 0) {
        printf("  note: %s absent, Fashion-MNIST check skipped\n", dir);
        return;
    }
    dataset ds;
    dc_err e = {{0}};
    int rc = dataset_load_idx(&ds, dir, &e);
    TEST_CHECK(rc == 0, "fashion-mnist: %s", e.msg);
    if (rc != 0) return;
    TEST_CHECK(ds.count == 70000 && ds.C == 1 && ds.H == 28 && ds.W == 28, "shape %d %dx%dx%d",
               ds.count, ds.C, ds.H, ds.W);
    float mn = 1e9f, mx = -1e9f;
    for (size_t i = 0; i < (size_t)ds.count * 784; i++) {
        if (ds.images[i] < mn) mn = ds.images[i];
        if (ds.images[i] > mx) mx = ds.images[i];
    }
    TEST_CHECK(mn == 0.0f && mx == 1.0f, "range [%g, %g]", mn, mx);
    int hist[10] = {0}, bad = 0;
    for (int i = 0; i < ds.count; i++) {
        if (ds.labels[i] < 0 || ds.labels[i] > 9) bad++;
        else hist[ds.labels[i]]++;
    }
    TEST_CHECK(bad == 0, "%d labels outside 0..9", bad);
    for (int l = 0; l < 10; l++) TEST_CHECK(hist[l] == 7000, "label %d: %d items", l, hist[l]);
    printf("  fashion-mnist: %d items %dx%d, range [%g, %g]\n", ds.count, ds.H, ds.W, mn, mx);
    dataset_free(&ds);
    /* the splits alone, in file order: t10k's first item is an ankle boot (9), 1000 a class */
    static const int want_count[2] = {60000, 10000}, want_each[2] = {6000, 1000};
    for (int part = 0; part < 2; part++) {
        rc = dataset_load_idx_parts(&ds, dir, part ? DATASET_IDX_TEST : DATASET_IDX_TRAIN, 0, &e);
        TEST_CHECK(rc == 0, "fashion-mnist part %d: %s", part, e.msg);
        if (rc != 0) return;
        TEST_CHECK(ds.count == want_count[part], "part %d: %d items", part, ds.count);
        TEST_CHECK(ds.labels[0] == 9, "part %d: first label %d", part, ds.labels[0]);
        int h[10] = {0};
        for (int i = 0; i < ds.count; i++) h[ds.labels[i]]++;
        for (int l = 0; l < 10; l++)
            TEST_CHECK(h[l] == want_each[part], "part %d label %d: %d", part, l, h[l]);
        dataset_free(&ds);
    }
}

int main(void)
{
    test_begin("test_idx");
    if (test_tmpdir_create("test_idx") != 0) return 1;
    test_round_trip();
    test_bad_files();
    test_dataset_idx();
    test_fashion_mnist();
    test_tmpdir_remove();
    return test_finish();
}
