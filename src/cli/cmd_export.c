/* dcgan export: a generator-only file for serving (the reference's --export / --freeze). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "viz/output.h"

enum { OPT_RUN = 1000, OPT_CKPT, OPT_OUT, OPT_HELP };

static const struct option export_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"out", required_argument, 0, OPT_OUT},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void export_help(void)
{
    printf(
        "usage: dcgan export (--run DIR | --checkpoint FILE) --out G.safetensors\n"
        "\n"
        "Writes the generator alone for serving (the reference's --export/--freeze): G's\n"
        "parameters and batch-norm moving statistics, without D or the optimiser state, with\n"
        "the model's metadata (shape, class names, pixel range, the run's settings) and\n"
        "\"contents\": \"generator\". 'dcgan sample', 'visualize', 'interpolate' and\n"
        "'arithmetic' accept it as --checkpoint; it cannot resume training.\n"
        "\n"
        "  --run DIR          a training run folder: its newest checkpoint\n"
        "  --checkpoint FILE  a checkpoint file\n"
        "  --out FILE         the file to write (safetensors)\n"
        "\n"
        "examples:\n"
        "  dcgan export --run out/RUN --out G.safetensors\n");
}

int cmd_export(int argc, char **argv)
{
    const char *C = "export";
    const char *run = NULL, *ckpt = NULL, *out = NULL;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", export_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case OPT_OUT: out = optarg; break;
        case 'h':
        case OPT_HELP: export_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, export_options_table);
        }
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (!out) return cli_usage_error(C, "--out FILE is required");
    dc_err e;
    generator g;
    if (generator_open(&g, run, ckpt, NULL, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    int rc = checkpoint_export_generator(out, &g.model, &g.st, &e);
    if (rc != 0) {
        log_error("%s", e.msg);
    } else {
        struct stat st;
        long kb = stat(out, &st) == 0 ? (long)(st.st_size / 1024) : -1;
        const dcgan_config *c = generator_config(&g);
        log_info("wrote %s (%ld KiB): the generator of %s, %dx%dx%d, z_dim %d%s", out, kb, g.path,
                 c->output_h, c->output_w, c->c_dim, c->z_dim, c->y_dim ? ", conditional" : "");
    }
    generator_close(&g);
    return rc == 0 ? 0 : 1;
}
