/* Folders: made with their parents. */
#ifndef DCGAN_CORE_DIRS_H
#define DCGAN_CORE_DIRS_H

#include "core/error.h"

#define DIRS_PATH_MAX 4096

/* mkdir -p: 0, or -1 naming the part that cannot be made or the path that is not a folder. */
int dirs_make(const char *path, dc_err *e);

#endif
