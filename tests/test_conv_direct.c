/* conv2d / conv2d_transpose, on both backends (im2col + GEMM, oneDNN), against an independent oracle: direct convolution
 * in double precision, written straight from the padded definition
 *
 *   map[n,m,oh,ow] = sum_{c,ki,kj} img[n,c, oh*sh - pad_top + ki, ow*sw - pad_left + kj] * W[m,c,ki,kj]
 *
 * (out-of-range image positions read as zero). The transpose / data-gradient direction is
 * written in gather form (for each image pixel, find the map positions that touch it), so it
 * shares no loop structure with the forward oracle. Also: conv_geom_init by hand, the adjoint
 * identity <conv(x), y> = <x, conv_T(y)>, accumulation of backward, NULL gradients, a batch
 * large enough to be split into chunks, and linear_* against naive loops. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/cpu/conv2d.h"
#include "ops/cpu/conv_plan.h"
#include "ops/cpu/cpu_backend.h"
#include "ops/cpu/linear.h"
#include "testutil.h"

/* ---------------------------------------------------------------- helpers */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static float frand(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float *rand_floats(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

static float *zero_floats(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

static double *zero_doubles(size_t n) { return calloc(n ? n : 1, sizeof(double)); }

static float *to_floats(const double *d, size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = (float)d[i];
    return p;
}

static float *copy_floats(const float *s, size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    memcpy(p, s, n * sizeof *p);
    return p;
}

/* start + k * delta, the expected value after k accumulating calls. */
static float *expect_accum(const float *start, const double *delta, double k, size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = (float)((double)start[i] + k * delta[i]);
    return p;
}

/* Workspace with a canary tail: the ops must not write past conv_geom_workspace_floats. */
#define CANARY 64
static const float canary_value = -12345.678f;

static float *alloc_work(size_t ws)
{
    float *w = malloc((ws + CANARY) * sizeof *w);
    for (size_t i = 0; i < ws; i++) w[i] = NAN; /* stale scratch must never leak into results */
    for (size_t i = 0; i < CANARY; i++) w[ws + i] = canary_value;
    return w;
}

static int canary_ok(const float *w, size_t ws)
{
    for (size_t i = 0; i < CANARY; i++)
        if (w[ws + i] != canary_value) return 0;
    return 1;
}

/* ---------------------------------------------------------------- oracle */

#define IMG(n, c, h, w) ((((size_t)(n) * g->C_img + (c)) * g->H_img + (h)) * g->W_img + (w))
#define MAP(n, m, h, w) ((((size_t)(n) * g->C_map + (m)) * g->H_map + (h)) * g->W_map + (w))
#define WGT(m, c, i, j) ((((size_t)(m) * g->C_img + (c)) * g->K_h + (i)) * g->K_w + (j))

/* map = conv(img) + bias_map (bias may be NULL). Output-centric: gather over the window. */
static void naive_conv(double *map, const float *img, const float *w, const float *bias,
                       const conv_geom *g)
{
    for (int n = 0; n < g->N; n++)
        for (int m = 0; m < g->C_map; m++)
            for (int oh = 0; oh < g->H_map; oh++)
                for (int ow = 0; ow < g->W_map; ow++) {
                    double s = bias ? bias[m] : 0.0;
                    for (int c = 0; c < g->C_img; c++)
                        for (int ki = 0; ki < g->K_h; ki++)
                            for (int kj = 0; kj < g->K_w; kj++) {
                                int ih = oh * g->stride_h - g->pad_top + ki;
                                int iw = ow * g->stride_w - g->pad_left + kj;
                                if (ih < 0 || ih >= g->H_img || iw < 0 || iw >= g->W_img)
                                    continue;
                                s += (double)img[IMG(n, c, ih, iw)] * w[WGT(m, c, ki, kj)];
                            }
                    map[MAP(n, m, oh, ow)] = s;
                }
}

/* img = conv^T(map) + bias_img: for each image pixel, the map positions whose window covers it
 * (ih = oh*sh - pad_top + ki  <=>  oh = (ih + pad_top - ki) / sh when divisible). */
static void naive_conv_adj(double *img, const float *map, const float *w, const float *bias,
                           const conv_geom *g)
{
    for (int n = 0; n < g->N; n++)
        for (int c = 0; c < g->C_img; c++)
            for (int ih = 0; ih < g->H_img; ih++)
                for (int iw = 0; iw < g->W_img; iw++) {
                    double s = bias ? bias[c] : 0.0;
                    for (int ki = 0; ki < g->K_h; ki++) {
                        int th = ih + g->pad_top - ki;
                        if (th < 0 || th % g->stride_h) continue;
                        int oh = th / g->stride_h;
                        if (oh >= g->H_map) continue;
                        for (int kj = 0; kj < g->K_w; kj++) {
                            int tw = iw + g->pad_left - kj;
                            if (tw < 0 || tw % g->stride_w) continue;
                            int ow = tw / g->stride_w;
                            if (ow >= g->W_map) continue;
                            for (int m = 0; m < g->C_map; m++)
                                s += (double)map[MAP(n, m, oh, ow)] * w[WGT(m, c, ki, kj)];
                        }
                    }
                    img[IMG(n, c, ih, iw)] = s;
                }
}

/* dw[m,c,ki,kj] = sum_{n,oh,ow} map[n,m,oh,ow] * img[n,c,ih,iw] (the weight gradient of both
 * conv with dout=map and of conv^T with dout=img). */
static void naive_wgrad(double *dw, const float *map, const float *img, const conv_geom *g)
{
    for (int m = 0; m < g->C_map; m++)
        for (int c = 0; c < g->C_img; c++)
            for (int ki = 0; ki < g->K_h; ki++)
                for (int kj = 0; kj < g->K_w; kj++) {
                    double s = 0.0;
                    for (int n = 0; n < g->N; n++)
                        for (int oh = 0; oh < g->H_map; oh++) {
                            int ih = oh * g->stride_h - g->pad_top + ki;
                            if (ih < 0 || ih >= g->H_img) continue;
                            for (int ow = 0; ow < g->W_map; ow++) {
                                int iw = ow * g->stride_w - g->pad_left + kj;
                                if (iw < 0 || iw >= g->W_img) continue;
                                s += (double)map[MAP(n, m, oh, ow)] * img[IMG(n, c, ih, iw)];
                            }
                        }
                    dw[WGT(m, c, ki, kj)] = s;
                }
}

/* db[c] = sum over n and positions of x (N, C, S). */
static void naive_bgrad(double *db, const float *x, int N, int C, size_t S)
{
    for (int c = 0; c < C; c++) {
        double s = 0.0;
        for (int n = 0; n < N; n++)
            for (size_t i = 0; i < S; i++) s += x[((size_t)n * C + c) * S + i];
        db[c] = s;
    }
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* ---------------------------------------------------------------- geometry by hand */

static void expect_geom(int H, int W, int K_h, int K_w, int s_h, int s_w, conv_padding pad,
                        int Hm, int Wm, int pt, int pl)
{
    conv_geom g;
    int rc = conv_geom_init(&g, 2, 3, H, W, 4, K_h, K_w, s_h, s_w, pad);
    TEST_CHECK(rc == 0, "%dx%d K%dx%d S%dx%d %s: rc %d", H, W, K_h, K_w, s_h, s_w,
               pad == CONV_PAD_SAME ? "SAME" : "VALID", rc);
    if (rc) return;
    TEST_CHECK(g.H_map == Hm && g.W_map == Wm && g.pad_top == pt && g.pad_left == pl,
               "%dx%d K%dx%d S%dx%d %s: got map %dx%d pad %d,%d want %dx%d pad %d,%d", H, W, K_h,
               K_w, s_h, s_w, pad == CONV_PAD_SAME ? "SAME" : "VALID", g.H_map, g.W_map,
               g.pad_top, g.pad_left, Hm, Wm, pt, pl);
    TEST_CHECK(g.N == 2 && g.C_img == 3 && g.H_img == H && g.W_img == W && g.C_map == 4 &&
                   g.K_h == K_h && g.K_w == K_w && g.stride_h == s_h && g.stride_w == s_w,
               "geometry fields copied");
}

static void test_geometry(void)
{
    /* SAME: H_map = ceil(H/s), total = max((H_map-1)*s + K - H, 0), before = total/2. */
    expect_geom(64, 64, 5, 5, 2, 2, CONV_PAD_SAME, 32, 32, 1, 1); /* total 3: 1 before, 2 after */
    expect_geom(7, 7, 5, 5, 2, 2, CONV_PAD_SAME, 4, 4, 2, 2);     /* total 3*2+5-7 = 4 */
    expect_geom(7, 7, 3, 3, 2, 2, CONV_PAD_SAME, 4, 4, 1, 1);     /* total 2 */
    expect_geom(5, 5, 3, 3, 1, 1, CONV_PAD_SAME, 5, 5, 1, 1);     /* total 2 */
    expect_geom(4, 4, 4, 4, 1, 1, CONV_PAD_SAME, 4, 4, 1, 1);     /* total 3: 1 before, 2 after */
    expect_geom(6, 6, 1, 1, 4, 4, CONV_PAD_SAME, 2, 2, 0, 0);     /* total -1 -> 0 */
    expect_geom(3, 3, 5, 5, 1, 1, CONV_PAD_SAME, 3, 3, 2, 2);     /* kernel larger than image */
    expect_geom(64, 7, 5, 5, 2, 2, CONV_PAD_SAME, 32, 4, 1, 2);   /* non-square */
    expect_geom(8, 9, 3, 5, 1, 2, CONV_PAD_SAME, 8, 5, 1, 2);     /* W: 5, total 4*2+5-9 = 4 */
    expect_geom(4, 4, 5, 5, 2, 2, CONV_PAD_SAME, 2, 2, 1, 1);     /* total 2+5-4 = 3 */
    /* VALID: floor((H - K)/s) + 1, no padding. */
    expect_geom(7, 7, 3, 3, 2, 2, CONV_PAD_VALID, 3, 3, 0, 0);
    expect_geom(64, 64, 5, 5, 2, 2, CONV_PAD_VALID, 30, 30, 0, 0);
    expect_geom(5, 9, 5, 3, 1, 3, CONV_PAD_VALID, 1, 3, 0, 0);
    expect_geom(6, 6, 6, 6, 1, 1, CONV_PAD_VALID, 1, 1, 0, 0);
    /* Impossible sizes. */
    conv_geom g;
    TEST_CHECK(conv_geom_init(&g, 1, 1, 7, 7, 1, 8, 3, 1, 1, CONV_PAD_VALID) == -1, "VALID K_h > H");
    TEST_CHECK(conv_geom_init(&g, 1, 1, 7, 7, 1, 3, 8, 1, 1, CONV_PAD_VALID) == -1, "VALID K_w > W");
    TEST_CHECK(conv_geom_init(&g, 0, 1, 7, 7, 1, 3, 3, 1, 1, CONV_PAD_SAME) == -1, "N = 0");
    TEST_CHECK(conv_geom_init(&g, 1, 0, 7, 7, 1, 3, 3, 1, 1, CONV_PAD_SAME) == -1, "C_img = 0");
    TEST_CHECK(conv_geom_init(&g, 1, 1, 0, 7, 1, 3, 3, 1, 1, CONV_PAD_SAME) == -1, "H = 0");
    TEST_CHECK(conv_geom_init(&g, 1, 1, 7, -1, 1, 3, 3, 1, 1, CONV_PAD_SAME) == -1, "W < 0");
    TEST_CHECK(conv_geom_init(&g, 1, 1, 7, 7, 0, 3, 3, 1, 1, CONV_PAD_SAME) == -1, "C_map = 0");
    TEST_CHECK(conv_geom_init(&g, 1, 1, 7, 7, 1, 0, 3, 1, 1, CONV_PAD_SAME) == -1, "K = 0");
    TEST_CHECK(conv_geom_init(&g, 1, 1, 7, 7, 1, 3, 3, 0, 1, CONV_PAD_SAME) == -1, "stride 0");
    TEST_CHECK(conv_geom_init(&g, 1, 1, 7, 7, 1, 3, 3, 1, -2, CONV_PAD_SAME) == -1, "stride < 0");

    /* The workspace stays bounded for big maps: 64 channels at 64x64, batch 64. */
    TEST_CHECK(conv_geom_init(&g, 64, 64, 64, 64, 64, 5, 5, 1, 1, CONV_PAD_SAME) == 0, "big");
    size_t ws = conv_geom_workspace_floats(&g);
    TEST_CHECK(ws * sizeof(float) <= ((size_t)32 << 20), "workspace %zu floats > 32 MB", ws);
    TEST_CHECK(conv_geom_init(&g, 64, 64, 64, 64, 128, 5, 5, 2, 2, CONV_PAD_SAME) == 0, "big2");
    ws = conv_geom_workspace_floats(&g);
    TEST_CHECK(ws * sizeof(float) <= ((size_t)32 << 20), "workspace %zu floats > 32 MB", ws);

    /* A workspace sized for batch N serves any smaller batch (e.g. sampling with the training
     * buffers): the size never shrinks as N grows. */
    static const int shapes[][4] = {{3, 64, 64, 64}, {64, 32, 32, 128}, {128, 16, 16, 256},
                                    {256, 8, 8, 512}, {32, 60, 60, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t prev = 0;
        int mono = 1;
        for (int N = 1; N <= 130; N++) {
            conv_geom_init(&g, N, shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3], 5, 5,
                           2, 2, CONV_PAD_SAME);
            ws = conv_geom_workspace_floats(&g);
            if (ws < prev) mono = 0;
            prev = ws;
        }
        TEST_CHECK(mono, "workspace shrinks with a larger batch for shape %zu", s);
    }
}

/* ---------------------------------------------------------------- conv cases */

typedef struct {
    int N, C_img, H, W, C_map, K_h, K_w, s_h, s_w;
    conv_padding pad;
    int bias;
} conv_case;

/* The geometry the oracle uses, from TensorFlow's rules rather than conv_geom_init's:
 * SAME: out = ceil(in / s), padding max((out - 1) s + K - in, 0) with the odd pixel at the
 * bottom / right, so top = total / 2; VALID: out = floor((in - K) / s) + 1, no padding. */
static void tf_dim(int in, int K, int s, conv_padding pad, int *out, int *before)
{
    if (pad == CONV_PAD_VALID) {
        *out = (in - K) / s + 1;
        *before = 0;
        return;
    }
    *out = (in + s - 1) / s;
    int total = (*out - 1) * s + K - in;
    *before = total > 0 ? total / 2 : 0;
}

static conv_geom oracle_geom(const conv_case *cc)
{
    conv_geom o = {cc->N, cc->C_img, cc->H, cc->W, cc->C_map, 0, 0, cc->K_h, cc->K_w,
                   cc->s_h, cc->s_w, 0, 0};
    tf_dim(cc->H, cc->K_h, cc->s_h, cc->pad, &o.H_map, &o.pad_top);
    tf_dim(cc->W, cc->K_w, cc->s_w, cc->pad, &o.W_map, &o.pad_left);
    return o;
}

/* must_run: a oneDNN plan must exist (the DCGAN geometries); otherwise a geometry oneDNN
 * refuses is reported and skipped, as conv_plan_init(AUTO) would fall back to im2col. */
static void run_case(const conv_case *cc, conv_backend backend, double atol, double rtol,
                     int null_masks, int must_run)
{
    conv_geom gg, *g = &gg;
    char name[160], what[200];
    snprintf(name, sizeof name, "%s N%d %dx%dx%d->%d K%dx%d S%dx%d %s%s",
             conv_backend_name(backend), cc->N, cc->C_img, cc->H,
             cc->W, cc->C_map, cc->K_h, cc->K_w, cc->s_h, cc->s_w,
             cc->pad == CONV_PAD_SAME ? "SAME" : "VALID", cc->bias ? " bias" : "");
    int rc = conv_geom_init(g, cc->N, cc->C_img, cc->H, cc->W, cc->C_map, cc->K_h, cc->K_w,
                            cc->s_h, cc->s_w, cc->pad);
    TEST_CHECK(rc == 0, "%s: conv_geom_init failed", name);
    if (rc) return;
    printf(" %s -> %dx%d pad %d,%d\n", name, g->H_map, g->W_map, g->pad_top, g->pad_left);
    const conv_geom og = oracle_geom(cc), *o = &og;
    TEST_CHECK(og.H_map == g->H_map && og.W_map == g->W_map,
               "%s: map %dx%d, TensorFlow's rule gives %dx%d", name, g->H_map, g->W_map,
               og.H_map, og.W_map);
    if (og.H_map != g->H_map || og.W_map != g->W_map) return;

    const size_t ni = (size_t)g->N * g->C_img * g->H_img * g->W_img;
    const size_t nm = (size_t)g->N * g->C_map * g->H_map * g->W_map;
    const size_t nw = (size_t)g->C_map * g->C_img * g->K_h * g->K_w;
    const size_t hwi = (size_t)g->H_img * g->W_img, hwm = (size_t)g->H_map * g->W_map;
    conv_plan pc, pt; /* the conv layer and the transposed one, on the backend under test */
    rc = conv_plan_init(&pc, g, 0, backend) | conv_plan_init(&pt, g, 1, backend);
    if (rc && backend == CONV_BACKEND_ONEDNN && !must_run) {
        printf(" %s: oneDNN has no implementation; the im2col path runs it\n", name);
        conv_plan_free(&pc), conv_plan_free(&pt);
        return;
    }
    TEST_CHECK(rc == 0, "%s: no %s plan", name, conv_backend_name(backend));
    if (rc) {
        conv_plan_free(&pc), conv_plan_free(&pt);
        return;
    }
    size_t ws = conv_plan_workspace_floats(&pc);
    if (conv_plan_workspace_floats(&pt) > ws) ws = conv_plan_workspace_floats(&pt);
    float *work = alloc_work(ws);

    float *x = rand_floats(ni);    /* conv input / conv^T dout (image side) */
    float *y = rand_floats(nm);    /* conv dout / conv^T input (map side) */
    float *w = rand_floats(nw);
    float *bm = cc->bias ? rand_floats(g->C_map) : NULL;
    float *bi = cc->bias ? rand_floats(g->C_img) : NULL;

    double *conv_x = zero_doubles(nm), *adj_y = zero_doubles(ni);
    double *wg = zero_doubles(nw), *bgm = zero_doubles(g->C_map), *bgi = zero_doubles(g->C_img);
    double *d_img = zero_doubles(ni), *d_map = zero_doubles(nm);

    /* ---- conv2d forward */
    naive_conv(conv_x, x, w, bm, o);
    float *want = to_floats(conv_x, nm);
    float *out = rand_floats(nm); /* garbage: forward overwrites */
    conv_plan_forward(&pc, out, x, w, bm, work);
    snprintf(what, sizeof what, "conv fwd   %s", name);
    check_close(what, out, want, nm, atol, rtol);
    free(want);

    /* ---- conv2d backward: start from random gradients, two calls accumulate twice */
    naive_conv_adj(d_img, y, w, NULL, o);
    naive_wgrad(wg, y, x, o);
    naive_bgrad(bgm, y, g->N, g->C_map, hwm);
    float *gi0 = rand_floats(ni), *gw0 = rand_floats(nw), *gb0 = rand_floats(g->C_map);
    float *gi = copy_floats(gi0, ni), *gw = copy_floats(gw0, nw), *gb = copy_floats(gb0, g->C_map);
    conv_plan_backward(&pc, gi, gw, gb, y, x, w, 0, work);
    conv_plan_backward(&pc, gi, gw, gb, y, x, w, 0, work);
    float *e;
    e = expect_accum(gi0, d_img, 2, ni);
    snprintf(what, sizeof what, "conv dinp x2 %s", name);
    check_close(what, gi, e, ni, 2 * atol, rtol);
    free(e);
    e = expect_accum(gw0, wg, 2, nw);
    snprintf(what, sizeof what, "conv dW x2   %s", name);
    check_close(what, gw, e, nw, 2 * atol, rtol);
    free(e);
    e = expect_accum(gb0, bgm, 2, g->C_map);
    snprintf(what, sizeof what, "conv db x2   %s", name);
    check_close(what, gb, e, g->C_map, 2 * atol, rtol);
    free(e);

    /* every subset of NULL gradients, from zero, one call */
    for (int mask = 0; null_masks && mask < 8; mask++) {
        float *a = (mask & 1) ? zero_floats(ni) : NULL;
        float *b = (mask & 2) ? zero_floats(nw) : NULL;
        float *c = (mask & 4) ? zero_floats(g->C_map) : NULL;
        conv_plan_backward(&pc, a, b, c, y, x, w, 0, work);
        compare_result r;
        if (a) {
            float *f = to_floats(d_img, ni);
            r = compare_floats(a, f, ni, atol, rtol);
            TEST_CHECK(r.bad == 0, "%s conv mask %d dinp: %zu bad", name, mask, r.bad);
            free(f);
        }
        if (b) {
            float *f = to_floats(wg, nw);
            r = compare_floats(b, f, nw, atol, rtol);
            TEST_CHECK(r.bad == 0, "%s conv mask %d dW: %zu bad", name, mask, r.bad);
            free(f);
        }
        if (c) {
            float *f = to_floats(bgm, g->C_map);
            r = compare_floats(c, f, g->C_map, atol, rtol);
            TEST_CHECK(r.bad == 0, "%s conv mask %d db: %zu bad", name, mask, r.bad);
            free(f);
        }
        free(a), free(b), free(c);
    }

    /* ---- conv2d_transpose forward: input y (map side) -> image side */
    naive_conv_adj(adj_y, y, w, bi, o);
    want = to_floats(adj_y, ni);
    float *tout = rand_floats(ni);
    conv_plan_forward(&pt, tout, y, w, bi, work);
    snprintf(what, sizeof what, "convT fwd  %s", name);
    check_close(what, tout, want, ni, atol, rtol);
    free(want);

    /* ---- conv2d_transpose backward: dout x (image side) */
    naive_conv(d_map, x, w, NULL, o);
    /* dW of conv^T (inp y, dout x) is the same contraction as conv's (dout y, inp x): wg. */
    naive_bgrad(bgi, x, g->N, g->C_img, hwi);
    float *ti0 = rand_floats(nm), *tb0 = rand_floats(g->C_img);
    float *ti = copy_floats(ti0, nm), *tw = copy_floats(gw0, nw), *tb = copy_floats(tb0, g->C_img);
    conv_plan_backward(&pt, ti, tw, tb, x, y, w, 0, work);
    conv_plan_backward(&pt, ti, tw, tb, x, y, w, 0, work);
    e = expect_accum(ti0, d_map, 2, nm);
    snprintf(what, sizeof what, "convT dinp x2 %s", name);
    check_close(what, ti, e, nm, 2 * atol, rtol);
    free(e);
    e = expect_accum(gw0, wg, 2, nw);
    snprintf(what, sizeof what, "convT dW x2   %s", name);
    check_close(what, tw, e, nw, 2 * atol, rtol);
    free(e);
    e = expect_accum(tb0, bgi, 2, g->C_img);
    snprintf(what, sizeof what, "convT db x2   %s", name);
    check_close(what, tb, e, g->C_img, 2 * atol, rtol);
    free(e);

    for (int mask = 0; null_masks && mask < 8; mask++) {
        float *a = (mask & 1) ? zero_floats(nm) : NULL;
        float *b = (mask & 2) ? zero_floats(nw) : NULL;
        float *c = (mask & 4) ? zero_floats(g->C_img) : NULL;
        conv_plan_backward(&pt, a, b, c, x, y, w, 0, work);
        compare_result r;
        if (a) {
            float *f = to_floats(d_map, nm);
            r = compare_floats(a, f, nm, atol, rtol);
            TEST_CHECK(r.bad == 0, "%s convT mask %d dinp: %zu bad", name, mask, r.bad);
            free(f);
        }
        if (b) {
            float *f = to_floats(wg, nw);
            r = compare_floats(b, f, nw, atol, rtol);
            TEST_CHECK(r.bad == 0, "%s convT mask %d dW: %zu bad", name, mask, r.bad);
            free(f);
        }
        if (c) {
            float *f = to_floats(bgi, g->C_img);
            r = compare_floats(c, f, g->C_img, atol, rtol);
            TEST_CHECK(r.bad == 0, "%s convT mask %d db: %zu bad", name, mask, r.bad);
            free(f);
        }
        free(a), free(b), free(c);
    }

    /* ---- adjoint identity with the library alone: <conv(x), y> == <x, conv^T(y)> */
    conv_plan_forward(&pc, out, x, w, NULL, work);
    conv_plan_forward(&pt, tout, y, w, NULL, work);
    double lhs = dot(out, y, nm), rhs = dot(x, tout, ni);
    double scale = 0.0; /* sum |x_i| |conv^T(y)_i| bounds the rounding of either side */
    for (size_t i = 0; i < ni; i++) scale += fabs((double)x[i] * tout[i]);
    g_test.checks++;
    if (fabs(lhs - rhs) <= 1e-5 * (scale + 1.0)) {
        printf("  ok   adjoint %-40s <Ax,y> %.9g <x,A^Ty> %.9g\n", name, lhs, rhs);
    } else {
        g_test.failures++;
        printf("  FAIL adjoint %-40s <Ax,y> %.9g <x,A^Ty> %.9g (scale %.3g)\n", name, lhs, rhs,
               scale);
    }

    TEST_CHECK(canary_ok(work, ws), "%s: wrote past the workspace (%zu floats)", name, ws);

    free(x), free(y), free(w), free(bm), free(bi), free(out), free(tout);
    free(gi0), free(gw0), free(gb0), free(gi), free(gw), free(gb);
    free(ti0), free(tb0), free(ti), free(tw), free(tb);
    free(conv_x), free(adj_y), free(wg), free(bgm), free(bgi), free(d_img), free(d_map);
    free(work);
    conv_plan_free(&pc), conv_plan_free(&pt);
}

/* ---------------------------------------------------------------- linear */

/* f32 sums of K products of numbers in [-1, 1) drift from the double sums by about K ulps of
 * the larger partial sums: the absolute tolerance grows with K past 100 terms */
static double sum_scale(int K) { return K > 100 ? K / 100.0 : 1.0; }

static void test_linear(int N, int IN, int OUT, int with_bias, gemm_lib lib)
{
    const char *ln = lib == GEMM_ONEDNN ? "onednn" : "openblas";
    float *x = rand_floats((size_t)N * IN), *w = rand_floats((size_t)OUT * IN);
    float *b = with_bias ? rand_floats(OUT) : NULL;
    float *dy = rand_floats((size_t)N * OUT);
    float *out = rand_floats((size_t)N * OUT), *want = malloc(sizeof(float) * N * OUT);
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OUT; o++) {
            double s = b ? b[o] : 0.0;
            for (int i = 0; i < IN; i++) s += (double)x[n * IN + i] * w[o * IN + i];
            want[n * OUT + o] = (float)s;
        }
    char what[96];
    snprintf(what, sizeof what, "%s linear fwd N%d %d->%d%s", ln, N, IN, OUT, b ? " bias" : "");
    linear_forward(out, x, w, b, N, IN, OUT, lib);
    check_close(what, out, want, (size_t)N * OUT, 1e-5 * sum_scale(IN), 1e-4);
    /* the inference plan's form: the weight transposed once, then inp @ wt */
    float *wt = rand_floats((size_t)OUT * IN), *out_t = rand_floats((size_t)N * OUT);
    linear_transpose_weight(wt, w, IN, OUT);
    int transposed = 1;
    for (int o = 0; o < OUT; o++)
        for (int i = 0; i < IN; i++) transposed &= wt[(size_t)i * OUT + o] == w[(size_t)o * IN + i];
    TEST_CHECK(transposed, "%s: linear_transpose_weight %dx%d", ln, OUT, IN);
    snprintf(what, sizeof what, "%s linear fwd_wt N%d %d->%d%s", ln, N, IN, OUT, b ? " bias" : "");
    linear_forward_wt(out_t, x, wt, b, N, IN, OUT, lib);
    check_close(what, out_t, want, (size_t)N * OUT, 1e-5 * sum_scale(IN), 1e-4);
    free(wt), free(out_t);

    double *di = zero_doubles((size_t)N * IN), *dw = zero_doubles((size_t)OUT * IN);
    double *db = zero_doubles(OUT);
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OUT; o++) {
            double g = dy[n * OUT + o];
            db[o] += g;
            for (int i = 0; i < IN; i++) {
                di[n * IN + i] += g * w[o * IN + i];
                dw[o * IN + i] += g * x[n * IN + i];
            }
        }
    float *gi0 = rand_floats((size_t)N * IN), *gw0 = rand_floats((size_t)OUT * IN);
    float *gb0 = rand_floats(OUT);
    float *gi = copy_floats(gi0, (size_t)N * IN), *gw = copy_floats(gw0, (size_t)OUT * IN);
    float *gb = copy_floats(gb0, OUT);
    linear_backward(gi, gw, gb, dy, x, w, N, IN, OUT, lib);
    linear_backward(gi, gw, gb, dy, x, w, N, IN, OUT, lib);
    linear_backward(NULL, NULL, NULL, dy, x, w, N, IN, OUT, lib); /* no-op */
    float *e = expect_accum(gi0, di, 2, (size_t)N * IN);
    snprintf(what, sizeof what, "%s linear dinp x2 N%d %d->%d", ln, N, IN, OUT);
    check_close(what, gi, e, (size_t)N * IN, 2e-5 * sum_scale(OUT), 1e-4);
    free(e);
    e = expect_accum(gw0, dw, 2, (size_t)OUT * IN);
    snprintf(what, sizeof what, "%s linear dW x2 N%d %d->%d", ln, N, IN, OUT);
    check_close(what, gw, e, (size_t)OUT * IN, 2e-5, 1e-4);
    free(e);
    e = expect_accum(gb0, db, 2, OUT);
    snprintf(what, sizeof what, "%s linear db x2 N%d %d->%d", ln, N, IN, OUT);
    check_close(what, gb, e, OUT, 2e-5, 1e-4);
    free(e);
    /* only dweight */
    float *only = zero_floats((size_t)OUT * IN);
    linear_backward(NULL, only, NULL, dy, x, w, N, IN, OUT, lib);
    e = to_floats(dw, (size_t)OUT * IN);
    snprintf(what, sizeof what, "%s linear dW only N%d %d->%d", ln, N, IN, OUT);
    check_close(what, only, e, (size_t)OUT * IN, 1e-5, 1e-4);
    free(e), free(only);

    free(x), free(w), free(b), free(dy), free(out), free(want), free(di), free(dw), free(db);
    free(gi0), free(gw0), free(gb0), free(gi), free(gw), free(gb);
}

/* ---------------------------------------------------------------- bf16 (--precision bf16)
 *
 * Oracle: the f32 oneDNN plan run on inputs rounded to bf16. A product of two bf16 numbers is
 * exact in f32, so both sides sum the same exact products in f32 and agree to the summation
 * order's rounding (~1e-6 of the largest value); against the unrounded f32 result the bf16 plan
 * must differ by a bf16-sized amount (inputs rounded at 2^-9 relative), or bf16 was not used. */

static float bf16_rounded(float f) /* round to nearest even, written apart from the library's */
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    uint32_t lsb = (u >> 16) & 1u;
    u = (u + 0x7fffu + lsb) & 0xffff0000u;
    memcpy(&f, &u, sizeof f);
    return f;
}

static float *bf16_copy(const float *x, size_t n)
{
    float *r = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) r[i] = bf16_rounded(x[i]);
    return r;
}

