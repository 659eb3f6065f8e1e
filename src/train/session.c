#include "train/session.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "core/interrupt.h"
#include "core/log.h"
#include "core/threads.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "io/tb_events.h"
#include "model/checkpoint.h"
#include "model/dcgan.h"
#include "train/checkpoints.h"
#include "train/data_open.h"
#include "train/run_folder.h"
#include "train/samples.h"
#include "train/step.h"
#include "train/summaries.h"
#include "core/clock.h"

#define INIT_SEED_SALT 0x1A17ULL

struct train_session {
    train_options o;
    char src[RUN_PATH_MAX]; /* the data folder used */
    dataset ds;
    int ds_open;
    dcgan_config mc;
    dcgan_model model;
    int model_open;
    trainer tr;
    int tr_open;
    loader *ld;
    sample_set samples;
    float *x, *y, *z;
    FILE *log;
    run_folder f;
    tb_writer *tb;
    char *run_json, *classes_json;
    train_position pos;
    int resumed;
    long per_epoch, total, start_iteration;
    double t0;
    int pending, sampled, saved; /* an iteration reported, its tail still to come */
    int finished;                /* train_step_next returned 0 */
};

static void session_free(train_session *s)
{
    run_folder_close(&s->f);
    if (s->log) fclose(s->log);
    tb_writer_close(s->tb, NULL);
    if (s->ld) loader_free(s->ld);
    if (s->tr_open) trainer_free(&s->tr);
    if (s->model_open) dcgan_model_free(&s->model);
    if (s->ds_open) dataset_free(&s->ds);
    sample_set_free(&s->samples);
    free(s->x);
    free(s->y);
    free(s->z);
    free(s->run_json);
    free(s->classes_json);
    free(s);
}

/* The data and the model it makes: conditional when asked or when the data has labels, images
 * scaled to the model's output range. */
static int open_data_and_model(train_session *s, dc_err *e)
{
    train_options *o = &s->o;
    if (train_open_dataset(o, &s->ds, s->src, sizeof s->src, e) != 0) return -1;
    s->ds_open = 1;
    int conditional = o->conditional < 0 ? s->ds.num_classes > 0 : o->conditional;
    if (conditional && s->ds.num_classes <= 0)
        return dc_fail(e, "%s: --conditional needs labelled data (IDX labels or one subfolder per class)",
                       s->src);
    dcgan_config mc = train_options_model_config(o, s->ds.H, s->ds.W, s->ds.C,
                                                 conditional ? s->ds.num_classes : 0);
    s->mc = mc;
    if (dcgan_model_init(&s->model, &mc, e) != 0) return -1;
    s->model_open = 1;
    float lo, hi;
    dcgan_model_range(&mc, &lo, &hi);
    /* the conditional model's sigmoid output trains on [0,1] images, the other on [-1,1] */
    dataset *ds = &s->ds;
    if (!ds->images) {
        ds->spec.lo = lo;
        ds->spec.hi = hi;
    } else if (ds->lo != lo || ds->hi != hi) {
        size_t n = (size_t)ds->count * ds->C * ds->H * ds->W;
        float scale = (hi - lo) / (ds->hi - ds->lo);
        for (size_t i = 0; i < n; i++) ds->images[i] = lo + (ds->images[i] - ds->lo) * scale;
        ds->lo = lo;
        ds->hi = hi;
    }
    if (ds->count < o->batch_size)
        return dc_fail(e, "%s: %d %simages, fewer than one batch (--batch-size %d)", s->src,
                       ds->count, ds->skipped ? "usable " : "", o->batch_size);
    return 0;
}

/* The run folder, its lock and settings, the trainer, and the starting point: the newest
 * checkpoint or fresh weights; log.csv cut back to it and opened. */
static int open_run(train_session *s, dc_err *e)
{
    train_options *o = &s->o;
    if (run_folder_open(&s->f, o, &s->mc, e) != 0) return -1;
    s->run_json = run_folder_config_json(o, &s->mc, &s->ds, s->src, s->f.run_dir);
    s->classes_json = run_folder_class_names_json(&s->ds);

    adam_config adam = adam_config_default();
    adam.lr = o->learning_rate;
    adam.beta1 = o->beta1;
    trainer_init(&s->tr, &s->model, adam);
    s->tr_open = 1;

    rng_init(&s->pos.z_rng, o->seed);
    run_folder_remove_stale(&s->f);
    s->resumed = train_checkpoint_resume(s->f.ckpt_dir, o, &s->model, &s->tr, &s->pos, e);
    if (s->resumed < 0) return -1;
    /* rows after the checkpoint (all of them when a run killed before its first checkpoint
     * starts afresh) are written again */
    if (train_log_truncate(s->f.log_path, s->pos.iteration, e) != 0) return -1;
    if (!s->resumed) {
        rng_state init;
        rng_init(&init, o->seed ^ INIT_SEED_SALT);
        dcgan_model_init_weights(&s->model, &init);
    }
    if (run_folder_write_config(&s->f, s->run_json, e) != 0) return -1;
    s->log = train_log_open(s->f.log_path, e);
    return s->log ? 0 : -1;
}

