/* Every op against PyTorch: tests/reference/ops_*.safetensors (written by
 * tests/reference/make_reference.py) hold each case's inputs, a random upstream gradient, and
 * PyTorch's float64 outputs and gradients. This test runs the C op on the same float32 inputs
 * and compares every output and gradient.
 *
 * Tolerance: |got - want| <= tol * max|want over the tensor| + tol * |want|, with tol per op and
 * tensor (docs/ops.md explains the choices). Scaling atol by the tensor's largest magnitude
 * models float32 summation error, which is proportional to the size of the summed terms rather
 * than to the (possibly cancelled) result.
 *
 * Also checked: forward overwrites its output (it is pre-filled with NaN) and the conv
 * workspace may hold garbage; backward accumulates (a second call doubles the gradient); NULL
 * gradient pointers skip work without changing the others; a perturbed reference IS reported
 * (the comparison can fail); a missing reference file is an error that names the file.
 *
 * Run from the repository root. The last lines summarise the max errors per op and tensor. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"
#include "ops/cpu/activation.h"
#include "ops/cpu/adam.h"
#include "ops/cpu/batchnorm.h"
#include "ops/cpu/concat.h"
#include "ops/cpu/conv2d.h"
#include "ops/cpu/conv_plan.h"
#include "ops/cpu/linear.h"
#include "ops/cpu/loss.h"
#include "ops/cpu/spectral_norm.h"
#include "testutil.h"

#define REF_DIR "tests/reference/"

/* ---- summary of measured errors -------------------------------------------------------- */

typedef struct {
    char op[32], tensor[32];
    double max_abs, max_rel, max_scaled, tol;
    int count;
} summary_row;

static summary_row g_rows[128];
static int g_nrows;

static void record(const char *op, const char *tensor, compare_result r, double scale,
                   double tol)
{
    summary_row *s = NULL;
    for (int i = 0; i < g_nrows; i++)
        if (strcmp(g_rows[i].op, op) == 0 && strcmp(g_rows[i].tensor, tensor) == 0) s = &g_rows[i];
    if (!s) {
        if (g_nrows == (int)(sizeof g_rows / sizeof g_rows[0])) return;
        s = &g_rows[g_nrows++];
        memset(s, 0, sizeof *s);
        snprintf(s->op, sizeof s->op, "%s", op);
        snprintf(s->tensor, sizeof s->tensor, "%s", tensor);
    }
    double scaled = scale > 0 ? r.max_abs / scale : r.max_abs;
    if (r.max_abs > s->max_abs) s->max_abs = r.max_abs;
    if (r.max_rel > s->max_rel) s->max_rel = r.max_rel;
    if (scaled > s->max_scaled) s->max_scaled = scaled;
    s->tol = tol;
    s->count++;
}

static void print_summary(void)
{
    printf("\nsummary (max over cases; scaled = max_abs / max|want| per tensor)\n");
    printf("  %-18s %-18s %5s %10s %10s %10s %9s\n", "op", "tensor", "cases", "max_abs",
           "max_rel", "scaled", "tol");
    for (int i = 0; i < g_nrows; i++)
        printf("  %-18s %-18s %5d %10.3g %10.3g %10.3g %9.1e\n", g_rows[i].op, g_rows[i].tensor,
               g_rows[i].count, g_rows[i].max_abs, g_rows[i].max_rel, g_rows[i].max_scaled,
               g_rows[i].tol);
}

static double max_abs_of(const float *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs((double)x[i]) > m) m = fabs((double)x[i]);
    return m;
}

/* Compares got with want: |got - want| <= tol * scale + tol * |want| with scale =
 * max(max|want|, floor). floor is the size of the terms a reduction sums when the result can be
 * much smaller than its terms through cancellation (a bias gradient summing signed values,
 * batch norm's dinp at batch 2); 0 elsewhere. Records the errors under (op, tensor) unless
 * tensor starts with '~' (derived checks: accumulation, NULL pointers, in place). */
static int cmp_floor(const char *op, int k, const char *tensor, const float *got,
                     const float *want, size_t n, double tol, double floor)
{
    char label[96];
    snprintf(label, sizeof label, "%s case%d %s", op, k, tensor);
    double scale = max_abs_of(want, n);
    if (floor > scale) scale = floor;
    int ok = check_close(label, got, want, n, tol * scale, tol);
    if (tensor[0] != '~')
        record(op, tensor, compare_floats(got, want, n, tol * scale, tol), scale, tol);
    return ok;
}

static int cmp(const char *op, int k, const char *tensor, const float *got, const float *want,
               size_t n, double tol)
{
    return cmp_floor(op, k, tensor, got, want, n, tol, 0.0);
}

/* ---- reference file access ------------------------------------------------------------- */

typedef struct {
    safetensors_file *f;
    const char *path;
    int ncases;
} ref_file;

static int ref_open(ref_file *r, const char *path)
{
    dc_err e = {{0}};
    r->path = path;
    r->f = safetensors_read(path, &e);
    TEST_CHECK(r->f != NULL, "%s (regenerate: /usr/bin/python3 tests/reference/make_reference.py)",
               e.msg);
    if (!r->f) return -1;
    const char *c = safetensors_metadata(r->f, "cases");
    r->ncases = c ? atoi(c) : 0;
    TEST_CHECK(r->ncases > 0, "%s: no \"cases\" metadata", path);
    printf("%s: %d cases\n", path, r->ncases);
    return r->ncases > 0 ? 0 : -1;
}

