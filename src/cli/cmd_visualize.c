/* dcgan visualize: the reference's test-time visualisations (utils.py visualize, options 0-4)
 * without its bugs (square batches only, hard-coded paths, unconditional only, z_dim >= 100
 * for option 4, options 2 and 3 overwriting each other's files), and an animation of training
 * from the run's sample grids. */
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "viz/gif_write.h"
#include "io/png_read.h"
#include "core/log.h"
#include "viz/canvas.h"
#include "viz/output.h"
#include "viz/latent.h"

#define VIS_MAX_LABELS 1024
#define VIS_MAX_DIMS 100000
#define VIS_PATH_MAX 4400

enum {
    OPT_RUN = 1000, OPT_CKPT, OPT_OPTION, OPT_PROGRESS, OPT_BATCH, OPT_COLS, OPT_DIMS, OPT_COUNT,
    OPT_LABELS, OPT_SEED, OPT_DURATION, OPT_OUT, OPT_BASE, OPT_SCALE, OPT_MAX_FRAMES, OPT_HELP,
};

static const struct option vis_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"option", required_argument, 0, OPT_OPTION},
    {"progress", no_argument, 0, OPT_PROGRESS},
    {"batch-size", required_argument, 0, OPT_BATCH},
    {"batch_size", required_argument, 0, OPT_BATCH},
    {"cols", required_argument, 0, OPT_COLS},
    {"dims", required_argument, 0, OPT_DIMS},
    {"count", required_argument, 0, OPT_COUNT},
    {"labels", required_argument, 0, OPT_LABELS},
    {"seed", required_argument, 0, OPT_SEED},
    {"duration", required_argument, 0, OPT_DURATION},
    {"out", required_argument, 0, OPT_OUT},
    {"base", required_argument, 0, OPT_BASE},
    {"scale", required_argument, 0, OPT_SCALE},
    {"max-frames", required_argument, 0, OPT_MAX_FRAMES},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void vis_help(void)
{
    printf(
        "usage: dcgan visualize (--run DIR | --checkpoint FILE) --option 0..4 [options]\n"
        "       dcgan visualize --progress --run DIR [options]\n"
        "\n"
        "The reference's visualisations of a trained generator (sampling mode), written to\n"
        "RUN/visualize/ (or beside a checkpoint given alone, or --out DIR):\n"
        "  --option 0   one grid from z ~ U(-0.5, 0.5): test_seed<SEED>.png\n"
        "  --option 1   for each z dimension d, a grid where z[k][d] = k/N sweeps 0..1 across\n"
        "               the N images (the other dimensions 0, or see --base): test_arange_<d>.png\n"
        "  --option 2   for --count random dimensions, a GIF: a random base z ~ U(-0.2, 0.2),\n"
        "               dimension d swept 0..1 over the frames: test_gif_random_<d>.gif\n"
        "  --option 3   z = 0, one dimension swept 0..1 over the frames: test_gif_<d>.gif\n"
        "  --option 4   option 3 for the first 100 dimensions, plus test_gif_merged.gif: their\n"
        "               animations in one grid (10x10 for 100), playing forward then backward\n"
        "  --progress   the run's samples/train_*.png as one animation of training: progress.gif\n"
        "\n"
        "  --run DIR          a training run folder (its newest checkpoint)\n"
        "  --checkpoint FILE  a checkpoint, or a generator exported with 'dcgan export'\n"
        "  --batch-size N     images per grid, frames per animation (64)\n"
        "  --cols N           grid columns (default: ceil(sqrt(N)); 8 with --labels all)\n"
        "  --dims LIST        z dimensions to sweep, e.g. 0,5,7 or 0-9 (default: all; option 2:\n"
        "                     --count random ones; option 4: the first 100)\n"
        "  --count N          option 2: number of random dimensions (10)\n"
        "  --labels L         conditional models: class indices or names, comma-separated, or\n"
        "                     'all'. Grids: cycled over the images ('all': a row per class, the\n"
        "                     sweep along each row). Animations: each frame shows these classes\n"
        "                     side by side (default: all; option 4: class 0)\n"
        "  --base zero|random option 1: other dimensions 0 (default) or U(-1, 1) per image (the\n"
        "                     reference's code)\n"
        "  --seed N           random numbers (1)\n"
        "  --duration S       seconds one animation plays (2, as the reference; the merged one\n"
        "                     4x; progress: 0.15 s a frame, the last held 2 s)\n"
        "  --scale K          enlarge every output K times (nearest neighbour; 1)\n"
        "  --max-frames N     --progress: at most N frames, evenly spaced, the last kept (150)\n"
        "  --out DIR          output folder\n");
}

