#include "testdata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <zlib.h>

#include "io/png_write.h"
#include "io/safetensors.h"
#include "core/rng.h"

static void put_be32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    fwrite(b, 1, 4, f);
}

int testdata_write_idx(const char *dir, const char *prefix, int n, uint64_t seed)
{
    char p[1024];
    rng_state r;
    rng_init(&r, seed);
    snprintf(p, sizeof p, "%s/%s-images-idx3-ubyte", dir, prefix);
    FILE *fi = fopen(p, "wb");
    snprintf(p, sizeof p, "%s/%s-labels-idx1-ubyte", dir, prefix);
    FILE *fl = fopen(p, "wb");
    if (!fi || !fl) {
        if (fi) fclose(fi);
        if (fl) fclose(fl);
        return -1;
    }
    put_be32(fi, 0x803);
    put_be32(fi, (uint32_t)n);
    put_be32(fi, 28);
    put_be32(fi, 28);
    put_be32(fl, 0x801);
    put_be32(fl, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        uint8_t label = (uint8_t)rng_below(&r, 10);
        fputc(label, fl);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                fputc(((x + y * label) % 7 < 3 ? 200 : 20) + (int)rng_below(&r, 40), fi);
    }
    int bad = ferror(fi) || ferror(fl);
    bad |= fclose(fi) != 0;
    bad |= fclose(fl) != 0;
    return bad ? -1 : 0;
}

int testdata_write_pngs(const char *dir, int n, int size, uint64_t seed)
{
    rng_state r;
    rng_init(&r, seed);
    size_t bytes = (size_t)size * (size_t)size * 3;
    uint8_t *px = malloc(bytes);
    if (!px) return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        for (size_t j = 0; j < bytes; j++) px[j] = (uint8_t)rng_below(&r, 256);
        char p[1024];
        snprintf(p, sizeof p, "%s/img%03d.png", dir, i);
        dc_err e;
        rc = png_write(p, px, size, size, 3, &e);
        if (rc) fprintf(stderr, "%s\n", e.msg);
    }
    free(px);
    return rc;
}

int testdata_write_jpeg(const char *path, int w, int h)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    uint8_t *row = malloc((size_t)w * 3);
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        int y = (int)c.next_scanline;
        for (int x = 0; x < w; x++) {
            row[3 * x] = (uint8_t)(x * 255 / (w > 1 ? w - 1 : 1));
            row[3 * x + 1] = (uint8_t)(y * 255 / (h > 1 ? h - 1 : 1));
            row[3 * x + 2] = (uint8_t)((x + y) & 255);
        }
        JSAMPROW rp = row;
        jpeg_write_scanlines(&c, &rp, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    return fclose(f) == 0 ? 0 : -1;
}

static void be32(uint8_t *d, uint32_t v)
{
    d[0] = (uint8_t)(v >> 24), d[1] = (uint8_t)(v >> 16), d[2] = (uint8_t)(v >> 8), d[3] = (uint8_t)v;
}

