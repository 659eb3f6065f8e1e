/* SIGINT / SIGTERM as a request to stop cleanly. interrupt_install() makes the first signal set
 * a flag (and print a note); long-running work polls the flag at safe points (training: after
 * each iteration, then writes a checkpoint and returns). The handler is installed with
 * SA_RESETHAND, so a second signal takes the default action and ends the process at once;
 * atomic file writes keep every file on disk whole even then. */
#ifndef DCGAN_CORE_INTERRUPT_H
#define DCGAN_CORE_INTERRUPT_H

#include <signal.h>

/* Installs the handler for SIGINT and SIGTERM, except for a signal already ignored (as the
 * shell does for SIGINT in background jobs, and nohup for SIGHUP). Returns 0 or -1. */
int interrupt_install(void);
/* The flag the handler sets: 0, or the number of the signal received. */
const volatile sig_atomic_t *interrupt_flag(void);
/* "SIGINT", "SIGTERM", or "signal N". */
const char *interrupt_signal_name(int sig);

#endif
