/* Latent-space tools: sweeps, lerp and slerp (endpoints exact, slerp on the great circle),
 * index lists and arithmetic expressions (and their one-line errors), then dcgan interpolate
 * (its path's endpoints are exactly the given z's images; slerp and lerp differ between them)
 * and dcgan arithmetic (sheet, result z = the signed means of the groups, the figure). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "gifread.h"
#include "io/npy.h"
#include "tinyrun.h"
#include "core/log.h"
#include "viz/latent.h"
#include "testutil.h"

static void unit_tests(void)
{
    /* sweep */
    float z[4 * 3] = {0};
    latent_sweep(z, 4, 3, 1, 0.0f, 0.25f);
    TEST_CHECK(z[1] == 0.0f && z[4] == 0.25f && z[7] == 0.5f && z[10] == 0.75f && z[0] == 0 && z[2] == 0, "sweep");
    /* lerp and slerp */
    float a[3] = {1, 0, 0}, b[3] = {0, 2, 0}, o[3], l[3];
    latent_slerp(o, a, b, 3, 0.0f);
    TEST_CHECK(memcmp(o, a, sizeof a) == 0, "slerp t=0 is a");
    latent_slerp(o, a, b, 3, 1.0f);
    TEST_CHECK(memcmp(o, b, sizeof b) == 0, "slerp t=1 is b");
    latent_slerp(o, a, b, 3, 0.5f);
    latent_lerp(l, a, b, 3, 0.5f);
    /* 90 degrees apart: halfway is sin(45)/sin(90) of each */
    TEST_CHECK(fabsf(o[0] - 0.70710677f) < 1e-6f && fabsf(o[1] - 1.4142135f) < 1e-6f && o[2] == 0.0f,
               "slerp halfway %g %g %g", o[0], o[1], o[2]);
    TEST_CHECK(l[0] == 0.5f && l[1] == 1.0f, "lerp halfway");
    float c[3] = {2, 0, 0};
    latent_slerp(o, a, c, 3, 0.5f); /* parallel: falls back to lerp */
    TEST_CHECK(fabsf(o[0] - 1.5f) < 1e-6f, "slerp of parallel vectors %g", o[0]);
    /* index lists */
    int idx[16];
    char err[256];
    TEST_CHECK(latent_parse_index_list("0-3,7", 10, idx, 16, err, sizeof err) == 5 && idx[3] == 3 && idx[4] == 7, "list");
    TEST_CHECK(latent_parse_index_list("3,10", 10, idx, 16, err, sizeof err) < 0 && strstr(err, "out of range"), "list range: %s", err);
    TEST_CHECK(latent_parse_index_list("3,,4", 10, idx, 16, err, sizeof err) < 0, "list ,,");
    TEST_CHECK(latent_parse_index_list("5-2", 10, idx, 16, err, sizeof err) < 0, "list 5-2");
    /* expressions */
    latent_expr x;
    TEST_CHECK(latent_parse_expr("3,17,21 - 5,8,40 + 2,9,11", 64, &x, err, sizeof err) == 0 && x.nterms == 3 &&
                   x.sign[0] == 1 && x.sign[1] == -1 && x.sign[2] == 1 && x.count[1] == 3 && x.index[1][2] == 40,
               "expr: %s", err);
    TEST_CHECK(latent_parse_expr("-1 + 2", 64, &x, err, sizeof err) == 0 && x.sign[0] == -1, "leading sign");
    static const char *bad[] = {"", "3,,4", "3 - ", "3 * 4", "a", "1,2 - 64", "1 2", "+", "1,"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int r = latent_parse_expr(bad[i], 64, &x, err, sizeof err);
        TEST_CHECK(r != 0 && strchr(err, '\n') == NULL && strlen(err) > 0, "'%s' accepted (%s)", bad[i], err);
    }
    float sheet[4 * 2] = {1, 2, 3, 4, 5, 6, 7, 8};
    latent_parse_expr("0,1 - 2 + 3", 4, &x, err, sizeof err);
    float r[2];
    latent_eval_expr(&x, sheet, 2, r);
    TEST_CHECK(fabsf(r[0] - (2 - 5 + 7)) < 1e-6f && fabsf(r[1] - (3 - 6 + 8)) < 1e-6f, "eval %g %g", r[0], r[1]);
}

