#include "core/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define ATOMIC_TMP_TAG ".tmp."

static void atomic_file_release(atomic_file *af)
{
    free(af->path);
    if (af->dest != af->path) free(af->dest);
    free(af->tmp_path);
    af->path = af->dest = af->tmp_path = NULL;
    af->fp = NULL;
}

/* Where the new file goes: *dest = af->path for a regular file or none, the file a symbolic
 * link names, or NULL (in place) for a character device or FIFO; -1 for what must not be
 * replaced. */
static int atomic_file_target(atomic_file *af, dc_err *e)
{
    const char *path = af->path;
    struct stat st, lst;
    af->dest = af->path;
    if (lstat(path, &lst) != 0) return 0; /* nothing there yet (or a missing folder: open says) */
    int followed = stat(path, &st) == 0;
    if (!followed)
        return S_ISLNK(lst.st_mode) ? dc_fail(e, "%s: a dangling symbolic link; give the file it "
                                                 "should name, or remove the link", path)
                                    : 0;
    if (S_ISDIR(st.st_mode)) return dc_fail(e, "%s: is a folder, not a file", path);
    if (S_ISBLK(st.st_mode))
        return dc_fail(e, "%s: is a block device: refusing to write over it", path);
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
        af->dest = NULL; /* in place: never renamed over */
        return 0;
    }
    if (!S_ISREG(st.st_mode)) return dc_fail(e, "%s: not a regular file", path);
    if (S_ISLNK(lst.st_mode)) { /* keep the link, replace what it names */
        af->dest = realpath(path, NULL);
        if (!af->dest) {
            af->dest = af->path;
            return dc_fail(e, "%s: cannot follow the symbolic link: %s", path, strerror(errno));
        }
    }
    return 0;
}

/* A character device or FIFO, opened for writing as it is (no truncation, no rename). */
static int atomic_file_open_in_place(atomic_file *af, dc_err *e)
{
    int fd = open(af->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    af->fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (af->fp) return 0;
    int err = errno;
    if (fd >= 0) close(fd);
    dc_fail(e, "%s: cannot open for writing: %s", af->path, strerror(err));
    atomic_file_release(af);
    return -1;
}

int atomic_file_open(atomic_file *af, const char *path, dc_err *e)
{
    memset(af, 0, sizeof *af);
    af->path = strdup(path);
    if (!af->path) return dc_fail(e, "%s: out of memory", path);
    if (atomic_file_target(af, e) != 0) {
        atomic_file_release(af);
        return -1;
    }
    if (!af->dest) return atomic_file_open_in_place(af, e);
    size_t n = strlen(af->dest) + 32;
    af->tmp_path = malloc(n);
    if (!af->tmp_path) {
        atomic_file_release(af);
        return dc_fail(e, "%s: out of memory", path);
    }
    snprintf(af->tmp_path, n, "%s" ATOMIC_TMP_TAG "%ld", af->dest, (long)getpid());
    int fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    af->fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!af->fp) {
        int err = errno;
        if (fd >= 0) {
            close(fd);
            unlink(af->tmp_path);
        }
        atomic_file_release(af);
        return dc_fail(e, "%s: cannot create: %s", path, strerror(err));
    }
    return 0;
}

void atomic_file_abort(atomic_file *af)
{
    if (af->fp) fclose(af->fp);
    if (af->tmp_path) unlink(af->tmp_path);
    atomic_file_release(af);
}

/* 0, or an errno. Filesystems that cannot sync a folder (EINVAL) count as success: there is
 * nothing more we could do there. */
static int fsync_parent_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return ENOMEM;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    free(copy);
    if (fd < 0) return err;
    if (fsync(fd) != 0 && errno != EINVAL) err = errno;
    close(fd);
    return err;
}

int atomic_file_commit(atomic_file *af, dc_err *e)
{
    int err = 0;
    errno = 0;
    /* stdio keeps errno of the failed write(2) (ENOSPC, EFBIG, EIO); a stream that failed
     * earlier without errno still reports EIO */
    if (fflush(af->fp) != 0 || ferror(af->fp)) err = errno ? errno : EIO;
    /* a device or pipe written in place has nothing to make durable or to rename */
    if (!err && af->tmp_path && fsync(fileno(af->fp)) != 0) err = errno;
    errno = 0;
    if (fclose(af->fp) != 0 && !err) err = errno ? errno : EIO;
    af->fp = NULL;
    if (!err && af->tmp_path && rename(af->tmp_path, af->dest) != 0) err = errno;
    if (err) {
        if (af->tmp_path) unlink(af->tmp_path);
        dc_fail(e, "%s: write failed: %s", af->path, strerror(err));
        atomic_file_release(af);
        return -1;
    }
    if (!af->tmp_path) {
        atomic_file_release(af);
        return 0;
    }
    err = fsync_parent_dir(af->dest);
    if (err) dc_fail(e, "%s: cannot sync its folder: %s", af->path, strerror(err));
    atomic_file_release(af);
    return err ? -1 : 0;
}

int atomic_file_write(const char *path, const void *data, size_t len, dc_err *e)
{
    atomic_file af;
    if (atomic_file_open(&af, path, e) != 0) return -1;
    errno = 0;
    if (len && fwrite(data, 1, len, af.fp) != len) {
        int err = errno;
        atomic_file_abort(&af);
        return dc_fail(e, "%s: write failed: %s", path, strerror(err ? err : EIO));
    }
    return atomic_file_commit(&af, e);
}

/* "<prefix>*<suffix>.tmp.<digits>": the pid, or -1 if name does not match. */
static long stale_pid(const char *name, const char *prefix, const char *suffix)
{
    size_t n = strlen(name), lp = strlen(prefix), ls = strlen(suffix), lt = strlen(ATOMIC_TMP_TAG);
    if (strncmp(name, prefix, lp) != 0) return -1;
    const char *tag = strstr(name + lp, ATOMIC_TMP_TAG);
    while (tag) { /* the last ".tmp." */
        const char *next = strstr(tag + 1, ATOMIC_TMP_TAG);
        if (!next) break;
        tag = next;
    }
    if (!tag || (size_t)(tag - name) < lp + ls || strncmp(tag - ls, suffix, ls) != 0) return -1;
    const char *d = tag + lt;
    if (!*d || (size_t)(name + n - d) > 10) return -1;
    long pid = 0;
    for (; *d; d++) {
        if (*d < '0' || *d > '9') return -1;
        pid = pid * 10 + (*d - '0');
    }
    return pid > 0 ? pid : -1;
}

int atomic_file_remove_stale(const char *dir, const char *prefix, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        long pid = stale_pid(de->d_name, prefix, suffix);
        if (pid <= 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive (or not ours to judge) */
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(len);
        if (!p) break;
        snprintf(p, len, "%s/%s", dir, de->d_name);
        if (unlink(p) == 0) removed++;
        free(p);
    }
    closedir(d);
    return removed;
}
