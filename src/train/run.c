#include "train/run.h"

#include <cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "data/dataset.h"
#include "io/png_write.h"
#include "io/tb_events.h"
#include "model/dcgan.h"
#include "model/checkpoint.h"
#include "model/run_config.h"
#include "train/resume_check.h"
#include "train/step.h"
#include "core/atomic_file.h"
#include "core/interrupt.h"
#include "core/threads.h"
#include "core/log.h"

#define SAMPLE_SEED_SALT 0x5EED5A3B1E5ULL
#define INIT_SEED_SALT 0x1A17ULL
#define GRID_COLS_PER_CLASS 8
#define RUN_PATH_MAX 4096

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int make_dir(const char *path, dc_err *e)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return dc_fail(e, "%s: cannot create folder: %s", path, strerror(errno));
    if (!is_dir(path)) return dc_fail(e, "%s: exists and is not a folder", path);
    return 0;
}

static char *class_names_json(const dataset *ds)
{
    if (ds->num_classes <= 0) return NULL;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < ds->num_classes; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(ds->class_names[i]));
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

static char *run_config_json(const train_options *o, const dcgan_config *mc, const dataset *ds,
                             const char *src, const char *run_dir)
{
    run_config r;
    memset(&r, 0, sizeof r);
    snprintf(r.dataset, sizeof r.dataset, "%s", o->dataset);
    snprintf(r.data_source, sizeof r.data_source, "%s", src);
    snprintf(r.input_fname_pattern, sizeof r.input_fname_pattern, "%s", o->input_fname_pattern);
    r.dataset_size = ds->count;
    r.input_h = o->input_h;
    r.input_w = o->input_w;
    r.crop = o->crop;
    r.skip_bad_images = o->skip_bad_images;
    memcpy(r.background, o->background, 3);
    r.output_h = mc->output_h;
    r.output_w = mc->output_w;
    r.c_dim = mc->c_dim;
    r.y_dim = mc->y_dim;
    r.z_dim = mc->z_dim;
    r.gf_dim = mc->gf_dim;
    r.df_dim = mc->df_dim;
    r.gfc_dim = mc->gfc_dim;
    r.dfc_dim = mc->dfc_dim;
    r.zdist = o->zdist;
    r.epochs = o->epochs;
    r.train_size = o->train_size;
    r.batch_size = o->batch_size;
    r.learning_rate = o->learning_rate;
    r.beta1 = o->beta1;
    r.max_steps = o->max_steps;
    r.seed = (double)o->seed;
    snprintf(r.out_dir, sizeof r.out_dir, "%s", o->out_dir);
    snprintf(r.run_dir, sizeof r.run_dir, "%s", run_dir);
    r.sample_freq = o->sample_freq;
    r.ckpt_freq = o->ckpt_freq;
    r.max_to_keep = o->max_to_keep;
    r.num_classes = ds->num_classes;
    r.class_names = ds->class_names;
    return run_config_to_json(&r);
}

#define CKPT_LIST_MAX 4096

/* Keeps the max_to_keep newest checkpoints. Called only once the checkpoint of `written` is
 * durable (fsync'ed, renamed, folder fsync'ed), and never removes that one or a newer one. */
static void rotate_checkpoints(const char *dir, int max_to_keep, long written)
{
    long iters[CKPT_LIST_MAX];
    int count = checkpoint_list(dir, iters, CKPT_LIST_MAX);
    for (int i = 0; i < count - max_to_keep; i++) {
        char p[RUN_PATH_MAX];
        if (iters[i] >= written || checkpoint_path(NULL, p, sizeof p, dir, iters[i]) != 0)
            continue;
        if (unlink(p) != 0) log_warn("%s: cannot remove old checkpoint: %s", p, strerror(errno));
    }
}

