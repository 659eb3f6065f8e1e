/* dcgan report: the page's frame (head, policy, style, script), the summary and the sample
 * grids; report_charts.c draws the curves, report_model.c the model, settings and resume
 * command. */
#include "viz/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/atomic_file.h"
#include "core/sha256.h"
#include "model/output_check.h"
#include "viz/report_internal.h"

#define PNG_FILE_MAX (64LL << 20) /* a sample grid larger than this is not embedded */

static const char STYLE[] =
    "[hidden]{display:none!important}"
    "body{font:15px/1.45 system-ui,'DejaVu Sans',sans-serif;margin:0;background:#f4f4f2;color:#1d1d1d}"
    "header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}"
    "header{padding-top:16px}h1{font-size:22px;margin:0 0 2px;overflow-wrap:anywhere}"
    "h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}"
    "nav{font-size:14px}nav a{margin-right:14px;color:#245}"
    "section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:14px 18px;margin:14px 0}"
    ".note{color:#595959;font-size:14px;overflow-wrap:anywhere}.sub{color:#595959;margin:0 0 8px}"
    "table{border-collapse:collapse;font-size:13px}"
    "td,th{border-bottom:1px solid #eee;padding:3px 14px 3px 0;text-align:left;vertical-align:top}"
    "td{overflow-wrap:anywhere}.num{text-align:right;font-variant-numeric:tabular-nums}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0}"
    "dt{color:#595959}dd{margin:0;overflow-wrap:anywhere}"
    "pre{background:#f3f3f1;border:1px solid #e2e2e2;padding:10px;white-space:pre-wrap;"
    "overflow-wrap:anywhere;font-size:13px}"
    ".scroll{max-height:420px;overflow:auto}"
    "svg{max-width:100%;height:auto;display:block;margin:4px 0 10px}"
    "svg text{font-size:12px;fill:#222}svg .label{font-size:13px}svg .value{fill:#666}"
    "svg .panel{fill:#fcfcfc}svg .frame{fill:none;stroke:#444}svg .grid path{stroke:#e2e2e2}"
    "svg .epoch{stroke:#999;stroke-dasharray:4 4;fill:none}"
    ".grids{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:14px}"
    "figure{margin:0}figcaption{font-size:13px;color:#444}"
    "figure img{width:100%;height:auto;image-rendering:pixelated;border:1px solid #ddd;background:#fff}"
    "#viewer{display:flex;flex-wrap:wrap;gap:18px;margin-bottom:16px}"
    "#viewer figure{flex:1 1 380px;max-width:540px}#viewer label{display:block;width:100%}"
    "#viewer input{width:100%;max-width:1100px}";

/* The slider over the grids: it shows the grids the page already holds (no data of its own),
 * beside real.png. Without scripts the viewer stays hidden and the grids below are the page. */
static const char SCRIPT[] =
    "(function(){"
    "var f=document.querySelectorAll('#grids figure.step'),v=document.getElementById('viewer');"
    "if(!v||!f.length)return;"
    "var r=v.querySelector('input'),i=document.getElementById('vimg'),"
    "c=document.getElementById('vcap'),q=document.querySelector('#grids figure.real img'),"
    "w=document.getElementById('vreal');"
    "if(q)w.src=q.src;else w.parentNode.hidden=true;"
    "function show(k){i.src=f[k].querySelector('img').src;"
    "c.textContent=f[k].querySelector('figcaption').textContent+' ('+(k+1)+' of '+f.length+')';}"
    "r.max=f.length-1;r.value=f.length-1;"
    "r.addEventListener('input',function(){show(+r.value);});"
    "show(f.length-1);v.hidden=false;"
    "})();";

void report_note(html_buf *b, const char *text)
{
    html_put(b, "<p class=\"note\">");
    html_text(b, text);
    html_put(b, "</p>\n");
}

static void csp_hash(html_buf *b, const char *s)
{
    uint8_t d[SHA256_BYTES];
    sha256(s, strlen(s), d);
    html_put(b, "'sha256-");
    html_base64(b, d, sizeof d);
    html_put(b, "'");
}

