#include "model/dcgan.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "nn/net_infer.h"

#define DCGAN_INIT_STD 0.02f

static int ceil_half(int x) { return (x + 1) / 2; }

static const char *const cond_concat_names[] = {"all", "input", "g-layers", "d-layers"};
#define COND_CONCAT_COUNT (int)(sizeof cond_concat_names / sizeof *cond_concat_names)

const char *dcgan_cond_concat_name(dcgan_cond_concat c)
{
    return (int)c >= 0 && (int)c < COND_CONCAT_COUNT ? cond_concat_names[c] : "?";
}

int dcgan_cond_concat_parse(const char *s, dcgan_cond_concat *out)
{
    for (int i = 0; i < COND_CONCAT_COUNT; i++)
        if (strcmp(s, cond_concat_names[i]) == 0) {
            *out = (dcgan_cond_concat)i;
            return 0;
        }
    return -1;
}

dcgan_config dcgan_config_default(void)
{
    dcgan_config c;
    memset(&c, 0, sizeof c);
    c.output_h = c.output_w = 64;
    c.c_dim = 3;
    c.z_dim = 100;
    c.gf_dim = c.df_dim = 64;
    c.gfc_dim = c.dfc_dim = 1024;
    c.batch = 64;
    snprintf(c.device, sizeof c.device, "cpu");
    return c;
}

/* The sizes of the model a config makes, counted in 64 bits before anything is built: the
 * layers keep a layer's values per image and a weight's size in an int, and the flags'
 * ranges alone allow far more (8192x8192 images with --gf-dim 4096). */
typedef struct {
    int64_t params;  /* floats of G's and D's parameters */
    int64_t acts;    /* floats of the layers' outputs for one image (each has a gradient too) */
    int64_t biggest; /* the largest per-image output or weight, its layer, and which it is */
    const char *biggest_name;
    int biggest_is_weight;
    int overflow;
} model_sizes;

static int64_t msz_mul(model_sizes *s, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        s->overflow = 1;
        return INT64_MAX / 64;
    }
    return r;
}

static void msz_add(model_sizes *s, const char *name, int64_t out, int64_t weights)
{
    if (__builtin_add_overflow(s->acts, out, &s->acts) ||
        __builtin_add_overflow(s->params, weights, &s->params))
        s->overflow = 1;
    int64_t m = out > weights ? out : weights;
    if (m > s->biggest) {
        s->biggest = m;
        s->biggest_name = name;
        s->biggest_is_weight = weights > out;
    }
}

/* A layer of `out` channels at h x w from `in` inputs per position (k x k kernel; 1 and h = w = 1
 * for a linear layer), with its bias; batch norm (bn) after it adds its output and 2 vectors. */
static void msz_layer(model_sizes *s, const char *name, int64_t in, int64_t out, int64_t h,
                      int64_t w, int k, int bn)
{
    int64_t per_image = msz_mul(s, msz_mul(s, out, h), w);
    msz_add(s, name, per_image, msz_mul(s, msz_mul(s, in, out), k * k) + out);
    if (bn) msz_add(s, name, per_image, 2 * out);
}

static void msz_unconditional(model_sizes *s, const dcgan_config *c)
{
    int64_t h[5], w[5], gf = c->gf_dim, df = c->df_dim;
    h[0] = c->output_h;
    w[0] = c->output_w;
    for (int i = 1; i < 5; i++) {
        h[i] = ceil_half((int)h[i - 1]);
        w[i] = ceil_half((int)w[i - 1]);
    }
    msz_layer(s, "g_h0_lin", c->z_dim, msz_mul(s, msz_mul(s, gf * 8, h[4]), w[4]), 1, 1, 1, 1);
    int64_t ch[5] = {gf * 8, gf * 4, gf * 2, gf, c->c_dim};
    static const char *g_names[] = {"g_h1", "g_h2", "g_h3", "g_h4"};
    for (int i = 0; i < 4; i++) msz_layer(s, g_names[i], ch[i], ch[i + 1], h[3 - i], w[3 - i], 5, i < 3);
    int64_t dch[5] = {c->c_dim, df, df * 2, df * 4, df * 8};
    static const char *d_names[] = {"d_h0_conv", "d_h1_conv", "d_h2_conv", "d_h3_conv"};
    for (int i = 0; i < 4; i++) msz_layer(s, d_names[i], dch[i], dch[i + 1], h[i + 1], w[i + 1], 5, i > 0);
    msz_layer(s, "d_h4_lin", msz_mul(s, msz_mul(s, df * 8, h[4]), w[4]), 1, 1, 1, 1, 0);
}

