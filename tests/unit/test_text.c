/* test_text.c: entities, HTML -> text, escaping, UTF-8 helpers. */
#include "rv_test.h"
#include "rv_text.h"

#define DEC(s) rv_entity_decode(RV_POOL, (s))
#define H2T(s) rv_html_to_text(RV_POOL, (s))

static void test_entity_named(void **state)
{
    assert_string_equal(DEC("Fish &amp; Chips &lt;b&gt; &quot;q&quot; &apos;a&apos;"),
                        "Fish & Chips <b> \"q\" 'a'");
    assert_string_equal(DEC("caf&eacute; &uuml;ber ma&ntilde;ana Stra&szlig;e &Eacute;"),
                        "caf\xC3\xA9 \xC3\xBC" "ber ma\xC3\xB1" "ana Stra\xC3\x9F" "e \xC3\x89");
    assert_string_equal(DEC("&copy;&reg;&trade;&deg;&frac12;&frac14;&frac34;"),
                        "\xC2\xA9\xC2\xAE\xE2\x84\xA2\xC2\xB0\xC2\xBD\xC2\xBC\xC2\xBE");
    assert_string_equal(DEC("&hellip;&mdash;&ndash;&lsquo;&rsquo;&ldquo;&rdquo;&laquo;&raquo;"),
                        "\xE2\x80\xA6\xE2\x80\x94\xE2\x80\x93\xE2\x80\x98\xE2\x80\x99"
                        "\xE2\x80\x9C\xE2\x80\x9D\xC2\xAB\xC2\xBB");
    assert_string_equal(DEC("&euro;&pound;&yen;&cent;&times;&divide;&plusmn;&micro;&para;&sect;&middot;&bull;"),
                        "\xE2\x82\xAC\xC2\xA3\xC2\xA5\xC2\xA2\xC3\x97\xC3\xB7\xC2\xB1\xC2\xB5"
                        "\xC2\xB6\xC2\xA7\xC2\xB7\xE2\x80\xA2");
    assert_string_equal(DEC("a&nbsp;b"), "a b");           /* plain space for listing text */
    assert_string_equal(DEC("&AMP;&LT;&GT;"), "&<>");
}

