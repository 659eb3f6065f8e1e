/* Image files by extension; JPEG through libjpeg, encoded in memory and then written
 * atomically, so that a failure leaves no partial file. */
#include "io/image_write.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jpeglib.h>

#include "core/atomic_file.h"
#include "io/png_write.h"

int image_file_format_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot || strcasecmp(dot, ".png") == 0) return IMAGE_FILE_PNG;
    if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0) return IMAGE_FILE_JPEG;
    return -1;
}

int image_write(const char *path, const uint8_t *pixels, int W, int H, int C, dc_err *e)
{
    switch (image_file_format_of(path)) {
    case IMAGE_FILE_PNG: return png_write(path, pixels, W, H, C, e);
    case IMAGE_FILE_JPEG: return jpeg_write(path, pixels, W, H, C, IMAGE_WRITE_JPEG_QUALITY, e);
    default: return dc_fail(e, "%s: cannot write this kind of file (write .png or .jpg)", path);
    }
}

typedef struct {
    struct jpeg_error_mgr mgr;
    jmp_buf jmp;
    char msg[JMSG_LENGTH_MAX];
} jpegw_err;

static void jpegw_on_error(j_common_ptr c)
{
    jpegw_err *j = (jpegw_err *)c->err;
    c->err->format_message(c, j->msg);
    longjmp(j->jmp, 1);
}

/* The compressor lives in the caller's frame: nothing local here changes between setjmp and
 * longjmp. */
static int jpegw_run(struct jpeg_compress_struct *c, jpegw_err *err, const uint8_t *pixels,
                     int W, int H, int C, int quality, unsigned char **buf, unsigned long *len)
{
    if (setjmp(err->jmp)) return -1;
    jpeg_create_compress(c);
    jpeg_mem_dest(c, buf, len);
    c->image_width = (JDIMENSION)W;
    c->image_height = (JDIMENSION)H;
    c->input_components = C;
    c->in_color_space = C == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, quality, TRUE);
    jpeg_start_compress(c, TRUE);
    size_t stride = (size_t)W * (size_t)C;
    while (c->next_scanline < c->image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * c->next_scanline);
        jpeg_write_scanlines(c, &row, 1);
    }
    jpeg_finish_compress(c);
    return 0;
}

int jpeg_write(const char *path, const uint8_t *pixels, int W, int H, int C, int quality,
               dc_err *e)
{
    if (W <= 0 || H <= 0 || W > 65500 || H > 65500 || (C != 1 && C != 3))
        return dc_fail(e, "%s: cannot write a %dx%d JPEG with %d channels", path, W, H, C);
    struct jpeg_compress_struct *c = calloc(1, sizeof *c);
    jpegw_err *err = calloc(1, sizeof *err);
    /* our buffer, large enough that libjpeg never grows it (a grown one is libjpeg's to free,
     * and after an error it would not say which) */
    unsigned long cap = 2ul * (unsigned long)W * (unsigned long)H * (unsigned long)C + 65536;
    unsigned char *mine = malloc(cap), *buf = mine;
    unsigned long len = cap;
    int rc = -1, done = 0;
    if (!c || !err || !mine) {
        dc_fail(e, "%s: out of memory (libjpeg)", path);
    } else {
        c->err = jpeg_std_error(&err->mgr);
        err->mgr.error_exit = jpegw_on_error;
        done = jpegw_run(c, err, pixels, W, H, C, quality, &buf, &len) == 0;
        if (!done)
            dc_fail(e, "%s: JPEG write failed: %s", path, err->msg);
        else
            rc = atomic_file_write(path, buf, len, e);
        jpeg_destroy_compress(c);
    }
    if (done && buf != mine) free(buf);
    free(mine);
    free(c);
    free(err);
    return rc;
}
