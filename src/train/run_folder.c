#include "train/run_folder.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>


#include "core/atomic_file.h"
#include "core/crc32c.h"
#include "core/log.h"
#include "core/threads.h"
#include "model/run_config.h"
#include "parallel/dist.h"

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

/* "_a-Smiling-Male" for --attributes Smiling,Male ("_a<count>-<crc>" past 64 characters), or
 * "_labels" for a labels file's classes or all its attributes. */
static void labels_suffix(char *buf, size_t n, const char *attributes)
{
    if (!attributes[0]) {
        snprintf(buf, n, "_labels");
        return;
    }
    size_t len = strlen(attributes);
    if (len > 64) {
        int count = 1;
        for (const char *p = attributes; *p; p++) count += *p == ',';
        snprintf(buf, n, "_a%d-%08x", count, crc32c(attributes, len));
        return;
    }
    snprintf(buf, n, "_a-%.64s", attributes);
    for (char *p = buf; *p; p++)
        if (*p == ',' || *p == '/' || *p == ' ') *p = '-';
}

static void run_name(char *name, size_t n, const train_options *o, const dcgan_config *mc)
{
    if (o->out_name[0]) {
        snprintf(name, n, "%s", o->out_name);
        return;
    }
    const char *base = strrchr(o->dataset, '/');
    base = base ? base + 1 : o->dataset;
    /* the global batch: 2 ranks x 32 and 1 process x 64 name (and resume) the same run */
    const int batch = mc->batch * dist_world(o->dist);
    /* y placed elsewhere than the reference's everywhere is another model: another folder */
    char cc[32] = "";
    if (mc->cond_concat != DCGAN_COND_CONCAT_ALL)
        snprintf(cc, sizeof cc, "_cc-%s", dcgan_cond_concat_name(mc->cond_concat));
    /* a labels file's conditions are another model too: their names in the folder's */
    char lab[96] = "";
    if (o->labels_file[0] && mc->y_dim > 0) labels_suffix(lab, sizeof lab, o->attributes);
    /* so do departures from the reference's recipe */
    char rc[160] = "";
    size_t k = 0;
#define TAG(...) (k += (size_t)snprintf(rc + k, k < sizeof rc ? sizeof rc - k : 0, __VA_ARGS__))
    if (mc->spectral_norm) TAG("_sn");
    if (o->loss) TAG("_hinge");
    if (o->label_smoothing > 0) TAG("_ls%g", (double)o->label_smoothing);
    if (mc->g_ema > 0) TAG("_ema%g", (double)mc->g_ema);
    if (o->d_learning_rate > 0 && o->d_learning_rate != o->learning_rate)
        TAG("_dlr%g", (double)o->d_learning_rate);
    if (o->g_learning_rate > 0 && o->g_learning_rate != o->learning_rate)
        TAG("_glr%g", (double)o->g_learning_rate);
    if (mc->d_first_channels) TAG("_d0c%d", mc->d_first_channels);
#undef TAG
    int w; /* a name longer than n is cut (opening the folder then names the problem) */
    if (mc->y_dim > 0)
        w = snprintf(name, n, "%s_cond_b%d_%dx%dx%d_z%d_gf%d_df%d_gfc%d_dfc%d%s%s%s", base, batch,
                     mc->output_h, mc->output_w, mc->c_dim, mc->z_dim, mc->gf_dim, mc->df_dim,
                     mc->gfc_dim, mc->dfc_dim, cc, lab, rc);
    else
        w = snprintf(name, n, "%s_b%d_%dx%dx%d_z%d_gf%d_df%d%s", base, batch, mc->output_h,
                     mc->output_w, mc->c_dim, mc->z_dim, mc->gf_dim, mc->df_dim, rc);
    if (w < 0 && n > 0) name[0] = 0;
}

/* Two trainers writing one run folder would interleave their checkpoints and logs: the second
 * one is refused while the first holds an exclusive lock on run_dir/.lock. */