static void test_entity_numeric(void **state)
{
    assert_string_equal(DEC("&#233;&#xE9;&#XE9;&#x00e9;"), "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
    assert_string_equal(DEC("&#x1F3B8;"), "\xF0\x9F\x8E\xB8");     /* guitar emoji */
    assert_string_equal(DEC("&#127928;"), "\xF0\x9F\x8E\xB8");
    assert_string_equal(DEC("&#0;"), "\xEF\xBF\xBD");
    assert_string_equal(DEC("&#xD800;"), "\xEF\xBF\xBD");          /* surrogate */
    assert_string_equal(DEC("&#x110000;"), "\xEF\xBF\xBD");
    assert_string_equal(DEC("&#99999999999999999999;"), "\xEF\xBF\xBD");
    assert_string_equal(DEC("&#146;"), "\xE2\x80\x99");             /* Windows-1252 quote */
    assert_string_equal(DEC("&#38;amp;"), "&amp;");                 /* one pass only */
}

static void test_entity_left_alone(void **state)
{
    assert_string_equal(DEC("&amp"), "&amp");                       /* unterminated */
    assert_string_equal(DEC("AT&T"), "AT&T");
    assert_string_equal(DEC("&foo; &; &#; &#x; &#xZZ; & amp;"), "&foo; &; &#; &#x; &#xZZ; & amp;");
    assert_string_equal(DEC("&#233"), "&#233");
    assert_string_equal(DEC("&amp;amp;"), "&amp;");                 /* decoded once */
    assert_string_equal(DEC("&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;"),
                        "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;");
    assert_string_equal(DEC("trailing &"), "trailing &");
    assert_string_equal(DEC(""), "");
    assert_string_equal(DEC(NULL), "");
    assert_string_equal(DEC("\xC3\xA9 \xF0\x9F\x8E\xB8 \xE4\xB8\xAD"), "\xC3\xA9 \xF0\x9F\x8E\xB8 \xE4\xB8\xAD");
}

static void test_html_opencart_seed(void **state)
{
    /* oc_product_description as OpenCart's seed stores it */
    assert_string_equal(H2T("&lt;p&gt;\r\n\tProduct 8&lt;/p&gt;\r\n"), "Product 8");
    assert_string_equal(H2T("&lt;p&gt;Hi&lt;/p&gt;"), "Hi");
    assert_string_equal(H2T("&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two&lt;/p&gt;"), "One\nTwo");
    assert_string_equal(H2T("&lt;p&gt;One&lt;/p&gt;\r\n&lt;p&gt;Two&lt;/p&gt;"), "One\n\nTwo");
}

static void test_html_entities_twice(void **state)
{
    /* stored "&amp;amp;" -> HTML "&amp;" -> text "&" */
    assert_string_equal(H2T("&lt;p&gt;Fish &amp;amp; Chips&lt;/p&gt;"), "Fish & Chips");
    /* an escaped tag in the HTML stays text */
    assert_string_equal(H2T("&lt;p&gt;use &amp;lt;b&amp;gt; here&lt;/p&gt;"), "use <b> here");
    assert_string_equal(H2T("&lt;p&gt;caf&amp;eacute; &amp;#x1F3B8;&lt;/p&gt;"), "caf\xC3\xA9 \xF0\x9F\x8E\xB8");
    assert_string_equal(H2T("a&amp;nbsp;&amp;nbsp;b"), "a b");
    /* raw HTML (a raw '<', which OpenCart never stores): not decoded first */
    assert_string_equal(H2T("<p>a &lt;b&gt; c &amp;amp;</p>"), "a <b> c &amp;");
}

static void test_html_breaks_and_lists(void **state)
{
    assert_string_equal(H2T("a<br>b<br/>c<BR />d"), "a\nb\nc\nd");
    assert_string_equal(H2T("line1<br />\r\nline2"), "line1\nline2");     /* one break, not two */
    assert_string_equal(H2T("<ul>\r\n<li>one</li>\r\n<li>two</li>\r\n</ul>after"), "- one\n- two\nafter");
    assert_string_equal(H2T("<ol><li>a<li>b</ol>"), "- a\n- b");
    assert_string_equal(H2T("<h2>Title</h2>Body"), "Title\nBody");
    assert_string_equal(H2T("x<div>y</div>z"), "x\ny\nz");
    assert_string_equal(H2T("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"), "a b\nc");
    assert_string_equal(H2T("a<br><br><br><br>b"), "a\n\nb");          /* at most one blank line */
}

static void test_html_nested_and_attributes(void **state)
{
    assert_string_equal(H2T("<div class=\"x\"><div><p><strong>Bold <em>it</em></strong> text</p></div></div>"),
                        "Bold it text");
    assert_string_equal(H2T("<a href=\"x\" title=\"a > b\">link</a> after"), "link after");
    assert_string_equal(H2T("<img alt='1 > 2' src=x>ok"), "ok");
    assert_string_equal(H2T("<span data-x = \"<p>\">in</span>"), "in");
    assert_string_equal(H2T("<img alt=Don't>ok"), "ok");                   /* unquoted value */
    assert_string_equal(H2T("a < b and c > d"), "a < b and c > d");
    assert_string_equal(H2T("x <3 y"), "x <3 y");
    assert_string_equal(H2T("before<!-- <p>hidden</p> -->after"), "beforeafter");
    assert_string_equal(H2T("<!DOCTYPE html><?xml x?>text"), "text");
    assert_string_equal(H2T("cut <a href=\"never closed"), "cut");
}

static void test_html_script_style(void **state)
{
    assert_string_equal(H2T("a<script>var x = '<p>no</p>';</script>b"), "ab");
    assert_string_equal(H2T("a<SCRIPT type=\"t\">x</ScRiPt >b"), "ab");
    assert_string_equal(H2T("a<style>p { color: red }</style>b"), "ab");
    assert_string_equal(H2T("a<script>never closed"), "a");
    assert_string_equal(H2T("a<script>x</scripts></script>b"), "ab");
    assert_string_equal(H2T("a<script/>b"), "ab");
}

static void test_html_whitespace(void **state)
{
    assert_string_equal(H2T("  a \t\t b  \r\n  c  "), "a b\nc");
    assert_string_equal(H2T("a\rb"), "a\nb");
    assert_string_equal(H2T("a\n\n\n\nb"), "a\n\nb");
    assert_string_equal(H2T("a\xC2\xA0\xC2\xA0" "b"), "a b");            /* literal U+00A0 */
    assert_string_equal(H2T("\n\n  \n"), "");
    assert_string_equal(H2T(""), "");
    assert_string_equal(H2T(NULL), "");
    assert_string_equal(H2T("<p></p><br>"), "");
}

static void test_html_utf8(void **state)
{
    assert_string_equal(H2T("<p>caf\xC3\xA9 \xF0\x9F\x8E\xB8 \xE4\xB8\xAD\xE6\x96\x87</p>"),
                        "caf\xC3\xA9 \xF0\x9F\x8E\xB8 \xE4\xB8\xAD\xE6\x96\x87");
    assert_string_equal(H2T("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
}

static void test_oc_escape(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_oc_escape(p, "O'Brien & Co <x> \"q\""),
                        "O'Brien &amp; Co &lt;x&gt; &quot;q&quot;");
    assert_string_equal(rv_oc_escape(p, "&amp;"), "&amp;amp;");           /* double encode, as PHP */
    assert_string_equal(rv_oc_escape(p, ""), "");
    assert_string_equal(rv_oc_escape(p, NULL), "");
    /* decode(escape(s)) == s */
    assert_string_equal(DEC(rv_oc_escape(p, "a&amp;b &lt; &#233; &")), "a&amp;b &lt; &#233; &");
}

static void test_oc_escape_fit(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_oc_escape_fit(p, "O'Brien & Co", 32), "O'Brien &amp; Co");
    assert_string_equal(rv_oc_escape_fit(p, "ab&cd", 4), "ab");         /* never half an entity */
    assert_string_equal(rv_oc_escape_fit(p, "ab&cd", 7), "ab&amp;");
    assert_string_equal(rv_oc_escape_fit(p, "\xC3\xA9\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xC3\xA9");
    assert_string_equal(rv_oc_escape_fit(p, "a\xFF", 5), "a\xEF\xBF\xBD");
    assert_string_equal(rv_oc_escape_fit(p, "abc", 0), "");
}

static void test_text_to_html(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_text_to_html(p, "Hi"), "&lt;p&gt;Hi&lt;/p&gt;");
    assert_string_equal(rv_text_to_html(p, "a\nb\n\nFish & Chips <3"),
                        "&lt;p&gt;a&lt;br /&gt;b&lt;/p&gt;\n&lt;p&gt;Fish &amp;amp; Chips &amp;lt;3&lt;/p&gt;");
    assert_string_equal(rv_text_to_html(p, "  \n "), "");
    assert_string_equal(rv_text_to_html(p, NULL), "");
}

static void test_round_trip(void **state)
{
    static const char *texts[] = {
        "Hi", "a\nb", "a\n\nb", "  a  \n\n\n\n  b  ", "Fish & Chips <b>not bold</b> \"q\" 'a'",
        "- item\n- item 2", "&amp; &#233; &nbsp; literal", "caf\xC3\xA9 \xF0\x9F\x8E\xB8 \xE4\xB8\xAD",
        "<!-- not a comment -->", "tab\there\r\nwindows\rmac", ("a\xC2\xA0" "b"), ""
    };
    size_t i;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *want = rv_text_normalize(RV_POOL, texts[i]);
        const char *got = H2T(rv_text_to_html(RV_POOL, texts[i]));
        if (strcmp(want, got))
            fail_msg("round trip of '%s': want '%s' got '%s'", texts[i], want, got);
    }
}

