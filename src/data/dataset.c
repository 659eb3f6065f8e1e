/* Data sets (IDX in memory, image folders decoded on demand) and the batch loader.
 *
 * Loader order. Epoch e's order is a permutation of all items drawn from an rng seeded with a
 * pure function of (seed, e), so any epoch's order can be recomputed after a resume; its first
 * items_per_epoch entries form the epoch. Global batch g of an epoch holds permutation entries
 * [g*B, (g+1)*B); there are items/B of them (the incomplete rest is dropped). Rank r of world w
 * gets global batches r, r+w, r+2w, ...; every rank gets the same count, (items/B)/w, so the
 * last (items/B) % w global batches of an epoch are dropped too. A rank's batches are numbered
 * by a sequence number s = epoch * batches_per_epoch + batch.
 *
 * File-backed prefetch. The loader keeps a window of `prefetch` slots holding sequence numbers
 * pos .. pos+prefetch-1 (pos = the next batch loader_next returns; slot = s % prefetch). Worker
 * threads take single items (slot, k) from the earliest batch with work left, decode them
 * outside the lock into the slot's buffer, then count them done. loader_next waits until its
 * slot is complete, copies it out, and re-arms the slot for s + prefetch. loader_seek stops
 * handing out work, waits until no decode is in flight (they write into slot buffers), then
 * re-arms every slot for the new position. One mutex guards all of the window's state; the
 * pixel buffers are written only by the worker holding the item and read only once the slot
 * is complete, which the consumer observes under the mutex. A failed decode is remembered per
 * slot (the lowest item index wins, so threaded and synchronous loading report the same file);
 * loader_next returns -1 for that batch and moves past it. */
#include "data/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/idx.h"
#include "core/rng.h"
#include "core/log.h"

#define IDX_SHUFFLE_SEED 547
#define BAD_WARN_MAX 10 /* warning lines for bad files when opening a folder; then a count */

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fprintf(stderr, "dcgan: out of memory listing files\n");
        exit(1);
    }
    return p;
}

static char *join_path(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] != '/';
    char *p = dc_calloc(a + b + 2, 1);
    memcpy(p, dir, a);
    if (slash) p[a] = '/';
    memcpy(p + a + slash, name, b);
    return p;
}

void dataset_free(dataset *ds)
{
    if (!ds) return;
    if (ds->class_names)
        for (int i = 0; i < ds->num_classes; i++) free(ds->class_names[i]);
    free(ds->class_names);
    free(ds->labels);
    free(ds->images);
    if (ds->paths)
        for (int i = 0; i < ds->count; i++) free(ds->paths[i]);
    free(ds->paths);
    memset(ds, 0, sizeof *ds);
}

/* ------------------------------------------------------------------------------------- IDX */

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir/base, or dir/base.gz when only that exists. */
static int find_idx_file(const char *dir, const char *base, char **out, dc_err *e)
{
    char *raw = join_path(dir, base);
    if (is_file(raw)) {
        *out = raw;
        return 0;
    }
    size_t n = strlen(raw) + 4;
    char *gz = dc_calloc(n, 1);
    snprintf(gz, n, "%s.gz", raw);
    free(raw);
    if (is_file(gz)) {
        *out = gz;
        return 0;
    }
    free(gz);
    return dc_fail(e, "%s: missing %s (or %s.gz)", dir, base, base);
}