typedef struct {
    generator g;
    int option, batch, cols, count, scale, base_random, max_frames;
    int labels[VIS_MAX_LABELS], nlabels, labels_all, labels_given;
    int *dims, ndims;
    double duration;
    uint64_t seed;
    char out[VIS_PATH_MAX];
} vis_ctx;

static int write_png(const vis_ctx *v, canvas *c, const char *name, dc_err *e)
{
    char path[VIS_PATH_MAX + 64];
    if (dc_path(e, path, sizeof path, "%s/%s", v->out, name)) return -1;
    canvas_scale(c, v->scale);
    if (canvas_write_png(c, path, e) != 0) return -1;
    log_info("wrote %s (%dx%d)", path, c->W, c->H);
    return 0;
}

/* local: a palette per frame (training progress: frames far apart), else one for all */
static int write_gif(const vis_ctx *v, canvas *frames, int n, const int *delays, const char *name,
                     int local, dc_err *e)
{
    char path[VIS_PATH_MAX + 64];
    if (dc_path(e, path, sizeof path, "%s/%s", v->out, name)) return -1;
    const uint8_t **px = dc_calloc((size_t)n, sizeof *px);
    for (int i = 0; i < n; i++) {
        canvas_scale(&frames[i], v->scale);
        px[i] = frames[i].px;
    }
    gif_stats st;
    int rc = (local ? gif_write_local : gif_write)(path, px, n, frames[0].W, frames[0].H, frames[0].C,
                                                   delays, &st, e);
    free(px);
    if (rc == 0)
        log_info("wrote %s (%d frames %dx%d, %d colours%s, palette rmse %.2f, max error %d)", path, n,
                 frames[0].W, frames[0].H, st.colors, local ? " a frame" : "", st.rmse, st.max_err);
    return rc;
}

/* Grid: n images of the batch, cols per row. */
static void grid_canvas(const vis_ctx *v, canvas *c, const float *images, int n, int cols)
{
    const dcgan_config *mc = generator_config(&v->g);
    int rows = (n + cols - 1) / cols;
    canvas_init(c, cols * mc->output_w, rows * mc->output_h, mc->c_dim, 0);
    size_t per = generator_image_floats(&v->g);
    for (int i = 0; i < n; i++)
        canvas_put_float(c, (i % cols) * mc->output_w, (i / cols) * mc->output_h, images + i * per,
                         mc->c_dim, mc->output_h, mc->output_w, v->g.lo, v->g.hi);
}

/* Options 0 and 1: the batch's layout and labels. */
static void grid_layout(const vis_ctx *v, int *n, int *cols, int *labels)
{
    const dcgan_config *mc = generator_config(&v->g);
    if (v->labels_all) {
        *cols = v->cols ? v->cols : 8;
        *n = mc->y_dim * *cols;
    } else {
        *n = v->batch;
        *cols = v->cols ? v->cols : (int)ceil(sqrt((double)*n));
    }
    for (int i = 0; i < *n && labels; i++)
        labels[i] = mc->y_dim == 0 ? 0
                    : v->labels_all ? i / *cols
                    : v->nlabels    ? v->labels[i % v->nlabels]
                                    : i % mc->y_dim;
}

static int option0(vis_ctx *v, dc_err *e)
{
    const dcgan_config *mc = generator_config(&v->g);
    int n, cols;
    grid_layout(v, &n, &cols, NULL);
    int *labels = dc_calloc((size_t)n, sizeof *labels);
    grid_layout(v, &n, &cols, labels);
    float *z = dc_alloc_floats((size_t)n * mc->z_dim);
    float *img = dc_alloc_floats((size_t)n * generator_image_floats(&v->g));
    rng_state r;
    rng_init(&r, v->seed);
    rng_uniform(&r, z, (size_t)n * mc->z_dim, -0.5f, 0.5f);
    generator_generate(&v->g, z, labels, n, img);
    canvas c;
    grid_canvas(v, &c, img, n, cols);
    char name[64];
    snprintf(name, sizeof name, "test_seed%llu.png", (unsigned long long)v->seed);
    int rc = write_png(v, &c, name, e);
    canvas_free(&c);
    free(labels);
    free(z);
    free(img);
    return rc;
}