static void msz_conditional(model_sizes *s, const dcgan_config *c)
{
    int64_t h2 = ceil_half(c->output_h), w2 = ceil_half(c->output_w);
    int64_t h4 = ceil_half((int)h2), w4 = ceil_half((int)w2);
    int64_t gf = c->gf_dim, df = c->df_dim, y = c->y_dim;
    dcgan_cond_concat cc = c->cond_concat;
    int64_t gy = cc == DCGAN_COND_CONCAT_ALL || cc == DCGAN_COND_CONCAT_G_LAYERS ? y : 0;
    int64_t dy = cc == DCGAN_COND_CONCAT_ALL || cc == DCGAN_COND_CONCAT_D_LAYERS ? y : 0;
    int64_t g1 = msz_mul(s, msz_mul(s, gf * 2, h4), w4);
    msz_layer(s, "g_h0_lin", c->z_dim + y, c->gfc_dim, 1, 1, 1, 1);
    msz_layer(s, "g_h1_lin", c->gfc_dim + gy, g1, 1, 1, 1, 1);
    msz_layer(s, "g_h2", gf * 2 + gy, gf * 2, h2, w2, 5, 1);
    msz_layer(s, "g_h3", gf * 2 + gy, c->c_dim, c->output_h, c->output_w, 5, 0);
    int64_t d0 = c->d_first_channels > 0 ? c->d_first_channels : c->c_dim + y;
    msz_layer(s, "d_h0_conv", c->c_dim + y, d0, h2, w2, 5, 0);
    msz_layer(s, "d_h1_conv", d0 + dy, df + y, h4, w4, 5, 1);
    msz_layer(s, "d_h2_lin", msz_mul(s, msz_mul(s, df + y, h4), w4) + dy, c->dfc_dim, 1, 1, 1, 1);
    msz_layer(s, "d_h3_lin", c->dfc_dim + dy, 1, 1, 1, 1, 0);
}

double dcgan_config_memory(const dcgan_config *c, double *param_bytes, double *act_bytes)
{
    model_sizes s = {0};
    if (c->y_dim > 0) msz_conditional(&s, c);
    else msz_unconditional(&s, c);
    /* parameters with their gradients and Adam's two moments (and G's average); every output
     * with its gradient, the input with its own */
    double p = 4.0 * (4.0 * (double)s.params + (c->g_ema > 0 ? (double)s.params / 2 : 0));
    double in = (double)c->c_dim * c->output_h * c->output_w;
    double a = 4.0 * (double)c->batch * 2.0 * ((double)s.acts + in);
    if (param_bytes) *param_bytes = p;
    if (act_bytes) *act_bytes = a;
    return p + a;
}

int dcgan_config_check_sizes(const dcgan_config *c, dc_err *e)
{
    model_sizes s = {0};
    if (c->y_dim > 0) msz_conditional(&s, c);
    else msz_unconditional(&s, c);
    if (!s.overflow && s.biggest <= INT_MAX) return 0;
    double gib = dcgan_config_memory(c, NULL, NULL) / (1 << 30);
    char what[160];
    if (s.overflow || !s.biggest_name)
        snprintf(what, sizeof what, "its sizes overflow 64 bits");
    else
        snprintf(what, sizeof what, "%s%s would have %lld values (at most %d)", s.biggest_name,
                 s.biggest_is_weight ? "'s weight" : "'s output per image", (long long)s.biggest,
                 INT_MAX);
    return dc_fail(e, "--output-height/--output-width %dx%d with --gf-dim %d, --df-dim %d%s: %s; "
                      "this model needs at least %.0f GiB of memory: lower the image size or "
                      "--gf-dim/--df-dim%s",
                   c->output_h, c->output_w, c->gf_dim, c->df_dim,
                   c->y_dim > 0 ? " and --gfc-dim/--dfc-dim" : "", what, gib,
                   c->y_dim > 0 ? " (or --gfc-dim/--dfc-dim)" : "");
}

