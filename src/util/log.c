#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

static log_level g_log_level = LOG_LEVEL_INFO;

void log_set_level(log_level level) { g_log_level = level; }
log_level log_get_level(void) { return g_log_level; }

void log_msg(log_level level, const char *fmt, ...)
{
    if (level > g_log_level) return;
    static const char *prefix[] = {"error: ", "warning: ", "", ""};
    fprintf(stderr, "dcgan: %s", prefix[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
