/* The CUDA backend: device, stream, library handles, memory, and the op table. Every op runs
 * on one stream in issue order; the host waits only where a result comes back to it (copies
 * to the host, the loss, the finite check). */
#include "ops/cuda/cuda_internal.h"
#include "ops/cuda/cuda_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)

void cuda_die(const char *what, const char *detail)
{
    fprintf(stderr, "error: cuda: %s failed: %s\n", what, detail);
    exit(1);
}

extern "C" const char *ops_cuda_build_info(void)
{
    static const char info[] = "CUDA " STR(__CUDACC_VER_MAJOR__) "." STR(__CUDACC_VER_MINOR__)
                               ", cuDNN " STR(CUDNN_MAJOR) "." STR(CUDNN_MINOR) "." STR(
                                   CUDNN_PATCHLEVEL) ", cuBLAS " STR(CUBLAS_VER_MAJOR) "." STR(CUBLAS_VER_MINOR) "." STR(CUBLAS_VER_PATCH);
    return info;
}

/* ---- memory ---- */
static void blocks_add(cuda_backend *b, void *p, size_t bytes)
{
    if (b->n_blocks == b->cap_blocks) {
        size_t cap = b->cap_blocks ? b->cap_blocks * 2 : 256;
        cuda_block *nb = (cuda_block *)realloc(b->blocks, cap * sizeof *nb);
        if (!nb) cuda_die("realloc", "out of host memory");
        b->blocks = nb;
        b->cap_blocks = cap;
    }
    b->blocks[b->n_blocks++] = {p, bytes};
    b->held += bytes;
    if (b->held > b->peak) b->peak = b->held;
}

static void blocks_remove(cuda_backend *b, void *p)
{
    for (size_t i = b->n_blocks; i-- > 0;)
        if (b->blocks[i].p == p) {
            b->held -= b->blocks[i].bytes;
            b->blocks[i] = b->blocks[--b->n_blocks];
            return;
        }
}

static void *device_alloc(cuda_backend *b, size_t bytes)
{
    void *p = NULL;
    cudaError_t err = cudaMalloc(&p, bytes ? bytes : 1);
    if (err != cudaSuccess) {
        size_t free_b = 0, total = 0;
        cudaMemGetInfo(&free_b, &total);
        char msg[256];
        snprintf(msg, sizeof msg,
                 "%s (asked for %.1f MiB with %.1f MiB held by dcgan and %.1f of %.1f MiB free "
                 "on the GPU; try a smaller --batch-size)",
                 cudaGetErrorString(err), bytes / 1048576.0, b->held / 1048576.0,
                 free_b / 1048576.0, total / 1048576.0);
        cuda_die("cudaMalloc", msg);
    }
    blocks_add(b, p, bytes);
    return p;
}

static void device_free(cuda_backend *b, void *p)
{
    if (!p) return;
    blocks_remove(b, p);
    CUDA_CHECK(cudaFree(p));
}

static float *c_alloc(ops_backend *be, size_t n)
{
    cuda_backend *b = cuda_of(be);
    float *p = (float *)device_alloc(b, n * sizeof(float));
    CUDA_CHECK(cudaMemsetAsync(p, 0, n * sizeof(float), b->stream));
    return p;
}

static void c_free(ops_backend *be, float *p)
{
    cuda_backend *b = cuda_of(be);
    /* nothing in flight may still use it */
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
    device_free(b, p);
}

static void c_to_host(ops_backend *be, float *host, const float *src, size_t n)
{
    cuda_backend *b = cuda_of(be);
    if (!n) return;
    CUDA_CHECK(cudaMemcpyAsync(host, src, n * sizeof(float), cudaMemcpyDeviceToHost, b->stream));
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
}

/* From pageable host memory the copy returns once the source has been read (staged), so the
 * caller may reuse its buffer at once; the stream keeps the order. */
static void c_from_host(ops_backend *be, float *dst, const float *host, size_t n)
{
    cuda_backend *b = cuda_of(be);
    if (!n) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, host, n * sizeof(float), cudaMemcpyHostToDevice, b->stream));
}

static void c_copy(ops_backend *be, float *dst, const float *src, size_t n)
{
    cuda_backend *b = cuda_of(be);
    if (!n || dst == src) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, n * sizeof(float), cudaMemcpyDeviceToDevice, b->stream));
}

