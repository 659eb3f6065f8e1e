/* The process's compute thread pools: OpenMP's (our kernels, oneDNN) and OpenBLAS's, which the
 * build links against the same OpenMP runtime so that both share one set of threads. */
#ifndef DCGAN_CORE_THREADS_H
#define DCGAN_CORE_THREADS_H

/* Sets how many threads compute uses; n <= 0 leaves the default (all cores). */
void threads_set_compute(int n);
/* How many threads compute uses now. */
int threads_compute_count(void);

#endif
