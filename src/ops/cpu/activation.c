/* Element-wise activations. Loops are `omp parallel for simd`; the parallel part only switches on
 * above ACT_PAR_MIN elements so small tensors do not pay for waking threads. */
#include "ops/cpu/activation.h"

#include "ops/cpu/vec_math.h"

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

void tanh_forward(float *out, const float *inp, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) out[i] = tanhf(inp[i]);
}

void tanh_backward(float *dinp, const float *dout, const float *out, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

/* sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0, with e = exp(-|x|) in (0, 1]: no
 * overflow for any x, and tiny outputs for very negative x keep their relative precision. */
void sigmoid_forward(float *out, const float *inp, size_t n)
{
#pragma omp parallel for simd schedule(static) if (parallel : n >= ACT_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        float e = expf(-fabsf(x));
        float s = 1.0f / (1.0f + e);
        out[i] = x >= 0.0f ? s : e * s;
    }
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
