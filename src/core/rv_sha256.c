/* rv_sha256.c: see rv_sha256.h. */
#include "rv_sha256.h"

#include <stdlib.h>
#include <string.h>

#include <apr_escape.h>
#include <openssl/evp.h>
#include <pthread.h>

/* The algorithm fetched once per process (OpenSSL 3 looks EVP_sha256() up
 * in its provider on every init otherwise: about a twentieth of detection's
 * time in C); an EVP_MD is read-only and may be shared by threads. */
static EVP_MD *rv_sha256_md;
static pthread_once_t rv_sha256_once = PTHREAD_ONCE_INIT;

/* atexit in a shared object runs when it is unloaded (glibc registers it
 * with the object's handle): Apache's restart unloads the module, then
 * loads it afresh. */
static void rv_sha256_release(void)
{
    EVP_MD_free(rv_sha256_md);
    rv_sha256_md = NULL;
}

static void rv_sha256_fetch(void)
{
    rv_sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (rv_sha256_md)
        atexit(rv_sha256_release);
}

void rv_sha256_init(rv_sha256_ctx *c)
{
    if (pthread_once(&rv_sha256_once, rv_sha256_fetch) != 0 || !rv_sha256_md)
        abort();
    c->md = EVP_MD_CTX_new();
    if (!c->md || EVP_DigestInit_ex(c->md, rv_sha256_md, NULL) != 1)
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
