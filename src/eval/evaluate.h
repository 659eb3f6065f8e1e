/* The numbers `dcgan eval` and `dcgan train --eval-every` report: a set of images (generated,
 * or real held-out images for the floor) measured against the training images through the
 * domain classifier (eval/classifier.h) with the metrics of eval/metrics.h, and against the
 * training pixels for the memorisation check (eval/nearest.h). */
#ifndef DCGAN_EVAL_EVALUATE_H
#define DCGAN_EVAL_EVALUATE_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "data/dataset.h"
#include "eval/classifier.h"
#include "eval/metrics.h"
#include "model/dcgan.h"
#include "model/zdist.h"

typedef struct {
    long n;               /* images measured, and training images they are measured against */
    int kid_subsets;      /* 100 */
    long kid_subset_size; /* 1000 */
    int pr_k;             /* 3 */
    long nn_samples;      /* images whose nearest training image is searched (1000) */
    uint64_t seed;
} eval_options;

eval_options eval_options_default(void);

typedef struct {
    long n;
    double fid;
    double kid, kid_std;        /* mean and spread over the subsets */
    double precision, recall;
    double entropy, entropy_max; /* of the predicted-class histogram; log(classes) */
    double label_accuracy;      /* images with labels (conditioned or true); NAN without */
    double nn_rmse;             /* mean over nn_n images of the RMSE (pixels in [0, 1]) to the
                                 * nearest training image; NAN if not measured */
    long nn_n;
    double seconds;
} eval_metrics;

/* The training side, computed once: n training images' classifier features and statistics. */
typedef struct {
    classifier *cls;      /* borrowed */
    const dataset *train; /* borrowed: the reference images and the nearest-neighbour set */
    eval_options o;
    float *features;      /* (n, feature_dim) */
    long n;
    feature_stats stats;
} eval_reference;

int eval_reference_init(eval_reference *r, classifier *cls, const dataset *train,
                        const eval_options *o, dc_err *e);
void eval_reference_free(eval_reference *r);

/* Where the images come from: fills count images (C, H, W) in [0, 1] and, for labelled
 * images, labels (NULL when the source has none). */
typedef int (*eval_source_fn)(void *ctx, float *images, int *labels, long count, dc_err *e);

/* Measures r->o.n images from the source against the reference. labelled: the source gives
 * labels (the conditioned class, or the true class of real images). */
int eval_measure(eval_reference *r, eval_source_fn source, void *ctx, int labelled,
                 eval_metrics *m, dc_err *e);

/* A labelled data set as a source (the held-out floor): seed draws the items. */
int eval_measure_dataset(eval_reference *r, const dataset *ds, uint64_t seed, eval_metrics *m,
                         dc_err *e);

/* The metrics as one JSON object (no newline); caller frees. prefix_fields (may be NULL) is
 * inserted first, e.g. "\"iteration\":200,". */
char *eval_metrics_json(const eval_metrics *m, const char *prefix_fields);

/* OUT_DIR/classifiers/<dataset's last path component>-HxWxC.safetensors */
int eval_classifier_path(char *buf, size_t n, const char *out_dir, const char *dataset, int C,
                         int H, int W, dc_err *e);


/* A generator (G of a model, in sampling mode) as a source: latent vectors from zdist drawn
 * with seed; for a conditional model the labels cycle through the classes (balanced), and are
 * the labels reported. [lo, hi] is G's output range. */
typedef struct {
    dcgan_model *m;
    z_dist zdist;
    float lo, hi;
    rng_state rng;
    long produced;
} eval_model_source;

void eval_model_source_init(eval_model_source *s, dcgan_model *m, z_dist zdist, float lo,
                            float hi, uint64_t seed);
int eval_model_source_fn(void *ctx, float *images, int *labels, long count, dc_err *e);

#endif