static int option1(vis_ctx *v, dc_err *e)
{
    const dcgan_config *mc = generator_config(&v->g);
    int n, cols;
    grid_layout(v, &n, &cols, NULL);
    int *labels = dc_calloc((size_t)n, sizeof *labels);
    grid_layout(v, &n, &cols, labels);
    float *z = dc_alloc_floats((size_t)n * mc->z_dim);
    float *img = dc_alloc_floats((size_t)n * generator_image_floats(&v->g));
    rng_state r;
    rng_init(&r, v->seed);
    int rc = 0;
    for (int k = 0; k < v->ndims && rc == 0; k++) {
        int d = v->dims[k];
        if (v->base_random) rng_uniform(&r, z, (size_t)n * mc->z_dim, -1.0f, 1.0f);
        else memset(z, 0, (size_t)n * mc->z_dim * sizeof *z);
        if (v->labels_all) /* the same sweep along every row */
            for (int i = 0; i < n; i++) z[(size_t)i * mc->z_dim + d] = (float)(i % cols) / cols;
        else
            latent_sweep(z, n, mc->z_dim, d, 0.0f, 1.0f / n);
        generator_generate(&v->g, z, labels, n, img);
        canvas c;
        grid_canvas(v, &c, img, n, cols);
        char name[64];
        snprintf(name, sizeof name, "test_arange_%d.png", d);
        rc = write_png(v, &c, name, e);
        canvas_free(&c);
    }
    free(labels);
    free(z);
    free(img);
    return rc;
}

/* The frames of one swept dimension: frame k shows every label's image of z = base with
 * z[dim] = k / F, side by side. frames: F canvases (initialised here). */
static void sweep_frames(vis_ctx *v, const float *base, int dim, canvas *frames)
{
    const dcgan_config *mc = generator_config(&v->g);
    int F = v->batch, L = mc->y_dim ? v->nlabels : 1, n = F * L;
    float *z = dc_alloc_floats((size_t)n * mc->z_dim);
    int *labels = dc_calloc((size_t)n, sizeof *labels);
    for (int k = 0; k < F; k++)
        for (int l = 0; l < L; l++) {
            float *zi = z + (size_t)(k * L + l) * mc->z_dim;
            memcpy(zi, base, (size_t)mc->z_dim * sizeof *zi);
            zi[dim] = (float)k / F;
            labels[k * L + l] = mc->y_dim ? v->labels[l] : 0;
        }
    size_t per = generator_image_floats(&v->g);
    float *img = dc_alloc_floats((size_t)n * per);
    generator_generate(&v->g, z, labels, n, img);
    for (int k = 0; k < F; k++) {
        canvas_init(&frames[k], L * mc->output_w, mc->output_h, mc->c_dim, 0);
        for (int l = 0; l < L; l++)
            canvas_put_float(&frames[k], l * mc->output_w, 0, img + (size_t)(k * L + l) * per,
                             mc->c_dim, mc->output_h, mc->output_w, v->g.lo, v->g.hi);
    }
    free(z);
    free(labels);
    free(img);
}

static int delay_cs(double seconds, int frames)
{
    int d = (int)lround(seconds * 100.0 / frames);
    return d < 2 ? 2 : d;
}