int dcgan_config_validate(const dcgan_config *c, dc_err *e)
{
    if (c->batch < 1 || c->batch > 65536) return dc_fail(e, "--batch-size %d: must be 1..65536", c->batch);
    if (c->z_dim < 1 || c->z_dim > 100000) return dc_fail(e, "--z-dim %d: must be 1..100000", c->z_dim);
    if (c->c_dim != 1 && c->c_dim != 3) return dc_fail(e, "c_dim %d: images must have 1 or 3 channels", c->c_dim);
    if (c->gf_dim < 1 || c->gf_dim > 4096) return dc_fail(e, "--gf-dim %d: must be 1..4096", c->gf_dim);
    if (c->df_dim < 1 || c->df_dim > 4096) return dc_fail(e, "--df-dim %d: must be 1..4096", c->df_dim);
    if (c->y_dim < 0 || c->y_dim > 4096) return dc_fail(e, "y_dim %d: must be 0..4096", c->y_dim);
    if (c->y_dim > 0) {
        if (c->gfc_dim < 1 || c->gfc_dim > 65536) return dc_fail(e, "--gfc-dim %d: must be 1..65536", c->gfc_dim);
        if (c->dfc_dim < 1 || c->dfc_dim > 65536) return dc_fail(e, "--dfc-dim %d: must be 1..65536", c->dfc_dim);
    }
    if ((int)c->cond_concat < 0 || (int)c->cond_concat >= COND_CONCAT_COUNT)
        return dc_fail(e, "cond_concat %d: must be one of all, input, g-layers, d-layers",
                       (int)c->cond_concat);
    if (c->spectral_norm != 0 && c->spectral_norm != 1)
        return dc_fail(e, "spectral_norm %d: must be 0 or 1", c->spectral_norm);
    if (c->d_first_channels < 0 || c->d_first_channels > 65536)
        return dc_fail(e, "--d-first-channels %d: must be 0..65536", c->d_first_channels);
    if (c->y_dim == 0 && c->d_first_channels != 0)
        return dc_fail(e, "--d-first-channels %d: only the conditional model's D has that layer "
                          "(the unconditional one's is --df-dim wide)", c->d_first_channels);
    if (!(c->g_ema >= 0.0f && c->g_ema < 1.0f))
        return dc_fail(e, "--g-ema %g: the decay must be in [0, 1) (0: no average)",
                       (double)c->g_ema);
    if (c->y_dim == 0 && c->cond_concat != DCGAN_COND_CONCAT_ALL)
        return dc_fail(e, "--cond-concat %s: only the conditional model takes a label",
                       dcgan_cond_concat_name(c->cond_concat));
    /* G builds the image by halving (ceil) four times (twice for the conditional model) and
     * doubling back with stride-2 deconvs; every intermediate size must be reachable. */
    int halvings = c->y_dim > 0 ? 2 : 4;
    if (c->output_h < (1 << halvings) || c->output_w < (1 << halvings) || c->output_h > 8192 ||
        c->output_w > 8192)
        return dc_fail(e, "--output-height/--output-width %dx%d: must be %d..8192", c->output_h,
                       c->output_w, 1 << halvings);
    return 0;
}

/* One difference into what/fix (k: how many so far). A NULL fix_flag: no flag makes it. */
static void diff_add(int *k, char *what, size_t wn, char *fix, size_t fn, const char *label,
                     const char *was, const char *now, const char *fix_flag)
{
    size_t w = strlen(what), f = strlen(fix);
    snprintf(what + w, wn - w, "%s%s %s (this command: %s)", (*k)++ ? ", " : "", label, was, now);
    if (fix_flag) snprintf(fix + f, fn - f, "%s%s", f ? " " : "", fix_flag);
}

