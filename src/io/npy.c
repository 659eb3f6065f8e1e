/* NumPy .npy: "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE for 2.0/3.0),
 * then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and '\n', then the raw data. */
#include "io/npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c assumes a little-endian host"
#endif

#define NPY_MAX_HEADER (1 << 20)

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p)) p++;
    return p;
}

/* Finds the value of 'key' (or "key") in the dict text; returns a pointer after the ':'. */
static const char *find_key(const char *hdr, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = hdr; *p; p++) {
        if ((*p == '\'' || *p == '"') && strncmp(p + 1, key, n) == 0 && p[n + 1] == *p) {
            const char *q = skip_ws(p + n + 2);
            if (*q == ':') return skip_ws(q + 1);
        }
    }
    return NULL;
}

static int parse_header(const char *path, const char *hdr, char *descr, size_t descr_len,
                        int *ndim, int64_t shape[NPY_MAX_DIMS], dc_err *e)
{
    const char *p = skip_ws(hdr);
    if (*p != '{') return dc_fail(e, "%s: bad .npy header (not a dict): %.80s", path, hdr);

    const char *v = find_key(hdr, "descr");
    if (!v || (*v != '\'' && *v != '"'))
        return dc_fail(e, "%s: bad .npy header (no 'descr' string): %.80s", path, hdr);
    char quote = *v++;
    const char *end = strchr(v, quote);
    if (!end || (size_t)(end - v) >= descr_len)
        return dc_fail(e, "%s: bad .npy header ('descr'): %.80s", path, hdr);
    memcpy(descr, v, (size_t)(end - v));
    descr[end - v] = 0;

    v = find_key(hdr, "fortran_order");
    if (!v) return dc_fail(e, "%s: bad .npy header (no 'fortran_order'): %.80s", path, hdr);
    if (strncmp(v, "True", 4) == 0)
        return dc_fail(e, "%s: fortran_order arrays are not supported (write it C-ordered, "
                          "e.g. np.ascontiguousarray)",
                       path);
    if (strncmp(v, "False", 5) != 0)
        return dc_fail(e, "%s: bad .npy header ('fortran_order'): %.80s", path, hdr);

    v = find_key(hdr, "shape");
    if (!v || *v != '(') return dc_fail(e, "%s: bad .npy header (no 'shape' tuple): %.80s", path,
                                        hdr);
    v = skip_ws(v + 1);
    *ndim = 0;
    while (*v != ')') {
        if (!isdigit((unsigned char)*v))
            return dc_fail(e, "%s: bad .npy header ('shape'): %.80s", path, hdr);
        if (*ndim >= NPY_MAX_DIMS)
            return dc_fail(e, "%s: more than %d dimensions", path, NPY_MAX_DIMS);
        errno = 0;
        char *q;
        long long d = strtoll(v, &q, 10);
        if (errno || d < 0 || d > ((int64_t)1 << 40))
            return dc_fail(e, "%s: bad dimension in .npy shape: %.80s", path, hdr);
        shape[(*ndim)++] = d;
        v = skip_ws(q);
        if (*v == ',') v = skip_ws(v + 1);
        else if (*v != ')')
            return dc_fail(e, "%s: bad .npy header ('shape'): %.80s", path, hdr);
    }
    return 0;
}