/* Keeps log.csv's rows up to `iteration` (a resumed run rewrites what came after). */
static int log_truncate(const char *path, long iteration, dc_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    char line[4096];
    int first = 1;
    while (out && fgets(line, sizeof line, f)) {
        long it;
        size_t l0 = strlen(line);
        int whole = l0 > 0 && line[l0 - 1] == '\n'; /* a kill can leave a torn last line */
        int keep = whole && (first ? strncmp(line, "iteration,", 10) == 0
                                   : sscanf(line, "%ld,", &it) == 1 && it <= iteration);
        first = 0;
        if (!keep) continue;
        size_t l = strlen(line);
        if (len + l + 1 > cap) {
            cap = 2 * (len + l + 1);
            char *n = realloc(out, cap);
            if (!n) {
                free(out);
                out = NULL;
                break;
            }
            out = n;
        }
        memcpy(out + len, line, l);
        len += l;
    }
    fclose(f);
    if (!out) return dc_fail(e, "%s: out of memory", path);
    int rc = atomic_file_write(path, out, len, e);
    free(out);
    return rc;
}

typedef struct {
    float *z, *y;
    int n, cols;
    float *images;
} sample_set;

static void sample_set_init(sample_set *s, const dcgan_config *mc, uint64_t seed, z_dist zd)
{
    if (mc->y_dim > 0) {
        s->cols = GRID_COLS_PER_CLASS;
        s->n = mc->y_dim * s->cols;
    } else {
        s->n = mc->batch;
        s->cols = (int)ceil(sqrt((double)s->n));
    }
    s->z = dc_alloc_floats((size_t)s->n * mc->z_dim);
    s->y = mc->y_dim > 0 ? dc_alloc_floats((size_t)s->n * mc->y_dim) : NULL;
    s->images = dc_alloc_floats((size_t)s->n * mc->c_dim * mc->output_h * mc->output_w);
    rng_state r;
    rng_init(&r, seed ^ SAMPLE_SEED_SALT);
    z_dist_draw(zd, &r, s->z, (size_t)s->n * mc->z_dim);
    for (int i = 0; s->y && i < s->n; i++) s->y[(size_t)i * mc->y_dim + i / s->cols] = 1.0f;
}

static void sample_set_free(sample_set *s)
{
    free(s->z);
    free(s->y);
    free(s->images);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void format_duration(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0) s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
}

typedef struct {
    train_options o;
    dataset ds;
    int ds_open;
    dcgan_model model;
    int model_open;
    trainer tr;
    int tr_open;
    loader *ld;
    sample_set samples;
    float *x, *y, *z;
    FILE *log;
    int lock_fd; /* flock'ed run_dir/.lock, or -1 */
    tb_writer *tb;
    char run_dir[RUN_PATH_MAX], ckpt_dir[RUN_PATH_MAX], sample_dir[RUN_PATH_MAX], log_path[RUN_PATH_MAX];
    char *run_json, *classes_json;
} run_ctx;

/* Two trainers writing one run folder would interleave their checkpoints and logs: the second
 * one is refused while the first holds an exclusive lock on run_dir/.lock. */