int dcgan_config_diff(const dcgan_config *was, const dcgan_config *now, char *what, size_t wn,
                      char *fix, size_t fn)
{
    int k = 0;
    char a[64], b[64], flag[96];
    what[0] = fix[0] = 0;
#define INT_DIFF(field, name)                                                              \
    if (was->field != now->field) {                                                        \
        snprintf(a, sizeof a, "%d", was->field);                                           \
        snprintf(b, sizeof b, "%d", now->field);                                           \
        snprintf(flag, sizeof flag, "%s %d", name, was->field);                            \
        diff_add(&k, what, wn, fix, fn, name, a, b, flag);                                 \
    }
    if (was->output_h != now->output_h || was->output_w != now->output_w) {
        snprintf(a, sizeof a, "%dx%d", was->output_h, was->output_w);
        snprintf(b, sizeof b, "%dx%d", now->output_h, now->output_w);
        snprintf(flag, sizeof flag, "--output-height %d --output-width %d", was->output_h, was->output_w);
        diff_add(&k, what, wn, fix, fn, "output size", a, b, flag);
    }
    INT_DIFF(c_dim, "--c-dim")
    if ((was->y_dim > 0) != (now->y_dim > 0)) {
        diff_add(&k, what, wn, fix, fn, "model", was->y_dim ? "conditional" : "unconditional",
                 now->y_dim ? "conditional" : "unconditional",
                 was->y_dim ? "--conditional" : "--no-conditional");
    } else if (was->y_dim != now->y_dim) { /* the data's classes: no flag changes them */
        snprintf(a, sizeof a, "%d", was->y_dim);
        snprintf(b, sizeof b, "%d", now->y_dim);
        diff_add(&k, what, wn, fix, fn, "classes", a, b, NULL);
    }
    INT_DIFF(z_dim, "--z-dim")
    INT_DIFF(gf_dim, "--gf-dim")
    INT_DIFF(df_dim, "--df-dim")
    if (was->y_dim && now->y_dim) {
        INT_DIFF(gfc_dim, "--gfc-dim")
        INT_DIFF(dfc_dim, "--dfc-dim")
        if (was->cond_concat != now->cond_concat) {
            snprintf(flag, sizeof flag, "--cond-concat %s", dcgan_cond_concat_name(was->cond_concat));
            diff_add(&k, what, wn, fix, fn, "--cond-concat", dcgan_cond_concat_name(was->cond_concat),
                     dcgan_cond_concat_name(now->cond_concat), flag);
        }
    }
    if (was->spectral_norm != now->spectral_norm)
        diff_add(&k, what, wn, fix, fn, "--spectral-norm", was->spectral_norm ? "on" : "off",
                 now->spectral_norm ? "on" : "off", was->spectral_norm ? "--spectral-norm" : NULL);
    INT_DIFF(d_first_channels, "--d-first-channels")
#undef INT_DIFF
    if ((was->g_ema > 0) != (now->g_ema > 0)) {
        snprintf(a, sizeof a, "%g", (double)was->g_ema);
        snprintf(b, sizeof b, "%g", (double)now->g_ema);
        snprintf(flag, sizeof flag, "--g-ema %g", (double)was->g_ema);
        diff_add(&k, what, wn, fix, fn, "--g-ema", a, b, was->g_ema > 0 ? flag : NULL);
    }
    return k;
}

