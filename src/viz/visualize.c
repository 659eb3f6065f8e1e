/* The reference's visualisations (utils.py visualize, options 0-4) without its bugs (square
 * batches only, hard-coded paths, unconditional only, z_dim >= 100 for option 4, options 2 and
 * 3 overwriting each other's files), and an animation of training from the run's sample grids. */
#include "viz/visualize.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crc32c.h"
#include "core/dirs.h"
#include "core/log.h"
#include "viz/gif_write.h"
#include "io/png_read.h"
#include "viz/canvas.h"
#include "viz/latent.h"

static int write_png(const visualize_options *v, canvas *c, const char *name, dc_err *e)
{
    char path[VIS_PATH_MAX + 64];
    if (dc_path(e, path, sizeof path, "%s/%s", v->out, name)) return -1;
    canvas_scale(c, v->scale);
    if (canvas_write_png(c, path, e) != 0) return -1;
    log_info("wrote %s (%dx%d)", path, c->W, c->H);
    return 0;
}

/* local: a palette per frame (training progress: frames far apart), else one for all */
static int write_gif(const visualize_options *v, canvas *frames, int n, const int *delays, const char *name,
                     int local, dc_err *e)
{
    char path[VIS_PATH_MAX + 64];
    if (dc_path(e, path, sizeof path, "%s/%s", v->out, name)) return -1;
    const uint8_t **px = dc_calloc((size_t)n, sizeof *px);
    for (int i = 0; i < n; i++) {
        canvas_scale(&frames[i], v->scale);
        px[i] = frames[i].px;
    }
    gif_stats st;
    int rc = (local ? gif_write_local : gif_write)(path, px, n, frames[0].W, frames[0].H, frames[0].C,
                                                   delays, &st, e);
    free(px);
    if (rc == 0)
        log_info("wrote %s (%d frames %dx%d, %d colours%s, palette rmse %.2f, max error %d)", path, n,
                 frames[0].W, frames[0].H, st.colors, local ? " a frame" : "", st.rmse, st.max_err);
    return rc;
}

/* Grid: n images of the batch, cols per row. */
static void grid_canvas(const generator *g, canvas *c, const float *images, int n, int cols)
{
    const dcgan_config *mc = generator_config(g);
    int rows = (n + cols - 1) / cols;
    canvas_init(c, cols * mc->output_w, rows * mc->output_h, mc->c_dim, 0);
    size_t per = generator_image_floats(g);
    for (int i = 0; i < n; i++)
        canvas_put_float(c, (i % cols) * mc->output_w, (i / cols) * mc->output_h, images + i * per,
                         mc->c_dim, mc->output_h, mc->output_w, g->lo, g->hi);
}

/* Options 0 and 1: the batch's layout and labels. */
static void grid_layout(const generator *g, const visualize_options *v, int *n, int *cols, int *labels)
{
    const dcgan_config *mc = generator_config(g);
    if (v->labels_all) {
        *cols = v->cols ? v->cols : 8;
        *n = mc->y_dim * *cols;
    } else {
        *n = v->batch;
        *cols = v->cols ? v->cols : (int)ceil(sqrt((double)*n));
    }
    for (int i = 0; i < *n && labels; i++)
        labels[i] = mc->y_dim == 0 ? 0
                    : v->labels_all ? i / *cols
                    : v->nlabels    ? v->labels[i % v->nlabels]
                                    : i % mc->y_dim;
}

/* One sample grid's buffers: its layout and labels, the latent vectors and the images. */
typedef struct {
    int n, cols;
    int *labels;
    float *z, *img;
} grid_work;

static void grid_work_init(grid_work *w, generator *g, const visualize_options *v)
{
    grid_layout(g, v, &w->n, &w->cols, NULL);
    w->labels = dc_calloc((size_t)w->n, sizeof *w->labels);
    grid_layout(g, v, &w->n, &w->cols, w->labels);
    w->z = dc_alloc_floats((size_t)w->n * generator_config(g)->z_dim);
    w->img = dc_alloc_floats((size_t)w->n * generator_image_floats(g));
}

static void grid_work_free(grid_work *w)
{
    free(w->labels);
    free(w->z);
    free(w->img);
}

static int option0(generator *g, const visualize_options *v, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    grid_work w;
    grid_work_init(&w, g, v);
    rng_state r;
    rng_init(&r, v->seed);
    rng_uniform(&r, w.z, (size_t)w.n * mc->z_dim, -0.5f, 0.5f);
    generator_generate(g, w.z, w.labels, w.n, w.img);
    canvas c;
    grid_canvas(g, &c, w.img, w.n, w.cols);
    char name[64];
    snprintf(name, sizeof name, "test_seed%llu.png", (unsigned long long)v->seed);
    int rc = write_png(v, &c, name, e);
    canvas_free(&c);
    grid_work_free(&w);
    return rc;
}

