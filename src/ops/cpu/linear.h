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
void linear_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, int N, int IN, int OUT, gemm_lib lib);

/* Best of a few 1536^3 sgemms on lib, in GFLOP/s (the first run warms up). */
double linear_sgemm_peak(gemm_lib lib);

#endif
