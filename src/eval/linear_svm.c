#include "eval/linear_svm.h"

#include <linear.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/rng.h"

#define SVM_VAL_FRACTION 0.2
#define SVM_SOLVER_SEED 1u

svm_options svm_options_default(void)
{
    svm_options o;
    memset(&o, 0, sizeof o);
    static const double grid[] = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0};
    o.n_grid = (int)(sizeof grid / sizeof grid[0]);
    memcpy(o.c_grid, grid, sizeof grid);
    o.val_fraction = SVM_VAL_FRACTION;
    o.solver = SVM_SOLVER_DUAL;
    o.seed = 1;
    return o;
}

static void print_nothing(const char *s)
{
    (void)s;
}

/* Per-feature mean and 1/std of the training rows. */
typedef struct {
    double *mean, *inv_std;
} standardizer;

static int standardizer_fit(standardizer *s, const float *X, const int *idx, int n, int dim,
                            dc_err *e)
{
    s->mean = calloc((size_t)dim, sizeof(double));
    s->inv_std = calloc((size_t)dim, sizeof(double));
    if (!s->mean || !s->inv_std) return dc_fail(e, "svm: out of memory for %d features", dim);
    for (int i = 0; i < n; i++) {
        const float *x = X + (size_t)(idx ? idx[i] : i) * dim;
        for (int j = 0; j < dim; j++) s->mean[j] += x[j];
    }
    for (int j = 0; j < dim; j++) s->mean[j] /= n;
    /* two passes: the variance from the deviations, not from the sum of squares */
    for (int i = 0; i < n; i++) {
        const float *x = X + (size_t)(idx ? idx[i] : i) * dim;
        for (int j = 0; j < dim; j++) {
            double d = x[j] - s->mean[j];
            s->inv_std[j] += d * d;
        }
    }
    for (int j = 0; j < dim; j++) {
        double sd = sqrt(s->inv_std[j] / n);
        /* a constant feature (up to the rounding of its mean) carries nothing: 0 */
        s->inv_std[j] = sd > 1e-10 * fabs(s->mean[j]) && sd > 0 ? 1.0 / sd : 0.0;
    }
    return 0;
}

static void standardizer_free(standardizer *s)
{
    free(s->mean);
    free(s->inv_std);
}

/* One row as liblinear's sparse vector: the non-zero standardised values, the bias feature
 * (index dim + 1, value 1), the terminator. Returns the node after it. */
static struct feature_node *fill_row(struct feature_node *nd, const float *x,
                                     const standardizer *s, int dim)
{
    for (int j = 0; j < dim; j++) {
        double v = (x[j] - s->mean[j]) * s->inv_std[j];
        if (v == 0.0) continue;
        nd->index = j + 1;
        nd->value = v;
        nd++;
    }
    nd->index = dim + 1;
    nd->value = 1.0;
    nd[1].index = -1;
    nd[1].value = 0.0;
    return nd + 2;
}

/* The training rows in liblinear's form, in one block; rows[i] points into it. */
typedef struct {
    struct feature_node *nodes;
    struct feature_node **rows;
    double *y;
} svm_rows;

static void svm_rows_free(svm_rows *r)
{
    free(r->nodes);
    free(r->rows);
    free(r->y);
}

static int svm_rows_make(svm_rows *r, const float *X, const int *y, const int *idx, int n,
                         int dim, const standardizer *s, dc_err *e)
{
    memset(r, 0, sizeof *r);
    size_t per_row = (size_t)dim + 2;
    if ((size_t)n > SIZE_MAX / sizeof(struct feature_node) / per_row)
        return dc_fail(e, "svm: %d rows of %d features do not fit in memory", n, dim);
    r->nodes = malloc(sizeof(struct feature_node) * per_row * (size_t)n);
    r->rows = malloc(sizeof(*r->rows) * (size_t)n);
    r->y = malloc(sizeof(double) * (size_t)n);
    if (!r->nodes || !r->rows || !r->y) {
        svm_rows_free(r);
        return dc_fail(e, "svm: out of memory for %d rows of %d features (%.1f GB)", n, dim,
                       16.0 * (double)per_row * n / 1e9);
    }
    struct feature_node *at = r->nodes;
    for (int i = 0; i < n; i++) {
        int row = idx ? idx[i] : i;
        r->rows[i] = at;
        r->y[i] = y[row];
        at = fill_row(at, X + (size_t)row * dim, s, dim);
    }
    return 0;
}

