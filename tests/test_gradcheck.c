/* Second oracle for every backward: central finite differences of the C forward itself.
 *
 * For each op and small shape, L = sum(out * r) for a fixed random r (so r is the upstream
 * gradient dout). Each input element x_i is perturbed to xp = fl(x_i + h) and xm = fl(x_i - h);
 * the float32 forward runs at both points, L is summed in double, and
 *     fd_i = (L(xp) - L(xm)) / (xp - xm)
 * with the actual (rounded) step in the denominator. The analytic gradient from backward
 * (buffers zeroed first, since backward accumulates) must agree:
 *     |analytic - fd| <= tol * max|fd| + tol * |fd|.
 *
 * Why this is stable: output elements that the perturbation does not reach are recomputed
 * bit-identically, so their rounding cancels in L(xp) - L(xm); the noise is the float32 rounding
 * of the affected outputs divided by 2h. Ops that are linear in the perturbed input (conv,
 * transpose, linear, concat, bias/gamma/beta of batch norm, relu/lrelu away from 0) have no
 * truncation error, so they use a large step (h = 0.5: noise <~1e-6 of the gradient). The smooth
 * nonlinear ones (batch norm w.r.t. its input, tanh, sigmoid, the loss) use h = 1e-2 (truncation
 * ~h^2/6 ~ 2e-5, noise ~1e-5..1e-4). Inputs of relu/lrelu are kept at |x| >= 0.1 > h so no
 * difference straddles the kink.
 *
 * Prints one line per check with max_abs, max_rel and scaled (= max_abs / max|fd|). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/cpu/activation.h"
#include "ops/cpu/batchnorm.h"
#include "ops/cpu/concat.h"
#include "ops/cpu/conv2d.h"
#include "ops/cpu/linear.h"
#include "ops/cpu/loss.h"
#include "ops/cpu/spectral_norm.h"
#include "testutil.h"

/* The reference's constants (DCGAN-tensorflow's ops.py: lrelu(leak=0.2), batch_norm(epsilon=
 * 1e-5, momentum=0.9)), not ops/ops.h's: test_ops_basic checks those against these. */
#define REF_LRELU_LEAK 0.2f
#define REF_BN_DECAY 0.9f
#define REF_BN_EPS 1e-5f
#include "core/error.h"

#define H_LINEAR 0.5
#define H_SMOOTH 1e-2
#define TOL_LINEAR 1e-5 /* measured <= ~5e-7 scaled */
#define TOL_SMOOTH 1e-3 /* measured <= ~6e-5 scaled */

/* ---- deterministic random numbers (independent of core/rng) ------------------------------ */

static uint64_t g_state = 0x9E3779B97F4A7C15ull;

