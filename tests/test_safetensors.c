/* safetensors reader/writer: round trip with metadata, a hand-made file with an unaligned header
 * and I64 data, and a set of corrupted files that must each be rejected with "path: problem". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "io/safetensors.h"
#include "testutil.h"

static char g_dir[64];

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", g_dir, name);
}

/* Writes 8-byte length (hlen, or strlen(header) when hlen == UINT64_MAX), header, data. */
static void write_raw(const char *path, const char *header, uint64_t hlen, const void *data,
                      size_t dlen)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        perror(path);
        exit(2);
    }
    size_t jl = strlen(header);
    if (hlen == UINT64_MAX) hlen = jl;
    unsigned char p[8];
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(hlen >> (8 * i));
    fwrite(p, 1, 8, fp);
    fwrite(header, 1, jl, fp);
    if (dlen) fwrite(data, 1, dlen, fp);
    fclose(fp);
}

/* Expects safetensors_read to fail with a message that starts with "path: " and contains want. */
static void expect_reject(const char *label, const char *path, const char *want)
{
    dc_err e = {{0}};
    safetensors_file *f = safetensors_read(path, &e);
    size_t pl = strlen(path);
    int named = strncmp(e.msg, path, pl) == 0 && strncmp(e.msg + pl, ": ", 2) == 0;
    TEST_CHECK(f == NULL, "%s: accepted", label);
    TEST_CHECK(named, "%s: message does not name the file: '%s'", label, e.msg);
    TEST_CHECK(want == NULL || strstr(e.msg, want) != NULL, "%s: message '%s' lacks '%s'", label,
               e.msg, want);
    printf("  %-28s -> %s\n", label, e.msg);
    safetensors_free(f);
}

static void test_round_trip(void)
{
    char path[128];
    tmp_path(path, sizeof path, "rt.safetensors");
    float a[2 * 3 * 4], b[5], c = 3.25f;
    for (int i = 0; i < 24; i++) a[i] = (float)i * 0.5f - 3.0f;
    for (int i = 0; i < 5; i++) b[i] = 1.0f / (float)(i + 1);
    a[7] = -0.0f;
    a[8] = 1e-40f; /* subnormal survives */
    safetensors_entry en[4] = {
        {"layer/w", a, 3, {2, 3, 4}},
        {"b", b, 1, {5}},
        {"scalar", &c, 0, {0}},
        {"empty", NULL, 2, {0, 7}},
    };
    const char *mk[] = {"format", "case1"};
    const char *mv[] = {"pt", "{\"stride\": 2, \"note\": \"quotes \\\" and \\\\\"}"};
    dc_err e = {{0}};
    int rc = safetensors_write(path, en, 4, mk, mv, 2, &e);
    TEST_CHECK(rc == 0, "write failed: %s", e.msg);

    size_t len = 0;
    unsigned char *raw = test_read_file(path, &len);
    TEST_CHECK(raw != NULL && len >= 8, "cannot read back %s", path);
    if (raw) {
        uint64_t hlen = 0;
        for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | raw[i];
        TEST_CHECK(hlen % 8 == 0, "header length %llu not a multiple of 8",
                   (unsigned long long)hlen);
        TEST_CHECK(len == 8 + hlen + (24 + 5 + 1) * 4, "file size %zu", len);
        free(raw);
    }
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    TEST_CHECK(access(tmp, F_OK) != 0, "temporary file left behind");

    safetensors_file *f = safetensors_read(path, &e);
    TEST_CHECK(f != NULL, "read failed: %s", e.msg);
    if (!f) return;
    TEST_CHECK(safetensors_count(f) == 4, "count %zu", safetensors_count(f));
    TEST_CHECK(safetensors_at(f, 4) == NULL, "at(4) not NULL");
    for (size_t i = 0; i < 4 && i < safetensors_count(f); i++) {
        const safetensors_tensor *t = safetensors_at(f, i);
        TEST_CHECK(strcmp(t->name, en[i].name) == 0, "order: %s vs %s", t->name, en[i].name);
        TEST_CHECK(((uintptr_t)t->data % 8) == 0, "%s: data not aligned", t->name);
    }
    const safetensors_tensor *t = safetensors_find(f, "layer/w");
    TEST_CHECK(t && t->dtype == SAFETENSORS_F32 && t->ndim == 3 && t->shape[0] == 2 &&
                   t->shape[1] == 3 && t->shape[2] == 4 && t->numel == 24,
               "layer/w header");
    if (t) TEST_CHECK(memcmp(t->data, a, sizeof a) == 0, "layer/w data differs");
    t = safetensors_find(f, "b");
    TEST_CHECK(t && t->ndim == 1 && t->numel == 5 && memcmp(t->data, b, sizeof b) == 0, "b");
    t = safetensors_find(f, "scalar");
    TEST_CHECK(t && t->ndim == 0 && t->numel == 1 && ((const float *)t->data)[0] == 3.25f,
               "scalar");
    t = safetensors_find(f, "empty");
    TEST_CHECK(t && t->ndim == 2 && t->numel == 0 && t->shape[1] == 7, "empty");
    TEST_CHECK(safetensors_find(f, "nope") == NULL, "find of a missing name");
    const char *m = safetensors_metadata(f, "format");
    TEST_CHECK(m && strcmp(m, "pt") == 0, "metadata format: %s", m ? m : "(null)");
    m = safetensors_metadata(f, "case1");
    TEST_CHECK(m && strcmp(m, mv[1]) == 0, "metadata case1: %s", m ? m : "(null)");
    TEST_CHECK(safetensors_metadata(f, "missing") == NULL, "missing metadata key");
    safetensors_free(f);

    /* Overwrite in place (atomic replace) with no metadata and no tensors. */
    rc = safetensors_write(path, NULL, 0, NULL, NULL, 0, &e);
    TEST_CHECK(rc == 0, "empty write failed: %s", e.msg);
    f = safetensors_read(path, &e);
    TEST_CHECK(f && safetensors_count(f) == 0 && !safetensors_metadata(f, "format"),
               "empty file read back");
    safetensors_free(f);

    /* Writer errors name the path. */
    char bad[160];
    tmp_path(bad, sizeof bad, "no/such/dir/x.safetensors");
    memset(&e, 0, sizeof e);
    rc = safetensors_write(bad, en, 1, NULL, NULL, 0, &e);
    TEST_CHECK(rc == -1 && strncmp(e.msg, bad, strlen(bad)) == 0, "write to missing dir: %s",
               e.msg);
    safetensors_entry dup[2] = {{"x", b, 1, {5}}, {"x", b, 1, {5}}};
    memset(&e, 0, sizeof e);
    rc = safetensors_write(path, dup, 2, NULL, NULL, 0, &e);
    TEST_CHECK(rc == -1 && strstr(e.msg, "duplicate"), "duplicate names written: %s", e.msg);
    printf("  round trip done\n");
}