static struct model *fit(const struct problem *p, const svm_options *o, double c, dc_err *e)
{
    struct parameter par;
    memset(&par, 0, sizeof par);
    par.solver_type = o->solver == SVM_SOLVER_PRIMAL ? L2R_L2LOSS_SVC : L2R_L2LOSS_SVC_DUAL;
    par.eps = o->eps > 0 ? o->eps : o->solver == SVM_SOLVER_PRIMAL ? 0.01 : 0.1;
    par.C = c;
    par.p = 0.1; /* regression only */
    const char *why = check_parameter(p, &par);
    if (why) {
        dc_fail(e, "liblinear: %s", why);
        return NULL;
    }
    /* the solvers draw their visiting order from rand(): seeded, the same fit every run */
    srand(SVM_SOLVER_SEED);
    struct model *m = train(p, &par);
    if (!m) dc_fail(e, "liblinear: the fit with C=%g failed", c);
    return m;
}

/* Splits positions 0..n-1 of the training rows into a stratified validation share and the
 * rest: val[0..*n_val) and fit[0..*n_fit). */
static int split_validation(const double *y, int n, int n_classes, const svm_options *o,
                            int *fit_pos, int *n_fit, int *val_pos, int *n_val, dc_err *e)
{
    int *by_class = malloc(sizeof(int) * (size_t)n);
    int *start = calloc((size_t)n_classes + 1, sizeof(int));
    if (!by_class || !start) {
        free(by_class);
        free(start);
        return dc_fail(e, "svm: out of memory");
    }
    for (int i = 0; i < n; i++) start[(int)y[i] + 1]++;
    for (int k = 0; k < n_classes; k++) start[k + 1] += start[k];
    int *fill = calloc((size_t)n_classes, sizeof(int));
    if (!fill) {
        free(by_class);
        free(start);
        return dc_fail(e, "svm: out of memory");
    }
    for (int i = 0; i < n; i++) {
        int k = (int)y[i];
        by_class[start[k] + fill[k]++] = i;
    }
    rng_state r;
    rng_init(&r, o->seed);
    *n_fit = *n_val = 0;
    for (int k = 0; k < n_classes; k++) {
        int cnt = start[k + 1] - start[k];
        if (cnt == 0) continue;
        rng_shuffle(&r, by_class + start[k], (size_t)cnt);
        int nv = (int)(o->val_fraction * cnt + 0.5);
        if (nv < 1) nv = 1;
        if (nv > cnt - 1) nv = cnt - 1; /* a class of one row stays in the fit */
        for (int i = 0; i < cnt; i++) {
            int pos = by_class[start[k] + i];
            if (i < nv) val_pos[(*n_val)++] = pos;
            else fit_pos[(*n_fit)++] = pos;
        }
    }
    free(by_class);
    free(start);
    free(fill);
    if (*n_val == 0) return dc_fail(e, "svm: %d training rows are too few to hold out a validation split", n);
    return 0;
}

/* Accuracy of m on rows pos[0..n) of t. */
static double score_rows(const struct model *m, const svm_rows *t, const int *pos, int n)
{
    int right = 0;
    for (int i = 0; i < n; i++)
        if (predict(m, t->rows[pos[i]]) == t->y[pos[i]]) right++;
    return n ? (double)right / n : 0.0;
}

static void report(const svm_options *o, double c, int index, double val_acc, double t0)
{
    if (!o->on_fit) return;
    svm_fit_report rep = {c, index, o->n_grid, val_acc, clock_seconds() - t0};
    o->on_fit(o->ctx, &rep);
}

/* The grid search on the training rows t (n of them): the chosen C's grid index, or -1. */
static int choose_c(const svm_rows *t, int n, int dim, int n_classes, const svm_options *o,
                    svm_result *r, dc_err *e)
{
    int *fit_pos = malloc(sizeof(int) * (size_t)n), *val_pos = malloc(sizeof(int) * (size_t)n);
    struct feature_node **x = malloc(sizeof(*x) * (size_t)n);
    double *y = malloc(sizeof(double) * (size_t)n);
    int n_fit = 0, n_val = 0, best = -1;
    if (!fit_pos || !val_pos || !x || !y) {
        dc_fail(e, "svm: out of memory");
        goto done;
    }
    if (split_validation(t->y, n, n_classes, o, fit_pos, &n_fit, val_pos, &n_val, e)) goto done;
    for (int i = 0; i < n_fit; i++) {
        x[i] = t->rows[fit_pos[i]];
        y[i] = t->y[fit_pos[i]];
    }
    struct problem sub = {n_fit, dim + 1, y, x, 1.0};
    double best_acc = -1.0;
    for (int g = 0; g < o->n_grid; g++) {
        double t0 = clock_seconds();
        struct model *m = fit(&sub, o, o->c_grid[g], e);
        if (!m) {
            best = -1;
            goto done;
        }
        double acc = score_rows(m, t, val_pos, n_val);
        free_and_destroy_model(&m);
        report(o, o->c_grid[g], g, acc, t0);
        if (acc < best_acc) break; /* past the peak: larger C only fits slower */
        if (acc > best_acc) {
            best_acc = acc;
            best = g;
        }
    }
    r->val_accuracy = best_acc;
    r->n_train = n_fit;
    r->n_val = n_val;
done:
    free(fit_pos);
    free(val_pos);
    free(x);
    free(y);
    return best;
}

