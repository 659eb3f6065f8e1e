/* What a refused option meant: the nearest flag, an ambiguous abbreviation's candidates, or the
 * reference's flag of that name. */
#include "cli/option_error.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/reference_args.h"

/* The table's long names, each once: "batch_size" left out beside "batch-size". */
static int option_names(const struct option *table, const char **names, int max)
{
    int n = 0;
    for (const struct option *o = table; o->name && n < max; o++) {
        int dup = 0;
        for (int i = 0; i < n && !dup; i++) dup = cli_edit_distance(names[i], o->name) == 0;
        if (!dup) names[n++] = o->name;
    }
    return n;
}

/* The options whose names start with word (an abbreviation getopt found ambiguous), as
 * "--a, --b, --c" into buf; their count. */
static int option_prefixed(const char *word, const char *const *names, int n, char *buf, size_t cap)
{
    size_t len = strlen(word), k = 0;
    int count = 0;
    buf[0] = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(names[i], word, len) != 0) continue;
        int w = snprintf(buf + k, cap - k, "%s--%s", count ? ", " : "", names[i]);
        if (w > 0 && (size_t)w < cap - k) k += (size_t)w;
        count++;
    }
    return count;
}

int option_error_report(const char *cmd, const char *flag, const struct option *table)
{
    if (strncmp(flag, "--", 2) != 0) return cli_usage_error(cmd, "unknown option '%s'", flag);
    char word[256];
    snprintf(word, sizeof word, "%s", flag + 2);
    char *eq = strchr(word, '=');
    if (eq) *eq = 0;
    const char *names[512];
    int n = option_names(table, names, 512);
    for (const struct option *o = table; eq && o->name; o++)
        if (o->has_arg == no_argument && strcmp(o->name, word) == 0)
            return cli_usage_error(cmd, "--%s takes no value (given '%s')", word, flag);
    char list[1024];
    if (!eq && option_prefixed(word, names, n, list, sizeof list) > 1)
        return cli_usage_error(cmd, "'%s' is ambiguous: %s", flag, list);
    const char *hint = reference_flag_hint(cmd, word);
    if (hint) return cli_usage_error(cmd, "%s", hint);
    const char *near = cli_nearest_word(word, names, n);
    if (near) return cli_usage_error(cmd, "unknown option '%s'; did you mean '--%s'?", flag, near);
    return cli_usage_error(cmd, "unknown option '%s'", flag);
}

