#include "viz/html.h"

#include <nettle/base64.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static void reserve(html_buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1) cap *= 2;
    b->s = realloc(b->s, cap);
    DC_ASSERT(b->s != NULL, "out of memory");
    b->cap = cap;
}

void html_buf_free(html_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

void html_putn(html_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void html_put(html_buf *b, const char *s)
{
    html_putn(b, s, strlen(s));
}

void html_printf(html_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    DC_ASSERT(n >= 0, "bad format '%s'", fmt);
    if ((size_t)n < sizeof small) {
        html_putn(b, small, (size_t)n);
        return;
    }
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void html_textn(html_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': html_put(b, "&amp;"); break;
        case '<': html_put(b, "&lt;"); break;
        case '>': html_put(b, "&gt;"); break;
        case '"': html_put(b, "&quot;"); break;
        case '\'': html_put(b, "&#39;"); break;
        case '\t':
        case '\n': html_putn(b, s + i, 1); break;
        default:
            if (c < 0x20 || c == 0x7f) html_put(b, "&#xFFFD;");
            else html_putn(b, s + i, 1);
        }
    }
}

void html_text(html_buf *b, const char *s)
{
    html_textn(b, s, strlen(s));
}

void html_base64(html_buf *b, const void *data, size_t n)
{
    reserve(b, BASE64_ENCODE_RAW_LENGTH(n));
    base64_encode_raw(b->s + b->len, n, data);
    b->len += BASE64_ENCODE_RAW_LENGTH(n);
    b->s[b->len] = 0;
}
