/* rv_text.c: see rv_text.h. */
#include "rv_text.h"

#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

/* ---------------------------------------------------------------- buffer */

/* A string that grows inside a pool (old blocks stay until the pool goes,
 * at most doubling the memory used). Always NUL-terminated. */
typedef struct {
    apr_pool_t *p;
    char *buf;
    size_t len, cap;
} rv_sb_t;

static void sb_init(rv_sb_t *b, apr_pool_t *p, size_t hint)
{
    b->p = p;
    b->cap = hint < 32 ? 32 : hint + 1;
    b->buf = apr_palloc(p, b->cap);
    b->len = 0;
    b->buf[0] = '\0';
}

static void sb_putn(rv_sb_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap * 2;
        char *bigger;
        while (cap < b->len + n + 1)
            cap *= 2;
        bigger = apr_palloc(b->p, cap);
        memcpy(bigger, b->buf, b->len);
        b->buf = bigger;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void sb_puts(rv_sb_t *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void sb_putc(rv_sb_t *b, char c)
{
    sb_putn(b, &c, 1);
}

static char sb_last(const rv_sb_t *b)
{
    return b->len ? b->buf[b->len - 1] : '\0';
}

static void sb_put_cp(rv_sb_t *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        u[0] = (char)cp;
        sb_putn(b, u, 1);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        sb_putn(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        sb_putn(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        sb_putn(b, u, 4);
    }
}

#define RV_REPLACEMENT "\xEF\xBF\xBD"   /* U+FFFD */

/* ------------------------------------------------------------------ UTF-8 */

static int rv_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Length (1..4) of the valid UTF-8 sequence at s and its code point, or 0
 * when s starts an invalid one (overlong, surrogate, > U+10FFFF, cut).
 * Stops at a NUL byte, so it never reads past the string. */
static size_t rv_utf8_seq(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0], v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (!rv_cont(s[1]))
            return 0;
        *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (!rv_cont(s[1]) || !rv_cont(s[2]))
            return 0;
        v = ((c & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3F);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *cp = v;
        return 3;
    }
    if (c < 0xF5) {
        if (!rv_cont(s[1]) || !rv_cont(s[2]) || !rv_cont(s[3]))
            return 0;
        v = ((c & 0x07) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3F);
        if (v < 0x10000 || v > 0x10FFFF)
            return 0;
        *cp = v;
        return 4;
    }
    return 0;
}

char *rv_utf8_sanitize(apr_pool_t *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    rv_sb_t b;
    unsigned cp;
    sb_init(&b, p, strlen((const char *)u));
    while (*u) {
        size_t n = rv_utf8_seq(u, &cp);
        if (n) {
            sb_putn(&b, (const char *)u, n);
            u += n;
        } else {
            sb_puts(&b, RV_REPLACEMENT);
            u++;
        }
    }
    return b.buf;
}

size_t rv_utf8_length(const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t count = 0;
    unsigned cp;
    while (*u) {
        size_t n = rv_utf8_seq(u, &cp);
        u += n ? n : 1;
        count++;
    }
    return count;
}

char *rv_utf8_truncate(apr_pool_t *p, const char *s, size_t max_chars)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    const unsigned char *start = u;
    size_t count = 0;
    unsigned cp;
    while (*u && count < max_chars) {
        size_t n = rv_utf8_seq(u, &cp);
        u += n ? n : 1;
        count++;
    }
    return apr_pstrndup(p, (const char *)start, (size_t)(u - start));
}

char *rv_strip_4byte(apr_pool_t *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    rv_sb_t b;
    unsigned cp;
    sb_init(&b, p, strlen((const char *)u));
    while (*u) {
        size_t n = rv_utf8_seq(u, &cp);
        if (!n) {
            sb_puts(&b, RV_REPLACEMENT);
            u++;
            continue;
        }
        if (n < 4)
            sb_putn(&b, (const char *)u, n);
        u += n;
    }
    return b.buf;
}

/* --------------------------------------------------------------- entities */

typedef struct {
    const char *name;
    unsigned cp;
} rv_entity_t;

/* HTML 4 named entities plus apos and a few upper-case aliases, sorted
 * bytewise for bsearch. nbsp deliberately maps to a plain space. */
static const rv_entity_t rv_entities[] = {
    {"AElig", 0xC6}, {"AMP", 0x26}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Agrave", 0xC0},
    {"Alpha", 0x391}, {"Aring", 0xC5}, {"Atilde", 0xC3}, {"Auml", 0xC4}, {"Beta", 0x392},
    {"COPY", 0xA9}, {"Ccedil", 0xC7}, {"Chi", 0x3A7}, {"Dagger", 0x2021}, {"Delta", 0x394},
    {"ETH", 0xD0}, {"Eacute", 0xC9}, {"Ecirc", 0xCA}, {"Egrave", 0xC8}, {"Epsilon", 0x395},
    {"Eta", 0x397}, {"Euml", 0xCB}, {"GT", 0x3E}, {"Gamma", 0x393}, {"Iacute", 0xCD},
    {"Icirc", 0xCE}, {"Igrave", 0xCC}, {"Iota", 0x399}, {"Iuml", 0xCF}, {"Kappa", 0x39A},
    {"LT", 0x3C}, {"Lambda", 0x39B}, {"Mu", 0x39C}, {"Ntilde", 0xD1}, {"Nu", 0x39D},
    {"OElig", 0x152}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Ograve", 0xD2}, {"Omega", 0x3A9},
    {"Omicron", 0x39F}, {"Oslash", 0xD8}, {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"Phi", 0x3A6},
    {"Pi", 0x3A0}, {"Prime", 0x2033}, {"Psi", 0x3A8}, {"QUOT", 0x22}, {"REG", 0xAE},
    {"Rho", 0x3A1}, {"Scaron", 0x160}, {"Sigma", 0x3A3}, {"THORN", 0xDE}, {"Tau", 0x3A4},
    {"Theta", 0x398}, {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Ugrave", 0xD9}, {"Upsilon", 0x3A5},
    {"Uuml", 0xDC}, {"Xi", 0x39E}, {"Yacute", 0xDD}, {"Yuml", 0x178}, {"Zeta", 0x396},
    {"aacute", 0xE1}, {"acirc", 0xE2}, {"acute", 0xB4}, {"aelig", 0xE6}, {"agrave", 0xE0},
    {"alefsym", 0x2135}, {"alpha", 0x3B1}, {"amp", 0x26}, {"and", 0x2227}, {"ang", 0x2220},
    {"apos", 0x27}, {"aring", 0xE5}, {"asymp", 0x2248}, {"atilde", 0xE3}, {"auml", 0xE4},
    {"bdquo", 0x201E}, {"beta", 0x3B2}, {"brvbar", 0xA6}, {"bull", 0x2022}, {"cap", 0x2229},
    {"ccedil", 0xE7}, {"cedil", 0xB8}, {"cent", 0xA2}, {"chi", 0x3C7}, {"circ", 0x2C6},
    {"clubs", 0x2663}, {"cong", 0x2245}, {"copy", 0xA9}, {"crarr", 0x21B5}, {"cup", 0x222A},
    {"curren", 0xA4}, {"dArr", 0x21D3}, {"dagger", 0x2020}, {"darr", 0x2193}, {"deg", 0xB0},
    {"delta", 0x3B4}, {"diams", 0x2666}, {"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA},
    {"egrave", 0xE8}, {"empty", 0x2205}, {"emsp", 0x2003}, {"ensp", 0x2002}, {"epsilon", 0x3B5},
    {"equiv", 0x2261}, {"eta", 0x3B7}, {"eth", 0xF0}, {"euml", 0xEB}, {"euro", 0x20AC},
    {"exist", 0x2203}, {"fnof", 0x192}, {"forall", 0x2200}, {"frac12", 0xBD}, {"frac14", 0xBC},
    {"frac34", 0xBE}, {"frasl", 0x2044}, {"gamma", 0x3B3}, {"ge", 0x2265}, {"gt", 0x3E},
    {"hArr", 0x21D4}, {"harr", 0x2194}, {"hearts", 0x2665}, {"hellip", 0x2026},
    {"iacute", 0xED}, {"icirc", 0xEE}, {"iexcl", 0xA1}, {"igrave", 0xEC}, {"image", 0x2111},
    {"infin", 0x221E}, {"int", 0x222B}, {"iota", 0x3B9}, {"iquest", 0xBF}, {"isin", 0x2208},
    {"iuml", 0xEF}, {"kappa", 0x3BA}, {"lArr", 0x21D0}, {"lambda", 0x3BB}, {"lang", 0x2329},
    {"laquo", 0xAB}, {"larr", 0x2190}, {"lceil", 0x2308}, {"ldquo", 0x201C}, {"le", 0x2264},
    {"lfloor", 0x230A}, {"lowast", 0x2217}, {"loz", 0x25CA}, {"lrm", 0x200E},
    {"lsaquo", 0x2039}, {"lsquo", 0x2018}, {"lt", 0x3C}, {"macr", 0xAF}, {"mdash", 0x2014},
    {"micro", 0xB5}, {"middot", 0xB7}, {"minus", 0x2212}, {"mu", 0x3BC}, {"nabla", 0x2207},
    {"nbsp", 0x20}, {"ndash", 0x2013}, {"ne", 0x2260}, {"ni", 0x220B}, {"not", 0xAC},
    {"notin", 0x2209}, {"nsub", 0x2284}, {"ntilde", 0xF1}, {"nu", 0x3BD}, {"oacute", 0xF3},
    {"ocirc", 0xF4}, {"oelig", 0x153}, {"ograve", 0xF2}, {"oline", 0x203E}, {"omega", 0x3C9},
    {"omicron", 0x3BF}, {"oplus", 0x2295}, {"or", 0x2228}, {"ordf", 0xAA}, {"ordm", 0xBA},
    {"oslash", 0xF8}, {"otilde", 0xF5}, {"otimes", 0x2297}, {"ouml", 0xF6}, {"para", 0xB6},
    {"part", 0x2202}, {"permil", 0x2030}, {"perp", 0x22A5}, {"phi", 0x3C6}, {"pi", 0x3C0},
    {"piv", 0x3D6}, {"plusmn", 0xB1}, {"pound", 0xA3}, {"prime", 0x2032}, {"prod", 0x220F},
    {"prop", 0x221D}, {"psi", 0x3C8}, {"quot", 0x22}, {"rArr", 0x21D2}, {"radic", 0x221A},
    {"rang", 0x232A}, {"raquo", 0xBB}, {"rarr", 0x2192}, {"rceil", 0x2309}, {"rdquo", 0x201D},
    {"real", 0x211C}, {"reg", 0xAE}, {"rfloor", 0x230B}, {"rho", 0x3C1}, {"rlm", 0x200F},
    {"rsaquo", 0x203A}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"scaron", 0x161},
    {"sdot", 0x22C5}, {"sect", 0xA7}, {"shy", 0xAD}, {"sigma", 0x3C3}, {"sigmaf", 0x3C2},
    {"sim", 0x223C}, {"spades", 0x2660}, {"sub", 0x2282}, {"sube", 0x2286}, {"sum", 0x2211},
    {"sup", 0x2283}, {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3}, {"supe", 0x2287},
    {"szlig", 0xDF}, {"tau", 0x3C4}, {"there4", 0x2234}, {"theta", 0x3B8}, {"thetasym", 0x3D1},
    {"thinsp", 0x2009}, {"thorn", 0xFE}, {"tilde", 0x2DC}, {"times", 0xD7}, {"trade", 0x2122},
    {"uArr", 0x21D1}, {"uacute", 0xFA}, {"uarr", 0x2191}, {"ucirc", 0xFB}, {"ugrave", 0xF9},
    {"uml", 0xA8}, {"upsih", 0x3D2}, {"upsilon", 0x3C5}, {"uuml", 0xFC}, {"weierp", 0x2118},
    {"xi", 0x3BE}, {"yacute", 0xFD}, {"yen", 0xA5}, {"yuml", 0xFF}, {"zeta", 0x3B6},
    {"zwj", 0x200D}, {"zwnj", 0x200C},
};

/* HTML5: numeric references 0x80..0x9F mean Windows-1252 characters. */
static const unsigned short rv_cp1252[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

static int rv_entity_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const rv_entity_t *)elem)->name);
}

