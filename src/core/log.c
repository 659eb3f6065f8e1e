#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static log_level g_log_level = LOG_LEVEL_INFO;

void log_set_level(log_level level) { g_log_level = level; }
log_level log_get_level(void) { return g_log_level; }

void log_msg(log_level level, const char *fmt, ...)
{
    if (level > g_log_level) return;
    static const char *prefix[] = {"error: ", "warning: ", "", ""};
    /* one write per line, so lines from the loader's threads do not interleave */
    char line[2048];
    int n = snprintf(line, sizeof line, "dcgan: %s", prefix[level]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len] = '\n';
    fwrite(line, 1, len + 1, stderr);
}
