/* A growing text buffer for writing HTML and SVG: raw markup, text escaped for element content
 * and attribute values alike, numbers, and base64 for data: URIs. Strings that come from files
 * (run names, settings, file names) only ever go through html_text. */
#ifndef DCGAN_VIZ_HTML_H
#define DCGAN_VIZ_HTML_H

#include <stddef.h>

typedef struct {
    char *s;      /* NUL-terminated; NULL until something is written */
    size_t len, cap;
} html_buf;

void html_buf_free(html_buf *b);
/* Raw markup: s is written as is. */
void html_put(html_buf *b, const char *s);
void html_putn(html_buf *b, const char *s, size_t n);
/* Raw markup, formatted. Its %s arguments must be markup or known-safe text. */
void html_printf(html_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text: & < > " ' as character references, control characters other than tab and newline as
 * U+FFFD; safe inside an element and inside a quoted attribute value. */
void html_text(html_buf *b, const char *s);
void html_textn(html_buf *b, const char *s, size_t n);
/* The bytes as base64 (RFC 4648, with padding). */
void html_base64(html_buf *b, const void *data, size_t n);

#endif
