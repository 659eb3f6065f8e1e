/* Latent-space arithmetic for the visualisation tools: the reference's dimension sweeps,
 * linear and spherical interpolation, index lists ("3,17,21", "0-9") and the vector-arithmetic
 * expressions of the paper ("3,17,21 - 5,8,40 + 2,9,11"). */
#ifndef DCGAN_VIZ_LATENT_H
#define DCGAN_VIZ_LATENT_H

#include <stddef.h>

/* z[i][dim] = start + i * step for i < n (rows of z_dim values). */
void latent_sweep(float *z, int n, int z_dim, int dim, float start, float step);

/* out = the point at t in [0,1] between a and b (n values): linear, or spherical (slerp:
 * sin((1-t)w)/sin(w) a + sin(tw)/sin(w) b, w the angle between a and b; linear when a and b
 * are (anti)parallel or one is zero). Endpoints are returned exactly. */
void latent_lerp(float *out, const float *a, const float *b, int n, float t);
void latent_slerp(float *out, const float *a, const float *b, int n, float t);

/* Parses "3,17,21" or "0-9,12" into out (<= max values, each in [0, limit)). Returns the
 * count, or -1 with a message in err (size errn) that says what is wrong and where. */
int latent_parse_index_list(const char *s, int limit, int *out, int max, char *err, size_t errn);

#define LATENT_EXPR_MAX_TERMS 16
#define LATENT_EXPR_MAX_GROUP 64

typedef struct {
    int nterms;
    int sign[LATENT_EXPR_MAX_TERMS];                     /* +1 or -1 */
    int count[LATENT_EXPR_MAX_TERMS];                    /* indices in the group */
    int index[LATENT_EXPR_MAX_TERMS][LATENT_EXPR_MAX_GROUP];
} latent_expr;

/* Parses groups of comma-separated indices joined by '+' and '-' (the first may carry a sign),
 * each index in [0, limit) (limit 0: the syntax alone, before the sheet's size is known).
 * Returns 0 or -1 with a one-line message in err. */
int latent_parse_expr(const char *s, int limit, latent_expr *x, char *err, size_t errn);
/* out (z_dim) = sum over terms of sign * mean of the group's rows of z. */
void latent_eval_expr(const latent_expr *x, const float *z, int z_dim, float *out);

#endif
