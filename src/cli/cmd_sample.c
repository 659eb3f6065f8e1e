/* dcgan sample: images from a trained generator. */
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/npy.h"
#include "io/png_write.h"
#include "model/dcgan.h"
#include "model/checkpoint.h"
#include "train/run.h"
#include "model/run_config.h"
#include "train/step.h"
#include "core/log.h"
#include "viz/output.h"

#define SAMPLE_CHUNK 64

enum { OPT_RUN = 1000, OPT_CKPT, OPT_N, OPT_OUT, OPT_GRID, OPT_SEED, OPT_LABELS, OPT_Z, OPT_NPY, OPT_COLS, OPT_Z_DIST, OPT_HELP };

static const struct option sample_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"num", required_argument, 0, OPT_N},
    {"out", required_argument, 0, OPT_OUT},
    {"grid", required_argument, 0, OPT_GRID},
    {"cols", required_argument, 0, OPT_COLS},
    {"seed", required_argument, 0, OPT_SEED},
    {"labels", required_argument, 0, OPT_LABELS},
    {"z", required_argument, 0, OPT_Z},
    {"z-dist", required_argument, 0, OPT_Z_DIST},
    {"z_dist", required_argument, 0, OPT_Z_DIST},
    {"npy", required_argument, 0, OPT_NPY},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void sample_help(void)
{
    printf(
        "usage: dcgan sample (--run DIR | --checkpoint FILE) [options]\n"
        "\n"
        "Generates images with the trained generator (moving-average batch norm, like the\n"
        "reference's sampler).\n"
        "\n"
        "  --run DIR          a training run folder: its newest checkpoint is used\n"
        "  --checkpoint FILE  a checkpoint file\n"
        "  -n, --num N        number of images (default 64; with --labels all: 8 per class)\n"
        "  --out DIR          write N individual PNGs into DIR (sample_00000.png, ...)\n"
        "  --grid FILE.png    write one grid of all N images\n"
        "  --cols N           grid columns (default: square-ish; one row per class with\n"
        "                     --labels all)\n"
        "  --seed N           latent vectors seed (1)\n"
        "  --z-dist D         uniform_signed | uniform_unsigned | normal01 (default: the run's)\n"
        "  --z FILE.npy       latent vectors to use, float32 [N, z_dim] (overrides -n, --seed)\n"
        "  --labels L         conditional models: comma-separated class indices or names,\n"
        "                     cycled over the images, or 'all' for a row per class\n"
        "                     (default: classes in turn)\n"
        "  --npy FILE.npy     also write the raw generator output, float32 [N, H, W, C]\n"
        "                     in the model's range ([-1,1] tanh; [0,1] conditional sigmoid)\n"
        "\n"
        "With neither --out nor --grid, a grid is written to RUN/samples/sample.png (or beside\n"
        "the checkpoint).\n");
}

/* The newest usable checkpoint of a run, its model shape in *cfg. A damaged one (unreadable,
 * truncated, checksum mismatch) is reported in one line and the previous one is used. */
static int newest_checkpoint(const char *run, char *out, size_t n, dcgan_config *cfg, dc_err *e)
{
    char dir[1200];
    if (dc_path(e, dir, sizeof dir, "%s/checkpoints", run)) return -1;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dc_fail(e, "%s: no checkpoints folder (is this a training run folder?)", run);
    long iters[4096];
    int count = checkpoint_list(dir, iters, 4096);
    if (count == 0) return dc_fail(e, "%s: no checkpoint yet (train first)", dir);
    for (int i = count - 1; i >= 0; i--) {
        if (checkpoint_path(e, out, n, dir, iters[i]) != 0) return -1;
        int rc = checkpoint_read_config(out, cfg, e);
        if (rc == 0) return 0;
        if (rc != CHECKPOINT_DAMAGED || i == 0) break;
        log_warn("%s; using the previous checkpoint", e->msg);
    }
    return -1;
}

