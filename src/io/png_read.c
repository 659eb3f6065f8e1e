#include "io/png_read.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

int png_read_u8(const char *path, uint8_t **pixels, int *W, int *H, int *C, dc_err *e)
{
    *pixels = NULL;
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path))
        return dc_fail(e, "%s: cannot read PNG: %s", path, im.message);
    int gray = !(im.format & PNG_FORMAT_FLAG_COLOR);
    im.format = gray ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    size_t bytes = PNG_IMAGE_SIZE(im);
    uint8_t *buf = malloc(bytes ? bytes : 1);
    if (!buf) {
        png_image_free(&im);
        return dc_fail(e, "%s: out of memory (%ux%u)", path, im.width, im.height);
    }
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&im, &white, buf, 0, NULL)) {
        free(buf);
        return dc_fail(e, "%s: cannot read PNG: %s", path, im.message);
    }
    *pixels = buf;
    *W = (int)im.width;
    *H = (int)im.height;
    *C = gray ? 1 : 3;
    return 0;
}
