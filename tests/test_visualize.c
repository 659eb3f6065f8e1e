/* dcgan visualize and export on tiny trained runs: every option's files, their sizes (grids
 * need not be square), the GIFs decoded with giflib's reader (frames, size, loop, palette
 * faithful to G's own output), the merged GIF playing forward then backward, conditional
 * models (a row per class, classes side by side in animations), the progress animation; and
 * a generator-only export that samples exactly as the checkpoint it came from. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gifread.h"
#include "io/png_write.h"
#include "io/safetensors.h"
#include "tinyrun.h"
#include "model/checkpoint.h"
#include "core/log.h"
#include "viz/output.h"
#include "testutil.h"

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void check_png(const char *path, int W, int H, int C)
{
    int w = 0, h = 0, c = 0;
    int ok = tiny_png_size(path, &w, &h, &c) == 0;
    TEST_CHECK(ok && w == W && h == H && c == C, "%s: %dx%dx%d, want %dx%dx%d", path, w, h, c, W, H, C);
}

/* Decodes a GIF; checks frames, size and the loop extension. */
static int open_gif(const char *path, gif_decoded *g, int frames, int W, int H)
{
    if (gif_decode_file(path, g) != 0) {
        TEST_CHECK(0, "%s does not decode", path);
        return -1;
    }
    TEST_CHECK(g->nframes == frames && g->W == W && g->H == H && g->loops == 0,
               "%s: %d frames %dx%d loop %d, want %d frames %dx%d loop 0", path, g->nframes, g->W, g->H,
               g->loops, frames, W, H);
    return g->nframes == frames && g->W == W && g->H == H ? 0 : -1;
}

/* Option 3's frames, made here with the generator directly: z = 0, z[dim] = k/F; each frame
 * the labels side by side. Compared with the decoded GIF. */
static void check_sweep_gif(const char *run, const char *gif, int dim, int F, const int *labels, int L,
                            int exact, const char *what)
{
    generator g;
    dc_err e;
    if (generator_open(&g, run, NULL, NULL, &e) != 0) {
        TEST_CHECK(0, "%s", e.msg);
        return;
    }
    const dcgan_config *mc = generator_config(&g);
    int zd = mc->z_dim, h = mc->output_h, w = mc->output_w, C = mc->c_dim;
    float *z = calloc((size_t)F * L * zd, sizeof *z);
    int *lab = calloc((size_t)F * L, sizeof *lab);
    for (int k = 0; k < F; k++)
        for (int l = 0; l < L; l++) {
            z[(size_t)(k * L + l) * zd + dim] = (float)k / F;
            lab[k * L + l] = labels ? labels[l] : 0;
        }
    size_t per = generator_image_floats(&g);
    float *img = malloc((size_t)F * L * per * sizeof *img);
    generator_generate(&g, z, lab, F * L, img);
    gif_decoded d;
    if (open_gif(gif, &d, F, L * w, h) == 0) {
        uint8_t *tile = malloc(per);
        double s2 = 0;
        int mx = 0;
        size_t count = 0;
        for (int k = 0; k < F; k++)
            for (int l = 0; l < L; l++) {
                image_to_u8(tile, img + (size_t)(k * L + l) * per, C, h, w, g.lo, g.hi);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        for (int c = 0; c < 3; c++) {
                            int want = tile[((size_t)y * w + x) * C + (C == 1 ? 0 : c)];
                            int got = d.rgb[k][((size_t)y * L * w + l * w + x) * 3 + c];
                            int diff = abs(want - got);
                            if (diff > mx) mx = diff;
                            s2 += diff * diff;
                            count++;
                        }
            }
        double rmse = sqrt(s2 / count);
        int ok = exact ? mx == 0 : (rmse < 4.0 && mx <= 40);
        TEST_CHECK(ok, "%s: decoded frames differ from G's output: max %d, rmse %.3f", what, mx, rmse);
        printf("  %s %s: %d frames %dx%d match G's output: max error %d, rmse %.3f\n", ok ? "ok  " : "FAIL",
               what, F, L * w, h, mx, rmse);
        free(tile);
        gif_decoded_free(&d);
    }
    free(z);
    free(lab);
    free(img);
    generator_close(&g);
}

