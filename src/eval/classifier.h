/* The domain classifier that dcgan.c's quality numbers are measured with (no package ships
 * Inception's weights): a small CNN built from the model's own layers (src/nn), trained on a
 * labelled data set, saved once as safetensors and reused. Its penultimate layer (after batch
 * norm and leaky ReLU) gives the features of the Frechet distance, KID and precision/recall;
 * its softmax gives class histograms and the conditional model's label accuracy.
 *
 * Layers for a C x H x W input: 5x5 stride-2 SAME convolutions with 32, 64, 128, 256 channels
 * until the map is at most 4 on a side (28x28: three), each followed by batch norm and leaky
 * ReLU; a linear layer of CLASSIFIER_FEATURES units, batch norm, leaky ReLU (the features);
 * a linear layer to the class logits. Inputs are images in [0, 1]. */
#ifndef DCGAN_EVAL_CLASSIFIER_H
#define DCGAN_EVAL_CLASSIFIER_H

#include "core/error.h"
#include "data/dataset.h"
#include "nn/net.h"

#define CLASSIFIER_FORMAT "dcgan.c/classifier/1"
#define CLASSIFIER_FEATURES 256
#define CLASSIFIER_NAME_MAX 64

typedef struct {
    net net;
    ops_backend *be; /* owned */
    int C, H, W, classes;
    char (*class_names)[CLASSIFIER_NAME_MAX]; /* classes entries */
    int feature_layer;   /* the layer whose output is the feature vector */
    double test_accuracy;  /* measured after training (stored in the file) */
    long test_count;
    char dataset[256];   /* what it was trained on, for reports */
    float *dlogits;      /* backend memory, (batch, classes) */
    float *host_logits;  /* (batch, classes) */
} classifier;

typedef struct {
    int epochs;          /* 15 */
    int batch;           /* 100 */
    float lr;            /* 1e-3, cosine-decayed to 0 over the epochs */
    unsigned long long seed;
    int flip;            /* random horizontal flips (1) */
    long max_train;      /* items per epoch, 0 = all (tests train on a slice) */
    int quiet;           /* no progress line */
} classifier_train_options;

classifier_train_options classifier_train_defaults(void);

/* Opens the backend (device as ops_open's, NULL = cpu) and builds the network for a batch.
 * class_names may be NULL ("0", "1", ...). */
int classifier_create(classifier *c, const char *device, int batch, int C, int H, int W,
                      int classes, char *const *class_names, dc_err *e);
void classifier_free(classifier *c);

/* Trains from fresh weights on train (any pixel range; mapped to [0, 1]), then measures the
 * accuracy on test (may be NULL). Prints a progress line per epoch unless quiet. */
int classifier_train(classifier *c, const dataset *train, const dataset *test,
                     const classifier_train_options *o, dc_err *e);

/* Share of items (images in [0, 1], n x C x H x W) classified as their label. */
double classifier_accuracy(classifier *c, const float *images, const int *labels, long n);

/* Features (n x classifier_feature_dim) and/or class probabilities (n x classes) of n images
 * in [0, 1] (each output may be NULL); batch norm uses its moving averages. */
void classifier_run(classifier *c, const float *images, long n, float *features, float *probs);
int classifier_feature_dim(const classifier *c);

/* Softmax cross-entropy of logits (n x classes) against labels, averaged over n; dlogits
 * (may be NULL) receives its gradient. */
double classifier_xent(const float *logits, const int *labels, int n, int classes,
                       float *dlogits);

/* The file: parameters and moving statistics under "classifier/<layer>/...", and in
 * __metadata__ the format, the input shape, the class names and the measured accuracy.
 * Written atomically with a checksum. */
int classifier_save(const classifier *c, const char *path, dc_err *e);
/* Opens a saved classifier on device for the given batch; fails naming the file on anything
 * missing, damaged or of the wrong format. */
int classifier_load(classifier *c, const char *path, const char *device, int batch, dc_err *e);

#endif