static int dcgan_build_unconditional(dcgan_model *m, const dcgan_config *c)
{
    int h[5], w[5];
    h[0] = c->output_h;
    w[0] = c->output_w;
    for (int i = 1; i < 5; i++) {
        h[i] = ceil_half(h[i - 1]);
        w[i] = ceil_half(w[i - 1]);
    }
    int gf = c->gf_dim, df = c->df_dim;
    net *G = &m->G;
    net_begin(G, m->be, "generator", c->batch, c->z_dim, 1, 1, 0);
    net_linear(G, "g_h0_lin", gf * 8 * h[4] * w[4]);
    net_reshape(G, gf * 8, h[4], w[4]);
    net_batchnorm(G, "g_bn0");
    net_activation(G, LAYER_RELU);
    static const char *deconv_names[] = {"g_h1", "g_h2", "g_h3", "g_h4"};
    static const char *bn_names[] = {"g_bn1", "g_bn2", "g_bn3"};
    int channels[] = {gf * 4, gf * 2, gf, c->c_dim};
    for (int i = 0; i < 4; i++) {
        int rc = net_deconv(G, deconv_names[i], channels[i], h[3 - i], w[3 - i]);
        DC_ASSERT(rc == 0, "deconv sizes");
        if (i < 3) {
            net_batchnorm(G, bn_names[i]);
            net_activation(G, LAYER_RELU);
        }
    }
    net_activation(G, LAYER_TANH);
    if (net_finish(G)) return -1;

    net *D = &m->D;
    net_begin(D, m->be, "discriminator", c->batch, c->c_dim, c->output_h, c->output_w, 0);
    net_spectral_norm(D, c->spectral_norm);
    net_conv(D, "d_h0_conv", df);
    net_activation(D, LAYER_LRELU);
    static const char *conv_names[] = {"d_h1_conv", "d_h2_conv", "d_h3_conv"};
    static const char *dbn_names[] = {"d_bn1", "d_bn2", "d_bn3"};
    for (int i = 0; i < 3; i++) {
        net_conv(D, conv_names[i], df * (2 << i));
        net_batchnorm(D, dbn_names[i]);
        net_activation(D, LAYER_LRELU);
    }
    net_linear(D, "d_h4_lin", 1);
    return net_finish(D);
}

static int dcgan_build_conditional(dcgan_model *m, const dcgan_config *c)
{
    int h2 = ceil_half(c->output_h), w2 = ceil_half(c->output_w);
    int h4 = ceil_half(h2), w4 = ceil_half(w2);
    int gf = c->gf_dim, df = c->df_dim, y = c->y_dim;
    /* the inputs always take y; the layers after them as cond_concat says */
    dcgan_cond_concat cc = c->cond_concat;
    int g_layers = cc == DCGAN_COND_CONCAT_ALL || cc == DCGAN_COND_CONCAT_G_LAYERS;
    int d_layers = cc == DCGAN_COND_CONCAT_ALL || cc == DCGAN_COND_CONCAT_D_LAYERS;
    net *G = &m->G;
    net_begin(G, m->be, "generator", c->batch, c->z_dim, 1, 1, y);
    net_concat_y(G);
    net_linear(G, "g_h0_lin", c->gfc_dim);
    net_batchnorm(G, "g_bn0");
    net_activation(G, LAYER_RELU);
    if (g_layers) net_concat_y(G);
    net_linear(G, "g_h1_lin", gf * 2 * h4 * w4);
    net_batchnorm(G, "g_bn1"); /* per feature on the flat vector, as the reference */
    net_activation(G, LAYER_RELU);
    net_reshape(G, gf * 2, h4, w4);
    if (g_layers) net_concat_y(G);
    int rc = net_deconv(G, "g_h2", gf * 2, h2, w2);
    DC_ASSERT(rc == 0, "deconv sizes");
    net_batchnorm(G, "g_bn2");
    net_activation(G, LAYER_RELU);
    if (g_layers) net_concat_y(G);
    rc = net_deconv(G, "g_h3", c->c_dim, c->output_h, c->output_w);
    DC_ASSERT(rc == 0, "deconv sizes");
    net_activation(G, LAYER_SIGMOID);
    if (net_finish(G)) return -1;

    net *D = &m->D;
    net_begin(D, m->be, "discriminator", c->batch, c->c_dim, c->output_h, c->output_w, y);
    net_spectral_norm(D, c->spectral_norm);
    net_concat_y(D);
    net_conv(D, "d_h0_conv", c->d_first_channels > 0 ? c->d_first_channels : c->c_dim + y);
    net_activation(D, LAYER_LRELU);
    if (d_layers) net_concat_y(D);
    net_conv(D, "d_h1_conv", df + y);
    net_batchnorm(D, "d_bn1");
    net_activation(D, LAYER_LRELU);
    net_reshape(D, (df + y) * h4 * w4, 1, 1);
    if (d_layers) net_concat_y(D);
    net_linear(D, "d_h2_lin", c->dfc_dim);
    net_batchnorm(D, "d_bn2");
    net_activation(D, LAYER_LRELU);
    if (d_layers) net_concat_y(D);
    net_linear(D, "d_h3_lin", 1);
    return net_finish(D);
}

