#include "ops/cpu/cond_conv.h"

#include <cblas.h>
#include <string.h>

#include "core/error.h"

static void axis_init(cond_axis *a, int rows, int transpose, int K, int s, int pad, int n_img,
                      int n_map);
static void axis_free(cond_axis *a);

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
    c->full = *full;
    c->transpose = transpose ? 1 : 0;
    c->Y = Y;
    c->y = y;
    int rc = conv_plan_init_precision(&c->x, &xg, c->transpose, want, precision);
    if (rc != 0) {
        conv_plan_free(&c->x);
        return rc;
    }
    const size_t KK = (size_t)full->K_h * full->K_w;
    if (!c->transpose) {
        c->w_x = dc_alloc_floats((size_t)full->C_map * xg.C_img * KK);
        c->dw_x = dc_alloc_floats((size_t)full->C_map * xg.C_img * KK);
    }
    size_t out_floats = c->transpose ? (size_t)full->C_img * full->H_img * full->W_img
                                     : (size_t)full->C_map * full->H_map * full->W_map;
    c->table = dc_alloc_floats((size_t)Y * out_floats);
    const int out_C = c->transpose ? full->C_img : full->C_map;
    const int out_H = c->transpose ? full->H_img : full->H_map;
    const int out_W = c->transpose ? full->W_img : full->W_map;
    axis_init(&c->rows, out_H, c->transpose, full->K_h, full->stride_h, full->pad_top,
              full->H_img, full->H_map);
    axis_init(&c->cols, out_W, c->transpose, full->K_w, full->stride_w, full->pad_left,
              full->W_img, full->W_map);
    c->class_sums = dc_alloc_floats((size_t)Y * out_C * c->rows.n * c->cols.n);
    return 0;
}

void cond_conv_free(cond_conv *c)
{
    if (!c) return;
    conv_plan_free(&c->x);
    free(c->w_x);
    free(c->dw_x);
    free(c->table);
    free(c->class_sums);
    if (c->rows.of) axis_free(&c->rows);
    if (c->cols.of) axis_free(&c->cols);
    c->w_x = c->dw_x = c->table = c->class_sums = NULL;
    memset(&c->rows, 0, sizeof c->rows);
    memset(&c->cols, 0, sizeof c->cols);
}

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
}

/* The output side: channels, rows, columns, and whether it is in nChw16c. */
typedef struct {
    int C, H, W, c16;
} out_side;

static out_side output_side(const cond_conv *c)
{
    const conv_geom *g = &c->full;
    if (c->transpose) return (out_side){g->C_img, g->H_img, g->W_img, c->x.c16_img};
    return (out_side){g->C_map, g->H_map, g->W_map, c->x.c16_map};
}

static size_t out_index(const out_side *o, int ch, int s)
{
    size_t HW = (size_t)o->H * o->W;
    if (o->c16) return (((size_t)(ch >> 4) * HW + (size_t)s) << 4) + (size_t)(ch & 15);
    return (size_t)ch * HW + (size_t)s;
}

/* The label channel c's weight slice for output channel ch: (K_h, K_w). */
static const float *label_weight(const cond_conv *c, const float *weight, int label, int ch)
{
    const conv_geom *g = &c->full;
    const size_t KK = (size_t)g->K_h * g->K_w;
    if (c->transpose) return weight + ((size_t)(g->C_map - c->Y + label) * g->C_img + ch) * KK;
    return weight + ((size_t)ch * g->C_img + (g->C_img - c->Y + label)) * KK;
}

