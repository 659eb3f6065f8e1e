/* cond_conv (ops/cpu/cond_conv.h): a convolution or transpose whose last Y input channels are
 * y as constant planes, computed without convolving them. Oracle: the same layer on the
 * explicitly concatenated input, through conv_plan on the full geometry (itself checked against
 * a double-precision direct convolution in test_conv_direct and PyTorch in test_train_step).
 * Checked: forward, input gradient (overwritten and accumulated), weight gradient accumulated
 * onto non-zero values, bias gradient; y with arbitrary values (the planes' response is linear
 * in y), SAME and VALID padding, odd sizes, both engines, the nChw16c layouts the net plans
 * (output side and a transpose's input side), and the net: the conditional model's layers
 * after a concat_y are folded on the CPU backend. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/dcgan.h"
#include "ops/cpu/cond_conv.h"
#include "ops/cpu/cpu_backend.h"
#include "testutil.h"

static uint64_t lcg_state = 0x2545F4914F6CDD1Dull;

static float frand(void) /* uniform in [-1, 1) */
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((lcg_state >> 40) / (double)(1u << 24)) * 2.0f - 1.0f;
}

static float *rand_floats(size_t n)
{
    float *p = dc_alloc_floats(n ? n : 1);
    for (size_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

static float *copy_floats(const float *s, size_t n)
{
    float *p = dc_alloc_floats(n ? n : 1);
    memcpy(p, s, n * sizeof *p);
    return p;
}

/* (N, C, HW) plain -> nChw16c (to_c16) or back; C a multiple of 16 */
static float *c16_convert(const float *x, int N, int C, int HW, int to_c16)
{
    float *o = dc_alloc_floats((size_t)N * C * HW);
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int s = 0; s < HW; s++) {
                size_t plain = ((size_t)n * C + c) * HW + s;
                size_t blocked = (((size_t)n * (C / 16) + c / 16) * HW + s) * 16 + c % 16;
                if (to_c16) o[blocked] = x[plain];
                else o[plain] = x[blocked];
            }
    return o;
}
static float *to_c16(const float *x, int N, int C, int HW) { return c16_convert(x, N, C, HW, 1); }
static float *from_c16(const float *x, int N, int C, int HW) { return c16_convert(x, N, C, HW, 0); }

static double max_rel_err(const float *got, const float *want, size_t n)
{
    double scale = 1e-3, err = 0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(want[i]));
    for (size_t i = 0; i < n; i++) err = fmax(err, fabs((double)got[i] - want[i]));
    return err / scale;
}

typedef struct {
    const char *name;
    int transpose, N, Cx, Y, H, W, Cout, K, stride;
    conv_padding pad;
    int c16_out, c16_in; /* nChw16c on the output side / the input side */
} cond_case;

