#include "core/interrupt.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* The one exception to the house rule that the log level is the only global mutable state:
 * the stop request reaches the code that polls it through this flag, written by the signal
 * thread only and read through interrupt_flag(); with it, what the thread needs (the signals
 * it waits for, the note the command wants printed) and the once-only start. */
static volatile sig_atomic_t g_interrupt_signal;
static struct {
    sigset_t set;
    const char *volatile note;
    pthread_once_t once;
    int started; /* 1 once the thread runs */
} g_sig = {.once = PTHREAD_ONCE_INIT};

/* Waits for the signals of g_sig.set: the first sets the flag and prints the note, the second
 * ends the process with the signal's default action. */
static void *signal_thread(void *arg)
{
    (void)arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&g_sig.set, &sig) != 0) continue;
        if (!g_interrupt_signal) {
            g_interrupt_signal = sig;
            const char *note = g_sig.note;
            ssize_t rc = write(STDERR_FILENO, note, strlen(note));
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

static void start_signal_thread(void)
{
    sigemptyset(&g_sig.set);
    static const int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        /* a signal ignored at startup stays ignored (nohup, background jobs of a script) */
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) != 0) return;
        if (old.sa_handler != SIG_IGN) sigaddset(&g_sig.set, sigs[i]);
    }
    sigset_t old_mask;
    if (pthread_sigmask(SIG_BLOCK, &g_sig.set, &old_mask) != 0) return;
    pthread_attr_t attr;
    pthread_t tid;
    int ok = pthread_attr_init(&attr) == 0;
    ok = ok && pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
         pthread_create(&tid, &attr, signal_thread, NULL) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    g_sig.started = ok;
}

int interrupt_install(const char *note)
{
    g_sig.note = note;
    pthread_once(&g_sig.once, start_signal_thread);
    return g_sig.started ? 0 : -1;
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