/* got (bf16 path) against want (the oracle) to 1e-5 of want's scale, and apart from f32 (the
 * unrounded f32 result) by more than 1e-4 of it. */
static void check_bf16(const char *what, const float *got, const float *want, const float *f32,
                       size_t n)
{
    double scale = test_max_abs(want, n), apart = 0;
    check_close(what, got, want, n, 1e-5 * scale, 1e-5);
    for (size_t i = 0; i < n; i++)
        if (fabs((double)got[i] - f32[i]) > apart) apart = fabs((double)got[i] - f32[i]);
    g_test.checks++;
    if (apart > 1e-4 * scale) {
        printf("  ok   %s: %.3g of scale from unrounded f32 (bf16 in use)\n", what, apart / scale);
    } else {
        g_test.failures++;
        printf("  FAIL %s: only %.3g of scale from unrounded f32: bf16 not in use?\n", what,
               apart / scale);
    }
}

/* One direction of a layer (forward, then backward from gradients g0 accumulating) on three
 * plans: bf16 on (x, w, dout), f32 on their bf16 roundings (the oracle), f32 on them as is. */
static void bf16_layer(const char *name, conv_plan *p[3], size_t nin, size_t nout, size_t nw,
                       float *work)
{
    float *in = rand_floats(nin), *w = rand_floats(nw), *dout = rand_floats(nout);
    float *rin = bf16_copy(in, nin), *rw = bf16_copy(w, nw), *rdout = bf16_copy(dout, nout);
    float *gi0 = rand_floats(nin), *gw0 = rand_floats(nw);
    float *out[3], *gi[3], *gw[3];
    char what[240];
    for (int k = 0; k < 3; k++) {
        const float *a = k == 1 ? rin : in, *b = k == 1 ? rw : w, *d = k == 1 ? rdout : dout;
        out[k] = rand_floats(nout);
        gi[k] = copy_floats(gi0, nin);
        gw[k] = copy_floats(gw0, nw);
        conv_plan_forward(p[k], out[k], a, b, NULL, work);
        conv_plan_backward(p[k], gi[k], gw[k], NULL, d, a, b, 0, work);
    }
    snprintf(what, sizeof what, "%s fwd bf16", name);
    check_bf16(what, out[0], out[1], out[2], nout);
    /* the accumulated gradients minus their start: what the layer computed */
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < nin; i++) gi[k][i] -= gi0[i];
        for (size_t i = 0; i < nw; i++) gw[k][i] -= gw0[i];
    }
    snprintf(what, sizeof what, "%s dinp bf16", name);
    check_bf16(what, gi[0], gi[1], gi[2], nin);
    snprintf(what, sizeof what, "%s dW bf16", name);
    check_bf16(what, gw[0], gw[1], gw[2], nw);
    for (int k = 0; k < 3; k++) free(out[k]), free(gi[k]), free(gw[k]);
    free(in), free(w), free(dout), free(rin), free(rw), free(rdout), free(gi0), free(gw0);
}

