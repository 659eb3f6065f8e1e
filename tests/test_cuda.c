/* The CUDA backend against the CPU backend, on the same inputs: every op of ops/ops.h (both
 * convolution directions on geometries with and without TensorFlow's odd padding pixel,
 * accumulate and overwrite modes, synchronised batch norm), the cuDNN choices file, and two
 * whole training iterations of each model followed by sampling. Tolerances: docs/ops.md.
 *
 * Without a GPU (or in a build without the CUDA backend) it says why and passes: the checks
 * run on a GPU machine (scripts/gpu-check). DCGAN_REQUIRE_GPU=1 makes a missing GPU a
 * failure, so the GPU script cannot pass by skipping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "model/dcgan.h"
#include "ops/ops.h"
#include "train/step.h"
#include "testutil.h"

static rng_state g_rng;

static float *host_rand(size_t n, float lo, float hi)
{
    float *h = dc_alloc_floats(n ? n : 1);
    rng_uniform(&g_rng, h, n, lo, hi);
    return h;
}

static float *up(ops_backend *be, const float *h, size_t n)
{
    float *d = ops_alloc(be, n ? n : 1);
    ops_from_host(be, d, h, n);
    return d;
}

/* The device array d against the CPU's want: |d - w| <= rel_scale * max|w| + rtol * |w|. */
static void same(const char *name, ops_backend *gpu, const float *d, const float *want, size_t n,
                 double rel_scale, double rtol)
{
    float *h = dc_alloc_floats(n ? n : 1);
    ops_to_host(gpu, h, d, n);
    check_close(name, h, want, n, rel_scale * test_max_abs(want, n) + 1e-30, rtol);
    free(h);
}

/* Both backends hold the same values: the CPU's array and the GPU's copy of it. */
typedef struct {
    float *c, *g;
    size_t n;
} twin;

static twin twin_rand(ops_backend *gpu, size_t n, float lo, float hi)
{
    twin t = {host_rand(n, lo, hi), NULL, n};
    t.g = up(gpu, t.c, n);
    return t;
}

static twin twin_none(void) { return (twin){NULL, NULL, 0}; }

static void twin_free(ops_backend *gpu, twin *t)
{
    free(t->c);
    if (t->g) ops_free(gpu, t->g);
    *t = twin_none();
}

#define CONV_TOL 2e-5 /* of the largest magnitude; cuDNN sums in other orders (docs/ops.md) */

