/* core/interrupt: SIGINT and SIGTERM are taken by the signal thread alone. After
 * interrupt_install they are blocked in the calling thread and in every thread it starts
 * later (a signal frame pushed onto a computing thread's stack can land in the heap: oneDNN's
 * JIT GEMM runs with its stack pointer in a heap buffer), and a SIGTERM sent to the process
 * still sets the flag. (tests/test_signal.sh covers the whole stop-and-resume path.) */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "core/interrupt.h"
#include "testutil.h"

static void *report_mask(void *arg)
{
    sigset_t *out = arg;
    pthread_sigmask(SIG_BLOCK, NULL, out);
    return NULL;
}

int main(void)
{
    test_begin("interrupt");
    /* a signal ignored at startup would stay ignored: make sure these two are not */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    TEST_CHECK(interrupt_install("test: stopping\n") == 0, "install");
    TEST_CHECK(interrupt_install("test: stopping (the note of a later command)\n") == 0,
               "a second install");
    sigset_t mine, theirs;
    pthread_sigmask(SIG_BLOCK, NULL, &mine);
    TEST_CHECK(sigismember(&mine, SIGINT) && sigismember(&mine, SIGTERM),
               "blocked in the thread that installed");
    pthread_t t;
    pthread_create(&t, NULL, report_mask, &theirs);
    pthread_join(t, NULL);
    TEST_CHECK(sigismember(&theirs, SIGINT) && sigismember(&theirs, SIGTERM),
               "blocked in a thread started later");
    const volatile sig_atomic_t *flag = interrupt_flag();
    TEST_CHECK(*flag == 0, "no request yet");
    kill(getpid(), SIGTERM);
    for (int i = 0; i < 400 && *flag == 0; i++) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    TEST_CHECK(*flag == SIGTERM, "SIGTERM to the process sets the flag (%d)", (int)*flag);
    return test_finish();
}
