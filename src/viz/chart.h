/* Line charts over iterations (cairo): panels with axes, ticks and grid, series, legends, and
 * the PNG they end in. What `dcgan plot` draws its charts with. */
#ifndef DCGAN_VIZ_CHART_H
#define DCGAN_VIZ_CHART_H

#include <cairo.h>

#include "core/error.h"

#define CHART_FONT "DejaVu Sans"

typedef struct {
    const char *name; /* legend */
    double r, g, b;
} chart_style;

typedef struct {
    double x0, y0, w, h; /* plot area in pixels */
    double xmin, xmax, ymin, ymax;
} chart_panel;

double chart_px(const chart_panel *p, double x);
double chart_py(const chart_panel *p, double y);
void chart_text(cairo_t *cr, double x, double y, const char *s, double size, double align_x,
                double align_y);
/* Frame, grid, ticks and the y label; epoch (may be NULL) marks epoch boundaries when there
 * are few; xlabels: numbers under the x axis. */
void chart_axes(cairo_t *cr, const chart_panel *p, const char *ylabel, const double *it,
                const double *epoch, int n, int xlabels);
/* A line through the finite points (a dot when there is one point). With more than
 * CHART_DECIMATE_PER_PIXEL points per pixel of the panel's width, each pixel column draws its
 * first, lowest, highest and last point only: the same picture, in time linear in n. */
#define CHART_DECIMATE_PER_PIXEL 2
void chart_series(cairo_t *cr, const chart_panel *p, const double *x, const double *y, int n,
                  const chart_style *s, double alpha, double width);
/* In the corner of the panel that covers the fewest points of ys[0..n). */
void chart_legend(cairo_t *cr, const chart_panel *p, const chart_style *s, int n,
                  const double *x, const double *const *ys, int npts);
/* The (opaque) surface as an RGB PNG, written atomically. */
int chart_write_png(cairo_surface_t *s, const char *png, dc_err *e);

#endif
