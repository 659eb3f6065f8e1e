/* SIGINT / SIGTERM as a request to stop cleanly. interrupt_install() makes the first signal set
 * a flag (and print a note); long-running work polls the flag at safe points (training: after
 * each iteration, then writes a checkpoint and returns; dcgan sample: after each image). A second signal takes the default
 * action and ends the process at once; atomic file writes keep every file on disk whole even
 * then.
 *
 * The signals are taken by a thread of their own (sigwait), never by a thread that computes:
 * oneDNN's JIT GEMM kernels run with the stack pointer inside a heap buffer, so a signal frame
 * the kernel pushes there overwrites the heap (found under mpirun: SIGTERM during a linear
 * layer, then "corrupted size vs. prev_size" in oneDNN's free). interrupt_install blocks
 * SIGINT and SIGTERM in the calling thread, so every thread created after it inherits the
 * block: call it before any other thread starts (OpenMP's, MPI's, the loader's). */
#ifndef DCGAN_CORE_INTERRUPT_H
#define DCGAN_CORE_INTERRUPT_H

#include <signal.h>

/* Takes SIGINT and SIGTERM, except for a signal already ignored (as the shell does for SIGINT
 * in background jobs, and nohup for SIGHUP); the first prints note (a whole line, kept for the
 * process's lifetime: a string literal). The thread starts once; a later call only changes
 * the note. Returns 0 or -1 (nothing changed). */
int interrupt_install(const char *note);
/* The flag the first signal sets: 0, or the number of the signal received. */
const volatile sig_atomic_t *interrupt_flag(void);
/* "SIGINT", "SIGTERM", or "signal N". */
const char *interrupt_signal_name(int sig);

#endif
