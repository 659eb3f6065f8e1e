#include "data/cifar.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CIFAR_PATH_MAX 4096
#define CIFAR_TRAIN_BATCHES 5
#define CIFAR_FILES (CIFAR_TRAIN_BATCHES + 1)
#define CIFAR_READ_RECORDS 1024 /* records per fread */
#define CIFAR_NAME_MAX 256

static const char *const cifar_default_names[CIFAR_CLASSES] = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};

static int file_size(const char *path, long long *size)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    *size = (long long)st.st_size;
    return 0;
}

int cifar_dir_has_batches(const char *dir)
{
    char p[CIFAR_PATH_MAX];
    long long sz;
    if (dc_path(NULL, p, sizeof p, "%s/data_batch_1.bin", dir) == 0 && file_size(p, &sz) == 0)
        return 1;
    return dc_path(NULL, p, sizeof p, "%s/test_batch.bin", dir) == 0 && file_size(p, &sz) == 0;
}

/* Records of one file into images/labels from item `at`; count known from its size. */
static int read_batch(const char *path, int count, float *images, int *labels, dc_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return dc_fail(e, "%s: cannot open", path);
    unsigned char *buf = malloc((size_t)CIFAR_READ_RECORDS * CIFAR_RECORD_BYTES);
    if (!buf) {
        fclose(f);
        return dc_fail(e, "%s: out of memory", path);
    }
    const size_t px = CIFAR_RECORD_BYTES - 1;
    int rc = 0;
    for (int done = 0; done < count && rc == 0;) {
        int n = count - done < CIFAR_READ_RECORDS ? count - done : CIFAR_READ_RECORDS;
        /* the file may have changed since its size was taken */
        if (fread(buf, CIFAR_RECORD_BYTES, (size_t)n, f) != (size_t)n) {
            rc = dc_fail(e, "%s: truncated while reading (record %d of %d)", path, done, count);
            break;
        }
        for (int r = 0; r < n && rc == 0; r++) {
            const unsigned char *rec = buf + (size_t)r * CIFAR_RECORD_BYTES;
            if (rec[0] >= CIFAR_CLASSES) {
                rc = dc_fail(e, "%s: label %d of record %d is outside 0..9", path, rec[0], done + r);
                break;
            }
            labels[done + r] = rec[0];
            /* the planes are already (C, H, W), the dataset's item layout */
            float *d = images + (size_t)(done + r) * px;
            for (size_t k = 0; k < px; k++) d[k] = rec[1 + k] / 255.0f;
        }
        done += n;
    }
    free(buf);
    fclose(f);
    return rc;
}

/* Up to CIFAR_CLASSES non-empty lines of batches.meta.txt, whitespace trimmed. 0 if the file
 * is absent (names stay NULL), -1 if it cannot be used. */
static int read_meta(const char *dir, char **names, dc_err *e)
{
    char path[CIFAR_PATH_MAX];
    if (dc_path(e, path, sizeof path, "%s/batches.meta.txt", dir)) return -1;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[CIFAR_NAME_MAX + 2];
    int n = 0, rc = 0;
    while (n < CIFAR_CLASSES && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            rc = dc_fail(e, "%s: line %d is longer than %d characters", path, n + 1,
                         CIFAR_NAME_MAX);
            break;
        }
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        len = strlen(s);
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
                           s[len - 1] == '\t'))
            s[--len] = 0;
        if (len == 0) continue;
        names[n] = dc_calloc(len + 1, 1);
        memcpy(names[n], s, len);
        n++;
    }
    fclose(f);
    if (rc == 0 && n < CIFAR_CLASSES)
        rc = dc_fail(e, "%s: %d class names, expected %d (one a line)", path, n, CIFAR_CLASSES);
    return rc;
}

static int batch_path(char *p, size_t n, const char *dir, int file, dc_err *e)
{
    if (file < CIFAR_TRAIN_BATCHES) return dc_path(e, p, n, "%s/data_batch_%d.bin", dir, file + 1);
    return dc_path(e, p, n, "%s/test_batch.bin", dir);
}

int dataset_load_cifar(dataset *ds, const char *dir, int parts_mask, dc_err *e)
{
    memset(ds, 0, sizeof *ds);
    char path[CIFAR_PATH_MAX];
    int count[CIFAR_FILES] = {0};
    long long total = 0;
    for (int file = 0; file < CIFAR_FILES; file++) {
        int part = file < CIFAR_TRAIN_BATCHES ? DATASET_IDX_TRAIN : DATASET_IDX_TEST;
        if (!(parts_mask & part)) continue;
        if (batch_path(path, sizeof path, dir, file, e)) return -1;
        long long sz;
        if (file_size(path, &sz) != 0) return dc_fail(e, "%s: missing", path);
        if (sz == 0 || sz % CIFAR_RECORD_BYTES != 0)
            return dc_fail(e, "%s: %lld bytes is not a whole number of %d-byte records "
                           "(truncated, or not CIFAR-10's binary format?)", path, sz,
                           CIFAR_RECORD_BYTES);
        if (sz / CIFAR_RECORD_BYTES > INT_MAX - total) return dc_fail(e, "%s: too many records", path);
        count[file] = (int)(sz / CIFAR_RECORD_BYTES);
        total += count[file];
    }
    if (total == 0) return dc_fail(e, "%s: no CIFAR-10 batches asked for", dir);
    ds->class_names = dc_calloc(CIFAR_CLASSES, sizeof(char *));
    ds->num_classes = CIFAR_CLASSES;
    if (read_meta(dir, ds->class_names, e) != 0) {
        dataset_free(ds);
        return -1;
    }
    for (int i = 0; i < CIFAR_CLASSES; i++)
        if (!ds->class_names[i]) {
            size_t len = strlen(cifar_default_names[i]);
            ds->class_names[i] = dc_calloc(len + 1, 1);
            memcpy(ds->class_names[i], cifar_default_names[i], len);
        }
    const size_t item = CIFAR_RECORD_BYTES - 1;
    ds->images = malloc(sizeof(float) * item * (size_t)total);
    ds->labels = malloc(sizeof(int) * (size_t)total);
    if (!ds->images || !ds->labels) {
        dataset_free(ds);
        return dc_fail(e, "%s: out of memory for %lld images", dir, total);
    }
    long long at = 0;
    for (int file = 0; file < CIFAR_FILES; file++) {
        if (!count[file]) continue;
        if (batch_path(path, sizeof path, dir, file, e) ||
            read_batch(path, count[file], ds->images + item * (size_t)at, ds->labels + at, e)) {
            dataset_free(ds);
            return -1;
        }
        at += count[file];
    }
    ds->count = (int)total;
    ds->C = 3;
    ds->H = ds->W = CIFAR_SIDE;
    ds->lo = 0.0f;
    ds->hi = 1.0f;
    return 0;
}
