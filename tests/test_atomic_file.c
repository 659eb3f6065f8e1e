/* Atomic file replacement: the new content appears only complete, a failed write (here: the
 * file-size limit, which fails write(2) with EFBIG exactly like a full disk fails it with
 * ENOSPC) names the file, removes the temporary file and leaves the old file untouched, and
 * temporary files of killed writers are cleaned up without touching anything else. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "testutil.h"

static char g_dir[64];

static void path_in(char *buf, size_t n, const char *name)
{
    if ((size_t)snprintf(buf, n, "%s/%s", g_dir, name) >= n) buf[0] = 0;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int file_is(const char *path, const char *want)
{
    size_t len = 0;
    char *got = test_read_file(path, &len);
    int ok = got && len == strlen(want) && memcmp(got, want, len) == 0;
    free(got);
    return ok;
}

static void test_write_replace(void)
{
    char p[128], tmp[160];
    path_in(p, sizeof p, "a.txt");
    dc_err e;
    TEST_CHECK(atomic_file_write(p, "first", 5, &e) == 0, "%s", e.msg);
    TEST_CHECK(file_is(p, "first"), "content after the first write");
    TEST_CHECK(atomic_file_write(p, "second!", 7, &e) == 0, "%s", e.msg);
    TEST_CHECK(file_is(p, "second!"), "content after the replacement");
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", p, (long)getpid());
    TEST_CHECK(!exists(tmp), "temporary file %s left behind", tmp);
}

static void test_open_fails(void)
{
    char p[128];
    path_in(p, sizeof p, "no/such/folder/x.bin");
    dc_err e = {{0}};
    TEST_CHECK(atomic_file_write(p, "x", 1, &e) != 0, "write into a missing folder succeeded");
    TEST_CHECK(strncmp(e.msg, p, strlen(p)) == 0 && strstr(e.msg, "cannot create"),
               "message: %s", e.msg);
    printf("  missing folder -> %s\n", e.msg);
}

/* RLIMIT_FSIZE with SIGXFSZ ignored: write(2) fails with EFBIG, as it fails with ENOSPC on a
 * full disk. Both the buffered path (error at fflush in commit) and an early fwrite failure
 * are covered by the size of the payload. */
static void test_write_fails(size_t payload)
{
    char p[128], tmp[160];
    path_in(p, sizeof p, "big.bin");
    dc_err e = {{0}};
    TEST_CHECK(atomic_file_write(p, "old content", 11, &e) == 0, "%s", e.msg);

    char *data = calloc(payload, 1);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 1000;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    TEST_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0, "setrlimit: %s", strerror(errno));
    int rc = atomic_file_write(p, data, payload, &e);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    free(data);

    TEST_CHECK(rc != 0, "a %zu-byte write over a 1000-byte limit succeeded", payload);
    TEST_CHECK(strncmp(e.msg, p, strlen(p)) == 0 && strstr(e.msg, "write failed") &&
                   strstr(e.msg, strerror(EFBIG)),
               "message: %s", e.msg);
    TEST_CHECK(file_is(p, "old content"), "old file damaged by a failed write");
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", p, (long)getpid());
    TEST_CHECK(!exists(tmp), "temporary file %s left behind", tmp);
    printf("  %zu bytes over a 1000-byte limit -> %s\n", payload, e.msg);
}

static void touch(const char *name)
{
    char p[160];
    path_in(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    if (f) fclose(f);
}

static void test_remove_stale(void)
{
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0); /* a pid that no longer runs */
    long dead = (long)child, self = (long)getpid(), live = (long)getppid();
    char n[8][64];
    snprintf(n[0], sizeof n[0], "ckpt-00000007.safetensors.tmp.%ld", dead); /* removed */
    snprintf(n[1], sizeof n[1], "ckpt-00000008.safetensors.tmp.%ld", self); /* ours: kept */
    snprintf(n[2], sizeof n[2], "ckpt-00000009.safetensors.tmp.%ld", live); /* alive: kept */
    snprintf(n[3], sizeof n[3], "notes.safetensors.tmp.%ld", dead);         /* other prefix */
    snprintf(n[4], sizeof n[4], "ckpt-00000010.safetensors.tmp.12ab");       /* not a pid */
    snprintf(n[5], sizeof n[5], "ckpt-00000011.safetensors");                /* a checkpoint */
    snprintf(n[6], sizeof n[6], "ckpt-00000012.npy.tmp.%ld", dead);          /* other suffix */
    snprintf(n[7], sizeof n[7], "ckpt-00000013.safetensors.tmp.%ld.x", dead); /* trailing */
    for (int i = 0; i < 8; i++) touch(n[i]);
    int removed = atomic_file_remove_stale(g_dir, "ckpt-", ".safetensors");
    TEST_CHECK(removed == 1, "removed %d files, expected 1", removed);
    for (int i = 0; i < 8; i++) {
        char p[160];
        path_in(p, sizeof p, n[i]);
        TEST_CHECK(exists(p) == (i != 0), "%s %s", n[i], i == 0 ? "not removed" : "removed");
        unlink(p);
    }
    TEST_CHECK(atomic_file_remove_stale("/nonexistent/dir", "a", "b") == 0, "missing folder");
}

