/* gs_charset.c -- deciding a page's charset and converting it to UTF-8.
 *
 * Chinese government sites are old and mixed: GBK pages under a server that says
 * "charset=utf-8", UTF-8 pages whose template still says gb2312, Apache's default
 * "ISO-8859-1" on pages that are GBK. So a declaration is taken only when the bytes do
 * not contradict it, a Latin-1 header gives way to better evidence, and detection
 * (strict UTF-8 check, then uchardet) settles the rest. Conversion goes through iconv
 * and never loses the rest of a page to one bad byte: invalid input becomes U+FFFD. */
#include "gs_charset.h"
#include "gs_err.h"
#include "gs_word.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uchardet/uchardet.h>

/* How far into the body a <meta> declaration is looked for. */
#define GS_CHARSET_META_SCAN 4096
/* How much of the body the UTF-8 check and uchardet look at. */
#define GS_CHARSET_SAMPLE ((size_t)64 * 1024)
/* Multibyte sequences a valid-UTF-8 sample must hold to overrule a declaration of some
 * other charset. A random GBK character is valid UTF-8 at most about 1 time in 12 (lead
 * C2-DF, trail 80-BF), so four in a row about 1 in 20,000; common characters (leads
 * B0-BF are UTF-8 continuation bytes) far less, and real pages hold hundreds. */
#define GS_CHARSET_UTF8_PROOF 4
/* At most this much of the sample's non-ASCII text goes to uchardet. */
#define GS_CHARSET_DETECT_MAX 8192
/* Below this many non-ASCII bytes uchardet is not trusted over well-formed GB18030. */
#define GS_CHARSET_FEW_BYTES 64
/* ASCII runs at least this long are copied past iconv (see iconv_copy): shorter ones, the
 * digits and punctuation inside text, would cost an iconv call more than they save. */
#define GS_CHARSET_ASCII_RUN 16

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
static const char charset_fffd[3] = {'\xef', '\xbf', '\xbd'};

/* A label as written on the web and the iconv name we read it as. */
struct charset_alias {
    const char *label; /* lower case */
    const char *name;  /* canonical iconv name */
};

/* Labels from the WHATWG Encoding Standard for the charsets these sites use. The GB
 * family is read as GB18030 (a superset of GB2312 and GBK, as browsers do), Big5 as
 * BIG5-HKSCS (its superset), ASCII as UTF-8 (its superset). */
static const struct charset_alias charset_aliases[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"us-ascii", "UTF-8"},
    {"ascii", "UTF-8"},
    {"ansi_x3.4-1968", "UTF-8"},
    {"gb18030", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"gb2312", "GB18030"},
    {"gb_2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"csgb2312", "GB18030"},
    {"csiso58gb231280", "GB18030"},
    {"iso-ir-58", "GB18030"},
    {"chinese", "GB18030"},
    {"cp936", "GB18030"},
    {"ms936", "GB18030"},
    {"windows-936", "GB18030"},
    {"euc-cn", "GB18030"},
    {"x-euc-cn", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"big5hkscs", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"csbig5", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"iso-8859-1", "ISO-8859-1"},
    {"iso8859-1", "ISO-8859-1"},
    {"iso_8859-1", "ISO-8859-1"},
    {"latin1", "ISO-8859-1"},
    {"l1", "ISO-8859-1"},
    {"cp819", "ISO-8859-1"},
    {"ibm819", "ISO-8859-1"},
    {"csisolatin1", "ISO-8859-1"},
    {"iso-ir-100", "ISO-8859-1"},
    {"windows-1252", "CP1252"},
    {"cp1252", "CP1252"},
    {"x-cp1252", "CP1252"},
    {"utf-16le", "UTF-16LE"},
    {"utf-16be", "UTF-16BE"},
    {"utf-16", "UTF-16"},
};

/* Names iconv knows but no browser decodes a page in (WHATWG maps them to failure), so a
 * page declaring one is misconfigured or hostile: UTF-7 (a classic XSS vector), UTF-32,
 * UCS-2/4 and glibc's WCHAR_T and INTERNAL. Matched as prefixes of the upper-cased
 * label. HZ (hz-gb-2312) needs no entry: glibc lacks it, and it is not GB18030 either
 * (7-bit with "~{" escapes), so it falls through to detection. */
