/* dcgan bench --layers: the per-layer table (bench_layers.h). */
#include "cli/bench_layers.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "ops/conv_geom.h"
#include "train/step.h"

/* Where a row's time is summed in the summary. */
typedef enum {
    CAT_MATMUL, /* conv, deconv, linear: the FLOPs */
    CAT_BATCHNORM,
    CAT_ACTIVATION,
    CAT_CONCAT,
    CAT_LOSS,
    CAT_ADAM,
    CAT_COPIES, /* the nets' input copies, gradient zeroing, repeated moving averages */
    CAT_UNTIMED, /* the rest of the iteration (trainer bookkeeping, timer overhead) */
    CATS
} category;

static const char *const cat_names[CATS] = {
    "convolutions + linear", "batch norm", "activations", "concat_y", "loss",
    "Adam (D + G)", "copies, zeroing (nets)", "untimed rest"};
static const char *const cat_keys[CATS] = {"matmul", "batchnorm", "activation", "concat", "loss",
                                           "adam", "copies", "untimed"};
static const char *const phase_names[NET_PHASES] = {"fwd", "bwd-data", "bwd-weights"};

/* The convolution peak: the backend's forward on two large shapes. */
enum { PEAK_3X3, PEAK_5X5_S2, PEAKS };

struct bench_layers {
    int iters;
    net_profile *g, *d; /* per iteration: what that iteration added */
    train_profile *t;
    double *iter_s;          /* per iteration, profiled */
    double *scratch;         /* iters values, for medians */
    double peak[PEAKS];      /* GFLOP/s, 0 where the backend cannot plan it */
    const char *peak_engine; /* what ran it */
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The difference of two snapshots: what one iteration added. */
static void profile_delta(net_profile *out, const net_profile *now, const net_profile *before)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < NET_MAX_LAYERS; i++)
        for (int p = 0; p < NET_PHASES; p++) {
            out->seconds[i][p] = now->seconds[i][p] - before->seconds[i][p];
            out->calls[i][p] = now->calls[i][p] - before->calls[i][p];
            out->reorder_seconds[i][p] = now->reorder_seconds[i][p] - before->reorder_seconds[i][p];
        }
    out->other_seconds = now->other_seconds - before->other_seconds;
    out->reorders_timed = now->reorders_timed;
}

/* Best GFLOP/s of the backend's forward on geometry g (3 timed calls after an untimed one). */
static double conv_peak_one(ops_backend *be, const conv_geom *g, const char **engine)
{
    ops_conv *c = ops_conv_create(be, g, 0);
    if (!c) return 0;
    size_t n_in = (size_t)g->N * g->C_img * g->H_img * g->W_img;
    size_t n_out = (size_t)g->N * g->C_map * g->H_map * g->W_map;
    size_t n_w = (size_t)g->C_map * g->C_img * g->K_h * g->K_w;
    size_t n_work = ops_conv_workspace_floats(c);
    float *host = dc_alloc_floats(n_in > n_w ? n_in : n_w);
    float *in = ops_alloc(be, n_in), *out = ops_alloc(be, n_out), *w = ops_alloc(be, n_w);
    float *work = ops_alloc(be, n_work ? n_work : 1);
    rng_state r;
    rng_init(&r, 11);
    rng_uniform(&r, host, n_in, -1, 1);
    ops_from_host(be, in, host, n_in);
    rng_uniform(&r, host, n_w, -0.05f, 0.05f);
    ops_from_host(be, w, host, n_w);
    double flop = 2.0 * (double)n_out * g->C_img * g->K_h * g->K_w, best = 0;
    for (int rep = 0; rep < 4; rep++) {
        ops_synchronize(be);
        double t0 = clock_seconds();
        ops_conv_forward(c, out, in, w, NULL, work);
        ops_synchronize(be);
        double gf = flop / (clock_seconds() - t0) / 1e9;
        if (rep > 0 && gf > best) best = gf; /* the first warms caches and the JIT */
    }
    *engine = ops_conv_engine(c);
    ops_free(be, in);
    ops_free(be, out);
    ops_free(be, w);
    ops_free(be, work);
    free(host);
    ops_conv_free(c);
    return best;
}