static int option1(generator *g, const visualize_options *v, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    grid_work w;
    grid_work_init(&w, g, v);
    int n = w.n, cols = w.cols, *labels = w.labels;
    float *z = w.z, *img = w.img;
    rng_state r;
    rng_init(&r, v->seed);
    int rc = 0;
    for (int k = 0; k < v->ndims && rc == 0; k++) {
        int d = v->dims[k];
        if (v->base_random) rng_uniform(&r, z, (size_t)n * mc->z_dim, -1.0f, 1.0f);
        else memset(z, 0, (size_t)n * mc->z_dim * sizeof *z);
        if (v->labels_all) /* the same sweep along every row */
            for (int i = 0; i < n; i++) z[(size_t)i * mc->z_dim + d] = (float)(i % cols) / cols;
        else
            latent_sweep(z, n, mc->z_dim, d, 0.0f, 1.0f / n);
        generator_generate(g, z, labels, n, img);
        canvas c;
        grid_canvas(g, &c, img, n, cols);
        char name[64];
        snprintf(name, sizeof name, "test_arange_%d.png", d);
        rc = write_png(v, &c, name, e);
        canvas_free(&c);
    }
    grid_work_free(&w);
    return rc;
}

/* The frames of one swept dimension: frame k shows every label's image of z = base with
 * z[dim] = k / F, side by side. frames: F canvases (initialised here). */
static void sweep_frames(generator *g, const visualize_options *v, const float *base, int dim,
                         canvas *frames)
{
    const dcgan_config *mc = generator_config(g);
    int F = v->batch, L = mc->y_dim ? v->nlabels : 1, n = F * L;
    float *z = dc_alloc_floats((size_t)n * mc->z_dim);
    int *labels = dc_calloc((size_t)n, sizeof *labels);
    for (int k = 0; k < F; k++)
        for (int l = 0; l < L; l++) {
            float *zi = z + (size_t)(k * L + l) * mc->z_dim;
            memcpy(zi, base, (size_t)mc->z_dim * sizeof *zi);
            zi[dim] = (float)k / F;
            labels[k * L + l] = mc->y_dim ? v->labels[l] : 0;
        }
    size_t per = generator_image_floats(g);
    float *img = dc_alloc_floats((size_t)n * per);
    generator_generate(g, z, labels, n, img);
    for (int k = 0; k < F; k++) {
        canvas_init(&frames[k], L * mc->output_w, mc->output_h, mc->c_dim, 0);
        for (int l = 0; l < L; l++)
            canvas_put_float(&frames[k], l * mc->output_w, 0, img + (size_t)(k * L + l) * per,
                             mc->c_dim, mc->output_h, mc->output_w, g->lo, g->hi);
    }
    free(z);
    free(labels);
    free(img);
}

static int delay_cs(double seconds, int frames)
{
    int d = (int)lround(seconds * 100.0 / frames);
    return d < 2 ? 2 : d;
}

static int options234(generator *g, const visualize_options *v, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int F = v->batch;
    float *base = dc_alloc_floats((size_t)mc->z_dim);
    int *delays = dc_calloc((size_t)2 * F, sizeof *delays);
    for (int k = 0; k < 2 * F; k++) delays[k] = delay_cs(v->duration, F);
    canvas **keep = v->option == 4 ? dc_calloc((size_t)v->ndims, sizeof *keep) : NULL;
    rng_state r;
    rng_init(&r, v->seed);
    int rc = 0;
    for (int k = 0; k < v->ndims && rc == 0; k++) {
        int d = v->dims[k];
        if (v->option == 2) rng_uniform(&r, base, (size_t)mc->z_dim, -0.2f, 0.2f);
        else memset(base, 0, (size_t)mc->z_dim * sizeof *base);
        canvas *frames = dc_calloc((size_t)F, sizeof *frames);
        sweep_frames(g, v, base, d, frames);
        char name[64];
        snprintf(name, sizeof name, v->option == 2 ? "test_gif_random_%d.gif" : "test_gif_%d.gif", d);
        if (keep) {
            /* the merged GIF needs them unscaled: write copies */
            canvas *copy = dc_calloc((size_t)F, sizeof *copy);
            for (int i = 0; i < F; i++) {
                canvas_init(&copy[i], frames[i].W, frames[i].H, frames[i].C, 0);
                memcpy(copy[i].px, frames[i].px, (size_t)frames[i].W * frames[i].H * frames[i].C);
            }
            rc = write_gif(v, copy, F, delays, name, 0, e);
            for (int i = 0; i < F; i++) canvas_free(&copy[i]);
            free(copy);
            keep[k] = frames;
        } else {
            rc = write_gif(v, frames, F, delays, name, 0, e);
            for (int i = 0; i < F; i++) canvas_free(&frames[i]);
            free(frames);
        }
    }
    if (keep && rc == 0) {
        /* every dimension's animation in one grid, forward then backward */
        int D = v->ndims, cols = (int)ceil(sqrt((double)D)), rows = (D + cols - 1) / cols;
        int cw = keep[0][0].W, ch = keep[0][0].H;
        canvas *merged = dc_calloc((size_t)2 * F, sizeof *merged);
        for (int f = 0; f < 2 * F; f++) {
            int k = f < F ? f : 2 * F - 1 - f;
            canvas_init(&merged[f], cols * cw, rows * ch, mc->c_dim, 0);
            for (int i = 0; i < D; i++)
                canvas_put(&merged[f], (i % cols) * cw, (i / cols) * ch, keep[i][k].px, cw, ch, mc->c_dim);
        }
        int *md = dc_calloc((size_t)2 * F, sizeof *md);
        for (int f = 0; f < 2 * F; f++) md[f] = delay_cs(4 * v->duration, 2 * F);
        rc = write_gif(v, merged, 2 * F, md, "test_gif_merged.gif", 0, e);
        for (int f = 0; f < 2 * F; f++) canvas_free(&merged[f]);
        free(merged);
        free(md);
    }
    for (int k = 0; keep && k < v->ndims; k++) {
        for (int i = 0; keep[k] && i < F; i++) canvas_free(&keep[k][i]);
        free(keep[k]);
    }
    free(keep);
    free(base);
    free(delays);
    return rc;
}

