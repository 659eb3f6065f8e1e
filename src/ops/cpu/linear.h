/* Fully connected layer: out (N,OUT) = inp (N,IN) @ weight^T + bias, weight (OUT,IN) as
 * PyTorch's Linear. Backward accumulates into each non-NULL gradient.
 *
 * The GEMMs run on OpenBLAS (cblas_sgemm) or on oneDNN's sgemm, which dispatches to its own
 * JIT kernels for the CPU it finds (AVX-512 where present, whatever OpenBLAS was told); the
 * networks use the library their convolutions use. */
#ifndef DCGAN_OPS_CPU_LINEAR_H
#define DCGAN_OPS_CPU_LINEAR_H

typedef enum { GEMM_OPENBLAS = 0, GEMM_ONEDNN = 1 } gemm_lib;

void linear_forward(float *out, const float *inp, const float *weight, const float *bias, int N,
                    int IN, int OUT, gemm_lib lib);
/* The same forward from the weight stored transposed, wt (IN, OUT): out = inp @ wt + bias.
 * For a caller that keeps wt across calls (the inference plan): the fastest of the products. */
void linear_forward_wt(float *out, const float *inp, const float *wt, const float *bias, int N,
                       int IN, int OUT, gemm_lib lib);
/* wt (IN, OUT) = weight (OUT, IN) transposed. */
void linear_transpose_weight(float *wt, const float *weight, int IN, int OUT);
void linear_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, int N, int IN, int OUT, gemm_lib lib);

/* The same layer in mixed precision (--precision bf16): inp, weight and dout rounded to bf16
 * (to nearest even), products accumulated in f32 by oneDNN's matmul; bias, the bias gradient
 * and every array the caller sees stay f32. A linear_bf16 holds the oneDNN engine and the bf16
 * copies' scratch (grown as needed), so calls on one may not overlap. */
typedef struct linear_bf16 linear_bf16;
linear_bf16 *linear_bf16_create(void); /* NULL if oneDNN cannot start */
void linear_bf16_free(linear_bf16 *l);
void linear_forward_bf16(linear_bf16 *l, float *out, const float *inp, const float *weight,
                         const float *bias, int N, int IN, int OUT);
void linear_backward_bf16(linear_bf16 *l, float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight, int N, int IN,
                          int OUT);

/* Best of a few 1536^3 sgemms on lib, in GFLOP/s (the first run warms up). */
double linear_sgemm_peak(gemm_lib lib);

#endif
