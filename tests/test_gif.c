/* GIF animations: written by src/viz/gif_write.c, read back with giflib's decoder: frame count,
 * size, the loop extension, delays, and the palette's faithfulness (decoded pixels against the
 * source frames): exact for gray and for <= 256 colours, within a measured error for smooth
 * colour images with many thousands of colours. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gifread.h"
#include "viz/gif_write.h"
#include "core/rng.h"
#include "testutil.h"

static char g_dir[64];

/* max |decoded - source| and RMSE over all frames (source C = 1 or 3) */
static void compare(const gif_decoded *g, uint8_t **src, int C, int *maxerr, double *rmse)
{
    size_t npix = (size_t)g->W * g->H;
    double s = 0;
    int m = 0;
    for (int f = 0; f < g->nframes; f++)
        for (size_t i = 0; i < npix; i++)
            for (int c = 0; c < 3; c++) {
                int want = src[f][i * C + (C == 1 ? 0 : c)], got = g->rgb[f][i * 3 + c];
                int d = abs(want - got);
                if (d > m) m = d;
                s += (double)d * d;
            }
    *maxerr = m;
    *rmse = sqrt(s / ((double)g->nframes * npix * 3));
}

static void roundtrip_any(const char *name, uint8_t **frames, int n, int W, int H, int C, int want_max,
                          double want_rmse, int local)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.gif", g_dir, name);
    int *delays = malloc((size_t)n * sizeof *delays);
    for (int i = 0; i < n; i++) delays[i] = i == n - 1 ? 150 : 4 + i % 3;
    gif_stats st;
    dc_err e;
    int rc = (local ? gif_write_local : gif_write)(path, (const uint8_t *const *)frames, n, W, H, C, delays, &st, &e);
    TEST_CHECK(rc == 0, "%s", e.msg);
    gif_decoded g;
    if (rc != 0 || gif_decode_file(path, &g) != 0) {
        TEST_CHECK(0, "%s: cannot decode", path);
        free(delays);
        return;
    }
    TEST_CHECK(g.nframes == n && g.W == W && g.H == H, "%s: %d frames %dx%d, want %d %dx%d", name,
               g.nframes, g.W, g.H, n, W, H);
    TEST_CHECK(g.loops == 0, "%s: loop extension %d (want 0 = forever)", name, g.loops);
    int delays_ok = 1;
    for (int i = 0; i < g.nframes && i < n; i++) delays_ok &= g.delay_cs[i] == delays[i];
    TEST_CHECK(delays_ok, "%s: frame delays differ", name);
    int m = 0;
    double r = 0;
    if (g.nframes == n && g.W == W && g.H == H) compare(&g, frames, C, &m, &r);
    TEST_CHECK(m <= want_max && r <= want_rmse, "%s: max error %d (<= %d), rmse %.3f (<= %.3f)", name,
               m, want_max, r, want_rmse);
    TEST_CHECK(fabs(r - st.rmse) < 1e-6 && m == st.max_err, "%s: writer's stats %.4f/%d vs decoded %.4f/%d",
               name, st.rmse, st.max_err, r, m);
    printf("  %s %s: %d frames %dx%d, %d colours, max error %d, rmse %.3f, PSNR %.1f dB\n",
           m <= want_max && r <= want_rmse ? "ok  " : "FAIL", name, n, W, H, st.colors, m, r, st.psnr);
    gif_decoded_free(&g);
    free(delays);
}

static void roundtrip(const char *name, uint8_t **frames, int n, int W, int H, int C, int want_max,
                      double want_rmse)
{
    roundtrip_any(name, frames, n, W, H, C, want_max, want_rmse, 0);
}

static uint8_t **alloc_frames(int n, size_t bytes)
{
    uint8_t **f = calloc((size_t)n, sizeof *f);
    for (int i = 0; i < n; i++) f[i] = calloc(bytes, 1);
    return f;
}

static void free_frames(uint8_t **f, int n)
{
    for (int i = 0; i < n; i++) free(f[i]);
    free(f);
}