int main(void)
{
    test_begin("test_visualize");
    log_set_level(LOG_LEVEL_WARN);
    char tmpl[] = "/tmp/dcgan-vis-XXXXXX";
    char *root = mkdtemp(tmpl);
    if (!root) return test_finish();
    char cond[1200], col[1200], p[3000], p2[1500];
    TEST_CHECK(tiny_idx_run(root, "cond", cond, sizeof cond) == 0, "conditional run");
    TEST_CHECK(tiny_png_run(root, "colour", 24, col, sizeof col) == 0, "colour run");
    if (g_test.failures) return test_finish();

    /* option 0: 10 images, not a square: 4 columns, 3 rows of 16x16 */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "0", "--batch-size", "10", NULL) == 0, "option 0");
    snprintf(p, sizeof p, "%s/visualize/option0_it2_b10/test_seed1.png", col);
    check_png(p, 64, 48, 3);
    /* option 1: a grid per chosen dimension */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "1", "--dims", "0,2", "--batch-size", "6", NULL) == 0, "option 1");
    snprintf(p, sizeof p, "%s/visualize/option1_it2_b6_dims-0+2/test_arange_0.png", col);
    check_png(p, 48, 32, 3);
    snprintf(p, sizeof p, "%s/visualize/option1_it2_b6_dims-0+2/test_arange_2.png", col);
    check_png(p, 48, 32, 3);
    snprintf(p, sizeof p, "%s/visualize/option1_it2_b6_dims-0+2/test_arange_1.png", col);
    TEST_CHECK(!exists(p), "%s written though dimension 1 was not asked for", p);
    /* option 1, conditional, a row per class: 10 x 8 of 28x28, to --out */
    snprintf(p2, sizeof p2, "%s/elsewhere/deeper", root);
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", cond, "--option", "1", "--dims", "3", "--labels", "all", "--out", p2, NULL) == 0, "option 1 labels all");
    snprintf(p, sizeof p, "%s/test_arange_3.png", p2);
    check_png(p, 8 * 28, 10 * 28, 1);

    /* option 3, colour: the GIF against G's own frames */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "3", "--dims", "1", "--batch-size", "24", NULL) == 0, "option 3");
    snprintf(p, sizeof p, "%s/visualize/option3_it2_b24_dims-1/test_gif_1.gif", col);
    check_sweep_gif(col, p, 1, 24, NULL, 1, 0, "option 3 colour");
    /* option 3, conditional gray, two classes side by side: exact (256 grays) */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", cond, "--option", "3", "--dims", "0", "--batch-size", "4", "--labels", "1,3", NULL) == 0, "option 3 cond");
    snprintf(p, sizeof p, "%s/visualize/option3_it3_b4_dims-0_labels-1+3/test_gif_0.gif", cond);
    int two[2] = {1, 3};
    check_sweep_gif(cond, p, 0, 4, two, 2, 1, "option 3 conditional");

    /* option 2: --count random distinct dimensions */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "2", "--count", "2", "--batch-size", "3", NULL) == 0, "option 2");
    int n2 = 0;
    for (int d = 0; d < TINY_Z_DIM; d++) {
        snprintf(p, sizeof p, "%s/visualize/option2_it2_b3_count2/test_gif_random_%d.gif", col, d);
        if (exists(p)) {
            gif_decoded g;
            if (open_gif(p, &g, 3, 16, 16) == 0) gif_decoded_free(&g);
            n2++;
        }
    }
    TEST_CHECK(n2 == 2, "option 2 wrote %d GIFs, want 2", n2);

    /* option 4: every dimension (z_dim 6 < 100) and the merged GIF: 3x2 cells, 2F frames,
     * forward then backward */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "4", "--batch-size", "4", "--out", p2, NULL) == 0, "option 4");
    for (int d = 0; d < TINY_Z_DIM; d++) {
        snprintf(p, sizeof p, "%s/test_gif_%d.gif", p2, d);
        TEST_CHECK(exists(p), "%s missing", p);
    }
    snprintf(p, sizeof p, "%s/test_gif_merged.gif", p2);
    gif_decoded m;
    if (open_gif(p, &m, 8, 48, 32) == 0) {
        int mirrored = 1;
        for (int f = 0; f < 4; f++) mirrored &= memcmp(m.rgb[f], m.rgb[7 - f], (size_t)48 * 32 * 3) == 0;
        TEST_CHECK(mirrored, "merged GIF does not play forward then backward");
        /* cell (row 1, col 2) = dimension 5's frame 2 */
        gif_decoded one;
        snprintf(p, sizeof p, "%s/test_gif_5.gif", p2);
        if (open_gif(p, &one, 4, 16, 16) == 0) {
            int same = 1;
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                    for (int c = 0; c < 3; c++) {
                        int a = m.rgb[2][((size_t)(16 + y) * 48 + 32 + x) * 3 + c];
                        int b = one.rgb[2][((size_t)y * 16 + x) * 3 + c];
                        same &= abs(a - b) <= 24;
                    }
            TEST_CHECK(same, "merged cell of dimension 5 differs from test_gif_5.gif");
            gif_decoded_free(&one);
        }
        gif_decoded_free(&m);
    }

    /* progress: the 3 sample grids (10 x 8 of 28x28 cells, enlarged 3 times, 2 pixels apart), a
     * caption bar, the last frame held */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--progress", "--run", cond, NULL) == 0, "progress");
    snprintf(p, sizeof p, "%s/visualize/progress.gif", cond);
    gif_decoded pg;
    if (open_gif(p, &pg, 3, 8 * 84 + 7 * 2, 10 * 84 + 9 * 2 + 16) == 0) {
        TEST_CHECK(pg.delay_cs[2] == 200 && pg.delay_cs[0] == 15, "progress delays %d, %d", pg.delay_cs[0], pg.delay_cs[2]);
        gif_decoded_free(&pg);
    }

    /* usage errors (2) and runtime errors (1) */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "5", NULL) == EXIT_USAGE, "--option 5");
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, NULL) == EXIT_USAGE, "no --option");
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "1", "--dims", "6", NULL) == EXIT_USAGE, "--dims out of range");
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", cond, "--option", "0", "--labels", "cat", NULL) == EXIT_USAGE, "--labels cat");
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", col, "--option", "0", "--labels", "1", NULL) == EXIT_USAGE, "--labels, unconditional");
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--progress", "--checkpoint", "x", NULL) == EXIT_USAGE, "--progress --checkpoint");
    snprintf(p, sizeof p, "%s/nothing", root);
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--run", p, "--option", "0", NULL) == 1, "missing run");

    /* export: G only, samples exactly like the checkpoint */
    char g_path[2100], a[2100], b[2100];
    snprintf(g_path, sizeof g_path, "%s/served/G.safetensors", root);
    snprintf(p, sizeof p, "%s/served", root);
    mkdir(p, 0777);
    TEST_CHECK(tiny_cmd(cmd_export, "export", "--run", cond, "--out", g_path, NULL) == 0, "export");
    dc_err e;
    safetensors_file *f = safetensors_read(g_path, &e);
    TEST_CHECK(f != NULL, "%s", e.msg);
    if (f) {
        int d_tensors = 0, adam = 0, g_tensors = 0;
        for (size_t i = 0; i < safetensors_count(f); i++) {
            const char *name = safetensors_at(f, i)->name;
            d_tensors += strncmp(name, "discriminator/", 14) == 0;
            g_tensors += strncmp(name, "generator/", 10) == 0;
            adam += strstr(name, "/Adam") != NULL;
        }
        const char *contents = safetensors_metadata(f, "contents");
        TEST_CHECK(d_tensors == 0 && adam == 0 && g_tensors > 0, "export holds %d D tensors, %d Adam slots, %d G tensors", d_tensors, adam, g_tensors);
        TEST_CHECK(contents && strcmp(contents, "generator") == 0, "contents metadata");
        TEST_CHECK(safetensors_metadata(f, "class_names") && safetensors_metadata(f, "model"), "model metadata kept");
        safetensors_free(f);
    }
    snprintf(a, sizeof a, "%s/a.npy", root);
    snprintf(b, sizeof b, "%s/b.npy", root);
    TEST_CHECK(tiny_cmd(cmd_sample, "sample", "--checkpoint", g_path, "--labels", "all", "--npy", a, NULL) == 0, "sample from export");
    TEST_CHECK(tiny_cmd(cmd_sample, "sample", "--run", cond, "--labels", "all", "--npy", b, NULL) == 0, "sample from run");
    size_t la = 0, lb = 0;
    void *da = test_read_file(a, &la), *db = test_read_file(b, &lb);
    TEST_CHECK(da && db && la == lb && memcmp(da, db, la) == 0, "export and checkpoint sample differently");
    free(da);
    free(db);
    /* visualize takes it; the default output folder is beside it */
    TEST_CHECK(tiny_cmd(cmd_visualize, "visualize", "--checkpoint", g_path, "--option", "0", "--batch-size", "4", NULL) == 0, "visualize export");
    snprintf(p, sizeof p, "%s/served/visualize/option0_it3_b4/test_seed1.png", root);
    check_png(p, 56, 56, 1);
    /* it cannot resume training */
    dcgan_config cfg = dcgan_config_default();
    if (checkpoint_read_config(g_path, &cfg, &e) == 0) {
        cfg.batch = 8;
        dcgan_model mdl;
        if (dcgan_model_init(&mdl, &cfg, &e) == 0) {
            TEST_CHECK(checkpoint_load(g_path, &mdl, 1, NULL, &e) != 0 && strstr(e.msg, "generator-only"),
                       "loading an export for training: %s", e.msg);
            dcgan_model_free(&mdl);
        }
    }
    TEST_CHECK(tiny_cmd(cmd_export, "export", "--run", cond, NULL) == EXIT_USAGE, "export without --out");

    if (!g_test.failures) tiny_rmtree(root);
    return test_finish();
}
