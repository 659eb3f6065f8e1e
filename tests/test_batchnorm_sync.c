/* Synchronised batch norm (ops_set_batchnorm_sync, ops/cpu/batchnorm_sync.c) against its
 * oracle: R replicas, each a thread with its own N items and its own backend, summing across
 * each other through a barrier, compute what one batch norm of the R*N items computes:
 *   forward: each replica's output rows, the saved mean and rstd, the moving averages;
 *   backward: each replica's input gradient rows; dgamma and dbeta of the replicas added up
 *     (each keeps its own, as the gradient all-reduce expects) equal the whole batch's;
 *   the moving-average repeat (ops_batchnorm_update_moving) counts R*N items.
 * For NCHW maps, nChw16c maps and (N, C) features (S = 1), through the CPU backend. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "ops/ops.h"
#include "testutil.h"

#define R 3 /* replicas */
#define CPU_LAYOUT_C16 1 /* the CPU backend's nChw16c id (ops_conv_native_layout offers it) */

typedef struct {
    pthread_barrier_t bar;
    double *slot[R];
} exchange;

typedef struct {
    exchange *x;
    int r;
} replica_ctx;

/* Every replica adds the slots in the same order, so all get the same bits. */
static void replica_sum(void *ctx, double *buf, size_t n)
{
    replica_ctx *c = ctx;
    c->x->slot[c->r] = buf;
    pthread_barrier_wait(&c->x->bar);
    double *t = calloc(n, sizeof *t);
    for (int r = 0; r < R; r++)
        for (size_t i = 0; i < n; i++) t[i] += c->x->slot[r][i];
    pthread_barrier_wait(&c->x->bar); /* everyone has read every slot */
    memcpy(buf, t, n * sizeof *t);
    free(t);
}

typedef struct {
    int N, C, S, layout;
    const float *x, *dy, *gamma, *beta; /* the whole batch (R*N items), plain NCHW */
} problem;

typedef struct {
    float *out, *mean, *rstd, *rmean, *rvar, *dx, *dgamma, *dbeta, *rmean2, *rvar2;
} result;

static void result_alloc(result *o, size_t items, int C)
{
    o->out = calloc(items, sizeof(float));
    o->dx = calloc(items, sizeof(float));
    float **cs[] = {&o->mean, &o->rstd, &o->rmean, &o->rvar, &o->dgamma, &o->dbeta, &o->rmean2, &o->rvar2};
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++) *cs[i] = calloc((size_t)C, sizeof(float));
    for (int c = 0; c < C; c++) o->rvar[c] = o->rvar2[c] = 1.0f;
}

static void result_free(result *o)
{
    float *all[] = {o->out, o->dx, o->mean, o->rstd, o->rmean, o->rvar, o->dgamma, o->dbeta, o->rmean2, o->rvar2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]);
}

/* nChw16c <-> NCHW for n items of C channels and S positions */
static void to_c16(float *dst, const float *src, int n, int C, int S)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < C; c++)
            for (int s = 0; s < S; s++)
                dst[(((size_t)i * (C / 16) + c / 16) * S + s) * 16 + c % 16] = src[((size_t)i * C + c) * S + s];
}

static void from_c16(float *dst, const float *src, int n, int C, int S)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < C; c++)
            for (int s = 0; s < S; s++)
                dst[((size_t)i * C + c) * S + s] = src[(((size_t)i * (C / 16) + c / 16) * S + s) * 16 + c % 16];
}

/* Forward, backward and the moving-average repeat of n items starting at item `first`, on
 * be (synchronised or not), results in plain layout. */
static void run_bn(ops_backend *be, const problem *p, int first, int n, result *o)
{
    size_t per = (size_t)p->C * p->S, cnt = (size_t)n * per;
    const float *x = p->x + first * per, *dy = p->dy + first * per;
    float *xl = malloc(cnt * sizeof(float)), *dyl = malloc(cnt * sizeof(float));
    float *out = malloc(cnt * sizeof(float)), *dx = calloc(cnt, sizeof(float));
    if (p->layout == CPU_LAYOUT_C16) {
        to_c16(xl, x, n, p->C, p->S);
        to_c16(dyl, dy, n, p->C, p->S);
    } else {
        memcpy(xl, x, cnt * sizeof(float));
        memcpy(dyl, dy, cnt * sizeof(float));
    }
    ops_batchnorm_forward_train(be, p->layout, out, o->mean, o->rstd, o->rmean, o->rvar, xl,
                                p->gamma, p->beta, n, p->C, p->S, BATCHNORM_DECAY, BATCHNORM_EPS);
    ops_batchnorm_backward(be, p->layout, dx, o->dgamma, o->dbeta, dyl, xl, o->mean, o->rstd,
                           p->gamma, n, p->C, p->S);
    ops_batchnorm_update_moving(be, o->rmean2, o->rvar2, o->mean, o->rstd, p->C,
                                (double)n * p->S, BATCHNORM_DECAY, BATCHNORM_EPS);
    if (p->layout == CPU_LAYOUT_C16) {
        from_c16(o->out + first * per, out, n, p->C, p->S);
        from_c16(o->dx + first * per, dx, n, p->C, p->S);
    } else {
        memcpy(o->out + first * per, out, cnt * sizeof(float));
        memcpy(o->dx + first * per, dx, cnt * sizeof(float));
    }
    free(xl), free(dyl), free(out), free(dx);
}

