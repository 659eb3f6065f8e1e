/* RUN/metrics.jsonl (dcgan train --eval-every) as a chart: FID, KID and the shares
 * (precision, recall, label accuracy, class entropy over its maximum) over iterations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/chart.h"
#include "viz/plot.h"
#include "viz/run_metrics.h"

#define METRIC_COLS 7 /* fid, kid x 1000, precision, recall, label accuracy, entropy share */

typedef struct {
    int n, cap;
    double *it, *col[METRIC_COLS];
} metric_data;

static void metric_data_free(metric_data *d)
{
    free(d->it);
    for (int k = 0; k < METRIC_COLS; k++) free(d->col[k]);
}

/* The charted columns from the file's: KID x 1000, class entropy over its maximum. */
static int read_metrics(const char *path, metric_data *d, dc_err *e)
{
    memset(d, 0, sizeof *d);
    run_metrics m;
    if (run_metrics_read(path, &m, e) != 0) return -1;
    if (m.n == 0) {
        run_metrics_free(&m);
        return dc_fail(e, "%s: no measurements yet", path);
    }
    d->n = d->cap = m.n;
    d->it = malloc((size_t)m.n * sizeof(double));
    DC_ASSERT(d->it != NULL, "out of memory");
    memcpy(d->it, m.it, (size_t)m.n * sizeof(double));
    for (int k = 0; k < METRIC_COLS; k++) {
        d->col[k] = malloc((size_t)m.n * sizeof(double));
        DC_ASSERT(d->col[k] != NULL, "out of memory");
    }
    for (int i = 0; i < m.n; i++) {
        d->col[0][i] = m.col[RUN_METRIC_FID][i];
        d->col[1][i] = 1000 * m.col[RUN_METRIC_KID][i];
        d->col[2][i] = m.col[RUN_METRIC_PRECISION][i];
        d->col[3][i] = m.col[RUN_METRIC_RECALL][i];
        d->col[4][i] = m.col[RUN_METRIC_LABEL_ACCURACY][i];
        d->col[5][i] = m.col[RUN_METRIC_CLASS_ENTROPY][i] / m.col[RUN_METRIC_CLASS_ENTROPY_MAX][i];
        d->col[6][i] = m.col[RUN_METRIC_NN_RMSE][i];
    }
    run_metrics_free(&m);
    return 0;
}

static double max_finite(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] > m) m = v[i];
    return m;
}

static const chart_style FID_STYLE[1] = {{"FID", 0.12, 0.47, 0.71}};
static const chart_style KID_STYLE[1] = {{"KID x 1000", 0.58, 0.40, 0.74}};
static const chart_style SHARE_STYLE[4] = {
    {"precision", 0.17, 0.63, 0.17}, {"recall", 1.00, 0.50, 0.05},
    {"label accuracy", 0.84, 0.15, 0.16}, {"class entropy / max", 0.5, 0.5, 0.5},
};

static void draw_panel(cairo_t *cr, chart_panel *p, const char *ylabel, const metric_data *d,
                       const chart_style *st, int first, int ns, int xlabels)
{
    if (p->ymax <= p->ymin) p->ymax = p->ymin + 1;
    chart_axes(cr, p, ylabel, d->it, NULL, d->n, xlabels);
    const double *ys[4];
    int shown = 0;
    chart_style show[4];
    for (int k = 0; k < ns; k++) {
        const double *y = d->col[first + k];
        int any = 0;
        for (int i = 0; i < d->n; i++) any |= isfinite(y[i]);
        if (!any) continue; /* label accuracy of an unconditional model */
        chart_series(cr, p, d->it, y, d->n, &st[k], 1.0, 1.8);
        show[shown] = st[k];
        ys[shown++] = y;
    }
    chart_legend(cr, p, show, shown, d->it, ys, d->n);
}

int plot_metrics_jsonl(const char *jsonl, const char *png, const plot_options *o, dc_err *e)
{
    metric_data d;
    if (read_metrics(jsonl, &d, e) != 0) return -1;
    int W = o->width, H = o->height;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        metric_data_free(&d);
        return dc_fail(e, "%s: cannot make a %dx%d image", png, W, H);
    }
    cairo_t *cr = cairo_create(s);
    cairo_select_font_face(cr, CHART_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
    cairo_paint(cr);
    double top = o->title ? 40 : 16, left = 80, right = 20, bottom = 50, gap = 24;
    double ph = (H - top - bottom - 2 * gap) / 3, pw = W - left - right;
    double xmin = d.it[0], xmax = d.it[d.n - 1];
    if (xmax <= xmin) xmin -= 0.5, xmax += 0.5;
    /* the whole range: quality starts far off and the first points matter */
    double fid_hi = 1.08 * max_finite(d.col[0], d.n);
    double kid_hi = 1.08 * max_finite(d.col[1], d.n), kid_lo = 0;
    for (int i = 0; i < d.n; i++)
        if (isfinite(d.col[1][i]) && d.col[1][i] < kid_lo) kid_lo = d.col[1][i];
    chart_panel p1 = {left, top, pw, ph, xmin, xmax, 0, fid_hi};
    chart_panel p2 = {left, top + ph + gap, pw, ph, xmin, xmax, kid_lo, kid_hi};
    chart_panel p3 = {left, top + 2 * (ph + gap), pw, ph, xmin, xmax, 0, 1};
    draw_panel(cr, &p1, "FID", &d, FID_STYLE, 0, 1, 0);
    draw_panel(cr, &p2, "KID x 1000", &d, KID_STYLE, 1, 1, 0);
    draw_panel(cr, &p3, "share", &d, SHARE_STYLE, 2, 4, 1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    chart_text(cr, left + pw / 2, H - 12, "iteration", 13, 0.5, 0.0);
    if (o->title) {
        cairo_select_font_face(cr, CHART_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        chart_text(cr, left, 26, o->title, 14, 0.0, 0.0);
        cairo_select_font_face(cr, CHART_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        char info[96];
        snprintf(info, sizeof info, "%d measurements", d.n);
        chart_text(cr, W - right, 26, info, 12, 1.0, 0.0);
    }
    cairo_destroy(cr);
    int rc = chart_write_png(s, png, e);
    cairo_surface_destroy(s);
    metric_data_free(&d);
    return rc;
}
