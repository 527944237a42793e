/* fuzz_text.c: entity decoding, HTML -> text and the UTF-8 helpers, with
 * their round-trip properties. */
#include "fuzz_util.h"
#include "rv_text.h"

static int valid_utf8(apr_pool_t *p, const char *s)
{
    return !strcmp(rv_utf8_sanitize(p, s), s);
}

static int has_4byte(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s & 0xF8) == 0xF0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *s, *text, *norm;
    size_t max = size ? data[0] % 64 : 0;
    apr_pool_create(&p, NULL);
    s = fuzz_cstr(p, data, size);

    (void)rv_entity_decode(p, s);
    text = rv_html_to_text(p, s);
    FUZZ_CHECK(valid_utf8(p, text), "html_to_text gives valid UTF-8");
    FUZZ_CHECK(!strcmp(rv_text_normalize(p, text), text), "html_to_text output is normalised");

    FUZZ_CHECK(!strcmp(rv_entity_decode(p, rv_oc_escape(p, s)), s), "decode(escape(s)) == s");
    norm = rv_text_normalize(p, s);
    FUZZ_CHECK(!strcmp(rv_html_to_text(p, rv_text_to_html(p, s)), norm),
               "html_to_text(text_to_html(s)) == normalize(s)");
    FUZZ_CHECK(!strchr(rv_text_oneline(p, s), '\n'), "oneline has no newline");

    FUZZ_CHECK(rv_utf8_length(rv_utf8_truncate(p, s, max)) <= max, "truncate respects the limit");
    FUZZ_CHECK(rv_utf8_length(rv_oc_escape_fit(p, s, max)) <= max, "escape_fit respects the limit");
    FUZZ_CHECK(!has_4byte(rv_strip_4byte(p, s)), "strip_4byte leaves no 4-byte sequence");
    FUZZ_CHECK(valid_utf8(p, rv_utf8_sanitize(p, s)), "sanitize gives valid UTF-8");
    apr_pool_destroy(p);
    return 0;
}
