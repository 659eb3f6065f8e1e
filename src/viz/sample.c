#include "viz/sample.h"

#include <ctype.h>
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
#include "viz/canvas.h"
#include "viz/output.h"

#define SAMPLE_NAME_MAX 96
#define SAMPLE_GRID_GAP 2      /* pixels between cells, before the enlargement */
#define SAMPLE_GRID_MIN_CELL 64

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

/* A label's name as part of a file name: letters, digits, '-', '+', '.' kept, the rest '_'. */
static void file_safe(char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-+.", *s)) *s = '_';
}

/* Image i's file name: sample_00000.png, or for a conditional model with its class (or the
 * attributes set) in it, sample_00000_dress.png. */
static void sample_file_name(const generator *g, int i, int label, char *buf, size_t n)
{
    char name[SAMPLE_NAME_MAX - 24] = "";
    if (generator_config(g)->y_dim > 0) {
        generator_label_name(g, label, name, sizeof name);
        file_safe(name);
    }
    snprintf(buf, n, "sample_%05d%s%s.png", i, name[0] ? "_" : "", name);
}

/* DIR/labels.csv for the files [0, n): each one's class (file,class: a labels file 'dcgan train
 * --labels-file' reads) or attributes (file,attr1,... as 1/0). */
static int write_labels_csv(const generator *g, const char *dir, const int *labels, int n,
                            dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    char path[GENERATOR_PATH_MAX + 32], file[SAMPLE_NAME_MAX], name[256];
    if (dc_path(e, path, sizeof path, "%s/labels.csv", dir)) return -1;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return dc_fail(e, "%s: out of memory", path);
    int attrs = generator_has_attributes(g);
    fprintf(f, "file");
    for (int a = 0; a < (attrs ? c->y_dim : 1); a++) {
        generator_label_name(g, a, name, sizeof name);
        fprintf(f, ",%s", attrs ? name : "class");
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        int k = labels[i];
        sample_file_name(g, i, k, file, sizeof file);
        generator_label_name(g, k, name, sizeof name);
        fprintf(f, "%s", file);
        if (!attrs) fprintf(f, ",%s", name);
        for (int a = 0; attrs && a < c->y_dim; a++)
            fprintf(f, ",%d", k < c->y_dim ? k == a : g->conds[(size_t)(k - c->y_dim) * c->y_dim + a] > 0.5f);
        fputc('\n', f);
    }
    int rc = fclose(f) == 0 ? atomic_file_write(path, buf, len, e) : dc_fail(e, "%s: out of memory", path);
    free(buf);
    return rc;
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
                       const int *labels, int first, int k, int *written, dc_err *e)
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
        char p[GENERATOR_PATH_MAX + SAMPLE_NAME_MAX], file[SAMPLE_NAME_MAX];
        sample_file_name(g, first + i, labels[i], file, sizeof file);
        snprintf(p, sizeof p, "%s/%s", o->out_dir, file);
        image_to_u8(px, images + (size_t)i * per, c->c_dim, c->output_h, c->output_w, g->lo, g->hi);
        rc = png_write(p, px, c->output_w, c->output_h, c->c_dim, e);
        if (rc == 0) (*written)++;
    }
    free(px);
    return rc;
}

/* The grid as a picture: the cells `scale` times enlarged with a gap between them; with
 * label_rows (a row per class), each row's class name in a margin on the left. */
