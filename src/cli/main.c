/* dcgan: train DCGANs and generate images from them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dcgan.h"
#include "cli/cli.h"
#include "cli/reference_args.h"
#include "core/log.h"
#include "ops/cuda/cuda_backend.h"

static void print_usage(FILE *f)
{
    fprintf(f,
            "usage: dcgan <command> [options]\n"
            "\n"
            "Deep Convolutional GANs (Radford et al.), as the DCGAN-tensorflow reference trains\n"
            "them, in C.\n"
            "\n"
            "commands:\n"
            "  train        train a DCGAN on an image folder or MNIST-format data (resumes a run)\n"
            "  sample       generate images from a trained run or checkpoint\n"
            "  visualize    the reference's visualisations: latent sweeps as grids and GIFs, and\n"
            "               training progress as an animation\n"
            "  interpolate  walk between latent points (linear or spherical): a strip and a GIF\n"
            "  arithmetic   vector arithmetic on latent vectors, from a numbered sample sheet\n"
            "  nearest      generated samples beside their nearest training images\n"
            "  plot         the run's losses, D outputs and quality metrics as charts (PNG)\n"
            "  report       the run as one self-contained HTML page: samples over time, charts,\n"
            "               metrics, settings and the command that resumes it\n"
            "  eval         quality numbers: FID, KID, precision/recall, ... against real data\n"
            "  classifier   train the domain classifier that eval measures with\n"
            "  features     the paper's Table 1: a linear SVM on D's features against raw\n"
            "               pixels and a random D (Fashion-MNIST, CIFAR-10)\n"
            "  export       write the generator alone, for serving\n"
            "  bench        measure training and sampling speed on this machine\n"
            "\n"
            "'dcgan <command> --help' describes each command. 'dcgan --version' prints the version.\n"
            "The reference's command line works too: 'dcgan --dataset mnist --input_height=28\n"
            "--output_height=28 --train' runs (and first prints) the 'dcgan train' it means.\n"
            "\n"
            "examples:\n"
            "  dcgan train --dataset fashion-mnist --epoch 5\n"
            "  dcgan sample --run out/demo-fashion-mnist --labels all --grid grid.png\n");
}

/* OpenMP's default is to spin-wait between parallel regions. Our regions are short and the
 * BLAS calls between them long, so spinning threads only steal cores from the BLAS (and from
 * everything else on a shared machine): measured 1.8x slower training and 17x slower batch-1
 * sampling under load. libgomp reads OMP_WAIT_POLICY when it loads, before main, so the
 * program re-executes itself once with the passive policy unless the user chose one. */
static void prefer_passive_openmp(char **argv)
{
    if (getenv("OMP_WAIT_POLICY")) return;
    /* under valgrind /proc/self/exe is valgrind's tool, and re-executing would leave it */
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload")) return;
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the default policy */
}

int main(int argc, char **argv)
{
    prefer_passive_openmp(argv);
    if (argc < 2) {
        fprintf(stderr, "dcgan: missing command (see 'dcgan --help')\n");
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("dcgan %s\n", DCGAN_VERSION_STRING);
        const char *cuda = ops_cuda_build_info();
        if (cuda) printf("devices: cpu, cuda (%s)\n", cuda);
        else printf("devices: cpu (built without CUDA: make CUDA=1 builds the GPU backend)\n");
        return 0;
    }
    if (strcmp(cmd, "train") == 0) return cmd_train(argc - 1, argv + 1);
    if (strcmp(cmd, "sample") == 0) return cmd_sample(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0) return cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "visualize") == 0) return cmd_visualize(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0) return cmd_export(argc - 1, argv + 1);
    if (strcmp(cmd, "interpolate") == 0) return cmd_interpolate(argc - 1, argv + 1);
    if (strcmp(cmd, "arithmetic") == 0) return cmd_arithmetic(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0) return cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "nearest") == 0) return cmd_nearest(argc - 1, argv + 1);
    if (strcmp(cmd, "classifier") == 0) return cmd_classifier(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0) return cmd_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "features") == 0) return cmd_features(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return cmd_report(argc - 1, argv + 1);
    /* the reference's way: python main.py --dataset mnist --input_height=28 --train */
    if (reference_is_invocation(cmd)) {
        const reference_commands cmds = {cmd_train, cmd_train_options, cmd_visualize, cmd_export};
        return reference_main(argc, argv, &cmds);
    }
    static const char *const commands[] = {"train", "sample", "visualize", "interpolate",
                                           "arithmetic", "nearest", "plot", "eval", "classifier",
                                           "features", "export", "bench", "report"};
    const char *near = cli_nearest_word(cmd, commands, (int)(sizeof commands / sizeof *commands));
    char safe[256];
    log_escape(safe, sizeof safe, cmd);
    if (near)
        fprintf(stderr, "dcgan: unknown command '%s'; did you mean '%s'? (see 'dcgan --help')\n",
                safe, near);
    else if (cmd[0] == '-')
        fprintf(stderr, "dcgan: unknown option '%s': a command comes first, e.g. 'dcgan train "
                        "%s' (see 'dcgan --help')\n", safe, safe);
    else
        fprintf(stderr, "dcgan: unknown command '%s' (see 'dcgan --help')\n", safe);
    return EXIT_USAGE;
}
