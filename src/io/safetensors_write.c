/* safetensors writer: F32 tensors and string metadata, header padded with spaces to a multiple
 * of 8, the checksum (see safetensors.c) filled in, written through atomic_file. */
#include "io/safetensors.h"
#include "io/safetensors_internal.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"

static cJSON *raw_u64(uint64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "%" PRIu64, v);
    return cJSON_CreateRaw(s);
}

/* __metadata__: our checksum placeholder first, then the caller's keys. */
static int add_metadata(cJSON *root, const char *const *meta_keys,
                        const char *const *meta_values, size_t n_meta, const char *path,
                        dc_err *e)
{
    int rc = 0;
    cJSON *meta = cJSON_AddObjectToObject(root, "__metadata__");
    if (!meta || !cJSON_AddStringToObject(meta, SAFETENSORS_CHECKSUM_KEY,
                                          CHECKSUM_PREFIX "00000000"))
        rc = dc_fail(e, "%s: out of memory", path);
    for (size_t i = 0; i < n_meta && rc == 0; i++) {
        if (!meta_keys[i] || !meta_values[i])
            rc = dc_fail(e, "%s: metadata entry %zu has a NULL key or value", path, i);
        else if (strcmp(meta_keys[i], SAFETENSORS_CHECKSUM_KEY) == 0)
            rc = dc_fail(e, "%s: metadata key '%s' is reserved", path, meta_keys[i]);
        else if (cJSON_GetObjectItemCaseSensitive(meta, meta_keys[i]))
            rc = dc_fail(e, "%s: duplicate metadata key '%s'", path, meta_keys[i]);
        else if (!cJSON_AddStringToObject(meta, meta_keys[i], meta_values[i]))
            rc = dc_fail(e, "%s: out of memory", path);
    }
    return rc;
}

/* Entry i's header object, its data at *offset (advanced); *nbytes gets its data size. */
static int add_tensor(cJSON *root, const safetensors_entry *en, size_t i, uint64_t *offset,
                      size_t *nbytes, const char *path, dc_err *e)
{
    int rc = 0;
    if (!en->name || strcmp(en->name, "__metadata__") == 0)
        return dc_fail(e, "%s: tensor %zu has an invalid name", path, i);
    if (cJSON_GetObjectItemCaseSensitive(root, en->name))
        return dc_fail(e, "%s: duplicate tensor name '%s'", path, en->name);
    if (en->ndim < 0 || en->ndim > SAFETENSORS_MAX_DIMS)
        return dc_fail(e, "%s: tensor '%s': %d dimensions", path, en->name, en->ndim);
    cJSON *t = cJSON_AddObjectToObject(root, en->name);
    cJSON *shape = t ? cJSON_AddArrayToObject(t, "shape") : NULL;
    if (!t || !cJSON_AddStringToObject(t, "dtype", "F32") || !shape)
        return dc_fail(e, "%s: out of memory", path);
    size_t numel = 1;
    for (int d = 0; d < en->ndim && rc == 0; d++) {
        if (en->shape[d] < 0)
            rc = dc_fail(e, "%s: tensor '%s': negative shape[%d]", path, en->name, d);
        else if (en->shape[d] && numel > SIZE_MAX / 4 / (uint64_t)en->shape[d])
            rc = dc_fail(e, "%s: tensor '%s': shape product overflows", path, en->name);
        else {
            numel *= (size_t)en->shape[d];
            cJSON_AddItemToArray(shape, raw_u64((uint64_t)en->shape[d]));
        }
    }
    if (rc) return rc;
    if (numel && !en->data) return dc_fail(e, "%s: tensor '%s': NULL data", path, en->name);
    *nbytes = numel * sizeof(float);
    cJSON *offs = cJSON_AddArrayToObject(t, "data_offsets");
    if (!offs) return dc_fail(e, "%s: out of memory", path);
    cJSON_AddItemToArray(offs, raw_u64(*offset));
    cJSON_AddItemToArray(offs, raw_u64(*offset + *nbytes));
    *offset += *nbytes;
    return 0;
}

/* The header JSON (caller frees), nbytes[i] = entry i's data size; NULL on failure. */
static char *header_json(const safetensors_entry *entries, size_t n_entries, size_t *nbytes,
                         const char *const *meta_keys, const char *const *meta_values,
                         size_t n_meta, const char *path, dc_err *e)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        dc_fail(e, "%s: out of memory", path);
        return NULL;
    }
    uint64_t offset = 0;
    int rc = add_metadata(root, meta_keys, meta_values, n_meta, path, e);
    for (size_t i = 0; i < n_entries && rc == 0; i++)
        rc = add_tensor(root, &entries[i], i, &offset, &nbytes[i], path, e);
    char *json = rc == 0 ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (rc == 0 && !json) dc_fail(e, "%s: out of memory", path);
    return json;
}

