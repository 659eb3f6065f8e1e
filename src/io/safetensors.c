/* safetensors reader (format: https://github.com/huggingface/safetensors).
 *
 * Reader: the whole file is read, the header is validated completely (JSON shape, dtypes,
 * shapes, offsets that tile the data section exactly, as the format requires), and each tensor
 * is copied into one 64-byte aligned arena so that its data is aligned for its dtype whatever the
 * header length and offsets were. The writer is in safetensors_write.c.
 *
 * Checksum: the writer puts "checksum":"crc32:00000000" into __metadata__, computes zlib's
 * CRC-32 of the whole file with that placeholder, and writes the file with the 8 digits filled
 * in; the reader recomputes it with the digits taken as '0' (one pass, no copy). It covers the
 * header (tensor table and all metadata) and every data byte, so a flipped bit anywhere, a
 * truncated or a partly written file is detected. */
#include "io/safetensors.h"
#include "io/safetensors_internal.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define SAFETENSORS_MAX_HEADER (100u * 1024u * 1024u) /* bytes */

struct safetensors_file {
    safetensors_tensor *tensors; /* n_tensors, in header order */
    size_t n_tensors;
    char **meta_keys; /* n_meta */
    char **meta_values;
    size_t n_meta;
    unsigned char *arena; /* 64-byte aligned copy of every tensor's data */
};

static size_t dtype_size(safetensors_dtype d)
{
    return d == SAFETENSORS_I64 ? 8 : 4;
}

int safetensors_host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

