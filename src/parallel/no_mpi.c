/* The message layer of a build without MPI: one rank only. Started by an MPI launcher, it
 * says so instead of running N copies that each train alone. */
#include "parallel/transport.h"

#include <stdlib.h>

int transport_launched(void)
{
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (!n) n = getenv("PMI_SIZE");
    return n && atoi(n) > 1;
}

transport *transport_init(int *argc, char ***argv, int *rank, int *world, dc_err *e)
{
    (void)argc, (void)argv, (void)rank, (void)world;
    dc_fail(e, "this dcgan was built without MPI, so it cannot train as one of several ranks; "
               "install libopenmpi-dev (scripts/install-deps) and run make again");
    return NULL;
}

void transport_finalize(transport *t) { (void)t; }

_Noreturn void transport_abort(int code)
{
    exit(code);
}

/* Never called: there is only ever one rank. */
void transport_sum_floats(transport *t, float *buf, size_t n) { (void)t, (void)buf, (void)n; }
void transport_sum_doubles(transport *t, double *buf, size_t n) { (void)t, (void)buf, (void)n; }
void transport_broadcast(transport *t, void *buf, size_t bytes) { (void)t, (void)buf, (void)bytes; }
void transport_sum_floats_start(transport *t, float *buf, size_t n) { (void)t, (void)buf, (void)n; }
void transport_wait_sums(transport *t) { (void)t; }
int transport_max_int(transport *t, int value) { (void)t; return value; }
void transport_gather_u32(transport *t, uint32_t value, uint32_t *all) { (void)t; all[0] = value; }
