/* Stands in for the CUDA backend (src/ops/cuda/) in builds without it (`make` without CUDA=1,
 * or no nvcc / cuDNN / cuBLAS found). */
#include "ops/cuda/cuda_backend.h"

ops_backend *ops_cuda_open(const ops_options *o, const char *device, dc_err *e)
{
    (void)o;
    dc_fail(e, "device '%s': this build has no CUDA backend (build it with: make CUDA=1)", device);
    return NULL;
}

const char *ops_cuda_build_info(void) { return NULL; }
