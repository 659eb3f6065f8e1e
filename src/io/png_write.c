/* PNG writing with libpng into an atomic_file: a failed write (libpng error, full disk) leaves
 * any old file at path untouched and removes the temporary. */
#include "io/png_write.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

_Static_assert(PNG_WRITE_MAX_SIDE <= PNG_USER_WIDTH_MAX && PNG_WRITE_MAX_SIDE <= PNG_USER_HEIGHT_MAX,
               "libpng refuses what png_write would write");

#include "core/atomic_file.h"

typedef struct {
    png_structp png;
    png_infop info;
    jmp_buf jmp;
    char msg[256];
    int err; /* errno when libpng gave up: its "Write Error" comes from a failed fwrite */
} png_wjob;

static void pngw_on_error(png_structp png, png_const_charp msg)
{
    png_wjob *j = png_get_error_ptr(png);
    j->err = errno;
    snprintf(j->msg, sizeof j->msg, "%s", msg ? msg : "error");
    longjmp(j->jmp, 1);
}

static void pngw_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* The job lives in the caller's frame: nothing local here changes between setjmp and longjmp. */
static int pngw_run(png_wjob *j, FILE *fp, const uint8_t *pixels, int W, int H, int C)
{
    if (setjmp(j->jmp)) return -1;
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                 PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    png_init_io(j->png, fp);
    png_set_IHDR(j->png, j->info, (png_uint_32)W, (png_uint_32)H, 8, types[C],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(j->png, j->info);
    size_t stride = (size_t)W * (size_t)C;
    for (int y = 0; y < H; y++) png_write_row(j->png, (png_const_bytep)(pixels + stride * y));
    png_write_end(j->png, NULL);
    return 0;
}

int png_write(const char *path, const uint8_t *pixels, int W, int H, int C, dc_err *e)
{
    if (W <= 0 || H <= 0 || C < 1 || C > 4)
        return dc_fail(e, "%s: cannot write a %dx%d PNG with %d channels", path, W, H, C);
    if (W > PNG_WRITE_MAX_SIDE || H > PNG_WRITE_MAX_SIDE)
        return dc_fail(e, "%s: a %dx%d image is larger than PNG readers accept (%d pixels a side)",
                       path, W, H, PNG_WRITE_MAX_SIDE);
    atomic_file af;
    if (atomic_file_open(&af, path, e) != 0) return -1;
    png_wjob *j = calloc(1, sizeof *j);
    int rc = -1;
    if (j) j->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, j, pngw_on_error,
                                            pngw_on_warning);
    if (j && j->png) j->info = png_create_info_struct(j->png);
    if (!j || !j->png || !j->info)
        dc_fail(e, "%s: out of memory (libpng)", path);
    else if (pngw_run(j, af.fp, pixels, W, H, C) != 0 && ferror(af.fp))
        dc_fail(e, "%s: write failed: %s", path, strerror(j->err ? j->err : EIO));
    else if (j->msg[0])
        dc_fail(e, "%s: PNG write failed: %s", path, j->msg);
    else
        rc = 0;
    if (j && j->png) png_destroy_write_struct(&j->png, j->info ? &j->info : NULL);
    free(j);
    if (rc != 0) {
        atomic_file_abort(&af);
        return -1;
    }
    return atomic_file_commit(&af, e);
}

int png_encode(const uint8_t *pixels, int W, int H, int C, uint8_t **out, size_t *len,
               dc_err *e)
{
    *out = NULL;
    *len = 0;
    if (W <= 0 || H <= 0 || C < 1 || C > 4)
        return dc_fail(e, "cannot encode a %dx%d PNG with %d channels", W, H, C);
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    if (!fp) return dc_fail(e, "out of memory (PNG encoding)");
    png_wjob *j = calloc(1, sizeof *j);
    int rc = -1;
    if (j) j->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, j, pngw_on_error,
                                            pngw_on_warning);
    if (j && j->png) j->info = png_create_info_struct(j->png);
    if (!j || !j->png || !j->info)
        dc_fail(e, "out of memory (libpng)");
    else if (pngw_run(j, fp, pixels, W, H, C) != 0)
        dc_fail(e, "PNG encoding failed: %s", j->msg);
    else
        rc = 0;
    if (j && j->png) png_destroy_write_struct(&j->png, j->info ? &j->info : NULL);
    free(j);
    if (fclose(fp) != 0 && rc == 0) rc = dc_fail(e, "out of memory (PNG encoding)");
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *out = (uint8_t *)buf;
    *len = size;
    return 0;
}

