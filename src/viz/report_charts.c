/* The report's curves as inline SVG: the losses and D's outputs from log.csv, the quality
 * metrics from metrics.jsonl (with their table). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "viz/report.h"
#include "viz/report_internal.h"
#include "viz/series.h"
#include "viz/svg_chart.h"

#define CHART_W 1120
#define LEFT 76
#define RIGHT 210 /* the legend */
#define TOP 12
#define BOTTOM 50

static const svg_style LOSSES[4] = {
    {"d_loss", "#1f77b4"}, {"g_loss", "#d62728"}, {"d_loss_real", "#2ca02c"},
    {"d_loss_fake", "#ff7f0e"},
};
static const svg_style DOUTS[2] = {{"D(x) (d_real)", "#1f77b4"}, {"D(G(z)) (d_fake)", "#d62728"}};

static svg_panel panel(int height, double xmin, double xmax, double ymin, double ymax)
{
    svg_panel p = {LEFT, TOP, CHART_W - LEFT - RIGHT, height - TOP - BOTTOM, xmin, xmax, ymin,
                   ymax};
    if (!(p.xmax > p.xmin)) p.xmin -= 0.5, p.xmax += 0.5;
    if (!(p.ymax > p.ymin)) p.ymax = p.ymin + 1;
    return p;
}

/* Series k of cols over it: raw and faint with the smoothed line on top when smooth > 0. */
static void draw_series(html_buf *b, const svg_panel *p, const double *it, const double *const *cols,
                        int ns, int n, const svg_style *st, double smooth)
{
    double *sm = smooth > 0 ? malloc((size_t)n * sizeof *sm) : NULL;
    DC_ASSERT(smooth <= 0 || sm != NULL, "out of memory");
    double last[4];
    for (int k = 0; k < ns; k++) {
        if (sm) {
            svg_chart_series(b, p, it, cols[k], n, &st[k], 0.25, 1.0);
            series_smooth(cols[k], sm, n, smooth);
            svg_chart_series(b, p, it, sm, n, &st[k], 1.0, 1.8);
        } else {
            svg_chart_series(b, p, it, cols[k], n, &st[k], 1.0, 1.5);
        }
        last[k] = cols[k][n - 1];
    }
    svg_chart_legend(b, p, st, last, ns);
    free(sm);
}

void report_section_losses(html_buf *b, const report_run *r)
{
    const run_log *l = &r->log;
    double smooth = l->n > 50 ? 0.6 : 0;
    char note[300];
    snprintf(note, sizeof note, "%d iterations from log.csv%s; the last value of each beside its "
             "name. docs/usage.md says how each number is measured.", l->n,
             smooth > 0 ? ": faint, every iteration; solid, TensorBoard's smoothing with weight "
                          "0.6" : "");
    html_put(b, "<section id=\"losses\"><h2>Losses</h2>\n");
    if (l->n == 0) report_note(b, r->log_note);
    else {
        report_note(b, note);
        double lo = 0, hi = 0;
        for (int k = 0; k < 4; k++) {
            double m = series_robust_max(l->col[k], l->n);
            if (m > hi) hi = m;
            for (int i = 0; i < l->n; i++)
                if (isfinite(l->col[k][i]) && l->col[k][i] < lo) lo = l->col[k][i];
        }
        svg_panel p = panel(340, l->it[0], l->it[l->n - 1], lo, hi * 1.08);
        svg_chart_begin(b, CHART_W, 340, "losses over iterations");
        svg_chart_axes(b, &p, "loss", "iteration", l->it, l->epoch, l->n);
        const double *cols[4] = {l->col[0], l->col[1], l->col[2], l->col[3]};
        draw_series(b, &p, l->it, cols, 4, l->n, LOSSES, smooth);
        svg_chart_end(b);
        int epochs = (int)(l->epoch[l->n - 1] - l->epoch[0]);
        report_note(b, epochs >= 1 && epochs <= 30
                           ? "The axis ends at the 99th percentile, so a spike does not flatten "
                             "the rest; dashed lines mark epochs."
                           : "The axis ends at the 99th percentile, so a spike does not flatten "
                             "the rest.");
    }
    html_put(b, "</section>\n<section id=\"d-outputs\"><h2>D(x) and D(G(z))</h2>\n");
    if (l->n == 0) report_note(b, r->log_note);
    else {
        report_note(b, "D's mean output on the real batch, D(x), and on G's batch, D(G(z)), in "
                       "the D update; in a healthy run both stay near 0.5.");
        svg_panel p = panel(280, l->it[0], l->it[l->n - 1], 0, 1);
        svg_chart_begin(b, CHART_W, 280, "D(x) and D(G(z)) over iterations");
        svg_chart_axes(b, &p, "mean D output", "iteration", l->it, l->epoch, l->n);
        const double *cols[2] = {l->col[RUN_LOG_D_REAL], l->col[RUN_LOG_D_FAKE]};
        draw_series(b, &p, l->it, cols, 2, l->n, DOUTS, smooth);
        svg_chart_end(b);
    }
    html_put(b, "</section>\n");
}

static double max_finite(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] > m) m = v[i];
    return m;
}

static int any_finite(const double *v, int n)
{
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) return 1;
    return 0;
}