int dataset_load_idx(dataset *ds, const char *dir, dc_err *e)
{
    memset(ds, 0, sizeof *ds);
    static const char *const parts[2] = {"train", "t10k"};
    uint8_t *px[2] = {NULL, NULL}, *lab[2] = {NULL, NULL};
    int cnt[2] = {0, 0}, rows = 0, cols = 0;
    char *ipath = NULL, *lpath = NULL;
    int *perm = NULL;
    int rc = -1;
    for (int p = 0; p < 2; p++) {
        char ibase[64], lbase[64];
        snprintf(ibase, sizeof ibase, "%s-images-idx3-ubyte", parts[p]);
        snprintf(lbase, sizeof lbase, "%s-labels-idx1-ubyte", parts[p]);
        if (find_idx_file(dir, ibase, &ipath, e) != 0) goto done;
        if (find_idx_file(dir, lbase, &lpath, e) != 0) goto done;
        int r, c, nl;
        if (idx_read_images(ipath, &px[p], &cnt[p], &r, &c, e) != 0) goto done;
        if (idx_read_labels(lpath, &lab[p], &nl, e) != 0) goto done;
        if (nl != cnt[p]) {
            dc_fail(e, "%s: %d labels, but %s has %d images", lpath, nl, ipath, cnt[p]);
            goto done;
        }
        if (p == 0) {
            rows = r;
            cols = c;
        } else if (r != rows || c != cols) {
            dc_fail(e, "%s: images are %dx%d, but the train images are %dx%d", ipath, r, c,
                    rows, cols);
            goto done;
        }
        for (int i = 0; i < nl; i++)
            if (lab[p][i] > 9) {
                dc_fail(e, "%s: label %d of item %d is outside 0..9", lpath, lab[p][i], i);
                goto done;
            }
        free(ipath);
        free(lpath);
        ipath = lpath = NULL;
    }
    if ((int64_t)cnt[0] + cnt[1] > INT_MAX) {
        dc_fail(e, "%s: too many items", dir);
        goto done;
    }
    int n = cnt[0] + cnt[1];
    size_t hw = (size_t)rows * (size_t)cols;
    ds->images = malloc(sizeof(float) * hw * (size_t)n);
    ds->labels = malloc(sizeof(int) * (size_t)n);
    perm = malloc(sizeof(int) * (size_t)n);
    if (!ds->images || !ds->labels || !perm) {
        dc_fail(e, "%s: out of memory for %d images of %dx%d", dir, n, rows, cols);
        goto done;
    }
    for (int i = 0; i < n; i++) perm[i] = i;
    rng_state r;
    rng_init(&r, IDX_SHUFFLE_SEED);
    rng_shuffle(&r, perm, (size_t)n);
    for (int i = 0; i < n; i++) {
        int src = perm[i], p = src >= cnt[0];
        int j = p ? src - cnt[0] : src;
        const uint8_t *s = px[p] + hw * (size_t)j;
        float *d = ds->images + hw * (size_t)i;
        for (size_t k = 0; k < hw; k++) d[k] = s[k] / 255.0f;
        ds->labels[i] = lab[p][j];
    }
    ds->count = n;
    ds->C = 1;
    ds->H = rows;
    ds->W = cols;
    ds->lo = 0.0f;
    ds->hi = 1.0f;
    ds->num_classes = 10;
    ds->class_names = dc_calloc(10, sizeof(char *));
    for (int i = 0; i < 10; i++) {
        ds->class_names[i] = dc_calloc(2, 1);
        ds->class_names[i][0] = (char)('0' + i);
    }
    rc = 0;
done:
    free(ipath);
    free(lpath);
    free(perm);
    for (int p = 0; p < 2; p++) {
        free(px[p]);
        free(lab[p]);
    }
    if (rc != 0) dataset_free(ds);
    return rc;
}

/* ---------------------------------------------------------------------------- image folder */

typedef struct {
    char **v;
    int n, cap;
} strvec;

static void strvec_push(strvec *s, char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        char **nv = realloc(s->v, sizeof(char *) * (size_t)s->cap);
        if (!nv) {
            fprintf(stderr, "dcgan: out of memory listing files\n");
            exit(1);
        }
        s->v = nv;
    }
    s->v[s->n++] = str;
}

static void strvec_free(strvec *s)
{
    for (int i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted subfolder names of dir (not starting with '.'). */
static int list_subdirs(const char *dir, strvec *out, dc_err *e)
{
    DIR *d = opendir(dir);
    if (!d) return dc_fail(e, "%s: cannot open folder: %s", dir, strerror(errno));
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.') continue;
        int isdir = de->d_type == DT_DIR;
        if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
            char *full = join_path(dir, name);
            struct stat st;
            isdir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
            free(full);
        }
        if (!isdir) continue;
        strvec_push(out, xstrdup(name));
    }
    closedir(d);
    if (out->n > 1) qsort(out->v, (size_t)out->n, sizeof(char *), cmp_str);
    return 0;
}

/* Regular files matching glob(3) dir/pattern (dir taken literally, pattern may hold '/'; like
 * the reference's glob, '*' does not match a leading '.'), as full paths sorted bytewise. */
static int glob_files(const char *dir, const char *pattern, strvec *out, dc_err *e)
{
    size_t n = strlen(dir);
    char *esc = dc_calloc(2 * n + 1, 1), *q = esc;
    for (const char *p = dir; *p; p++) {
        if (strchr("*?[]\\", *p)) *q++ = '\\';
        *q++ = *p;
    }
    char *pat = join_path(esc, pattern);
    free(esc);
    glob_t g;
    int rc = glob(pat, GLOB_NOSORT, NULL, &g);
    free(pat);
    if (rc == GLOB_NOMATCH) return 0;
    if (rc != 0) {
        if (rc != GLOB_NOSPACE) globfree(&g);
        return dc_fail(e, "%s: cannot list '%s': %s", dir, pattern,
                       rc == GLOB_NOSPACE ? "out of memory" : "read error");
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct stat st;
        if (stat(g.gl_pathv[i], &st) != 0 || !S_ISREG(st.st_mode)) continue;
        strvec_push(out, xstrdup(g.gl_pathv[i]));
    }
    globfree(&g);
    if (out->n > 1) qsort(out->v, (size_t)out->n, sizeof(char *), cmp_str);
    return 0;
}

