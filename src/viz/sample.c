#include "viz/sample.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "io/npy.h"
#include "io/png_write.h"
#include "model/output_check.h"
#include "viz/output.h"

/* The latent vectors: read from o->zfile (*n its rows) or drawn from the seed. */
static float *sample_latents(const generator *g, const sample_options *o, int *n, dc_err *e)
{
    int zd = generator_config(g)->z_dim;
    float *z = NULL;
    if (o->zfile) {
        int nd;
        int64_t shape[NPY_MAX_DIMS];
        if (npy_read_f32(o->zfile, &z, &nd, shape, e) != 0) return NULL;
        if (nd != 2 || shape[1] != zd || shape[0] < 1 || shape[0] > 1000000) {
            free(z);
            dc_fail(e, "%s: expected float32 [N, %d] latent vectors", o->zfile, zd);
            return NULL;
        }
        if (generator_check_latents(o->zfile, z, (long)shape[0], zd, e) != 0) {
            free(z);
            return NULL;
        }
        *n = (int)shape[0];
        return z;
    }
    z = dc_alloc_floats((size_t)*n * zd);
    rng_state r;
    rng_init(&r, o->seed);
    z_dist_draw(o->zdist_given ? o->zdist : g->zdist, &r, z, (size_t)*n * zd);
    return z;
}

/* Each image's class: a row per class, the given ones cycled, or the classes in turn. */
static int *sample_labels(const generator *g, const sample_options *o, int n, int cols)
{
    int y_dim = generator_config(g)->y_dim;
    int *lab = dc_calloc((size_t)n, sizeof *lab);
    for (int i = 0; i < n && y_dim > 0; i++)
        lab[i] = o->label_rows ? (i / cols) % y_dim : o->nlabels ? o->labels[i % o->nlabels] : i % y_dim;
    return lab;
}

/* The folder of --out, made if need be, without the temporary files a killed sample left. */
static int prepare_dir(const char *dir, dc_err *e)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return dc_fail(e, "%s: cannot create folder: %s", dir, strerror(errno));
    int stale = atomic_file_remove_stale(dir, "sample_", ".png");
    if (stale > 0) log_info("%s: removed %d temporary files a stopped sample left", dir, stale);
    return 0;
}

/* Images [0, k) as the files first.. of o->out_dir; before each, a stop request ends it
 * (SAMPLE_STOPPED), so every file written is whole and none half-written is left. */
static int write_files(const generator *g, const sample_options *o, const float *images,
                       int first, int k, int *written, dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    size_t per = generator_image_floats(g);
    uint8_t *px = malloc(per);
    if (!px) return dc_fail(e, "out of memory");
    int rc = 0;
    for (int i = 0; i < k && rc == 0; i++) {
        if (o->stop && *o->stop) {
            rc = SAMPLE_STOPPED;
            break;
        }
        char p[GENERATOR_PATH_MAX + 32];
        snprintf(p, sizeof p, "%s/sample_%05d.png", o->out_dir, first + i);
        image_to_u8(px, images + (size_t)i * per, c->c_dim, c->output_h, c->output_w, g->lo, g->hi);
        rc = png_write(p, px, c->output_w, c->output_h, c->c_dim, e);
        if (rc == 0) (*written)++;
    }
    free(px);
    return rc;
}

/* RUN/samples/sample.png, or CHECKPOINT_sample.png beside the checkpoint. */
static void default_grid(const generator *g, const char *run_dir, char *buf, size_t n)
{
    if (run_dir) {
        snprintf(buf, n, "%s/samples/sample.png", run_dir);
        return;
    }
    snprintf(buf, n, "%s", g->path);
    char *dot = strrchr(buf, '.');
    if (dot) *dot = 0;
    strncat(buf, "_sample.png", n - strlen(buf) - 1);
}

static int write_outputs(const generator *g, const sample_options *o, const float *images, int n,
                         int cols, dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    if (o->npy) {
        if (generator_write_npy(g, o->npy, images, n, e) != 0) return -1;
        log_info("wrote %s", o->npy);
    }
    const char *grid = o->grid;
    char buf[GENERATOR_PATH_MAX + 32];
    if (!grid && !o->out_dir && !o->npy) {
        default_grid(g, o->run_dir, buf, sizeof buf);
        grid = buf;
    }
    if (grid) {
        if (png_write_grid(grid, images, n, c->c_dim, c->output_h, c->output_w, cols, g->lo, g->hi,
                           e) != 0)
            return -1;
        log_info("wrote %s (%d images, %d per row)", grid, n, cols);
    }
    return 0;
}

