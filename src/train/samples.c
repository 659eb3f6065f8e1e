#include "train/samples.h"

#include <math.h>

#include "core/rng.h"
#include "io/png_write.h"
#include "train/run_folder.h"

#define SAMPLE_SEED_SALT 0x5EED5A3B1E5ULL
#define GRID_COLS_PER_CLASS 8

void sample_set_init(sample_set *s, const dcgan_config *mc, uint64_t seed, z_dist zd)
{
    if (mc->y_dim > 0) {
        s->cols = GRID_COLS_PER_CLASS;
        s->n = mc->y_dim * s->cols;
    } else {
        s->n = mc->batch;
        s->cols = (int)ceil(sqrt((double)s->n));
    }
    s->z = dc_alloc_floats((size_t)s->n * mc->z_dim);
    s->y = mc->y_dim > 0 ? dc_alloc_floats((size_t)s->n * mc->y_dim) : NULL;
    s->images = dc_alloc_floats((size_t)s->n * mc->c_dim * mc->output_h * mc->output_w);
    rng_state r;
    rng_init(&r, seed ^ SAMPLE_SEED_SALT);
    z_dist_draw(zd, &r, s->z, (size_t)s->n * mc->z_dim);
    for (int i = 0; s->y && i < s->n; i++) s->y[(size_t)i * mc->y_dim + i / s->cols] = 1.0f;
}

void sample_set_free(sample_set *s)
{
    free(s->z);
    free(s->y);
    free(s->images);
}

int sample_set_save(sample_set *s, dcgan_model *m, const char *sample_dir, long iteration,
                    tb_writer *tb, dc_err *e)
{
    char path[RUN_PATH_MAX];
    if (dc_path(e, path, sizeof path, "%s/train_%08ld.png", sample_dir, iteration)) return -1;
    const dcgan_config *mc = &m->cfg;
    dcgan_model_swap_ema(m); /* the grid shows what sampling runs: the average, if any */
    dcgan_generate(m, s->z, s->y, s->n, s->images);
    dcgan_model_swap_ema(m);
    float lo, hi;
    dcgan_model_range(mc, &lo, &hi);
    if (png_write_grid(path, s->images, s->n, mc->c_dim, mc->output_h, mc->output_w, s->cols, lo,
                       hi, e) != 0)
        return -1;
    /* the reference's G image summary: the sample grid, as written */
    int rows = (s->n + s->cols - 1) / s->cols;
    return tb ? tb_write_png_file(tb, iteration, "G", path, mc->output_w * s->cols,
                                  mc->output_h * rows, mc->c_dim, e)
              : 0;
}
