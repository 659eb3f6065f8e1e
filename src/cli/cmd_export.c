/* dcgan export: the generator alone for serving: a generator-only safetensors file (the
 * reference's --export / --freeze) and/or an ONNX model. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/option_error.h"
#include "core/log.h"
#include "model/onnx_export.h"
#include "model/output_check.h"
#include "viz/output.h"

enum { OPT_RUN = 1000, OPT_CKPT, OPT_OUT, OPT_ONNX, OPT_HELP };

static const struct option export_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"out", required_argument, 0, OPT_OUT},
    {"onnx", required_argument, 0, OPT_ONNX},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void export_help(void)
{
    printf(
        "usage: dcgan export (--run DIR | --checkpoint FILE) [--out G.safetensors] [--onnx G.onnx]\n"
        "\n"
        "Writes the generator alone for serving, in either format or both (at least one):\n"
        "\n"
        "--out: G's parameters and batch-norm moving statistics, without D or the optimiser\n"
        "state, with the model's metadata (shape, class names, pixel range, the run's settings)\n"
        "and \"contents\": \"generator\". 'dcgan sample', 'visualize', 'interpolate' and\n"
        "'arithmetic' accept it as --checkpoint; it cannot resume training.\n"
        "\n"
        "--onnx: G as an ONNX model (opset %d) for ONNX Runtime and other ONNX tools:\n"
        "inputs z (N, z_dim) and, for conditional models, y (N, y_dim): a one-hot class or\n"
        "0/1 per attribute; output image (N, C, H, W) in the model's range ([-1,1] tanh;\n"
        "[0,1] conditional sigmoid), equal to 'dcgan sample --npy' (N, H, W, C) for the same\n"
        "z and labels. The batch size N is free. docs/export.md describes the model.\n"
        "\n"
        "A run trained with --g-ema exports its average of G, the generator sample uses.\n"
        "\n"
        "  --run DIR          a training run folder: its newest checkpoint\n"
        "  --checkpoint FILE  a checkpoint file (or a generator-only export)\n"
        "  --out FILE         the safetensors file to write\n"
        "  --onnx FILE        the ONNX model to write\n"
        "\n"
        "examples:\n"
        "  dcgan export --run out/RUN --out G.safetensors\n"
        "  dcgan export --run out/RUN --onnx G.onnx\n",
        ONNX_EXPORT_OPSET);
}

static long file_kib(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)(st.st_size / 1024) : -1;
}

/* The ONNX model with what a user of it needs to know in its metadata: the latent
 * distribution, the class or attribute names, where it came from. */
static int export_onnx(const generator *g, const char *path, dc_err *e)
{
    const char *keys[5], *values[5];
    char iteration[32];
    size_t n = 0;
    keys[n] = "z_dist", values[n++] = z_dist_name(g->zdist);
    if (g->st.class_names_json) keys[n] = "class_names", values[n++] = g->st.class_names_json;
    if (g->st.attribute_names_json)
        keys[n] = "attribute_names", values[n++] = g->st.attribute_names_json;
    keys[n] = "checkpoint", values[n++] = g->path;
    snprintf(iteration, sizeof iteration, "%ld", g->st.iteration);
    keys[n] = "iteration", values[n++] = iteration;
    return onnx_export_generator(path, &g->model, keys, values, n, e);
}

int cmd_export(int argc, char **argv)
{
    const char *C = "export";
    const char *run = NULL, *ckpt = NULL, *out = NULL, *onnx = NULL;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", export_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case OPT_OUT: out = optarg; break;
        case OPT_ONNX: onnx = optarg; break;
        case 'h':
        case OPT_HELP: export_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, export_options_table);
        }
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (!out && !onnx)
        return cli_usage_error(C, "give --out FILE (safetensors) and/or --onnx FILE");
    dc_err e;
    generator g;
    if (generator_open(&g, run, ckpt, NULL, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    const dcgan_config *c = generator_config(&g);
    /* neither output may replace the checkpoint read, nor land in a run's checkpoints folder */
    const char *inputs[1] = {g.path};
    int rc = out ? output_check_path("--out", out, inputs, 1, &e) : 0;
    if (rc == 0 && onnx) rc = output_check_path("--onnx", onnx, inputs, 1, &e);
    /* what was written is told once everything is: a failure is one line */
    if (rc == 0 && out) rc = checkpoint_export_generator(out, &g.model, &g.st, &e);
    if (rc == 0 && onnx && export_onnx(&g, onnx, &e) != 0) {
        rc = -1;
        if (out) log_error("%s (%s was written)", e.msg, out);
        else log_error("%s", e.msg);
    } else if (rc != 0) {
        log_error("%s", e.msg);
    }
    if (rc == 0 && out)
        log_info("wrote %s (%ld KiB): the generator of %s, %dx%dx%d, z_dim %d%s", out,
                 file_kib(out), g.path, c->output_h, c->output_w, c->c_dim, c->z_dim,
                 c->y_dim ? ", conditional" : "");
    if (rc == 0 && onnx)
        log_info("wrote %s (%ld KiB): ONNX opset %d, inputs z (N, %d)%s, output image "
                 "(N, %d, %d, %d)", onnx, file_kib(onnx), ONNX_EXPORT_OPSET, c->z_dim,
                 c->y_dim ? ", y (N, y_dim)" : "", c->c_dim, c->output_h, c->output_w);
    generator_close(&g);
    return rc == 0 ? 0 : 1;
}
