/* fuzz_util.h: shared set-up for the libFuzzer targets. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    atexit(apr_terminate);
    return 0;
}

/* A NUL-terminated copy of the input (inputs may hold NUL bytes: the C
 * string ends at the first one, as it would coming from a C caller). */
static inline char *fuzz_cstr(apr_pool_t *p, const uint8_t *data, size_t size)
{
    return apr_pstrndup(p, (const char *)data, size);
}

/* Splits s at '\n' into at most n fields (missing ones are ""). */
static inline void fuzz_fields(apr_pool_t *p, const char *s, const char **f, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        const char *nl = strchr(s, '\n');
        if (!nl) {
            f[i] = s;
            s = "";
            continue;
        }
        f[i] = apr_pstrndup(p, s, (size_t)(nl - s));
        s = nl + 1;
    }
}

#define FUZZ_CHECK(cond, what)                                           \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "property failed: %s\n", what);              \
            abort();                                                     \
        }                                                                \
    } while (0)

#endif