static void run_case_bf16(const conv_case *cc, int must_run)
{
    conv_geom g;
    char name[160];
    if (conv_geom_init(&g, cc->N, cc->C_img, cc->H, cc->W, cc->C_map, cc->K_h, cc->K_w, cc->s_h,
                       cc->s_w, cc->pad) != 0)
        return;
    snprintf(name, sizeof name, "N%d %dx%dx%d->%d K%dx%d S%dx%d %s", cc->N, cc->C_img, cc->H,
             cc->W, cc->C_map, cc->K_h, cc->K_w, cc->s_h, cc->s_w,
             cc->pad == CONV_PAD_SAME ? "SAME" : "VALID");
    const size_t ni = (size_t)g.N * g.C_img * g.H_img * g.W_img;
    const size_t nm = (size_t)g.N * g.C_map * g.H_map * g.W_map;
    const size_t nw = (size_t)g.C_map * g.C_img * g.K_h * g.K_w;
    for (int t = 0; t < 2; t++) {
        conv_plan plans[3], *p[3] = {&plans[0], &plans[1], &plans[2]};
        int rc = conv_plan_init_precision(p[0], &g, t, CONV_BACKEND_ONEDNN, OPS_PRECISION_BF16);
        rc |= conv_plan_init(p[1], &g, t, CONV_BACKEND_ONEDNN);
        rc |= conv_plan_init(p[2], &g, t, CONV_BACKEND_ONEDNN);
        if (rc && !must_run) {
            printf(" %s%s: oneDNN has no bf16 implementation (bf16 then refuses the model)\n",
                   t ? "convT " : "conv ", name);
        } else {
            TEST_CHECK(rc == 0, "%s: no bf16 plan", name);
        }
        if (rc == 0) {
            size_t ws = 0;
            for (int k = 0; k < 3; k++)
                if (conv_plan_workspace_floats(p[k]) > ws) ws = conv_plan_workspace_floats(p[k]);
            float *work = alloc_work(ws);
            char full[200];
            snprintf(full, sizeof full, "%s %s", t ? "convT" : "conv", name);
            /* conv: image side in, map side out; conv^T the reverse */
            bf16_layer(full, p, t ? nm : ni, t ? ni : nm, nw, work);
            TEST_CHECK(canary_ok(work, ws), "%s bf16: wrote past the workspace", full);
            free(work);
        }
        for (int k = 0; k < 3; k++) conv_plan_free(p[k]);
    }
}

