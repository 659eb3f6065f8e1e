/* dcgan plot: a run's log.csv as a chart. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "io/image_write.h"
#include "viz/output.h"
#include "viz/plot.h"

enum { OPT_RUN = 1000, OPT_OUT, OPT_SMOOTH, OPT_WIDTH, OPT_HEIGHT, OPT_HELP };

static const struct option plot_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"out", required_argument, 0, OPT_OUT},
    {"smooth", required_argument, 0, OPT_SMOOTH},
    {"width", required_argument, 0, OPT_WIDTH},
    {"height", required_argument, 0, OPT_HEIGHT},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void plot_help(void)
{
    printf(
        "usage: dcgan plot --run DIR [--out FILE.png] [options]\n"
        "\n"
        "Draws the run's log.csv: the losses (d_loss, g_loss, d_loss_real, d_loss_fake) and D's\n"
        "mean outputs (d_real = D(x), d_fake = D(G(z))) over the iterations, in two panels.\n"
        "Dashed lines mark epochs when there are at most 30. The loss axis ends at the 99th\n"
        "percentile (a spike does not flatten the rest). docs/usage.md says how each number is\n"
        "measured.\n"
        "\n"
        "  --run DIR      a training run folder\n"
        "  --out FILE     the chart to write, PNG or JPEG by its extension (.png, .jpg;\n"
        "                 default RUN/visualize/plot.png)\n"
        "  --smooth X     TensorBoard's exponential smoothing weight in [0, 1): the raw values\n"
        "                 faint, the smoothed ones on top (default 0.6 with more than 50\n"
        "                 iterations, else 0 = none)\n"
        "  --width N, --height N   size in pixels (1000 x 700)\n"
        "\n"
        "examples:\n"
        "  dcgan plot --run out/RUN\n"
        "  dcgan plot --run out/RUN --out losses.jpg --smooth 0.9\n");
}

int cmd_plot(int argc, char **argv)
{
    const char *C = "plot";
    const char *run = NULL, *out = NULL;
    plot_options o = {1000, 700, -1, NULL};
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", plot_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        int bad = 0;
        float f;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_OUT: out = optarg; break;
        case OPT_SMOOTH:
            bad = cli_parse_float(C, "--smooth", optarg, 0.0f, 0.999f, &f);
            o.smooth = f;
            break;
        case OPT_WIDTH: bad = cli_parse_int(C, "--width", optarg, 300, 10000, &o.width); break;
        case OPT_HEIGHT: bad = cli_parse_int(C, "--height", optarg, 250, 10000, &o.height); break;
        case 'h':
        case OPT_HELP: plot_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, plot_options_table);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run) return cli_usage_error(C, "--run DIR is required");
    if (out && image_file_format_of(out) < 0)
        return cli_usage_error(C, "--out: '%s': write .png or .jpg (the extension says which)", out);
    dc_err e;
    char png[GENERATOR_PATH_MAX + 32];
    if (plot_run(run, out, &o, png, sizeof png, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    log_info("wrote %s (%dx%d)", png, o.width, o.height);
    return 0;
}
