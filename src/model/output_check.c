#include "model/output_check.h"

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* dir (resolved) is named "checkpoints" and sits in a run folder, or holds checkpoints. */
static int is_checkpoints_folder(const char *dir)
{
    char *real = realpath(dir, NULL);
    if (!real) return 0;
    const char *base = strrchr(real, '/');
    base = base ? base + 1 : real;
    int yes = 0;
    if (strcmp(base, "checkpoints") == 0) {
        size_t n = strlen(real) + 32;
        char *cfg = malloc(n);
        struct stat st;
        if (cfg) {
            snprintf(cfg, n, "%.*s/config.json", (int)(base - real - 1), real);
            yes = stat(cfg, &st) == 0;
            free(cfg);
        }
        DIR *d = yes ? NULL : opendir(real);
        for (struct dirent *de; d && !yes && (de = readdir(d)) != NULL;) {
            size_t l = strlen(de->d_name);
            yes = strncmp(de->d_name, "ckpt-", 5) == 0 && l > 17 &&
                  strcmp(de->d_name + l - 12, ".safetensors") == 0;
        }
        if (d) closedir(d);
    }
    free(real);
    return yes;
}

int output_check_path(const char *flag, const char *out, const char *const *inputs, int n,
                      dc_err *e)
{
    for (int i = 0; i < n; i++)
        if (inputs[i] && (strcmp(out, inputs[i]) == 0 || same_file(out, inputs[i])))
            return dc_fail(e, "%s %s: is also an input of this command (%s); writing it would "
                              "destroy what is being read",
                           flag, out, inputs[i]);
    char *copy = strdup(out);
    if (!copy) return dc_fail(e, "%s %s: out of memory", flag, out);
    struct stat st;
    int in_ckpt = is_checkpoints_folder(dirname(copy)) ||
                  (stat(out, &st) == 0 && S_ISDIR(st.st_mode) && is_checkpoints_folder(out));
    free(copy);
    if (in_ckpt)
        return dc_fail(e, "%s %s: is in a run's checkpoints folder, which only training writes "
                          "(a file there may be the checkpoint a resume needs); choose another "
                          "place",
                       flag, out);
    return 0;
}
