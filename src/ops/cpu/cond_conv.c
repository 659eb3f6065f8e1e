#include "ops/cpu/cond_conv.h"

#include <cblas.h>
#include <string.h>

#include "core/error.h"

/* ---- the label planes ---- */

/* The taps that reach output row r along one axis (K taps, stride s, padding before `pad`, the
 * image side n_img long and the map side n_map long): a conv's output row is a map row, whose
 * taps must land inside the image; a transpose's output row is an image row, reached by the
 * taps k of map rows m with m * s - pad + k = r. Returns the count; taps[] gets them. */
static int taps_of_row(int *taps, int r, int transpose, int K, int s, int pad, int n_img,
                       int n_map)
{
    int n = 0;
    for (int k = 0; k < K; k++) {
        if (!transpose) {
            int i = r * s - pad + k;
            if (i >= 0 && i < n_img) taps[n++] = k;
        } else {
            int num = r + pad - k;
            if (num >= 0 && num % s == 0 && num / s < n_map) taps[n++] = k;
        }
    }
    return n;
}

static void axis_init(cond_axis *a, int rows, int transpose, int K, int s, int pad, int n_img,
                      int n_map)
{
    a->n = 0;
    a->of = dc_calloc((size_t)rows, sizeof(int));
    a->taps = dc_calloc((size_t)rows * K, sizeof(int));
    a->count = dc_calloc((size_t)rows, sizeof(int));
    int *t = dc_calloc((size_t)K, sizeof(int));
    for (int r = 0; r < rows; r++) {
        int n = taps_of_row(t, r, transpose, K, s, pad, n_img, n_map), c = 0;
        while (c < a->n && !(a->count[c] == n &&
                             memcmp(a->taps + (size_t)c * K, t, (size_t)n * sizeof(int)) == 0))
            c++;
        if (c == a->n) {
            memcpy(a->taps + (size_t)c * K, t, (size_t)n * sizeof(int));
            a->count[a->n++] = n;
        }
        a->of[r] = c;
    }
    free(t);
}

static void axis_free(cond_axis *a)
{
    free(a->of);
    free(a->taps);
    free(a->count);
    memset(a, 0, sizeof *a);
}

void cond_planes_init(cond_planes *cp, const conv_geom *full, int transpose, int Y)
{
    memset(cp, 0, sizeof *cp);
    cp->full = *full;
    cp->transpose = transpose ? 1 : 0;
    cp->Y = Y;
    cp->out_C = transpose ? full->C_img : full->C_map;
    cp->out_H = transpose ? full->H_img : full->H_map;
    cp->out_W = transpose ? full->W_img : full->W_map;
    axis_init(&cp->rows, cp->out_H, cp->transpose, full->K_h, full->stride_h, full->pad_top,
              full->H_img, full->H_map);
    axis_init(&cp->cols, cp->out_W, cp->transpose, full->K_w, full->stride_w, full->pad_left,
              full->W_img, full->W_map);
    cp->class_sums = dc_alloc_floats((size_t)Y * cp->out_C * cp->rows.n * cp->cols.n);
}

void cond_planes_free(cond_planes *cp)
{
    if (!cp) return;
    axis_free(&cp->rows);
    axis_free(&cp->cols);
    free(cp->class_sums);
    cp->class_sums = NULL;
}

size_t cond_planes_out_floats(const cond_planes *cp, int out_c16)
{
    const size_t C = out_c16 ? (size_t)(cp->out_C + 15) / 16 * 16 : (size_t)cp->out_C;
    return C * cp->out_H * cp->out_W;
}

static size_t out_index(const cond_planes *cp, int c16, int ch, int s)
{
    size_t HW = (size_t)cp->out_H * cp->out_W;
    if (c16) return (((size_t)(ch >> 4) * HW + (size_t)s) << 4) + (size_t)(ch & 15);
    return (size_t)ch * HW + (size_t)s;
}

