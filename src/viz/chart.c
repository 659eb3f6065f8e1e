/* Drawing helpers shared by the charts of plot.c (cairo). */
#include "viz/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/image_write.h"
#include "io/png_write.h"
#include "viz/series.h"

double chart_px(const chart_panel *p, double x)
{
    return p->x0 + (x - p->xmin) / (p->xmax - p->xmin) * p->w;
}

double chart_py(const chart_panel *p, double y)
{
    return p->y0 + p->h - (y - p->ymin) / (p->ymax - p->ymin) * p->h;
}

void chart_text(cairo_t *cr, double x, double y, const char *s, double size, double align_x,
                 double align_y)
{
    cairo_set_font_size(cr, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s, &ext);
    cairo_move_to(cr, x - align_x * ext.x_advance, y + align_y * ext.height);
    cairo_show_text(cr, s);
}

void chart_axes(cairo_t *cr, const chart_panel *p, const char *ylabel, const double *it,
                const double *epoch, int n, int xlabels)
{
    /* frame and grid */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_fill(cr);
    double fs = 12;
    double xs = fmax(1.0, series_nice_step(p->xmax - p->xmin, 8)), ys = series_nice_step(p->ymax - p->ymin, 6);
    cairo_set_line_width(cr, 1);
    char buf[64];
    for (double y = ceil(p->ymin / ys) * ys; y <= p->ymax + ys * 1e-9; y += ys) {
        double Y = floor(chart_py(p, y)) + 0.5;
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, p->x0, Y);
        cairo_line_to(cr, p->x0 + p->w, Y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, p->x0 - 5, Y);
        cairo_line_to(cr, p->x0, Y);
        cairo_stroke(cr);
        series_format_tick(buf, sizeof buf, y, ys);
        chart_text(cr, p->x0 - 8, Y, buf, fs, 1.0, 0.5);
    }
    for (double x = ceil(p->xmin / xs) * xs; x <= p->xmax + xs * 1e-9; x += xs) {
        double X = floor(chart_px(p, x)) + 0.5;
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, X, p->y0);
        cairo_line_to(cr, X, p->y0 + p->h);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, X, p->y0 + p->h);
        cairo_line_to(cr, X, p->y0 + p->h + 5);
        cairo_stroke(cr);
        if (xlabels) {
            series_format_tick(buf, sizeof buf, x, xs);
            chart_text(cr, X, p->y0 + p->h + 8, buf, fs, 0.5, 1.0);
        }
    }
    /* epoch boundaries, when there are few */
    int epochs = epoch && n > 0 ? (int)(epoch[n - 1] - epoch[0]) : 0;
    if (epochs >= 1 && epochs <= 30) {
        cairo_set_source_rgba(cr, 0.45, 0.45, 0.45, 0.6);
        double dash[2] = {4, 4};
        cairo_set_dash(cr, dash, 2, 0);
        for (int i = 1; i < n; i++)
            if (epoch[i] != epoch[i - 1]) {
                double X = floor(chart_px(p, it[i])) + 0.5;
                cairo_move_to(cr, X, p->y0);
                cairo_line_to(cr, X, p->y0 + p->h);
                cairo_stroke(cr);
            }
        cairo_set_dash(cr, NULL, 0, 0);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_rectangle(cr, p->x0 + 0.5, p->y0 + 0.5, p->w - 1, p->h - 1);
    cairo_stroke(cr);
    /* y label, rotated */
    cairo_save(cr);
    cairo_translate(cr, p->x0 - 58, p->y0 + p->h / 2);
    cairo_rotate(cr, -M_PI / 2);
    chart_text(cr, 0, 0, ylabel, 13, 0.5, 0.0);
    cairo_restore(cr);
}

/* A long series as the pixels can show it: within each pixel column its first, lowest, highest
 * and last points, in their order (a run stroked point by point was quadratic-ish in cairo:
 * 60,000 log rows took 100 s). A non-finite value breaks the line, as it does undecimated. */
