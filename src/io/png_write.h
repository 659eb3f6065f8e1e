/* Writing images as PNG (libpng), atomically. */
#ifndef DCGAN_IO_PNG_WRITE_H
#define DCGAN_IO_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

/* The largest side PNG readers accept (libpng's default user limit): png_write refuses more. */
#define PNG_WRITE_MAX_SIDE 1000000

/* pixels: H rows of W*C bytes, C = 1 (gray), 3 (RGB) or 4 (RGBA). */
int png_write(const char *path, const uint8_t *pixels, int W, int H, int C, dc_err *e);

/* Encodes to PNG in memory: *out (malloc'ed, *len bytes). */
int png_encode(const uint8_t *pixels, int W, int H, int C, uint8_t **out, size_t *len,
               dc_err *e);

/* One value in [lo, hi] as 8 bits: k = 255 / (hi - lo), rounded to nearest, clamped. NaN
 * compares false both ways: it ends up 0. */
static inline uint8_t image_value_to_u8(float x, float lo, float k)
{
    float v = (x - lo) * k + 0.5f;
    return (uint8_t)(v >= 255.0f ? 255 : (v >= 0.0f ? (int)v : 0));
}
/* Converts one float image (C,H,W) in [lo,hi] to interleaved 8-bit (H,W,C), clamping. */
void image_to_u8(uint8_t *dst, const float *src, int C, int H, int W, float lo, float hi);

/* A grid of N images (N,C,H,W) in [lo,hi], `cols` per row (rows = ceil(N/cols)); images are
 * placed edge to edge like the reference's merge(); empty cells are black. A grid over
 * PNG_WRITE_MAX_SIDE on a side is refused before anything is allocated. */
int png_write_grid(const char *path, const float *images, int N, int C, int H, int W, int cols,
                   float lo, float hi, dc_err *e);
/* The same with each image enlarged `scale` times (nearest neighbour, 1..16) and `gap` white
 * pixels between cells (0..64; with gaps, empty cells are white too). */
int png_write_grid_spaced(const char *path, const float *images, int N, int C, int H, int W,
                          int cols, float lo, float hi, int scale, int gap, dc_err *e);
/* Its size in pixels. */
void png_grid_size(int N, int H, int W, int cols, int scale, int gap, int *GW, int *GH);
/* The enlargement that makes an H x W cell at least PNG_GRID_MIN_CELL pixels on its shorter
 * side (1..4): training's sample grids use it, so a 28x28 image is a 84-pixel cell. */
#define PNG_GRID_MIN_CELL 64
#define PNG_GRID_GAP 2
int png_grid_scale(int H, int W);

#endif