static void test_linear_bf16(int N, int IN, int OUT)
{
    linear_bf16 *l = linear_bf16_create();
    TEST_CHECK(l != NULL, "linear_bf16_create");
    if (!l) return;
    float *x = rand_floats((size_t)N * IN), *w = rand_floats((size_t)OUT * IN);
    float *b = rand_floats(OUT), *dy = rand_floats((size_t)N * OUT);
    float *rx = bf16_copy(x, (size_t)N * IN), *rw = bf16_copy(w, (size_t)OUT * IN);
    float *rdy = bf16_copy(dy, (size_t)N * OUT);
    float *out[3], *gi[3], *gw[3], *gb[3];
    for (int k = 0; k < 3; k++) {
        const float *a = k == 1 ? rx : x, *c = k == 1 ? rw : w, *d = k == 1 ? rdy : dy;
        out[k] = rand_floats((size_t)N * OUT);
        gi[k] = zero_floats((size_t)N * IN);
        gw[k] = zero_floats((size_t)OUT * IN);
        gb[k] = zero_floats(OUT);
        if (k == 0) {
            linear_forward_bf16(l, out[k], a, c, b, N, IN, OUT);
            linear_backward_bf16(l, gi[k], gw[k], gb[k], d, a, c, N, IN, OUT);
        } else {
            linear_forward(out[k], a, c, b, N, IN, OUT, GEMM_ONEDNN);
            linear_backward(gi[k], gw[k], gb[k], d, a, c, N, IN, OUT, GEMM_ONEDNN);
        }
    }
    char what[96];
    snprintf(what, sizeof what, "linear N%d %d->%d fwd", N, IN, OUT);
    check_bf16(what, out[0], out[1], out[2], (size_t)N * OUT);
    snprintf(what, sizeof what, "linear N%d %d->%d dinp", N, IN, OUT);
    check_bf16(what, gi[0], gi[1], gi[2], (size_t)N * IN);
    snprintf(what, sizeof what, "linear N%d %d->%d dW", N, IN, OUT);
    check_bf16(what, gw[0], gw[1], gw[2], (size_t)OUT * IN);
    /* the bias gradient stays f32: the same sums as the f32 layer's */
    snprintf(what, sizeof what, "linear N%d %d->%d db (f32)", N, IN, OUT);
    check_close(what, gb[0], gb[2], OUT, 1e-6, 1e-6);
    /* a second backward accumulates */
    float *acc = copy_floats(gw[0], (size_t)OUT * IN);
    linear_backward_bf16(l, NULL, acc, NULL, dy, x, w, N, IN, OUT);
    for (size_t i = 0; i < (size_t)OUT * IN; i++) acc[i] -= 2 * gw[0][i];
    float *zero = zero_floats((size_t)OUT * IN);
    snprintf(what, sizeof what, "linear N%d %d->%d dW accumulates", N, IN, OUT);
    check_close(what, acc, zero, (size_t)OUT * IN, 1e-6 * test_max_abs(gw[0], (size_t)OUT * IN), 0);
    free(acc), free(zero);
    for (int k = 0; k < 3; k++) free(out[k]), free(gi[k]), free(gw[k]), free(gb[k]);
    free(x), free(w), free(b), free(dy), free(rx), free(rw), free(rdy);
    linear_bf16_free(l);
}