/* "_<tag><value>" for a flag's value as given: kept to letters, digits and "-+.=", a long
 * one as its CRC-32C. */
static size_t tag_text(char *buf, size_t n, size_t k, const char *tag, const char *value)
{
    char v[48];
    if (strlen(value) > 32) {
        snprintf(v, sizeof v, "%08x", crc32c(value, strlen(value)));
    } else {
        snprintf(v, sizeof v, "%s", value);
        for (char *p = v; *p; p++)
            if (*p == ',') *p = '+';
            else if (!isalnum((unsigned char)*p) && !strchr("-+.=", *p)) *p = '_';
    }
    if (k + 1 >= n) return k;
    int w = snprintf(buf + k, n - k, "_%s%s", tag, v);
    return w > 0 && k + (size_t)w < n ? k + (size_t)w : n - 1;
}

void visualize_folder_name(const generator *g, const visualize_options *v, const char *labels,
                           const char *dims, char *buf, size_t n)
{
    int w0 = snprintf(buf, n, "option%d_it%ld", v->option, g->st.iteration);
    size_t k = w0 > 0 && (size_t)w0 < n ? (size_t)w0 : n - 1;
    char num[32];
#define TAG_INT(cond, tag, value)                               \
    if (cond) {                                                 \
        snprintf(num, sizeof num, "%llu", (unsigned long long)(value)); \
        k = tag_text(buf, n, k, tag, num);                      \
    }
    TAG_INT(v->batch != 64, "b", v->batch)
    TAG_INT(v->cols, "cols", v->cols)
    TAG_INT(v->count != 10, "count", v->count)
    TAG_INT(v->seed != 1, "seed", v->seed)
    TAG_INT(v->scale != 1, "scale", v->scale)
#undef TAG_INT
    if (v->base_random) k = tag_text(buf, n, k, "base-", "random");
    if (v->duration != 2.0) {
        snprintf(num, sizeof num, "%g", v->duration);
        k = tag_text(buf, n, k, "duration", num);
    }
    if (dims) k = tag_text(buf, n, k, "dims-", dims);
    if (labels) k = tag_text(buf, n, k, "labels-", labels);
}

typedef struct {
    long iteration;
    char name[256];
} sample_file;

static int by_iteration(const void *a, const void *b)
{
    long x = ((const sample_file *)a)->iteration, y = ((const sample_file *)b)->iteration;
    return (x > y) - (x < y);
}