/* Header of odd length (not a multiple of 8) with an F32 tensor after an I64 one at an offset
 * that is a multiple of 4 only: data must still come back aligned and exact. */
static void test_unaligned_and_i64(void)
{
    char path[128];
    tmp_path(path, sizeof path, "odd.safetensors");
    const char *hdr = "{\"f\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                      "\"i\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[12,28]},"
                      "\"__metadata__\":{\"k\":\"v\"}}";
    unsigned char data[28];
    float fv[3] = {1.5f, -2.0f, 1e30f};
    int64_t iv[2] = {-5, 1234567890123LL};
    memcpy(data, fv, 12);
    memcpy(data + 12, iv, 16);
    write_raw(path, hdr, UINT64_MAX, data, sizeof data);
    TEST_CHECK(strlen(hdr) % 8 != 0, "test header should be unaligned");
    dc_err e = {{0}};
    safetensors_file *f = safetensors_read(path, &e);
    TEST_CHECK(f != NULL, "read failed: %s", e.msg);
    if (!f) return;
    const safetensors_tensor *t = safetensors_find(f, "f");
    TEST_CHECK(t && t->dtype == SAFETENSORS_F32 && (uintptr_t)t->data % 4 == 0 &&
                   memcmp(t->data, fv, 12) == 0,
               "F32 tensor after an odd header");
    t = safetensors_find(f, "i");
    TEST_CHECK(t && t->dtype == SAFETENSORS_I64 && (uintptr_t)t->data % 8 == 0 &&
                   ((const int64_t *)t->data)[0] == -5 &&
                   ((const int64_t *)t->data)[1] == 1234567890123LL,
               "I64 tensor at a 4-aligned offset");
    TEST_CHECK(safetensors_metadata(f, "k") && strcmp(safetensors_metadata(f, "k"), "v") == 0,
               "metadata");
    safetensors_free(f);
    printf("  unaligned header + I64 done\n");
}

