#include "eval/classifier.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/rng.h"
#include "data/loader.h"
#include "data/take.h"
#include "eval/metrics.h"

#define CLASSIFIER_INIT_STD 0.02f
#define CLASSIFIER_LOADER_THREADS 2

classifier_train_options classifier_train_defaults(void)
{
    classifier_train_options o = {15, 100, 1e-3f, 1, 1, 0, 0};
    return o;
}

static void build_layers(classifier *c, int batch)
{
    net *n = &c->net;
    net_begin(n, c->be, "classifier", batch, c->C, c->H, c->W, 0);
    int h = c->H, w = c->W, ch = 32;
    for (int i = 0; i == 0 || ((h > 4 || w > 4) && i < 6); i++) {
        char name[32];
        snprintf(name, sizeof name, "c_h%d_conv", i);
        net_conv(n, name, ch);
        snprintf(name, sizeof name, "c_bn%d", i);
        net_batchnorm(n, name);
        net_activation(n, LAYER_LRELU);
        h = (h + 1) / 2;
        w = (w + 1) / 2;
        if (ch < 256) ch *= 2;
    }
    const layer *last = &n->layers[n->n_layers - 1];
    net_reshape(n, last->C * last->H * last->W, 1, 1);
    net_linear(n, "c_fc", CLASSIFIER_FEATURES);
    net_batchnorm(n, "c_bn_fc");
    net_activation(n, LAYER_LRELU);
    c->feature_layer = n->n_layers - 1;
    net_linear(n, "c_logits", c->classes);
}

int classifier_create(classifier *c, const char *device, int batch, int C, int H, int W,
                      int classes, char *const *class_names, dc_err *e)
{
    memset(c, 0, sizeof *c);
    if (classes < 2) return dc_fail(e, "a classifier needs at least 2 classes (got %d)", classes);
    if (C < 1 || H < 4 || W < 4)
        return dc_fail(e, "a classifier needs images of at least 4x4 (got %dx%dx%d)", H, W, C);
    ops_options oo = {device ? device : "cpu", CONV_BACKEND_AUTO, OPS_PRECISION_FP32};
    c->be = ops_open(&oo, e);
    if (!c->be) return -1;
    c->C = C;
    c->H = H;
    c->W = W;
    c->classes = classes;
    c->class_names = dc_calloc((size_t)classes, sizeof *c->class_names);
    for (int i = 0; i < classes; i++)
        snprintf(c->class_names[i], CLASSIFIER_NAME_MAX, "%s",
                 class_names && class_names[i] ? class_names[i] : "");
    for (int i = 0; i < classes; i++)
        if (!c->class_names[i][0]) snprintf(c->class_names[i], CLASSIFIER_NAME_MAX, "%d", i);
    build_layers(c, batch);
    if (net_finish(&c->net) != 0) {
        classifier_free(c);
        return dc_fail(e, "the classifier's convolutions cannot run on %s", oo.device);
    }
    c->dlogits = ops_alloc(c->be, (size_t)batch * classes);
    c->host_logits = dc_calloc((size_t)batch * classes, sizeof(float));
    return 0;
}

void classifier_free(classifier *c)
{
    if (!c) return;
    if (c->be) {
        if (c->dlogits) ops_free(c->be, c->dlogits);
        net_free(&c->net);
        ops_close(c->be);
    }
    free(c->class_names);
    free(c->host_logits);
    memset(c, 0, sizeof *c);
}

int classifier_feature_dim(const classifier *c)
{
    return c->net.layers[c->feature_layer].C;
}

double classifier_xent(const float *logits, const int *labels, int n, int classes,
                       float *dlogits)
{
    double total = 0;
    for (int i = 0; i < n; i++) {
        const float *z = logits + (size_t)i * classes;
        double mx = z[0], sum = 0;
        for (int k = 1; k < classes; k++)
            if (z[k] > mx) mx = z[k];
        for (int k = 0; k < classes; k++) sum += exp(z[k] - mx);
        total += log(sum) + mx - z[labels[i]];
        for (int k = 0; dlogits && k < classes; k++) {
            double p = exp(z[k] - mx) / sum;
            dlogits[(size_t)i * classes + k] = (float)((p - (k == labels[i])) / n);
        }
    }
    return total / n;
}