/* Checks every file's header (in parallel; the outcome does not depend on the thread count),
 * decides the channels if sp->channels is 0, and drops bad files (and their labels) or fails,
 * per sp->skip_bad. */
static int validate_files(const char *dir, strvec *paths, int *labels, image_spec *sp,
                          int *skipped, dc_err *e)
{
    int n = paths->n;
    int *chan = dc_calloc((size_t)n, sizeof(int)); /* 1 or 3; 0: bad */
#pragma omp parallel for schedule(dynamic, 64)
    for (int i = 0; i < n; i++) {
        dc_err ignored;
        int c = 0;
        chan[i] = image_validate(paths->v[i], sp, &c, &ignored) == 0 ? c : 0;
    }
    int kept = 0, bad = 0, gray = 1;
    dc_err first;
    first.msg[0] = 0;
    for (int i = 0; i < n; i++) {
        if (chan[i]) {
            gray &= chan[i] == 1;
            paths->v[kept] = paths->v[i];
            if (labels) labels[kept] = labels[i];
            kept++;
            continue;
        }
        dc_err why;
        int c;
        if (image_validate(paths->v[i], sp, &c, &why) == 0) /* changed meanwhile? */
            snprintf(why.msg, sizeof why.msg, "%s: changed while being checked", paths->v[i]);
        if (!sp->skip_bad) {
            free(chan);
            return dc_fail(e, "%s (--on-bad-image fail)", why.msg);
        }
        if (!first.msg[0]) first = why;
        if (bad < BAD_WARN_MAX) log_warn("%s; skipped", why.msg);
        bad++;
        free(paths->v[i]);
    }
    free(chan);
    paths->n = kept;
    *skipped = bad;
    if (kept == 0)
        return dc_fail(e, "%s: none of its %d matching files is a usable image (the first: %s)",
                       dir, n, first.msg);
    if (bad > 0)
        log_warn("%s: skipped %d of %d files that are not usable images (--on-bad-image skip)",
                 dir, bad, n);
    if (sp->channels == 0) sp->channels = gray ? 1 : 3;
    return 0;
}

int dataset_open_folder(dataset *ds, const char *dir, const char *pattern,
                        const image_spec *spec, dc_err *e)
{
    memset(ds, 0, sizeof *ds);
    if (spec->out_h <= 0 || spec->out_w <= 0 ||
        (spec->channels != 0 && spec->channels != 1 && spec->channels != 3))
        return dc_fail(e, "%s: invalid image spec (output %dx%d, %d channels)", dir, spec->out_h,
                       spec->out_w, spec->channels);
    strvec subdirs = {0}, paths = {0}, names = {0};
    int *labels = NULL;
    int nlab = 0, caplab = 0;
    int rc = -1;
    /* the folder itself first, for a clear message when it is missing */
    if (list_subdirs(dir, &subdirs, e) != 0) goto done;
    if (glob_files(dir, pattern, &paths, e) != 0) goto done;
    if (paths.n == 0) {
        for (int i = 0; i < subdirs.n; i++) {
            char *sub = join_path(dir, subdirs.v[i]);
            strvec sf = {0};
            if (glob_files(sub, pattern, &sf, e) != 0) {
                free(sub);
                strvec_free(&sf);
                goto done;
            }
            if (sf.n > 0) {
                if (names.n >= DATASET_MAX_CLASSES) {
                    free(sub);
                    strvec_free(&sf);
                    dc_fail(e, "%s: more than %d class folders", dir, DATASET_MAX_CLASSES);
                    goto done;
                }
                int cls = names.n;
                strvec_push(&names, xstrdup(subdirs.v[i]));
                for (int k = 0; k < sf.n; k++) {
                    strvec_push(&paths, sf.v[k]);
                    sf.v[k] = NULL;
                    if (nlab == caplab) {
                        caplab = caplab ? caplab * 2 : 256;
                        int *nl = realloc(labels, sizeof(int) * (size_t)caplab);
                        if (!nl) {
                            fprintf(stderr, "dcgan: out of memory listing files\n");
                            exit(1);
                        }
                        labels = nl;
                    }
                    labels[nlab++] = cls;
                }
            }
            strvec_free(&sf);
            free(sub);
        }
    }
    if (paths.n == 0) {
        if (subdirs.n > 0)
            dc_fail(e, "%s: no files match '%s' (nor in its %d subfolders)", dir, pattern,
                    subdirs.n);
        else
            dc_fail(e, "%s: no files match '%s'", dir, pattern);
        goto done;
    }
    image_spec sp = *spec;
    int skipped = 0;
    if (validate_files(dir, &paths, labels, &sp, &skipped, e) != 0) goto done;
    ds->count = paths.n;
    ds->skipped = skipped;
    ds->paths = paths.v;
    paths.v = NULL;
    paths.n = 0;
    ds->spec = sp;
    ds->C = sp.channels;
    ds->H = sp.out_h;
    ds->W = sp.out_w;
    ds->lo = sp.lo;
    ds->hi = sp.hi;
    if (names.n >= 2) { /* one class folder is just an unlabelled set in a subfolder */
        ds->num_classes = names.n;
        ds->class_names = names.v;
        names.v = NULL;
        names.n = 0;
        ds->labels = labels;
        labels = NULL;
    }
    rc = 0;
done:
    strvec_free(&subdirs);
    strvec_free(&paths);
    strvec_free(&names);
    free(labels);
    if (rc != 0) dataset_free(ds);
    return rc;
}

