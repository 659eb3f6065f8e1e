/* Image decoding (PNG via libpng, JPEG via libjpeg), crop/resize/channel conversion, malformed
 * files, decompression bombs, and PNG writing (png_write, image_to_u8, png_write_grid). */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include <jpeglib.h>
#include <png.h>

#include "data/image.h"
#include "io/png_write.h"
#include "testutil.h"

/* rows of bytes as libpng wants them for (color_type, depth); palette optional */
static void write_png_raw(const char *path, int w, int h, int ctype, int depth, const uint8_t *data,
                          size_t stride, const png_color *pal, int npal, int interlace)
{
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "test: png write failed\n");
        exit(1);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ctype,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (pal) png_set_PLTE(png, info, pal, npal);
    png_write_info(png, info);
    if (depth == 16) png_set_swap(png); /* our 16-bit test data is host (little-endian) order */
    png_bytep *rows = malloc(sizeof(png_bytep) * (size_t)h);
    for (int y = 0; y < h; y++) rows[y] = (png_bytep)(data + stride * (size_t)y);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    fclose(f);
}

static void write_jpeg(const char *path, int w, int h, int comps, const uint8_t *data, int q)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = comps == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, q, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(data + (size_t)c.next_scanline * (size_t)w * (size_t)comps);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

static image_spec mkspec(int oh, int ow, int ch, float lo, float hi)
{
    image_spec s;
    memset(&s, 0, sizeof s);
    s.out_h = oh;
    s.out_w = ow;
    s.channels = ch;
    s.lo = lo;
    s.hi = hi;
    return s;
}

static int load(const char *path, const image_spec *s, float *out)
{
    dc_err e = {{0}};
    int rc = image_load(path, s, out, &e);
    TEST_CHECK(rc == 0, "load %s: %s", path, e.msg);
    return rc;
}

static void fill(float *a, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) a[i] = v;
}

static void test_constant_colour(void)
{
    int w = 37, h = 23;
    uint8_t *px = malloc((size_t)w * h * 3);
    for (int i = 0; i < w * h; i++) {
        px[i * 3] = 200;
        px[i * 3 + 1] = 100;
        px[i * 3 + 2] = 50;
    }
    write_png_raw(test_tmpdir_path("rgb.png"), w, h, PNG_COLOR_TYPE_RGB, 8, px, (size_t)w * 3, NULL, 0, 0);
    write_jpeg(test_tmpdir_path("rgb.jpg"), w, h, 3, px, 98);
    float out[3 * 8 * 9], want[3 * 8 * 9];
    /* downscale, 8x9, range [-1,1] */
    image_spec s = mkspec(8, 9, 3, -1, 1);
    if (load(test_tmpdir_path("rgb.png"), &s, out) == 0) {
        for (int c = 0; c < 3; c++)
            fill(want + c * 72, 72, -1 + 2 * (c == 0 ? 200 : c == 1 ? 100 : 50) / 255.0f);
        check_close("png constant colour downscaled", out, want, 216, 1e-5, 0);
    }
    /* upscale */
    float big[3 * 50 * 60];
    float bigw[3 * 50 * 60];
    image_spec su = mkspec(50, 60, 3, 0, 255);
    if (load(test_tmpdir_path("rgb.png"), &su, big) == 0) {
        for (int c = 0; c < 3; c++)
            fill(bigw + c * 3000, 3000, (float)(c == 0 ? 200 : c == 1 ? 100 : 50));
        check_close("png constant colour upscaled", big, bigw, 9000, 1e-3, 0);
    }
    /* jpeg (lossy: a couple of levels) */
    image_spec sj = mkspec(8, 9, 3, 0, 255);
    if (load(test_tmpdir_path("rgb.jpg"), &sj, out) == 0) {
        for (int c = 0; c < 3; c++) fill(want + c * 72, 72, (float)(c == 0 ? 200 : c == 1 ? 100 : 50));
        check_close("jpeg constant colour", out, want, 216, 3, 0);
    }
    /* RGB -> gray: ITU-R 601 luma */
    image_spec sg = mkspec(4, 4, 1, 0, 255);
    if (load(test_tmpdir_path("rgb.png"), &sg, out) == 0) {
        fill(want, 16, 0.299f * 200 + 0.587f * 100 + 0.114f * 50);
        check_close("rgb png as gray (luma)", out, want, 16, 1e-3, 0);
    }
    /* the format comes from the bytes: a PNG named .jpg */
    rename(test_tmpdir_path("rgb.png"), test_tmpdir_path("really-a-png.jpg"));
    int pw = 0, ph = 0, pc = 0;
    dc_err e;
    TEST_CHECK(image_probe(test_tmpdir_path("really-a-png.jpg"), &pw, &ph, &pc, &e) == 0 && pw == w &&
                   ph == h && pc == 3,
               "probe misnamed png: %d %d %d", pw, ph, pc);
    TEST_CHECK(image_probe(test_tmpdir_path("rgb.jpg"), &pw, &ph, &pc, &e) == 0 && pw == w && ph == h &&
                   pc == 3,
               "probe jpeg: %d %d %d", pw, ph, pc);
    free(px);
}