/* ---------------------------------------------------------------------------- inference */

void classifier_run(classifier *c, const float *images, long n, float *features, float *probs)
{
    net *nt = &c->net;
    int b = nt->batch, k = c->classes, fd = CLASSIFIER_FEATURES;
    size_t item = (size_t)c->C * c->H * c->W;
    float *chunk = dc_calloc((size_t)b * item, sizeof(float));
    float *feat = dc_calloc((size_t)b * fd, sizeof(float));
    for (long i0 = 0; i0 < n; i0 += b) {
        long m = n - i0 < b ? n - i0 : b;
        /* a short last chunk is padded with zeros: batch norm runs on its moving averages,
         * so the padding changes nothing */
        memcpy(chunk, images + (size_t)i0 * item, sizeof(float) * item * (size_t)m);
        memset(chunk + item * (size_t)m, 0, sizeof(float) * item * (size_t)(b - m));
        net_set_input(nt, chunk, 0, NULL);
        net_forward(nt, 0);
        if (features) {
            ops_to_host(c->be, feat, nt->layers[c->feature_layer].out, (size_t)b * fd);
            memcpy(features + (size_t)i0 * fd, feat, sizeof(float) * fd * (size_t)m);
        }
        if (probs) {
            net_read_output(nt, c->host_logits, b);
            for (long i = 0; i < m; i++) {
                const float *z = c->host_logits + i * k;
                float *p = probs + (size_t)(i0 + i) * k;
                float mx = z[0];
                double sum = 0;
                for (int j = 1; j < k; j++) mx = z[j] > mx ? z[j] : mx;
                for (int j = 0; j < k; j++) sum += exp((double)z[j] - mx);
                for (int j = 0; j < k; j++) p[j] = (float)(exp((double)z[j] - mx) / sum);
            }
        }
    }
    free(chunk);
    free(feat);
}

double classifier_accuracy(classifier *c, const float *images, const int *labels, long n)
{
    float *probs = dc_calloc((size_t)n * c->classes, sizeof(float));
    classifier_run(c, images, n, NULL, probs);
    double acc = metrics_label_accuracy(probs, n, c->classes, labels);
    free(probs);
    return acc;
}

/* ----------------------------------------------------------------------------- training */

/* Labels from the loader's one-hot rows; images from the set's range to [0, 1], each flipped
 * left-right with probability 1/2 when flip is set. */
static void prepare_batch(const classifier *c, const dataset *ds, float *img, const float *onehot,
                          int *labels, int flip, rng_state *r)
{
    int b = c->net.batch;
    size_t item = (size_t)c->C * c->H * c->W;
    float lo, hi;
    dataset_range(ds, &lo, &hi);
    float scale = hi > lo ? 1.0f / (hi - lo) : 1.0f;
    for (size_t i = 0; i < (size_t)b * item; i++) img[i] = (img[i] - lo) * scale;
    for (int i = 0; i < b; i++) {
        labels[i] = 0;
        for (int k = 0; k < c->classes; k++)
            if (onehot[(size_t)i * c->classes + k] > 0.5f) labels[i] = k;
        if (!flip || (rng_next_u64(r) & 1)) continue;
        float *x = img + (size_t)i * item;
        for (int row = 0; row < c->C * c->H; row++)
            for (int a = 0, z = c->W - 1; a < z; a++, z--) {
                float t = x[row * c->W + a];
                x[row * c->W + a] = x[row * c->W + z];
                x[row * c->W + z] = t;
            }
    }
}

/* One step: forward, loss, backward, Adam. Returns the batch's loss; *right counts its
 * correct predictions. */