static int rv_ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int rv_digit_value(char c, int hex)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (hex && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static unsigned rv_fix_code_point(unsigned long v)
{
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0xFFFD;
    if (v >= 0x80 && v <= 0x9F && rv_cp1252[v - 0x80])
        return rv_cp1252[v - 0x80];
    return (unsigned)v;
}

/* s[0..n) starts with "&#". Returns bytes consumed, or 0 if not an entity. */
static size_t rv_numeric_entity(const char *s, size_t n, unsigned *cp)
{
    size_t i = 2, digits = 0;
    unsigned long v = 0;
    int hex = 0, d;
    if (i < n && (s[i] == 'x' || s[i] == 'X')) {
        hex = 1;
        i++;
    }
    for (; i < n && (d = rv_digit_value(s[i], hex)) >= 0; i++, digits++)
        if (v <= 0x10FFFF)              /* saturate: anything bigger is invalid anyway */
            v = v * (hex ? 16 : 10) + (unsigned long)d;
    if (!digits || i >= n || s[i] != ';')
        return 0;
    *cp = rv_fix_code_point(v);
    return i + 1;
}

/* s[0..n) starts with '&'. Returns bytes consumed, or 0 if unknown. */
static size_t rv_named_entity(const char *s, size_t n, unsigned *cp)
{
    char name[32];
    size_t i = 1;
    const rv_entity_t *e;
    while (i < n && i < sizeof(name) && rv_ascii_alnum(s[i]))
        i++;
    if (i == 1 || i >= n || s[i] != ';')
        return 0;
    memcpy(name, s + 1, i - 1);
    name[i - 1] = '\0';
    e = bsearch(name, rv_entities, sizeof(rv_entities) / sizeof(rv_entities[0]),
                sizeof(rv_entities[0]), rv_entity_cmp);
    if (!e)
        return 0;
    *cp = e->cp;
    return i + 1;
}

static void rv_decode_into(rv_sb_t *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i, used;
        unsigned cp = 0;
        while (i < n && s[i] != '&')
            i++;
        sb_putn(out, s + start, i - start);
        if (i >= n)
            break;
        if (i + 1 < n && s[i + 1] == '#')
            used = rv_numeric_entity(s + i, n - i, &cp);
        else
            used = rv_named_entity(s + i, n - i, &cp);
        if (used) {
            sb_put_cp(out, cp);
            i += used;
        } else {
            sb_putc(out, '&');
            i++;
        }
    }
}

