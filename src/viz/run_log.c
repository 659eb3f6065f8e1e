#include "viz/run_log.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_log_free(run_log *d)
{
    free(d->it);
    free(d->epoch);
    free(d->seconds);
    for (int k = 0; k < RUN_LOG_COLS; k++) free(d->col[k]);
    memset(d, 0, sizeof *d);
}

/* Room for twice the rows; -1 (each array still valid) when memory or int runs out. */
static int grow(run_log *d)
{
    if (d->cap > (1 << 29)) return -1;
    int cap = d->cap ? 2 * d->cap : 1024;
    double **arrays[3 + RUN_LOG_COLS] = {&d->it, &d->epoch, &d->seconds};
    for (int k = 0; k < RUN_LOG_COLS; k++) arrays[3 + k] = &d->col[k];
    for (int k = 0; k < 3 + RUN_LOG_COLS; k++) {
        double *p = realloc(*arrays[k], (size_t)cap * sizeof(double));
        if (!p) return -1;
        *arrays[k] = p;
    }
    d->cap = cap;
    return 0;
}

static int push_row(run_log *d, const double *v, const int *pos)
{
    if (d->n == d->cap && grow(d) != 0) return -1;
    d->it[d->n] = v[pos[0]];
    d->epoch[d->n] = v[pos[1]];
    d->seconds[d->n] = pos[2] >= 0 ? v[pos[2]] : NAN;
    for (int k = 0; k < RUN_LOG_COLS; k++) d->col[k][d->n] = v[pos[3 + k]];
    d->n++;
    return 0;
}

/* strtod for what log.csv holds ("-12.345678"): up to 15 significant digits divided by an exact
 * power of ten is exactly strtod's correctly rounded value, at a fraction of its cost (a
 * million rows); anything else (exponents, nan, inf, more digits) goes to strtod. */
static double parse_number(const char *p, char **end)
{
    static const double pow10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *q = p;
    int neg = *q == '-';
    if (neg) q++;
    uint64_t m = 0;
    int digits = 0, frac = 0, dot = 0;
    for (;; q++) {
        if (*q >= '0' && *q <= '9') {
            m = m * 10 + (uint64_t)(*q - '0');
            digits++;
            frac += dot;
        } else if (*q == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    if (digits == 0 || digits > 15 || *q == 'e' || *q == 'E' || *q == 'x' || *q == 'X')
        return strtod(p, end);
    *end = (char *)q;
    double v = (double)m / pow10[frac];
    return neg ? -v : v;
}

/* The header's columns into pos[] (-1: absent); ncol: how many it has. */
static int read_header(char *line, const char *path, int *pos, int *ncol, dc_err *e)
{
    static const char *want[3 + RUN_LOG_COLS] = {"iteration", "epoch", "seconds", "d_loss",
                                                 "g_loss", "d_loss_real", "d_loss_fake",
                                                 "d_real", "d_fake"};
    for (int k = 0; k < 3 + RUN_LOG_COLS; k++) pos[k] = -1;
    *ncol = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save), (*ncol)++)
        for (int k = 0; k < 3 + RUN_LOG_COLS; k++)
            if (strcmp(tok, want[k]) == 0) pos[k] = *ncol;
    for (int k = 0; k < 3 + RUN_LOG_COLS; k++)
        if (pos[k] < 0 && k != 2) return dc_fail(e, "%s: no '%s' column in the header", path, want[k]);
    return 0;
}

int run_log_read(const char *path, run_log *d, dc_err *e)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "r");
    if (!f) return dc_fail(e, "%s: cannot open (is this a training run folder?)", path);
    char line[4096];
    int pos[3 + RUN_LOG_COLS], ncol;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return dc_fail(e, "%s: empty", path);
    }
    if (read_header(line, path, pos, &ncol, e) != 0) {
        fclose(f);
        return -1;
    }
    int lineno = 1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        /* training may be writing the last row right now: skip an unfinished one */
        if (!strchr(line, '\n') && feof(f)) break;
        double v[64];
        int nv = 0;
        char *p = line;
        while (nv < 64) {
            char *end;
            v[nv++] = parse_number(p, &end);
            if (end == p) {
                nv--;
                break;
            }
            p = end;
            if (*p != ',') break;
            p++;
        }
        if (nv < ncol) {
            if (line[0] == '\n' || line[0] == 0) continue;
            run_log_free(d);
            fclose(f);
            return dc_fail(e, "%s:%d: %d of %d columns", path, lineno, nv, ncol);
        }
        if (push_row(d, v, pos) != 0) {
            run_log_free(d);
            fclose(f);
            return dc_fail(e, "%s:%d: out of memory (or more rows than a log holds)", path, lineno);
        }
    }
    fclose(f);
    return 0;
}

double run_log_elapsed(const run_log *d, int *sessions)
{
    *sessions = d->n > 0;
    if (d->n == 0) return 0;
    double total = 0;
    for (int i = 0; i < d->n; i++) {
        if (!isfinite(d->seconds[i])) {
            *sessions = 0;
            return NAN;
        }
        /* a resumed process counts from 0 again */
        if (i + 1 < d->n && d->seconds[i + 1] < d->seconds[i]) {
            total += d->seconds[i];
            (*sessions)++;
        }
    }
    return total + d->seconds[d->n - 1];
}
