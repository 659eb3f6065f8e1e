#include "data/take.h"

#include <stdlib.h>
#include <string.h>

#include "data/loader.h"

#define TAKE_BATCH_MAX 128
#define TAKE_THREADS 2

struct dataset_stream {
    const dataset *ds;
    loader *l;
    long n, given;
    int batch, nc;
    float *buf, *onehot;
    long buffered, used; /* items of buf, and how many of them were handed out */
};

/* The largest batch (<= TAKE_BATCH_MAX) whose ceil(n / batch) steps fit in one epoch (the
 * loader drops an epoch's last incomplete batch); 1 always does. */
static int take_batch(long n, long count)
{
    for (int b = n < TAKE_BATCH_MAX ? (int)n : TAKE_BATCH_MAX; b > 1; b--)
        if ((n + b - 1) / b <= count / b) return b;
    return 1;
}

dataset_stream *dataset_stream_open(const dataset *ds, long n, uint64_t seed, dc_err *e)
{
    if (n < 1 || n > ds->count) {
        dc_fail(e, "cannot take %ld items from a set of %d", n, ds->count);
        return NULL;
    }
    dataset_stream *s = dc_calloc(1, sizeof *s);
    s->ds = ds;
    s->n = n;
    s->batch = take_batch(n, ds->count);
    s->nc = ds->num_classes > 0 && ds->labels ? ds->num_classes : 0;
    s->l = loader_create(ds, s->batch, seed, 0, 0, 1, TAKE_THREADS, 2, e);
    if (!s->l) {
        free(s);
        return NULL;
    }
    size_t item = (size_t)ds->C * ds->H * ds->W;
    s->buf = dc_calloc((size_t)s->batch * item, sizeof(float));
    s->onehot = s->nc ? dc_calloc((size_t)s->batch * s->nc, sizeof(float)) : NULL;
    return s;
}

int dataset_stream_next(dataset_stream *s, float *images, int *labels, long count, dc_err *e)
{
    const dataset *ds = s->ds;
    if (count > s->n - s->given)
        return dc_fail(e, "only %ld of the %ld items drawn are left", s->n - s->given, s->n);
    size_t item = (size_t)ds->C * ds->H * ds->W;
    float lo, hi;
    dataset_range(ds, &lo, &hi);
    float scale = hi > lo ? 1.0f / (hi - lo) : 1.0f;
    for (long k = 0; k < count; k++) {
        if (s->used == s->buffered) {
            long ep, step;
            if (loader_next(s->l, s->buf, s->onehot, &ep, &step, e) != 0) return -1;
            s->buffered = s->batch;
            s->used = 0;
        }
        const float *src = s->buf + (size_t)s->used * item;
        for (size_t i = 0; i < item; i++) images[(size_t)k * item + i] = (src[i] - lo) * scale;
        if (labels) {
            labels[k] = -1;
            for (int c = 0; c < s->nc; c++)
                if (s->onehot[(size_t)s->used * s->nc + c] > 0.5f) labels[k] = c;
        }
        s->used++;
        s->given++;
    }
    return 0;
}

void dataset_stream_close(dataset_stream *s)
{
    if (!s) return;
    loader_free(s->l);
    free(s->buf);
    free(s->onehot);
    free(s);
}

int dataset_take(const dataset *ds, long n, uint64_t seed, float *images, int *labels,
                 dc_err *e)
{
    dataset_stream *s = dataset_stream_open(ds, n, seed, e);
    if (!s) return -1;
    int rc = dataset_stream_next(s, images, labels, n, e);
    dataset_stream_close(s);
    return rc;
}
