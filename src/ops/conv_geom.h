/* The geometry of a 2-D convolution and of its transpose, shared by every backend.
 *
 * One geometry describes both directions. The "image" side is the larger tensor (input of
 * conv2d, output of conv2d_transpose); the "map" side the smaller one. Weights are stored
 * (C_map, C_img, K_h, K_w): PyTorch's Conv2d layout (out, in, kh, kw) and, for the transpose,
 * PyTorch's ConvTranspose2d layout (in, out, kh, kw), so conv2d_transpose is the exact adjoint
 * of conv2d with the same weights and geometry.
 *
 * Padding follows TensorFlow. SAME: H_map = ceil(H_img / stride), total padding
 * max((H_map - 1) * stride + K - H_img, 0), of which floor(total/2) goes before (top/left) and
 * the rest after (bottom/right): for 5x5 stride 2 on an even size, 1 before and 2 after.
 * VALID: H_map = floor((H_img - K) / stride) + 1, no padding. */
#ifndef DCGAN_OPS_CONV_GEOM_H
#define DCGAN_OPS_CONV_GEOM_H

typedef enum { CONV_PAD_SAME = 0, CONV_PAD_VALID = 1 } conv_padding;

typedef struct {
    int N;
    int C_img, H_img, W_img;
    int C_map, H_map, W_map;
    int K_h, K_w, stride_h, stride_w;
    int pad_top, pad_left; /* bottom/right padding is whatever the geometry leaves */
} conv_geom;

/* Fills g from the image-side size; returns 0, or -1 if the sizes give no output. */
int conv_geom_init(conv_geom *g, int N, int C_img, int H_img, int W_img, int C_map, int K_h,
                   int K_w, int stride_h, int stride_w, conv_padding pad);

#endif
