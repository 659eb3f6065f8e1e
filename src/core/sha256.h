/* SHA-256 (FIPS 180-4), for the hashes a Content-Security-Policy names the report page's own
 * inline style and script by. Nettle computes it. */
#ifndef DCGAN_CORE_SHA256_H
#define DCGAN_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

void sha256(const void *data, size_t n, uint8_t out[SHA256_BYTES]);

#endif
