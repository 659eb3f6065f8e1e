/* Concatenation along the feature axis, and the reference's conv_cond_concat. Backward splits
 * the gradient and accumulates into each non-NULL part. */
#ifndef DCGAN_OPS_CPU_CONCAT_H
#define DCGAN_OPS_CPU_CONCAT_H

/* out (N, A+B) = [a (N,A), b (N,B)] per row. For NCHW maps, A = C_a*H*W and B = C_b*H*W. */
void concat_forward(float *out, const float *a, const float *b, int N, int A, int B);
void concat_backward(float *da, float *db, const float *dout, int N, int A, int B);

/* out (N, C+Y, H, W) = [x (N,C,H,W), y (N,Y) broadcast to constant planes]. */
void cond_concat_forward(float *out, const float *x, const float *y, int N, int C, int H, int W,
                         int Y);
/* dy[n][j] += sum over the plane of dout's channel C+j. */
void cond_concat_backward(float *dx, float *dy, const float *dout, int N, int C, int H, int W,
                          int Y);

#endif
