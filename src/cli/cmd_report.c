/* dcgan report: a run folder as one self-contained HTML page. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "viz/report.h"

enum { OPT_RUN = 1000, OPT_OUT, OPT_MAX_SAMPLES, OPT_MAX_IMAGE_MB, OPT_HELP };

static const struct option report_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"out", required_argument, 0, OPT_OUT},
    {"max-samples", required_argument, 0, OPT_MAX_SAMPLES},
    {"max-image-mb", required_argument, 0, OPT_MAX_IMAGE_MB},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void report_help(void)
{
    printf(
        "usage: dcgan report --run DIR [--out FILE.html] [options]\n"
        "\n"
        "Writes the training run as one self-contained HTML page: the sample grids over time\n"
        "(with a slider), the losses and D(x), D(G(z)) as charts, the quality metrics of\n"
        "--eval-every, the model, every setting of config.json and the command that resumes\n"
        "the run. Images are embedded and charts drawn inline: the page loads nothing from\n"
        "anywhere (its Content-Security-Policy forbids it) and can be mailed or archived as is.\n"
        "A run with no log or samples yet gets a page that says so.\n"
        "\n"
        "  --run DIR            a training run folder\n"
        "  --out FILE           the page to write (default RUN/report.html)\n"
        "  --max-samples N      sample grids to embed at most, spread evenly over the run, the\n"
        "                       first and the newest included (24)\n"
        "  --max-image-mb X     the embedded grids' size at most, in MB (8): fewer grids when\n"
        "                       they are large; the newest and samples/real.png always go in\n"
        "\n"
        "examples:\n"
        "  dcgan report --run out/RUN\n"
        "  dcgan report --run out/RUN --out run.html --max-samples 48\n");
}

int cmd_report(int argc, char **argv)
{
    const char *C = "report";
    const char *run = NULL, *out = NULL;
    float mb = 8;
    report_options o = {24, 0, NULL};
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", report_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        int bad = 0;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_OUT: out = optarg; break;
        case OPT_MAX_SAMPLES:
            bad = cli_parse_int(C, "--max-samples", optarg, 1, 100000, &o.max_samples);
            break;
        case OPT_MAX_IMAGE_MB:
            bad = cli_parse_float(C, "--max-image-mb", optarg, 0.0f, 1e6f, &mb);
            break;
        case 'h':
        case OPT_HELP: report_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, report_options_table);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run) return cli_usage_error(C, "--run DIR is required");
    o.max_image_bytes = (double)mb * 1e6;
    /* the resume command names this very program, wherever it is run from */
    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe)) o.program = exe;
    char written[4200];
    dc_err e;
    if (report_write(run, out, &o, written, sizeof written, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    log_info("wrote %s", written);
    return 0;
}
