#include "core/interrupt.h"

#include <string.h>
#include <unistd.h>

/* The one exception to the house rule that the log level is the only global mutable state: a
 * signal handler can only communicate through a static object of type volatile sig_atomic_t.
 * It is written by the handler only and read through interrupt_flag(). */
static volatile sig_atomic_t g_interrupt_signal;

static void on_signal(int sig)
{
    g_interrupt_signal = sig;
    static const char msg[] = "dcgan: stopping after this iteration to write a checkpoint "
                              "(send the signal again to stop at once)\n";
    ssize_t rc = write(STDERR_FILENO, msg, sizeof msg - 1); /* async-signal-safe */
    (void)rc;
}

int interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    /* SA_RESETHAND: the second signal gets the default action (terminate). SA_RESTART: file
     * I/O in progress is not cut short with EINTR. */
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    static const int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        /* a signal ignored at startup stays ignored (nohup, background jobs of a script) */
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) != 0) return -1;
        if (old.sa_handler == SIG_IGN) continue;
        if (sigaction(sigs[i], &sa, NULL) != 0) return -1;
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