/* The checksum: CRC-32 of the file with the placeholder, then the digits filled into json. */
static void fill_checksum(char *json, size_t jlen, size_t hlen, const unsigned char prefix[8],
                          const safetensors_entry *entries, size_t n_entries,
                          const size_t *nbytes, int swap)
{
    static const char placeholder[] = "\"" SAFETENSORS_CHECKSUM_KEY "\":\"" CHECKSUM_PREFIX;
    char *ph = strstr(json, placeholder); /* the first metadata entry: ours */
    DC_ASSERT(ph != NULL, "checksum placeholder missing");
    ph += strlen(placeholder);
    uint32_t crc = safetensors_crc32_update(0, prefix, 8);
    crc = safetensors_crc32_update(crc, (const unsigned char *)json, jlen);
    for (size_t i = jlen; i < hlen; i++)
        crc = safetensors_crc32_update(crc, (const unsigned char *)" ", 1);
    for (size_t i = 0; i < n_entries; i++) {
        if (!nbytes[i]) continue;
        if (!swap) {
            crc = safetensors_crc32_update(crc, (const unsigned char *)entries[i].data,
                                           nbytes[i]);
        } else {
            for (size_t k = 0; k < nbytes[i] / 4; k++) {
                unsigned char b[4];
                memcpy(b, &entries[i].data[k], 4);
                safetensors_swap_bytes(b, 1, 4);
                crc = safetensors_crc32_update(crc, b, 4);
            }
        }
    }
    char digits[CHECKSUM_DIGITS + 1];
    snprintf(digits, sizeof digits, "%08x", crc);
    memcpy(ph, digits, CHECKSUM_DIGITS);
}

/* Writes prefix, header, padding and data to fp; 1 if every write succeeded. */
static int write_parts(FILE *fp, const unsigned char prefix[8], const char *json, size_t jlen,
                       size_t hlen, const safetensors_entry *entries, size_t n_entries,
                       const size_t *nbytes, int swap)
{
    int ok = fwrite(prefix, 1, 8, fp) == 8 && fwrite(json, 1, jlen, fp) == jlen;
    for (size_t i = jlen; ok && i < hlen; i++) ok = fputc(' ', fp) != EOF;
    for (size_t i = 0; ok && i < n_entries; i++) {
        if (!nbytes[i]) continue;
        if (!swap) {
            ok = fwrite(entries[i].data, 1, nbytes[i], fp) == nbytes[i];
        } else {
            for (size_t k = 0; ok && k < nbytes[i] / 4; k++) {
                unsigned char b[4];
                memcpy(b, &entries[i].data[k], 4);
                safetensors_swap_bytes(b, 1, 4);
                ok = fwrite(b, 1, 4, fp) == 4;
            }
        }
    }
    return ok;
}

int safetensors_write(const char *path, const safetensors_entry *entries, size_t n_entries,
                      const char *const *meta_keys, const char *const *meta_values,
                      size_t n_meta, dc_err *e)
{
    size_t *nbytes = dc_calloc(n_entries, sizeof *nbytes);
    char *json = header_json(entries, n_entries, nbytes, meta_keys, meta_values, n_meta, path, e);
    if (!json) {
        free(nbytes);
        return -1;
    }

    size_t jlen = strlen(json);
    size_t hlen = (jlen + 7) / 8 * 8;
    unsigned char prefix[8];
    for (int i = 0; i < 8; i++) prefix[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
    int swap = !safetensors_host_is_little_endian();
    fill_checksum(json, jlen, hlen, prefix, entries, n_entries, nbytes, swap);

    atomic_file af;
    if (atomic_file_open(&af, path, e) != 0) {
        free(nbytes);
        free(json);
        return -1;
    }
    int ok = write_parts(af.fp, prefix, json, jlen, hlen, entries, n_entries, nbytes, swap);
    free(nbytes);
    free(json);
    if (!ok) {
        int err = errno;
        atomic_file_abort(&af);
        return dc_fail(e, "%s: write failed: %s", path, strerror(err ? err : EIO));
    }
    return atomic_file_commit(&af, e);
}
