#include "train/samples.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "core/rng.h"
#include "io/png_write.h"
#include "train/run_folder.h"

#define SAMPLE_SEED_SALT 0x5EED5A3B1E5ULL
#define GRID_COLS_PER_CLASS 8
#define REAL_SEED_SALT 0x4EA1ULL

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
    dcgan_model_generate(m, s->z, s->y, s->n, s->images);
    dcgan_model_swap_ema(m);
    float lo, hi;
    dcgan_model_range(mc, &lo, &hi);
    int scale = png_grid_scale(mc->output_h, mc->output_w), GW, GH;
    if (png_write_grid_spaced(path, s->images, s->n, mc->c_dim, mc->output_h, mc->output_w,
                              s->cols, lo, hi, scale, PNG_GRID_GAP, e) != 0)
        return -1;
    /* the reference's G image summary: the sample grid, as written */
    png_grid_size(s->n, mc->output_h, mc->output_w, s->cols, scale, PNG_GRID_GAP, &GW, &GH);
    return tb ? tb_write_png_file(tb, iteration, "G", path, GW, GH, mc->c_dim, e) : 0;
}

/* The row item i may fill in a grid of `rows` rows: -1 when none (its row is full, or it has
 * no class or attribute of a row that is not). Unconditional: the next cell in order. */
static int real_row(const dataset *ds, const dcgan_config *mc, int item, const int *filled,
                    int rows, int cols)
{
    if (mc->y_dim == 0) {
        for (int r = 0; r < rows; r++)
            if (filled[r] < cols) return r;
        return -1;
    }
    if (ds->labels && ds->num_classes == mc->y_dim) {
        int c = ds->labels[item];
        return c >= 0 && c < rows && filled[c] < cols ? c : -1;
    }
    if (ds->attributes && ds->num_attributes == mc->y_dim) {
        const uint8_t *a = ds->attributes + (size_t)item * ds->num_attributes;
        for (int r = 0; r < rows; r++)
            if (a[r] && filled[r] < cols) return r;
    }
    return -1;
}

static int load_real(const dataset *ds, int item, float *dst, size_t per, dc_err *e)
{
    if (ds->images) {
        memcpy(dst, ds->images + (size_t)item * per, per * sizeof(float));
        return 0;
    }
    return dataset_load_item(ds, item, &ds->spec, dst, e);
}

int sample_set_write_real(const sample_set *s, const dataset *ds, const dcgan_config *mc,
                          const char *sample_dir, uint64_t seed, dc_err *e)
{
    char path[RUN_PATH_MAX];
    if (dc_path(e, path, sizeof path, "%s/real.png", sample_dir)) return -1;
    struct stat st;
    if (stat(path, &st) == 0) return 0;
    int rows = (s->n + s->cols - 1) / s->cols;
    size_t per = dcgan_config_image_floats(mc);
    float lo, hi;
    dataset_range(ds, &lo, &hi);
    float *img = dc_alloc_floats((size_t)s->n * per);
    for (size_t i = 0; i < (size_t)s->n * per; i++) img[i] = lo;
    int *order = dc_calloc((size_t)ds->count, sizeof(int));
    int *filled = dc_calloc((size_t)rows, sizeof(int));
    for (int i = 0; i < ds->count; i++) order[i] = i;
    rng_state r;
    rng_init(&r, seed ^ REAL_SEED_SALT);
    rng_shuffle(&r, order, (size_t)ds->count);
    int placed = 0;
    for (int k = 0; k < ds->count && placed < s->n; k++) {
        int row = real_row(ds, mc, order[k], filled, rows, s->cols);
        if (row < 0) continue;
        int cell = row * s->cols + filled[row];
        if (cell >= s->n) continue;
        dc_err ignored; /* a bad item: the loader says so when training meets it */
        if (load_real(ds, order[k], img + (size_t)cell * per, per, &ignored) != 0) continue;
        filled[row]++;
        placed++;
    }
    int rc = png_write_grid_spaced(path, img, s->n, mc->c_dim, mc->output_h, mc->output_w, s->cols,
                                   lo, hi, png_grid_scale(mc->output_h, mc->output_w),
                                   PNG_GRID_GAP, e);
    free(img);
    free(order);
    free(filled);
    return rc;
}
