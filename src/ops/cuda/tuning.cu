/* The benchmarked cuDNN choices, in memory and in a text file (the run folder's
 * cudnn_algos.txt): a header naming the GPU and cuDNN they were measured on, then one line per
 * choice, "<key>\t<algo> <math> <workspace bytes>". */
#include "ops/cuda/cuda_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "core/atomic_file.h"
#include "core/log.h"
}

static const char HEADER[] = "# dcgan.c cuDNN algorithm choices (benchmarked once per shape)";

const cuda_tune_entry *cuda_tune_find(cuda_backend *b, const char *key)
{
    for (int i = 0; i < b->n_tune; i++)
        if (strcmp(b->tune[i].key, key) == 0) return &b->tune[i];
    return NULL;
}

static void tune_put(cuda_backend *b, const char *key, int algo, int math, size_t workspace)
{
    cuda_tune_entry *t = (cuda_tune_entry *)cuda_tune_find(b, key);
    if (!t) {
        if (b->n_tune == b->cap_tune) {
            int cap = b->cap_tune ? b->cap_tune * 2 : 32;
            cuda_tune_entry *n = (cuda_tune_entry *)realloc(b->tune, (size_t)cap * sizeof *n);
            if (!n) cuda_die("realloc", "out of host memory");
            b->tune = n;
            b->cap_tune = cap;
        }
        t = &b->tune[b->n_tune++];
        size_t l = strlen(key);
        if (l >= sizeof t->key) l = sizeof t->key - 1;
        memcpy(t->key, key, l);
        t->key[l] = 0;
    }
    t->algo = algo;
    t->math = math;
    t->workspace = workspace;
}

void cuda_tune_add(cuda_backend *b, const char *key, int algo, int math, size_t workspace)
{
    tune_put(b, key, algo, math, workspace);
    b->tune_dirty = 1;
}

int cuda_tuning_load(ops_backend *be, const char *path, dc_err *e)
{
    (void)e;
    cuda_backend *b = cuda_of(be);
    FILE *f = fopen(path, "r");
    if (!f) return 0; /* not benchmarked yet */
    char line[512], want[300];
    snprintf(want, sizeof want, "# device %s\n", b->description);
    int lineno = 0, ok_header = 0, ok_device = 0, loaded = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (lineno == 1) {
            ok_header = strncmp(line, HEADER, sizeof HEADER - 1) == 0;
            if (!ok_header) break;
            continue;
        }
        if (lineno == 2) {
            ok_device = strcmp(line, want) == 0;
            if (!ok_device) break;
            continue;
        }
        char *tab = strchr(line, '\t');
        int algo, math;
        unsigned long long ws;
        if (!tab || sscanf(tab + 1, "%d %d %llu", &algo, &math, &ws) != 3 || algo < 0 ||
            tab - line >= (long)sizeof b->tune[0].key) {
            log_warn("%s:%d: not an algorithm choice; the rest of the file is ignored", path, lineno);
            break;
        }
        *tab = 0;
        tune_put(b, line, algo, math, (size_t)ws);
        loaded++;
    }
    fclose(f);
    if (!ok_header) log_warn("%s: not a cuDNN algorithm file; benchmarking again", path);
    else if (!ok_device) log_info("%s: made on another GPU or cuDNN; benchmarking again", path);
    else log_info("cuDNN algorithm choices: %d from %s", loaded, path);
    return 0;
}

int cuda_tuning_save(ops_backend *be, const char *path, dc_err *e)
{
    cuda_backend *b = cuda_of(be);
    if (!b->tune_dirty) return 0;
    atomic_file af;
    if (atomic_file_open(&af, path, e) != 0) return -1;
    fprintf(af.fp, "%s\n# device %s\n", HEADER, b->description);
    for (int i = 0; i < b->n_tune; i++)
        fprintf(af.fp, "%s\t%d %d %llu\n", b->tune[i].key, b->tune[i].algo, b->tune[i].math,
                (unsigned long long)b->tune[i].workspace);
    if (atomic_file_commit(&af, e) != 0) return -1;
    b->tune_dirty = 0;
    return 0;
}
