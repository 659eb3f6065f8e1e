/* Counter-based random numbers: Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy
 * as 1, 2, 3", SC'11; the Random123 constants and round function).
 *
 * One Philox block maps a 128-bit counter (x0..x3) and a 64-bit key to four 32-bit words. The key
 * is the seed. A fill starting at state counter c uses blocks whose (x0,x1) is the 64-bit block
 * index c + b and whose (x2,x3) is a sub-stream tag (0 for plain fills, the attempt number for
 * truncated-normal redraws). Element i of a fill therefore depends only on (seed, c, i), never on
 * how the work is split between threads, and each fill advances the counter by a number of blocks
 * that depends only on n:
 *   rng_next_u64            1 block (words 0,1)
 *   rng_uniform  (n)        ceil(n/4) blocks, one word per value
 *   rng_normal   (n)        ceil(n/4) blocks, Box-Muller on words (0,1) and (2,3)
 *   rng_truncated_normal(n) n blocks: element i owns block c+i; attempt k uses tag k, four
 *                           normals per attempt, first one within 2 std wins.
 * rng_below / rng_shuffle draw through rng_next_u64 (rejection adds draws, deterministically). */
#include "core/rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Fills below this size run on one thread (thread start-up costs more than the work). */
#define RNG_PAR_MIN 32768

typedef struct {
    uint32_t v[4];
} philox_block;

static inline philox_block philox4x32_10(uint64_t block, uint64_t tag, uint64_t seed)
{
    uint32_t x0 = (uint32_t)block, x1 = (uint32_t)(block >> 32);
    uint32_t x2 = (uint32_t)tag, x3 = (uint32_t)(tag >> 32);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * x0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * x2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        x0 = hi1 ^ x1 ^ k0;
        x1 = lo1;
        x2 = hi0 ^ x3 ^ k1;
        x3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    philox_block b = {{x0, x1, x2, x3}};
    return b;
}

/* 24 random bits -> [0, 1) and (0, 1], exactly representable in float. */
static inline float u01_open_hi(uint32_t w) { return (float)(w >> 8) * 0x1p-24f; }
static inline double u01_open_lo(uint32_t w) { return ((double)(w >> 8) + 1.0) * 0x1p-24; }

static inline void box_muller(uint32_t a, uint32_t b, double *z0, double *z1)
{
    double u1 = u01_open_lo(a); /* (0,1]: log finite */
    double u2 = (double)u01_open_hi(b);
    double r = sqrt(-2.0 * log(u1));
    double t = 6.283185307179586476925286766559 * u2;
    *z0 = r * cos(t);
    *z1 = r * sin(t);
}

static inline size_t blocks_for(size_t n) { return n / 4 + (n % 4 != 0); }

void rng_init(rng_state *r, uint64_t seed)
{
    r->seed = seed;
    r->counter = 0;
}

uint64_t rng_next_u64(rng_state *r)
{
    philox_block b = philox4x32_10(r->counter, 0, r->seed);
    r->counter++;
    return ((uint64_t)b.v[1] << 32) | b.v[0];
}

uint64_t rng_below(rng_state *r, uint64_t bound)
{
    if (bound <= 1) return 0;
    /* Lemire's multiply-shift with rejection: unbiased. */
    uint64_t x = rng_next_u64(r);
    unsigned __int128 m = (unsigned __int128)x * bound;
    uint64_t l = (uint64_t)m;
    if (l < bound) {
        uint64_t t = (0 - bound) % bound; /* 2^64 mod bound */
        while (l < t) {
            x = rng_next_u64(r);
            m = (unsigned __int128)x * bound;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void rng_uniform(rng_state *r, float *out, size_t n, float lo, float hi)
{
    const uint64_t c0 = r->counter, seed = r->seed;
    const size_t nb = blocks_for(n);
    const float span = hi - lo;
    /* hi must never come out: when rounding lands on hi, step back to the float below it. */
    const float below_hi = hi > lo ? nextafterf(hi, lo) : lo;
#pragma omp parallel for schedule(static) if (n >= RNG_PAR_MIN)
    for (size_t b = 0; b < nb; b++) {
        philox_block pb = philox4x32_10(c0 + b, 0, seed);
        size_t base = b * 4;
        size_t cnt = n - base < 4 ? n - base : 4;
        for (size_t j = 0; j < cnt; j++) {
            float v = lo + span * u01_open_hi(pb.v[j]);
            if (v >= hi && hi > lo) v = below_hi;
            out[base + j] = v;
        }
    }
    r->counter = c0 + nb;
}

void rng_normal(rng_state *r, float *out, size_t n, float mean, float std)
{
    const uint64_t c0 = r->counter, seed = r->seed;
    const size_t nb = blocks_for(n);
#pragma omp parallel for schedule(static) if (n >= RNG_PAR_MIN / 4)
    for (size_t b = 0; b < nb; b++) {
        philox_block pb = philox4x32_10(c0 + b, 0, seed);
        double z[4];
        box_muller(pb.v[0], pb.v[1], &z[0], &z[1]);
        box_muller(pb.v[2], pb.v[3], &z[2], &z[3]);
        size_t base = b * 4;
        size_t cnt = n - base < 4 ? n - base : 4;
        for (size_t j = 0; j < cnt; j++) out[base + j] = (float)(mean + (double)std * z[j]);
    }
    r->counter = c0 + nb;
}

void rng_truncated_normal(rng_state *r, float *out, size_t n, float mean, float std)
{
    const uint64_t c0 = r->counter, seed = r->seed;
#pragma omp parallel for schedule(static) if (n >= RNG_PAR_MIN / 4)
    for (size_t i = 0; i < n; i++) {
        double zz = 0.0;
        /* P(4 normals all outside 2 std) ~ 4e-6, so this almost always ends at k = 0. */
        for (uint64_t k = 0;; k++) {
            philox_block pb = philox4x32_10(c0 + i, k, seed);
            double z[4];
            box_muller(pb.v[0], pb.v[1], &z[0], &z[1]);
            box_muller(pb.v[2], pb.v[3], &z[2], &z[3]);
            int found = 0;
            for (int j = 0; j < 4; j++) {
                if (fabs(z[j]) <= 2.0) {
                    zz = z[j];
                    found = 1;
                    break;
                }
            }
            if (found) break;
        }
        /* |zz| <= 2 and std*2 is exact, so |float(std*zz)| <= 2*std (rounding is monotonic). */
        float d = (float)((double)std * zz);
        out[i] = mean + d;
    }
    r->counter = c0 + n;
}

void rng_shuffle(rng_state *r, int *idx, size_t n)
{
    if (n < 2) return;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)rng_below(r, (uint64_t)i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
