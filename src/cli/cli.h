/* Subcommands of the dcgan program. Each returns the process exit code: 0 ok, 1 runtime error,
 * 2 usage error. */
#ifndef DCGAN_CLI_CLI_H
#define DCGAN_CLI_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "model/generator.h"
#include "ops/ops.h"

#define EXIT_USAGE 2

int cmd_train(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_visualize(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_interpolate(int argc, char **argv);
int cmd_arithmetic(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_nearest(int argc, char **argv);
int cmd_classifier(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* dcgan train's long options (the reference's front door, cli/reference_args.c, reads them). */
const struct option *cmd_train_options(void);

/* Strict number parsing for flags: the whole string must be a number in [lo, hi]. On failure
 * prints "dcgan <cmd>: --flag: bad value 'x' (expected ...)" and returns -1. */
int cli_parse_long(const char *cmd, const char *flag, const char *s, long lo, long hi, long *out);
int cli_parse_int(const char *cmd, const char *flag, const char *s, int lo, int hi, int *out);
int cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t *out);
int cli_parse_float(const char *cmd, const char *flag, const char *s, float lo, float hi,
                    float *out);
/* --conv-backend: auto, onednn or im2col; -1 with the same kind of message otherwise. */
int cli_parse_conv_backend(const char *cmd, const char *s, conv_backend *out);
/* --precision: fp32 or bf16; -1 with the same kind of message otherwise. */
int cli_parse_precision(const char *cmd, const char *s, ops_precision *out);
/* --device: cpu, cuda or cuda:N (N a non-negative integer), copied into dst (size n, e.g.
 * dcgan_config.device); -1 with the same kind of message otherwise. Checks the spelling only:
 * whether the build and the machine have that device is ops_open's to say. */
int cli_parse_device(const char *cmd, const char *s, char *dst, unsigned long n);
/* Room for a --device value: dcgan_config.device's size. */
#define CLI_DEVICE_SIZE sizeof(((dcgan_config *)0)->device)
/* Right after getopt_long returned an option: a usage error naming it when its value is empty
 * (`--out-dir ''` once printed "dcgan: error: : ..."); no flag takes an empty value. */
int cli_empty_value(const char *cmd, char **argv);
/* Appends s to buf (size n, holding len bytes), shell-quoted when it needs quoting; returns
 * the new length (what does not fit is left out). */
size_t cli_append_quoted(char *buf, size_t n, size_t len, const char *s);
/* Copies s into dst (size n); fails with a message if it does not fit. */
int cli_copy(const char *cmd, const char *flag, const char *s, char *dst, unsigned long n);
/* "dcgan <cmd>: <message>" + a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The word of names[0..n) nearest to word (edit distance, '_' and '-' alike, any case) when it
 * is close enough to be a typo of it, else NULL. */
const char *cli_nearest_word(const char *word, const char *const *names, int n);
/* Optimal string alignment distance between a and b (a swap of two neighbours counts 1), '_'
 * and '-' alike and in any case; long words (over 63 characters) count as far apart. */
int cli_edit_distance(const char *a, const char *b);

/* Opens the generator of --run or --checkpoint on --device (NULL: cpu) into g and reads
 * --labels (labels_s, may be NULL: *nlabels = 0) against it into labels[max] (*all: the value
 * was "all"). Returns -1 when both went well (the caller closes g), else the exit code with the
 * message printed and nothing left open: 1 if the generator cannot be opened (the device
 * included), 2 for bad labels. */
int cli_open_generator(const char *cmd, const char *run, const char *ckpt, const char *device,
                       const char *labels_s, generator *g, int *labels, int max, int *nlabels,
                       int *all);

#endif
