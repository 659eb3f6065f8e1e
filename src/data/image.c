/* JPEG, PNG and WebP decoding into model inputs.
 *
 * The format comes from the first bytes (FF D8 FF: JPEG, 89 'PNG' 0D 0A 1A 0A: PNG,
 * 'RIFF' <size> 'WEBP': WebP), never from the extension. A WebP file is read whole into memory
 * (at most 4 bytes per pixel of the size limit, plus 1 MiB) and decoded by libwebp
 * (image_webp.c); its header's size is checked against the limit before any pixel buffer. Library errors never leave the process: libjpeg and libpng report through
 * error handlers that longjmp back to the decoder, which frees everything and returns -1 with
 * "path: problem". A file that ends early is an error (libjpeg alone would only warn and
 * pad with gray), except a PNG whose pixels were all read and that lacks only trailing chunks
 * such as IEND.
 *
 * Geometry, like the reference (center_crop then imresize):
 *  - crop: a centre window of crop_h x crop_w, offset round((H - crop_h) / 2) with Python's
 *    round-half-to-even. An image smaller than the crop in a dimension is CLAMPED: the crop
 *    uses the whole image in that dimension (no error), so a few small images in a folder do
 *    not stop training.
 *  - resize to out_h x out_w, separable. Downscaling averages exact pixel areas (each output
 *    pixel is the coverage-weighted mean of the input pixels under it; a 2x reduction is the
 *    2x2 box mean); upscaling is bilinear (triangle filter, centre-aligned, edges clamped).
 *  - a JPEG larger than needed is decoded with libjpeg's DCT scaling (scale M/8, the smallest
 *    M for which the scaled crop window is still at least out_h x out_w); the crop window is
 *    then mapped into the scaled image exactly (fractional pixel coverage).
 *  - channels: RGB -> gray with ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), gray -> RGB by
 *    replication; PNG alpha is composited onto spec->background (for gray output, onto the
 *    background's luma); CMYK JPEGs (Adobe, inverted) are converted to RGB.
 *  - values 0..255 map linearly onto lo..hi.
 * max_pixels (default 64 Mi pixels) is checked on the header's size before any pixel buffer is
 * allocated. No global state: safe to call from several threads at once. The crop and resize
 * are in image_resize.c. */
#include "data/image.h"
#include "data/image_resize.h"
#include "data/image_webp.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#define IMAGE_DEFAULT_MAX_PIXELS (64L << 20)

typedef enum { FMT_UNKNOWN, FMT_JPEG, FMT_PNG, FMT_WEBP } img_format;

/* Reads the signature of an open stream (fclose'd on failure). */
static int identify_image(const char *path, FILE **fp, img_format *fmt, dc_err *e);

static int open_image(const char *path, FILE **fp, img_format *fmt, dc_err *e)
{
    *fp = fopen(path, "rb");
    if (!*fp) return dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
    return identify_image(path, fp, fmt, e);
}

static int identify_image(const char *path, FILE **fp, img_format *fmt, dc_err *e)
{
    unsigned char sig[12];
    size_t n = fread(sig, 1, sizeof sig, *fp);
    if (ferror(*fp)) {
        int err = errno;
        fclose(*fp);
        *fp = NULL;
        return dc_fail(e, "%s: read error: %s", path, strerror(err));
    }
    rewind(*fp);
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (n >= 3 && sig[0] == 0xff && sig[1] == 0xd8 && sig[2] == 0xff)
        *fmt = FMT_JPEG;
    else if (n >= 8 && memcmp(sig, png_sig, 8) == 0)
        *fmt = FMT_PNG;
    else if (image_webp_signature(sig, n))
        *fmt = FMT_WEBP;
    else {
        fclose(*fp);
        *fp = NULL;
        if (n == 0) return dc_fail(e, "%s: empty file, not an image", path);
        return dc_fail(e, "%s: not a JPEG, PNG or WebP image (unrecognised file signature)", path);
    }
    return 0;
}

static long spec_max_pixels(const image_spec *spec)
{
    return spec && spec->max_pixels > 0 ? spec->max_pixels : IMAGE_DEFAULT_MAX_PIXELS;
}