static void conv_peak_measure(bench_layers *b, ops_backend *be)
{
    conv_geom g;
    b->peak_engine = "none";
    /* batch 64, 256 -> 256 channels on 16x16 maps: 3x3 stride 1, and the models' own kind of
     * layer (5x5 stride 2) from 32x32 */
    if (conv_geom_init(&g, 64, 256, 16, 16, 256, 3, 3, 1, 1, CONV_PAD_SAME) == 0)
        b->peak[PEAK_3X3] = conv_peak_one(be, &g, &b->peak_engine);
    if (conv_geom_init(&g, 64, 256, 32, 32, 256, 5, 5, 2, 2, CONV_PAD_SAME) == 0)
        b->peak[PEAK_5X5_S2] = conv_peak_one(be, &g, &b->peak_engine);
}

static double conv_peak(const bench_layers *b)
{
    return b->peak[PEAK_3X3] > b->peak[PEAK_5X5_S2] ? b->peak[PEAK_3X3] : b->peak[PEAK_5X5_S2];
}

void bench_layers_free(bench_layers *b)
{
    if (!b) return;
    free(b->g);
    free(b->d);
    free(b->t);
    free(b->iter_s);
    free(b->scratch);
    free(b);
}

bench_layers *bench_layers_measure(dcgan_model *m, int iters, const float *x, const float *y,
                                   float *z, rng_state *r)
{
    bench_layers *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->iters = iters;
    b->g = calloc((size_t)iters, sizeof *b->g);
    b->d = calloc((size_t)iters, sizeof *b->d);
    b->t = calloc((size_t)iters, sizeof *b->t);
    b->iter_s = calloc((size_t)iters, sizeof *b->iter_s);
    b->scratch = calloc((size_t)iters, sizeof *b->scratch);
    net_profile *acc = calloc(4, sizeof *acc); /* G now, D now, G before, D before */
    if (!b->g || !b->d || !b->t || !b->iter_s || !b->scratch || !acc) {
        free(acc);
        bench_layers_free(b);
        return NULL;
    }
    train_profile tacc = {{0}};
    trainer t;
    trainer_init(&t, m, adam_config_default());
    t.profile = &tacc;
    net_set_profile(&m->G, &acc[0]);
    net_set_profile(&m->D, &acc[1]);
    const dcgan_config *cfg = &m->cfg;
    step_stats s;
    for (int i = 0; i < iters; i++) {
        rng_uniform(r, z, (size_t)cfg->batch * cfg->z_dim, -1, 1);
        acc[2] = acc[0];
        acc[3] = acc[1];
        train_profile tbefore = tacc;
        ops_synchronize(m->be);
        double t0 = clock_seconds();
        train_step(&t, m, x, y, z, &s);
        ops_synchronize(m->be);
        b->iter_s[i] = clock_seconds() - t0;
        profile_delta(&b->g[i], &acc[0], &acc[2]);
        profile_delta(&b->d[i], &acc[1], &acc[3]);
        for (int p = 0; p < TRAIN_PARTS; p++)
            b->t[i].seconds[p] = tacc.seconds[p] - tbefore.seconds[p];
    }
    net_set_profile(&m->G, NULL);
    net_set_profile(&m->D, NULL);
    trainer_free(&t);
    free(acc);
    conv_peak_measure(b, m->be);
    return b;
}

static category category_of(layer_kind k)
{
    switch (k) {
    case LAYER_LINEAR:
    case LAYER_CONV:
    case LAYER_DECONV: return CAT_MATMUL;
    case LAYER_BATCHNORM: return CAT_BATCHNORM;
    case LAYER_CONCAT_Y: return CAT_CONCAT;
    case LAYER_RESHAPE: return CAT_COPIES;
    default: return CAT_ACTIVATION;
    }
}