static int options234(vis_ctx *v, dc_err *e)
{
    const dcgan_config *mc = generator_config(&v->g);
    int F = v->batch;
    float *base = dc_alloc_floats((size_t)mc->z_dim);
    int *delays = dc_calloc((size_t)2 * F, sizeof *delays);
    for (int k = 0; k < 2 * F; k++) delays[k] = delay_cs(v->duration, F);
    canvas **keep = v->option == 4 ? dc_calloc((size_t)v->ndims, sizeof *keep) : NULL;
    rng_state r;
    rng_init(&r, v->seed);
    int rc = 0;
    for (int k = 0; k < v->ndims && rc == 0; k++) {
        int d = v->dims[k];
        if (v->option == 2) rng_uniform(&r, base, (size_t)mc->z_dim, -0.2f, 0.2f);
        else memset(base, 0, (size_t)mc->z_dim * sizeof *base);
        canvas *frames = dc_calloc((size_t)F, sizeof *frames);
        sweep_frames(v, base, d, frames);
        char name[64];
        snprintf(name, sizeof name, v->option == 2 ? "test_gif_random_%d.gif" : "test_gif_%d.gif", d);
        if (keep) {
            /* the merged GIF needs them unscaled: write copies */
            canvas *copy = dc_calloc((size_t)F, sizeof *copy);
            for (int i = 0; i < F; i++) {
                canvas_init(&copy[i], frames[i].W, frames[i].H, frames[i].C, 0);
                memcpy(copy[i].px, frames[i].px, (size_t)frames[i].W * frames[i].H * frames[i].C);
            }
            rc = write_gif(v, copy, F, delays, name, 0, e);
            for (int i = 0; i < F; i++) canvas_free(&copy[i]);
            free(copy);
            keep[k] = frames;
        } else {
            rc = write_gif(v, frames, F, delays, name, 0, e);
            for (int i = 0; i < F; i++) canvas_free(&frames[i]);
            free(frames);
        }
    }
    if (keep && rc == 0) {
        /* every dimension's animation in one grid, forward then backward */
        int D = v->ndims, cols = (int)ceil(sqrt((double)D)), rows = (D + cols - 1) / cols;
        int cw = keep[0][0].W, ch = keep[0][0].H;
        canvas *merged = dc_calloc((size_t)2 * F, sizeof *merged);
        for (int f = 0; f < 2 * F; f++) {
            int k = f < F ? f : 2 * F - 1 - f;
            canvas_init(&merged[f], cols * cw, rows * ch, mc->c_dim, 0);
            for (int i = 0; i < D; i++)
                canvas_put(&merged[f], (i % cols) * cw, (i / cols) * ch, keep[i][k].px, cw, ch, mc->c_dim);
        }
        int *md = dc_calloc((size_t)2 * F, sizeof *md);
        for (int f = 0; f < 2 * F; f++) md[f] = delay_cs(4 * v->duration, 2 * F);
        rc = write_gif(v, merged, 2 * F, md, "test_gif_merged.gif", 0, e);
        for (int f = 0; f < 2 * F; f++) canvas_free(&merged[f]);
        free(merged);
        free(md);
    }
    for (int k = 0; keep && k < v->ndims; k++) {
        for (int i = 0; keep[k] && i < F; i++) canvas_free(&keep[k][i]);
        free(keep[k]);
    }
    free(keep);
    free(base);
    free(delays);
    return rc;
}

typedef struct {
    long iteration;
    char name[256];
} sample_file;

static int by_iteration(const void *a, const void *b)
{
    long x = ((const sample_file *)a)->iteration, y = ((const sample_file *)b)->iteration;
    return (x > y) - (x < y);
}