static int check_size(const char *path, long w, long h, long max_pixels, dc_err *e)
{
    if (w <= 0 || h <= 0) return dc_fail(e, "%s: invalid image size %ldx%ld", path, w, h);
    if ((double)w * (double)h > (double)max_pixels)
        return dc_fail(e, "%s: image is %ldx%ld = %.0f pixels, more than the limit of %ld "
                          "(possible decompression bomb)",
                       path, w, h, (double)w * (double)h, max_pixels);
    return 0;
}

/* ------------------------------------------------------------------------------------ JPEG */

typedef struct {
    struct jpeg_error_mgr pub; /* first: libjpeg casts cinfo->err to this struct */
    jmp_buf jmp;
    char msg[JMSG_LENGTH_MAX];
} jpeg_err;

static void jpeg_on_error(j_common_ptr cinfo)
{
    jpeg_err *je = (jpeg_err *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, je->msg);
    longjmp(je->jmp, 1);
}

static void jpeg_on_message(j_common_ptr cinfo, int level)
{
    /* Warnings are silent, except a premature end of data: libjpeg would pad the image with
     * gray and call it a success; we call it a truncated file. (libjpeg reads ahead, so a file
     * missing only its EOI marker is reported the same way: also an error.) */
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_on_error(cinfo);
    if (level < 0) cinfo->err->num_warnings++;
}

typedef struct {
    struct jpeg_decompress_struct cinfo;
    jpeg_err jerr;
    FILE *fp;
    int created;
    image_decoded d;
} jpeg_job;

/* Runs the decode; the job lives in the caller's frame, so nothing here is a local modified
 * between setjmp and longjmp. spec NULL: header only (probe). */
static int jpeg_run(jpeg_job *j, const char *path, const image_spec *spec, dc_err *e)
{
    if (setjmp(j->jerr.jmp)) return dc_fail(e, "%s: not a valid JPEG (%s)", path, j->jerr.msg);
    jpeg_create_decompress(&j->cinfo);
    j->created = 1;
    jpeg_stdio_src(&j->cinfo, j->fp);
    jpeg_read_header(&j->cinfo, TRUE);
    struct jpeg_decompress_struct *ci = &j->cinfo;
    j->d.full_w = (int)ci->image_width;
    j->d.full_h = (int)ci->image_height;
    if (ci->jpeg_color_space == JCS_GRAYSCALE) {
        ci->out_color_space = JCS_GRAYSCALE;
        j->d.nc = 1;
    } else if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
        ci->out_color_space = JCS_CMYK;
        j->d.nc = 4;
        j->d.cmyk = 1;
        j->d.cmyk_inverted = ci->saw_Adobe_marker;
    } else {
        ci->out_color_space = JCS_RGB;
        j->d.nc = 3;
    }
    if (!spec) return 0;
    if (check_size(path, (long)ci->image_width, (long)ci->image_height, spec_max_pixels(spec),
                   e) != 0)
        return -1;

    /* DCT scaling: the smallest M/8 whose scaled crop window still covers the output. */
    int cx0, cy0, cw, ch;
    image_crop_window(spec, j->d.full_w, j->d.full_h, &cx0, &cy0, &cw, &ch);
    ci->scale_denom = 8;
    for (int num = 1; num <= 8; num++) {
        ci->scale_num = (unsigned)num;
        jpeg_calc_output_dimensions(ci);
        /* scaled window = cw * output_width / W pixels wide */
        if (num == 8 ||
            ((int64_t)cw * ci->output_width >= (int64_t)spec->out_w * j->d.full_w &&
             (int64_t)ch * ci->output_height >= (int64_t)spec->out_h * j->d.full_h))
            break;
    }
    jpeg_start_decompress(ci);
    j->d.w = (int)ci->output_width;
    j->d.h = (int)ci->output_height;
    if (ci->output_components != j->d.nc)
        return dc_fail(e, "%s: unexpected JPEG component count %d", path, ci->output_components);
    size_t stride = (size_t)j->d.w * (size_t)j->d.nc;
    j->d.px = malloc(stride * (size_t)j->d.h);
    if (!j->d.px) return dc_fail(e, "%s: out of memory decoding %dx%d", path, j->d.w, j->d.h);
    while (ci->output_scanline < ci->output_height) {
        JSAMPROW row = j->d.px + stride * ci->output_scanline;
        jpeg_read_scanlines(ci, &row, 1);
    }
    jpeg_finish_decompress(ci);
    return 0;
}

