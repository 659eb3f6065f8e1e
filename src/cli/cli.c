#include "cli/cli.h"

#include <ctype.h>
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

#define WORD_MAX 64

static char fold(char c)
{
    return c == '_' ? '-' : (char)tolower((unsigned char)c);
}

int cli_edit_distance(const char *a, const char *b)
{
    int n = (int)strlen(a), m = (int)strlen(b);
    if (n >= WORD_MAX || m >= WORD_MAX) return 1000;
    int d[WORD_MAX][WORD_MAX];
    for (int i = 0; i <= n; i++) d[i][0] = i;
    for (int j = 0; j <= m; j++) d[0][j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int cost = fold(a[i - 1]) != fold(b[j - 1]);
            int v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1; /* two neighbours swapped */
            d[i][j] = v;
        }
    return d[n][m];
}

const char *cli_nearest_word(const char *word, const char *const *names, int n)
{
    int len = (int)strlen(word);
    /* a typo, not another word: one edit in a short word, two in a longer one, three past 12 */
    int limit = len <= 4 ? 1 : len <= 12 ? 2 : 3;
    const char *best = NULL;
    int best_d = limit + 1;
    for (int i = 0; i < n; i++) {
        int d = cli_edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

size_t cli_append_quoted(char *buf, size_t n, size_t len, const char *s)
{
    int plain = *s != 0;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%", *p))
            plain = 0;
    if (len + 8 >= n) return len;
    if (plain) {
        snprintf(buf + len, n - len, "%s", s);
        return strlen(buf);
    }
    buf[len++] = '\'';
    for (const char *p = s; *p && len + 5 < n; p++) {
        if (*p == '\'') {
            memcpy(buf + len, "'\\''", 4); /* close, escaped quote, reopen */
            len += 4;
        } else {
            buf[len++] = *p;
        }
    }
    buf[len++] = '\'';
    buf[len] = 0;
    return len;
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

int cli_parse_precision(const char *cmd, const char *s, ops_precision *out)
{
    if (ops_precision_parse(s, out) == 0) return 0;
    cli_usage_error(cmd, "--precision: bad value '%s' (expected fp32 or bf16)", s);
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
