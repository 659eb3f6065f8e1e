#include "data/source.h"
#include "data/labels_file.h"
#include "data/lmdb_source.h"

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
    if (o->split != DATASET_SPLIT_ALL) keep_split(ds, o->split == DATASET_SPLIT_TEST);
    if (ds->count == 0) {
        dataset_free(ds);
        return dc_fail(e, "%s: too few images for a test part (every tenth item)", src);
    }
    return 0;
}