/* The run's sample grids as one animation, each frame captioned with its iteration. */
int visualize_progress(const visualize_options *v, const char *run, const char *out_flag, dc_err *e)
{
    char dir[VIS_PATH_MAX];
    if (dc_path(e, dir, sizeof dir, "%s/samples", run)) return -1;
    DIR *d = opendir(dir);
    if (!d) return dc_fail(e, "%s: no samples folder (is this a training run folder?)", run);
    sample_file *files = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        long it;
        char tail[16];
        if (sscanf(de->d_name, "train_%ld.%15s", &it, tail) != 2 || strcmp(tail, "png") != 0) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            sample_file *nf = realloc(files, (size_t)cap * sizeof *files);
            DC_ASSERT(nf != NULL, "out of memory");
            files = nf;
        }
        files[n].iteration = it;
        snprintf(files[n].name, sizeof files[n].name, "%s", de->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        free(files);
        return dc_fail(e, "%s: no train_*.png samples yet (train with --sample-freq)", dir);
    }
    qsort(files, (size_t)n, sizeof *files, by_iteration);
    /* at most max_frames, evenly spaced, first and last kept */
    int m = n < v->max_frames ? n : v->max_frames;
    int *pick = dc_calloc((size_t)m, sizeof *pick);
    for (int i = 0; i < m; i++) pick[i] = m == 1 ? n - 1 : (int)((long)i * (n - 1) / (m - 1));
    canvas *frames = dc_calloc((size_t)m, sizeof *frames);
    int *delays = dc_calloc((size_t)m, sizeof *delays);
    int rc = 0, W0 = 0, H0 = 0, C0 = 0;
    for (int i = 0; i < m && rc == 0; i++) {
        char path[VIS_PATH_MAX + 300];
        /* the newest first: its size is the animation's (grids written before the spaced,
         * enlarged ones of newer versions are stretched to it) */
        int f = i == 0 ? m - 1 : i - 1;
        snprintf(path, sizeof path, "%s/%s", dir, files[pick[f]].name);
        uint8_t *px;
        int W, H, C;
        if ((rc = png_read_u8(path, &px, &W, &H, &C, e)) != 0) break;
        if (i == 0) W0 = W, H0 = H, C0 = C;
        if (C != C0) {
            free(px);
            rc = dc_fail(e, "%s: %d channels, unlike the newest sample (%d)", path, C, C0);
            break;
        }
        canvas img = {W, H, C, px};
        if (W != W0 || H != H0) canvas_resize(&img, W0, H0);
        W = W0;
        H = H0;
        /* a caption bar under the grid, drawn at the output scale so the text stays sharp */
        int k = v->scale, bar = 16;
        canvas_scale(&img, k);
        canvas_init(&frames[f], W * k, H * k + bar, C, 255);
        canvas_put(&frames[f], 0, 0, img.px, img.W, img.H, C);
        canvas_free(&img);
        char caption[64];
        snprintf(caption, sizeof caption, "iteration %ld", files[pick[f]].iteration);
        static const uint8_t black[3] = {0, 0, 0};
        canvas_text(&frames[f], 4, H * k + bar - 4, caption, 12, black, NULL);
        delays[f] = f == m - 1 ? 200 : (v->duration > 0 ? delay_cs(v->duration, m) : 15);
    }
    if (rc == 0) {
        visualize_options v1 = *v;
        v1.scale = 1; /* already scaled */
        if (out_flag) snprintf(v1.out, sizeof v1.out, "%s", out_flag);
        else if (dc_path(e, v1.out, sizeof v1.out, "%s/visualize", run)) rc = -1;
        if (rc == 0) rc = dirs_make(v1.out, e);
        if (rc == 0) rc = write_gif(&v1, frames, m, delays, "progress.gif", 1, e);
        if (rc == 0 && m < n) log_info("%d of the %d samples (--max-frames %d)", m, n, v->max_frames);
    }
    for (int i = 0; i < m; i++) canvas_free(&frames[i]);
    free(frames);
    free(delays);
    free(pick);
    free(files);
    return rc;
}


void visualize_default_labels(const generator *g, visualize_options *v)
{
    const dcgan_config *mc = generator_config(g);
    if (mc->y_dim > 0 && v->option == 4) {
        /* the merged grid holds up to 100 animations: one class each unless asked */
        v->nlabels = 1;
        v->labels[0] = 0;
    } else if (mc->y_dim > 0 && v->option >= 2) {
        /* animations of a conditional model: every class side by side */
        v->nlabels = mc->y_dim < VIS_MAX_LABELS ? mc->y_dim : VIS_MAX_LABELS;
        for (int i = 0; i < v->nlabels; i++) v->labels[i] = i;
    }
}

void visualize_default_dims(const generator *g, visualize_options *v)
{
    int z_dim = generator_config(g)->z_dim;
    if (v->option == 2) {
        /* distinct random dimensions (the reference drew them with repeats) */
        int *all = dc_calloc((size_t)z_dim, sizeof *all);
        for (int i = 0; i < z_dim; i++) all[i] = i;
        rng_state r;
        rng_init(&r, v->seed ^ 0xD135ULL);
        rng_shuffle(&r, all, (size_t)z_dim);
        v->ndims = v->count < z_dim ? v->count : z_dim;
        memcpy(v->dims, all, (size_t)v->ndims * sizeof *all);
        free(all);
    } else {
        v->ndims = v->option == 4 && z_dim > 100 ? 100 : z_dim;
        for (int i = 0; i < v->ndims; i++) v->dims[i] = i;
    }
}

int visualize_write(generator *g, const visualize_options *v, dc_err *e)
{
    if (v->option == 0) return option0(g, v, e);
    if (v->option == 1) return option1(g, v, e);
    return options234(g, v, e);
}
