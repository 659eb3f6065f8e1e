/* dcgan interpolate: walks between latent points (the paper's "walking in the latent space"),
 * linearly or along great circles. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "model/generator.h"
#include "viz/interpolate.h"

enum { OPT_RUN = 1000, OPT_CKPT, OPT_POINTS, OPT_Z, OPT_STEPS, OPT_SLERP, OPT_LABELS, OPT_SEED,
       OPT_OUT, OPT_NPY, OPT_DURATION, OPT_SCALE, OPT_DEVICE, OPT_HELP };

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
    {"device", required_argument, 0, OPT_DEVICE},
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
        "  --out DIR          output folder\n"
        "  --device D         where G runs: cpu (default), cuda or cuda:N (a build with CUDA)\n"
        "\n"
        "examples:\n"
        "  dcgan interpolate --run out/RUN --points 4 --slerp\n");
}

/* Opens the generator, checks --labels against it (exit 2) and writes the walk. */
static int interpolate_with(const char *run, const char *ckpt, const char *device,
                            const char *labels_s, interpolate_options *o)
{
    dc_err e;
    generator g;
    int labels[INTERP_MAX_LABELS], all;
    int rc = cli_open_generator("interpolate", run, ckpt, device, labels_s, &g, labels,
                                INTERP_MAX_LABELS, &o->nlabels, &all);
    if (rc >= 0) return rc;
    if (labels_s) o->labels = labels;
    rc = interpolate_write(&g, o, &e) == 0 ? 0 : 1;
    if (rc) log_error("%s", e.msg);
    generator_close(&g);
    return rc;
}

int cmd_interpolate(int argc, char **argv)
{
    const char *C = "interpolate";
    const char *run = NULL, *ckpt = NULL, *zfile = NULL, *labels_s = NULL, *out = NULL, *npy = NULL;
    int K = 2, steps = 8, slerp = 0, scale = 0, points_given = 0;
    uint64_t seed = 1;
    float dur = 0.1f;
    char device[CLI_DEVICE_SIZE] = "cpu";
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", interp_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
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
        case OPT_DEVICE: bad = cli_parse_device(C, optarg, device, sizeof device); break;
        case 'h':
        case OPT_HELP: interp_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, interp_options_table);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (points_given && zfile) return cli_usage_error(C, "--points and --z exclude each other");

    interpolate_options o = {0};
    o.points = K;
    o.zfile = zfile;
    o.steps = steps;
    o.slerp = slerp;
    o.seed = seed;
    o.npy = npy;
    o.duration = dur;
    o.scale = scale;
    o.out = out;
    return interpolate_with(run, ckpt, device, labels_s, &o);
}
