/* The one-rank stand-in of parallel/dist.h as a build without MPI has it (dist.c with no_mpi.c,
 * linked here whatever this build found): one rank, collectives that leave the values as they
 * are, and a clear refusal when an MPI launcher started the program with more ranks. The MPI
 * layer itself is tested under mpirun (tests/test_mpi.sh). */
#include <stdlib.h>
#include <string.h>

#include "parallel/dist.h"
#include "testutil.h"

int main(void)
{
    test_begin("dist_stand_in");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMI_SIZE");
    dc_err e = {{0}};
    dist *d = dist_open(NULL, NULL, &e);
    TEST_CHECK(d != NULL, "stand-in: %s", e.msg);
    if (!d) return test_finish();
    TEST_CHECK(dist_rank(d) == 0 && dist_world(d) == 1, "one rank");
    TEST_CHECK(strcmp(dist_kind(d), "single") == 0, "kind %s", dist_kind(d));
    float f[3] = {1.5f, -2.0f, 3.25f};
    double g[2] = {0.125, 7.0};
    dist_sum_floats(d, f, 3);
    dist_mean_floats(d, f, 3);
    dist_sum_doubles(d, g, 2);
    dist_sum_floats_start(d, f, 3);
    dist_wait_sums(d);
    dist_broadcast(d, g, sizeof g);
    TEST_CHECK(f[0] == 1.5f && f[1] == -2.0f && f[2] == 3.25f && g[0] == 0.125 && g[1] == 7.0,
               "sums over one rank leave the values");
    TEST_CHECK(dist_any(d, 0) == 0 && dist_any(d, 5) == 1, "any");
    uint32_t all[1] = {0};
    dist_gather_u32(d, 0xabcdu, all);
    TEST_CHECK(all[0] == 0xabcdu, "gather");
    TEST_CHECK(dist_comm_calls(d) == 0 && dist_comm_seconds(d) == 0.0, "no communication");
    dist_close(d);
    TEST_CHECK(dist_world(NULL) == 1 && dist_rank(NULL) == 0, "NULL is one rank too");

    /* started by mpirun -np 2 but built without MPI: refused, saying why */
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    d = dist_open(NULL, NULL, &e);
    TEST_CHECK(d == NULL && strstr(e.msg, "built without MPI"), "refusal: %s", e.msg);
    dist_close(d);
    /* mpirun -np 1: one rank, nothing to refuse */
    setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
    d = dist_open(NULL, NULL, &e);
    TEST_CHECK(d != NULL && dist_world(d) == 1, "-np 1: %s", d ? "ok" : e.msg);
    dist_close(d);
    return test_finish();
}
