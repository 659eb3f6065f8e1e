/* Test helper: tiny trained runs to point the visualisation commands at, and calling a
 * subcommand as the command line would. */
#ifndef DCGAN_TESTS_TINYRUN_H
#define DCGAN_TESTS_TINYRUN_H

#include <stddef.h>
#include <stdint.h>

#define TINY_Z_DIM 6

/* A conditional run (10 classes, 28x28 gray) on a synthetic MNIST-format set of 40 images in
 * root/data/idx, trained 3 iterations of batch 8 with a sample grid every iteration. Writes
 * the run folder's path to run_dir. Returns 0 on success. */
int tiny_idx_run(const char *root, const char *name, char *run_dir, size_t n);
/* An unconditional colour run (16x16x3) on `count` random PNGs in root/data/png (img000.png,
 * ...), trained 2 iterations of batch 8. */
int tiny_png_run(const char *root, const char *name, int count, char *run_dir, size_t n);

/* fn(argc, argv) with argv = {name, args..., NULL}; the list ends with NULL. */
int tiny_cmd(int (*fn)(int, char **), const char *name, ...);

/* Reads a PNG's size; 0 on success. */
int tiny_png_size(const char *path, int *W, int *H, int *C);
/* Removes a folder tree. */
void tiny_rmtree(const char *path);

#endif
