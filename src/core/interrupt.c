#include "core/interrupt.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* The one exception to the house rule that the log level is the only global mutable state:
 * the stop request reaches the code that polls it through this flag, written by the signal
 * thread only and read through interrupt_flag(). */
static volatile sig_atomic_t g_interrupt_signal;

/* Waits for the signals of *arg (a sigset_t, owned here): the first sets the flag, the
 * second ends the process with the signal's default action. */
static void *signal_thread(void *arg)
{
    sigset_t set = *(sigset_t *)arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (!g_interrupt_signal) {
            g_interrupt_signal = sig;
            static const char msg[] = "dcgan: stopping after this iteration to write a "
                                      "checkpoint (send the signal again to stop at once)\n";
            ssize_t rc = write(STDERR_FILENO, msg, sizeof msg - 1);
            (void)rc;
            continue;
        }
        /* the second: as if nothing had caught it */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(sig, &dfl, NULL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        pthread_sigmask(SIG_UNBLOCK, &one, NULL);
        raise(sig);
        _exit(128 + sig); /* not reached: the default action of both ends the process */
    }
    return NULL;
}

int interrupt_install(void)
{
    static sigset_t set; /* read by the signal thread for as long as it runs */
    sigemptyset(&set);
    static const int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        /* a signal ignored at startup stays ignored (nohup, background jobs of a script) */
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) != 0) return -1;
        if (old.sa_handler != SIG_IGN) sigaddset(&set, sigs[i]);
    }
    sigset_t old_mask;
    if (pthread_sigmask(SIG_BLOCK, &set, &old_mask) != 0) return -1;
    pthread_attr_t attr;
    pthread_t tid;
    int ok = pthread_attr_init(&attr) == 0;
    ok = ok && pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
         pthread_create(&tid, &attr, signal_thread, &set) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) {
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        return -1;
    }
    return 0;
}

const volatile sig_atomic_t *interrupt_flag(void)
{
    return &g_interrupt_signal;
}

const char *interrupt_signal_name(int sig)
{
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
    }
}
