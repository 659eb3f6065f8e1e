/* The evaluation metrics against independent implementations: tests/reference/
 * eval_metrics.safetensors holds inputs and the values scipy, scikit-learn and PyTorch compute
 * for them (tests/reference/make_eval_reference.py). Also: the classifier's softmax
 * cross-entropy gradient by finite differences, KID's subsets, and properties that must hold
 * whatever the data (FID of a set against itself, precision/recall of a set against itself). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "eval/classifier.h"
#include "eval/metrics.h"
#include "eval/nearest.h"
#include "io/safetensors.h"
#include "testutil.h"

#define FIXTURE "tests/reference/eval_metrics.safetensors"

static const safetensors_tensor *need(const safetensors_file *f, const char *name)
{
    const safetensors_tensor *t = safetensors_find(f, name);
    TEST_CHECK(t != NULL, "%s missing from " FIXTURE, name);
    return t;
}

static double scalar(const safetensors_file *f, const char *name)
{
    const safetensors_tensor *t = need(f, name);
    return t ? ((const float *)t->data)[0] : NAN;
}

static void check_rel(const char *what, double got, double want, double rtol)
{
    double err = fabs(got - want) / (fabs(want) > 1e-12 ? fabs(want) : 1.0);
    TEST_CHECK(err <= rtol, "%s: got %.9g want %.9g (rel err %.3g > %.3g)", what, got, want,
               err, rtol);
    printf("  %-22s ours %.9g  reference %.9g\n", what, got, want);
}

static void test_feature_metrics(const safetensors_file *f)
{
    const safetensors_tensor *real = need(f, "real"), *fake = need(f, "fake");
    if (!real || !fake) return;
    long nr = real->shape[0], nf = fake->shape[0];
    int d = (int)real->shape[1];
    const float *r = real->data, *g = fake->data;
    feature_stats sr, sf;
    dc_err e;
    TEST_CHECK(feature_stats_compute(&sr, r, nr, d, &e) == 0, "%s", e.msg);
    TEST_CHECK(feature_stats_compute(&sf, g, nf, d, &e) == 0, "%s", e.msg);
    double fid = -1, same = -1;
    TEST_CHECK(metrics_frechet_distance(&sr, &sf, &fid, &e) == 0, "%s", e.msg);
    TEST_CHECK(metrics_frechet_distance(&sr, &sr, &same, &e) == 0, "%s", e.msg);
    check_rel("FID (scipy sqrtm)", fid, scalar(f, "fid"), 1e-4);
    /* a set against itself: 0 up to rounding (scipy's own value is rounding too) */
    TEST_CHECK(fabs(same) < 1e-6 * fid, "FID of a set with itself %.3g", same);
    double mmd = metrics_mmd2_poly(r, nr, g, nf, d);
    check_rel("MMD^2 (sklearn)", mmd, scalar(f, "mmd2"), 1e-4);
    /* KID with one subset of the whole of both sets is the plain estimate, spread 0 */
    rng_state rng;
    rng_init(&rng, 5);
    double kid, kid_std;
    long small = nf < nr ? nf : nr;
    metrics_kid(r, small, g, small, d, 1, small, &rng, &kid, &kid_std);
    check_rel("KID, one full subset", kid, metrics_mmd2_poly(r, small, g, small, d), 1e-9);
    metrics_kid(r, nr, g, nf, d, 50, 100, &rng, &kid, &kid_std);
    TEST_CHECK(kid_std > 0 && fabs(kid - mmd) < 4 * kid_std,
               "KID over 50 subsets %.4f +- %.4f, full-set MMD^2 %.4f", kid, kid_std, mmd);
    double p, rc;
    metrics_precision_recall(r, nr, g, nf, d, 3, &p, &rc);
    /* float distances against float64 ones: a point exactly on a ball's edge could flip */
    TEST_CHECK(fabs(p - scalar(f, "precision")) <= 1.0 / nf + 1e-9, "precision %.4f want %.4f",
               p, scalar(f, "precision"));
    TEST_CHECK(fabs(rc - scalar(f, "recall")) <= 1.0 / nr + 1e-9, "recall %.4f want %.4f", rc,
               scalar(f, "recall"));
    printf("  precision / recall     ours %.4f / %.4f  reference %.4f / %.4f\n", p, rc,
           scalar(f, "precision"), scalar(f, "recall"));
    metrics_precision_recall(r, nr, r, nr, d, 3, &p, &rc);
    TEST_CHECK(p == 1.0 && rc == 1.0, "a set against itself: precision %g recall %g", p, rc);
    feature_stats_free(&sr);
    feature_stats_free(&sf);
}

