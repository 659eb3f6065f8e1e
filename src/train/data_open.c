#include "train/data_open.h"

#include <string.h>

int train_open_dataset(const train_options *o, dataset *ds, char *src, size_t srclen, dc_err *e)
{
    dataset_source ds_src;
    train_dataset_source(o, &ds_src);
    return dataset_open_source(&ds_src, ds, src, srclen, e);
}

void train_dataset_source(const train_options *o, dataset_source *s)
{
    memset(s, 0, sizeof *s);
    s->data_dir = o->data_dir;
    s->dataset = o->dataset;
    s->input_fname_pattern = o->input_fname_pattern;
    s->crop = o->crop;
    s->input_h = o->input_h;
    s->input_w = o->input_w;
    s->output_h = o->output_h;
    s->output_w = o->output_w;
    s->c_dim = o->c_dim;
    memcpy(s->background, o->background, 3);
    s->skip_bad_images = o->skip_bad_images;
    s->labels_file = o->labels_file;
    s->attributes = o->attributes;
}

int train_check_held_data(const train_options *o, const dataset *ds, const char *src, dc_err *e)
{
    if (!ds->images) return 0; /* files are decoded to the flags' size, crop and channels */
    int ow = o->output_w > 0 ? o->output_w : o->output_h;
    if (o->output_given && (o->output_h != ds->H || ow != ds->W))
        return dc_fail(e, "%s: --output-height/--output-width %dx%d: IDX data is used at its own "
                          "size, %dx%d (drop the flag, or give %d)",
                       src, o->output_h, ow, ds->H, ds->W, ds->H);
    if (o->crop)
        return dc_fail(e, "%s: --crop: IDX data is used whole, at %dx%d (drop --crop)", src, ds->H,
                       ds->W);
    if (o->c_dim && o->c_dim != ds->C)
        return dc_fail(e, "%s: --c-dim %d: IDX data has %d channel%s (drop --c-dim)", src,
                       o->c_dim, ds->C, ds->C == 1 ? "" : "s");
    return 0;
}
