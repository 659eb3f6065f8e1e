/* Convolutions and transposed convolutions on cuDNN, with TensorFlow's 'SAME' padding.
 *
 * cuDNN pads symmetrically; TF's SAME puts the odd pixel after (5x5 stride 2 on an even size:
 * 1 before, 2 after). So the image side is embedded in a buffer one row/column larger (zero
 * where the image has none), which cuDNN pads by pad_top/pad_left on every side: the windows
 * then fall exactly where TF's do. Geometries with no odd pixel use the maps directly.
 *
 *   conv2d            forward: Forward(img -> map); backward: BackwardFilter, BackwardData
 *   conv2d_transpose  forward: BackwardData(map -> img); backward: Forward(dimg -> dmap),
 *                     BackwardFilter(x = dimg, dy = map)
 *
 * Each direction's algorithm is benchmarked once per shape (cudnnFind*, as cudnn.benchmark
 * does) in plain fp32 (CUDNN_FMA_MATH: no TF32), and the choice kept (tuning.cu). */
#include "ops/cuda/cuda_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DIR_FWD = 0, DIR_BWD_DATA = 1, DIR_BWD_FILTER = 2 };
static const char *const dir_names[3] = {"fwd", "bwd_data", "bwd_filter"};

/* The most workspace an algorithm may ask for. */
#define CONV_MAX_WORKSPACE ((size_t)1 << 30)

typedef struct {
    ops_conv base;
    conv_geom g;
    int transpose;
    int Hp, Wp;  /* the image side as cuDNN sees it */
    int padded;  /* (Hp, Wp) != (H_img, W_img): maps go through the work buffer */
    cudnnTensorDescriptor_t img, map;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
    int chosen[3], algo[3];
    size_t ws[3];
} cuda_conv;

static cuda_backend *be_of(const cuda_conv *c) { return cuda_of(c->base.be); }

void cuda_conv_free(ops_conv *oc)
{
    cuda_conv *c = (cuda_conv *)oc;
    if (!c) return;
    if (c->img) cudnnDestroyTensorDescriptor(c->img);
    if (c->map) cudnnDestroyTensorDescriptor(c->map);
    if (c->w) cudnnDestroyFilterDescriptor(c->w);
    if (c->conv) cudnnDestroyConvolutionDescriptor(c->conv);
    free(c);
}

ops_conv *cuda_conv_create(ops_backend *be, const conv_geom *g, int transpose)
{
    cuda_conv *c = (cuda_conv *)calloc(1, sizeof *c);
    if (!c) cuda_die("calloc", "out of host memory");
    c->base.be = be;
    c->g = *g;
    c->transpose = transpose;
    int pb = (g->H_map - 1) * g->stride_h + g->K_h - g->H_img - g->pad_top;
    int pr = (g->W_map - 1) * g->stride_w + g->K_w - g->W_img - g->pad_left;
    c->Hp = g->H_img + (pb > g->pad_top ? pb - g->pad_top : 0);
    c->Wp = g->W_img + (pr > g->pad_left ? pr - g->pad_left : 0);
    c->padded = c->Hp != g->H_img || c->Wp != g->W_img;
    if (cudnnCreateTensorDescriptor(&c->img) != CUDNN_STATUS_SUCCESS ||
        cudnnCreateTensorDescriptor(&c->map) != CUDNN_STATUS_SUCCESS ||
        cudnnCreateFilterDescriptor(&c->w) != CUDNN_STATUS_SUCCESS ||
        cudnnCreateConvolutionDescriptor(&c->conv) != CUDNN_STATUS_SUCCESS) {
        cuda_conv_free(&c->base);
        return NULL;
    }
    int ok = cudnnSetTensor4dDescriptor(c->img, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, g->N, g->C_img,
                                        c->Hp, c->Wp) == CUDNN_STATUS_SUCCESS &&
             cudnnSetTensor4dDescriptor(c->map, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, g->N, g->C_map,
                                        g->H_map, g->W_map) == CUDNN_STATUS_SUCCESS &&
             cudnnSetFilter4dDescriptor(c->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g->C_map,
                                        g->C_img, g->K_h, g->K_w) == CUDNN_STATUS_SUCCESS &&
             cudnnSetConvolution2dDescriptor(c->conv, g->pad_top, g->pad_left, g->stride_h,
                                             g->stride_w, 1, 1, CUDNN_CROSS_CORRELATION,
                                             CUDNN_DATA_FLOAT) == CUDNN_STATUS_SUCCESS &&
             cudnnSetConvolutionMathType(c->conv, CUDNN_FMA_MATH) == CUDNN_STATUS_SUCCESS;
    int n, ch, h, w;
    if (ok && (cudnnGetConvolution2dForwardOutputDim(c->conv, c->img, c->w, &n, &ch, &h, &w) !=
                   CUDNN_STATUS_SUCCESS ||
               n != g->N || ch != g->C_map || h != g->H_map || w != g->W_map))
        ok = 0;
    if (!ok) {
        cuda_conv_free(&c->base);
        return NULL;
    }
    return &c->base;
}

