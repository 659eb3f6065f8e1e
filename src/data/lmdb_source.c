/* LMDB databases of encoded images (Debian's liblmdb).
 *
 * The environment is opened MDB_RDONLY | MDB_NOLOCK (no lock.mdb is created or needed beside a
 * data set that may sit on read-only storage; the data set must not be written meanwhile),
 * MDB_NORDAHEAD (values are read at random; the kernel's readahead would read megabytes for
 * each) and MDB_NOTLS. The keys are copied once into one arena (offsets and lengths beside it:
 * 12 bytes plus the key per entry); values stay in the map. Each load begins a read-only
 * transaction of its own (cheap: no lock table with MDB_NOLOCK), looks the key up, decodes the
 * value where it lies in the map and ends the transaction, so loader threads never share one. */
#include "data/lmdb_source.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "data/image.h"

#define LMDB_PATH_MAX 4096

struct lmdb_source {
    char path[LMDB_PATH_MAX]; /* dir/data.mdb, for messages */
    MDB_env *env;
    MDB_dbi dbi;
    int count;
    char *keys;        /* every key's bytes, one after the other */
    size_t keys_len, keys_cap;
    uint64_t *key_off; /* (count) */
    uint32_t *key_len; /* (count) */
};

int lmdb_source_exists(const char *dir)
{
    char p[LMDB_PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof p, "%s/data.mdb", dir) >= (int)sizeof p) return 0;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

void lmdb_source_free(lmdb_source *s)
{
    if (!s) return;
    if (s->env) mdb_env_close(s->env);
    free(s->keys);
    free(s->key_off);
    free(s->key_len);
    free(s);
}

int lmdb_source_count(const lmdb_source *s)
{
    return s->count;
}

static int push_key(lmdb_source *s, const MDB_val *k, size_t *cap, dc_err *e)
{
    if (s->count == INT_MAX) return dc_fail(e, "%s: more than %d entries", s->path, INT_MAX);
    if (k->mv_size > UINT32_MAX) return dc_fail(e, "%s: a key of %zu bytes", s->path, k->mv_size);
    if ((size_t)s->count == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        uint64_t *no = realloc(s->key_off, nc * sizeof *no);
        if (no) s->key_off = no;
        uint32_t *nl = realloc(s->key_len, nc * sizeof *nl);
        if (nl) s->key_len = nl;
        if (!no || !nl) return dc_fail(e, "%s: out of memory listing the keys", s->path);
        *cap = nc;
    }
    if (s->keys_len + k->mv_size > s->keys_cap) {
        size_t nc = s->keys_cap ? s->keys_cap : 65536;
        while (nc < s->keys_len + k->mv_size) nc *= 2;
        char *nk = realloc(s->keys, nc);
        if (!nk) return dc_fail(e, "%s: out of memory listing the keys", s->path);
        s->keys = nk;
        s->keys_cap = nc;
    }
    memcpy(s->keys + s->keys_len, k->mv_data, k->mv_size);
    s->key_off[s->count] = s->keys_len;
    s->key_len[s->count] = (uint32_t)k->mv_size;
    s->keys_len += k->mv_size;
    s->count++;
    return 0;
}

/* Every key, in the database's order, through one cursor. */
static int list_keys(lmdb_source *s, dc_err *e)
{
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, NULL, 0, &s->dbi);
    if (rc == 0) rc = mdb_cursor_open(txn, s->dbi, &cur);
    size_t cap = 0;
    MDB_val k, v;
    int got = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : rc;
    int fail = 0;
    while (got == 0 && !fail) {
        fail = push_key(s, &k, &cap, e) != 0;
        if (!fail) got = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur) mdb_cursor_close(cur);
    if (txn) {
        int crc = mdb_txn_commit(txn); /* keeps the dbi handle for later transactions */
        if (got == MDB_NOTFOUND && crc != 0) got = crc;
    }
    if (fail) return -1;
    if (got != MDB_NOTFOUND)
        return dc_fail(e, "%s: cannot read the LMDB database: %s", s->path, mdb_strerror(got));
    if (s->count == 0) return dc_fail(e, "%s: the LMDB database has no entries", s->path);
    return 0;
}

