/* Internal to src/io/safetensors*.c: what the reader (safetensors.c) and the writer
 * (safetensors_write.c) share: the checksum's spelling, byte order and the CRC-32. */
#ifndef DCGAN_IO_SAFETENSORS_INTERNAL_H
#define DCGAN_IO_SAFETENSORS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define CHECKSUM_PREFIX "crc32:"
#define CHECKSUM_DIGITS 8

int safetensors_host_is_little_endian(void);
/* Reverses the bytes of each of count values of width bytes at p. */
void safetensors_swap_bytes(unsigned char *p, size_t count, size_t width);
/* zlib's crc32 over any length (its length argument is a uInt). */
uint32_t safetensors_crc32_update(uint32_t crc, const unsigned char *p, size_t n);

#endif