/* ------------------------------------------------------------------------------------ loader */

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
    long bpe;     /* this rank's batches per epoch */
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

static void batch_indices(loader *l, long seq, int *idx)
{
    long epoch = seq / l->bpe, b = seq % l->bpe;
    long g = b * l->world + l->rank;
    const int *perm = epoch_perm(l, epoch);
    for (int k = 0; k < l->B; k++) idx[k] = perm[g * l->B + k];
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
        if (image_load(ds->paths[cand], &ds->spec, dst, &err) == 0) return cand;
        if (!ds->spec.skip_bad) {
            *e = err;
            return -1;
        }
        if (atomic_exchange(&l->bad[cand], 1) == 0) {
            atomic_fetch_add(&l->n_bad, 1);
            log_warn("%s; skipped, the next image takes its place (--on-bad-image skip)", err.msg);
        }
    }
    return dc_fail(e, "%s: no image of the data set can be decoded", ds->paths[item]);
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
    if (ds->count <= 0 || (!ds->images && !ds->paths)) {
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
        dc_fail(e, "loader: %ld batches of %d per epoch cannot be shared by %d ranks", total,
                batch_size, world);
        return NULL;
    }
    loader *l = dc_calloc(1, sizeof *l);
    l->ds = ds;
    l->B = batch_size;
    l->seed = seed;
    l->items = items;
    l->rank = rank;
    l->world = world;
    l->bpe = total / world;
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

void loader_seek(loader *l, long epoch, long batch)
{
    DC_ASSERT(epoch >= 0 && batch >= 0, "loader_seek(%ld, %ld)", epoch, batch);
    long pos = epoch * l->bpe + batch;
    if (!l->slots) {
        l->pos = pos;
        return;
    }
    if (l->threads == 0) {
        l->pos = pos;
        slot_arm(l, &l->slots[0], pos);
        return;
    }
    pthread_mutex_lock(&l->mu);
    if (pos != l->pos) {
        l->seeking = 1;
        while (l->inflight > 0) pthread_cond_wait(&l->done_cv, &l->mu);
        l->pos = pos;
        for (int j = 0; j < l->P; j++) slot_arm(l, &l->slots[(pos + j) % l->P], pos + j);
        l->seeking = 0;
        pthread_cond_broadcast(&l->work_cv);
    }
    pthread_mutex_unlock(&l->mu);
}

static void fill_onehot(const loader *l, const int *idx, float *onehot)
{
    const dataset *ds = l->ds;
    if (!onehot || !ds->labels || ds->num_classes <= 0) return;
    memset(onehot, 0, sizeof(float) * (size_t)l->B * (size_t)ds->num_classes);
    for (int k = 0; k < l->B; k++)
        onehot[(size_t)k * (size_t)ds->num_classes + (size_t)ds->labels[idx[k]]] = 1.0f;
}

int loader_next(loader *l, float *images, float *labels_onehot, long *epoch, long *batch,
                dc_err *e)
{
    const dataset *ds = l->ds;
    long seq = l->pos;
    if (epoch) *epoch = seq / l->bpe;
    if (batch) *batch = seq % l->bpe;

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
