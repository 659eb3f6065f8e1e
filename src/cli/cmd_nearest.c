/* dcgan nearest: generated samples beside their nearest training images, the paper's check
 * that the generator does not just memorise its data. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "model/generator.h"
#include "viz/nearest_check.h"

#define NEAREST_MAX_QUERIES 256
#define NEAREST_MAX_LABELS 1024

enum { OPT_RUN = 1000, OPT_CKPT, OPT_N, OPT_K, OPT_SEED, OPT_LABELS, OPT_QUERY, OPT_DATA_DIR,
       OPT_OUT, OPT_SCALE, OPT_DEVICE, OPT_HELP };

static const struct option nearest_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"num", required_argument, 0, OPT_N},
    {"neighbours", required_argument, 0, OPT_K},
    {"seed", required_argument, 0, OPT_SEED},
    {"labels", required_argument, 0, OPT_LABELS},
    {"query", required_argument, 0, OPT_QUERY},
    {"data-dir", required_argument, 0, OPT_DATA_DIR},
    {"out", required_argument, 0, OPT_OUT},
    {"scale", required_argument, 0, OPT_SCALE},
    {"device", required_argument, 0, OPT_DEVICE},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void nearest_help(void)
{
    printf(
        "usage: dcgan nearest (--run DIR | --checkpoint FILE) [-n N] [-k K] [options]\n"
        "\n"
        "The memorisation check: for N generated samples, the K nearest training images by L2\n"
        "distance in pixel space, over the run's whole data set as config.json records it (the\n"
        "same folder, crop, size and channels). Writes OUT/nearest.png (a row per sample: the\n"
        "sample, then its neighbours, closest first, each with its RMSE in [0, 1] pixel units)\n"
        "and OUT/nearest.csv (query, rank, index, rmse, source). OUT is RUN/visualize unless\n"
        "--out DIR.\n"
        "\n"
        "  -n, --num N        samples (8)\n"
        "  -k, --neighbours K nearest training images per sample (5)\n"
        "  --seed N           latent vectors (1), from the run's latent distribution\n"
        "  --labels L         conditional models: classes cycled over the samples (default: in\n"
        "                     turn); indices or names\n"
        "  --query FILE       search for this image instead of samples (repeatable; prepared\n"
        "                     like the training images)\n"
        "  --data-dir DIR     where the data set is now, if it moved (DIR/DATASET)\n"
        "  --scale K          enlarge the sheet K times (default: cells >= 64 pixels)\n"
        "  --out DIR          output folder\n"
        "  --device D         where G runs: cpu (default), cuda or cuda:N (a build with CUDA)\n"
        "\n"
        "examples:\n"
        "  dcgan nearest --run out/RUN -n 8 -k 5\n");
}

/* Opens the generator, checks --labels against it (exit 2) and runs the check. */
static int nearest_with(const char *run, const char *ckpt, const char *device,
                        const char *labels_s, nearest_options *o)
{
    dc_err e;
    generator g;
    int list[NEAREST_MAX_LABELS], all;
    int rc = cli_open_generator("nearest", run, ckpt, device, labels_s, &g, list, NEAREST_MAX_LABELS,
                                &o->nlabels, &all);
    if (rc >= 0) return rc;
    if (labels_s) o->labels = list;
    rc = nearest_check(&g, o, &e) == 0 ? 0 : 1;
    if (rc) log_error("%s", e.msg);
    generator_close(&g);
    return rc;
}

int cmd_nearest(int argc, char **argv)
{
    const char *C = "nearest";
    const char *run = NULL, *ckpt = NULL, *labels_s = NULL, *data_dir = NULL, *out = NULL;
    const char *queries[NEAREST_MAX_QUERIES];
    int nqf = 0, n = 8, k = 5, scale = 0;
    uint64_t seed = 1;
    char device[CLI_DEVICE_SIZE] = "cpu";
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":hn:k:", nearest_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        int bad = 0;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case 'n':
        case OPT_N: bad = cli_parse_int(C, "-n", optarg, 1, NEAREST_MAX_QUERIES, &n); break;
        case 'k':
        case OPT_K: bad = cli_parse_int(C, "-k", optarg, 1, 100, &k); break;
        case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &seed); break;
        case OPT_LABELS: labels_s = optarg; break;
        case OPT_QUERY:
            if (nqf == NEAREST_MAX_QUERIES) return cli_usage_error(C, "--query: at most %d", NEAREST_MAX_QUERIES);
            queries[nqf++] = optarg;
            break;
        case OPT_DATA_DIR: data_dir = optarg; break;
        case OPT_OUT: out = optarg; break;
        case OPT_SCALE: bad = cli_parse_int(C, "--scale", optarg, 1, 16, &scale); break;
        case OPT_DEVICE: bad = cli_parse_device(C, optarg, device, sizeof device); break;
        case 'h':
        case OPT_HELP: nearest_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, nearest_options_table);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (nqf && labels_s) return cli_usage_error(C, "--labels is for generated samples, not --query images");

    nearest_options o = {0};
    o.n = n;
    o.k = k;
    o.scale = scale;
    o.seed = seed;
    o.queries = queries;
    o.nqueries = nqf;
    o.data_dir = data_dir;
    o.out = out;
    return nearest_with(run, ckpt, device, labels_s, &o);
}
