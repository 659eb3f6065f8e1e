/* Data sets: IDX files held in memory, image folders listed here and decoded on demand by the
 * loader (data/loader.c). */
#include "data/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/idx.h"
#include "data/lmdb_source.h"
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
    if (ds->attribute_names)
        for (int i = 0; i < ds->num_attributes; i++) free(ds->attribute_names[i]);
    free(ds->attribute_names);
    free(ds->attributes);
    free(ds->images);
    if (ds->paths)
        for (int i = 0; i < ds->count; i++) free(ds->paths[i]);
    free(ds->paths);
    lmdb_source_free(ds->db);
    memset(ds, 0, sizeof *ds);
}

int dataset_load_item(const dataset *ds, int i, const image_spec *spec, float *out, dc_err *e)
{
    if (ds->db) return lmdb_source_load(ds->db, i, spec, out, e);
    return image_load(ds->paths[i], spec, out, e);
}

void dataset_item_name(const dataset *ds, int i, char *buf, size_t n)
{
    if (ds->db) lmdb_source_name(ds->db, i, buf, n);
    else if (ds->paths) snprintf(buf, n, "%s", ds->paths[i]);
    else snprintf(buf, n, "item %d", i);
}

void dataset_keep_items(dataset *ds, const int *keep, int n)
{
    for (int j = 0; j < n; j++) {
        if (ds->labels) ds->labels[j] = ds->labels[keep[j]];
        if (ds->attributes && ds->num_attributes > 0)
            memmove(ds->attributes + (size_t)j * ds->num_attributes,
                    ds->attributes + (size_t)keep[j] * ds->num_attributes, (size_t)ds->num_attributes);
    }
    if (ds->db) {
        lmdb_source_keep(ds->db, keep, n);
    } else if (ds->paths) {
        int k = 0;
        for (int i = 0; i < ds->count; i++) {
            if (k < n && keep[k] == i) ds->paths[k++] = ds->paths[i];
            else free(ds->paths[i]);
        }
    }
    ds->count = n;
}

/* ------------------------------------------------------------------------------------ LMDB */

#define LMDB_PROBE_ITEMS 16

int dataset_open_lmdb(dataset *ds, const char *dir, const image_spec *spec, dc_err *e)
{
    memset(ds, 0, sizeof *ds);
    if (spec->out_h <= 0 || spec->out_w <= 0 ||
        (spec->channels != 0 && spec->channels != 1 && spec->channels != 3))
        return dc_fail(e, "%s: invalid image spec (output %dx%d, %d channels)", dir, spec->out_h,
                       spec->out_w, spec->channels);
    ds->db = lmdb_source_open(dir, e);
    if (!ds->db) return -1;
    int n = lmdb_source_count(ds->db), probe = n < LMDB_PROBE_ITEMS ? n : LMDB_PROBE_ITEMS;
    int good = 0, gray = 1;
    dc_err first = {{0}};
    for (int i = 0; i < probe; i++) {
        int c;
        dc_err why;
        if (lmdb_source_probe(ds->db, i, &c, &why) != 0) {
            if (!first.msg[0]) first = why;
            continue;
        }
        good++;
        gray &= c == 1;
    }
    if (good == 0) {
        dc_fail(e, "%s/data.mdb: none of its first %d values is a usable image (the first: %s)",
                dir, probe, first.msg);
        dataset_free(ds);
        return -1;
    }
    ds->count = n;
    ds->spec = *spec;
    if (ds->spec.channels == 0) ds->spec.channels = gray ? 1 : 3;
    ds->C = ds->spec.channels;
    ds->H = spec->out_h;
    ds->W = spec->out_w;
    ds->lo = spec->lo;
    ds->hi = spec->hi;
    return 0;
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
    return dataset_load_idx_parts(ds, dir, DATASET_IDX_TRAIN | DATASET_IDX_TEST, 1, e);
}