static void run_case_in(const cond_case *k, conv_backend backend, ops_precision precision)
{
    /* bf16: both sides round x and the weights to bf16 (the oracle the label weights too) */
    const int bf16 = precision == OPS_PRECISION_BF16;
    const double tol = bf16 ? 2e-2 : 1e-5;
    /* the full layer's geometry: image side = the conv's input, the transpose's output */
    conv_geom g;
    int Cin = k->Cx + k->Y;
    int rc = k->transpose
                 ? conv_geom_init(&g, k->N, k->Cout, k->H * k->stride, k->W * k->stride, Cin,
                                  k->K, k->K, k->stride, k->stride, k->pad)
                 : conv_geom_init(&g, k->N, Cin, k->H, k->W, k->Cout, k->K, k->K, k->stride,
                                  k->stride, k->pad);
    TEST_CHECK(rc == 0, "%s: geometry", k->name);
    if (rc != 0) return;
    const int in_HW = k->transpose ? g.H_map * g.W_map : g.H_img * g.W_img;
    const int out_HW = k->transpose ? g.H_img * g.W_img : g.H_map * g.W_map;
    const size_t nx = (size_t)k->N * k->Cx * in_HW, nfull = (size_t)k->N * Cin * in_HW;
    const size_t nout = (size_t)k->N * k->Cout * out_HW;
    const size_t nw = (size_t)g.C_map * g.C_img * g.K_h * g.K_w;

    float *x = rand_floats(nx), *y = rand_floats((size_t)k->N * k->Y);
    float *w = rand_floats(nw), *b = rand_floats((size_t)k->Cout), *dout = rand_floats(nout);
    /* the oracle's input: x, then y's values as planes */
    float *full = dc_alloc_floats(nfull);
    for (int n = 0; n < k->N; n++) {
        memcpy(full + (size_t)n * Cin * in_HW, x + (size_t)n * k->Cx * in_HW,
               (size_t)k->Cx * in_HW * sizeof(float));
        for (int c = 0; c < k->Y; c++)
            for (int s = 0; s < in_HW; s++)
                full[((size_t)n * Cin + k->Cx + c) * in_HW + s] = y[(size_t)n * k->Y + c];
    }
    conv_plan ref;
    TEST_CHECK(conv_plan_init_precision(&ref, &g, k->transpose,
                                        bf16 ? CONV_BACKEND_ONEDNN : CONV_BACKEND_IM2COL,
                                        precision) == 0,
               "%s: oracle plan", k->name);
    cond_conv cc;
    rc = cond_conv_init(&cc, &g, k->transpose, k->Y, y, backend, precision);
    TEST_CHECK(rc == 0, "%s: cond_conv_init", k->name);
    if (rc != 0) {
        conv_plan_free(&ref);
        free(x), free(y), free(w), free(b), free(dout), free(full);
        return;
    }
    int out_c16 = 0, in_c16 = 0;
    if (k->c16_out || k->c16_in) {
        int img = k->transpose ? k->c16_out : k->c16_in, map = k->transpose ? k->c16_in : k->c16_out;
        rc = conv_plan_set_c16(&cc.x, img, map);
        TEST_CHECK(backend != CONV_BACKEND_ONEDNN || rc == 0, "%s: nChw16c refused", k->name);
        if (rc == 0) out_c16 = k->c16_out, in_c16 = k->c16_in;
    }
    size_t ws = conv_plan_workspace_floats(&ref);
    if (conv_plan_workspace_floats(&cc.x) > ws) ws = conv_plan_workspace_floats(&cc.x);
    float *work = dc_alloc_floats(ws + 1);

    /* forward */
    float *want = dc_alloc_floats(nout), *got = dc_alloc_floats(nout);
    conv_plan_forward(&ref, want, full, w, b, work);
    float *x_in = in_c16 ? to_c16(x, k->N, k->Cx, in_HW) : copy_floats(x, nx);
    cond_conv_forward(&cc, got, x_in, w, b, work);
    float *got_plain = out_c16 ? from_c16(got, k->N, k->Cout, out_HW) : copy_floats(got, nout);
    double e = max_rel_err(got_plain, want, nout);
    TEST_CHECK(e < tol, "%s (%s): forward off by %.3g", k->name, conv_backend_name(backend), e);

    /* backward: dinp overwritten, then accumulated; dweight and dbias accumulated */
    float *dw0 = rand_floats(nw), *db0 = rand_floats((size_t)k->Cout);
    float *dw_want = copy_floats(dw0, nw), *db_want = copy_floats(db0, (size_t)k->Cout);
    float *dfull = dc_alloc_floats(nfull);
    conv_plan_backward(&ref, dfull, dw_want, db_want, dout, full, w, 1, work);
    float *dw_got = copy_floats(dw0, nw), *db_got = copy_floats(db0, (size_t)k->Cout);
    float *dout_in = out_c16 ? to_c16(dout, k->N, k->Cout, out_HW) : copy_floats(dout, nout);
    float *dx = dc_alloc_floats(nx);
    cond_conv_backward(&cc, dx, dw_got, db_got, dout_in, x_in, w, 1, work);
    float *dx_want = dc_alloc_floats(nx);
    for (int n = 0; n < k->N; n++)
        memcpy(dx_want + (size_t)n * k->Cx * in_HW, dfull + (size_t)n * Cin * in_HW,
               (size_t)k->Cx * in_HW * sizeof(float));
    float *dx_plain = in_c16 ? from_c16(dx, k->N, k->Cx, in_HW) : copy_floats(dx, nx);
    e = max_rel_err(dx_plain, dx_want, nx);
    TEST_CHECK(e < tol, "%s (%s): input gradient off by %.3g", k->name, conv_backend_name(backend), e);
    e = max_rel_err(dw_got, dw_want, nw);
    TEST_CHECK(e < tol, "%s (%s): weight gradient off by %.3g", k->name, conv_backend_name(backend), e);
    e = max_rel_err(db_got, db_want, (size_t)k->Cout);
    TEST_CHECK(e < tol, "%s (%s): bias gradient off by %.3g", k->name, conv_backend_name(backend), e);
    /* accumulating into dinp: twice the overwrite; NULL gradients are skipped */
    cond_conv_backward(&cc, dx, NULL, NULL, dout_in, x_in, w, 0, work);
    free(dx_plain);
    dx_plain = in_c16 ? from_c16(dx, k->N, k->Cx, in_HW) : copy_floats(dx, nx);
    for (size_t i = 0; i < nx; i++) dx_want[i] *= 2.0f;
    e = max_rel_err(dx_plain, dx_want, nx);
    TEST_CHECK(e < tol, "%s (%s): accumulated input gradient off by %.3g", k->name,
               conv_backend_name(backend), e);
    printf("ok   %-34s %-6s%s%s%s\n", k->name, conv_backend_name(backend), bf16 ? " bf16" : "",
           out_c16 ? " c16-out" : "", in_c16 ? " c16-in" : "");

    cond_conv_free(&cc);
    conv_plan_free(&ref);
    free(x), free(y), free(w), free(b), free(dout), free(full), free(work), free(want), free(got);
    free(x_in), free(got_plain), free(dw0), free(db0), free(dw_want), free(db_want), free(dfull);
    free(dw_got), free(db_got), free(dout_in), free(dx), free(dx_want), free(dx_plain);
}

