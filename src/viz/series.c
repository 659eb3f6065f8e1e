#include "viz/series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"

void series_smooth(const double *x, double *y, int n, double w)
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double series_robust_max(const double *v, int n)
{
    if (n <= 0) return 0;
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

double series_nice_step(double span, int target)
{
    if (!(span > 0)) return 1;
    double raw = span / target, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void series_format_tick(char *buf, size_t n, double v, double step)
{
    if (fabs(v) < step * 1e-6) v = 0;
    if (step >= 1 && fabs(v) >= 10000 && fmod(v, 1000) == 0) snprintf(buf, n, "%gk", v / 1000);
    else if (step >= 1) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.*f", (int)ceil(-log10(step) - 1e-9), v);
}
