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
#include "train/eval_hook.h"
#include "train/run_folder.h"
#include "train/samples.h"
#include "train/step.h"
#include "train/replicas.h"
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
    float *z_all;    /* (world * batch, z_dim): every rank draws all ranks' z, uses its own */
    dist *dist;      /* o.dist: the ranks (NULL: one process) */
    int rank, world;
    int lead;        /* rank 0: writes the run folder, logs, samples, checkpoints */
    FILE *log;
    run_folder f;
    tb_writer *tb;
    char *run_json, *classes_json, *attributes_json;
    train_position pos;
    int resumed;
    long per_epoch, total, start_iteration;
    double t0;
    double log_seconds; /* log.csv's clock at t0: the seconds earlier sessions trained */
    double comm0;    /* dist_comm_seconds at t0 */
    int pending, sampled, saved; /* an iteration reported, its tail still to come */
    int finished;                /* train_step_next returned 0 */
    train_eval *eval;            /* --eval-every (rank 0) */
};

static void session_free(train_session *s)
{
    train_eval_close(s->eval);
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
    free(s->z_all);
    free(s->run_json);
    free(s->classes_json);
    free(s->attributes_json);
    free(s);
}

/* The data and the model it makes: conditional when asked or when the data has labels, images
 * scaled to the model's output range. 0, -1, or TRAIN_RUN_USAGE. */
static int open_data_and_model(train_session *s, dc_err *e)
{
    train_options *o = &s->o;
    if (train_open_dataset(o, &s->ds, s->src, sizeof s->src, e) != 0) return -1;
    s->ds_open = 1;
    if (train_check_held_data(o, &s->ds, s->src, e) != 0) return TRAIN_RUN_USAGE;
    int y_dim = dataset_y_dim(&s->ds);
    int conditional = o->conditional < 0 ? y_dim > 0 : o->conditional;
    if (conditional && y_dim <= 0)
        return dc_fail(e, "%s: --conditional needs labelled data (IDX labels, one subfolder per "
                          "class, or --labels-file)", s->src);
    if (!conditional && o->cond_concat >= 0) {
        dc_fail(e, "%s: --cond-concat: only the conditional model takes a label, and this data has "
                   "none (IDX labels, one subfolder per class, or --labels-file)", s->src);
        return TRAIN_RUN_USAGE;
    }
    dcgan_config mc = train_options_model_config(o, s->ds.H, s->ds.W, s->ds.C,
                                                 conditional ? y_dim : 0);
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
    long global = (long)o->batch_size * s->world;
    if (ds->count < global)
        return dc_fail(e, "%s: %d %simages, fewer than one batch (--batch-size %d%s)", s->src,
                       ds->count, ds->skipped ? "usable " : "", o->batch_size,
                       s->world > 1 ? " on each rank" : "");
    replicas_set_batchnorm_sync(s->dist, &s->model, o->sync_bn);
    return 0;
}

/* Rank 0's starting point to every rank: the position, the step counters, whether it resumed,
 * the weights. */
static void share_start(train_session *s)
{
    if (s->world == 1) return;
    struct {
        train_position pos;
        long d_steps, g_steps;
        int resumed;
    } st = {s->pos, s->tr.d_steps, s->tr.g_steps, s->resumed};
    dist_broadcast(s->dist, &st, sizeof st);
    s->pos = st.pos;
    s->tr.d_steps = st.d_steps;
    s->tr.g_steps = st.g_steps;
    s->resumed = st.resumed;
    replicas_broadcast_model(s->dist, &s->model);
}

/* The backend's benchmarked choices (cuDNN's algorithms) beside the checkpoints, so a resumed
 * run does not benchmark again. Losing them costs time only: a failure is a warning. */
static void tuning_path(const train_session *s, char *path, size_t n)
{
    snprintf(path, n, "%.4000s/cudnn_algos.txt", s->f.run_dir);
}

static void save_tuning(train_session *s)
{
    if (!s->lead) return;
    char path[RUN_PATH_MAX + 32];
    tuning_path(s, path, sizeof path);
    dc_err e;
    if (ops_tuning_save(s->model.be, path, &e) != 0) log_warn("%s", e.msg);
}

/* The run folder, its lock and settings, the trainer, and the starting point: the newest
 * checkpoint or fresh weights; log.csv cut back to it and opened. Rank 0 alone touches the
 * run folder; the others take its starting point. */
