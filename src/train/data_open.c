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
