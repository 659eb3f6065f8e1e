/* What dist.c asks of the message layer: MPI (mpi.c) or, in a build without MPI, nothing
 * (no_mpi.c). Only called with more than one rank, except transport_launched/init/finalize.
 * Failures do not return: they print a line naming the rank and the call and abort the job. */
#ifndef DCGAN_DIST_TRANSPORT_H
#define DCGAN_DIST_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

/* 1 if an MPI launcher (mpirun, mpiexec, srun) started this process. */
int transport_launched(void);
/* Joins the job: rank and world size. -1 with a message if it cannot. */
int transport_init(int *argc, char ***argv, int *rank, int *world, dc_err *e);
void transport_finalize(void);
void transport_sum_floats(int rank, float *buf, size_t n);
void transport_sum_doubles(int rank, double *buf, size_t n);
void transport_broadcast(int rank, void *buf, size_t bytes);
int transport_max_int(int rank, int value);
void transport_gather_u32(int rank, uint32_t value, uint32_t *all);
_Noreturn void transport_abort(int code);

#endif