void cond_conv_forward(const cond_conv *c, float *out, const float *inp, const float *weight,
                       const float *bias, float *work)
{
    const conv_geom *g = &c->full;
    const size_t KK = (size_t)g->K_h * g->K_w;
    const float *w_x = weight; /* a transpose's label channels are its weight's last rows */
    if (!c->transpose) {
        const size_t row = (size_t)c->x.geom.C_img * KK;
        for (int co = 0; co < g->C_map; co++)
            memcpy(c->w_x + co * row, weight + (size_t)co * g->C_img * KK, row * sizeof(float));
        w_x = c->w_x;
    }
    conv_plan_forward(&c->x, out, inp, w_x, bias, work);

    /* T: each label plane's response, in the output's layout; one sum of taps per row class
     * and column class */
    const out_side o = output_side(c);
    const size_t M = (size_t)o.C * o.H * o.W;
    const cond_axis *R = &c->rows, *Q = &c->cols;
    const int classes = R->n * Q->n;
#pragma omp parallel for schedule(static)
    for (int lc = 0; lc < c->Y * o.C; lc++) {
        const int label = lc / o.C, ch = lc % o.C;
        const float *w = label_weight(c, weight, label, ch);
        float *S = c->class_sums + (size_t)lc * classes;
        for (int cr = 0; cr < R->n; cr++)
            for (int cq = 0; cq < Q->n; cq++) {
                float s = 0.0f;
                for (int a = 0; a < R->count[cr]; a++)
                    for (int b = 0; b < Q->count[cq]; b++)
                        s += w[R->taps[cr * g->K_h + a] * g->K_w + Q->taps[cq * g->K_w + b]];
                S[cr * Q->n + cq] = s;
            }
        float *T = c->table + (size_t)label * M;
        for (int r = 0; r < o.H; r++) {
            const float *Sr = S + R->of[r] * Q->n;
            for (int q = 0; q < o.W; q++) T[out_index(&o, ch, r * o.W + q)] = Sr[Q->of[q]];
        }
    }
    /* out (N, M) += y (N, Y) @ T (Y, M) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->N, (int)M, c->Y, 1.0f, c->y, c->Y,
                c->table, (int)M, 1.0f, out, (int)M);
}

/* dweight's label channels += the gradient of sum(dout * (y @ T)) */
static void label_weight_backward(const cond_conv *c, float *dweight, const float *dout)
{
    const conv_geom *g = &c->full;
    const out_side o = output_side(c);
    const size_t M = (size_t)o.C * o.H * o.W;
    /* D (Y, M) = y^T @ dout: each label's summed output gradient */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c->Y, (int)M, g->N, 1.0f, c->y, c->Y,
                dout, (int)M, 0.0f, c->table, (int)M);
    const cond_axis *R = &c->rows, *Q = &c->cols;
    const int classes = R->n * Q->n;
#pragma omp parallel for schedule(static)
    for (int lc = 0; lc < c->Y * o.C; lc++) {
        const int label = lc / o.C, ch = lc % o.C;
        float *dw = (float *)label_weight(c, dweight, label, ch);
        const float *D = c->table + (size_t)label * M;
        float *A = c->class_sums + (size_t)lc * classes;
        memset(A, 0, (size_t)classes * sizeof *A);
        for (int r = 0; r < o.H; r++) {
            float *Ar = A + R->of[r] * Q->n;
            for (int q = 0; q < o.W; q++) Ar[Q->of[q]] += D[out_index(&o, ch, r * o.W + q)];
        }
        for (int cr = 0; cr < R->n; cr++)
            for (int cq = 0; cq < Q->n; cq++)
                for (int a = 0; a < R->count[cr]; a++)
                    for (int b = 0; b < Q->count[cq]; b++)
                        dw[R->taps[cr * g->K_h + a] * g->K_w + Q->taps[cq * g->K_w + b]] +=
                            A[cr * Q->n + cq];
    }
}

void cond_conv_backward(const cond_conv *c, float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        int dinp_overwrite, float *work)
{
    const conv_geom *g = &c->full;
    if (c->transpose) {
        /* the non-label slice is the weight's (and its gradient's) first rows */
        conv_plan_backward(&c->x, dinp, dweight, dbias, dout, inp, weight, dinp_overwrite, work);
    } else {
        const size_t KK = (size_t)g->K_h * g->K_w, row = (size_t)c->x.geom.C_img * KK;
        if (dinp)
            for (int co = 0; co < g->C_map; co++)
                memcpy(c->w_x + co * row, weight + (size_t)co * g->C_img * KK, row * sizeof(float));
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
    if (dweight) label_weight_backward(c, dweight, dout);
}
