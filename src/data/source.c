#include "data/source.h"
#include "data/labels_file.h"
#include "data/lmdb_source.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FASHION_MNIST_SYSTEM_DIR "/usr/share/datasets/fashion-mnist"
#define SOURCE_PATH_MAX 4096

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int has_idx_files(const char *dir)
{
    char p[SOURCE_PATH_MAX];
    if (dc_path(NULL, p, sizeof p, "%s/train-images-idx3-ubyte", dir) == 0 && file_exists(p))
        return 1;
    return dc_path(NULL, p, sizeof p, "%s/train-images-idx3-ubyte.gz", dir) == 0 && file_exists(p);
}

/* Keeps every tenth item (test) or the other nine of ten of an on-demand set. */
static void keep_split(dataset *ds, int test)
{
    int *keep = dc_calloc((size_t)ds->count, sizeof(int)), n = 0;
    for (int i = 0; i < ds->count; i++)
        if ((i % 10 == 9) == test) keep[n++] = i;
    dataset_keep_items(ds, keep, n);
    free(keep);
}

/* FNV-1a, 64 bits, over n bytes, continuing from h. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* The data's files, each as its name below src, size and modification time: what changes when
 * a file is added, removed or replaced, whatever its content (a resume compares it). */
static void fingerprint_files(char *out, size_t n, const char *src, char *const *paths, int count)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t skip = strlen(src);
    for (int i = 0; i < count; i++) {
        const char *name = paths[i];
        if (strncmp(name, src, skip) == 0) name += skip;
        while (*name == '/') name++;
        struct stat st;
        long long v[3] = {-1, -1, -1};
        if (stat(paths[i], &st) == 0) {
            v[0] = (long long)st.st_size;
            v[1] = (long long)st.st_mtim.tv_sec;
            v[2] = (long long)st.st_mtim.tv_nsec;
        }
        h = fnv1a(h, name, strlen(name) + 1);
        h = fnv1a(h, v, sizeof v);
    }
    snprintf(out, n, "%d files, fnv1a64 %016llx", count, (unsigned long long)h);
}

/* IDX data's files, raw or gzip, as they are found; LMDB's data.mdb. */
static void fingerprint_dir_files(char *out, size_t n, const char *src, int lmdb)
{
    static const char *const idx[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                       "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    char buf[8][SOURCE_PATH_MAX];
    char *paths[8];
    int count = 0;
    for (int i = 0; i < (lmdb ? 1 : 4); i++)
        for (int gz = 0; gz < 2; gz++) {
            const char *base = lmdb ? "data.mdb" : idx[i];
            if (dc_path(NULL, buf[count], sizeof buf[count], "%s/%s%s", src, base, gz ? ".gz" : "") == 0 &&
                file_exists(buf[count])) {
                paths[count] = buf[count];
                count++;
            }
        }
    fingerprint_files(out, n, src, paths, count);
}

/* data_dir/dataset as IDX data (fashion-mnist falls back to the Debian package's copy), or an
 * image folder. */
int dataset_open_source(const dataset_source *o, dataset *ds, char *src, size_t srclen, dc_err *e)
{
    if (dc_path(e, src, srclen, "%s/%s", o->data_dir, o->dataset)) return -1;
    if (!is_dir(src) && strcmp(o->dataset, "fashion-mnist") == 0 &&
        has_idx_files(FASHION_MNIST_SYSTEM_DIR))
        snprintf(src, srclen, "%s", FASHION_MNIST_SYSTEM_DIR);
    if (!is_dir(src)) {
        if (strcmp(o->dataset, "fashion-mnist") == 0)
            return dc_fail(e, "%s: no such folder (install Debian's dataset-fashion-mnist, or run scripts/install-deps)", src);
        if (strcmp(o->dataset, "emoji") == 0)
            return dc_fail(e, "%s: no such folder (run scripts/fetch-emoji to download it)", src);
        if (strcmp(o->dataset, "mnist") == 0) /* the reference's download.py put it there */
            return dc_fail(e, "%s: no such folder: put MNIST's four IDX files there "
                              "({train,t10k}-{images-idx3,labels-idx1}-ubyte, gzipped or not), or "
                              "train on Fashion-MNIST, installed by Debian's dataset-fashion-mnist: "
                              "--dataset fashion-mnist", src);
        if (strcmp(o->dataset, "celebA") == 0)
            return dc_fail(e, "%s: no such folder: put CelebA's aligned images there "
                              "(img_align_celeba/*.jpg moved into %s), or name your own folder of "
                              "images with --dataset NAME (DATA_DIR/NAME)", src, src);
        return dc_fail(e, "%s: no such folder (check --data-dir and --dataset)", src);
    }
    int labelled = o->labels_file && *o->labels_file;
    if (labelled && (has_idx_files(src) || lmdb_source_exists(src)))
        return dc_fail(e, "--labels-file %s: labels files label image folders; %s is %s",
                       o->labels_file, src, has_idx_files(src) ? "IDX data" : "an LMDB database");
    if (has_idx_files(src)) {
        int parts = o->split == DATASET_SPLIT_TRAIN  ? DATASET_IDX_TRAIN
                    : o->split == DATASET_SPLIT_TEST ? DATASET_IDX_TEST
                                                     : DATASET_IDX_TRAIN | DATASET_IDX_TEST;
        if (dataset_load_idx_parts(ds, src, parts, o->split == DATASET_SPLIT_ALL, e) != 0)
            return -1;
        /* Fashion-MNIST's labels have names; MNIST's digits are their own names */
        static const char *fashion[10] = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                          "sandal", "shirt", "sneaker", "bag", "ankle-boot"};
        if (strstr(src, "fashion") && ds->num_classes == 10)
            for (int i = 0; i < 10; i++) {
                char *name = strdup(fashion[i]);
                if (!name) break;
                free(ds->class_names[i]);
                ds->class_names[i] = name;
            }
        fingerprint_dir_files(ds->fingerprint, sizeof ds->fingerprint, src, 0);
        return 0;
    }
    image_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.out_h = o->output_h;
    spec.out_w = o->output_w > 0 ? o->output_w : o->output_h;
    spec.channels = o->c_dim;
    spec.crop = o->crop;
    spec.crop_h = o->input_h;
    spec.crop_w = o->input_w > 0 ? o->input_w : o->input_h;
    memcpy(spec.background, o->background, 3);
    spec.lo = -1.0f;
    spec.hi = 1.0f;
    spec.skip_bad = o->skip_bad_images;
    int rc = lmdb_source_exists(src) ? dataset_open_lmdb(ds, src, &spec, e)
                                     : dataset_open_folder(ds, src, o->input_fname_pattern, &spec, e);
    if (rc != 0) return -1;
    if (labelled && labels_file_apply(ds, src, o->labels_file, o->attributes, e) != 0) {
        dataset_free(ds);
        return -1;
    }
    if (ds->db) fingerprint_dir_files(ds->fingerprint, sizeof ds->fingerprint, src, 1);
    else fingerprint_files(ds->fingerprint, sizeof ds->fingerprint, src, ds->paths, ds->count);
    if (o->split != DATASET_SPLIT_ALL) keep_split(ds, o->split == DATASET_SPLIT_TEST);
    if (ds->count == 0) {
        dataset_free(ds);
        return dc_fail(e, "%s: too few images for a test part (every tenth item)", src);
    }
    return 0;
}