static void test_box_downscale(void)
{
    int w = 8, h = 6;
    uint8_t px[48];
    uint32_t s = 12345;
    for (int i = 0; i < 48; i++) {
        s = s * 1103515245u + 12345u;
        px[i] = (uint8_t)(s >> 16);
    }
    write_png_raw(test_tmpdir_path("gray.png"), w, h, PNG_COLOR_TYPE_GRAY, 8, px, (size_t)w, NULL, 0, 0);
    float out[12], want[12];
    image_spec sp = mkspec(3, 4, 1, 0, 255);
    if (load(test_tmpdir_path("gray.png"), &sp, out) == 0) {
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                want[y * 4 + x] = (px[(2 * y) * w + 2 * x] + px[(2 * y) * w + 2 * x + 1] +
                                   px[(2 * y + 1) * w + 2 * x] + px[(2 * y + 1) * w + 2 * x + 1]) /
                                  4.0f;
        check_close("2x downscale = 2x2 box mean", out, want, 12, 1e-3, 0);
    }
    /* 3x downscale horizontally, 2x vertically (non-square factors) */
    float o2[3 * 2];
    int w3 = 6;
    write_png_raw(test_tmpdir_path("gray6x6.png"), w3, 6, PNG_COLOR_TYPE_GRAY, 8, px, (size_t)w3, NULL, 0, 0);
    image_spec s2 = mkspec(3, 2, 1, 0, 255);
    if (load(test_tmpdir_path("gray6x6.png"), &s2, o2) == 0) {
        float w2[6];
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 2; x++) {
                float a = 0;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 3; dx++) a += px[(2 * y + dy) * w3 + 3 * x + dx];
                w2[y * 2 + x] = a / 6;
            }
        check_close("3x2 downscale = box mean", o2, w2, 6, 1e-3, 0);
    }
    /* non-integer factor: 6 -> 4 columns, output j covers [1.5j, 1.5j+1.5) */
    float o3[6 * 4];
    image_spec s3 = mkspec(6, 4, 1, 0, 255);
    if (load(test_tmpdir_path("gray6x6.png"), &s3, o3) == 0) {
        float w3v[24];
        for (int y = 0; y < 6; y++) {
            const uint8_t *r = px + y * w3;
            w3v[y * 4 + 0] = (r[0] + 0.5f * r[1]) / 1.5f;
            w3v[y * 4 + 1] = (0.5f * r[1] + r[2]) / 1.5f;
            w3v[y * 4 + 2] = (r[3] + 0.5f * r[4]) / 1.5f;
            w3v[y * 4 + 3] = (0.5f * r[4] + r[5]) / 1.5f;
        }
        check_close("1.5x downscale = area coverage", o3, w3v, 24, 1e-3, 0);
    }
    /* gray as RGB replicates */
    float rgb[3 * 12];
    image_spec sr = mkspec(3, 4, 3, 0, 255);
    if (load(test_tmpdir_path("gray.png"), &sr, rgb) == 0) {
        check_close("gray png as RGB: R", rgb, want, 12, 1e-3, 0);
        check_close("gray png as RGB: G", rgb + 12, want, 12, 1e-3, 0);
        check_close("gray png as RGB: B", rgb + 24, want, 12, 1e-3, 0);
    }
    int pw, ph, pc;
    dc_err e;
    TEST_CHECK(image_probe(test_tmpdir_path("gray.png"), &pw, &ph, &pc, &e) == 0 && pc == 1 && pw == 8 &&
                   ph == 6,
               "probe gray png");
    /* identity size returns the pixels exactly */
    float id[48], idw[48];
    image_spec si = mkspec(6, 8, 1, 0, 255);
    if (load(test_tmpdir_path("gray.png"), &si, id) == 0) {
        for (int i = 0; i < 48; i++) idw[i] = px[i];
        check_close("same size = identity", id, idw, 48, 0, 0);
    }
}