static void page_head(html_buf *b, const report_run *r)
{
    html_put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    /* nothing from anywhere: images only as data: URIs, only this page's own style and script */
    html_put(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "img-src data:; style-src ");
    csp_hash(b, STYLE);
    html_put(b, "; script-src ");
    csp_hash(b, SCRIPT);
    html_put(b, "; base-uri 'none'; form-action 'none'\">\n"
                "<meta name=\"referrer\" content=\"no-referrer\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"generator\" content=\"dcgan report\">\n<title>");
    html_text(b, r->name);
    html_put(b, ": dcgan training report</title>\n<style>");
    html_put(b, STYLE);
    html_put(b, "</style>\n</head>\n");
}

static void format_duration(char *buf, size_t n, double s)
{
    if (!isfinite(s)) snprintf(buf, n, "unknown (log.csv has no seconds column)");
    else if (s < 60) snprintf(buf, n, "%.1f s", s);
    else if (s < 3600) snprintf(buf, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
    else snprintf(buf, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

static void format_bytes(char *buf, size_t n, double bytes)
{
    if (bytes >= 1e6) snprintf(buf, n, "%.1f MB", bytes / 1e6);
    else snprintf(buf, n, "%.0f kB", ceil(bytes / 1e3));
}

static void dd_text(html_buf *b, const char *term, const char *text)
{
    html_put(b, "<dt>");
    html_text(b, term);
    html_put(b, "</dt><dd>");
    html_text(b, text);
    html_put(b, "</dd>\n");
}

/* Iterations the settings plan: --max-steps, or the epochs' worth of global batches. */
static double planned_iterations(const report_run *r, double ranks)
{
    double max_steps = report_config_number(r, "max_steps");
    double items = report_config_number(r, "dataset_size");
    double train = report_config_number(r, "train_size");
    if (train > 0 && train < items) items = train;
    double per_epoch = floor(items / (report_config_number(r, "batch_size") * ranks));
    double total = report_config_number(r, "epoch") * per_epoch;
    if (max_steps > 0 && !(max_steps >= total)) total = max_steps;
    return total;
}

static void summary_progress(html_buf *b, const report_run *r)
{
    char buf[256], d[96];
    const run_log *l = &r->log;
    if (l->n == 0) {
        dd_text(b, "iterations", r->log_note);
        return;
    }
    const char *ranks = report_ckpt_meta(r, "ranks");
    double world = ranks ? atof(ranks) : 1;
    double plan = planned_iterations(r, world >= 1 ? world : 1);
    int k = snprintf(buf, sizeof buf, "%.0f (epoch %.0f)", l->it[l->n - 1], l->epoch[l->n - 1]);
    if (isfinite(plan) && plan > 0) snprintf(buf + k, sizeof buf - (size_t)k, " of %.0f planned", plan);
    dd_text(b, "iterations", buf);
    int sessions;
    double s = run_log_elapsed(l, &sessions);
    format_duration(d, sizeof d, s);
    if (isfinite(s) && s > 0)
        snprintf(buf, sizeof buf, "%s in %d session%s, %.2f iterations/s", d, sessions,
                 sessions == 1 ? "" : "s", l->n / s);
    else
        snprintf(buf, sizeof buf, "%s", d);
    dd_text(b, "training time", buf);
    snprintf(buf, sizeof buf, "d_loss %.4f, g_loss %.4f, D(x) %.4f, D(G(z)) %.4f",
             l->col[RUN_LOG_D_LOSS][l->n - 1], l->col[RUN_LOG_G_LOSS][l->n - 1],
             l->col[RUN_LOG_D_REAL][l->n - 1], l->col[RUN_LOG_D_FAKE][l->n - 1]);
    dd_text(b, "last iteration", buf);
    if (r->log_mtime >= 0) {
        time_t t = (time_t)r->log_mtime;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
        dd_text(b, "log.csv last written", buf);
    }
}

static void section_summary(html_buf *b, const report_run *r)
{
    char buf[512], sz[32];
    html_put(b, "<section id=\"summary\"><h2>Summary</h2>\n<dl>\n");
    dd_text(b, "run folder", r->path);
    const char *ds = report_config_string(r, "dataset"), *src = report_config_string(r, "data_source");
    if (ds) {
        double n = report_config_number(r, "dataset_size");
        snprintf(buf, sizeof buf, "%s%s%s%s", ds, src ? " (" : "", src ? src : "", src ? ")" : "");
        if (isfinite(n)) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ", %.0f images", n);
        dd_text(b, "data", buf);
    } else {
        dd_text(b, "settings", r->config_note);
    }
    summary_progress(b, r);
    if (r->metrics.n > 0) {
        const run_metrics *m = &r->metrics;
        int i = m->n - 1;
        snprintf(buf, sizeof buf, "at iteration %.0f: FID %.3f, KID %.5f, precision %.4f, recall %.4f",
                 m->it[i], m->col[RUN_METRIC_FID][i], m->col[RUN_METRIC_KID][i],
                 m->col[RUN_METRIC_PRECISION][i], m->col[RUN_METRIC_RECALL][i]);
        dd_text(b, "quality", buf);
    }
    if (r->n_ckpts > 0) {
        const report_file *c = &r->ckpts[r->n_ckpts - 1];
        format_bytes(sz, sizeof sz, (double)c->bytes);
        snprintf(buf, sizeof buf, "%s (%s)%s", c->name, sz, r->n_ckpts > 1 ? ", and older ones" : "");
        dd_text(b, "newest checkpoint", buf);
    } else {
        dd_text(b, "newest checkpoint", "none yet");
    }
    html_put(b, "</dl>\n</section>\n");
}

/* <figure> with the PNG embedded; 0, or -1 with why. */
static int figure(html_buf *b, const report_run *r, const char *file, const char *cls,
                  const char *caption, char *why, size_t why_n)
{
    size_t len;
    unsigned char *png = report_read_png(r, file, PNG_FILE_MAX, &len, why, why_n);
    if (!png) return -1;
    html_printf(b, "<figure class=\"%s\"><img alt=\"", cls);
    html_text(b, caption);
    html_put(b, "\" src=\"data:image/png;base64,");
    html_base64(b, png, len);
    html_put(b, "\"><figcaption>");
    html_text(b, caption);
    html_put(b, "</figcaption></figure>\n");
    free(png);
    return 0;
}

static void samples_intro(html_buf *b, const report_run *r, int k)
{
    char buf[600];
    const report_file *s = r->samples;
    int n = r->n_samples;
    if (k == n)
        snprintf(buf, sizeof buf, "All %d sample grid%s (samples/train_*.png), iterations %ld to %ld.",
                 n, n == 1 ? "" : "s", s[0].iteration, s[n - 1].iteration);
    else
        snprintf(buf, sizeof buf, "%d of the %d sample grids (samples/train_*.png), spread evenly "
                 "over the run from iteration %ld to the newest, %ld (at most %d, and %.0f MB of "
                 "images: dcgan report --max-samples, --max-image-mb).", k, n, s[0].iteration,
                 s[n - 1].iteration, r->o->max_samples, r->o->max_image_bytes / 1e6);
    report_note(b, buf);
    const cJSON *cn = r->config ? cJSON_GetObjectItemCaseSensitive(r->config, "class_names") : NULL;
    if (cJSON_IsArray(cn) && cJSON_GetArraySize(cn) > 0) {
        html_put(b, "<p class=\"note\">Rows: ");
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, cn) {
            if (!cJSON_IsString(c)) continue;
            html_put(b, i++ ? ", " : "");
            html_text(b, c->valuestring);
        }
        html_put(b, " (one class per row, in this order).</p>\n");
    }
}

static void section_samples(html_buf *b, const report_run *r)
{
    html_put(b, "<section id=\"samples\"><h2>Samples over time</h2>\n");
    int *picked = malloc(((size_t)r->n_samples + 1) * sizeof *picked);
    DC_ASSERT(picked != NULL, "out of memory");
    int k = report_pick_samples(r, picked);
    if (k == 0)
        report_note(b, "No sample grids yet: training writes samples/train_*.png every "
                       "--sample-freq iterations and at the end.");
    else
        samples_intro(b, r, k);
    if (k > 0)
        html_put(b, "<div id=\"viewer\" hidden><label>sample grid <input type=\"range\" min=\"0\" "
                    "step=\"1\"></label><figure><img id=\"vimg\" alt=\"the chosen sample grid\">"
                    "<figcaption id=\"vcap\"></figcaption></figure><figure><img id=\"vreal\" "
                    "alt=\"training images\"><figcaption>training images (real.png)</figcaption>"
                    "</figure></div>\n");
    html_put(b, "<div class=\"grids\" id=\"grids\">\n");
    char why[REPORT_NOTE_MAX], cap[64];
    html_buf notes = {0};
    for (int j = 0; j < k; j++) {
        const report_file *s = &r->samples[picked[j]];
        snprintf(cap, sizeof cap, "iteration %ld", s->iteration);
        if (figure(b, r, s->name, "step", cap, why, sizeof why) != 0) {
            html_text(&notes, why);
            html_put(&notes, "<br>");
        }
    }
    if (r->have_real && figure(b, r, "real.png", "real", "training images (real.png)", why, sizeof why) != 0) {
        html_text(&notes, why);
        html_put(&notes, "<br>");
    }
    html_put(b, "</div>\n");
    if (notes.len) html_printf(b, "<p class=\"note\">Left out: %s</p>\n", notes.s);
    if (r->n_other_pngs > 0)
        html_printf(b, "<p class=\"note\">samples/ also holds %d other PNG file%s (not shown).</p>\n",
                    r->n_other_pngs, r->n_other_pngs == 1 ? "" : "s");
    html_buf_free(&notes);
    free(picked);
    html_put(b, "</section>\n");
}

static void page_top(html_buf *b, const report_run *r)
{
    html_put(b, "<body>\n<header>\n<h1>");
    html_text(b, r->name);
    html_put(b, "</h1>\n<p class=\"sub\">dcgan training report</p>\n<nav><a href=\"#summary\">"
                "summary</a><a href=\"#samples\">samples</a><a href=\"#losses\">losses</a>"
                "<a href=\"#d-outputs\">D(x), D(G(z))</a><a href=\"#metrics\">metrics</a>"
                "<a href=\"#model\">model</a><a href=\"#config\">settings</a>"
                "<a href=\"#resume\">resume</a></nav>\n</header>\n<main>\n");
}

int report_write(const char *run, const char *out, const report_options *o, char *written,
                 size_t n, dc_err *e)
{
    char path[REPORT_PATH_MAX + 16];
    if (out) snprintf(path, sizeof path, "%s", out);
    else if (dc_path(e, path, sizeof path, "%s/report.html", run) != 0) return -1;
    if (out) { /* the page may not replace what it is made from */
        char in[3][REPORT_PATH_MAX + 16];
        static const char *const names[3] = {"log.csv", "config.json", "metrics.jsonl"};
        const char *inputs[3];
        for (int i = 0; i < 3; i++) {
            snprintf(in[i], sizeof in[i], "%.*s/%s", REPORT_PATH_MAX, run, names[i]);
            inputs[i] = in[i];
        }
        if (output_check_path("--out", out, inputs, 3, e) != 0) return -1;
    }
    report_run r;
    if (report_run_open(&r, run, o, e) != 0) return -1;
    html_buf b = {0};
    page_head(&b, &r);
    page_top(&b, &r);
    section_summary(&b, &r);
    section_samples(&b, &r);
    report_section_losses(&b, &r);
    report_section_metrics(&b, &r);
    report_section_model(&b, &r);
    report_section_config(&b, &r);
    report_section_resume(&b, &r);
    html_put(&b, "</main>\n<footer><p class=\"note\">Written by dcgan report from the run folder "
                 "alone: it loads nothing from anywhere.</p></footer>\n<script>");
    html_put(&b, SCRIPT);
    html_put(&b, "</script>\n</body>\n</html>\n");
    report_run_close(&r);
    int rc = atomic_file_write(path, b.s, b.len, e);
    html_buf_free(&b);
    if (rc == 0) snprintf(written, n, "%s", path);
    return rc;
}