static double urand(void) /* [0, 1) */
{
    uint64_t z = (g_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

static double nrand(void)
{
    double u = urand(), v = urand();
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static float *randn(size_t n, double std)
{
    float *p = dc_alloc_floats(n);
    for (size_t i = 0; i < n; i++) p[i] = (float)(std * nrand());
    return p;
}

/* normal values pushed away from 0: |x| >= gap */
static float *randn_away(size_t n, double std, double gap)
{
    float *p = dc_alloc_floats(n);
    for (size_t i = 0; i < n; i++) {
        double x = std * nrand();
        p[i] = (float)(x >= 0 ? x + gap : x - gap);
    }
    return p;
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* ---- the finite-difference check -------------------------------------------------------- */

typedef double (*loss_fn)(void *ctx);

static double g_worst_scaled; /* over all checks, for the final line */

/* Perturbs each x[i] (x is one of the op's inputs, read by f through ctx) and compares the
 * central difference with analytic[i]. The step is h * max(1, |x_i|). */
static void gradcheck(const char *label, float *x, size_t n, const float *analytic, double h,
                      double tol, loss_fn f, void *ctx)
{
    float *fd = dc_alloc_floats(n);
    for (size_t i = 0; i < n; i++) {
        float x0 = x[i];
        double hi = h * (fabs((double)x0) > 1.0 ? fabs((double)x0) : 1.0);
        float xp = (float)((double)x0 + hi), xm = (float)((double)x0 - hi);
        x[i] = xp;
        double lp = f(ctx);
        x[i] = xm;
        double lm = f(ctx);
        x[i] = x0;
        fd[i] = (float)((lp - lm) / ((double)xp - (double)xm));
    }
    double scale = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs((double)fd[i]) > scale) scale = fabs((double)fd[i]);
    compare_result r = compare_floats(analytic, fd, n, tol * scale, tol);
    double scaled = scale > 0 ? r.max_abs / scale : r.max_abs;
    if (scaled > g_worst_scaled) g_worst_scaled = scaled;
    check_close(label, analytic, fd, n, tol * scale, tol);
    printf("       %-48s scaled %.3g (max|fd| %.3g, h %.3g, tol %.1e)\n", "", scaled, scale, h,
           tol);
    TEST_CHECK(scale > 0, "%s: finite differences are all zero (test not meaningful)", label);
    free(fd);
}

/* ---- conv2d / conv2d_transpose ---------------------------------------------------------- */

typedef struct {
    conv_geom g;
    int transpose;
    float *inp, *w, *b, *out, *r, *work;
    size_t n_in, n_out;
} conv_ctx;

static double conv_loss(void *p)
{
    conv_ctx *c = p;
    if (c->transpose)
        conv2d_transpose_forward(c->out, c->inp, c->w, c->b, &c->g, c->work);
    else
        conv2d_forward(c->out, c->inp, c->w, c->b, &c->g, c->work);
    return dot(c->out, c->r, c->n_out);
}

static void check_conv(int transpose, int N, int Ci, int H, int W, int Cm, int kh, int kw, int sh,
                       int sw, conv_padding pad)
{
    conv_ctx c;
    memset(&c, 0, sizeof c);
    c.transpose = transpose;
    int rc = conv_geom_init(&c.g, N, Ci, H, W, Cm, kh, kw, sh, sw, pad);
    TEST_CHECK(rc == 0, "conv_geom_init");
    if (rc) return;
    size_t n_img = (size_t)N * Ci * H * W, n_map = (size_t)N * Cm * c.g.H_map * c.g.W_map;
    size_t n_w = (size_t)Cm * Ci * kh * kw, n_b = transpose ? (size_t)Ci : (size_t)Cm;
    c.n_in = transpose ? n_map : n_img;
    c.n_out = transpose ? n_img : n_map;
    c.inp = randn(c.n_in, 1.0);
    c.w = randn(n_w, 0.3);
    c.b = randn(n_b, 0.5);
    c.r = randn(c.n_out, 1.0);
    c.out = dc_alloc_floats(c.n_out);
    c.work = dc_alloc_floats(conv_geom_workspace_floats(&c.g));
    float *dinp = dc_alloc_floats(c.n_in), *dw = dc_alloc_floats(n_w), *db = dc_alloc_floats(n_b);
    conv_loss(&c);
    if (transpose)
        conv2d_transpose_backward(dinp, dw, db, c.r, c.inp, c.w, &c.g, c.work);
    else
        conv2d_backward(dinp, dw, db, c.r, c.inp, c.w, &c.g, c.work);

    const char *op = transpose ? "conv2d_transpose" : "conv2d";
    char lbl[128];
    printf("%s N%d %dx%dx%d -> %dx%dx%d k%dx%d s%dx%d %s (pad top %d left %d)\n", op, N, Ci, H,
           W, Cm, c.g.H_map, c.g.W_map, kh, kw, sh, sw, pad == CONV_PAD_SAME ? "SAME" : "VALID",
           c.g.pad_top, c.g.pad_left);
    snprintf(lbl, sizeof lbl, "%s %dx%d k%d s%d dinp", op, H, W, kh, sh);
    gradcheck(lbl, c.inp, c.n_in, dinp, H_LINEAR, TOL_LINEAR, conv_loss, &c);
    snprintf(lbl, sizeof lbl, "%s %dx%d k%d s%d dweight", op, H, W, kh, sh);
    gradcheck(lbl, c.w, n_w, dw, H_LINEAR, TOL_LINEAR, conv_loss, &c);
    snprintf(lbl, sizeof lbl, "%s %dx%d k%d s%d dbias", op, H, W, kh, sh);
    gradcheck(lbl, c.b, n_b, db, H_LINEAR, TOL_LINEAR, conv_loss, &c);
    free(c.inp);
    free(c.w);
    free(c.b);
    free(c.r);
    free(c.out);
    free(c.work);
    free(dinp);
    free(dw);
    free(db);
}

static void test_conv(void)
{
    for (int t = 0; t < 2; t++) {
        check_conv(t, 2, 2, 6, 6, 3, 5, 5, 2, 2, CONV_PAD_SAME);  /* DCGAN: pad 1 before, 2 after */
        check_conv(t, 1, 2, 7, 5, 2, 5, 5, 2, 2, CONV_PAD_SAME);  /* odd sizes */
        check_conv(t, 2, 2, 7, 6, 2, 3, 3, 2, 2, CONV_PAD_VALID); /* unread last rows */
        check_conv(t, 1, 3, 6, 7, 2, 1, 1, 2, 2, CONV_PAD_SAME);  /* 1x1, stride 2 */
        check_conv(t, 2, 1, 5, 6, 2, 3, 5, 1, 2, CONV_PAD_SAME);  /* non-square kernel/stride */
    }
}

/* ---- linear ----------------------------------------------------------------------------- */

typedef struct {
    float *x, *w, *b, *out, *r;
    int N, IN, OUT;
} lin_ctx;

static double lin_loss(void *p)
{
    lin_ctx *c = p;
    linear_forward(c->out, c->x, c->w, c->b, c->N, c->IN, c->OUT, GEMM_ONEDNN);
    return dot(c->out, c->r, (size_t)c->N * c->OUT);
}

static void test_linear(void)
{
    lin_ctx c = {0};
    c.N = 3;
    c.IN = 7;
    c.OUT = 4;
    size_t ni = (size_t)c.N * c.IN, nw = (size_t)c.OUT * c.IN, no = (size_t)c.N * c.OUT;
    c.x = randn(ni, 1.0);
    c.w = randn(nw, 0.3);
    c.b = randn((size_t)c.OUT, 0.5);
    c.r = randn(no, 1.0);
    c.out = dc_alloc_floats(no);
    float *dx = dc_alloc_floats(ni), *dw = dc_alloc_floats(nw), *db = dc_alloc_floats(c.OUT);
    linear_backward(dx, dw, db, c.r, c.x, c.w, c.N, c.IN, c.OUT, GEMM_ONEDNN);
    printf("linear N3 IN7 OUT4\n");
    gradcheck("linear dinp", c.x, ni, dx, H_LINEAR, TOL_LINEAR, lin_loss, &c);
    gradcheck("linear dweight", c.w, nw, dw, H_LINEAR, TOL_LINEAR, lin_loss, &c);
    gradcheck("linear dbias", c.b, (size_t)c.OUT, db, H_LINEAR, TOL_LINEAR, lin_loss, &c);
    free(c.x);
    free(c.w);
    free(c.b);
    free(c.r);
    free(c.out);
    free(dx);
    free(dw);
    free(db);
}

/* ---- batchnorm (training mode) ---------------------------------------------------------- */

typedef struct {
    float *x, *gamma, *beta, *out, *mean, *rstd, *r;
    int N, C, S;
} bn_ctx;

static double bn_loss(void *p)
{
    bn_ctx *c = p;
    batchnorm_forward_train(c->out, c->mean, c->rstd, NULL, NULL, c->x, c->gamma, c->beta, c->N,
                            c->C, c->S, REF_BN_DECAY, REF_BN_EPS);
    return dot(c->out, c->r, (size_t)c->N * c->C * c->S);
}

static void check_bn(int N, int C, int S, double mu, double sd)
{
    bn_ctx c = {0};
    c.N = N;
    c.C = C;
    c.S = S;
    size_t n = (size_t)N * C * S;
    c.x = randn(n, sd);
    for (size_t i = 0; i < n; i++) c.x[i] += (float)mu;
    c.gamma = randn((size_t)C, 0.3);
    for (int i = 0; i < C; i++) c.gamma[i] += 1.0f;
    c.beta = randn((size_t)C, 0.3);
    c.r = randn(n, 1.0);
    c.out = dc_alloc_floats(n);
    c.mean = dc_alloc_floats((size_t)C);
    c.rstd = dc_alloc_floats((size_t)C);
    float *dx = dc_alloc_floats(n), *dg = dc_alloc_floats(C), *db = dc_alloc_floats(C);
    bn_loss(&c);
    batchnorm_backward(dx, dg, db, c.r, c.x, c.mean, c.rstd, c.gamma, N, C, S);
    printf("batchnorm train N%d C%d S%d (input mean %g std %g)\n", N, C, S, mu, sd);
    char lbl[128];
    /* The step scales with the input spread so truncation stays ~h^2 relative. */
    snprintf(lbl, sizeof lbl, "batchnorm N%d C%d S%d dinp", N, C, S);
    gradcheck(lbl, c.x, n, dx, H_SMOOTH * sd, TOL_SMOOTH, bn_loss, &c);
    snprintf(lbl, sizeof lbl, "batchnorm N%d C%d S%d dgamma", N, C, S);
    gradcheck(lbl, c.gamma, (size_t)C, dg, H_LINEAR, TOL_LINEAR, bn_loss, &c);
    snprintf(lbl, sizeof lbl, "batchnorm N%d C%d S%d dbeta", N, C, S);
    gradcheck(lbl, c.beta, (size_t)C, db, H_LINEAR, TOL_LINEAR, bn_loss, &c);
    free(c.x);
    free(c.gamma);
    free(c.beta);
    free(c.r);
    free(c.out);
    free(c.mean);
    free(c.rstd);
    free(dx);
    free(dg);
    free(db);
}

static void test_batchnorm(void)
{
    check_bn(3, 2, 4, 0.0, 1.0); /* feature maps */
    check_bn(5, 3, 1, 0.5, 2.0); /* (N, F) */
    check_bn(1, 2, 9, -1.0, 0.5); /* batch of one feature map */
}

/* ---- activations ------------------------------------------------------------------------ */

typedef struct {
    int kind; /* 0 relu, 1 lrelu, 2 tanh, 3 sigmoid */
    float *x, *out, *r;
    size_t n;
} act_ctx;

static double act_loss(void *p)
{
    act_ctx *c = p;
    switch (c->kind) {
    case 0: relu_forward(c->out, c->x, c->n); break;
    case 1: lrelu_forward(c->out, c->x, REF_LRELU_LEAK, c->n); break;
    case 2: tanh_forward(c->out, c->x, c->n); break;
    default: sigmoid_forward(c->out, c->x, c->n); break;
    }
    return dot(c->out, c->r, c->n);
}

static void test_activations(void)
{
    static const char *names[] = {"relu", "lrelu", "tanh", "sigmoid"};
    for (int k = 0; k < 4; k++) {
        act_ctx c = {0};
        c.kind = k;
        c.n = 64;
        /* relu/lrelu: |x| >= 0.1 while the step is 0.05, so no difference crosses the kink */
        c.x = k < 2 ? randn_away(c.n, 1.5, 0.1) : randn(c.n, 2.0);
        c.r = randn(c.n, 1.0);
        c.out = dc_alloc_floats(c.n);
        float *dx = dc_alloc_floats(c.n);
        act_loss(&c);
        switch (k) {
        case 0: relu_backward(dx, c.r, c.x, c.n); break;
        case 1: lrelu_backward(dx, c.r, c.x, REF_LRELU_LEAK, c.n); break;
        case 2: tanh_backward(dx, c.r, c.out, c.n); break;
        default: sigmoid_backward(dx, c.r, c.out, c.n); break;
        }
        char lbl[128];
        snprintf(lbl, sizeof lbl, "%s dinp", names[k]);
        printf("%s n=%zu\n", names[k], c.n);
        if (k < 2)
            gradcheck(lbl, c.x, c.n, dx, 0.05, TOL_LINEAR, act_loss, &c);
        else
            gradcheck(lbl, c.x, c.n, dx, H_SMOOTH, TOL_SMOOTH, act_loss, &c);
        free(c.x);
        free(c.r);
        free(c.out);
        free(dx);
    }
}

/* ---- sigmoid cross-entropy -------------------------------------------------------------- */

typedef struct {
    float *x;
    size_t n;
    float target, scale;
} xent_ctx;

static double xent_loss(void *p)
{
    xent_ctx *c = p;
    return (double)c->scale * sigmoid_xent_forward(c->x, c->target, c->n);
}

static void test_loss(void)
{
    /* Logits where the loss is linear (|x| >= 30: sigmoid is 0 or 1 to 1e-13). The loss is
     * returned as a float of magnitude ~2500 here, so its rounding (~1e-4) needs a large step:
     * 0.2 * |x| stays inside the linear region. Moderate logits are the other two cases. */
    static const float extreme[8] = {1e4f, -1e4f, 9999.5f, -5000.0f, 30.0f, -30.0f, 100.0f,
                                     -100.0f};
    const float targets[3] = {1.0f, 0.0f, 0.0f}, scales[3] = {1.0f, 1.0f, -2.0f};
    for (int k = 0; k < 3; k++) {
        xent_ctx c = {0};
        c.n = 8;
        c.target = targets[k];
        c.scale = scales[k];
        if (k == 1) {
            c.x = dc_alloc_floats(c.n);
            memcpy(c.x, extreme, sizeof extreme);
        } else {
            c.x = randn(c.n, 2.0);
        }
        float *dx = dc_alloc_floats(c.n);
        sigmoid_xent_backward(dx, c.x, c.target, c.scale, c.n);
        char lbl[128];
        snprintf(lbl, sizeof lbl, "sigmoid_xent t=%g scale=%g%s dlogits", c.target, c.scale,
                 k == 1 ? " (|x| to 1e4)" : "");
        printf("sigmoid_xent n=%zu target %g scale %g\n", c.n, c.target, c.scale);
        gradcheck(lbl, c.x, c.n, dx, k == 1 ? 0.2 : H_SMOOTH, TOL_SMOOTH, xent_loss, &c);
        free(c.x);
        free(dx);
    }
}

/* ---- the recipe ops: spectral norm (u, v held: a forward outside training), hinge ----- */

typedef struct {
    float *w, *u, *v, *w_sn, *r;
    size_t rows, cols;
} sn_ctx;

static double sn_loss(void *p)
{
    sn_ctx *c = p;
    spectral_norm_forward(c->w_sn, c->u, c->v, c->w, c->rows, c->cols, 0, 1e-12f);
    return dot(c->w_sn, c->r, c->rows * c->cols);
}

static void test_spectral_norm(void)
{
    const size_t shapes[3][2] = {{6, 20}, {1, 12}, {4, 4}};
    for (int k = 0; k < 3; k++) {
        sn_ctx c = {0};
        c.rows = shapes[k][0];
        c.cols = shapes[k][1];
        size_t n = c.rows * c.cols;
        c.w = randn(n, 0.5);
        c.u = randn(c.rows, 1.0);
        c.v = randn(c.cols, 1.0);
        c.w_sn = dc_alloc_floats(n);
        c.r = randn(n, 1.0);
        /* one training forward first: u and v from a power iteration, as a layer holds them */
        float sigma = spectral_norm_forward(c.w_sn, c.u, c.v, c.w, c.rows, c.cols, 1, 1e-12f);
        float *dw = dc_alloc_floats(n);
        spectral_norm_backward(dw, c.r, c.w_sn, c.u, c.v, sigma, c.rows, c.cols);
        char lbl[96];
        snprintf(lbl, sizeof lbl, "spectral_norm %zux%zu dweight", c.rows, c.cols);
        printf("spectral_norm %zux%zu (sigma %.4f)\n", c.rows, c.cols, (double)sigma);
        gradcheck(lbl, c.w, n, dw, H_SMOOTH, TOL_SMOOTH, sn_loss, &c);
        free(c.w);
        free(c.u);
        free(c.v);
        free(c.w_sn);
        free(c.r);
        free(dw);
    }
}

typedef struct {
    float *x;
    size_t n;
    float sign, scale;
    int hinge;
} hinge_ctx;

static double hinge_loss(void *p)
{
    hinge_ctx *c = p;
    return (double)c->scale * (c->hinge ? hinge_forward(c->x, c->sign, c->n)
                                        : linear_loss_forward(c->x, c->sign, c->n));
}

static void test_hinge(void)
{
    for (int k = 0; k < 3; k++) {
        hinge_ctx c = {0};
        c.n = 16;
        c.hinge = k < 2;
        c.sign = k == 1 ? -1.0f : 1.0f;
        c.scale = k == 2 ? 0.5f : 1.0f;
        c.x = randn(c.n, 2.0);
        /* piecewise linear: keep every logit 0.3 away from the kink at x = sign */
        for (size_t i = 0; i < c.n; i++)
            if (fabsf(c.x[i] - c.sign) < 0.3f) c.x[i] = c.sign + (c.x[i] < c.sign ? -0.3f : 0.3f);
        float *dx = dc_alloc_floats(c.n);
        if (c.hinge) hinge_backward(dx, c.x, c.sign, c.scale, c.n);
        else linear_loss_backward(dx, c.sign, c.scale, c.n);
        char lbl[96];
        snprintf(lbl, sizeof lbl, "%s sign %g scale %g dlogits", c.hinge ? "hinge" : "linear_loss",
                 (double)c.sign, (double)c.scale);
        printf("%s\n", lbl);
        gradcheck(lbl, c.x, c.n, dx, 0.1, 1e-4, hinge_loss, &c); /* float32 loss: ~2e-5 noise */
        free(c.x);
        free(dx);
    }
}

/* ---- concat and cond_concat ------------------------------------------------------------- */

typedef struct {
    int cond;
    float *a, *b, *out, *r;
    int N, A, B, C, H, W, Y;
    size_t n_out;
} cat_ctx;

static double cat_loss(void *p)
{
    cat_ctx *c = p;
    if (c->cond)
        cond_concat_forward(c->out, c->a, c->b, c->N, c->C, c->H, c->W, c->Y);
    else
        concat_forward(c->out, c->a, c->b, c->N, c->A, c->B);
    return dot(c->out, c->r, c->n_out);
}

static void test_concat(void)
{
    for (int cond = 0; cond < 2; cond++) {
        cat_ctx c = {0};
        c.cond = cond;
        c.N = 2;
        if (cond) {
            c.C = 2, c.H = 3, c.W = 4, c.Y = 3;
            c.A = c.C * c.H * c.W;
            c.B = c.Y;
            c.n_out = (size_t)c.N * (c.C + c.Y) * c.H * c.W;
        } else {
            c.A = 5, c.B = 3;
            c.n_out = (size_t)c.N * (c.A + c.B);
        }
        size_t na = (size_t)c.N * c.A, nb = (size_t)c.N * c.B;
        c.a = randn(na, 1.0);
        c.b = randn(nb, 1.0);
        c.r = randn(c.n_out, 1.0);
        c.out = dc_alloc_floats(c.n_out);
        float *da = dc_alloc_floats(na), *db = dc_alloc_floats(nb);
        if (cond)
            cond_concat_backward(da, db, c.r, c.N, c.C, c.H, c.W, c.Y);
        else
            concat_backward(da, db, c.r, c.N, c.A, c.B);
        const char *op = cond ? "cond_concat" : "concat";
        char lbl[128];
        printf("%s\n", op);
        snprintf(lbl, sizeof lbl, "%s d%s", op, cond ? "x" : "a");
        gradcheck(lbl, c.a, na, da, H_LINEAR, TOL_LINEAR, cat_loss, &c);
        snprintf(lbl, sizeof lbl, "%s d%s", op, cond ? "y" : "b");
        gradcheck(lbl, c.b, nb, db, H_LINEAR, TOL_LINEAR, cat_loss, &c);
        free(c.a);
        free(c.b);
        free(c.r);
        free(c.out);
        free(da);
        free(db);
    }
}

/* ---- the check can fail ------------------------------------------------------------------ */

/* A backward with a deliberate error (lrelu slope 0.25 instead of 0.2 on the negative side)
 * must be rejected by the same comparison. */
static void test_detects_errors(void)
{
    act_ctx c = {0};
    c.kind = 1;
    c.n = 32;
    c.x = randn_away(c.n, 1.5, 0.1);
    c.r = randn(c.n, 1.0);
    c.out = dc_alloc_floats(c.n);
    float *dx = dc_alloc_floats(c.n), *fd = dc_alloc_floats(c.n);
    lrelu_backward(dx, c.r, c.x, 0.25f, c.n);
    for (size_t i = 0; i < c.n; i++) {
        float x0 = c.x[i];
        c.x[i] = x0 + 0.05f;
        double lp = act_loss(&c);
        c.x[i] = x0 - 0.05f;
        double lm = act_loss(&c);
        c.x[i] = x0;
        fd[i] = (float)((lp - lm) / ((double)(x0 + 0.05f) - (double)(x0 - 0.05f)));
    }
    double scale = 0;
    for (size_t i = 0; i < c.n; i++)
        if (fabs((double)fd[i]) > scale) scale = fabs((double)fd[i]);
    compare_result r = compare_floats(dx, fd, c.n, TOL_LINEAR * scale, TOL_LINEAR);
    TEST_CHECK(r.bad > 0, "a wrong backward (slope 0.25) was not detected");
    printf("negative control: lrelu backward with slope 0.25: %zu of %zu elements flagged "
           "(max_abs %.3g)\n",
           r.bad, c.n, r.max_abs);
    free(c.x);
    free(c.r);
    free(c.out);
    free(dx);
    free(fd);
}

int main(void)
{
    test_begin("test_gradcheck");
    test_detects_errors();
    test_conv();
    test_linear();
    test_batchnorm();
    test_activations();
    test_loss();
    test_concat();
    test_spectral_norm();
    test_hinge();
    printf("\nworst scaled error over all checks: %.3g\n", g_worst_scaled);
    return test_finish();
}
