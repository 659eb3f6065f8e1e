/* The CPU backend: oneDNN's JIT convolutions where it has them (im2col + OpenBLAS otherwise or
 * when asked), GEMMs on the library the convolutions use, and our own OpenMP kernels for
 * batch norm, activations, concatenation, the loss and Adam. Memory is host memory. */
#ifndef DCGAN_OPS_CPU_CPU_BACKEND_H
#define DCGAN_OPS_CPU_CPU_BACKEND_H

#include "core/error.h"
#include "ops/ops.h"

ops_backend *ops_cpu_open(const ops_options *o, dc_err *e);
/* 1 if oneDNN will run bf16 on this CPU with its own instructions (AVX512_BF16 or newer), as
 * --precision bf16 needs; DNNL_MAX_CPU_ISA below that makes it 0. */
int ops_cpu_has_bf16(void);

#endif
