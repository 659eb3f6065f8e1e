#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[2048], safe[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_escape(safe, sizeof safe, msg); /* the values come from the command line */
    fprintf(stderr, "dcgan %s: %s (see 'dcgan %s --help')\n", cmd, safe, cmd);
    return EXIT_USAGE;
}

int cli_parse_long(const char *cmd, const char *flag, const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        cli_usage_error(cmd, "%s: bad value '%s' (expected an integer in %ld..%ld)", flag, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_int(const char *cmd, const char *flag, const char *s, int lo, int hi, int *out)
{
    long v;
    if (cli_parse_long(cmd, flag, s, lo, hi, &v) != 0) return -1;
    *out = (int)v;
    return 0;
}

int cli_parse_conv_backend(const char *cmd, const char *s, conv_backend *out)
{
    if (conv_backend_parse(s, out) == 0) return 0;
    cli_usage_error(cmd, "--conv-backend: bad value '%s' (expected auto, onednn or im2col)", s);
    return -1;
}

int cli_parse_device(const char *cmd, const char *s, char *dst, unsigned long n)
{
    int ok = strcmp(s, "cpu") == 0 || strcmp(s, "cuda") == 0;
    if (!ok && strncmp(s, "cuda:", 5) == 0 && s[5]) { /* cuda:N, N all digits */
        ok = 1;
        for (const char *d = s + 5; *d; d++)
            if (*d < '0' || *d > '9') ok = 0;
    }
    if (!ok) {
        cli_usage_error(cmd, "--device: bad value '%s' (expected cpu, cuda or cuda:N)", s);
        return -1;
    }
    return cli_copy(cmd, "--device", s, dst, n);
}

int cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        cli_usage_error(cmd, "%s: bad value '%s' (expected a non-negative integer)", flag, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_float(const char *cmd, const char *flag, const char *s, float lo, float hi,
                    float *out)
{
    char *end = NULL;
    errno = 0;
    float v = strtof(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        cli_usage_error(cmd, "%s: bad value '%s' (expected a number in %g..%g)", flag, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_empty_value(const char *cmd, char **argv)
{
    if (!optarg || *optarg || optind < 2) return 0;
    /* "--flag ''" leaves the flag one before the value; "--flag=" holds both */
    const char *flag = argv[optind - 1] == optarg ? argv[optind - 2] : argv[optind - 1];
    cli_usage_error(cmd, "%.*s: an empty value", (int)strcspn(flag, "="), flag);
    return -1;
}

int cli_copy(const char *cmd, const char *flag, const char *s, char *dst, unsigned long n)
{
    if (strlen(s) >= n) {
        cli_usage_error(cmd, "%s: value too long (at most %lu characters)", flag, n - 1);
        return -1;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

int cli_open_generator(const char *cmd, const char *run, const char *ckpt, const char *device,
                       const char *labels_s, generator *g, int *labels, int max, int *nlabels,
                       int *all)
{
    dc_err e;
    *nlabels = 0;
    *all = 0;
    if (generator_open(g, run, ckpt, device, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    if (!labels_s) return -1;
    *nlabels = generator_parse_labels(g, "--labels", labels_s, labels, max, all, &e);
    if (*nlabels >= 0) return -1;
    generator_close(g);
    return cli_usage_error(cmd, "%s", e.msg);
}