/* One row of the table: medians over the iterations. */
typedef struct {
    double s, reorder_s, flop;
    int calls;
} cell;

static cell cell_of(const bench_layers *b, const net_profile *per_iter, const net *n, int i, int p)
{
    cell c;
    for (int it = 0; it < b->iters; it++) b->scratch[it] = per_iter[it].seconds[i][p];
    c.s = bench_median(b->scratch, b->iters);
    for (int it = 0; it < b->iters; it++) b->scratch[it] = per_iter[it].reorder_seconds[i][p];
    c.reorder_s = bench_median(b->scratch, b->iters);
    c.calls = per_iter[0].calls[i][p];
    c.flop = 2.0 * net_layer_macs(n, i, 1) * c.calls;
    return c;
}

static double median_part(const bench_layers *b, train_part part)
{
    for (int it = 0; it < b->iters; it++) b->scratch[it] = b->t[it].seconds[part];
    return bench_median(b->scratch, b->iters);
}

static double median_other(const bench_layers *b, const net_profile *per_iter)
{
    for (int it = 0; it < b->iters; it++) b->scratch[it] = per_iter[it].other_seconds;
    return bench_median(b->scratch, b->iters);
}

/* The summary's figures, all medians over the iterations (seconds). */
typedef struct {
    double cat[CATS];
    double reorder;    /* within CAT_MATMUL */
    double matmul_flop;
    double matmul_ideal; /* the matmul FLOPs' time at 90% of the sgemm peak */
    double total;      /* sum of the categories */
    double iter;       /* median profiled iteration */
} summary;

static void summarize(const bench_layers *b, const dcgan_model *m, double sgemm_peak, summary *s)
{
    memset(s, 0, sizeof *s);
    const net *nets[2] = {&m->G, &m->D};
    const net_profile *prof[2] = {b->g, b->d};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < nets[k]->n_layers; i++)
            for (int p = 0; p < NET_PHASES; p++) {
                cell c = cell_of(b, prof[k], nets[k], i, p);
                category cat = category_of(nets[k]->layers[i].kind);
                s->cat[cat] += c.s;
                if (cat == CAT_MATMUL) {
                    s->reorder += c.reorder_s;
                    s->matmul_flop += c.flop;
                }
            }
    s->cat[CAT_LOSS] = median_part(b, TRAIN_PART_LOSS);
    s->cat[CAT_ADAM] = median_part(b, TRAIN_PART_ADAM_D) + median_part(b, TRAIN_PART_ADAM_G);
    s->cat[CAT_COPIES] += median_other(b, b->g) + median_other(b, b->d);
    /* the rest: per iteration, the iteration less everything timed */
    for (int it = 0; it < b->iters; it++) {
        double timed = b->g[it].other_seconds + b->d[it].other_seconds;
        for (int i = 0; i < NET_MAX_LAYERS; i++)
            for (int p = 0; p < NET_PHASES; p++)
                timed += b->g[it].seconds[i][p] + b->d[it].seconds[i][p];
        for (int p = 0; p < TRAIN_PARTS; p++) timed += b->t[it].seconds[p];
        b->scratch[it] = b->iter_s[it] - timed;
    }
    s->cat[CAT_UNTIMED] = bench_median(b->scratch, b->iters);
    for (int c = 0; c < CATS; c++) s->total += s->cat[c];
    for (int it = 0; it < b->iters; it++) b->scratch[it] = b->iter_s[it];
    s->iter = bench_median(b->scratch, b->iters);
    s->matmul_ideal = sgemm_peak > 0 ? s->matmul_flop / (0.9 * sgemm_peak * 1e9) : 0;
}

static void shape_text(const layer *l, char *buf, size_t len)
{
    snprintf(buf, len, "%dx%dx%d->%dx%dx%d", l->in_C, l->in_H, l->in_W, l->C, l->H, l->W);
}

/* The layer's label without the net's prefix ("relu after g_bn0"). */
static const char *short_label(const net *n, int i, char *buf, size_t len)
{
    net_layer_label(n, i, buf, len);
    const char *slash = strchr(buf, '/');
    return slash ? slash + 1 : buf;
}