lmdb_source *lmdb_source_open(const char *dir, dc_err *e)
{
    lmdb_source *s = calloc(1, sizeof *s);
    if (!s) {
        dc_fail(e, "%s: out of memory", dir);
        return NULL;
    }
    if (dc_path(e, s->path, sizeof s->path, "%s/data.mdb", dir)) {
        free(s);
        return NULL;
    }
    int rc = mdb_env_create(&s->env);
    if (rc != 0) {
        s->env = NULL;
        dc_fail(e, "%s: cannot open the LMDB database: %s", s->path, mdb_strerror(rc));
        lmdb_source_free(s);
        return NULL;
    }
    rc = mdb_env_open(s->env, dir, MDB_RDONLY | MDB_NOLOCK | MDB_NORDAHEAD | MDB_NOTLS, 0444);
    if (rc != 0) {
        dc_fail(e, "%s: cannot open the LMDB database: %s", s->path,
                rc == MDB_INVALID ? "not an LMDB file" : mdb_strerror(rc));
        lmdb_source_free(s);
        return NULL;
    }
    if (list_keys(s, e) != 0) {
        lmdb_source_free(s);
        return NULL;
    }
    return s;
}

void lmdb_source_name(const lmdb_source *s, int i, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "%s[", s->path);
    const unsigned char *k = (const unsigned char *)s->keys + s->key_off[i];
    for (uint32_t j = 0; j < s->key_len[i] && len + 6 < n; j++) {
        if (k[j] >= 0x20 && k[j] < 0x7f && k[j] != '\\') buf[len++] = (char)k[j];
        else len += (size_t)snprintf(buf + len, n - len, "\\x%02x", k[j]);
    }
    if (len + 2 <= n) {
        buf[len++] = ']';
        buf[len] = 0;
    }
}

/* Entry i's value (valid until *txn ends), or -1 naming it. */
static int get_value(const lmdb_source *s, int i, MDB_txn **txn, MDB_val *v, char *name,
                     size_t n, dc_err *e)
{
    lmdb_source_name(s, i, name, n);
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
    if (rc != 0) return dc_fail(e, "%s: cannot read: %s", name, mdb_strerror(rc));
    MDB_val k = {s->key_len[i], s->keys + s->key_off[i]};
    rc = mdb_get(*txn, s->dbi, &k, v);
    if (rc != 0) {
        mdb_txn_abort(*txn);
        *txn = NULL;
        return dc_fail(e, "%s: cannot read: %s", name,
                       rc == MDB_NOTFOUND ? "the key is gone (was the database written?)"
                                          : mdb_strerror(rc));
    }
    return 0;
}

int lmdb_source_load(const lmdb_source *s, int i, const image_spec *spec, float *out, dc_err *e)
{
    char name[LMDB_PATH_MAX + 256];
    MDB_txn *txn;
    MDB_val v;
    if (get_value(s, i, &txn, &v, name, sizeof name, e) != 0) return -1;
    int rc = image_load_mem(v.mv_data, v.mv_size, name, spec, out, e);
    mdb_txn_abort(txn);
    return rc;
}

int lmdb_source_probe(const lmdb_source *s, int i, int *channels, dc_err *e)
{
    char name[LMDB_PATH_MAX + 256];
    MDB_txn *txn;
    MDB_val v;
    if (get_value(s, i, &txn, &v, name, sizeof name, e) != 0) return -1;
    int w, h;
    int rc = image_probe_mem(v.mv_data, v.mv_size, name, &w, &h, channels, e);
    mdb_txn_abort(txn);
    return rc;
}

void lmdb_source_keep(lmdb_source *s, const int *keep, int n)
{
    for (int j = 0; j < n; j++) {
        s->key_off[j] = s->key_off[keep[j]];
        s->key_len[j] = s->key_len[keep[j]];
    }
    s->count = n;
}
