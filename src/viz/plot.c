#include "viz/plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "core/dirs.h"
#include "core/log.h"
#include "io/png_write.h"
#include "model/output_check.h"
#include "viz/canvas.h"
#include "viz/chart.h"
#include "viz/run_log.h"
#include "viz/series.h"


static const chart_style LOSSES[4] = {
    {"d_loss", 0.12, 0.47, 0.71}, {"g_loss", 0.84, 0.15, 0.16},
    {"d_loss_real", 0.17, 0.63, 0.17}, {"d_loss_fake", 1.00, 0.50, 0.05},
};
static const chart_style DOUTS[2] = {{"d_real", 0.12, 0.47, 0.71}, {"d_fake", 0.84, 0.15, 0.16}};

int plot_log_csv(const char *csv, const char *png, const plot_options *o, dc_err *e)
{
    run_log d;
    if (run_log_read(csv, &d, e) != 0) return -1;
    if (d.n == 0) {
        run_log_free(&d);
        return dc_fail(e, "%s: no iterations logged yet", csv);
    }
    int W = o->width, H = o->height;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        run_log_free(&d);
        return dc_fail(e, "%s: cannot make a %dx%d image", png, W, H);
    }
    cairo_t *cr = cairo_create(s);
    canvas_fonts_used();
    cairo_select_font_face(cr, CHART_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
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
        double m = series_robust_max(d.col[k], d.n);
        if (m > hi) hi = m;
        for (int i = 0; i < d.n; i++)
            if (isfinite(d.col[k][i]) && d.col[k][i] < lo) lo = d.col[k][i];
    }
    if (hi <= lo) hi = lo + 1;
    hi *= 1.08;
    chart_panel p1 = {left, top, W - left - right, ph, xmin, xmax, lo, hi};
    chart_panel p2 = {left, top + ph + gap, W - left - right, ph2, xmin, xmax, 0, 1};
    chart_axes(cr, &p1, "loss", d.it, d.epoch, d.n, 0);
    chart_axes(cr, &p2, "mean D output", d.it, d.epoch, d.n, 1);
    for (int pass = 0; pass < 2; pass++) {
        const chart_style *st = pass ? DOUTS : LOSSES;
        int ns = pass ? 2 : 4;
        const chart_panel *p = pass ? &p2 : &p1;
        for (int k = 0; k < ns; k++) {
            const double *y = d.col[pass ? 4 + k : k];
            if (o->smooth > 0) {
                chart_series(cr, p, d.it, y, d.n, &st[k], 0.22, 1.0);
                series_smooth(y, sm, d.n, o->smooth);
                chart_series(cr, p, d.it, sm, d.n, &st[k], 1.0, 1.8);
            } else {
                chart_series(cr, p, d.it, y, d.n, &st[k], 1.0, 1.3);
            }
        }
        const double *ys[4];
        for (int k = 0; k < ns; k++) ys[k] = d.col[pass ? 4 + k : k];
        chart_legend(cr, p, st, ns, d.it, ys, d.n);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    chart_text(cr, left + (W - left - right) / 2, H - 12, "iteration", 13, 0.5, 0.0);
    if (o->title) {
        cairo_select_font_face(cr, CHART_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        chart_text(cr, left, 26, o->title, 14, 0.0, 0.0);
        cairo_select_font_face(cr, CHART_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        char info[160];
        if (o->smooth > 0) snprintf(info, sizeof info, "%d iterations, smoothing %.2f", d.n, o->smooth);
        else snprintf(info, sizeof info, "%d iterations", d.n);
        chart_text(cr, W - right, 26, info, 12, 1.0, 0.0);
    }
    free(sm);
    cairo_destroy(cr);
    int rc = chart_write_png(s, png, e);
    cairo_surface_destroy(s);
    run_log_free(&d);
    return rc;
}

/* Rows of a CSV file less its header; -1 when it cannot be read. */
static long csv_rows(const char *csv)
{
    FILE *f = fopen(csv, "r");
    if (!f) return -1;
    long rows = -1;
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++) rows++;
    fclose(f);
    return rows;
}

int plot_run(const char *run, const char *out, plot_options *o, char *png, size_t n, dc_err *e)
{
    char csv[4096], title[512];
    if (dc_path(e, csv, sizeof csv, "%s/log.csv", run) != 0) return -1;
    if (out) {
        char jsonl[4096];
        snprintf(jsonl, sizeof jsonl, "%s/metrics.jsonl", run);
        const char *inputs[2] = {csv, jsonl};
        if (output_check_path("--out", out, inputs, 2, e) != 0) return -1;
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
    /* the quality measurements of --eval-every, beside it */
    char jsonl[4096], mpng[4200];
    struct stat st;
    if (rc == 0 && dc_path(NULL, jsonl, sizeof jsonl, "%s/metrics.jsonl", run) == 0 &&
        stat(jsonl, &st) == 0) {
        /* plot.png -> plot-metrics.png, plot.jpg -> plot-metrics.jpg */
        const char *slash = strrchr(png, '/'), *dot = strrchr(slash ? slash + 1 : png, '.');
        size_t l = dot ? (size_t)(dot - png) : strlen(png);
        snprintf(mpng, sizeof mpng, "%.*s-metrics%s", (int)l, png, dot ? dot : ".png");
        rc = plot_metrics_jsonl(jsonl, mpng, o, e);
        if (rc == 0) log_info("quality metrics: %s", mpng);
    }
    o->title = given;
    return rc;
}