static int lock_run_dir(run_folder *f, dc_err *e)
{
    char path[RUN_PATH_MAX];
    if (dc_path(e, path, sizeof path, "%s/.lock", f->run_dir)) return -1;
    f->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (f->lock_fd < 0) return dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
    if (flock(f->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(f->lock_fd);
        f->lock_fd = -1;
        if (err == EWOULDBLOCK)
            return dc_fail(e, "%s: another dcgan train is using this run folder", f->run_dir);
        return dc_fail(e, "%s: cannot lock: %s", path, strerror(err));
    }
    return 0;
}

int run_folder_open(run_folder *f, const train_options *o, const dcgan_config *mc, dc_err *e)
{
    memset(f, 0, sizeof *f);
    f->lock_fd = -1;
    char name[512];
    run_name(name, sizeof name, o, mc);
    if (dc_path(e, f->run_dir, sizeof f->run_dir, "%s/%s", o->out_dir, name) ||
        dc_path(e, f->ckpt_dir, sizeof f->ckpt_dir, "%s/checkpoints", f->run_dir) ||
        dc_path(e, f->sample_dir, sizeof f->sample_dir, "%s/samples", f->run_dir) ||
        dc_path(e, f->log_path, sizeof f->log_path, "%s/log.csv", f->run_dir))
        return -1;
    if (make_dir(o->out_dir, e) || make_dir(f->run_dir, e) || make_dir(f->ckpt_dir, e) ||
        make_dir(f->sample_dir, e))
        return -1;
    return lock_run_dir(f, e);
}

void run_folder_close(run_folder *f)
{
    if (f->lock_fd >= 0) close(f->lock_fd); /* releases the lock */
    f->lock_fd = -1;
}

void run_folder_remove_stale(const run_folder *f)
{
    int stale = atomic_file_remove_stale(f->ckpt_dir, "ckpt-", ".safetensors") +
                atomic_file_remove_stale(f->sample_dir, "train_", ".png") +
                atomic_file_remove_stale(f->sample_dir, "real", ".png") +
                atomic_file_remove_stale(f->run_dir, "config", ".json") +
                atomic_file_remove_stale(f->run_dir, "log", ".csv");
    if (stale > 0) log_info("removed %d temporary file%s left by an interrupted run", stale,
                            stale == 1 ? "" : "s");
}

char *run_folder_class_names_json(const dataset *ds)
{
    if (ds->num_classes <= 0) return NULL;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < ds->num_classes; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(ds->class_names[i]));
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

char *run_folder_attribute_names_json(const dataset *ds)
{
    if (ds->num_attributes <= 0) return NULL;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < ds->num_attributes; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(ds->attribute_names[i]));
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

char *run_folder_config_json(const train_options *o, const dcgan_config *mc, const dataset *ds,
                             const char *src, const char *run_dir)
{
    run_config r;
    memset(&r, 0, sizeof r);
    snprintf(r.dataset, sizeof r.dataset, "%s", o->dataset);
    snprintf(r.data_source, sizeof r.data_source, "%s", src);
    snprintf(r.data_format, sizeof r.data_format, "%s", ds->images ? "idx" : ds->db ? "lmdb" : "images");
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
    r.cond_concat = (int)mc->cond_concat;
    r.zdist = o->zdist;
    r.epochs = o->epochs;
    r.train_size = o->train_size;
    r.batch_size = o->batch_size;
    r.learning_rate = o->learning_rate;
    r.beta1 = o->beta1;
    /* flags that depart from the recipe --recipe chose make it the user's own */
    train_options chosen = *o;
    train_options_apply_recipe(&chosen, o->recipe);
    snprintf(r.recipe, sizeof r.recipe, "%s", train_options_same_recipe(o, &chosen) ? o->recipe : "custom");
    snprintf(r.loss, sizeof r.loss, "%s", o->loss ? "hinge" : "bce");
    r.label_smoothing = o->label_smoothing;
    r.d_learning_rate = o->d_learning_rate > 0 ? o->d_learning_rate : o->learning_rate;
    r.g_learning_rate = o->g_learning_rate > 0 ? o->g_learning_rate : o->learning_rate;
    r.g_ema = o->g_ema;
    r.spectral_norm = mc->spectral_norm;
    r.d_first_channels = mc->d_first_channels;
    r.max_steps = o->max_steps;
    r.seed = (double)o->seed;
    r.threads = threads_compute_count();
    snprintf(r.device, sizeof r.device, "%s", o->device[0] ? o->device : "cpu");
    snprintf(r.out_dir, sizeof r.out_dir, "%s", o->out_dir);
    snprintf(r.run_dir, sizeof r.run_dir, "%s", run_dir);
    r.sample_freq = o->sample_freq;
    r.ckpt_freq = o->ckpt_freq;
    r.max_to_keep = o->max_to_keep;
    r.num_classes = ds->num_classes;
    r.class_names = ds->class_names;
    r.num_attributes = ds->num_attributes;
    r.attribute_names = ds->attribute_names;
    snprintf(r.data_fingerprint, sizeof r.data_fingerprint, "%s", ds->fingerprint);
    snprintf(r.conv_backend, sizeof r.conv_backend, "%s",
             conv_backend_name((conv_backend)o->conv_backend));
    snprintf(r.precision, sizeof r.precision, "%s", ops_precision_name((ops_precision)o->precision));
    snprintf(r.labels_file, sizeof r.labels_file, "%s", o->labels_file);
    snprintf(r.attributes, sizeof r.attributes, "%s", o->attributes);
    return run_config_to_json(&r);
}

int run_folder_write_config(const run_folder *f, const char *json, dc_err *e)
{
    char cfg_path[RUN_PATH_MAX];
    if (dc_path(e, cfg_path, sizeof cfg_path, "%s/config.json", f->run_dir)) return -1;
    return atomic_file_write(cfg_path, json, strlen(json), e);
}