typedef struct {
    const problem *p;
    replica_ctx ctx;
    result res; /* out and dx rows of this replica; the per-channel values its own */
    result *shared; /* where its rows go */
} replica_job;

static void *replica_main(void *arg)
{
    replica_job *j = arg;
    ops_options oo = {.device = "cpu"};
    dc_err e;
    ops_backend *be = ops_open(&oo, &e);
    ops_replica_sum rs = {replica_sum, &j->ctx, R};
    ops_set_batchnorm_sync(be, &rs);
    run_bn(be, j->p, j->ctx.r * j->p->N, j->p->N, &j->res);
    int C = j->p->C;
    size_t per = (size_t)C * j->p->S, off = (size_t)j->ctx.r * j->p->N * per;
    memcpy(j->shared->out + off, j->res.out + off, (size_t)j->p->N * per * sizeof(float));
    memcpy(j->shared->dx + off, j->res.dx + off, (size_t)j->p->N * per * sizeof(float));
    ops_close(be);
    return NULL;
}

static void check_case(const char *what, int N, int C, int S, int layout)
{
    size_t per = (size_t)C * S, items = (size_t)R * N * per;
    float *x = malloc(items * sizeof(float)), *dy = malloc(items * sizeof(float));
    float *gamma = malloc((size_t)C * sizeof(float)), *beta = malloc((size_t)C * sizeof(float));
    rng_state rg;
    rng_init(&rg, 7);
    rng_normal(&rg, x, items, 3.0f, 2.0f); /* an offset mean, as after a biased layer */
    rng_normal(&rg, dy, items, 0.0f, 1.0f);
    rng_normal(&rg, gamma, (size_t)C, 1.0f, 0.1f);
    rng_normal(&rg, beta, (size_t)C, 0.0f, 0.1f);
    problem p = {N, C, S, layout, x, dy, gamma, beta};

    /* the oracle: one batch of R*N items, not synchronised */
    ops_options oo = {.device = "cpu"};
    dc_err e;
    ops_backend *be = ops_open(&oo, &e);
    problem whole = p;
    whole.N = R * N;
    result want;
    result_alloc(&want, items, C);
    run_bn(be, &whole, 0, R * N, &want);
    ops_close(be);

    exchange xc;
    pthread_barrier_init(&xc.bar, NULL, R);
    result got;
    result_alloc(&got, items, C);
    replica_job jobs[R];
    pthread_t tid[R];
    for (int r = 0; r < R; r++) {
        jobs[r].p = &p;
        jobs[r].ctx.x = &xc;
        jobs[r].ctx.r = r;
        jobs[r].shared = &got;
        result_alloc(&jobs[r].res, items, C);
        pthread_create(&tid[r], NULL, replica_main, &jobs[r]);
    }
    for (int r = 0; r < R; r++) pthread_join(tid[r], NULL);
    pthread_barrier_destroy(&xc.bar);
    /* dgamma, dbeta: each replica's own; their sum is the whole batch's */
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            got.dgamma[c] += jobs[r].res.dgamma[c];
            got.dbeta[c] += jobs[r].res.dbeta[c];
        }
    char name[160];
#define CHECK(field, n, tol)                                                   \
    snprintf(name, sizeof name, "%s: " #field, what);                          \
    check_close(name, got.field, want.field, n, tol, tol)
    CHECK(out, items, 2e-5);
    CHECK(dx, items, 2e-5);
    CHECK(dgamma, (size_t)C, 2e-5);
    CHECK(dbeta, (size_t)C, 2e-5);
    for (int r = 0; r < R; r++) { /* every replica holds the same statistics */
        result *q = &jobs[r].res;
        snprintf(name, sizeof name, "%s: replica %d mean, rstd, moving averages", what, r);
        int same = memcmp(q->mean, jobs[0].res.mean, C * sizeof(float)) == 0 &&
                   memcmp(q->rmean, jobs[0].res.rmean, C * sizeof(float)) == 0 &&
                   memcmp(q->rvar, jobs[0].res.rvar, C * sizeof(float)) == 0 &&
                   memcmp(q->rvar2, jobs[0].res.rvar2, C * sizeof(float)) == 0;
        TEST_CHECK(same, "%s differ from replica 0's", name);
    }
    result *q = &jobs[0].res;
    snprintf(name, sizeof name, "%s: mean", what);
    check_close(name, q->mean, want.mean, (size_t)C, 1e-6, 1e-6);
    snprintf(name, sizeof name, "%s: rstd", what);
    check_close(name, q->rstd, want.rstd, (size_t)C, 1e-6, 1e-6);
    snprintf(name, sizeof name, "%s: moving mean, variance (unbiased over R*N*S)", what);
    check_close(name, q->rvar, want.rvar, (size_t)C, 1e-6, 1e-6);
    check_close(name, q->rmean, want.rmean, (size_t)C, 1e-6, 1e-6);
    snprintf(name, sizeof name, "%s: moving-average repeat counts R*N*S items", what);
    check_close(name, q->rvar2, want.rvar2, (size_t)C, 1e-6, 1e-6);
    for (int r = 0; r < R; r++) result_free(&jobs[r].res);
    result_free(&got);
    result_free(&want);
    free(x), free(dy), free(gamma), free(beta);
}

int main(void)
{
    test_begin("batchnorm_sync");
    check_case("NCHW maps", 4, 8, 25, 0);
    check_case("nChw16c maps", 2, 32, 9, CPU_LAYOUT_C16);
    check_case("(N, C) features", 5, 40, 1, 0);
    return test_finish();
}