static cJSON *ref_params(ref_file *r, int k)
{
    char key[32];
    snprintf(key, sizeof key, "case%d", k);
    const char *s = safetensors_metadata(r->f, key);
    cJSON *j = s ? cJSON_Parse(s) : NULL;
    TEST_CHECK(j != NULL, "%s: missing or bad metadata %s", r->path, key);
    return j;
}

static int pint(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    TEST_CHECK(cJSON_IsNumber(v), "case parameter %s missing", key);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

static double pnum(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    TEST_CHECK(cJSON_IsNumber(v), "case parameter %s missing", key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static const char *pstr(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    TEST_CHECK(cJSON_IsString(v), "case parameter %s missing", key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Tensor case{k}/name with exactly n elements, or NULL (a failed check). */
static const float *ref_get(ref_file *r, int k, const char *name, size_t n)
{
    char full[96];
    snprintf(full, sizeof full, "case%d/%s", k, name);
    const safetensors_tensor *t = safetensors_find(r->f, full);
    TEST_CHECK(t != NULL, "%s: no tensor %s", r->path, full);
    if (!t) return NULL;
    TEST_CHECK(t->dtype == SAFETENSORS_F32 && t->numel == n, "%s: %s has %zu elements, want %zu",
               r->path, full, t->numel, n);
    return t->dtype == SAFETENSORS_F32 && t->numel == n ? t->data : NULL;
}

static float *alloc_nan(size_t n)
{
    float *p = dc_alloc_floats(n);
    for (size_t i = 0; i < n; i++) p[i] = NAN;
    return p;
}

static float *copy_of(const float *x, size_t n)
{
    float *p = dc_alloc_floats(n);
    memcpy(p, x, n * sizeof *p);
    return p;
}

static float *doubled(const float *x, size_t n)
{
    float *p = dc_alloc_floats(n);
    for (size_t i = 0; i < n; i++) p[i] = 2.0f * x[i];
    return p;
}

/* ---- conv2d and conv2d_transpose -------------------------------------------------------- */

#define TOL_CONV 2e-6

static void run_conv(ref_file *r, int k, int transpose, conv_backend backend)
{
    char op[48];
    snprintf(op, sizeof op, "%s", transpose ? "conv2d_transpose" : "conv2d");
    cJSON *j = ref_params(r, k);
    if (!j) return;
    int N = pint(j, "N"), Ci = pint(j, "C_img"), H = pint(j, "H_img"), W = pint(j, "W_img");
    int Cm = pint(j, "C_map"), kh = pint(j, "K_h"), kw = pint(j, "K_w");
    int sh = pint(j, "stride_h"), sw = pint(j, "stride_w"), has_bias = pint(j, "bias");
    conv_padding pad = strcmp(pstr(j, "padding"), "SAME") == 0 ? CONV_PAD_SAME : CONV_PAD_VALID;
    conv_geom g;
    int rc = conv_geom_init(&g, N, Ci, H, W, Cm, kh, kw, sh, sw, pad);
    TEST_CHECK(rc == 0, "%s case%d: conv_geom_init failed", op, k);
    TEST_CHECK(g.H_map == pint(j, "H_map") && g.W_map == pint(j, "W_map") &&
                   g.pad_top == pint(j, "pad_top") && g.pad_left == pint(j, "pad_left"),
               "%s case%d: geometry map %dx%d pad %d,%d; reference %dx%d pad %d,%d", op, k,
               g.H_map, g.W_map, g.pad_top, g.pad_left, pint(j, "H_map"), pint(j, "W_map"),
               pint(j, "pad_top"), pint(j, "pad_left"));
    cJSON_Delete(j);
    if (rc != 0) return;
    conv_plan plan;
    if (conv_plan_init(&plan, &g, transpose, backend) != 0) return;
    snprintf(op, sizeof op, "%s[%s]", transpose ? "conv2d_transpose" : "conv2d",
             conv_backend_name(plan.backend));

    size_t n_img = (size_t)N * Ci * H * W, n_map = (size_t)N * Cm * g.H_map * g.W_map;
    size_t n_w = (size_t)Cm * Ci * kh * kw, n_b = transpose ? (size_t)Ci : (size_t)Cm;
    size_t n_in = transpose ? n_map : n_img, n_out = transpose ? n_img : n_map;
    const float *inp = ref_get(r, k, "inp", n_in), *w = ref_get(r, k, "weight", n_w);
    const float *dout = ref_get(r, k, "dout", n_out), *want = ref_get(r, k, "out", n_out);
    const float *wdinp = ref_get(r, k, "dinp", n_in), *wdw = ref_get(r, k, "dweight", n_w);
    const float *b = has_bias ? ref_get(r, k, "bias", n_b) : NULL;
    const float *wdb = has_bias ? ref_get(r, k, "dbias", n_b) : NULL;
    if (!inp || !w || !dout || !want || !wdinp || !wdw || (has_bias && (!b || !wdb))) {
        conv_plan_free(&plan);
        return;
    }

    size_t nwork = conv_plan_workspace_floats(&plan);
    float *work = alloc_nan(nwork); /* garbage workspace must not matter */
    float *out = alloc_nan(n_out);
    float *dinp = dc_alloc_floats(n_in), *dw = dc_alloc_floats(n_w), *db = dc_alloc_floats(n_b);

    if (transpose) {
        conv_plan_forward(&plan, out, inp, w, b, work);
        for (size_t i = 0; i < nwork; i++) work[i] = NAN;
        conv_plan_backward(&plan, dinp, dw, has_bias ? db : NULL, dout, inp, w, 0, work);
    } else {
        conv_plan_forward(&plan, out, inp, w, b, work);
        for (size_t i = 0; i < nwork; i++) work[i] = NAN;
        conv_plan_backward(&plan, dinp, dw, has_bias ? db : NULL, dout, inp, w, 0, work);
    }
    cmp(op, k, "out", out, want, n_out, TOL_CONV);
    cmp(op, k, "dinp", dinp, wdinp, n_in, TOL_CONV);
    cmp(op, k, "dweight", dw, wdw, n_w, TOL_CONV);
    double dout_max = max_abs_of(dout, n_out);
    if (has_bias) cmp_floor(op, k, "dbias", db, wdb, n_b, TOL_CONV, dout_max);

    if (k < 3) {
        /* Accumulation: a second backward adds the same gradient again. */
        if (transpose)
            conv_plan_backward(&plan, dinp, dw, has_bias ? db : NULL, dout, inp, w, 0, work);
        else
            conv_plan_backward(&plan, dinp, dw, has_bias ? db : NULL, dout, inp, w, 0, work);
        float *t2 = doubled(wdinp, n_in), *w2 = doubled(wdw, n_w);
        cmp(op, k, "~dinp accumulated", dinp, t2, n_in, TOL_CONV);
        cmp(op, k, "~dweight accumulated", dw, w2, n_w, TOL_CONV);
        free(t2);
        free(w2);
        if (has_bias) {
            float *b2 = doubled(wdb, n_b);
            cmp_floor(op, k, "~dbias accumulated", db, b2, n_b, TOL_CONV, 2 * dout_max);
            free(b2);
        }
        /* NULL gradients: only dinp, then only dweight. */
        memset(dinp, 0, n_in * sizeof *dinp);
        memset(dw, 0, n_w * sizeof *dw);
        if (transpose) {
            conv_plan_backward(&plan, dinp, NULL, NULL, dout, inp, w, 0, work);
            conv_plan_backward(&plan, NULL, dw, NULL, dout, inp, w, 0, work);
        } else {
            conv_plan_backward(&plan, dinp, NULL, NULL, dout, inp, w, 0, work);
            conv_plan_backward(&plan, NULL, dw, NULL, dout, inp, w, 0, work);
        }
        cmp(op, k, "~dinp alone", dinp, wdinp, n_in, TOL_CONV);
        cmp(op, k, "~dweight alone", dw, wdw, n_w, TOL_CONV);
    }
    conv_plan_free(&plan);
    free(work);
    free(out);
    free(dinp);
    free(dw);
    free(db);
}

static void test_conv(int transpose, conv_backend backend)
{
    ref_file r;
    if (ref_open(&r, transpose ? REF_DIR "ops_conv2d_transpose.safetensors"
                               : REF_DIR "ops_conv2d.safetensors") != 0)
        return;
    for (int k = 0; k < r.ncases; k++) run_conv(&r, k, transpose, backend);
    safetensors_free(r.f);
}

/* ---- linear ----------------------------------------------------------------------------- */

#define TOL_LINEAR 2e-6

static void test_linear(gemm_lib lib)
{
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_linear.safetensors") != 0) return;
    for (int k = 0; k < r.ncases; k++) {
        cJSON *j = ref_params(&r, k);
        if (!j) continue;
        int N = pint(j, "N"), IN = pint(j, "IN"), OUT = pint(j, "OUT"), hb = pint(j, "bias");
        cJSON_Delete(j);
        size_t ni = (size_t)N * IN, no = (size_t)N * OUT, nw = (size_t)OUT * IN;
        const float *x = ref_get(&r, k, "inp", ni), *w = ref_get(&r, k, "weight", nw);
        const float *dout = ref_get(&r, k, "dout", no), *want = ref_get(&r, k, "out", no);
        const float *wdx = ref_get(&r, k, "dinp", ni), *wdw = ref_get(&r, k, "dweight", nw);
        const float *b = hb ? ref_get(&r, k, "bias", (size_t)OUT) : NULL;
        const float *wdb = hb ? ref_get(&r, k, "dbias", (size_t)OUT) : NULL;
        if (!x || !w || !dout || !want || !wdx || !wdw || (hb && (!b || !wdb))) continue;
        float *out = alloc_nan(no), *dx = dc_alloc_floats(ni), *dw = dc_alloc_floats(nw);
        float *db = dc_alloc_floats((size_t)OUT);
        linear_forward(out, x, w, b, N, IN, OUT, lib);
        linear_backward(dx, dw, hb ? db : NULL, dout, x, w, N, IN, OUT, lib);
        cmp("linear", k, "out", out, want, no, TOL_LINEAR);
        cmp("linear", k, "dinp", dx, wdx, ni, TOL_LINEAR);
        cmp("linear", k, "dweight", dw, wdw, nw, TOL_LINEAR);
        if (hb)
            cmp_floor("linear", k, "dbias", db, wdb, (size_t)OUT, TOL_LINEAR,
                      max_abs_of(dout, no));
        if (k < 2) {
            linear_backward(dx, dw, hb ? db : NULL, dout, x, w, N, IN, OUT, lib);
            float *x2 = doubled(wdx, ni), *w2 = doubled(wdw, nw);
            cmp("linear", k, "~dinp accumulated", dx, x2, ni, TOL_LINEAR);
            cmp("linear", k, "~dweight accumulated", dw, w2, nw, TOL_LINEAR);
            free(x2);
            free(w2);
            memset(dx, 0, ni * sizeof *dx);
            linear_backward(dx, NULL, NULL, dout, x, w, N, IN, OUT, lib);
            cmp("linear", k, "~dinp alone", dx, wdx, ni, TOL_LINEAR);
        }
        free(out);
        free(dx);
        free(dw);
        free(db);
    }
    safetensors_free(r.f);
}

/* ---- batchnorm -------------------------------------------------------------------------- */

#define TOL_BN 5e-6
#define TOL_BN_STATS 2e-6

static void test_batchnorm(void)
{
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_batchnorm.safetensors") != 0) return;
    for (int k = 0; k < r.ncases; k++) {
        cJSON *j = ref_params(&r, k);
        if (!j) continue;
        int N = pint(j, "N"), C = pint(j, "C"), S = pint(j, "S");
        int train = strcmp(pstr(j, "op"), "batchnorm_train") == 0;
        cJSON_Delete(j);
        size_t n = (size_t)N * C * S, c = (size_t)C;
        const float *x = ref_get(&r, k, "inp", n), *gamma = ref_get(&r, k, "gamma", c);
        const float *beta = ref_get(&r, k, "beta", c), *rm = ref_get(&r, k, "running_mean", c);
        const float *rv = ref_get(&r, k, "running_var", c), *want = ref_get(&r, k, "out", n);
        if (!x || !gamma || !beta || !rm || !rv || !want) continue;
        float *out = alloc_nan(n);
        if (!train) {
            batchnorm_forward_eval(out, x, rm, rv, gamma, beta, N, C, S, BATCHNORM_EPS);
            cmp("batchnorm_eval", k, "out", out, want, n, TOL_BN);
            free(out);
            continue;
        }
        const float *dout = ref_get(&r, k, "dout", n), *wmean = ref_get(&r, k, "mean", c);
        const float *wrstd = ref_get(&r, k, "rstd", c);
        const float *wrm = ref_get(&r, k, "running_mean_out", c);
        const float *wrv = ref_get(&r, k, "running_var_out", c);
        const float *wdx = ref_get(&r, k, "dinp", n), *wdg = ref_get(&r, k, "dgamma", c);
        const float *wdb = ref_get(&r, k, "dbeta", c);
        if (!dout || !wmean || !wrstd || !wrm || !wrv || !wdx || !wdg || !wdb) {
            free(out);
            continue;
        }
        float *mean = alloc_nan(c), *rstd = alloc_nan(c);
        float *run_m = copy_of(rm, c), *run_v = copy_of(rv, c);
        float *dx = dc_alloc_floats(n), *dg = dc_alloc_floats(c), *db = dc_alloc_floats(c);
        batchnorm_forward_train(out, mean, rstd, run_m, run_v, x, gamma, beta, N, C, S,
                                BATCHNORM_DECAY, BATCHNORM_EPS);
        batchnorm_backward(dx, dg, db, dout, x, mean, rstd, gamma, N, C, S);
        cmp("batchnorm_train", k, "out", out, want, n, TOL_BN);
        cmp("batchnorm_train", k, "mean", mean, wmean, c, TOL_BN_STATS);
        cmp("batchnorm_train", k, "rstd", rstd, wrstd, c, TOL_BN_STATS);
        cmp("batchnorm_train", k, "running_mean", run_m, wrm, c, TOL_BN_STATS);
        cmp("batchnorm_train", k, "running_var", run_v, wrv, c, TOL_BN_STATS);
        /* dinp = gamma*rstd*(dout - mean(dout) - xhat*mean(dout*xhat)): terms of size
         * max|gamma*rstd| * max|dout| that cancel completely at batch 2 */
        double gr = 0, dmax = max_abs_of(dout, n);
        for (size_t i = 0; i < c; i++)
            if (fabs((double)gamma[i] * wrstd[i]) > gr) gr = fabs((double)gamma[i] * wrstd[i]);
        cmp_floor("batchnorm_train", k, "dinp", dx, wdx, n, TOL_BN, gr * dmax);
        cmp_floor("batchnorm_train", k, "dgamma", dg, wdg, c, TOL_BN, dmax);
        cmp_floor("batchnorm_train", k, "dbeta", db, wdb, c, TOL_BN, dmax);
        if (k < 2) {
            /* NULL running stats leave the output alone; backward accumulates and skips NULLs */
            float *out2 = alloc_nan(n);
            batchnorm_forward_train(out2, mean, rstd, NULL, NULL, x, gamma, beta, N, C, S,
                                    BATCHNORM_DECAY, BATCHNORM_EPS);
            cmp("batchnorm_train", k, "~out without running stats", out2, want, n, TOL_BN);
            batchnorm_backward(dx, NULL, db, dout, x, mean, rstd, gamma, N, C, S);
            batchnorm_backward(NULL, dg, NULL, dout, x, mean, rstd, gamma, N, C, S);
            float *x2 = doubled(wdx, n), *g2 = doubled(wdg, c), *b2 = doubled(wdb, c);
            cmp_floor("batchnorm_train", k, "~dinp accumulated", dx, x2, n, TOL_BN, 2 * gr * dmax);
            cmp_floor("batchnorm_train", k, "~dgamma accumulated", dg, g2, c, TOL_BN, 2 * dmax);
            cmp_floor("batchnorm_train", k, "~dbeta accumulated", db, b2, c, TOL_BN, 2 * dmax);
            free(out2);
            free(x2);
            free(g2);
            free(b2);
        }
        free(out);
        free(mean);
        free(rstd);
        free(run_m);
        free(run_v);
        free(dx);
        free(dg);
        free(db);
    }
    safetensors_free(r.f);
}

/* ---- activations ------------------------------------------------------------------------ */

#define TOL_ACT 1e-6

static void test_activation(void)
{
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_activation.safetensors") != 0) return;
    for (int k = 0; k < r.ncases; k++) {
        cJSON *j = ref_params(&r, k);
        if (!j) continue;
        char op[16];
        snprintf(op, sizeof op, "%s", pstr(j, "op"));
        size_t n = (size_t)pint(j, "n");
        cJSON_Delete(j);
        const float *x = ref_get(&r, k, "inp", n), *dout = ref_get(&r, k, "dout", n);
        const float *want = ref_get(&r, k, "out", n), *wdx = ref_get(&r, k, "dinp", n);
        if (!x || !dout || !want || !wdx) continue;
        float *out = alloc_nan(n), *dx = dc_alloc_floats(n), *inplace = copy_of(x, n);
        for (int pass = 0; pass < 2; pass++) {
            if (strcmp(op, "relu") == 0) {
                relu_forward(out, x, n);
                relu_backward(dx, dout, x, n);
                if (!pass) relu_forward(inplace, inplace, n);
            } else if (strcmp(op, "lrelu") == 0) {
                lrelu_forward(out, x, LRELU_SLOPE, n);
                lrelu_backward(dx, dout, x, LRELU_SLOPE, n);
                if (!pass) lrelu_forward(inplace, inplace, LRELU_SLOPE, n);
            } else if (strcmp(op, "tanh") == 0) {
                tanh_forward(out, x, n);
                tanh_backward(dx, dout, out, n);
                if (!pass) tanh_forward(inplace, inplace, n);
            } else if (strcmp(op, "sigmoid") == 0) {
                sigmoid_forward(out, x, n);
                sigmoid_backward(dx, dout, out, n);
                if (!pass) sigmoid_forward(inplace, inplace, n);
            } else {
                TEST_CHECK(0, "unknown activation %s", op);
                break;
            }
            if (!pass) {
                cmp(op, k, "out", out, want, n, TOL_ACT);
                cmp(op, k, "dinp", dx, wdx, n, TOL_ACT);
                cmp(op, k, "~out in place", inplace, want, n, TOL_ACT);
            } else {
                float *x2 = doubled(wdx, n);
                cmp(op, k, "~dinp accumulated", dx, x2, n, TOL_ACT);
                free(x2);
            }
        }
        free(out);
        free(dx);
        free(inplace);
    }
    safetensors_free(r.f);
}

/* ---- loss ------------------------------------------------------------------------------- */

#define TOL_LOSS 1e-6

static void test_loss(void)
{
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_loss.safetensors") != 0) return;
    for (int k = 0; k < r.ncases; k++) {
        cJSON *j = ref_params(&r, k);
        if (!j) continue;
        size_t n = (size_t)pint(j, "n");
        float target = (float)pnum(j, "target"), scale = (float)pnum(j, "scale");
        cJSON_Delete(j);
        const float *x = ref_get(&r, k, "logits", n), *wl = ref_get(&r, k, "loss", 1);
        const float *wdx = ref_get(&r, k, "dlogits", n);
        if (!x || !wl || !wdx) continue;
        float loss = sigmoid_xent_forward(x, target, n);
        float *dx = dc_alloc_floats(n);
        sigmoid_xent_backward(dx, x, target, scale, n);
        cmp("sigmoid_xent", k, "loss", &loss, wl, 1, TOL_LOSS);
        cmp("sigmoid_xent", k, "dlogits", dx, wdx, n, TOL_LOSS);
        sigmoid_xent_backward(dx, x, target, scale, n);
        float *x2 = doubled(wdx, n);
        cmp("sigmoid_xent", k, "~dlogits accumulated", dx, x2, n, TOL_LOSS);
        free(x2);
        free(dx);
    }
    safetensors_free(r.f);
}

/* ---- concat ----------------------------------------------------------------------------- */

static void test_concat(void)
{
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_concat.safetensors") != 0) return;
    for (int k = 0; k < r.ncases; k++) {
        cJSON *j = ref_params(&r, k);
        if (!j) continue;
        int cond = strcmp(pstr(j, "op"), "cond_concat") == 0;
        int N = pint(j, "N");
        int A, B, C = 0, H = 0, W = 0, Y = 0;
        if (cond) {
            C = pint(j, "C");
            H = pint(j, "H");
            W = pint(j, "W");
            Y = pint(j, "Y");
            A = C * H * W;
            B = Y;
        } else {
            A = pint(j, "A");
            B = pint(j, "B");
        }
        cJSON_Delete(j);
        size_t na = (size_t)N * A, nb = (size_t)N * B;
        size_t no = cond ? (size_t)N * (C + Y) * H * W : na + nb;
        const char *an = cond ? "x" : "a", *bn = cond ? "y" : "b";
        const char *dan = cond ? "dx" : "da", *dbn = cond ? "dy" : "db";
        const char *op = cond ? "cond_concat" : "concat";
        const float *a = ref_get(&r, k, an, na), *b = ref_get(&r, k, bn, nb);
        const float *dout = ref_get(&r, k, "dout", no), *want = ref_get(&r, k, "out", no);
        const float *wda = ref_get(&r, k, dan, na), *wdb = ref_get(&r, k, dbn, nb);
        if (!a || !b || !dout || !want || !wda || !wdb) continue;
        float *out = alloc_nan(no), *da = dc_alloc_floats(na), *db = dc_alloc_floats(nb);
        if (cond) {
            cond_concat_forward(out, a, b, N, C, H, W, Y);
            cond_concat_backward(da, db, dout, N, C, H, W, Y);
        } else {
            concat_forward(out, a, b, N, A, B);
            concat_backward(da, db, dout, N, A, B);
        }
        cmp(op, k, "out", out, want, no, 0.0); /* pure copies: exact */
        cmp(op, k, dan, da, wda, na, 0.0);
        cmp(op, k, dbn, db, wdb, nb, cond ? 1e-6 : 0.0); /* dy sums H*W values */
        /* NULL parts are skipped; the others accumulate */
        if (cond) {
            cond_concat_backward(NULL, db, dout, N, C, H, W, Y);
            cond_concat_backward(da, NULL, dout, N, C, H, W, Y);
        } else {
            concat_backward(NULL, db, dout, N, A, B);
            concat_backward(da, NULL, dout, N, A, B);
        }
        float *a2 = doubled(wda, na), *b2 = doubled(wdb, nb);
        cmp(op, k, "~da accumulated", da, a2, na, 0.0);
        cmp(op, k, "~db accumulated", db, b2, nb, cond ? 1e-6 : 0.0);
        free(a2);
        free(b2);
        free(out);
        free(da);
        free(db);
    }
    safetensors_free(r.f);
}

/* ---- adam ------------------------------------------------------------------------------- */

#define TOL_ADAM_PARAM 5e-7 /* of max|param|: ~4 ulp; one step moves a parameter by ~2e-4 */
#define TOL_ADAM_MOMENT 1e-6

static void test_adam(void)
{
    adam_config cfg = adam_config_default();
    TEST_CHECK(cfg.lr == 2e-4f && cfg.beta1 == 0.5f && cfg.beta2 == 0.999f && cfg.eps == 1e-8f,
               "adam_config_default: lr %g beta1 %g beta2 %g eps %g", cfg.lr, cfg.beta1,
               cfg.beta2, cfg.eps);
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_adam.safetensors") != 0) return;
    for (int k = 0; k < r.ncases; k++) {
        cJSON *j = ref_params(&r, k);
        if (!j) continue;
        size_t n = (size_t)pint(j, "n");
        long t0 = pint(j, "t0");
        int steps = pint(j, "steps");
        cJSON_Delete(j);
        const float *p0 = ref_get(&r, k, "param", n), *m0 = ref_get(&r, k, "m", n);
        const float *v0 = ref_get(&r, k, "v", n);
        if (!p0 || !m0 || !v0) continue;
        float *p = copy_of(p0, n), *m = copy_of(m0, n), *v = copy_of(v0, n);
        float *dgot = dc_alloc_floats(n), *dwant = dc_alloc_floats(n);
        for (int s = 1; s <= steps; s++) {
            char nm[16];
            snprintf(nm, sizeof nm, "grad%d", s);
            const float *g = ref_get(&r, k, nm, n);
            snprintf(nm, sizeof nm, "param%d", s);
            const float *wp = ref_get(&r, k, nm, n);
            snprintf(nm, sizeof nm, "m%d", s);
            const float *wm = ref_get(&r, k, nm, n);
            snprintf(nm, sizeof nm, "v%d", s);
            const float *wv = ref_get(&r, k, nm, n);
            if (!g || !wp || !wm || !wv) break;
            adam_update(p, g, m, v, n, t0 + s - 1, &cfg);
            char lbl[32];
            snprintf(lbl, sizeof lbl, "param step%d", s);
            cmp("adam", k, s == steps ? "param" : lbl, p, wp, n, TOL_ADAM_PARAM);
            snprintf(lbl, sizeof lbl, "m step%d", s);
            cmp("adam", k, s == steps ? "m" : lbl, m, wm, n, TOL_ADAM_MOMENT);
            snprintf(lbl, sizeof lbl, "v step%d", s);
            cmp("adam", k, s == steps ? "v" : lbl, v, wv, n, TOL_ADAM_MOMENT);
            if (s == steps) {
                /* The total 3-step update itself, to 1% of its largest element: param
                 * rounding (1/2 ulp of |p| per step) limits this, not the optimiser. */
                for (size_t i = 0; i < n; i++) {
                    dgot[i] = (float)((double)p[i] - p0[i]);
                    dwant[i] = (float)((double)wp[i] - p0[i]);
                }
                cmp("adam", k, "update", dgot, dwant, n, 1e-2);
            }
        }
        free(p);
        free(m);
        free(v);
        free(dgot);
        free(dwant);
    }
    safetensors_free(r.f);
}

/* ---- the recipe ops: spectral norm, hinge losses, the weight average ---------------------- */

#define TOL_SN 2e-6   /* float32 results of double-accumulated products */
#define TOL_EMA 2e-7

static void test_recipe(void)
{
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_recipe.safetensors") != 0) return;
    for (int k = 0; k < r.ncases; k++) {
        cJSON *j = ref_params(&r, k);
        if (!j) continue;
        char op[32];
        snprintf(op, sizeof op, "%s", pstr(j, "op"));
        if (strcmp(op, "spectral_norm") == 0) {
            size_t rows = (size_t)pint(j, "rows"), cols = (size_t)pint(j, "cols"), n = rows * cols;
            int iterate = pint(j, "iterate");
            float eps = (float)pnum(j, "eps");
            cJSON_Delete(j);
            const float *w = ref_get(&r, k, "weight", n), *u0 = ref_get(&r, k, "u", rows);
            const float *v0 = ref_get(&r, k, "v", cols), *dout = ref_get(&r, k, "dout", n);
            const float *ws = ref_get(&r, k, "w_sn", n), *wu = ref_get(&r, k, "u_out", rows);
            const float *wv = ref_get(&r, k, "v_out", cols), *wsig = ref_get(&r, k, "sigma", 1);
            const float *wdw = ref_get(&r, k, "dweight", n);
            if (!w || !u0 || !v0 || !dout || !ws || !wu || !wv || !wsig || !wdw) continue;
            float *u = copy_of(u0, rows), *v = copy_of(v0, cols), *w_sn = alloc_nan(n);
            float sigma = spectral_norm_forward(w_sn, u, v, w, rows, cols, iterate, eps);
            cmp(op, k, "sigma", &sigma, wsig, 1, TOL_SN);
            cmp(op, k, "w_sn", w_sn, ws, n, TOL_SN);
            cmp(op, k, "u", u, wu, rows, TOL_SN);
            cmp(op, k, "v", v, wv, cols, TOL_SN);
            float *dw = dc_alloc_floats(n);
            spectral_norm_backward(dw, dout, w_sn, u, v, sigma, rows, cols);
            cmp(op, k, "dweight", dw, wdw, n, TOL_SN);
            spectral_norm_backward(dw, dout, w_sn, u, v, sigma, rows, cols);
            float *twice = doubled(wdw, n);
            cmp(op, k, "~dweight accumulated", dw, twice, n, TOL_SN);
            free(twice);
            free(dw);
            free(u);
            free(v);
            free(w_sn);
        } else if (strcmp(op, "hinge") == 0 || strcmp(op, "linear_loss") == 0) {
            size_t n = (size_t)pint(j, "n");
            float sign = (float)pnum(j, "sign"), scale = (float)pnum(j, "scale");
            cJSON_Delete(j);
            const float *x = ref_get(&r, k, "logits", n), *wl = ref_get(&r, k, "loss", 1);
            const float *wdx = ref_get(&r, k, "dlogits", n);
            if (!x || !wl || !wdx) continue;
            int hinge = op[0] == 'h';
            float loss = hinge ? hinge_forward(x, sign, n) : linear_loss_forward(x, sign, n);
            float *dx = dc_alloc_floats(n);
            for (int rep = 0; rep < 2; rep++) {
                if (hinge) hinge_backward(dx, x, sign, scale, n);
                else linear_loss_backward(dx, sign, scale, n);
                if (rep == 0) cmp(op, k, "dlogits", dx, wdx, n, TOL_LOSS);
            }
            cmp(op, k, "loss", &loss, wl, 1, TOL_LOSS);
            float *twice = doubled(wdx, n);
            cmp(op, k, "~dlogits accumulated", dx, twice, n, TOL_LOSS);
            free(twice);
            free(dx);
        } else if (strcmp(op, "ema") == 0) {
            size_t n = (size_t)pint(j, "n");
            float decay = (float)pnum(j, "decay");
            cJSON_Delete(j);
            const float *e0 = ref_get(&r, k, "ema", n), *x = ref_get(&r, k, "x", n);
            const float *want = ref_get(&r, k, "ema_out", n);
            if (!e0 || !x || !want) continue;
            float *e = copy_of(e0, n);
            ema_update(e, x, decay, n);
            cmp(op, k, "ema", e, want, n, TOL_EMA);
            free(e);
        } else {
            TEST_CHECK(0, "ops_recipe case%d: unknown op %s", k, op);
            cJSON_Delete(j);
        }
    }
    safetensors_free(r.f);
}

/* ---- the tests can fail ----------------------------------------------------------------- */

static void test_detects_errors(void)
{
    printf("negative controls\n");
    ref_file r;
    if (ref_open(&r, REF_DIR "ops_conv2d.safetensors") != 0) return;
    cJSON *j = ref_params(&r, 0);
    if (!j) return;
    conv_geom g;
    conv_padding pad =
        strcmp(pstr(j, "padding"), "SAME") == 0 ? CONV_PAD_SAME : CONV_PAD_VALID;
    int rc = conv_geom_init(&g, pint(j, "N"), pint(j, "C_img"), pint(j, "H_img"),
                            pint(j, "W_img"), pint(j, "C_map"), pint(j, "K_h"), pint(j, "K_w"),
                            pint(j, "stride_h"), pint(j, "stride_w"), pad);
    cJSON_Delete(j);
    TEST_CHECK(rc == 0, "conv_geom_init");
    size_t n_img = (size_t)g.N * g.C_img * g.H_img * g.W_img;
    size_t n_map = (size_t)g.N * g.C_map * g.H_map * g.W_map;
    size_t n_w = (size_t)g.C_map * g.C_img * g.K_h * g.K_w;
    const float *inp = ref_get(&r, 0, "inp", n_img), *w = ref_get(&r, 0, "weight", n_w);
    const float *b = ref_get(&r, 0, "bias", (size_t)g.C_map), *want = ref_get(&r, 0, "out", n_map);
    if (rc != 0 || !inp || !w || !b || !want) {
        safetensors_free(r.f);
        return;
    }
    float *work = dc_alloc_floats(conv_geom_workspace_floats(&g));
    float *out = dc_alloc_floats(n_map);
    conv2d_forward(out, inp, w, b, &g, work);
    double scale = max_abs_of(want, n_map);
    compare_result ok = compare_floats(out, want, n_map, TOL_CONV * scale, TOL_CONV);
    TEST_CHECK(ok.bad == 0, "unperturbed comparison should pass (%zu bad)", ok.bad);
    float *bad = copy_of(want, n_map);
    size_t at = n_map / 3;
    bad[at] += 1e-3f;
    compare_result cr = compare_floats(out, bad, n_map, TOL_CONV * scale, TOL_CONV);
    TEST_CHECK(cr.bad == 1 && cr.first_bad == at,
               "a reference perturbed by 1e-3 at [%zu] must be reported: bad %zu first %zu", at,
               cr.bad, cr.first_bad);
    printf("  perturbed conv2d case0 out[%zu] by 1e-3: %zu element(s) flagged, max_abs %.3g "
           "(tolerance there %.3g)\n",
           at, cr.bad, cr.max_abs, TOL_CONV * scale + TOL_CONV * fabs((double)bad[at]));
    /* a 1e-4 relative error in one weight must be caught too */
    float *w2 = copy_of(w, n_w);
    w2[0] *= 1.0f + 1e-3f;
    conv2d_forward(out, inp, w2, b, &g, work);
    cr = compare_floats(out, want, n_map, TOL_CONV * scale, TOL_CONV);
    TEST_CHECK(cr.bad > 0, "a 0.1%% change of one weight must be reported (max_abs %.3g)",
               cr.max_abs);
    printf("  weight[0] scaled by 1.001: %zu output(s) flagged, max_abs %.3g\n", cr.bad,
           cr.max_abs);
    /* a NaN never passes */
    float nanv = NAN, zero = 0.0f;
    cr = compare_floats(&nanv, &zero, 1, 1.0, 1.0);
    TEST_CHECK(cr.bad == 1, "NaN must be reported");
    free(w2);
    free(bad);
    free(work);
    free(out);
    safetensors_free(r.f);

    dc_err e = {{0}};
    const char *missing = REF_DIR "ops_does_not_exist.safetensors";
    safetensors_file *f = safetensors_read(missing, &e);
    TEST_CHECK(f == NULL && strncmp(e.msg, missing, strlen(missing)) == 0,
               "missing reference file must be an error naming it: '%s'", e.msg);
    printf("  missing file -> %s\n", e.msg);
    safetensors_free(f);
}

int main(void)
{
    test_begin("test_ops_reference");
    test_detects_errors();
    /* every convolution case on both backends (AUTO: oneDNN where it has an implementation) */
    test_conv(0, CONV_BACKEND_IM2COL);
    test_conv(1, CONV_BACKEND_IM2COL);
    test_conv(0, CONV_BACKEND_AUTO);
    test_conv(1, CONV_BACKEND_AUTO);
    test_linear(GEMM_OPENBLAS);
    test_linear(GEMM_ONEDNN);
    test_batchnorm();
    test_activation();
    test_loss();
    test_concat();
    test_adam();
    test_recipe();
    print_summary();
    return test_finish();
}