static void test_upscale_and_crop(void)
{
    /* 1-D bilinear: [0, 100] -> 4: 0, 25, 75, 100 */
    uint8_t two[2] = {0, 100};
    write_png_raw(test_tmpdir_path("two.png"), 2, 1, PNG_COLOR_TYPE_GRAY, 8, two, 2, NULL, 0, 0);
    float o[4], w[4] = {0, 25, 75, 100};
    image_spec s = mkspec(1, 4, 1, 0, 255);
    if (load(test_tmpdir_path("two.png"), &s, o) == 0) check_close("bilinear 2 -> 4", o, w, 4, 1e-3, 0);

    /* centre crop: 9x7 image, crop 4x3 -> offsets round(5/2)=2 (half to even), round(4/2)=2 */
    uint8_t px[63];
    for (int i = 0; i < 63; i++) px[i] = (uint8_t)(i * 3);
    write_png_raw(test_tmpdir_path("crop.png"), 9, 7, PNG_COLOR_TYPE_GRAY, 8, px, 9, NULL, 0, 0);
    image_spec c = mkspec(3, 4, 1, 0, 255);
    c.crop = 1;
    c.crop_h = 3;
    c.crop_w = 4;
    float co[12], cw[12];
    if (load(test_tmpdir_path("crop.png"), &c, co) == 0) {
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++) cw[y * 4 + x] = px[(y + 2) * 9 + x + 2];
        check_close("centre crop 3x4 of 7x9", co, cw, 12, 0, 0);
    }
    /* crop then 2x downscale */
    c.crop_h = 4;
    c.crop_w = 6; /* offsets: round(3/2)=2, round(1.5)=2 */
    c.out_h = 2;
    c.out_w = 3;
    float c2[6], c2w[6];
    if (load(test_tmpdir_path("crop.png"), &c, c2) == 0) {
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++) {
                int y0 = 2 + 2 * y, x0 = 2 + 2 * x; /* rows round(3/2)=2, cols round(1.5)=2 */
                c2w[y * 3 + x] = (px[y0 * 9 + x0] + px[y0 * 9 + x0 + 1] + px[(y0 + 1) * 9 + x0] +
                                  px[(y0 + 1) * 9 + x0 + 1]) /
                                 4.0f;
            }
        check_close("crop 4x6 then 2x downscale", c2, c2w, 6, 1e-3, 0);
    }
    /* a crop larger than the image is clamped to the whole image */
    c.crop_h = 100;
    c.crop_w = 100;
    c.out_h = 7;
    c.out_w = 9;
    float c3[63], c3w[63];
    if (load(test_tmpdir_path("crop.png"), &c, c3) == 0) {
        for (int i = 0; i < 63; i++) c3w[i] = px[i];
        check_close("oversized crop clamps to the image", c3, c3w, 63, 0, 0);
    }
}

