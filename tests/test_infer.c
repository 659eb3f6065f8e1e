/* The CPU backend's inference plan (nn/net_infer.h over ops_infer_create) against the layer-by-layer
 * eval-mode forward, on both models: batch norm folded into the layer before it, and other
 * summation orders, change only the rounding, so outputs (tanh/sigmoid, spread over [-1, 1])
 * agree to 1e-4 absolute (measured here: at most 3e-6; a wrong fold or layout is off by ~0.1).
 * Also: a batch smaller than the net's, the plan refreshed after the weights change, the same bits
 * run to run, training steps between generations, and --conv-backend im2col and --precision bf16
 * (no plan: dcgan_model_generate runs layer by layer). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/dcgan.h"
#include "nn/net_infer.h"
#include "testutil.h"
#include "train/step.h"

#define INFER_ATOL 1e-4

/* Parameters and statistics as a trained G has them, with outputs spread over their range:
 * training forwards move the moving statistics near the batches' own (0.9^25: 7% left of their
 * initial 0/1), gamma, beta and the biases get random values, the last layer's weights grow. */
static void make_trained_like(dcgan_model *m, rng_state *r)
{
    const dcgan_config *c = &m->cfg;
    size_t B = (size_t)c->batch;
    float *z = dc_alloc_floats(B * c->z_dim), *y = dc_alloc_floats(B * (c->y_dim + 1));
    for (int k = 0; k < 25; k++) {
        rng_uniform(r, z, B * c->z_dim, -1, 1);
        for (size_t i = 0; c->y_dim && i < B; i++) y[i * c->y_dim + (i + k) % c->y_dim] = 1.0f;
        net_set_input(&m->G, z, 0, y);
        net_forward(&m->G, 1);
    }
    for (int i = 0; i < m->G.n_layers; i++) {
        layer *l = &m->G.layers[i];
        if (l->kind != LAYER_BATCHNORM) continue;
        rng_uniform(r, l->w, (size_t)l->C, 0.5f, 1.5f);
        rng_uniform(r, l->b, (size_t)l->C, -0.2f, 0.2f);
    }
    /* biases too (the reference initialises them to 0) */
    layer *last = NULL;
    for (int i = 0; i < m->G.n_layers; i++) {
        layer *l = &m->G.layers[i];
        if (l->kind != LAYER_LINEAR && l->kind != LAYER_DECONV) continue;
        rng_uniform(r, l->b, (size_t)l->C, -0.05f, 0.05f);
        last = l;
    }
    size_t wn = (size_t)last->geom.C_map * last->geom.C_img * last->geom.K_h * last->geom.K_w;
    for (size_t i = 0; i < wn; i++) last->w[i] *= 20.0f;
    param_store_touch(&m->G.ps);
    free(z);
    free(y);
}

/* net_forward(G, 0) on G's current input, read to host. */
static float *reference_output(dcgan_model *m)
{
    size_t n = (size_t)m->cfg.batch * net_output_size(&m->G);
    float *out = dc_alloc_floats(n);
    net_forward(&m->G, 0);
    net_read_output(&m->G, out, m->cfg.batch);
    return out;
}

static void set_random_input(dcgan_model *m, rng_state *r)
{
    const dcgan_config *c = &m->cfg;
    size_t B = (size_t)c->batch;
    float *z = dc_alloc_floats(B * c->z_dim), *y = dc_alloc_floats(B * (c->y_dim + 1));
    rng_uniform(r, z, B * c->z_dim, -1, 1);
    for (size_t i = 0; c->y_dim && i < B; i++) y[i * c->y_dim + i % c->y_dim] = 1.0f;
    net_set_input(&m->G, z, 0, y);
    free(z);
    free(y);
}

