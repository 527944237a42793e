/* rv_sha256.c: see rv_sha256.h. */
#include "rv_sha256.h"

#include <stdlib.h>
#include <string.h>

#include <apr_escape.h>
#include <openssl/evp.h>

void rv_sha256_init(rv_sha256_ctx *c)
{
    c->md = EVP_MD_CTX_new();
    if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
        abort();
}

void rv_sha256_update(rv_sha256_ctx *c, const void *data, size_t len)
{
    if (len && EVP_DigestUpdate(c->md, data, len) != 1)
        abort();
}

void rv_sha256_final(rv_sha256_ctx *c, unsigned char digest[32])
{
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(c->md, digest, &n) != 1 || n != 32)
        abort();
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void rv_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    rv_sha256_ctx c;
    rv_sha256_init(&c);
    rv_sha256_update(&c, data, len);
    rv_sha256_final(&c, d);
    /* apr_escape_hex writes 64 digits and the NUL into a buffer of 65 */
    apr_escape_hex(out, d, sizeof(d), 0, NULL);
}
