/* safetensors files: an 8-byte little-endian header length, a JSON header mapping tensor names
 * to {dtype, shape, data_offsets} plus an optional "__metadata__" object of string values, then
 * the raw little-endian tensor data. We write F32 only and read F32 and I64. */
#ifndef DCGAN_IO_SAFETENSORS_H
#define DCGAN_IO_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

#define SAFETENSORS_MAX_DIMS 8

typedef enum { SAFETENSORS_F32 = 0, SAFETENSORS_I64 = 1 } safetensors_dtype;

typedef struct {
    char *name;
    safetensors_dtype dtype;
    int ndim;
    int64_t shape[SAFETENSORS_MAX_DIMS];
    size_t numel;
    const void *data; /* points into the file's buffer; aligned for its dtype */
} safetensors_tensor;

typedef struct safetensors_file safetensors_file;

/* Checksum: every file we write carries __metadata__["checksum"] = "crc32:<8 hex digits>", the
 * CRC-32 (zlib's) of the whole file as written but with those 8 digits replaced by ASCII '0'.
 * In Python: i = raw.index(b'"crc32:') + 7;
 *            zlib.crc32(raw[:i] + b"00000000" + raw[i + 8:]) == int(raw[i:i + 8], 16) */
#define SAFETENSORS_CHECKSUM_KEY "checksum"

/* safetensors_parse flags */
#define SAFETENSORS_SKIP_CHECKSUM 1 /* do not verify the checksum (fuzzing the parser) */

/* Reads and validates the whole file (header JSON, offsets inside the file, no overlaps, sizes
 * that match dtype*shape), then, if the file carries a checksum, verifies it. Returns NULL with
 * e->msg = "path: problem" on any defect. */
safetensors_file *safetensors_read(const char *path, dc_err *e);
/* The same on len bytes in memory; name is used in messages. */
safetensors_file *safetensors_parse(const unsigned char *buf, size_t len, const char *name,
                                    int flags, dc_err *e);
void safetensors_free(safetensors_file *f);
size_t safetensors_count(const safetensors_file *f);
const safetensors_tensor *safetensors_at(const safetensors_file *f, size_t i);
const safetensors_tensor *safetensors_find(const safetensors_file *f, const char *name);
/* Value of a __metadata__ key, or NULL. */
const char *safetensors_metadata(const safetensors_file *f, const char *key);

typedef struct {
    const char *name;
    const float *data;
    int ndim;
    int64_t shape[SAFETENSORS_MAX_DIMS];
} safetensors_entry;

/* Writes F32 tensors and string metadata (meta_keys[i] -> meta_values[i]) atomically
 * (temporary file, fsync, rename), adding the checksum (the key "checksum" is reserved). */
int safetensors_write(const char *path, const safetensors_entry *entries, size_t n_entries,
                      const char *const *meta_keys, const char *const *meta_values,
                      size_t n_meta, dc_err *e);

#endif