static void test_normalize_and_oneline(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_text_normalize(p, " a\t\x01 b \n\n\n c \n"), "a b\n\nc");
    assert_string_equal(rv_text_oneline(p, "  Fender \n Stratocaster\t '62 "), "Fender Stratocaster '62");
    assert_string_equal(rv_text_oneline(p, NULL), "");
}

static void test_utf8_truncate(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_utf8_truncate(p, "abc", 2), "ab");
    assert_string_equal(rv_utf8_truncate(p, "abc", 10), "abc");
    assert_string_equal(rv_utf8_truncate(p, "\xC3\xA9\xF0\x9F\x8E\xB8z", 2), "\xC3\xA9\xF0\x9F\x8E\xB8");
    assert_string_equal(rv_utf8_truncate(p, "\xE4\xB8\xAD\xE6\x96\x87", 1), "\xE4\xB8\xAD");
    assert_string_equal(rv_utf8_truncate(p, "\xF0\x9F\x8E", 1), "\xF0");   /* cut sequence: byte by byte */
    assert_string_equal(rv_utf8_truncate(p, "", 3), "");
    assert_string_equal(rv_utf8_truncate(p, "abc", 0), "");
    assert_int_equal(rv_utf8_length("a\xC3\xA9\xF0\x9F\x8E\xB8\xFF"), 4);
}

static void test_strip_4byte_and_sanitize(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_strip_4byte(p, "Guitar \xF0\x9F\x8E\xB8 caf\xC3\xA9 \xE4\xB8\xAD"),
                        "Guitar  caf\xC3\xA9 \xE4\xB8\xAD");
    assert_string_equal(rv_strip_4byte(p, "x\xF0\x9F"), "x\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(rv_utf8_sanitize(p, "ok \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80"),
                        "ok \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(rv_utf8_sanitize(p, "\xC3\xA9"), "\xC3\xA9");
}

static void test_i64(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_i64(p, 0), "0");
    assert_string_equal(rv_i64(p, -42), "-42");
    assert_string_equal(rv_i64(p, 4294967296LL), "4294967296");
    assert_string_equal(rv_i64(p, 9223372036854775807LL), "9223372036854775807");
    assert_string_equal(rv_i64(p, -9223372036854775807LL - 1), "-9223372036854775808");
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_i64),
    RV_TEST(test_entity_named),
    RV_TEST(test_entity_numeric),
    RV_TEST(test_entity_left_alone),
    RV_TEST(test_html_opencart_seed),
    RV_TEST(test_html_entities_twice),
    RV_TEST(test_html_breaks_and_lists),
    RV_TEST(test_html_nested_and_attributes),
    RV_TEST(test_html_script_style),
    RV_TEST(test_html_whitespace),
    RV_TEST(test_html_utf8),
    RV_TEST(test_oc_escape),
    RV_TEST(test_oc_escape_fit),
    RV_TEST(test_text_to_html),
    RV_TEST(test_round_trip),
    RV_TEST(test_normalize_and_oneline),
    RV_TEST(test_utf8_truncate),
    RV_TEST(test_strip_4byte_and_sanitize),
};
RV_TEST_MAIN("rv_text", tests)
