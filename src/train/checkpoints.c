#include "train/checkpoints.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "model/checkpoint.h"
#include "model/run_config.h"
#include "train/resume_check.h"
#include "train/run_folder.h"

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

int train_checkpoint_save(const train_ckpt_ctx *c, const train_position *pos, dc_err *e)
{
    char path[RUN_PATH_MAX];
    if (checkpoint_path(e, path, sizeof path, c->ckpt_dir, pos->iteration) != 0) return -1;
    checkpoint_state s;
    memset(&s, 0, sizeof s);
    s.iteration = pos->iteration;
    s.epoch = pos->epoch;
    s.samples = pos->samples;
    s.ranks = c->ranks > 0 ? c->ranks : 1;
    s.batch = pos->samples / ((long)s.ranks * c->o->batch_size);
    s.z_rng = pos->z_rng;
    s.batch_size = c->o->batch_size;
    s.d_steps = c->tr->d_steps;
    s.g_steps = c->tr->g_steps;
    s.run_json = c->run_json;
    s.class_names_json = c->classes_json;
    s.attribute_names_json = c->attributes_json;
    dcgan_model_range(&c->model->cfg, &s.image_lo, &s.image_hi);
    if (checkpoint_save(path, c->model, 1, &s, e) != 0) return -1;
    rotate_checkpoints(c->ckpt_dir, c->o->max_to_keep, pos->iteration);
    return 0;
}

#define DAMAGED_REPORT_MAX 8

/* Renames the damaged checkpoints newer than `found` (the one resumed from) to "<name>.damaged",
 * one line each; why[]: the first ndamaged problems, newest first. */
static void set_damaged_aside(const char *ckpt_dir, long found, const dc_err *why, int ndamaged)
{
    long iters[CKPT_LIST_MAX];
    int count = checkpoint_list(ckpt_dir, iters, CKPT_LIST_MAX);
    for (int j = count - 1, k = 0; j >= 0 && iters[j] > found; j--, k++) { /* newest first */
        char bad[RUN_PATH_MAX], aside[RUN_PATH_MAX + 16];
        if (checkpoint_path(NULL, bad, sizeof bad, ckpt_dir, iters[j]) != 0) continue;
        snprintf(aside, sizeof aside, "%s.damaged", bad);
        const char *msg = k < DAMAGED_REPORT_MAX && k < ndamaged ? why[k].msg : bad;
        if (rename(bad, aside) == 0)
            log_warn("%s; renamed to %s, resuming from an older checkpoint", msg, aside);
        else
            log_warn("%s; cannot rename it: %s", msg, strerror(errno));
    }
}

int train_checkpoint_resume(const char *ckpt_dir, const train_options *o, int ranks,
                            const char *fingerprint, dcgan_model *m, trainer *tr,
                            train_position *pos, dc_err *e)
{
    char path[RUN_PATH_MAX];
    dc_err why[DAMAGED_REPORT_MAX];
    long found;
    int ndamaged = 0;
    safetensors_file *f = NULL; /* read and verified once, loaded from that */
    int frc = checkpoint_find_newest(ckpt_dir, path, sizeof path, &found, why,
                                     DAMAGED_REPORT_MAX, &ndamaged, &f, e);
    if (frc < 0) {
        dc_err inner = *e;
        return dc_fail(e, "%s; move them away to start the run afresh", inner.msg);
    }
    if (frc == 0) return 0;
    checkpoint_state st;
    int lrc = checkpoint_load_from(f, path, m, 1, &st, e);
    safetensors_free(f);
    if (lrc != 0) return -1;
    /* training writes ckpt-<iteration> with D stepped once and G twice an iteration, and at
     * most one epoch an iteration: anything else was edited, and resuming would be wrong */
    if (st.iteration != found || st.epoch > st.iteration || st.d_steps != st.iteration ||
        st.g_steps != 2 * st.iteration) {
        dc_fail(e, "%s: forged or inconsistent metadata: iteration %ld (the file name says %ld), "
                   "epoch %ld, Adam steps D %ld and G %ld (training writes D = iteration, G = 2 x "
                   "iteration); move the file away to resume from an older checkpoint",
                path, st.iteration, found, st.epoch, st.d_steps, st.g_steps);
        checkpoint_state_free(&st);
        return -1;
    }
    if (st.run_json) { /* the same run? (a checkpoint without settings cannot tell) */
        run_config saved;
        if (run_config_parse(st.run_json, strlen(st.run_json), path, &saved, e) != 0 ||
            run_config_check_resume(&saved, o, path, e) != 0 ||
            run_config_check_data(&saved, o, fingerprint, path, e) != 0) {
            checkpoint_state_free(&st);
            return -1;
        }
    }
    long was = (long)st.batch_size * st.ranks, now = (long)o->batch_size * ranks;
    pos->iteration = st.iteration;
    pos->epoch = st.epoch;
    pos->samples = st.samples;
    pos->z_rng = st.z_rng;
    tr->d_steps = st.d_steps;
    tr->g_steps = st.g_steps;
    checkpoint_state_free(&st);
    set_damaged_aside(ckpt_dir, found, why, ndamaged);
    log_info("resuming %s from iteration %ld (epoch %ld, %ld items into it)", path,
             pos->iteration, pos->epoch, pos->samples);
    /* the data position counts items, so another batch or rank count continues from it */
    if (was != now)
        log_warn("%s: the run was trained with a global batch of %ld (%d rank%s x %d); continuing "
                 "with %ld (%d x %d)", path, was, st.ranks, st.ranks == 1 ? "" : "s",
                 st.batch_size, now, ranks, o->batch_size);
    return 1;
}
