/* Sample-quality metrics over feature vectors (rows of n x d float arrays, e.g. a classifier's
 * penultimate features of real and generated images) and over class predictions. Pure
 * arithmetic on host memory: OpenBLAS for the products, LAPACKE for the eigendecompositions.
 * docs/evaluation.md says what each number means; tests/test_metrics.c checks each against
 * scipy / scikit-learn / PyTorch on committed fixtures. */
#ifndef DCGAN_EVAL_METRICS_H
#define DCGAN_EVAL_METRICS_H

#include <stdint.h>
#include "core/error.h"
#include "core/rng.h"

/* Mean and covariance (unbiased, n - 1, as numpy.cov) of n >= 2 feature vectors. */
typedef struct {
    int d;
    long n;
    double *mean; /* d */
    double *cov;  /* d x d, row-major, symmetric */
} feature_stats;

int feature_stats_compute(feature_stats *s, const float *x, long n, int d, dc_err *e);
void feature_stats_free(feature_stats *s);

/* Frechet distance between the Gaussians fitted to two feature sets (FID when the features are
 * Inception's; here a domain classifier's):
 *   |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2)),
 * the trace of the square root taken as sum(sqrt(eig(S_a^(1/2) S_b S_a^(1/2)))), with the
 * square roots by symmetric eigendecompositions (LAPACKE_dsyevd). Returns -1 if LAPACK fails. */
int metrics_frechet_distance(const feature_stats *a, const feature_stats *b, double *out,
                             dc_err *e);

/* Unbiased MMD^2 (Binkowski et al. 2018) between x (m x d) and y (n x d), m, n >= 2, with the
 * cubic polynomial kernel k(a, b) = (a.b / d + 1)^3. */
double metrics_mmd2_poly(const float *x, long m, const float *y, long n, int d);

/* KID: MMD^2 as above over `subsets` random subsets of `subset_size` rows drawn without
 * replacement from each set (subset_size is cut to the smaller set); mean and standard
 * deviation over the subsets. */
void metrics_kid(const float *x, long m, const float *y, long n, int d, int subsets,
                 long subset_size, rng_state *r, double *mean, double *std);

/* Improved precision and recall (Kynkaenniemi et al. 2019): each real vector's ball reaches
 * its k-th nearest real neighbour (itself excluded), each fake's its k-th nearest fake.
 * precision: the share of fakes inside some real ball; recall: the share of reals inside
 * some fake ball. Needs n_real, n_fake > k. */
void metrics_precision_recall(const float *real, long n_real, const float *fake, long n_fake,
                              int d, int k, double *precision, double *recall);

/* Entropy (nats) of the histogram of predicted classes (argmax of each row of probs,
 * n x classes); log(classes) when every class is predicted equally often. hist (may be
 * NULL) receives the counts. */
double metrics_class_entropy(const float *probs, long n, int classes, long *hist);

/* Share of rows whose argmax is the given label. */
double metrics_label_accuracy(const float *probs, long n, int classes, const int *labels);

/* argmax of one row (the first of equal maxima). */
int metrics_argmax(const float *row, int n);

#endif
