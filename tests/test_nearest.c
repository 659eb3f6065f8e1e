/* dcgan nearest: given a training image it finds that very image (distance 0) in a file-backed
 * image folder and in an in-memory MNIST-format set; generated samples get K neighbours each;
 * the sheet's size; the data folder found from the run's settings or --data-dir. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "data/dataset.h"
#include "io/png_write.h"
#include "tinyrun.h"
#include "core/log.h"
#include "testutil.h"

typedef struct {
    int query, rank, index;
    double rmse;
    char source[1024];
} csv_row;

static int read_csv(const char *path, csv_row *rows, int max)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[2048];
    int n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (n < max && fgets(line, sizeof line, f)) {
        csv_row *r = &rows[n];
        if (sscanf(line, "%d,%d,%d,%lf,\"%1023[^\"]\"", &r->query, &r->rank, &r->index, &r->rmse, r->source) == 5) n++;
    }
    fclose(f);
    return n;
}

int main(void)
{
    test_begin("test_nearest");
    log_set_level(LOG_LEVEL_WARN);
    char tmpl[] = "/tmp/dcgan-nearest-XXXXXX";
    char *root = mkdtemp(tmpl);
    if (!root) return test_finish();
    char col[1200], cond[1200], out[1300], q[1300], csv[1400], p[1400], dd[1300];
    TEST_CHECK(tiny_png_run(root, "colour", 24, col, sizeof col) == 0, "colour run");
    TEST_CHECK(tiny_idx_run(root, "cond", cond, sizeof cond) == 0, "conditional run");
    if (g_test.failures) return test_finish();
    snprintf(out, sizeof out, "%s/o", root);
    snprintf(csv, sizeof csv, "%s/nearest.csv", out);
    csv_row rows[64];

    /* a training image of the folder finds itself */
    snprintf(q, sizeof q, "%s/data/png/img007.png", root);
    TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", col, "--query", q, "-k", "3", "--out", out, NULL) == 0, "query");
    int n = read_csv(csv, rows, 64);
    TEST_CHECK(n == 3, "%d rows, want 3", n);
    if (n == 3) {
        TEST_CHECK(rows[0].rank == 0 && rows[0].rmse == 0.0 && strcmp(rows[0].source, q) == 0,
                   "nearest of %s: %s at %g", q, rows[0].source, rows[0].rmse);
        TEST_CHECK(rows[1].rmse > 0.1 && rows[2].rmse >= rows[1].rmse, "others %g %g", rows[1].rmse, rows[2].rmse);
        printf("  ok   image folder: the query's nearest is itself (RMSE %.6f); next %.3f, %.3f\n", rows[0].rmse,
               rows[1].rmse, rows[2].rmse);
    }

    /* generated samples: K neighbours each, and the sheet */
    TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", col, "-n", "3", "-k", "2", "--out", out, NULL) == 0, "samples");
    n = read_csv(csv, rows, 64);
    TEST_CHECK(n == 6, "%d rows, want 6", n);
    int W, H, C;
    snprintf(p, sizeof p, "%s/nearest.png", out);
    /* 16x16 enlarged 4x: 64 + 40 (separator) + 2 x (64 + 8); rows 3 x (64 + 8) - 8 */
    TEST_CHECK(tiny_png_size(p, &W, &H, &C) == 0 && W == 248 && H == 208 && C == 3, "sheet %dx%dx%d", W, H, C);

    /* in-memory IDX data: item 5 of the loaded set, as a PNG, finds item 5 */
    dataset ds;
    dc_err e;
    snprintf(dd, sizeof dd, "%s/data/idx", root);
    if (dataset_load_idx(&ds, dd, &e) == 0) {
        uint8_t px[28 * 28];
        for (int i = 0; i < 28 * 28; i++) px[i] = (uint8_t)lrintf(ds.images[5 * 28 * 28 + i] * 255.0f);
        snprintf(q, sizeof q, "%s/item5.png", root);
        TEST_CHECK(png_write(q, px, 28, 28, 1, &e) == 0, "%s", e.msg);
        dataset_free(&ds);
        TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", cond, "--query", q, "-k", "2", "--out", out, NULL) == 0, "idx query");
        n = read_csv(csv, rows, 64);
        TEST_CHECK(n == 2 && rows[0].index == 5 && rows[0].rmse < 1e-6 && rows[1].rmse > 0.01,
                   "IDX: nearest %d at %g, want item 5 at 0", n ? rows[0].index : -1, n ? rows[0].rmse : -1);
        printf("  ok   IDX data: item 5 found at RMSE %.2g\n", n ? rows[0].rmse : -1.0);
    } else {
        TEST_CHECK(0, "%s", e.msg);
    }
    /* conditional samples, chosen classes */
    TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", cond, "-n", "2", "--labels", "3,7", "-k", "1", "--out", out, NULL) == 0, "cond samples");
    /* --data-dir: where the data is now */
    snprintf(dd, sizeof dd, "%s/data", root);
    TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", col, "-n", "1", "-k", "1", "--data-dir", dd, "--out", out, NULL) == 0, "--data-dir");
    snprintf(dd, sizeof dd, "%s/moved", root);
    TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", col, "-n", "1", "--data-dir", dd, "--out", out, NULL) == 1, "bad --data-dir");
    TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", col, "--query", "/nonexistent.png", "--out", out, NULL) == 1, "missing query");
    TEST_CHECK(tiny_cmd(cmd_nearest, "nearest", "--run", col, "-k", "0", NULL) == EXIT_USAGE, "-k 0");

    if (!g_test.failures) tiny_rmtree(root);
    return test_finish();
}
