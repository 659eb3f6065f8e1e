/* Data-parallel training across processes: the ranks of an MPI job (mpirun -np N dcgan train),
 * or one rank standing in for them when the program was not started by an MPI launcher or was
 * built without MPI. Callers use the same calls either way; with one rank every collective is
 * a no-op (a sum over one rank is the value itself).
 *
 * A NULL dist is one rank, like the stand-in.
 *
 * Every collective must be called by every rank in the same order. A collective that fails
 * (a rank died, the network went down) is not recoverable: the rank prints one line naming
 * itself and the call, and the whole job is aborted with a non-zero exit. */
#ifndef DCGAN_PARALLEL_DIST_H
#define DCGAN_PARALLEL_DIST_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

typedef struct dist dist;

/* Joins the job the launcher started (MPI_Init), or makes the one-rank stand-in. NULL with a
 * message if an MPI launcher started this program but it was built without MPI, or MPI
 * cannot start. */
dist *dist_open(int *argc, char ***argv, dc_err *e);
/* Leaves the job (MPI_Finalize) and frees d (may be NULL). */
void dist_close(dist *d);

int dist_rank(const dist *d);
int dist_world(const dist *d);
/* "mpi" or "single" (the stand-in). */
const char *dist_kind(const dist *d);

/* In place, the element-wise sum over the ranks. */
void dist_sum_floats(dist *d, float *buf, size_t n);
void dist_sum_doubles(dist *d, double *buf, size_t n);
/* In place, the element-wise mean over the ranks (the sum times 1/world). */
void dist_mean_floats(dist *d, float *buf, size_t n);
/* Starts the in-place sum of buf over the ranks without waiting for it; buf must stay
 * untouched until dist_wait_sums. Starts are matched across ranks by order. */
void dist_sum_floats_start(dist *d, float *buf, size_t n);
/* Waits for every started sum. */
void dist_wait_sums(dist *d);
/* Rank 0's bytes to every rank. */
void dist_broadcast(dist *d, void *buf, size_t bytes);
/* 1 on every rank if flag is non-zero on any rank. */
int dist_any(dist *d, int flag);
/* Every rank's value into all[0..world-1], on every rank. */
void dist_gather_u32(dist *d, uint32_t value, uint32_t *all);

/* Seconds spent inside collectives since dist_open (wait for the slowest rank included). */
double dist_comm_seconds(const dist *d);
/* Collective calls made since dist_open. */
long dist_comm_calls(const dist *d);

/* Ends every rank of the job with exit status `code` (exit(code) with one rank). */
_Noreturn void dist_abort(dist *d, int code);

#endif
