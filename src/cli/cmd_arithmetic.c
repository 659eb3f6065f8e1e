/* dcgan arithmetic: the paper's vector arithmetic on latent vectors (smiling woman - neutral
 * woman + neutral man = smiling man): pick exemplars from a numbered sheet, average the z's of
 * each concept (3 per concept in the paper), add and subtract, look at the result. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "model/generator.h"
#include "viz/arithmetic.h"

enum { OPT_RUN = 1000, OPT_CKPT, OPT_SHEET, OPT_SHEET_Z, OPT_EXPR, OPT_N, OPT_COLS, OPT_LABEL,
       OPT_SEED, OPT_OUT, OPT_JITTER, OPT_VARIATIONS, OPT_SCALE, OPT_NPY, OPT_DEVICE, OPT_HELP };

static const struct option arith_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"sheet", no_argument, 0, OPT_SHEET},
    {"sheet-z", required_argument, 0, OPT_SHEET_Z},
    {"expr", required_argument, 0, OPT_EXPR},
    {"num", required_argument, 0, OPT_N},
    {"cols", required_argument, 0, OPT_COLS},
    {"labels", required_argument, 0, OPT_LABEL},
    {"label", required_argument, 0, OPT_LABEL}, /* its name before it matched the other commands' */
    {"seed", required_argument, 0, OPT_SEED},
    {"out", required_argument, 0, OPT_OUT},
    {"jitter", required_argument, 0, OPT_JITTER},
    {"variations", required_argument, 0, OPT_VARIATIONS},
    {"scale", required_argument, 0, OPT_SCALE},
    {"npy", required_argument, 0, OPT_NPY},
    {"device", required_argument, 0, OPT_DEVICE},
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
        "  --labels C         conditional models: the class of every image (index or name; 0);\n"
        "                     one class, as the other commands' --labels takes several\n"
        "  --npy FILE.npy     result: also write the images, float32 [1 + N, H, W, C]\n"
        "  --scale K          enlarge the pictures K times (default: cells >= 64 pixels)\n"
        "  --out DIR          output folder\n"
        "  --device D         where G runs: cpu (default), cuda or cuda:N (a build with CUDA)\n"
        "\n"
        "examples:\n"
        "  dcgan arithmetic --run out/RUN --sheet\n"
        "  dcgan arithmetic --run out/RUN --sheet-z out/RUN/visualize/sheet_z.npy --expr \"3,17,21 - 5,8,40 + 2,9,11\"\n");
}

/* --labels against the opened generator: one class. Returns -1 to go on, else EXIT_USAGE. */
static int arith_label(generator *g, const char *label_s, int *label)
{
    dc_err e;
    int all, list[2];
    int nl = generator_parse_labels(g, "--labels", label_s, list, 2, &all, &e);
    if (nl != 1 || all)
        return cli_usage_error("arithmetic", "%s", nl < 0 ? e.msg : "--labels: one class (the images' class)");
    *label = list[0];
    return -1;
}

/* The result: the sheet's latent vectors, the expression checked against their count (exit
 * 2), the figure. */
static int arith_result(generator *g, const arithmetic_options *o, const char *sheet_z,
                        const char *expr)
{
    dc_err e;
    int n;
    float *z = arithmetic_read_sheet(g, sheet_z, &n, &e);
    if (!z) {
        log_error("%s", e.msg);
        return 1;
    }
    latent_expr x;
    char msg[512];
    int rc;
    if (latent_parse_expr(expr, n, &x, msg, sizeof msg) != 0) {
        rc = cli_usage_error("arithmetic", "--expr: %s (%s)", msg, sheet_z);
    } else {
        rc = arithmetic_write_result(g, o, z, &x, &e) == 0 ? 0 : 1;
        if (rc) log_error("%s", e.msg);
    }
    free(z);
    return rc;
}

static int arith_with(const char *run, const char *ckpt, const char *device, const char *label_s,
                      arithmetic_options *o, const char *sheet_z, const char *expr)
{
    dc_err e;
    generator g;
    if (generator_open(&g, run, ckpt, device, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    int rc = label_s ? arith_label(&g, label_s, &o->label) : -1;
    if (rc < 0 && !sheet_z) {
        rc = arithmetic_write_sheet(&g, o, &e) == 0 ? 0 : 1;
        if (rc) log_error("%s", e.msg);
    } else if (rc < 0) {
        rc = arith_result(&g, o, sheet_z, expr);
    }
    generator_close(&g);
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
    char device[CLI_DEVICE_SIZE] = "cpu";
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":hn:", arith_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
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
        case OPT_DEVICE: bad = cli_parse_device(C, optarg, device, sizeof device); break;
        case 'h':
        case OPT_HELP: arith_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, arith_options_table);
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
    if (expr && latent_parse_expr(expr, 0, &x, msg, sizeof msg) != 0)
        return cli_usage_error(C, "--expr: %s", msg);

    arithmetic_options o = {0};
    o.n = n;
    o.cols = cols;
    o.seed = seed;
    o.variations = variations;
    o.jitter = jitter;
    o.scale = scale;
    o.npy = npy;
    o.out = out;
    return arith_with(run, ckpt, device, label_s, &o, sheet ? NULL : sheet_z, expr);
}
