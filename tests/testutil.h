/* Small test harness shared by tests/test_*.c. Each test binary counts its failures and
 * returns test_finish() from main (non-zero when anything failed). */
#ifndef DCGAN_TESTS_TESTUTIL_H
#define DCGAN_TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    int checks;
    int failures;
    const char *name;
} test_ctx;

extern test_ctx g_test; /* test binaries only; not part of the program */

void test_begin(const char *name);
int test_finish(void);

#define TEST_CHECK(cond, ...)                                                        \
    do {                                                                             \
        g_test.checks++;                                                             \
        if (!(cond)) {                                                               \
            g_test.failures++;                                                       \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
        }                                                                            \
    } while (0)

typedef struct {
    double max_abs;     /* max |got - want| */
    double max_rel;     /* max |got - want| / |want| over elements with |want| > 1e-12 */
    size_t bad;         /* elements outside atol + rtol*|want| */
    size_t first_bad;   /* index of the worst violation */
} compare_result;

/* Compares got against want elementwise with |g-w| <= atol + rtol*|w| (NaN never passes).
 * Pure: prints nothing. */
compare_result compare_floats(const float *got, const float *want, size_t n, double atol,
                              double rtol);

/* compare_floats, then print one line "ok/FAIL name: max_abs .. max_rel .." and, on failure,
 * the worst elements; counts a check. Returns 1 if it passed. */
int check_close(const char *name, const float *got, const float *want, size_t n, double atol,
                double rtol);

/* The largest |v[i]| (0 for n = 0): the scale tolerances are set against. */
double test_max_abs(const float *v, size_t n);

/* Reads a whole file; NULL if it cannot. */
void *test_read_file(const char *path, size_t *len);

/* A fresh folder /tmp/dcgan_<name>_XXXXXX for one test program's files (-1 if it cannot be
 * made, with a message), its path, "<folder>/<file>" (in one of 8 rotating buffers: valid for
 * the next 7 calls), and its removal with everything in it. */
int test_tmpdir_create(const char *name);
const char *test_tmpdir(void);
const char *test_tmpdir_path(const char *file);
void test_tmpdir_remove(void);

#endif
