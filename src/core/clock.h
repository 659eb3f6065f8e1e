/* Monotonic time for rates, ETAs and benchmarks. */
#ifndef DCGAN_CORE_CLOCK_H
#define DCGAN_CORE_CLOCK_H

/* Seconds on the monotonic clock (an arbitrary origin: take differences). */
double clock_seconds(void);

#endif
