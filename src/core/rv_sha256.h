/* rv_sha256.h: SHA-256 for payload change detection, through OpenSSL's EVP
 * (libcurl on Debian is built against OpenSSL, so libcrypto is already in
 * the process). Not used for secrets. The lower-case hex form is what the
 * database stores; it is the same as the hand-written hash it replaced. */
#ifndef RV_SHA256_H
#define RV_SHA256_H

#include <stddef.h>

struct evp_md_ctx_st;           /* OpenSSL's EVP_MD_CTX */

typedef struct {
    struct evp_md_ctx_st *md;
} rv_sha256_ctx;

/* Incremental use: init, update any number of times, final (which releases
 * the context). OpenSSL failing here means memory is gone: the process aborts,
 * as APR does when a pool cannot grow, rather than store a wrong digest. */
void rv_sha256_init(rv_sha256_ctx *c);
void rv_sha256_update(rv_sha256_ctx *c, const void *data, size_t len);
void rv_sha256_final(rv_sha256_ctx *c, unsigned char digest[32]);

/* Lower-case hex digest of data: out must hold 65 bytes. */
void rv_sha256_hex(const void *data, size_t len, char out[65]);

#endif
