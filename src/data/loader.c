/* The batch loader: epoch orders, batches, and background decoding of file-backed sets.
 *
 * Loader order. Epoch e's order is a permutation of all items drawn from an rng seeded with a
 * pure function of (seed, e), so any epoch's order can be recomputed after a resume; its first
 * items_per_epoch entries form the epoch. A step takes one global batch of G = world * B
 * consecutive entries starting at the step's offset; rank r's batch is entries
 * [offset + r*B, offset + (r+1)*B) of it. Steps start at offset 0, G, 2G, ... of an epoch, and
 * a step that would not fit is dropped (the epoch's last items % G entries). A position is
 * (epoch, offset), offset counting the items of the epoch all ranks took before it: a run of
 * another world or batch size can continue from it. After loader_seek_items to an offset that
 * is not a multiple of G, that epoch's steps start there instead.
 * Steps are numbered from the seek point: sequence number s (0 = the step at the seek point).
 *
 * File-backed prefetch. The loader keeps a window of `prefetch` slots holding sequence numbers
 * pos .. pos+prefetch-1 (pos = the next step loader_next returns; slot = s % prefetch). Worker
 * threads take single items (slot, k) from the earliest batch with work left, decode them
 * outside the lock into the slot's buffer, then count them done. loader_next waits until its
 * slot is complete, copies it out, and re-arms the slot for s + prefetch. A seek stops
 * handing out work, waits until no decode is in flight (they write into slot buffers), then
 * re-arms every slot for the new position. One mutex guards all of the window's state; the
 * pixel buffers are written only by the worker holding the item and read only once the slot
 * is complete, which the consumer observes under the mutex. A failed decode is remembered per
 * slot (the lowest item index wins, so threaded and synchronous loading report the same file);
 * loader_next returns -1 for that batch and moves past it. */
#include "data/loader.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/log.h"

typedef struct {
    long seq;      /* this rank's batch sequence number held by the slot */
    int *idx;      /* (B) dataset items */
    float *images; /* (B, C, H, W) */
    int assigned;  /* items handed to workers */
    int done;      /* items finished */
    int err_k;     /* lowest failed item, B if none */
    dc_err err;
} lslot;

struct loader {
    const dataset *ds;
    int B;
    uint64_t seed;
    long items;   /* per epoch */
    int rank, world;
    long G;       /* items per step, all ranks: world * B */
    long bpe;     /* steps per epoch: items / G */
    long base_epoch, base_off; /* the seek point: sequence number 0 */
    size_t item_floats;
    int *perm[2]; /* cached epoch permutations, by epoch parity */
    long perm_epoch[2];
    long pos;     /* sequence number loader_next returns next */
    int *scratch; /* (B) memory-backed indices */

