/* glibc's vector math library (libmvec) has SIMD versions of tanhf and expf, but math.h only
 * declares them under -ffast-math, which we do not use (it would break the NaN checks). Declared
 * here, a loop under `omp simd` calls them a vector at a time (_ZGVeN16v_tanhf with AVX-512)
 * instead of once per element: G's tanh over a 64x3x64x64 batch went from 5 ms to under 1.
 * (expf needs -fno-math-errno too, or GCC keeps its calls scalar.) Same results for NaN and
 * +-inf; link with -lmvec. */
#ifndef DCGAN_OPS_CPU_VEC_MATH_H
#define DCGAN_OPS_CPU_VEC_MATH_H

#include <math.h>

#pragma omp declare simd notinbranch
float tanhf(float x);
#pragma omp declare simd notinbranch
float expf(float x);

#endif
