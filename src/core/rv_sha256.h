/* rv_sha256.h: small SHA-256 (FIPS 180-4) for payload change detection.
 * Not used for secrets; apr-util only ships SHA-1 and OpenSSL would be a
 * whole dependency for one hash. */
#ifndef RV_SHA256_H
#define RV_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint64_t bit_len;
    unsigned char block[64];
    size_t block_len;
} rv_sha256_ctx;

void rv_sha256_init(rv_sha256_ctx *c);
void rv_sha256_update(rv_sha256_ctx *c, const void *data, size_t len);
void rv_sha256_final(rv_sha256_ctx *c, unsigned char digest[32]);

/* Lower-case hex digest of data: out must hold 65 bytes. */
void rv_sha256_hex(const void *data, size_t len, char out[65]);

#endif
