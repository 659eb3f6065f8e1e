/* log.csv as training writes it (train/summaries.c), read back for the charts. */
#include "io/log_csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void log_csv_free(log_csv *d)
{
    free(d->it);
    free(d->epoch);
    for (int k = 0; k < 6; k++) free(d->col[k]);
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

/* Room for twice the rows; -1 (d unchanged where it failed) when memory or int runs out. */
static int grow(log_csv *d)
{
    if (d->cap > (1 << 29)) return -1;
    int cap = d->cap ? 2 * d->cap : 1024;
    double **arrays[8] = {&d->it, &d->epoch};
    for (int k = 0; k < 6; k++) arrays[2 + k] = &d->col[k];
    for (int k = 0; k < 8; k++) {
        double *p = realloc(*arrays[k], (size_t)cap * sizeof(double));
        if (!p) return -1;
        *arrays[k] = p;
    }
    d->cap = cap;
    return 0;
}

int log_csv_read(const char *path, log_csv *d, dc_err *e)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "r");
    if (!f) return dc_fail(e, "%s: cannot open (is this a training run folder?)", path);
    char line[4096];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return dc_fail(e, "%s: empty", path);
    }
    /* header: find each column */
    const char *want[8] = {"iteration", "epoch", "d_loss", "g_loss", "d_loss_real", "d_loss_fake",
                           "d_real", "d_fake"};
    int pos[8];
    for (int k = 0; k < 8; k++) pos[k] = -1;
    int ncol = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), ncol++)
        for (int k = 0; k < 8; k++)
            if (strcmp(tok, want[k]) == 0) pos[k] = ncol;
    for (int k = 0; k < 8; k++)
        if (pos[k] < 0) {
            fclose(f);
            return dc_fail(e, "%s: no '%s' column in the header", path, want[k]);
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
            log_csv_free(d);
            fclose(f);
            return dc_fail(e, "%s:%d: %d of %d columns", path, lineno, nv, ncol);
        }
        if (d->n == d->cap && grow(d) != 0) {
            log_csv_free(d);
            fclose(f);
            return dc_fail(e, "%s:%d: out of memory (or more rows than a log holds)", path, lineno);
        }
        d->it[d->n] = v[pos[0]];
        d->epoch[d->n] = v[pos[1]];
        for (int k = 0; k < 6; k++) d->col[k][d->n] = v[pos[2 + k]];
        d->n++;
    }
    fclose(f);
    if (d->n == 0) return dc_fail(e, "%s: no iterations logged yet", path);
    return 0;
}

