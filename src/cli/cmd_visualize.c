/* dcgan visualize: the reference's test-time visualisations (utils.py visualize, options 0-4)
 * without its bugs (square batches only, hard-coded paths, unconditional only, z_dim >= 100
 * for option 4, options 2 and 3 overwriting each other's files), and an animation of training
 * from the run's sample grids. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "viz/latent.h"
#include "viz/output.h"
#include "viz/visualize.h"

enum {
    OPT_RUN = 1000, OPT_CKPT, OPT_OPTION, OPT_PROGRESS, OPT_BATCH, OPT_COLS, OPT_DIMS, OPT_COUNT,
    OPT_LABELS, OPT_SEED, OPT_DURATION, OPT_OUT, OPT_BASE, OPT_SCALE, OPT_MAX_FRAMES, OPT_DEVICE,
    OPT_HELP,
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
    {"device", required_argument, 0, OPT_DEVICE},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void vis_help(void)
{
    printf(
        "usage: dcgan visualize (--run DIR | --checkpoint FILE) --option 0..4 [options]\n"
        "       dcgan visualize --progress --run DIR [options]\n"
        "\n"
        "The reference's visualisations of a trained generator (sampling mode), written to a\n"
        "folder named for the option, the checkpoint's iteration and the flags that differ\n"
        "from their defaults, RUN/visualize/option1_it500_base-random/ say (beside a\n"
        "checkpoint given alone), so that no command overwrites another's files; or to --out DIR:\n"
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
        "  --out DIR          output folder\n"
        "  --device D         where G runs: cpu (default), cuda or cuda:N (a build with CUDA)\n"
        "\n"
        "examples:\n"
        "  dcgan visualize --run out/RUN --option 1 --dims 0-9\n"
        "  dcgan visualize --progress --run out/RUN\n");
}

/* The flags that name things rather than set visualize_options. */
typedef struct {
    const char *run, *ckpt, *dims, *labels, *out;
    char device[CLI_DEVICE_SIZE]; /* --device; empty: cpu */
    int progress, duration_given;
} vis_args;

/* Reads the flags into v and a. Returns -1 to go on, else the exit code (0 after --help). */
static int vis_parse(int argc, char **argv, visualize_options *v, vis_args *a)
{
    const char *C = "visualize";
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", vis_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        int bad = 0;
        float f;
        switch (opt) {
        case OPT_RUN: a->run = optarg; break;
        case OPT_CKPT: a->ckpt = optarg; break;
        case OPT_OPTION: bad = cli_parse_int(C, "--option", optarg, 0, 4, &v->option); break;
        case OPT_PROGRESS: a->progress = 1; break;
        case OPT_BATCH: bad = cli_parse_int(C, "--batch-size", optarg, 1, 4096, &v->batch); break;
        case OPT_COLS: bad = cli_parse_int(C, "--cols", optarg, 1, 4096, &v->cols); break;
        case OPT_DIMS: a->dims = optarg; break;
        case OPT_COUNT: bad = cli_parse_int(C, "--count", optarg, 1, VIS_MAX_DIMS, &v->count); break;
        case OPT_LABELS: a->labels = optarg; break;
        case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &v->seed); break;
        case OPT_DURATION:
            bad = cli_parse_float(C, "--duration", optarg, 0.02f, 3600.0f, &f);
            v->duration = f;
            a->duration_given = 1;
            break;
        case OPT_OUT: a->out = optarg; break;
        case OPT_BASE:
            if (strcmp(optarg, "zero") == 0) v->base_random = 0;
            else if (strcmp(optarg, "random") == 0) v->base_random = 1;
            else bad = cli_usage_error(C, "--base: bad value '%s' (expected zero or random)", optarg);
            break;
        case OPT_SCALE: bad = cli_parse_int(C, "--scale", optarg, 1, 16, &v->scale); break;
        case OPT_MAX_FRAMES: bad = cli_parse_int(C, "--max-frames", optarg, 1, 100000, &v->max_frames); break;
        case OPT_DEVICE: bad = cli_parse_device(C, optarg, a->device, sizeof a->device); break;
        case 'h':
        case OPT_HELP: vis_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, vis_options_table);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    return -1;
}

/* --labels and --dims against the opened generator. Returns -1 to go on, else EXIT_USAGE. */
static int vis_resolve(generator *g, visualize_options *v, const vis_args *a)
{
    const char *C = "visualize";
    const dcgan_config *mc = generator_config(g);
    dc_err e;
    if (a->labels) {
        v->nlabels = generator_parse_labels(g, "--labels", a->labels, v->labels, VIS_MAX_LABELS,
                                            &v->labels_all, &e);
        if (v->nlabels < 0) return cli_usage_error(C, "%s", e.msg);
    } else {
        visualize_default_labels(g, v);
    }
    if (v->option >= 2) v->labels_all = 0;
    v->dims = dc_calloc((size_t)mc->z_dim, sizeof *v->dims);
    if (a->dims) {
        char msg[512];
        v->ndims = latent_parse_index_list(a->dims, mc->z_dim, v->dims, mc->z_dim, msg, sizeof msg);
        if (v->ndims < 0) return cli_usage_error(C, "--dims: %s (z_dim is %d)", msg, mc->z_dim);
    } else {
        visualize_default_dims(g, v);
    }
    return -1;
}

/* Options 0-4: opens the generator, resolves the flags that need it, writes. */
static int vis_generator(visualize_options *v, const vis_args *a)
{
    dc_err e;
    generator g;
    if (generator_open(&g, a->run, a->ckpt, a->device[0] ? a->device : NULL, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    int rc = vis_resolve(&g, v, a);
    char dir[GENERATOR_PATH_MAX], name[256];
    if (rc < 0 && !a->out) { /* RUN/visualize/option1_it500_...: one folder per option and settings */
        visualize_folder_name(&g, v, a->labels, a->dims, name, sizeof name);
        if (dc_path(&e, dir, sizeof dir, "%s/%s", g.default_out, name) != 0) rc = 1;
    }
    if (rc < 0 && generator_out_dir(&g, a->out ? a->out : dir, v->out, sizeof v->out, &e) != 0)
        rc = 1;
    if (rc == 1) log_error("%s", e.msg);
    if (rc < 0) {
        rc = visualize_write(&g, v, &e) == 0 ? 0 : 1;
        if (rc) log_error("%s", e.msg);
    }
    generator_close(&g);
    return rc;
}

int cmd_visualize(int argc, char **argv)
{
    const char *C = "visualize";
    visualize_options *v = dc_calloc(1, sizeof *v);
    v->option = -1;
    v->batch = 64;
    v->count = 10;
    v->scale = 1;
    v->seed = 1;
    v->duration = 2.0;
    v->max_frames = 150;
    vis_args a = {0};
    int rc = vis_parse(argc, argv, v, &a);
    if (rc >= 0) {
        /* --help or a bad flag */
    } else if (a.progress) {
        if (!a.run || a.ckpt || v->option >= 0) {
            rc = cli_usage_error(C, "--progress takes --run DIR (and no --checkpoint or --option)");
        } else {
            dc_err e;
            if (!a.duration_given) v->duration = 0;
            rc = visualize_progress(v, a.run, a.out, &e) == 0 ? 0 : 1;
            if (rc) log_error("%s", e.msg);
        }
    } else if (!a.run == !a.ckpt) {
        rc = cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    } else if (v->option < 0) {
        rc = cli_usage_error(C, "--option 0..4 is required (or --progress)");
    } else {
        rc = vis_generator(v, &a);
    }
    free(v->dims);
    free(v);
    return rc;
}
