/* The pieces of dcgan report: SHA-256 (FIPS 180-4's examples) and base64 (RFC 4648's) that
 * make the page's policy hashes and data: URIs, HTML escaping, the SVG series drawn to at most
 * two points per pixel column with the extremes kept, the sample grids picked within the
 * limits, the training time over resumed sessions, and the number format of the resume
 * command. tests/test_report.sh tests the command and the page in a browser. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "testutil.h"
#include "viz/html.h"
#include "viz/report.h"
#include "viz/report_internal.h"
#include "viz/svg_chart.h"

static void check_sha256(const char *msg, size_t n, const char *want_hex)
{
    uint8_t d[SHA256_BYTES];
    char hex[2 * SHA256_BYTES + 1];
    sha256(msg, n, d);
    for (int i = 0; i < SHA256_BYTES; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
    TEST_CHECK(strcmp(hex, want_hex) == 0, "sha256 of %zu bytes: %s, want %s", n, hex, want_hex);
}

static void test_sha256(void)
{
    check_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56: two blocks */
    check_sha256(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    check_sha256(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void check_base64(const char *in, const char *want)
{
    html_buf b = {0};
    html_base64(&b, in, strlen(in));
    TEST_CHECK(b.len == strlen(want) && strcmp(b.s ? b.s : "", want) == 0, "base64('%s') = '%s', want '%s'",
               in, b.s ? b.s : "", want);
    html_buf_free(&b);
}

static void test_base64_and_escaping(void)
{
    check_base64("", "");
    check_base64("f", "Zg==");
    check_base64("fo", "Zm8=");
    check_base64("foo", "Zm9v");
    check_base64("foob", "Zm9vYg==");
    check_base64("fooba", "Zm9vYmE=");
    check_base64("foobar", "Zm9vYmFy");
    html_buf b = {0};
    html_text(&b, "<a href=\"x\">'&'</a>\x01\tok\n");
    const char *want = "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;&#xFFFD;\tok\n";
    TEST_CHECK(strcmp(b.s, want) == 0, "escaped: %s", b.s);
    html_buf_free(&b);
    html_printf(&b, "%0*d", 3000, 7); /* longer than html_printf's first try */
    TEST_CHECK(b.len == 3000 && b.s[2999] == '7' && b.s[0] == '0', "long printf: %zu bytes", b.len);
    html_buf_free(&b);
}

/* Counts the points of the path's d attribute and finds the lowest and highest y drawn. */
static int path_points(const char *s, double *ymin, double *ymax)
{
    const char *d = strstr(s, " d=\"");
    int n = 0;
    *ymin = INFINITY;
    *ymax = -INFINITY;
    for (const char *p = d + 4; *p && *p != '"';) {
        if (*p == 'M' || *p == 'L') {
            double x, y;
            int used;
            if (sscanf(p + 1, "%lf %lf%n", &x, &y, &used) != 2) break;
            n++;
            if (y < *ymin) *ymin = y;
            if (y > *ymax) *ymax = y;
            p += 1 + used;
        } else {
            p++;
        }
    }
    return n;
}

static void test_decimation(void)
{
    enum { N = 100000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++) {
        x[i] = i + 1;
        y[i] = sin(i * 0.001) * 0.5; /* in [-0.5, 0.5] */
    }
    y[31337] = 0.99; /* one spike, one dip: a min/max decimation keeps both */
    y[77777] = -0.99;
    svg_panel p = {50, 10, 500, 200, 1, N, -1, 1};
    svg_style st = {"s", "#123456"};
    html_buf b = {0};
    int pts = svg_chart_series(&b, &p, x, y, N, &st, 1, 1);
    double lo, hi;
    int n = path_points(b.s, &lo, &hi);
    TEST_CHECK(pts == n && n <= 2 * 501, "%d points of %d drawn (%d counted), want <= 1002", pts, N, n);
    /* y = 0.99 is 10 + 200 * (1 - 0.99) / 2 = 11 px down, -0.99 at 209 */
    TEST_CHECK(fabs(lo - 11) < 0.06 && fabs(hi - 209) < 0.06, "extremes at %g and %g px, want 11, 209", lo,
               hi);
    html_buf_free(&b);
    y[5] = NAN; /* a gap starts a new subpath */
    svg_chart_series(&b, &p, x, y, 10, &st, 1, 1);
    TEST_CHECK(strstr(b.s, "d=\"M") && strchr(strstr(b.s, "d=\"M") + 4, 'M'), "a gap: %s", b.s);
    html_buf_free(&b);
    svg_chart_series(&b, &p, x, y, 1, &st, 1, 1);
    TEST_CHECK(strstr(b.s, "<circle") != NULL, "one point is a dot: %s", b.s);
    html_buf_free(&b);
    free(x);
    free(y);
}

static void test_pick_and_time(void)
{
    report_options o = {24, 1e6, NULL};
    report_run r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    report_file files[100];
    for (int i = 0; i < 100; i++) files[i] = (report_file){(i + 1) * 50L, "f", 10000};
    r.samples = files;
    r.n_samples = 100;
    int picked[100];
    int k = report_pick_samples(&r, picked);
    TEST_CHECK(k == 24 && picked[0] == 0 && picked[23] == 99, "24 of 100: %d, from %d to %d", k,
               picked[0], picked[k - 1]);
    int increasing = 1;
    for (int j = 1; j < k; j++) increasing &= picked[j] > picked[j - 1];
    TEST_CHECK(increasing, "picked in order, no repeats");
    o.max_image_bytes = 55000; /* five grids' worth */
    k = report_pick_samples(&r, picked);
    TEST_CHECK(k == 5 && picked[0] == 0 && picked[4] == 99, "within 55 kB: %d grids", k);
    o.max_image_bytes = 0;
    k = report_pick_samples(&r, picked);
    TEST_CHECK(k == 1 && picked[0] == 99, "nothing allowed: the newest alone (%d, %d)", k, picked[0]);
    r.n_samples = 3;
    o.max_image_bytes = 1e9;
    k = report_pick_samples(&r, picked);
    TEST_CHECK(k == 3 && picked[1] == 1, "3 of 3: %d", k);

    /* two processes: 0.5 .. 3.0 s, then resumed 0.4 .. 2.0 s */
    double sec[6] = {0.5, 1.5, 3.0, 0.4, 1.2, 2.0};
    run_log l = {0};
    l.n = 6;
    l.seconds = sec;
    int sessions;
    double t = run_log_elapsed(&l, &sessions);
    TEST_CHECK(fabs(t - 5.0) < 1e-12 && sessions == 2, "elapsed %g s in %d sessions, want 5, 2", t,
               sessions);

    char buf[64];
    report_format_number(buf, sizeof buf, 0.0002);
    TEST_CHECK(strcmp(buf, "0.0002") == 0, "0.0002 as %s", buf);
    report_format_number(buf, sizeof buf, 70000);
    TEST_CHECK(strcmp(buf, "70000") == 0, "70000 as %s", buf);
    report_format_number(buf, sizeof buf, (double)(float)0.999);
    TEST_CHECK(strtod(buf, NULL) == (double)(float)0.999, "%s reads back", buf);
}

int main(void)
{
    test_begin("test_report_parts");
    test_sha256();
    test_base64_and_escaping();
    test_decimation();
    test_pick_and_time();
    return test_finish();
}
