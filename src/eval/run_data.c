/* A run's data set found from its settings (config.json), not from the training code. */
#include "eval/run_data.h"

#include <string.h>

/* The defaults training uses for settings an older run did not record. */
static void data_defaults(run_data *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dataset, sizeof d->dataset, "celebA");
    snprintf(d->data_dir, sizeof d->data_dir, "./data");
    snprintf(d->pattern, sizeof d->pattern, "*.jpg");
    d->src.input_h = 108;
    d->src.background[0] = d->src.background[1] = d->src.background[2] = 255;
    d->src.skip_bad_images = 1;
}

/* DATA_DIR and DATASET: --data-dir, or the folder training read split at its last '/'. */
static int data_place(const run_config *run, const char *data_dir, run_data *d, dc_err *e)
{
    if (data_dir) {
        return dc_path(e, d->data_dir, sizeof d->data_dir, "%s", data_dir) ||
               dc_path(e, d->dataset, sizeof d->dataset, "%s", run->dataset);
    }
    if (!(run->have & RUN_CONFIG_DATA_SOURCE))
        return dc_path(e, d->dataset, sizeof d->dataset, "%s", run->dataset);
    char buf[GENERATOR_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", run->data_source);
    char *slash = strrchr(buf, '/');
    if (slash && slash[1]) {
        *slash = 0;
        return dc_path(e, d->data_dir, sizeof d->data_dir, "%s", slash == buf ? "/" : buf) ||
               dc_path(e, d->dataset, sizeof d->dataset, "%s", slash + 1);
    }
    snprintf(d->data_dir, sizeof d->data_dir, ".");
    return dc_path(e, d->dataset, sizeof d->dataset, "%s", buf);
}

int run_data_from_generator(const generator *g, const char *data_dir, run_data *d, dc_err *e)
{
    const run_config *run = &g->run;
    if (!g->have_run)
        return dc_fail(e, "%s: no run settings in the checkpoint (needed to find the data)", g->path);
    data_defaults(d);
    if (!(run->have & RUN_CONFIG_DATASET))
        return dc_fail(e, "%s: the run settings name no dataset", g->path);
    if (data_place(run, data_dir, d, e)) return -1;
    if (run->have & RUN_CONFIG_PATTERN)
        snprintf(d->pattern, sizeof d->pattern, "%s", run->input_fname_pattern);
    if (run->have & RUN_CONFIG_INPUT_SIZE) {
        d->src.input_h = run->input_h;
        d->src.input_w = run->input_w;
    }
    if (run->have & RUN_CONFIG_CROP) d->src.crop = run->crop;
    if (run->have & RUN_CONFIG_LABELS) {
        snprintf(d->labels_file, sizeof d->labels_file, "%s", run->labels_file);
        snprintf(d->attributes, sizeof d->attributes, "%s", run->attributes);
        d->src.labels_file = d->labels_file;
        d->src.attributes = d->attributes;
    }
    if (run->have & RUN_CONFIG_BACKGROUND) memcpy(d->src.background, run->background, 3);
    const dcgan_config *mc = generator_config(g);
    d->src.output_h = mc->output_h;
    d->src.output_w = mc->output_w;
    d->src.c_dim = mc->c_dim;
    d->src.data_dir = d->data_dir;
    d->src.dataset = d->dataset;
    d->src.input_fname_pattern = d->pattern;
    return 0;
}

/* Opens the data set (its pixels then read in [0, 1]) and checks it matches the model. */
int run_data_open(const generator *g, const run_data *d, const char *data_dir, dataset *ds,
                     char *src, size_t srclen, dc_err *e)
{
    const dcgan_config *mc = generator_config(g);
    if (dataset_open_source(&d->src, ds, src, srclen, e) != 0) {
        if (!data_dir) {
            dc_err why = *e;
            dc_fail(e, "%s (the run's data; --data-dir DIR if it moved)", why.msg);
        }
        return -1;
    }
    if (ds->C != mc->c_dim || ds->H != mc->output_h || ds->W != mc->output_w) {
        dc_fail(e, "%s: items are %dx%dx%d, the model makes %dx%dx%d", src, ds->H, ds->W, ds->C,
                mc->output_h, mc->output_w, mc->c_dim);
        dataset_free(ds);
        return -1;
    }
    if (!ds->images) {
        ds->spec.lo = 0.0f;
        ds->spec.hi = 1.0f;
    }
    return 0;
}