static int open_run(train_session *s, dc_err *e)
{
    train_options *o = &s->o;
    adam_config adam = adam_config_default();
    adam.lr = o->learning_rate;
    adam.beta1 = o->beta1;
    trainer_init(&s->tr, &s->model, adam);
    if (o->d_learning_rate > 0) s->tr.adam.lr = o->d_learning_rate;
    if (o->g_learning_rate > 0) s->tr.adam_g.lr = o->g_learning_rate;
    s->tr.loss = (train_loss)o->loss;
    s->tr.real_target = 1.0f - o->label_smoothing;
    s->tr.dist = s->dist;
    s->tr.grad_bucket = (size_t)(o->grad_bucket_mb * 1048576.0 / sizeof(float));
    s->tr_open = 1;
    rng_init(&s->pos.z_rng, o->seed);
    if (!s->lead) {
        share_start(s);
        return 0;
    }
    if (run_folder_open(&s->f, o, &s->mc, e) != 0) return -1;
    char tuning[RUN_PATH_MAX + 32];
    tuning_path(s, tuning, sizeof tuning);
    if (ops_tuning_load(s->model.be, tuning, e) != 0) return -1;
    s->run_json = run_folder_config_json(o, &s->mc, &s->ds, s->src, s->f.run_dir);
    s->classes_json = run_folder_class_names_json(&s->ds);
    s->attributes_json = run_folder_attribute_names_json(&s->ds);

    run_folder_remove_stale(&s->f);
    s->resumed = train_checkpoint_resume(s->f.ckpt_dir, o, s->world, s->ds.fingerprint,
                                         &s->model, &s->tr, &s->pos, e);
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
    s->log_seconds = train_log_last_seconds(s->f.log_path);
    s->log = train_log_open(s->f.log_path, e);
    if (!s->log) return -1;
    share_start(s);
    return 0;
}