char *rv_entity_decode(apr_pool_t *p, const char *s)
{
    rv_sb_t b;
    size_t n;
    s = s ? s : "";
    n = strlen(s);
    sb_init(&b, p, n);
    rv_decode_into(&b, s, n);
    return b.buf;
}

/* --------------------------------------------------------------- escaping */

static const char *rv_escape_of(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    default: return NULL;
    }
}

char *rv_oc_escape(apr_pool_t *p, const char *s)
{
    rv_sb_t b;
    s = s ? s : "";
    sb_init(&b, p, strlen(s) + 16);
    for (; *s; s++) {
        const char *e = rv_escape_of(*s);
        if (e)
            sb_puts(&b, e);
        else
            sb_putc(&b, *s);
    }
    return b.buf;
}

char *rv_oc_escape_fit(apr_pool_t *p, const char *s, size_t max_chars)
{
    const unsigned char *u = (const unsigned char *)rv_utf8_sanitize(p, s);
    size_t chars = 0;
    unsigned cp;
    rv_sb_t b;
    sb_init(&b, p, max_chars);
    while (*u) {
        const char *e = rv_escape_of((char)*u);
        size_t n = rv_utf8_seq(u, &cp);
        size_t width = e ? strlen(e) : 1;
        if (chars + width > max_chars)
            break;
        if (e)
            sb_puts(&b, e);
        else
            sb_putn(&b, (const char *)u, n);
        chars += width;
        u += n;
    }
    return b.buf;
}