static void check_model(const char *name, dcgan_config c)
{
    printf("%s\n", name);
    dcgan_model m;
    dc_err e;
    int ok = dcgan_model_init(&m, &c, &e) == 0;
    TEST_CHECK(ok, "%s: %s", name, e.msg);
    if (!ok) return;
    rng_state r;
    rng_init(&r, 11);
    dcgan_model_init_weights(&m, &r);
    make_trained_like(&m, &r);
    set_random_input(&m, &r);
    size_t per = net_output_size(&m.G), n = (size_t)c.batch * per;
    float *want = reference_output(&m), *got = dc_alloc_floats(n), *again = dc_alloc_floats(n);
    double spread = 0;
    for (size_t i = 0; i < n; i++) spread = fmax(spread, fabs(want[i] - want[0]));
    TEST_CHECK(spread > 0.3, "%s: outputs spread over their range (%g)", name, spread);

    const float *o = net_forward_infer(&m.G, c.batch);
    TEST_CHECK(o != NULL, "%s: the CPU backend offers an inference plan for G", name);
    if (o) {
        memcpy(got, o, n * sizeof(float));
        check_close("  whole batch, plan vs layer by layer", got, want, n, INFER_ATOL, 0);
        o = net_forward_infer(&m.G, c.batch);
        TEST_CHECK(memcmp(o, got, n * sizeof(float)) == 0, "%s: same bits run to run", name);
        o = net_forward_infer(&m.G, 1);
        memcpy(again, o, per * sizeof(float));
        check_close("  one item (a plan of batch 1)", again, want, per, INFER_ATOL, 0);
    }
    /* new weights: the plan must see them (a stale one would still give `got`) */
    for (size_t i = 0; i < m.G.ps.n_params; i++) m.G.ps.params[i] *= 1.25f;
    param_store_touch(&m.G.ps);
    free(want);
    want = reference_output(&m);
    double moved = 0;
    for (size_t i = 0; i < n; i++) moved = fmax(moved, fabs((double)want[i] - got[i]));
    TEST_CHECK(moved > 1e-2, "%s: the new weights change the output (%g)", name, moved);
    o = net_forward_infer(&m.G, c.batch);
    if (o) check_close("  after the weights changed", o, want, n, INFER_ATOL, 0);
    o = net_forward_infer(&m.G, 1);
    if (o) check_close("  after the weights changed, one item", o, want, per, INFER_ATOL, 0);
    free(want);
    free(got);
    free(again);
    dcgan_model_free(&m);
}

/* Without a plan (--conv-backend im2col asks for no oneDNN), generation runs layer by layer and
 * agrees with the plan of the default backend. */
static void check_fallback(dcgan_config c)
{
    printf("im2col: no plan, layer by layer\n");
    dcgan_model a, b;
    dc_err e;
    c.conv_backend = CONV_BACKEND_IM2COL;
    int ok = dcgan_model_init(&a, &c, &e) == 0;
    c.conv_backend = CONV_BACKEND_AUTO;
    ok = ok && dcgan_model_init(&b, &c, &e) == 0;
    TEST_CHECK(ok, "fallback models: %s", e.msg);
    if (!ok) return;
    rng_state r;
    rng_init(&r, 3);
    dcgan_model_init_weights(&a, &r);
    make_trained_like(&a, &r);
    rng_init(&r, 3);
    dcgan_model_init_weights(&b, &r);
    make_trained_like(&b, &r);
    set_random_input(&a, &r);
    TEST_CHECK(net_forward_infer(&a.G, c.batch) == NULL, "im2col: no inference plan");
    int n = c.batch + 3; /* one full chunk and a partial one */
    size_t per = dcgan_config_image_floats(&c);
    float *z = dc_alloc_floats((size_t)n * c.z_dim), *y = dc_alloc_floats((size_t)n * c.y_dim + 1);
    rng_uniform(&r, z, (size_t)n * c.z_dim, -1, 1);
    for (int i = 0; c.y_dim && i < n; i++) y[(size_t)i * c.y_dim + i % c.y_dim] = 1.0f;
    float *oa = dc_alloc_floats((size_t)n * per), *ob = dc_alloc_floats((size_t)n * per);
    dcgan_model_generate(&a, z, c.y_dim ? y : NULL, n, oa);
    dcgan_model_generate(&b, z, c.y_dim ? y : NULL, n, ob);
    TEST_CHECK(net_forward_infer(&b.G, c.batch) != NULL, "the default backend: a plan");
    check_close("  dcgan_model_generate: im2col layer by layer vs plan", ob, oa, (size_t)n * per,
                INFER_ATOL, 0);
    free(z);
    free(y);
    free(oa);
    free(ob);
    dcgan_model_free(&a);
    dcgan_model_free(&b);
}

/* --precision bf16: G samples in bf16 as it trains, so no (f32) plan; skipped where the CPU
 * has no bf16. */
