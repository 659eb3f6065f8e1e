/* What training feeds D (issue 20, points 1 and 2): the real batch of the first iteration,
 * read through train_session_last_batch, for both models and both kinds of data.
 *   - image folder, unconditional: black and white PNGs arrive as exactly -1 and +1 (tanh's
 *     range); labelled (class folders), conditional: exactly 0 and 1 (sigmoid's range);
 *   - IDX, unconditional (--no-conditional): every value is 2p/255 - 1 for the file's byte p
 *     (so the [0,1] pixels were rescaled); IDX conditional: p/255.
 * The expected values come from the pixels written here, not from the code under test. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "io/png_write.h"
#include "testdata.h"
#include "testutil.h"
#include "train/session.h"

#define S 16 /* image size: the smallest the unconditional model makes */

static void write_level(const char *path, uint8_t v)
{
    uint8_t px[S * S];
    memset(px, v, sizeof px);
    dc_err e;
    if (png_write(path, px, S, S, 1, &e) != 0) fprintf(stderr, "%s\n", e.msg);
}

static void options_for(train_options *o, const char *dataset, const char *name, int conditional)
{
    train_options_default(o);
    snprintf(o->data_dir, sizeof o->data_dir, "%s", test_tmpdir());
    snprintf(o->dataset, sizeof o->dataset, "%s", dataset);
    snprintf(o->input_fname_pattern, sizeof o->input_fname_pattern, "*.png");
    snprintf(o->out_dir, sizeof o->out_dir, "%s/out", test_tmpdir());
    snprintf(o->out_name, sizeof o->out_name, "%s", name);
    o->output_h = S;
    o->conditional = conditional;
    o->batch_size = 8;
    o->z_dim = 4;
    o->gf_dim = o->df_dim = 4;
    o->gfc_dim = o->dfc_dim = 8;
    o->max_steps = 1;
    o->sample_freq = 0;
    o->tensorboard = 0;
    o->progress = 0;
    o->threads = 1;
    o->loader_threads = 0;
}

/* Runs one iteration and returns its real batch's min and max; *on_grid: every value is
 * lo + (hi - lo) * p / 255 for an integer p. */
static int first_batch(const train_options *o, float lo, float hi, float *mn, float *mx,
                       int *on_grid)
{
    dc_err e = {{0}};
    train_session *s = train_open(o, &e);
    TEST_CHECK(s != NULL, "%s: open: %s", o->out_name, e.msg);
    if (!s) return -1;
    int items = 0;
    size_t floats = 0;
    TEST_CHECK(train_session_last_batch(s, &items, &floats) == NULL, "no batch before a step");
    train_progress p;
    int rc = train_step_next(s, &p, &e);
    TEST_CHECK(rc == 1, "%s: step: %s", o->out_name, e.msg);
    const float *x = train_session_last_batch(s, &items, &floats);
    *mn = INFINITY, *mx = -INFINITY, *on_grid = x != NULL;
    for (size_t i = 0; x && i < (size_t)items * floats; i++) {
        if (x[i] < *mn) *mn = x[i];
        if (x[i] > *mx) *mx = x[i];
        double level = (x[i] - lo) / (hi - lo) * 255.0;
        if (fabs(level - round(level)) > 1e-3) *on_grid = 0;
    }
    train_close(s, &e);
    return x ? 0 : -1;
}

int main(void)
{
    test_begin("train_range");
    log_set_level(LOG_LEVEL_WARN);
    if (test_tmpdir_create("train_range") != 0) return 1;
    char path[512];
    /* an image folder, black and white */
    mkdir(test_tmpdir_path("bw"), 0755);
    for (int i = 0; i < 16; i++) {
        snprintf(path, sizeof path, "bw/%02d.png", i);
        write_level(test_tmpdir_path(path), i % 2 ? 255 : 0);
    }
    /* the same as two classes */
    mkdir(test_tmpdir_path("bwcls"), 0755);
    mkdir(test_tmpdir_path("bwcls/black"), 0755);
    mkdir(test_tmpdir_path("bwcls/white"), 0755);
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "bwcls/black/%d.png", i);
        write_level(test_tmpdir_path(path), 0);
        snprintf(path, sizeof path, "bwcls/white/%d.png", i);
        write_level(test_tmpdir_path(path), 255);
    }
    /* MNIST-format IDX, bytes 20..239 */
    mkdir(test_tmpdir_path("idx"), 0755);
    testdata_write_idx(test_tmpdir_path("idx"), "train", 64, 1);
    testdata_write_idx(test_tmpdir_path("idx"), "t10k", 16, 2);

    train_options o;
    float mn, mx;
    int grid;
    options_for(&o, "bw", "folder_uncond", -1);
    if (first_batch(&o, -1, 1, &mn, &mx, &grid) == 0)
        TEST_CHECK(mn == -1.0f && mx == 1.0f, "image folder, unconditional: black -1, white +1 "
                   "(got %g..%g)", mn, mx);
    options_for(&o, "bwcls", "folder_cond", 1);
    if (first_batch(&o, 0, 1, &mn, &mx, &grid) == 0)
        TEST_CHECK(mn == 0.0f && mx == 1.0f, "class folders, conditional: black 0, white 1 "
                   "(got %g..%g)", mn, mx);
    o.input_h = 0;
    options_for(&o, "idx", "idx_uncond", 0);
    if (first_batch(&o, -1, 1, &mn, &mx, &grid) == 0)
        TEST_CHECK(grid && mn < -0.8f && mx > 0.8f, "IDX, unconditional: 2p/255 - 1 "
                   "(got %g..%g, on the grid: %d)", mn, mx, grid);
    options_for(&o, "idx", "idx_cond", -1);
    if (first_batch(&o, 0, 1, &mn, &mx, &grid) == 0)
        TEST_CHECK(grid && mn > 0.05f && mn < 0.1f && mx > 0.9f, "IDX, conditional: p/255 "
                   "(got %g..%g, on the grid: %d)", mn, mx, grid);
    test_tmpdir_remove();
    return test_finish();
}
