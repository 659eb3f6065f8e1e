/* The command that resumes the run, rebuilt from config.json: dcgan train resumes a run when
 * it is given the same settings and the same run folder (docs/usage.md, "Resuming"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/report.h"
#include "viz/report_internal.h"

enum { STR, STR_SET, NUM, NUM_POS, NUM_CROP, NUM_LR, BOOL, BOOL_ON };

/* config.json key -> the train flag that sets it, in the order of dcgan train --help. */
static const struct {
    const char *key, *flag, *off;
    int kind;
} FLAGS[] = {
    {"input_fname_pattern", "--input-fname-pattern", NULL, STR},
    {"labels_file", "--labels-file", NULL, STR_SET},
    {"attributes", "--attributes", NULL, STR_SET},
    {"crop", "--crop", "--no-crop", BOOL},
    {"input_height", "--input-height", NULL, NUM_CROP},
    {"input_width", "--input-width", NULL, NUM_CROP},
    {"output_height", "--output-height", NULL, NUM},
    {"output_width", "--output-width", NULL, NUM},
    {"c_dim", "--c-dim", NULL, NUM},
    {"background", "--background", NULL, STR},
    {"train_size", "--train-size", NULL, NUM_POS},
    {"on_bad_image", "--on-bad-image", NULL, STR},
    {"conditional", "--conditional", "--no-conditional", BOOL},
    {"z_dim", "--z-dim", NULL, NUM},
    {"z_dist", "--z-dist", NULL, STR},
    {"gf_dim", "--gf-dim", NULL, NUM},
    {"df_dim", "--df-dim", NULL, NUM},
    {"gfc_dim", "--gfc-dim", NULL, NUM},
    {"dfc_dim", "--dfc-dim", NULL, NUM},
    {"cond_concat", "--cond-concat", NULL, STR},
    {"g_ema", "--g-ema", NULL, NUM_POS},
    {"label_smoothing", "--label-smoothing", NULL, NUM_POS},
    {"d_learning_rate", "--d-learning-rate", NULL, NUM_LR},
    {"g_learning_rate", "--g-learning-rate", NULL, NUM_LR},
    {"spectral_norm", "--spectral-norm", NULL, BOOL_ON},
    {"loss", "--loss", NULL, STR},
    {"d_first_channels", "--d-first-channels", NULL, NUM_POS},
    {"epoch", "--epoch", NULL, NUM},
    {"batch_size", "--batch-size", NULL, NUM},
    {"learning_rate", "--learning-rate", NULL, NUM},
    {"beta1", "--beta1", NULL, NUM},
    {"max_steps", "--max-steps", NULL, NUM_POS},
    {"seed", "--seed", NULL, NUM},
    {"sample_freq", "--sample-freq", NULL, NUM},
    {"ckpt_freq", "--ckpt-freq", NULL, NUM},
    {"max_to_keep", "--max-to-keep", NULL, NUM},
};

#define LINE_MAX_CHARS 88 /* the command is broken into lines of about this, at flags */

/* s as one shell word: bare when it is plain, else in single quotes. */
static void quoted(html_buf *c, const char *s)
{
    int plain = *s != 0;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%", *p))
            plain = 0;
    if (plain) {
        html_put(c, s);
        return;
    }
    html_put(c, "'");
    for (const char *p = s; *p; p++) html_put(c, *p == '\'' ? "'\\''" : (char[2]){*p, 0});
    html_put(c, "'");
}

/* f and its value (NULL: none) as words, on a new line (" \\" ending the last) when the line
 * would grow past LINE_MAX_CHARS. */
static void flag(html_buf *c, const char *f, const char *value)
{
    const char *nl = c->s ? strrchr(c->s, '\n') : NULL;
    size_t line = c->len - (nl ? (size_t)(nl + 1 - c->s) : 0);
    size_t add = strlen(f) + (value ? strlen(value) + 3 : 0);
    if (c->len && line + add + 1 > LINE_MAX_CHARS && f[0] == '-') html_put(c, " \\\n   ");
    if (c->len) html_put(c, " ");
    quoted(c, f);
    if (value) {
        html_put(c, " ");
        quoted(c, value);
    }
}

static void settings_flags(html_buf *c, const report_run *r)
{
    char num[64];
    int crop = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->config, "crop"));
    double lr = report_config_number(r, "learning_rate");
    const char *recipe = report_config_string(r, "recipe");
    if (recipe && strcmp(recipe, "reference") != 0 && strcmp(recipe, "custom") != 0)
        flag(c, "--recipe", recipe);
    for (size_t i = 0; i < sizeof FLAGS / sizeof FLAGS[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->config, FLAGS[i].key);
        int k = FLAGS[i].kind;
        if (!v) continue;
        if ((k == STR || k == STR_SET) && cJSON_IsString(v)) {
            if (k == STR || v->valuestring[0]) flag(c, FLAGS[i].flag, v->valuestring);
        } else if ((k == BOOL || k == BOOL_ON) && cJSON_IsBool(v)) {
            if (cJSON_IsTrue(v)) flag(c, FLAGS[i].flag, NULL);
            else if (k == BOOL) flag(c, FLAGS[i].off, NULL);
        } else if (cJSON_IsNumber(v)) {
            double x = v->valuedouble;
            if ((k == NUM_POS && !(x > 0)) || (k == NUM_CROP && !crop) || (k == NUM_LR && x == lr))
                continue;
            report_format_number(num, sizeof num, x);
            flag(c, FLAGS[i].flag, num);
        }
    }
}

