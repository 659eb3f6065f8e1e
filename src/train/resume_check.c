#include "train/resume_check.h"

#include <string.h>

#include "core/log.h"
#include "core/threads.h"

static int mismatch(dc_err *e, const char *name, const char *flag, const char *was,
                    const char *now)
{
    return dc_fail(e, "%s: the run was trained with %s %s, this command has %s %s; resume with "
                      "the run's settings, or start a new run with --out-name",
                   name, flag, was, flag, now);
}

/* The thread count and the device decide float rounding too (as --conv-backend, below):
 * another choice goes on, not bit for bit as the run would have gone unbroken. */
static void warn_compute(const run_config *s, const train_options *o, const char *name)
{
    if (!(s->have & RUN_CONFIG_COMPUTE)) return;
    int threads = threads_compute_count();
    const char *device = o->device[0] ? o->device : "cpu";
    if (s->threads == threads && strcmp(s->device, device) == 0) return;
    log_warn("%s: the run was trained on %d thread%s with --device %s; this command has %d on %s: "
             "it goes on, but not bit for bit as it would have unbroken (resume with --threads %d "
             "--device %s for that)", name, s->threads, s->threads == 1 ? "" : "s", s->device,
             threads, device, s->threads, s->device);
}

int run_config_check_data(const run_config *s, const train_options *o, const char *fingerprint,
                          const char *name, dc_err *e)
{
    if (!(s->have & RUN_CONFIG_FINGERPRINT) || !fingerprint[0] ||
        strcmp(s->data_fingerprint, fingerprint) == 0)
        return 0;
    if (o->accept_changed_data) {
        log_warn("%s: the data's files changed since (%s then, %s now); continuing as "
                 "--accept-changed-data asks: the batches from here on are not those an "
                 "uninterrupted run would have seen",
                 name, s->data_fingerprint, fingerprint);
        return 0;
    }
    return dc_fail(e, "%s: the data's files changed since (a file added, removed or replaced: %s "
                      "then, %s now); resuming would not be exact: restore the data, or resume "
                      "with --accept-changed-data",
                   name, s->data_fingerprint, fingerprint);
}

int run_config_check_resume(const run_config *s, const train_options *o, const char *name,
                            dc_err *e)
{
    char a[300], b[300];
    if ((s->have & RUN_CONFIG_DATASET) && strcmp(s->dataset, o->dataset) != 0)
        return mismatch(e, name, "--dataset", s->dataset, o->dataset);
    if ((s->have & RUN_CONFIG_PATTERN) && strcmp(s->input_fname_pattern, o->input_fname_pattern) != 0)
        return mismatch(e, name, "--input-fname-pattern", s->input_fname_pattern,
                        o->input_fname_pattern);
    if ((s->have & RUN_CONFIG_LABELS) && strcmp(s->labels_file, o->labels_file) != 0)
        return mismatch(e, name, "--labels-file", s->labels_file[0] ? s->labels_file : "(none)",
                        o->labels_file[0] ? o->labels_file : "(none)");
    if ((s->have & RUN_CONFIG_LABELS) && strcmp(s->attributes, o->attributes) != 0)
        return mismatch(e, name, "--attributes", s->attributes[0] ? s->attributes : "(all)",
                        o->attributes[0] ? o->attributes : "(all)");
    if ((s->have & RUN_CONFIG_CROP) && s->crop != (o->crop != 0))
        return mismatch(e, name, "--crop", s->crop ? "on" : "off", o->crop ? "on" : "off");
    if ((s->have & RUN_CONFIG_INPUT_SIZE) && o->crop &&
        (s->input_h != o->input_h || s->input_w != o->input_w)) {
        snprintf(a, sizeof a, "%dx%d", s->input_h, s->input_w);
        snprintf(b, sizeof b, "%dx%d", o->input_h, o->input_w);
        return mismatch(e, name, "--input-height/--input-width", a, b);
    }
    if ((s->have & RUN_CONFIG_TRAIN_SIZE) && s->train_size != (o->train_size > 0 ? o->train_size : 0)) {
        snprintf(a, sizeof a, "%ld", s->train_size);
        snprintf(b, sizeof b, "%ld", o->train_size > 0 ? o->train_size : 0);
        return mismatch(e, name, "--train-size", s->train_size ? a : "inf",
                        o->train_size > 0 ? b : "inf");
    }
    if ((s->have & RUN_CONFIG_SEED) && s->seed != (double)o->seed) {
        snprintf(a, sizeof a, "%.0f", s->seed);
        snprintf(b, sizeof b, "%llu", (unsigned long long)o->seed);
        return mismatch(e, name, "--seed", a, b);
    }
    if ((s->have & RUN_CONFIG_Z_DIST) && s->zdist != o->zdist)
        return mismatch(e, name, "--z-dist", z_dist_name(s->zdist), z_dist_name(o->zdist));
    const char *loss = o->loss ? "hinge" : "bce";
    if ((s->have & RUN_CONFIG_LOSS) && strcmp(s->loss, loss) != 0)
        return mismatch(e, name, "--loss", s->loss, loss);
    warn_compute(s, o, name);
    /* allowed to change: said once, so the log explains a change in the curves */
    int was_im2col = strcmp(s->conv_backend, "im2col") == 0;
    if ((s->have & RUN_CONFIG_CONV_BACKEND) && was_im2col != (o->conv_backend == CONV_BACKEND_IM2COL))
        log_warn("%s: the run was trained with --conv-backend %s, this command uses %s: the two "
                 "agree to float rounding, not bit for bit, so the run goes on, but not exactly as "
                 "it would have (resume with --conv-backend %s for that)",
                 name, s->conv_backend, conv_backend_name((conv_backend)o->conv_backend),
                 s->conv_backend);
    /* master weights, Adam's moments and batch norm are f32 in either precision: the
     * checkpoint is the same, only the arithmetic from here on differs */
    const char *was_prec = (s->have & RUN_CONFIG_PRECISION) ? s->precision : "fp32";
    const char *prec = ops_precision_name((ops_precision)o->precision);
    if (strcmp(was_prec, prec) != 0)
        log_warn("%s: the run was trained with --precision %s, this command uses %s: the weights "
                 "are kept in fp32 either way, so the run goes on, with the convolutions and "
                 "linear layers computing in %s from here (resume with --precision %s to keep "
                 "the run's)", name, was_prec, prec, prec, was_prec);
    if ((s->have & RUN_CONFIG_LEARNING_RATE) && (float)s->learning_rate != o->learning_rate)
        log_warn("%s: the run was trained with --learning-rate %g; continuing with %g", name,
                 s->learning_rate, (double)o->learning_rate);
    if ((s->have & RUN_CONFIG_BETA1) && (float)s->beta1 != o->beta1)
        log_warn("%s: the run was trained with --beta1 %g; continuing with %g", name, s->beta1,
                 (double)o->beta1);
    return 0;
}