    /* file-backed */
    int threads, P;
    lslot *slots;
    pthread_t *tids;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* workers wait for work */
    pthread_cond_t done_cv; /* consumer / seek wait for completed items */
    int stop, seeking, inflight;
    atomic_uchar *bad;      /* (count) items found undecodable: skipped at once next time */
    atomic_int n_bad;
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Epoch's permutation of all items (caller holds the mutex when threads run). */
static const int *epoch_perm(loader *l, long epoch)
{
    int c = (int)(epoch & 1);
    if (l->perm_epoch[c] != epoch) {
        int n = l->ds->count;
        for (int i = 0; i < n; i++) l->perm[c][i] = i;
        rng_state r;
        rng_init(&r, mix64(l->seed ^ mix64((uint64_t)epoch + 0x9e3779b97f4a7c15ULL)));
        rng_shuffle(&r, l->perm[c], (size_t)n);
        l->perm_epoch[c] = epoch;
    }
    return l->perm[c];
}

/* The position (epoch, offset) of step `seq`. */
static void step_position(const loader *l, long seq, long *epoch, long *offset)
{
    long first = (l->items - l->base_off) / l->G; /* steps left in the seek point's epoch */
    if (seq < first) {
        *epoch = l->base_epoch;
        *offset = l->base_off + seq * l->G;
        return;
    }
    seq -= first;
    *epoch = l->base_epoch + 1 + seq / l->bpe;
    *offset = (seq % l->bpe) * l->G;
}

static void batch_indices(loader *l, long seq, int *idx)
{
    long epoch, off;
    step_position(l, seq, &epoch, &off);
    const int *perm = epoch_perm(l, epoch);
    const long first = off + (long)l->rank * l->B;
    for (int k = 0; k < l->B; k++) idx[k] = perm[first + k];
}

static void slot_arm(loader *l, lslot *s, long seq)
{
    s->seq = seq;
    batch_indices(l, seq, s->idx);
    s->assigned = s->done = 0;
    s->err_k = l->B;
    s->err.msg[0] = 0;
}

/* Decodes `item` into dst. With skip_bad an undecodable item is replaced by the next item (in
 * data set order, wrapping) that decodes: a pure function of the files, whichever thread asks
 * and whenever (the bad marks only save decoding a known-bad file again). Returns the item
 * used, or -1 with the message in e. */
static int load_item(loader *l, int item, float *dst, dc_err *e)
{
    const dataset *ds = l->ds;
    int n = ds->count;
    for (int t = 0; t < n; t++) {
        int cand = (int)(((long)item + t) % n);
        if (atomic_load_explicit(&l->bad[cand], memory_order_relaxed)) continue;
        dc_err err;
        if (dataset_load_item(ds, cand, &ds->spec, dst, &err) == 0) return cand;
        if (!ds->spec.skip_bad) {
            *e = err;
            return -1;
        }
        if (atomic_exchange(&l->bad[cand], 1) == 0) {
            atomic_fetch_add(&l->n_bad, 1);
            log_warn("%s; skipped, the next image takes its place (--on-bad-image skip)", err.msg);
        }
    }
    char name[4400];
    dataset_item_name(ds, item, name, sizeof name);
    return dc_fail(e, "%s: no image of the data set can be decoded", name);
}

int loader_bad_count(const loader *l)
{
    return l->bad ? atomic_load((atomic_int *)&l->n_bad) : 0;
}

static void *worker_main(void *arg)
{
    loader *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        lslot *s = NULL;
        int k = 0;
        if (!l->seeking)
            for (int j = 0; j < l->P; j++) {
                lslot *c = &l->slots[(l->pos + j) % l->P];
                if (c->assigned < l->B) {
                    s = c;
                    k = c->assigned++;
                    break;
                }
            }
        if (!s) {
            pthread_cond_wait(&l->work_cv, &l->mu);
            continue;
        }
        int item = s->idx[k];
        float *dst = s->images + l->item_floats * (size_t)k;
        l->inflight++;
        pthread_mutex_unlock(&l->mu);

        dc_err err;
        int used = load_item(l, item, dst, &err);

        pthread_mutex_lock(&l->mu);
        l->inflight--;
        if (used < 0 && k < s->err_k) {
            s->err_k = k;
            s->err = err;
        }
        if (used >= 0) s->idx[k] = used; /* its label goes with it */
        s->done++;
        if (s->done == l->B || (l->seeking && l->inflight == 0))
            pthread_cond_broadcast(&l->done_cv);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static void loader_stop_threads(loader *l)
{
    if (!l->started) return;
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_broadcast(&l->work_cv);
    pthread_mutex_unlock(&l->mu);
    for (int i = 0; i < l->started; i++) pthread_join(l->tids[i], NULL);
    l->started = 0;
}

void loader_free(loader *l)
{
    if (!l) return;
    loader_stop_threads(l);
    if (l->slots) {
        for (int i = 0; i < l->P; i++) {
            free(l->slots[i].idx);
            free(l->slots[i].images);
        }
        free(l->slots);
        pthread_mutex_destroy(&l->mu);
        pthread_cond_destroy(&l->work_cv);
        pthread_cond_destroy(&l->done_cv);
    }
    free(l->tids);
    free((void *)l->bad);
    free(l->perm[0]);
    free(l->perm[1]);
    free(l->scratch);
    free(l);
}

loader *loader_create(const dataset *ds, int batch_size, uint64_t seed, long items_per_epoch,
                      int rank, int world, int threads, int prefetch, dc_err *e)
{
    if (batch_size <= 0) {
        dc_fail(e, "loader: batch size %d must be positive", batch_size);
        return NULL;
    }
    if (world < 1 || rank < 0 || rank >= world) {
        dc_fail(e, "loader: rank %d is not in 0..%d", rank, world - 1);
        return NULL;
    }
    if (ds->count <= 0 || (!ds->images && !dataset_on_demand(ds))) {
        dc_fail(e, "loader: the data set is empty");
        return NULL;
    }
    long items = items_per_epoch > 0 && items_per_epoch < ds->count ? items_per_epoch : ds->count;
    long total = items / batch_size;
    if (total == 0) {
        dc_fail(e, "loader: %ld items per epoch, fewer than one batch of %d", items, batch_size);
        return NULL;
    }
    if (total / world == 0) {
        dc_fail(e, "loader: %ld items per epoch, fewer than one batch of %d for each of %d ranks",
                items, batch_size, world);
        return NULL;
    }
    loader *l = dc_calloc(1, sizeof *l);
    l->ds = ds;
    l->B = batch_size;
    l->seed = seed;
    l->items = items;
    l->rank = rank;
    l->world = world;
    l->G = (long)world * batch_size;
    l->bpe = items / l->G;
    l->item_floats = (size_t)ds->C * (size_t)ds->H * (size_t)ds->W;
    for (int c = 0; c < 2; c++) {
        l->perm[c] = dc_calloc((size_t)ds->count, sizeof(int));
        l->perm_epoch[c] = -1;
    }
    l->scratch = dc_calloc((size_t)batch_size, sizeof(int));
    if (ds->images) return l; /* memory-backed */

    l->bad = dc_calloc((size_t)ds->count, sizeof *l->bad);
    atomic_init(&l->n_bad, 0);
    l->threads = threads > 0 ? threads : 0;
    l->P = threads > 0 ? (prefetch > 0 ? prefetch : 2) : 1;
    l->slots = dc_calloc((size_t)l->P, sizeof(lslot));
    for (int i = 0; i < l->P; i++) {
        l->slots[i].idx = dc_calloc((size_t)batch_size, sizeof(int));
        l->slots[i].images = dc_alloc_floats(l->item_floats * (size_t)batch_size);
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->work_cv, NULL);
    pthread_cond_init(&l->done_cv, NULL);
    for (int j = 0; j < l->P; j++) slot_arm(l, &l->slots[j % l->P], j);
    if (l->threads > 0) {
        l->tids = dc_calloc((size_t)l->threads, sizeof(pthread_t));
        for (int i = 0; i < l->threads; i++) {
            int err = pthread_create(&l->tids[i], NULL, worker_main, l);
            if (err != 0) {
                dc_fail(e, "loader: cannot start decoding thread: %s", strerror(err));
                loader_free(l);
                return NULL;
            }
            l->started++;
        }
    }
    return l;
}

long loader_batches_per_epoch(const loader *l)
{
    return l->bpe;
}

void loader_seek_items(loader *l, long epoch, long offset)
{
    DC_ASSERT(epoch >= 0 && offset >= 0, "loader_seek_items(%ld, %ld)", epoch, offset);
    if (!l->slots) {
        l->base_epoch = epoch, l->base_off = offset, l->pos = 0;
        return;
    }
    if (l->threads == 0) {
        l->base_epoch = epoch, l->base_off = offset, l->pos = 0;
        slot_arm(l, &l->slots[0], 0);
        return;
    }
    pthread_mutex_lock(&l->mu);
    l->seeking = 1;
    while (l->inflight > 0) pthread_cond_wait(&l->done_cv, &l->mu);
    l->base_epoch = epoch, l->base_off = offset, l->pos = 0;
    for (int j = 0; j < l->P; j++) slot_arm(l, &l->slots[j], j);
    l->seeking = 0;
    pthread_cond_broadcast(&l->work_cv);
    pthread_mutex_unlock(&l->mu);
}

void loader_seek(loader *l, long epoch, long batch)
{
    DC_ASSERT(batch >= 0 && batch < l->bpe, "loader_seek(%ld, %ld)", epoch, batch);
    loader_seek_items(l, epoch, batch * l->G);
}

void loader_tell_items(const loader *l, long *epoch, long *offset)
{
    step_position(l, l->pos, epoch, offset);
}

long loader_steps_left(const loader *l, long epochs)
{
    long epoch, off;
    step_position(l, l->pos, &epoch, &off);
    if (epoch >= epochs) return 0;
    long left = (l->items - off) / l->G, more = epochs - 1 - epoch;
    if (more > (LONG_MAX - left) / l->bpe) return LONG_MAX;
    return left + more * l->bpe;
}

/* The condition of each item: one-hot over the classes, or multi-hot over the attributes. */
static void fill_onehot(const loader *l, const int *idx, float *onehot)
{
    const dataset *ds = l->ds;
    int yd = dataset_y_dim(ds);
    if (!onehot || yd <= 0 || (!ds->labels && !ds->attributes)) return;
    memset(onehot, 0, sizeof(float) * (size_t)l->B * (size_t)yd);
    for (int k = 0; k < l->B; k++) {
        float *y = onehot + (size_t)k * (size_t)yd;
        if (ds->num_classes > 0) {
            y[ds->labels[idx[k]]] = 1.0f;
            continue;
        }
        const uint8_t *a = ds->attributes + (size_t)idx[k] * (size_t)yd;
        for (int c = 0; c < yd; c++) y[c] = a[c] ? 1.0f : 0.0f;
    }
}

int loader_next(loader *l, float *images, float *labels_onehot, long *epoch, long *batch,
                dc_err *e)
{
    const dataset *ds = l->ds;
    long seq = l->pos, ep, off;
    step_position(l, seq, &ep, &off);
    if (epoch) *epoch = ep;
    if (batch) *batch = off / l->G;

    if (!l->slots) { /* memory-backed */
        batch_indices(l, seq, l->scratch);
        for (int k = 0; k < l->B; k++)
            memcpy(images + l->item_floats * (size_t)k,
                   ds->images + l->item_floats * (size_t)l->scratch[k],
                   sizeof(float) * l->item_floats);
        fill_onehot(l, l->scratch, labels_onehot);
        l->pos++;
        return 0;
    }

    lslot *s = &l->slots[seq % l->P];
    if (l->threads == 0) {
        for (int k = 0; k < l->B; k++) {
            int used = load_item(l, s->idx[k], s->images + l->item_floats * (size_t)k, &s->err);
            if (used < 0) {
                s->err_k = k;
                break;
            }
            s->idx[k] = used;
        }
    } else {
        pthread_mutex_lock(&l->mu);
        while (s->done < l->B) pthread_cond_wait(&l->done_cv, &l->mu);
        pthread_mutex_unlock(&l->mu);
    }
    int rc = 0;
    if (s->err_k < l->B) {
        rc = dc_fail(e, "%s", s->err.msg);
    } else {
        memcpy(images, s->images, sizeof(float) * l->item_floats * (size_t)l->B);
        fill_onehot(l, s->idx, labels_onehot);
    }
    if (l->threads == 0) {
        l->pos = seq + 1;
        slot_arm(l, s, l->pos);
    } else {
        pthread_mutex_lock(&l->mu);
        l->pos = seq + 1;
        slot_arm(l, s, seq + l->P);
        pthread_cond_broadcast(&l->work_cv);
        pthread_mutex_unlock(&l->mu);
    }
    return rc;
}