int dataset_load_idx_parts(dataset *ds, const char *dir, int parts_mask, int shuffle, dc_err *e)
{
    memset(ds, 0, sizeof *ds);
    static const char *const parts[2] = {"train", "t10k"};
    uint8_t *px[2] = {NULL, NULL}, *lab[2] = {NULL, NULL};
    int cnt[2] = {0, 0}, rows = 0, cols = 0;
    char *ipath = NULL, *lpath = NULL;
    int *perm = NULL;
    int rc = -1;
    int first = -1;
    for (int p = 0; p < 2; p++) {
        if (!(parts_mask & (1 << p))) continue;
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
        if (first < 0) {
            first = p;
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
    if (shuffle) {
        rng_state r;
        rng_init(&r, IDX_SHUFFLE_SEED);
        rng_shuffle(&r, perm, (size_t)n);
    }
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
static int glob_files(const char *dir, const char *pattern, strvec *out, int *links, dc_err *e)
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
        if (stat(g.gl_pathv[i], &st) != 0) {
            /* a link to nothing or a loop: a file the user meant, so said, not dropped quietly */
            int loop = errno == ELOOP;
            if (lstat(g.gl_pathv[i], &st) == 0 && S_ISLNK(st.st_mode) && (*links)++ < BAD_WARN_MAX)
                log_warn("%s: a symbolic link to %s; skipped", g.gl_pathv[i],
                         loop ? "itself (a loop)" : "nothing (dangling)");
            continue;
        }
        if (!S_ISREG(st.st_mode)) continue;
        strvec_push(out, xstrdup(g.gl_pathv[i]));
    }
    globfree(&g);
    if (out->n > 1) qsort(out->v, (size_t)out->n, sizeof(char *), cmp_str);
    return 0;
}

/* Images smaller than the crop window have it clamped to their size (image.c): one line says
 * how many, so a --crop --input-height meant for larger images is not taken silently. */
static void warn_small_for_crop(const char *dir, const strvec *paths, const int *chan,
                                const int *small, const image_spec *sp)
{
    int count = 0, usable = 0, first = -1;
    for (int i = 0; i < paths->n; i++) {
        usable += chan[i] != 0;
        if (!small[i]) continue;
        if (first < 0) first = i;
        count++;
    }
    int w = 0, h = 0, c;
    dc_err ignored;
    if (count > 0 && image_probe(paths->v[first], &w, &h, &c, &ignored) == 0)
        log_warn("%s: %d of %d images are smaller than the --input-height/--input-width crop "
                 "%dx%d (the first: %s, %dx%d): the crop is clamped to the image",
                 dir, count, usable, sp->crop_h, sp->crop_w, paths->v[first], w, h);
}

/* Checks every file's header (in parallel; the outcome does not depend on the thread count),
 * decides the channels if sp->channels is 0, and drops bad files (and their labels) or fails,
 * per sp->skip_bad. */
static int validate_files(const char *dir, strvec *paths, int *labels, image_spec *sp,
                          int *skipped, dc_err *e)
{
    int n = paths->n;
    int *chan = dc_calloc((size_t)n, sizeof(int)); /* 1 or 3; 0: bad */
    int *small = dc_calloc((size_t)n, sizeof(int)); /* smaller than the crop: clamped */
#pragma omp parallel for schedule(dynamic, 64)
    for (int i = 0; i < n; i++) {
        dc_err ignored;
        int c = 0, w = 0, h = 0;
        chan[i] = image_validate_dims(paths->v[i], sp, &c, &w, &h, &ignored) == 0 ? c : 0;
        small[i] = chan[i] && sp->crop && (w < sp->crop_w || h < sp->crop_h);
    }
    warn_small_for_crop(dir, paths, chan, small, sp);
    free(small);
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

/* "dir: no files match ..." with what the folder does hold: nothing, or other files (the
 * first by name, as a hint for --input-fname-pattern). */
static void fail_no_match(const char *dir, const char *pattern, dc_err *e)
{
    DIR *d = opendir(dir);
    int others = 0;
    char first[256] = "";
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.') continue;
        others++;
        if (!first[0] || strcmp(de->d_name, first) < 0) snprintf(first, sizeof first, "%s", de->d_name);
    }
    if (d) closedir(d);
    if (others == 0)
        dc_fail(e, "%s: an empty folder (no files match '%s')", dir, pattern);
    else
        dc_fail(e, "%s: no files match '%s' among its %d files (the first: '%s'; see "
                   "--input-fname-pattern)",
                dir, pattern, others, first);
}

/* A class folder whose every image was skipped is no class of the model: its name goes, the
 * later classes move up, and a line says so. */
static void drop_empty_classes(const char *dir, strvec *names, int *labels, int count)
{
    int *remap = dc_calloc((size_t)names->n, sizeof(int)), kept = 0;
    for (int i = 0; i < count; i++) remap[labels[i]] = 1;
    for (int c = 0; c < names->n; c++) {
        if (!remap[c]) {
            log_warn("%s/%s: no usable image in this class folder; the class is left out", dir,
                     names->v[c]);
            free(names->v[c]);
            remap[c] = -1;
            continue;
        }
        names->v[kept] = names->v[c];
        remap[c] = kept++;
    }
    for (int i = 0; i < count; i++) labels[i] = remap[labels[i]];
    names->n = kept;
    free(remap);
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
    int nlab = 0, caplab = 0, links = 0;
    int rc = -1;
    /* the folder itself first, for a clear message when it is missing */
    if (list_subdirs(dir, &subdirs, e) != 0) goto done;
    if (glob_files(dir, pattern, &paths, &links, e) != 0) goto done;
    if (paths.n == 0) {
        for (int i = 0; i < subdirs.n; i++) {
            char *sub = join_path(dir, subdirs.v[i]);
            strvec sf = {0};
            if (glob_files(sub, pattern, &sf, &links, e) != 0) {
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
            fail_no_match(dir, pattern, e);
        goto done;
    }
    if (links > BAD_WARN_MAX)
        log_warn("%s: %d symbolic links to nothing or to themselves skipped", dir, links);
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
    if (names.n >= 2) drop_empty_classes(dir, &names, labels, ds->count);
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