static int jpeg_decode(FILE *fp, const char *path, const image_spec *spec, image_decoded *out,
                       dc_err *e)
{
    jpeg_job *j = calloc(1, sizeof *j);
    if (!j) {
        fclose(fp);
        return dc_fail(e, "%s: out of memory", path);
    }
    j->fp = fp;
    j->cinfo.err = jpeg_std_error(&j->jerr.pub);
    j->jerr.pub.error_exit = jpeg_on_error;
    j->jerr.pub.emit_message = jpeg_on_message;
    int rc = jpeg_run(j, path, spec, e);
    if (j->created) jpeg_destroy_decompress(&j->cinfo);
    fclose(j->fp);
    if (rc != 0) {
        free(j->d.px);
        j->d.px = NULL;
    }
    *out = j->d;
    free(j);
    return rc;
}

/* ------------------------------------------------------------------------------------- PNG */

typedef struct {
    png_structp png;
    png_infop info;
    FILE *fp;
    jmp_buf jmp;
    char msg[256];
    int truncated;
    int image_complete; /* png_read_image returned: only trailing chunks are left */
    png_bytep *rows;
    image_decoded d;
    int palette_gray; /* probe: every palette entry has r == g == b */
} png_job;

static void png_on_error(png_structp png, png_const_charp msg)
{
    png_job *j = png_get_error_ptr(png);
    snprintf(j->msg, sizeof j->msg, "%s", msg ? msg : "error");
    longjmp(j->jmp, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void png_on_read(png_structp png, png_bytep data, png_size_t len)
{
    png_job *j = png_get_io_ptr(png);
    if (fread(data, 1, len, j->fp) != len) {
        j->truncated = !ferror(j->fp);
        png_error(png, j->truncated ? "unexpected end of file" : "read error");
    }
}

static int png_run(png_job *j, const char *path, const image_spec *spec, dc_err *e)
{
    if (setjmp(j->jmp)) {
        if (j->truncated && j->image_complete) return 0; /* e.g. IEND missing: pixels are all there */
        if (j->truncated) return dc_fail(e, "%s: truncated PNG file (unexpected end of file)", path);
        return dc_fail(e, "%s: not a valid PNG (%s)", path, j->msg);
    }
    png_set_read_fn(j->png, j, png_on_read);
    png_read_info(j->png, j->info);
    png_uint_32 w, h;
    int depth, ctype, interlace;
    png_get_IHDR(j->png, j->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    j->d.full_w = (int)w;
    j->d.full_h = (int)h;
    j->d.nc = (ctype & PNG_COLOR_MASK_COLOR) ? 3 : 1;
    if (ctype == PNG_COLOR_TYPE_PALETTE) {
        png_colorp pal;
        int npal = 0;
        j->palette_gray = 1;
        if (png_get_PLTE(j->png, j->info, &pal, &npal) & PNG_INFO_PLTE) {
            for (int i = 0; i < npal; i++)
                if (pal[i].red != pal[i].green || pal[i].red != pal[i].blue) j->palette_gray = 0;
        }
    }
    if (!spec) return 0;
    if (check_size(path, (long)w, (long)h, spec_max_pixels(spec), e) != 0) return -1;

    if (ctype == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(j->png);
    if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(j->png);
    if (png_get_valid(j->png, j->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(j->png);
    if (depth == 16) png_set_scale_16(j->png);
    png_set_interlace_handling(j->png);
    png_read_update_info(j->png, j->info);
    int nc = png_get_channels(j->png, j->info);
    size_t stride = png_get_rowbytes(j->png, j->info);
    if (nc < 1 || nc > 4 || stride != (size_t)w * (size_t)nc)
        return dc_fail(e, "%s: unsupported PNG layout (%d channels, %zu bytes per row)", path,
                       nc, stride);
    j->d.nc = nc;
    j->d.w = (int)w;
    j->d.h = (int)h;
    j->d.px = malloc(stride * h);
    j->rows = malloc(sizeof *j->rows * h);
    if (!j->d.px || !j->rows) return dc_fail(e, "%s: out of memory decoding %ux%u", path, w, h);
    for (png_uint_32 y = 0; y < h; y++) j->rows[y] = j->d.px + stride * y;
    png_read_image(j->png, j->rows);
    j->image_complete = 1;
    png_read_end(j->png, NULL);
    return 0;
}

static int png_decode(FILE *fp, const char *path, const image_spec *spec, image_decoded *out,
                      int *palette_gray, dc_err *e)
{
    png_job *j = calloc(1, sizeof *j);
    if (!j) {
        fclose(fp);
        return dc_fail(e, "%s: out of memory", path);
    }
    j->fp = fp;
    int rc = -1;
    j->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, j, png_on_error, png_on_warning);
    if (j->png) j->info = png_create_info_struct(j->png);
    if (!j->png || !j->info)
        dc_fail(e, "%s: out of memory (libpng)", path);
    else
        rc = png_run(j, path, spec, e);
    png_destroy_read_struct(j->png ? &j->png : NULL, j->info ? &j->info : NULL, NULL);
    fclose(j->fp);
    free(j->rows);
    if (rc != 0) {
        free(j->d.px);
        j->d.px = NULL;
    }
    *out = j->d;
    if (palette_gray) *palette_gray = j->palette_gray;
    free(j);
    return rc;
}

/* ------------------------------------------------------------------------------------ WebP */

#define WEBP_PROBE_BYTES 65536

/* At most max bytes of fp from its start into a malloc'ed buffer; *len the count read. A file
 * longer than max: -1 (not an image this program would accept). */
static int read_stream(FILE *fp, const char *path, size_t max, uint8_t **buf, size_t *len,
                       dc_err *e)
{
    size_t cap = 65536, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) return dc_fail(e, "%s: out of memory", path);
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(b);
                return dc_fail(e, "%s: WebP file larger than %zu bytes (the size limit's worth)",
                               path, max);
            }
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return dc_fail(e, "%s: out of memory reading the file", path);
            }
            b = nb;
            cap *= 2;
        }
        size_t want = cap - n < max + 1 - n ? cap - n : max + 1 - n;
        size_t got = fread(b + n, 1, want, fp);
        n += got;
        if (n > max) {
            free(b);
            return dc_fail(e, "%s: WebP file larger than %zu bytes (the size limit's worth)", path,
                           max);
        }
        if (got < want) break;
    }
    if (ferror(fp)) {
        free(b);
        return dc_fail(e, "%s: read error", path);
    }
    *buf = b;
    *len = n;
    return 0;
}

