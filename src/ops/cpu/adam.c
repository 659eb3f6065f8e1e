/* Adam, TensorFlow update form (see adam.h). The step-size factor is formed in double. */
#include "ops/cpu/adam.h"

#include <math.h>

#include "core/error.h"
#include "ops/formulas.h"

#define ADAM_PAR_MIN 32768

void adam_update(float *param, const float *grad, float *m, float *v, size_t n, long t,
                 const adam_config *cfg)
{
    DC_ASSERT(t >= 1, "adam step %ld: steps are 1-based", t);
    const float lr_t = adam_step_size(cfg, t);
    const float beta1 = cfg->beta1, beta2 = cfg->beta2, eps = cfg->eps;
#pragma omp parallel for simd schedule(static) if (parallel : n >= ADAM_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        adam_update_one(&param[i], &m[i], &v[i], grad[i], lr_t, beta1, beta2, eps);
}