/* ---------------------------------------------------------- normalisation */

typedef enum { RV_CH_VISIBLE, RV_CH_SPACE, RV_CH_NEWLINE } rv_char_class_t;

static rv_char_class_t rv_classify(const unsigned char *u, size_t n, unsigned cp)
{
    if (n == 1 && (*u == '\n' || *u == '\r'))
        return RV_CH_NEWLINE;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0))
        return RV_CH_SPACE;    /* tabs, controls, C1 controls and U+00A0 */
    if (cp == ' ')
        return RV_CH_SPACE;
    return RV_CH_VISIBLE;
}

static char *rv_normalize(apr_pool_t *p, const char *text, int oneline)
{
    const unsigned char *u = (const unsigned char *)rv_utf8_sanitize(p, text);
    int pending_space = 0, pending_newlines = 0;
    unsigned cp;
    rv_sb_t b;
    sb_init(&b, p, strlen((const char *)u));
    while (*u) {
        size_t n = rv_utf8_seq(u, &cp);
        rv_char_class_t cls = rv_classify(u, n, cp);
        if (cls == RV_CH_NEWLINE && u[0] == '\r' && u[1] == '\n')
            n = 2;
        if (cls == RV_CH_NEWLINE && oneline)
            cls = RV_CH_SPACE;
        if (cls == RV_CH_NEWLINE) {
            pending_newlines += pending_newlines < 2;
            pending_space = 0;             /* trailing spaces of the line go */
        } else if (cls == RV_CH_SPACE) {
            pending_space = 1;
        } else {
            if (b.len && pending_newlines)
                sb_putn(&b, "\n\n", (size_t)pending_newlines);
            else if (b.len && pending_space)
                sb_putc(&b, ' ');
            pending_newlines = pending_space = 0;
            sb_putn(&b, (const char *)u, n);
        }
        u += n;
    }
    return b.buf;
}