static void c_zero(ops_backend *be, float *p, size_t n)
{
    cuda_backend *b = cuda_of(be);
    if (!n) return;
    CUDA_CHECK(cudaMemsetAsync(p, 0, n * sizeof(float), b->stream));
}

void *cuda_workspace(cuda_backend *b, size_t bytes)
{
    if (bytes <= b->workspace_bytes) return b->workspace;
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
    device_free(b, b->workspace);
    size_t want = bytes + bytes / 4;
    b->workspace = device_alloc(b, want);
    b->workspace_bytes = want;
    return b->workspace;
}

void cuda_scratch_reserve(cuda_backend *b, size_t n)
{
    if (n <= b->dsum_n) return;
    CUDA_CHECK(cudaStreamSynchronize(b->stream));
    device_free(b, b->dsum);
    if (b->host_sum) CUDA_CHECK(cudaFreeHost(b->host_sum));
    b->dsum = (double *)device_alloc(b, n * sizeof(double));
    CUDA_CHECK(cudaMallocHost((void **)&b->host_sum, n * sizeof(double)));
    b->dsum_n = n;
}

static void c_synchronize(ops_backend *be)
{
    CUDA_CHECK(cudaStreamSynchronize(cuda_of(be)->stream));
}

static void c_memory_stats(ops_backend *be, size_t *held, size_t *peak, size_t *device_used)
{
    cuda_backend *b = cuda_of(be);
    *held = b->held;
    *peak = b->peak;
    size_t free_b = 0, total = 0;
    if (cudaMemGetInfo(&free_b, &total) == cudaSuccess) *device_used = total - free_b;
    else *device_used = 0;
}

static const char *c_description(ops_backend *be) { return cuda_of(be)->description; }

static void c_close(ops_backend *be)
{
    cuda_backend *b = cuda_of(be);
    cudaStreamSynchronize(b->stream);
    if (b->workspace) cudaFree(b->workspace);
    if (b->dsum) cudaFree(b->dsum);
    if (b->host_sum) cudaFreeHost(b->host_sum);
    if (b->dflag) cudaFree(b->dflag);
    if (b->host_flag) cudaFreeHost(b->host_flag);
    /* whatever the callers still hold (they free before closing; this is for error paths) */
    for (size_t i = 0; i < b->n_blocks; i++)
        if (b->blocks[i].p != b->workspace && b->blocks[i].p != b->dsum &&
            b->blocks[i].p != b->dflag)
            cudaFree(b->blocks[i].p);
    if (b->dnn) cudnnDestroy(b->dnn);
    if (b->blas) cublasDestroy(b->blas);
    if (b->stream) cudaStreamDestroy(b->stream);
    free(b->blocks);
    free(b->tune);
    free(b);
}

static const ops_vtable cuda_vtable = {
    .close = c_close,
    .memory_is_host = 0,
    .alloc = c_alloc,
    .free = c_free,
    .to_host = c_to_host,
    .from_host = c_from_host,
    .copy = c_copy,
    .zero = c_zero,
    .accumulate = cuda_accumulate,
    .all_finite = cuda_all_finite,
    .conv_create = cuda_conv_create,
    .conv_create_cond = NULL, /* concat_y copies the label planes */
    .conv_free = cuda_conv_free,
    .conv_workspace_floats = cuda_conv_workspace_floats,
    .conv_native_layout = cuda_conv_native_layout,
    .conv_set_layout = cuda_conv_set_layout,
    .conv_engine = cuda_conv_engine,
    .conv_forward = cuda_conv_forward,
    .conv_backward = cuda_conv_backward,
    .linear_forward = cuda_linear_forward,
    .linear_backward = cuda_linear_backward,
    .batchnorm_forward_train = cuda_bn_train,
    .batchnorm_forward_eval = cuda_bn_eval,
    .batchnorm_backward = cuda_bn_backward,
    .batchnorm_act_forward_train = NULL, /* batch norm and activation stay two kernels */
    .batchnorm_update_moving = cuda_bn_update_moving,
    .activation_forward = cuda_act_forward,
    .activation_backward = cuda_act_backward,
    .cond_concat_forward = cuda_concat_forward,
    .cond_concat_backward = cuda_concat_backward,
    .sigmoid_xent_forward = cuda_xent_forward,
    .sigmoid_xent_backward = cuda_xent_backward,
    .adam_update = cuda_adam,
    .gemm_peaks = cuda_gemm_peaks,
    .synchronize = c_synchronize,
    .memory_stats = c_memory_stats,
    .description = c_description,
    .tuning_load = cuda_tuning_load,
    .tuning_save = cuda_tuning_save,
    /* not here yet: bench --layers leaves the reorder column out; generation runs layer by layer */
    .conv_time_reorders = NULL,
    .infer_create = NULL,
    .infer_load = NULL,
    .infer_run = NULL,
    .infer_free = NULL,
};

