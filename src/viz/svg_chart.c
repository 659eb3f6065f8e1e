#include "viz/svg_chart.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "viz/series.h"

static double px(const svg_panel *p, double x)
{
    return p->x0 + (x - p->xmin) / (p->xmax - p->xmin) * p->w;
}

static double py(const svg_panel *p, double y)
{
    double Y = p->y0 + p->h - (y - p->ymin) / (p->ymax - p->ymin) * p->h;
    /* past the panel's range (a spike above the robust maximum): at its edge */
    return fmin(fmax(Y, p->y0), p->y0 + p->h);
}

void svg_chart_begin(html_buf *b, int width, int height, const char *title)
{
    html_printf(b, "<svg width=\"%d\" height=\"%d\" "
                   "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                width, height, width, height);
    html_text(b, title);
    html_put(b, "\"><title>");
    html_text(b, title);
    html_put(b, "</title>\n");
}

void svg_chart_end(html_buf *b)
{
    html_put(b, "</svg>\n");
}

static void text_at(html_buf *b, double x, double y, const char *anchor, const char *s)
{
    html_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
    html_text(b, s);
    html_put(b, "</text>");
}

static void epoch_lines(html_buf *b, const svg_panel *p, const double *it, const double *epoch,
                        int n)
{
    int epochs = epoch && n > 0 ? (int)(epoch[n - 1] - epoch[0]) : 0;
    if (epochs < 1 || epochs > 30) return;
    html_put(b, "<path class=\"epoch\" d=\"");
    for (int i = 1; i < n; i++)
        if (epoch[i] != epoch[i - 1] && isfinite(it[i]))
            html_printf(b, "M%.1f %.1fV%.1f", floor(px(p, it[i])) + 0.5, p->y0, p->y0 + p->h);
    html_put(b, "\"><title>epoch boundaries</title></path>\n");
}

void svg_chart_axes(html_buf *b, const svg_panel *p, const char *ylabel, const char *xlabel,
                    const double *it, const double *epoch, int n)
{
    html_printf(b, "<rect class=\"panel\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                p->x0, p->y0, p->w, p->h);
    double xs = fmax(1.0, series_nice_step(p->xmax - p->xmin, 8));
    double ys = series_nice_step(p->ymax - p->ymin, 5);
    char buf[64];
    html_put(b, "<g class=\"grid\">");
    for (double y = ceil(p->ymin / ys) * ys; y <= p->ymax + ys * 1e-9; y += ys) {
        double Y = floor(py(p, y)) + 0.5;
        html_printf(b, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fH%.1f\"/>", p->x0, Y, p->x0 + p->w,
                    p->x0 - 5, Y, p->x0);
        series_format_tick(buf, sizeof buf, y, ys);
        text_at(b, p->x0 - 8, Y + 4, "end", buf);
    }
    for (double x = ceil(p->xmin / xs) * xs; x <= p->xmax + xs * 1e-9; x += xs) {
        double X = floor(px(p, x)) + 0.5;
        html_printf(b, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fV%.1f\"/>", X, p->y0, p->y0 + p->h,
                    X, p->y0 + p->h, p->y0 + p->h + 5);
        if (xlabel) {
            series_format_tick(buf, sizeof buf, x, xs);
            text_at(b, X, p->y0 + p->h + 19, "middle", buf);
        }
    }
    html_put(b, "</g>\n");
    epoch_lines(b, p, it, epoch, n);
    html_printf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                p->x0 + 0.5, p->y0 + 0.5, p->w - 1, p->h - 1);
    double cx = p->x0 - 52, cy = p->y0 + p->h / 2;
    html_printf(b, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "transform=\"rotate(-90 %.1f %.1f)\">", cx, cy, cx, cy);
    html_text(b, ylabel);
    html_put(b, "</text>\n");
    if (xlabel) {
        html_printf(b, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                    p->x0 + p->w / 2, p->y0 + p->h + 38);
        html_text(b, xlabel);
        html_put(b, "</text>\n");
    }
}

typedef struct {
    int col, imin, imax; /* the pixel column being gathered and its extremes */
    int pen, points;
} bucket;

/* The column's smallest and largest value, in the order they came. */
static void flush(html_buf *b, const svg_panel *p, const double *x, const double *y, bucket *k)
{
    if (k->col == INT_MIN) return;
    int a = k->imin < k->imax ? k->imin : k->imax, c = k->imin < k->imax ? k->imax : k->imin;
    html_printf(b, "%c%.1f %.1f", k->pen ? 'L' : 'M', px(p, x[a]), py(p, y[a]));
    k->pen = 1;
    k->points++;
    if (c != a) {
        html_printf(b, "L%.1f %.1f", px(p, x[c]), py(p, y[c]));
        k->points++;
    }
    k->col = INT_MIN;
}

int svg_chart_series(html_buf *b, const svg_panel *p, const double *x, const double *y, int n,
                     const svg_style *s, double opacity, double width)
{
    html_printf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-opacity=\"%.2f\" "
                   "stroke-linejoin=\"round\" d=\"",
                s->color, width, opacity);
    bucket k = {INT_MIN, -1, -1, 0, 0};
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            flush(b, p, x, y, &k);
            k.pen = 0; /* a gap */
            continue;
        }
        double X = px(p, x[i]);
        int col = X < -1e9 ? INT_MIN + 1 : X > 1e9 ? INT_MAX : (int)floor(X);
        if (col != k.col) {
            flush(b, p, x, y, &k);
            k.col = col;
            k.imin = k.imax = i;
        }
        if (y[i] < y[k.imin]) k.imin = i;
        if (y[i] > y[k.imax]) k.imax = i;
        last = i;
    }
    flush(b, p, x, y, &k);
    html_put(b, "\"><title>");
    html_text(b, s->name);
    html_put(b, "</title></path>\n");
    if (k.points == 1)
        html_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px(p, x[last]),
                    py(p, y[last]), s->color);
    return k.points;
}

void svg_chart_dots(html_buf *b, const svg_panel *p, const double *x, const double *y, int n,
                    const svg_style *s)
{
    html_printf(b, "<g fill=\"%s\">", s->color);
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            html_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>", px(p, x[i]), py(p, y[i]));
    html_put(b, "</g>\n");
}

void svg_chart_legend(html_buf *b, const svg_panel *p, const svg_style *s, const double *last,
                      int ns)
{
    double x = p->x0 + p->w + 14, y = p->y0 + 12;
    for (int k = 0; k < ns; k++, y += 20) {
        html_printf(b, "<path d=\"M%.1f %.1fh20\" stroke=\"%s\" stroke-width=\"3\"/>", x, y,
                    s[k].color);
        html_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", x + 26, y + 4);
        html_text(b, s[k].name);
        if (isfinite(last[k])) html_printf(b, " <tspan class=\"value\">%.4g</tspan>", last[k]);
        html_put(b, "</text>\n");
    }
}
