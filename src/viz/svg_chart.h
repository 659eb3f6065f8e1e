/* Line charts over iterations as inline SVG, for the report page: panels with grid, ticks and
 * labels, series drawn to the pixels the panel has (a long log keeps, per pixel column, its
 * smallest and largest value, in order), and a legend with each series' last value. No cairo:
 * text is left to the browser. */
#ifndef DCGAN_VIZ_SVG_CHART_H
#define DCGAN_VIZ_SVG_CHART_H

#include "viz/html.h"

typedef struct {
    const char *name;  /* legend; written escaped */
    const char *color; /* "#rrggbb" */
} svg_style;

typedef struct {
    double x0, y0, w, h; /* plot area, in the SVG's pixels */
    double xmin, xmax, ymin, ymax;
} svg_panel;

/* <svg> of width x height pixels (it scales down with the page); title: what it shows, for
 * screen readers and as a tooltip. svg_chart_end closes it. */
void svg_chart_begin(html_buf *b, int width, int height, const char *title);
void svg_chart_end(html_buf *b);
/* Background, grid, ticks, frame and the y label; xlabel non-NULL: numbers and that label
 * under the x axis. epoch (may be NULL; n rows beside it) marks epoch boundaries when there
 * are between 1 and 30. */
void svg_chart_axes(html_buf *b, const svg_panel *p, const char *ylabel, const char *xlabel,
                    const double *it, const double *epoch, int n);
/* One path through the finite points (a dot when there is one), clamped to the panel.
 * Returns the number of points written (at most 2 per pixel column). */
int svg_chart_series(html_buf *b, const svg_panel *p, const double *x, const double *y, int n,
                     const svg_style *s, double opacity, double width);
/* A dot at each finite point: for series of few measurements. */
void svg_chart_dots(html_buf *b, const svg_panel *p, const double *x, const double *y, int n,
                    const svg_style *s);
/* The legend to the right of the panel: a swatch, the name and last[k] (NaN: none) for each
 * of the ns series. */
void svg_chart_legend(html_buf *b, const svg_panel *p, const svg_style *s, const double *last,
                      int ns);

#endif
