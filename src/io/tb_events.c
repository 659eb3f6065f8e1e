#include "io/tb_events.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/png_write.h"
#include "core/crc32c.h"

#define TB_FILE_VERSION "brain.Event:2"
#define TB_PATH_MAX 4096

/* Field numbers of tensorflow.Event, Summary, Summary.Value, Summary.Image, HistogramProto,
 * SessionLog (tensorflow/core/util/event.proto, framework/summary.proto). */
enum { EV_WALL_TIME = 1, EV_STEP = 2, EV_FILE_VERSION = 3, EV_SUMMARY = 5, EV_SESSION_LOG = 6 };
enum { SUMMARY_VALUE = 1 };
enum { VAL_TAG = 1, VAL_SIMPLE = 2, VAL_IMAGE = 4, VAL_HISTO = 5 };
enum { IMG_HEIGHT = 1, IMG_WIDTH = 2, IMG_COLORSPACE = 3, IMG_ENCODED = 4 };
enum { HISTO_MIN = 1, HISTO_MAX, HISTO_NUM, HISTO_SUM, HISTO_SUM_SQ, HISTO_LIMIT, HISTO_BUCKET };
enum { SESSION_STATUS = 1, SESSION_START = 1 };

struct tb_writer {
    FILE *fp;
    char path[TB_PATH_MAX];
    int failed; /* a write failed; reported at close */
    char fail_msg[TB_PATH_MAX + 256];
    pb_buf ev, summary, value, inner, record;
};

/* TensorFlow's default histogram bucket limits (tensorflow/core/lib/histogram/histogram.cc). */
static double *g_limits;
static size_t g_nlimits;
static pthread_once_t g_limits_once = PTHREAD_ONCE_INIT;

static void limits_init(void)
{
    size_t npos = 0;
    for (double v = 1e-12; v < 1e20; v *= 1.1) npos++;
    g_nlimits = 2 * (npos + 1) + 1;
    g_limits = malloc(g_nlimits * sizeof *g_limits);
    DC_ASSERT(g_limits != NULL, "out of memory");
    size_t k = 0;
    g_limits[k++] = -DBL_MAX;
    double *pos = g_limits + npos + 2; /* positive limits start after -DBL_MAX, negatives, 0 */
    double v = 1e-12;
    for (size_t i = 0; i < npos; i++, v *= 1.1) pos[i] = v;
    pos[npos] = DBL_MAX;
    for (size_t i = 0; i < npos; i++) g_limits[k++] = -pos[npos - 1 - i];
    g_limits[k++] = 0.0;
    DC_ASSERT(k == npos + 2 && g_limits + k == pos, "bucket layout");
}

/* Index of the first limit > v (std::upper_bound). */
static size_t bucket_index(double v)
{
    size_t lo = 0, hi = g_nlimits;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g_limits[mid] <= v) lo = mid + 1;
        else hi = mid;
    }
    return lo < g_nlimits ? lo : g_nlimits - 1;
}

void tb_histogram_encode(pb_buf *out, const float *values, size_t n)
{
    pthread_once(&g_limits_once, limits_init);
    double *counts = calloc(g_nlimits, sizeof *counts);
    double *lim = malloc(g_nlimits * sizeof *lim), *cnt = malloc(g_nlimits * sizeof *cnt);
    DC_ASSERT(counts && lim && cnt, "out of memory");
    double mn = DBL_MAX, mx = -DBL_MAX, sum = 0, sum2 = 0, num = 0;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (!isfinite(v)) continue;
        counts[bucket_index(v)] += 1;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        sum += v;
        sum2 += v * v;
        num += 1;
    }
    size_t m = 0;
    for (size_t i = 0; i < g_nlimits;) {
        double end = g_limits[i], c = counts[i];
        i++;
        if (c == 0.0)
            while (i < g_nlimits && counts[i] == 0.0) end = g_limits[i++];
        lim[m] = end;
        cnt[m++] = c;
    }
    pb_double(out, HISTO_MIN, num ? mn : 0.0);
    pb_double(out, HISTO_MAX, num ? mx : 0.0);
    pb_double(out, HISTO_NUM, num);
    pb_double(out, HISTO_SUM, sum);
    pb_double(out, HISTO_SUM_SQ, sum2);
    pb_packed_doubles(out, HISTO_LIMIT, lim, m);
    pb_packed_doubles(out, HISTO_BUCKET, cnt, m);
    free(counts);
    free(lim);
    free(cnt);
}

static void put_le(pb_buf *b, uint64_t v, int bytes)
{
    uint8_t t[8];
    for (int i = 0; i < bytes; i++) t[i] = (uint8_t)(v >> (8 * i));
    pb_put_bytes(b, t, (size_t)bytes);
}

void tb_record_frame(pb_buf *out, const void *data, size_t n)
{
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)((uint64_t)n >> (8 * i));
    pb_put_bytes(out, len, 8);
    put_le(out, crc32c_mask(crc32c(len, 8)), 4);
    pb_put_bytes(out, data, n);
    put_le(out, crc32c_mask(crc32c(data, n)), 4);
}

static double wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void event_begin(tb_writer *w, long step)
{
    pb_clear(&w->ev);
    pb_double(&w->ev, EV_WALL_TIME, wall_time());
    pb_varint(&w->ev, EV_STEP, (uint64_t)(step < 0 ? 0 : step));
}

/* Writes w->ev as one record. */
static int event_write(tb_writer *w, dc_err *e)
{
    if (w->failed) return dc_fail(e, "%s", w->fail_msg);
    pb_clear(&w->record);
    tb_record_frame(&w->record, w->ev.data, w->ev.len);
    if (fwrite(w->record.data, 1, w->record.len, w->fp) != w->record.len || fflush(w->fp) != 0) {
        w->failed = 1;
        snprintf(w->fail_msg, sizeof w->fail_msg, "%s: write failed: %s", w->path,
                 strerror(errno ? errno : EIO));
        return dc_fail(e, "%s", w->fail_msg);
    }
    return 0;
}