/* Label c's weights for output channel ch: (K_h, K_w). */
static const float *label_weight(const cond_planes *cp, const float *weight, int labels_only,
                                 int label, int ch)
{
    const conv_geom *g = &cp->full;
    const size_t KK = (size_t)g->K_h * g->K_w;
    if (cp->transpose) {
        int row = labels_only ? label : g->C_map - cp->Y + label;
        return weight + ((size_t)row * g->C_img + ch) * KK;
    }
    return weight + ((size_t)ch * g->C_img + (g->C_img - cp->Y + label)) * KK;
}

void cond_planes_table(const cond_planes *cp, float *T, const float *weight, int labels_only,
                       int out_c16)
{
    DC_ASSERT(!labels_only || cp->transpose, "cond_planes_table: labels_only needs a transpose");
    const int K_w = cp->full.K_w, K_h = cp->full.K_h, O = cp->out_C;
    const size_t M = cond_planes_out_floats(cp, out_c16);
    if (M != (size_t)O * cp->out_H * cp->out_W) memset(T, 0, (size_t)cp->Y * M * sizeof *T);
    const cond_axis *R = &cp->rows, *Q = &cp->cols;
    const int classes = R->n * Q->n;
#pragma omp parallel for schedule(static) if (cp->Y * O >= 64)
    for (int lc = 0; lc < cp->Y * O; lc++) {
        const int label = lc / O, ch = lc % O;
        const float *w = label_weight(cp, weight, labels_only, label, ch);
        float *S = cp->class_sums + (size_t)lc * classes;
        for (int cr = 0; cr < R->n; cr++)
            for (int cq = 0; cq < Q->n; cq++) {
                float s = 0.0f;
                for (int a = 0; a < R->count[cr]; a++)
                    for (int b = 0; b < Q->count[cq]; b++)
                        s += w[R->taps[cr * K_h + a] * K_w + Q->taps[cq * K_w + b]];
                S[cr * Q->n + cq] = s;
            }
        float *Tl = T + (size_t)label * M;
        for (int r = 0; r < cp->out_H; r++) {
            const float *Sr = S + R->of[r] * Q->n;
            for (int q = 0; q < cp->out_W; q++)
                Tl[out_index(cp, out_c16, ch, r * cp->out_W + q)] = Sr[Q->of[q]];
        }
    }
}

void cond_planes_add(const cond_planes *cp, float *out, const float *y, const float *T,
                     int out_c16)
{
    const int M = (int)cond_planes_out_floats(cp, out_c16);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cp->full.N, M, cp->Y, 1.0f, y, cp->Y,
                T, M, 1.0f, out, M);
}

void cond_planes_weight_grad(const cond_planes *cp, float *dweight, const float *D, int out_c16)
{
    const int K_w = cp->full.K_w, K_h = cp->full.K_h, O = cp->out_C;
    const size_t M = cond_planes_out_floats(cp, out_c16);
    const cond_axis *R = &cp->rows, *Q = &cp->cols;
    const int classes = R->n * Q->n;
#pragma omp parallel for schedule(static) if (cp->Y * O >= 64)
    for (int lc = 0; lc < cp->Y * O; lc++) {
        const int label = lc / O, ch = lc % O;
        float *dw = (float *)label_weight(cp, dweight, 0, label, ch);
        const float *Dl = D + (size_t)label * M;
        float *A = cp->class_sums + (size_t)lc * classes;
        memset(A, 0, (size_t)classes * sizeof *A);
        for (int r = 0; r < cp->out_H; r++) {
            float *Ar = A + R->of[r] * Q->n;
            for (int q = 0; q < cp->out_W; q++)
                Ar[Q->of[q]] += Dl[out_index(cp, out_c16, ch, r * cp->out_W + q)];
        }
        for (int cr = 0; cr < R->n; cr++)
            for (int cq = 0; cq < Q->n; cq++)
                for (int a = 0; a < R->count[cr]; a++)
                    for (int b = 0; b < Q->count[cq]; b++)
                        dw[R->taps[cr * K_h + a] * K_w + Q->taps[cq * K_w + b]] +=
                            A[cr * Q->n + cq];
    }
}

/* ---- the layer ---- */

int cond_conv_x_geom(conv_geom *x, const conv_geom *full, int transpose, int Y)
{
    *x = *full;
    int *C = transpose ? &x->C_map : &x->C_img;
    *C -= Y;
    return Y > 0 && *C > 0 ? 0 : -1;
}

