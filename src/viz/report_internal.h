/* What the report's parts share: the run folder as read (report_run.c) and the sections that
 * write the page from it (report.c, report_charts.c, report_model.c). */
#ifndef DCGAN_VIZ_REPORT_INTERNAL_H
#define DCGAN_VIZ_REPORT_INTERNAL_H

#include <cJSON.h>

#include "viz/html.h"
#include "viz/run_log.h"
#include "viz/run_metrics.h"

#define REPORT_PATH_MAX 4096
typedef struct report_options report_options; /* viz/report.h */
#define REPORT_NOTE_MAX (REPORT_PATH_MAX + 1024) /* a path and what is wrong with it */

typedef struct {
    long iteration;  /* from the name: train_00000500.png, ckpt-00000500.safetensors */
    char name[256];
    long long bytes;
} report_file;

typedef struct {
    const char *run;                /* as given */
    const report_options *o;
    char path[REPORT_PATH_MAX];     /* the folder's absolute path */
    char name[REPORT_PATH_MAX];     /* its name */
    cJSON *config;                  /* config.json; NULL: see config_note */
    char config_note[REPORT_NOTE_MAX];
    run_log log;                    /* log.csv; log.n == 0: see log_note */
    char log_note[REPORT_NOTE_MAX];
    long long log_mtime;            /* log.csv's modification time (seconds since 1970), or -1 */
    run_metrics metrics;            /* metrics.jsonl; metrics.n == 0: see metrics_note */
    char metrics_note[REPORT_NOTE_MAX];
    report_file *samples;           /* samples/train_*.png by iteration */
    int n_samples, n_other_pngs;    /* ... and the other PNGs of samples/ but real.png */
    int have_real;                  /* samples/real.png */
    long long real_bytes;
    report_file *ckpts;             /* checkpoints/ckpt-*.safetensors by iteration */
    int n_ckpts;
    cJSON *ckpt;                    /* the newest readable checkpoint's header; NULL: ckpt_note */
    char ckpt_name[256], ckpt_note[REPORT_NOTE_MAX];
} report_run;

/* Reads what the folder holds (never fails on its contents: each missing or unreadable part
 * leaves a note); -1 only when run is not a folder. */
int report_run_open(report_run *r, const char *run, const report_options *o, dc_err *e);
void report_run_close(report_run *r);
/* The indices into r->samples of the grids to embed, spread evenly over them, first and newest
 * included, within o->max_samples and o->max_image_bytes; returns their count. */
int report_pick_samples(const report_run *r, int *picked);
/* Reads RUN/samples/name if it is a PNG file of at most max bytes: the bytes (caller frees)
 * and their count, or NULL with a reason in why. */
unsigned char *report_read_png(const report_run *r, const char *name, long long max, size_t *len,
                               char *why, size_t why_n);

/* A config.json value (NULL when absent): as a number (NaN when it is not one), as a string
 * (NULL when it is not one). */
double report_config_number(const report_run *r, const char *key);
const char *report_config_string(const report_run *r, const char *key);
/* A __metadata__ value of the newest checkpoint's header ("iteration", "ranks", ...), or NULL. */
const char *report_ckpt_meta(const report_run *r, const char *key);
/* v as the shortest decimal that reads back as the same double. */
void report_format_number(char *buf, size_t n, double v);

/* The sections (report_charts.c, report_model.c). */
void report_section_losses(html_buf *b, const report_run *r);
void report_section_metrics(html_buf *b, const report_run *r);
void report_section_model(html_buf *b, const report_run *r);
void report_section_config(html_buf *b, const report_run *r);
void report_section_resume(html_buf *b, const report_run *r);
/* <p class="note">text</p>, escaped. */
void report_note(html_buf *b, const char *text);

#endif