static void print_rows(const bench_layers *b, const net *n, const char *which,
                       const net_profile *prof, double cpeak, FILE *f)
{
    for (int i = 0; i < n->n_layers; i++) {
        const layer *l = &n->layers[i];
        char buf[96], shape[64];
        const char *label = short_label(n, i, buf, sizeof buf);
        shape_text(l, shape, sizeof shape);
        for (int p = 0; p < NET_PHASES; p++) {
            cell c = cell_of(b, prof, n, i, p);
            if (c.calls == 0 && p != NET_PHASE_FORWARD) continue;
            fprintf(f, "%s %-28s %-9s %-20s %-11s %5d %9.2f", which, label,
                    layer_kind_name(l->kind), shape, phase_names[p], c.calls, c.s * 1e3);
            if (c.flop > 0 && c.s > 0 && cpeak > 0)
                fprintf(f, " %8.2f %8.1f %5.0f%%", c.flop / 1e9, c.flop / c.s / 1e9,
                        100.0 * c.flop / c.s / 1e9 / cpeak);
            else
                fprintf(f, " %8s %8s %6s", "-", "-", "-");
            if ((l->kind == LAYER_CONV || l->kind == LAYER_DECONV) && prof[0].reorders_timed)
                fprintf(f, " %9.2f", c.reorder_s * 1e3);
            fputc('\n', f);
        }
    }
}

void bench_layers_print(const bench_layers *b, const dcgan_model *m, double sgemm_peak,
                        double untimed_s, FILE *f)
{
    summary s;
    summarize(b, m, sgemm_peak, &s);
    double cpeak = conv_peak(b);
    fprintf(f, "\nper-layer profile: median of %d iterations with a clock around every layer, "
               "%.3f s per iteration (%.3f s without)\n",
            b->iters, s.iter, untimed_s);
    fprintf(f, "convolution peak %8.1f GFLOP/s (%s forward, batch 64, 256->256 channels: 3x3 "
               "stride 1 on 16x16 %.1f, 5x5 stride 2 from 32x32 %.1f); sgemm peak %.1f\n",
            cpeak, b->peak_engine, b->peak[PEAK_3X3], b->peak[PEAK_5X5_S2], sgemm_peak);
    fprintf(f, "%-30s %-9s %-20s %-11s %5s %9s %8s %8s %6s %9s\n", "  layer", "kind",
            "shape CxHxW", "phase", "calls", "ms/iter", "GFLOP", "GFLOP/s", "%conv",
            "reorder ms");
    print_rows(b, &m->G, "G", b->g, cpeak, f);
    print_rows(b, &m->D, "D", b->d, cpeak, f);
    fprintf(f, "%-30s %-9s %-20s %-11s %5d %9.2f\n", "  loss (sigmoid xent)", "", "", "", 4,
            s.cat[CAT_LOSS] * 1e3);
    fprintf(f, "%-30s %-9s %-20s %-11s %5d %9.2f\n", "  Adam (D once, G twice)", "", "", "", 3,
            s.cat[CAT_ADAM] * 1e3);
    fprintf(f, "\nwhere the time goes (ms per iteration, medians):\n");
    for (int c = 0; c < CATS; c++) {
        fprintf(f, "  %-26s %9.2f  %5.1f%%", cat_names[c], s.cat[c] * 1e3,
                100.0 * s.cat[c] / s.total);
        if (c == CAT_MATMUL && s.cat[c] > 0 && cpeak > 0 && sgemm_peak > 0)
            fprintf(f, "  (%.1f GFLOP at %.1f GFLOP/s = %.0f%% of the conv peak, %.0f%% of "
                       "sgemm's; layout reorders %.2f ms)",
                    s.matmul_flop / 1e9, s.matmul_flop / s.cat[c] / 1e9,
                    100.0 * s.matmul_flop / s.cat[c] / 1e9 / cpeak,
                    100.0 * s.matmul_flop / s.cat[c] / 1e9 / sgemm_peak, s.reorder * 1e3);
        fputc('\n', f);
    }
    fprintf(f, "  %-26s %9.2f  (the median iteration: %.2f)\n", "sum", s.total * 1e3,
            s.iter * 1e3);
    double gap = s.total - s.matmul_ideal;
    fprintf(f, "gap to 90%% of the sgemm peak: %.1f GFLOP at %.1f GFLOP/s would take %.2f ms; "
               "the %.2f ms more go to:\n",
            s.matmul_flop / 1e9, 0.9 * sgemm_peak, s.matmul_ideal * 1e3, gap * 1e3);
    fprintf(f, "  %-26s %9.2f  (layout reorders %.2f of it)\n", "convolutions below 90%",
            (s.cat[CAT_MATMUL] - s.matmul_ideal) * 1e3, s.reorder * 1e3);
    for (int c = 1; c < CATS; c++)
        fprintf(f, "  %-26s %9.2f\n", cat_names[c], s.cat[c] * 1e3);
}

