#include "eval/nearest.h"

#include <float.h>
#include <omp.h>
#include <string.h>

#include "data/image.h"

#define NEAREST_CHUNK 512

static void insert_hit(nearest_hit *h, int k, int index, double d2)
{
    if (d2 >= h[k - 1].dist2) return;
    int j = k - 1;
    while (j > 0 && h[j - 1].dist2 > d2) {
        h[j] = h[j - 1];
        j--;
    }
    h[j].index = index;
    h[j].dist2 = d2;
}

int nearest_search(const dataset *ds, const float *queries, int nq, int k, nearest_hit *hits,
                   dc_err *e)
{
    size_t per = (size_t)ds->C * ds->H * ds->W;
    for (int i = 0; i < nq * k; i++) {
        hits[i].index = -1;
        hits[i].dist2 = DBL_MAX;
    }
    int chunk = ds->images ? ds->count : NEAREST_CHUNK;
    if (chunk > ds->count) chunk = ds->count;
    float *buf = ds->images ? NULL : dc_alloc_floats((size_t)chunk * per);
    double *d2 = dc_calloc((size_t)chunk * nq, sizeof *d2);
    float lo = ds->images ? ds->lo : ds->spec.lo, hi = ds->images ? ds->hi : ds->spec.hi;
    float scale = 1.0f / (hi - lo);
    int rc = 0;
    for (int start = 0; start < ds->count && rc == 0; start += chunk) {
        int n = ds->count - start < chunk ? ds->count - start : chunk;
        const float *items = ds->images ? ds->images + (size_t)start * per : buf;
        int failed = 0;
        dc_err first;
        if (!ds->images) {
#pragma omp parallel for schedule(dynamic, 4)
            for (int i = 0; i < n; i++) {
                dc_err ie;
                if (dataset_load_item(ds, start + i, &ds->spec, buf + (size_t)i * per, &ie) != 0) {
#pragma omp critical
                    {
                        if (!failed) first = ie;
                        failed = 1;
                    }
                }
            }
            if (failed) {
                rc = dc_fail(e, "%s", first.msg);
                break;
            }
        }
#pragma omp parallel for schedule(static)
        for (int i = 0; i < n; i++) {
            const float *x = items + (size_t)i * per;
            for (int q = 0; q < nq; q++) {
                const float *y = queries + (size_t)q * per;
                double s = 0;
                for (size_t p = 0; p < per; p++) {
                    float d = (x[p] - lo) * scale - y[p];
                    s += (double)d * d;
                }
                d2[(size_t)i * nq + q] = s;
            }
        }
        for (int i = 0; i < n; i++)
            for (int q = 0; q < nq; q++) insert_hit(hits + (size_t)q * k, k, start + i, d2[(size_t)i * nq + q]);
    }
    free(buf);
    free(d2);
    return rc;
}