static void test_png_kinds(void)
{
    /* RGBA over a background */
    int w = 5, h = 4;
    uint8_t rgba[5 * 4 * 4];
    for (int i = 0; i < w * h; i++) {
        rgba[i * 4] = 255;
        rgba[i * 4 + 1] = 0;
        rgba[i * 4 + 2] = 0;
        rgba[i * 4 + 3] = 128;
    }
    write_png_raw(test_tmpdir_path("rgba.png"), w, h, PNG_COLOR_TYPE_RGBA, 8, rgba, (size_t)w * 4, NULL, 0, 0);
    image_spec s = mkspec(2, 2, 3, 0, 255);
    s.background[0] = 0;
    s.background[1] = 0;
    s.background[2] = 255;
    float o[12], want[12];
    if (load(test_tmpdir_path("rgba.png"), &s, o) == 0) {
        float a = 128 / 255.0f;
        fill(want, 4, 255 * a);
        fill(want + 4, 4, 0);
        fill(want + 8, 4, 255 * (1 - a));
        check_close("rgba over blue background", o, want, 12, 1e-3, 0);
    }
    /* gray + alpha, as gray over a white background and as RGB */
    uint8_t ga[5 * 4 * 2];
    for (int i = 0; i < w * h; i++) {
        ga[i * 2] = 40;
        ga[i * 2 + 1] = 64;
    }
    write_png_raw(test_tmpdir_path("ga.png"), w, h, PNG_COLOR_TYPE_GRAY_ALPHA, 8, ga, (size_t)w * 2, NULL, 0, 0);
    image_spec sg = mkspec(4, 5, 1, 0, 255);
    sg.background[0] = sg.background[1] = sg.background[2] = 255;
    float og[20], wg[20];
    if (load(test_tmpdir_path("ga.png"), &sg, og) == 0) {
        float a = 64 / 255.0f;
        fill(wg, 20, 40 * a + 255 * (1 - a));
        check_close("gray+alpha over white", og, wg, 20, 1e-3, 0);
    }
    int pw, ph, pc;
    dc_err e;
    TEST_CHECK(image_probe(test_tmpdir_path("ga.png"), &pw, &ph, &pc, &e) == 0 && pc == 1, "gray+alpha probes 1");
    TEST_CHECK(image_probe(test_tmpdir_path("rgba.png"), &pw, &ph, &pc, &e) == 0 && pc == 3, "rgba probes 3");

    /* palette, 2-bit */
    png_color pal[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {10, 20, 30}};
    uint8_t idx[4] = {0x1b, 0x1b, 0xe4, 0xe4}; /* 4x4 pixels: rows 0,1: 0 1 2 3; rows 2,3: 3 2 1 0 */
    write_png_raw(test_tmpdir_path("pal.png"), 4, 4, PNG_COLOR_TYPE_PALETTE, 2, idx, 1, pal, 4, 0);
    float op[3 * 16], wp[3 * 16];
    image_spec sp = mkspec(4, 4, 3, 0, 255);
    if (load(test_tmpdir_path("pal.png"), &sp, op) == 0) {
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) {
                int k = y < 2 ? x : 3 - x;
                wp[0 * 16 + y * 4 + x] = pal[k].red;
                wp[1 * 16 + y * 4 + x] = pal[k].green;
                wp[2 * 16 + y * 4 + x] = pal[k].blue;
            }
        check_close("palette 2-bit", op, wp, 48, 0, 0);
    }
    TEST_CHECK(image_probe(test_tmpdir_path("pal.png"), &pw, &ph, &pc, &e) == 0 && pc == 3, "palette probes 3");
    png_color gpal[2] = {{0, 0, 0}, {77, 77, 77}};
    uint8_t idx1[4] = {0xa0, 0x50, 0xa0, 0x50};
    write_png_raw(test_tmpdir_path("gpal.png"), 4, 4, PNG_COLOR_TYPE_PALETTE, 1, idx1, 1, gpal, 2, 0);
    TEST_CHECK(image_probe(test_tmpdir_path("gpal.png"), &pw, &ph, &pc, &e) == 0 && pc == 1,
               "gray palette probes 1: %s", e.msg);

    /* 16-bit RGB, interlaced */
    uint16_t p16[6 * 5 * 3];
    for (int i = 0; i < 90; i++) p16[i] = (uint16_t)(257 * ((i * 37) % 256));
    write_png_raw(test_tmpdir_path("rgb16.png"), 6, 5, PNG_COLOR_TYPE_RGB, 16, (const uint8_t *)p16, 6 * 3 * 2,
                  NULL, 0, 1);
    float o16[90], w16[90];
    image_spec s16 = mkspec(5, 6, 3, 0, 255);
    if (load(test_tmpdir_path("rgb16.png"), &s16, o16) == 0) {
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 30; i++) w16[c * 30 + i] = (float)(p16[i * 3 + c] / 257);
        check_close("16-bit interlaced RGB", o16, w16, 90, 0, 0);
    }
    /* 1-bit gray */
    uint8_t bits[2] = {0xa0, 0x50}; /* 4x2: 1 0 1 0 / 0 1 0 1 */
    write_png_raw(test_tmpdir_path("bw.png"), 4, 2, PNG_COLOR_TYPE_GRAY, 1, bits, 1, NULL, 0, 0);
    float ob[8], wb[8] = {255, 0, 255, 0, 0, 255, 0, 255};
    image_spec sb = mkspec(2, 4, 1, 0, 255);
    if (load(test_tmpdir_path("bw.png"), &sb, ob) == 0) check_close("1-bit gray", ob, wb, 8, 0, 0);
}