static void json_rows(const bench_layers *b, const net *n, const char *which,
                      const net_profile *prof, double cpeak, int *first, FILE *f)
{
    for (int i = 0; i < n->n_layers; i++) {
        const layer *l = &n->layers[i];
        char label[96];
        net_layer_label(n, i, label, sizeof label);
        for (int p = 0; p < NET_PHASES; p++) {
            cell c = cell_of(b, prof, n, i, p);
            if (c.calls == 0 && p != NET_PHASE_FORWARD) continue;
            double gf = c.s > 0 ? c.flop / c.s / 1e9 : 0;
            fprintf(f, "%s{\"net\":\"%s\",\"index\":%d,\"layer\":\"%s\",\"kind\":\"%s\","
                       "\"phase\":\"%s\",\"calls\":%d,\"ms\":%.4f,\"reorder_ms\":%.4f,"
                       "\"gflop\":%.4f,\"gflops\":%.2f,\"conv_peak_fraction\":%.4f}",
                    *first ? "" : ",", which, i, label, layer_kind_name(l->kind), phase_names[p],
                    c.calls, c.s * 1e3, c.reorder_s * 1e3, c.flop / 1e9, gf,
                    cpeak > 0 ? gf / cpeak : 0.0);
            *first = 0;
        }
    }
}

void bench_layers_json(const bench_layers *b, const dcgan_model *m, double sgemm_peak, FILE *f)
{
    summary s;
    summarize(b, m, sgemm_peak, &s);
    double cpeak = conv_peak(b);
    fprintf(f, ",\"layers\":{\"iters\":%d,\"iter_s\":%.5f,\"conv_peak_gflops\":%.2f,"
               "\"conv_peak_3x3_gflops\":%.2f,\"conv_peak_5x5s2_gflops\":%.2f,"
               "\"conv_peak_engine\":\"%s\",\"reorders_timed\":%d,",
            b->iters, s.iter, cpeak, b->peak[PEAK_3X3], b->peak[PEAK_5X5_S2], b->peak_engine,
            b->g[0].reorders_timed && b->d[0].reorders_timed);
    int first = 1;
    fprintf(f, "\"n_layers\":{\"G\":%d,\"D\":%d},\"rows\":[", m->G.n_layers, m->D.n_layers);
    json_rows(b, &m->G, "G", b->g, cpeak, &first, f);
    json_rows(b, &m->D, "D", b->d, cpeak, &first, f);
    fprintf(f, "],\"summary_ms\":{");
    for (int c = 0; c < CATS; c++) fprintf(f, "\"%s\":%.4f,", cat_keys[c], s.cat[c] * 1e3);
    fprintf(f, "\"reorder\":%.4f,\"sum\":%.4f},\"matmul_gflop\":%.4f,"
               "\"matmul_ms_at_90pct_sgemm\":%.4f}",
            s.reorder * 1e3, s.total * 1e3, s.matmul_flop / 1e9, s.matmul_ideal * 1e3);
}
