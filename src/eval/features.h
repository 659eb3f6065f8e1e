/* Representations for the paper's Table 1 protocol (Radford et al. 2015, section 5.1): every
 * convolution output of a discriminator, after its activation (batch norm and leaky ReLU
 * applied), max-pooled to a 4x4 grid per layer, flattened and concatenated. A map already
 * 4 or smaller on a side is kept as it is on that side (no upsampling): a 28x28 model's last
 * map (2x2x512) gives 2x2x512 features, not 4x4x512.
 *
 * The raw-pixels baseline needs nothing from here: it is the images as a dataset holds them,
 * (C*H*W) floats an item. */
#ifndef DCGAN_EVAL_FEATURES_H
#define DCGAN_EVAL_FEATURES_H

#include <stddef.h>
#include "core/error.h"
#include "data/dataset.h"
#include "model/dcgan.h"

#define FEATURES_GRID 4
#define FEATURES_MAX_MAPS NET_MAX_LAYERS

/* The side a map of side s pools to: FEATURES_GRID, or s when it is no larger. */
int features_pooled_side(int s);
/* Adaptive max pooling, PyTorch's AdaptiveMaxPool2d: in (C, H, W) to out (C, oh, ow); output
 * cell (i, j) is the maximum over rows floor(i*H/oh) .. ceil((i+1)*H/oh)-1 and columns
 * floor(j*W/ow) .. ceil((j+1)*W/ow)-1 (windows overlap when the size does not divide).
 * 1 <= oh <= H, 1 <= ow <= W. */
void features_adaptive_max_pool(const float *in, int C, int H, int W, int oh, int ow,
                                float *out);

/* Where D's feature maps are, and the feature vector's layout: map after map, each (C, ph, pw)
 * row-major. */
typedef struct {
    int n_maps;
    int layer[FEATURES_MAX_MAPS]; /* the D layer whose output buffer holds the map: the last
                                   * batch norm or activation after the convolution (the
                                   * activations run in place) */
    int C[FEATURES_MAX_MAPS], H[FEATURES_MAX_MAPS], W[FEATURES_MAX_MAPS];
    int ph[FEATURES_MAX_MAPS], pw[FEATURES_MAX_MAPS];
    size_t dim;
} features_plan;

/* The plan of an unconditional D (a conditional D needs a label, which a classifier does not
 * have). -1 with a message if D has a condition, no convolution, or keeps a map in a layout of
 * its backend's own (the CPU backend's oneDNN does between two convolutions; a model opened
 * with conv_backend im2col does not). */
int features_plan_make(const net *D, features_plan *p, dc_err *e);

/* Called after each batch: items done of total. */
typedef void (*features_progress_fn)(void *ctx, int done, int total);

/* D's features of every item of a memory-backed dataset whose items have D's input shape,
 * into out (ds->count, p->dim). The pixels are mapped linearly from [ds->lo, ds->hi] to the
 * model's range (dcgan_model_range), as training does. D runs in inference mode (batch norm
 * with its moving statistics), so an item's features do not depend on the rest of its batch.
 * progress may be NULL. */
int features_extract(dcgan_model *m, const features_plan *p, const dataset *ds, float *out,
                     features_progress_fn progress, void *ctx, dc_err *e);

#endif