static void test_jpeg(void)
{
    /* gray JPEG */
    uint8_t g[32 * 32];
    for (int i = 0; i < 32 * 32; i++) g[i] = 90;
    write_jpeg(test_tmpdir_path("gray.jpg"), 32, 32, 1, g, 95);
    int pw, ph, pc;
    dc_err e;
    TEST_CHECK(image_probe(test_tmpdir_path("gray.jpg"), &pw, &ph, &pc, &e) == 0 && pc == 1 && pw == 32,
               "gray jpeg probes 1");
    float o[3 * 16], w[3 * 16];
    image_spec s = mkspec(4, 4, 3, 0, 255);
    if (load(test_tmpdir_path("gray.jpg"), &s, o) == 0) {
        fill(w, 48, 90);
        check_close("gray jpeg as RGB", o, w, 48, 1.5, 0);
    }

    /* DCT scaling: a large smooth JPEG decoded straight to 32x32 (scale 1/8) vs a full decode
     * then an exact 16x16 box average */
    int W = 512, H = 512;
    uint8_t *big = malloc((size_t)W * H * 3);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = big + ((size_t)y * W + x) * 3;
            p[0] = (uint8_t)(128 + 100 * sin(x / 40.0) * cos(y / 55.0));
            p[1] = (uint8_t)(x / 2);
            p[2] = (uint8_t)(y / 2);
        }
    write_jpeg(test_tmpdir_path("big.jpg"), W, H, 3, big, 92);
    free(big);
    float *full = malloc(sizeof(float) * 3 * W * H);
    float small[3 * 32 * 32], ref[3 * 32 * 32];
    image_spec sf = mkspec(H, W, 3, 0, 255);
    image_spec ss = mkspec(32, 32, 3, 0, 255);
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ok = load(test_tmpdir_path("big.jpg"), &sf, full) == 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ok = ok && load(test_tmpdir_path("big.jpg"), &ss, small) == 0;
    clock_gettime(CLOCK_MONOTONIC, &t2);
    if (ok) {
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++) {
                    double a = 0;
                    for (int dy = 0; dy < 16; dy++)
                        for (int dx = 0; dx < 16; dx++)
                            a += full[((size_t)c * H + 16 * y + dy) * W + 16 * x + dx];
                    ref[(c * 32 + y) * 32 + x] = (float)(a / 256);
                }
        check_close("DCT-scaled decode vs full decode + box", small, ref, 3 * 32 * 32, 2.5, 0);
        printf("  full decode %.1f ms, DCT-scaled decode %.1f ms\n",
               (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
               (t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6);
    }
    /* with a crop: DCT scaling keeps the crop window >= the output */
    image_spec sc = mkspec(32, 32, 3, 0, 255);
    sc.crop = 1;
    sc.crop_h = 256;
    sc.crop_w = 256;
    if (ok && load(test_tmpdir_path("big.jpg"), &sc, small) == 0) {
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++) {
                    double a = 0;
                    for (int dy = 0; dy < 8; dy++)
                        for (int dx = 0; dx < 8; dx++)
                            a += full[((size_t)c * H + 128 + 8 * y + dy) * W + 128 + 8 * x + dx];
                    ref[(c * 32 + y) * 32 + x] = (float)(a / 64);
                }
        check_close("DCT-scaled crop vs full decode + crop + box", small, ref, 3 * 32 * 32, 3, 0);
    }
    free(full);
}

