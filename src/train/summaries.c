#include "train/summaries.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"

int train_log_truncate(const char *path, long iteration, dc_err *e)
{
    return train_lines_truncate(path, "iteration,", "%ld,", iteration, e);
}

int train_lines_truncate(const char *path, const char *header, const char *row_fmt,
                         long iteration, dc_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    char line[4096];
    int first = 1;
    while (out && fgets(line, sizeof line, f)) {
        long it;
        size_t l0 = strlen(line);
        int whole = l0 > 0 && line[l0 - 1] == '\n'; /* a kill can leave a torn last line */
        int keep = whole && (first && header ? strncmp(line, header, strlen(header)) == 0
                                             : sscanf(line, row_fmt, &it) == 1 && it <= iteration);
        first = 0;
        if (!keep) continue;
        size_t l = strlen(line);
        if (len + l + 1 > cap) {
            cap = 2 * (len + l + 1);
            char *n = realloc(out, cap);
            if (!n) {
                free(out);
                out = NULL;
                break;
            }
            out = n;
        }
        memcpy(out + len, line, l);
        len += l;
    }
    fclose(f);
    if (!out) return dc_fail(e, "%s: out of memory", path);
    int rc = atomic_file_write(path, out, len, e);
    free(out);
    return rc;
}

double train_log_last_seconds(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char line[4096];
    double seconds = 0;
    while (fgets(line, sizeof line, f)) {
        long it, ep, b;
        double t;
        if (sscanf(line, "%ld,%ld,%ld,%lf,", &it, &ep, &b, &t) == 4 && t >= 0) seconds = t;
    }
    fclose(f);
    return seconds;
}

FILE *train_log_open(const char *path, dc_err *e)
{
    struct stat log_st;
    int new_log = stat(path, &log_st) != 0 || log_st.st_size == 0;
    FILE *f = fopen(path, "a");
    if (!f) {
        dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (new_log)
        fprintf(f, "iteration,epoch,batch,seconds,d_loss,d_loss_real,d_loss_fake,g_loss,"
                   "d_real,d_fake\n");
    return f;
}

int train_log_row(FILE *f, const char *path, long iteration, long epoch, long batch,
                  double seconds, const step_stats *s, dc_err *e)
{
    errno = 0;
    fprintf(f, "%ld,%ld,%ld,%.3f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", iteration, epoch, batch,
            seconds, s->d_loss, s->d_loss_real, s->d_loss_fake, s->g_loss, s->d_real_mean,
            s->d_fake_mean);
    if (fflush(f) != 0 || ferror(f))
        return dc_fail(e, "%s: write failed: %s", path, strerror(errno ? errno : EIO));
    return 0;
}

int train_tb_summaries(tb_writer *tb, long iteration, long hist_freq, const step_stats *s,
                       const float *z, int batch, int z_dim, const trainer *tr, dc_err *e)
{
    static const char *const tags[4] = {"d_loss_real", "d_loss_fake", "d_loss", "g_loss"};
    const float v[4] = {s->d_loss_real, s->d_loss_fake, s->d_loss, s->g_loss};
    if (tb_write_scalars(tb, iteration, tags, v, 4, e) != 0) return -1;
    if (hist_freq <= 0 || iteration % hist_freq != 0) return 0;
    size_t B = (size_t)batch;
    if (tb_write_histogram(tb, iteration, "z", z, B * (size_t)z_dim, e) ||
        tb_write_histogram(tb, iteration, "d", tr->d_real_prob, B, e) ||
        tb_write_histogram(tb, iteration, "d_", tr->d_fake_prob, B, e))
        return -1;
    return 0;
}
