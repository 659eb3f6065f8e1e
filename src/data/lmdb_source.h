/* An LMDB database of encoded images, as LSUN ships its scenes (bedroom_train_lmdb/data.mdb):
 * keys (LSUN: hex ids) whose values are the image files' bytes (LSUN: WebP; JPEG and PNG work
 * too). The database is memory-mapped read-only (no lock file is written beside it: nothing
 * may write it meanwhile); its keys are listed once, in LMDB's order (bytewise), and each
 * value is decoded when it is asked for, from any thread, without a copy. */
#ifndef DCGAN_DATA_LMDB_SOURCE_H
#define DCGAN_DATA_LMDB_SOURCE_H

#include <stddef.h>
#include "core/error.h"
#include "data/image_spec.h"

typedef struct lmdb_source lmdb_source;

/* 1 when dir holds an LMDB database (dir/data.mdb). */
int lmdb_source_exists(const char *dir);
/* Opens dir's database and lists its keys. Fails naming dir/data.mdb: not an LMDB file, no
 * entries, more than INT_MAX of them. */
lmdb_source *lmdb_source_open(const char *dir, dc_err *e);
void lmdb_source_free(lmdb_source *s);
int lmdb_source_count(const lmdb_source *s);
/* "DIR/data.mdb[key]" for messages (unprintable key bytes as \xNN). */
void lmdb_source_name(const lmdb_source *s, int i, char *buf, size_t n);
/* Entry i decoded into out (spec->channels, out_h, out_w). */
int lmdb_source_load(const lmdb_source *s, int i, const image_spec *spec, float *out, dc_err *e);
/* Entry i's header: 0 with *channels (1 or 3), or -1 naming the entry. */
int lmdb_source_probe(const lmdb_source *s, int i, int *channels, dc_err *e);
/* Keeps the entries keep[0..n-1] (ascending), in that order, dropping the others. */
void lmdb_source_keep(lmdb_source *s, const int *keep, int n);

#endif
