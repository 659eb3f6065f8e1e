/* A training run's folder, OUT_DIR/OUT_NAME: its name, its subfolders (checkpoints/, samples/),
 * the lock that keeps a second trainer out, temporary files a killed run left, and config.json
 * (the run's settings, also stored in every checkpoint). */
#ifndef DCGAN_TRAIN_RUN_FOLDER_H
#define DCGAN_TRAIN_RUN_FOLDER_H

#include "core/error.h"
#include "data/dataset.h"
#include "model/dcgan.h"
#include "train/options.h"

#define RUN_PATH_MAX 4096

typedef struct {
    char run_dir[RUN_PATH_MAX], ckpt_dir[RUN_PATH_MAX], sample_dir[RUN_PATH_MAX];
    char log_path[RUN_PATH_MAX]; /* run_dir/log.csv */
    int lock_fd;                 /* flock'ed run_dir/.lock, or -1 */
} run_folder;

/* Names the folder (--out-name, or from the data and the settings that shape the model, never
 * the time, so that the same command finds the same run again), creates it and its subfolders
 * and locks it: a second trainer on the same folder is refused. f->lock_fd is -1 unless locked;
 * run_folder_close releases it either way. */
int run_folder_open(run_folder *f, const train_options *o, const dcgan_config *mc, dc_err *e);
void run_folder_close(run_folder *f);

/* Removes the temporary files of a killed run (atomic_file's "<name>.tmp.<pid>"), saying how
 * many there were. */
void run_folder_remove_stale(const run_folder *f);

/* The run's settings as config.json text (malloc'ed); src: the data folder used. */
char *run_folder_config_json(const train_options *o, const dcgan_config *mc, const dataset *ds,
                             const char *src, const char *run_dir);
/* The data set's class names as a JSON array (malloc'ed), NULL when it has none. */
char *run_folder_class_names_json(const dataset *ds);
/* The data set's attribute names as a JSON array (malloc'ed), NULL when it has none. */
char *run_folder_attribute_names_json(const dataset *ds);
/* Writes json to run_dir/config.json, atomically. */
int run_folder_write_config(const run_folder *f, const char *json, dc_err *e);

#endif
