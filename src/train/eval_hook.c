#include "train/eval_hook.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "eval/evaluate.h"
#include "train/summaries.h"

#define EVAL_CLASSIFIER_BATCH 100
#define EVAL_SEED 0x65766131ULL

struct train_eval {
    classifier cls;
    eval_reference ref;
    z_dist zdist;
    int classes;     /* y is one-hot over the data's classes (label accuracy means something) */
    char path[4096]; /* metrics.jsonl */
};

void train_eval_close(train_eval *t)
{
    if (!t) return;
    eval_reference_free(&t->ref);
    classifier_free(&t->cls);
    free(t);
}

static int classifier_file(const train_options *o, const char *data_folder,
                           const dcgan_config *mc, char *path, size_t n, dc_err *e)
{
    if (o->eval_classifier[0]) return dc_path(e, path, n, "%s", o->eval_classifier);
    if (eval_classifier_path(path, n, o->out_dir, data_folder, mc->c_dim, mc->output_h,
                             mc->output_w, e) != 0)
        return -1;
    if (access(path, R_OK) != 0)
        return dc_fail(e, "--eval-every: %s: no classifier (make it once with 'dcgan classifier "
                          "train --dataset %s', or give --eval-classifier FILE)", path, o->dataset);
    return 0;
}

train_eval *train_eval_open(const train_options *o, const dataset *ds, const char *data_folder,
                            const dcgan_config *mc, const char *run_dir, long iteration,
                            dc_err *e)
{
    train_eval *t = dc_calloc(1, sizeof *t);
    char cpath[4096];
    if (classifier_file(o, data_folder, mc, cpath, sizeof cpath, e) != 0 ||
        classifier_load(&t->cls, cpath, o->device, EVAL_CLASSIFIER_BATCH, e) != 0) {
        free(t);
        return NULL;
    }
    t->zdist = o->zdist;
    t->classes = ds->num_classes > 0;
    eval_options eo = eval_options_default();
    eo.n = o->eval_samples;
    eo.kid_subset_size = eo.n < 2000 ? eo.n / 2 : 1000; /* subsets smaller than the set */
    eo.nn_samples = eo.n < 200 ? eo.n : 200;
    eo.kid_subsets = 10; /* a trend, not a final number: a tenth of the work */
    if (dc_path(e, t->path, sizeof t->path, "%s/metrics.jsonl", run_dir) != 0 ||
        train_lines_truncate(t->path, NULL, "{\"iteration\":%ld,", iteration, e) != 0) {
        train_eval_close(t);
        return NULL;
    }
    log_info("--eval-every %ld: classifier %s; features of %ld training images", o->eval_every,
             cpath, eo.n);
    if (eval_reference_init(&t->ref, &t->cls, ds, &eo, e) != 0) {
        train_eval_close(t);
        return NULL;
    }
    return t;
}

static int append_line(const char *path, const char *line, dc_err *e)
{
    FILE *f = fopen(path, "a");
    if (!f) return dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
    int ok = fprintf(f, "%s\n", line) >= 0;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok) return dc_fail(e, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

int train_eval_run(train_eval *t, dcgan_model *m, long iteration, tb_writer *tb, dc_err *e)
{
    float lo, hi;
    dcgan_model_range(&m->cfg, &lo, &hi);
    eval_model_source src;
    eval_model_source_init(&src, m, t->zdist, lo, hi, EVAL_SEED);
    eval_metrics em;
    /* what sampling runs: the average of G when there is one */
    dcgan_model_swap_ema(m);
    int mrc = eval_measure(&t->ref, eval_model_source_fn, &src, m->cfg.y_dim > 0 && t->classes,
                           &em, e);
    dcgan_model_swap_ema(m);
    if (mrc != 0) return -1;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "\"iteration\":%ld,", iteration);
    char *line = eval_metrics_json(&em, prefix);
    int rc = append_line(t->path, line, e);
    free(line);
    char acc[48] = "";
    if (m->cfg.y_dim > 0 && t->classes) snprintf(acc, sizeof acc, "  label accuracy %.3f", em.label_accuracy);
    log_info("eval at iteration %ld: FID %.3f  KID %.4f  precision %.3f  recall %.3f  entropy "
             "%.3f%s (%.1f s)", iteration, em.fid, em.kid, em.precision, em.recall, em.entropy,
             acc, em.seconds);
    if (rc != 0 || !tb) return rc;
    const char *tags[] = {"eval/fid", "eval/kid", "eval/precision", "eval/recall",
                          "eval/class_entropy", "eval/nn_rmse", "eval/label_accuracy"};
    float v[] = {(float)em.fid, (float)em.kid, (float)em.precision, (float)em.recall,
                 (float)em.entropy, (float)em.nn_rmse, (float)em.label_accuracy};
    return tb_write_scalars(tb, iteration, tags, v, (m->cfg.y_dim > 0 && t->classes) ? 7 : 6, e);
}
