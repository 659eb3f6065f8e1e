#include "viz/interpolate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "viz/gif_write.h"
#include "io/npy.h"
#include "viz/canvas.h"
#include "viz/latent.h"
#include "viz/output.h"

/* The path once generated: M points, L images (one per class) at each. */
typedef struct {
    int K, M, L, steps;
    float *img; /* M * L images, in path order */
} interp_path;

/* The K latent points: from o->zfile or drawn from the run's distribution. */
static float *load_points(const generator *g, const interpolate_options *o, int *K, dc_err *e)
{
    int zd = generator_config(g)->z_dim;
    float *points = NULL;
    if (o->zfile) {
        int nd;
        int64_t shape[NPY_MAX_DIMS];
        if (npy_read_f32(o->zfile, &points, &nd, shape, e) != 0) return NULL;
        if (nd != 2 || shape[1] != zd || shape[0] < 2 || shape[0] > INTERP_MAX_POINTS) {
            free(points);
            dc_fail(e, "%s: expected float32 [K, %d] latent points with 2 <= K <= %d", o->zfile, zd,
                    INTERP_MAX_POINTS);
            return NULL;
        }
        if (generator_check_latents(o->zfile, points, (long)shape[0], zd, e) != 0) {
            free(points);
            return NULL;
        }
        *K = (int)shape[0];
        return points;
    }
    *K = o->points;
    points = dc_alloc_floats((size_t)*K * zd);
    rng_state r;
    rng_init(&r, o->seed);
    generator_draw_z(g, &r, points, (size_t)*K * zd);
    return points;
}

/* The path's images: p0, steps points, p1, ..., p(K-1), each for every label. */
static void generate_path(generator *g, const interpolate_options *o, const float *points,
                          const int *labels, interp_path *p)
{
    int zd = generator_config(g)->z_dim, K = p->K, L = p->L, steps = p->steps;
    p->M = K + (K - 1) * steps;
    float *z = dc_alloc_floats((size_t)p->M * L * zd);
    int *lab = dc_calloc((size_t)p->M * L, sizeof *lab);
    for (int m = 0; m < p->M; m++) {
        int seg = m / (steps + 1), j = m % (steps + 1);
        if (seg == K - 1) seg = K - 2, j = steps + 1; /* the last point */
        float t = (float)j / (float)(steps + 1);
        const float *a = points + (size_t)seg * zd, *b = points + (size_t)(seg + 1) * zd;
        float *zm = z + (size_t)m * L * zd;
        if (o->slerp) latent_slerp(zm, a, b, zd, t);
        else latent_lerp(zm, a, b, zd, t);
        for (int l = 0; l < L; l++) {
            if (l) memcpy(zm + (size_t)l * zd, zm, (size_t)zd * sizeof *zm);
            lab[m * L + l] = labels[l];
        }
    }
    p->img = dc_alloc_floats((size_t)p->M * L * generator_image_floats(g));
    generator_generate(g, z, lab, p->M * L, p->img);
    free(z);
    free(lab);
}

/* PNG: a row per (pair, label), from one point to the next. */
static int write_png(const generator *g, const interp_path *p, int scale, const char *path, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int h = mc->output_h, w = mc->output_w, L = p->L, cols = p->steps + 2, rows = (p->K - 1) * L;
    size_t per = generator_image_floats(g);
    canvas c;
    canvas_init(&c, cols * w, rows * h, mc->c_dim, 0);
    for (int s = 0; s < p->K - 1; s++)
        for (int l = 0; l < L; l++)
            for (int j = 0; j < cols; j++) {
                int m = s * (p->steps + 1) + j;
                canvas_put_float(&c, j * w, (s * L + l) * h, p->img + (size_t)(m * L + l) * per,
                                 mc->c_dim, h, w, g->lo, g->hi);
            }
    canvas_scale(&c, scale);
    int rc = canvas_write_png(&c, path, e);
    canvas_free(&c);
    if (rc == 0) log_info("wrote %s (%d pairs, %d steps between)", path, p->K - 1, p->steps);
    return rc;
}

/* GIF: forward then back; the K points pause. */
static int write_gif(const generator *g, const interp_path *p, int scale, float dur,
                     const char *path, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int h = mc->output_h, w = mc->output_w, L = p->L, M = p->M, nframes = 2 * M - 2;
    size_t per = generator_image_floats(g);
    canvas *frames = dc_calloc((size_t)nframes, sizeof *frames);
    int *delays = dc_calloc((size_t)nframes, sizeof *delays);
    const uint8_t **px = dc_calloc((size_t)nframes, sizeof *px);
    for (int f = 0; f < nframes; f++) {
        int m = f < M ? f : 2 * M - 2 - f;
        canvas_init(&frames[f], L * w, h, mc->c_dim, 0);
        for (int l = 0; l < L; l++)
            canvas_put_float(&frames[f], l * w, 0, p->img + (size_t)(m * L + l) * per, mc->c_dim, h,
                             w, g->lo, g->hi);
        canvas_scale(&frames[f], scale);
        px[f] = frames[f].px;
        int d = (int)lroundf(dur * 100.0f);
        delays[f] = m % (p->steps + 1) == 0 ? 5 * d : d;
    }
    gif_stats st;
    int rc = gif_write(path, px, nframes, frames[0].W, frames[0].H, mc->c_dim, delays, &st, e);
    if (rc == 0)
        log_info("wrote %s (%d frames, %d colours, palette rmse %.2f)", path, nframes, st.colors, st.rmse);
    for (int f = 0; f < nframes; f++) canvas_free(&frames[f]);
    free(frames);
    free(delays);
    free(px);
    return rc;
}

static int write_outputs(const generator *g, const interpolate_options *o, const interp_path *p,
                         dc_err *e)
{
    char dir[GENERATOR_PATH_MAX], path[GENERATOR_PATH_MAX + 64];
    if (generator_out_dir(g, o->out, dir, sizeof dir, e) != 0) return -1;
    const char *kind = o->slerp ? "slerp" : "lerp";
    if (o->npy) {
        if (generator_write_npy(g, o->npy, p->img, p->M * p->L, e) != 0) return -1;
        log_info("wrote %s (%d images)", o->npy, p->M * p->L);
    }
    int scale = o->scale ? o->scale : generator_auto_scale(g, 64);
    snprintf(path, sizeof path, "%s/interp_%s.png", dir, kind);
    if (write_png(g, p, scale, path, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/interp_%s.gif", dir, kind);
    return write_gif(g, p, scale, o->duration, path, e);
}

int interpolate_write(generator *g, const interpolate_options *o, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    int all[INTERP_MAX_LABELS] = {0};
    interp_path p = {0};
    const int *labels = o->labels;
    p.L = o->nlabels;
    if (p.L == 0) { /* every class side by side, or one unlabelled image */
        p.L = mc->y_dim > 0 ? (mc->y_dim < INTERP_MAX_LABELS ? mc->y_dim : INTERP_MAX_LABELS) : 1;
        for (int l = 0; l < p.L && mc->y_dim > 0; l++) all[l] = l;
        labels = all;
    }
    p.steps = o->steps;
    float *points = load_points(g, o, &p.K, e);
    if (!points) return -1;
    generate_path(g, o, points, labels, &p);
    int rc = write_outputs(g, o, &p, e);
    free(points);
    free(p.img);
    return rc;
}
