#include "viz/plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dirs.h"
#include "io/png_write.h"
#include "viz/canvas.h"

#define PLOT_FONT "DejaVu Sans"

typedef struct {
    const char *name;   /* column */
    double r, g, b;
} series_style;

static const series_style LOSSES[4] = {
    {"d_loss", 0.12, 0.47, 0.71}, {"g_loss", 0.84, 0.15, 0.16},
    {"d_loss_real", 0.17, 0.63, 0.17}, {"d_loss_fake", 1.00, 0.50, 0.05},
};
static const series_style DOUTS[2] = {{"d_real", 0.12, 0.47, 0.71}, {"d_fake", 0.84, 0.15, 0.16}};

typedef struct {
    int n, cap;
    double *it, *epoch;
    double *col[6]; /* d_loss, g_loss, d_loss_real, d_loss_fake, d_real, d_fake */
} log_data;

static void log_data_free(log_data *d)
{
    free(d->it);
    free(d->epoch);
    for (int k = 0; k < 6; k++) free(d->col[k]);
}

static int read_log(const char *path, log_data *d, dc_err *e)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "r");
    if (!f) return dc_fail(e, "%s: cannot open (is this a training run folder?)", path);
    char line[4096];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return dc_fail(e, "%s: empty", path);
    }
    /* header: find each column */
    const char *want[8] = {"iteration", "epoch", "d_loss", "g_loss", "d_loss_real", "d_loss_fake",
                           "d_real", "d_fake"};
    int pos[8];
    for (int k = 0; k < 8; k++) pos[k] = -1;
    int ncol = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), ncol++)
        for (int k = 0; k < 8; k++)
            if (strcmp(tok, want[k]) == 0) pos[k] = ncol;
    for (int k = 0; k < 8; k++)
        if (pos[k] < 0) {
            fclose(f);
            return dc_fail(e, "%s: no '%s' column in the header", path, want[k]);
        }
    int lineno = 1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        /* training may be writing the last row right now: skip an unfinished one */
        if (!strchr(line, '\n') && feof(f)) break;
        double v[64];
        int nv = 0;
        char *p = line;
        while (nv < 64) {
            char *end;
            v[nv++] = strtod(p, &end);
            if (end == p) {
                nv--;
                break;
            }
            p = end;
            if (*p != ',') break;
            p++;
        }
        if (nv < ncol) {
            if (line[0] == '\n' || line[0] == 0) continue;
            log_data_free(d);
            fclose(f);
            return dc_fail(e, "%s:%d: %d of %d columns", path, lineno, nv, ncol);
        }
        if (d->n == d->cap) {
            d->cap = d->cap ? 2 * d->cap : 1024;
            d->it = realloc(d->it, (size_t)d->cap * sizeof(double));
            d->epoch = realloc(d->epoch, (size_t)d->cap * sizeof(double));
            DC_ASSERT(d->it && d->epoch, "out of memory");
            for (int k = 0; k < 6; k++) {
                d->col[k] = realloc(d->col[k], (size_t)d->cap * sizeof(double));
                DC_ASSERT(d->col[k] != NULL, "out of memory");
            }
        }
        d->it[d->n] = v[pos[0]];
        d->epoch[d->n] = v[pos[1]];
        for (int k = 0; k < 6; k++) d->col[k][d->n] = v[pos[2 + k]];
        d->n++;
    }
    fclose(f);
    if (d->n == 0) return dc_fail(e, "%s: no iterations logged yet", path);
    return 0;
}

/* TensorBoard's smoothing: a debiased exponential moving average. */
static void smooth(const double *x, double *y, int n, double w)
{
    double last = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            y[i] = last;
            continue;
        }
        last = last * w + (1 - w) * x[i];
        k++;
        y[i] = w > 0 ? last / (1 - pow(w, k)) : x[i];
    }
}

