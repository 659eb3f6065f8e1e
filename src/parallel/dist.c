#include "parallel/dist.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "parallel/transport.h"

struct dist {
    int rank, world;
    transport *t;   /* the MPI job joined (even of one rank); NULL: the stand-in */
    double comm_s;  /* seconds inside collectives */
    long calls;
};

dist *dist_open(int *argc, char ***argv, dc_err *e)
{
    dist *d = dc_calloc(1, sizeof *d);
    d->world = 1;
    if (transport_launched()) {
        d->t = transport_init(argc, argv, &d->rank, &d->world, e);
        if (!d->t) {
            free(d);
            return NULL;
        }
    }
    return d;
}

void dist_close(dist *d)
{
    if (!d) return;
    if (d->t) transport_finalize(d->t);
    free(d);
}

int dist_rank(const dist *d) { return d ? d->rank : 0; }
int dist_world(const dist *d) { return d ? d->world : 1; }
const char *dist_kind(const dist *d) { return d && d->t ? "mpi" : "single"; }
double dist_comm_seconds(const dist *d) { return d ? d->comm_s : 0.0; }
long dist_comm_calls(const dist *d) { return d ? d->calls : 0; }

/* Brackets a collective: its time and count. */
static double comm_begin(void) { return clock_seconds(); }
static void comm_end(dist *d, double t0)
{
    d->comm_s += clock_seconds() - t0;
    d->calls++;
}

void dist_sum_floats(dist *d, float *buf, size_t n)
{
    if (!d || d->world == 1 || n == 0) return;
    double t0 = comm_begin();
    transport_sum_floats(d->t, buf, n);
    comm_end(d, t0);
}

void dist_sum_doubles(dist *d, double *buf, size_t n)
{
    if (!d || d->world == 1 || n == 0) return;
    double t0 = comm_begin();
    transport_sum_doubles(d->t, buf, n);
    comm_end(d, t0);
}

void dist_mean_floats(dist *d, float *buf, size_t n)
{
    if (!d || d->world == 1) return;
    dist_sum_floats(d, buf, n);
    const float inv = 1.0f / (float)d->world;
    for (size_t i = 0; i < n; i++) buf[i] *= inv;
}

void dist_sum_floats_start(dist *d, float *buf, size_t n)
{
    if (!d || d->world == 1 || n == 0) return;
    double t0 = comm_begin();
    transport_sum_floats_start(d->t, buf, n);
    comm_end(d, t0);
}

void dist_wait_sums(dist *d)
{
    if (!d || d->world == 1) return;
    double t0 = comm_begin();
    transport_wait_sums(d->t);
    d->comm_s += clock_seconds() - t0;
}

void dist_broadcast(dist *d, void *buf, size_t bytes)
{
    if (!d || d->world == 1 || bytes == 0) return;
    double t0 = comm_begin();
    transport_broadcast(d->t, buf, bytes);
    comm_end(d, t0);
}

int dist_any(dist *d, int flag)
{
    if (!d || d->world == 1) return flag != 0;
    double t0 = comm_begin();
    int r = transport_max_int(d->t, flag != 0);
    comm_end(d, t0);
    return r;
}

void dist_gather_u32(dist *d, uint32_t value, uint32_t *all)
{
    if (!d || d->world == 1) {
        all[0] = value;
        return;
    }
    double t0 = comm_begin();
    transport_gather_u32(d->t, value, all);
    comm_end(d, t0);
}

_Noreturn void dist_abort(dist *d, int code)
{
    if (d && d->t && d->world > 1) transport_abort(code);
    exit(code);
}
