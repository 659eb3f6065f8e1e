/* Adam, TensorFlow update form (see adam.h). The step-size factor is formed in double. */
#include "ops/cpu/adam.h"

#include <math.h>

#include "core/error.h"

#define ADAM_PAR_MIN 32768

void adam_update(float *param, const float *grad, float *m, float *v, size_t n, long t,
                 const adam_config *cfg)
{
    DC_ASSERT(t >= 1, "adam step %ld: steps are 1-based", t);
    const double b1 = cfg->beta1, b2 = cfg->beta2;
    const double td = (double)t;
    const float lr_t = (float)((double)cfg->lr * sqrt(1.0 - pow(b2, td)) / (1.0 - pow(b1, td)));
    const float beta1 = cfg->beta1, beta2 = cfg->beta2, eps = cfg->eps;
    const float c1 = 1.0f - beta1, c2 = 1.0f - beta2;
#pragma omp parallel for simd schedule(static) if (parallel : n >= ADAM_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        const float g = grad[i];
        const float mi = beta1 * m[i] + c1 * g;
        const float vi = beta2 * v[i] + c2 * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] -= lr_t * mi / (sqrtf(vi) + eps);
    }
}