static void series_decimated(cairo_t *cr, const chart_panel *p, const double *x, const double *y,
                             int n)
{
    int pen = 0;
    for (int i = 0; i < n;) {
        if (!isfinite(y[i])) {
            pen = 0;
            i++;
            continue;
        }
        double col = floor(chart_px(p, x[i]));
        int lo = i, hi = i, j = i + 1;
        for (; j < n && isfinite(y[j]) && floor(chart_px(p, x[j])) == col; j++) {
            if (y[j] < y[lo]) lo = j;
            if (y[j] > y[hi]) hi = j;
        }
        int pts[4] = {i, lo < hi ? lo : hi, lo < hi ? hi : lo, j - 1};
        for (int k = 0; k < 4; k++) {
            if (k > 0 && pts[k] == pts[k - 1]) continue;
            double X = chart_px(p, x[pts[k]]), Y = chart_py(p, y[pts[k]]);
            if (pen) cairo_line_to(cr, X, Y);
            else cairo_move_to(cr, X, Y);
            pen = 1;
        }
        i = j;
    }
}

void chart_series(cairo_t *cr, const chart_panel *p, const double *x, const double *y, int n,
                        const chart_style *s, double alpha, double width)
{
    cairo_save(cr);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_clip(cr);
    cairo_set_source_rgba(cr, s->r, s->g, s->b, alpha);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    if (n > CHART_DECIMATE_PER_PIXEL * p->w) {
        series_decimated(cr, p, x, y, n);
    } else {
        int pen = 0;
        for (int i = 0; i < n; i++) {
            if (!isfinite(y[i])) {
                pen = 0;
                continue;
            }
            double X = chart_px(p, x[i]), Y = chart_py(p, y[i]);
            if (pen) cairo_line_to(cr, X, Y);
            else cairo_move_to(cr, X, Y);
            pen = 1;
        }
    }
    if (n == 1 && isfinite(y[0])) {
        cairo_arc(cr, chart_px(p, x[0]), chart_py(p, y[0]), 2.5, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* The legend goes in the corner of the panel that covers the fewest data points. */
void chart_legend(cairo_t *cr, const chart_panel *p, const chart_style *s, int n,
                        const double *x, const double *const *ys, int npts)
{
    double fs = 12, row = 18, sw = 22, maxw = 0;
    cairo_set_font_size(cr, fs);
    for (int i = 0; i < n; i++) {
        cairo_text_extents_t ext;
        cairo_text_extents(cr, s[i].name, &ext);
        if (ext.x_advance > maxw) maxw = ext.x_advance;
    }
    double W = sw + 14 + maxw + 10, H = row * n + 8;
    double cx[4] = {p->x0 + p->w - W - 8, p->x0 + p->w - W - 8, p->x0 + 8, p->x0 + 8};
    double cy[4] = {p->y0 + 8, p->y0 + p->h - H - 8, p->y0 + 8, p->y0 + p->h - H - 8};
    int best = 0;
    long best_count = -1;
    for (int c = 0; c < 4; c++) {
        long count = 0;
        for (int k = 0; k < n; k++)
            for (int i = 0; i < npts; i++) {
                double X = chart_px(p, x[i]), Y = chart_py(p, ys[k][i]);
                count += X >= cx[c] - 4 && X <= cx[c] + W + 4 && Y >= cy[c] - 4 && Y <= cy[c] + H + 4;
            }
        if (best_count < 0 || count < best_count) {
            best = c;
            best_count = count;
        }
    }
    double x0 = cx[best], y0 = cy[best];
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, x0, y0, W, H);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    for (int i = 0; i < n; i++) {
        double yy = y0 + 4 + row * i + row / 2;
        cairo_set_source_rgb(cr, s[i].r, s[i].g, s[i].b);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, x0 + 8, yy);
        cairo_line_to(cr, x0 + 8 + sw, yy);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        chart_text(cr, x0 + 8 + sw + 6, yy, s[i].name, fs, 0.0, 0.5);
    }
}

int chart_write_png(cairo_surface_t *s, const char *png, dc_err *e)
{
    cairo_surface_flush(s);
    int W = cairo_image_surface_get_width(s), H = cairo_image_surface_get_height(s);
    /* ARGB32 (opaque here) to RGB bytes */
    uint8_t *rgb = dc_calloc((size_t)W * H * 3, 1);
    const uint8_t *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < H; y++) {
        const uint32_t *row = (const uint32_t *)(data + (size_t)y * stride);
        for (int x = 0; x < W; x++) {
            uint32_t v = row[x];
            uint8_t *q = rgb + ((size_t)y * W + x) * 3;
            q[0] = (uint8_t)(v >> 16);
            q[1] = (uint8_t)(v >> 8);
            q[2] = (uint8_t)v;
        }
    }
    int rc = image_write(png, rgb, W, H, 3, e); /* PNG or JPEG by the extension */
    free(rgb);
    return rc;
}
