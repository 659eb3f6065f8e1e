/* Arithmetic on a chart's series that does not depend on how it is drawn: TensorBoard's
 * smoothing, a robust upper limit, and the axis ticks. Shared by the PNG charts (chart.c,
 * cairo) and the report's SVG charts (svg_chart.c). */
#ifndef DCGAN_VIZ_SERIES_H
#define DCGAN_VIZ_SERIES_H

#include <stddef.h>

/* TensorBoard's smoothing: a debiased exponential moving average with weight w; a non-finite
 * x[i] repeats the last smoothed value. */
void series_smooth(const double *x, double *y, int n, double w);
/* The 99th percentile of the finite values (0 when there are none): a spike should not
 * flatten the rest. */
double series_robust_max(const double *v, int n);
/* 1, 2 or 5 times a power of ten, giving about `target` ticks over span. */
double series_nice_step(double span, int target);
/* A tick's label: v with as many decimals as step needs ("20k" for round thousands). */
void series_format_tick(char *buf, size_t n, double v, double step);

#endif
