/* Labels for an image folder from a file, as data sets ship them:
 *  - CelebA's list_attr_celeba.txt: a line with the count, a line with the attribute names,
 *    then per image its file name and +1 / -1 (or 1 / 0) per attribute, separated by spaces;
 *  - a CSV with a header: `file,class` (exactly two columns, the second named class or
 *    label): each image's class by name, one-hot over the sorted class names (numerically
 *    when all are integers); any other header `file,attr1,attr2,...`: 1 / 0 (or 1 / -1) per
 *    attribute.
 * Attributes make the conditional model's condition a multi-hot vector over the attributes
 * chosen (`--attributes`, default all); classes make it one-hot, as class subfolders do. File
 * names match an item by its path under the folder, or by its base name when the entry has no
 * '/'. An item with no entry is an error naming it (a labels file that lists a subset labels
 * a subset: pick the files with --input-fname-pattern, or train without the labels). Entries
 * for files not in the folder are ignored. */
#ifndef DCGAN_DATA_LABELS_FILE_H
#define DCGAN_DATA_LABELS_FILE_H

#include "core/error.h"
#include "data/dataset.h"

/* Labels ds (an image folder opened from dir) from path; attributes: comma-separated column
 * names to keep, in that order (NULL or "": every column of an attribute file; must be empty
 * for a class file). Replaces any class-folder labels. */
int labels_file_apply(dataset *ds, const char *dir, const char *path, const char *attributes,
                      dc_err *e);

#endif
