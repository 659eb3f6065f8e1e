#include "core/sha256.h"

#include <nettle/sha2.h>

void sha256(const void *data, size_t n, uint8_t out[SHA256_BYTES])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, n, data);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}
