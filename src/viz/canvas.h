/* An 8-bit image to compose pictures on: tiles of generated images, gaps, captions. Text is
 * drawn with cairo (DejaVu Sans through fontconfig; Debian's fonts-dejavu-core). */
#ifndef DCGAN_VIZ_CANVAS_H
#define DCGAN_VIZ_CANVAS_H

#include <stdint.h>
#include "core/error.h"

typedef struct {
    int W, H, C;   /* C = 1 (gray) or 3 (RGB) */
    uint8_t *px;   /* H rows of W*C bytes */
} canvas;

/* Filled with `fill` (every channel). Aborts when out of memory. */
void canvas_init(canvas *c, int W, int H, int C, uint8_t fill);
void canvas_free(canvas *c);
/* Copies an interleaved 8-bit image (w x h, ch = 1 or 3 channels) with its top-left at (x, y),
 * clipped; gray goes to all three channels of an RGB canvas, RGB to luma on a gray one. */
void canvas_put(canvas *c, int x, int y, const uint8_t *img, int w, int h, int ch);
/* The same from a float image (ch, h, w) in [lo, hi]. */
void canvas_put_float(canvas *c, int x, int y, const float *img, int ch, int h, int w, float lo,
                      float hi);
/* Fills a rectangle with a colour (rgb; gray canvases take its luma). */
void canvas_fill_rect(canvas *c, int x, int y, int w, int h, const uint8_t rgb[3]);
/* Text with its baseline-left at (x, y), `size` pixels high, in rgb; with a 1-pixel outline in
 * outline_rgb when outline_rgb is not NULL (readable on any picture). */
void canvas_text(canvas *c, double x, double y, const char *text, double size, const uint8_t rgb[3],
                 const uint8_t *outline_rgb);
/* Width in pixels of text at `size`. */
double canvas_text_width(const char *text, double size);
/* Nearest-neighbour resampling to W x H, in place. */
void canvas_resize(canvas *c, int W, int H);
/* Nearest-neighbour enlargement by an integer factor (k >= 1), in place. */
void canvas_scale(canvas *c, int k);
int canvas_write_png(const canvas *c, const char *path, dc_err *e);
/* PNG or JPEG, as path's extension says (io/image_write.h). */
int canvas_write(const canvas *c, const char *path, dc_err *e);
/* Called before drawing text with cairo elsewhere (src/viz/plot.c): font caches are then
 * released at exit. */
void canvas_fonts_used(void);

#endif
