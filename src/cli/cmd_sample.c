/* dcgan sample: images from a trained generator. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "io/image_write.h"
#include "model/generator.h"
#include "viz/sample.h"

enum { OPT_RUN = 1000, OPT_CKPT, OPT_N, OPT_OUT, OPT_GRID, OPT_SEED, OPT_LABELS, OPT_Z, OPT_NPY, OPT_COLS, OPT_Z_DIST, OPT_DEVICE,
       OPT_SCALE, OPT_HELP };

static const struct option sample_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"num", required_argument, 0, OPT_N},
    {"out", required_argument, 0, OPT_OUT},
    {"grid", required_argument, 0, OPT_GRID},
    {"cols", required_argument, 0, OPT_COLS},
    {"scale", required_argument, 0, OPT_SCALE},
    {"seed", required_argument, 0, OPT_SEED},
    {"labels", required_argument, 0, OPT_LABELS},
    {"z", required_argument, 0, OPT_Z},
    {"z-dist", required_argument, 0, OPT_Z_DIST},
    {"z_dist", required_argument, 0, OPT_Z_DIST},
    {"npy", required_argument, 0, OPT_NPY},
    {"device", required_argument, 0, OPT_DEVICE},
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
        "  --out DIR          write N individual PNGs into DIR (sample_00000.png, ...); a\n"
        "                     conditional model's carry their class (sample_00000_dress.png),\n"
        "                     and DIR/labels.csv lists each file's class (or attributes)\n"
        "  --grid FILE        write one grid of all N images, PNG or JPEG by the extension\n"
        "                     (.png, .jpg); with --labels all, each row's class on its left\n"
        "  --cols N           grid columns (default: square-ish; one row per class with\n"
        "                     --labels all)\n"
        "  --scale K          enlarge the grid's cells K times (default: cells of at least 64\n"
        "                     pixels, e.g. 3 for 28x28 images)\n"
        "  --seed N           latent vectors seed (1)\n"
        "  --z-dist D         uniform_signed | uniform_unsigned | normal01 (default: the run's)\n"
        "  --z FILE.npy       latent vectors to use, float32 [N, z_dim] (overrides -n, --seed)\n"
        "  --labels L         conditional models: comma-separated class indices or names,\n"
        "                     cycled over the images, or 'all' for a row per class\n"
        "                     (default: classes in turn)\n"
        "  --npy FILE.npy     also write the raw generator output, float32 [N, H, W, C]\n"
        "                     in the model's range ([-1,1] tanh; [0,1] conditional sigmoid)\n"
        "  --device D         where G runs: cpu (default), cuda or cuda:N (a build with CUDA)\n"
        "\n"
        "With neither --out nor --grid, a grid is written to RUN/samples/sample.png (or beside\n"
        "the checkpoint).\n"
        "\n"
        "examples:\n"
        "  dcgan sample --run out/demo-fashion-mnist --labels all --grid grid.png\n"
        "  dcgan sample --run out/RUN -n 1000 --out generated/\n");
}

/* The rest of the command once its flags are read: opens the generator, checks the labels
 * against it and writes the images. */
static int sample_with(const char *run, const char *ckpt, const char *device, const char *labels,
                       sample_options *o)
{
    dc_err e;
    generator g;
    int list[SAMPLE_MAX_LABELS], all;
    int rc = cli_open_generator("sample", run, ckpt, device, labels, &g, list, SAMPLE_MAX_LABELS,
                                &o->nlabels, &all);
    if (rc >= 0) return rc;
    if (labels) {
        o->labels = list;
        o->label_rows = all;
        if (all) o->nlabels = 0;
    }
    o->run_dir = run;
    rc = sample_write(&g, o, &e);
    if (rc == SAMPLE_STOPPED) log_warn("%s", e.msg);
    else if (rc != 0) log_error("%s", e.msg);
    generator_close(&g);
    return rc == SAMPLE_STOPPED ? 128 + *o->stop : rc != 0;
}

int cmd_sample(int argc, char **argv)
{
    const char *C = "sample";
    const char *run = NULL, *ckpt = NULL, *out_dir = NULL, *grid = NULL, *labels = NULL;
    const char *zfile = NULL, *npy = NULL;
    int n = 64, n_given = 0, cols = 0, scale = 0;
    uint64_t seed = 1;
    int zdist_given = 0;
    char device[CLI_DEVICE_SIZE] = "cpu";
    z_dist zd = Z_DIST_UNIFORM_SIGNED;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":hn:", sample_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
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
        case OPT_SCALE:
            if (cli_parse_int(C, "--scale", optarg, 1, 16, &scale)) return EXIT_USAGE;
            break;
        case OPT_SEED:
            if (cli_parse_u64(C, "--seed", optarg, &seed)) return EXIT_USAGE;
            break;
        case OPT_LABELS: labels = optarg; break;
        case OPT_Z: zfile = optarg; break;
        case OPT_NPY: npy = optarg; break;
        case OPT_DEVICE:
            if (cli_parse_device(C, optarg, device, sizeof device)) return EXIT_USAGE;
            break;
        case OPT_Z_DIST:
            if (z_dist_parse(optarg, &zd) != 0)
                return cli_usage_error(C, "--z-dist: bad value '%s'", optarg);
            zdist_given = 1;
            break;
        case 'h':
        case OPT_HELP: sample_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, sample_options_table);
        }
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (grid && image_file_format_of(grid) < 0)
        return cli_usage_error(C, "--grid: '%s': write .png or .jpg (the extension says which)", grid);

    sample_options o = {0};
    o.scale = scale;
    /* Ctrl-C: stop after the image being written (each file whole); before any other thread */
    if (interrupt_install("dcgan: stopping after this image (send the signal again to stop at "
                          "once)\n") == 0)
        o.stop = interrupt_flag();
    o.n = n;
    o.n_given = n_given;
    o.cols = cols;
    o.seed = seed;
    o.zdist_given = zdist_given;
    o.zdist = zd;
    o.zfile = zfile;
    o.npy = npy;
    o.out_dir = out_dir;
    o.grid = grid;
    return sample_with(run, ckpt, device, labels, &o);
}