static int lock_run_dir(run_ctx *c, dc_err *e)
{
    char path[RUN_PATH_MAX];
    if (dc_path(e, path, sizeof path, "%s/.lock", c->run_dir)) return -1;
    c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (c->lock_fd < 0) return dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
    if (flock(c->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(c->lock_fd);
        c->lock_fd = -1;
        if (err == EWOULDBLOCK)
            return dc_fail(e, "%s: another dcgan train is using this run folder", c->run_dir);
        return dc_fail(e, "%s: cannot lock: %s", path, strerror(err));
    }
    return 0;
}

static void run_ctx_free(run_ctx *c)
{
    if (c->lock_fd >= 0) close(c->lock_fd); /* releases the lock */
    if (c->log) fclose(c->log);
    tb_writer_close(c->tb, NULL);
    if (c->ld) loader_free(c->ld);
    if (c->tr_open) trainer_free(&c->tr);
    if (c->model_open) dcgan_model_free(&c->model);
    if (c->ds_open) dataset_free(&c->ds);
    sample_set_free(&c->samples);
    free(c->x);
    free(c->y);
    free(c->z);
    free(c->run_json);
    free(c->classes_json);
}

static int save_checkpoint(run_ctx *c, long iteration, long epoch, long batch, rng_state zr,
                           dc_err *e)
{
    char path[RUN_PATH_MAX];
    if (checkpoint_path(e, path, sizeof path, c->ckpt_dir, iteration) != 0) return -1;
    checkpoint_state s;
    memset(&s, 0, sizeof s);
    s.iteration = iteration;
    s.epoch = epoch;
    s.batch = batch;
    s.z_rng = zr;
    s.batch_size = c->o.batch_size;
    s.d_steps = c->tr.d_steps;
    s.g_steps = c->tr.g_steps;
    s.run_json = c->run_json;
    s.class_names_json = c->classes_json;
    dcgan_model_range(&c->model.cfg, &s.image_lo, &s.image_hi);
    if (checkpoint_save(path, &c->model, 1, &s, e) != 0) return -1;
    rotate_checkpoints(c->ckpt_dir, c->o.max_to_keep, iteration);
    return 0;
}

static int save_samples(run_ctx *c, long iteration, dc_err *e)
{
    char path[RUN_PATH_MAX];
    if (dc_path(e, path, sizeof path, "%s/train_%08ld.png", c->sample_dir, iteration)) return -1;
    const dcgan_config *mc = &c->model.cfg;
    dcgan_generate(&c->model, c->samples.z, c->samples.y, c->samples.n, c->samples.images);
    float lo, hi;
    dcgan_model_range(mc, &lo, &hi);
    if (png_write_grid(path, c->samples.images, c->samples.n, mc->c_dim, mc->output_h,
                       mc->output_w, c->samples.cols, lo, hi, e) != 0)
        return -1;
    /* the reference's G image summary: the sample grid, as written */
    int rows = (c->samples.n + c->samples.cols - 1) / c->samples.cols;
    return c->tb ? tb_write_png_file(c->tb, iteration, "G", path, mc->output_w * c->samples.cols,
                                     mc->output_h * rows, mc->c_dim, e)
                 : 0;
}

/* The reference's summaries: the four losses every iteration; histograms of z, d = sigmoid(D(x))
 * and d_ = sigmoid(D(G(z))) (from this iteration's D update) every hist_freq iterations. */
static int tb_summaries(run_ctx *c, long iteration, const step_stats *s, dc_err *e)
{
    static const char *const tags[4] = {"d_loss_real", "d_loss_fake", "d_loss", "g_loss"};
    const float v[4] = {s->d_loss_real, s->d_loss_fake, s->d_loss, s->g_loss};
    if (tb_write_scalars(c->tb, iteration, tags, v, 4, e) != 0) return -1;
    if (c->o.hist_freq <= 0 || iteration % c->o.hist_freq != 0) return 0;
    size_t B = (size_t)c->o.batch_size;
    if (tb_write_histogram(c->tb, iteration, "z", c->z, B * (size_t)c->model.cfg.z_dim, e) ||
        tb_write_histogram(c->tb, iteration, "d", c->tr.d_real_prob, B, e) ||
        tb_write_histogram(c->tb, iteration, "d_", c->tr.d_fake_prob, B, e))
        return -1;
    return 0;
}

/* Loads the newest usable checkpoint of the run. Damaged ones (unreadable, truncated, checksum
 * mismatch) are skipped; once an older good one is found, each is reported in one line and
 * renamed to "<name>.damaged", out of rotation's way. A sound checkpoint that does not fit the
 * command (model shape, batch size, settings) is an error. Returns 1 resumed, 0 nothing to
 * resume from, -1 error (also when every checkpoint is damaged: nothing is renamed then). */
#define DAMAGED_REPORT_MAX 8
static int resume_newest(run_ctx *c, long *iteration, long *epoch, long *batch, rng_state *zr,
                         dc_err *e)
{
    char path[RUN_PATH_MAX];
    dc_err why[DAMAGED_REPORT_MAX];
    long found;
    int ndamaged = 0;
    int frc = checkpoint_find_newest(c->ckpt_dir, path, sizeof path, &found, why,
                                     DAMAGED_REPORT_MAX, &ndamaged, e);
    if (frc < 0) {
        dc_err inner = *e;
        return dc_fail(e, "%s; move them away to start the run afresh", inner.msg);
    }
    if (frc == 0) return 0;
    checkpoint_state st;
    if (checkpoint_load(path, &c->model, 1, &st, e) != 0) return -1;
    if (st.run_json) { /* the same run? (a checkpoint without settings cannot tell) */
        run_config saved;
        if (run_config_parse(st.run_json, strlen(st.run_json), path, &saved, e) != 0 ||
            run_config_check_resume(&saved, &c->o, path, e) != 0) {
            checkpoint_state_free(&st);
            return -1;
        }
    }
    int bs = st.batch_size;
    *iteration = st.iteration;
    *epoch = st.epoch;
    *batch = st.batch;
    *zr = st.z_rng;
    c->tr.d_steps = st.d_steps;
    c->tr.g_steps = st.g_steps;
    checkpoint_state_free(&st);
    if (bs != c->o.batch_size)
        return dc_fail(e, "%s: saved with --batch-size %d; resume with the same batch size, or "
                          "start a new run with --out-name", path, bs);
    long iters[CKPT_LIST_MAX];
    int count = checkpoint_list(c->ckpt_dir, iters, CKPT_LIST_MAX);
    for (int j = count - 1, k = 0; j >= 0 && iters[j] > found; j--, k++) { /* newest first */
        char bad[RUN_PATH_MAX], aside[RUN_PATH_MAX + 16];
        if (checkpoint_path(NULL, bad, sizeof bad, c->ckpt_dir, iters[j]) != 0) continue;
        snprintf(aside, sizeof aside, "%s.damaged", bad);
        const char *msg = k < DAMAGED_REPORT_MAX && k < ndamaged ? why[k].msg : bad;
        if (rename(bad, aside) == 0)
            log_warn("%s; renamed to %s, resuming from an older checkpoint", msg, aside);
        else
            log_warn("%s; cannot rename it: %s", msg, strerror(errno));
    }
    log_info("resuming %s from iteration %ld (epoch %ld, batch %ld)", path, *iteration, *epoch,
             *batch);
    return 1;
}

int train_run(const train_options *opts, dc_err *e)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.lock_fd = -1;
    c.o = *opts;
    train_options *o = &c.o;
    if (o->input_w <= 0) o->input_w = o->input_h;
    if (o->output_w <= 0) o->output_w = o->output_h;
    threads_set_compute(o->threads);
    int rc = -1;
    char src[RUN_PATH_MAX];

    if (train_open_dataset(o, &c.ds, src, sizeof src, e) != 0) goto done;
    c.ds_open = 1;
    int conditional = o->conditional < 0 ? c.ds.num_classes > 0 : o->conditional;
    if (conditional && c.ds.num_classes <= 0) {
        dc_fail(e, "%s: --conditional needs labelled data (IDX labels or one subfolder per class)", src);
        goto done;
    }

    dcgan_config mc = dcgan_config_default();
    mc.output_h = c.ds.H;
    mc.output_w = c.ds.W;
    mc.c_dim = c.ds.C;
    mc.y_dim = conditional ? c.ds.num_classes : 0;
    mc.z_dim = o->z_dim;
    mc.gf_dim = o->gf_dim;
    mc.df_dim = o->df_dim;
    mc.gfc_dim = o->gfc_dim;
    mc.dfc_dim = o->dfc_dim;
    mc.batch = o->batch_size;
    mc.conv_backend = (conv_backend)o->conv_backend;
    if (dcgan_model_init(&c.model, &mc, e) != 0) goto done;
    c.model_open = 1;
    float lo, hi;
    dcgan_model_range(&mc, &lo, &hi);
    /* the conditional model's sigmoid output trains on [0,1] images, the other on [-1,1] */
    if (!c.ds.images) {
        c.ds.spec.lo = lo;
        c.ds.spec.hi = hi;
    } else if (c.ds.lo != lo || c.ds.hi != hi) {
        size_t n = (size_t)c.ds.count * c.ds.C * c.ds.H * c.ds.W;
        float scale = (hi - lo) / (c.ds.hi - c.ds.lo);
        for (size_t i = 0; i < n; i++) c.ds.images[i] = lo + (c.ds.images[i] - c.ds.lo) * scale;
        c.ds.lo = lo;
        c.ds.hi = hi;
    }
    if (c.ds.count < o->batch_size) {
        dc_fail(e, "%s: %d %simages, fewer than one batch (--batch-size %d)", src, c.ds.count,
                c.ds.skipped ? "usable " : "", o->batch_size);
        goto done;
    }

    /* run folder: named from the data and the settings that shape the model, never the time,
     * so the same command finds the same run again */
    char name[512];
    if (o->out_name[0])
        snprintf(name, sizeof name, "%s", o->out_name);
    else {
        const char *base = strrchr(o->dataset, '/');
        base = base ? base + 1 : o->dataset;
        if (mc.y_dim > 0)
            snprintf(name, sizeof name, "%s_cond_b%d_%dx%dx%d_z%d_gf%d_df%d_gfc%d_dfc%d", base,
                     mc.batch, mc.output_h, mc.output_w, mc.c_dim, mc.z_dim, mc.gf_dim, mc.df_dim,
                     mc.gfc_dim, mc.dfc_dim);
        else
            snprintf(name, sizeof name, "%s_b%d_%dx%dx%d_z%d_gf%d_df%d", base, mc.batch,
                     mc.output_h, mc.output_w, mc.c_dim, mc.z_dim, mc.gf_dim, mc.df_dim);
    }
    if (dc_path(e, c.run_dir, sizeof c.run_dir, "%s/%s", o->out_dir, name) ||
        dc_path(e, c.ckpt_dir, sizeof c.ckpt_dir, "%s/checkpoints", c.run_dir) ||
        dc_path(e, c.sample_dir, sizeof c.sample_dir, "%s/samples", c.run_dir) ||
        dc_path(e, c.log_path, sizeof c.log_path, "%s/log.csv", c.run_dir))
        goto done;
    if (make_dir(o->out_dir, e) || make_dir(c.run_dir, e) || make_dir(c.ckpt_dir, e) ||
        make_dir(c.sample_dir, e))
        goto done;
    if (lock_run_dir(&c, e) != 0) goto done;

    c.run_json = run_config_json(o, &mc, &c.ds, src, c.run_dir);
    c.classes_json = class_names_json(&c.ds);

    adam_config adam = adam_config_default();
    adam.lr = o->learning_rate;
    adam.beta1 = o->beta1;
    trainer_init(&c.tr, &c.model, adam);
    c.tr_open = 1;

    long iteration = 0, epoch = 0, batch = 0;
    rng_state zr;
    rng_init(&zr, o->seed);
    /* temporary files of a killed run (atomic_file's "<name>.tmp.<pid>") */
    int stale = atomic_file_remove_stale(c.ckpt_dir, "ckpt-", ".safetensors") +
                atomic_file_remove_stale(c.sample_dir, "train_", ".png") +
                atomic_file_remove_stale(c.run_dir, "config", ".json") +
                atomic_file_remove_stale(c.run_dir, "log", ".csv");
    if (stale > 0) log_info("removed %d temporary file%s left by an interrupted run", stale,
                            stale == 1 ? "" : "s");
    int resumed = resume_newest(&c, &iteration, &epoch, &batch, &zr, e);
    if (resumed < 0) goto done;
    /* rows after the checkpoint (all of them when a run killed before its first checkpoint
     * starts afresh) are written again */
    if (log_truncate(c.log_path, iteration, e) != 0) goto done;
    if (!resumed) {
        rng_state init;
        rng_init(&init, o->seed ^ INIT_SEED_SALT);
        dcgan_model_init_weights(&c.model, &init);
    }

    {
        char cfg_path[RUN_PATH_MAX];
        if (dc_path(e, cfg_path, sizeof cfg_path, "%s/config.json", c.run_dir)) goto done;
        if (atomic_file_write(cfg_path, c.run_json, strlen(c.run_json), e) != 0) goto done;
    }

    struct stat log_st;
    int new_log = stat(c.log_path, &log_st) != 0 || log_st.st_size == 0;
    c.log = fopen(c.log_path, "a");
    if (!c.log) {
        dc_fail(e, "%s: cannot open: %s", c.log_path, strerror(errno));
        goto done;
    }
    if (new_log)
        fprintf(c.log, "iteration,epoch,batch,seconds,d_loss,d_loss_real,d_loss_fake,g_loss,"
                       "d_real,d_fake\n");

    c.ld = loader_create(&c.ds, o->batch_size, o->seed, o->train_size, 0, 1,
                         c.ds.images ? 0 : o->loader_threads, 4, e);
    if (!c.ld) goto done;
    long per_epoch = loader_batches_per_epoch(c.ld);
    if (per_epoch <= 0) {
        dc_fail(e, "%s: --train-size %ld gives no full batch of %d", src, o->train_size,
                o->batch_size);
        goto done;
    }
    if (batch >= per_epoch || epoch > (LONG_MAX - batch) / per_epoch) {
        dc_fail(e, "%s: the checkpoint's data position (epoch %ld, batch %ld) does not fit %ld "
                   "batches per epoch (was --train-size or the data changed?)", c.ckpt_dir, epoch,
                batch, per_epoch);
        goto done;
    }
    long total = o->epochs > LONG_MAX / per_epoch ? LONG_MAX : o->epochs * per_epoch;
    if (o->max_steps > 0 && o->max_steps < total) total = o->max_steps;
    loader_seek(c.ld, epoch, batch);
    if (o->tensorboard && iteration < total) {
        char logs[RUN_PATH_MAX];
        if (dc_path(e, logs, sizeof logs, "%s/logs", c.run_dir)) goto done;
        c.tb = tb_writer_open(logs, e);
        if (!c.tb) goto done;
        /* a resumed run starts a new file; TensorBoard drops what older files hold from this
         * step on (what a stopped run wrote after its last checkpoint) */
        if (resumed && tb_write_session_start(c.tb, iteration + 1, e) != 0) goto done;
    }

    size_t B = (size_t)o->batch_size;
    c.x = dc_alloc_floats(B * mc.c_dim * mc.output_h * mc.output_w);
    c.y = mc.y_dim > 0 ? dc_alloc_floats(B * mc.y_dim) : NULL;
    c.z = dc_alloc_floats(B * mc.z_dim);
    sample_set_init(&c.samples, &mc, o->seed, o->zdist);

    log_info("run folder %s: %d %simages %dx%dx%d%s, %ld iterations of batch %d (%ld per epoch)",
             c.run_dir, c.ds.count, mc.y_dim ? "labelled " : "", mc.output_h, mc.output_w, mc.c_dim,
             mc.y_dim ? ", conditional" : "", total, o->batch_size, per_epoch);
    if (iteration >= total) log_info("already trained for %ld iterations; nothing to do", iteration);

    double t0 = now_seconds(), last_print = 0;
    long start_it = iteration;
    int tty = isatty(2);
    while (iteration < total) {
        if (o->stop && *o->stop) { /* before any iteration of this process: nothing to save */
            rc = TRAIN_RUN_STOPPED;
            dc_fail(e, "stopped by %s before iteration %ld; nothing new to save",
                    interrupt_signal_name(*o->stop), iteration + 1);
            goto done;
        }
        long be, bb;
        if (loader_next(c.ld, c.x, c.y, &be, &bb, e) != 0) goto done;
        z_dist_draw(o->zdist, &zr, c.z, B * mc.z_dim);
        step_stats s;
        train_step(&c.tr, &c.model, c.x, c.y, c.z, &s);
        iteration++;
        epoch = bb + 1 >= per_epoch ? be + 1 : be;
        batch = bb + 1 >= per_epoch ? 0 : bb + 1;
        double el = now_seconds() - t0;
        /* divergence: caught in the iteration it appears, before anything is written */
        int losses_ok = isfinite(s.d_loss) && isfinite(s.g_loss) && isfinite(s.g_loss_first);
        char where[160];
        int params_ok = dcgan_model_check_finite(&c.model, 0, where, sizeof where) == 0;
        if (!losses_ok || !params_ok) {
            if (params_ok && dcgan_model_check_finite(&c.model, 1, where, sizeof where) == 0)
                snprintf(where, sizeof where, "the loss");
            dc_fail(e, "training diverged at iteration %ld: %s is not finite (d_loss %g, g_loss %g); "
                       "nothing of this iteration is saved; the last checkpoint in %s is kept (try a lower "
                       "--learning-rate)", iteration, where, s.d_loss, s.g_loss, c.ckpt_dir);
            goto done;
        }
        errno = 0;
        fprintf(c.log, "%ld,%ld,%ld,%.3f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", iteration, be, bb, el,
                s.d_loss, s.d_loss_real, s.d_loss_fake, s.g_loss, s.d_real_mean, s.d_fake_mean);
        if (fflush(c.log) != 0 || ferror(c.log)) {
            dc_fail(e, "%s: write failed: %s", c.log_path, strerror(errno ? errno : EIO));
            goto done;
        }
        if (c.tb && tb_summaries(&c, iteration, &s, e) != 0) goto done;
        int sampled = 0, saved = 0;
        /* the last grid too comes before the last checkpoint: a run killed between them
         * would otherwise resume as complete and never write it (found by the crash test) */
        if (o->sample_freq > 0 && (iteration % o->sample_freq == 0 || iteration == total)) {
            if (save_samples(&c, iteration, e) != 0) goto done;
            sampled = 1;
        }
        if ((o->ckpt_freq > 0 && iteration % o->ckpt_freq == 0) || iteration == total) {
            if (save_checkpoint(&c, iteration, epoch, batch, zr, e) != 0) goto done;
            saved = 1;
        }
        if (o->progress && (el - last_print >= (tty ? 0.5 : 10.0) || iteration == total || sampled)) {
            last_print = el;
            double rate = (double)(iteration - start_it) / (el > 1e-9 ? el : 1e-9);
            char eta[32];
            format_duration(eta, sizeof eta, (total - iteration) / (rate > 0 ? rate : 1e-9));
            fprintf(stderr,
                    "%s[%ld/%ld] epoch %ld batch %ld/%ld  %.1f img/s  ETA %s  d_loss %.4f "
                    "g_loss %.4f  D(x) %.3f D(G(z)) %.3f%s",
                    tty ? "\r\033[K" : "", iteration, total, be, bb + 1, per_epoch,
                    rate * o->batch_size, eta, s.d_loss, s.g_loss, s.d_real_mean, s.d_fake_mean,
                    tty ? "" : "\n");
            if (tty && (sampled || saved || iteration == total)) fputc('\n', stderr);
        }
        if (sampled) log_info("samples: %s/train_%08ld.png", c.sample_dir, iteration);
        if (o->stop && *o->stop && iteration < total) {
            if (!saved && save_checkpoint(&c, iteration, epoch, batch, zr, e) != 0) goto done;
            if (tty && o->progress) fputc('\n', stderr);
            char path[RUN_PATH_MAX];
            checkpoint_path(NULL, path, sizeof path, c.ckpt_dir, iteration);
            dc_fail(e, "stopped by %s at iteration %ld of %ld; checkpoint %s",
                    interrupt_signal_name(*o->stop), iteration, total, path);
            rc = TRAIN_RUN_STOPPED;
            goto done;
        }
    }
    int bad = c.ds.skipped + loader_bad_count(c.ld);
    if (bad > 0)
        log_warn("%d bad image%s skipped (%d when the folder was opened, %d while training)", bad,
                 bad == 1 ? "" : "s", c.ds.skipped, loader_bad_count(c.ld));
    log_info("done: %ld iterations; checkpoint in %s", iteration, c.ckpt_dir);
    {
        tb_writer *tb = c.tb;
        c.tb = NULL;
        if (tb_writer_close(tb, e) != 0) goto done;
    }
    rc = 0;
done:
    run_ctx_free(&c);
    return rc;
}