static void test_corrupt(void)
{
    char good[128], path[128];
    tmp_path(good, sizeof good, "good.safetensors");
    float v[6] = {1, 2, 3, 4, 5, 6};
    safetensors_entry en[2] = {{"a", v, 2, {2, 2}}, {"b", v + 4, 1, {2}}};
    const char *mk[] = {"m"}, *mv[] = {"x"};
    dc_err e = {{0}};
    TEST_CHECK(safetensors_write(good, en, 2, mk, mv, 1, &e) == 0, "write: %s", e.msg);
    size_t len = 0;
    unsigned char *raw = test_read_file(good, &len);
    TEST_CHECK(raw != NULL, "read good");
    if (!raw) return;

    /* truncated: drop the last 4 bytes of data */
    tmp_path(path, sizeof path, "truncated.safetensors");
    FILE *fp = fopen(path, "wb");
    fwrite(raw, 1, len - 4, fp);
    fclose(fp);
    expect_reject("truncated data", path, "beyond the data section");

    /* truncated inside the header */
    fp = fopen(path, "wb");
    fwrite(raw, 1, 20, fp);
    fclose(fp);
    expect_reject("truncated header", path, "header length");

    /* shorter than the length prefix */
    fp = fopen(path, "wb");
    fwrite(raw, 1, 5, fp);
    fclose(fp);
    expect_reject("5-byte file", path, "too short");

    /* header length beyond the file / above the limit */
    tmp_path(path, sizeof path, "hlen.safetensors");
    unsigned char *cp = malloc(len);
    memcpy(cp, raw, len);
    uint64_t big = len; /* > len - 8 */
    for (int i = 0; i < 8; i++) cp[i] = (unsigned char)(big >> (8 * i));
    fp = fopen(path, "wb");
    fwrite(cp, 1, len, fp);
    fclose(fp);
    expect_reject("header length > file", path, "exceeds");
    big = 200ull * 1024 * 1024;
    for (int i = 0; i < 8; i++) cp[i] = (unsigned char)(big >> (8 * i));
    fp = fopen(path, "wb");
    fwrite(cp, 1, len, fp);
    fclose(fp);
    expect_reject("header length 200 MB", path, "limit");
    big = UINT64_MAX;
    for (int i = 0; i < 8; i++) cp[i] = (unsigned char)(big >> (8 * i));
    fp = fopen(path, "wb");
    fwrite(cp, 1, len, fp);
    fclose(fp);
    expect_reject("header length 2^64-1", path, "limit");
    free(cp);
    free(raw);

    float d[8] = {0};
    struct {
        const char *label, *header, *want;
        size_t dlen;
    } cases[] = {
        {"bad JSON", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "JSON", 8},
        {"trailing garbage", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} x",
         "JSON", 8},
        {"not an object", "[1,2,3]  ", "'{'", 0},
        {"entry not object", "{\"a\":5}", "not a JSON object", 0},
        {"offsets out of range",
         "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", "beyond", 8},
        {"offsets reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}",
         "reversed", 8},
        {"negative offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}",
         "non-negative", 8},
        {"shape/size mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
         "need 12", 8},
        {"I64 size mismatch", "{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,8]}}",
         "need 16", 8},
        {"unknown dtype", "{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}",
         "unsupported dtype", 8},
        {"F16 dtype", "{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
         "unsupported dtype", 8},
        {"missing dtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "dtype", 8},
        {"negative shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
         "shape[0]", 8},
        {"fractional shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}",
         "shape[0]", 8},
        {"9 dims", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],"
                   "\"data_offsets\":[0,8]}}",
         "dimensions", 8},
        {"shape overflow", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                           "\"data_offsets\":[0,8]}}",
         "overflow", 8},
        {"overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
         "overlap", 12},
        {"hole", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                 "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
         "unused", 12},
        {"trailing data", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
         "after the last tensor", 12},
        {"duplicate name", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                           "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
         "duplicate", 8},
        {"metadata not string", "{\"__metadata__\":{\"k\":3}}", "not a string", 0},
        {"metadata not object", "{\"__metadata__\":[\"k\"]}", "not a JSON object", 0},
        {"offsets not pair", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
         "data_offsets", 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tmp_path(path, sizeof path, "case.safetensors");
        write_raw(path, cases[i].header, UINT64_MAX, d, cases[i].dlen);
        expect_reject(cases[i].label, path, cases[i].want);
    }
    /* NUL inside the header */
    tmp_path(path, sizeof path, "nul.safetensors");
    fp = fopen(path, "wb");
    unsigned char hdr[16] = {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', 0, ' ', ' ', ' ', ' ', ' '};
    fwrite(hdr, 1, 16, fp);
    fclose(fp);
    expect_reject("NUL in header", path, "NUL");

    /* missing file, folder */
    tmp_path(path, sizeof path, "does-not-exist.safetensors");
    expect_reject("missing file", path, "cannot open");
    expect_reject("a folder", g_dir, NULL);
}

static void write_bytes(const char *path, const unsigned char *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        perror(path);
        exit(2);
    }
    fwrite(b, 1, n, fp);
    fclose(fp);
}

