/* The report's model (from config.json and the newest checkpoint's header), the settings as a
 * table, and the command that resumes the run, rebuilt from config.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/report.h"
#include "viz/report_internal.h"

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static int is_buffer(const char *tensor)
{
    return ends_with(tensor, "/moving_mean") || ends_with(tensor, "/moving_variance") ||
           ends_with(tensor, "/sn_u") || ends_with(tensor, "/sn_v");
}

/* "generator/g_h0_lin/Matrix": the network's and the layer's part lengths; 0 if it has none. */
static int split_name(const char *s, size_t *net, size_t *layer)
{
    const char *a = strchr(s, '/'), *b = a ? strchr(a + 1, '/') : NULL;
    if (!a || !b) return 0;
    *net = (size_t)(a - s);
    *layer = (size_t)(b - a - 1);
    return 1;
}

static double numel(const cJSON *t, html_buf *shape)
{
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(t, "shape"), *d;
    double n = 1;
    int k = 0;
    html_put(shape, "[");
    cJSON_ArrayForEach(d, sh) {
        double v = cJSON_IsNumber(d) ? d->valuedouble : NAN;
        html_printf(shape, "%s%.0f", k++ ? ", " : "", v);
        n *= v;
    }
    html_put(shape, "]");
    return n;
}

/* One network's layers as table rows: the tensors of each layer (Adam's moments left out) with
 * their shapes, and the parameter count. */
static void network_table(html_buf *b, const report_run *r, const char *net, size_t ln)
{
    html_put(b, "<h3>");
    html_textn(b, net, ln);
    html_put(b, "</h3>\n<table>\n<tr><th>layer</th><th>tensors</th><th class=\"num\">parameters"
                "</th></tr>\n");
    double total = 0, layer_params = 0;
    const char *cur = NULL;
    size_t cur_len = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, r->ckpt) {
        size_t a, l;
        const char *s = t->string;
        if (!s || !split_name(s, &a, &l) || a != ln || strncmp(s, net, ln) != 0 ||
            ends_with(s, "/Adam") || ends_with(s, "/Adam_1"))
            continue;
        if (!cur || l != cur_len || strncmp(s + a + 1, cur, l) != 0) {
            if (cur) html_printf(b, "</td><td class=\"num\">%.0f</td></tr>\n", layer_params);
            cur = s + a + 1;
            cur_len = l;
            layer_params = 0;
            html_put(b, "<tr><td>");
            html_textn(b, cur, l);
            html_put(b, "</td><td>");
        } else {
            html_put(b, ", ");
        }
        html_buf shape = {0};
        double n = numel(t, &shape);
        html_text(b, s + a + l + 2);
        html_printf(b, " %s", shape.s);
        html_buf_free(&shape);
        if (!is_buffer(s)) layer_params += n, total += n;
    }
    if (cur) html_printf(b, "</td><td class=\"num\">%.0f</td></tr>\n", layer_params);
    html_printf(b, "<tr><th>total</th><th></th><th class=\"num\">%.0f</th></tr>\n</table>\n", total);
}

static void model_sentence(html_buf *b, const report_run *r)
{
    char s[1024], g[64] = "", d[64] = "";
    double y = report_config_number(r, "y_dim");
    const char *cc = report_config_string(r, "cond_concat"), *zd = report_config_string(r, "z_dist");
    const char *loss = report_config_string(r, "loss"), *recipe = report_config_string(r, "recipe");
    if (y > 0) {
        snprintf(g, sizeof g, ", gfc_dim %.0f", report_config_number(r, "gfc_dim"));
        snprintf(d, sizeof d, ", dfc_dim %.0f", report_config_number(r, "dfc_dim"));
    }
    int k = snprintf(s, sizeof s, "%s DCGAN making %.0fx%.0fx%.0f images from z of %.0f (%s)",
                     y > 0 ? "Conditional" : "Unconditional",
                     report_config_number(r, "output_height"), report_config_number(r, "output_width"),
                     report_config_number(r, "c_dim"), report_config_number(r, "z_dim"),
                     zd ? zd : "?");
    if (y > 0 && k > 0 && (size_t)k < sizeof s)
        k += snprintf(s + k, sizeof s - (size_t)k, ", conditioned on %.0f labels concatenated at "
                      "'%s' (--cond-concat)", y, cc ? cc : "all");
    if (k > 0 && (size_t)k < sizeof s)
        snprintf(s + k, sizeof s - (size_t)k, ". G: gf_dim %.0f%s; D: df_dim %.0f%s. Loss %s, "
                 "recipe %s.", report_config_number(r, "gf_dim"), g,
                 report_config_number(r, "df_dim"), d, loss ? loss : "?", recipe ? recipe : "?");
    report_note(b, s);
}

void report_section_model(html_buf *b, const report_run *r)
{
    html_put(b, "<section id=\"model\"><h2>Model</h2>\n");
    if (r->config) model_sentence(b, r);
    else report_note(b, r->config_note);
    if (!r->ckpt) {
        report_note(b, r->ckpt_note);
        html_put(b, "</section>\n");
        return;
    }
    char s[600];
    const char *it = report_ckpt_meta(r, "iteration"), *ranks = report_ckpt_meta(r, "ranks"), *bs = report_ckpt_meta(r, "batch_size");
    snprintf(s, sizeof s, "The tensors of checkpoints/%s (iteration %s, %s rank%s of batch %s); "
             "Adam's moments are left out, and moving statistics are not counted as parameters.",
             r->ckpt_name, it ? it : "?", ranks ? ranks : "1",
             ranks && strcmp(ranks, "1") != 0 ? "s" : "", bs ? bs : "?");
    report_note(b, s);
    /* each network (the names' first part) in the order the file has them */
    const cJSON *t, *u;
    cJSON_ArrayForEach(t, r->ckpt) {
        size_t a, l;
        if (!t->string || !split_name(t->string, &a, &l)) continue;
        int seen = 0;
        for (u = r->ckpt->child; u != t && !seen; u = u->next) {
            size_t a2, l2;
            seen = u->string && split_name(u->string, &a2, &l2) && a2 == a &&
                   strncmp(u->string, t->string, a) == 0;
        }
        if (!seen) network_table(b, r, t->string, a);
    }
    html_put(b, "</section>\n");
}

/* A config.json value as text. */
static void config_value(html_buf *b, const cJSON *v)
{
    char num[64];
    if (cJSON_IsString(v)) {
        html_text(b, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        report_format_number(num, sizeof num, v->valuedouble);
        html_put(b, num);
    } else if (cJSON_IsBool(v)) {
        html_put(b, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v)) {
        const cJSON *c;
        int k = 0;
        cJSON_ArrayForEach(c, v) {
            html_put(b, k++ ? ", " : "");
            config_value(b, c);
        }
    } else {
        char *s = cJSON_PrintUnformatted(v);
        html_text(b, s ? s : "");
        free(s);
    }
}

void report_section_config(html_buf *b, const report_run *r)
{
    html_put(b, "<section id=\"config\"><h2>Settings</h2>\n");
    if (!r->config) {
        report_note(b, r->config_note);
        html_put(b, "</section>\n");
        return;
    }
    report_note(b, "config.json: every setting of the run, as training recorded it.");
    html_put(b, "<table>\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, r->config) {
        html_put(b, "<tr><th>");
        html_text(b, v->string ? v->string : "");
        html_put(b, "</th><td>");
        config_value(b, v);
        html_put(b, "</td></tr>\n");
    }
    html_put(b, "</table>\n</section>\n");
}
