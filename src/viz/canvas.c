#include "viz/canvas.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/image_write.h"
#include "io/png_write.h"

#define CANVAS_FONT "DejaVu Sans"

void canvas_init(canvas *c, int W, int H, int C, uint8_t fill)
{
    c->W = W;
    c->H = H;
    c->C = C;
    c->px = dc_calloc((size_t)W * H * C, 1);
    memset(c->px, fill, (size_t)W * H * C);
}

void canvas_free(canvas *c)
{
    free(c->px);
    c->px = NULL;
}

static uint8_t luma(const uint8_t *p)
{
    return (uint8_t)((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
}

void canvas_put(canvas *c, int x, int y, const uint8_t *img, int w, int h, int ch)
{
    for (int j = 0; j < h; j++) {
        int yy = y + j;
        if (yy < 0 || yy >= c->H) continue;
        for (int i = 0; i < w; i++) {
            int xx = x + i;
            if (xx < 0 || xx >= c->W) continue;
            const uint8_t *s = img + ((size_t)j * w + i) * ch;
            uint8_t *d = c->px + ((size_t)yy * c->W + xx) * c->C;
            if (c->C == ch) memcpy(d, s, (size_t)ch);
            else if (c->C == 3) d[0] = d[1] = d[2] = s[0];
            else d[0] = luma(s);
        }
    }
}

void canvas_put_float(canvas *c, int x, int y, const float *img, int ch, int h, int w, float lo,
                      float hi)
{
    uint8_t *tmp = dc_calloc((size_t)w * h * ch, 1);
    image_to_u8(tmp, img, ch, h, w, lo, hi);
    canvas_put(c, x, y, tmp, w, h, ch);
    free(tmp);
}

void canvas_fill_rect(canvas *c, int x, int y, int w, int h, const uint8_t rgb[3])
{
    for (int j = y < 0 ? 0 : y; j < y + h && j < c->H; j++)
        for (int i = x < 0 ? 0 : x; i < x + w && i < c->W; i++) {
            uint8_t *d = c->px + ((size_t)j * c->W + i) * c->C;
            if (c->C == 3) memcpy(d, rgb, 3);
            else d[0] = luma(rgb);
        }
}

/* Fonts come through fontconfig, which keeps its configuration until FcFini: release it (and
 * cairo's font caches) at exit, so leak checkers see a clean process. */
static void release_fonts(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

void canvas_fonts_used(void)
{
    static int registered;
    if (!registered) {
        registered = 1;
        atexit(release_fonts);
    }
}

static void set_font(cairo_t *cr, double size)
{
    canvas_fonts_used();
    cairo_select_font_face(cr, CANVAS_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
}

double canvas_text_width(const char *text, double size)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(s);
    set_font(cr, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text, &ext);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return ext.x_advance;
}

void canvas_text(canvas *c, double x, double y, const char *text, double size, const uint8_t rgb[3],
                 const uint8_t *outline_rgb)
{
    /* draw on a transparent ARGB surface covering the canvas, then blend it in */
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, c->W, c->H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return;
    }
    cairo_t *cr = cairo_create(s);
    set_font(cr, size);
    cairo_move_to(cr, x, y);
    cairo_text_path(cr, text);
    if (outline_rgb) {
        cairo_set_source_rgb(cr, outline_rgb[0] / 255.0, outline_rgb[1] / 255.0, outline_rgb[2] / 255.0);
        cairo_set_line_width(cr, fmax(2.0, size / 6));
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke_preserve(cr);
    }
    cairo_set_source_rgb(cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
    cairo_fill(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    const uint8_t *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int j = 0; j < c->H; j++) {
        const uint32_t *row = (const uint32_t *)(data + (size_t)j * stride);
        for (int i = 0; i < c->W; i++) {
            uint32_t p = row[i];
            unsigned a = p >> 24;
            if (!a) continue;
            /* premultiplied: out = src + dst * (1 - a) */
            unsigned src[3] = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
            uint8_t *d = c->px + ((size_t)j * c->W + i) * c->C;
            if (c->C == 3) {
                for (int k = 0; k < 3; k++) d[k] = (uint8_t)(src[k] + (d[k] * (255 - a) + 127) / 255);
            } else {
                uint8_t s3[3] = {(uint8_t)src[0], (uint8_t)src[1], (uint8_t)src[2]};
                d[0] = (uint8_t)(luma(s3) + (d[0] * (255 - a) + 127) / 255);
            }
        }
    }
    cairo_surface_destroy(s);
}

void canvas_resize(canvas *c, int W, int H)
{
    uint8_t *px = dc_calloc((size_t)W * H * c->C, 1);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            memcpy(px + ((size_t)y * W + x) * c->C,
                   c->px + ((size_t)((long)y * c->H / H) * c->W + (size_t)((long)x * c->W / W)) * c->C,
                   (size_t)c->C);
    free(c->px);
    c->px = px;
    c->W = W;
    c->H = H;
}

void canvas_scale(canvas *c, int k)
{
    if (k <= 1) return;
    int W = c->W * k, H = c->H * k;
    uint8_t *px = dc_calloc((size_t)W * H * c->C, 1);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            memcpy(px + ((size_t)y * W + x) * c->C, c->px + ((size_t)(y / k) * c->W + x / k) * c->C,
                   (size_t)c->C);
    free(c->px);
    c->px = px;
    c->W = W;
    c->H = H;
}

int canvas_write_png(const canvas *c, const char *path, dc_err *e)
{
    return png_write(path, c->px, c->W, c->H, c->C, e);
}

int canvas_write(const canvas *c, const char *path, dc_err *e)
{
    return image_write(path, c->px, c->W, c->H, c->C, e);
}