/* On the CPU the model lives in this machine's memory: a model that cannot fit is refused
 * before anything is allocated (a device's own memory is its backend's to report). */
static int dcgan_check_memory(const dcgan_config *c, dc_err *e)
{
    if (c->device[0] && strcmp(c->device, "cpu") != 0) return 0;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 0;
    double ram = (double)pages * (double)page, pb, ab;
    double need = dcgan_config_memory(c, &pb, &ab), G = 1 << 30;
    if (need <= ram) return 0;
    return dc_fail(e, "this model needs at least %.1f GiB of memory (%.1f GiB for the parameters "
                      "with their gradients and Adam's moments, %.1f GiB for the activations at "
                      "batch size %d), more than this machine's %.1f GiB: lower --batch-size, "
                      "--gf-dim/--df-dim or the image size",
                   need / G, pb / G, ab / G, c->batch, ram / G);
}

int dcgan_model_init(dcgan_model *m, const dcgan_config *cfg, dc_err *e)
{
    memset(m, 0, sizeof *m);
    if (dcgan_config_validate(cfg, e) != 0 || dcgan_config_check_sizes(cfg, e) != 0 ||
        dcgan_check_memory(cfg, e) != 0)
        return -1;
    m->cfg = *cfg;
    ops_options oo = {cfg->device[0] ? cfg->device : "cpu", cfg->conv_backend, cfg->precision};
    m->be = ops_open(&oo, e);
    if (!m->be) return -1;
    int rc = cfg->y_dim > 0 ? dcgan_build_conditional(m, cfg) : dcgan_build_unconditional(m, cfg);
    if (rc) {
        dcgan_model_free(m);
        return dc_fail(e, "--conv-backend %s%s: cannot run this model's convolutions",
                       conv_backend_name(cfg->conv_backend),
                       cfg->precision == OPS_PRECISION_BF16 ? " with --precision bf16" : "");
    }
    /* G and D run one after the other: one convolution scratch serves both */
    net_share_work(&m->G, &m->D);
    if (cfg->g_ema > 0.0f) {
        m->ema_params = ops_alloc(m->be, m->G.ps.n_params);
        m->ema_buffers = ops_alloc(m->be, m->G.ps.n_buffers ? m->G.ps.n_buffers : 1);
    }
    return 0;
}

void dcgan_model_update_ema(dcgan_model *m)
{
    if (!m->ema_params) return;
    const param_store *ps = &m->G.ps;
    ops_ema_update(m->be, m->ema_params, ps->params, m->cfg.g_ema, ps->n_params);
}

#define EMA_STAT_SEED 0x5eedu

void dcgan_model_ema_refresh(dcgan_model *m, z_dist zd)
{
    if (!m->ema_params) return;
    const dcgan_config *c = &m->cfg;
    size_t B = (size_t)c->batch, yd = (size_t)c->y_dim;
    float *z = dc_alloc_floats(B * (size_t)c->z_dim), *y = yd ? dc_alloc_floats(B * yd) : NULL;
    rng_state r;
    rng_init(&r, EMA_STAT_SEED);
    dcgan_model_swap_ema(m);
    param_store_reset_buffers(&m->G.ps);
    for (int k = 0; k < DCGAN_EMA_STAT_BATCHES; k++) {
        z_dist_draw(zd, &r, z, B * (size_t)c->z_dim);
        for (size_t i = 0; yd && i < B; i++)
            for (size_t j = 0; j < yd; j++) y[i * yd + j] = (k * B + i) % yd == j ? 1.0f : 0.0f;
        net_set_input(&m->G, z, 0, y);
        net_forward(&m->G, 1);
    }
    dcgan_model_swap_ema(m);
    free(z);
    free(y);
}

