/* Logging to stderr. The level is the program's only global mutable state. */
#ifndef DCGAN_CORE_LOG_H
#define DCGAN_CORE_LOG_H

#include <stddef.h>

typedef enum { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG } log_level;

void log_set_level(log_level level);
log_level log_get_level(void);
/* One line "dcgan: [error: |warning: ]<message>" on stderr, in one write; control characters
 * of the message are escaped (log_escape). */
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies src into dst (size n, always terminated, cut short if need be) with control
 * characters made visible: newline, CR and tab as \n \r \t, other C0 and C1 controls and
 * DEL as \xHH. Returns the length written. For names from the user or the disk in anything
 * printed: a file name with a newline cannot forge a line, nor escape codes drive the terminal. */
size_t log_escape(char *dst, size_t n, const char *src);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