static int check_inputs(const int *y, const int *train_idx, int n_train, const int *yt,
                        int n_test, int dim, int n_classes, const svm_options *o, dc_err *e)
{
    if (n_train < 2 || dim < 1 || n_test < 0 || n_classes < 2)
        return dc_fail(e, "svm: %d training rows of %d features, %d classes: too few", n_train,
                       dim, n_classes);
    if (o->n_grid < 1 || o->n_grid > SVM_MAX_GRID)
        return dc_fail(e, "svm: %d values of C (1..%d)", o->n_grid, SVM_MAX_GRID);
    for (int g = 0; g < o->n_grid; g++)
        if (!(o->c_grid[g] > 0) || (g > 0 && !(o->c_grid[g] > o->c_grid[g - 1])))
            return dc_fail(e, "svm: C values must be positive and ascending");
    int seen = -1, two = 0;
    for (int i = 0; i < n_train; i++) {
        int k = y[train_idx ? train_idx[i] : i];
        if (k < 0 || k >= n_classes) return dc_fail(e, "svm: label %d outside 0..%d", k, n_classes - 1);
        if (seen >= 0 && k != seen) two = 1;
        seen = k;
    }
    if (!two) return dc_fail(e, "svm: the training rows hold one class only");
    for (int i = 0; i < n_test; i++)
        if (yt[i] < 0 || yt[i] >= n_classes)
            return dc_fail(e, "svm: test label %d outside 0..%d", yt[i], n_classes - 1);
    return 0;
}

int linear_svm_evaluate(const float *X, const int *y, const int *train_idx, int n_train,
                        const float *Xt, const int *yt, int n_test, int dim, int n_classes,
                        const svm_options *o, svm_result *r, int *pred, dc_err *e)
{
    memset(r, 0, sizeof *r);
    if (check_inputs(y, train_idx, n_train, yt, n_test, dim, n_classes, o, e)) return -1;
    set_print_string_function(print_nothing); /* liblinear prints its progress otherwise */
    standardizer s = {NULL, NULL};
    svm_rows t;
    memset(&t, 0, sizeof t);
    struct feature_node *scratch = NULL;
    struct model *m = NULL;
    int rc = -1;
    if (standardizer_fit(&s, X, train_idx, n_train, dim, e)) goto done;
    if (svm_rows_make(&t, X, y, train_idx, n_train, dim, &s, e)) goto done;
    int best = 0;
    r->val_accuracy = -1.0;
    r->n_train = n_train;
    if (o->n_grid > 1 && (best = choose_c(&t, n_train, dim, n_classes, o, r, e)) < 0) goto done;
    r->best_c = o->c_grid[best];
    double t0 = clock_seconds();
    struct problem all = {n_train, dim + 1, t.y, t.rows, 1.0};
    if (!(m = fit(&all, o, r->best_c, e))) goto done;
    scratch = malloc(sizeof(struct feature_node) * ((size_t)dim + 2));
    if (!scratch) {
        dc_fail(e, "svm: out of memory");
        goto done;
    }
    int right = 0;
    for (int i = 0; i < n_test; i++) {
        fill_row(scratch, Xt + (size_t)i * dim, &s, dim);
        int k = (int)predict(m, scratch);
        if (pred) pred[i] = k;
        right += k == yt[i];
    }
    r->test_accuracy = n_test ? (double)right / n_test : 0.0;
    report(o, r->best_c, -1, -1.0, t0);
    rc = 0;
done:
    if (m) free_and_destroy_model(&m);
    free(scratch);
    svm_rows_free(&t);
    standardizer_free(&s);
    return rc;
}