static void writer_free(tb_writer *w)
{
    pb_free(&w->ev);
    pb_free(&w->summary);
    pb_free(&w->value);
    pb_free(&w->inner);
    pb_free(&w->record);
    free(w);
}

tb_writer *tb_writer_open(const char *logdir, dc_err *e)
{
    if (mkdir(logdir, 0777) != 0 && errno != EEXIST) {
        dc_fail(e, "%s: cannot create folder: %s", logdir, strerror(errno));
        return NULL;
    }
    tb_writer *w = calloc(1, sizeof *w);
    if (!w) {
        dc_fail(e, "out of memory");
        return NULL;
    }
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "localhost");
    for (char *p = host; *p; p++)
        if (*p == '/') *p = '_';
    long t = (long)time(NULL);
    for (int n = 0; n < 1000 && !w->fp; n++) {
        if (dc_path(e, w->path, sizeof w->path, "%s/events.out.tfevents.%ld.%s.%ld.%d", logdir,
                    t, host, (long)getpid(), n)) {
            writer_free(w);
            return NULL;
        }
        w->fp = fopen(w->path, "wbx");
        if (!w->fp && errno != EEXIST) break;
    }
    if (!w->fp) {
        dc_fail(e, "%s: cannot create: %s", w->path, strerror(errno));
        writer_free(w);
        return NULL;
    }
    event_begin(w, 0);
    pb_string(&w->ev, EV_FILE_VERSION, TB_FILE_VERSION);
    if (event_write(w, e) != 0) {
        fclose(w->fp);
        writer_free(w);
        return NULL;
    }
    return w;
}

const char *tb_writer_path(const tb_writer *w)
{
    return w->path;
}

int tb_writer_close(tb_writer *w, dc_err *e)
{
    if (!w) return 0;
    int rc = 0;
    if (w->failed) rc = dc_fail(e, "%s", w->fail_msg);
    if (fclose(w->fp) != 0 && rc == 0) rc = dc_fail(e, "%s: write failed: %s", w->path, strerror(errno));
    writer_free(w);
    return rc;
}

int tb_write_scalars(tb_writer *w, long step, const char *const *tags, const float *values,
                     int n, dc_err *e)
{
    pb_clear(&w->summary);
    for (int i = 0; i < n; i++) {
        pb_clear(&w->value);
        pb_string(&w->value, VAL_TAG, tags[i]);
        pb_float(&w->value, VAL_SIMPLE, values[i]);
        pb_message(&w->summary, SUMMARY_VALUE, &w->value);
    }
    event_begin(w, step);
    pb_message(&w->ev, EV_SUMMARY, &w->summary);
    return event_write(w, e);
}

int tb_write_histogram(tb_writer *w, long step, const char *tag, const float *values, size_t n,
                       dc_err *e)
{
    pb_clear(&w->inner);
    tb_histogram_encode(&w->inner, values, n);
    pb_clear(&w->value);
    pb_string(&w->value, VAL_TAG, tag);
    pb_message(&w->value, VAL_HISTO, &w->inner);
    pb_clear(&w->summary);
    pb_message(&w->summary, SUMMARY_VALUE, &w->value);
    event_begin(w, step);
    pb_message(&w->ev, EV_SUMMARY, &w->summary);
    return event_write(w, e);
}

static int write_png_event(tb_writer *w, long step, const char *tag, const uint8_t *png,
                           size_t len, int W, int H, int C, dc_err *e)
{
    pb_clear(&w->inner);
    pb_varint(&w->inner, IMG_HEIGHT, (uint64_t)H);
    pb_varint(&w->inner, IMG_WIDTH, (uint64_t)W);
    pb_varint(&w->inner, IMG_COLORSPACE, (uint64_t)C);
    pb_bytes(&w->inner, IMG_ENCODED, png, len);
    pb_clear(&w->value);
    pb_string(&w->value, VAL_TAG, tag);
    pb_message(&w->value, VAL_IMAGE, &w->inner);
    pb_clear(&w->summary);
    pb_message(&w->summary, SUMMARY_VALUE, &w->value);
    event_begin(w, step);
    pb_message(&w->ev, EV_SUMMARY, &w->summary);
    return event_write(w, e);
}

int tb_write_image(tb_writer *w, long step, const char *tag, const uint8_t *pixels, int W, int H,
                   int C, dc_err *e)
{
    uint8_t *png = NULL;
    size_t len = 0;
    if (png_encode(pixels, W, H, C, &png, &len, e) != 0) return -1;
    int rc = write_png_event(w, step, tag, png, len, W, H, C, e);
    free(png);
    return rc;
}

int tb_write_png_file(tb_writer *w, long step, const char *tag, const char *png_path, int W,
                      int H, int C, dc_err *e)
{
    FILE *f = fopen(png_path, "rb");
    if (!f) return dc_fail(e, "%s: cannot open: %s", png_path, strerror(errno));
    pb_buf b;
    pb_init(&b);
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) pb_put_bytes(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    int rc = bad ? dc_fail(e, "%s: read failed", png_path)
                 : write_png_event(w, step, tag, b.data, b.len, W, H, C, e);
    pb_free(&b);
    return rc;
}

int tb_write_session_start(tb_writer *w, long step, dc_err *e)
{
    pb_clear(&w->inner);
    pb_varint(&w->inner, SESSION_STATUS, SESSION_START);
    event_begin(w, step);
    pb_message(&w->ev, EV_SESSION_LOG, &w->inner);
    return event_write(w, e);
}