/* The loader at the checkpoint's data position, the number of iterations, TensorBoard. */
static int open_loader(train_session *s, dc_err *e)
{
    train_options *o = &s->o;
    train_position *pos = &s->pos;
    s->ld = loader_create(&s->ds, o->batch_size, o->seed, o->train_size, 0, 1,
                          s->ds.images ? 0 : o->loader_threads, 4, e);
    if (!s->ld) return -1;
    long per_epoch = loader_batches_per_epoch(s->ld);
    s->per_epoch = per_epoch;
    if (per_epoch <= 0)
        return dc_fail(e, "%s: --train-size %ld gives no full batch of %d", s->src, o->train_size,
                       o->batch_size);
    if (pos->batch >= per_epoch || pos->epoch > (LONG_MAX - pos->batch) / per_epoch)
        return dc_fail(e, "%s: the checkpoint's data position (epoch %ld, batch %ld) does not fit "
                          "%ld batches per epoch (was --train-size or the data changed?)",
                       s->f.ckpt_dir, pos->epoch, pos->batch, per_epoch);
    s->total = o->epochs > LONG_MAX / per_epoch ? LONG_MAX : o->epochs * per_epoch;
    if (o->max_steps > 0 && o->max_steps < s->total) s->total = o->max_steps;
    loader_seek(s->ld, pos->epoch, pos->batch);
    if (o->tensorboard && pos->iteration < s->total) {
        char logs[RUN_PATH_MAX];
        if (dc_path(e, logs, sizeof logs, "%s/logs", s->f.run_dir)) return -1;
        s->tb = tb_writer_open(logs, e);
        if (!s->tb) return -1;
        /* a resumed run starts a new file; TensorBoard drops what older files hold from this
         * step on (what a stopped run wrote after its last checkpoint) */
        if (s->resumed && tb_write_session_start(s->tb, pos->iteration + 1, e) != 0) return -1;
    }
    return 0;
}

train_session *train_open(const train_options *opts, dc_err *e)
{
    train_session *s = dc_calloc(1, sizeof *s);
    s->f.lock_fd = -1;
    s->o = *opts;
    train_options *o = &s->o;
    if (o->input_w <= 0) o->input_w = o->input_h;
    if (o->output_w <= 0) o->output_w = o->output_h;
    threads_set_compute(o->threads);
    if (open_data_and_model(s, e) != 0 || open_run(s, e) != 0 || open_loader(s, e) != 0) {
        session_free(s);
        return NULL;
    }
    const dcgan_config *mc = &s->mc;
    size_t B = (size_t)o->batch_size;
    s->x = dc_alloc_floats(B * mc->c_dim * mc->output_h * mc->output_w);
    s->y = mc->y_dim > 0 ? dc_alloc_floats(B * mc->y_dim) : NULL;
    s->z = dc_alloc_floats(B * mc->z_dim);
    sample_set_init(&s->samples, mc, o->seed, o->zdist);

    log_info("run folder %s: %d %simages %dx%dx%d%s, %ld iterations of batch %d (%ld per epoch)",
             s->f.run_dir, s->ds.count, mc->y_dim ? "labelled " : "", mc->output_h, mc->output_w,
             mc->c_dim, mc->y_dim ? ", conditional" : "", s->total, o->batch_size, s->per_epoch);
    if (s->pos.iteration >= s->total)
        log_info("already trained for %ld iterations; nothing to do", s->pos.iteration);
    s->start_iteration = s->pos.iteration;
    s->t0 = clock_seconds();
    return s;
}

/* Divergence: caught in the iteration it appears, before anything of it is written. */
static int check_finite(train_session *s, const step_stats *st, dc_err *e)
{
    int losses_ok = isfinite(st->d_loss) && isfinite(st->g_loss) && isfinite(st->g_loss_first);
    char where[160];
    int params_ok = dcgan_model_check_finite(&s->model, 0, where, sizeof where) == 0;
    if (losses_ok && params_ok) return 0;
    if (params_ok && dcgan_model_check_finite(&s->model, 1, where, sizeof where) == 0)
        snprintf(where, sizeof where, "the loss");
    return dc_fail(e, "training diverged at iteration %ld: %s is not finite (d_loss %g, g_loss %g); "
                      "nothing of this iteration is saved; the last checkpoint in %s is kept (try a lower "
                      "--learning-rate)", s->pos.iteration, where, st->d_loss, st->g_loss, s->f.ckpt_dir);
}

static train_ckpt_ctx ckpt_ctx(const train_session *s)
{
    train_ckpt_ctx c = {s->f.ckpt_dir, &s->o, &s->model, &s->tr, s->run_json, s->classes_json};
    return c;
}

