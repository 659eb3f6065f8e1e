#include "io/protobuf.h"

#include <stdlib.h>
#include <string.h>
#include "core/error.h"

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

void pb_init(pb_buf *b)
{
    memset(b, 0, sizeof *b);
}

void pb_free(pb_buf *b)
{
    free(b->data);
    pb_init(b);
}

void pb_clear(pb_buf *b)
{
    b->len = 0;
}

static void pb_reserve(pb_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    DC_ASSERT(d != NULL, "out of memory (%zu bytes)", cap);
    b->data = d;
    b->cap = cap;
}

void pb_put_bytes(pb_buf *b, const void *p, size_t n)
{
    if (!n) return;
    pb_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void pb_put_varint(pb_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        tmp[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    pb_put_bytes(b, tmp, n);
}

static void pb_key(pb_buf *b, int field, int wire)
{
    pb_put_varint(b, ((uint64_t)field << 3) | (uint64_t)wire);
}

static void pb_put_le(pb_buf *b, uint64_t v, int bytes)
{
    uint8_t tmp[8];
    for (int i = 0; i < bytes; i++) tmp[i] = (uint8_t)(v >> (8 * i));
    pb_put_bytes(b, tmp, (size_t)bytes);
}

void pb_varint(pb_buf *b, int field, uint64_t v)
{
    pb_key(b, field, WIRE_VARINT);
    pb_put_varint(b, v);
}

void pb_double(pb_buf *b, int field, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    pb_key(b, field, WIRE_I64);
    pb_put_le(b, u, 8);
}

void pb_float(pb_buf *b, int field, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    pb_key(b, field, WIRE_I32);
    pb_put_le(b, u, 4);
}

void pb_bytes(pb_buf *b, int field, const void *p, size_t n)
{
    pb_key(b, field, WIRE_LEN);
    pb_put_varint(b, n);
    pb_put_bytes(b, p, n);
}

void pb_string(pb_buf *b, int field, const char *s)
{
    pb_bytes(b, field, s, strlen(s));
}

void pb_message(pb_buf *b, int field, const pb_buf *msg)
{
    pb_bytes(b, field, msg->data, msg->len);
}

void pb_packed_doubles(pb_buf *b, int field, const double *v, size_t n)
{
    pb_key(b, field, WIRE_LEN);
    pb_put_varint(b, 8 * (uint64_t)n);
    pb_reserve(b, 8 * n);
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &v[i], sizeof u);
        pb_put_le(b, u, 8);
    }
}
