/* Recoverable errors: a function that can fail on input returns 0 on success or -1 with a
 * one-line message ("path: problem") in a caller-owned dc_err. */
#ifndef DCGAN_CORE_ERROR_H
#define DCGAN_CORE_ERROR_H

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    char msg[1024];
} dc_err;

/* Formats the message into e (if not NULL) and returns -1, so callers can `return dc_fail(...)`. */
int dc_fail(dc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Programmer errors (violated preconditions): print file:line and abort. */
#define DC_ASSERT(cond, ...)                                                          \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: assertion failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* Allocation that exits (1) with a message when memory runs out (there is no recovery from
 * that in the middle of a training step); the message names the flags that need less. Memory
 * is zeroed. */
void *dc_calloc(size_t count, size_t size);
/* 64-byte aligned, zeroed, freed with free(). */
float *dc_alloc_floats(size_t count);

/* snprintf into a path buffer; returns -1 (with a message in e) if the result does not fit. */
int dc_path(dc_err *e, char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
