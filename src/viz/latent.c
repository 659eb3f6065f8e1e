#include "viz/latent.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void latent_sweep(float *z, int n, int z_dim, int dim, float start, float step)
{
    for (int i = 0; i < n; i++) z[(size_t)i * z_dim + dim] = start + (float)i * step;
}

void latent_lerp(float *out, const float *a, const float *b, int n, float t)
{
    if (t <= 0.0f) {
        memcpy(out, a, (size_t)n * sizeof *out);
        return;
    }
    if (t >= 1.0f) {
        memcpy(out, b, (size_t)n * sizeof *out);
        return;
    }
    for (int i = 0; i < n; i++) out[i] = (1.0f - t) * a[i] + t * b[i];
}

void latent_slerp(float *out, const float *a, const float *b, int n, float t)
{
    double na = 0, nb = 0, dot = 0;
    for (int i = 0; i < n; i++) {
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
        dot += (double)a[i] * b[i];
    }
    double c = (na > 0 && nb > 0) ? dot / sqrt(na * nb) : 1.0;
    if (c > 1) c = 1;
    if (c < -1) c = -1;
    double w = acos(c), s = sin(w);
    if (t <= 0.0f || t >= 1.0f || s < 1e-6) {
        latent_lerp(out, a, b, n, t);
        return;
    }
    double ka = sin((1.0 - t) * w) / s, kb = sin(t * w) / s;
    for (int i = 0; i < n; i++) out[i] = (float)(ka * a[i] + kb * b[i]);
}

/* strtol on [p, ...) that requires digits and a value that fits an int; advances *p. Returns
 * 0, -1 for no digits, -2 for a number too large. */
static int read_int(const char **p, long *v)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s)) return -1;
    char *end;
    errno = 0;
    *v = strtol(s, &end, 10);
    *p = end;
    return errno == ERANGE || *v > INT_MAX ? -2 : 0;
}

int latent_parse_index_list(const char *s, int limit, int *out, int max, char *err, size_t errn)
{
    int n = 0;
    const char *p = s;
    while (1) {
        while (*p == ' ') p++;
        long a, b;
        const char *at = p;
        int rc = read_int(&p, &a);
        if (rc != 0) {
            snprintf(err, errn, "'%s': %s at '%.40s'", s, rc == -2 ? "a number too large" : "expected a number", at);
            return -1;
        }
        b = a;
        if (*p == '-') {
            p++;
            if (read_int(&p, &b) != 0 || b < a) {
                snprintf(err, errn, "'%s': bad range at '%s'", s, at);
                return -1;
            }
        }
        if (a < 0 || b >= limit) {
            snprintf(err, errn, "'%s': %ld is out of range (0..%d)", s, b >= limit ? b : a, limit - 1);
            return -1;
        }
        for (long v = a; v <= b; v++) {
            if (n == max) {
                snprintf(err, errn, "'%s': more than %d values", s, max);
                return -1;
            }
            out[n++] = (int)v;
        }
        while (*p == ' ') p++;
        if (*p == 0) break;
        if (*p != ',') {
            snprintf(err, errn, "'%s': unexpected '%c'", s, *p);
            return -1;
        }
        p++;
    }
    return n;
}

int latent_parse_expr(const char *s, int limit, latent_expr *x, char *err, size_t errn)
{
    memset(x, 0, sizeof *x);
    const char *p = s;
    int sign = 1;
    while (*p == ' ') p++;
    if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    while (1) {
        if (x->nterms == LATENT_EXPR_MAX_TERMS) {
            snprintf(err, errn, "'%s': more than %d groups", s, LATENT_EXPR_MAX_TERMS);
            return -1;
        }
        int t = x->nterms;
        x->sign[t] = sign;
        while (1) {
            while (*p == ' ') p++;
            const char *at = p;
            long v;
            int rc = read_int(&p, &v);
            if (rc == -2) {
                snprintf(err, errn, "'%s': index '%.*s' is far too large", s, (int)(p - at), at);
                return -1;
            }
            if (rc != 0) {
                if (*at == 0) snprintf(err, errn, "'%s': ends where an index should be", s);
                else snprintf(err, errn, "'%s': expected an index at '%s'", s, at);
                return -1;
            }
            if (limit > 0 && v >= limit) {
                snprintf(err, errn, "'%s': index %ld is out of range (the sheet has %d: 0..%d)", s, v,
                         limit, limit - 1);
                return -1;
            }
            if (x->count[t] == LATENT_EXPR_MAX_GROUP) {
                snprintf(err, errn, "'%s': more than %d indices in a group", s, LATENT_EXPR_MAX_GROUP);
                return -1;
            }
            x->index[t][x->count[t]++] = (int)v;
            while (*p == ' ') p++;
            if (*p != ',') break;
            p++;
        }
        x->nterms++;
        if (*p == 0) break;
        if (*p != '+' && *p != '-') {
            snprintf(err, errn, "'%s': unexpected '%c' (groups are joined by + and -)", s, *p);
            return -1;
        }
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    return 0;
}

void latent_eval_expr(const latent_expr *x, const float *z, int z_dim, float *out)
{
    for (int k = 0; k < z_dim; k++) {
        double acc = 0;
        for (int t = 0; t < x->nterms; t++) {
            double m = 0;
            for (int i = 0; i < x->count[t]; i++) m += z[(size_t)x->index[t][i] * z_dim + k];
            acc += x->sign[t] * m / x->count[t];
        }
        out[k] = (float)acc;
    }
}
