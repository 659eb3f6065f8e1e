/* The geometry half of image_load: centre crop, separable area / bilinear resize, channel
 * conversion and scaling to [lo,hi], as described in image.c. No global state. */
#include "data/image_resize.h"

#include <math.h>
#include <stdlib.h>

/* Python's round() of d/2 (half to even), as the reference's center_crop computes offsets. */
static int half_round_even(int d)
{
    int k = d / 2;
    if (d % 2 != 0 && k % 2 != 0) k++;
    return k;
}

void image_crop_window(const image_spec *spec, int W, int H, int *cx0, int *cy0, int *cw,
                       int *ch)
{
    if (spec->crop) {
        *cw = spec->crop_w < W ? spec->crop_w : W;
        *ch = spec->crop_h < H ? spec->crop_h : H;
        *cx0 = half_round_even(W - *cw);
        *cy0 = half_round_even(H - *ch);
    } else {
        *cx0 = *cy0 = 0;
        *cw = W;
        *ch = H;
    }
}

/* One axis of the separable resize: output j = sum_k w[j*maxlen+k] * in[start[j]+k]. */
typedef struct {
    int *start, *len;
    float *w;
    int maxlen;
} rs_table;

static void rs_free(rs_table *t)
{
    free(t->start);
    free(t->len);
    free(t->w);
}

/* Length of [a, b) inside pixel [i, i+1). */
static double cover(double a, double b, int i)
{
    double lo = a > i ? a : i, hi = b < i + 1 ? b : i + 1;
    return hi > lo ? hi - lo : 0;
}

/* Maps the source window [x0, x0+L) of an axis of n_in pixels onto n_out pixels. */
static int rs_build(rs_table *t, int n_out, double x0, double L, int n_in)
{
    double scale = L / n_out;
    t->maxlen = scale >= 1.0 ? (int)ceil(scale) + 2 : 2;
    t->start = malloc(sizeof(int) * (size_t)n_out);
    t->len = malloc(sizeof(int) * (size_t)n_out);
    t->w = calloc((size_t)n_out * (size_t)t->maxlen, sizeof(float));
    if (!t->start || !t->len || !t->w) return -1;
    for (int j = 0; j < n_out; j++) {
        float *w = t->w + (size_t)j * (size_t)t->maxlen;
        if (scale >= 1.0) {
            /* area: coverage of [a, b) by each input pixel [i, i+1) */
            double a = x0 + j * scale, b = a + scale;
            int i0 = (int)floor(a), i1 = (int)ceil(b);
            if (i0 < 0) i0 = 0;
            if (i1 > n_in) i1 = n_in;
            if (i1 - i0 > t->maxlen) i1 = i0 + t->maxlen;
            /* drop edge pixels that the window only grazes (floating-point slivers) */
            while (i1 - 1 > i0 && cover(a, b, i1 - 1) <= 1e-9) i1--;
            while (i0 + 1 < i1 && cover(a, b, i0) <= 1e-9) i0++;
            if (i1 <= i0) { /* window outside the image: cannot happen; stay in bounds */
                i0 = a <= 0 ? 0 : (a >= n_in ? n_in - 1 : (int)a);
                i1 = i0 + 1;
            }
            double sum = 0;
            for (int i = i0; i < i1; i++) {
                double c = cover(a, b, i);
                w[i - i0] = (float)c;
                sum += c;
            }
            if (sum <= 0) {
                for (int i = i0; i < i1; i++) w[i - i0] = 0;
                w[0] = 1;
                sum = 1;
            }
            t->start[j] = i0;
            t->len[j] = i1 - i0;
            for (int k = 0; k < i1 - i0; k++) w[k] = (float)(w[k] / sum);
        } else {
            /* bilinear: centre-aligned, edges clamped */
            double c = x0 + (j + 0.5) * scale - 0.5;
            double lo = x0, hi = x0 + L - 1; /* clamp to the window's edge pixels */
            if (c > hi) c = hi;
            if (c < lo) c = lo;
            if (c > n_in - 1) c = n_in - 1;
            if (c < 0) c = 0;
            int i = (int)floor(c);
            double f = c - i;
            if (i >= n_in - 1 || f <= 1e-9) {
                t->start[j] = i;
                t->len[j] = 1;
                w[0] = 1;
            } else {
                t->start[j] = i;
                t->len[j] = 2;
                w[0] = (float)(1 - f);
                w[1] = (float)f;
            }
        }
    }
    return 0;
}