static void test_conv_case(ops_backend *cpu, ops_backend *gpu, int N, int C_img, int H, int W,
                           int C_map, int K, int s, conv_padding pad, int transpose, int bias)
{
    conv_geom g;
    if (conv_geom_init(&g, N, C_img, H, W, C_map, K, K, s, s, pad) != 0) {
        TEST_CHECK(0, "geometry");
        return;
    }
    char label[160];
    snprintf(label, sizeof label, "%s %dx%dx%dx%d->%d k%d s%d %s%s", transpose ? "deconv" : "conv", N,
             C_img, H, W, C_map, K, s, pad == CONV_PAD_SAME ? "SAME" : "VALID", bias ? " +bias" : "");
    printf("%s\n", label);
    ops_conv *cc = ops_conv_create(cpu, &g, transpose), *gc = ops_conv_create(gpu, &g, transpose);
    TEST_CHECK(cc && gc, "%s: create", label);
    if (!cc || !gc) {
        ops_conv_free(cc);
        ops_conv_free(gc);
        return;
    }
    TEST_CHECK(strcmp(ops_conv_engine(gc), "cudnn") == 0, "engine %s", ops_conv_engine(gc));
    size_t img = (size_t)N * C_img * H * W, map = (size_t)N * C_map * g.H_map * g.W_map;
    size_t in_n = transpose ? map : img, out_n = transpose ? img : map;
    int out_c = transpose ? C_img : C_map;
    twin inp = twin_rand(gpu, in_n, -1, 1), w = twin_rand(gpu, (size_t)C_map * C_img * K * K, -0.2f, 0.2f);
    twin b = bias ? twin_rand(gpu, (size_t)out_c, -0.5f, 0.5f) : twin_none();
    size_t wc = ops_conv_workspace_floats(cc), wg = ops_conv_workspace_floats(gc);
    float *work_c = dc_alloc_floats(wc ? wc : 1), *work_g = ops_alloc(gpu, wg ? wg : 1);
    twin out = twin_rand(gpu, out_n, 5, 6); /* garbage: forward overwrites */
    ops_conv_forward(cc, out.c, inp.c, w.c, b.c, work_c);
    ops_conv_forward(gc, out.g, inp.g, w.g, b.g, work_g);
    char name[200];
    snprintf(name, sizeof name, "  forward");
    same(name, gpu, out.g, out.c, out_n, CONV_TOL, 1e-4);

    /* backward, accumulating into non-zero gradients, then overwriting dinp */
    twin dout = twin_rand(gpu, out_n, -1, 1);
    twin dinp = twin_rand(gpu, in_n, -1, 1), dw = twin_rand(gpu, w.n, -1, 1);
    twin db = bias ? twin_rand(gpu, (size_t)out_c, -1, 1) : twin_none();
    ops_conv_backward(cc, dinp.c, dw.c, db.c, dout.c, inp.c, w.c, 0, work_c);
    ops_conv_backward(gc, dinp.g, dw.g, db.g, dout.g, inp.g, w.g, 0, work_g);
    same("  backward dinp (accumulate)", gpu, dinp.g, dinp.c, in_n, CONV_TOL, 1e-4);
    same("  backward dweight (accumulate)", gpu, dw.g, dw.c, w.n, CONV_TOL, 1e-4);
    if (bias) same("  backward dbias (accumulate)", gpu, db.g, db.c, db.n, CONV_TOL, 1e-4);
    rng_uniform(&g_rng, dinp.c, in_n, 7, 8);
    ops_from_host(gpu, dinp.g, dinp.c, in_n);
    ops_conv_backward(cc, dinp.c, NULL, NULL, dout.c, inp.c, w.c, 1, work_c);
    ops_conv_backward(gc, dinp.g, NULL, NULL, dout.g, inp.g, w.g, 1, work_g);
    same("  backward dinp (overwrite)", gpu, dinp.g, dinp.c, in_n, CONV_TOL, 1e-4);

    twin *all[] = {&inp, &w, &b, &out, &dout, &dinp, &dw, &db};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) twin_free(gpu, all[i]);
    free(work_c);
    ops_free(gpu, work_g);
    ops_conv_free(cc);
    ops_conv_free(gc);
}

static void test_convs(ops_backend *cpu, ops_backend *gpu)
{
    for (int t = 0; t < 2; t++) {
        /* 5x5 stride 2 on even sizes: 1 before, 2 after (through the padded buffer) */
        test_conv_case(cpu, gpu, 3, 3, 16, 12, 8, 5, 2, CONV_PAD_SAME, t, 1);
        test_conv_case(cpu, gpu, 2, 16, 8, 8, 24, 5, 2, CONV_PAD_SAME, t, 0);
        /* odd size: 2 before, 2 after (symmetric: straight to cuDNN) */
        test_conv_case(cpu, gpu, 2, 5, 15, 13, 7, 5, 2, CONV_PAD_SAME, t, 1);
        /* stride 1, 3x3; VALID */
        test_conv_case(cpu, gpu, 2, 4, 9, 10, 6, 3, 1, CONV_PAD_SAME, t, 1);
        test_conv_case(cpu, gpu, 2, 4, 11, 9, 5, 5, 2, CONV_PAD_VALID, t, 1);
    }
}

