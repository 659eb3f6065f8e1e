#include "viz/arithmetic.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "io/npy.h"
#include "viz/canvas.h"
#include "viz/output.h"

static const uint8_t WHITE[3] = {255, 255, 255}, BLACK[3] = {0, 0, 0};

static int cell_scale(const generator *g, const arithmetic_options *o)
{
    return o->scale ? o->scale : generator_auto_scale(g, 64);
}

/* The sheet's picture: the samples in a grid, each with its index. */
static int draw_sheet(const generator *g, const float *img, int n, int cols, int scale,
                      const char *path, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int h = mc->output_h, w = mc->output_w, rows = (n + cols - 1) / cols;
    canvas c;
    canvas_init(&c, cols * w, rows * h, mc->c_dim, 0);
    size_t per = generator_image_floats(g);
    for (int i = 0; i < n; i++)
        canvas_put_float(&c, (i % cols) * w, (i / cols) * h, img + i * per, mc->c_dim, h, w, g->lo, g->hi);
    canvas_scale(&c, scale);
    double size = fmax(9.0, fmin(16.0, w * scale / 4.0));
    for (int i = 0; i < n; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        canvas_text(&c, (i % cols) * w * scale + 2, (i / cols) * h * scale + size + 1, num, size,
                    WHITE, BLACK);
    }
    int rc = canvas_write_png(&c, path, e);
    canvas_free(&c);
    return rc;
}

int arithmetic_write_sheet(generator *g, const arithmetic_options *o, dc_err *e)
{
    char dir[GENERATOR_PATH_MAX], path[GENERATOR_PATH_MAX + 64];
    if (generator_out_dir(g, o->out, dir, sizeof dir, e) != 0) return -1;
    int n = o->n, zd = generator_config(g)->z_dim;
    int cols = o->cols ? o->cols : (int)ceil(sqrt((double)n));
    float *z = dc_alloc_floats((size_t)n * zd);
    float *img = dc_alloc_floats((size_t)n * generator_image_floats(g));
    int *lab = dc_calloc((size_t)n, sizeof *lab);
    for (int i = 0; i < n; i++) lab[i] = o->label;
    rng_state r;
    rng_init(&r, o->seed);
    generator_draw_z(g, &r, z, (size_t)n * zd);
    generator_generate(g, z, lab, n, img);
    snprintf(path, sizeof path, "%s/sheet_z.npy", dir);
    int64_t shape[2] = {n, zd};
    int rc = npy_write_f32(path, z, 2, shape, e);
    if (rc == 0) {
        log_info("wrote %s", path);
        snprintf(path, sizeof path, "%s/sheet.png", dir);
        rc = draw_sheet(g, img, n, cols, cell_scale(g, o), path, e);
        if (rc == 0) log_info("wrote %s (%d samples; pick exemplars by number)", path, n);
    }
    free(z);
    free(img);
    free(lab);
    return rc;
}

float *arithmetic_read_sheet(const generator *g, const char *path, int *n, dc_err *e)
{
    int nd, zd = generator_config(g)->z_dim;
    int64_t shape[NPY_MAX_DIMS];
    float *z = NULL;
    if (npy_read_f32(path, &z, &nd, shape, e) != 0) return NULL;
    if (nd != 2 || shape[1] != zd || shape[0] < 1 || shape[0] > 1000000) {
        free(z);
        dc_fail(e, "%s: expected float32 [N, %d] latent vectors (a sheet_z.npy)", path, zd);
        return NULL;
    }
    if (generator_check_latents(path, z, (long)shape[0], zd, e) != 0) {
        free(z);
        return NULL;
    }
    *n = (int)shape[0];
    return z;
}

/* The rows of z: every exemplar, every group's mean, the result and its variations. */
static float *result_latents(const generator *g, const arithmetic_options *o, const float *sheet,
                             const latent_expr *x, int total, int nex)
{
    int zd = generator_config(g)->z_dim;
    float *z = dc_alloc_floats((size_t)total * zd);
    int k = 0;
    for (int t = 0; t < x->nterms; t++)
        for (int i = 0; i < x->count[t]; i++, k++)
            memcpy(z + (size_t)k * zd, sheet + (size_t)x->index[t][i] * zd, (size_t)zd * sizeof *z);
    for (int t = 0; t < x->nterms; t++, k++) {
        latent_expr one = {0};
        one.nterms = 1;
        one.sign[0] = 1;
        one.count[0] = x->count[t];
        memcpy(one.index[0], x->index[t], sizeof one.index[0]);
        latent_eval_expr(&one, sheet, zd, z + (size_t)k * zd);
    }
    float *res = z + (size_t)(nex + x->nterms) * zd;
    latent_eval_expr(x, sheet, zd, res);
    rng_state r;
    rng_init(&r, o->seed);
    for (int v = 1; v < 1 + o->variations; v++) {
        float *zv = res + (size_t)v * zd;
        rng_uniform(&r, zv, (size_t)zd, -o->jitter, o->jitter);
        for (int d = 0; d < zd; d++) zv[d] += res[d];
    }
    return z;
}