static void grid_picture(const generator *g, const float *images, int n, int cols, int scale,
                         int label_rows, canvas *out)
{
    const dcgan_config *mc = generator_config(g);
    int h = mc->output_h, w = mc->output_w, rows = (n + cols - 1) / cols, gap = SAMPLE_GRID_GAP;
    canvas grid;
    canvas_init(&grid, cols * (w + gap) - gap, rows * (h + gap) - gap, mc->c_dim, 255);
    size_t per = generator_image_floats(g);
    for (int i = 0; i < n; i++)
        canvas_put_float(&grid, (i % cols) * (w + gap), (i / cols) * (h + gap), images + i * per,
                         mc->c_dim, h, w, g->lo, g->hi);
    canvas_scale(&grid, scale);
    if (!label_rows || mc->y_dim == 0) {
        *out = grid;
        return;
    }
    double size = fmin(18.0, fmax(10.0, h * scale * 0.3)), margin = 0;
    char name[256];
    for (int r = 0; r < rows; r++) {
        generator_label_name(g, r % mc->y_dim, name, sizeof name);
        margin = fmax(margin, canvas_text_width(name, size));
    }
    int left = (int)ceil(margin) + 12;
    canvas_init(out, grid.W + left, grid.H, mc->c_dim, 255);
    canvas_put(out, left, 0, grid.px, grid.W, grid.H, grid.C);
    static const uint8_t black[3] = {0, 0, 0};
    for (int r = 0; r < rows; r++) {
        generator_label_name(g, r % mc->y_dim, name, sizeof name);
        double y = r * (h + gap) * scale + h * scale / 2.0 + size * 0.35;
        canvas_text(out, left - 6 - canvas_text_width(name, size), y, name, size, black, NULL);
    }
    canvas_free(&grid);
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
        canvas pic;
        int scale = o->scale ? o->scale : generator_auto_scale(g, SAMPLE_GRID_MIN_CELL);
        grid_picture(g, images, n, cols, scale, o->label_rows, &pic);
        int rc = canvas_write(&pic, grid, e);
        if (rc == 0)
            log_info("wrote %s (%d images, %d per row, %dx%d pixels)", grid, n, cols, pic.W, pic.H);
        canvas_free(&pic);
        return rc;
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
static int grid_too_big(const generator *g, const sample_options *o, int n, int cols, dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    int grid = o->grid || (!o->out_dir && !o->npy);
    /* the cells enlarged, the gaps between them (a row name margin comes on top) */
    long long k = o->scale ? o->scale : generator_auto_scale(g, SAMPLE_GRID_MIN_CELL);
    long long rows = ((long long)n + cols - 1) / cols;
    long long w = ((long long)cols * (c->output_w + SAMPLE_GRID_GAP) - SAMPLE_GRID_GAP) * k;
    long long h = (rows * (c->output_h + SAMPLE_GRID_GAP) - SAMPLE_GRID_GAP) * k;
    if (!grid || (w <= PNG_WRITE_MAX_SIDE && h <= PNG_WRITE_MAX_SIDE)) return 0;
    if (w > PNG_WRITE_MAX_SIDE)
        return dc_fail(e, "--cols %d: a grid row of %d images %d pixels wide is %lld pixels, more "
                          "than PNG readers accept (%d); at most %d columns",
                       cols, cols, c->output_w, w, PNG_WRITE_MAX_SIDE,
                       (int)((PNG_WRITE_MAX_SIDE / k + SAMPLE_GRID_GAP) / (c->output_w + SAMPLE_GRID_GAP)));
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
        rc = write_files(g, o, images, lab + start, start, k, written, e);
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
    if (grid_too_big(g, o, n, cols, e) || (o->out_dir && prepare_dir(o->out_dir, e))) {
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
        if (rc == 0 && o->out_dir) rc = write_files(g, o, images, lab, 0, n, &written, e);
        free(images);
    }
    /* the classes of the files written, a stopped run's too */
    int csv = o->out_dir && c->y_dim > 0 && written > 0 && rc != -1;
    if (csv && write_labels_csv(g, o->out_dir, lab, written, e) != 0) rc = -1;
    if (rc == 0 && o->out_dir)
        log_info("wrote %d images to %s/%s", n, o->out_dir,
                 csv ? " (each one's class in its name, and labels.csv)" : "");
    if (rc == SAMPLE_STOPPED)
        dc_fail(e, "stopped by %s: %d of %d images written%s%s%s, each whole",
                interrupt_signal_name(*o->stop), written, n, o->out_dir ? " to " : "",
                o->out_dir ? o->out_dir : "", o->out_dir ? "/" : "");
    free(z);
    free(lab);
    return rc;
}
