#include "ops/conv_geom.h"

#include <limits.h>
#include <string.h>

#include "core/error.h"

static int same_size(int in, int k, int s, int *out, int *pad_before)
{
    int o = (in + s - 1) / s;
    long total = (long)(o - 1) * s + k - in;
    if (total < 0) total = 0;
    *out = o;
    *pad_before = (int)(total / 2);
    return 0;
}

static int valid_size(int in, int k, int s, int *out, int *pad_before)
{
    if (k > in) return -1;
    *out = (in - k) / s + 1;
    *pad_before = 0;
    return 0;
}

int conv_geom_init(conv_geom *g, int N, int C_img, int H_img, int W_img, int C_map, int K_h,
                   int K_w, int stride_h, int stride_w, conv_padding pad)
{
    DC_ASSERT(g != NULL, "conv_geom_init: NULL geometry");
    memset(g, 0, sizeof *g);
    if (N <= 0 || C_img <= 0 || H_img <= 0 || W_img <= 0 || C_map <= 0 || K_h <= 0 ||
        K_w <= 0 || stride_h <= 0 || stride_w <= 0)
        return -1;
    if (pad != CONV_PAD_SAME && pad != CONV_PAD_VALID) return -1;
    int H_map, W_map, pt, pl;
    if (pad == CONV_PAD_SAME) {
        same_size(H_img, K_h, stride_h, &H_map, &pt);
        same_size(W_img, K_w, stride_w, &W_map, &pl);
    } else {
        if (valid_size(H_img, K_h, stride_h, &H_map, &pt) ||
            valid_size(W_img, K_w, stride_w, &W_map, &pl))
            return -1;
    }
    /* Every GEMM dimension and leading dimension must fit cblas' int. */
    if ((long long)C_img * K_h * K_w > INT_MAX || (long long)H_map * W_map > INT_MAX ||
        (long long)H_img * W_img > INT_MAX || (long long)C_map * H_map * W_map > INT_MAX)
        return -1;
    g->N = N;
    g->C_img = C_img;
    g->H_img = H_img;
    g->W_img = W_img;
    g->C_map = C_map;
    g->H_map = H_map;
    g->W_map = W_map;
    g->K_h = K_h;
    g->K_w = K_w;
    g->stride_h = stride_h;
    g->stride_w = stride_w;
    g->pad_top = pt;
    g->pad_left = pl;
    return 0;
}

/* Most images per chunk: as many as fit CONV_CHUNK_FLOATS, at least 1, at most N. */
