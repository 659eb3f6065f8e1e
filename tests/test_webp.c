/* WebP images (libwebp): lossless and lossy files decode to the pixels they hold, alpha is
 * composited onto the background, the header gives the size, and truncated, corrupt and
 * oversized files fail with a message naming the file; a folder of WebP files is a data set. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <webp/encode.h>

#include "data/dataset.h"
#include "data/image.h"
#include "testutil.h"

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n) {
        fprintf(stderr, "test: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* A w x h image of one colour (alpha a when rgba), lossless or lossy (quality 90). */
static void write_webp(const char *path, int w, int h, const uint8_t rgb[3], int rgba, int a,
                       int lossless)
{
    int nc = rgba ? 4 : 3;
    uint8_t *px = malloc((size_t)w * h * nc);
    for (int i = 0; i < w * h; i++) {
        memcpy(px + (size_t)i * nc, rgb, 3);
        if (rgba) px[(size_t)i * nc + 3] = (uint8_t)a;
    }
    uint8_t *out = NULL;
    size_t n = lossless ? (rgba ? WebPEncodeLosslessRGBA(px, w, h, w * nc, &out)
                                : WebPEncodeLosslessRGB(px, w, h, w * nc, &out))
                        : (rgba ? WebPEncodeRGBA(px, w, h, w * nc, 90, &out)
                                : WebPEncodeRGB(px, w, h, w * nc, 90, &out));
    if (n == 0) {
        fprintf(stderr, "test: WebP encoding failed\n");
        exit(1);
    }
    write_bytes(path, out, n);
    WebPFree(out);
    free(px);
}

static image_spec mkspec(int oh, int ow, int ch)
{
    image_spec s;
    memset(&s, 0, sizeof s);
    s.out_h = oh;
    s.out_w = ow;
    s.channels = ch;
    s.lo = 0.0f;
    s.hi = 255.0f;
    s.background[0] = 10, s.background[1] = 20, s.background[2] = 30;
    return s;
}

/* Every value of channel c of out (ch, h, w) within tol of want[c]. */
static int all_near(const float *out, int ch, int hw, const float *want, float tol)
{
    for (int c = 0; c < ch; c++)
        for (int i = 0; i < hw; i++)
            if (!(out[c * hw + i] >= want[c] - tol && out[c * hw + i] <= want[c] + tol)) return 0;
    return 1;
}

static void expect_fail(const char *path, const image_spec *s, const char *needle)
{
    dc_err e = {{0}};
    float *o = malloc(sizeof(float) * 3 * (size_t)s->out_h * (size_t)s->out_w);
    int rc = image_load(path, s, o, &e);
    free(o);
    TEST_CHECK(rc == -1, "%s should fail", path);
    TEST_CHECK(strstr(e.msg, path) == e.msg, "message should start with the path: %s", e.msg);
    if (needle) TEST_CHECK(strstr(e.msg, needle) != NULL, "'%s' not in: %s", needle, e.msg);
    printf("  -> %s\n", e.msg);
}

static void test_valid(void)
{
    const uint8_t col[3] = {200, 100, 50};
    const char *ll = test_tmpdir_path("lossless.webp");
    write_webp(ll, 20, 12, col, 0, 255, 1);
    int w = 0, h = 0, c = 0;
    dc_err e = {{0}};
    TEST_CHECK(image_probe(ll, &w, &h, &c, &e) == 0 && w == 20 && h == 12 && c == 3,
               "probe: %dx%d, %d channels: %s", w, h, c, e.msg);
    image_spec s = mkspec(6, 10, 3);
    float out[3 * 60];
    const float want[3] = {200, 100, 50};
    TEST_CHECK(image_load(ll, &s, out, &e) == 0, "lossless: %s", e.msg);
    TEST_CHECK(all_near(out, 3, 60, want, 0.01f), "lossless pixels exact: %g %g %g", out[0],
               out[60], out[120]);
    /* gray output: ITU-R 601 luma of the colour */
    image_spec g = mkspec(6, 10, 1);
    const float luma[1] = {0.299f * 200 + 0.587f * 100 + 0.114f * 50};
    TEST_CHECK(image_load(ll, &g, out, &e) == 0 && all_near(out, 1, 60, luma, 0.05f),
               "gray from WebP: %g want %g", out[0], luma[0]);

    const char *ly = test_tmpdir_path("lossy.webp");
    write_webp(ly, 32, 32, col, 0, 255, 0);
    TEST_CHECK(image_load(ly, &s, out, &e) == 0, "lossy: %s", e.msg);
    TEST_CHECK(all_near(out, 3, 60, want, 6.0f), "lossy pixels near: %g %g %g", out[0], out[60],
               out[120]);

    /* fully transparent: the background shows */
    const char *tr = test_tmpdir_path("transparent.webp");
    write_webp(tr, 8, 8, col, 1, 0, 1);
    TEST_CHECK(image_probe(tr, &w, &h, &c, &e) == 0 && c == 3, "probe rgba: %s", e.msg);
    const float bg[3] = {10, 20, 30};
    TEST_CHECK(image_load(tr, &s, out, &e) == 0 && all_near(out, 3, 60, bg, 0.01f),
               "transparent WebP over the background: %g %g %g (%s)", out[0], out[60], out[120],
               e.msg);

    /* from memory, as LMDB values are decoded */
    size_t n;
    uint8_t *b = test_read_file(ll, &n);
    float mem[3 * 60];
    TEST_CHECK(b && image_load_mem(b, n, "key-0001", &s, mem, &e) == 0 &&
                   all_near(mem, 3, 60, want, 0.01f),
               "image_load_mem of a WebP: %s", e.msg);
    free(b);
}