static const char *const charset_refused[] = {
    "UTF-7", "UTF7",  "UNICODE-1-1-UTF-7", "CSUNICODE", "UTF-32", "UTF32",
    "UCS",   "WCHAR", "INTERNAL",          "UNICODE"};

/* Map a charset label (n bytes at s, possibly with spaces or quotes around it) to its
 * canonical iconv name in out. Returns 0, or -1 when the label is malformed, refused or
 * unknown to iconv. */
static int charset_canon(const char *s, size_t n, char *out, size_t outlen)
{
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '"' || *s == '\'')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' || s[n - 1] == '\''))
        n--;
    char label[GS_CHARSET_NAME_MAX];
    if (n == 0 || n >= sizeof(label))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        /* Letters, digits and "._:-" only: also keeps iconv suffixes like //TRANSLIT out. */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return -1;
        label[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    label[n] = '\0';
    for (size_t i = 0; i < sizeof(charset_aliases) / sizeof(charset_aliases[0]); i++) {
        if (strcmp(label, charset_aliases[i].label) == 0) {
            snprintf(out, outlen, "%s", charset_aliases[i].name);
            return 0;
        }
    }
    /* Not in the table (Shift_JIS, EUC-KR, KOI8-R, windows-1251, ...): usable when iconv
     * can open it. */
    for (size_t i = 0; i < n; i++)
        label[i] = (label[i] >= 'a' && label[i] <= 'z') ? (char)(label[i] - 'a' + 'A') : label[i];
    for (size_t i = 0; i < sizeof(charset_refused) / sizeof(charset_refused[0]); i++)
        if (strncmp(label, charset_refused[i], strlen(charset_refused[i])) == 0)
            return -1;
    iconv_t cd = iconv_open("UTF-8", label);
    if (cd == (iconv_t)-1)
        return -1;
    iconv_close(cd);
    if (n >= outlen)
        return -1;
    snprintf(out, outlen, "%s", label);
    return 0;
}

/* The UTF-8 sequence at p (n > 0 bytes available): its length 1..4 when valid; -k when
 * invalid, k being the length of the maximal ill-formed prefix to replace by one U+FFFD
 * (Unicode's "maximal subpart" practice, as browsers do); 0 when the bytes are a valid
 * start cut short by the end of the input. Overlongs, surrogates and code points past
 * U+10FFFF are invalid. */
static int utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xbf;
    int need;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return -1;
    }
    for (int k = 1; k <= need; k++) {
        if ((size_t)k >= n)
            return 0;
        if (p[k] < lo || p[k] > hi)
            return -k;
        lo = 0x80;
        hi = 0xbf;
    }
    return need + 1;
}

/* Bytes of ASCII at the start of the n bytes at p, eight at a time where possible: page
 * markup is mostly ASCII, and this keeps the scans over it near memcpy speed. */
static size_t ascii_run(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n && !gs_word_has_high(gs_word_load(p + i)))
        i += 8;
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

/* Bytes of ASCII other than NUL at the start of the n bytes at p: the run utf8_copy can
 * take whole. Stopping at a NUL here, not finding it afterwards with memchr over the whole
 * ASCII run, keeps a body of zeros (a decompression bomb's filling) linear: one pass, not
 * one pass of the rest of the body per NUL. */
static size_t text_run(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t w = gs_word_load(p + i);
        if (gs_word_has_high(w) || gs_word_has_below(w, 1))
            break;
        i += 8;
    }
    while (i < n && p[i] < 0x80 && p[i] != 0)
        i++;
    return i;
}

/* Bytes at the start of the n bytes at p that are ASCII other than NUL or complete, valid
 * UTF-8 sequences, counting the sequences of 2..4 bytes into *multibyte: the run that
 * both the UTF-8 check and utf8_copy step over. Chinese text is three-byte sequences led
 * by E1-EC or EE-EF (E4-E9 for the common ideographs), which need no range check beyond
 * their trail bytes' top bits; they are taken here without a call to utf8_seq. */