/* Converts decoded pixels [x0, x1) of row y into tc float planes (composited, 0..255). */
static void convert_row(const image_decoded *d, int y, int x0, int x1, int tc, const uint8_t bg[3],
                        float *const *dst)
{
    const uint8_t *row = d->px + ((size_t)y * (size_t)d->w + (size_t)x0) * (size_t)d->nc;
    const float kr = 0.299f, kg = 0.587f, kb = 0.114f;
    float bgl = kr * bg[0] + kg * bg[1] + kb * bg[2];
    int n = x1 - x0;
    for (int x = 0; x < n; x++) {
        const uint8_t *p = row + (size_t)x * (size_t)d->nc;
        float r, g, b, gray;
        switch (d->nc) {
        case 1:
            gray = p[0];
            if (tc == 1) dst[0][x] = gray;
            else dst[0][x] = dst[1][x] = dst[2][x] = gray;
            break;
        case 2: {
            float a = p[1] / 255.0f;
            if (tc == 1)
                dst[0][x] = p[0] * a + bgl * (1 - a);
            else
                for (int c = 0; c < 3; c++) dst[c][x] = p[0] * a + bg[c] * (1 - a);
            break;
        }
        default:
            if (d->cmyk) {
                int cc = p[0], m = p[1], yy = p[2], k = p[3];
                if (!d->cmyk_inverted) {
                    cc = 255 - cc;
                    m = 255 - m;
                    yy = 255 - yy;
                    k = 255 - k;
                }
                r = cc * k / 255.0f;
                g = m * k / 255.0f;
                b = yy * k / 255.0f;
            } else {
                r = p[0];
                g = p[1];
                b = p[2];
                if (d->nc == 4) {
                    float a = p[3] / 255.0f;
                    r = r * a + bg[0] * (1 - a);
                    g = g * a + bg[1] * (1 - a);
                    b = b * a + bg[2] * (1 - a);
                }
            }
            if (tc == 1) {
                dst[0][x] = kr * r + kg * g + kb * b;
            } else {
                dst[0][x] = r;
                dst[1][x] = g;
                dst[2][x] = b;
            }
            break;
        }
    }
}

int image_resize_into(const image_decoded *d, const image_spec *spec, float *out,
                      const char *path, dc_err *e)
{
    int cx0, cy0, cw, ch;
    image_crop_window(spec, d->full_w, d->full_h, &cx0, &cy0, &cw, &ch);
    double sx = (double)d->w / d->full_w, sy = (double)d->h / d->full_h;
    int OW = spec->out_w, OH = spec->out_h, tc = spec->channels;
    rs_table tx = {0}, ty = {0};
    float *tmp = NULL, *rowbuf = NULL;
    int rc = -1;
    if (rs_build(&tx, OW, cx0 * sx, cw * sx, d->w) != 0 ||
        rs_build(&ty, OH, cy0 * sy, ch * sy, d->h) != 0) {
        dc_fail(e, "%s: out of memory resizing", path);
        goto done;
    }
    int xmin = d->w, xmax = 0, ymin = d->h, ymax = 0;
    for (int j = 0; j < OW; j++) {
        if (tx.start[j] < xmin) xmin = tx.start[j];
        if (tx.start[j] + tx.len[j] > xmax) xmax = tx.start[j] + tx.len[j];
    }
    for (int j = 0; j < OH; j++) {
        if (ty.start[j] < ymin) ymin = ty.start[j];
        if (ty.start[j] + ty.len[j] > ymax) ymax = ty.start[j] + ty.len[j];
    }
    int bw = xmax - xmin, bh = ymax - ymin;
    tmp = malloc(sizeof(float) * (size_t)tc * (size_t)bh * (size_t)OW);
    rowbuf = malloc(sizeof(float) * (size_t)tc * (size_t)bw);
    if (!tmp || !rowbuf) {
        dc_fail(e, "%s: out of memory resizing", path);
        goto done;
    }
    float *planes[3];
    for (int c = 0; c < tc; c++) planes[c] = rowbuf + (size_t)c * (size_t)bw;
    /* horizontal pass: rows ymin..ymax of the window, each to OW samples per channel */
    for (int y = ymin; y < ymax; y++) {
        convert_row(d, y, xmin, xmax, tc, spec->background, planes);
        for (int c = 0; c < tc; c++) {
            float *dst = tmp + ((size_t)c * (size_t)bh + (size_t)(y - ymin)) * (size_t)OW;
            const float *src = planes[c] - xmin;
            for (int j = 0; j < OW; j++) {
                const float *w = tx.w + (size_t)j * (size_t)tx.maxlen;
                const float *s = src + tx.start[j];
                float acc = 0;
                for (int k = 0; k < tx.len[j]; k++) acc += w[k] * s[k];
                dst[j] = acc;
            }
        }
    }
    /* vertical pass, then 0..255 -> lo..hi */
    float lo = spec->lo, k255 = (spec->hi - spec->lo) / 255.0f;
    for (int c = 0; c < tc; c++) {
        const float *plane = tmp + (size_t)c * (size_t)bh * (size_t)OW;
        for (int i = 0; i < OH; i++) {
            float *o = out + ((size_t)c * (size_t)OH + (size_t)i) * (size_t)OW;
            const float *w = ty.w + (size_t)i * (size_t)ty.maxlen;
            const float *s0 = plane + (size_t)(ty.start[i] - ymin) * (size_t)OW;
            for (int j = 0; j < OW; j++) o[j] = 0;
            for (int k = 0; k < ty.len[i]; k++) {
                const float *s = s0 + (size_t)k * (size_t)OW;
                for (int j = 0; j < OW; j++) o[j] += w[k] * s[j];
            }
            for (int j = 0; j < OW; j++) o[j] = lo + o[j] * k255;
        }
    }
    rc = 0;
done:
    rs_free(&tx);
    rs_free(&ty);
    free(tmp);
    free(rowbuf);
    return rc;
}
