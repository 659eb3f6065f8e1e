/* .npy reading and writing: round trips, '<f8' conversion, version 2.0/3.0 headers, and
 * malformed files (fortran order, other dtypes, truncation, bad headers). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/npy.h"
#include "testutil.h"

/* Writes a .npy with the given version, header dict (padded to 64 as numpy does unless
 * nopad) and data bytes. */
static void write_raw(const char *path, int major, const char *dict, const void *data,
                      size_t nbytes)
{
    size_t pre = major == 1 ? 10 : 12;
    size_t dl = strlen(dict);
    size_t total = (pre + dl + 1 + 63) / 64 * 64;
    size_t hlen = total - pre;
    uint8_t *b = calloc(total + nbytes, 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (uint8_t)major;
    b[7] = 0;
    if (major == 1) {
        b[8] = (uint8_t)hlen;
        b[9] = (uint8_t)(hlen >> 8);
    } else {
        b[8] = (uint8_t)hlen;
        b[9] = (uint8_t)(hlen >> 8);
        b[10] = b[11] = 0;
    }
    memcpy(b + pre, dict, dl);
    memset(b + pre + dl, ' ', hlen - dl - 1);
    b[total - 1] = '\n';
    if (nbytes) memcpy(b + total, data, nbytes);
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, total + nbytes, f);
    fclose(f);
    free(b);
}

static void test_round_trip(void)
{
    float a[2 * 3 * 4];
    for (int i = 0; i < 24; i++) a[i] = (float)i * 0.25f - 3.0f;
    int64_t shape[3] = {2, 3, 4};
    dc_err e = {{0}};
    TEST_CHECK(npy_write_f32(test_tmpdir_path("a.npy"), a, 3, shape, &e) == 0, "write: %s", e.msg);
    size_t len;
    uint8_t *raw = test_read_file(test_tmpdir_path("a.npy"), &len);
    /* the 63-character dict + 10 + '\n' pads to 128 */
    TEST_CHECK(raw && len == 128 + 24 * 4 && raw[8] + 256 * raw[9] == 118 && raw[127] == '\n',
               "layout: data at 128 (len %zu)", len);
    if (raw && len >= 128) {
        char hdr[128] = {0};
        memcpy(hdr, raw + 10, 117);
        printf("  header: %s\n", hdr);
        TEST_CHECK(strstr(hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }") ==
                       hdr,
                   "numpy-style header: %s", hdr);
    }
    free(raw);
    float *b = NULL;
    int nd = 0;
    int64_t sh[NPY_MAX_DIMS];
    TEST_CHECK(npy_read_f32(test_tmpdir_path("a.npy"), &b, &nd, sh, &e) == 0, "read: %s", e.msg);
    if (b) {
        TEST_CHECK(nd == 3 && sh[0] == 2 && sh[1] == 3 && sh[2] == 4, "shape");
        TEST_CHECK(memcmp(a, b, sizeof a) == 0, "data");
        free(b);
    }
    /* 1-d "(5,)" and 0-d "()" */
    int64_t s1[1] = {5};
    TEST_CHECK(npy_write_f32(test_tmpdir_path("v.npy"), a, 1, s1, &e) == 0, "write 1-d");
    raw = test_read_file(test_tmpdir_path("v.npy"), &len);
    TEST_CHECK(raw && strstr((char *)raw + 10, "'shape': (5,), }"), "1-d tuple");
    free(raw);
    b = NULL;
    TEST_CHECK(npy_read_f32(test_tmpdir_path("v.npy"), &b, &nd, sh, &e) == 0 && nd == 1 && sh[0] == 5 &&
                   memcmp(b, a, 20) == 0,
               "1-d round trip");
    free(b);
    TEST_CHECK(npy_write_f32(test_tmpdir_path("s.npy"), a, 0, NULL, &e) == 0, "write scalar");
    b = NULL;
    TEST_CHECK(npy_read_f32(test_tmpdir_path("s.npy"), &b, &nd, sh, &e) == 0 && nd == 0 && b[0] == a[0],
               "scalar round trip");
    free(b);
    /* an empty array */
    int64_t s0[2] = {0, 3};
    TEST_CHECK(npy_write_f32(test_tmpdir_path("z.npy"), a, 2, s0, &e) == 0, "write empty");
    b = NULL;
    TEST_CHECK(npy_read_f32(test_tmpdir_path("z.npy"), &b, &nd, sh, &e) == 0 && nd == 2 && sh[0] == 0,
               "empty round trip: %s", e.msg);
    free(b);
}

