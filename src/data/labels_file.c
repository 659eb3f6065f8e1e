/* Labels files (CelebA's attribute list, CSV) read into a table, then matched to a folder's
 * items. The whole file is read once (at most LABELS_MAX_BYTES) and split in place. */
#include "data/labels_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABELS_MAX_BYTES (1L << 30)
#define LABELS_LIST_CHARS 300 /* of the columns listed when --attributes names a missing one */

typedef struct {
    const char *path;
    char *text;         /* the file, split in place */
    int ncols;          /* value columns */
    char **col_names;   /* (ncols) into text */
    int is_class;       /* a `file,class` CSV */
    int rows;
    char **files;       /* (rows) into text */
    char **classes;     /* class files: (rows) into text */
    uint8_t *vals;      /* attribute files: (rows, ncols) */
    int *order;         /* rows sorted by file name */
} labels_table;

static void table_free(labels_table *t)
{
    free(t->text);
    free(t->col_names);
    free(t->files);
    free(t->classes);
    free(t->vals);
    free(t->order);
}

static int read_text(const char *path, char **out, dc_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return dc_fail(e, "%s: cannot open the labels file: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n + 1 >= cap) {
            char *nb = cap > (size_t)LABELS_MAX_BYTES ? NULL : realloc(b, cap * 2);
            if (!nb) break;
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            int err = ferror(f);
            fclose(f);
            if (err) {
                free(b);
                return dc_fail(e, "%s: read error", path);
            }
            b[n] = 0;
            if (strlen(b) != n) {
                free(b);
                return dc_fail(e, "%s: not a text file (NUL bytes)", path);
            }
            *out = b;
            return 0;
        }
    }
    fclose(f);
    free(b);
    return dc_fail(e, "%s: larger than %ld bytes, or out of memory", path, LABELS_MAX_BYTES);
}