static void test_class_metrics(const safetensors_file *f)
{
    const safetensors_tensor *probs = need(f, "probs"), *hist = need(f, "hist"),
                             *labels = need(f, "labels");
    if (!probs || !hist || !labels) return;
    long n = probs->shape[0];
    int k = (int)probs->shape[1];
    long h[64];
    double ent = metrics_class_entropy(probs->data, n, k, h);
    check_rel("entropy (scipy)", ent, scalar(f, "entropy"), 1e-6);
    const int64_t *wh = hist->data;
    int same = 1;
    for (int c = 0; c < k; c++) same &= h[c] == wh[c];
    TEST_CHECK(same, "class histogram differs from torch.argmax's");
    int *lab = calloc((size_t)n, sizeof(int));
    for (long i = 0; i < n; i++) lab[i] = (int)((const int64_t *)labels->data)[i];
    check_rel("label accuracy (torch)", metrics_label_accuracy(probs->data, n, k, lab),
              scalar(f, "label_accuracy"), 1e-6);
    /* a uniform histogram has the maximum entropy */
    float *u = calloc((size_t)k * k, sizeof(float));
    for (int i = 0; i < k; i++) u[i * k + i] = 1;
    check_rel("uniform entropy", metrics_class_entropy(u, k, k, NULL), log((double)k), 1e-12);
    free(u);
    free(lab);
}

static void test_xent(const safetensors_file *f)
{
    const safetensors_tensor *lg = need(f, "xent_logits"), *dl = need(f, "xent_dlogits"),
                             *labels = need(f, "labels");
    if (!lg || !dl || !labels) return;
    int n = (int)lg->shape[0], k = (int)lg->shape[1];
    int lab[64];
    for (int i = 0; i < n; i++) lab[i] = (int)((const int64_t *)labels->data)[i];
    float grad[640];
    double loss = classifier_xent(lg->data, lab, n, k, grad);
    check_rel("cross-entropy (torch)", loss, scalar(f, "xent"), 1e-6);
    check_close("cross-entropy gradient (torch autograd)", grad, dl->data, (size_t)n * k, 1e-7,
                1e-5);
    /* and by central differences in double precision */
    float x[640];
    memcpy(x, lg->data, sizeof(float) * (size_t)n * k);
    double worst = 0;
    for (int i = 0; i < n * k; i++) {
        float keep = x[i], h = 1e-2f;
        x[i] = keep + h;
        double up = classifier_xent(x, lab, n, k, NULL);
        x[i] = keep - h;
        double down = classifier_xent(x, lab, n, k, NULL);
        x[i] = keep;
        double fd = (up - down) / (2.0 * h), err = fabs(fd - grad[i]);
        if (err > worst) worst = err;
    }
    TEST_CHECK(worst < 1e-4, "finite differences differ by %.3g", worst);
}

static void test_nearest_distance(const safetensors_file *f)
{
    const safetensors_tensor *tr = need(f, "nn_train"), *q = need(f, "nn_queries"),
                             *d2 = need(f, "nn_dist2"), *ix = need(f, "nn_index");
    if (!tr || !q || !d2 || !ix) return;
    dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.count = (int)tr->shape[0];
    ds.C = (int)tr->shape[1];
    ds.H = (int)tr->shape[2];
    ds.W = (int)tr->shape[3];
    ds.hi = 1.0f;
    ds.images = (float *)tr->data; /* borrowed: not freed */
    int nq = (int)q->shape[0];
    nearest_hit hits[64];
    dc_err e;
    TEST_CHECK(nearest_search(&ds, q->data, nq, 1, hits, &e) == 0, "%s", e.msg);
    int same = 1;
    float got[64];
    for (int i = 0; i < nq; i++) {
        got[i] = (float)hits[i].dist2;
        same &= hits[i].index == (int)((const int64_t *)ix->data)[i];
    }
    TEST_CHECK(same, "nearest indices differ from torch.cdist's");
    check_close("nearest squared distance (torch.cdist)", got, d2->data, (size_t)nq, 1e-5,
                1e-5);
}

int main(void)
{
    test_begin("test_metrics");
    log_set_level(LOG_LEVEL_WARN);
    dc_err e;
    safetensors_file *f = safetensors_read(FIXTURE, &e);
    TEST_CHECK(f != NULL, "%s", e.msg);
    if (!f) return test_finish();
    test_feature_metrics(f);
    test_class_metrics(f);
    test_xent(f);
    test_nearest_distance(f);
    safetensors_free(f);
    return test_finish();
}
