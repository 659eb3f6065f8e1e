/* dcgan arithmetic: the paper's vector arithmetic on latent vectors (smiling woman - neutral
 * woman + neutral man = smiling man): pick exemplars from a numbered sheet, average the z's of
 * each concept (3 per concept in the paper), add and subtract, look at the result. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/npy.h"
#include "core/log.h"
#include "viz/canvas.h"
#include "viz/output.h"
#include "viz/latent.h"

enum { OPT_RUN = 1000, OPT_CKPT, OPT_SHEET, OPT_SHEET_Z, OPT_EXPR, OPT_N, OPT_COLS, OPT_LABEL,
       OPT_SEED, OPT_OUT, OPT_JITTER, OPT_VARIATIONS, OPT_SCALE, OPT_NPY, OPT_HELP };

static const struct option arith_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"sheet", no_argument, 0, OPT_SHEET},
    {"sheet-z", required_argument, 0, OPT_SHEET_Z},
    {"expr", required_argument, 0, OPT_EXPR},
    {"num", required_argument, 0, OPT_N},
    {"cols", required_argument, 0, OPT_COLS},
    {"label", required_argument, 0, OPT_LABEL},
    {"seed", required_argument, 0, OPT_SEED},
    {"out", required_argument, 0, OPT_OUT},
    {"jitter", required_argument, 0, OPT_JITTER},
    {"variations", required_argument, 0, OPT_VARIATIONS},
    {"scale", required_argument, 0, OPT_SCALE},
    {"npy", required_argument, 0, OPT_NPY},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void arith_help(void)
{
    printf(
        "usage: dcgan arithmetic (--run DIR | --checkpoint FILE) --sheet [options]\n"
        "       dcgan arithmetic (--run DIR | --checkpoint FILE) --sheet-z FILE.npy --expr EXPR\n"
        "\n"
        "Vector arithmetic on latent vectors, as in the paper's figure 7. First a numbered sheet\n"
        "of samples to choose exemplars from: OUT/sheet.png, each image's index drawn on it, and\n"
        "its latent vectors OUT/sheet_z.npy (float32 [N, z_dim]). Then an expression over groups\n"
        "of sheet indices: each group's z's are averaged (the paper uses 3 exemplars per\n"
        "concept), and the averages added and subtracted:\n"
        "    --expr \"3,17,21 - 5,8,40 + 2,9,11\"\n"
        "writes OUT/arithmetic.png (a row per group: its exemplars and their mean; then the\n"
        "result and variations with uniform noise added to its z) and OUT/arithmetic_z.npy (the\n"
        "result's z, then the variations'). OUT is RUN/visualize unless --out DIR.\n"
        "\n"
        "  --sheet            write the numbered sample sheet\n"
        "  -n, --num N        sheet: number of samples (64)\n"
        "  --cols N           sheet: columns (default ceil(sqrt(N)))\n"
        "  --seed N           sheet: latent vectors; result: the variations' noise (1)\n"
        "  --sheet-z FILE     the sheet's latent vectors\n"
        "  --expr EXPR        groups of comma-separated indices joined by + and -\n"
        "  --jitter X         variations: noise U(-X, X) added to the result (0.25, the paper's)\n"
        "  --variations N     how many (8)\n"
        "  --label C          conditional models: the class of every image (index or name; 0)\n"
        "  --npy FILE.npy     result: also write the images, float32 [1 + N, H, W, C]\n"
        "  --scale K          enlarge the pictures K times (default: cells >= 64 pixels)\n"
        "  --out DIR          output folder\n");
}

static const uint8_t WHITE[3] = {255, 255, 255}, BLACK[3] = {0, 0, 0};

static int write_sheet(generator *g, const char *dir, int n, int cols, int label, uint64_t seed,
                       int scale, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int zd = mc->z_dim, h = mc->output_h, w = mc->output_w;
    float *z = dc_alloc_floats((size_t)n * zd);
    float *img = dc_alloc_floats((size_t)n * generator_image_floats(g));
    int *lab = dc_calloc((size_t)n, sizeof *lab);
    for (int i = 0; i < n; i++) lab[i] = label;
    rng_state r;
    rng_init(&r, seed);
    generator_draw_z(g, &r, z, (size_t)n * zd);
    generator_generate(g, z, lab, n, img);
    char path[GENERATOR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/sheet_z.npy", dir);
    int64_t shape[2] = {n, zd};
    int rc = npy_write_f32(path, z, 2, shape, e);
    if (rc == 0) {
        log_info("wrote %s", path);
        int rows = (n + cols - 1) / cols;
        canvas c;
        canvas_init(&c, cols * w, rows * h, mc->c_dim, 0);
        size_t per = generator_image_floats(g);
        for (int i = 0; i < n; i++)
            canvas_put_float(&c, (i % cols) * w, (i / cols) * h, img + i * per, mc->c_dim, h, w, g->lo, g->hi);
        canvas_scale(&c, scale);
        double size = fmax(9.0, fmin(16.0, w * scale / 4.0));
        for (int i = 0; i < n; i++) {
            char num[16];
            snprintf(num, sizeof num, "%d", i);
            canvas_text(&c, (i % cols) * w * scale + 2, (i / cols) * h * scale + size + 1, num, size,
                        WHITE, BLACK);
        }
        snprintf(path, sizeof path, "%s/sheet.png", dir);
        rc = canvas_write_png(&c, path, e);
        if (rc == 0) log_info("wrote %s (%d samples; pick exemplars by number)", path, n);
        canvas_free(&c);
    }
    free(z);
    free(img);
    free(lab);
    return rc;
}

static int write_result(generator *g, const char *dir, const float *sheet, const latent_expr *x,
                        int label, int variations, float jitter, uint64_t seed, int scale,
                        const char *npy, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int zd = mc->z_dim, h = mc->output_h, w = mc->output_w;
    size_t per = generator_image_floats(g);
    int maxg = 0, nex = 0;
    for (int t = 0; t < x->nterms; t++) {
        if (x->count[t] > maxg) maxg = x->count[t];
        nex += x->count[t];
    }
    /* images: every exemplar, every group mean, the result and its variations */
    int nres = 1 + variations, total = nex + x->nterms + nres;
    float *z = dc_alloc_floats((size_t)total * zd);
    int *lab = dc_calloc((size_t)total, sizeof *lab);
    for (int i = 0; i < total; i++) lab[i] = label;
    int k = 0;
    for (int t = 0; t < x->nterms; t++)
        for (int i = 0; i < x->count[t]; i++, k++)
            memcpy(z + (size_t)k * zd, sheet + (size_t)x->index[t][i] * zd, (size_t)zd * sizeof *z);
    for (int t = 0; t < x->nterms; t++, k++) {
        latent_expr one = {0};
        one.nterms = 1;
        one.sign[0] = 1;
        one.count[0] = x->count[t];
        memcpy(one.index[0], x->index[t], sizeof one.index[0]);
        latent_eval_expr(&one, sheet, zd, z + (size_t)k * zd);
    }
    float *res = z + (size_t)k * zd;
    latent_eval_expr(x, sheet, zd, res);
    rng_state r;
    rng_init(&r, seed);
    for (int v = 1; v < nres; v++) {
        float *zv = res + (size_t)v * zd;
        rng_uniform(&r, zv, (size_t)zd, -jitter, jitter);
        for (int d = 0; d < zd; d++) zv[d] += res[d];
    }
    float *img = dc_alloc_floats((size_t)total * per);
    generator_generate(g, z, lab, total, img);

    char path[GENERATOR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/arithmetic_z.npy", dir);
    int64_t shape[2] = {nres, zd};
    int rc = npy_write_f32(path, res, 2, shape, e);
    if (rc == 0 && npy) rc = generator_write_npy(g, npy, img + (size_t)(nex + x->nterms) * per, nres, e);
    if (rc == 0) {
        /* layout, in cells: a sign column, the exemplars, a gap, the mean; the result row:
         * "=", the result, its variations */
        int gap = 4, cw = w + gap, ch = h + gap;
        int cols = 1 + maxg + 1 > nres ? 1 + maxg + 1 : nres;
        int W = cw * (1 + cols) + gap, H = ch * (x->nterms + 1) + gap * 3;
        canvas c;
        canvas_init(&c, W * scale, H * scale, mc->c_dim, 255);
        int e_i = 0;
        canvas tile;
        for (int t = 0; t <= x->nterms; t++) {
            int y = (gap + t * ch + (t == x->nterms ? 2 * gap : 0)) * scale;
            const char *sign = t == x->nterms ? "=" : x->sign[t] < 0 ? "\xe2\x88\x92" : t == 0 ? "" : "+";
            double size = h * scale * 0.6;
            canvas_text(&c, (cw - canvas_text_width(sign, size) / scale) / 2 * scale, y + h * scale * 0.75,
                        sign, size, BLACK, NULL);
            int n = t == x->nterms ? nres : x->count[t];
            for (int i = 0; i <= n; i++) {
                const float *src;
                int col;
                if (t == x->nterms) {
                    if (i == n) break;
                    src = img + (size_t)(nex + x->nterms + i) * per;
                    col = i;
                } else if (i < n) {
                    src = img + (size_t)(e_i + i) * per;
                    col = i;
                } else {
                    src = img + (size_t)(nex + t) * per; /* the group's mean */
                    col = maxg + 1;
                }
                canvas_init(&tile, w, h, mc->c_dim, 0);
                canvas_put_float(&tile, 0, 0, src, mc->c_dim, h, w, g->lo, g->hi);
                canvas_scale(&tile, scale);
                canvas_put(&c, (gap + (1 + col) * cw) * scale, y, tile.px, tile.W, tile.H, mc->c_dim);
                canvas_free(&tile);
            }
            if (t < x->nterms) e_i += x->count[t];
        }
        snprintf(path, sizeof path, "%s/arithmetic.png", dir);
        rc = canvas_write_png(&c, path, e);
        canvas_free(&c);
        if (rc == 0) log_info("wrote %s and %s/arithmetic_z.npy", path, dir);
    }
    free(z);
    free(lab);
    free(img);
    return rc;
}