/* The next line of *p (ended by \n, \r\n or the end), NUL-terminated in place; NULL at the end. */
static char *next_line(char **p)
{
    if (!**p) return NULL;
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = 0;
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r') line[len - 1] = 0;
    return line;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

/* Splits line in place at sep (0: runs of white space) into at most max fields. */
static int split(char *line, char sep, char **f, int max)
{
    int n = 0;
    char *p = line;
    if (!sep) {
        char *save = NULL;
        for (char *t = strtok_r(p, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            if (n == max) return max + 1;
            f[n++] = t;
        }
        return n;
    }
    for (;;) {
        char *c = strchr(p, sep);
        if (c) *c = 0;
        if (n == max) return max + 1;
        f[n++] = trim(p);
        if (!c) return n;
        p = c + 1;
    }
}

static int parse_value(const char *s, uint8_t *v)
{
    if (strcmp(s, "1") == 0 || strcmp(s, "+1") == 0) *v = 1;
    else if (strcmp(s, "-1") == 0 || strcmp(s, "0") == 0) *v = 0;
    else return -1;
    return 0;
}

static int is_count(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* The rows after the header: file then ncols values (or a class). */
static int parse_rows(labels_table *t, char *p, char sep, int line_no, dc_err *e)
{
    int cap = 1024, max = t->ncols + 1;
    char **f = dc_calloc((size_t)max + 1, sizeof *f);
    t->files = dc_calloc((size_t)cap, sizeof *t->files);
    if (t->is_class) t->classes = dc_calloc((size_t)cap, sizeof *t->classes);
    else t->vals = dc_calloc((size_t)cap * t->ncols, 1);
    int rc = 0;
    for (char *line; (line = next_line(&p)) != NULL;) {
        line_no++;
        if (!*trim(line)) continue;
        int n = split(line, sep, f, max);
        if (n != max) {
            rc = dc_fail(e, "%s:%d: %s%d values, the header names %d %s", t->path, line_no,
                         n > max ? "more than " : "", n > max ? t->ncols : n - 1, t->ncols,
                         t->is_class ? "class" : "attributes");
            break;
        }
        if (t->rows == cap) {
            if (cap > 1 << 29) {
                rc = dc_fail(e, "%s: too many lines", t->path);
                break;
            }
            cap *= 2;
            char **nf = realloc(t->files, sizeof *nf * (size_t)cap);
            if (nf) t->files = nf;
            void *nv = t->is_class ? (void *)realloc(t->classes, sizeof(char *) * (size_t)cap)
                                   : (void *)realloc(t->vals, (size_t)cap * t->ncols);
            if (nv && t->is_class) t->classes = nv;
            else if (nv) t->vals = nv;
            if (!nf || !nv) {
                rc = dc_fail(e, "%s: out of memory", t->path);
                break;
            }
        }
        t->files[t->rows] = f[0];
        if (t->is_class) {
            t->classes[t->rows] = f[1];
        } else {
            for (int c = 0; c < t->ncols && rc == 0; c++)
                if (parse_value(f[c + 1], &t->vals[(size_t)t->rows * t->ncols + c]) != 0)
                    rc = dc_fail(e, "%s:%d: '%s' is not 1, -1 or 0 (attribute %s)", t->path,
                                 line_no, f[c + 1], t->col_names[c]);
            if (rc) break;
        }
        t->rows++;
    }
    free(f);
    return rc;
}

static int parse_table(labels_table *t, dc_err *e)
{
    char *p = t->text, *first;
    int line_no = 1;
    while ((first = next_line(&p)) != NULL && !*trim(first)) line_no++;
    if (!first) return dc_fail(e, "%s: empty labels file", t->path);
    long count = -1;
    char sep = ',';
    char *header = first;
    if (is_count(trim(first))) { /* CelebA: the count, then the names */
        count = strtol(first, NULL, 10);
        header = next_line(&p);
        line_no++;
        sep = 0;
        if (!header) return dc_fail(e, "%s: no attribute names after the count", t->path);
    }
    int max = 1 + (int)strlen(header) / 2 + 1;
    char **f = dc_calloc((size_t)max + 1, sizeof *f);
    int n = split(header, sep, f, max);
    int celeba = sep == 0;
    int names_from = celeba ? 0 : 1; /* a CSV's header starts with the file column's name */
    t->ncols = n - names_from;
    if (t->ncols < 1) {
        free(f);
        return dc_fail(e, "%s:%d: the header names no %s", t->path, line_no,
                       celeba ? "attributes" : "column after the file name");
    }
    t->is_class = !celeba && t->ncols == 1 &&
                  (strcasecmp(f[1], "class") == 0 || strcasecmp(f[1], "label") == 0);
    t->col_names = dc_calloc((size_t)t->ncols, sizeof *t->col_names);
    for (int c = 0; c < t->ncols; c++) t->col_names[c] = f[names_from + c];
    free(f);
    for (int a = 0; a < t->ncols; a++)
        for (int b = a + 1; b < t->ncols; b++)
            if (strcmp(t->col_names[a], t->col_names[b]) == 0)
                return dc_fail(e, "%s: column '%s' named twice", t->path, t->col_names[a]);
    if (parse_rows(t, p, sep, line_no, e) != 0) return -1;
    if (count >= 0 && count != t->rows)
        return dc_fail(e, "%s: the first line says %ld images, but %d lines follow the names",
                       t->path, count, t->rows);
    if (t->rows == 0) return dc_fail(e, "%s: no labelled files", t->path);
    return 0;
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
    const labels_table *t = ctx;
    return strcmp(t->files[*(const int *)a], t->files[*(const int *)b]);
}

/* The row whose file is name, or -1. */
static int find_row(const labels_table *t, const char *name)
{
    int lo = 0, hi = t->rows - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(t->files[t->order[mid]], name);
        if (c == 0) return t->order[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

static int index_rows(labels_table *t, dc_err *e)
{
    t->order = dc_calloc((size_t)t->rows, sizeof(int));
    for (int i = 0; i < t->rows; i++) t->order[i] = i;
    qsort_r(t->order, (size_t)t->rows, sizeof(int), cmp_rows, t);
    for (int i = 1; i < t->rows; i++)
        if (strcmp(t->files[t->order[i]], t->files[t->order[i - 1]]) == 0)
            return dc_fail(e, "%s: '%s' is listed twice", t->path, t->files[t->order[i]]);
    return 0;
}

/* Each item's row: by its path under dir, else by its base name. */
static int match_items(const labels_table *t, const dataset *ds, const char *dir, int *row,
                       dc_err *e)
{
    size_t dl = strlen(dir);
    int missing = 0, first = -1;
    for (int i = 0; i < ds->count; i++) {
        const char *p = ds->paths[i];
        const char *rel = strncmp(p, dir, dl) == 0 && p[dl] == '/' ? p + dl + 1 : p;
        const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
        row[i] = find_row(t, rel);
        if (row[i] < 0) row[i] = find_row(t, base);
        if (row[i] < 0 && missing++ == 0) first = i;
    }
    if (missing)
        return dc_fail(e, "%s: no entry in the labels file %s (%d of the folder's %d files have "
                          "none)", ds->paths[first], t->path, missing, ds->count);
    return 0;
}

static int cmp_class(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    if (is_count(x) && is_count(y) && strlen(x) != strlen(y)) return strlen(x) < strlen(y) ? -1 : 1;
    return strcmp(x, y);
}

static int apply_classes(const labels_table *t, dataset *ds, const int *row, dc_err *e)
{
    const char **names = dc_calloc((size_t)ds->count, sizeof *names);
    int n = 0;
    for (int i = 0; i < ds->count; i++) names[n++] = t->classes[row[i]];
    qsort(names, (size_t)n, sizeof *names, cmp_class);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 || strcmp(names[i], names[k - 1]) != 0) names[k++] = names[i];
    if (k > DATASET_MAX_CLASSES) {
        free(names);
        return dc_fail(e, "%s: %d classes, more than %d", t->path, k, DATASET_MAX_CLASSES);
    }
    ds->num_classes = k;
    ds->class_names = dc_calloc((size_t)k, sizeof(char *));
    for (int c = 0; c < k; c++) {
        size_t l = strlen(names[c]) + 1;
        ds->class_names[c] = dc_calloc(l, 1);
        memcpy(ds->class_names[c], names[c], l);
    }
    ds->labels = dc_calloc((size_t)ds->count, sizeof(int));
    for (int i = 0; i < ds->count; i++) {
        const char *want = t->classes[row[i]];
        const char **hit = bsearch(&want, names, (size_t)k, sizeof *names, cmp_class);
        ds->labels[i] = (int)(hit - names);
    }
    free(names);
    return 0;
}

/* The columns --attributes names, in its order (all of them when empty). */
static int pick_columns(const labels_table *t, const char *attributes, int **cols, int *n,
                        dc_err *e)
{
    *cols = dc_calloc((size_t)t->ncols, sizeof(int));
    *n = 0;
    if (!attributes || !*attributes) {
        for (int c = 0; c < t->ncols; c++) (*cols)[(*n)++] = c;
        return 0;
    }
    size_t len = strlen(attributes);
    char *buf = dc_calloc(len + 1, 1), *save = NULL;
    memcpy(buf, attributes, len);
    int rc = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        tok = trim(tok);
        int c = 0;
        while (c < t->ncols && strcmp(t->col_names[c], tok) != 0) c++;
        if (c == t->ncols) {
            char list[LABELS_LIST_CHARS + 8];
            size_t l = 0;
            list[0] = 0;
            for (int k = 0; k < t->ncols && l < LABELS_LIST_CHARS; k++)
                l += (size_t)snprintf(list + l, sizeof list - l, "%s%s", k ? ", " : "", t->col_names[k]);
            if (l >= LABELS_LIST_CHARS) snprintf(list + LABELS_LIST_CHARS, 8, ", ...");
            rc = dc_fail(e, "--attributes: '%s' is not a column of %s (it has: %s)", tok, t->path, list);
        }
        for (int k = 0; k < *n && rc == 0; k++)
            if ((*cols)[k] == c) rc = dc_fail(e, "--attributes: '%s' given twice", tok);
        if (rc == 0) {
            if (*n == t->ncols) rc = dc_fail(e, "--attributes: too many names");
            else (*cols)[(*n)++] = c;
        }
    }
    free(buf);
    if (rc == 0 && *n == 0) rc = dc_fail(e, "--attributes: no attribute named");
    return rc;
}

static int apply_attributes(const labels_table *t, dataset *ds, const int *row,
                            const char *attributes, dc_err *e)
{
    int *cols, n;
    if (pick_columns(t, attributes, &cols, &n, e) != 0) {
        free(cols);
        return -1;
    }
    ds->num_attributes = n;
    ds->attribute_names = dc_calloc((size_t)n, sizeof(char *));
    for (int k = 0; k < n; k++) {
        size_t l = strlen(t->col_names[cols[k]]) + 1;
        ds->attribute_names[k] = dc_calloc(l, 1);
        memcpy(ds->attribute_names[k], t->col_names[cols[k]], l);
    }
    ds->attributes = dc_calloc((size_t)ds->count * n, 1);
    for (int i = 0; i < ds->count; i++)
        for (int k = 0; k < n; k++)
            ds->attributes[(size_t)i * n + k] = t->vals[(size_t)row[i] * t->ncols + cols[k]];
    free(cols);
    return 0;
}

int labels_file_apply(dataset *ds, const char *dir, const char *path, const char *attributes,
                      dc_err *e)
{
    if (!ds->paths) return dc_fail(e, "--labels-file %s: labels files label image folders only", path);
    labels_table t;
    memset(&t, 0, sizeof t);
    t.path = path;
    int rc = read_text(path, &t.text, e);
    if (rc == 0) rc = parse_table(&t, e);
    if (rc == 0 && t.is_class && attributes && *attributes)
        rc = dc_fail(e, "--attributes: %s holds classes (file,class), not attributes", path);
    if (rc == 0) rc = index_rows(&t, e);
    int *row = rc == 0 ? dc_calloc((size_t)ds->count, sizeof(int)) : NULL;
    if (rc == 0) rc = match_items(&t, ds, dir, row, e);
    if (rc == 0) { /* the file's labels replace class folders' */
        for (int c = 0; ds->class_names && c < ds->num_classes; c++) free(ds->class_names[c]);
        free(ds->class_names);
        free(ds->labels);
        ds->class_names = NULL;
        ds->labels = NULL;
        ds->num_classes = 0;
        rc = t.is_class ? apply_classes(&t, ds, row, e) : apply_attributes(&t, ds, row, attributes, e);
    }
    free(row);
    table_free(&t);
    return rc;
}
