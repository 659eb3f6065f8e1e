/* MNIST-format IDX files: a 4-byte magic (0x00000803 images, 0x00000801 labels), big-endian
 * 32-bit dimensions, then unsigned bytes. Files are read through zlib's gz* interface, which
 * reads gzip and raw files alike (gzip is recognised by its 0x1f 0x8b bytes, not the name).
 * The buffer grows as data actually arrives, so a header claiming a huge size cannot make us
 * allocate more than the file really holds (plus one doubling); a gzip file whose header
 * claims more than its size can hold, or other than its trailer records, is refused before
 * inflating. */
#include "data/idx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAX_COUNT 100000000L          /* items */
#define IDX_MAX_ITEM_PIXELS (16L << 20)  /* rows * cols */
#define IDX_MAX_TOTAL ((int64_t)16 << 30) /* bytes of data */

#define DEFLATE_MAX_RATIO 1032 /* no deflate stream expands more: 258 bytes from 2 bits */

typedef struct {
    gzFile gz;
    int gzipped;
    int64_t file_size; /* on disk */
    uint32_t isize;    /* gzip: the trailer's uncompressed size, mod 2^32 */
} idx_file;

static int idx_open(idx_file *f, const char *path, dc_err *e)
{
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return dc_fail(e, "%s: not a regular file", path);
    }
    f->file_size = (int64_t)st.st_size;
    unsigned char sig[2] = {0, 0};
    ssize_t got = pread(fd, sig, 2, 0);
    f->gzipped = got == 2 && sig[0] == 0x1f && sig[1] == 0x8b;
    unsigned char tail[4] = {0, 0, 0, 0};
    if (f->gzipped && f->file_size >= 18 && pread(fd, tail, 4, f->file_size - 4) == 4)
        f->isize = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
                   (uint32_t)tail[3] << 24;
    f->gz = gzdopen(fd, "rb");
    if (!f->gz) {
        close(fd);
        return dc_fail(e, "%s: cannot open: out of memory", path);
    }
    if (f->file_size > (1 << 20)) gzbuffer(f->gz, 1 << 17); /* big files: fewer, larger reads */
    return 0;
}

/* zlib's gzerror text without the "<fd:N>: " it puts first for a gzdopen'ed file. */
static const char *gz_reason(const char *msg)
{
    if (!msg) return "read error";
    if (strncmp(msg, "<fd:", 4) == 0) {
        const char *colon = strstr(msg, ": ");
        if (colon) return colon + 2;
    }
    return msg;
}

/* Reads up to n bytes; returns the count read or -1 (message set). */
static int64_t idx_read(idx_file *f, const char *path, void *buf, int64_t n, dc_err *e)
{
    int64_t total = 0;
    while (total < n) {
        int64_t want = n - total;
        if (want > (1 << 30)) want = 1 << 30;
        int got = gzread(f->gz, (char *)buf + total, (unsigned)want);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(f->gz, &zerr);
            if (zerr == Z_ERRNO) return dc_fail(e, "%s: read error: %s", path, strerror(errno));
            return dc_fail(e, "%s: %s data: %s", path, f->gzipped ? "corrupt gzip" : "bad",
                           gz_reason(msg));
        }
        if (got == 0) {
            /* distinguish a clean end of file from a gzip stream cut short */
            int zerr;
            const char *msg = gzerror(f->gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END && zerr != Z_BUF_ERROR)
                return dc_fail(e, "%s: corrupt gzip data: %s", path, gz_reason(msg));
            if (f->gzipped && zerr == Z_BUF_ERROR)
                return dc_fail(e, "%s: truncated gzip stream", path);
            break;
        }
        total += got;
    }
    return total;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Reads and checks magic + ndim dims; *total_out: the data bytes they announce. A raw file's
 * size is checked against them. */