char *rv_text_normalize(apr_pool_t *p, const char *text)
{
    return rv_normalize(p, text, 0);
}

char *rv_text_oneline(apr_pool_t *p, const char *text)
{
    return rv_normalize(p, text, 1);
}

/* ----------------------------------------------------------- text -> HTML */

char *rv_text_to_html(apr_pool_t *p, const char *text)
{
    const char *s = rv_text_normalize(p, text);
    rv_sb_t html;
    if (!*s)
        return apr_pstrdup(p, "");
    sb_init(&html, p, strlen(s) + 32);
    sb_puts(&html, "<p>");
    for (; *s; s++) {
        const char *e = rv_escape_of(*s);
        if (*s == '\n' && s[1] == '\n') {
            sb_puts(&html, "</p>\n<p>");
            s++;
        } else if (*s == '\n') {
            sb_puts(&html, "<br />");
        } else if (e) {
            sb_puts(&html, e);
        } else {
            sb_putc(&html, *s);
        }
    }
    sb_puts(&html, "</p>");
    return rv_oc_escape(p, html.buf);
}

/* ----------------------------------------------------------- HTML -> text */

typedef struct {
    rv_sb_t out;
    int eat_newline;   /* after <br>, list and table tags: source newline is formatting */
} rv_h2t_t;

typedef enum {
    RV_TAG_INLINE,     /* stripped, nothing else */
    RV_TAG_BR,
    RV_TAG_LI,
    RV_TAG_BLOCK,      /* p div h1..6: opening starts a line, closing ends one */
    RV_TAG_ROW,        /* tr: like BLOCK, tight */
    RV_TAG_CELL,       /* td th: closing adds a space, tight */
    RV_TAG_LIST,       /* ul ol table ...: own line, tight */
    RV_TAG_SECTION,    /* blockquote pre hr ...: own line */
    RV_TAG_RAW         /* script style: contents dropped */
} rv_tag_kind_t;

