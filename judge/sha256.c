/* sha256.c - content hashes (nettle): package blobs in the store,
 * build cache keys (build_cache.c hashes incrementally with the same
 * library). */
#include <nettle/sha2.h>
#include <stdio.h>
#include "judge/judge.h"

void jd_sha256_hex(const void *data, size_t len, char out[65])
{
    struct sha256_ctx h;
    uint8_t dg[SHA256_DIGEST_SIZE];
    sha256_init(&h);
    sha256_update(&h, len, data);
    sha256_digest(&h, sizeof dg, dg);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", dg[i]);
}