/* Class names from the checkpoint's JSON array; names[i] point into a cJSON tree. */
int cmd_sample(int argc, char **argv)
{
    const char *C = "sample";
    const char *run = NULL, *ckpt = NULL, *out_dir = NULL, *grid = NULL, *labels = NULL;
    const char *zfile = NULL, *npy = NULL;
    int n = 64, n_given = 0, cols = 0;
    uint64_t seed = 1;
    int zdist_given = 0;
    z_dist zd = Z_DIST_UNIFORM_SIGNED;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":hn:", sample_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case 'n':
        case OPT_N:
            if (cli_parse_int(C, "-n", optarg, 1, 1000000, &n)) return EXIT_USAGE;
            n_given = 1;
            break;
        case OPT_OUT: out_dir = optarg; break;
        case OPT_GRID: grid = optarg; break;
        case OPT_COLS:
            if (cli_parse_int(C, "--cols", optarg, 1, 100000, &cols)) return EXIT_USAGE;
            break;
        case OPT_SEED:
            if (cli_parse_u64(C, "--seed", optarg, &seed)) return EXIT_USAGE;
            break;
        case OPT_LABELS: labels = optarg; break;
        case OPT_Z: zfile = optarg; break;
        case OPT_NPY: npy = optarg; break;
        case OPT_Z_DIST:
            if (z_dist_parse(optarg, &zd) != 0)
                return cli_usage_error(C, "--z-dist: bad value '%s'", optarg);
            zdist_given = 1;
            break;
        case 'h':
        case OPT_HELP: sample_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return cli_usage_error(C, "unknown option '%s'", flag);
        }
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");

    dc_err e;
    char path[1400];
    dcgan_config cfg = dcgan_config_default();
    if (run) {
        if (newest_checkpoint(run, path, sizeof path, &cfg, &e) != 0) {
            log_error("%s", e.msg);
            return 1;
        }
    } else {
        snprintf(path, sizeof path, "%s", ckpt);
        if (checkpoint_read_config(path, &cfg, &e) != 0) {
            log_error("%s", e.msg);
            return 1;
        }
    }
    int rc = 1;
    float *z = NULL, *y = NULL, *images = NULL;
    dcgan_model m;
    int model_open = 0;
    checkpoint_state st;
    memset(&st, 0, sizeof st);
    cJSON *names = NULL;

    /* latent vectors */
    if (zfile) {
        int nd;
        int64_t shape[NPY_MAX_DIMS];
        if (npy_read_f32(zfile, &z, &nd, shape, &e) != 0) goto fail;
        if (nd != 2 || shape[1] != cfg.z_dim || shape[0] < 1 || shape[0] > 1000000) {
            dc_fail(&e, "%s: expected float32 [N, %d] latent vectors", zfile, cfg.z_dim);
            goto fail;
        }
        n = (int)shape[0];
    }
    int label_rows = labels && strcmp(labels, "all") == 0;
    if (labels && cfg.y_dim == 0) {
        rc = cli_usage_error(C, "--labels: %s is not a conditional model", path);
        goto out;
    }
    if (label_rows) {
        if (!cols) cols = 8;
        if (!n_given && !zfile) n = cfg.y_dim * cols;
    }
    if (!cols) cols = (int)ceil(sqrt((double)n));

    cfg.batch = n < SAMPLE_CHUNK ? n : SAMPLE_CHUNK;
    if (dcgan_model_init(&m, &cfg, &e) != 0) goto fail;
    model_open = 1;
    if (checkpoint_load(path, &m, 0, &st, &e) != 0) goto fail;
    if (st.class_names_json) names = cJSON_Parse(st.class_names_json);
    if (st.run_json && !zdist_given) { /* the latent distribution G was trained on */
        run_config rc_saved;
        if (run_config_parse(st.run_json, strlen(st.run_json), path, &rc_saved, &e) != 0)
            goto fail;
        if (rc_saved.have & RUN_CONFIG_Z_DIST) zd = rc_saved.zdist;
    }
    if (!z) {
        z = dc_alloc_floats((size_t)n * cfg.z_dim);
        rng_state r;
        rng_init(&r, seed);
        if (zd == Z_DIST_NORMAL01) rng_normal(&r, z, (size_t)n * cfg.z_dim, 0.0f, 1.0f);
        else rng_uniform(&r, z, (size_t)n * cfg.z_dim, zd == Z_DIST_UNIFORM_SIGNED ? -1.0f : 0.0f, 1.0f);
    }
    if (cfg.y_dim > 0) {
        y = dc_alloc_floats((size_t)n * cfg.y_dim);
        int list[4096], nl = 0;
        if (labels && !label_rows) {
            char buf[8192];
            snprintf(buf, sizeof buf, "%s", labels);
            for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                int c = generator_class_index(tok, cfg.y_dim, names);
                if (c < 0) {
                    rc = cli_usage_error(C, "--labels: '%s' is not a class of %s (0..%d or a class name)", tok, path, cfg.y_dim - 1);
                    goto out;
                }
                if (nl < 4096) list[nl++] = c;
            }
        }
        for (int i = 0; i < n; i++) {
            int c = label_rows ? (i / cols) % cfg.y_dim : nl ? list[i % nl] : i % cfg.y_dim;
            y[(size_t)i * cfg.y_dim + c] = 1.0f;
        }
    }

    size_t per = (size_t)cfg.c_dim * cfg.output_h * cfg.output_w;
    images = dc_alloc_floats((size_t)n * per);
    dcgan_generate(&m, z, y, n, images);
    float lo, hi;
    dcgan_model_range(&cfg, &lo, &hi);

    if (npy) {
        float *nhwc = dc_alloc_floats((size_t)n * per);
        int H = cfg.output_h, W = cfg.output_w, Cc = cfg.c_dim;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < Cc; c++)
                for (int p = 0; p < H * W; p++)
                    nhwc[(size_t)i * per + (size_t)p * Cc + c] = images[(size_t)i * per + (size_t)c * H * W + p];
        int64_t shape[4] = {n, H, W, Cc};
        int r2 = npy_write_f32(npy, nhwc, 4, shape, &e);
        free(nhwc);
        if (r2 != 0) goto fail;
        log_info("wrote %s", npy);
    }
    if (out_dir) {
        if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
            dc_fail(&e, "%s: cannot create folder: %s", out_dir, strerror(errno));
            goto fail;
        }
        uint8_t *px = malloc(per);
        if (!px) {
            dc_fail(&e, "out of memory");
            goto fail;
        }
        for (int i = 0; i < n; i++) {
            char p[1600];
            snprintf(p, sizeof p, "%s/sample_%05d.png", out_dir, i);
            image_to_u8(px, images + (size_t)i * per, cfg.c_dim, cfg.output_h, cfg.output_w, lo, hi);
            if (png_write(p, px, cfg.output_w, cfg.output_h, cfg.c_dim, &e) != 0) {
                free(px);
                goto fail;
            }
        }
        free(px);
        log_info("wrote %d images to %s/", n, out_dir);
    }
    char default_grid[1600];
    if (!grid && !out_dir && !npy) {
        if (run)
            snprintf(default_grid, sizeof default_grid, "%s/samples/sample.png", run);
        else {
            snprintf(default_grid, sizeof default_grid, "%s", path);
            char *dot = strrchr(default_grid, '.');
            if (dot) *dot = 0;
            strncat(default_grid, "_sample.png", sizeof default_grid - strlen(default_grid) - 1);
        }
        grid = default_grid;
    }
    if (grid) {
        if (png_write_grid(grid, images, n, cfg.c_dim, cfg.output_h, cfg.output_w, cols, lo, hi, &e) != 0)
            goto fail;
        log_info("wrote %s (%d images, %d per row)", grid, n, cols);
    }
    rc = 0;
    goto out;
fail:
    log_error("%s", e.msg);
    rc = 1;
out:
    cJSON_Delete(names);
    checkpoint_state_free(&st);
    if (model_open) dcgan_model_free(&m);
    free(z);
    free(y);
    free(images);
    return rc;
}
