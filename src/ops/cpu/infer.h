/* The CPU backend's inference plan (ops_infer_create in ops/ops.h): a network's eval-mode forward
 * as a list of stages, each a compute layer (linear, transposed convolution) with the batch norm
 * after it folded into its weights and bias and its activation applied in the pass that
 * finishes it, or a concatenation of y.
 *
 * Transposed convolutions run on oneDNN's backward-data primitive (deconvolution_forward in
 * oneDNN 2.6 applies bias and post-ops in a reference loop after the same kernel: measured
 * slower), with the weights reordered once into the primitive's format; maps stay in nChw16c
 * between two of them. One with up to 8 output channels (G's last layer) runs on
 * infer_deconv_direct instead. Plans refuse (NULL) what they do not handle: convolutions, a
 * batch norm or an activation that does not follow a compute layer. */
#ifndef DCGAN_OPS_CPU_INFER_H
#define DCGAN_OPS_CPU_INFER_H

#include "ops/cpu/linear.h"
#include "ops/ops.h"

ops_infer *cpu_infer_create(ops_backend *be, const ops_infer_layer *layers, int n_layers,
                            int batch, int y_dim, gemm_lib gemm);
void cpu_infer_load(ops_infer *p);
void cpu_infer_run(ops_infer *p, float *out, const float *inp, const float *y);
void cpu_infer_free(ops_infer *p);

#endif
