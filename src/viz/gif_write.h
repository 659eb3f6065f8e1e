/* Animated, looping GIFs (giflib), written atomically. One global palette for all frames
 * (src/io/palette.h: 256 grays, or the exact colours, or a median cut refined by k-means over
 * every frame), or one per frame; no dithering (an animation's pixels would shimmer), a NETSCAPE2.0 loop extension (loop
 * forever), a per-frame delay in hundredths of a second. */
#ifndef DCGAN_VIZ_GIF_WRITE_H
#define DCGAN_VIZ_GIF_WRITE_H

#include <stdint.h>
#include "core/error.h"

typedef struct {
    int colors;        /* palette entries used */
    double rmse;       /* root mean squared error of the palette, in 0..255 levels */
    int max_err;       /* largest absolute error of any channel of any pixel */
    double psnr;       /* 20 log10(255 / rmse); infinite when exact */
} gif_stats;

/* frames[i]: H rows of W*C bytes, C = 1 (gray) or 3 (RGB). delays_cs[i]: how long frame i
 * shows, in 1/100 s (values under 2 are raised to 2: browsers slow faster frames down to
 * 1/10 s). stats may be NULL. */
int gif_write(const char *path, const uint8_t *const *frames, int nframes, int W, int H, int C,
              const int *delays_cs, gif_stats *stats, dc_err *e);
/* The same with a palette per frame (a local colour table each, built from that frame alone):
 * for frames that differ a lot, like training progress; colours of unchanged areas may shift
 * between frames. */
int gif_write_local(const char *path, const uint8_t *const *frames, int nframes, int W, int H,
                    int C, const int *delays_cs, gif_stats *stats, dc_err *e);

#endif