typedef struct {
    const char *name;
    rv_tag_kind_t kind;
} rv_tag_t;

static const rv_tag_t rv_tags[] = {
    {"br", RV_TAG_BR}, {"li", RV_TAG_LI},
    {"p", RV_TAG_BLOCK}, {"div", RV_TAG_BLOCK}, {"h1", RV_TAG_BLOCK}, {"h2", RV_TAG_BLOCK},
    {"h3", RV_TAG_BLOCK}, {"h4", RV_TAG_BLOCK}, {"h5", RV_TAG_BLOCK}, {"h6", RV_TAG_BLOCK},
    {"dt", RV_TAG_BLOCK}, {"dd", RV_TAG_BLOCK},
    {"tr", RV_TAG_ROW}, {"td", RV_TAG_CELL}, {"th", RV_TAG_CELL},
    {"ul", RV_TAG_LIST}, {"ol", RV_TAG_LIST}, {"dl", RV_TAG_LIST}, {"table", RV_TAG_LIST},
    {"tbody", RV_TAG_LIST}, {"thead", RV_TAG_LIST}, {"tfoot", RV_TAG_LIST},
    {"blockquote", RV_TAG_SECTION}, {"pre", RV_TAG_SECTION}, {"hr", RV_TAG_SECTION},
    {"section", RV_TAG_SECTION}, {"article", RV_TAG_SECTION}, {"header", RV_TAG_SECTION},
    {"footer", RV_TAG_SECTION}, {"address", RV_TAG_SECTION}, {"figure", RV_TAG_SECTION},
    {"figcaption", RV_TAG_SECTION}, {"center", RV_TAG_SECTION}, {"form", RV_TAG_SECTION},
    {"nav", RV_TAG_SECTION}, {"aside", RV_TAG_SECTION}, {"main", RV_TAG_SECTION},
    {"script", RV_TAG_RAW}, {"style", RV_TAG_RAW}
};

static rv_tag_kind_t rv_tag_kind(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof(rv_tags) / sizeof(rv_tags[0]); i++)
        if (!strcmp(rv_tags[i].name, name))
            return rv_tags[i].kind;
    return RV_TAG_INLINE;
}

static int rv_ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char rv_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void rv_new_line(rv_h2t_t *st)
{
    if (st->out.len && sb_last(&st->out) != '\n')
        sb_putc(&st->out, '\n');
}

static void rv_tag_effect(rv_h2t_t *st, rv_tag_kind_t kind, int closing)
{
    switch (kind) {
    case RV_TAG_INLINE:
    case RV_TAG_RAW:
        return;                             /* keeps eat_newline as it was */
    case RV_TAG_BR:
        sb_putc(&st->out, '\n');
        break;
    case RV_TAG_LI:
        if (closing) {
            sb_putc(&st->out, '\n');
        } else {
            rv_new_line(st);
            sb_puts(&st->out, "- ");
        }
        break;
    case RV_TAG_BLOCK:
    case RV_TAG_ROW:
        if (closing)
            sb_putc(&st->out, '\n');
        else
            rv_new_line(st);
        break;
    case RV_TAG_CELL:
        if (closing)
            sb_putc(&st->out, ' ');
        break;
    case RV_TAG_LIST:
    case RV_TAG_SECTION:
        rv_new_line(st);
        break;
    }
    st->eat_newline = kind != RV_TAG_BLOCK && kind != RV_TAG_SECTION;
}

/* Skips a tag's attributes from s[j]; a quoted value after '=' may hold
 * '>'. Returns the index after '>', or n when the tag never ends. */
static size_t rv_skip_attributes(const char *s, size_t n, size_t j, int *self_closing)
{
    while (j < n) {
        char c = s[j];
        if (c == '>')
            return j + 1;
        if (c == '/' && j + 1 < n && s[j + 1] == '>')
            *self_closing = 1;
        j++;
        if (c != '=')
            continue;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
            j++;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            const char *close = memchr(s + j + 1, s[j], n - j - 1);
            if (!close)
                return n;
            j = (size_t)(close - s) + 1;
        }
    }
    return n;
}

