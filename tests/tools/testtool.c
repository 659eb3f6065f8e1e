/* Helper for the shell tests (tests/test_*.sh, tests/crash_test.sh): makes small data sets and
 * damaged files, and compares checkpoints tensor by tensor.
 *   testtool idx DIR N_TRAIN N_TEST        MNIST-format IDX set (train + t10k) in DIR (made)
 *   testtool pngs DIR N SIZE               N random SIZExSIZE RGB PNGs in DIR (made)
 *   testtool jpeg FILE W H                 a W x H JPEG
 *   testtool png-header FILE W H           a PNG header claiming W x H pixels (a bomb)
 *   testtool ckpt-diff A B                 exit 0 if every tensor and the run state are equal
 *   testtool ckpt-close A B TOL            exit 0 if the run state is equal and every tensor
 *                                          within TOL (max|a-b| <= TOL * max|a|)
 *   testtool ckpt-dist A B                 prints the worst relative difference of the tensors
 *                                          carrying signal (testdata_checkpoint_distance)
 *   testtool ckpt-meta FILE KEY            prints a checkpoint's metadata value
 *   testtool tensor-eq A NAME_A B NAME_B    exit 0 if tensor NAME_A of file A and NAME_B of B
 *                                          hold the same floats, 1 if they differ, 2 if either
 *                                          is missing
 *   testtool flip FILE OFFSET              flips the low bit of the byte at OFFSET (negative:
 *                                          from the end)
 *   testtool ckpt-sub FILE OLD NEW         replaces the first OLD in a safetensors header by
 *                                          NEW and writes the checksum again: a forged but
 *                                          checksum-valid file
 *   testtool ckpt-nan FILE TENSOR          sets TENSOR's first value to NaN, checksum again
 *   testtool npy FILE ROWS COLS VALUE      a float32 [ROWS, COLS] .npy of VALUE ("nan" too) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../testdata.h"
#include "io/npy.h"
#include "io/safetensors.h"

static int usage(void)
{
    fprintf(stderr, "usage: testtool idx|pngs|jpeg|png-header|ckpt-diff|ckpt-close|ckpt-dist|ckpt-meta|tensor-eq|flip ... (see source)\n");
    return 2;
}

/* mkdir -p */
static void mkdirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    mkdir(p, 0777);
}

static int flip(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    long at = off < 0 ? len + off : off;
    if (at < 0 || at >= len) {
        fprintf(stderr, "%s: offset %ld outside %ld bytes\n", path, off, len);
        fclose(f);
        return 1;
    }
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 1, f);
    return fclose(f) == 0 ? 0 : 1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = n > 8 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* The documented checksum rule: CRC-32 of the file with its 8 digits as '0'. */
static int write_checksummed(const char *path, unsigned char *b, size_t len)
{
    unsigned char *at = memmem(b, len, "\"crc32:", 7);
    if (!at) return 1;
    memset(at + 7, '0', 8);
    char hex[9];
    snprintf(hex, sizeof hex, "%08lx", crc32(0L, b, (uInt)len));
    memcpy(at + 7, hex, 8);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b, 1, len, f) == len;
    if (f) ok &= fclose(f) == 0;
    return !ok;
}

static int ckpt_sub(const char *path, const char *old, const char *new_text)
{
    size_t len;
    unsigned char *b = slurp(path, &len);
    if (!b) return 1;
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--) hl = hl << 8 | b[i];
    unsigned char *at = memmem(b + 8, hl, old, strlen(old));
    if (!at) {
        fprintf(stderr, "%s: '%s' not in the header\n", path, old);
        free(b);
        return 1;
    }
    size_t lo = strlen(old), ln = strlen(new_text), head = (size_t)(at - b);
    uint64_t nhl = (hl - lo + ln + 7) / 8 * 8; /* padded with spaces, as the format allows */
    size_t nlen = 8 + nhl + (len - 8 - hl);
    unsigned char *nb = malloc(nlen);
    memcpy(nb, b, head);
    memcpy(nb + head, new_text, ln);
    memcpy(nb + head + ln, at + lo, 8 + hl - head - lo);
    memset(nb + 8 + hl - lo + ln, ' ', nhl - (hl - lo + ln));
    memcpy(nb + 8 + nhl, b + 8 + hl, len - 8 - hl);
    for (int i = 0; i < 8; i++) nb[i] = (unsigned char)(nhl >> (8 * i));
    free(b);
    int rc = write_checksummed(path, nb, nlen);
    free(nb);
    return rc;
}