static void test_bad(void)
{
    image_spec s = mkspec(6, 10, 3);
    char ll[4200], ly[4200], garbled[4200]; /* test_tmpdir_path's buffers rotate */
    snprintf(ll, sizeof ll, "%s", test_tmpdir_path("lossless.webp"));
    snprintf(ly, sizeof ly, "%s", test_tmpdir_path("lossy.webp"));
    snprintf(garbled, sizeof garbled, "%s", test_tmpdir_path("garbled.webp"));
    size_t n, m;
    uint8_t *b = test_read_file(ll, &n), *c = test_read_file(ly, &m);
    /* truncated at several points: header, chunk, bitstream */
    const double fracs[] = {0.05, 0.3, 0.6, 0.9};
    for (int i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "trunc%d.webp", i);
        write_bytes(test_tmpdir_path(name), c, (size_t)(m * fracs[i]) < 13 ? 13 : (size_t)(m * fracs[i]));
        expect_fail(test_tmpdir_path(name), &s, "WebP");
        snprintf(name, sizeof name, "trunc-ll%d.webp", i);
        write_bytes(test_tmpdir_path(name), b, (size_t)(n * fracs[i]) < 13 ? 13 : (size_t)(n * fracs[i]));
        expect_fail(test_tmpdir_path(name), &s, "WebP");
    }
    /* the RIFF signature alone */
    write_bytes(test_tmpdir_path("sig-only.webp"), b, 12);
    expect_fail(test_tmpdir_path("sig-only.webp"), &s, "truncated WebP");
    /* corrupt: the lossless signature byte, then garbage through the bitstream */
    uint8_t *x = malloc(n);
    memcpy(x, b, n);
    x[20] ^= 0xff; /* VP8L's 0x2f */
    write_bytes(test_tmpdir_path("corrupt-sig.webp"), x, n);
    expect_fail(test_tmpdir_path("corrupt-sig.webp"), &s, "not a valid WebP");
    uint8_t *y = malloc(m);
    memcpy(y, c, m);
    for (size_t i = 30; i < m; i++) y[i] = (uint8_t)(i * 37 + 11);
    write_bytes(garbled, y, m);
    dc_err e = {{0}};
    float o[3 * 60];
    int rc = image_load(garbled, &s, o, &e);
    TEST_CHECK(rc == 0 || strncmp(e.msg, garbled, strlen(garbled)) == 0, "garbled: %s", e.msg);
    printf("  garbled lossy body: rc %d %s\n", rc, rc ? e.msg : "(decoded)");
    free(x);
    free(y);
    free(b);
    free(c);

    /* a lossless header claiming 16384 x 16384 with no pixels: over the default limit */
    uint8_t bomb[30] = {'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P',
                        'V', 'P', '8', 'L', 10, 0, 0, 0, 0x2f};
    uint32_t bits = 16383u | (16383u << 14);
    for (int i = 0; i < 4; i++) bomb[21 + i] = (uint8_t)(bits >> (8 * i));
    write_bytes(test_tmpdir_path("bomb.webp"), bomb, sizeof bomb);
    int w, h, ch;
    TEST_CHECK(image_probe(test_tmpdir_path("bomb.webp"), &w, &h, &ch, &e) == 0 && w == 16384 &&
                   h == 16384,
               "probe reads the bomb's header: %d x %d %s", w, h, e.msg);
    expect_fail(test_tmpdir_path("bomb.webp"), &s, "limit");
    image_spec lim = mkspec(6, 10, 3);
    lim.max_pixels = 20 * 12 - 1;
    expect_fail(ll, &lim, "limit");
    int chan;
    TEST_CHECK(image_validate(ll, &lim, &chan, &e) == -1 && strstr(e.msg, "limit"),
               "validate applies the limit: %s", e.msg);
}

static void test_folder(void)
{
    const char *dir = test_tmpdir_path("webps");
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    TEST_CHECK(system(cmd) == 0, "mkdir");
    for (int i = 0; i < 5; i++) {
        char p[4200];
        const uint8_t col[3] = {(uint8_t)(40 * i), 10, 250};
        snprintf(p, sizeof p, "%s/img%d.webp", dir, i);
        write_webp(p, 9 + i, 7, col, i == 2, 128, i % 2);
    }
    image_spec s = mkspec(8, 8, 0);
    s.lo = -1, s.hi = 1;
    dataset ds;
    dc_err e = {{0}};
    TEST_CHECK(dataset_open_folder(&ds, dir, "*.webp", &s, &e) == 0, "folder of WebP: %s", e.msg);
    TEST_CHECK(ds.count == 5 && ds.C == 3, "5 colour items: %d, C %d", ds.count, ds.C);
    dataset_free(&ds);
}

int main(void)
{
    test_begin("test_webp");
    if (test_tmpdir_create("test_webp") != 0) return 1;
    test_valid();
    test_bad();
    test_folder();
    test_tmpdir_remove();
    return test_finish();
}