static size_t webp_max_bytes(const image_spec *spec)
{
    return (size_t)spec_max_pixels(spec) * 4 + ((size_t)1 << 20);
}

/* WebP bytes in memory: the header (spec NULL: that alone), else the size check and the pixels. */
static int webp_decode_mem(const uint8_t *data, size_t len, const char *path,
                           const image_spec *spec, image_decoded *d, dc_err *e)
{
    memset(d, 0, sizeof *d);
    int rc = image_webp_header(data, len, path, d, e);
    if (rc > 0) return dc_fail(e, "%s: truncated WebP file (unexpected end of file)", path);
    if (rc < 0 || !spec) return rc;
    if (check_size(path, d->full_w, d->full_h, spec_max_pixels(spec), e) != 0) return -1;
    return image_webp_decode(data, len, path, d, e);
}

/* The open stream fp (closed here): read whole, then decoded (spec NULL: its header only, from
 * a prefix when that is enough). */
static int webp_decode_stream(FILE *fp, const char *path, const image_spec *spec,
                              image_decoded *d, dc_err *e)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;
    if (!spec) { /* the header is in the first bytes, unless chunks come before the image */
        uint8_t head[WEBP_PROBE_BYTES];
        size_t n = fread(head, 1, sizeof head, fp);
        memset(d, 0, sizeof *d);
        rc = image_webp_header(head, n, path, d, e);
        if (rc <= 0 || n < sizeof head) {
            fclose(fp);
            if (rc > 0) return dc_fail(e, "%s: truncated WebP file (unexpected end of file)", path);
            return rc;
        }
        rewind(fp);
    }
    rc = read_stream(fp, path, webp_max_bytes(spec), &buf, &len, e);
    fclose(fp);
    if (rc == 0) rc = webp_decode_mem(buf, len, path, spec, d, e);
    free(buf);
    return rc;
}

/* ----------------------------------------------------------------------------------- probe */

