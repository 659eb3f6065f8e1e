/* dcgan interpolate: walks between latent points (the paper's "walking in the latent space"),
 * linearly or along great circles. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "viz/gif_write.h"
#include "io/npy.h"
#include "core/log.h"
#include "viz/canvas.h"
#include "viz/output.h"
#include "viz/latent.h"

#define INTERP_MAX_LABELS 1024
#define INTERP_MAX_POINTS 1000

enum { OPT_RUN = 1000, OPT_CKPT, OPT_POINTS, OPT_Z, OPT_STEPS, OPT_SLERP, OPT_LABELS, OPT_SEED,
       OPT_OUT, OPT_NPY, OPT_DURATION, OPT_SCALE, OPT_HELP };

static const struct option interp_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"points", required_argument, 0, OPT_POINTS},
    {"z", required_argument, 0, OPT_Z},
    {"steps", required_argument, 0, OPT_STEPS},
    {"slerp", no_argument, 0, OPT_SLERP},
    {"labels", required_argument, 0, OPT_LABELS},
    {"seed", required_argument, 0, OPT_SEED},
    {"out", required_argument, 0, OPT_OUT},
    {"npy", required_argument, 0, OPT_NPY},
    {"duration", required_argument, 0, OPT_DURATION},
    {"scale", required_argument, 0, OPT_SCALE},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void interp_help(void)
{
    printf(
        "usage: dcgan interpolate (--run DIR | --checkpoint FILE) [options]\n"
        "\n"
        "Generates the images on a path through K latent points: each pair joined by STEPS\n"
        "intermediate points, linearly or (--slerp) along the great circle between them.\n"
        "Writes OUT/interp_lerp.png (or interp_slerp.png: a row per pair, from one point to the\n"
        "next) and OUT/interp_lerp.gif (the whole path, forward then back, pausing at the points).\n"
        "OUT is RUN/visualize (or beside a checkpoint given alone) unless --out DIR.\n"
        "\n"
        "  --points K         K random points from the run's latent distribution (2)\n"
        "  --z FILE.npy       the points instead: float32 [K, z_dim]\n"
        "  --steps N          intermediate points between each pair (8)\n"
        "  --slerp            spherical interpolation (default linear)\n"
        "  --labels L         conditional models: classes shown side by side in every frame, and a\n"
        "                     row each in the PNG (indices or names, or 'all'; default all)\n"
        "  --seed N           random points seed (1)\n"
        "  --npy FILE.npy     also write the images, float32 [M * labels, H, W, C], in path order\n"
        "  --duration S       seconds a step shows in the GIF (0.1; the points 0.5)\n"
        "  --scale K          enlarge the PNG and GIF K times (default: cells >= 64 pixels)\n"
        "  --out DIR          output folder\n");
}

int cmd_interpolate(int argc, char **argv)
{
    const char *C = "interpolate";
    const char *run = NULL, *ckpt = NULL, *zfile = NULL, *labels_s = NULL, *out = NULL, *npy = NULL;
    int K = 2, steps = 8, slerp = 0, scale = 0, points_given = 0;
    uint64_t seed = 1;
    float dur = 0.1f;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", interp_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        int bad = 0;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case OPT_POINTS:
            bad = cli_parse_int(C, "--points", optarg, 2, INTERP_MAX_POINTS, &K);
            points_given = 1;
            break;
        case OPT_Z: zfile = optarg; break;
        case OPT_STEPS: bad = cli_parse_int(C, "--steps", optarg, 0, 10000, &steps); break;
        case OPT_SLERP: slerp = 1; break;
        case OPT_LABELS: labels_s = optarg; break;
        case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &seed); break;
        case OPT_OUT: out = optarg; break;
        case OPT_NPY: npy = optarg; break;
        case OPT_DURATION: bad = cli_parse_float(C, "--duration", optarg, 0.02f, 60.0f, &dur); break;
        case OPT_SCALE: bad = cli_parse_int(C, "--scale", optarg, 1, 16, &scale); break;
        case 'h':
        case OPT_HELP: interp_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return cli_usage_error(C, "unknown option '%s'", flag);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (points_given && zfile) return cli_usage_error(C, "--points and --z exclude each other");

    dc_err e;
    generator g;
    if (generator_open(&g, run, ckpt, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    const dcgan_config *mc = generator_config(&g);
    int zd = mc->z_dim, rc = 1;
    float *points = NULL, *z = NULL, *img = NULL;
    int *lab = NULL;
    canvas *frames = NULL;
    int nframes = 0;
    int labels[INTERP_MAX_LABELS], L = 1, all = 0;
    if (labels_s) {
        L = generator_parse_labels(&g, "--labels", labels_s, labels, INTERP_MAX_LABELS, &all, &e);
        if (L < 0) {
            rc = cli_usage_error(C, "%s", e.msg);
            goto done;
        }
    } else if (mc->y_dim > 0) {
        L = generator_parse_labels(&g, "--labels", "all", labels, INTERP_MAX_LABELS, &all, &e);
    } else {
        labels[0] = 0;
    }
    if (zfile) {
        int nd;
        int64_t shape[NPY_MAX_DIMS];
        if (npy_read_f32(zfile, &points, &nd, shape, &e) != 0) {
            log_error("%s", e.msg);
            goto done;
        }
        if (nd != 2 || shape[1] != zd || shape[0] < 2 || shape[0] > INTERP_MAX_POINTS) {
            log_error("%s: expected float32 [K, %d] latent points with 2 <= K <= %d", zfile, zd,
                      INTERP_MAX_POINTS);
            goto done;
        }
        K = (int)shape[0];
    } else {
        points = dc_alloc_floats((size_t)K * zd);
        rng_state r;
        rng_init(&r, seed);
        generator_draw_z(&g, &r, points, (size_t)K * zd);
    }
    /* the path: p0, steps points, p1, ..., p(K-1) */
    int M = K + (K - 1) * steps;
    z = dc_alloc_floats((size_t)M * L * zd);
    lab = dc_calloc((size_t)M * L, sizeof *lab);
    for (int m = 0; m < M; m++) {
        int seg = m / (steps + 1), j = m % (steps + 1);
        if (seg == K - 1) seg = K - 2, j = steps + 1; /* the last point */
        float t = (float)j / (float)(steps + 1);
        const float *a = points + (size_t)seg * zd, *b = points + (size_t)(seg + 1) * zd;
        float *zm = z + (size_t)m * L * zd;
        if (slerp) latent_slerp(zm, a, b, zd, t);
        else latent_lerp(zm, a, b, zd, t);
        for (int l = 0; l < L; l++) {
            if (l) memcpy(zm + (size_t)l * zd, zm, (size_t)zd * sizeof *zm);
            lab[m * L + l] = labels[l];
        }
    }
    size_t per = generator_image_floats(&g);
    img = dc_alloc_floats((size_t)M * L * per);
    generator_generate(&g, z, lab, M * L, img);

    char dir[GENERATOR_PATH_MAX], path[GENERATOR_PATH_MAX + 64];
    if (generator_out_dir(&g, out, dir, sizeof dir, &e) != 0) {
        log_error("%s", e.msg);
        goto done;
    }
    const char *kind = slerp ? "slerp" : "lerp";
    if (npy) {
        if (generator_write_npy(&g, npy, img, M * L, &e) != 0) {
            log_error("%s", e.msg);
            goto done;
        }
        log_info("wrote %s (%d images)", npy, M * L);
    }
    if (!scale) scale = generator_auto_scale(&g, 64);
    int h = mc->output_h, w = mc->output_w;
    /* PNG: a row per (pair, label), from one point to the next */
    {
        canvas c;
        int cols = steps + 2, rows = (K - 1) * L;
        canvas_init(&c, cols * w, rows * h, mc->c_dim, 0);
        for (int s = 0; s < K - 1; s++)
            for (int l = 0; l < L; l++)
                for (int j = 0; j < cols; j++) {
                    int m = s * (steps + 1) + j;
                    canvas_put_float(&c, j * w, (s * L + l) * h, img + (size_t)(m * L + l) * per,
                                     mc->c_dim, h, w, g.lo, g.hi);
                }
        canvas_scale(&c, scale);
        snprintf(path, sizeof path, "%s/interp_%s.png", dir, kind);
        int r2 = canvas_write_png(&c, path, &e);
        canvas_free(&c);
        if (r2 != 0) {
            log_error("%s", e.msg);
            goto done;
        }
        log_info("wrote %s (%d pairs, %d steps between)", path, K - 1, steps);
    }
    /* GIF: forward then back; the K points pause */
    nframes = 2 * M - 2;
    frames = dc_calloc((size_t)nframes, sizeof *frames);
    int *delays = dc_calloc((size_t)nframes, sizeof *delays);
    for (int f = 0; f < nframes; f++) {
        int m = f < M ? f : 2 * M - 2 - f;
        canvas_init(&frames[f], L * w, h, mc->c_dim, 0);
        for (int l = 0; l < L; l++)
            canvas_put_float(&frames[f], l * w, 0, img + (size_t)(m * L + l) * per, mc->c_dim, h, w,
                             g.lo, g.hi);
        canvas_scale(&frames[f], scale);
        int d = (int)lroundf(dur * 100.0f);
        delays[f] = m % (steps + 1) == 0 ? 5 * d : d;
    }
    const uint8_t **px = dc_calloc((size_t)nframes, sizeof *px);
    for (int f = 0; f < nframes; f++) px[f] = frames[f].px;
    snprintf(path, sizeof path, "%s/interp_%s.gif", dir, kind);
    gif_stats st;
    int r3 = gif_write(path, px, nframes, frames[0].W, frames[0].H, mc->c_dim, delays, &st, &e);
    free(px);
    free(delays);
    if (r3 != 0) {
        log_error("%s", e.msg);
        goto done;
    }
    log_info("wrote %s (%d frames, %d colours, palette rmse %.2f)", path, nframes, st.colors, st.rmse);
    rc = 0;
done:
    for (int f = 0; frames && f < nframes; f++) canvas_free(&frames[f]);
    free(frames);
    free(points);
    free(z);
    free(lab);
    free(img);
    generator_close(&g);
    return rc;
}
