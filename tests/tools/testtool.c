/* Helper for the shell tests (tests/test_*.sh, tests/crash_test.sh): makes small data sets and
 * damaged files, and compares checkpoints tensor by tensor.
 *   testtool idx DIR N_TRAIN N_TEST        MNIST-format IDX set (train + t10k) in DIR (made)
 *   testtool pngs DIR N SIZE               N random SIZExSIZE RGB PNGs in DIR (made)
 *   testtool jpeg FILE W H                 a W x H JPEG
 *   testtool png-header FILE W H           a PNG header claiming W x H pixels (a bomb)
 *   testtool ckpt-diff A B                 exit 0 if every tensor and the run state are equal
 *   testtool flip FILE OFFSET              flips the low bit of the byte at OFFSET (negative:
 *                                          from the end) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../testdata.h"

static int usage(void)
{
    fprintf(stderr, "usage: testtool idx|pngs|jpeg|png-header|ckpt-diff|flip ... (see source)\n");
    return 2;
}

/* mkdir -p */
static void mkdirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    mkdir(p, 0777);
}

static int flip(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    long at = off < 0 ? len + off : off;
    if (at < 0 || at >= len) {
        fprintf(stderr, "%s: offset %ld outside %ld bytes\n", path, off, len);
        fclose(f);
        return 1;
    }
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 1, f);
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    const char *cmd = argv[1];
    if ((strcmp(cmd, "idx") == 0 || strcmp(cmd, "pngs") == 0) && argc > 2) mkdirs(argv[2]);
    if (strcmp(cmd, "idx") == 0 && argc == 5)
        return testdata_write_idx(argv[2], "train", atoi(argv[3]), 1) ||
               testdata_write_idx(argv[2], "t10k", atoi(argv[4]), 2);
    if (strcmp(cmd, "pngs") == 0 && argc == 5)
        return testdata_write_pngs(argv[2], atoi(argv[3]), atoi(argv[4]), 99) != 0;
    if (strcmp(cmd, "jpeg") == 0 && argc == 5)
        return testdata_write_jpeg(argv[2], atoi(argv[3]), atoi(argv[4])) != 0;
    if (strcmp(cmd, "png-header") == 0 && argc == 5)
        return testdata_write_png_header(argv[2], (uint32_t)strtoul(argv[3], NULL, 10),
                                         (uint32_t)strtoul(argv[4], NULL, 10)) != 0;
    if (strcmp(cmd, "ckpt-diff") == 0 && argc == 4)
        return testdata_compare_checkpoints(argv[2], argv[3]) != 0;
    if (strcmp(cmd, "flip") == 0 && argc == 4) return flip(argv[2], strtol(argv[3], NULL, 10));
    return usage();
}
