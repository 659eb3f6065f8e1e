/* One training iteration of the reference's schedule: one D update on a real batch and G(z),
 * then two G updates with the same z. The losses and D outputs reported are taken from the
 * passes the updates already run (no extra forward passes):
 *   d_loss_real, d_loss_fake, d_real_mean, d_fake_mean: from the D update;
 *   g_loss: from the second G update (before its Adam step). */
#ifndef DCGAN_TRAIN_STEP_H
#define DCGAN_TRAIN_STEP_H

#include "parallel/dist.h"
#include "model/dcgan.h"
#include "ops/ops.h"

/* The losses on D's logits: the reference's sigmoid cross-entropy, or the hinge loss (D:
 * mean relu(1 - D(x)) + mean relu(1 + D(G(z))); G: -mean D(G(z))). */
typedef enum { TRAIN_LOSS_BCE = 0, TRAIN_LOSS_HINGE } train_loss;

/* "bce", "hinge" (the --loss values); parse returns 0, or -1 for another name. */
const char *train_loss_name(train_loss l);
int train_loss_parse(const char *s, train_loss *out);

/* The parts of an iteration outside the networks' layers, timed when a trainer has a profile
 * (dcgan bench --layers; the networks' own profiles time their layers). */
typedef enum { TRAIN_PART_LOSS, TRAIN_PART_ADAM_D, TRAIN_PART_ADAM_G, TRAIN_PARTS } train_part;

typedef struct {
    double seconds[TRAIN_PARTS]; /* added to; the backend synchronized around each */
} train_profile;

typedef struct {
    adam_config adam;   /* D's optimiser */
    adam_config adam_g; /* G's (trainer_init: the same as D's) */
    train_loss loss;    /* trainer_init: TRAIN_LOSS_BCE */
    float real_target;  /* the cross-entropy's target for real images in D's update: 1, or
                         * 1 - s with one-sided label smoothing s */
    long d_steps; /* Adam steps taken by D's optimiser */
    long g_steps; /* ... by G's */
    ops_backend *be; /* the model's */
    dist *dist;      /* the ranks of a data-parallel run that average their gradients; NULL:
                      * one process (trainer_init leaves it NULL) */
    size_t grad_bucket; /* floats per gradient all-reduce started during the backward pass
                         * (0: one after it) */
    float *dlogits;  /* (batch) scratch, backend memory */
    float *logits;   /* (batch) the last D pass's logits, host copy */
    /* (batch) each: sigmoid(D(x)) and sigmoid(D(G(z))) per item, from the last D update
     * (TensorBoard's d and d_ histograms) */
    float *d_real_prob, *d_fake_prob;
    train_profile *profile; /* NULL (trainer_init): untimed */
} trainer;

typedef struct {
    float d_loss_real, d_loss_fake, d_loss;
    float g_loss;
    float d_real_mean; /* mean sigmoid(D(x)) */
    float d_fake_mean; /* mean sigmoid(D(G(z))) in the D update */
    float g_loss_first; /* g_loss of the first G update */
} step_stats;

/* The reference's training: adam for both networks, cross-entropy, no smoothing. The fields
 * above may be changed afterwards. */
void trainer_init(trainer *t, const dcgan_model *m, adam_config adam);
void trainer_free(trainer *t);

/* x: (batch, c_dim, H, W) in the model's range; y: (batch, y_dim) one-hot or NULL;
 * z: (batch, z_dim). With an average of G (dcgan_model_update_ema), it takes its step last. */
void train_step(trainer *t, dcgan_model *m, const float *x, const float *y, const float *z,
                step_stats *stats);

/* The two halves, exposed for tests. train_step runs train_step_d, then two G updates of which
 * the first reuses the G forward pass the D update ran (same z, same G weights: the same
 * activations and gradients, without running the pass again), so it does one G forward less
 * than train_step_d + 2 x train_step_g. */
void train_step_d(trainer *t, dcgan_model *m, const float *x, const float *y, const float *z,
                  step_stats *stats);
float train_step_g(trainer *t, dcgan_model *m, const float *y, const float *z);

/* Floating-point operations (2 per multiply-add) of one train_step, counting the linear and
 * convolution layers: the D update (G forward, D forward and backward on the real and the
 * fake batch, no input gradient for D's first layer) and two G updates (G forward, D forward,
 * D backward to its input only, G backward without its first layer's input gradient). */
double train_step_flops(const dcgan_model *m);
/* What train_step computes: the same count minus the G forward pass it does not repeat and
 * the label planes of the convolutions that took over a concat_y (net_forward_macs). */
double train_step_flops_executed(const dcgan_model *m);

#endif
