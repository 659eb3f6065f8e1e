#include "util/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>

int atomic_file_open(atomic_file *af, const char *path, dc_err *e)
{
    memset(af, 0, sizeof *af);
    size_t n = strlen(path) + 32;
    af->path = strdup(path);
    af->tmp_path = malloc(n);
    if (!af->path || !af->tmp_path) {
        free(af->path);
        free(af->tmp_path);
        return dc_fail(e, "%s: out of memory", path);
    }
    snprintf(af->tmp_path, n, "%s.tmp.%ld", path, (long)getpid());
    af->fp = fopen(af->tmp_path, "wb");
    if (!af->fp) {
        int err = errno;
        free(af->path);
        free(af->tmp_path);
        af->path = af->tmp_path = NULL;
        return dc_fail(e, "%s: cannot create: %s", path, strerror(err));
    }
    return 0;
}

static void atomic_file_release(atomic_file *af)
{
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    af->fp = NULL;
}

void atomic_file_abort(atomic_file *af)
{
    if (af->fp) fclose(af->fp);
    if (af->tmp_path) unlink(af->tmp_path);
    atomic_file_release(af);
}

static int fsync_parent_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int atomic_file_commit(atomic_file *af, dc_err *e)
{
    int err = 0;
    if (fflush(af->fp) != 0 || ferror(af->fp)) err = errno ? errno : EIO;
    if (!err && fsync(fileno(af->fp)) != 0) err = errno;
    if (fclose(af->fp) != 0 && !err) err = errno ? errno : EIO;
    af->fp = NULL;
    if (!err && rename(af->tmp_path, af->path) != 0) err = errno;
    if (err) {
        unlink(af->tmp_path);
        dc_fail(e, "%s: write failed: %s", af->path, strerror(err));
        atomic_file_release(af);
        return -1;
    }
    fsync_parent_dir(af->path);
    atomic_file_release(af);
    return 0;
}

int atomic_file_write(const char *path, const void *data, size_t len, dc_err *e)
{
    atomic_file af;
    if (atomic_file_open(&af, path, e) != 0) return -1;
    if (len && fwrite(data, 1, len, af.fp) != len) {
        int err = errno;
        atomic_file_abort(&af);
        return dc_fail(e, "%s: write failed: %s", path, strerror(err ? err : EIO));
    }
    return atomic_file_commit(&af, e);
}
