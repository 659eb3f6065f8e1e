/* Atomic file replacement: write to "<path>.tmp.<pid>", fsync, rename over <path>, fsync the
 * folder. A reader sees either the old file or the complete new one, never a partial write;
 * once atomic_file_commit returns 0 the new file survives a crash or power loss.
 *
 * Only a regular file (or none) is ever replaced. A path that names something else is never
 * renamed over: a character device or a FIFO (/dev/null, /dev/stdout, a pipe) is written in
 * place, as a shell's '>' would; a folder, a block device and a dangling symbolic link are
 * refused; a symbolic link to a regular file keeps the link and replaces the file it names. */
#ifndef DCGAN_CORE_ATOMIC_FILE_H
#define DCGAN_CORE_ATOMIC_FILE_H

#include <stdio.h>
#include "core/error.h"

typedef struct {
    FILE *fp;          /* write through this */
    char *path;        /* the path given (for messages) */
    char *dest;        /* what the rename replaces: path, or the file a symbolic link names */
    char *tmp_path;    /* temporary path beside dest; NULL when writing in place */
} atomic_file;

/* Opens the temporary file (or a device or FIFO in place). Returns 0 or -1 (message names
 * the path). */
int atomic_file_open(atomic_file *af, const char *path, dc_err *e);
/* Flushes, fsyncs, renames and fsyncs the folder; frees af. On failure before the rename the
 * temporary file is removed, the old file at path is untouched, and -1 is returned with
 * "path: write failed: <reason>". If only the folder's fsync fails, the new file is in place
 * but possibly not durable, and -1 is returned too ("path: cannot sync its folder: ..."). */
int atomic_file_commit(atomic_file *af, dc_err *e);
/* Drops the temporary file; frees af. (What was written in place stays written.) */
void atomic_file_abort(atomic_file *af);
/* Writes len bytes to path atomically. */
int atomic_file_write(const char *path, const void *data, size_t len, dc_err *e);

/* Removes temporary files left in dir by killed writers: names "<prefix>*<suffix>.tmp.<pid>"
 * whose process <pid> no longer runs (our own pid and live processes are left alone). Returns
 * the number removed (0 if dir cannot be read). */
int atomic_file_remove_stale(const char *dir, const char *prefix, const char *suffix);

#endif