static void test_linear(ops_backend *cpu, ops_backend *gpu)
{
    printf("linear\n");
    const int N = 7, IN = 33, OUT = 45;
    twin x = twin_rand(gpu, (size_t)N * IN, -1, 1), w = twin_rand(gpu, (size_t)OUT * IN, -0.3f, 0.3f);
    twin b = twin_rand(gpu, OUT, -1, 1), y = twin_rand(gpu, (size_t)N * OUT, 3, 4);
    ops_linear_forward(cpu, y.c, x.c, w.c, b.c, N, IN, OUT);
    ops_linear_forward(gpu, y.g, x.g, w.g, b.g, N, IN, OUT);
    same("  forward +bias", gpu, y.g, y.c, y.n, 1e-6, 1e-5);
    ops_linear_forward(cpu, y.c, x.c, w.c, NULL, N, IN, OUT);
    ops_linear_forward(gpu, y.g, x.g, w.g, NULL, N, IN, OUT);
    same("  forward", gpu, y.g, y.c, y.n, 1e-6, 1e-5);
    twin dy = twin_rand(gpu, y.n, -1, 1), dx = twin_rand(gpu, x.n, -1, 1);
    twin dw = twin_rand(gpu, w.n, -1, 1), db = twin_rand(gpu, b.n, -1, 1);
    ops_linear_backward(cpu, dx.c, dw.c, db.c, dy.c, x.c, w.c, N, IN, OUT);
    ops_linear_backward(gpu, dx.g, dw.g, db.g, dy.g, x.g, w.g, N, IN, OUT);
    same("  backward dinp (accumulate)", gpu, dx.g, dx.c, dx.n, 1e-6, 1e-5);
    same("  backward dweight (accumulate)", gpu, dw.g, dw.c, dw.n, 1e-6, 1e-5);
    same("  backward dbias (accumulate)", gpu, db.g, db.c, db.n, 1e-6, 1e-5);
    twin *all[] = {&x, &w, &b, &y, &dy, &dx, &dw, &db};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) twin_free(gpu, all[i]);
}

/* A replica sum for synchronised batch norm: `replicas` identical replicas (the sum is the
 * own value times the count), enough to run the exchange on one process. */
static void times_replicas(void *ctx, double *buf, size_t n)
{
    int r = *(int *)ctx;
    for (size_t i = 0; i < n; i++) buf[i] *= r;
}

static void test_batchnorm_case(ops_backend *cpu, ops_backend *gpu, int N, int C, int S, int sync)
{
    printf("batchnorm N%d C%d S%d%s\n", N, C, S, sync ? " (synchronised, 3 replicas)" : "");
    static int replicas = 3;
    ops_replica_sum rs = {times_replicas, &replicas, replicas};
    ops_set_batchnorm_sync(cpu, sync ? &rs : NULL);
    ops_set_batchnorm_sync(gpu, sync ? &rs : NULL);
    size_t n = (size_t)N * C * S;
    /* a large mean against a small spread: the two-pass statistics must hold */
    twin x = twin_rand(gpu, n, 40, 41), gam = twin_rand(gpu, C, 0.5f, 1.5f), bet = twin_rand(gpu, C, -1, 1);
    twin out = twin_rand(gpu, n, 0, 1), mean = twin_rand(gpu, C, 0, 1), rstd = twin_rand(gpu, C, 0, 1);
    twin rm = twin_rand(gpu, C, -1, 1), rv = twin_rand(gpu, C, 0.5f, 2);
    ops_batchnorm_forward_train(cpu, OPS_LAYOUT_PLAIN, out.c, mean.c, rstd.c, rm.c, rv.c, x.c, gam.c, bet.c, N, C, S, BATCHNORM_DECAY, BATCHNORM_EPS);
    ops_batchnorm_forward_train(gpu, OPS_LAYOUT_PLAIN, out.g, mean.g, rstd.g, rm.g, rv.g, x.g, gam.g, bet.g, N, C, S, BATCHNORM_DECAY, BATCHNORM_EPS);
    same("  train forward", gpu, out.g, out.c, n, 1e-5, 1e-4);
    same("  saved mean", gpu, mean.g, mean.c, C, 0, 1e-6);
    same("  saved rstd", gpu, rstd.g, rstd.c, C, 0, 1e-5);
    same("  moving mean", gpu, rm.g, rm.c, C, 0, 1e-6);
    same("  moving variance", gpu, rv.g, rv.c, C, 0, 1e-5);
    ops_batchnorm_update_moving(cpu, rm.c, rv.c, mean.c, rstd.c, C, (double)N * S, BATCHNORM_DECAY, BATCHNORM_EPS);
    ops_batchnorm_update_moving(gpu, rm.g, rv.g, mean.g, rstd.g, C, (double)N * S, BATCHNORM_DECAY, BATCHNORM_EPS);
    same("  update_moving mean", gpu, rm.g, rm.c, C, 0, 1e-6);
    same("  update_moving variance", gpu, rv.g, rv.c, C, 0, 1e-5);
    twin dy = twin_rand(gpu, n, -1, 1), dx = twin_rand(gpu, n, -1, 1);
    twin dg = twin_rand(gpu, C, -1, 1), db = twin_rand(gpu, C, -1, 1);
    ops_batchnorm_backward(cpu, OPS_LAYOUT_PLAIN, dx.c, dg.c, db.c, dy.c, x.c, mean.c, rstd.c, gam.c, N, C, S);
    ops_batchnorm_backward(gpu, OPS_LAYOUT_PLAIN, dx.g, dg.g, db.g, dy.g, x.g, mean.g, rstd.g, gam.g, N, C, S);
    same("  backward dinp (accumulate)", gpu, dx.g, dx.c, n, 1e-5, 1e-4);
    same("  backward dgamma (accumulate)", gpu, dg.g, dg.c, C, 1e-5, 1e-4);
    same("  backward dbeta (accumulate)", gpu, db.g, db.c, C, 1e-5, 1e-4);
    ops_batchnorm_forward_eval(cpu, OPS_LAYOUT_PLAIN, out.c, x.c, rm.c, rv.c, gam.c, bet.c, N, C, S, BATCHNORM_EPS);
    ops_batchnorm_forward_eval(gpu, OPS_LAYOUT_PLAIN, out.g, x.g, rm.g, rv.g, gam.g, bet.g, N, C, S, BATCHNORM_EPS);
    same("  eval forward", gpu, out.g, out.c, n, 1e-6, 1e-5);
    ops_set_batchnorm_sync(cpu, NULL);
    ops_set_batchnorm_sync(gpu, NULL);
    twin *all[] = {&x, &gam, &bet, &out, &mean, &rstd, &rm, &rv, &dy, &dx, &dg, &db};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) twin_free(gpu, all[i]);
}