static void run_case(const cond_case *k, conv_backend backend)
{
    run_case_in(k, backend, OPS_PRECISION_FP32);
}

/* The CPU backend folds each concat_y that feeds a convolution (not the ones that feed a linear
 * layer); the conditional step itself is checked against PyTorch in test_train_step. */
static void test_net_folds(void)
{
    dcgan_config c = dcgan_config_default();
    c.output_h = c.output_w = 28;
    c.c_dim = 1;
    c.y_dim = 10;
    c.batch = 4;
    dc_err e;
    dcgan_model m;
    TEST_CHECK(dcgan_model_init(&m, &c, &e) == 0, "%s", e.msg);
    int folded = 0, concats = 0;
    const net *nets[2] = {&m.G, &m.D};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < nets[k]->n_layers; i++) {
            const layer *l = &nets[k]->layers[i];
            if (l->kind != LAYER_CONCAT_Y) continue;
            concats++;
            int feeds_conv = i + 1 < nets[k]->n_layers && layer_is_conv(&nets[k]->layers[i + 1]);
            TEST_CHECK(l->folded == feeds_conv, "%s layer %d: folded %d, feeds a conv %d",
                       nets[k]->prefix, i, l->folded, feeds_conv);
            folded += l->folded;
        }
    /* G: before g_h2 and g_h3 (not at the input and before g_h1: linear layers); D: at the
     * input and before d_h1 (not before d_h2 and d_h3) */
    TEST_CHECK(folded == 4 && concats == 8, "%d of %d concats folded, want 4 of 8", folded, concats);
    printf("ok   the conditional model: %d of %d concat_y layers folded\n", folded, concats);
    dcgan_model_free(&m);
}

int main(void)
{
    test_begin("test_cond_conv");
    const cond_case cases[] = {
        {"conv 5x5 s2 SAME 12x12", 0, 3, 5, 4, 12, 12, 7, 5, 2, CONV_PAD_SAME, 0, 0},
        {"conv 5x5 s2 SAME 11x13", 0, 2, 3, 10, 11, 13, 6, 5, 2, CONV_PAD_SAME, 0, 0},
        {"conv 3x3 s1 VALID 9x7", 0, 2, 4, 3, 9, 7, 5, 3, 1, CONV_PAD_VALID, 0, 0},
        {"conv 1 image channel (D's input)", 0, 4, 1, 10, 14, 14, 11, 5, 2, CONV_PAD_SAME, 0, 0},
        {"transpose 5x5 s2 SAME 6x6", 1, 3, 6, 4, 6, 6, 5, 5, 2, CONV_PAD_SAME, 0, 0},
        {"transpose 5x5 s2 SAME 5x7", 1, 2, 3, 10, 5, 7, 4, 5, 2, CONV_PAD_SAME, 0, 0},
        {"transpose to 1 channel (G's last)", 1, 3, 32, 10, 7, 7, 1, 5, 2, CONV_PAD_SAME, 0, 0},
        {"conv, nChw16c output", 0, 2, 16, 10, 14, 14, 32, 5, 2, CONV_PAD_SAME, 1, 0},
        {"transpose, nChw16c output", 1, 2, 32, 10, 7, 7, 16, 5, 2, CONV_PAD_SAME, 1, 0},
        {"transpose, nChw16c input", 1, 2, 32, 10, 7, 7, 1, 5, 2, CONV_PAD_SAME, 0, 1},
        {"transpose, nChw16c both sides", 1, 2, 16, 10, 7, 7, 32, 5, 2, CONV_PAD_SAME, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (!cases[i].c16_out && !cases[i].c16_in) run_case(&cases[i], CONV_BACKEND_IM2COL);
        run_case(&cases[i], CONV_BACKEND_ONEDNN);
    }
    /* bf16 plans (where the CPU has the instructions): the x part in bf16, the planes in f32 */
    if (ops_cpu_has_bf16()) {
        run_case_in(&cases[0], CONV_BACKEND_ONEDNN, OPS_PRECISION_BF16);
        run_case_in(&cases[4], CONV_BACKEND_ONEDNN, OPS_PRECISION_BF16);
    } else {
        printf("--   bf16 cases skipped: no AVX512_BF16 on this CPU\n");
    }
    test_net_folds();
    return test_finish();
}
