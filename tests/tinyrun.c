#include "tinyrun.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/png_read.h"
#include "io/png_write.h"
#include "core/rng.h"
#include "train/run.h"

static void put_be32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    fwrite(b, 1, 4, f);
}

static void write_idx(const char *dir, const char *prefix, int n, uint64_t seed)
{
    char p[1200];
    rng_state r;
    rng_init(&r, seed);
    snprintf(p, sizeof p, "%s/%s-images-idx3-ubyte", dir, prefix);
    FILE *fi = fopen(p, "wb");
    snprintf(p, sizeof p, "%s/%s-labels-idx1-ubyte", dir, prefix);
    FILE *fl = fopen(p, "wb");
    if (!fi || !fl) {
        if (fi) fclose(fi);
        if (fl) fclose(fl);
        return;
    }
    put_be32(fi, 0x803);
    put_be32(fi, (uint32_t)n);
    put_be32(fi, 28);
    put_be32(fi, 28);
    put_be32(fl, 0x801);
    put_be32(fl, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        uint8_t label = (uint8_t)rng_below(&r, 10);
        fputc(label, fl);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) fputc(((x + y * label) % 7 < 3 ? 200 : 20) + (int)rng_below(&r, 40), fi);
    }
    fclose(fi);
    fclose(fl);
}

static void base_options(train_options *o, const char *root, const char *name)
{
    train_options_default(o);
    snprintf(o->data_dir, sizeof o->data_dir, "%s/data", root);
    snprintf(o->out_dir, sizeof o->out_dir, "%s/out", root);
    snprintf(o->out_name, sizeof o->out_name, "%s", name);
    o->batch_size = 8;
    o->z_dim = TINY_Z_DIM;
    o->gf_dim = o->df_dim = 4;
    o->gfc_dim = o->dfc_dim = 16;
    o->progress = 0;
    o->threads = 1;
    o->tensorboard = 0;
}

int tiny_idx_run(const char *root, const char *name, char *run_dir, size_t n)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data", root);
    mkdir(dir, 0777);
    snprintf(dir, sizeof dir, "%s/data/idx", root);
    mkdir(dir, 0777);
    write_idx(dir, "train", 30, 1);
    write_idx(dir, "t10k", 10, 2);
    train_options o;
    base_options(&o, root, name);
    snprintf(o.dataset, sizeof o.dataset, "idx");
    o.max_steps = 3;
    o.sample_freq = 1;
    dc_err e;
    if (train_run(&o, &e) != 0) {
        fprintf(stderr, "tiny_idx_run: %s\n", e.msg);
        return -1;
    }
    snprintf(run_dir, n, "%s/%s", o.out_dir, name);
    return 0;
}

int tiny_png_run(const char *root, const char *name, int count, char *run_dir, size_t n)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data", root);
    mkdir(dir, 0777);
    snprintf(dir, sizeof dir, "%s/data/png", root);
    mkdir(dir, 0777);
    rng_state r;
    rng_init(&r, 99);
    uint8_t px[16 * 16 * 3];
    dc_err e;
    for (int i = 0; i < count; i++) {
        for (size_t j = 0; j < sizeof px; j++) px[j] = (uint8_t)rng_below(&r, 256);
        char p[1100];
        snprintf(p, sizeof p, "%s/img%03d.png", dir, i);
        if (png_write(p, px, 16, 16, 3, &e) != 0) {
            fprintf(stderr, "tiny_png_run: %s\n", e.msg);
            return -1;
        }
    }
    train_options o;
    base_options(&o, root, name);
    snprintf(o.dataset, sizeof o.dataset, "png");
    snprintf(o.input_fname_pattern, sizeof o.input_fname_pattern, "*.png");
    o.output_h = 16;
    o.loader_threads = 1;
    o.max_steps = 2;
    o.sample_freq = 0;
    if (train_run(&o, &e) != 0) {
        fprintf(stderr, "tiny_png_run: %s\n", e.msg);
        return -1;
    }
    snprintf(run_dir, n, "%s/%s", o.out_dir, name);
    return 0;
}

int tiny_cmd(int (*fn)(int, char **), const char *name, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)name;
    va_list ap;
    va_start(ap, name);
    const char *a;
    while (argc < 63 && (a = va_arg(ap, const char *)) != NULL) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    return fn(argc, argv);
}

int tiny_png_size(const char *path, int *W, int *H, int *C)
{
    uint8_t *px;
    dc_err e;
    if (png_read_u8(path, &px, W, H, C, &e) != 0) return -1;
    free(px);
    return 0;
}

void tiny_rmtree(const char *path)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", path);
}
