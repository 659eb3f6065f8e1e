/* TensorBoard event files as training writes them, read back by decoders that share no code with
 * the writer: the record framing and both masked CRC-32Cs checked with a bitwise CRC written
 * here, each payload decoded by `protoc --decode_raw` (Debian's protobuf-compiler) and by a
 * small wire-format walker here. A run of 3 iterations, then a resume to 5: two files, the
 * second starting with a SessionLog START; scalars match log.csv, histograms count every value,
 * image summaries hold the sample PNGs byte for byte. Beyond log.csv's word: the D losses add
 * up to d_loss and lie where the histograms of the same D outputs put them (min/max and
 * Jensen bounds), and the d and d_ histograms sum to the real and the fake batch's scores. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/tb_events.h"
#include "core/rng.h"
#include "train/run.h"
#include "core/crc32c.h"
#include "core/log.h"
#include "testdata.h"
#include "testutil.h"

#define BATCH 8
#define ZDIM 6

/* ---- independent decoding ---- */

static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint32_t mask(uint32_t c)
{
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Walks one message: the `nth` occurrence of `field`; returns its wire type or -1. For wire
 * type 2 sets *val and *len, otherwise *num (raw bits for fixed types). */
static int pb_get(const uint8_t *p, size_t n, int field, int nth, const uint8_t **val, size_t *len,
                  uint64_t *num)
{
    size_t i = 0;
    while (i < n) {
        uint64_t key = 0;
        for (int s = 0; i < n; s += 7) {
            key |= (uint64_t)(p[i] & 0x7f) << s;
            if (!(p[i++] & 0x80)) break;
        }
        int f = (int)(key >> 3), w = (int)(key & 7);
        uint64_t v = 0;
        size_t l = 0;
        const uint8_t *start = NULL;
        if (w == 0) {
            for (int s = 0; i < n; s += 7) {
                v |= (uint64_t)(p[i] & 0x7f) << s;
                if (!(p[i++] & 0x80)) break;
            }
        } else if (w == 1) {
            if (i + 8 > n) return -1;
            v = le(p + i, 8);
            i += 8;
        } else if (w == 5) {
            if (i + 4 > n) return -1;
            v = le(p + i, 4);
            i += 4;
        } else if (w == 2) {
            for (int s = 0; i < n; s += 7) {
                l |= (size_t)(p[i] & 0x7f) << s;
                if (!(p[i++] & 0x80)) break;
            }
            if (i + l > n) return -1;
            start = p + i;
            i += l;
        } else {
            return -1;
        }
        if (f == field && nth-- == 0) {
            if (val) *val = start;
            if (len) *len = l;
            if (num) *num = v;
            return w;
        }
    }
    return -1;
}

static double as_double(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static float as_float(uint64_t bits)
{
    uint32_t u = (uint32_t)bits;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

typedef struct {
    uint8_t *data;
    size_t len;
} record;

/* Reads every record of an event file, checking the framing and both CRCs. */
static int read_records(const char *path, record **out)
{
    size_t n = 0;
    uint8_t *d = test_read_file(path, &n);
    TEST_CHECK(d != NULL, "%s: cannot read", path);
    if (!d) return 0;
    int count = 0, cap = 0;
    *out = NULL;
    size_t i = 0;
    while (i < n) {
        if (i + 12 > n) {
            TEST_CHECK(0, "%s: truncated header at byte %zu", path, i);
            break;
        }
        uint64_t len = le(d + i, 8);
        uint32_t lcrc = (uint32_t)le(d + i + 8, 4);
        TEST_CHECK(lcrc == mask(crc32c_bitwise(d + i, 8)), "%s: length CRC at byte %zu", path, i);
        if (i + 12 + len + 4 > n) {
            TEST_CHECK(0, "%s: truncated record at byte %zu", path, i);
            break;
        }
        uint32_t dcrc = (uint32_t)le(d + i + 12 + len, 4);
        TEST_CHECK(dcrc == mask(crc32c_bitwise(d + i + 12, len)), "%s: data CRC at byte %zu", path, i);
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            *out = realloc(*out, (size_t)cap * sizeof **out);
        }
        (*out)[count].data = malloc(len ? len : 1);
        memcpy((*out)[count].data, d + i + 12, len);
        (*out)[count].len = len;
        count++;
        i += 12 + len + 4;
    }
    free(d);
    return count;
}

/* protoc --decode_raw on one payload; NULL when protoc is missing. */
static char *protoc_decode(const uint8_t *data, size_t len, const char *tmpdir)
{
    char in[600], cmd[1400];
    snprintf(in, sizeof in, "%s/payload.bin", tmpdir);
    FILE *f = fopen(in, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "protoc --decode_raw < '%s' 2>&1", in);
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t got;
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) out = realloc(out, cap *= 2);
    }
    out[n] = 0;
    int rc = pclose(p);
    if (rc != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- data ---- */


/* log.csv's d_loss_real, d_loss_fake, d_loss, g_loss, d_real, d_fake of `iteration` */
static int log_losses(const char *path, long iteration, float v[6])
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[1024];
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        long it, ep, b;
        double s, dl, dr, df, gl, pr, pf;
        if (sscanf(line, "%ld,%ld,%ld,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &it, &ep, &b, &s, &dl, &dr, &df,
                   &gl, &pr, &pf) == 10 &&
            it == iteration) {
            v[0] = (float)dr;
            v[1] = (float)df;
            v[2] = (float)dl;
            v[3] = (float)gl;
            v[4] = (float)pr;
            v[5] = (float)pf;
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* ---- checks ---- */

/* What one step's records held, for checks that do not take log.csv's word for the values:
 * the losses must add up (d_loss = d_loss_real + d_loss_fake), and each D loss must lie where
 * the histogram of the same D outputs puts it: the cross-entropy of p against 1 is a mean of
 * -log p, so between -log max p and -log min p, and (Jensen) at least -log mean p; against 0
 * the same with 1 - p. */
#define MAX_STEPS 16
typedef struct {
    int have_scalars, have_hist[2];
    double loss[4];          /* d_loss_real, d_loss_fake, d_loss, g_loss */
    double mn[2], mx[2], mean[2]; /* histograms d, d_ */
} step_record;

static void check_step_consistency(const step_record *r, long step)
{
    if (!r->have_scalars) return;
    TEST_CHECK(fabs(r->loss[2] - (r->loss[0] + r->loss[1])) <= 1e-5 * (1 + fabs(r->loss[2])),
               "step %ld: d_loss %g is not d_loss_real + d_loss_fake (%g + %g)", step, r->loss[2],
               r->loss[0], r->loss[1]);
    for (int k = 0; k < 2; k++) {
        if (!r->have_hist[k]) continue;
        /* k = 0: real batch, target 1: -log p; k = 1: fake batch, target 0: -log(1 - p) */
        double lo = k == 0 ? -log(r->mx[0]) : -log(1 - r->mn[1]);
        double hi = k == 0 ? -log(r->mn[0]) : -log(1 - r->mx[1]);
        double jensen = k == 0 ? -log(r->mean[0]) : -log(1 - r->mean[1]);
        double l = r->loss[k], tol = 1e-5;
        TEST_CHECK(l >= lo - tol && l <= hi + tol && l >= jensen - tol,
                   "step %ld: %s %g outside what its histogram allows [%g, %g], Jensen %g", step,
                   k == 0 ? "d_loss_real" : "d_loss_fake", l, lo, hi, jensen);
    }
}

typedef struct {
    int version, session_start_step, scalars, hists, images;
    long last_step;
} file_summary;

/* want_sum: what the values add up to, NaN if unknown; rec (may be NULL) receives d and d_'s
 * min, max and mean */
static void check_histogram(const uint8_t *h, size_t n, const char *tag, long step, double want_sum,
                            step_record *rec)
{
    uint64_t bits;
    const uint8_t *lim, *cnt;
    size_t nl, nc;
    TEST_CHECK(pb_get(h, n, 3, 0, NULL, NULL, &bits) == 1, "%s: no num", tag);
    double num = as_double(bits);
    double want = strcmp(tag, "z") == 0 ? BATCH * ZDIM : BATCH;
    TEST_CHECK(num == want, "histogram %s at %ld: num %g, want %g", tag, step, num, want);
    pb_get(h, n, 1, 0, NULL, NULL, &bits);
    double mn = as_double(bits);
    pb_get(h, n, 2, 0, NULL, NULL, &bits);
    double mx = as_double(bits);
    if (strcmp(tag, "z") == 0)
        TEST_CHECK(mn >= -1 && mx < 1 && mn < mx, "z range %g..%g", mn, mx);
    else
        TEST_CHECK(mn > 0 && mx < 1 && mn <= mx, "%s (a sigmoid) range %g..%g", tag, mn, mx);
    TEST_CHECK(pb_get(h, n, 6, 0, &lim, &nl, NULL) == 2 && pb_get(h, n, 7, 0, &cnt, &nc, NULL) == 2 &&
                   nl == nc && nl % 8 == 0 && nl > 0,
               "%s: bucket arrays", tag);
    double total = 0, prev = -INFINITY;
    int ascending = 1, covers = 1;
    for (size_t i = 0; i + 8 <= nl && nl == nc; i += 8) {
        double l = as_double(le(lim + i, 8)), c = as_double(le(cnt + i, 8));
        ascending &= l > prev;
        /* the bucket holding max must reach above it */
        if (c > 0 && i + 8 == nl) covers &= l > mx;
        prev = l;
        total += c;
    }
    TEST_CHECK(ascending && covers, "%s: bucket limits not ascending", tag);
    TEST_CHECK(total == num, "%s: buckets hold %g values, num %g", tag, total, num);
    int k = strcmp(tag, "d") == 0 ? 0 : strcmp(tag, "d_") == 0 ? 1 : -1;
    if (rec && k >= 0 && pb_get(h, n, 4, 0, NULL, NULL, &bits) == 1 && num > 0) {
        rec->have_hist[k] = 1;
        rec->mn[k] = mn;
        rec->mx[k] = mx;
        rec->mean[k] = as_double(bits) / num;
    }
    /* which values: d holds sigmoid(D(x)) per item, d_ sigmoid(D(G(z))): their sums are
     * log.csv's means (d_real, d_fake, 6 decimals) times the batch, and the two differ */
    if (!isnan(want_sum)) {
        TEST_CHECK(pb_get(h, n, 4, 0, NULL, NULL, &bits) == 1, "%s: no sum", tag);
        double sum = as_double(bits);
        TEST_CHECK(fabs(sum - want_sum) <= 1e-5 * BATCH, "histogram %s at %ld: sum %.6f, log.csv's "
                   "mean x batch %.6f", tag, step, sum, want_sum);
    }
}

static void check_file(const char *path, const char *run, const char *tmpdir, file_summary *fs,
                       int *have_protoc)
{
    record *r = NULL;
    int n = read_records(path, &r);
    memset(fs, 0, sizeof *fs);
    fs->session_start_step = -1;
    char logcsv[1200];
    snprintf(logcsv, sizeof logcsv, "%s/log.csv", run);
    step_record rec[MAX_STEPS];
    memset(rec, 0, sizeof rec);
    for (int i = 0; i < n; i++) {
        const uint8_t *p = r[i].data, *v;
        size_t len = r[i].len, vl;
        uint64_t bits, step = 0;
        TEST_CHECK(pb_get(p, len, 1, 0, NULL, NULL, &bits) == 1 && as_double(bits) > 1.6e9,
                   "record %d: wall_time", i);
        pb_get(p, len, 2, 0, NULL, NULL, &step);
        char *txt = *have_protoc ? protoc_decode(p, len, tmpdir) : NULL;
        if (*have_protoc && !txt) {
            printf("  skip: protoc --decode_raw failed or is missing (scripts/install-deps installs protobuf-compiler)\n");
            *have_protoc = 0;
        }
        char stepline[64];
        snprintf(stepline, sizeof stepline, "\n2: %lu\n", (unsigned long)step);
        if (txt) TEST_CHECK(strstr(txt, stepline) != NULL, "record %d: protoc shows no step %lu:\n%s", i, (unsigned long)step, txt);
        if (i == 0) {
            TEST_CHECK(pb_get(p, len, 3, 0, &v, &vl, NULL) == 2 && vl == 13 && memcmp(v, "brain.Event:2", 13) == 0,
                       "%s: first record is not file_version", path);
            if (txt) TEST_CHECK(strstr(txt, "3: \"brain.Event:2\"") != NULL, "protoc: %s", txt);
            fs->version = 1;
        } else if (pb_get(p, len, 6, 0, &v, &vl, NULL) == 2) {
            TEST_CHECK(pb_get(v, vl, 1, 0, NULL, NULL, &bits) == 0 && bits == 1, "session_log status");
            if (txt) TEST_CHECK(strstr(txt, "6 {\n  1: 1\n}") != NULL, "protoc: %s", txt);
            fs->session_start_step = (int)step;
        } else {
            const uint8_t *sum, *val;
            size_t sl, valn;
            TEST_CHECK(pb_get(p, len, 5, 0, &sum, &sl, NULL) == 2, "record %d: no summary", i);
            if (pb_get(p, len, 5, 0, &sum, &sl, NULL) != 2) {
                free(txt);
                continue;
            }
            int nv = 0;
            while (pb_get(sum, sl, 1, nv, &val, &valn, NULL) == 2) {
                const uint8_t *tag, *inner;
                size_t tl, il;
                char t[64] = "";
                if (pb_get(val, valn, 1, 0, &tag, &tl, NULL) == 2 && tl < sizeof t) memcpy(t, tag, tl), t[tl] = 0;
                char quoted[80];
                snprintf(quoted, sizeof quoted, "1: \"%s\"", t);
                if (txt) TEST_CHECK(strstr(txt, quoted) != NULL, "protoc lacks tag %s", t);
                if (pb_get(val, valn, 2, 0, NULL, NULL, &bits) == 5) {
                    static const char *tags[4] = {"d_loss_real", "d_loss_fake", "d_loss", "g_loss"};
                    float want[6];
                    int k = 0;
                    while (k < 4 && strcmp(tags[k], t) != 0) k++;
                    TEST_CHECK(k < 4, "unexpected scalar %s", t);
                    if (k < 4 && step < MAX_STEPS) {
                        rec[step].have_scalars = 1;
                        rec[step].loss[k] = as_float(bits);
                    }
                    if (k < 4 && log_losses(logcsv, (long)step, want) == 0)
                        TEST_CHECK(fabsf(as_float(bits) - want[k]) <= 1e-5f + 1e-5f * fabsf(want[k]),
                                   "%s at %lu: %g, log.csv %g", t, (unsigned long)step, as_float(bits), want[k]);
                    else
                        TEST_CHECK(0, "log.csv has no iteration %lu", (unsigned long)step);
                    if (txt) {
                        char hex[64];
                        snprintf(hex, sizeof hex, "2: 0x%08x", (unsigned)bits);
                        TEST_CHECK(strstr(txt, hex) != NULL, "protoc lacks %s for %s", hex, t);
                    }
                    if (nv == 0) fs->scalars++;
                } else if (pb_get(val, valn, 5, 0, &inner, &il, NULL) == 2) {
                    float want[6];
                    double want_sum = NAN;
                    if (strcmp(t, "z") != 0 && log_losses(logcsv, (long)step, want) == 0)
                        want_sum = BATCH * (double)(strcmp(t, "d") == 0 ? want[4] : want[5]);
                    check_histogram(inner, il, t, (long)step, want_sum,
                                    step < MAX_STEPS ? &rec[step] : NULL);
                    fs->hists++;
                } else if (pb_get(val, valn, 4, 0, &inner, &il, NULL) == 2) {
                    uint64_t H = 0, W = 0, Cs = 0;
                    const uint8_t *png;
                    size_t pl;
                    pb_get(inner, il, 1, 0, NULL, NULL, &H);
                    pb_get(inner, il, 2, 0, NULL, NULL, &W);
                    pb_get(inner, il, 3, 0, NULL, NULL, &Cs);
                    /* conditional sample grid: 10 classes x 8 of 28x28 gray, enlarged 3
                     * times, 2 pixels apart */
                    TEST_CHECK(H == 10 * 84 + 9 * 2 && W == 8 * 84 + 7 * 2 && Cs == 1, "image %lux%lu colorspace %lu", (unsigned long)W, (unsigned long)H, (unsigned long)Cs);
                    TEST_CHECK(pb_get(inner, il, 4, 0, &png, &pl, NULL) == 2, "image has no PNG");
                    char sp[1300];
                    snprintf(sp, sizeof sp, "%s/samples/train_%08lu.png", run, (unsigned long)step);
                    size_t fl = 0;
                    uint8_t *file = test_read_file(sp, &fl);
                    TEST_CHECK(file && fl == pl && memcmp(file, png, pl) == 0, "image at %lu differs from %s", (unsigned long)step, sp);
                    free(file);
                    if (txt) TEST_CHECK(strstr(txt, "1: 858\n") && strstr(txt, "2: 686\n") && strstr(txt, "4: \"\\211PNG"),
                                        "protoc image: %.300s", txt);
                    fs->images++;
                } else {
                    TEST_CHECK(0, "record %d: value %s of unknown kind", i, t);
                }
                nv++;
            }
        }
        if ((long)step > fs->last_step) fs->last_step = (long)step;
        free(txt);
    }
    int checked = 0;
    for (long st = 0; st < MAX_STEPS; st++) {
        check_step_consistency(&rec[st], st);
        checked += rec[st].have_scalars && rec[st].have_hist[0] && rec[st].have_hist[1];
    }
    TEST_CHECK(checked > 0, "%s: no step with both losses and histograms to hold together", path);
    for (int i = 0; i < n; i++) free(r[i].data);
    free(r);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    test_begin("test_tensorboard");
    log_set_level(LOG_LEVEL_WARN);

    /* CRC-32C check value, both implementations */
    TEST_CHECK(crc32c("123456789", 9) == 0xe3069283u, "crc32c check value %08x", crc32c("123456789", 9));
    TEST_CHECK(crc32c_bitwise((const uint8_t *)"123456789", 9) == 0xe3069283u, "bitwise crc");
    /* a framed record, and a flipped byte caught */
    pb_buf b;
    pb_init(&b);
    tb_record_frame(&b, "hello", 5);
    TEST_CHECK(b.len == 12 + 5 + 4 && le(b.data, 8) == 5, "frame length");
    TEST_CHECK((uint32_t)le(b.data + 17, 4) == mask(crc32c_bitwise(b.data + 12, 5)), "frame data crc");
    b.data[13] ^= 1;
    TEST_CHECK((uint32_t)le(b.data + 17, 4) != mask(crc32c_bitwise(b.data + 12, 5)), "flip detected");
    pb_free(&b);

    char tmpl[] = "/tmp/dcgan-tb-XXXXXX";
    char *root = mkdtemp(tmpl);
    if (!root) return test_finish();
    char data[600], dir[700];
    snprintf(data, sizeof data, "%s/data", root);
    snprintf(dir, sizeof dir, "%s/idx", data);
    mkdir(data, 0777);
    mkdir(dir, 0777);
    TEST_CHECK(testdata_write_idx(dir, "train", 30, 1) == 0, "writing IDX test data");
    TEST_CHECK(testdata_write_idx(dir, "t10k", 10, 2) == 0, "writing IDX test data");

    train_options o;
    train_options_default(&o);
    snprintf(o.data_dir, sizeof o.data_dir, "%s", data);
    snprintf(o.dataset, sizeof o.dataset, "idx");
    snprintf(o.out_dir, sizeof o.out_dir, "%s/out", root);
    snprintf(o.out_name, sizeof o.out_name, "tb");
    o.batch_size = BATCH;
    o.z_dim = ZDIM;
    o.gf_dim = o.df_dim = 4;
    o.gfc_dim = o.dfc_dim = 16;
    o.sample_freq = 2;
    o.hist_freq = 1;
    o.progress = 0;
    o.threads = 1;
    o.max_steps = 3;
    dc_err e;
    TEST_CHECK(train_run(&o, &e) == 0, "train: %s", e.msg);
    o.max_steps = 5;
    TEST_CHECK(train_run(&o, &e) == 0, "resume: %s", e.msg);

    char run[1100], logs[1200];
    snprintf(run, sizeof run, "%s/tb", o.out_dir);
    snprintf(logs, sizeof logs, "%s/logs", run);
    DIR *d = opendir(logs);
    TEST_CHECK(d != NULL, "%s missing", logs);
    char *names[8];
    int nf = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (strncmp(de->d_name, "events.out.tfevents.", 20) == 0 && nf < 8) names[nf++] = strdup(de->d_name);
    if (d) closedir(d);
    qsort(names, (size_t)nf, sizeof *names, by_name);
    TEST_CHECK(nf == 2, "%d event files, want 2 (the run and its resume)", nf);
    int have_protoc = 1, first = -1, second = -1;
    file_summary fs[8];
    for (int i = 0; i < nf; i++) {
        char p[1500];
        snprintf(p, sizeof p, "%s/%s", logs, names[i]);
        check_file(p, run, root, &fs[i], &have_protoc);
        if (fs[i].session_start_step >= 0) second = i;
        else first = i;
    }
    if (nf == 2 && first >= 0 && second >= 0) {
        /* iterations 1..3: scalars each, histograms (3 tags) each, samples at 2 and 3 (the end) */
        TEST_CHECK(fs[first].version && fs[first].scalars == 3 && fs[first].hists == 9 &&
                       fs[first].images == 2 && fs[first].last_step == 3,
                   "first file: %d scalar events, %d histograms, %d images, last step %ld",
                   fs[first].scalars, fs[first].hists, fs[first].images, fs[first].last_step);
        TEST_CHECK(fs[second].version && fs[second].session_start_step == 4 && fs[second].scalars == 2 &&
                       fs[second].hists == 6 && fs[second].images == 2 && fs[second].last_step == 5,
                   "resumed file: start %d, %d scalar events, %d histograms, %d images, last %ld",
                   fs[second].session_start_step, fs[second].scalars, fs[second].hists, fs[second].images,
                   fs[second].last_step);
        printf("  ok   2 event files: %d + %d scalar events, %d + %d histograms, %d + %d images; "
               "SessionLog START at step %d%s\n",
               fs[first].scalars, fs[second].scalars, fs[first].hists, fs[second].hists, fs[first].images,
               fs[second].images, fs[second].session_start_step,
               have_protoc ? "; every record decoded by protoc --decode_raw" : "");
    } else {
        TEST_CHECK(0, "could not tell the first file from the resumed one");
    }
    for (int i = 0; i < nf; i++) free(names[i]);

    /* --no-tensorboard writes no logs folder */
    o.tensorboard = 0;
    snprintf(o.out_name, sizeof o.out_name, "notb");
    o.max_steps = 1;
    TEST_CHECK(train_run(&o, &e) == 0, "train: %s", e.msg);
    char p[1200];
    snprintf(p, sizeof p, "%s/notb/logs", o.out_dir);
    struct stat st;
    TEST_CHECK(stat(p, &st) != 0, "%s exists with tensorboard off", p);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (!g_test.failures && system(cmd) != 0) printf("could not remove %s\n", root);
    return test_finish();
}
