/* rv_text.h: HTML entities, HTML -> plain text, OpenCart-style escaping and
 * UTF-8 helpers. All results are allocated from the pool; NULL input is
 * treated as "" and never returns NULL.
 *
 * OpenCart stores every posted text field through htmlspecialchars
 * (ENT_COMPAT): "O'Brien & Co" is stored as "O'Brien &amp; Co" and an HTML
 * description "<p>Hi</p>" as "&lt;p&gt;Hi&lt;/p&gt;".
 */
#ifndef RV_TEXT_H
#define RV_TEXT_H

#include <stddef.h>
#include <apr_pools.h>

/* Decodes HTML entities once: named (the HTML 4 set plus &apos; and the
 * upper-case AMP LT GT QUOT COPY REG), decimal &#233; and hex &#xE9;.
 * &nbsp; becomes a plain space (listing text has no use for U+00A0).
 * Entities need their ';': "&amp" and unknown "&foo;" stay as written.
 * &#128;..&#159; map to their Windows-1252 characters as HTML5 does
 * (&#146; -> U+2019). Code point 0, surrogates and values above
 * U+10FFFF become U+FFFD. */
char *rv_entity_decode(apr_pool_t *p, const char *s);

/* OpenCart's stored description -> plain text for Reverb:
 *  1. entities decoded once (stored form -> HTML), unless the text holds
 *     a raw '<': OpenCart never stores one, so that text is plain HTML
 *     written around OpenCart and is used as it is;
 *  2. <br> -> newline; </p> </div> </li> </h1..6> </tr> -> newline; block
 *     openings (p div li h1..6 tr ul ol table blockquote pre hr ...) start a
 *     new line; <li> -> "- "; </td> </th> -> space; <script>/<style>
 *     contents and comments dropped; every other tag stripped, attributes
 *     included (a '>' inside a quoted attribute does not end the tag);
 *  3. text between tags entity-decoded once more (the HTML's own
 *     entities: "&amp;amp;" stored -> "&amp;" in HTML -> "&" in text);
 *  4. newlines in the source are kept, except formatting newlines right
 *     after <br>, list and table tags ("<br />\r\n" is one break);
 *  5. rv_text_normalize().
 * Round trip: rv_html_to_text(rv_text_to_html(t)) == rv_text_normalize(t). */
char *rv_html_to_text(apr_pool_t *p, const char *html);

/* Plain-text normalisation shared by both directions: invalid UTF-8 ->
 * U+FFFD; \r\n and \r -> \n; tabs, other ASCII controls and U+00A0 ->
 * space; runs of spaces collapsed; each line trimmed; at most one blank
 * line in a row; leading/trailing blank lines removed. Compare descriptions
 * in this form. */
char *rv_text_normalize(apr_pool_t *p, const char *text);

/* One line: like rv_text_normalize but newlines become spaces too. */
char *rv_text_oneline(apr_pool_t *p, const char *text);

/* PHP htmlspecialchars(ENT_COMPAT): & < > " escaped, ' kept. Existing
 * entities are escaped again ("&amp;" -> "&amp;amp;"), as OpenCart does. */
char *rv_oc_escape(apr_pool_t *p, const char *s);

/* rv_oc_escape, then cut so the escaped result has at most max_chars
 * characters (MySQL varchar(N) counts characters) without splitting an
 * entity or a UTF-8 sequence; invalid UTF-8 becomes U+FFFD. */
char *rv_oc_escape_fit(apr_pool_t *p, const char *s, size_t max_chars);

/* Plain text (e.g. a description pulled from Reverb) -> the form OpenCart
 * stores: normalised, paragraphs (split at blank lines) as <p>..</p> joined
 * by "\n", single newlines as <br />, text HTML-escaped, and the whole
 * HTML escaped once more with rv_oc_escape. "" -> "". */
char *rv_text_to_html(apr_pool_t *p, const char *text);

/* At most max_chars code points; never splits a UTF-8 sequence (an invalid
 * byte counts as one character and is kept as is). */
char *rv_utf8_truncate(apr_pool_t *p, const char *s, size_t max_chars);

/* Removes 4-byte UTF-8 sequences (U+10000 and above: emoji) for utf8mb3
 * shops; invalid bytes become U+FFFD. */
char *rv_strip_4byte(apr_pool_t *p, const char *s);

/* Invalid UTF-8 bytes -> U+FFFD; valid text is returned unchanged. */
char *rv_utf8_sanitize(apr_pool_t *p, const char *s);

/* Number of code points (invalid bytes count one each). */
size_t rv_utf8_length(const char *s);

/* A 64-bit integer as decimal text, from the pool: the one int64-to-text
 * helper (statement arguments, JSON ids, counts in messages). */
const char *rv_i64(apr_pool_t *p, long long v);

#endif
