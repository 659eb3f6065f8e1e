#include "eval/protocol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

/* Seeds of the protocol's random choices, apart so that they do not repeat one another. */
#define SEED_SUBSET 0x300u /* the all-labels subset (--max-train) */
#define SEED_DRAW 0x100u   /* few-label draw d: SEED_DRAW + d */
#define SEED_SPLIT 0x200u  /* validation splits */

protocol_options protocol_options_default(void)
{
    protocol_options o;
    memset(&o, 0, sizeof o);
    o.all_labels = 1;
    o.labels_per_class = 100;
    o.draws = 10;
    o.seed = 1;
    o.svm = svm_options_default();
    return o;
}

static uint64_t mix(uint64_t seed, uint64_t what)
{
    rng_state r;
    rng_init(&r, seed ^ (what * 0x9E3779B97F4A7C15ull));
    return rng_next_u64(&r);
}

/* labels_per_class rows of every class, drawn from rng seed; idx receives
 * n_classes * per_class row numbers. */
static int draw_rows(const int *y, int n, int n_classes, int per_class, uint64_t seed, int *idx,
                     dc_err *e)
{
    int *perm = malloc(sizeof(int) * (size_t)n);
    int *taken = calloc((size_t)n_classes, sizeof(int));
    if (!perm || !taken) {
        free(perm);
        free(taken);
        return dc_fail(e, "protocol: out of memory");
    }
    for (int i = 0; i < n; i++) perm[i] = i;
    rng_state r;
    rng_init(&r, seed);
    rng_shuffle(&r, perm, (size_t)n);
    int got = 0;
    for (int i = 0; i < n; i++) {
        int k = y[perm[i]];
        if (taken[k] < per_class) {
            taken[k]++;
            idx[got++] = perm[i];
        }
    }
    int rc = 0;
    for (int k = 0; k < n_classes && rc == 0; k++)
        if (taken[k] < per_class)
            rc = dc_fail(e, "class %d has %d training items, fewer than %d labels per class", k,
                         taken[k], per_class);
    free(perm);
    free(taken);
    return rc;
}

static double mode_of(const double *v, int n)
{
    double best = v[0];
    int best_count = 0;
    for (int i = 0; i < n; i++) {
        int c = 0;
        for (int j = 0; j < n; j++) c += v[j] == v[i];
        if (c > best_count || (c == best_count && v[i] < best)) {
            best = v[i];
            best_count = c;
        }
    }
    return best;
}

static int run_all(const float *Xtr, const int *ytr, int n_train, const float *Xte,
                   const int *yte, int n_test, int dim, int n_classes, const protocol_options *o,
                   protocol_result *r, dc_err *e)
{
    int rows = o->max_train > 0 && o->max_train < n_train ? o->max_train : n_train;
    int *idx = NULL;
    if (rows < n_train) {
        idx = malloc(sizeof(int) * (size_t)n_train);
        if (!idx) return dc_fail(e, "protocol: out of memory");
        for (int i = 0; i < n_train; i++) idx[i] = i;
        rng_state rs;
        rng_init(&rs, mix(o->seed, SEED_SUBSET));
        rng_shuffle(&rs, idx, (size_t)n_train);
    }
    if (o->on_stage) o->on_stage(o->ctx, "all", rows);
    svm_options so = o->svm;
    so.seed = mix(o->seed, SEED_SPLIT);
    svm_result sr;
    int rc = linear_svm_evaluate(Xtr, ytr, idx, rows, Xte, yte, n_test, dim, n_classes, &so,
                                 &sr, NULL, e);
    free(idx);
    if (rc) return -1;
    r->have_all = 1;
    r->all_accuracy = sr.test_accuracy;
    r->all_c = sr.best_c;
    r->all_rows = rows;
    return 0;
}

int protocol_run(const float *Xtr, const int *ytr, int n_train, const float *Xte,
                 const int *yte, int n_test, int dim, int n_classes, const protocol_options *o,
                 protocol_result *r, dc_err *e)
{
    memset(r, 0, sizeof *r);
    if (o->draws < 0 || o->draws > PROTOCOL_MAX_DRAWS || (o->draws > 0 && o->labels_per_class < 1))
        return dc_fail(e, "protocol: %d draws of %d labels per class", o->draws,
                       o->labels_per_class);
    if (o->all_labels &&
        run_all(Xtr, ytr, n_train, Xte, yte, n_test, dim, n_classes, o, r, e))
        return -1;
    if (o->draws == 0) return 0;
    if ((long long)n_classes * o->labels_per_class > n_train)
        return dc_fail(e, "%d labels per class: the training split has %d items for %d classes",
                       o->labels_per_class, n_train, n_classes);
    int rows = n_classes * o->labels_per_class;
    int *idx = malloc(sizeof(int) * (size_t)rows);
    if (!idx) return dc_fail(e, "protocol: out of memory");
    if (o->on_stage) o->on_stage(o->ctx, "few", rows);
    int rc = 0;
    for (int d = 0; d < o->draws && rc == 0; d++) {
        rc = draw_rows(ytr, n_train, n_classes, o->labels_per_class,
                       mix(o->seed, SEED_DRAW + (uint64_t)d), idx, e);
        svm_options so = o->svm;
        so.seed = mix(o->seed, SEED_SPLIT + 1 + (uint64_t)d);
        svm_result sr;
        if (rc == 0)
            rc = linear_svm_evaluate(Xtr, ytr, idx, rows, Xte, yte, n_test, dim, n_classes, &so,
                                     &sr, NULL, e);
        if (rc) break;
        r->few_accuracy[d] = sr.test_accuracy;
        r->few_c[d] = sr.best_c;
        r->draws = d + 1;
        if (o->on_draw) o->on_draw(o->ctx, d + 1, o->draws, sr.test_accuracy, sr.best_c);
    }
    free(idx);
    if (rc) return -1;
    double sum = 0, ss = 0;
    for (int d = 0; d < r->draws; d++) sum += r->few_accuracy[d];
    r->few_mean = sum / r->draws;
    for (int d = 0; d < r->draws; d++)
        ss += (r->few_accuracy[d] - r->few_mean) * (r->few_accuracy[d] - r->few_mean);
    r->few_std = r->draws > 1 ? sqrt(ss / (r->draws - 1)) : 0.0;
    r->few_c_mode = mode_of(r->few_c, r->draws);
    return 0;
}
