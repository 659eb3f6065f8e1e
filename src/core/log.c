#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static log_level g_log_level = LOG_LEVEL_INFO;

void log_set_level(log_level level) { g_log_level = level; }
log_level log_get_level(void) { return g_log_level; }

size_t log_escape(char *dst, size_t n, const char *src)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    if (n == 0) return 0;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        char esc[5] = {0};
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            esc[0] = '\\';
            esc[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
        } else if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
            /* C0 controls, DEL, and C1 controls in UTF-8 (0x9b is a CSI on some terminals) */
            unsigned char c = *p == 0xc2 ? *++p : *p;
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
        } else {
            esc[0] = (char)*p;
        }
        size_t l = strlen(esc);
        if (k + l >= n) break;
        memcpy(dst + k, esc, l);
        k += l;
    }
    dst[k] = 0;
    return k;
}

void log_msg(log_level level, const char *fmt, ...)
{
    if (level > g_log_level) return;
    static const char *prefix[] = {"error: ", "warning: ", "", ""};
    /* one write per line, so lines from the loader's threads do not interleave; names from the
     * user or the disk are in the message, so its control characters are escaped: a file name
     * cannot start a line of its own ("dcgan: error: ...") or drive the terminal */
    char msg[2048], line[2048 + 32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int n = snprintf(line, sizeof line, "dcgan: %s", prefix[level]);
    size_t len = (size_t)n + log_escape(line + n, sizeof line - (size_t)n - 1, msg);
    line[len] = '\n';
    fwrite(line, 1, len + 1, stderr);
}