static int ckpt_nan(const char *path, const char *tensor)
{
    dc_err e;
    safetensors_file *f = safetensors_read(path, &e);
    const safetensors_tensor *t = f ? safetensors_find(f, tensor) : NULL;
    size_t len;
    unsigned char *b = t ? slurp(path, &len) : NULL;
    int rc = 1;
    if (b) {
        uint64_t hl = 0;
        for (int i = 7; i >= 0; i--) hl = hl << 8 | b[i];
        /* the data tiles its section from offset 0: the lowest tensor address is its start */
        const unsigned char *start = safetensors_at(f, 0)->data;
        for (size_t i = 1; i < safetensors_count(f); i++) {
            const unsigned char *d = safetensors_at(f, i)->data;
            if (d < start) start = d;
        }
        size_t off = 8 + hl + (size_t)((const unsigned char *)t->data - start);
        float nan = NAN;
        memcpy(b + off, &nan, 4);
        rc = write_checksummed(path, b, len);
    } else {
        fprintf(stderr, "%s: cannot read tensor %s\n", path, tensor);
    }
    free(b);
    safetensors_free(f);
    return rc;
}

static int npy_fill(const char *path, int rows, int cols, float v)
{
    if (rows < 1 || cols < 1) return 2;
    float *x = malloc(sizeof(float) * (size_t)rows * (size_t)cols);
    for (size_t i = 0; x && i < (size_t)rows * (size_t)cols; i++) x[i] = v;
    int64_t shape[2] = {rows, cols};
    dc_err e;
    int rc = x ? npy_write_f32(path, x, 2, shape, &e) : -1;
    if (rc != 0) fprintf(stderr, "%s\n", x ? e.msg : "out of memory");
    free(x);
    return rc != 0;
}

static int ckpt_meta(const char *path, const char *key)
{
    dc_err e;
    safetensors_file *f = safetensors_read(path, &e);
    if (!f) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    const char *v = safetensors_metadata(f, key);
    if (v) printf("%s\n", v);
    safetensors_free(f);
    return v ? 0 : 1;
}

static int tensor_eq(const char *pa, const char *na, const char *pb, const char *nb)
{
    dc_err e;
    safetensors_file *a = safetensors_read(pa, &e), *b = a ? safetensors_read(pb, &e) : NULL;
    const safetensors_tensor *ta = a ? safetensors_find(a, na) : NULL;
    const safetensors_tensor *tb = b ? safetensors_find(b, nb) : NULL;
    int rc = 2;
    if (!a || !b) fprintf(stderr, "%s\n", e.msg);
    else if (!ta || !tb) fprintf(stderr, "tensor %s missing\n", ta ? nb : na);
    else rc = ta->numel == tb->numel && memcmp(ta->data, tb->data, ta->numel * 4) == 0 ? 0 : 1;
    safetensors_free(a);
    safetensors_free(b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    const char *cmd = argv[1];
    if ((strcmp(cmd, "idx") == 0 || strcmp(cmd, "pngs") == 0) && argc > 2) mkdirs(argv[2]);
    if (strcmp(cmd, "idx") == 0 && argc == 5)
        return testdata_write_idx(argv[2], "train", atoi(argv[3]), 1) ||
               testdata_write_idx(argv[2], "t10k", atoi(argv[4]), 2);
    if (strcmp(cmd, "pngs") == 0 && argc == 5)
        return testdata_write_pngs(argv[2], atoi(argv[3]), atoi(argv[4]), 99) != 0;
    if (strcmp(cmd, "jpeg") == 0 && argc == 5)
        return testdata_write_jpeg(argv[2], atoi(argv[3]), atoi(argv[4])) != 0;
    if (strcmp(cmd, "png-header") == 0 && argc == 5)
        return testdata_write_png_header(argv[2], (uint32_t)strtoul(argv[3], NULL, 10),
                                         (uint32_t)strtoul(argv[4], NULL, 10)) != 0;
    if (strcmp(cmd, "ckpt-diff") == 0 && argc == 4)
        return testdata_compare_checkpoints(argv[2], argv[3]) != 0;
    if (strcmp(cmd, "ckpt-close") == 0 && argc == 5)
        return testdata_compare_checkpoints_close(argv[2], argv[3], strtod(argv[4], NULL)) != 0;
    if (strcmp(cmd, "ckpt-dist") == 0 && argc == 4)
        return testdata_checkpoint_distance(argv[2], argv[3]) != 0;
    if (strcmp(cmd, "ckpt-meta") == 0 && argc == 4) return ckpt_meta(argv[2], argv[3]);
    if (strcmp(cmd, "tensor-eq") == 0 && argc == 6)
        return tensor_eq(argv[2], argv[3], argv[4], argv[5]);
    if (strcmp(cmd, "ckpt-sub") == 0 && argc == 5) return ckpt_sub(argv[2], argv[3], argv[4]);
    if (strcmp(cmd, "ckpt-nan") == 0 && argc == 4) return ckpt_nan(argv[2], argv[3]);
    if (strcmp(cmd, "npy") == 0 && argc == 6)
        return npy_fill(argv[2], atoi(argv[3]), atoi(argv[4]), strtof(argv[5], NULL));
    if (strcmp(cmd, "flip") == 0 && argc == 4) return flip(argv[2], strtol(argv[3], NULL, 10));
    return usage();
}
