/* The message layer over MPI. Collectives run on MPI_COMM_WORLD with MPI_ERRORS_RETURN, so a
 * failure is reported by the rank that saw it, in one line, before MPI_Abort ends the job
 * (MPI's default handler would abort with its own multi-line banner). Counts above INT_MAX
 * elements go in chunks. */
#include "dist/transport.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define CHUNK ((size_t)1 << 30)

int transport_launched(void)
{
    /* Open MPI, MPICH / Intel MPI (hydra), PMIx launchers, Slurm's srun with PMI */
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

int transport_init(int *argc, char ***argv, int *rank, int *world, dc_err *e)
{
    int provided = 0;
    /* one thread calls MPI; OpenMP and the loader's threads never do */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return dc_fail(e, "MPI_Init failed: cannot join the job mpirun started");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, world);
    return 0;
}

void transport_finalize(void)
{
    MPI_Finalize();
}

_Noreturn void transport_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code); /* MPI_Abort does not return; this keeps the compiler informed */
}

/* A failed call: one line, then the whole job ends. */
static void check(int rc, int rank, const char *call)
{
    if (rc == MPI_SUCCESS) return;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS) snprintf(msg, sizeof msg, "code %d", rc);
    fprintf(stderr, "dcgan: error: rank %d: %s failed: %s; stopping every rank (the last "
                    "checkpoint is intact: run the same command to resume)\n", rank, call, msg);
    fflush(stderr);
    transport_abort(1);
}

void transport_sum_floats(int rank, float *buf, size_t n)
{
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t k = n - off < CHUNK ? n - off : CHUNK;
        check(MPI_Allreduce(MPI_IN_PLACE, buf + off, (int)k, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD),
              rank, "MPI_Allreduce");
    }
}

void transport_sum_doubles(int rank, double *buf, size_t n)
{
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t k = n - off < CHUNK ? n - off : CHUNK;
        check(MPI_Allreduce(MPI_IN_PLACE, buf + off, (int)k, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD),
              rank, "MPI_Allreduce");
    }
}

void transport_broadcast(int rank, void *buf, size_t bytes)
{
    for (size_t off = 0; off < bytes; off += CHUNK) {
        size_t k = bytes - off < CHUNK ? bytes - off : CHUNK;
        check(MPI_Bcast((char *)buf + off, (int)k, MPI_BYTE, 0, MPI_COMM_WORLD), rank, "MPI_Bcast");
    }
}

int transport_max_int(int rank, int value)
{
    int r = value;
    check(MPI_Allreduce(MPI_IN_PLACE, &r, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), rank,
          "MPI_Allreduce");
    return r;
}

void transport_gather_u32(int rank, uint32_t value, uint32_t *all)
{
    check(MPI_Allgather(&value, 1, MPI_UINT32_T, all, 1, MPI_UINT32_T, MPI_COMM_WORLD), rank,
          "MPI_Allgather");
}