/* Where the raw text of <script>/<style> ends: at "</name" (any case)
 * followed by something that cannot continue the name. */
static size_t rv_raw_text_end(const char *s, size_t n, size_t j, const char *name)
{
    size_t len = strlen(name);
    for (; j + 2 + len <= n; j++) {
        size_t k;
        if (s[j] != '<' || s[j + 1] != '/')
            continue;
        for (k = 0; k < len && rv_lower(s[j + 2 + k]) == name[k]; k++)
            ;
        if (k == len && (j + 2 + len == n || !rv_ascii_alnum(s[j + 2 + len])))
            return j;
    }
    return n;
}

static size_t rv_find(const char *s, size_t n, size_t from, const char *needle)
{
    size_t len = strlen(needle);
    for (; from + len <= n; from++)
        if (!memcmp(s + from, needle, len))
            return from;
    return n;
}

/* s[i] == '<'. Handles comments, declarations and tags; returns the index
 * after them, or 0 when this '<' is plain text ("a < b"). */
static size_t rv_markup(rv_h2t_t *st, const char *s, size_t n, size_t i)
{
    char name[16];
    size_t j = i + 1, len = 0, end;
    int closing = 0, self_closing = 0, too_long = 0;
    rv_tag_kind_t kind;

    if (n - i >= 4 && !memcmp(s + i, "<!--", 4)) {
        end = rv_find(s, n, i + 4, "-->");
        return end < n ? end + 3 : n;
    }
    if (j < n && (s[j] == '!' || s[j] == '?')) {
        const char *gt = memchr(s + j, '>', n - j);
        return gt ? (size_t)(gt - s) + 1 : n;
    }
    if (j < n && s[j] == '/') {
        closing = 1;
        j++;
    }
    if (j >= n || !rv_ascii_alpha(s[j]))
        return 0;
    for (; j < n && rv_ascii_alnum(s[j]); j++) {
        if (len < sizeof(name) - 1)
            name[len++] = rv_lower(s[j]);
        else
            too_long = 1;
    }
    name[too_long ? 0 : len] = '\0';
    end = rv_skip_attributes(s, n, j, &self_closing);
    kind = rv_tag_kind(name);
    rv_tag_effect(st, kind, closing);
    if (kind == RV_TAG_RAW && !closing && !self_closing)
        end = rv_raw_text_end(s, n, end, name);
    return end;
}

static void rv_text_run(rv_h2t_t *st, const char *s, size_t n)
{
    size_t i = 0;
    if (st->eat_newline) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
            i += 2;
        else if (i < n && (s[i] == '\r' || s[i] == '\n'))
            i++;
        st->eat_newline = 0;
    }
    rv_decode_into(&st->out, s + i, n - i);
}

char *rv_html_to_text(apr_pool_t *p, const char *html)
{
    /* OpenCart's htmlspecialchars never leaves a raw '<': a description
     * holding one was written around OpenCart (SQL import, another
     * extension) as plain HTML, and decoding it first would turn its own
     * "&lt;" text into tags. */
    const char *s = (html && strchr(html, '<')) ? html : rv_entity_decode(p, html);
    size_t n = strlen(s), i = 0;
    rv_h2t_t st;
    sb_init(&st.out, p, n);
    st.eat_newline = 0;
    while (i < n) {
        size_t k = i;
        if (s[i] == '<') {
            size_t next = rv_markup(&st, s, n, i);
            if (next) {
                i = next;
                continue;
            }
            k++;                              /* a literal '<' */
        }
        while (k < n && s[k] != '<')
            k++;
        rv_text_run(&st, s + i, k - i);
        i = k;
    }
    return rv_text_normalize(p, st.out.buf);
}

const char *rv_i64(apr_pool_t *p, long long v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)v);
}
