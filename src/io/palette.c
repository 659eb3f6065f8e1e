#include "io/palette.h"

#include <stdlib.h>
#include <string.h>
#include "core/error.h"

#define BIN_BITS 6
#define BIN_SIDE (1 << BIN_BITS)
#define NBINS (BIN_SIDE * BIN_SIDE * BIN_SIDE)

typedef struct {
    double count, sum[3], sq[3];
    int key[3]; /* bin coordinates */
} bin;

typedef struct {
    int first, count; /* range in the bin list */
    double sse;
} box;

static double bins_sse(const bin *b, int n, double *count_out, double mean[3])
{
    double c = 0, s[3] = {0, 0, 0}, q[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        c += b[i].count;
        for (int k = 0; k < 3; k++) {
            s[k] += b[i].sum[k];
            q[k] += b[i].sq[k];
        }
    }
    double e = 0;
    for (int k = 0; k < 3; k++) {
        if (mean) mean[k] = c > 0 ? s[k] / c : 0;
        e += c > 0 ? q[k] - s[k] * s[k] / c : 0;
    }
    if (count_out) *count_out = c;
    return e > 0 ? e : 0;
}

static int g_axis; /* qsort has no context argument */
static int by_axis(const void *a, const void *b)
{
    const bin *x = a, *y = b;
    return x->key[g_axis] - y->key[g_axis];
}

/* Sorts the box's bins along the axis and finds the split with the least total squared error;
 * returns the split offset (1..count-1) and its error. */
static int best_split(bin *b, int n, int axis, double *err)
{
    g_axis = axis;
    qsort(b, (size_t)n, sizeof *b, by_axis);
    double tc = 0, ts[3] = {0, 0, 0}, tq[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        tc += b[i].count;
        for (int k = 0; k < 3; k++) ts[k] += b[i].sum[k], tq[k] += b[i].sq[k];
    }
    double lc = 0, ls[3] = {0, 0, 0}, lq[3] = {0, 0, 0};
    double best = -1;
    int at = 1;
    for (int i = 0; i < n - 1; i++) {
        lc += b[i].count;
        for (int k = 0; k < 3; k++) ls[k] += b[i].sum[k], lq[k] += b[i].sq[k];
        /* only split between different bin coordinates on this axis */
        if (b[i].key[axis] == b[i + 1].key[axis]) continue;
        double rc = tc - lc, e = 0;
        for (int k = 0; k < 3; k++) {
            e += lq[k] - ls[k] * ls[k] / lc;
            e += (tq[k] - lq[k]) - (ts[k] - ls[k]) * (ts[k] - ls[k]) / rc;
        }
        if (best < 0 || e < best) {
            best = e;
            at = i + 1;
        }
    }
    *err = best;
    return best < 0 ? -1 : at;
}