/* PNG IHDR claiming w x h (valid CRC), then IEND: no pixel data at all */
static void write_png_header_only(const char *path, uint32_t w, uint32_t h)
{
    uint8_t b[8 + 25 + 12 + 12];
    memcpy(b, "\x89PNG\r\n\x1a\n", 8);
    uint8_t *c = b + 8;
    c[0] = 0, c[1] = 0, c[2] = 0, c[3] = 13;
    memcpy(c + 4, "IHDR", 4);
    uint8_t *d = c + 8;
    d[0] = (uint8_t)(w >> 24), d[1] = (uint8_t)(w >> 16), d[2] = (uint8_t)(w >> 8), d[3] = (uint8_t)w;
    d[4] = (uint8_t)(h >> 24), d[5] = (uint8_t)(h >> 16), d[6] = (uint8_t)(h >> 8), d[7] = (uint8_t)h;
    d[8] = 8, d[9] = 2, d[10] = 0, d[11] = 0, d[12] = 0;
    uint32_t crc = (uint32_t)crc32(0, c + 4, 17);
    c[21] = (uint8_t)(crc >> 24), c[22] = (uint8_t)(crc >> 16), c[23] = (uint8_t)(crc >> 8),
    c[24] = (uint8_t)crc;
    /* an empty IDAT (libpng stops reading the header there), then IEND */
    memcpy(b + 33, "\0\0\0\0IDAT", 8);
    crc = (uint32_t)crc32(0, b + 37, 4);
    b[41] = (uint8_t)(crc >> 24), b[42] = (uint8_t)(crc >> 16), b[43] = (uint8_t)(crc >> 8),
    b[44] = (uint8_t)crc;
    memcpy(b + 45, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, sizeof b, f);
    fclose(f);
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

static void truncate_copy(const char *src, const char *dst, double frac)
{
    size_t n;
    uint8_t *b = test_read_file(src, &n);
    FILE *f = fopen(dst, "wb");
    fwrite(b, 1, (size_t)(n * frac), f);
    fclose(f);
    free(b);
}

static void test_bad_files(void)
{
    image_spec s = mkspec(8, 8, 3, 0, 1);
    truncate_copy(test_tmpdir_path("big.jpg"), test_tmpdir_path("trunc.jpg"), 0.5);
    expect_fail(test_tmpdir_path("trunc.jpg"), &s, "not a valid JPEG");
    truncate_copy(test_tmpdir_path("big.jpg"), test_tmpdir_path("trunc-header.jpg"), 0.002);
    expect_fail(test_tmpdir_path("trunc-header.jpg"), &s, "not a valid JPEG");
    truncate_copy(test_tmpdir_path("rgb16.png"), test_tmpdir_path("trunc.png"), 0.6);
    expect_fail(test_tmpdir_path("trunc.png"), &s, "PNG");
    /* only the end marker missing: a PNG's pixels are all there (accepted); a JPEG cannot tell */
    {
        size_t len;
        uint8_t *b = test_read_file(test_tmpdir_path("rgb.jpg"), &len);
        FILE *g = fopen(test_tmpdir_path("no-eoi.jpg"), "wb");
        fwrite(b, 1, len - 2, g);
        fclose(g);
        free(b);
        b = test_read_file(test_tmpdir_path("gray.png"), &len);
        g = fopen(test_tmpdir_path("no-iend.png"), "wb");
        fwrite(b, 1, len - 12, g);
        fclose(g);
        free(b);
        image_spec s2 = mkspec(6, 8, 1, 0, 255);
        float a[48], c[48];
        dc_err e2 = {{0}};
        TEST_CHECK(image_load(test_tmpdir_path("no-eoi.jpg"), &s2, a, &e2) == -1 &&
                       strstr(e2.msg, "no-eoi.jpg"),
                   "JPEG without EOI: an error too (libjpeg cannot tell): %s", e2.msg);
        TEST_CHECK(load(test_tmpdir_path("no-iend.png"), &s2, a) == 0 && load(test_tmpdir_path("gray.png"), &s2, c) == 0 &&
                       memcmp(a, c, sizeof a) == 0,
                   "PNG without IEND decodes like the full file");
    }
    FILE *f = fopen(test_tmpdir_path("notes.txt"), "w");
    fputs("hello, not an image\n", f);
    fclose(f);
    expect_fail(test_tmpdir_path("notes.txt"), &s, "not a JPEG, PNG or WebP");
    fclose(fopen(test_tmpdir_path("empty.png"), "w"));
    expect_fail(test_tmpdir_path("empty.png"), &s, "empty");
    expect_fail(test_tmpdir_path("missing.png"), &s, "No such file");
    /* a corrupt JPEG body (garbage after a valid header) */
    size_t n;
    uint8_t *b = test_read_file(test_tmpdir_path("rgb.jpg"), &n);
    for (size_t i = n / 2; i < n - 2; i++) b[i] = (uint8_t)(i * 7);
    f = fopen(test_tmpdir_path("garbled.jpg"), "wb");
    fwrite(b, 1, n, f);
    fclose(f);
    free(b);
    dc_err e = {{0}};
    float o[3 * 64];
    int rc = image_load(test_tmpdir_path("garbled.jpg"), &s, o, &e);
    printf("  garbled jpeg body: rc %d %s\n", rc, rc ? e.msg : "(decoded with libjpeg's recovery)");

    /* decompression bomb: header claims 100000 x 100000 */
    write_png_header_only(test_tmpdir_path("bomb.png"), 100000, 100000);
    int pw, ph, pc;
    TEST_CHECK(image_probe(test_tmpdir_path("bomb.png"), &pw, &ph, &pc, &e) == 0 && pw == 100000,
               "probe reads the bomb's header: %s", e.msg);
    expect_fail(test_tmpdir_path("bomb.png"), &s, "limit");
    /* a small explicit limit */
    image_spec lim = mkspec(8, 8, 3, 0, 1);
    lim.max_pixels = 100;
    lim.max_pixels = 47; /* gray.png is 8x6 = 48 */
    expect_fail(test_tmpdir_path("gray.png"), &lim, "limit");
    expect_fail(test_tmpdir_path("gray.jpg"), &lim, "limit");
}

/* gray.png is 48 pixels: the first expect above must be a success, check it separately */
static void test_limit_ok(void)
{
    image_spec lim = mkspec(8, 8, 3, 0, 1);
    lim.max_pixels = 48;
    float o[3 * 64];
    load(test_tmpdir_path("gray.png"), &lim, o);
}

typedef struct {
    const char *path;
    image_spec spec;
    float *out;
    int rc;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    dc_err e;
    for (int r = 0; r < 5 && j->rc == 0; r++) j->rc = image_load(j->path, &j->spec, j->out, &e);
    return NULL;
}

static void test_threads(void)
{
    const char *files[4] = {test_tmpdir_path("big.jpg"), test_tmpdir_path("rgb16.png"), test_tmpdir_path("rgba.png"),
                            test_tmpdir_path("really-a-png.jpg")};
    job jobs[4];
    float ref[4][3 * 20 * 24];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].path = files[i];
        jobs[i].spec = mkspec(20, 24, 3, -1, 1);
        jobs[i].out = malloc(sizeof(float) * 3 * 20 * 24);
        jobs[i].rc = 0;
        load(files[i], &jobs[i].spec, ref[i]);
    }
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, run_job, &jobs[i]);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) {
        TEST_CHECK(jobs[i].rc == 0, "threaded load %d", i);
        TEST_CHECK(memcmp(jobs[i].out, ref[i], sizeof ref[i]) == 0, "threaded load %d differs", i);
        free(jobs[i].out);
    }
}