/* 1, 2 or 5 times a power of ten, giving about `target` ticks over span. */
static double nice_step(double span, int target)
{
    if (!(span > 0)) return 1;
    double raw = span / target, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void fmt_tick(char *buf, size_t n, double v, double step)
{
    if (fabs(v) < step * 1e-6) v = 0;
    if (step >= 1 && fabs(v) >= 10000 && fmod(v, 1000) == 0) snprintf(buf, n, "%gk", v / 1000);
    else if (step >= 1) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.*f", (int)ceil(-log10(step) - 1e-9), v);
}

typedef struct {
    double x0, y0, w, h;   /* plot area in pixels */
    double xmin, xmax, ymin, ymax;
} panel;

static double px(const panel *p, double x)
{
    return p->x0 + (x - p->xmin) / (p->xmax - p->xmin) * p->w;
}

static double py(const panel *p, double y)
{
    return p->y0 + p->h - (y - p->ymin) / (p->ymax - p->ymin) * p->h;
}

static void text(cairo_t *cr, double x, double y, const char *s, double size, double align_x,
                 double align_y)
{
    cairo_set_font_size(cr, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s, &ext);
    cairo_move_to(cr, x - align_x * ext.x_advance, y + align_y * ext.height);
    cairo_show_text(cr, s);
}

static void draw_axes(cairo_t *cr, const panel *p, const char *ylabel, const log_data *d, int xlabels)
{
    /* frame and grid */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_fill(cr);
    double fs = 12;
    double xs = fmax(1.0, nice_step(p->xmax - p->xmin, 8)), ys = nice_step(p->ymax - p->ymin, 6);
    cairo_set_line_width(cr, 1);
    char buf[64];
    for (double y = ceil(p->ymin / ys) * ys; y <= p->ymax + ys * 1e-9; y += ys) {
        double Y = floor(py(p, y)) + 0.5;
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, p->x0, Y);
        cairo_line_to(cr, p->x0 + p->w, Y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, p->x0 - 5, Y);
        cairo_line_to(cr, p->x0, Y);
        cairo_stroke(cr);
        fmt_tick(buf, sizeof buf, y, ys);
        text(cr, p->x0 - 8, Y, buf, fs, 1.0, 0.5);
    }
    for (double x = ceil(p->xmin / xs) * xs; x <= p->xmax + xs * 1e-9; x += xs) {
        double X = floor(px(p, x)) + 0.5;
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, X, p->y0);
        cairo_line_to(cr, X, p->y0 + p->h);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, X, p->y0 + p->h);
        cairo_line_to(cr, X, p->y0 + p->h + 5);
        cairo_stroke(cr);
        if (xlabels) {
            fmt_tick(buf, sizeof buf, x, xs);
            text(cr, X, p->y0 + p->h + 8, buf, fs, 0.5, 1.0);
        }
    }
    /* epoch boundaries, when there are few */
    int epochs = (int)(d->epoch[d->n - 1] - d->epoch[0]);
    if (epochs >= 1 && epochs <= 30) {
        cairo_set_source_rgba(cr, 0.45, 0.45, 0.45, 0.6);
        double dash[2] = {4, 4};
        cairo_set_dash(cr, dash, 2, 0);
        for (int i = 1; i < d->n; i++)
            if (d->epoch[i] != d->epoch[i - 1]) {
                double X = floor(px(p, d->it[i])) + 0.5;
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
    text(cr, 0, 0, ylabel, 13, 0.5, 0.0);
    cairo_restore(cr);
}

static void draw_series(cairo_t *cr, const panel *p, const double *x, const double *y, int n,
                        const series_style *s, double alpha, double width)
{
    cairo_save(cr);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_clip(cr);
    cairo_set_source_rgba(cr, s->r, s->g, s->b, alpha);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    int pen = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(y[i])) {
            pen = 0;
            continue;
        }
        double X = px(p, x[i]), Y = py(p, y[i]);
        if (pen) cairo_line_to(cr, X, Y);
        else cairo_move_to(cr, X, Y);
        pen = 1;
    }
    if (n == 1 && isfinite(y[0])) {
        cairo_arc(cr, px(p, x[0]), py(p, y[0]), 2.5, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* The legend goes in the corner of the panel that covers the fewest data points. */
static void draw_legend(cairo_t *cr, const panel *p, const series_style *s, int n,
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
                double X = px(p, x[i]), Y = py(p, ys[k][i]);
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
        text(cr, x0 + 8 + sw + 6, yy, s[i].name, fs, 0.0, 0.5);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The 99th percentile of the finite values: a loss spike should not flatten the rest. */
static double robust_max(const double *v, int n)
{
    double *t = malloc((size_t)n * sizeof *t);
    DC_ASSERT(t != NULL, "out of memory");
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) t[m++] = v[i];
    qsort(t, (size_t)m, sizeof *t, cmp_double);
    double r = m ? t[(int)floor(0.99 * (m - 1))] : 0;
    free(t);
    return r;
}

int plot_log_csv(const char *csv, const char *png, const plot_options *o, dc_err *e)
{
    log_data d;
    if (read_log(csv, &d, e) != 0) return -1;
    int W = o->width, H = o->height;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        log_data_free(&d);
        return dc_fail(e, "%s: cannot make a %dx%d image", png, W, H);
    }
    cairo_t *cr = cairo_create(s);
    canvas_fonts_used();
    cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
    cairo_paint(cr);

    double top = o->title ? 40 : 16, left = 80, right = 20, bottom = 50, gap = 30;
    double ph = (H - top - bottom - gap) * 0.6, ph2 = (H - top - bottom - gap) - ph;
    double xmin = d.it[0], xmax = d.it[d.n - 1];
    if (xmax <= xmin) xmin -= 0.5, xmax += 0.5;
    double *sm = malloc((size_t)d.n * sizeof *sm);
    DC_ASSERT(sm != NULL, "out of memory");

    /* losses */
    double lo = 0, hi = 0;
    for (int k = 0; k < 4; k++) {
        double m = robust_max(d.col[k], d.n);
        if (m > hi) hi = m;
        for (int i = 0; i < d.n; i++)
            if (isfinite(d.col[k][i]) && d.col[k][i] < lo) lo = d.col[k][i];
    }
    if (hi <= lo) hi = lo + 1;
    hi *= 1.08;
    panel p1 = {left, top, W - left - right, ph, xmin, xmax, lo, hi};
    panel p2 = {left, top + ph + gap, W - left - right, ph2, xmin, xmax, 0, 1};
    draw_axes(cr, &p1, "loss", &d, 0);
    draw_axes(cr, &p2, "mean D output", &d, 1);
    for (int pass = 0; pass < 2; pass++) {
        const series_style *st = pass ? DOUTS : LOSSES;
        int ns = pass ? 2 : 4;
        const panel *p = pass ? &p2 : &p1;
        for (int k = 0; k < ns; k++) {
            const double *y = d.col[pass ? 4 + k : k];
            if (o->smooth > 0) {
                draw_series(cr, p, d.it, y, d.n, &st[k], 0.22, 1.0);
                smooth(y, sm, d.n, o->smooth);
                draw_series(cr, p, d.it, sm, d.n, &st[k], 1.0, 1.8);
            } else {
                draw_series(cr, p, d.it, y, d.n, &st[k], 1.0, 1.3);
            }
        }
        const double *ys[4];
        for (int k = 0; k < ns; k++) ys[k] = d.col[pass ? 4 + k : k];
        draw_legend(cr, p, st, ns, d.it, ys, d.n);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, left + (W - left - right) / 2, H - 12, "iteration", 13, 0.5, 0.0);
    if (o->title) {
        cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        text(cr, left, 26, o->title, 14, 0.0, 0.0);
        cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        char info[160];
        if (o->smooth > 0) snprintf(info, sizeof info, "%d iterations, smoothing %.2f", d.n, o->smooth);
        else snprintf(info, sizeof info, "%d iterations", d.n);
        text(cr, W - right, 26, info, 12, 1.0, 0.0);
    }
    free(sm);
    cairo_destroy(cr);
    cairo_surface_flush(s);
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
    cairo_surface_destroy(s);
    int rc = png_write(png, rgb, W, H, 3, e);
    free(rgb);
    log_data_free(&d);
    return rc;
}

/* Rows of a CSV file less its header; -1 when it cannot be read. */
static long csv_rows(const char *csv)
{
    FILE *f = fopen(csv, "r");
    long rows = -1;
    int ch;
    if (f) {
        while ((ch = fgetc(f)) != EOF) rows += ch == '\n';
        fclose(f);
    }
    return rows;
}

int plot_run(const char *run, const char *out, plot_options *o, char *png, size_t n, dc_err *e)
{
    char csv[4096], title[512];
    if (dc_path(e, csv, sizeof csv, "%s/log.csv", run) != 0) return -1;
    if (out) {
        snprintf(png, n, "%s", out);
    } else {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/visualize", run);
        if (dirs_make(dir, e) != 0) return -1;
        snprintf(png, n, "%s/plot.png", dir);
    }
    if (o->smooth < 0) o->smooth = csv_rows(csv) > 50 ? 0.6 : 0.0; /* smooth long runs only */
    /* the run folder's name */
    snprintf(title, sizeof title, "%s", run);
    size_t tl = strlen(title);
    while (tl > 1 && title[tl - 1] == '/') title[--tl] = 0;
    const char *slash = strrchr(title, '/');
    if (slash && slash[1]) memmove(title, slash + 1, strlen(slash + 1) + 1);
    const char *given = o->title;
    o->title = title;
    int rc = plot_log_csv(csv, png, o, e);
    o->title = given;
    return rc;
}