/* What follows the report of the last iteration: the sample grid's path; on a stop request, a
 * checkpoint (if that iteration did not write one) and TRAIN_RUN_STOPPED. */
static int finish_reported(train_session *s, dc_err *e)
{
    s->pending = 0;
    if (s->sampled) log_info("samples: %s/train_%08ld.png", s->f.sample_dir, s->pos.iteration);
    const train_options *o = &s->o;
    if (!(o->stop && *o->stop && s->pos.iteration < s->total)) return 0;
    train_ckpt_ctx c = ckpt_ctx(s);
    if (!s->saved && train_checkpoint_save(&c, &s->pos, e) != 0) return -1;
    char path[RUN_PATH_MAX];
    checkpoint_path(NULL, path, sizeof path, s->f.ckpt_dir, s->pos.iteration);
    dc_fail(e, "stopped by %s at iteration %ld of %ld; checkpoint %s",
            interrupt_signal_name(*o->stop), s->pos.iteration, s->total, path);
    return TRAIN_RUN_STOPPED;
}

static void fill_progress(const train_session *s, train_progress *p, long epoch, long batch,
                          double el, const step_stats *st)
{
    memset(p, 0, sizeof *p);
    p->iteration = s->pos.iteration;
    p->total = s->total;
    p->start_iteration = s->start_iteration;
    p->epoch = epoch;
    p->batch = batch;
    p->per_epoch = s->per_epoch;
    p->batch_size = s->o.batch_size;
    p->elapsed = el;
    p->d_loss = st->d_loss;
    p->d_loss_real = st->d_loss_real;
    p->d_loss_fake = st->d_loss_fake;
    p->g_loss = st->g_loss;
    p->d_real = st->d_real_mean;
    p->d_fake = st->d_fake_mean;
    p->sampled = s->sampled;
    p->saved = s->saved;
}

int train_step_next(train_session *s, train_progress *p, dc_err *e)
{
    const train_options *o = &s->o;
    train_position *pos = &s->pos;
    if (s->pending) {
        int rc = finish_reported(s, e);
        if (rc != 0) return rc;
    }
    if (pos->iteration >= s->total) {
        s->finished = 1;
        return 0;
    }
    if (o->stop && *o->stop) { /* before any iteration of this session: nothing to save */
        dc_fail(e, "stopped by %s before iteration %ld; nothing new to save",
                interrupt_signal_name(*o->stop), pos->iteration + 1);
        return TRAIN_RUN_STOPPED;
    }
    long be, bb;
    if (loader_next(s->ld, s->x, s->y, &be, &bb, e) != 0) return -1;
    z_dist_draw(o->zdist, &pos->z_rng, s->z, (size_t)o->batch_size * s->mc.z_dim);
    step_stats st;
    train_step(&s->tr, &s->model, s->x, s->y, s->z, &st);
    pos->iteration++;
    long it = pos->iteration, total = s->total;
    pos->epoch = bb + 1 >= s->per_epoch ? be + 1 : be;
    pos->batch = bb + 1 >= s->per_epoch ? 0 : bb + 1;
    double el = clock_seconds() - s->t0;
    if (check_finite(s, &st, e) != 0) return -1;
    if (train_log_row(s->log, s->f.log_path, it, be, bb, el, &st, e) != 0) return -1;
    if (s->tb && train_tb_summaries(s->tb, it, o->hist_freq, &st, s->z, o->batch_size,
                                    s->mc.z_dim, &s->tr, e) != 0)
        return -1;
    s->sampled = s->saved = 0;
    /* the last grid too comes before the last checkpoint: a run killed between them would
     * otherwise resume as complete and never write it (found by the crash test) */
    if (o->sample_freq > 0 && (it % o->sample_freq == 0 || it == total)) {
        if (sample_set_save(&s->samples, &s->model, s->f.sample_dir, it, s->tb, e) != 0) return -1;
        s->sampled = 1;
    }
    if ((o->ckpt_freq > 0 && it % o->ckpt_freq == 0) || it == total) {
        train_ckpt_ctx c = ckpt_ctx(s);
        if (train_checkpoint_save(&c, pos, e) != 0) return -1;
        s->saved = 1;
    }
    fill_progress(s, p, be, bb, el, &st);
    s->pending = 1;
    return 1;
}

int train_close(train_session *s, dc_err *e)
{
    if (!s) return 0;
    int rc = 0;
    if (s->finished) {
        int bad = s->ds.skipped + loader_bad_count(s->ld);
        if (bad > 0)
            log_warn("%d bad image%s skipped (%d when the folder was opened, %d while training)",
                     bad, bad == 1 ? "" : "s", s->ds.skipped, loader_bad_count(s->ld));
        log_info("done: %ld iterations; checkpoint in %s", s->pos.iteration, s->f.ckpt_dir);
        tb_writer *tb = s->tb;
        s->tb = NULL;
        rc = tb_writer_close(tb, e);
    }
    session_free(s);
    return rc;
}