int main(void)
{
    test_begin("test_gif");
    snprintf(g_dir, sizeof g_dir, "/tmp/dcgan-gif-XXXXXX");
    if (!mkdtemp(g_dir)) return test_finish();
    rng_state r;
    rng_init(&r, 7);

    /* gray: every level appears; exact */
    {
        int n = 5, W = 37, H = 9;
        uint8_t **f = alloc_frames(n, (size_t)W * H);
        for (int k = 0; k < n; k++)
            for (int i = 0; i < W * H; i++) f[k][i] = (uint8_t)((i * 7 + k * 51) & 255);
        roundtrip("gray", f, n, W, H, 1, 0, 0.0);
        free_frames(f, n);
    }
    /* colour with 200 distinct colours: exact */
    {
        int n = 3, W = 20, H = 20;
        uint8_t pal[200][3];
        for (int i = 0; i < 200; i++)
            for (int c = 0; c < 3; c++) pal[i][c] = (uint8_t)rng_below(&r, 256);
        uint8_t **f = alloc_frames(n, (size_t)W * H * 3);
        for (int k = 0; k < n; k++)
            for (int i = 0; i < W * H; i++) memcpy(f[k] + 3 * i, pal[(i + k * 67) % 200], 3);
        roundtrip("200colours", f, n, W, H, 3, 0, 0.0);
        free_frames(f, n);
    }
    /* three frames of 200 colours each, 600 in all: one palette for all cannot hold them, a
     * palette per frame can, exactly */
    {
        int n = 3, W = 20, H = 20;
        uint8_t **f = alloc_frames(n, (size_t)W * H * 3);
        for (int k = 0; k < n; k++)
            for (int i = 0; i < W * H; i++)
                for (int c = 0; c < 3; c++) f[k][3 * i + c] = (uint8_t)((i % 200) * (c + 1) * 7 + k * 85 + c * 30);
        roundtrip_any("local-palettes", f, n, W, H, 3, 0, 0.0, 1);
        roundtrip_any("600colours-global", f, n, W, H, 3, 10, 3.0, 0);
        free_frames(f, n);
    }
    /* smooth colour images (blobs of colour over gradients, a little noise), ~tens of thousands
     * of colours: a face-like palette problem */
    {
        int n = 16, W = 64, H = 64;
        uint8_t **f = alloc_frames(n, (size_t)W * H * 3);
        for (int k = 0; k < n; k++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    double t = k / (double)n;
                    double cx = 32 + 14 * cos(6.28 * t), cy = 32 + 14 * sin(6.28 * t);
                    double d = sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                    double blob = exp(-d * d / 180.0);
                    double v[3] = {40 + 180 * blob + 30 * x / 64.0, 60 + 120 * blob * (1 - t) + 50 * y / 64.0,
                                   200 - 150 * blob + 20 * t};
                    for (int c = 0; c < 3; c++) {
                        double q = v[c] + (double)rng_below(&r, 7) - 3;
                        f[k][(y * W + x) * 3 + c] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
                    }
                }
        roundtrip("smooth", f, n, W, H, 3, 20, 3.0);
        free_frames(f, n);
    }
    /* uniform random colour noise: the hardest case, just bounded */
    {
        int n = 2, W = 32, H = 32;
        uint8_t **f = alloc_frames(n, (size_t)W * H * 3);
        for (int k = 0; k < n; k++)
            for (int i = 0; i < W * H * 3; i++) f[k][i] = (uint8_t)rng_below(&r, 256);
        roundtrip("noise", f, n, W, H, 3, 50, 13.0);
        free_frames(f, n);
    }
    /* a single 1x1 frame */
    {
        uint8_t px[3] = {10, 200, 30};
        uint8_t *f[1] = {px};
        roundtrip("one-pixel", f, 1, 1, 1, 3, 0, 0.0);
    }
    /* errors name the file */
    {
        uint8_t px[3] = {0, 0, 0};
        const uint8_t *f[1] = {px};
        int d = 10;
        dc_err e;
        TEST_CHECK(gif_write("/nonexistent-dir/x.gif", f, 1, 1, 1, 3, &d, NULL, &e) != 0 &&
                       strstr(e.msg, "/nonexistent-dir/x.gif") != NULL,
                   "error: %s", e.msg);
        TEST_CHECK(gif_write("/tmp/x.gif", f, 0, 1, 1, 3, &d, NULL, &e) != 0, "no frames accepted");
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (!g_test.failures && system(cmd) != 0) printf("could not remove %s\n", g_dir);
    return test_finish();
}