static int idx_read_header(idx_file *f, const char *path, uint32_t magic, int ndim,
                           uint32_t *dims, int64_t *total_out, dc_err *e)
{
    unsigned char hdr[4 + 4 * 3];
    int64_t hlen = 4 + 4 * (int64_t)ndim;
    int64_t got = idx_read(f, path, hdr, hlen, e);
    if (got < 0) return -1;
    if (got == 0) {
        dc_fail(e, "%s: empty file", path);
        return -1;
    }
    if (got < 4) {
        dc_fail(e, "%s: truncated header (%lld bytes)", path, (long long)got);
        return -1;
    }
    uint32_t m = be32(hdr);
    if (m != magic) {
        const char *what = magic == IDX_MAGIC_IMAGES ? "IDX images (idx3-ubyte)"
                                                     : "IDX labels (idx1-ubyte)";
        if (m == IDX_MAGIC_IMAGES || m == IDX_MAGIC_LABELS)
            dc_fail(e, "%s: bad magic 0x%08x: this is IDX %s, expected %s", path, m,
                    m == IDX_MAGIC_IMAGES ? "images" : "labels", what);
        else
            dc_fail(e, "%s: bad magic 0x%08x, not %s (magic 0x%08x)", path, m, what, magic);
        return -1;
    }
    if (got < hlen) {
        dc_fail(e, "%s: truncated header (%lld of %lld bytes)", path, (long long)got,
                (long long)hlen);
        return -1;
    }
    for (int i = 0; i < ndim; i++) {
        dims[i] = be32(hdr + 4 + 4 * i);
        if (dims[i] == 0) {
            dc_fail(e, "%s: dimension %d is 0", path, i);
            return -1;
        }
    }
    int64_t total = 1; /* capped just above the limit: the product of 3 dims can overflow */
    for (int i = 0; i < ndim; i++)
        total = (int64_t)dims[i] > (IDX_MAX_TOTAL + 1) / total ? IDX_MAX_TOTAL + 1 : total * dims[i];
    if (dims[0] > IDX_MAX_COUNT) {
        dc_fail(e, "%s: implausible item count %u (limit %ld)", path, dims[0], IDX_MAX_COUNT);
        return -1;
    }
    if (ndim == 3 && (uint64_t)dims[1] * dims[2] > (uint64_t)IDX_MAX_ITEM_PIXELS) {
        dc_fail(e, "%s: implausible image size %ux%u", path, dims[1], dims[2]);
        return -1;
    }
    if (total > IDX_MAX_TOTAL) {
        dc_fail(e, "%s: data too large (%lld bytes claimed)", path, (long long)total);
        return -1;
    }
    /* A gzip file's size bounds what it can hold, and its trailer records what it does hold:
     * a header that claims more (a decompression bomb, a cut file) is refused before
     * inflating gigabytes to find out. */
    if (f->gzipped && (hlen + total) / DEFLATE_MAX_RATIO > f->file_size) {
        dc_fail(e, "%s: truncated or forged gzip: the header announces %lld data bytes, more than "
                   "%lld bytes of gzip can hold (deflate expands at most %dx)",
                path, (long long)total, (long long)f->file_size, DEFLATE_MAX_RATIO);
        return -1;
    }
    if (f->gzipped && f->isize != (uint32_t)(hlen + total)) {
        dc_fail(e, "%s: truncated or forged gzip: its trailer records %u bytes uncompressed, the "
                   "header announces %lld (%u mod 2^32) (several gzip streams in one file: gunzip "
                   "it)",
                path, f->isize, (long long)(hlen + total), (uint32_t)(hlen + total));
        return -1;
    }
    /* A raw file's size is known: check it before allocating anything. */
    if (!f->gzipped && f->file_size != hlen + total) {
        if (f->file_size < hlen + total)
            dc_fail(e, "%s: truncated: header says %lld data bytes, file has %lld", path,
                    (long long)total, (long long)(f->file_size - hlen));
        else
            dc_fail(e, "%s: %lld unexpected trailing bytes after the data", path,
                    (long long)(f->file_size - hlen - total));
        return -1;
    }
    *total_out = total;
    return 0;
}

/* Reads exactly total data bytes and checks that nothing follows; the buffer, or NULL. */
static uint8_t *idx_read_data(idx_file *f, const char *path, int64_t total, dc_err *e)
{
    uint8_t *buf = NULL;
    /* Grow the buffer with the data actually read (a gzip header cannot be trusted): start at
     * 1 MiB and double, so a small file claiming gigabytes costs little. */
    int64_t cap = total < (1 << 20) ? total : (1 << 20);
    if (!f->gzipped) cap = total;
    buf = malloc((size_t)cap);
    if (!buf) {
        dc_fail(e, "%s: out of memory for %lld bytes", path, (long long)cap);
        goto fail;
    }
    int64_t have = 0;
    for (;;) {
        int64_t n = idx_read(f, path, buf + have, cap - have, e);
        if (n < 0) goto fail;
        have += n;
        if (have < cap) break; /* end of file */
        if (cap == total) break;
        int64_t ncap = cap * 2 < total ? cap * 2 : total;
        uint8_t *nb = realloc(buf, (size_t)ncap);
        if (!nb) {
            dc_fail(e, "%s: out of memory for %lld bytes", path, (long long)ncap);
            goto fail;
        }
        buf = nb;
        cap = ncap;
    }
    if (have < total) {
        dc_fail(e, "%s: truncated: header says %lld data bytes, file has %lld", path,
                (long long)total, (long long)have);
        goto fail;
    }
    unsigned char extra[256];
    int64_t more = idx_read(f, path, extra, sizeof extra, e);
    if (more < 0) goto fail;
    if (more > 0) {
        dc_fail(e, "%s: unexpected trailing bytes after the %lld data bytes", path,
                (long long)total);
        goto fail;
    }
    return buf;
fail:
    free(buf);
    return NULL;
}

/* Reads magic + ndim dims, then exactly prod(dims) bytes and checks that nothing follows. */
static int idx_read_file(const char *path, uint32_t magic, int ndim, uint32_t *dims,
                         uint8_t **data, dc_err *e)
{
    *data = NULL;
    idx_file f;
    if (idx_open(&f, path, e) != 0) return -1;
    int64_t total;
    uint8_t *buf = NULL;
    if (idx_read_header(&f, path, magic, ndim, dims, &total, e) == 0)
        buf = idx_read_data(&f, path, total, e);
    gzclose(f.gz);
    if (!buf) return -1;
    *data = buf;
    return 0;
}

int idx_read_images(const char *path, uint8_t **pixels, int *count, int *rows, int *cols,
                    dc_err *e)
{
    uint32_t dims[3];
    if (idx_read_file(path, IDX_MAGIC_IMAGES, 3, dims, pixels, e) != 0) return -1;
    *count = (int)dims[0];
    *rows = (int)dims[1];
    *cols = (int)dims[2];
    return 0;
}

int idx_read_labels(const char *path, uint8_t **labels, int *count, dc_err *e)
{
    uint32_t dims[1];
    if (idx_read_file(path, IDX_MAGIC_LABELS, 1, dims, labels, e) != 0) return -1;
    *count = (int)dims[0];
    return 0;
}
