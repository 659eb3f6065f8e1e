#include "viz/sample.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "core/log.h"
#include "io/npy.h"
#include "io/png_write.h"
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

/* DIR/labels.csv: each file and its class (file,class: a labels file that 'dcgan train
 * --labels-file' reads) or its attributes (file,attr1,... as 1/0). */
static int write_labels_csv(const generator *g, const char *dir, char names[][SAMPLE_NAME_MAX],
                            const int *labels, int n, dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    char path[GENERATOR_PATH_MAX + 32];
    if (dc_path(e, path, sizeof path, "%s/labels.csv", dir)) return -1;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return dc_fail(e, "%s: out of memory", path);
    int attrs = generator_has_attributes(g);
    fprintf(f, "file");
    for (int a = 0; a < (attrs ? c->y_dim : 1); a++) {
        char name[256];
        generator_label_name(g, a, name, sizeof name);
        fprintf(f, ",%s", attrs ? name : "class");
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s", names[i]);
        char name[256];
        generator_label_name(g, labels[i], name, sizeof name);
        if (!attrs) fprintf(f, ",%s", name);
        for (int a = 0; attrs && a < c->y_dim; a++) {
            int k = labels[i];
            int on = k < c->y_dim ? k == a : g->conds[(size_t)(k - c->y_dim) * c->y_dim + a] > 0.5f;
            fprintf(f, ",%d", on);
        }
        fputc('\n', f);
    }
    int rc = fclose(f) == 0 ? atomic_file_write(path, buf, len, e) : dc_fail(e, "%s: out of memory", path);
    free(buf);
    return rc;
}

/* sample_00000.png, ...; a conditional model's with each image's class (or attributes) in the
 * name, sample_00000_dress.png, and labels.csv beside them. */
static int write_files(const generator *g, const char *dir, const float *images, const int *labels,
                       int n, dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return dc_fail(e, "%s: cannot create folder: %s", dir, strerror(errno));
    size_t per = generator_image_floats(g);
    uint8_t *px = malloc(per);
    char(*names)[SAMPLE_NAME_MAX] = calloc((size_t)n, sizeof *names);
    int rc = px && names ? 0 : dc_fail(e, "out of memory");
    for (int i = 0; rc == 0 && i < n; i++) {
        char label[SAMPLE_NAME_MAX - 24] = "";
        if (c->y_dim > 0) {
            generator_label_name(g, labels[i], label, sizeof label);
            file_safe(label);
        }
        snprintf(names[i], SAMPLE_NAME_MAX, "sample_%05d%s%s.png", i, label[0] ? "_" : "", label);
        char p[GENERATOR_PATH_MAX + SAMPLE_NAME_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        image_to_u8(px, images + (size_t)i * per, c->c_dim, c->output_h, c->output_w, g->lo, g->hi);
        rc = png_write(p, px, c->output_w, c->output_h, c->c_dim, e);
    }
    if (rc == 0 && c->y_dim > 0) rc = write_labels_csv(g, dir, names, labels, n, e);
    if (rc == 0)
        log_info("wrote %d images to %s/%s", n, dir,
                 c->y_dim > 0 ? " (each one's class in its name, and labels.csv)" : "");
    free(px);
    free(names);
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

static int write_outputs(const generator *g, const sample_options *o, const float *images,
                         const int *labels, int n, int cols, dc_err *e)
{
    if (o->npy) {
        if (generator_write_npy(g, o->npy, images, n, e) != 0) return -1;
        log_info("wrote %s", o->npy);
    }
    if (o->out_dir && write_files(g, o->out_dir, images, labels, n, e) != 0) return -1;
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

int sample_write(generator *g, const sample_options *o, dc_err *e)
{
    const dcgan_config *c = generator_config(g);
    int n = o->n, cols = o->cols;
    float *z = NULL;
    if (o->zfile && !(z = sample_latents(g, o, &n, e))) return -1;
    if (o->label_rows) {
        if (!cols) cols = 8;
        if (!o->n_given && !o->zfile) n = c->y_dim * cols;
    }
    if (!cols) cols = (int)ceil(sqrt((double)n));
    if (!z) z = sample_latents(g, o, &n, e);
    int *lab = sample_labels(g, o, n, cols);
    float *images = dc_alloc_floats((size_t)n * generator_image_floats(g));
    generator_generate(g, z, lab, n, images);
    int rc = write_outputs(g, o, images, lab, n, cols, e);
    free(z);
    free(lab);
    free(images);
    return rc;
}
