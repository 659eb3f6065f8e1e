#include "eval/evaluate.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "data/take.h"
#include "eval/nearest.h"

#define EVAL_CHUNK 500

eval_options eval_options_default(void)
{
    eval_options o = {10000, 100, 1000, 3, 1000, 1};
    return o;
}

/* Features (and probabilities) of n images from a source, chunk by chunk; the first nn_keep
 * images are kept in *kept for the nearest-neighbour search. */
static int gather(classifier *cls, eval_source_fn source, void *ctx, long n, int labelled,
                  float *features, float *probs, int *labels, float *kept, long nn_keep,
                  dc_err *e)
{
    size_t item = (size_t)cls->C * cls->H * cls->W;
    int fd = classifier_feature_dim(cls);
    float *img = dc_calloc((size_t)EVAL_CHUNK * item, sizeof(float));
    int rc = 0;
    for (long i0 = 0; i0 < n && rc == 0; i0 += EVAL_CHUNK) {
        long m = n - i0 < EVAL_CHUNK ? n - i0 : EVAL_CHUNK;
        rc = source(ctx, img, labelled ? labels + i0 : NULL, m, e);
        if (rc != 0) break;
        classifier_run(cls, img, m, features + (size_t)i0 * fd,
                       probs ? probs + (size_t)i0 * cls->classes : NULL);
        if (kept && i0 < nn_keep) {
            long k = nn_keep - i0 < m ? nn_keep - i0 : m;
            memcpy(kept + (size_t)i0 * item, img, sizeof(float) * item * (size_t)k);
        }
    }
    free(img);
    return rc;
}

typedef struct {
    dataset_stream *s;
} stream_ctx;

static int stream_source(void *ctx, float *images, int *labels, long count, dc_err *e)
{
    return dataset_stream_next(((stream_ctx *)ctx)->s, images, labels, count, e);
}

int eval_reference_init(eval_reference *r, classifier *cls, const dataset *train,
                        const eval_options *o, dc_err *e)
{
    memset(r, 0, sizeof *r);
    if (train->C != cls->C || train->H != cls->H || train->W != cls->W)
        return dc_fail(e, "the classifier takes %dx%dx%d images, the data are %dx%dx%d",
                       cls->H, cls->W, cls->C, train->H, train->W, train->C);
    r->cls = cls;
    r->train = train;
    r->o = *o;
    r->n = o->n < train->count ? o->n : train->count;
    r->features = dc_calloc((size_t)r->n * classifier_feature_dim(cls), sizeof(float));
    stream_ctx sc = {dataset_stream_open(train, r->n, o->seed ^ 0x7261696eu, e)};
    int rc = sc.s ? gather(cls, stream_source, &sc, r->n, 0, r->features, NULL, NULL, NULL, 0, e)
                  : -1;
    dataset_stream_close(sc.s);
    if (rc == 0) rc = feature_stats_compute(&r->stats, r->features, r->n,
                                            classifier_feature_dim(cls), e);
    if (rc != 0) eval_reference_free(r);
    return rc;
}

void eval_reference_free(eval_reference *r)
{
    if (!r) return;
    free(r->features);
    feature_stats_free(&r->stats);
    memset(r, 0, sizeof *r);
}

/* Mean RMSE to the nearest training image of nq images in [0, 1]. */
static int nearest_rmse(const eval_reference *r, const float *img, long nq, double *out,
                        dc_err *e)
{
    nearest_hit *hits = dc_calloc((size_t)nq, sizeof *hits);
    int rc = nearest_search(r->train, img, (int)nq, 1, hits, e);
    double s = 0, vals = (double)r->cls->C * r->cls->H * r->cls->W;
    for (long i = 0; rc == 0 && i < nq; i++) s += sqrt(hits[i].dist2 / vals);
    free(hits);
    if (rc == 0) *out = s / (double)nq;
    return rc;
}

static int compute(eval_reference *r, const float *feat, const float *probs, const int *labels,
                   const float *kept, long n, long nn_n, eval_metrics *m, dc_err *e)
{
    const eval_options *o = &r->o;
    int fd = classifier_feature_dim(r->cls), k = r->cls->classes;
    feature_stats st;
    if (feature_stats_compute(&st, feat, n, fd, e) != 0) return -1;
    int rc = metrics_frechet_distance(&r->stats, &st, &m->fid, e);
    feature_stats_free(&st);
    if (rc != 0) return -1;
    rng_state rng;
    rng_init(&rng, o->seed);
    metrics_kid(r->features, r->n, feat, n, fd, o->kid_subsets, o->kid_subset_size, &rng,
                &m->kid, &m->kid_std);
    metrics_precision_recall(r->features, r->n, feat, n, fd, o->pr_k, &m->precision,
                             &m->recall);
    m->entropy = metrics_class_entropy(probs, n, k, NULL);
    m->entropy_max = log((double)k);
    m->label_accuracy = labels ? metrics_label_accuracy(probs, n, k, labels) : NAN;
    m->nn_rmse = NAN;
    m->nn_n = nn_n;
    return nn_n > 0 ? nearest_rmse(r, kept, nn_n, &m->nn_rmse, e) : 0;
}

