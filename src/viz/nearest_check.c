#include "viz/nearest_check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/log.h"
#include "data/image.h"
#include "viz/canvas.h"
#include "eval/nearest.h"
#include "eval/run_data.h"
#include "viz/output.h"

/* The query images, prepared like the training images, in [0, 1]. */
static int load_queries(const generator *g, const run_data *d, const nearest_options *o,
                        float *q, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    image_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.out_h = mc->output_h;
    spec.out_w = mc->output_w;
    spec.channels = mc->c_dim;
    spec.crop = d->src.crop;
    spec.crop_h = d->src.input_h;
    spec.crop_w = d->src.input_w > 0 ? d->src.input_w : d->src.input_h;
    memcpy(spec.background, d->src.background, 3);
    spec.lo = 0.0f;
    spec.hi = 1.0f;
    size_t per = generator_image_floats(g);
    for (int i = 0; i < o->nqueries; i++)
        if (image_load(o->queries[i], &spec, q + (size_t)i * per, e) != 0) return -1;
    return 0;
}

/* o->n samples from the run's latent distribution, mapped to [0, 1]. */
static void generate_queries(generator *g, const nearest_options *o, float *q)
{
    const dcgan_config *mc = generator_config(g);
    int n = o->n;
    float *z = dc_alloc_floats((size_t)n * mc->z_dim);
    int *lab = dc_calloc((size_t)n, sizeof *lab);
    for (int i = 0; i < n; i++)
        lab[i] = mc->y_dim == 0 ? 0 : o->nlabels ? o->labels[i % o->nlabels] : i % mc->y_dim;
    rng_state r;
    rng_init(&r, o->seed);
    generator_draw_z(g, &r, z, (size_t)n * mc->z_dim);
    generator_generate(g, z, lab, n, q);
    float s = 1.0f / (g->hi - g->lo);
    size_t per = generator_image_floats(g);
    for (size_t i = 0; i < (size_t)n * per; i++) {
        float v = (q[i] - g->lo) * s;
        q[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    free(z);
    free(lab);
}

static void copy_item(const dataset *ds, int i, float *out, dc_err *e)
{
    size_t per = (size_t)ds->C * ds->H * ds->W;
    if (ds->images) {
        float s = 1.0f / (ds->hi - ds->lo);
        for (size_t p = 0; p < per; p++) out[p] = (ds->images[(size_t)i * per + p] - ds->lo) * s;
    } else if (dataset_load_item(ds, i, &ds->spec, out, e) != 0) {
        memset(out, 0, per * sizeof *out);
    }
}

static int write_csv(const dataset *ds, const char *src, const nearest_hit *hits, int nq, int k,
                     size_t per, const char *dir, dc_err *e)
{
    size_t cap = 4096 + (size_t)nq * k * 600, len = 0;
    char *csv = dc_calloc(cap, 1);
    len += (size_t)snprintf(csv + len, cap - len, "query,rank,index,rmse,source,label\n");
    for (int i = 0; i < nq; i++)
        for (int j = 0; j < k; j++) {
            const nearest_hit *h = &hits[(size_t)i * k + j];
            const char *label = ds->labels && ds->class_names ? ds->class_names[ds->labels[h->index]] : "";
            char source[600];
            if (dataset_on_demand(ds)) dataset_item_name(ds, h->index, source, sizeof source);
            else dc_path(NULL, source, sizeof source, "%s#%d", src, h->index);
            len += (size_t)snprintf(csv + len, cap - len, "%d,%d,%d,%.6f,\"%s\",%s\n", i, j, h->index,
                                    sqrt(h->dist2 / per), source, label);
        }
    char path[GENERATOR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/nearest.csv", dir);
    int rc = atomic_file_write(path, csv, len, e);
    free(csv);
    return rc;
}

/* One image in [0, 1] enlarged scale times, its top-left at (x, y). */
static void put_tile(canvas *c, const dcgan_config *mc, const float *img, int scale, int x, int y)
{
    canvas tile;
    canvas_init(&tile, mc->output_w, mc->output_h, mc->c_dim, 0);
    canvas_put_float(&tile, 0, 0, img, mc->c_dim, mc->output_h, mc->output_w, 0, 1);
    canvas_scale(&tile, scale);
    canvas_put(c, x, y, tile.px, tile.W, tile.H, mc->c_dim);
    canvas_free(&tile);
}

/* The sheet: a row per query, the query | gap | its neighbours with their RMSE. */
static int write_sheet(const generator *g, const dataset *ds, const float *q, const nearest_hit *hits,
                       int nq, int k, int scale, const char *path, double *mean_rmse, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    size_t per = generator_image_floats(g);
    int h = mc->output_h * scale, w = mc->output_w * scale, gap = 2 * scale, sep = 10 * scale;
    canvas c;
    canvas_init(&c, w + sep + k * (w + gap), nq * (h + gap) - gap, mc->c_dim, 255);
    float *nb = dc_alloc_floats(per);
    static const uint8_t WHITE[3] = {255, 255, 255}, BLACK[3] = {0, 0, 0};
    double fs = fmax(9.0, fmin(13.0, w / 5.0)), sum_nearest = 0;
    for (int i = 0; i < nq; i++) {
        int y = i * (h + gap);
        put_tile(&c, mc, q + (size_t)i * per, scale, 0, y);
        for (int j = 0; j < k; j++) {
            const nearest_hit *hh = &hits[(size_t)i * k + j];
            copy_item(ds, hh->index, nb, e);
            int x = w + sep + j * (w + gap);
            put_tile(&c, mc, nb, scale, x, y);
            char txt[32];
            double rmse = sqrt(hh->dist2 / per);
            snprintf(txt, sizeof txt, "%.3f", rmse);
            canvas_text(&c, x + 2, y + h - 3, txt, fs, WHITE, BLACK);
            if (j == 0) sum_nearest += rmse;
        }
    }
    int rc = canvas_write_png(&c, path, e);
    canvas_free(&c);
    free(nb);
    *mean_rmse = sum_nearest / nq;
    return rc;
}

/* The search and the two files, the data set open. */
static int search_and_write(generator *g, const run_data *d, const dataset *ds, const char *src,
                            const nearest_options *o, dc_err *e)
{
    int nq = o->nqueries ? o->nqueries : o->n, k = o->k < ds->count ? o->k : ds->count;
    size_t per = generator_image_floats(g);
    float *q = dc_alloc_floats((size_t)nq * per);
    nearest_hit *hits = dc_calloc((size_t)nq * k, sizeof *hits);
    char dir[GENERATOR_PATH_MAX], path[GENERATOR_PATH_MAX + 64];
    int rc = 0;
    if (o->nqueries) rc = load_queries(g, d, o, q, e);
    else generate_queries(g, o, q);
    if (rc == 0) rc = nearest_search(ds, q, nq, k, hits, e);
    if (rc == 0) rc = generator_out_dir(g, o->out, dir, sizeof dir, e);
    if (rc == 0) rc = write_csv(ds, src, hits, nq, k, per, dir, e);
    if (rc == 0) {
        int scale = o->scale ? o->scale : generator_auto_scale(g, 64);
        double mean;
        snprintf(path, sizeof path, "%s/nearest.png", dir);
        rc = write_sheet(g, ds, q, hits, nq, k, scale, path, &mean, e);
        if (rc == 0)
            log_info("wrote %s and nearest.csv: %d %s, %d neighbours each; mean RMSE to the nearest %.4f",
                     path, nq, o->nqueries ? "queries" : "samples", k, mean);
    }
    free(q);
    free(hits);
    return rc;
}

int nearest_check(generator *g, const nearest_options *o, dc_err *e)
{
    run_data d;
    dataset ds;
    char src[GENERATOR_PATH_MAX];
    memset(&ds, 0, sizeof ds);
    if (run_data_from_generator(g, o->data_dir, &d, e) != 0) return -1;
    if (run_data_open(g, &d, o->data_dir, &ds, src, sizeof src, e) != 0) return -1;
    log_info("searching %d images of %s", ds.count, src);
    int rc = search_and_write(g, &d, &ds, src, o, e);
    dataset_free(&ds);
    return rc;
}