/* A row of the figure, t < nterms a group (its sign, exemplars, mean), t = nterms the result
 * ("=", the result, its variations). e_i: the group's first exemplar. */
static void draw_row(const generator *g, canvas *c, const latent_expr *x, const float *img, int t,
                     int e_i, int nex, int nres, int maxg, int scale)
{
    const dcgan_config *mc = generator_config(g);
    int h = mc->output_h, w = mc->output_w, gap = 4, cw = w + gap, ch = h + gap;
    size_t per = generator_image_floats(g);
    int y = (gap + t * ch + (t == x->nterms ? 2 * gap : 0)) * scale;
    const char *sign = t == x->nterms ? "=" : x->sign[t] < 0 ? "\xe2\x88\x92" : t == 0 ? "" : "+";
    double size = h * scale * 0.6;
    canvas_text(c, (cw - canvas_text_width(sign, size) / scale) / 2 * scale, y + h * scale * 0.75,
                sign, size, BLACK, NULL);
    int n = t == x->nterms ? nres : x->count[t];
    for (int i = 0; i <= n; i++) {
        const float *src;
        int col;
        if (t == x->nterms) {
            if (i == n) break;
            src = img + (size_t)(nex + x->nterms + i) * per;
            col = i;
        } else if (i < n) {
            src = img + (size_t)(e_i + i) * per;
            col = i;
        } else {
            src = img + (size_t)(nex + t) * per; /* the group's mean */
            col = maxg + 1;
        }
        canvas tile;
        canvas_init(&tile, w, h, mc->c_dim, 0);
        canvas_put_float(&tile, 0, 0, src, mc->c_dim, h, w, g->lo, g->hi);
        canvas_scale(&tile, scale);
        canvas_put(c, (gap + (1 + col) * cw) * scale, y, tile.px, tile.W, tile.H, mc->c_dim);
        canvas_free(&tile);
    }
}

/* The figure. Layout, in cells: a sign column, the exemplars, a gap, the mean; the result row:
 * "=", the result, its variations. */
static int draw_result(const generator *g, const latent_expr *x, const float *img, int nex,
                       int nres, int scale, const char *path, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int maxg = 0;
    for (int t = 0; t < x->nterms; t++)
        if (x->count[t] > maxg) maxg = x->count[t];
    int gap = 4, cw = mc->output_w + gap, ch = mc->output_h + gap;
    int cols = 1 + maxg + 1 > nres ? 1 + maxg + 1 : nres;
    int W = cw * (1 + cols) + gap, H = ch * (x->nterms + 1) + gap * 3;
    canvas c;
    canvas_init(&c, W * scale, H * scale, mc->c_dim, 255);
    for (int t = 0, e_i = 0; t <= x->nterms; t++) {
        draw_row(g, &c, x, img, t, e_i, nex, nres, maxg, scale);
        if (t < x->nterms) e_i += x->count[t];
    }
    int rc = canvas_write_png(&c, path, e);
    canvas_free(&c);
    return rc;
}

int arithmetic_write_result(generator *g, const arithmetic_options *o, const float *sheet,
                            const latent_expr *x, dc_err *e)
{
    char dir[GENERATOR_PATH_MAX], path[GENERATOR_PATH_MAX + 64];
    if (generator_out_dir(g, o->out, dir, sizeof dir, e) != 0) return -1;
    int zd = generator_config(g)->z_dim, nex = 0;
    size_t per = generator_image_floats(g);
    for (int t = 0; t < x->nterms; t++) nex += x->count[t];
    int nres = 1 + o->variations, total = nex + x->nterms + nres;
    float *z = result_latents(g, o, sheet, x, total, nex);
    int *lab = dc_calloc((size_t)total, sizeof *lab);
    for (int i = 0; i < total; i++) lab[i] = o->label;
    float *img = dc_alloc_floats((size_t)total * per);
    generator_generate(g, z, lab, total, img);
    snprintf(path, sizeof path, "%s/arithmetic_z.npy", dir);
    int64_t shape[2] = {nres, zd};
    int rc = npy_write_f32(path, z + (size_t)(nex + x->nterms) * zd, 2, shape, e);
    if (rc == 0 && o->npy)
        rc = generator_write_npy(g, o->npy, img + (size_t)(nex + x->nterms) * per, nres, e);
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/arithmetic.png", dir);
        rc = draw_result(g, x, img, nex, nres, cell_scale(g, o), path, e);
        if (rc == 0) log_info("wrote %s and %s/arithmetic_z.npy", path, dir);
    }
    free(z);
    free(lab);
    free(img);
    return rc;
}