/* The run's sample grids as one animation, each frame captioned with its iteration. */
static int progress(vis_ctx *v, const char *run, const char *out_flag, dc_err *e)
{
    char dir[VIS_PATH_MAX];
    if (dc_path(e, dir, sizeof dir, "%s/samples", run)) return -1;
    DIR *d = opendir(dir);
    if (!d) return dc_fail(e, "%s: no samples folder (is this a training run folder?)", run);
    sample_file *files = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        long it;
        char tail[16];
        if (sscanf(de->d_name, "train_%ld.%15s", &it, tail) != 2 || strcmp(tail, "png") != 0) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            sample_file *nf = realloc(files, (size_t)cap * sizeof *files);
            DC_ASSERT(nf != NULL, "out of memory");
            files = nf;
        }
        files[n].iteration = it;
        snprintf(files[n].name, sizeof files[n].name, "%s", de->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        free(files);
        return dc_fail(e, "%s: no train_*.png samples yet (train with --sample-freq)", dir);
    }
    qsort(files, (size_t)n, sizeof *files, by_iteration);
    /* at most max_frames, evenly spaced, first and last kept */
    int m = n < v->max_frames ? n : v->max_frames;
    int *pick = dc_calloc((size_t)m, sizeof *pick);
    for (int i = 0; i < m; i++) pick[i] = m == 1 ? n - 1 : (int)((long)i * (n - 1) / (m - 1));
    canvas *frames = dc_calloc((size_t)m, sizeof *frames);
    int *delays = dc_calloc((size_t)m, sizeof *delays);
    int rc = 0, W0 = 0, H0 = 0, C0 = 0;
    for (int i = 0; i < m && rc == 0; i++) {
        char path[VIS_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", dir, files[pick[i]].name);
        uint8_t *px;
        int W, H, C;
        if ((rc = png_read_u8(path, &px, &W, &H, &C, e)) != 0) break;
        if (i == 0) W0 = W, H0 = H, C0 = C;
        if (W != W0 || H != H0 || C != C0) {
            free(px);
            rc = dc_fail(e, "%s: %dx%dx%d, unlike the first sample (%dx%dx%d)", path, W, H, C, W0, H0, C0);
            break;
        }
        /* a caption bar under the grid, drawn at the output scale so the text stays sharp */
        int k = v->scale, bar = 16;
        canvas img = {W, H, C, px};
        canvas_scale(&img, k);
        canvas_init(&frames[i], W * k, H * k + bar, C, 255);
        canvas_put(&frames[i], 0, 0, img.px, img.W, img.H, C);
        canvas_free(&img);
        char caption[64];
        snprintf(caption, sizeof caption, "iteration %ld", files[pick[i]].iteration);
        static const uint8_t black[3] = {0, 0, 0};
        canvas_text(&frames[i], 4, H * k + bar - 4, caption, 12, black, NULL);
        delays[i] = i == m - 1 ? 200 : (v->duration > 0 ? delay_cs(v->duration, m) : 15);
    }
    if (rc == 0) {
        vis_ctx v1 = *v;
        v1.scale = 1; /* already scaled */
        if (out_flag) snprintf(v1.out, sizeof v1.out, "%s", out_flag);
        else if (dc_path(e, v1.out, sizeof v1.out, "%s/visualize", run)) rc = -1;
        if (rc == 0) rc = dirs_make(v1.out, e);
        if (rc == 0) rc = write_gif(&v1, frames, m, delays, "progress.gif", 1, e);
        if (rc == 0 && m < n) log_info("%d of the %d samples (--max-frames %d)", m, n, v->max_frames);
    }
    for (int i = 0; i < m; i++) canvas_free(&frames[i]);
    free(frames);
    free(delays);
    free(pick);
    free(files);
    return rc;
}