static void median_cut(palette *p, bin *bins, int nb, int max_colors)
{
    box boxes[256];
    int nbox = 1;
    boxes[0].first = 0;
    boxes[0].count = nb;
    boxes[0].sse = bins_sse(bins, nb, NULL, NULL);
    while (nbox < max_colors) {
        int pick = -1;
        for (int i = 0; i < nbox; i++)
            if (boxes[i].count > 1 && boxes[i].sse > 0 && (pick < 0 || boxes[i].sse > boxes[pick].sse))
                pick = i;
        if (pick < 0) break;
        box *bx = &boxes[pick];
        bin *b = bins + bx->first;
        /* try each axis; keep the best split */
        int best_axis = -1, best_at = -1;
        double best_err = 0;
        for (int axis = 0; axis < 3; axis++) {
            double err;
            int at = best_split(b, bx->count, axis, &err);
            if (at > 0 && (best_axis < 0 || err < best_err)) {
                best_axis = axis;
                best_at = at;
                best_err = err;
            }
        }
        if (best_axis < 0) {
            bx->sse = 0; /* a single bin: cannot split */
            continue;
        }
        best_split(b, bx->count, best_axis, &best_err); /* re-sort along the chosen axis */
        box right = {bx->first + best_at, bx->count - best_at, 0};
        bx->count = best_at;
        bx->sse = bins_sse(bins + bx->first, bx->count, NULL, NULL);
        right.sse = bins_sse(bins + right.first, right.count, NULL, NULL);
        boxes[nbox++] = right;
    }
    p->n = nbox;
    for (int i = 0; i < nbox; i++) {
        double mean[3];
        bins_sse(bins + boxes[i].first, boxes[i].count, NULL, mean);
        for (int k = 0; k < 3; k++) {
            double v = mean[k] + 0.5;
            p->rgb[i][k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/* Lloyd (k-means) iterations over the bins, weighted by their pixel counts, starting from the
 * median cut: each entry moves to the mean of the pixels nearest to it. Stops when the squared
 * error improves by less than 0.5%. */
#define KMEANS_MAX_ITERS 12

static void kmeans_refine(palette *p, const bin *bins, int nb)
{
    float (*pal)[3] = dc_calloc(256, sizeof *pal);
    double (*acc)[4] = dc_calloc(256, sizeof *acc);
    float (*mean)[3] = dc_calloc((size_t)nb, sizeof *mean);
    for (int i = 0; i < nb; i++)
        for (int k = 0; k < 3; k++) mean[i][k] = (float)(bins[i].sum[k] / bins[i].count);
    for (int j = 0; j < p->n; j++)
        for (int k = 0; k < 3; k++) pal[j][k] = p->rgb[j][k];
    double last = -1;
    for (int it = 0; it < KMEANS_MAX_ITERS; it++) {
        memset(acc, 0, 256 * sizeof *acc);
        double err = 0;
        for (int i = 0; i < nb; i++) {
            int best = 0;
            float bd = 1e30f;
            for (int j = 0; j < p->n; j++) {
                float d0 = mean[i][0] - pal[j][0], d1 = mean[i][1] - pal[j][1], d2 = mean[i][2] - pal[j][2];
                float d = d0 * d0 + d1 * d1 + d2 * d2;
                if (d < bd) {
                    bd = d;
                    best = j;
                }
            }
            err += bd * bins[i].count;
            for (int k = 0; k < 3; k++) acc[best][k] += bins[i].sum[k];
            acc[best][3] += bins[i].count;
        }
        for (int j = 0; j < p->n; j++)
            if (acc[j][3] > 0)
                for (int k = 0; k < 3; k++) pal[j][k] = (float)(acc[j][k] / acc[j][3]);
        if (last >= 0 && err > last * 0.995) break;
        last = err;
    }
    for (int j = 0; j < p->n; j++)
        for (int k = 0; k < 3; k++) {
            float v = pal[j][k] + 0.5f;
            p->rgb[j][k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    free(pal);
    free(acc);
    free(mean);
}

/* Up to 256 distinct colours, exactly; returns -1 if there are more. */
static int distinct_colors(palette *p, const uint8_t *const *frames, int nframes, size_t npix)
{
    enum { CAP = 1024 };
    uint32_t table[CAP];
    memset(table, 0xff, sizeof table);
    int n = 0;
    for (int f = 0; f < nframes; f++)
        for (size_t i = 0; i < npix; i++) {
            const uint8_t *c = frames[f] + 3 * i;
            uint32_t key = (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
            uint32_t h = (key * 2654435761u) >> 22; /* 10 bits */
            while (table[h] != 0xffffffffu && table[h] != key) h = (h + 1) & (CAP - 1);
            if (table[h] == key) continue;
            if (n == 256) return -1;
            table[h] = key;
            p->rgb[n][0] = c[0];
            p->rgb[n][1] = c[1];
            p->rgb[n][2] = c[2];
            n++;
        }
    p->n = n > 0 ? n : 1;
    return 0;
}

void palette_build(palette *p, const uint8_t *const *frames, int nframes, size_t npix, int C)
{
    memset(p, 0, sizeof *p);
    if (C == 1) {
        p->n = 256;
        p->gray = 1;
        for (int i = 0; i < 256; i++) p->rgb[i][0] = p->rgb[i][1] = p->rgb[i][2] = (uint8_t)i;
        return;
    }
    if (distinct_colors(p, frames, nframes, npix) == 0) return;
    bin *all = dc_calloc(NBINS, sizeof *all);
    for (int f = 0; f < nframes; f++)
        for (size_t i = 0; i < npix; i++) {
            const uint8_t *c = frames[f] + 3 * i;
            int r = c[0] >> (8 - BIN_BITS), g = c[1] >> (8 - BIN_BITS), b = c[2] >> (8 - BIN_BITS);
            bin *x = &all[(r * BIN_SIDE + g) * BIN_SIDE + b];
            x->count += 1;
            for (int k = 0; k < 3; k++) {
                x->sum[k] += c[k];
                x->sq[k] += (double)c[k] * c[k];
            }
        }
    int nb = 0;
    for (int i = 0; i < NBINS; i++)
        if (all[i].count > 0) {
            all[i].key[0] = i / (BIN_SIDE * BIN_SIDE);
            all[i].key[1] = (i / BIN_SIDE) % BIN_SIDE;
            all[i].key[2] = i % BIN_SIDE;
            all[nb++] = all[i];
        }
    median_cut(p, all, nb, 256);
    kmeans_refine(p, all, nb);
    free(all);
}

struct palette_map {
    palette pal;
    uint16_t *cache; /* 2^24 entries: 0 unknown, else index + 1 (pages touched on demand) */
};

palette_map *palette_map_create(const palette *p)
{
    palette_map *m = dc_calloc(1, sizeof *m);
    m->pal = *p;
    if (!p->gray) m->cache = dc_calloc((size_t)1 << 24, sizeof *m->cache);
    return m;
}

void palette_map_free(palette_map *m)
{
    if (!m) return;
    free(m->cache);
    free(m);
}

static int nearest(const palette *p, int r, int g, int b)
{
    int best = 0, bd = 1 << 30;
    for (int i = 0; i < p->n; i++) {
        int dr = r - p->rgb[i][0], dg = g - p->rgb[i][1], db = b - p->rgb[i][2];
        int d = dr * dr + dg * dg + db * db;
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    return best;
}

void palette_map_pixels(palette_map *m, const uint8_t *px, size_t npix, int C, uint8_t *idx,
                        double *sse, int *maxerr)
{
    const palette *p = &m->pal;
    double e2 = 0;
    int emax = maxerr ? *maxerr : 0;
    for (size_t i = 0; i < npix; i++) {
        int r, g, b;
        if (C == 1) r = g = b = px[i];
        else r = px[3 * i], g = px[3 * i + 1], b = px[3 * i + 2];
        int k;
        if (p->gray && r == g && g == b) {
            k = r;
        } else if (m->cache) {
            uint32_t key = (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b;
            if (!m->cache[key]) m->cache[key] = (uint16_t)(nearest(p, r, g, b) + 1);
            k = m->cache[key] - 1;
        } else {
            k = nearest(p, r, g, b);
        }
        idx[i] = (uint8_t)k;
        int d[3] = {r - p->rgb[k][0], g - p->rgb[k][1], b - p->rgb[k][2]};
        for (int c = 0; c < (C == 1 ? 1 : 3); c++) {
            e2 += (double)d[c] * d[c];
            int a = d[c] < 0 ? -d[c] : d[c];
            if (a > emax) emax = a;
        }
    }
    if (sse) *sse += e2;
    if (maxerr) *maxerr = emax;
}