static void test_elementwise(ops_backend *cpu, ops_backend *gpu)
{
    printf("activations, concat, loss, Adam, memory\n");
    const size_t n = 3001;
    static const ops_activation acts[] = {OPS_RELU, OPS_LRELU, OPS_TANH, OPS_SIGMOID};
    static const char *names[] = {"relu", "lrelu", "tanh", "sigmoid"};
    for (int a = 0; a < 4; a++) {
        twin x = twin_rand(gpu, n, -4, 4), y = twin_rand(gpu, n, 0, 1);
        twin dy = twin_rand(gpu, n, -1, 1), dx = twin_rand(gpu, n, -1, 1);
        char label[64];
        ops_activation_forward(cpu, acts[a], y.c, x.c, n);
        ops_activation_forward(gpu, acts[a], y.g, x.g, n);
        snprintf(label, sizeof label, "  %s forward", names[a]);
        same(label, gpu, y.g, y.c, n, 0, 1e-6);
        ops_activation_backward(cpu, acts[a], dx.c, dy.c, y.c, n);
        ops_activation_backward(gpu, acts[a], dx.g, dy.g, y.g, n);
        snprintf(label, sizeof label, "  %s backward (accumulate)", names[a]);
        same(label, gpu, dx.g, dx.c, n, 1e-6, 1e-5);
        ops_activation_backward(cpu, acts[a], dy.c, dy.c, y.c, n);
        ops_activation_backward(gpu, acts[a], dy.g, dy.g, y.g, n);
        snprintf(label, sizeof label, "  %s backward (in place)", names[a]);
        same(label, gpu, dy.g, dy.c, n, 1e-6, 1e-5);
        ops_activation_forward(cpu, acts[a], x.c, x.c, n);
        ops_activation_forward(gpu, acts[a], x.g, x.g, n);
        snprintf(label, sizeof label, "  %s forward (in place)", names[a]);
        same(label, gpu, x.g, x.c, n, 0, 1e-6);
        twin *all[] = {&x, &y, &dy, &dx};
        for (size_t i = 0; i < 4; i++) twin_free(gpu, all[i]);
    }
    {
        const int N = 3, C = 4, H = 5, W = 6, Y = 10;
        size_t on = (size_t)N * (C + Y) * H * W;
        twin x = twin_rand(gpu, (size_t)N * C * H * W, -1, 1), y = twin_rand(gpu, (size_t)N * Y, 0, 1);
        twin o = twin_rand(gpu, on, 5, 6), dout = twin_rand(gpu, on, -1, 1);
        twin dx = twin_rand(gpu, x.n, -1, 1), dyy = twin_rand(gpu, y.n, -1, 1);
        ops_cond_concat_forward(cpu, o.c, x.c, y.c, N, C, H, W, Y);
        ops_cond_concat_forward(gpu, o.g, x.g, y.g, N, C, H, W, Y);
        same("  cond_concat forward", gpu, o.g, o.c, on, 0, 0);
        ops_cond_concat_backward(cpu, dx.c, dyy.c, dout.c, N, C, H, W, Y);
        ops_cond_concat_backward(gpu, dx.g, dyy.g, dout.g, N, C, H, W, Y);
        same("  cond_concat backward dx", gpu, dx.g, dx.c, x.n, 0, 0);
        same("  cond_concat backward dy", gpu, dyy.g, dyy.c, y.n, 1e-7, 1e-6);
        twin *all[] = {&x, &y, &o, &dout, &dx, &dyy};
        for (size_t i = 0; i < 6; i++) twin_free(gpu, all[i]);
    }
    {
        twin lg = twin_rand(gpu, 64, -30, 30), d = twin_rand(gpu, 64, -1, 1);
        for (int t = 0; t < 2; t++) {
            float lc = ops_sigmoid_xent_forward(cpu, lg.c, (float)t, 64);
            float lgp = ops_sigmoid_xent_forward(gpu, lg.g, (float)t, 64);
            check_close(t ? "  xent forward (target 1)" : "  xent forward (target 0)", &lgp, &lc, 1, 0, 1e-6);
            ops_sigmoid_xent_backward(cpu, d.c, lg.c, (float)t, 0.5f, 64);
            ops_sigmoid_xent_backward(gpu, d.g, lg.g, (float)t, 0.5f, 64);
            same("  xent backward (accumulate)", gpu, d.g, d.c, 64, 0, 1e-6);
        }
        twin_free(gpu, &lg);
        twin_free(gpu, &d);
    }
    {
        const size_t pn = 5000;
        twin p = twin_rand(gpu, pn, -1, 1), g = twin_rand(gpu, pn, -1e-3f, 1e-3f);
        twin m = twin_rand(gpu, pn, -1e-3f, 1e-3f), v = twin_rand(gpu, pn, 0, 1e-6f);
        adam_config ac = adam_config_default();
        for (long t = 1; t <= 3; t++) {
            ops_adam_update(cpu, p.c, g.c, m.c, v.c, pn, t, &ac);
            ops_adam_update(gpu, p.g, g.g, m.g, v.g, pn, t, &ac);
        }
        same("  adam params (3 steps)", gpu, p.g, p.c, pn, 0, 1e-6);
        same("  adam m", gpu, m.g, m.c, pn, 0, 1e-6);
        same("  adam v", gpu, v.g, v.c, pn, 0, 1e-5);
        twin *all[] = {&p, &g, &m, &v};
        for (size_t i = 0; i < 4; i++) twin_free(gpu, all[i]);
    }
    {
        twin a = twin_rand(gpu, n, -1, 1), b = twin_rand(gpu, n, -1, 1);
        ops_accumulate(cpu, a.c, b.c, n);
        ops_accumulate(gpu, a.g, b.g, n);
        same("  accumulate", gpu, a.g, a.c, n, 0, 0);
        ops_copy(gpu, b.g, a.g, n);
        same("  copy", gpu, b.g, a.c, n, 0, 0);
        TEST_CHECK(ops_all_finite(gpu, a.g, n), "all_finite on finite values");
        float bad[2] = {NAN, INFINITY};
        for (int k = 0; k < 2; k++) {
            ops_from_host(gpu, a.g + 1234, &bad[k], 1);
            TEST_CHECK(!ops_all_finite(gpu, a.g, n), "all_finite misses %g", bad[k]);
            TEST_CHECK(ops_all_finite(gpu, a.g, 1234), "all_finite before the bad value");
        }
        ops_zero(gpu, a.g, n);
        float z[4] = {1, 1, 1, 1};
        ops_to_host(gpu, z, a.g + n - 4, 4);
        TEST_CHECK(z[0] == 0 && z[3] == 0, "zero");
        twin_free(gpu, &a);
        twin_free(gpu, &b);
        size_t held, peak, used;
        ops_memory_stats(gpu, &held, &peak, &used);
        TEST_CHECK(peak >= held && used > 0, "memory stats held %zu peak %zu used %zu", held, peak, used);
    }
}

