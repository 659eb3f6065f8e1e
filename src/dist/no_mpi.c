/* The message layer of a build without MPI: one rank only. Started by an MPI launcher, it
 * says so instead of running N copies that each train alone. */
#include "dist/transport.h"

#include <stdlib.h>

int transport_launched(void)
{
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (!n) n = getenv("PMI_SIZE");
    return n && atoi(n) > 1;
}

int transport_init(int *argc, char ***argv, int *rank, int *world, dc_err *e)
{
    (void)argc, (void)argv, (void)rank, (void)world;
    return dc_fail(e, "this dcgan was built without MPI, so it cannot train as one of several "
                      "ranks; install libopenmpi-dev (scripts/install-deps) and run make again");
}

void transport_finalize(void) {}

_Noreturn void transport_abort(int code)
{
    exit(code);
}

/* Never called: there is only ever one rank. */
void transport_sum_floats(int rank, float *buf, size_t n) { (void)rank, (void)buf, (void)n; }
void transport_sum_doubles(int rank, double *buf, size_t n) { (void)rank, (void)buf, (void)n; }
void transport_broadcast(int rank, void *buf, size_t bytes) { (void)rank, (void)buf, (void)bytes; }
int transport_max_int(int rank, int value) { (void)rank; return value; }
void transport_gather_u32(int rank, uint32_t value, uint32_t *all) { (void)rank; all[0] = value; }