static double train_step(classifier *c, const float *img, const int *labels, long t,
                         const adam_config *ac, float *host_dlogits, long *right)
{
    net *nt = &c->net;
    int b = nt->batch, k = c->classes;
    net_set_input(nt, img, 0, NULL);
    net_forward(nt, 1);
    net_read_output(nt, c->host_logits, b);
    double loss = classifier_xent(c->host_logits, labels, b, k, host_dlogits);
    for (int i = 0; i < b; i++)
        *right += metrics_argmax(c->host_logits + (size_t)i * k, k) == labels[i];
    ops_from_host(c->be, c->dlogits, host_dlogits, (size_t)b * k);
    param_store_zero_grads(&nt->ps);
    net_backward(nt, c->dlogits, 1, 0);
    ops_adam_update(c->be, nt->ps.params, nt->ps.grads, nt->ps.adam_m, nt->ps.adam_v,
                    nt->ps.n_params, t, ac);
    return loss;
}

static int test_accuracy(classifier *c, const dataset *test, dc_err *e);

int classifier_train(classifier *c, const dataset *train, const dataset *test,
                     const classifier_train_options *o, dc_err *e)
{
    if (train->num_classes != c->classes || !train->labels)
        return dc_fail(e, "the training set has %d classes, the classifier %d",
                       train->num_classes, c->classes);
    int b = c->net.batch;
    rng_state r;
    rng_init(&r, o->seed);
    param_store_init_values(&c->net.ps, &r, CLASSIFIER_INIT_STD);
    loader *l = loader_create(train, b, o->seed, o->max_train, 0, 1, CLASSIFIER_LOADER_THREADS,
                              2, e);
    if (!l) return -1;
    long per_epoch = loader_batches_per_epoch(l), total = per_epoch * o->epochs, t = 0;
    size_t item = (size_t)c->C * c->H * c->W;
    float *img = dc_calloc((size_t)b * item, sizeof(float));
    float *onehot = dc_calloc((size_t)b * c->classes, sizeof(float));
    float *dl = dc_calloc((size_t)b * c->classes, sizeof(float));
    int *labels = dc_calloc((size_t)b, sizeof(int));
    adam_config ac = adam_config_default();
    ac.beta1 = 0.9f;
    double t0 = clock_seconds();
    int rc = 0;
    for (int ep = 0; ep < o->epochs && rc == 0; ep++) {
        double loss = 0;
        long right = 0;
        for (long s = 0; s < per_epoch && rc == 0; s++) {
            long le, lb;
            if ((rc = loader_next(l, img, onehot, &le, &lb, e)) != 0) break;
            prepare_batch(c, train, img, onehot, labels, o->flip, &r);
            /* cosine decay from lr to 0 over the run */
            ac.lr = (float)(0.5 * o->lr * (1.0 + cos(M_PI * (double)t / (double)total)));
            loss += train_step(c, img, labels, ++t, &ac, dl, &right);
        }
        double el = clock_seconds() - t0, rate = t * (double)b / (el > 0 ? el : 1e-9);
        if (!o->quiet && rc == 0)
            log_info("classifier: epoch %d/%d  loss %.4f  train accuracy %.4f  %.0f img/s  "
                     "ETA %.0f s", ep + 1, o->epochs, loss / per_epoch,
                     (double)right / ((double)per_epoch * b), rate,
                     (double)(total - t) * b / (rate > 0 ? rate : 1));
    }
    free(img);
    free(onehot);
    free(dl);
    free(labels);
    loader_free(l);
    if (rc == 0 && test) rc = test_accuracy(c, test, e);
    return rc;
}

/* On at most 10,000 items of the test set (all of Fashion-MNIST's t10k), held in memory. */
static int test_accuracy(classifier *c, const dataset *test, dc_err *e)
{
    if (test->num_classes != c->classes || !test->labels)
        return dc_fail(e, "the test set has %d classes, the classifier %d", test->num_classes,
                       c->classes);
    long n = test->count, right = 0, chunk = 10000;
    size_t item = (size_t)c->C * c->H * c->W;
    if (chunk > n) chunk = n;
    float *img = dc_calloc((size_t)chunk * item, sizeof(float));
    int *labels = dc_calloc((size_t)chunk, sizeof(int));
    int rc = dataset_take(test, chunk, 1, img, labels, e);
    if (rc == 0) right = lround(classifier_accuracy(c, img, labels, chunk) * (double)chunk);
    free(img);
    free(labels);
    if (rc != 0) return -1;
    c->test_accuracy = (double)right / (double)chunk;
    c->test_count = chunk;
    return 0;
}