/* The cuDNN choices made above come back from their file, and a new backend uses them. */
static void test_tuning_file(ops_backend *gpu)
{
    printf("cuDNN choices file\n");
    dc_err e;
    const char *path = test_tmpdir_path("cudnn_algos.txt");
    TEST_CHECK(ops_tuning_save(gpu, path, &e) == 0, "save: %s", e.msg);
    size_t len = 0;
    char *text = test_read_file(path, &len);
    TEST_CHECK(text && strstr(text, "fwd n3 c3 h17 w13 k8 r5x5 s2x2 p1x1") &&
                   strstr(text, "bwd_filter") && strstr(text, "bwd_data"),
               "choices file lacks the padded geometry's entries:\n%s", text ? text : "(none)");
    free(text);
    TEST_CHECK(ops_tuning_load(gpu, path, &e) == 0, "load: %s", e.msg);
    TEST_CHECK(ops_tuning_load(gpu, test_tmpdir_path("missing.txt"), &e) == 0, "a missing file is no error");
}

/* Every gradient of a network on the GPU against the CPU's, relative to the largest. */
static void same_grads(const char *when, const net *cpu, const net *gpu)
{
    size_t n = cpu->ps.n_params;
    float *h = dc_alloc_floats(n);
    ops_to_host(gpu->be, h, gpu->ps.grads, n);
    for (int i = 0; i < cpu->ps.count; i++) {
        const param_spec *s = &cpu->ps.specs[i];
        if (!s->trainable) continue;
        char label[160];
        snprintf(label, sizeof label, "  %s gradient %s", when, s->name);
        const float *want = cpu->ps.grads + s->offset;
        /* biases that feed batch norm have an exact-zero gradient: rounding noise on both */
        double sc = test_max_abs(want, s->numel);
        check_close(label, h + s->offset, want, s->numel, sc < 1e-6 ? 1e-5 : 1e-4 * sc, 1e-3);
    }
    free(h);
}