static void check_bf16_refused(dcgan_config c)
{
    c.precision = OPS_PRECISION_BF16;
    dcgan_model m;
    dc_err e;
    if (dcgan_model_init(&m, &c, &e) != 0) {
        printf("bf16: skipped (%s)\n", e.msg);
        return;
    }
    printf("bf16: no plan, layer by layer\n");
    TEST_CHECK(net_forward_infer(&m.G, c.batch) == NULL, "bf16: no inference plan");
    dcgan_model_free(&m);
}

/* Training steps between two generations (as the sample grids during training see it): the
 * plan follows the new weights and statistics without being told. */
static void check_training(dcgan_config c)
{
    printf("a training step between two generations\n");
    dcgan_model m;
    dc_err e;
    int ok = dcgan_model_init(&m, &c, &e) == 0;
    TEST_CHECK(ok, "training model: %s", e.msg);
    if (!ok) return;
    rng_state r;
    rng_init(&r, 9);
    dcgan_model_init_weights(&m, &r);
    size_t B = (size_t)c.batch, per = dcgan_config_image_floats(&c);
    float *x = dc_alloc_floats(B * per), *z = dc_alloc_floats(B * c.z_dim);
    float *y = dc_alloc_floats(B * (c.y_dim + 1)), *got = dc_alloc_floats(B * per);
    rng_uniform(&r, x, B * per, c.y_dim ? 0.0f : -1.0f, 1.0f);
    for (size_t i = 0; c.y_dim && i < B; i++) y[i * c.y_dim + i % c.y_dim] = 1.0f;
    const float *yy = c.y_dim ? y : NULL;
    trainer t;
    adam_config big = adam_config_default();
    big.lr = 0.02f; /* steps that move the outputs well past the tolerance */
    trainer_init(&t, &m, big);
    step_stats st;
    float *before = dc_alloc_floats(B * per);
    for (int k = 0; k < 3; k++) {
        rng_uniform(&r, z, B * c.z_dim, -1, 1);
        dcgan_model_generate(&m, z, yy, (int)B, before); /* makes or reloads the plan */
        train_step(&t, &m, x, yy, z, &st);
        dcgan_model_generate(&m, z, yy, (int)B, got);
        double moved = 0;
        for (size_t i = 0; i < B * per; i++) moved = fmax(moved, fabs((double)got[i] - before[i]));
        TEST_CHECK(moved > 100 * INFER_ATOL, "the step moved the outputs (%g)", moved);
        net_set_input(&m.G, z, 0, yy);
        float *want = reference_output(&m);
        check_close("  after a training step: plan vs layer by layer", got, want, B * per,
                    INFER_ATOL, 0);
        free(want);
    }
    trainer_free(&t);
    free(before);
    free(x);
    free(z);
    free(y);
    free(got);
    dcgan_model_free(&m);
}

int main(void)
{
    test_begin("infer");
    dcgan_config c = dcgan_config_default();
    c.output_h = c.output_w = 32;
    c.c_dim = 3;
    c.z_dim = 20;
    c.gf_dim = c.df_dim = 16; /* G's maps 128, 64, 32, 16: nChw16c between the deconvs */
    c.batch = 6;
    check_model("unconditional 32x32x3, 16-channel multiples", c);
    c.gf_dim = 6; /* 48, 24, 12, 6: plain layouts and reorders */
    c.output_h = c.output_w = 48;
    check_model("unconditional 48x48x3, other widths", c);
    check_fallback(c);
    check_training(c);
    check_bf16_refused(c);
    dcgan_config k = dcgan_config_default();
    k.output_h = k.output_w = 28;
    k.c_dim = 1;
    k.y_dim = 10;
    k.z_dim = 12;
    k.gf_dim = k.df_dim = 16;
    k.gfc_dim = k.dfc_dim = 64;
    k.batch = 5;
    check_model("conditional 28x28x1 (y at every layer)", k);
    /* the reference's widths: 128 maps into G's last layer, which take the labels themselves */
    dcgan_config ref = k;
    ref.z_dim = 100;
    ref.gf_dim = ref.df_dim = 64;
    ref.gfc_dim = ref.dfc_dim = 1024;
    check_model("conditional 28x28x1, the reference's widths", ref);
    k.cond_concat = DCGAN_COND_CONCAT_INPUT;
    check_model("conditional, y at the input only", k);
    check_fallback(k);
    check_training(k);
    return test_finish();
}
