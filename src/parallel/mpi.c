/* The message layer over MPI. Collectives run on MPI_COMM_WORLD with MPI_ERRORS_RETURN, so a
 * failure is reported by the rank that saw it, in one line, before MPI_Abort ends the job
 * (MPI's default handler would abort with its own multi-line banner). Counts above INT_MAX
 * elements go in chunks.
 *
 * Started sums (the gradient buckets) go to a sender thread that runs them one after the
 * other, on a communicator of its own so that they never meet the main thread's collectives:
 * MPI moves a non-blocking collective only inside MPI calls, so without a thread of its own
 * a bucket started during the backward pass would wait for the end of it anyway (measured:
 * docs/scaling.md). That needs MPI_THREAD_MULTIPLE; where the library does not give it,
 * a started sum is run at once, blocking. */
#include "parallel/transport.h"

#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <signal.h>
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

typedef struct {
    float *buf;
    size_t n;
} sum_job;

struct transport {
    int rank;
    int threaded;          /* the sender thread runs */
    MPI_Comm grad_comm;    /* the sender's communicator */
    pthread_t sender;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    sum_job queue[TRANSPORT_MAX_PENDING]; /* ring: count jobs from head */
    int head, count, busy, stop;
};

static void check(int rc, int rank, const char *call);

static void sum_floats_on(MPI_Comm comm, int rank, float *buf, size_t n)
{
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t k = n - off < CHUNK ? n - off : CHUNK;
        check(MPI_Allreduce(MPI_IN_PLACE, buf + off, (int)k, MPI_FLOAT, MPI_SUM, comm), rank,
              "MPI_Allreduce");
    }
}

static void *sender_main(void *arg)
{
    transport *t = arg;
    pthread_mutex_lock(&t->mu);
    for (;;) {
        while (t->count == 0 && !t->stop) pthread_cond_wait(&t->work_cv, &t->mu);
        if (t->count == 0) break; /* stopping, nothing left */
        sum_job j = t->queue[t->head];
        t->head = (t->head + 1) % TRANSPORT_MAX_PENDING;
        t->count--;
        t->busy = 1;
        pthread_mutex_unlock(&t->mu);
        sum_floats_on(t->grad_comm, t->rank, j.buf, j.n);
        pthread_mutex_lock(&t->mu);
        t->busy = 0;
        pthread_cond_broadcast(&t->done_cv);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

transport *transport_init(int *argc, char ***argv, int *rank, int *world, dc_err *e)
{
    int provided = 0;
    /* the main thread and the sender call MPI; OpenMP and the loader's threads never do */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
        dc_fail(e, "MPI_Init failed: cannot join the job mpirun started");
        return NULL;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, world);
    transport *t = dc_calloc(1, sizeof *t);
    t->rank = *rank;
    if (provided < MPI_THREAD_MULTIPLE || *world == 1) return t;
    check(MPI_Comm_dup(MPI_COMM_WORLD, &t->grad_comm), t->rank, "MPI_Comm_dup");
    MPI_Comm_set_errhandler(t->grad_comm, MPI_ERRORS_RETURN);
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->work_cv, NULL);
    pthread_cond_init(&t->done_cv, NULL);
    /* signals (SIGINT, SIGTERM: the stop request) are for the main thread, not the sender */
    sigset_t block, old;
    sigfillset(&block);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int err = pthread_create(&t->sender, NULL, sender_main, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err == 0) {
        t->threaded = 1;
    } else { /* started sums then run at once */
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->work_cv);
        pthread_cond_destroy(&t->done_cv);
        MPI_Comm_free(&t->grad_comm);
    }
    return t;
}

void transport_finalize(transport *t)
{
    if (t->threaded) {
        pthread_mutex_lock(&t->mu);
        t->stop = 1;
        pthread_cond_broadcast(&t->work_cv);
        pthread_mutex_unlock(&t->mu);
        pthread_join(t->sender, NULL);
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->work_cv);
        pthread_cond_destroy(&t->done_cv);
        MPI_Comm_free(&t->grad_comm);
    }
    MPI_Finalize();
    free(t);
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

void transport_sum_floats(transport *t, float *buf, size_t n)
{
    sum_floats_on(MPI_COMM_WORLD, t->rank, buf, n);
}

void transport_sum_doubles(transport *t, double *buf, size_t n)
{
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t k = n - off < CHUNK ? n - off : CHUNK;
        check(MPI_Allreduce(MPI_IN_PLACE, buf + off, (int)k, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD),
              t->rank, "MPI_Allreduce");
    }
}

void transport_sum_floats_start(transport *t, float *buf, size_t n)
{
    if (!t->threaded) {
        sum_floats_on(MPI_COMM_WORLD, t->rank, buf, n);
        return;
    }
    pthread_mutex_lock(&t->mu);
    while (t->count == TRANSPORT_MAX_PENDING) pthread_cond_wait(&t->done_cv, &t->mu);
    t->queue[(t->head + t->count) % TRANSPORT_MAX_PENDING] = (sum_job){buf, n};
    t->count++;
    pthread_cond_signal(&t->work_cv);
    pthread_mutex_unlock(&t->mu);
}

void transport_wait_sums(transport *t)
{
    if (!t->threaded) return;
    pthread_mutex_lock(&t->mu);
    while (t->count > 0 || t->busy) pthread_cond_wait(&t->done_cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

void transport_broadcast(transport *t, void *buf, size_t bytes)
{
    for (size_t off = 0; off < bytes; off += CHUNK) {
        size_t k = bytes - off < CHUNK ? bytes - off : CHUNK;
        check(MPI_Bcast((char *)buf + off, (int)k, MPI_BYTE, 0, MPI_COMM_WORLD), t->rank, "MPI_Bcast");
    }
}

int transport_max_int(transport *t, int value)
{
    int r = value;
    check(MPI_Allreduce(MPI_IN_PLACE, &r, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), t->rank,
          "MPI_Allreduce");
    return r;
}

void transport_gather_u32(transport *t, uint32_t value, uint32_t *all)
{
    check(MPI_Allgather(&value, 1, MPI_UINT32_T, all, 1, MPI_UINT32_T, MPI_COMM_WORLD), t->rank,
          "MPI_Allgather");
}