static void same_losses(const char *label, const step_stats *g, const step_stats *c, int n)
{
    float got[4] = {g->d_loss_real, g->d_loss_fake, g->g_loss_first, g->g_loss};
    float want[4] = {c->d_loss_real, c->d_loss_fake, c->g_loss_first, c->g_loss};
    check_close(label, got, want, n, 1e-6, 1e-5);
}

/* Two iterations of the model on each backend from the same weights and batches: the first
 * update by update (the losses, G's images, every gradient of D and of G, the gradient D
 * hands G), the second as training runs it; then every parameter, and sampling. */
static void test_training(int conditional)
{
    dcgan_config cfg = dcgan_config_default();
    if (conditional) {
        cfg.output_h = cfg.output_w = 28;
        cfg.c_dim = 1;
        cfg.y_dim = 10;
    } else {
        cfg.output_h = cfg.output_w = 32;
        cfg.gf_dim = cfg.df_dim = 32;
    }
    cfg.batch = 16;
    printf("training: %s model, 2 iterations, CPU vs CUDA\n", conditional ? "conditional" : "unconditional");
    dcgan_model m[2];
    dc_err e;
    for (int k = 0; k < 2; k++) {
        snprintf(cfg.device, sizeof cfg.device, "%s", k ? "cuda" : "cpu");
        int rc = dcgan_model_init(&m[k], &cfg, &e);
        TEST_CHECK(rc == 0, "model on %s: %s", cfg.device, e.msg);
        if (rc != 0) {
            if (k) dcgan_model_free(&m[0]);
            return;
        }
        rng_state r;
        rng_init(&r, 11);
        dcgan_model_init_weights(&m[k], &r);
    }
    size_t B = (size_t)cfg.batch, imf = dcgan_config_image_floats(&cfg);
    float lo, hi;
    dcgan_model_range(&cfg, &lo, &hi);
    float *x = host_rand(B * imf, lo, hi), *z = host_rand(B * cfg.z_dim, -1, 1);
    float *y = cfg.y_dim ? dc_alloc_floats(B * cfg.y_dim) : NULL;
    for (size_t i = 0; y && i < B; i++) y[i * cfg.y_dim + i % cfg.y_dim] = 1.0f;
    trainer t[2];
    for (int k = 0; k < 2; k++) trainer_init(&t[k], &m[k], adam_config_default());

    step_stats s[2];
    memset(s, 0, sizeof s);
    for (int k = 0; k < 2; k++) train_step_d(&t[k], &m[k], x, y, z, &s[k]);
    same_losses("  iteration 1: D losses", &s[1], &s[0], 2);
    same("  iteration 1: G's images", m[1].be, net_output(&m[1].G)->out, net_output(&m[0].G)->out,
         B * imf, 1e-5, 1e-4);
    same_grads("D update:", &m[0].D, &m[1].D);
    float g1[2];
    for (int k = 0; k < 2; k++) g1[k] = train_step_g(&t[k], &m[k], y, z);
    check_close("  iteration 1: first G loss", &g1[1], &g1[0], 1, 1e-6, 1e-5);
    same("  iteration 1: gradient D hands G", m[1].be, m[1].D.dinput, m[0].D.dinput, B * imf,
         1e-4, 1e-3);
    same_grads("first G update:", &m[0].G, &m[1].G);
    for (int k = 0; k < 2; k++) train_step_g(&t[k], &m[k], y, z);

    rng_uniform(&g_rng, z, B * cfg.z_dim, -1, 1);
    rng_uniform(&g_rng, x, B * imf, lo, hi);
    for (int k = 0; k < 2; k++) train_step(&t[k], &m[k], x, y, z, &s[k]);
    /* the weights differ by Adam's amplified rounding now (below): losses to 1e-3 */
    float got[4] = {s[1].d_loss_real, s[1].d_loss_fake, s[1].g_loss_first, s[1].g_loss};
    float want[4] = {s[0].d_loss_real, s[0].d_loss_fake, s[0].g_loss_first, s[0].g_loss};
    check_close("  iteration 2: losses", got, want, 4, 1e-4, 1e-3);

    /* After 2 D and 4 G Adam steps: Adam's first steps move each weight by about lr whatever
     * the size of its gradient, so a gradient within rounding of zero can step either way, and
     * the second iteration's gradients see those differences. Every value must be within
     * lr per step of the CPU's; how many moved beyond float noise is printed. */
    const double lr = 2e-4;
    for (int k = 0; k < 2; k++) {
        net *a = k ? &m[0].D : &m[0].G, *b = k ? &m[1].D : &m[1].G;
        param_store_download(&b->ps);
        int steps = k ? 2 : 4;
        for (int i = 0; i < a->ps.count; i++) {
            const param_spec *sp = &a->ps.specs[i];
            const float *w = param_store_values(&a->ps, sp);
            const float *g = param_store_host_values(&b->ps, &b->ps.specs[i]);
            char label[160];
            snprintf(label, sizeof label, "  after: %s", sp->name);
            compare_result tight = compare_floats(g, w, sp->numel, 2e-5, 1e-4);
            check_close(label, g, w, sp->numel, lr * steps * 1.05 + 2e-5, 0);
            if (tight.bad)
                printf("       (%zu of %zu elements beyond float noise)\n", tight.bad, sp->numel);
        }
    }
    /* sampling (moving-average batch norm) from each backend's trained weights */
    float *out[2];
    for (int k = 0; k < 2; k++) {
        out[k] = dc_alloc_floats(B * imf);
        dcgan_model_generate(&m[k], z, y, (int)B, out[k]);
    }
    check_close("  samples after training", out[1], out[0], B * imf, 2e-3, 0);
    for (int k = 0; k < 2; k++) {
        free(out[k]);
        trainer_free(&t[k]);
        dcgan_model_free(&m[k]);
    }
    free(x);
    free(y);
    free(z);
}

