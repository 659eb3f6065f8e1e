/* Element-wise activations. Loops are `omp parallel for simd`; the parallel part only switches on
 * above ACT_PAR_MIN elements so small tensors do not pay for waking threads. */
#include "ops/cpu/activation.h"

#include "ops/cpu/vec_math.h"

#include <string.h>

#define ACT_PAR_MIN 32768

void relu_forward(float *out, const float *inp, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void relu_backward(float *dinp, const float *dout, const float *inp, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) dinp[i] += inp[i] > 0.0f ? dout[i] : 0.0f;
}

void lrelu_forward(float *out, const float *inp, float slope, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        out[i] = x > 0.0f ? x : slope * x;
    }
}

void lrelu_backward(float *dinp, const float *dout, const float *inp, float slope, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) dinp[i] += dout[i] * (inp[i] > 0.0f ? 1.0f : slope);
}

/* tanh and sigmoid call libmvec's vector tanhf/expf, whose bits differ from the scalar ones and
 * from each other's widths. So every element goes through the same 16-lane block (the last,
 * partial block through a padded copy): which code computes an element never depends on the
 * thread count or on n, and a run resumes bit for bit with any --threads. */
#define ACT_BLOCK 16

#define ACT_BLOCKED(F)                                                                         \
    do {                                                                                       \
        const size_t nb = n / ACT_BLOCK;                                                       \
        _Pragma("omp parallel for schedule(static) if (n >= ACT_PAR_MIN)")                    \
        for (size_t b = 0; b < nb; b++) {                                                      \
            const float *x = inp + b * ACT_BLOCK;                                              \
            float *y = out + b * ACT_BLOCK;                                                    \
            _Pragma("omp simd") for (int l = 0; l < ACT_BLOCK; l++) y[l] = F(x[l]);            \
        }                                                                                      \
        const size_t done = nb * ACT_BLOCK;                                                    \
        if (done < n) {                                                                        \
            float x[ACT_BLOCK] = {0}, y[ACT_BLOCK];                                            \
            memcpy(x, inp + done, (n - done) * sizeof *x);                                     \
            _Pragma("omp simd") for (int l = 0; l < ACT_BLOCK; l++) y[l] = F(x[l]);            \
            memcpy(out + done, y, (n - done) * sizeof *y);                                     \
        }                                                                                      \
    } while (0)

void tanh_forward(float *out, const float *inp, size_t n)
{
    ACT_BLOCKED(vm_tanh);
}

void tanh_backward(float *dinp, const float *dout, const float *out, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

void sigmoid_forward(float *out, const float *inp, size_t n)
{
    ACT_BLOCKED(vm_sigmoid);
}

void sigmoid_backward(float *dinp, const float *dout, const float *out, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) dinp[i] += dout[i] * out[i] * (1.0f - out[i]);
}

/* In place: d = d * f'(x), the backward of a layer whose gradient buffer is its input's. */
void relu_backward_inplace(float *d, const float *inp, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) d[i] = inp[i] > 0.0f ? d[i] : 0.0f;
}

void lrelu_backward_inplace(float *d, const float *inp, float slope, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) d[i] *= inp[i] > 0.0f ? 1.0f : slope;
}

void tanh_backward_inplace(float *d, const float *out, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) d[i] *= 1.0f - out[i] * out[i];
}

void sigmoid_backward_inplace(float *d, const float *out, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) d[i] = d[i] * out[i] * (1.0f - out[i]);
}
