#include "testutil.h"

#include <ftw.h>
#include <sys/stat.h>

#include <math.h>
#include <stdlib.h>

test_ctx g_test;

void test_begin(const char *name)
{
    g_test.name = name;
    g_test.checks = 0;
    g_test.failures = 0;
}

int test_finish(void)
{
    printf("%s: %d checks, %d failed\n", g_test.name ? g_test.name : "test", g_test.checks,
           g_test.failures);
    return g_test.failures ? 1 : 0;
}

compare_result compare_floats(const float *got, const float *want, size_t n, double atol,
                              double rtol)
{
    compare_result r = {0, 0, 0, 0};
    double worst = -1.0;
    for (size_t i = 0; i < n; i++) {
        double g = got[i], w = want[i];
        double d = fabs(g - w);
        double lim = atol + rtol * fabs(w);
        if (isnan(d)) d = INFINITY;
        if (d > r.max_abs) r.max_abs = d;
        if (fabs(w) > 1e-12 && d / fabs(w) > r.max_rel) r.max_rel = d / fabs(w);
        if (!(d <= lim)) {
            r.bad++;
            double excess = isinf(d) ? INFINITY : d - lim;
            if (excess > worst) {
                worst = excess;
                r.first_bad = i;
            }
        }
    }
    return r;
}

int check_close(const char *name, const float *got, const float *want, size_t n, double atol,
                double rtol)
{
    compare_result r = compare_floats(got, want, n, atol, rtol);
    g_test.checks++;
    if (r.bad == 0) {
        printf("  ok   %-48s n=%-8zu max_abs %.3g max_rel %.3g\n", name, n, r.max_abs, r.max_rel);
        return 1;
    }
    g_test.failures++;
    printf("  FAIL %-48s n=%-8zu max_abs %.3g max_rel %.3g: %zu outside atol %.3g rtol %.3g\n",
           name, n, r.max_abs, r.max_rel, r.bad, atol, rtol);
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < 5; i++) {
        double d = fabs((double)got[i] - want[i]);
        if (!(d <= atol + rtol * fabs((double)want[i]))) {
            printf("       [%zu] got %.9g want %.9g\n", i, got[i], want[i]);
            shown++;
        }
    }
    printf("       worst at [%zu]: got %.9g want %.9g\n", r.first_bad, got[r.first_bad],
           want[r.first_bad]);
    return 0;
}

void *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(sz > 0 ? (size_t)sz : 1);
    if (buf && sz > 0 && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf && len) *len = (size_t)sz;
    return buf;
}

static char g_tmpdir[256];

static int tmpdir_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

int test_tmpdir_create(const char *name)
{
    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/dcgan_%s_XXXXXX", name);
    if (!mkdtemp(g_tmpdir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

const char *test_tmpdir(void) { return g_tmpdir; }

const char *test_tmpdir_path(const char *file)
{
    static char buf[8][512];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, sizeof buf[0], "%s/%s", g_tmpdir, file);
    return b;
}

void test_tmpdir_remove(void) { nftw(g_tmpdir, tmpdir_rm, 16, FTW_DEPTH | FTW_PHYS); }

double test_max_abs(const float *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m) m = fabs(v[i]);
    return m;
}
