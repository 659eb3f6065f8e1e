/* Small data sets and checkpoint comparison shared by the C tests and tests/tools/testtool
 * (which the shell tests use to make data and to compare runs). */
#ifndef DCGAN_TESTS_TESTDATA_H
#define DCGAN_TESTS_TESTDATA_H

#include <stdint.h>

/* MNIST-format pair DIR/PREFIX-{images-idx3,labels-idx1}-ubyte: n images 28x28 of noisy
 * class-dependent stripes, labels 0..9. Returns 0 or -1. */
int testdata_write_idx(const char *dir, const char *prefix, int n, uint64_t seed);
/* n random RGB PNGs of size x size, DIR/img000.png ... Returns 0 or -1. */
int testdata_write_pngs(const char *dir, int n, int size, uint64_t seed);
/* A w x h RGB JPEG (quality 90) of a smooth pattern. Returns 0 or -1. */
int testdata_write_jpeg(const char *path, int w, int h);
/* A PNG with a valid IHDR claiming w x h RGB pixels, an empty IDAT and IEND (a decompression
 * bomb's header). Returns 0 or -1. */
int testdata_write_png_header(const char *path, uint32_t w, uint32_t h);
/* Compares every tensor of two safetensors files bit for bit, and the run-state metadata
 * (iteration, position, random state, Adam steps). Prints one line per difference (at most
 * 5) and a summary. Returns the number of differences, or -1 if a file cannot be read. */
int testdata_compare_checkpoints(const char *a, const char *b);
/* The same run state, and every tensor within tol: max|a - b| <= tol * max|a| per tensor.
 * Prints the worst tensor. Returns the number of differences (0: close), -1 if unreadable. */
int testdata_compare_checkpoints_close(const char *a, const char *b, double tol);
/* Prints "  l2 X ..." (|a - b| / |a| over the tensors that carry signal when two training runs
 * are compared, as one vector: all but Adam's moments, moving means and the biases of layers
 * batch norm follows, whose values are rounding noise amplified by Adam) and the tensor with
 * the worst max|a - b| / max|a|. Returns 0,
 * or the number of missing tensors, -1 if unreadable. */
int testdata_checkpoint_distance(const char *a, const char *b);

#endif