int eval_measure(eval_reference *r, eval_source_fn source, void *ctx, int labelled,
                 eval_metrics *m, dc_err *e)
{
    double t0 = clock_seconds();
    memset(m, 0, sizeof *m);
    classifier *cls = r->cls;
    long n = r->o.n;
    if (n <= r->o.pr_k || n < 2) return dc_fail(e, "-n %ld: too few images to measure", n);
    long nn_n = r->o.nn_samples < n ? r->o.nn_samples : n;
    size_t item = (size_t)cls->C * cls->H * cls->W;
    float *feat = dc_calloc((size_t)n * classifier_feature_dim(cls), sizeof(float));
    float *probs = dc_calloc((size_t)n * cls->classes, sizeof(float));
    int *labels = labelled ? dc_calloc((size_t)n, sizeof(int)) : NULL;
    float *kept = nn_n > 0 ? dc_calloc((size_t)nn_n * item, sizeof(float)) : NULL;
    int rc = gather(cls, source, ctx, n, labelled, feat, probs, labels, kept, nn_n, e);
    if (rc == 0) rc = compute(r, feat, probs, labels, kept, n, nn_n, m, e);
    m->n = n;
    m->seconds = clock_seconds() - t0;
    free(feat);
    free(probs);
    free(labels);
    free(kept);
    return rc;
}

int eval_measure_dataset(eval_reference *r, const dataset *ds, uint64_t seed, eval_metrics *m,
                         dc_err *e)
{
    if (ds->C != r->cls->C || ds->H != r->cls->H || ds->W != r->cls->W)
        return dc_fail(e, "held-out images are %dx%dx%d, the classifier's %dx%dx%d", ds->H,
                       ds->W, ds->C, r->cls->H, r->cls->W, r->cls->C);
    eval_options keep = r->o;
    if (r->o.n > ds->count) r->o.n = ds->count;
    stream_ctx sc = {dataset_stream_open(ds, r->o.n, seed, e)};
    int labelled = ds->labels && ds->num_classes == r->cls->classes;
    int rc = sc.s ? eval_measure(r, stream_source, &sc, labelled, m, e) : -1;
    dataset_stream_close(sc.s);
    r->o = keep;
    return rc;
}

static void add_number(cJSON *o, const char *key, double v)
{
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

char *eval_metrics_json(const eval_metrics *m, const char *prefix_fields)
{
    cJSON *o = cJSON_CreateObject();
    add_number(o, "n", (double)m->n);
    add_number(o, "fid", m->fid);
    add_number(o, "kid", m->kid);
    add_number(o, "kid_std", m->kid_std);
    add_number(o, "precision", m->precision);
    add_number(o, "recall", m->recall);
    add_number(o, "class_entropy", m->entropy);
    add_number(o, "class_entropy_max", m->entropy_max);
    add_number(o, "label_accuracy", m->label_accuracy);
    add_number(o, "nn_rmse", m->nn_rmse);
    add_number(o, "nn_n", (double)m->nn_n);
    add_number(o, "seconds", m->seconds);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    DC_ASSERT(body != NULL, "out of memory");
    if (!prefix_fields || !*prefix_fields) return body;
    size_t len = strlen(body) + strlen(prefix_fields) + 1;
    char *s = dc_calloc(len, 1);
    snprintf(s, len, "{%s%s", prefix_fields, body + 1);
    free(body);
    return s;
}

int eval_classifier_path(char *buf, size_t n, const char *out_dir, const char *dataset, int C,
                         int H, int W, dc_err *e)
{
    size_t len = strlen(dataset);
    while (len > 1 && dataset[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && dataset[start - 1] != '/') start--;
    int w = snprintf(buf, n, "%s/classifiers/%.*s-%dx%dx%d.safetensors", out_dir,
                     (int)(len - start), dataset + start, H, W, C);
    if (w < 0 || (size_t)w >= n) return dc_fail(e, "%s: classifier path too long", out_dir);
    return 0;
}

void eval_model_source_init(eval_model_source *s, dcgan_model *m, z_dist zdist, float lo,
                            float hi, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->zdist = zdist;
    s->lo = lo;
    s->hi = hi;
    rng_init(&s->rng, seed);
}

int eval_model_source_fn(void *ctx, float *images, int *labels, long count, dc_err *e)
{
    (void)e;
    eval_model_source *s = ctx;
    const dcgan_config *c = &s->m->cfg;
    int yd = c->y_dim;
    float *z = dc_calloc((size_t)count * c->z_dim, sizeof(float));
    float *y = yd > 0 ? dc_calloc((size_t)count * yd, sizeof(float)) : NULL;
    z_dist_draw(s->zdist, &s->rng, z, (size_t)count * c->z_dim);
    for (long i = 0; yd > 0 && i < count; i++) {
        int label = (int)((s->produced + i) % yd);
        y[(size_t)i * yd + label] = 1.0f;
        if (labels) labels[i] = label;
    }
    dcgan_model_generate(s->m, z, y, (int)count, images);
    size_t total = (size_t)count * dcgan_config_image_floats(c);
    float scale = s->hi > s->lo ? 1.0f / (s->hi - s->lo) : 1.0f;
    for (size_t i = 0; i < total; i++) images[i] = (images[i] - s->lo) * scale;
    s->produced += count;
    free(z);
    free(y);
    return 0;
}
