#include "core/dirs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int dirs_make(const char *path, dc_err *e)
{
    char buf[DIRS_PATH_MAX];
    if (dc_path(e, buf, sizeof buf, "%s", path)) return -1;
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return dc_fail(e, "%s: cannot create folder: %s", buf, strerror(errno));
            *p = c;
            if (!c) break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return dc_fail(e, "%s: exists and is not a folder", path);
    return 0;
}