int image_probe(const char *path, int *width, int *height, int *channels, dc_err *e)
{
    FILE *fp;
    img_format fmt;
    if (open_image(path, &fp, &fmt, e) != 0) return -1;
    image_decoded d;
    int palette_gray = 0;
    int rc = fmt == FMT_JPEG ? jpeg_decode(fp, path, NULL, &d, e)
             : fmt == FMT_PNG ? png_decode(fp, path, NULL, &d, &palette_gray, e)
                              : webp_decode_stream(fp, path, NULL, &d, e);
    if (rc != 0) return -1;
    if (width) *width = d.full_w;
    if (height) *height = d.full_h;
    if (channels) *channels = (d.nc == 1 || palette_gray) ? 1 : 3;
    return 0;
}

int image_probe_mem(const void *data, size_t len, const char *name, int *width, int *height,
                    int *channels, dc_err *e)
{
    if (len == 0) return dc_fail(e, "%s: empty file, not an image", name);
    image_decoded d;
    int palette_gray = 0, rc;
    if (image_webp_signature(data, len)) {
        rc = webp_decode_mem(data, len, name, NULL, &d, e);
    } else {
        FILE *fp = fmemopen((void *)data, len, "rb");
        if (!fp) return dc_fail(e, "%s: cannot open: %s", name, strerror(errno));
        img_format fmt;
        if (identify_image(name, &fp, &fmt, e) != 0) return -1;
        rc = fmt == FMT_JPEG ? jpeg_decode(fp, name, NULL, &d, e)
                             : png_decode(fp, name, NULL, &d, &palette_gray, e);
    }
    if (rc != 0) return -1;
    if (width) *width = d.full_w;
    if (height) *height = d.full_h;
    if (channels) *channels = (d.nc == 1 || palette_gray) ? 1 : 3;
    return 0;
}


int image_validate_dims(const char *path, const image_spec *spec, int *channels, int *width,
                        int *height, dc_err *e)
{
    if (image_probe(path, width, height, channels, e) != 0) return -1;
    return check_size(path, *width, *height, spec_max_pixels(spec), e);
}

int image_validate(const char *path, const image_spec *spec, int *channels, dc_err *e)
{
    int w, h;
    return image_validate_dims(path, spec, channels, &w, &h, e);
}

static int check_spec(const char *path, const image_spec *spec, dc_err *e)
{
    if (spec->out_h <= 0 || spec->out_w <= 0 || (spec->channels != 1 && spec->channels != 3) ||
        (spec->crop && (spec->crop_h <= 0 || spec->crop_w <= 0)))
        return dc_fail(e, "%s: invalid image spec (output %dx%d, %d channels, crop %dx%d)", path,
                       spec->out_h, spec->out_w, spec->channels, spec->crop_h, spec->crop_w);
    return 0;
}

/* Decodes the open stream fp (closed here) of a known format into out. */
static int decode_into(FILE *fp, img_format fmt, const char *path, const image_spec *spec,
                       float *out, dc_err *e)
{
    image_decoded d;
    int rc = fmt == FMT_JPEG ? jpeg_decode(fp, path, spec, &d, e)
             : fmt == FMT_PNG ? png_decode(fp, path, spec, &d, NULL, e)
                              : webp_decode_stream(fp, path, spec, &d, e);
    if (rc != 0) return -1;
    rc = image_resize_into(&d, spec, out, path, e);
    free(d.px);
    return rc;
}

int image_load(const char *path, const image_spec *spec, float *out, dc_err *e)
{
    if (check_spec(path, spec, e) != 0) return -1;
    FILE *fp;
    img_format fmt;
    if (open_image(path, &fp, &fmt, e) != 0) return -1;
    return decode_into(fp, fmt, path, spec, out, e);
}

int image_load_mem(const void *data, size_t len, const char *name, const image_spec *spec,
                   float *out, dc_err *e)
{
    if (check_spec(name, spec, e) != 0) return -1;
    if (len == 0) return dc_fail(e, "%s: empty file, not an image", name);
    if (image_webp_signature(data, len)) { /* decoded where it lies, no copy */
        image_decoded d;
        if (webp_decode_mem(data, len, name, spec, &d, e) != 0) return -1;
        int rc = image_resize_into(&d, spec, out, name, e);
        free(d.px);
        return rc;
    }
    FILE *fp = fmemopen((void *)data, len, "rb");
    if (!fp) return dc_fail(e, "%s: cannot open: %s", name, strerror(errno));
    img_format fmt;
    if (identify_image(name, &fp, &fmt, e) != 0) return -1;
    return decode_into(fp, fmt, name, spec, out, e);
}