void safetensors_swap_bytes(unsigned char *p, size_t count, size_t width)
{
    for (size_t i = 0; i < count; i++, p += width)
        for (size_t a = 0, b = width - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

void safetensors_free(safetensors_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n_tensors; i++) free(f->tensors[i].name);
    for (size_t i = 0; i < f->n_meta; i++) {
        free(f->meta_keys[i]);
        free(f->meta_values[i]);
    }
    free(f->tensors);
    free(f->meta_keys);
    free(f->meta_values);
    free(f->arena);
    free(f);
}

size_t safetensors_count(const safetensors_file *f)
{
    return f->n_tensors;
}

const safetensors_tensor *safetensors_at(const safetensors_file *f, size_t i)
{
    return i < f->n_tensors ? &f->tensors[i] : NULL;
}

const safetensors_tensor *safetensors_find(const safetensors_file *f, const char *name)
{
    for (size_t i = 0; i < f->n_tensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

const char *safetensors_metadata(const safetensors_file *f, const char *key)
{
    for (size_t i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta_keys[i], key) == 0) return f->meta_values[i];
    return NULL;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* Reads the whole regular file at path into a malloc'd buffer. */
static unsigned char *read_all(const char *path, size_t *len, dc_err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        dc_fail(e, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        dc_fail(e, "%s: cannot stat: %s", path, strerror(errno));
        fclose(fp);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        dc_fail(e, "%s: not a regular file", path);
        fclose(fp);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        dc_fail(e, "%s: out of memory reading %zu bytes", path, n);
        fclose(fp);
        return NULL;
    }
    size_t got = n ? fread(buf, 1, n, fp) : 0;
    int err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (got != n) {
        if (err)
            dc_fail(e, "%s: read error: %s", path, strerror(err));
        else
            dc_fail(e, "%s: file shrank while reading (%zu of %zu bytes)", path, got, n);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* A JSON number that is a non-negative integer exactly representable in a double (< 2^53). */
static int json_u64(const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber(item)) return -1;
    double d = item->valuedouble;
    if (!(d >= 0.0) || d >= 9007199254740992.0 || d != floor(d)) return -1;
    *out = (uint64_t)d;
    return 0;
}

typedef struct {
    uint64_t begin, end;
    size_t index;
} span;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

static int parse_metadata(safetensors_file *f, const cJSON *meta, const char *path, dc_err *e)
{
    if (!cJSON_IsObject(meta)) return dc_fail(e, "%s: __metadata__ is not a JSON object", path);
    size_t n = 0;
    for (const cJSON *it = meta->child; it; it = it->next) n++;
    f->meta_keys = dc_calloc(n, sizeof *f->meta_keys);
    f->meta_values = dc_calloc(n, sizeof *f->meta_values);
    for (const cJSON *it = meta->child; it; it = it->next) {
        if (!cJSON_IsString(it))
            return dc_fail(e, "%s: __metadata__ value of '%s' is not a string", path, it->string);
        for (size_t j = 0; j < f->n_meta; j++)
            if (strcmp(f->meta_keys[j], it->string) == 0)
                return dc_fail(e, "%s: duplicate __metadata__ key '%s'", path, it->string);
        f->meta_keys[f->n_meta] = strdup(it->string);
        f->meta_values[f->n_meta] = strdup(it->valuestring);
        f->n_meta++;
        if (!f->meta_keys[f->n_meta - 1] || !f->meta_values[f->n_meta - 1])
            return dc_fail(e, "%s: out of memory", path);
    }
    return 0;
}

/* Validates one tensor entry; fills t (name excluded) and its span in the data section. */
static int parse_tensor(safetensors_tensor *t, span *sp, const cJSON *item, uint64_t data_len,
                        const char *path, dc_err *e)
{
    const char *name = item->string;
    if (!cJSON_IsObject(item))
        return dc_fail(e, "%s: tensor '%s': entry is not a JSON object", path, name);

    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(item, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(item, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(item, "data_offsets");
    if (!cJSON_IsString(dtype))
        return dc_fail(e, "%s: tensor '%s': missing or non-string \"dtype\"", path, name);
    if (strcmp(dtype->valuestring, "F32") == 0)
        t->dtype = SAFETENSORS_F32;
    else if (strcmp(dtype->valuestring, "I64") == 0)
        t->dtype = SAFETENSORS_I64;
    else
        return dc_fail(e, "%s: tensor '%s': unsupported dtype \"%s\" (only F32 and I64)", path,
                       name, dtype->valuestring);

    if (!cJSON_IsArray(shape))
        return dc_fail(e, "%s: tensor '%s': missing or non-array \"shape\"", path, name);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > SAFETENSORS_MAX_DIMS)
        return dc_fail(e, "%s: tensor '%s': %d dimensions (at most %d)", path, name, ndim,
                       SAFETENSORS_MAX_DIMS);
    t->ndim = ndim;
    uint64_t numel = 1;
    int d = 0;
    for (const cJSON *it = shape->child; it; it = it->next, d++) {
        uint64_t v;
        if (json_u64(it, &v) != 0)
            return dc_fail(e, "%s: tensor '%s': shape[%d] is not a non-negative integer", path,
                           name, d);
        if (v > (uint64_t)INT64_MAX)
            return dc_fail(e, "%s: tensor '%s': shape[%d] too large", path, name, d);
        t->shape[d] = (int64_t)v;
        if (v != 0 && numel > (uint64_t)SIZE_MAX / 8 / v)
            return dc_fail(e, "%s: tensor '%s': shape product overflows", path, name);
        numel *= v;
    }
    for (; d < SAFETENSORS_MAX_DIMS; d++) t->shape[d] = 0;
    t->numel = (size_t)numel;

    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2)
        return dc_fail(e, "%s: tensor '%s': \"data_offsets\" is not an array of two integers",
                       path, name);
    uint64_t begin, end;
    if (json_u64(offs->child, &begin) != 0 || json_u64(offs->child->next, &end) != 0)
        return dc_fail(e, "%s: tensor '%s': data_offsets are not non-negative integers", path,
                       name);
    if (begin > end)
        return dc_fail(e, "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] reversed",
                       path, name, begin, end);
    if (end > data_len)
        return dc_fail(e,
                       "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                       "] beyond the data section (%" PRIu64 " bytes; file truncated?)",
                       path, name, begin, end, data_len);
    uint64_t want = numel * dtype_size(t->dtype);
    if (end - begin != want)
        return dc_fail(e,
                       "%s: tensor '%s': data_offsets span %" PRIu64
                       " bytes but dtype and shape need %" PRIu64,
                       path, name, end - begin, want);
    sp->begin = begin;
    sp->end = end;
    return 0;
}

static int parse_header(safetensors_file *f, const cJSON *root, const unsigned char *data,
                        uint64_t data_len, const char *path, dc_err *e)
{
    if (!cJSON_IsObject(root)) return dc_fail(e, "%s: header is not a JSON object", path);
    size_t n = 0;
    for (const cJSON *it = root->child; it; it = it->next)
        if (strcmp(it->string, "__metadata__") != 0) n++;
    f->tensors = dc_calloc(n, sizeof *f->tensors);
    span *spans = dc_calloc(n, sizeof *spans);
    int rc = 0, seen_meta = 0;

    for (const cJSON *it = root->child; it && rc == 0; it = it->next) {
        if (strcmp(it->string, "__metadata__") == 0) {
            if (seen_meta++)
                rc = dc_fail(e, "%s: duplicate __metadata__", path);
            else
                rc = parse_metadata(f, it, path, e);
            continue;
        }
        for (size_t j = 0; j < f->n_tensors && rc == 0; j++)
            if (strcmp(f->tensors[j].name, it->string) == 0)
                rc = dc_fail(e, "%s: duplicate tensor name '%s'", path, it->string);
        if (rc) break;
        safetensors_tensor *t = &f->tensors[f->n_tensors];
        span *sp = &spans[f->n_tensors];
        rc = parse_tensor(t, sp, it, data_len, path, e);
        if (rc) break;
        t->name = strdup(it->string);
        if (!t->name) {
            rc = dc_fail(e, "%s: out of memory", path);
            break;
        }
        sp->index = f->n_tensors++;
    }

    /* The format requires the tensors to tile the data section: no overlaps, no holes. */
    if (rc == 0) {
        qsort(spans, f->n_tensors, sizeof *spans, span_cmp);
        uint64_t pos = 0;
        for (size_t i = 0; i < f->n_tensors && rc == 0; i++) {
            const char *name = f->tensors[spans[i].index].name;
            if (spans[i].begin < pos)
                rc = dc_fail(e, "%s: tensor '%s': data_offsets overlap another tensor", path,
                             name);
            else if (spans[i].begin > pos)
                rc = dc_fail(e,
                             "%s: tensor '%s': %" PRIu64
                             " unused bytes before it in the data section",
                             path, name, spans[i].begin - pos);
            pos = spans[i].end > pos ? spans[i].end : pos;
        }
        if (rc == 0 && pos != data_len)
            rc = dc_fail(e,
                         "%s: %" PRIu64 " bytes after the last tensor (data section %" PRIu64
                         " bytes)",
                         path, data_len - pos, data_len);
    }

    /* Copy each tensor to an 8-byte aligned slot of one 64-byte aligned arena. */
    if (rc == 0) {
        size_t total = 0;
        for (size_t i = 0; i < f->n_tensors; i++) {
            size_t bytes = f->tensors[i].numel * dtype_size(f->tensors[i].dtype);
            total += (bytes + 7) / 8 * 8;
        }
        f->arena = (unsigned char *)dc_alloc_floats(total / sizeof(float));
        size_t at = 0;
        int swap = !safetensors_host_is_little_endian();
        for (size_t i = 0; i < n; i++) {
            safetensors_tensor *t = &f->tensors[spans[i].index];
            size_t w = dtype_size(t->dtype), bytes = t->numel * w;
            if (bytes) memcpy(f->arena + at, data + spans[i].begin, bytes);
            if (swap) safetensors_swap_bytes(f->arena + at, t->numel, w);
            t->data = f->arena + at;
            at += (bytes + 7) / 8 * 8;
        }
    }
    free(spans);
    return rc;
}

uint32_t safetensors_crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    uLong c = crc;
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

/* CRC-32 of buf[0, len) with the CHECKSUM_DIGITS bytes at `at` taken as '0'. */
static uint32_t checksum_with_placeholder(const unsigned char *buf, size_t len, size_t at)
{
    static const unsigned char zeros[CHECKSUM_DIGITS] = {'0', '0', '0', '0', '0', '0', '0', '0'};
    uint32_t c = safetensors_crc32_update(0, buf, at);
    c = safetensors_crc32_update(c, zeros, CHECKSUM_DIGITS);
    return safetensors_crc32_update(c, buf + at + CHECKSUM_DIGITS, len - at - CHECKSUM_DIGITS);
}

/* Checks the stored checksum against the file's bytes (header at buf[8, 8 + hlen)). */
static int verify_checksum(const char *value, const unsigned char *buf, size_t len,
                           uint64_t hlen, const char *path, dc_err *e)
{
    size_t lp = strlen(CHECKSUM_PREFIX);
    int ok = strlen(value) == lp + CHECKSUM_DIGITS && strncmp(value, CHECKSUM_PREFIX, lp) == 0;
    uint32_t stored = 0;
    for (size_t i = lp; ok && i < lp + CHECKSUM_DIGITS; i++) {
        char c = value[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) ok = 0;
        stored = stored << 4 | (uint32_t)(v & 15);
    }
    if (!ok)
        return dc_fail(e, "%s: checksum '%.40s' is not crc32:<8 hex digits> (file damaged?)", path,
                       value);
    /* the value's bytes in the header: "crc32:xxxxxxxx" with its quotes, exactly once */
    char quoted[32];
    snprintf(quoted, sizeof quoted, "\"%s\"", value);
    size_t ql = strlen(quoted), at = 0, found = 0;
    const unsigned char *h = buf + 8;
    for (size_t i = 0; i + ql <= hlen; i++)
        if (h[i] == '"' && memcmp(h + i, quoted, ql) == 0) {
            found++;
            at = 8 + i + 1 + lp;
        }
    if (found != 1)
        return dc_fail(e, "%s: checksum value found %zu times in the header (file damaged?)",
                       path, found);
    uint32_t got = checksum_with_placeholder(buf, len, at);
    if (got != stored)
        return dc_fail(e, "%s: checksum mismatch (stored crc32:%08x, computed crc32:%08x): "
                          "the file is damaged", path, stored, got);
    return 0;
}

/* What a file that is not safetensors is, from its first bytes (NULL: unknown), so that a PNG
 * given as a checkpoint is named as one instead of by a nonsense header length. */
static const char *sniff_kind(const unsigned char *b, size_t len)
{
    static const struct {
        const char *magic;
        size_t n;
        const char *kind;
    } kinds[] = {
        {"\x89PNG", 4, "a PNG image"},         {"\xff\xd8\xff", 3, "a JPEG image"},
        {"GIF8", 4, "a GIF image"},            {"\x1f\x8b", 2, "gzip data"},
        {"\x93NUMPY", 6, "a NumPy .npy array"}, {"PK\x03\x04", 4, "a zip file (a PyTorch .pt?)"},
        {"\0\0\x08\x03", 4, "IDX images"},     {"\0\0\x08\x01", 4, "IDX labels"},
        {"%PDF", 4, "a PDF document"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (len >= kinds[i].n && memcmp(b, kinds[i].magic, kinds[i].n) == 0) return kinds[i].kind;
    if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return "a WebP image";
    if (len >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5) return "a Python pickle";
    if (len >= 1 && (b[0] == '{' || b[0] == '[')) return "JSON or text";
    return NULL;
}

safetensors_file *safetensors_parse(const unsigned char *buf, size_t len, const char *path,
                                    int flags, dc_err *e)
{
    uint64_t hlen = 0;
    for (int i = 7; len >= 8 && i >= 0; i--) hlen = (hlen << 8) | buf[i];
    const char *kind = sniff_kind(buf, len);
    if (kind && (len < 8 || hlen > len - 8 || hlen < 2 || buf[8] != '{')) {
        dc_fail(e, "%s: not a safetensors file: it is %s", path, kind);
        return NULL;
    }
    if (len < 8) {
        dc_fail(e, "%s: %zu bytes, too short for a safetensors file (no 8-byte header length)",
                path, len);
        return NULL;
    }
    if (hlen > SAFETENSORS_MAX_HEADER) {
        dc_fail(e, "%s: not a safetensors file (its first 8 bytes, read as the header length, "
                   "say %" PRIu64 " bytes, over the %u-byte limit)", path, hlen,
                SAFETENSORS_MAX_HEADER);
        return NULL;
    }
    if (hlen > len - 8) {
        dc_fail(e, "%s: header length %" PRIu64 " exceeds the %zu bytes after it (truncated?)",
                path, hlen, len - 8);
        return NULL;
    }
    if (hlen < 2 || buf[8] != '{') {
        dc_fail(e, "%s: header does not start with '{' (not a safetensors file?)", path);
        return NULL;
    }
    if (memchr(buf + 8, '\0', hlen)) {
        dc_fail(e, "%s: header contains a NUL byte", path);
        return NULL;
    }
    char *json = malloc(hlen + 1);
    if (!json) {
        dc_fail(e, "%s: out of memory", path);
        return NULL;
    }
    memcpy(json, buf + 8, hlen);
    json[hlen] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (!root) {
        size_t at = end && end >= json ? (size_t)(end - json) : 0;
        dc_fail(e, "%s: header is not valid JSON (error near byte %zu of %" PRIu64 ")", path,
                at, hlen);
        free(json);
        return NULL;
    }
    safetensors_file *f = dc_calloc(1, sizeof *f);
    int rc = parse_header(f, root, buf + 8 + hlen, (uint64_t)len - 8 - hlen, path, e);
    cJSON_Delete(root);
    free(json);
    if (rc == 0 && !(flags & SAFETENSORS_SKIP_CHECKSUM)) {
        const char *sum = safetensors_metadata(f, SAFETENSORS_CHECKSUM_KEY);
        if (sum) rc = verify_checksum(sum, buf, len, hlen, path, e);
    }
    if (rc != 0) {
        safetensors_free(f);
        return NULL;
    }
    return f;
}

safetensors_file *safetensors_read(const char *path, dc_err *e)
{
    size_t len = 0;
    unsigned char *buf = read_all(path, &len, e);
    if (!buf) return NULL;
    safetensors_file *f = safetensors_parse(buf, len, path, 0, e);
    free(buf);
    return f;
}
