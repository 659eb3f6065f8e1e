/* How much CPU the JPEG input pipeline costs per training batch, measured without the model:
 * the loader that `dcgan train` uses (src/data/loader.c, decoding threads, prefetch 4) is
 * drained of N batches, and the decoding is also timed on one thread, file by file.
 *
 *   jpeg_decode DIR [BATCHES [BATCH [THREADS]]]       (defaults 30 64 2)
 *
 * Prints wall and CPU seconds per batch and one JSON line. CPU time (user+sys of the process)
 * is what decoding takes away from the training threads; it hardly depends on the machine's
 * background load, unlike wall time. Built and run by bench/compare.py from the sources:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -pthread -fopenmp -Isrc bench/jpeg_decode.c \
 *      src/data/{dataset,loader,image,image_resize,idx}.c src/core/{rng,error,log}.c \
 *      -ljpeg -lpng -lz -lm
 * Settings as `dcgan train --crop --input-height 108 --output-height 64`. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "data/dataset.h"
#include "data/loader.h"
#include "data/image.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [BATCHES [BATCH [THREADS]]]\n", argv[0]);
        return 2;
    }
    int batches = argc > 2 ? atoi(argv[2]) : 30, batch = argc > 3 ? atoi(argv[3]) : 64;
    int threads = argc > 4 ? atoi(argv[4]) : 2;
    image_spec spec = {0};
    spec.out_h = spec.out_w = 64;
    spec.channels = 0;
    spec.crop = 1;
    spec.crop_h = spec.crop_w = 108;
    spec.background[0] = spec.background[1] = spec.background[2] = 255;
    spec.lo = -1.0f;
    spec.hi = 1.0f;
    dataset ds;
    dc_err e;
    if (dataset_open_folder(&ds, argv[1], "*.jpg", &spec, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    size_t item = (size_t)ds.C * ds.H * ds.W;
    float *x = malloc((size_t)batch * item * sizeof *x);

    /* one thread, file by file: the decoding work itself */
    int n1 = batch * 4 < ds.count ? batch * 4 : ds.count;
    double c0 = cpu_now(), t0 = now();
    for (int i = 0; i < n1; i++)
        if (image_load(ds.paths[i], &ds.spec, x, &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    double one_cpu = (cpu_now() - c0) / n1, one_wall = (now() - t0) / n1;

    /* the loader as dcgan train runs it */
    loader *l = loader_create(&ds, batch, 1, 0, 0, 1, threads, 4, &e);
    if (!l) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    long ep, bb;
    if (loader_next(l, x, NULL, &ep, &bb, &e) != 0) { /* start-up: threads, first batch */
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    c0 = cpu_now();
    t0 = now();
    for (int i = 0; i < batches; i++)
        if (loader_next(l, x, NULL, &ep, &bb, &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    double wall = (now() - t0) / batches, cpu = (cpu_now() - c0) / batches;
    loader_free(l);
    printf("%d files %dx%dx%d; one thread: %.3f ms CPU per image (%.3f ms wall)\n", ds.count, ds.C,
           ds.H, ds.W, one_cpu * 1e3, one_wall * 1e3);
    printf("loader (%d threads, batch %d, %d batches): %.4f s wall, %.4f s CPU per batch\n",
           threads, batch, batches, wall, cpu);
    printf("{\"files\":%d,\"batch\":%d,\"threads\":%d,\"image_cpu_ms\":%.4f,\"image_wall_ms\":%.4f,"
           "\"batch_wall_s\":%.5f,\"batch_cpu_s\":%.5f}\n",
           ds.count, batch, threads, one_cpu * 1e3, one_wall * 1e3, wall, cpu);
    free(x);
    dataset_free(&ds);
    return 0;
}