/* "cuda" -> 0, "cuda:N" -> N; -1 if malformed. */
static int parse_device_index(const char *device)
{
    if (strcmp(device, "cuda") == 0) return 0;
    if (strncmp(device, "cuda:", 5) != 0) return -1;
    const char *s = device + 5;
    if (!*s) return -1;
    int v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 1000) return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

extern "C" ops_backend *ops_cuda_open(const ops_options *o, const char *device, dc_err *e)
{
    (void)o;
    int idx = parse_device_index(device);
    if (idx < 0) {
        dc_fail(e, "device '%s': expected cuda or cuda:N", device);
        return NULL;
    }
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess || count == 0) {
        const char *why = err == cudaErrorInsufficientDriver
                              ? "no NVIDIA driver, or one older than this build's CUDA " STR(
                                    __CUDACC_VER_MAJOR__) "." STR(__CUDACC_VER_MINOR__)
                          : err != cudaSuccess ? cudaGetErrorString(err)
                                               : "the driver sees no device";
        dc_fail(e, "device '%s': no usable CUDA GPU (%s)", device, why);
        return NULL;
    }
    if (idx >= count) {
        dc_fail(e, "device '%s': this machine has %d CUDA GPU%s (cuda:0..cuda:%d)", device, count,
                count == 1 ? "" : "s", count - 1);
        return NULL;
    }
    err = cudaSetDevice(idx);
    if (err != cudaSuccess) {
        dc_fail(e, "device '%s': cannot use it (%s)", device, cudaGetErrorString(err));
        return NULL;
    }
    cuda_backend *b = (cuda_backend *)calloc(1, sizeof *b);
    if (!b) cuda_die("calloc", "out of host memory");
    b->base.vt = &cuda_vtable;
    b->base.device = "cuda";
    b->device = idx;
    cudaDeviceProp prop;
    CUDA_CHECK(cudaGetDeviceProperties(&prop, idx));
    CUDA_CHECK(cudaStreamCreateWithFlags(&b->stream, cudaStreamNonBlocking));
    cublasStatus_t bs = cublasCreate(&b->blas);
    cudnnStatus_t ds = bs == CUBLAS_STATUS_SUCCESS ? cudnnCreate(&b->dnn) : CUDNN_STATUS_SUCCESS;
    if (bs != CUBLAS_STATUS_SUCCESS || ds != CUDNN_STATUS_SUCCESS) {
        dc_fail(e, "device '%s': cannot start %s (%s)", device,
                bs != CUBLAS_STATUS_SUCCESS ? "cuBLAS" : "cuDNN",
                bs != CUBLAS_STATUS_SUCCESS ? cublasGetStatusString(bs) : cudnnGetErrorString(ds));
        c_close(&b->base);
        return NULL;
    }
    CUBLAS_CHECK(cublasSetStream(b->blas, b->stream));
    /* plain fp32 products, as the CPU computes them (no TF32 tensor cores) */
    CUBLAS_CHECK(cublasSetMathMode(b->blas, CUBLAS_DEFAULT_MATH));
    CUDNN_CHECK(cudnnSetStream(b->dnn, b->stream));
    b->dflag = (int *)device_alloc(b, sizeof(int));
    CUDA_CHECK(cudaMallocHost((void **)&b->host_flag, sizeof(int)));
    size_t v = cudnnGetVersion();
    prop.name[sizeof prop.name - 1] = 0;
    snprintf(b->description, sizeof b->description, "%.200s (cuda:%d, cuDNN %d.%d.%d)", prop.name,
             idx, (int)(v / 10000 % 100), (int)(v / 100 % 100), (int)(v % 100));
    return &b->base;
}