void image_to_u8(uint8_t *dst, const float *src, int C, int H, int W, float lo, float hi)
{
    float k = 255.0f / (hi - lo);
    size_t plane = (size_t)H * (size_t)W;
    for (int c = 0; c < C; c++) {
        const float *s = src + (size_t)c * plane;
        for (size_t i = 0; i < plane; i++) {
            dst[i * (size_t)C + (size_t)c] = image_value_to_u8(s[i], lo, k);
        }
    }
}

void png_grid_size(int N, int H, int W, int cols, int scale, int gap, int *GW, int *GH)
{
    int rows = (N + cols - 1) / cols;
    *GW = cols * W * scale + (cols - 1) * gap;
    *GH = rows * H * scale + (rows - 1) * gap;
}

int png_grid_scale(int H, int W)
{
    int side = H < W ? H : W, k = (PNG_GRID_MIN_CELL + side - 1) / side;
    return k < 1 ? 1 : k > 4 ? 4 : k;
}

int png_write_grid(const char *path, const float *images, int N, int C, int H, int W, int cols,
                   float lo, float hi, dc_err *e)
{
    return png_write_grid_spaced(path, images, N, C, H, W, cols, lo, hi, 1, 0, e);
}

int png_write_grid_spaced(const char *path, const float *images, int N, int C, int H, int W,
                          int cols, float lo, float hi, int scale, int gap, dc_err *e)
{
    if (N <= 0 || cols <= 0 || H <= 0 || W <= 0 || (C != 1 && C != 3) || scale < 1 || scale > 16 ||
        gap < 0 || gap > 64)
        return dc_fail(e, "%s: cannot write a grid of %d images (%dx%dx%d) in %d columns", path,
                       N, C, H, W, cols);
    long long rows = (N + (long long)cols - 1) / cols;
    long long gw = (long long)cols * W * scale + (cols - 1LL) * gap;
    long long gh = rows * H * scale + (rows - 1) * gap;
    if (gw > PNG_WRITE_MAX_SIDE || gh > PNG_WRITE_MAX_SIDE)
        return dc_fail(e, "%s: %d images of %dx%d in %d columns make a %lldx%lld grid, more than "
                          "PNG readers accept (%d pixels a side)",
                       path, N, W, H, cols, gw, gh, PNG_WRITE_MAX_SIDE);
    int GW = (int)gw, GH = (int)gh;
    size_t gstride = (size_t)GW * (size_t)C;
    uint8_t *grid = malloc(gstride * (size_t)GH);
    uint8_t *tile = malloc((size_t)H * (size_t)W * (size_t)C);
    if (!grid || !tile) {
        free(grid);
        free(tile);
        return dc_fail(e, "%s: out of memory for a %dx%d grid", path, GW, GH);
    }
    memset(grid, gap > 0 ? 255 : 0, gstride * (size_t)GH); /* white between cells */
    size_t item = (size_t)C * (size_t)H * (size_t)W;
    for (int n = 0; n < N; n++) {
        image_to_u8(tile, images + item * (size_t)n, C, H, W, lo, hi);
        int gx = (n % cols) * (W * scale + gap), gy = (n / cols) * (H * scale + gap);
        for (int y = 0; y < H * scale; y++) {
            uint8_t *dst = grid + (size_t)(gy + y) * gstride + (size_t)gx * (size_t)C;
            const uint8_t *src = tile + (size_t)(y / scale) * (size_t)W * (size_t)C;
            for (int x = 0; x < W * scale; x++)
                memcpy(dst + (size_t)x * C, src + (size_t)(x / scale) * C, (size_t)C);
        }
    }
    free(tile);
    int rc = png_write(path, grid, GW, GH, C, e);
    free(grid);
    return rc;
}