size_t cuda_conv_workspace_floats(const ops_conv *oc)
{
    const cuda_conv *c = (const cuda_conv *)oc;
    return c->padded ? (size_t)c->g.N * c->g.C_img * c->Hp * c->Wp : 0;
}

int cuda_conv_native_layout(const ops_conv *c, int map_side)
{
    (void)c, (void)map_side;
    return OPS_LAYOUT_PLAIN;
}

int cuda_conv_set_layout(ops_conv *c, int img_layout, int map_layout)
{
    (void)c;
    return img_layout == OPS_LAYOUT_PLAIN && map_layout == OPS_LAYOUT_PLAIN ? 0 : -1;
}

const char *cuda_conv_engine(const ops_conv *c)
{
    (void)c;
    return "cudnn";
}

/* ---- algorithm choice ---- */
static void conv_key(const cuda_conv *c, int dir, char *key, size_t n)
{
    const conv_geom *g = &c->g;
    snprintf(key, n, "%s n%d c%d h%d w%d k%d r%dx%d s%dx%d p%dx%d", dir_names[dir], g->N,
             g->C_img, c->Hp, c->Wp, g->C_map, g->K_h, g->K_w, g->stride_h, g->stride_w,
             g->pad_top, g->pad_left);
}

/* Picks from perf results sorted fastest first: the first that ran, in plain fp32, within the
 * workspace limit. */
template <typename P> static int pick(const P *perf, int n, int *algo, size_t *ws)
{
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > CONV_MAX_WORKSPACE)
                continue;
            if (pass == 0 && perf[i].mathType != CUDNN_FMA_MATH) continue;
            *algo = (int)perf[i].algo;
            *ws = perf[i].memory;
            return 0;
        }
    return -1;
}

static void choose(cuda_conv *c, int dir)
{
    if (c->chosen[dir]) return;
    cuda_backend *b = be_of(c);
    char key[160];
    conv_key(c, dir, key, sizeof key);
    const cuda_tune_entry *t = cuda_tune_find(b, key);
    if (t) {
        c->algo[dir] = t->algo;
        c->ws[dir] = t->workspace;
        c->chosen[dir] = 1;
        return;
    }
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
    int got = 0, rc = -1;
    if (dir == DIR_FWD) {
        cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
        CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithm(b->dnn, c->img, c->w, c->conv, c->map,
                                                         CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &got, perf));
        rc = pick(perf, got, &c->algo[dir], &c->ws[dir]);
    } else if (dir == DIR_BWD_DATA) {
        cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
        CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithm(
            b->dnn, c->w, c->map, c->conv, c->img, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &got, perf));
        rc = pick(perf, got, &c->algo[dir], &c->ws[dir]);
    } else {
        cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
        CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithm(
            b->dnn, c->img, c->map, c->conv, c->w, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &got,
            perf));
        rc = pick(perf, got, &c->algo[dir], &c->ws[dir]);
    }
    if (rc != 0) cuda_die("cudnnFind", key);
    c->chosen[dir] = 1;
    cuda_tune_add(b, key, c->algo[dir], (int)CUDNN_FMA_MATH, c->ws[dir]);
}

/* ---- padding: the image side in and out of the (Hp, Wp) buffer ---- */
__global__ static void k_pad(float *dst, const float *src, int H, int W, int Hp, int Wp,
                             size_t total)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total;
         i += (size_t)gridDim.x * blockDim.x) {
        int x = (int)(i % Wp);
        size_t r = i / Wp;
        int y = (int)(r % Hp);
        size_t nc = r / Hp;
        dst[i] = (y < H && x < W) ? src[(nc * H + y) * W + x] : 0.0f;
    }
}

/* dst (N,C,H,W) = [dst +] src cropped [+ bias per channel] */
__global__ static void k_crop(float *dst, const float *src, const float *bias, int C, int H, int W,
                              int Hp, int Wp, int accumulate, size_t total)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total;
         i += (size_t)gridDim.x * blockDim.x) {
        int x = (int)(i % W);
        size_t r = i / W;
        int y = (int)(r % H);
        size_t nc = r / H;
        float v = src[(nc * Hp + y) * Wp + x];
        if (bias) v += bias[nc % C];
        dst[i] = accumulate ? dst[i] + v : v;
    }
}

static void pad_image(const cuda_conv *c, float *dst, const float *src)
{
    size_t total = (size_t)c->g.N * c->g.C_img * c->Hp * c->Wp;
    k_pad<<<cuda_grid(total, 256), 256, 0, be_of(c)->stream>>>(dst, src, c->g.H_img, c->g.W_img,
                                                              c->Hp, c->Wp, total);
    CUDA_LAUNCHED("conv pad");
}