/* A FIFO is written in place (a reader gets the bytes), never renamed over. */
static void test_fifo(void)
{
    char p[128];
    path_in(p, sizeof p, "pipe");
    TEST_CHECK(mkfifo(p, 0600) == 0, "mkfifo: %s", strerror(errno));
    int fds[2];
    TEST_CHECK(pipe(fds) == 0, "pipe");
    pid_t child = fork();
    if (child == 0) { /* the reader: copies what arrives to the parent */
        close(fds[0]);
        FILE *f = fopen(p, "rb");
        char buf[64];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        ssize_t w = write(fds[1], buf, n);
        _exit(w == (ssize_t)n ? 0 : 1);
    }
    close(fds[1]);
    dc_err e = {{0}};
    TEST_CHECK(atomic_file_write(p, "through the pipe", 16, &e) == 0, "%s", e.msg);
    char got[64] = {0};
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    waitpid(child, NULL, 0);
    TEST_CHECK(n == 16 && strcmp(got, "through the pipe") == 0, "the reader got '%s'", got);
    struct stat st;
    TEST_CHECK(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced");
    unlink(p);
}

/* /dev/null stays a character device (as root a rename would replace the node; as anyone
 * else it would fail); a folder and a dangling link are refused; a link to a regular file
 * stays a link and the file it names is replaced. */
static void test_not_regular(void)
{
    dc_err e = {{0}};
    TEST_CHECK(atomic_file_write("/dev/null", "x", 1, &e) == 0, "/dev/null: %s", e.msg);
    struct stat st;
    TEST_CHECK(lstat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null was replaced");
    if (lstat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) { /* not in every container */
        TEST_CHECK(atomic_file_write("/dev/full", "x", 1, &e) != 0 &&
                       strstr(e.msg, "/dev/full: write failed: ") && strstr(e.msg, strerror(ENOSPC)),
                   "/dev/full: %s", e.msg);
        TEST_CHECK(lstat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode), "/dev/full was replaced");
        printf("  /dev/full -> %s\n", e.msg);
    }
    TEST_CHECK(atomic_file_write(g_dir, "x", 1, &e) != 0 && strstr(e.msg, "is a folder"),
               "a folder: %s", e.msg);
    char link[128], target[128], dangling[128];
    path_in(target, sizeof target, "target.txt");
    path_in(link, sizeof link, "link.txt");
    path_in(dangling, sizeof dangling, "dangling.txt");
    TEST_CHECK(atomic_file_write(target, "old", 3, &e) == 0, "%s", e.msg);
    TEST_CHECK(symlink("target.txt", link) == 0, "symlink: %s", strerror(errno));
    TEST_CHECK(atomic_file_write(link, "new!", 4, &e) == 0, "%s", e.msg);
    TEST_CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link was replaced");
    TEST_CHECK(file_is(target, "new!"), "the file the link names was not replaced");
    TEST_CHECK(symlink("nowhere.txt", dangling) == 0, "symlink: %s", strerror(errno));
    TEST_CHECK(atomic_file_write(dangling, "x", 1, &e) != 0 && strstr(e.msg, "dangling"),
               "a dangling link: %s", e.msg);
    TEST_CHECK(lstat(dangling, &st) == 0 && S_ISLNK(st.st_mode), "the dangling link was replaced");
    unlink(link);
    unlink(dangling);
    unlink(target);
}

int main(void)
{
    test_begin("test_atomic_file");
    snprintf(g_dir, sizeof g_dir, "/tmp/dcgan_test_atomic_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_write_replace();
    test_open_fails();
    test_write_fails(3000);   /* fits stdio's buffer: fails in commit's fflush */
    test_write_fails(100000); /* fails inside fwrite */
    test_remove_stale();
    test_fifo();
    test_not_regular();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) printf("could not remove %s\n", g_dir);
    return test_finish();
}