int testdata_write_png_header(const char *path, uint32_t w, uint32_t h)
{
    uint8_t b[8 + 25 + 12 + 12];
    memcpy(b, "\x89PNG\r\n\x1a\n", 8);
    uint8_t *c = b + 8;
    be32(c, 13);
    memcpy(c + 4, "IHDR", 4);
    be32(c + 8, w);
    be32(c + 12, h);
    c[16] = 8, c[17] = 2, c[18] = 0, c[19] = 0, c[20] = 0;
    be32(c + 21, (uint32_t)crc32(0, c + 4, 17));
    memcpy(b + 33, "\0\0\0\0IDAT", 8);
    be32(b + 41, (uint32_t)crc32(0, b + 37, 4));
    memcpy(b + 45, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fwrite(b, 1, sizeof b, f);
    return fclose(f) == 0 ? 0 : -1;
}

int testdata_compare_checkpoints(const char *a, const char *b)
{
    dc_err e;
    safetensors_file *fa = safetensors_read(a, &e);
    if (!fa) {
        printf("  %s\n", e.msg);
        return -1;
    }
    safetensors_file *fb = safetensors_read(b, &e);
    if (!fb) {
        printf("  %s\n", e.msg);
        safetensors_free(fa);
        return -1;
    }
    int diff = 0;
    size_t total = safetensors_count(fa);
    if (total != safetensors_count(fb)) {
        printf("  tensor counts differ: %zu vs %zu\n", total, safetensors_count(fb));
        diff++;
    }
    for (size_t i = 0; i < total; i++) {
        const safetensors_tensor *ta = safetensors_at(fa, i);
        const safetensors_tensor *tb = safetensors_find(fb, ta->name);
        size_t w = ta->dtype == SAFETENSORS_I64 ? 8 : 4;
        if (!tb || tb->dtype != ta->dtype || tb->numel != ta->numel ||
            memcmp(ta->data, tb->data, ta->numel * w) != 0) {
            if (diff++ < 5) printf("  differs: tensor %s\n", ta->name);
        }
    }
    static const char *keys[] = {"iteration", "epoch", "batch", "samples", "rng_seed",
                                 "rng_counter", "d_steps", "g_steps", "model"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const char *va = safetensors_metadata(fa, keys[k]), *vb = safetensors_metadata(fb, keys[k]);
        if (!va || !vb || strcmp(va, vb) != 0) {
            if (diff++ < 5) printf("  differs: metadata %s: %s vs %s\n", keys[k], va ? va : "-", vb ? vb : "-");
        }
    }
    printf("  %s: %zu tensors of %s and %s %s\n", diff ? "DIFFERENT" : "identical", total, a, b,
           diff ? "differ" : "are bit-for-bit equal (and the run state too)");
    safetensors_free(fa);
    safetensors_free(fb);
    return diff;
}

/* Whether a tensor carries signal a comparison of two training runs can use: not Adam's
 * moments (their ratio follows each gradient's noise), not the bias of a layer that batch norm
 * follows (its gradient is zero but for rounding, so Adam moves it by +-lr at random), not a
 * moving mean (it holds that bias). Names as the checkpoint writes them: "<net>/<p>_h<k>..."
 * is followed by batch norm if "<net>/<p>_bn<k>/beta" exists. */
static int carries_signal(const safetensors_file *f, const char *name)
{
    size_t n = strlen(name);
    if ((n > 5 && strcmp(name + n - 5, "/Adam") == 0) || (n > 7 && strcmp(name + n - 7, "/Adam_1") == 0) ||
        strstr(name, "moving_mean"))
        return 0;
    const char *slash = strchr(name, '/'), *h = slash ? strstr(slash, "_h") : NULL;
    if (!h || !(strstr(name, "/bias") || strstr(name, "/biases"))) return 1;
    int k = atoi(h + 2);
    char bn[160];
    snprintf(bn, sizeof bn, "%.*s_bn%d/beta", (int)(h - name), name, k);
    return safetensors_find(f, bn) == NULL;
}

/* Worst max|a - b| / max|a| over the tensors of fa (all, or those carrying signal); name of
 * the worst in *worst_name. Counts missing or misshapen tensors into *diff. */
static double worst_relative(const safetensors_file *fa, const safetensors_file *fb,
                             int signal_only, const char **worst_name, int *diff, double *l2)
{
    double worst = 0, dd = 0, aa = 0;
    *worst_name = "-";
    for (size_t i = 0; i < safetensors_count(fa); i++) {
        const safetensors_tensor *ta = safetensors_at(fa, i);
        const safetensors_tensor *tb = safetensors_find(fb, ta->name);
        if (signal_only && !carries_signal(fa, ta->name)) continue;
        if (!tb || tb->dtype != ta->dtype || tb->numel != ta->numel || ta->dtype != SAFETENSORS_F32) {
            if ((*diff)++ < 5) printf("  differs: tensor %s (missing or shape)\n", ta->name);
            continue;
        }
        const float *x = (const float *)ta->data, *y = (const float *)tb->data;
        double amax = 0, dmax = 0;
        for (size_t k = 0; k < ta->numel; k++) {
            double d = fabs((double)x[k] - (double)y[k]);
            if (!(d <= dmax)) dmax = d; /* NaN counts as the worst */
            if (fabs((double)x[k]) > amax) amax = fabs((double)x[k]);
            dd += d * d;
            aa += (double)x[k] * (double)x[k];
        }
        double rel = dmax / (amax > 1e-12 ? amax : 1e-12);
        if (!(rel <= worst)) worst = rel, *worst_name = ta->name;
    }
    if (l2) *l2 = sqrt(dd) / (aa > 0 ? sqrt(aa) : 1e-12);
    return worst;
}

/* Both files read, or -1 (the problem printed, nothing kept). */
static int read_pair(const char *a, const char *b, safetensors_file **fa, safetensors_file **fb)
{
    dc_err e;
    *fa = safetensors_read(a, &e);
    *fb = *fa ? safetensors_read(b, &e) : NULL;
    if (*fa && *fb) return 0;
    printf("  %s\n", e.msg);
    safetensors_free(*fa);
    return -1;
}

/* The same run-state metadata (iteration, position, random state, Adam steps), not bit-equal
 * tensors: worst relative difference max|a - b| / max|a| over the tensors. */
int testdata_compare_checkpoints_close(const char *a, const char *b, double tol)
{
    safetensors_file *fa, *fb;
    if (read_pair(a, b, &fa, &fb) != 0) return -1;
    int diff = 0;
    const char *worst_name;
    double worst = worst_relative(fa, fb, 0, &worst_name, &diff, NULL);
    size_t total = safetensors_count(fa);
    static const char *keys[] = {"iteration", "epoch", "samples", "rng_seed", "rng_counter",
                                 "d_steps", "g_steps", "model"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const char *va = safetensors_metadata(fa, keys[k]), *vb = safetensors_metadata(fb, keys[k]);
        if (!va || !vb || strcmp(va, vb) != 0) {
            if (diff++ < 5) printf("  differs: metadata %s: %s vs %s\n", keys[k], va ? va : "-", vb ? vb : "-");
        }
    }
    int far = !(worst <= tol);
    printf("  %s: worst relative difference %.3g (tensor %s; tolerance %.3g) over %zu tensors, "
           "run state %s\n", far || diff ? "DIFFERENT" : "close", worst, worst_name, tol, total,
           diff ? "differs" : "equal");
    safetensors_free(fa);
    safetensors_free(fb);
    return diff + far;
}

int testdata_checkpoint_distance(const char *a, const char *b)
{
    safetensors_file *fa, *fb;
    if (read_pair(a, b, &fa, &fb) != 0) return -1;
    int diff = 0;
    const char *worst_name;
    double l2;
    double worst = worst_relative(fa, fb, 1, &worst_name, &diff, &l2);
    printf("  l2 %.6g = |a - b| / |a| over the tensors carrying signal; worst tensor %s: "
           "max|a - b| / max|a| = %.6g\n", l2, worst_name, worst);
    safetensors_free(fa);
    safetensors_free(fb);
    return diff;
}
