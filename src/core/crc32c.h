/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TensorFlow's record
 * files. */
#ifndef DCGAN_CORE_CRC32C_H
#define DCGAN_CORE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc32c_extend(0, data, n) is the CRC of data; extend continues a running CRC. */
uint32_t crc32c_extend(uint32_t crc, const void *data, size_t n);
uint32_t crc32c(const void *data, size_t n);
/* TensorFlow's masked form, stored in record files: ((crc >> 15) | (crc << 17)) + 0xa282ead8. */
uint32_t crc32c_mask(uint32_t crc);

#endif
