/* dcgan bench --layers: where one training iteration's time goes, layer by layer.
 *
 * Runs extra training iterations with profiles on both networks and the trainer (nn/net.h,
 * train/step.h: a synchronized clock read around every layer's forward, backward-data and
 * backward-weights, the loss and Adam), takes the median of each cell over them, and sets it
 * against the layer's FLOPs and the peak of the backend's own convolution, measured in the same
 * run on a large, well-shaped convolution. The timed iterations of the ordinary bench run before
 * and without the profiles, so their figures are unchanged. */
#ifndef DCGAN_CLI_BENCH_LAYERS_H
#define DCGAN_CLI_BENCH_LAYERS_H

#include <stdio.h>

#include "core/rng.h"
#include "model/dcgan.h"

typedef struct bench_layers bench_layers;

/* iters profiled training iterations on x, y (host memory) with fresh z each, then the
 * convolution peak. NULL if memory runs out (nothing to free then). */
bench_layers *bench_layers_measure(dcgan_model *m, int iters, const float *x, const float *y,
                                   float *z, rng_state *r);
void bench_layers_free(bench_layers *b);

/* The table and the summary; sgemm_peak in GFLOP/s (the bench's), untimed_s: the ordinary
 * bench's median iteration, for the profiles' overhead. */
void bench_layers_print(const bench_layers *b, const dcgan_model *m, double sgemm_peak,
                        double untimed_s, FILE *f);
/* The same as JSON members, each preceded by a comma: `,"layers":{...}`. */
void bench_layers_json(const bench_layers *b, const dcgan_model *m, double sgemm_peak, FILE *f);

/* Median of n > 0 values (v is reordered); both bench reports use it. */
double bench_median(double *v, int n);

#endif
