/* Charts of long logs: a series with many points per pixel is drawn decimated (first, lowest,
 * highest and last point of each pixel column) and must look like the full line: in every
 * column the drawn pixels span the same rows (within a pixel), and a NaN still breaks it. The
 * 99th percentile the loss axis ends at is exact (selection, not sorting). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "viz/chart.h"
#include "viz/series.h"
#include "testutil.h"

#define W 300
#define H 200

static cairo_surface_t *blank(cairo_t **cr)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    *cr = cairo_create(s);
    cairo_set_source_rgb(*cr, 1, 1, 1);
    cairo_paint(*cr);
    return s;
}

/* The rows a column's ink spans (-1, -1 when blank). A needle-thin spike of the full line
 * straddles two columns at partial coverage; counting faint ink finds it in both. */
static void column_span(cairo_surface_t *s, int x, int *top, int *bottom)
{
    cairo_surface_flush(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    *top = *bottom = -1;
    for (int y = 0; y < H; y++) {
        uint32_t v = *(const uint32_t *)(d + (size_t)y * stride + 4 * (size_t)x);
        if ((v & 0xff) < 200) { /* blue channel: ink, antialiased or not */
            if (*top < 0) *top = y;
            *bottom = y;
        }
    }
}

static void test_decimation(void)
{
    int n = 40 * W;
    double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
    srand(3);
    double v = 0;
    for (int i = 0; i < n; i++) {
        x[i] = i;
        v += (rand() / (double)RAND_MAX - 0.5) * 0.1;
        y[i] = v + ((i % 97) == 0 ? 1.5 : 0); /* spikes a decimation must keep */
    }
    for (int i = n / 2; i < n / 2 + 200; i++) y[i] = NAN; /* a gap of several columns */
    chart_panel p = {0, 0, W, H, 0, n - 1, -6, 6};
    chart_style st = {"s", 0, 0, 0};
    cairo_t *a, *b;
    cairo_surface_t *sa = blank(&a), *sb = blank(&b);
    chart_series(a, &p, x, y, n, &st, 1.0, 1.0); /* decimated: n is 40 points a pixel */
    cairo_set_source_rgb(b, 0, 0, 0); /* the full line, point by point */
    cairo_set_line_width(b, 1.0);
    cairo_set_line_join(b, CAIRO_LINE_JOIN_ROUND);
    int pen = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(y[i])) {
            pen = 0;
            continue;
        }
        if (pen) cairo_line_to(b, chart_px(&p, x[i]), chart_py(&p, y[i]));
        else cairo_move_to(b, chart_px(&p, x[i]), chart_py(&p, y[i]));
        pen = 1;
    }
    cairo_stroke(b);
    int top[2][W], bot[2][W];
    for (int c = 0; c < W; c++) {
        column_span(sa, c, &top[0][c], &bot[0][c]);
        column_span(sb, c, &top[1][c], &bot[1][c]);
    }
    /* neither drawing reaches further up or down in a column than the other does within a
     * pixel of it (a needle-thin spike of the full line falls in either neighbour) */
    int worst = 0, blank_gap = top[0][W / 2 + 2] < 0;
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < W; c++) {
            if (top[k][c] < 0) continue;
            int t = H, b = -1;
            for (int j = c > 0 ? c - 1 : 0; j <= c + 1 && j < W; j++)
                if (top[1 - k][j] >= 0) {
                    if (top[1 - k][j] < t) t = top[1 - k][j];
                    if (bot[1 - k][j] > b) b = bot[1 - k][j];
                }
            int d = b < 0 ? H : t - top[k][c] > bot[k][c] - b ? t - top[k][c] : bot[k][c] - b;
            if (d > worst) worst = d;
        }
    printf("  %d points on %d pixels: the columns' ink reaches %d px past the other drawing's\n",
           n, W, worst);
    TEST_CHECK(worst <= 1, "a column's ink reaches %d px past the other drawing's", worst);
    TEST_CHECK(blank_gap, "the NaN gap was bridged");
    cairo_destroy(a);
    cairo_destroy(b);
    cairo_surface_destroy(sa);
    cairo_surface_destroy(sb);
    free(x);
    free(y);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_percentile(void)
{
    int sizes[] = {1, 2, 3, 100, 1001, 50000};
    for (int k = 0; k < 6; k++) {
        for (int kind = 0; kind < 4; kind++) { /* random, sorted, reversed, few values */
            int n = sizes[k];
            double *v = malloc(sizeof(double) * (size_t)n), *s = malloc(sizeof(double) * (size_t)n);
            for (int i = 0; i < n; i++)
                v[i] = kind == 0 ? rand() / (double)RAND_MAX : kind == 1 ? i : kind == 2 ? n - i : i % 3;
            if (n > 2) v[n / 2] = NAN;
            int m = 0;
            for (int i = 0; i < n; i++)
                if (isfinite(v[i])) s[m++] = v[i];
            qsort(s, (size_t)m, sizeof *s, cmp);
            double want = s[(int)floor(0.99 * (m - 1))], got = series_robust_max(v, n);
            TEST_CHECK(got == want, "n %d kind %d: %g, want %g", n, kind, got, want);
            free(v);
            free(s);
        }
    }
}

int main(void)
{
    test_begin("test_chart");
    test_decimation();
    test_percentile();
    return test_finish();
}