/* Through the backend (what the nets use): under --precision bf16 a layer with fewer than 16
 * image-side channels computes in f32, bit for bit what the f32 backend computes; one with 16
 * computes in bf16. Forward of a transposed convolution (G's last layer) and of a convolution
 * (D's first), and the input gradient of the convolution. */
static void test_bf16_image_ends(void)
{
    printf("bf16 backend: image-end layers (C_img < 16) in f32, the others in bf16\n");
    dc_err e;
    ops_options o32 = {"cpu", CONV_BACKEND_AUTO, OPS_PRECISION_FP32};
    ops_options o16 = {"cpu", CONV_BACKEND_AUTO, OPS_PRECISION_BF16};
    ops_backend *b32 = ops_open(&o32, &e), *b16 = ops_open(&o16, &e);
    TEST_CHECK(b32 && b16, "ops_open: %s", e.msg);
    if (!b32 || !b16) return;
    static const int c_img[] = {3, 11, 16};
    for (size_t k = 0; k < sizeof c_img / sizeof *c_img; k++) {
        conv_geom g;
        TEST_CHECK(conv_geom_init(&g, 4, c_img[k], 16, 16, 32, 5, 5, 2, 2, CONV_PAD_SAME) == 0,
                   "geometry");
        const size_t ni = (size_t)g.N * g.C_img * g.H_img * g.W_img;
        const size_t nm = (size_t)g.N * g.C_map * g.H_map * g.W_map;
        const size_t nw = (size_t)g.C_map * g.C_img * g.K_h * g.K_w;
        float *img = rand_floats(ni), *map = rand_floats(nm), *w = rand_floats(nw);
        float *r32[3], *r16[3];
        for (int p = 0; p < 2; p++) {
            ops_backend *be = p ? b16 : b32;
            float **r = p ? r16 : r32;
            ops_conv *conv = ops_conv_create(be, &g, 0), *deconv = ops_conv_create(be, &g, 1);
            TEST_CHECK(conv && deconv, "ops_conv_create C_img %d", c_img[k]);
            size_t nwork = ops_conv_workspace_floats(conv);
            if (ops_conv_workspace_floats(deconv) > nwork) nwork = ops_conv_workspace_floats(deconv);
            float *work = zero_floats(nwork + 1);
            r[0] = zero_floats(ni), r[1] = zero_floats(nm), r[2] = zero_floats(ni);
            ops_conv_forward(deconv, r[0], map, w, NULL, work); /* G's last layer */
            ops_conv_forward(conv, r[1], img, w, NULL, work);   /* D's first */
            ops_conv_backward(conv, r[2], NULL, NULL, map, img, w, 1, work);
            ops_conv_free(conv), ops_conv_free(deconv);
            free(work);
        }
        static const char *what[] = {"deconv forward", "conv forward", "conv input gradient"};
        const size_t len[] = {ni, nm, ni};
        for (int i = 0; i < 3; i++) {
            int same = memcmp(r32[i], r16[i], len[i] * sizeof(float)) == 0;
            if (c_img[k] < 16)
                TEST_CHECK(same, "C_img %d %s: bf16 backend should compute in f32", c_img[k],
                           what[i]);
            else
                TEST_CHECK(!same, "C_img %d %s: bf16 backend computed in f32", c_img[k], what[i]);
            free(r32[i]), free(r16[i]);
        }
        free(img), free(map), free(w);
    }
    ops_close(b32);
    ops_close(b16);
}