static void crop_image(const cuda_conv *c, float *dst, const float *src, const float *bias,
                       int accumulate)
{
    size_t total = (size_t)c->g.N * c->g.C_img * c->g.H_img * c->g.W_img;
    k_crop<<<cuda_grid(total, 256), 256, 0, be_of(c)->stream>>>(
        dst, src, bias, c->g.C_img, c->g.H_img, c->g.W_img, c->Hp, c->Wp, accumulate, total);
    CUDA_LAUNCHED("conv crop");
}

/* ---- the three cuDNN calls, beta 0 (overwrite) or 1 (accumulate) ---- */
static void run_fwd(cuda_conv *c, float *map, const float *img, const float *w, float beta)
{
    choose(c, DIR_FWD);
    cuda_backend *b = be_of(c);
    void *ws = cuda_workspace(b, c->ws[DIR_FWD]);
    const float one = 1.0f;
    CUDNN_CHECK(cudnnConvolutionForward(b->dnn, &one, c->img, img, c->w, w, c->conv,
                                        (cudnnConvolutionFwdAlgo_t)c->algo[DIR_FWD], ws,
                                        c->ws[DIR_FWD], &beta, c->map, map));
}

static void run_bwd_data(cuda_conv *c, float *img, const float *map, const float *w, float beta)
{
    choose(c, DIR_BWD_DATA);
    cuda_backend *b = be_of(c);
    void *ws = cuda_workspace(b, c->ws[DIR_BWD_DATA]);
    const float one = 1.0f;
    CUDNN_CHECK(cudnnConvolutionBackwardData(b->dnn, &one, c->w, w, c->map, map, c->conv,
                                             (cudnnConvolutionBwdDataAlgo_t)c->algo[DIR_BWD_DATA],
                                             ws, c->ws[DIR_BWD_DATA], &beta, c->img, img));
}

static void run_bwd_filter(cuda_conv *c, float *dw, const float *img, const float *map)
{
    choose(c, DIR_BWD_FILTER);
    cuda_backend *b = be_of(c);
    void *ws = cuda_workspace(b, c->ws[DIR_BWD_FILTER]);
    const float one = 1.0f;
    CUDNN_CHECK(cudnnConvolutionBackwardFilter(
        b->dnn, &one, c->img, img, c->map, map, c->conv,
        (cudnnConvolutionBwdFilterAlgo_t)c->algo[DIR_BWD_FILTER], ws, c->ws[DIR_BWD_FILTER], &one,
        c->w, dw));
}

void cuda_conv_forward(const ops_conv *oc, float *out, const float *inp, const float *weight,
                       const float *bias, float *work)
{
    cuda_conv *c = (cuda_conv *)oc;
    const conv_geom *g = &c->g;
    if (!c->transpose) {
        const float *img = inp;
        if (c->padded) {
            pad_image(c, work, inp);
            img = work;
        }
        run_fwd(c, out, img, weight, 0.0f);
        if (bias) cuda_add_bias(be_of(c), out, out, bias, g->N, g->C_map, g->H_map * g->W_map);
        return;
    }
    if (c->padded) {
        run_bwd_data(c, work, inp, weight, 0.0f);
        crop_image(c, out, work, bias, 0);
        return;
    }
    run_bwd_data(c, out, inp, weight, 0.0f);
    if (bias) cuda_add_bias(be_of(c), out, out, bias, g->N, g->C_img, g->H_img * g->W_img);
}

void cuda_conv_backward(const ops_conv *oc, float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        int dinp_overwrite, float *work)
{
    cuda_conv *c = (cuda_conv *)oc;
    const conv_geom *g = &c->g;
    cuda_backend *b = be_of(c);
    if (!c->transpose) {
        /* inp: image side; dout: map side */
        if (dbias) cuda_channel_sum_add(b, dbias, dout, g->N, g->C_map, g->H_map * g->W_map);
        if (dweight) {
            const float *img = inp;
            if (c->padded) {
                pad_image(c, work, inp);
                img = work;
            }
            run_bwd_filter(c, dweight, img, dout);
        }
        if (dinp) {
            if (c->padded) {
                run_bwd_data(c, work, dout, weight, 0.0f);
                crop_image(c, dinp, work, NULL, !dinp_overwrite);
            } else {
                run_bwd_data(c, dinp, dout, weight, dinp_overwrite ? 0.0f : 1.0f);
            }
        }
        return;
    }
    /* transpose: inp is the map side, dout the image side */
    if (dbias) cuda_channel_sum_add(b, dbias, dout, g->N, g->C_img, g->H_img * g->W_img);
    if (!dweight && !dinp) return;
    const float *dimg = dout;
    if (c->padded) {
        pad_image(c, work, dout);
        dimg = work;
    }
    if (dinp) run_fwd(c, dinp, dimg, weight, dinp_overwrite ? 0.0f : 1.0f);
    if (dweight) run_bwd_filter(c, dweight, dimg, inp);
}