int cmd_arithmetic(int argc, char **argv)
{
    const char *C = "arithmetic";
    const char *run = NULL, *ckpt = NULL, *sheet_z = NULL, *expr = NULL, *out = NULL, *label_s = NULL;
    const char *npy = NULL;
    int sheet = 0, n = 64, cols = 0, variations = 8, scale = 0;
    float jitter = 0.25f;
    uint64_t seed = 1;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":hn:", arith_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        int bad = 0;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case OPT_SHEET: sheet = 1; break;
        case OPT_SHEET_Z: sheet_z = optarg; break;
        case OPT_EXPR: expr = optarg; break;
        case 'n':
        case OPT_N: bad = cli_parse_int(C, "-n", optarg, 1, 10000, &n); break;
        case OPT_COLS: bad = cli_parse_int(C, "--cols", optarg, 1, 10000, &cols); break;
        case OPT_LABEL: label_s = optarg; break;
        case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &seed); break;
        case OPT_OUT: out = optarg; break;
        case OPT_JITTER: bad = cli_parse_float(C, "--jitter", optarg, 0.0f, 100.0f, &jitter); break;
        case OPT_VARIATIONS: bad = cli_parse_int(C, "--variations", optarg, 0, 1000, &variations); break;
        case OPT_SCALE: bad = cli_parse_int(C, "--scale", optarg, 1, 16, &scale); break;
        case OPT_NPY: npy = optarg; break;
        case 'h':
        case OPT_HELP: arith_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return cli_usage_error(C, "unknown option '%s'", flag);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (sheet == (sheet_z || expr))
        return cli_usage_error(C, "give either --sheet, or --sheet-z FILE.npy with --expr EXPR");
    if (!sheet && (!sheet_z || !expr))
        return cli_usage_error(C, "%s needs %s too", sheet_z ? "--sheet-z" : "--expr",
                               sheet_z ? "--expr EXPR" : "--sheet-z FILE.npy");
    /* the expression's syntax first: a typo should not wait for the model to load */
    latent_expr x;
    char msg[512];
    if (expr && latent_parse_expr(expr, 1 << 30, &x, msg, sizeof msg) != 0)
        return cli_usage_error(C, "--expr: %s", msg);

    dc_err e;
    generator g;
    if (generator_open(&g, run, ckpt, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    const dcgan_config *mc = generator_config(&g);
    int rc = 1, label = 0;
    float *z = NULL;
    if (label_s) {
        int all, list[2];
        int nl = generator_parse_labels(&g, "--label", label_s, list, 2, &all, &e);
        if (nl != 1 || all) {
            rc = cli_usage_error(C, "%s", nl < 0 ? e.msg : "--label: one class");
            goto done;
        }
        label = list[0];
    }
    if (!scale) scale = generator_auto_scale(&g, 64);
    char dir[GENERATOR_PATH_MAX];
    if (sheet) {
        if (generator_out_dir(&g, out, dir, sizeof dir, &e) != 0 ||
            write_sheet(&g, dir, n, cols ? cols : (int)ceil(sqrt((double)n)), label, seed, scale, &e) != 0) {
            log_error("%s", e.msg);
            goto done;
        }
        rc = 0;
        goto done;
    }
    int nd;
    int64_t shape[NPY_MAX_DIMS];
    if (npy_read_f32(sheet_z, &z, &nd, shape, &e) != 0) {
        log_error("%s", e.msg);
        goto done;
    }
    if (nd != 2 || shape[1] != mc->z_dim || shape[0] < 1) {
        log_error("%s: expected float32 [N, %d] latent vectors (a sheet_z.npy)", sheet_z, mc->z_dim);
        goto done;
    }
    if (latent_parse_expr(expr, (int)shape[0], &x, msg, sizeof msg) != 0) {
        rc = cli_usage_error(C, "--expr: %s (%s)", msg, sheet_z);
        goto done;
    }
    if (generator_out_dir(&g, out, dir, sizeof dir, &e) != 0 ||
        write_result(&g, dir, z, &x, label, variations, jitter, seed, scale, npy, &e) != 0) {
        log_error("%s", e.msg);
        goto done;
    }
    rc = 0;
done:
    free(z);
    generator_close(&g);
    return rc;
}