int cmd_visualize(int argc, char **argv)
{
    const char *C = "visualize";
    const char *run = NULL, *ckpt = NULL, *dims = NULL, *labels = NULL, *out = NULL;
    vis_ctx *v = dc_calloc(1, sizeof *v);
    v->option = -1;
    v->batch = 64;
    v->count = 10;
    v->scale = 1;
    v->seed = 1;
    v->duration = 2.0;
    v->max_frames = 150;
    int do_progress = 0, duration_given = 0, rc = EXIT_USAGE;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", vis_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        int bad = 0;
        float f;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case OPT_OPTION: bad = cli_parse_int(C, "--option", optarg, 0, 4, &v->option); break;
        case OPT_PROGRESS: do_progress = 1; break;
        case OPT_BATCH: bad = cli_parse_int(C, "--batch-size", optarg, 1, 4096, &v->batch); break;
        case OPT_COLS: bad = cli_parse_int(C, "--cols", optarg, 1, 4096, &v->cols); break;
        case OPT_DIMS: dims = optarg; break;
        case OPT_COUNT: bad = cli_parse_int(C, "--count", optarg, 1, VIS_MAX_DIMS, &v->count); break;
        case OPT_LABELS: labels = optarg; break;
        case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &v->seed); break;
        case OPT_DURATION:
            bad = cli_parse_float(C, "--duration", optarg, 0.02f, 3600.0f, &f);
            v->duration = f;
            duration_given = 1;
            break;
        case OPT_OUT: out = optarg; break;
        case OPT_BASE:
            if (strcmp(optarg, "zero") == 0) v->base_random = 0;
            else if (strcmp(optarg, "random") == 0) v->base_random = 1;
            else bad = cli_usage_error(C, "--base: bad value '%s' (expected zero or random)", optarg);
            break;
        case OPT_SCALE: bad = cli_parse_int(C, "--scale", optarg, 1, 16, &v->scale); break;
        case OPT_MAX_FRAMES: bad = cli_parse_int(C, "--max-frames", optarg, 1, 100000, &v->max_frames); break;
        case 'h':
        case OPT_HELP: vis_help(); free(v); return 0;
        case ':': cli_usage_error(C, "%s needs a value", flag); goto out;
        default: cli_usage_error(C, "unknown option '%s'", flag); goto out;
        }
        if (bad) goto out;
    }
    if (optind < argc) {
        cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    dc_err e;
    if (do_progress) {
        if (!run || ckpt || v->option >= 0) {
            cli_usage_error(C, "--progress takes --run DIR (and no --checkpoint or --option)");
            goto out;
        }
        if (!duration_given) v->duration = 0;
        rc = progress(v, run, out, &e) == 0 ? 0 : 1;
        if (rc) log_error("%s", e.msg);
        goto out;
    }
    if (!run == !ckpt) {
        cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
        goto out;
    }
    if (v->option < 0) {
        cli_usage_error(C, "--option 0..4 is required (or --progress)");
        goto out;
    }
    if (generator_open(&v->g, run, ckpt, &e) != 0) {
        log_error("%s", e.msg);
        rc = 1;
        goto out;
    }
    const dcgan_config *mc = generator_config(&v->g);
    if (labels) {
        v->nlabels = generator_parse_labels(&v->g, "--labels", labels, v->labels, VIS_MAX_LABELS, &v->labels_all, &e);
        if (v->nlabels < 0) {
            cli_usage_error(C, "%s", e.msg);
            goto close;
        }
        v->labels_given = 1;
    } else if (mc->y_dim > 0 && v->option == 4) {
        /* the merged grid holds up to 100 animations: one class each unless asked */
        v->nlabels = 1;
        v->labels[0] = 0;
    } else if (mc->y_dim > 0 && v->option >= 2) {
        /* animations of a conditional model: every class side by side */
        v->nlabels = generator_parse_labels(&v->g, "--labels", "all", v->labels, VIS_MAX_LABELS, &v->labels_all, &e);
        v->labels_all = 0;
    }
    if (v->option >= 2) v->labels_all = 0;
    /* dimensions */
    v->dims = dc_calloc((size_t)mc->z_dim, sizeof *v->dims);
    if (dims) {
        char msg[512];
        v->ndims = latent_parse_index_list(dims, mc->z_dim, v->dims, mc->z_dim, msg, sizeof msg);
        if (v->ndims < 0) {
            cli_usage_error(C, "--dims: %s (z_dim is %d)", msg, mc->z_dim);
            goto close;
        }
    } else if (v->option == 2) {
        /* distinct random dimensions (the reference drew them with repeats) */
        int *all = dc_calloc((size_t)mc->z_dim, sizeof *all);
        for (int i = 0; i < mc->z_dim; i++) all[i] = i;
        rng_state r;
        rng_init(&r, v->seed ^ 0xD135ULL);
        rng_shuffle(&r, all, (size_t)mc->z_dim);
        v->ndims = v->count < mc->z_dim ? v->count : mc->z_dim;
        memcpy(v->dims, all, (size_t)v->ndims * sizeof *all);
        free(all);
    } else {
        v->ndims = v->option == 4 && mc->z_dim > 100 ? 100 : mc->z_dim;
        for (int i = 0; i < v->ndims; i++) v->dims[i] = i;
    }
    if (generator_out_dir(&v->g, out, v->out, sizeof v->out, &e) != 0) {
        log_error("%s", e.msg);
        rc = 1;
        goto close;
    }
    int r2 = v->option == 0 ? option0(v, &e) : v->option == 1 ? option1(v, &e) : options234(v, &e);
    if (r2 != 0) log_error("%s", e.msg);
    rc = r2 == 0 ? 0 : 1;
close:
    generator_close(&v->g);
out:
    free(v->dims);
    free(v);
    return rc;
}
