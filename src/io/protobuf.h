/* A tiny protocol-buffer encoder: enough of the wire format (varints, 64-bit and 32-bit
 * fixed fields, length-delimited fields, packed doubles) to write TensorFlow's Event and
 * Summary messages by hand. Messages are built bottom-up: encode a sub-message into its own
 * pb_buf, then add it to the parent with pb_message. Running out of memory aborts. */
#ifndef DCGAN_IO_PROTOBUF_H
#define DCGAN_IO_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;
    size_t len, cap;
} pb_buf;

void pb_init(pb_buf *b);
void pb_free(pb_buf *b);
void pb_clear(pb_buf *b);

/* Raw pieces. */
void pb_put_bytes(pb_buf *b, const void *p, size_t n);
void pb_put_varint(pb_buf *b, uint64_t v);
/* Fields: wire types 0 (varint), 1 (64-bit), 5 (32-bit), 2 (length-delimited). */
void pb_varint(pb_buf *b, int field, uint64_t v);
void pb_double(pb_buf *b, int field, double v);
void pb_float(pb_buf *b, int field, float v);
void pb_bytes(pb_buf *b, int field, const void *p, size_t n);
void pb_string(pb_buf *b, int field, const char *s);
void pb_message(pb_buf *b, int field, const pb_buf *msg);
void pb_packed_doubles(pb_buf *b, int field, const double *v, size_t n);

#endif