static void test_variants(void)
{
    /* '<f8' converted; version 2.0 and 3.0 headers; double quotes, odd spacing, key order */
    double d[6] = {1.5, -2.25, 3e-3, 1e30, 0, -0.0};
    float want[6];
    for (int i = 0; i < 6; i++) want[i] = (float)d[i];
    const struct {
        int major;
        const char *dict;
    } v[] = {
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"},
        {2, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }"},
        {3, "{\"shape\":(3,2),\"fortran_order\":False,\"descr\":\"<f8\"}"},
    };
    for (int i = 0; i < 3; i++) {
        write_raw(test_tmpdir_path("d.npy"), v[i].major, v[i].dict, d, sizeof d);
        float *b = NULL;
        int nd;
        int64_t sh[NPY_MAX_DIMS];
        dc_err e = {{0}};
        int rc = npy_read_f32(test_tmpdir_path("d.npy"), &b, &nd, sh, &e);
        TEST_CHECK(rc == 0, "v%d f8: %s", v[i].major, e.msg);
        if (rc == 0) {
            TEST_CHECK(sh[0] * (nd == 2 ? sh[1] : 1) == 6, "v%d shape", v[i].major);
            TEST_CHECK(memcmp(b, want, sizeof want) == 0, "v%d f8 values", v[i].major);
        }
        free(b);
    }
}

static void expect_fail(const char *name, int major, const char *dict, size_t nbytes,
                        const char *needle)
{
    uint8_t data[256] = {0};
    write_raw(test_tmpdir_path(name), major, dict, data, nbytes);
    float *b = NULL;
    int nd;
    int64_t sh[NPY_MAX_DIMS];
    dc_err e = {{0}};
    int rc = npy_read_f32(test_tmpdir_path(name), &b, &nd, sh, &e);
    TEST_CHECK(rc == -1 && b == NULL, "%s should fail", name);
    TEST_CHECK(strstr(e.msg, test_tmpdir_path(name)) == e.msg, "%s: message names the file: %s", name, e.msg);
    if (needle) TEST_CHECK(strstr(e.msg, needle) != NULL, "%s: '%s' not in %s", name, needle,
                           e.msg);
    printf("  %-12s -> %s\n", name, e.msg);
}

static void test_bad(void)
{
    expect_fail("fortran", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16,
                "fortran");
    expect_fail("int64", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 16,
                "'<i8'");
    expect_fail("bigend", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8,
                "'>f4'");
    expect_fail("trunc", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20,
                "truncated");
    expect_fail("extra", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12,
                "mismatch");
    expect_fail("noshape", 1, "{'descr': '<f4', 'fortran_order': False, }", 8, "shape");
    expect_fail("badshape", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 8,
                "shape");
    expect_fail("notdict", 1, "'descr': '<f4'", 8, NULL);
    expect_fail("version", 4, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8,
                "version");
    FILE *f = fopen(test_tmpdir_path("magic"), "wb");
    fputs("PK\x03\x04 this is a zip", f);
    fclose(f);
    float *b = NULL;
    int nd;
    int64_t sh[NPY_MAX_DIMS];
    dc_err e = {{0}};
    TEST_CHECK(npy_read_f32(test_tmpdir_path("magic"), &b, &nd, sh, &e) == -1 && strstr(e.msg, "magic"),
               "bad magic: %s", e.msg);
    /* header length pointing past the end of the file */
    f = fopen(test_tmpdir_path("hlen"), "wb");
    fwrite("\x93NUMPY\x01\x00\xff\x7f{'descr'", 1, 18, f);
    fclose(f);
    TEST_CHECK(npy_read_f32(test_tmpdir_path("hlen"), &b, &nd, sh, &e) == -1, "header past end: %s", e.msg);
    TEST_CHECK(npy_read_f32(test_tmpdir_path("missing"), &b, &nd, sh, &e) == -1 &&
                   strstr(e.msg, "No such file"),
               "missing: %s", e.msg);
}

int main(void)
{
    test_begin("test_npy");
    if (test_tmpdir_create("test_npy") != 0) return 1;
    test_round_trip();
    test_variants();
    test_bad();
    test_tmpdir_remove();
    return test_finish();
}
