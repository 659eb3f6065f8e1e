#include "core/threads.h"

#include <cblas.h>
#include <omp.h>

void threads_set_compute(int n)
{
    if (n <= 0) return;
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

int threads_compute_count(void) { return omp_get_max_threads(); }
