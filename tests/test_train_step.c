/* A whole training iteration of each model against the PyTorch twin
 * (tests/reference/make_train_reference.py): same initial weights, z and batch; the losses, D
 * outputs, every gradient of the first D and G updates, the gradient D hands to G, and every
 * parameter and moving statistic after two iterations. */
#include <cJSON.h>
#include <math.h>
#include <string.h>

#include "io/safetensors.h"
#include "model/dcgan.h"
#include "core/rng.h"
#include "ops/cpu/cpu_backend.h"
#include "train/step.h"
#include "testutil.h"

static const safetensors_tensor *need(const safetensors_file *f, const char *name)
{
    const safetensors_tensor *t = safetensors_find(f, name);
    TEST_CHECK(t != NULL, "reference tensor %s missing", name);
    return t;
}

static float scalar(const safetensors_file *f, const char *name)
{
    const safetensors_tensor *t = need(f, name);
    return t ? ((const float *)t->data)[0] : NAN;
}

static double max_abs(const float *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m) m = fabs(v[i]);
    return m;
}

static float *copy_floats(const float *x, size_t n)
{
    float *c = dc_alloc_floats(n);
    memcpy(c, x, n * sizeof *c);
    return c;
}

static int cfg_int(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* Copies "init/<name>" into every tensor of n. */
static void load_init(const safetensors_file *f, net *n)
{
    for (int i = 0; i < n->ps.count; i++) {
        const param_spec *s = &n->ps.specs[i];
        char name[256];
        snprintf(name, sizeof name, "init/%s", s->name);
        const safetensors_tensor *t = need(f, name);
        if (!t) continue;
        TEST_CHECK(t->numel == s->numel, "%s: %zu values, model has %zu", name, t->numel, s->numel);
        if (t->numel == s->numel) memcpy(param_store_values(&n->ps, s), t->data, s->numel * 4);
    }
}

/* Biases that feed batch norm have an exact-zero true gradient; float32 noise in them is
 * amplified by Adam's normalisation to steps of up to lr, so their values after an update
 * can only be compared to within a few lr. */
static int is_dead_bias(const safetensors_file *f, const char *name)
{
    char g[256];
    snprintf(g, sizeof g, "iter1/%s/%s", strncmp(name, "generator", 9) == 0 ? "g_grad" : "d_grad",
             name);
    const safetensors_tensor *t = safetensors_find(f, g);
    return t && max_abs(t->data, t->numel) < 1e-12;
}

static void compare_grads(const safetensors_file *f, const net *n, const char *kind)
{
    for (int i = 0; i < n->ps.count; i++) {
        const param_spec *s = &n->ps.specs[i];
        if (!s->trainable) continue;
        char name[256];
        snprintf(name, sizeof name, "iter1/%s/%s", kind, s->name);
        const safetensors_tensor *t = need(f, name);
        if (!t) continue;
        double scale = max_abs(t->data, t->numel);
        /* an exact-zero gradient comes out of float32 sums as rounding noise */
        double atol = is_dead_bias(f, s->name) ? 1e-5 : 2e-4 * scale + 1e-9;
        check_close(name, n->ps.grads + s->offset, t->data, s->numel, atol, 2e-3);
    }
}

#define LR 2e-4

/* After Adam steps, a parameter whose gradient is near zero (|g| ~ Adam's eps) moves by an
 * amount that float32 rounding of g changes by up to lr per step, and a bias that feeds batch
 * norm (true gradient exactly zero) moves by noise alone, shifting the moving mean after it.
 * So: moving means and such biases must be within lr*steps; every other tensor must match
 * tightly except at most 1% of its elements, which must still be within lr*steps. */
static void compare_after(const safetensors_file *f, const net *n, int iter, double lr)
{
    int is_g = strcmp(n->prefix, "generator") == 0;
    int steps = is_g ? 2 * iter : iter;
    double loose = lr * steps * 1.05 + 2e-5;
    for (int i = 0; i < n->ps.count; i++) {
        const param_spec *s = &n->ps.specs[i];
        char name[256];
        snprintf(name, sizeof name, "iter%d/after/%s", iter, s->name);
        const safetensors_tensor *t = need(f, name);
        if (!t) continue;
        const float *got = param_store_values(&n->ps, s);
        /* spectral norm's u and v follow the weight, elements of which carry Adam-amplified
         * noise of up to lr a step (above): they can only be as close as the weight */
        int noisy = (s->trainable && is_dead_bias(f, s->name)) || strstr(s->name, "moving_mean") ||
                    strstr(s->name, "/sn_");
        if (noisy || !s->trainable) {
            check_close(name, got, t->data, s->numel, noisy ? loose : 2e-5, noisy ? 0 : 1e-4);
            continue;
        }
        compare_result tight = compare_floats(got, t->data, s->numel, 2e-5, 1e-4);
        size_t allowed = s->numel / 100;
        if (tight.bad <= allowed) {
            check_close(name, got, t->data, s->numel, loose, 0);
            if (tight.bad) printf("       (%zu of %zu elements beyond the tight tolerance)\n", tight.bad, s->numel);
        } else {
            check_close(name, got, t->data, s->numel, 2e-5, 1e-4);
        }
    }
}

/* The average of G's parameters after iteration iter against "iterK/after/generator_ema/...",
 * with compare_after's tolerances (an average carries at most G's own errors). Its batch-norm
 * statistics are not an average but measured for its weights when it is used
 * (dcgan_model_ema_refresh; test_ema_refresh), so the file's averaged ones are not compared. */
static void compare_ema(const safetensors_file *f, const dcgan_model *m, int iter, double lr)
{
    const net *G = &m->G;
    double loose = lr * 2 * iter * 1.05 + 2e-5;
    for (int i = 0; i < G->ps.count; i++) {
        const param_spec *s = &G->ps.specs[i];
        if (!s->trainable) continue;
        char name[256];
        snprintf(name, sizeof name, "iter%d/after/generator_ema%s", iter, strchr(s->name, '/'));
        const safetensors_tensor *t = need(f, name);
        if (!t) continue;
        const float *got = m->ema_params + s->offset;
        int noisy = is_dead_bias(f, s->name);
        compare_result tight = compare_floats(got, t->data, s->numel, 2e-5, 1e-4);
        if (noisy || (tight.bad && tight.bad <= s->numel / 100))
            check_close(name, got, t->data, s->numel, loose, 0);
        else
            check_close(name, got, t->data, s->numel, 2e-5, 1e-4);
    }
}

static double cfg_num(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static void check_scalar(const char *name, float got, float want, double tol)
{
    char label[128];
    snprintf(label, sizeof label, "%s", name);
    check_close(label, &got, &want, 1, tol, tol);
}

static void run_case(const char *path, conv_backend backend)
{
    printf("%s (convolutions: %s)\n", path, conv_backend_name(backend));
    dc_err e;
    safetensors_file *f = safetensors_read(path, &e);
    TEST_CHECK(f != NULL, "%s", e.msg);
    if (!f) return;
    cJSON *c = cJSON_Parse(safetensors_metadata(f, "config"));
    TEST_CHECK(c != NULL, "config metadata");
    dcgan_config cfg = dcgan_config_default();
    cfg.output_h = cfg_int(c, "output_height");
    cfg.output_w = cfg_int(c, "output_width");
    cfg.c_dim = cfg_int(c, "c_dim");
    cfg.y_dim = cfg_int(c, "y_dim");
    cfg.z_dim = cfg_int(c, "z_dim");
    cfg.gf_dim = cfg_int(c, "gf_dim");
    cfg.df_dim = cfg_int(c, "df_dim");
    cfg.gfc_dim = cfg_int(c, "gfc_dim");
    cfg.dfc_dim = cfg_int(c, "dfc_dim");
    cfg.batch = cfg_int(c, "batch_size");
    cfg.conv_backend = backend;
    /* the recipe options (absent in the reference's files: the reference's recipe) */
    cfg.spectral_norm = (int)cfg_num(c, "spectral_norm", 0);
    cfg.d_first_channels = (int)cfg_num(c, "d_first_channels", 0);
    cfg.g_ema = (float)cfg_num(c, "g_ema", 0);
    const cJSON *loss = cJSON_GetObjectItemCaseSensitive(c, "loss");
    int hinge = cJSON_IsString(loss) && strcmp(loss->valuestring, "hinge") == 0;
    float smoothing = (float)cfg_num(c, "label_smoothing", 0);
    float d_lr = (float)cfg_num(c, "d_lr", LR), g_lr = (float)cfg_num(c, "g_lr", LR);
    if (cfg.spectral_norm || cfg.g_ema > 0 || hinge || smoothing > 0 || cfg.d_first_channels)
        printf("  recipe: spectral norm %d, d_first_channels %d, g_ema %g, loss %s, label "
               "smoothing %g, D lr %g, G lr %g\n", cfg.spectral_norm, cfg.d_first_channels,
               (double)cfg.g_ema, hinge ? "hinge" : "bce", (double)smoothing, (double)d_lr,
               (double)g_lr);
    cJSON_Delete(c);

    dcgan_model m;
    int rc = dcgan_model_init(&m, &cfg, &e);
    TEST_CHECK(rc == 0, "model: %s", e.msg);
    if (rc != 0) {
        safetensors_free(f);
        return;
    }
    load_init(f, &m.G);
    load_init(f, &m.D);
    dcgan_model_reset_ema(&m);
    trainer t;
    trainer_init(&t, &m, adam_config_default());
    t.adam.lr = d_lr;
    t.adam_g.lr = g_lr;
    t.loss = hinge ? TRAIN_LOSS_HINGE : TRAIN_LOSS_BCE;
    t.real_target = 1.0f - smoothing;
    const float *y1 = cfg.y_dim ? need(f, "iter1/y")->data : NULL;
    const float *y2 = cfg.y_dim ? need(f, "iter2/y")->data : NULL;

    /* iteration 1, update by update */
    step_stats s;
    train_step_d(&t, &m, need(f, "iter1/x")->data, y1, need(f, "iter1/z")->data, &s);
    const safetensors_tensor *fake = need(f, "iter1/fake");
    check_close("iter1/fake", net_output(&m.G)->out, fake->data, fake->numel, 1e-5, 1e-4);
    check_scalar("iter1/d_loss_real", s.d_loss_real, scalar(f, "iter1/d_loss_real"), 1e-5);
    check_scalar("iter1/d_loss_fake", s.d_loss_fake, scalar(f, "iter1/d_loss_fake"), 1e-5);
    check_scalar("iter1/d_real_mean", s.d_real_mean, scalar(f, "iter1/d_real_mean"), 1e-5);
    check_scalar("iter1/d_fake_mean", s.d_fake_mean, scalar(f, "iter1/d_fake_mean"), 1e-5);
    compare_grads(f, &m.D, "d_grad");
    float g1 = train_step_g(&t, &m, y1, need(f, "iter1/z")->data);
    check_scalar("iter1/g_loss1", g1, scalar(f, "iter1/g_loss1"), 1e-5);
    const safetensors_tensor *dx = need(f, "iter1/dx_fake");
    check_close("iter1/dx_fake", m.D.dinput, dx->data, dx->numel, 2e-4 * max_abs(dx->data, dx->numel), 2e-3);
    compare_grads(f, &m.G, "g_grad");
    float g2 = train_step_g(&t, &m, y1, need(f, "iter1/z")->data);
    check_scalar("iter1/g_loss2", g2, scalar(f, "iter1/g_loss2"), 1e-5);
    dcgan_model_update_ema(&m); /* what train_step does last */
    compare_after(f, &m.G, 1, g_lr);
    compare_after(f, &m.D, 1, d_lr);
    if (cfg.g_ema > 0) compare_ema(f, &m, 1, g_lr);

    /* iteration 2, as training runs it */
    train_step(&t, &m, need(f, "iter2/x")->data, y2, need(f, "iter2/z")->data, &s);
    check_scalar("iter2/d_loss_real", s.d_loss_real, scalar(f, "iter2/d_loss_real"), 2e-5);
    check_scalar("iter2/d_loss_fake", s.d_loss_fake, scalar(f, "iter2/d_loss_fake"), 2e-5);
    check_scalar("iter2/g_loss1", s.g_loss_first, scalar(f, "iter2/g_loss1"), 2e-5);
    check_scalar("iter2/g_loss2", s.g_loss, scalar(f, "iter2/g_loss2"), 2e-5);
    compare_after(f, &m.G, 2, g_lr);
    compare_after(f, &m.D, 2, d_lr);
    if (cfg.g_ema > 0) compare_ema(f, &m, 2, g_lr);
    TEST_CHECK(t.d_steps == 2 && t.g_steps == 4, "Adam steps D %ld G %ld", t.d_steps, t.g_steps);

    trainer_free(&t);
    dcgan_model_free(&m);
    safetensors_free(f);
}

/* The average's batch-norm statistics: measured for its weights, the same whatever the
 * statistics held before (a resumed run gets the same), and G itself untouched; when the
 * average equals G, its statistics are those G's own training passes on the same latent
 * vectors would give. */
static void test_ema_refresh(void)
{
    dcgan_config cfg = dcgan_config_default();
    cfg.output_h = cfg.output_w = 16;
    cfg.c_dim = 1;
    cfg.y_dim = 3;
    cfg.z_dim = 5;
    cfg.gf_dim = cfg.df_dim = 4;
    cfg.gfc_dim = cfg.dfc_dim = 8;
    cfg.batch = 6;
    cfg.g_ema = 0.9f;
    dcgan_model m;
    dc_err e;
    int ok = dcgan_model_init(&m, &cfg, &e) == 0;
    TEST_CHECK(ok, "ema model: %s", e.msg);
    if (!ok) return;
    rng_state r;
    rng_init(&r, 5);
    dcgan_model_init_weights(&m, &r);
    param_store *ps = &m.G.ps;
    size_t np = ps->n_params, nb = ps->n_buffers;
    /* G moves away from the average and its statistics from their initial values */
    for (size_t i = 0; i < np; i++) ps->params[i] *= 1.5f;
    for (size_t i = 0; i < nb; i++) ps->buffers[i] += 0.25f;
    float *gp = copy_floats(ps->params, np), *gb = copy_floats(ps->buffers, nb);
    dcgan_model_ema_refresh(&m, Z_DIST_UNIFORM_SIGNED);
    float *first = copy_floats(m.ema_buffers, nb);
    TEST_CHECK(memcmp(gp, ps->params, np * 4) == 0 && memcmp(gb, ps->buffers, nb * 4) == 0,
               "refreshing the average's statistics leaves G as it was");
    /* whatever they held (the buffer's tensors; it has gaps between them) */
    for (int i = 0; i < ps->count; i++)
        for (size_t j = 0; !ps->specs[i].trainable && j < ps->specs[i].numel; j++)
            m.ema_buffers[ps->specs[i].offset + j] = 7.0f;
    dcgan_model_ema_refresh(&m, Z_DIST_UNIFORM_SIGNED);
    check_close("the statistics depend on the average's weights alone", m.ema_buffers, first, nb,
                0, 0);
    double diff = 0;
    for (size_t i = 0; i < nb; i++) diff += fabs((double)first[i] - gb[i]);
    TEST_CHECK(diff > 1e-3, "they are measured, not G's own (%g)", diff);
    /* the average set to G: the statistics are G's own training passes' */
    dcgan_model_reset_ema(&m);
    dcgan_model_ema_refresh(&m, Z_DIST_UNIFORM_SIGNED);
    float *want = copy_floats(m.ema_buffers, nb);
    param_store_reset_buffers(ps);
    rng_state zr;
    rng_init(&zr, 0x5eedu);
    float z[6 * 5], y[6 * 3];
    for (int k = 0; k < DCGAN_EMA_STAT_BATCHES; k++) {
        z_dist_draw(Z_DIST_UNIFORM_SIGNED, &zr, z, 30);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 3; j++) y[i * 3 + j] = (k * 6 + i) % 3 == j ? 1.0f : 0.0f;
        net_set_input(&m.G, z, 0, y);
        net_forward(&m.G, 1);
    }
    check_close("ema statistics of G's own weights", want, ps->buffers, nb, 0, 0);
    free(gp);
    free(gb);
    free(first);
    free(want);
    dcgan_model_free(&m);
}

/* train_step reuses the D update's G forward pass in its first G update. Against the same
 * iterations run as train_step_d + 2 x train_step_g (which recompute it), every trainable
 * parameter must come out bit-identical (same activations, same gradients) and the moving
 * statistics equal to float rounding (the repeated update recovers the variance from rstd). */
static void test_forward_reuse(int conditional)
{
    dcgan_config cfg = dcgan_config_default();
    cfg.output_h = 20;
    cfg.output_w = 16;
    cfg.c_dim = conditional ? 1 : 3;
    cfg.y_dim = conditional ? 3 : 0;
    cfg.z_dim = 5;
    cfg.gf_dim = cfg.df_dim = 4;
    cfg.gfc_dim = cfg.dfc_dim = 8;
    cfg.batch = 6;
    dcgan_model a, b;
    dc_err e;
    int ok = dcgan_model_init(&a, &cfg, &e) == 0;
    TEST_CHECK(ok, "reuse model: %s", e.msg);
    if (!ok) return;
    ok = dcgan_model_init(&b, &cfg, &e) == 0;
    TEST_CHECK(ok, "reuse model: %s", e.msg);
    if (!ok) {
        dcgan_model_free(&a);
        return;
    }
    rng_state r;
    rng_init(&r, 11);
    dcgan_model_init_weights(&a, &r);
    rng_init(&r, 11);
    dcgan_model_init_weights(&b, &r);
    trainer ta, tb;
    trainer_init(&ta, &a, adam_config_default());
    trainer_init(&tb, &b, adam_config_default());
    size_t B = (size_t)cfg.batch, imf = (size_t)cfg.c_dim * cfg.output_h * cfg.output_w;
    float *x = dc_alloc_floats(B * imf), *z = dc_alloc_floats(B * cfg.z_dim);
    float *y = dc_alloc_floats(B * (cfg.y_dim ? cfg.y_dim : 1));
    memset(y, 0, B * (cfg.y_dim ? cfg.y_dim : 1) * sizeof *y);
    for (size_t i = 0; conditional && i < B; i++) y[i * cfg.y_dim + i % cfg.y_dim] = 1.0f;
    for (int it = 0; it < 3; it++) {
        rng_uniform(&r, x, B * imf, conditional ? 0.0f : -1.0f, 1.0f);
        rng_uniform(&r, z, B * cfg.z_dim, -1.0f, 1.0f);
        step_stats sa, sb;
        train_step(&ta, &a, x, conditional ? y : NULL, z, &sa);
        train_step_d(&tb, &b, x, conditional ? y : NULL, z, &sb);
        sb.g_loss_first = train_step_g(&tb, &b, conditional ? y : NULL, z);
        sb.g_loss = train_step_g(&tb, &b, conditional ? y : NULL, z);
        TEST_CHECK(sa.g_loss_first == sb.g_loss_first && sa.g_loss == sb.g_loss,
                   "reuse it %d: g losses %.9g %.9g vs %.9g %.9g", it, sa.g_loss_first, sa.g_loss,
                   sb.g_loss_first, sb.g_loss);
    }
    const net *na[2] = {&a.G, &a.D}, *nb[2] = {&b.G, &b.D};
    for (int k = 0; k < 2; k++) {
        const param_store *pa = &na[k]->ps, *pb = &nb[k]->ps;
        TEST_CHECK(memcmp(pa->params, pb->params, pa->n_params * sizeof(float)) == 0,
                   "%s: parameters differ with the reused G forward", na[k]->prefix);
        char what[64];
        snprintf(what, sizeof what, "%s moving statistics, reuse", na[k]->prefix);
        check_close(what, pa->buffers, pb->buffers, pa->n_buffers, 1e-7, 1e-6);
    }
    printf("  reuse (%s): parameters identical, moving statistics close\n",
           conditional ? "conditional" : "unconditional");
    free(x), free(y), free(z);
    trainer_free(&ta), trainer_free(&tb);
    dcgan_model_free(&a), dcgan_model_free(&b);
}

/* Sampling after updates, when the moving statistics are no longer mean 0 / variance 1 and so
 * sampling mode (batch norm with the moving averages) differs from training mode (the batch's
 * own statistics). In sampling mode an item's image does not depend on the others in its
 * batch: the first 2 items alone equal the first 2 of 8 (training mode would normalise 2 items
 * by their own statistics); the moving averages do not move; the training forward on the same
 * z differs. (The backends are not compared here: after Adam steps their weights differ by
 * more than rounding, see test_backends_agree.) */
static void check_sampling_after_updates(dcgan_model *m, const float *z)
{
    const dcgan_config *cfg = &m[0].cfg;
    size_t B = (size_t)cfg->batch, imf = dcgan_config_image_floats(cfg);
    float *all = dc_alloc_floats(B * imf);
    float *two = dc_alloc_floats(2 * imf);
    const param_store *ps = &m[0].G.ps;
    float *before = dc_alloc_floats(ps->n_buffers);
    memcpy(before, ps->buffers, ps->n_buffers * sizeof(float));
    dcgan_model_generate(&m[0], z, NULL, cfg->batch, all);
    dcgan_model_generate(&m[0], z, NULL, 2, two);
    double scale = max_abs(all, B * imf);
    check_close("sampling after updates: 2 items alone = the same 2 in a batch of 8", two, all,
                2 * imf, 1e-6 * scale, 1e-5);
    TEST_CHECK(memcmp(before, ps->buffers, ps->n_buffers * sizeof(float)) == 0,
               "sampling moved the moving averages");
    net_set_input(&m[0].G, z, 0, NULL);
    net_forward(&m[0].G, 1);
    double differ = 0;
    const float *train_out = net_output(&m[0].G)->out;
    for (size_t i = 0; i < B * imf; i++) differ = fmax(differ, fabs(train_out[i] - all[i]));
    TEST_CHECK(differ > 1e-3 * scale, "sampling equals the training forward (%g): not in "
               "sampling mode?", differ);
    printf("  sampling after updates: training forward differs by %.3g (scale %.3g)\n", differ,
           scale);
    free(all), free(two), free(before);
}

/* The oneDNN and im2col backends on a model wide enough (gf = df = 16) for oneDNN's nChw16c
 * layout between convolutions: the same D update and G update from the same weights must give
 * the same fake images and the same gradients to float rounding. Gradients, not parameters, are
 * compared: Adam turns a rounding difference in a near-zero gradient into a full step. */
static void test_backends_agree(void)
{
    dcgan_config cfg = dcgan_config_default();
    cfg.output_h = cfg.output_w = 32;
    cfg.c_dim = 3;
    cfg.z_dim = 10;
    cfg.gf_dim = cfg.df_dim = 16;
    cfg.batch = 8;
    dcgan_model m[2];
    const conv_backend be[2] = {CONV_BACKEND_IM2COL, CONV_BACKEND_ONEDNN};
    dc_err e;
    for (int k = 0; k < 2; k++) {
        cfg.conv_backend = be[k];
        int ok = dcgan_model_init(&m[k], &cfg, &e) == 0;
        TEST_CHECK(ok, "backend model: %s", e.msg);
        if (!ok) {
            if (k) dcgan_model_free(&m[0]);
            return;
        }
        rng_state r;
        rng_init(&r, 5);
        dcgan_model_init_weights(&m[k], &r);
    }
    int c16 = 0; /* layers whose maps the backend keeps in a layout of its own (nChw16c) */
    for (int i = 0; i < m[1].G.n_layers; i++) c16 += m[1].G.layers[i].layout != OPS_LAYOUT_PLAIN;
    for (int i = 0; i < m[1].D.n_layers; i++) c16 += m[1].D.layers[i].layout != OPS_LAYOUT_PLAIN;
    TEST_CHECK(c16 > 0, "no layer of the oneDNN model runs in nChw16c");
    printf("  %d layers in nChw16c\n", c16);
    size_t B = (size_t)cfg.batch, imf = (size_t)cfg.c_dim * cfg.output_h * cfg.output_w;
    float *x = dc_alloc_floats(B * imf), *z = dc_alloc_floats(B * cfg.z_dim);
    rng_state r;
    rng_init(&r, 9);
    rng_uniform(&r, x, B * imf, -1.0f, 1.0f);
    rng_uniform(&r, z, B * cfg.z_dim, -1.0f, 1.0f);
    /* sampling mode (eval batch norm) through the same layouts, before any update */
    float *o[2] = {dc_alloc_floats(B * imf), dc_alloc_floats(B * imf)};
    for (int k = 0; k < 2; k++) dcgan_model_generate(&m[k], z, NULL, cfg.batch, o[k]);
    printf("  G output scale: sampling %.3g\n", max_abs(o[0], B * imf));
    check_close("backends: sampling", o[1], o[0], B * imf, 1e-5 * max_abs(o[0], B * imf), 1e-4);
    free(o[0]), free(o[1]);
    trainer t[2];
    float dloss[2], gloss[2];
    for (int k = 0; k < 2; k++) {
        trainer_init(&t[k], &m[k], adam_config_default());
        step_stats s;
        train_step_d(&t[k], &m[k], x, NULL, z, &s);
        dloss[k] = s.d_loss;
    }
    double gscale = max_abs(net_output(&m[0].G)->out, B * imf);
    printf("  G output scale: training %.3g\n", gscale);
    check_close("backends: G(z)", net_output(&m[1].G)->out, net_output(&m[0].G)->out,
                B * imf, 1e-5 * gscale, 1e-4);
    check_scalar("backends: d_loss", dloss[1], dloss[0], 1e-5);
    const param_store *pd0 = &m[0].D.ps, *pd1 = &m[1].D.ps;
    check_close("backends: D gradients", pd1->grads, pd0->grads, pd0->n_params,
                2e-4 * max_abs(pd0->grads, pd0->n_params), 1e-3);
    for (int k = 0; k < 2; k++) gloss[k] = train_step_g(&t[k], &m[k], NULL, z);
    check_scalar("backends: g_loss", gloss[1], gloss[0], 1e-5);
    const param_store *pg0 = &m[0].G.ps, *pg1 = &m[1].G.ps;
    check_close("backends: G gradients", pg1->grads, pg0->grads, pg0->n_params,
                2e-4 * max_abs(pg0->grads, pg0->n_params), 1e-3);
    check_close("backends: D input gradient", m[1].D.dinput, m[0].D.dinput, B * imf,
                2e-4 * max_abs(m[0].D.dinput, B * imf), 1e-3);
    check_sampling_after_updates(m, z);
    free(x), free(z);
    for (int k = 0; k < 2; k++) {
        trainer_free(&t[k]);
        dcgan_model_free(&m[k]);
    }
}

/* The gradients of a bf16 net against fp32's: finite, and closer to them than to nothing.
 * The bound is loose on purpose: at initialisation the gradients are small differences of large
 * terms (D's real and fake halves nearly cancel; batch norm's backward subtracts the mean of
 * its incoming gradient; the conditional G's gradients are ~1e-3 of the unconditional's), so
 * bf16's 2^-9 rounding of each convolution's inputs shows up amplified: measured 8-32% in norm
 * for D, 38-57% for G after its updates. Garbage (bf16 misapplied) lands at 100% or more. */
static void check_bf16_grads(const char *kind, const net *b, const net *f)
{
    const param_store *pb = &b->ps, *pf = &f->ps;
    double diff = 0, ref = 0;
    for (size_t i = 0; i < pf->n_params; i++) {
        double d = (double)pb->grads[i] - pf->grads[i];
        diff += d * d;
        ref += (double)pf->grads[i] * pf->grads[i];
    }
    double rel = sqrt(diff / (ref > 0 ? ref : 1));
    TEST_CHECK(ops_all_finite(b->be, pb->grads, pb->n_params), "bf16 %s: %s gradients not finite",
               kind, b->prefix);
    TEST_CHECK(rel < 0.75, "bf16 %s: %s gradients %.3g from fp32's in norm", kind, b->prefix, rel);
    TEST_CHECK(rel > 1e-5, "bf16 %s: %s gradients as fp32's (%.3g): bf16 not in use?", kind,
               b->prefix, rel);
    printf("  bf16 %s: %s gradients %.3g from fp32's (relative, in norm)\n", kind, b->prefix, rel);
}

/* --precision bf16: one whole training step (D update, two G updates) of each model from the
 * same weights and batch as an fp32 model. Everything stays finite; the losses, D's gradients
 * and the parameters after the step are close to fp32's (bf16 rounds each convolution's inputs
 * at 2^-9 relative), and G's output is not bit-identical to fp32's (bf16 in use). */
static void test_bf16_step(int conditional)
{
    dcgan_config cfg = dcgan_config_default();
    cfg.output_h = cfg.output_w = conditional ? 28 : 32;
    cfg.c_dim = conditional ? 1 : 3;
    cfg.y_dim = conditional ? 10 : 0;
    cfg.z_dim = 20;
    cfg.gf_dim = cfg.df_dim = 16;
    cfg.gfc_dim = cfg.dfc_dim = 64;
    cfg.batch = 8;
    const char *kind = conditional ? "conditional" : "unconditional";
    dcgan_model m[2]; /* fp32, bf16 */
    dc_err e;
    for (int k = 0; k < 2; k++) {
        cfg.precision = k ? OPS_PRECISION_BF16 : OPS_PRECISION_FP32;
        int ok = dcgan_model_init(&m[k], &cfg, &e) == 0;
        TEST_CHECK(ok, "bf16 step model: %s", e.msg);
        if (!ok) {
            if (k) dcgan_model_free(&m[0]);
            return;
        }
        rng_state r;
        rng_init(&r, 21);
        dcgan_model_init_weights(&m[k], &r);
    }
    size_t B = (size_t)cfg.batch, imf = (size_t)cfg.c_dim * cfg.output_h * cfg.output_w;
    float *x = dc_alloc_floats(B * imf), *z = dc_alloc_floats(B * cfg.z_dim);
    float *y = dc_alloc_floats(B * 10);
    for (size_t i = 0; i < B; i++) y[i * 10 + i % 10] = 1.0f;
    rng_state r;
    rng_init(&r, 23);
    rng_uniform(&r, x, B * imf, conditional ? 0.0f : -1.0f, 1.0f);
    rng_uniform(&r, z, B * cfg.z_dim, -1.0f, 1.0f);
    trainer t[2];
    step_stats s[2];
    for (int k = 0; k < 2; k++) {
        trainer_init(&t[k], &m[k], adam_config_default());
        train_step_d(&t[k], &m[k], x, conditional ? y : NULL, z, &s[k]);
    }
    const float *f0 = net_output(&m[0].G)->out, *f1 = net_output(&m[1].G)->out;
    TEST_CHECK(memcmp(f0, f1, B * imf * sizeof *f0) != 0, "bf16 %s: G(z) bit-identical to fp32",
               kind);
    check_bf16_grads(kind, &m[1].D, &m[0].D);
    for (int k = 0; k < 2; k++) {
        s[k].g_loss_first = train_step_g(&t[k], &m[k], conditional ? y : NULL, z);
        s[k].g_loss = train_step_g(&t[k], &m[k], conditional ? y : NULL, z);
    }
    check_bf16_grads(kind, &m[1].G, &m[0].G);
    printf("  bf16 %s: d_loss %.6f (fp32 %.6f), g_loss %.6f (fp32 %.6f)\n", kind, s[1].d_loss,
           s[0].d_loss, s[1].g_loss, s[0].g_loss);
    TEST_CHECK(isfinite(s[1].d_loss) && isfinite(s[1].g_loss), "bf16 %s: losses not finite", kind);
    TEST_CHECK(fabs(s[1].d_loss - s[0].d_loss) <= 1e-2 * fabs(s[0].d_loss), "bf16 %s: d_loss", kind);
    TEST_CHECK(fabs(s[1].g_loss - s[0].g_loss) <= 1e-2 * fabs(s[0].g_loss), "bf16 %s: g_loss", kind);
    const net *n[2] = {&m[1].G, &m[1].D};
    for (int k = 0; k < 2; k++)
        TEST_CHECK(ops_all_finite(m[1].be, n[k]->ps.params, n[k]->ps.n_params),
                   "bf16 %s: %s parameters not finite", kind, n[k]->prefix);
    free(x), free(y), free(z);
    for (int k = 0; k < 2; k++) {
        trainer_free(&t[k]);
        dcgan_model_free(&m[k]);
    }
}

int main(void)
{
    test_begin("test_train_step");
    test_backends_agree();
    test_forward_reuse(0);
    test_forward_reuse(1);
    test_ema_refresh();
    if (ops_cpu_has_bf16()) {
        test_bf16_step(0);
        test_bf16_step(1);
    } else {
        printf("SKIP bf16 step: this CPU has no bf16 instructions (oneDNN's ISA lacks "
               "AVX512_BF16)\n");
    }
    /* both convolution backends against the same twin */
    static const conv_backend backends[] = {CONV_BACKEND_IM2COL, CONV_BACKEND_ONEDNN};
    for (int b = 0; b < 2; b++) {
        run_case("tests/reference/train_uncond.safetensors", backends[b]);
        run_case("tests/reference/train_cond.safetensors", backends[b]);
        run_case("tests/reference/train_recipe_uncond.safetensors", backends[b]);
        run_case("tests/reference/train_recipe_cond.safetensors", backends[b]);
    }
    return test_finish();
}