/* The metrics over the same iterations as the losses above them, a dot per measurement. */
static void metric_chart(html_buf *b, const run_metrics *m, const double *xr, int height,
                         const char *title, const char *ylabel, double ymin, double ymax,
                         const double *const *cols, const svg_style *st, int ns)
{
    svg_panel p = panel(height, xr[0], xr[1], ymin, ymax);
    svg_chart_begin(b, CHART_W, height, title);
    svg_chart_axes(b, &p, ylabel, "iteration", m->it, NULL, m->n);
    draw_series(b, &p, m->it, cols, ns, m->n, st, 0);
    for (int k = 0; k < ns; k++) svg_chart_dots(b, &p, m->it, cols[k], m->n, &st[k]);
    svg_chart_end(b);
}

static void metrics_charts(html_buf *b, const run_metrics *m, const run_log *l, double *kid,
                           double *share)
{
    static const svg_style FID[1] = {{"FID", "#1f77b4"}}, KID[1] = {{"KID x 1000", "#9467bd"}};
    static const svg_style SHARES[4] = {{"precision", "#2ca02c"}, {"recall", "#ff7f0e"},
                                        {"label accuracy", "#d62728"},
                                        {"class entropy / max", "#808080"}};
    double kid_lo = 0;
    for (int i = 0; i < m->n; i++) {
        kid[i] = 1000 * m->col[RUN_METRIC_KID][i];
        share[i] = m->col[RUN_METRIC_CLASS_ENTROPY][i] / m->col[RUN_METRIC_CLASS_ENTROPY_MAX][i];
        if (isfinite(kid[i]) && kid[i] < kid_lo) kid_lo = kid[i];
    }
    double xr[2] = {m->it[0], m->it[m->n - 1]};
    if (l->n > 0) xr[0] = fmin(xr[0], l->it[0]), xr[1] = fmax(xr[1], l->it[l->n - 1]);
    metric_chart(b, m, xr, 220, "FID over iterations", "FID (lower is better)", 0,
                 1.08 * max_finite(m->col[RUN_METRIC_FID], m->n),
                 (const double *const[]){m->col[RUN_METRIC_FID]}, FID, 1);
    metric_chart(b, m, xr, 220, "KID x 1000 over iterations", "KID x 1000", kid_lo,
                 1.08 * max_finite(kid, m->n), (const double *const[]){kid}, KID, 1);
    const double *cols[4];
    svg_style st[4];
    const double *all[4] = {m->col[RUN_METRIC_PRECISION], m->col[RUN_METRIC_RECALL],
                            m->col[RUN_METRIC_LABEL_ACCURACY], share};
    int ns = 0;
    for (int k = 0; k < 4; k++)
        if (any_finite(all[k], m->n)) cols[ns] = all[k], st[ns++] = SHARES[k];
    metric_chart(b, m, xr, 260, "precision, recall, label accuracy and class entropy",
                 "share (higher is better)", 0, 1, cols, st, ns);
}

static void metrics_table(html_buf *b, const run_metrics *m)
{
    static const int show[] = {RUN_METRIC_N, RUN_METRIC_FID, RUN_METRIC_KID, RUN_METRIC_KID_STD,
                               RUN_METRIC_PRECISION, RUN_METRIC_RECALL,
                               RUN_METRIC_CLASS_ENTROPY, RUN_METRIC_LABEL_ACCURACY,
                               RUN_METRIC_NN_RMSE, RUN_METRIC_SECONDS};
    const int ns = (int)(sizeof show / sizeof show[0]);
    html_put(b, "<div class=\"scroll\"><table>\n<tr><th class=\"num\">iteration</th>");
    for (int k = 0; k < ns; k++) html_printf(b, "<th class=\"num\">%s</th>", run_metrics_keys[show[k]]);
    html_put(b, "</tr>\n");
    for (int i = m->n - 1; i >= 0; i--) { /* newest first */
        html_printf(b, "<tr><td class=\"num\">%.0f</td>", m->it[i]);
        for (int k = 0; k < ns; k++) {
            double v = m->col[show[k]][i];
            if (!isfinite(v)) html_put(b, "<td class=\"num\">&ndash;</td>");
            else if (show[k] == RUN_METRIC_N) html_printf(b, "<td class=\"num\">%.0f</td>", v);
            else html_printf(b, "<td class=\"num\">%.5g</td>", v);
        }
        html_put(b, "</tr>\n");
    }
    html_put(b, "</table></div>\n");
}

void report_section_metrics(html_buf *b, const report_run *r)
{
    const run_metrics *m = &r->metrics;
    html_put(b, "<section id=\"metrics\"><h2>Quality metrics</h2>\n");
    if (m->n == 0) {
        report_note(b, r->metrics_note);
        report_note(b, "dcgan train --eval-every N measures FID, KID, precision and recall, "
                       "class entropy and label accuracy every N iterations into metrics.jsonl; "
                       "dcgan eval --run RUN measures a finished run (docs/evaluation.md).");
        html_put(b, "</section>\n");
        return;
    }
    report_note(b, "From metrics.jsonl (dcgan train --eval-every), measured with the data set's "
                   "domain classifier: compare runs measured with the same classifier and the "
                   "same n (docs/evaluation.md).");
    double *kid = malloc((size_t)m->n * sizeof *kid), *share = malloc((size_t)m->n * sizeof *share);
    DC_ASSERT(kid && share, "out of memory");
    metrics_charts(b, m, &r->log, kid, share);
    free(kid);
    free(share);
    metrics_table(b, m);
    html_put(b, "</section>\n");
}
