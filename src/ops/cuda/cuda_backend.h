/* The CUDA backend: every op of ops/ops.h on one NVIDIA GPU (cuDNN convolutions, cuBLAS
 * GEMMs, our kernels for the rest). Built with `make CUDA=1` where nvcc, cuDNN and cuBLAS are
 * found; otherwise ops/no_cuda.c stands in and ops_cuda_open says the build has none. */
#ifndef DCGAN_OPS_CUDA_BACKEND_H
#define DCGAN_OPS_CUDA_BACKEND_H

#include "ops/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* device: "cuda" (GPU 0) or "cuda:N". NULL with a message when there is no such GPU, the
 * driver is missing, or this build has no CUDA backend. */
ops_backend *ops_cuda_open(const ops_options *o, const char *device, dc_err *e);
/* "CUDA 13.0, cuDNN 9.19.0, cuBLAS 13.1.0" as built, or NULL in a build without CUDA. */
const char *ops_cuda_build_info(void);

#ifdef __cplusplus
}
#endif

#endif