static float *read_npy(const char *path, int64_t *rows, int64_t *rowlen)
{
    float *d = NULL;
    int nd;
    int64_t shape[NPY_MAX_DIMS];
    dc_err e;
    if (npy_read_f32(path, &d, &nd, shape, &e) != 0) {
        TEST_CHECK(0, "%s", e.msg);
        return NULL;
    }
    *rows = shape[0];
    *rowlen = 1;
    for (int i = 1; i < nd; i++) *rowlen *= shape[i];
    return d;
}

static double max_diff(const float *a, const float *b, int64_t n)
{
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

int main(void)
{
    test_begin("test_latent");
    log_set_level(LOG_LEVEL_WARN);
    unit_tests();

    char tmpl[] = "/tmp/dcgan-latent-XXXXXX";
    char *root = mkdtemp(tmpl);
    if (!root) return test_finish();
    char col[1200], cond[1200], zp[1300], out[1300], p[3000], s[1300], il[1300], is[1300];
    TEST_CHECK(tiny_png_run(root, "colour", 24, col, sizeof col) == 0, "colour run");
    TEST_CHECK(tiny_idx_run(root, "cond", cond, sizeof cond) == 0, "conditional run");
    if (g_test.failures) return test_finish();
    snprintf(out, sizeof out, "%s/o", root);

    /* three given points, far apart (the second nearly opposite the first, where slerp and
     * lerp part most: lerp passes near 0, slerp keeps the norm), large enough that the tiny
     * barely trained G shows it */
    float pts[3 * TINY_Z_DIM];
    for (int i = 0; i < TINY_Z_DIM; i++) {
        pts[i] = 4.0f * (float)sin(i * 1.7 + 0.3);
        pts[TINY_Z_DIM + i] = -pts[i] + 0.8f * (float)cos(i * 2.9);
        pts[2 * TINY_Z_DIM + i] = 4.0f * (float)cos(i * 0.7);
    }
    snprintf(zp, sizeof zp, "%s/z.npy", root);
    int64_t shape[2] = {3, TINY_Z_DIM};
    dc_err e;
    TEST_CHECK(npy_write_f32(zp, pts, 2, shape, &e) == 0, "%s", e.msg);
    snprintf(s, sizeof s, "%s/s.npy", root);
    snprintf(il, sizeof il, "%s/il.npy", root);
    snprintf(is, sizeof is, "%s/is.npy", root);
    TEST_CHECK(tiny_cmd(cmd_sample, "sample", "--run", col, "--z", zp, "--npy", s, NULL) == 0, "sample");
    TEST_CHECK(tiny_cmd(cmd_interpolate, "interpolate", "--run", col, "--z", zp, "--steps", "3", "--npy", il, "--out", out, NULL) == 0, "lerp");
    TEST_CHECK(tiny_cmd(cmd_interpolate, "interpolate", "--run", col, "--z", zp, "--steps", "3", "--slerp", "--npy", is, "--out", out, NULL) == 0, "slerp");
    int64_t ns, nl, nsl, per, per2, per3;
    float *S = read_npy(s, &ns, &per), *L = read_npy(il, &nl, &per2), *SL = read_npy(is, &nsl, &per3);
    if (S && L && SL) {
        TEST_CHECK(ns == 3 && nl == 3 + 2 * 3 && nsl == nl && per == per2 && per == per3, "counts %ld %ld %ld", (long)ns, (long)nl, (long)nsl);
        double end_l = 0, end_s = 0;
        for (int k = 0; k < 3; k++) {
            end_l = fmax(end_l, max_diff(L + (size_t)(4 * k) * per, S + (size_t)k * per, per));
            end_s = fmax(end_s, max_diff(SL + (size_t)(4 * k) * per, S + (size_t)k * per, per));
        }
        double mid = max_diff(L + (size_t)2 * per, SL + (size_t)2 * per, per);
        TEST_CHECK(end_l <= 1e-6 && end_s <= 1e-6, "endpoints differ from the given z's images: lerp %g, slerp %g", end_l, end_s);
        /* the tiny G barely depends on z: "differ" means far beyond the float noise that the
         * endpoints show */
        TEST_CHECK(mid > 1e-5 && mid > 100 * fmax(fmax(end_l, end_s), 1e-9), "slerp and lerp agree halfway (%g)", mid);
        /* the halfway images are G of latent_slerp / latent_lerp at t = 0.5 */
        float zm[2 * TINY_Z_DIM];
        latent_lerp(zm, pts, pts + TINY_Z_DIM, TINY_Z_DIM, 0.5f);
        latent_slerp(zm + TINY_Z_DIM, pts, pts + TINY_Z_DIM, TINY_Z_DIM, 0.5f);
        char zmp[1400], mp[1400];
        snprintf(zmp, sizeof zmp, "%s/zm.npy", root);
        snprintf(mp, sizeof mp, "%s/m.npy", root);
        int64_t sh2[2] = {2, TINY_Z_DIM};
        TEST_CHECK(npy_write_f32(zmp, zm, 2, sh2, &e) == 0, "%s", e.msg);
        TEST_CHECK(tiny_cmd(cmd_sample, "sample", "--run", col, "--z", zmp, "--npy", mp, NULL) == 0, "sample halfway");
        int64_t nm, perm;
        float *Mi = read_npy(mp, &nm, &perm);
        if (Mi) {
            double dl = max_diff(Mi, L + (size_t)2 * per, per), ds = max_diff(Mi + per, SL + (size_t)2 * per, per);
            TEST_CHECK(dl <= 1e-6 && ds <= 1e-6, "halfway images: lerp off by %g, slerp off by %g", dl, ds);
        }
        free(Mi);
        printf("  ok   interpolation endpoints = the z's images (max diff lerp %.2g, slerp %.2g); halfway lerp vs slerp differ by %.2g\n",
               end_l, end_s, mid);
    }
    free(S);
    free(L);
    free(SL);
    snprintf(p, sizeof p, "%s/interp_slerp.gif", out);
    gif_decoded g;
    if (gif_decode_file(p, &g) == 0) {
        /* 9 path images: forward and back = 16 frames; 16x16 cells enlarged 4x to 64 */
        TEST_CHECK(g.nframes == 16 && g.W == 64 && g.H == 64 && g.loops == 0, "interp GIF %d frames %dx%d", g.nframes, g.W, g.H);
        TEST_CHECK(g.delay_cs[0] == 50 && g.delay_cs[1] == 10 && g.delay_cs[4] == 50, "pauses at the points");
        gif_decoded_free(&g);
    } else {
        TEST_CHECK(0, "%s does not decode", p);
    }
    snprintf(p, sizeof p, "%s/interp_lerp.png", out);
    int W, H, C;
    TEST_CHECK(tiny_png_size(p, &W, &H, &C) == 0 && W == 5 * 64 && H == 2 * 64 && C == 3, "strip %dx%d", W, H);
    /* conditional: classes side by side; random points */
    TEST_CHECK(tiny_cmd(cmd_interpolate, "interpolate", "--run", cond, "--points", "3", "--steps", "2", "--labels", "0,4", "--scale", "1", NULL) == 0, "conditional");
    snprintf(p, sizeof p, "%s/visualize/interp_lerp.png", cond);
    TEST_CHECK(tiny_png_size(p, &W, &H, &C) == 0 && W == 4 * 28 && H == 2 * 2 * 28 && C == 1, "conditional strip %dx%dx%d", W, H, C);
    TEST_CHECK(tiny_cmd(cmd_interpolate, "interpolate", "--run", col, "--z", s, NULL) == 1, "wrong z shape");
    TEST_CHECK(tiny_cmd(cmd_interpolate, "interpolate", "--run", col, "--points", "1", NULL) == EXIT_USAGE, "--points 1");

    /* arithmetic: the sheet, then an expression */
    TEST_CHECK(tiny_cmd(cmd_arithmetic, "arithmetic", "--run", col, "--sheet", "-n", "12", "--out", out, NULL) == 0, "sheet");
    snprintf(p, sizeof p, "%s/sheet.png", out);
    TEST_CHECK(tiny_png_size(p, &W, &H, &C) == 0 && W == 4 * 64 && H == 3 * 64, "sheet %dx%d", W, H);
    char sz[1400];
    snprintf(sz, sizeof sz, "%s/sheet_z.npy", out);
    TEST_CHECK(tiny_cmd(cmd_arithmetic, "arithmetic", "--run", col, "--sheet-z", sz, "--expr", "0,1,2 - 3,4,5 + 6,7,8",
                        "--variations", "4", "--jitter", "0.1", "--out", out, NULL) == 0, "expression");
    int64_t nz, zl, nr, rl;
    float *Z = read_npy(sz, &nz, &zl);
    snprintf(p, sizeof p, "%s/arithmetic_z.npy", out);
    float *R = read_npy(p, &nr, &rl);
    if (Z && R) {
        TEST_CHECK(nz == 12 && zl == TINY_Z_DIM && nr == 5 && rl == TINY_Z_DIM, "shapes %ld x %ld, %ld x %ld", (long)nz, (long)zl, (long)nr, (long)rl);
        double worst = 0, jit = 0;
        for (int d = 0; d < TINY_Z_DIM; d++) {
            double want = (Z[0 * 6 + d] + Z[1 * 6 + d] + Z[2 * 6 + d]) / 3 - (Z[3 * 6 + d] + Z[4 * 6 + d] + Z[5 * 6 + d]) / 3 +
                          (Z[6 * 6 + d] + Z[7 * 6 + d] + Z[8 * 6 + d]) / 3;
            worst = fmax(worst, fabs(R[d] - want));
            for (int v = 1; v < 5; v++) jit = fmax(jit, fabs(R[v * 6 + d] - R[d]));
        }
        TEST_CHECK(worst < 1e-5, "result z off by %g", worst);
        TEST_CHECK(jit > 0 && jit <= 0.1 + 1e-6, "variations' noise %g (want within 0.1)", jit);
    }
    free(Z);
    free(R);
    snprintf(p, sizeof p, "%s/arithmetic.png", out);
    TEST_CHECK(tiny_png_size(p, &W, &H, &C) == 0 && W > 0, "arithmetic.png");
    TEST_CHECK(tiny_cmd(cmd_arithmetic, "arithmetic", "--run", col, "--sheet-z", sz, "--expr", "0,,1", NULL) == EXIT_USAGE, "bad expr");
    TEST_CHECK(tiny_cmd(cmd_arithmetic, "arithmetic", "--run", col, "--sheet-z", sz, "--expr", "0 - 12", NULL) == EXIT_USAGE, "index out of range");
    TEST_CHECK(tiny_cmd(cmd_arithmetic, "arithmetic", "--run", col, "--expr", "0 - 1", NULL) == EXIT_USAGE, "no --sheet-z");
    TEST_CHECK(tiny_cmd(cmd_arithmetic, "arithmetic", "--run", col, "--sheet", "--expr", "0 - 1", NULL) == EXIT_USAGE, "both");

    if (!g_test.failures) tiny_rmtree(root);
    return test_finish();
}
