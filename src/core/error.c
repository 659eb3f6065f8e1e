#include "core/error.h"

#include <stdarg.h>
#include <string.h>

int dc_fail(dc_err *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void *dc_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "dcgan: error: out of memory allocating %.1f MiB (a smaller --batch-size, "
                        "--gf-dim/--df-dim or image size needs less)\n",
                (double)count * (double)size / (1 << 20));
        exit(1);
    }
    return p;
}

float *dc_alloc_floats(size_t count)
{
    size_t bytes = (count ? count : 1) * sizeof(float);
    bytes = (bytes + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (!p) {
        fprintf(stderr, "dcgan: error: out of memory allocating %.1f MiB (a smaller --batch-size, "
                        "--gf-dim/--df-dim or image size needs less)\n",
                (double)bytes / (1 << 20));
        exit(1);
    }
    memset(p, 0, bytes);
    return p;
}

int dc_path(dc_err *e, char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= n) return dc_fail(e, "path too long: %.200s...", buf);
    return 0;
}
