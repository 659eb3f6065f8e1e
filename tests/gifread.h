/* Test helper: decodes a GIF with giflib's reader (an independent path from the writer) into
 * RGB frames. */
#ifndef DCGAN_TESTS_GIFREAD_H
#define DCGAN_TESTS_GIFREAD_H

#include <stdint.h>

typedef struct {
    int W, H, nframes;
    uint8_t **rgb;  /* nframes frames of H*W*3 */
    int *delay_cs;  /* per frame */
    int loops;      /* NETSCAPE2.0 loop count (0 = forever); -1 without the extension */
    int colors;     /* global colour map size */
} gif_decoded;

/* 0 on success; on failure -1 with a message on stderr. */
int gif_decode_file(const char *path, gif_decoded *g);
void gif_decoded_free(gif_decoded *g);

#endif
