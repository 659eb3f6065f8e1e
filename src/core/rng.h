/* Seeded counter-based random numbers. Element i of a fill is a pure function of (seed, counter
 * at the call, i), so the output never depends on the thread count, and the whole state is two
 * integers (saved in checkpoints). Each fill of n values advances the counter by a fixed amount
 * that depends only on n. */
#ifndef DCGAN_CORE_RNG_H
#define DCGAN_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t seed;
    uint64_t counter;
} rng_state;

void rng_init(rng_state *r, uint64_t seed);
uint64_t rng_next_u64(rng_state *r);
/* uniform in [0, bound) without modulo bias; bound > 0 */
uint64_t rng_below(rng_state *r, uint64_t bound);
/* uniform in [lo, hi) */
void rng_uniform(rng_state *r, float *out, size_t n, float lo, float hi);
void rng_normal(rng_state *r, float *out, size_t n, float mean, float std);
/* normal, redrawn until within 2 std of the mean (TensorFlow's truncated_normal) */
void rng_truncated_normal(rng_state *r, float *out, size_t n, float mean, float std);
/* Fisher-Yates shuffle of idx[0..n) */
void rng_shuffle(rng_state *r, int *idx, size_t n);

#endif