static int read_png_back(const char *path, png_image *img, uint8_t **buf, png_uint_32 fmt)
{
    memset(img, 0, sizeof *img);
    img->version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(img, path)) return -1;
    img->format = fmt;
    *buf = malloc(PNG_IMAGE_SIZE(*img));
    if (!png_image_finish_read(img, NULL, *buf, 0, NULL)) {
        free(*buf);
        return -1;
    }
    return 0;
}

static void test_png_write(void)
{
    /* image_to_u8: clamping and rounding */
    float src[2 * 1 * 4] = {-1, 1, 0, 0.0020f, /* channel 0 */ -5, 7, 0.5f, -0.999f};
    uint8_t u[8];
    image_to_u8(u, src, 2, 1, 4, -1, 1);
    uint8_t uw[8] = {0, 0, 255, 255, 128, 191, 128, 0};
    /* (x+1)/2*255+0.5: 0 -> 128.0 -> 128; 0.002 -> 128.255 -> 128; 0.5 -> 191.75 -> 191;
     * -0.999 -> 0.6275 -> 0 */
    TEST_CHECK(memcmp(u, uw, 8) == 0, "image_to_u8: %d %d %d %d %d %d %d %d", u[0], u[1], u[2], u[3],
               u[4], u[5], u[6], u[7]);

    /* png_write round trips for C = 1, 3, 4 */
    for (int C = 1; C <= 4; C++) {
        if (C == 2) continue;
        int W = 7, H = 5;
        uint8_t px[7 * 5 * 4];
        for (int i = 0; i < W * H * C; i++) px[i] = (uint8_t)(i * 13 + C);
        dc_err e = {{0}};
        char name[32];
        snprintf(name, sizeof name, "w%d.png", C);
        TEST_CHECK(png_write(test_tmpdir_path(name), px, W, H, C, &e) == 0, "png_write C=%d: %s", C, e.msg);
        png_image img;
        uint8_t *back = NULL;
        png_uint_32 fmt = C == 1 ? PNG_FORMAT_GRAY : C == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
        int rc = read_png_back(test_tmpdir_path(name), &img, &back, fmt);
        TEST_CHECK(rc == 0, "read back C=%d", C);
        if (rc == 0) {
            TEST_CHECK(img.width == 7 && img.height == 5, "size");
            TEST_CHECK(memcmp(back, px, (size_t)W * H * C) == 0, "pixels differ C=%d", C);
            free(back);
        }
    }
    dc_err e = {{0}};
    TEST_CHECK(png_write(test_tmpdir_path("no/such/dir/x.png"), (const uint8_t *)"", 1, 1, 1, &e) == -1 &&
                   strstr(e.msg, "no/such/dir/x.png"),
               "unwritable path: %s", e.msg);

    /* grid: 5 gray 2x3 images, 3 columns -> 9x4, last cell black */
    int N = 5, Hh = 2, Ww = 3;
    float imgs[5 * 6];
    for (int i = 0; i < 30; i++) imgs[i] = (float)i / 29.0f;
    TEST_CHECK(png_write_grid(test_tmpdir_path("grid.png"), imgs, N, 1, Hh, Ww, 3, 0, 1, &e) == 0, "grid: %s",
               e.msg);
    png_image img;
    uint8_t *back = NULL;
    if (read_png_back(test_tmpdir_path("grid.png"), &img, &back, PNG_FORMAT_GRAY) == 0) {
        TEST_CHECK(img.width == 9 && img.height == 4, "grid size %ux%u", img.width, img.height);
        int bad = 0;
        for (int n = 0; n < 6; n++)
            for (int y = 0; y < Hh; y++)
                for (int x = 0; x < Ww; x++) {
                    int gx = (n % 3) * Ww + x, gy = (n / 3) * Hh + y;
                    uint8_t want = 0;
                    if (n < N) image_to_u8(&want, &imgs[n * 6 + y * Ww + x], 1, 1, 1, 0, 1);
                    if (back[gy * 9 + gx] != want) bad++;
                }
        TEST_CHECK(bad == 0, "grid: %d pixels differ", bad);
        free(back);
    } else {
        TEST_CHECK(0, "grid read back");
    }
    /* RGB grid */
    float rgbimgs[2 * 3 * 2 * 2];
    for (int i = 0; i < 24; i++) rgbimgs[i] = (i % 3) ? -1.0f : 1.0f;
    TEST_CHECK(png_write_grid(test_tmpdir_path("grid3.png"), rgbimgs, 2, 3, 2, 2, 2, -1, 1, &e) == 0,
               "rgb grid: %s", e.msg);
    if (read_png_back(test_tmpdir_path("grid3.png"), &img, &back, PNG_FORMAT_RGB) == 0) {
        TEST_CHECK(img.width == 4 && img.height == 2, "rgb grid size");
        /* image 1, channel 0 at (y=0,x=1): rgbimgs[12 + 0*4 + 1] */
        uint8_t want = rgbimgs[13] > 0 ? 255 : 0;
        TEST_CHECK(back[(0 * 4 + 3) * 3 + 0] == want, "rgb grid pixel");
        free(back);
    }
}

int main(void)
{
    test_begin("test_image");
    if (test_tmpdir_create("test_image") != 0) return 1;
    test_constant_colour();
    test_box_downscale();
    test_upscale_and_crop();
    test_png_kinds();
    test_jpeg();
    test_limit_ok();
    test_bad_files();
    test_threads();
    test_png_write();
    test_tmpdir_remove();
    return test_finish();
}