static void swap_floats(ops_backend *be, float *a, float *b, size_t n)
{
    if (n == 0) return;
    float *t = ops_alloc(be, n);
    ops_copy(be, t, a, n);
    ops_copy(be, a, b, n);
    ops_copy(be, b, t, n);
    ops_free(be, t);
}

void dcgan_model_swap_ema(dcgan_model *m)
{
    if (!m->ema_params) return;
    param_store *ps = &m->G.ps;
    swap_floats(m->be, ps->params, m->ema_params, ps->n_params);
    swap_floats(m->be, ps->buffers, m->ema_buffers, ps->n_buffers);
    param_store_touch(ps);
}

void dcgan_model_init_weights(dcgan_model *m, rng_state *r)
{
    param_store_init_values(&m->G.ps, r, DCGAN_INIT_STD);
    param_store_init_values(&m->D.ps, r, DCGAN_INIT_STD);
    dcgan_model_reset_ema(m); /* the average starts at G's first weights */
}

void dcgan_model_reset_ema(dcgan_model *m)
{
    if (!m->ema_params) return;
    ops_copy(m->be, m->ema_params, m->G.ps.params, m->G.ps.n_params);
    ops_copy(m->be, m->ema_buffers, m->G.ps.buffers, m->G.ps.n_buffers);
}

void dcgan_model_free(dcgan_model *m)
{
    if (m->be) {
        ops_free(m->be, m->ema_params);
        ops_free(m->be, m->ema_buffers);
    }
    m->ema_params = m->ema_buffers = NULL;
    net_free(&m->G);
    net_free(&m->D);
    ops_close(m->be);
    m->be = NULL;
}

void dcgan_model_range(const dcgan_config *cfg, float *lo, float *hi)
{
    *lo = cfg->y_dim > 0 ? 0.0f : -1.0f;
    *hi = 1.0f;
}

int dcgan_model_check_finite(const dcgan_model *m, int check_outputs, char *where, size_t len)
{
    const net *order[2] = {&m->D, &m->G};
    for (int k = 0; k < 2; k++) {
        int i = net_first_nonfinite_param(order[k]);
        if (i >= 0) {
            snprintf(where, len, "%s", order[k]->ps.specs[i].name);
            return -1;
        }
    }
    if (!check_outputs) return 0;
    const net *passes[2] = {&m->G, &m->D};
    for (int k = 0; k < 2; k++) {
        int i = net_first_nonfinite_output(passes[k]);
        if (i >= 0) {
            char label[96];
            net_layer_label(passes[k], i, label, sizeof label);
            snprintf(where, len, "output of %s", label);
            return -1;
        }
    }
    return 0;
}

size_t dcgan_config_image_floats(const dcgan_config *c)
{
    return (size_t)c->c_dim * c->output_h * c->output_w;
}

void dcgan_model_generate(dcgan_model *m, const float *z, const float *y, int n, float *out)
{
    int B = m->cfg.batch;
    size_t zf = (size_t)m->cfg.z_dim, imf = dcgan_config_image_floats(&m->cfg), yd = (size_t)m->cfg.y_dim;
    net *G = &m->G;
    float *zc = dc_alloc_floats((size_t)B * zf), *yc = yd ? dc_alloc_floats((size_t)B * yd) : NULL;
    for (int start = 0; start < n; start += B) {
        int k = n - start < B ? n - start : B;
        /* a partial chunk is padded by repeating its last item; eval-mode batch norm makes
         * every item independent of the others */
        for (int i = 0; i < B; i++) {
            int src = start + (i < k ? i : k - 1);
            memcpy(zc + (size_t)i * zf, z + (size_t)src * zf, zf * sizeof(float));
            if (yd) memcpy(yc + (size_t)i * yd, y + (size_t)src * yd, yd * sizeof(float));
        }
        net_set_input(G, zc, 0, yc);
        /* the backend's inference plan where it has one, else layer by layer */
        const float *o = net_forward_infer(G, k);
        if (o) {
            ops_to_host(m->be, out + (size_t)start * imf, o, (size_t)k * imf);
        } else {
            net_forward(G, 0);
            net_read_output(G, out + (size_t)start * imf, k);
        }
    }
    free(zc);
    free(yc);
}