/* The magic, the version and the header's length: *prefix bytes before the header. */
static int read_prelude(FILE *fp, const char *path, off_t size, uint64_t *hlen, long *prefix,
                        dc_err *e)
{
    unsigned char pre[12];
    size_t n = fread(pre, 1, 8, fp);
    if (n < 8 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return dc_fail(e, "%s: not a .npy file (bad magic)", path);
    int major = pre[6], minor = pre[7];
    if (major == 1) {
        if (fread(pre + 8, 1, 2, fp) != 2) return dc_fail(e, "%s: truncated .npy header", path);
        *hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
        *prefix = 10;
    } else if (major == 2 || major == 3) {
        if (fread(pre + 8, 1, 4, fp) != 4) return dc_fail(e, "%s: truncated .npy header", path);
        *hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8 | (uint64_t)pre[10] << 16 |
                (uint64_t)pre[11] << 24;
        *prefix = 12;
    } else {
        return dc_fail(e, "%s: unsupported .npy format version %d.%d", path, major, minor);
    }
    if (*hlen == 0 || *hlen > NPY_MAX_HEADER || (int64_t)(*prefix + *hlen) > (int64_t)size)
        return dc_fail(e, "%s: bad or truncated .npy header (length %llu)", path,
                       (unsigned long long)*hlen);
    return 0;
}

/* count items of `item` bytes (4: float32, 8: float64) as floats, in *out (caller frees). */
static int read_items(FILE *fp, const char *path, int item, int64_t count, float **out, dc_err *e)
{
    *out = malloc((size_t)(count ? count : 1) * sizeof(float));
    if (!*out) return dc_fail(e, "%s: out of memory for %lld floats", path, (long long)count);
    if (item == 4) {
        if (count && fread(*out, 4, (size_t)count, fp) != (size_t)count)
            return dc_fail(e, "%s: truncated data", path);
        return 0;
    }
    if (!count) return 0;
    double *raw = malloc((size_t)count * 8);
    if (!raw) return dc_fail(e, "%s: out of memory for %lld doubles", path, (long long)count);
    int rc = 0;
    if (fread(raw, 8, (size_t)count, fp) != (size_t)count)
        rc = dc_fail(e, "%s: truncated data", path);
    else
        for (int64_t i = 0; i < count; i++) (*out)[i] = (float)raw[i];
    free(raw);
    return rc;
}

int npy_read_f32(const char *path, float **data, int *ndim, int64_t shape[NPY_MAX_DIMS],
                 dc_err *e)
{
    *data = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
    char *hdr = NULL;
    float *out = NULL;
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        dc_fail(e, "%s: cannot stat: %s", path, strerror(errno));
        goto fail;
    }
    uint64_t hlen = 0;
    long prefix = 0;
    if (read_prelude(fp, path, st.st_size, &hlen, &prefix, e) != 0) goto fail;
    hdr = malloc(hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, fp) != hlen) {
        dc_fail(e, "%s: truncated .npy header", path);
        goto fail;
    }
    hdr[hlen] = 0;
    if (strlen(hdr) != hlen) {
        dc_fail(e, "%s: bad .npy header (NUL byte)", path);
        goto fail;
    }
    for (size_t k = hlen; k > 0 && isspace((unsigned char)hdr[k - 1]); k--) hdr[k - 1] = 0;
    char descr[32];
    int nd = 0;
    int64_t shp[NPY_MAX_DIMS];
    if (parse_header(path, hdr, descr, sizeof descr, &nd, shp, e) != 0) goto fail;
    int item;
    if (strcmp(descr, "<f4") == 0)
        item = 4;
    else if (strcmp(descr, "<f8") == 0)
        item = 8;
    else {
        dc_fail(e, "%s: unsupported dtype '%s' (need '<f4' float32 or '<f8' float64)", path,
                descr);
        goto fail;
    }
    int64_t count = 1;
    for (int i = 0; i < nd; i++) {
        if (shp[i] != 0 && count > ((int64_t)1 << 40) / shp[i]) {
            dc_fail(e, "%s: array too large", path);
            goto fail;
        }
        count *= shp[i];
    }
    int64_t data_bytes = (int64_t)st.st_size - prefix - (int64_t)hlen;
    if (data_bytes != count * item) {
        dc_fail(e, "%s: %s: shape needs %lld bytes of data, file has %lld", path,
                data_bytes < count * item ? "truncated" : "size mismatch",
                (long long)(count * item), (long long)data_bytes);
        goto fail;
    }
    if (read_items(fp, path, item, count, &out, e) != 0) goto fail;
    free(hdr);
    fclose(fp);
    *data = out;
    *ndim = nd;
    for (int i = 0; i < nd; i++) shape[i] = shp[i];
    return 0;
fail:
    free(out);
    free(hdr);
    fclose(fp);
    return -1;
}

int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape,
                  dc_err *e)
{
    if (ndim < 0 || ndim > NPY_MAX_DIMS)
        return dc_fail(e, "%s: cannot write %d dimensions", path, ndim);
    char dict[512];
    int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    int64_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return dc_fail(e, "%s: negative dimension", path);
        len += snprintf(dict + len, sizeof dict - (size_t)len, "%lld,%s", (long long)shape[i],
                        (ndim > 1 && i < ndim - 1) ? " " : "");
        count *= shape[i];
    }
    if (ndim > 1) len--; /* "(2, 3,)" -> "(2, 3)" as numpy writes it; 1-d keeps "(5,)" */
    len += snprintf(dict + len, sizeof dict - (size_t)len, "), }");
    /* pad with spaces so that the data starts at a multiple of 64, ending with '\n' */
    size_t total = 10 + (size_t)len + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t hlen = padded - 10;
    unsigned char head[10 + 512 + 64];
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (unsigned char)(hlen & 0xff);
    head[9] = (unsigned char)(hlen >> 8);
    memcpy(head + 10, dict, (size_t)len);
    memset(head + 10 + len, ' ', hlen - (size_t)len - 1);
    head[padded - 1] = '\n';

    atomic_file af;
    if (atomic_file_open(&af, path, e) != 0) return -1;
    if (fwrite(head, 1, padded, af.fp) != padded ||
        (count && fwrite(data, sizeof(float), (size_t)count, af.fp) != (size_t)count)) {
        int err = errno;
        atomic_file_abort(&af);
        return dc_fail(e, "%s: write failed: %s", path, strerror(err ? err : EIO));
    }
    return atomic_file_commit(&af, e);
}