static size_t utf8_run(const unsigned char *p, size_t n, size_t *multibyte)
{
    size_t i = 0;
    for (;;) {
        i += text_run(p + i, n - i);
        while (n - i >= 3 && p[i] >= 0xe1 && p[i] <= 0xef && p[i] != 0xed &&
               (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80) {
            i += 3;
            (*multibyte)++;
        }
        if (i >= n || p[i] == 0)
            return i;
        if (p[i] >= 0x80) {
            int k = utf8_seq(p + i, n - i);
            if (k <= 0)
                return i;
            i += (size_t)k;
            (*multibyte)++;
        }
    }
}

/* What the UTF-8 check found in a sample. */
struct utf8_scan {
    int valid;        /* 1 when every sequence is valid (a cut one at the end is allowed) */
    size_t multibyte; /* valid sequences of 2..4 bytes */
};

/* Check n bytes at s as UTF-8. A sequence cut by the end of the sample counts as valid:
 * the sample is a prefix of the page. */
static struct utf8_scan utf8_check(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    struct utf8_scan r = {1, 0};
    size_t i = 0;
    while (i < n) {
        i += utf8_run(p + i, n - i, &r.multibyte);
        if (i >= n)
            break;
        if (p[i] == 0) { /* valid here; only the copy replaces it */
            i++;
            continue;
        }
        if (utf8_seq(p + i, n - i) < 0)
            r.valid = 0;
        break; /* invalid, or cut by the end of the sample */
    }
    return r;
}

/* 1 when the n bytes at s start with the string lit, ignoring ASCII case. */
static int starts_ci(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && strncasecmp(s, lit, m) == 0;
}

/* Find "charset" followed by optional spaces and "=" in the n bytes at s, and the value
 * after it: quoted ('...' or "...") or up to a space or ';'. This is the WHATWG "extract a
 * character encoding from a meta element" algorithm, which also reads Content-Type
 * headers robustly ("text/html;Charset = 'GBK'"). Sets *v and *vn; returns 0 or -1. */
static int charset_param(const char *s, size_t n, const char **v, size_t *vn)
{
    size_t i = 0;
    while (i + 7 <= n) {
        if (!starts_ci(s + i, n - i, "charset")) {
            i++;
            continue;
        }
        /* A word of its own: not the end of "xcharset". */
        int boundary =
            i == 0 ||
            !((s[i - 1] >= 'a' && s[i - 1] <= 'z') || (s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
              (s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == '-' || s[i - 1] == '_');
        i += 7;
        size_t j = i;
        while (j < n &&
               (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f'))
            j++;
        if (!boundary || j >= n || s[j] != '=')
            continue;
        j++;
        while (j < n &&
               (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f'))
            j++;
        if (j >= n)
            return -1;
        if (s[j] == '"' || s[j] == '\'') {
            const char *end = memchr(s + j + 1, s[j], n - j - 1);
            if (!end)
                return -1;
            *v = s + j + 1;
            *vn = (size_t)(end - (s + j + 1));
            return 0;
        }
        size_t k = j;
        while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != '\n' && s[k] != '\r' &&
               s[k] != ';' && s[k] != '"' && s[k] != '\'')
            k++;
        *v = s + j;
        *vn = k - j;
        return 0;
    }
    return -1;
}

/* One attribute of a tag while scanning: name and value as spans of the input. */
struct meta_attr {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/* Read the next attribute of a tag at s[*i] (n bytes in all), WHATWG prescan style.
 * Returns 1 with the attribute, 0 at the '>' that ends the tag or the end of input. */
static int meta_next_attr(const char *s, size_t n, size_t *i, struct meta_attr *a)
{
    size_t p = *i;
    while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r' || s[p] == '\f' ||
                     s[p] == '/'))
        p++;
    if (p >= n || s[p] == '>') {
        *i = p < n ? p + 1 : n;
        return 0;
    }
    a->name = s + p;
    while (p < n && s[p] != '=' && s[p] != '>' && s[p] != '/' && s[p] != ' ' && s[p] != '\t' &&
           s[p] != '\n' && s[p] != '\r' && s[p] != '\f')
        p++;
    a->name_len = (size_t)(s + p - a->name);
    if (a->name_len == 0) /* a lone '=' */
        p++;
    a->value = s + p;
    a->value_len = 0;
    size_t q = p;
    while (q < n && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\r' || s[q] == '\f'))
        q++;
    if (q < n && s[q] == '=') {
        q++;
        while (q < n &&
               (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\r' || s[q] == '\f'))
            q++;
        if (q < n && (s[q] == '"' || s[q] == '\'')) {
            const char *end = memchr(s + q + 1, s[q], n - q - 1);
            a->value = s + q + 1;
            a->value_len = end ? (size_t)(end - a->value) : n - q - 1;
            p = end ? (size_t)(end - s) + 1 : n;
        } else {
            a->value = s + q;
            while (q < n && s[q] != '>' && s[q] != ' ' && s[q] != '\t' && s[q] != '\n' &&
                   s[q] != '\r' && s[q] != '\f')
                q++;
            a->value_len = (size_t)(s + q - a->value);
            p = q;
        }
    }
    *i = p;
    return 1;
}

/* 1 when the span (s, n) equals lit, ignoring ASCII case. */
static int span_is(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

/* Look for <meta charset=...> or <meta http-equiv="Content-Type" content="...charset=...">
 * in the n bytes at s; the first one naming a usable charset wins. Comments are skipped,
 * and other tags are read attribute by attribute so that "<meta" inside an attribute
 * value is not taken for a tag. Returns 0 with the canonical name in out, or -1. */
static int charset_from_meta(const char *s, size_t n, char *out, size_t outlen)
{
    size_t i = 0;
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt)
            return -1;
        i = (size_t)(lt - s);
        if (starts_ci(s + i, n - i, "<!--")) {
            size_t j = i + 4;
            while (j + 3 <= n && memcmp(s + j, "-->", 3) != 0)
                j++;
            i = j + 3;
            continue;
        }
        int is_meta = starts_ci(s + i, n - i, "<meta") && i + 5 < n &&
                      (s[i + 5] == ' ' || s[i + 5] == '\t' || s[i + 5] == '\n' ||
                       s[i + 5] == '\r' || s[i + 5] == '\f' || s[i + 5] == '/');
        char c1 = i + 1 < n ? s[i + 1] : '\0';
        int is_tag = (c1 >= 'a' && c1 <= 'z') || (c1 >= 'A' && c1 <= 'Z') || c1 == '/';
        if (!is_meta && !is_tag) {
            /* "<!DOCTYPE", "<?xml", or a stray '<': skip to the next '>'. */
            const char *gt = memchr(s + i + 1, '>', n - i - 1);
            i = gt ? (size_t)(gt - s) + 1 : n;
            continue;
        }
        i += 1;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' &&
               s[i] != '\f' && s[i] != '/' && s[i] != '>')
            i++;
        struct meta_attr a;
        const char *charset = NULL, *content = NULL;
        size_t charset_len = 0, content_len = 0;
        int http_equiv_ct = 0;
        while (meta_next_attr(s, n, &i, &a)) {
            if (!is_meta)
                continue;
            if (span_is(a.name, a.name_len, "charset") && !charset) {
                charset = a.value;
                charset_len = a.value_len;
            } else if (span_is(a.name, a.name_len, "content") && !content) {
                content = a.value;
                content_len = a.value_len;
            } else if (span_is(a.name, a.name_len, "http-equiv")) {
                http_equiv_ct = span_is(a.value, a.value_len, "content-type");
            }
        }
        if (!charset && http_equiv_ct && content &&
            charset_param(content, content_len, &charset, &charset_len) < 0)
            charset = NULL;
        if (charset && charset_canon(charset, charset_len, out, outlen) == 0) {
            /* A document that can be read as ASCII to find this tag is not UTF-16,
             * whatever it says (WHATWG reads such a meta as UTF-8). */
            if (strncmp(out, "UTF-16", 6) == 0)
                snprintf(out, outlen, "UTF-8");
            return 0;
        }
    }
    return -1;
}

/* The charset named by a byte order mark at the start of s, or NULL. */
static const char *charset_from_bom(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        return "UTF-8";
    if (n >= 2 && p[0] == 0xff && p[1] == 0xfe)
        return "UTF-16LE";
    if (n >= 2 && p[0] == 0xfe && p[1] == 0xff)
        return "UTF-16BE";
    return NULL;
}

/* Evidence about a body, computed once and shared by the steps of gs_charset_decide. */
struct charset_body {
    const char *s;         /* the sample: the first GS_CHARSET_SAMPLE bytes of the body */
    size_t n;              /* its length */
    int checked;           /* 1 once utf8 is filled in */
    struct utf8_scan utf8; /* the UTF-8 check of the sample */
};

static const struct utf8_scan *body_utf8(struct charset_body *b)
{
    if (!b->checked) {
        b->utf8 = utf8_check(b->s, b->n);
        b->checked = 1;
    }
    return &b->utf8;
}

/* 1 when the bytes contradict a declared charset, so the declaration is not evidence. A
 * page declared UTF-8 that is not valid UTF-8 is the common case on old government
 * sites: the server or CMS was switched to UTF-8 but the pages kept their GBK bytes;
 * browsers show mojibake, and the text we check would be U+FFFD soup. The other way
 * round, a page declared GBK (or Latin-1...) that is valid UTF-8 with several multibyte
 * characters is UTF-8 with a stale template: real GBK text is never valid UTF-8. */
static int charset_contradicted(const char *name, struct charset_body *b)
{
    const struct utf8_scan *u = body_utf8(b);
    if (strcmp(name, "UTF-8") == 0)
        return !u->valid;
    return u->valid && u->multibyte >= GS_CHARSET_UTF8_PROOF;
}

/* 1 for a single-byte Latin charset, the kind that any byte sequence "is". */
static int charset_is_latin(const char *name)
{
    return strcmp(name, "ISO-8859-1") == 0 || strcmp(name, "CP1252") == 0;
}

/* 1 when the n bytes at s are well-formed GB18030 by structure: ASCII, two-byte
 * [81-FE][40-7E 80-FE], four-byte [81-FE][30-39][81-FE][30-39]; a sequence cut by the
 * end of the sample is allowed. Also counts the bytes above 0x7F into *high. */
static int gb18030_wellformed(const char *s, size_t n, size_t *high)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    *high = 0;
    while (i < n) {
        i += ascii_run(p + i, n - i);
        if (i >= n)
            break;
        (*high)++;
        if (p[i] == 0x80 || p[i] == 0xff)
            return 0;
        if (i + 1 >= n)
            return 1;
        unsigned char t = p[i + 1];
        if ((t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfe)) {
            (*high)++;
            i += 2;
            continue;
        }
        if (t < 0x30 || t > 0x39)
            return 0;
        if (i + 2 < n && (p[i + 2] < 0x81 || p[i + 2] > 0xfe))
            return 0;
        if (i + 3 < n && (p[i + 3] < 0x30 || p[i + 3] > 0x39))
            return 0;
        (*high)++; /* the third byte; the second and fourth are digits */
        i += 4;
    }
    return 1;
}

/* Detect the charset of the sample: UTF-8 when it is valid UTF-8 (cheap and certain
 * enough); GB18030 when there are only a few non-ASCII bytes and they are well-formed
 * GB18030; else what uchardet says, mapped to our names. The middle rule is there
 * because uchardet 0.0.7 guesses wildly on little evidence: "中" alone (D6 D0) comes back
 * ISO-8859-5, eight bytes of GBK KOI8-R, twenty WINDOWS-1256. On a Chinese government
 * site a short GBK page (a "页面不存在" error page, a redirect notice) is far likelier
 * than Cyrillic; with more text uchardet is reliable (GB18030 from ~50 bytes of GBK in
 * our tests) and decides. Returns 0 with the name in out, or -1 when nothing usable was
 * found. */
static int charset_detect(struct charset_body *b, char *out, size_t outlen)
{
    if (body_utf8(b)->valid) {
        snprintf(out, outlen, "UTF-8");
        return 0;
    }
    size_t high;
    if (gb18030_wellformed(b->s, b->n, &high) && high < GS_CHARSET_FEW_BYTES) {
        snprintf(out, outlen, "GB18030");
        return 0;
    }
    /* uchardet is fed the text, not the markup: runs of more than 16 ASCII bytes are cut
     * to their first byte (it may end a Big5 or GBK pair) and a space. A page is mostly
     * ASCII markup, which tells the probers nothing and costs them as much per byte as
     * text does (~9 % of the facts of the simulated province's undeclared GBK pages). */
    char compact[GS_CHARSET_DETECT_MAX];
    size_t cn = 0;
    const unsigned char *p = (const unsigned char *)b->s;
    for (size_t i = 0; i < b->n && cn < sizeof(compact);) {
        if (p[i] >= 0x80) {
            compact[cn++] = (char)p[i++];
            continue;
        }
        size_t j = i + ascii_run(p + i, b->n - i);
        if (j - i <= 16) { /* short ASCII inside text: digits, punctuation, a space */
            size_t k = j - i < sizeof(compact) - cn ? j - i : sizeof(compact) - cn;
            memcpy(compact + cn, p + i, k);
            cn += k;
        } else if (cn) {
            /* the first byte may be the trail byte of a Big5 or GBK pair (0x40-0x7E) */
            compact[cn++] = (char)p[i];
            if (cn < sizeof(compact))
                compact[cn++] = ' ';
        }
        i = j;
    }
    uchardet_t ud = uchardet_new();
    if (!ud)
        return -1;
    int rc = -1;
    if (uchardet_handle_data(ud, compact, cn) == 0) {
        uchardet_data_end(ud);
        const char *name = uchardet_get_charset(ud);
        /* The sample is not UTF-8, so a UTF-8 or ASCII answer is wrong. */
        if (name && name[0] && charset_canon(name, strlen(name), out, outlen) == 0 &&
            strcmp(out, "UTF-8") != 0)
            rc = 0;
    }
    uchardet_delete(ud);
    return rc;
}

void gs_charset_decide(const char *content_type, const char *body, size_t len, char *out,
                       size_t outlen)
{
    char name[GS_CHARSET_NAME_MAX];
    char weak[GS_CHARSET_NAME_MAX] = "";
    struct charset_body b = {body ? body : "",
                             body ? (len < GS_CHARSET_SAMPLE ? len : GS_CHARSET_SAMPLE) : 0,
                             0,
                             {1, 0}};
    const char *v;
    size_t vn;
    const char *result = "UTF-8";

    if (!out || outlen == 0)
        return;

    /* A byte order mark is a fact about the bytes; a declaration is a claim about them
     * that is often stale. Browsers let the BOM win too (WHATWG "decode"). */
    const char *bom = charset_from_bom(b.s, b.n);
    if (bom) {
        result = bom;
        goto done;
    }

    /* The Content-Type header. ISO-8859-1 there is usually Apache's AddDefaultCharset,
     * not the author's choice: keep it aside in case nothing better turns up. */
    if (content_type && charset_param(content_type, strlen(content_type), &v, &vn) == 0 &&
        charset_canon(v, vn, name, sizeof(name)) == 0 && !charset_contradicted(name, &b)) {
        if (!charset_is_latin(name)) {
            result = name;
            goto done;
        }
        snprintf(weak, sizeof(weak), "%s", name);
    }

    /* <meta> in the first 4 KiB. */
    if (charset_from_meta(b.s, b.n < GS_CHARSET_META_SCAN ? b.n : GS_CHARSET_META_SCAN, name,
                          sizeof(name)) == 0 &&
        !charset_contradicted(name, &b)) {
        result = name;
        goto done;
    }

    /* Detection. A Latin-1 header still beats a pure-ASCII sample or a detector that only
     * found another Latin charset. */
    if (weak[0] && (body_utf8(&b)->valid && body_utf8(&b)->multibyte == 0)) {
        result = weak;
        goto done;
    }
    if (charset_detect(&b, name, sizeof(name)) == 0) {
        result = weak[0] && charset_is_latin(name) ? weak : name;
        goto done;
    }
    if (weak[0]) {
        result = weak;
        goto done;
    }
    /* Not UTF-8 and the detector has no answer: GB18030, the fallback browsers use in a
     * zh-CN locale, is the best guess for a Chinese government page. */
    if (!body_utf8(&b)->valid)
        result = "GB18030";
done:
    snprintf(out, outlen, "%s", result);
}

/* Output being built by gs_charset_to_utf8. */
struct charset_out {
    char *data; /* NUL-terminated when returned */
    size_t len; /* bytes used */
    size_t cap; /* bytes allocated; one is kept for the NUL */
    size_t max; /* ceiling on len */
};

/* Make room for extra more bytes (plus the NUL). GS_ETOOBIG past max. */
static int out_reserve(struct charset_out *o, size_t extra)
{
    if (extra > o->max || o->len > o->max - extra)
        return GS_ETOOBIG;
    size_t need = o->len + extra + 1;
    if (need <= o->cap)
        return 0;
    size_t ncap = o->cap ? o->cap : 256;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    if (ncap > o->max + 1)
        ncap = o->max + 1;
    char *p = realloc(o->data, ncap);
    if (!p)
        return GS_ENOMEM;
    o->data = p;
    o->cap = ncap;
    return 0;
}

static int out_append(struct charset_out *o, const char *p, size_t n)
{
    int rc = out_reserve(o, n);
    if (rc < 0)
        return rc;
    memcpy(o->data + o->len, p, n);
    o->len += n;
    return 0;
}

/* Copy UTF-8 input, replacing each maximal invalid subpart, a sequence cut by the end of
 * the input, and NUL by U+FFFD. NUL goes because the result is used as a C string: one
 * stray NUL would hide the rest of the page from every check (browsers' HTML tokenizer
 * replaces it as well). Valid runs are copied in one piece. */
static int utf8_copy(struct charset_out *o, const char *in, size_t len)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t run = 0; /* start of the pending valid run */
    size_t i = 0;
    int rc = 0;
    size_t multibyte = 0;
    while (i < len) {
        i += utf8_run(p + i, len - i, &multibyte);
        if (i >= len)
            break;
        int k = p[i] ? utf8_seq(p + i, len - i) : -1;
        if ((rc = out_append(o, in + run, i - run)) < 0 ||
            (rc = out_append(o, charset_fffd, sizeof(charset_fffd))) < 0)
            return rc;
        i = k == 0 ? len : i + (size_t)(-k);
        run = i;
    }
    return out_append(o, in + run, i - run);
}

/* Replace each NUL byte in o by U+FFFD (see utf8_copy). */
static int out_replace_nul(struct charset_out *o)
{
    if (!o->data)
        return 0;
    /* Pages hold no NUL nearly always: memchr answers that at memory speed. */
    const char *first = memchr(o->data, '\0', o->len);
    if (!first)
        return 0;
    size_t nuls = 0;
    for (size_t i = (size_t)(first - o->data); i < o->len; i++)
        nuls += o->data[i] == '\0';
    int rc = out_reserve(o, 2 * nuls);
    if (rc < 0)
        return rc;
    /* Expand from the back, in place. */
    size_t w = o->len + 2 * nuls;
    for (size_t r = o->len; r-- > 0;) {
        if (o->data[r] == '\0') {
            w -= 3;
            memcpy(o->data + w, charset_fffd, 3);
        } else {
            o->data[--w] = o->data[r];
        }
    }
    o->len += 2 * nuls;
    return 0;
}

/* Length of a byte order mark for charset name at the start of in, or 0. iconv would
 * turn it into U+FEFF, which is not text. */
static size_t bom_len(const char *name, const char *in, size_t len)
{
    const unsigned char *p = (const unsigned char *)in;
    if (strcmp(name, "UTF-16LE") == 0 && len >= 2 && p[0] == 0xff && p[1] == 0xfe)
        return 2;
    if (strcmp(name, "UTF-16BE") == 0 && len >= 2 && p[0] == 0xfe && p[1] == 0xff)
        return 2;
    if (strcmp(name, "GB18030") == 0 && len >= 4 && p[0] == 0x84 && p[1] == 0x31 && p[2] == 0x95 &&
        p[3] == 0x33)
        return 4;
    return 0;
}

/* Convert with iconv, U+FFFD for each invalid byte and for a sequence cut by the end.
 * Skipping one byte after an invalid sequence keeps an ASCII byte that followed a bad
 * lead byte ("\x81<p>" keeps its "<p>"), as browsers' GB18030 decoder does. Leaves cd
 * flushed, in its initial state. */
static int iconv_part(struct charset_out *o, iconv_t cd, const char *in, size_t len)
{
    char *ip = (char *)in;
    size_t ileft = len;
    int flushing = 0;
    int rc;
    for (;;) {
        char *op = o->data + o->len;
        size_t oleft = o->cap - 1 - o->len;
        size_t r =
            flushing ? iconv(cd, NULL, NULL, &op, &oleft) : iconv(cd, &ip, &ileft, &op, &oleft);
        int err = errno;
        o->len = (size_t)(op - o->data);
        if (r != (size_t)-1) {
            if (flushing)
                return 0;
            /* All input read: flush any state (BIG5-HKSCS holds back a character that
             * may combine with the next). */
            flushing = 1;
            continue;
        }
        if (err == E2BIG) {
            /* Double the free room, up to the ceiling; at the ceiling, the page is too
             * big. */
            size_t room = o->cap - 1 - o->len;
            if (o->cap - 1 >= o->max)
                return GS_ETOOBIG;
            size_t want = room * 2 + 16;
            if (want > o->max - o->len)
                want = o->max - o->len;
            if ((rc = out_reserve(o, want)) < 0)
                return rc;
            continue;
        }
        if (flushing || ileft == 0 || (err != EILSEQ && err != EINVAL))
            return GS_ECHARSET;
        if ((rc = out_append(o, charset_fffd, sizeof(charset_fffd))) < 0)
            return rc;
        if (err == EILSEQ) {
            ip++;
            ileft--;
        } else {
            ileft = 0; /* EINVAL: a sequence cut by the end of the input */
        }
    }
}

/* 1 for the charsets whose decoder (glibc's) keeps no state across an ASCII character,
 * reads every byte below 0x80 that starts a character as that ASCII character, and reads
 * no character of more than 4 bytes. Not UTF-16, nor ISO-2022 or HZ, whose ASCII bytes are
 * text only in some shift states. */
static int charset_ascii_superset(const char *name)
{
    return strcmp(name, "GB18030") == 0 || strcmp(name, "BIG5-HKSCS") == 0 ||
           charset_is_latin(name);
}

/* Convert len bytes of charset name with iconv, copying long ASCII runs past it: markup
 * is most of a page (nine bytes in ten of the GBK and Big5 pages measured), and glibc
 * takes each of its bytes through two conversion steps (to UCS-4 and back) at several
 * times the cost of memcpy. The output is the same bytes. A run's first three bytes can
 * be the tail of a multibyte sequence begun before it (a GB18030 four-byte one ends in a
 * digit), so they go to iconv with what precedes them; from the fourth on, a character
 * starts at every byte of the run. A character BIG5-HKSCS holds back (the second of its
 * two-code-point mappings) is written by iconv_part's flush, before the run, as the run's
 * first byte would have made iconv write it. */
static int iconv_copy(struct charset_out *o, iconv_t cd, const char *name, const char *in,
                      size_t len)
{
    const unsigned char *p = (const unsigned char *)in;
    int rc;
    /* A first guess at the size: GB18030, Big5 and UTF-16 grow by at most half into
     * UTF-8; Latin-1 can double, and E2BIG grows the buffer then. */
    size_t guess = len + len / 2 + 16;
    if ((rc = out_reserve(o, guess < o->max ? guess : o->max)) < 0)
        return rc;
    if (!charset_ascii_superset(name))
        return iconv_part(o, cd, in, len);
    size_t done = 0; /* input before this is converted */
    size_t i = 0;
    while (i < len) {
        size_t a = ascii_run(p + i, len - i);
        if (a >= GS_CHARSET_ASCII_RUN) {
            size_t from = i == done ? i : i + 3;
            if ((from > done && (rc = iconv_part(o, cd, in + done, from - done)) < 0) ||
                (rc = out_append(o, in + from, i + a - from)) < 0)
                return rc;
            done = i + a;
        }
        i += a;
        if (i < len)
            i++; /* a byte >= 0x80 */
    }
    return done < len ? iconv_part(o, cd, in + done, len - done) : 0;
}

int gs_charset_to_utf8(const char *charset, const char *in, size_t len, size_t max_out, char **out,
                       size_t *out_len)
{
    char name[GS_CHARSET_NAME_MAX];
    /* No page comes near SIZE_MAX / 2; the cap keeps max + 1 and the sizes computed from
     * it clear of overflow. */
    struct charset_out o = {NULL, 0, 0, max_out < SIZE_MAX / 2 ? max_out : SIZE_MAX / 2};
    int rc;

    if (!out)
        return GS_EINVAL;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!charset || (!in && len > 0))
        return GS_EINVAL;
    if (!in)
        in = "";
    if (charset_canon(charset, strlen(charset), name, sizeof(name)) < 0)
        return GS_ECHARSET;

    if (strcmp(name, "UTF-8") == 0) {
        if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
            in += 3;
            len -= 3;
        }
        rc = utf8_copy(&o, in, len);
    } else {
        size_t skip = bom_len(name, in, len);
        iconv_t cd = iconv_open("UTF-8", name);
        if (cd == (iconv_t)-1)
            return GS_ECHARSET;
        rc = iconv_copy(&o, cd, name, in + skip, len - skip);
        iconv_close(cd);
        if (rc == 0)
            rc = out_replace_nul(&o);
        /* "UTF-16" without a byte order suffix reads and drops the BOM itself, others
         * were skipped above; a U+FEFF left at the start is still not text. */
        if (rc == 0 && o.len >= 3 && memcmp(o.data, "\xef\xbb\xbf", 3) == 0) {
            memmove(o.data, o.data + 3, o.len - 3);
            o.len -= 3;
        }
    }
    if (rc == 0)
        rc = out_reserve(&o, 0);
    if (rc < 0) {
        free(o.data);
        return rc;
    }
    o.data[o.len] = '\0';
    *out = o.data;
    if (out_len)
        *out_len = o.len;
    return 0;
}