/* The tolerances can fail: on the CPU alone (so this runs without a GPU too), a conv2d whose
 * odd padding pixel sits before instead of after (what cuDNN's symmetric padding would give
 * without the padded buffer), and an output with one element off by 1e-3 of the largest, both
 * fall outside CONV_TOL. */
static void test_tolerances_bite(ops_backend *cpu)
{
    printf("the conv tolerance catches a shifted padding and a 1e-3 error\n");
    conv_geom g, shifted;
    if (conv_geom_init(&g, 2, 3, 16, 16, 8, 5, 5, 2, 2, CONV_PAD_SAME) != 0) return;
    shifted = g;
    shifted.pad_top = shifted.pad_left = 2;
    ops_conv *a = ops_conv_create(cpu, &g, 0), *b = ops_conv_create(cpu, &shifted, 0);
    TEST_CHECK(a && b, "create");
    if (!a || !b) {
        ops_conv_free(a);
        ops_conv_free(b);
        return;
    }
    size_t in_n = 2 * 3 * 16 * 16, out_n = (size_t)2 * 8 * g.H_map * g.W_map;
    float *x = host_rand(in_n, -1, 1), *w = host_rand(8 * 3 * 25, -0.2f, 0.2f);
    float *ya = dc_alloc_floats(out_n), *yb = dc_alloc_floats(out_n);
    size_t wa = ops_conv_workspace_floats(a), wb = ops_conv_workspace_floats(b);
    float *work = dc_alloc_floats((wa > wb ? wa : wb) + 1);
    ops_conv_forward(a, ya, x, w, NULL, work);
    ops_conv_forward(b, yb, x, w, NULL, work);
    double sc = test_max_abs(ya, out_n);
    compare_result r = compare_floats(yb, ya, out_n, CONV_TOL * sc, 1e-4);
    TEST_CHECK(r.bad > out_n / 2, "shifted padding passed the tolerance (%zu of %zu outside)", r.bad, out_n);
    memcpy(yb, ya, out_n * sizeof(float));
    yb[out_n / 3] += (float)(1e-3 * sc);
    r = compare_floats(yb, ya, out_n, CONV_TOL * sc, 1e-4);
    TEST_CHECK(r.bad == 1, "a 1e-3 error gave %zu elements outside the tolerance", r.bad);
    free(x), free(w), free(ya), free(yb), free(work);
    ops_conv_free(a);
    ops_conv_free(b);
}