/* The checksum: present in every written file, equal to the documented formula (CRC-32 of the
 * file with its 8 digits taken as '0'), and any changed byte (data, metadata, tensor table,
 * the digits themselves) is detected; SAFETENSORS_SKIP_CHECKSUM parses regardless. */
static void test_checksum(void)
{
    char good[128], path[128];
    tmp_path(good, sizeof good, "sum.safetensors");
    tmp_path(path, sizeof path, "sum-bad.safetensors");
    float v[6] = {1, 2, 3, 4, 5, 6};
    safetensors_entry en[2] = {{"a", v, 2, {2, 2}}, {"b", v + 4, 1, {2}}};
    const char *mk[] = {"iteration"}, *mv[] = {"120"};
    dc_err e = {{0}};
    TEST_CHECK(safetensors_write(good, en, 2, mk, mv, 1, &e) == 0, "write: %s", e.msg);
    size_t len = 0;
    unsigned char *raw = test_read_file(good, &len);
    TEST_CHECK(raw != NULL, "read back");
    if (!raw) return;

    /* the documented formula, independently */
    unsigned char *cp = malloc(len);
    memcpy(cp, raw, len);
    unsigned char *at = memmem(cp, len, "\"crc32:", 7);
    TEST_CHECK(at != NULL, "no \"crc32: in the header");
    if (at) {
        at += 7;
        char digits[9];
        memcpy(digits, at, 8);
        digits[8] = 0;
        memset(at, '0', 8);
        unsigned long want = strtoul(digits, NULL, 16);
        unsigned long got = crc32(0, cp, (uInt)len);
        TEST_CHECK(got == want, "formula gives %08lx, the file says %s", got, digits);
        printf("  checksum crc32:%s matches the documented formula\n", digits);
    }
    safetensors_file *f = safetensors_read(good, &e);
    TEST_CHECK(f && safetensors_metadata(f, SAFETENSORS_CHECKSUM_KEY), "checksum key: %s", e.msg);
    safetensors_free(f);

    /* one changed byte anywhere is caught: last data byte, the metadata value, a shape digit,
     * a checksum digit */
    struct {
        const char *label, *find, *repl;
    } edits[] = {
        {"data byte", NULL, NULL},
        {"metadata value", "\"120\"", "\"130\""},
        {"tensor shape", "[2,2]", "[4,1]"},
        {"checksum digit", "\"crc32:", NULL},
    };
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        memcpy(cp, raw, len);
        if (!edits[i].find) {
            cp[len - 1] ^= 0x01;
        } else {
            unsigned char *p = memmem(cp, len, edits[i].find, strlen(edits[i].find));
            TEST_CHECK(p != NULL, "%s: pattern missing", edits[i].label);
            if (!p) continue;
            if (edits[i].repl)
                memcpy(p, edits[i].repl, strlen(edits[i].repl));
            else
                p[7] = p[7] == 'f' ? '0' : 'f';
        }
        write_bytes(path, cp, len);
        expect_reject(edits[i].label, path, "checksum");
        if (i == 0) {
            f = safetensors_parse(cp, len, "mem", SAFETENSORS_SKIP_CHECKSUM, &e);
            TEST_CHECK(f != NULL, "SKIP_CHECKSUM still rejects: %s", e.msg);
            safetensors_free(f);
        }
    }
    /* a malformed value */
    memcpy(cp, raw, len);
    unsigned char *p = memmem(cp, len, "\"crc32:", 7);
    if (p) p[3] = 'X';
    write_bytes(path, cp, len);
    expect_reject("malformed checksum", path, "checksum");
    /* reserved key */
    const char *rk[] = {"checksum"}, *rv[] = {"mine"};
    TEST_CHECK(safetensors_write(path, en, 2, rk, rv, 1, &e) != 0 && strstr(e.msg, "reserved"),
               "writer accepted the reserved key: %s", e.msg);
    free(cp);
    free(raw);
}

int main(void)
{
    test_begin("test_safetensors");
    snprintf(g_dir, sizeof g_dir, "/tmp/dcgan-st-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_round_trip();
    test_unaligned_and_i64();
    test_corrupt();
    test_checksum();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", g_dir);
    return test_finish();
}
