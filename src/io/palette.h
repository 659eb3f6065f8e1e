/* 256-colour palettes for GIF animations, built once from ALL frames so colours do not shift
 * between frames:
 *   - gray frames: the 256 grays, exact;
 *   - colour frames with at most 256 distinct colours: exactly those colours;
 *   - otherwise a variance-based median cut: the pixels' colours in a 6-bit-per-channel
 *     histogram (with exact per-bin sums), the box with the largest squared error split where
 *     the two halves' squared error is least, until there are 256 boxes; each palette entry
 *     is the mean colour of its box's pixels.
 * Mapping takes the nearest entry (Euclidean RGB), memoised per 24-bit colour. */
#ifndef DCGAN_IO_PALETTE_H
#define DCGAN_IO_PALETTE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int n;                 /* entries, 1..256 */
    uint8_t rgb[256][3];
    int gray;              /* the 256-gray palette: index = value */
} palette;

/* frames[i]: npix pixels of C bytes (C = 1 gray, 3 RGB), nframes of them. */
void palette_build(palette *p, const uint8_t *const *frames, int nframes, size_t npix, int C);

/* Maps pixels to palette indices. */
typedef struct palette_map palette_map;
palette_map *palette_map_create(const palette *p);
void palette_map_free(palette_map *m);
/* npix pixels of C bytes -> npix indices; accumulates the squared and maximum absolute error
 * per channel into *sse and *maxerr if not NULL. */
void palette_map_pixels(palette_map *m, const uint8_t *px, size_t npix, int C, uint8_t *idx,
                        double *sse, int *maxerr);

#endif