int main(void)
{
    test_begin("test_conv_direct");
    test_geometry();

    static const conv_case cases[] = {
        {1, 2, 5, 5, 3, 3, 3, 1, 1, CONV_PAD_SAME, 1},
        {3, 3, 7, 6, 4, 5, 5, 2, 2, CONV_PAD_SAME, 1},  /* odd x even, pad 2 */
        {2, 2, 8, 8, 3, 5, 5, 2, 2, CONV_PAD_SAME, 0},  /* DCGAN: pad 1 before, 2 after */
        {3, 2, 9, 7, 3, 3, 3, 2, 2, CONV_PAD_VALID, 1},
        {1, 4, 6, 5, 2, 1, 1, 1, 1, CONV_PAD_VALID, 1}, /* 1x1 */
        {3, 3, 7, 7, 2, 1, 1, 3, 3, CONV_PAD_SAME, 0},  /* kernel smaller than stride */
        {2, 2, 3, 4, 3, 5, 5, 1, 1, CONV_PAD_SAME, 1},  /* kernel larger than image */
        {3, 2, 10, 9, 3, 3, 5, 1, 2, CONV_PAD_SAME, 1}, /* non-square kernel and stride */
        {3, 3, 6, 6, 2, 4, 4, 2, 2, CONV_PAD_SAME, 0},  /* even kernel */
        {1, 3, 11, 8, 5, 5, 5, 1, 1, CONV_PAD_VALID, 0},
        {3, 2, 8, 6, 3, 3, 3, 3, 3, CONV_PAD_VALID, 1},
        {3, 5, 4, 4, 6, 5, 5, 2, 2, CONV_PAD_SAME, 1},  /* DCGAN last layer shape, small */
        /* DCGAN layers with channel counts that take oneDNN's blocked layouts */
        {2, 3, 16, 16, 32, 5, 5, 2, 2, CONV_PAD_SAME, 1},  /* D's first layer */
        {2, 32, 8, 8, 48, 5, 5, 2, 2, CONV_PAD_SAME, 1},   /* a middle layer */
        {2, 64, 4, 4, 32, 5, 5, 2, 2, CONV_PAD_SAME, 1},   /* 4x4 -> 2x2 */
        {2, 13, 14, 14, 74, 5, 5, 2, 2, CONV_PAD_SAME, 1}, /* conditional D: 1 + 10 + 2 */
    };
    const size_t n_cases = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n_cases; i++)
        run_case(&cases[i], CONV_BACKEND_IM2COL, 1e-5, 1e-4, 1, 1);
    for (size_t i = 0; i < n_cases; i++) {
        int dcgan = cases[i].pad == CONV_PAD_SAME && cases[i].K_h == 5 && cases[i].K_w == 5 &&
                    cases[i].s_h == 2 && cases[i].s_w == 2;
        run_case(&cases[i], CONV_BACKEND_ONEDNN, 1e-5, 1e-4, 1, dcgan);
    }

    /* A batch big enough that the workspace holds fewer images than N: chunked GEMMs, with a
     * final one-image chunk. The smallest such map is found through the public workspace size,
     * so this keeps working if the chunk budget changes. Longer reductions: looser atol. */
    {
        conv_case big = {3, 32, 0, 0, 1, 5, 5, 1, 1, CONV_PAD_SAME, 1};
        int found = 0;
        for (int H = 16; H <= 160 && !found; H += 4) {
            conv_geom g;
            conv_geom_init(&g, big.N, big.C_img, H, H, big.C_map, big.K_h, big.K_w, big.s_h,
                           big.s_w, big.pad);
            size_t per = ((size_t)g.C_img * g.K_h * g.K_w + g.C_map) * g.H_map * g.W_map;
            if (conv_geom_workspace_floats(&g) < (size_t)g.N * per) {
                big.H = big.W = H;
                found = 1;
            }
        }
        TEST_CHECK(found, "no map up to 160x160 makes the workspace smaller than the batch");
        if (found) run_case(&big, CONV_BACKEND_IM2COL, 1e-4, 1e-4, 0, 1);
    }

    for (int lib = GEMM_OPENBLAS; lib <= GEMM_ONEDNN; lib++) {
        test_linear(3, 7, 5, 1, (gemm_lib)lib);
        test_linear(4, 100, 33, 0, (gemm_lib)lib);
        test_linear(1, 1, 1, 1, (gemm_lib)lib);
        /* large enough for linear_forward's transposed product (N*OUT >= 16384, IN >= 512),
         * OUT not a multiple of its 64-output blocks */
        test_linear(20, 600, 900, 1, (gemm_lib)lib);
        test_linear(17, 513, 1000, 0, (gemm_lib)lib);
        test_linear(70, 600, 1000, 1, (gemm_lib)lib); /* the transposes' threaded branches */
    }
    if (ops_cpu_has_bf16()) {
        printf("bf16 (--precision bf16) against f32 on bf16-rounded inputs:\n");
        for (size_t i = 0; i < n_cases; i++) {
            int dcgan = cases[i].pad == CONV_PAD_SAME && cases[i].K_h == 5 && cases[i].K_w == 5 &&
                        cases[i].s_h == 2 && cases[i].s_w == 2;
            run_case_bf16(&cases[i], dcgan);
        }
        test_linear_bf16(3, 7, 5);
        test_linear_bf16(16, 110, 448); /* G's conditional linear, small */
        test_linear_bf16(64, 300, 1);   /* D's last */
        test_bf16_image_ends();
    } else {
        printf("SKIP bf16 tests: this CPU has no bf16 instructions (oneDNN's ISA lacks "
               "AVX512_BF16)\n");
    }
    return test_finish();
}