int cond_conv_init(cond_conv *c, const conv_geom *full, int transpose, int Y, const float *y,
                   conv_backend want, ops_precision precision)
{
    DC_ASSERT(c && full && y, "cond_conv_init: NULL argument");
    memset(c, 0, sizeof *c);
    conv_geom xg;
    if (cond_conv_x_geom(&xg, full, transpose, Y) != 0) return -1;
    c->y = y;
    int rc = conv_plan_init_precision(&c->x, &xg, transpose, want, precision);
    if (rc != 0) {
        conv_plan_free(&c->x);
        return rc;
    }
    const size_t KK = (size_t)full->K_h * full->K_w;
    if (!transpose) {
        c->w_x = dc_alloc_floats((size_t)full->C_map * xg.C_img * KK);
        c->dw_x = dc_alloc_floats((size_t)full->C_map * xg.C_img * KK);
    }
    cond_planes_init(&c->planes, full, transpose, Y);
    c->table = dc_alloc_floats((size_t)Y * cond_planes_out_floats(&c->planes, 1));
    return 0;
}

void cond_conv_free(cond_conv *c)
{
    if (!c) return;
    conv_plan_free(&c->x);
    cond_planes_free(&c->planes);
    free(c->w_x);
    free(c->dw_x);
    free(c->table);
    c->w_x = c->dw_x = c->table = NULL;
}

/* The output side is nChw16c where the x plan keeps it so. */
static int out_c16(const cond_conv *c)
{
    return c->planes.transpose ? c->x.c16_img : c->x.c16_map;
}

/* A conv's weight without its label channels, into w_x (a transpose's are its first rows). */
static void gather_w_x(const cond_conv *c, const float *weight)
{
    const conv_geom *g = &c->planes.full;
    const size_t KK = (size_t)g->K_h * g->K_w, row = (size_t)c->x.geom.C_img * KK;
    for (int co = 0; co < g->C_map; co++)
        memcpy(c->w_x + co * row, weight + (size_t)co * g->C_img * KK, row * sizeof(float));
}

void cond_conv_forward(const cond_conv *c, float *out, const float *inp, const float *weight,
                       const float *bias, float *work)
{
    const cond_planes *cp = &c->planes;
    if (!cp->transpose) gather_w_x(c, weight);
    conv_plan_forward(&c->x, out, inp, cp->transpose ? weight : c->w_x, bias, work);
    cond_planes_table(cp, c->table, weight, 0, out_c16(c));
    cond_planes_add(cp, out, c->y, c->table, out_c16(c));
}

void cond_conv_backward(const cond_conv *c, float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        int dinp_overwrite, float *work)
{
    const cond_planes *cp = &c->planes;
    const conv_geom *g = &cp->full;
    if (cp->transpose) {
        /* the non-label slice is the weight's (and its gradient's) first rows */
        conv_plan_backward(&c->x, dinp, dweight, dbias, dout, inp, weight, dinp_overwrite, work);
    } else {
        const size_t KK = (size_t)g->K_h * g->K_w, row = (size_t)c->x.geom.C_img * KK;
        if (dinp) gather_w_x(c, weight);
        if (dweight) memset(c->dw_x, 0, (size_t)g->C_map * row * sizeof(float));
        conv_plan_backward(&c->x, dinp, dweight ? c->dw_x : NULL, dbias, dout, inp, c->w_x,
                           dinp_overwrite, work);
        if (dweight)
            for (int co = 0; co < g->C_map; co++) {
                float *dst = dweight + (size_t)co * g->C_img * KK;
                const float *src = c->dw_x + co * row;
                for (size_t i = 0; i < row; i++) dst[i] += src[i];
            }
    }
    if (!dweight) return;
    /* D (Y, M) = y^T @ dout: each label's output gradient summed over the batch */
    const size_t M = cond_planes_out_floats(cp, out_c16(c));
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cp->Y, (int)M, g->N, 1.0f, c->y, cp->Y,
                dout, (int)M, 0.0f, c->table, (int)M);
    cond_planes_weight_grad(cp, dweight, c->table, out_c16(c));
}
