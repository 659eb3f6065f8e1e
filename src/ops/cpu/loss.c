/* Sigmoid cross-entropy with logits, in double per element:
 *   l(x, t) = max(x, 0) - x*t + log1p(exp(-|x|))
 * exp never sees a positive argument, so |x| = 1e4 (or inf-free anything) gives exact results. */
#include "ops/cpu/loss.h"

#include <math.h>

float sigmoid_xent_forward(const float *logits, float target, size_t n)
{
    if (n == 0) return 0.0f;
    const double t = target;
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = logits[i];
        acc += (x > 0.0 ? x : 0.0) - x * t + log1p(exp(-fabs(x)));
    }
    return (float)(acc / (double)n);
}

void sigmoid_xent_backward(float *dlogits, const float *logits, float target, float scale,
                           size_t n)
{
    if (n == 0) return;
    const double k = (double)scale / (double)n;
    const double t = target;
    for (size_t i = 0; i < n; i++) {
        double x = logits[i];
        double e = exp(-fabs(x));
        double s = x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        dlogits[i] += (float)(k * (s - t));
    }
}

float hinge_forward(const float *logits, float sign, size_t n)
{
    if (n == 0) return 0.0f;
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        double m = 1.0 - (double)sign * logits[i];
        if (m > 0.0) acc += m;
    }
    return (float)(acc / (double)n);
}

void hinge_backward(float *dlogits, const float *logits, float sign, float scale, size_t n)
{
    if (n == 0) return;
    const float g = (float)(-(double)sign * scale / (double)n);
    for (size_t i = 0; i < n; i++)
        if (1.0 - (double)sign * logits[i] > 0.0) dlogits[i] += g;
}

float linear_loss_forward(const float *logits, float sign, size_t n)
{
    if (n == 0) return 0.0f;
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += logits[i];
    return (float)(-(double)sign * acc / (double)n);
}

void linear_loss_backward(float *dlogits, float sign, float scale, size_t n)
{
    if (n == 0) return;
    const float g = (float)(-(double)sign * scale / (double)n);
    for (size_t i = 0; i < n; i++) dlogits[i] += g;
}

void ema_update(float *ema, const float *x, float decay, size_t n)
{
    const float keep = decay, take = 1.0f - decay;
#pragma omp parallel for simd schedule(static) if (parallel : n >= 32768)
    for (size_t i = 0; i < n; i++) ema[i] = keep * ema[i] + take * x[i];
}
