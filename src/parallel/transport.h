/* What dist.c asks of the message layer: MPI (mpi.c) or, in a build without MPI, nothing
 * (no_mpi.c). Only called with more than one rank, except transport_launched/init/finalize.
 * Failures do not return: they print a line naming the rank and the call and abort the job. */
#ifndef DCGAN_PARALLEL_TRANSPORT_H
#define DCGAN_PARALLEL_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

typedef struct transport transport;

/* 1 if an MPI launcher (mpirun, mpiexec, srun) started this process. */
int transport_launched(void);
/* Joins the job: rank and world size. NULL with a message if it cannot. */
transport *transport_init(int *argc, char ***argv, int *rank, int *world, dc_err *e);
/* Leaves the job and frees t. */
void transport_finalize(transport *t);
void transport_sum_floats(transport *t, float *buf, size_t n);
void transport_sum_doubles(transport *t, double *buf, size_t n);
void transport_broadcast(transport *t, void *buf, size_t bytes);
/* Sums started now and waited for later: at most TRANSPORT_MAX_PENDING queued (a start
 * waits for room). */
#define TRANSPORT_MAX_PENDING 64
void transport_sum_floats_start(transport *t, float *buf, size_t n);
void transport_wait_sums(transport *t);
int transport_max_int(transport *t, int value);
void transport_gather_u32(transport *t, uint32_t value, uint32_t *all);
_Noreturn void transport_abort(int code);

#endif