int main(void)
{
    test_begin("cuda");
    dc_err e;
    ops_options go = {"cuda", CONV_BACKEND_AUTO, OPS_PRECISION_FP32}, co = {"cpu", CONV_BACKEND_AUTO, OPS_PRECISION_FP32};
    rng_init(&g_rng, 5);
    ops_backend *cpu = ops_open(&co, &e);
    TEST_CHECK(cpu != NULL, "cpu: %s", e.msg);
    if (!cpu) return test_finish();
    test_tolerances_bite(cpu);
    ops_backend *gpu = ops_open(&go, &e);
    if (!gpu) {
        ops_close(cpu);
        const char *req = getenv("DCGAN_REQUIRE_GPU");
        if (req && strcmp(req, "1") == 0) {
            TEST_CHECK(0, "DCGAN_REQUIRE_GPU=1 but %s", e.msg);
            return test_finish();
        }
        printf("SKIP: the CUDA checks need a GPU: %s\n", e.msg);
        return test_finish();
    }
    printf("GPU: %s\n", ops_device_description(gpu));
    if (test_tmpdir_create("cuda") != 0) return 1;
    rng_init(&g_rng, 5); /* the GPU cases' inputs do not depend on the check above */
    test_convs(cpu, gpu);
    test_linear(cpu, gpu);
    test_batchnorm_case(cpu, gpu, 6, 5, 37, 0);
    test_batchnorm_case(cpu, gpu, 16, 300, 1, 0); /* the linear layers' per-feature norm */
    test_batchnorm_case(cpu, gpu, 4, 3, 50, 1);
    test_batchnorm_case(cpu, gpu, 5, 20, 1, 1);
    test_elementwise(cpu, gpu);
    test_tuning_file(gpu);
    ops_close(cpu);
    ops_close(gpu);
    test_training(0);
    test_training(1);
    test_tmpdir_remove();
    return test_finish();
}