/* The folder training ran in, when the run folder is still where config.json's relative
 * run_dir puts it: its absolute path less run_dir. */
static int training_folder(const report_run *r, char *cwd, size_t n)
{
    const char *rd = report_config_string(r, "run_dir");
    if (!rd || !rd[0] || rd[0] == '/' || strstr(rd, "..")) return 0;
    while (rd[0] == '.' && rd[1] == '/') rd += 2;
    size_t lp = strlen(r->path), lr = strlen(rd);
    while (lr > 0 && rd[lr - 1] == '/') lr--;
    if (lr == 0 || lr >= lp || r->path[lp - lr - 1] != '/' || strncmp(r->path + lp - lr, rd, lr) != 0)
        return 0;
    snprintf(cwd, n, "%.*s", lp - lr - 1 > 0 ? (int)(lp - lr - 1) : 1, r->path);
    return 1;
}

/* Where the data was: DATA_DIR when data_source is DATA_DIR/DATASET. */
static int data_dir(const report_run *r, char *dir, size_t n)
{
    const char *src = report_config_string(r, "data_source"), *ds = report_config_string(r, "dataset");
    if (!src || !ds) return 0;
    size_t ls = strlen(src), ld = strlen(ds);
    if (ls <= ld + 1 || src[ls - ld - 1] != '/' || strcmp(src + ls - ld, ds) != 0) return 0;
    snprintf(dir, n, "%.*s", (int)(ls - ld - 1), src);
    return 1;
}

/* The command into c; notes (markup) into notes. */
static void resume_command(html_buf *c, html_buf *notes, const report_run *r)
{
    char cwd[REPORT_PATH_MAX], dir[REPORT_PATH_MAX], data[REPORT_PATH_MAX];
    const char *rd = report_config_string(r, "run_dir"), *out = report_config_string(r, "out_dir");
    const char *ranks = report_ckpt_meta(r, "ranks"), *src = report_config_string(r, "data_source");
    int moved = 0;
    if (training_folder(r, cwd, sizeof cwd)) {
        flag(c, "cd", cwd);
        html_put(c, " &&");
    } else if (!rd || strcmp(rd, r->path) != 0 || !out) {
        moved = 1; /* the run folder as it is now */
        const char *slash = strrchr(r->path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - r->path) : 1, slash ? r->path : ".");
        out = dir[0] ? dir : "/";
        html_put(notes, "<li>The run folder is not where config.json says it trained (run_dir ");
        html_text(notes, rd ? rd : "missing");
        html_put(notes, "): the command names it where it is now.</li>\n");
    }
    if (ranks && atol(ranks) > 1) {
        flag(c, "mpirun", NULL);
        flag(c, "-np", ranks);
    }
    flag(c, r->o->program ? r->o->program : "dcgan", "train");
    const char *ds = report_config_string(r, "dataset");
    if (ds) flag(c, "--dataset", ds);
    if (data_dir(r, data, sizeof data)) flag(c, "--data-dir", data);
    settings_flags(c, r);
    flag(c, "--out-dir", out);
    flag(c, "--out-name", r->name);
    if (src && src[0] != '/' && moved)
        html_put(notes, "<li>The data folder (data_source) is a relative path: run the command "
                        "from the folder training ran in, or give --data-dir as an absolute "
                        "path.</li>\n");
}

void report_section_resume(html_buf *b, const report_run *r)
{
    html_put(b, "<section id=\"resume\"><h2>Resume</h2>\n");
    if (!r->config) {
        report_note(b, r->config_note);
        report_note(b, "Without config.json the command that trained the run cannot be rebuilt.");
        html_put(b, "</section>\n");
        return;
    }
    html_buf c = {0}, notes = {0};
    resume_command(&c, &notes, r);
    report_note(b, "dcgan train resumes a run from its newest checkpoint when it is run again "
                   "with the same settings and run folder; this command gives every setting "
                   "config.json records:");
    html_put(b, "<pre id=\"resume-command\"><code>");
    html_text(b, c.s);
    html_put(b, "</code></pre>\n<ul class=\"note\">\n");
    html_put(b, notes.s ? notes.s : "");
    html_put(b, "<li>To train further, raise --max-steps or --epoch. The flags config.json does not "
                "record (--threads, --device, --conv-backend, --eval-every, --no-tensorboard, "
                "--hist-freq, --loader-threads) are left at their defaults: add them as the run "
                "had them (a run resumes bit for bit on the same threads and convolution "
                "backend).</li>\n</ul>\n</section>\n");
    html_buf_free(&c);
    html_buf_free(&notes);
}