/* No output may replace an input (the checkpoint, the latent vectors) or land in a run's
 * checkpoints folder. */
static int check_outputs(const generator *g, const sample_options *o, dc_err *e)
{
    const char *inputs[2] = {g->path, o->zfile};
    if (o->grid && output_check_path("--grid", o->grid, inputs, 2, e) != 0) return -1;
    if (o->npy && output_check_path("--npy", o->npy, inputs, 2, e) != 0) return -1;
    if (o->out_dir && output_check_path("--out", o->out_dir, inputs, 2, e) != 0) return -1;
    return 0;
}

/* A grid PNG readers cannot take, refused before generating (naming --cols or -n). */
static int grid_too_big(const dcgan_config *c, const sample_options *o, int n, int cols, dc_err *e)
{
    int grid = o->grid || (!o->out_dir && !o->npy);
    long long w = (long long)cols * c->output_w, h = (long long)(n + cols - 1) / cols * c->output_h;
    if (!grid || (w <= PNG_WRITE_MAX_SIDE && h <= PNG_WRITE_MAX_SIDE)) return 0;
    if (w > PNG_WRITE_MAX_SIDE)
        return dc_fail(e, "--cols %d: a grid row of %d images %d pixels wide is %lld pixels, more "
                          "than PNG readers accept (%d); at most %d columns",
                       cols, cols, c->output_w, w, PNG_WRITE_MAX_SIDE,
                       PNG_WRITE_MAX_SIDE / c->output_w);
    return dc_fail(e, "-n %d in %d columns: the grid would be %lld pixels tall, more than PNG "
                      "readers accept (%d); give more --cols, or --out DIR for separate files",
                   n, cols, h, PNG_WRITE_MAX_SIDE);
}

/* --out alone: generated and written a chunk at a time (a million images need not be held),
 * stopping between images when asked. */
static int write_files_chunked(generator *g, const sample_options *o, const float *z,
                               const int *lab, int n, int *written, dc_err *e)
{
    int zd = generator_config(g)->z_dim, rc = 0;
    float *images = dc_alloc_floats((size_t)GENERATOR_CHUNK * generator_image_floats(g));
    for (int start = 0; start < n && rc == 0; start += GENERATOR_CHUNK) {
        int k = n - start < GENERATOR_CHUNK ? n - start : GENERATOR_CHUNK;
        generator_generate(g, z + (size_t)start * zd, lab + start, k, images);
        rc = write_files(g, o, images, start, k, written, e);
    }
    free(images);
    return rc;
}

int sample_write(generator *g, const sample_options *o, dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    if (check_outputs(g, o, e) != 0) return -1;
    int n = o->n, cols = o->cols;
    float *z = NULL;
    if (o->zfile && !(z = sample_latents(g, o, &n, e))) return -1;
    if (o->label_rows) {
        if (!cols) cols = 8;
        if (!o->n_given && !o->zfile) n = c->y_dim * cols;
    }
    if (!cols) cols = (int)ceil(sqrt((double)n));
    if (grid_too_big(c, o, n, cols, e) || (o->out_dir && prepare_dir(o->out_dir, e))) {
        free(z);
        return -1;
    }
    if (!z) z = sample_latents(g, o, &n, e);
    int *lab = sample_labels(g, o, n, cols);
    int rc = 0, written = 0;
    if (o->out_dir && !o->grid && !o->npy) {
        rc = write_files_chunked(g, o, z, lab, n, &written, e);
    } else {
        float *images = dc_alloc_floats((size_t)n * generator_image_floats(g));
        generator_generate(g, z, lab, n, images);
        rc = o->stop && *o->stop ? SAMPLE_STOPPED : write_outputs(g, o, images, n, cols, e);
        if (rc == 0 && o->out_dir) rc = write_files(g, o, images, 0, n, &written, e);
        free(images);
    }
    if (rc == 0 && o->out_dir) log_info("wrote %d images to %s/", n, o->out_dir);
    if (rc == SAMPLE_STOPPED)
        dc_fail(e, "stopped by %s: %d of %d images written%s%s%s, each whole",
                interrupt_signal_name(*o->stop), written, n, o->out_dir ? " to " : "",
                o->out_dir ? o->out_dir : "", o->out_dir ? "/" : "");
    free(z);
    free(lab);
    return rc;
}
