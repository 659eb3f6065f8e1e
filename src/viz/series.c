#include "viz/series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"

void series_smooth(const double *x, double *y, int n, double w)
{
    double last = 0, wk = 1; /* w^k, until 1 - w^k rounds to 1 (then pow's cost is saved) */
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            y[i] = last;
            continue;
        }
        last = last * w + (1 - w) * x[i];
        k++;
        if (wk > 0) wk = pow(w, k) < 1e-17 ? 0 : pow(w, k);
        y[i] = w > 0 ? last / (1 - wk) : x[i];
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The k-th smallest of t[0..m) (reordered): quickselect, median-of-three pivots, and a sort
 * of what is left when the partitions stop shrinking (it stays linear on any input; a full
 * sort of a million log rows per series was a quarter of dcgan plot's time). */
static double select_kth(double *t, int m, int k)
{
    int lo = 0, hi = m - 1, budget = 64;
    while (hi > lo) {
        if (--budget == 0) {
            qsort(t + lo, (size_t)(hi - lo + 1), sizeof *t, cmp_double);
            break;
        }
        int mid = lo + (hi - lo) / 2;
        double a = t[lo], b = t[mid], c = t[hi];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int i = lo, j = hi;
        while (i <= j) {
            while (t[i] < pivot) i++;
            while (t[j] > pivot) j--;
            if (i <= j) {
                double tmp = t[i];
                t[i++] = t[j];
                t[j--] = tmp;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return t[k];
}

double series_robust_max(const double *v, int n)
{
    if (n <= 0) return 0;
    double *t = malloc((size_t)n * sizeof *t);
    DC_ASSERT(t != NULL, "out of memory");
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) t[m++] = v[i];
    double r = m ? select_kth(t, m, (int)floor(0.99 * (m - 1))) : 0;
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