/* The loader at the checkpoint's data position, the number of iterations, TensorBoard. */
static int open_loader(train_session *s, dc_err *e)
{
    train_options *o = &s->o;
    train_position *pos = &s->pos;
    if (o->train_size > 0 && o->train_size < s->ds.count &&
        o->train_size < (long)o->batch_size * s->world)
        return dc_fail(e, "--train-size %ld: fewer items per epoch than one batch of %d%s (raise "
                          "--train-size or lower --batch-size)",
                       o->train_size, o->batch_size, s->world > 1 ? " for each rank" : "");
    s->ld = loader_create(&s->ds, o->batch_size, o->seed, o->train_size, s->rank, s->world,
                          s->ds.images ? 0 : o->loader_threads, 4, e);
    if (!s->ld) return -1;
    s->per_epoch = loader_batches_per_epoch(s->ld);
    long items = o->train_size > 0 && o->train_size < s->ds.count ? o->train_size : s->ds.count;
    if (pos->samples > items)
        return dc_fail(e, "%s: the checkpoint's data position (epoch %ld, %ld items into it) does "
                          "not fit %ld items per epoch (was --train-size or the data changed?)",
                       s->f.ckpt_dir, pos->epoch, pos->samples, items);
    loader_seek_items(s->ld, pos->epoch, pos->samples);
    /* to the end of the last epoch from where the data stands: a run resumed with another
     * global batch takes as many steps as that batch needs */
    long left = loader_steps_left(s->ld, o->epochs);
    s->total = left > LONG_MAX - pos->iteration ? LONG_MAX : pos->iteration + left;
    if (o->max_steps > 0 && o->max_steps < s->total) s->total = o->max_steps;
    if (s->lead && o->tensorboard && pos->iteration < s->total) {
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
    return train_open_status(opts, NULL, e);
}

train_session *train_open_status(const train_options *opts, int *status, dc_err *e)
{
    train_session *s = dc_calloc(1, sizeof *s);
    s->f.lock_fd = -1;
    s->o = *opts;
    train_options *o = &s->o;
    s->dist = o->dist;
    s->rank = dist_rank(s->dist);
    s->world = dist_world(s->dist);
    s->lead = s->rank == 0;
    if (o->input_w <= 0) o->input_w = o->input_h;
    if (o->output_w <= 0) o->output_w = o->output_h;
    threads_set_compute(o->threads);
    int rc = open_data_and_model(s, e);
    if (rc == 0) rc = open_run(s, e);
    if (rc == 0) rc = open_loader(s, e);
    if (rc != 0) {
        if (status) *status = rc == TRAIN_RUN_USAGE ? rc : -1;
        session_free(s);
        return NULL;
    }
    if (s->lead && o->eval_every > 0 && s->pos.iteration < s->total) {
        s->eval = train_eval_open(o, &s->ds, s->src, &s->mc, s->f.run_dir, s->pos.iteration, e);
        if (!s->eval) {
            session_free(s);
            return NULL;
        }
    }
    const dcgan_config *mc = &s->mc;
    size_t B = (size_t)o->batch_size;
    s->x = dc_alloc_floats(B * mc->c_dim * mc->output_h * mc->output_w);
    s->y = mc->y_dim > 0 ? dc_alloc_floats(B * mc->y_dim) : NULL;
    s->z_all = dc_alloc_floats((size_t)s->world * B * mc->z_dim);
    s->z = s->z_all + (size_t)s->rank * B * mc->z_dim;
    sample_set_init(&s->samples, mc, o->seed, o->zdist);
    if (s->lead && sample_set_write_real(&s->samples, &s->ds, mc, s->f.sample_dir, o->seed, e) != 0) {
        session_free(s);
        return NULL;
    }

    char batch[96];
    if (s->world > 1)
        snprintf(batch, sizeof batch, "%ld (%d ranks x %d%s)", (long)s->world * o->batch_size,
                 s->world, o->batch_size, o->sync_bn ? "" : ", batch norm per rank");
    else
        snprintf(batch, sizeof batch, "%d", o->batch_size);
    if (strcmp(ops_device_name(s->model.be), "cpu") != 0)
        log_info("device: %s", ops_device_description(s->model.be));
    log_info("run folder %s: %d %simages %dx%dx%d%s, %ld iterations of batch %s (%ld per epoch)",
             s->f.run_dir, s->ds.count, mc->y_dim ? "labelled " : "", mc->output_h, mc->output_w,
             mc->c_dim, mc->y_dim ? ", conditional" : "", s->total, batch, s->per_epoch);
    if (s->pos.iteration >= s->total)
        log_info("already trained for %ld iterations; nothing to do", s->pos.iteration);
    s->start_iteration = s->pos.iteration;
    s->t0 = clock_seconds();
    s->comm0 = dist_comm_seconds(s->dist);
    return s;
}

/* The losses and D outputs as the mean over the ranks: what one process of the global batch
 * reports (rank 0's D outputs per item stay its own, for the histograms). */
/* A failure every rank meets at the same point: rank 0 says why. */
static int shared_failure(const train_session *s, dc_err *e)
{
    if (s->world == 1) return -1;
    if (!s->lead) e->msg[0] = 0;
    return TRAIN_RUN_FAILED_ALL;
}

static void share_stats(train_session *s, step_stats *st)
{
    if (s->world == 1) return;
    float v[7] = {st->d_loss_real, st->d_loss_fake, st->d_loss, st->g_loss,
                  st->d_real_mean, st->d_fake_mean, st->g_loss_first};
    dist_mean_floats(s->dist, v, 7);
    st->d_loss_real = v[0], st->d_loss_fake = v[1], st->d_loss = v[2], st->g_loss = v[3];
    st->d_real_mean = v[4], st->d_fake_mean = v[5], st->g_loss_first = v[6];
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
    long newest = 0;
    char kept[RUN_PATH_MAX + 64];
    if (checkpoint_list(s->f.ckpt_dir, &newest, 1) > 0)
        snprintf(kept, sizeof kept, "the last checkpoint in %s (iteration %ld) is kept",
                 s->f.ckpt_dir, newest);
    else
        snprintf(kept, sizeof kept, "no checkpoint was written before it");
    return dc_fail(e, "training diverged at iteration %ld: %s is not finite (d_loss %g, g_loss %g); "
                      "nothing of this iteration is saved; %s (try a lower --learning-rate)",
                   s->pos.iteration, where, st->d_loss, st->g_loss, kept);
}

static train_ckpt_ctx ckpt_ctx(const train_session *s)
{
    train_ckpt_ctx c = {s->f.ckpt_dir, &s->o,           &s->model,          &s->tr,
                        s->run_json,    s->classes_json, s->attributes_json, s->world};
    return c;
}

/* Every rank: the ranks still hold one model (else all fail alike); then rank 0 writes. */
static int save_checkpoint(train_session *s, dc_err *e)
{
    if (replicas_check_same(s->dist, &s->model, s->pos.iteration, e) != 0)
        return shared_failure(s, e);
    if (!s->lead) return 0;
    train_ckpt_ctx c = ckpt_ctx(s);
    return train_checkpoint_save(&c, &s->pos, e);
}

/* A stop was requested (SIGINT, SIGTERM): agreed by all ranks, so they stop at one iteration
 * (mpirun passes the signal on to each rank, not at the same moment). */
static int stop_requested(train_session *s)
{
    const train_options *o = &s->o;
    return dist_any(s->dist, o->stop && *o->stop);
}

/* What follows the report of the last iteration: the sample grid's path; on a stop request, a
 * checkpoint (if that iteration did not write one) and TRAIN_RUN_STOPPED. */
static int finish_reported(train_session *s, dc_err *e)
{
    s->pending = 0;
    if (s->sampled) log_info("samples: %s/train_%08ld.png", s->f.sample_dir, s->pos.iteration);
    const train_options *o = &s->o;
    if (s->pos.iteration >= s->total || !stop_requested(s)) return 0;
    if (!s->saved) dcgan_model_ema_refresh(&s->model, o->zdist);
    int rc = s->saved ? 0 : save_checkpoint(s, e);
    if (rc != 0) return rc;
    char path[RUN_PATH_MAX];
    checkpoint_path(NULL, path, sizeof path, s->f.ckpt_dir, s->pos.iteration);
    dc_fail(e, "stopped by %s at iteration %ld of %ld; checkpoint %s",
            interrupt_signal_name(o->stop && *o->stop ? *o->stop : SIGTERM), s->pos.iteration,
            s->total, path);
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
    p->batch_size = s->o.batch_size * s->world;
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
    /* before the first iteration of this session (after one, finish_reported decided: asking
     * again here would stop without the checkpoint of the iteration just run) */
    if (pos->iteration == s->start_iteration && stop_requested(s)) {
        dc_fail(e, "stopped by %s before iteration %ld; nothing new to save",
                interrupt_signal_name(o->stop && *o->stop ? *o->stop : SIGTERM),
                pos->iteration + 1);
        return TRAIN_RUN_STOPPED;
    }
    long be, bb;
    if (loader_next(s->ld, s->x, s->y, &be, &bb, e) != 0) return -1;
    /* all ranks' z in one stream: N ranks draw what one process of N batches would */
    z_dist_draw(o->zdist, &pos->z_rng, s->z_all, (size_t)s->world * o->batch_size * s->mc.z_dim);
    step_stats st;
    train_step(&s->tr, &s->model, s->x, s->y, s->z, &st);
    share_stats(s, &st);
    if (!o->sync_bn) { /* each rank's own statistics: their mean keeps one moving average */
        replicas_mean_buffers(s->dist, &s->model.G.ps);
        replicas_mean_buffers(s->dist, &s->model.D.ps);
    }
    pos->iteration++;
    if (pos->iteration == s->start_iteration + 1) save_tuning(s); /* every shape has run */
    long it = pos->iteration, total = s->total;
    loader_tell_items(s->ld, &pos->epoch, &pos->samples);
    double el = clock_seconds() - s->t0;
    if (check_finite(s, &st, e) != 0) return shared_failure(s, e);
    if (s->log && train_log_row(s->log, s->f.log_path, it, be, bb, s->log_seconds + el, &st, e) != 0)
        return -1;
    if (s->tb && train_tb_summaries(s->tb, it, o->hist_freq, &st, s->z, o->batch_size,
                                    s->mc.z_dim, &s->tr, e) != 0)
        return -1;
    s->sampled = s->saved = 0;
    /* the average of G (--g-ema) gets batch-norm statistics for its weights before it is
     * sampled, measured or saved; every rank alike (synchronised batch norm sums across them) */
    int sample_now = o->sample_freq > 0 && (it % o->sample_freq == 0 || it == total);
    int eval_now = o->eval_every > 0 && (it % o->eval_every == 0 || it == total);
    int save_now = (o->ckpt_freq > 0 && it % o->ckpt_freq == 0) || it == total;
    if (sample_now || eval_now || save_now) dcgan_model_ema_refresh(&s->model, o->zdist);
    /* the last grid too comes before the last checkpoint: a run killed between them would
     * otherwise resume as complete and never write it (found by the crash test) */
    if (s->lead && sample_now) {
        if (sample_set_save(&s->samples, &s->model, s->f.sample_dir, it, s->tb, e) != 0) return -1;
        s->sampled = 1;
    }
    if (s->eval && eval_now && train_eval_run(s->eval, &s->model, it, s->tb, e) != 0)
        return -1;
    if (save_now) {
        int rc = save_checkpoint(s, e);
        if (rc != 0) return rc;
        s->saved = 1;
    }
    fill_progress(s, p, be, bb, el, &st);
    s->pending = 1;
    return 1;
}

const float *train_session_last_batch(const train_session *s, int *items, size_t *item_floats)
{
    if (s->pos.iteration == s->start_iteration && !s->pending) return NULL;
    *items = s->o.batch_size;
    *item_floats = (size_t)s->mc.c_dim * s->mc.output_h * s->mc.output_w;
    return s->x;
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
        long run = s->pos.iteration - s->start_iteration;
        double comm = dist_comm_seconds(s->dist) - s->comm0, el = clock_seconds() - s->t0;
        if (s->world > 1 && run > 0)
            log_info("%d ranks: %.1f ms of %.1f ms per iteration in communication (%.0f%%, "
                     "%ld collectives in all)", s->world, 1e3 * comm / run, 1e3 * el / run,
                     100.0 * comm / (el > 1e-9 ? el : 1e-9), dist_comm_calls(s->dist));
        tb_writer *tb = s->tb;
        s->tb = NULL;
        rc = tb_writer_close(tb, e);
    }
    session_free(s);
    return rc;
}
