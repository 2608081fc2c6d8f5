/* gs_feed.c -- RSS, Atom and JSON Feed into posts.
 *
 * One pass decides the charset and converts the body to UTF-8, one parse builds the tree
 * (libxml2) or the value (jansson), and one walk reads the items into posts. XML fields
 * are read by name and namespace with a walk of their text and CDATA nodes, never with
 * xmlNodeGetContent: that function follows entity references into the declared content,
 * which is the very expansion a billion-laughs document is after. A reference to an HTML
 * entity name (the &nbsp; of a sloppy feed) becomes its character instead. Markup in
 * descriptions is turned into text by a small tokenizer rather than a second HTML parse
 * per post: it is linear, stops at its output cap and builds no tree. */
#include "gs_feed.h"
#include "gs_buf.h"
#include "gs_charset.h"
#include "gs_date.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Namespaces the items' fields live in. */
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"

/* Recover what a broken feed still holds, print nothing, fetch nothing; CDATA as text.
 * XML_PARSE_IGNORE_ENC because the bytes are UTF-8 by now, whatever the declaration
 * says. Never XML_PARSE_NOENT (entity expansion), XML_PARSE_DTDLOAD (fetching DTDs) or
 * XML_PARSE_HUGE (libxml2's depth and size limits). */
#define FEED_XML_OPTIONS                                                                           \
    (XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |               \
     XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT)

/* Bytes of a date field read before parsing: no date is longer. */
#define FEED_DATE_MAX 128
/* xml_ref's answer for a reference to an entity neither XML nor HTML defines. */
#define FEED_REF_UNKNOWN 0xffffffffu
/* Bytes of input quoted in an error message. */
#define FEED_SNIPPET_MAX 40

struct gs_feed {
    const char *format; /* "rss", "atom" or "json" (static) */
    char *title;        /* the feed's title, "" when none */
    char *link;         /* the feed's link, "" when none */
    gs_post_t *posts;   /* kept posts, in feed order */
    size_t nposts;      /* posts used */
    size_t cap;         /* posts allocated */
    size_t total;       /* items seen, kept or not */
    int64_t *dated;     /* publication times of the items not kept (0 left out) */
    size_t ndated;      /* times used */
    size_t dated_cap;   /* times allocated */
};

static const char feed_fffd[3] = {'\xef', '\xbf', '\xbd'};

/* ---- UTF-8 ---------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (n > 0 bytes left), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (need >= n)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if (p[k] < lo || p[k] > hi)
            return 0;
        lo = 0x80;
        hi = 0xbf;
    }
    return need + 1;
}

/* The longest prefix of s no longer than n that ends on a character boundary (s holds
 * more than n bytes, so s[n] may be read). */
static size_t utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

/* Encode cp (a valid scalar value) into out; returns the length. */
static size_t utf8_put(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Append up to what is left of b's ceiling of the n bytes at s, cut on a character
 * boundary; sets *full when something was left out. 0 or GS_ENOMEM. */
static int buf_put_capped(gs_buf_t *b, const char *s, size_t n, int *full)
{
    size_t room = b->max - b->len;
    if (n > room) {
        n = utf8_cut(s, room);
        *full = 1;
    }
    return n ? gs_buf_append(b, s, n) : 0;
}

/* ---- plain text out of text and markup ------------------------------------------- */

enum { TEXT_NONE, TEXT_SPACE, TEXT_BREAK };

/* Plain text being built: whitespace collapsed to one space or one line break, owed
 * until the next character so that nothing trails, and a ceiling cut on a character
 * boundary. */
typedef struct text_out {
    gs_buf_t b;
    int pending; /* TEXT_NONE, TEXT_SPACE or TEXT_BREAK owed before the next character */
    int oneline; /* breaks become spaces (titles) */
    int lines;   /* a newline in the input is a line break, not a space (plain text) */
    int full;    /* the ceiling was reached: the rest is dropped */
    int rc;      /* GS_ENOMEM once an append failed */
} text_out_t;

static void text_init(text_out_t *t, size_t max, int oneline, int lines)
{
    memset(t, 0, sizeof(*t));
    gs_buf_init(&t->b, max);
    t->oneline = oneline;
    t->lines = lines;
}

/* Append n bytes of ordinary characters, paying an owed space or break first. */
static void text_emit(text_out_t *t, const char *s, size_t n)
{
    if (t->full || n == 0)
        return;
    if (t->pending && t->b.len > 0) {
        if (t->b.len + 1 >= t->b.max) {
            t->full = 1;
            return;
        }
        if (gs_buf_putc(&t->b, t->pending == TEXT_BREAK ? '\n' : ' ') < 0) {
            t->rc = GS_ENOMEM;
            t->full = 1;
            return;
        }
    }
    t->pending = TEXT_NONE;
    if (buf_put_capped(&t->b, s, n, &t->full) < 0) {
        t->rc = GS_ENOMEM;
        t->full = 1;
    }
}

/* Owe a space before the next character. */
static void text_space(text_out_t *t)
{
    if (t->pending == TEXT_NONE)
        t->pending = TEXT_SPACE;
}

/* Owe a line break (a space on one line) before the next character. */
static void text_break(text_out_t *t)
{
    if (t->oneline)
        text_space(t);
    else
        t->pending = TEXT_BREAK;
}

/* How the character of k bytes at p is written: 1 ordinary, 0 whitespace or control
 * (a space), -1 dropped (a byte order mark inside text is no character of it). */
static int text_class(const unsigned char *p, size_t k)
{
    if (k == 1)
        return p[0] > 0x20 && p[0] != 0x7f;
    if (k == 2 && p[0] == 0xc2 && p[1] <= 0xa0)
        return 0; /* C1 controls and U+00A0 NO-BREAK SPACE */
    if (k == 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        return -1;
    return 1;
}

/* Copy plain text into t: whitespace and controls collapse, a newline breaks the line
 * when t->lines, an invalid byte becomes U+FFFD. Runs of ordinary characters are
 * appended in one piece. */
static void text_plain(text_out_t *t, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && !t->full) {
        size_t run = i;
        size_t k = 0;
        while (run < n && (k = utf8_len(p + run, n - run)) > 0 && text_class(p + run, k) == 1)
            run += k;
        text_emit(t, s + i, run - i);
        i = run;
        if (i >= n)
            break;
        if (k == 0) {
            text_emit(t, feed_fffd, sizeof(feed_fffd));
            i++;
        } else if (text_class(p + i, k) == 0) {
            if (p[i] == '\n' && t->lines)
                text_break(t);
            else
                text_space(t);
            i += k;
        } else {
            i += k; /* dropped */
        }
    }
}

/* Copy one code point into t as text_plain would. */
static void text_cp(text_out_t *t, uint32_t cp)
{
    char u[4];
    size_t k = utf8_put(cp, u);
    text_plain(t, u, k);
}

/* The code point of an HTML entity name ("nbsp", "ldquo"), 0 when unknown. libxml2's
 * table is HTML 4's; &apos; is XML's and XHTML's. */
static uint32_t entity_by_name(const char *name)
{
    if (strcmp(name, "apos") == 0)
        return '\'';
    const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
    return d ? d->value : 0;
}

/* Value of a digit in base 10 or 16, or -1. */
static int digit_value(char c, int hex)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (hex && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The character a reference at s (s[0] == '&', n bytes) stands for, its length in
 * *used; 0 when it is no reference and the '&' is plain text. Numeric references work
 * without their ';' as in browsers; named ones need it. A reference to no character
 * (0, a surrogate, past U+10FFFF) is U+FFFD. */
static uint32_t entity_decode(const char *s, size_t n, size_t *used)
{
    size_t i = 1;
    if (i < n && s[i] == '#') {
        int hex = 0;
        i++;
        if (i < n && (s[i] == 'x' || s[i] == 'X')) {
            hex = 1;
            i++;
        }
        uint32_t cp = 0;
        size_t digits = 0;
        int v;
        while (i < n && (v = digit_value(s[i], hex)) >= 0) {
            if (cp <= 0x10ffff)
                cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
            i++;
            digits++;
        }
        if (digits == 0)
            return 0;
        if (i < n && s[i] == ';')
            i++;
        *used = i;
        if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            cp = 0xfffd;
        return cp;
    }
    char name[33];
    size_t k = 0;
    while (i < n && k < sizeof(name) - 1 &&
           ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
            (s[i] >= '0' && s[i] <= '9')))
        name[k++] = s[i++];
    if (k == 0 || i >= n || s[i] != ';')
        return 0;
    name[k] = '\0';
    uint32_t cp = entity_by_name(name);
    if (cp)
        *used = i + 1;
    return cp;
}

/* 1 for a letter of the ASCII alphabet. */
static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 when the element starts or ends a block of text, so its text goes on its own line. */
static int is_block(const char *name)
{
    static const char *const blocks[] = {
        "address", "article", "aside",   "blockquote", "br",         "center", "dd",
        "details", "div",     "dl",      "dt",         "figcaption", "figure", "footer",
        "form",    "h1",      "h2",      "h3",         "h4",         "h5",     "h6",
        "header",  "hr",      "li",      "main",       "nav",        "ol",     "p",
        "pre",     "section", "summary", "table",      "tr",         "ul",     NULL};
    for (int i = 0; blocks[i]; i++)
        if (strcmp(name, blocks[i]) == 0)
            return 1;
    return 0;
}

/* Position of the first occurrence of the n-byte needle in s[from..len), ASCII case
 * ignored, or len. */
static size_t find_nocase(const char *s, size_t len, size_t from, const char *needle, size_t n)
{
    for (size_t i = from; i + n <= len; i++) {
        size_t k = 0;
        while (k < n) {
            char a = s[i + k], b = needle[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (a != b)
                break;
            k++;
        }
        if (k == n)
            return i;
    }
    return len;
}

/* Skip the tag that starts at s[i] == '<' (an element tag, a comment, a declaration);
 * returns the position after it, the element's lower-cased name in name ("" for
 * comments and declarations) and whether it is an end tag. Quoted attribute values may
 * hold '>'. A tag left open runs to the end, as in a browser. */
static size_t skip_tag(const char *s, size_t n, size_t i, char *name, size_t name_size,
                       int *closing)
{
    name[0] = '\0';
    *closing = 0;
    if (i + 3 < n && memcmp(s + i, "<!--", 4) == 0) {
        size_t e = find_nocase(s, n, i + 4, "-->", 3);
        return e < n ? e + 3 : n;
    }
    size_t j = i + 1;
    if (j < n && s[j] == '/') {
        *closing = 1;
        j++;
    }
    size_t k = 0;
    while (j < n && (is_alpha(s[j]) || (s[j] >= '0' && s[j] <= '9'))) {
        if (k + 1 < name_size) {
            char c = s[j];
            name[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        j++;
    }
    name[k] = '\0';
    while (j < n && s[j] != '>') {
        if (s[j] != '=') {
            j++;
            continue;
        }
        j++;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
            j++;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            const char *q = memchr(s + j + 1, s[j], n - j - 1);
            j = q ? (size_t)(q - s) + 1 : n;
        }
    }
    return j < n ? j + 1 : n;
}

/* Turn HTML markup into plain text in t: tags dropped (script and style with their
 * content), block elements on their own lines, cells apart, entities decoded. A '<' that
 * starts no tag ("1 < 2", "<中国>") is text, as in a browser. */
static void text_html(text_out_t *t, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && !t->full) {
        size_t j = i;
        while (j < n && s[j] != '<' && s[j] != '&')
            j++;
        text_plain(t, s + i, j - i);
        i = j;
        if (i >= n)
            break;
        if (s[i] == '&') {
            size_t used = 0;
            uint32_t cp = entity_decode(s + i, n - i, &used);
            if (cp) {
                text_cp(t, cp);
                i += used;
            } else {
                text_plain(t, "&", 1);
                i++;
            }
            continue;
        }
        char next = i + 1 < n ? s[i + 1] : '\0';
        if (!is_alpha(next) && next != '/' && next != '!' && next != '?') {
            text_plain(t, "<", 1);
            i++;
            continue;
        }
        char name[16];
        int closing;
        i = skip_tag(s, n, i, name, sizeof(name), &closing);
        if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
            /* Their content is code, not text: skip to the end tag. */
            const char *end = strcmp(name, "script") == 0 ? "</script" : "</style";
            size_t e = find_nocase(s, n, i, end, strlen(end));
            i = e < n ? skip_tag(s, n, e, name, sizeof(name), &closing) : n;
        } else if (is_block(name)) {
            text_break(t);
        } else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
            text_space(t);
        }
    }
}

/* Hand out t's text (caller frees) or NULL when out of memory; t is empty after. */
static char *text_steal(text_out_t *t)
{
    if (t->rc < 0) {
        gs_buf_cleanup(&t->b);
        return NULL;
    }
    return gs_buf_steal(&t->b);
}

/* ---- reading XML fields ------------------------------------------------------------ */

/* The state of one XML feed's reading. */
typedef struct xml_ctx {
    gs_feed_t *f;
    const xmlChar *ns; /* the namespace of the feed's own elements (NULL for RSS 2.0) */
    const char *item;  /* the name of an item: "item" or "entry" */
} xml_ctx_t;

/* 1 when the namespace URI a (NULL = none) is b (NULL = none). */
static int ns_eq(const xmlChar *a, const xmlChar *b)
{
    if (!a || !b)
        return a == b;
    return xmlStrcmp(a, b) == 0;
}

/* The namespace URI of node, NULL when none. */
static const xmlChar *ns_of(const xmlNode *node)
{
    return node->ns ? node->ns->href : NULL;
}

/* 1 when node is the element name in namespace ns. */
static int is_el(const xmlNode *node, const char *name, const xmlChar *ns)
{
    return node->type == XML_ELEMENT_NODE && xmlStrcmp(node->name, (const xmlChar *)name) == 0 &&
           ns_eq(ns_of(node), ns);
}

/* The first child element of node named name in namespace ns, or NULL. */
static xmlNode *xml_child(const xmlNode *node, const char *name, const xmlChar *ns)
{
    if (!node)
        return NULL;
    for (xmlNode *c = node->children; c; c = c->next)
        if (is_el(c, name, ns))
            return c;
    return NULL;
}

/* The field name (in namespace ns) of item: its child element, or, in broken XML that
 * was recovered, where an unclosed element before it swallowed it, the first such
 * element deeper down that is not inside a nested item. NULL when there is none. */
static xmlNode *item_field(const xml_ctx_t *c, const xmlNode *item, const char *name,
                           const xmlChar *ns)
{
    xmlNode *direct = xml_child(item, name, ns);
    if (direct)
        return direct;
    const xmlNode *cur = item->children;
    while (cur) {
        if (cur->type == XML_ELEMENT_NODE && !is_el(cur, c->item, c->ns)) {
            if (is_el(cur, name, ns))
                return (xmlNode *)cur;
            if (cur->children) {
                cur = cur->children;
                continue;
            }
        }
        while (cur) {
            if (cur->next) {
                cur = cur->next;
                break;
            }
            cur = cur->parent;
            if (!cur || cur == item)
                cur = NULL;
        }
    }
    return NULL;
}

/* Where xml_collect puts the text it finds: raw into a capped buffer, or as plain text
 * into a text_out with XHTML blocks on their own lines. */
typedef struct xml_sink {
    const xml_ctx_t *c; /* the feed, to leave swallowed fields out; NULL = take all */
    gs_buf_t *raw;
    int raw_full;
    int raw_rc;
    text_out_t *text;
} xml_sink_t;

/* 1 when element node, found inside a field, is a field of an item itself: recovered
 * broken XML nests the fields after an unclosed element in it ("<description>abc
 * <pubDate>...</pubDate></item>"), and their text is not the post's. */
static int is_swallowed_field(const xml_ctx_t *c, const xmlNode *node)
{
    static const char *const fields[] = {
        "title",     "link",      "description", "pubDate", "guid",        "author",  "category",
        "comments",  "enclosure", "source",      "item",    "entry",       "content", "summary",
        "published", "updated",   "id",          "rights",  "contributor", NULL};
    const xmlChar *ns = ns_of(node);
    if (ns_eq(ns, (const xmlChar *)NS_DC) || ns_eq(ns, (const xmlChar *)NS_CONTENT))
        return 1;
    if (!ns_eq(ns, c->ns))
        return 0;
    for (int i = 0; fields[i]; i++)
        if (xmlStrcmp(node->name, (const xmlChar *)fields[i]) == 0)
            return 1;
    return 0;
}

/* Give n bytes of text to the sink. */
static void sink_put(xml_sink_t *k, const char *s, size_t n)
{
    if (k->text) {
        text_plain(k->text, s, n);
    } else if (!k->raw_full && buf_put_capped(k->raw, s, n, &k->raw_full) < 0) {
        k->raw_rc = GS_ENOMEM;
        k->raw_full = 1;
    }
}

/* 1 when the sink takes no more. */
static int sink_full(const xml_sink_t *k)
{
    return k->text ? k->text->full : k->raw_full;
}

/* Feed the text of node's content to the sink, in document order, without recursion
 * (libxml2 allows 256 levels). Text and CDATA nodes are taken; an entity reference is
 * never followed into its declared content (no expansion): a known HTML entity name
 * gives its character, anything else nothing. */
static void xml_collect(const xmlNode *node, xml_sink_t *k)
{
    const xmlNode *cur = node ? node->children : NULL;
    while (cur && !sink_full(k)) {
        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
            if (cur->content)
                sink_put(k, (const char *)cur->content, strlen((const char *)cur->content));
        } else if (cur->type == XML_ENTITY_REF_NODE) {
            uint32_t cp = entity_by_name((const char *)cur->name);
            if (cp) {
                char u[4];
                sink_put(k, u, utf8_put(cp, u));
            }
        } else if (cur->type == XML_ELEMENT_NODE && !(k->c && is_swallowed_field(k->c, cur))) {
            if (cur->children) {
                cur = cur->children;
                continue;
            }
            if (k->text && is_block((const char *)cur->name))
                text_break(k->text);
        }
        /* Next in document order: a sibling, or climb out of finished elements. */
        while (cur) {
            if (cur->next) {
                cur = cur->next;
                break;
            }
            cur = cur->parent;
            if (!cur || cur == node) {
                cur = NULL;
                break;
            }
            if (k->text && is_block((const char *)cur->name))
                text_break(k->text);
        }
    }
}

/* The raw text of node (its markup as text), at most max bytes, in *out (caller frees;
 * "" for a NULL node); *cut (may be NULL) says whether some was left out. 0 or
 * GS_ENOMEM. */
static int xml_raw(const xml_ctx_t *c, const xmlNode *node, size_t max, char **out, int *cut)
{
    gs_buf_t b;
    gs_buf_init(&b, max);
    xml_sink_t k = {c, &b, 0, 0, NULL};
    xml_collect(node, &k);
    if (cut)
        *cut = k.raw_full;
    if (k.raw_rc < 0) {
        gs_buf_cleanup(&b);
        *out = NULL;
        return GS_ENOMEM;
    }
    *out = gs_buf_steal(&b);
    return *out ? 0 : GS_ENOMEM;
}

/* Strip ASCII whitespace from both ends of s in place; returns s. */
static char *trim(char *s)
{
    size_t n = strlen(s);
    size_t a = 0;
    while (a < n && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r'))
        a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
    return s;
}

/* How a field's content is written. */
enum field_kind {
    FIELD_PLAIN, /* plain text (Atom type="text") */
    FIELD_HTML,  /* escaped or CDATA markup (RSS, Atom type="html") */
    FIELD_XHTML, /* markup as child elements (Atom type="xhtml") */
    FIELD_NONE,  /* not text (an Atom content of another media type) */
};

/* The plain text of field node (NULL gives ""), at most max bytes, on one line when
 * oneline; a new string, or NULL when out of memory. */
static char *xml_text(const xml_ctx_t *c, const xmlNode *node, enum field_kind kind, size_t max,
                      int oneline)
{
    text_out_t t;
    text_init(&t, max, oneline, kind == FIELD_PLAIN);
    if (node && kind == FIELD_HTML) {
        char *raw;
        if (xml_raw(c, node, GS_FEED_MAX_MARKUP, &raw, NULL) < 0)
            return NULL;
        text_html(&t, raw, strlen(raw));
        free(raw);
    } else if (node && kind != FIELD_NONE) {
        xml_sink_t k = {c, NULL, 0, 0, &t};
        xml_collect(node, &k);
    }
    return text_steal(&t);
}

/* The link in node's text, trimmed, in a new string; "" when there is none or it is
 * longer than GS_FEED_MAX_LINK. NULL when out of memory. */
static char *xml_link_text(const xmlNode *node)
{
    char *s;
    int cut;
    /* Room for the whitespace around a link at the limit; past that it is cut, and a
     * cut link is no link. */
    if (xml_raw(NULL, node, 2 * GS_FEED_MAX_LINK, &s, &cut) < 0)
        return NULL;
    trim(s);
    if (cut || strlen(s) > GS_FEED_MAX_LINK)
        s[0] = '\0';
    return s;
}

/* A link given as an attribute or a JSON string (NULL = none), trimmed, in a new string;
 * "" when none or too long. NULL when out of memory. */
static char *link_dup(const char *v)
{
    char *s = strdup(v ? v : "");
    if (!s)
        return NULL;
    trim(s);
    if (strlen(s) > GS_FEED_MAX_LINK)
        s[0] = '\0';
    return s;
}

/* The href of node's first <link> in namespace ns that points to the page itself
 * (rel="alternate" or no rel, as Atom defines; not "self", the feed's own URL), or NULL
 * when there is none. A copy: the caller frees it with xmlFree. */
static xmlChar *atom_alternate(const xmlNode *node, const xmlChar *ns)
{
    for (xmlNode *c = node ? node->children : NULL; c; c = c->next) {
        if (!is_el(c, "link", ns))
            continue;
        xmlChar *rel = xmlGetNoNsProp(c, (const xmlChar *)"rel");
        int alternate = !rel || xmlStrcmp(rel, (const xmlChar *)"alternate") == 0;
        xmlFree(rel);
        if (!alternate)
            continue;
        xmlChar *href = xmlGetNoNsProp(c, (const xmlChar *)"href");
        if (href && href[0])
            return href;
        xmlFree(href);
    }
    return NULL;
}

/* The Atom link of node in a new string, "" when none; NULL when out of memory. */
static char *atom_link(const xmlNode *node, const xmlChar *ns)
{
    xmlChar *href = atom_alternate(node, ns);
    char *s = link_dup((const char *)href);
    xmlFree(href);
    return s;
}

/* How an Atom text construct or content element is written, from its type (and Atom
 * 0.3's mode). */
static enum field_kind atom_kind(const xmlNode *node)
{
    if (!node)
        return FIELD_NONE;
    xmlChar *src = xmlGetNoNsProp(node, (const xmlChar *)"src");
    xmlChar *type = xmlGetNoNsProp(node, (const xmlChar *)"type");
    xmlChar *mode = xmlGetNoNsProp(node, (const xmlChar *)"mode");
    const char *ty = type ? (const char *)type : "text";
    /* Out-of-line content (src) has its text elsewhere, base64 and other media types are
     * no text. */
    int inline_text = !src && !(mode && xmlStrcmp(mode, (const xmlChar *)"base64") == 0);
    enum field_kind kind = FIELD_NONE;
    if (inline_text && ((mode && xmlStrcmp(mode, (const xmlChar *)"escaped") == 0) ||
                        strcmp(ty, "html") == 0 || strcmp(ty, "text/html") == 0))
        kind = FIELD_HTML;
    else if (inline_text && (strcmp(ty, "xhtml") == 0 || strcmp(ty, "application/xhtml+xml") == 0))
        kind = FIELD_XHTML;
    else if (inline_text && (strcmp(ty, "text") == 0 || strncmp(ty, "text/", 5) == 0))
        kind = FIELD_PLAIN;
    xmlFree(src);
    xmlFree(type);
    xmlFree(mode);
    return kind;
}

/* A publication time read from a date element, in *out: 0 when node is NULL or its text is
 * no time (or one before 1970, which no post has). 0, or GS_ENOMEM: a date that could not
 * be read for memory is an error, not "no date", which would keep the post undated. */
static int xml_date(const xmlNode *node, int64_t *out)
{
    char *s;
    *out = 0;
    if (!node)
        return 0;
    if (xml_raw(NULL, node, FEED_DATE_MAX, &s, NULL) < 0)
        return GS_ENOMEM;
    int64_t t = 0;
    if (gs_time_parse_any(trim(s), &t) < 0 || t < 0)
        t = 0;
    free(s);
    *out = t;
    return 0;
}

/* ---- the feed ------------------------------------------------------------------------ */

/* Remember the time of an item that is not kept, for gs_feed_newest. */
static int feed_add_dated(gs_feed_t *f, int64_t t)
{
    if (t <= 0 || f->ndated >= GS_FEED_MAX_DATED)
        return 0;
    if (f->ndated == f->dated_cap) {
        size_t nc = f->dated_cap ? f->dated_cap * 2 : 256;
        int64_t *n = realloc(f->dated, nc * sizeof(*n));
        if (!n)
            return GS_ENOMEM;
        f->dated = n;
        f->dated_cap = nc;
    }
    f->dated[f->ndated++] = t;
    return 0;
}

/* Keep a post; takes the strings (freed on failure too). 0 or GS_ENOMEM. */
static int feed_add(gs_feed_t *f, char *title, char *link, char *text, int64_t published)
{
    if (!title || !link || !text)
        goto nomem;
    if (f->nposts == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 16;
        if (nc > GS_FEED_MAX_POSTS)
            nc = GS_FEED_MAX_POSTS;
        gs_post_t *n = realloc(f->posts, nc * sizeof(*n));
        if (!n)
            goto nomem;
        f->posts = n;
        f->cap = nc;
    }
    gs_post_t *p = &f->posts[f->nposts++];
    p->title = title;
    p->link = link;
    p->text = text;
    p->published = published;
    return 0;
nomem:
    free(title);
    free(link);
    free(text);
    return GS_ENOMEM;
}

/* 1 when one more item may be kept as a post (counting it either way). */
static int feed_take(gs_feed_t *f)
{
    f->total++;
    return f->nposts < GS_FEED_MAX_POSTS;
}

/* The time of an RSS item in *t: pubDate, then dc:date (RSS 1.0 and many bridges), then
 * the Atom elements some RSS writers borrow; the first that parses (0: none). 0 or
 * GS_ENOMEM. */
static int rss_date(const xml_ctx_t *c, const xmlNode *item, int64_t *t)
{
    const xmlChar *atom = (const xmlChar *)NS_ATOM;
    const xmlNode *cands[] = {
        item_field(c, item, "pubDate", c->ns), item_field(c, item, "date", (const xmlChar *)NS_DC),
        item_field(c, item, "published", atom), item_field(c, item, "updated", atom)};
    *t = 0;
    for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]) && !*t; i++) {
        int rc = xml_date(cands[i], t);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The link of an RSS item: <link>, an Atom alternate link, a permalink <guid>, or RSS
 * 1.0's rdf:about. A new string, "" when none; NULL when out of memory. */
static char *rss_item_link(const xml_ctx_t *c, const xmlNode *item)
{
    char *s = xml_link_text(item_field(c, item, "link", c->ns));
    if (!s || s[0])
        return s;
    free(s);
    s = atom_link(item, (const xmlChar *)NS_ATOM);
    if (!s || s[0])
        return s;
    free(s);
    const xmlNode *guid = item_field(c, item, "guid", c->ns);
    if (guid) {
        xmlChar *perma = xmlGetNoNsProp(guid, (const xmlChar *)"isPermaLink");
        int is_perma = !perma || xmlStrcmp(perma, (const xmlChar *)"false") != 0;
        xmlFree(perma);
        s = is_perma ? xml_link_text(guid) : strdup("");
        /* A guid is only a permalink when it is a URL. */
        if (!s || strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)
            return s;
        free(s);
    }
    xmlChar *about = xmlGetNsProp(item, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
    s = link_dup((const char *)about);
    xmlFree(about);
    return s;
}

/* Read one RSS item. */
static int rss_item(xml_ctx_t *c, const xmlNode *item)
{
    int64_t t;
    int rc = rss_date(c, item, &t);
    if (rc < 0)
        return rc;
    if (!feed_take(c->f))
        return feed_add_dated(c->f, t);
    /* content:encoded is the full post; description is often only its summary. */
    const xmlNode *body = item_field(c, item, "encoded", (const xmlChar *)NS_CONTENT);
    if (!body)
        body = item_field(c, item, "description", c->ns);
    /* Titles are plain text by the RSS spec, but bridges put markup and entities in
     * them; read as HTML, plain text comes through unchanged. */
    return feed_add(
        c->f, xml_text(c, item_field(c, item, "title", c->ns), FIELD_HTML, GS_FEED_MAX_TITLE, 1),
        rss_item_link(c, item), xml_text(c, body, FIELD_HTML, GS_FEED_MAX_TEXT, 0), t);
}

/* The time of an Atom entry in *t: published, then updated (Atom 1.0), then issued,
 * modified and created (Atom 0.3); the first that parses (0: none). 0 or GS_ENOMEM. */
static int atom_date(const xml_ctx_t *c, const xmlNode *entry, int64_t *t)
{
    static const char *const names[] = {"published", "updated", "issued", "modified", "created"};
    *t = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !*t; i++) {
        int rc = xml_date(item_field(c, entry, names[i], c->ns), t);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Read one Atom entry. */
static int atom_entry(xml_ctx_t *c, const xmlNode *entry)
{
    int64_t t;
    int rc = atom_date(c, entry, &t);
    if (rc < 0)
        return rc;
    if (!feed_take(c->f))
        return feed_add_dated(c->f, t);
    const xmlNode *title = item_field(c, entry, "title", c->ns);
    const xmlNode *body = item_field(c, entry, "content", c->ns);
    if (atom_kind(body) == FIELD_NONE)
        body = item_field(c, entry, "summary", c->ns);
    return feed_add(c->f, xml_text(c, title, atom_kind(title), GS_FEED_MAX_TITLE, 1),
                    atom_link(entry, c->ns),
                    xml_text(c, body, atom_kind(body), GS_FEED_MAX_TEXT, 0), t);
}

/* Read every element named name in the feed's namespace under root, in document order,
 * with fn. Items are looked for at any depth, and inside other items too: in recovered
 * broken XML an unclosed tag leaves the next items nested in the one before. */
static int xml_items(xml_ctx_t *c, const xmlNode *root, const char *name,
                     int (*fn)(xml_ctx_t *, const xmlNode *))
{
    const xmlNode *cur = root->children;
    while (cur) {
        if (cur->type == XML_ELEMENT_NODE) {
            if (is_el(cur, name, c->ns)) {
                int rc = fn(c, cur);
                if (rc < 0)
                    return rc;
            }
            if (cur->children) {
                cur = cur->children;
                continue;
            }
        }
        while (cur) {
            if (cur->next) {
                cur = cur->next;
                break;
            }
            cur = cur->parent;
            if (!cur || cur == root)
                cur = NULL;
        }
    }
    return 0;
}

/* The first child element of node with the local name name, in any namespace. */
static xmlNode *xml_child_any(const xmlNode *node, const char *name)
{
    for (xmlNode *c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, (const xmlChar *)name) == 0)
            return c;
    return NULL;
}

/* RSS 0.9x/2.0 (<rss>) or RSS 1.0 (<rdf:RDF>): the channel's title and link, then the
 * items. */
static int rss_read(xml_ctx_t *c, const xmlNode *root, int rdf)
{
    gs_feed_t *f = c->f;
    f->format = "rss";
    c->item = "item";
    const xmlNode *channel = xml_child_any(root, "channel");
    if (channel)
        c->ns = ns_of(channel);
    else if (rdf)
        c->ns = xml_child_any(root, "item") ? ns_of(xml_child_any(root, "item")) : NULL;
    else
        c->ns = ns_of(root);
    const xmlNode *meta = channel ? channel : root;
    f->title = xml_text(c, xml_child(meta, "title", c->ns), FIELD_HTML, GS_FEED_MAX_TITLE, 1);
    f->link = xml_link_text(xml_child(meta, "link", c->ns));
    if (f->link && !f->link[0]) {
        free(f->link);
        f->link = atom_link(meta, (const xmlChar *)NS_ATOM);
    }
    if (!f->title || !f->link)
        return GS_ENOMEM;
    return xml_items(c, root, c->item, rss_item);
}

/* Atom 1.0 or 0.3 (<feed>): its title and link, then the entries. */
static int atom_read(xml_ctx_t *c, const xmlNode *root)
{
    gs_feed_t *f = c->f;
    f->format = "atom";
    c->ns = ns_of(root);
    c->item = "entry";
    const xmlNode *title = xml_child(root, "title", c->ns);
    f->title = xml_text(c, title, atom_kind(title), GS_FEED_MAX_TITLE, 1);
    f->link = atom_link(root, c->ns);
    if (!f->title || !f->link)
        return GS_ENOMEM;
    return xml_items(c, root, c->item, atom_entry);
}

/* Copy up to FEED_SNIPPET_MAX bytes of s (n bytes of UTF-8) into out for an error
 * message: cut on a character boundary, controls shown as spaces. */
static void snippet(const char *s, size_t n, char *out, size_t outlen)
{
    size_t m = n;
    if (m > FEED_SNIPPET_MAX)
        m = utf8_cut(s, FEED_SNIPPET_MAX);
    if (m >= outlen)
        m = utf8_cut(s, outlen - 1);
    for (size_t i = 0; i < m; i++)
        out[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
    out[m] = '\0';
}

/* The lower-cased name of the first element in XML-ish text that did not parse into a
 * tree, so that an HTML page that is not even well-formed still says "<html>". 0 when one
 * is found. */
static int first_element(const char *s, size_t n, char *name, size_t name_size)
{
    size_t i = 0;
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt)
            return -1;
        i = (size_t)(lt - s);
        if (i + 1 < n && is_alpha(s[i + 1])) {
            size_t k = 0;
            for (size_t j = i + 1; j < n && k + 1 < name_size &&
                                   (is_alpha(s[j]) || (s[j] >= '0' && s[j] <= '9') || s[j] == ':');
                 j++)
                name[k++] = (s[j] >= 'A' && s[j] <= 'Z') ? (char)(s[j] - 'A' + 'a') : s[j];
            name[k] = '\0';
            return 0;
        }
        int closing;
        char skipped[8];
        i = skip_tag(s, n, i, skipped, sizeof(skipped), &closing);
    }
    return -1;
}

/* Position after the end of the n-byte ASCII marker end searched from i, or len. */
static size_t skip_past(const char *s, size_t len, size_t i, const char *end, size_t n)
{
    size_t e = find_nocase(s, len, i, end, n);
    return e < len ? e + n : len;
}

/* Position after the <!DOCTYPE ...> that starts at s[i], quoted strings, the internal
 * subset and comments in it taken into account; 0 when it does not end. */
static size_t doctype_end(const char *s, size_t n, size_t i)
{
    int subset = 0;
    for (size_t j = i + 9; j < n; j++) {
        char ch = s[j];
        if (ch == '"' || ch == '\'') {
            const char *q = memchr(s + j + 1, ch, n - j - 1);
            if (!q)
                return 0;
            j = (size_t)(q - s);
        } else if (subset && ch == '<' && j + 3 < n && memcmp(s + j, "<!--", 4) == 0) {
            j = skip_past(s, n, j + 4, "-->", 3) - 1;
        } else if (ch == '[') {
            subset = 1;
        } else if (ch == ']') {
            subset = 0;
        } else if (ch == '>' && !subset) {
            return j + 1;
        }
    }
    return 0;
}

/* The length of the reference at s (s[0] == '&') when it is a character reference, kept
 * as it is. Else 0, and *cp is the character of a predefined or HTML entity name, 0 when
 * it is no reference at all, or FEED_REF_UNKNOWN for a reference to some other name. */
static size_t xml_ref(const char *s, size_t n, uint32_t *cp)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } predefined[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    *cp = 0;
    size_t i = 1;
    if (i < n && s[i] == '#') {
        i++;
        int hex = i < n && s[i] == 'x'; /* XML has no &#X */
        if (hex)
            i++;
        size_t start = i;
        while (i < n && digit_value(s[i], hex) >= 0)
            i++;
        return i > start && i < n && s[i] == ';' ? i + 1 : 0;
    }
    char name[33];
    size_t k = 0;
    while (i < n && k < sizeof(name) - 1 &&
           (is_alpha(s[i]) || s[i] == '_' || s[i] == ':' ||
            (k > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))))
        name[k++] = s[i++];
    if (k == 0 || i >= n || s[i] != ';')
        return 0;
    name[k] = '\0';
    for (size_t p = 0; p < sizeof(predefined) / sizeof(predefined[0]); p++)
        if (strcmp(name, predefined[p].name) == 0)
            *cp = predefined[p].cp;
    if (!*cp)
        *cp = entity_by_name(name);
    if (!*cp)
        *cp = FEED_REF_UNKNOWN;
    return 0;
}

/* 1 when c, after a '<', may start markup: a name (ASCII letter, '_', ':' or any
 * non-ASCII character), an end tag, a declaration or a processing instruction. */
static int starts_markup(char c)
{
    return is_alpha(c) || c == '_' || c == ':' || c == '/' || c == '!' || c == '?' ||
           (unsigned char)c >= 0x80;
}

/* Mend what sloppy feeds get wrong before libxml2 reads them, in a copy (*out, caller
 * frees; NULL when nothing needed mending):
 * - the DOCTYPE goes: no feed needs one, and its internal subset is where entity bombs
 *   live; libxml2 would stop at one (its amplification guard) and lose every item after
 *   it, while without it the references are undeclared and dropped;
 * - entity references become character references: HTML names (&nbsp; &ldquo;) because
 *   XML does not declare them and libxml2 drops them, and the predefined five (&amp;
 *   &lt; ...) because once libxml2 has met an error it drops every entity reference
 *   (xmlParseReference returns early when the document is not well-formed), so any
 *   broken feed would lose its ampersands; character references it always keeps. A
 *   reference to any other name is left alone, undeclared, and dropped;
 * - a '&' that starts no reference ("?a=1&b=2" in a link, "A & B" in a title), fatal in
 *   XML, becomes &#38;, and a '<' that starts no markup ("1 < 2") &#60;.
 * CDATA sections, comments and processing instructions are copied as they are. 0 or
 * GS_ENOMEM. */
static int xml_mend(const char *s, size_t n, char **out, size_t *outlen)
{
    gs_buf_t b;
    gs_buf_init(&b, 2 * n + 64);
    size_t done = 0; /* s[0..done) is in b */
    int changed = 0, seen_element = 0, rc = 0;
    *out = NULL;
    size_t i = 0;
    /* The next '&' at or after i, or n; kept so that no byte is searched twice (a search
     * per tag would make this quadratic). */
    const char *first = memchr(s, '&', n);
    size_t amp = first ? (size_t)(first - s) : n;
    while (i < n && rc == 0) {
        if (amp < i) {
            const char *p = memchr(s + i, '&', n - i);
            amp = p ? (size_t)(p - s) : n;
        }
        const char *lt = memchr(s + i, '<', amp - i);
        if (lt) {
            i = (size_t)(lt - s);
            size_t rest = n - i;
            if (rest >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
                i = skip_past(s, n, i + 9, "]]>", 3);
            } else if (rest >= 4 && memcmp(s + i, "<!--", 4) == 0) {
                i = skip_past(s, n, i + 4, "-->", 3);
            } else if (rest >= 2 && s[i + 1] == '?') {
                i = skip_past(s, n, i + 2, "?>", 2);
            } else if (!seen_element && rest >= 9 &&
                       find_nocase(s + i, 9, 0, "<!doctype", 9) == 0) {
                size_t e = doctype_end(s, n, i);
                if (e == 0) {
                    i++;
                    continue;
                }
                rc = gs_buf_append(&b, s + done, i - done);
                done = i = e;
                changed = 1;
            } else if (rest >= 2 && !starts_markup(s[i + 1])) {
                /* "1 < 2": a '<' no tag can start with is text. */
                rc = gs_buf_append(&b, s + done, i - done);
                if (rc == 0)
                    rc = gs_buf_puts(&b, "&#60;");
                done = ++i;
                changed = 1;
            } else {
                seen_element |= rest >= 2 && is_alpha(s[i + 1]);
                i++;
            }
            continue;
        }
        if (amp >= n)
            break;
        i = amp;
        uint32_t cp;
        size_t ok = xml_ref(s + i, n - i, &cp);
        if (ok) {
            i += ok;
            continue;
        }
        if (cp == FEED_REF_UNKNOWN) {
            i++;
            continue;
        }
        rc = gs_buf_append(&b, s + done, i - done);
        if (rc == 0 && cp) {
            rc = gs_buf_printf(&b, "&#%u;", (unsigned)cp);
            i = (size_t)((const char *)memchr(s + i, ';', n - i) - s) + 1;
        } else if (rc == 0) {
            rc = gs_buf_puts(&b, "&#38;");
            i++;
        }
        done = i;
        changed = 1;
    }
    if (rc == 0 && changed)
        rc = gs_buf_append(&b, s + done, n - done);
    if (rc < 0 || !changed) {
        gs_buf_cleanup(&b);
        return rc < 0 ? GS_ENOMEM : 0;
    }
    *outlen = b.len;
    *out = gs_buf_steal(&b);
    return *out ? 0 : GS_ENOMEM;
}

/* Parse UTF-8 XML and read it as RSS or Atom. */
static int xml_read(gs_feed_t *f, const char *s, size_t n, gs_err_t *err)
{
    char *mended;
    size_t mlen = 0;
    if (xml_mend(s, n, &mended, &mlen) < 0)
        return gs_err_set(err, GS_ENOMEM, "out of memory reading the feed");
    if (mended) {
        s = mended;
        n = mlen;
    }
    if (n > INT_MAX) {
        free(mended);
        return gs_err_set(err, GS_ETOOBIG, "feed of %zu bytes is too big to parse", n);
    }
    xmlDoc *doc = xmlReadMemory(s, (int)n, NULL, "UTF-8", FEED_XML_OPTIONS);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        char name[FEED_SNIPPET_MAX + 1];
        int found = first_element(s, n, name, sizeof(name)) == 0;
        free(mended);
        if (found)
            return gs_err_set(err, GS_EPARSE, "not an RSS, Atom or JSON feed: root element <%s>",
                              name);
        return gs_err_set(err, GS_EPARSE, "not an RSS, Atom or JSON feed: no XML element");
    }
    xml_ctx_t c = {f, NULL, NULL};
    const char *name = (const char *)root->name;
    const xmlChar *ns = ns_of(root);
    int rc;
    if (strcmp(name, "rss") == 0) {
        rc = rss_read(&c, root, 0);
    } else if (strcmp(name, "RDF") == 0 && ns_eq(ns, (const xmlChar *)NS_RDF)) {
        rc = rss_read(&c, root, 1);
    } else if (strcmp(name, "feed") == 0 && (ns_eq(ns, (const xmlChar *)NS_ATOM) ||
                                             ns_eq(ns, (const xmlChar *)NS_ATOM03) || !ns)) {
        rc = atom_read(&c, root);
    } else {
        /* Lower-cased as first_element does, so that <HTML> reads the same either way. */
        char shown[FEED_SNIPPET_MAX + 1];
        snippet(name, strlen(name), shown, sizeof(shown));
        for (char *q = shown; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        rc = gs_err_set(err, GS_EPARSE, "not an RSS, Atom or JSON feed: root element <%s>", shown);
    }
    xmlFreeDoc(doc);
    free(mended);
    if (rc == GS_ENOMEM)
        gs_err_set(err, rc, "out of memory reading the feed");
    return rc;
}

/* ---- JSON Feed -------------------------------------------------------------------------- */

/* 1 when JSON text nests arrays and objects at most max deep (strings skipped): a cheap
 * pass before jansson, whose own limit (2048 levels, by recursion) is far above any
 * feed's need. */
static int json_depth_ok(const char *s, size_t n, int max)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max)
                return 0;
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
    }
    return 1;
}

/* The string member key of object o with its length, or NULL (absent, not a string). */
static const char *json_str(const json_t *o, const char *key, size_t *len)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return NULL;
    if (len)
        *len = json_string_length(v);
    return json_string_value(v);
}

/* Plain text of a JSON string member as kind (FIELD_PLAIN or FIELD_HTML); "" when
 * absent. A new string, NULL when out of memory. */
static char *json_text(const json_t *o, const char *key, enum field_kind kind, size_t max,
                       int oneline)
{
    size_t n = 0;
    const char *s = json_str(o, key, &n);
    text_out_t t;
    text_init(&t, max, oneline, kind == FIELD_PLAIN);
    if (s && n > GS_FEED_MAX_MARKUP)
        n = utf8_cut(s, GS_FEED_MAX_MARKUP);
    if (s && kind == FIELD_HTML)
        text_html(&t, s, n);
    else if (s)
        text_plain(&t, s, n);
    return text_steal(&t);
}

/* The first of the string members keys[0..n) that is a usable link, trimmed, in a new
 * string; "" when none. NULL when out of memory. */
static char *json_link(const json_t *o, const char *const *keys, size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++) {
        const char *s = json_str(o, keys[i], NULL);
        char *l = link_dup(s);
        if (!l || l[0])
            return l;
        free(l);
    }
    return strdup("");
}

/* The time of a JSON Feed item: date_published, then date_modified. */
static int64_t json_date(const json_t *item)
{
    static const char *const keys[] = {"date_published", "date_modified"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *s = json_str(item, keys[i], NULL);
        char buf[FEED_DATE_MAX];
        int64_t t;
        if (!s)
            continue;
        snprintf(buf, sizeof(buf), "%s", s);
        if (gs_time_parse_any(trim(buf), &t) == 0 && t > 0)
            return t;
    }
    return 0;
}

/* Read one JSON Feed item. */
static int json_item(gs_feed_t *f, const json_t *item)
{
    static const char *const link_keys[] = {"url", "external_url"};
    int64_t t = json_date(item);
    if (!feed_take(f))
        return feed_add_dated(f, t);
    /* content_text is the author's own plain form; content_html the usual one. */
    char *text;
    size_t n = 0;
    if (json_str(item, "content_text", &n) && n > 0)
        text = json_text(item, "content_text", FIELD_PLAIN, GS_FEED_MAX_TEXT, 0);
    else if (json_str(item, "content_html", NULL))
        text = json_text(item, "content_html", FIELD_HTML, GS_FEED_MAX_TEXT, 0);
    else
        text = json_text(item, "summary", FIELD_PLAIN, GS_FEED_MAX_TEXT, 0);
    return feed_add(f, json_text(item, "title", FIELD_PLAIN, GS_FEED_MAX_TITLE, 1),
                    json_link(item, link_keys, 2), text, t);
}

/* Parse UTF-8 JSON and read it as a JSON Feed (1.0 or 1.1). A document is taken as one
 * when its "version" is a jsonfeed.org version, or, for bridges that leave the version
 * out, when it has no "version" but an "items" array. */
static int json_read(gs_feed_t *f, const char *s, size_t n, gs_err_t *err)
{
    static const char *const home_keys[] = {"home_page_url"};
    if (!json_depth_ok(s, n, GS_FEED_MAX_DEPTH))
        return gs_err_set(err, GS_ETOOBIG, "JSON nested deeper than %d levels", GS_FEED_MAX_DEPTH);
    json_error_t je;
    /* JSON_ALLOW_NUL: one \u0000 in one post must not lose the whole feed. */
    json_t *root = json_loadb(s, n, JSON_ALLOW_NUL, &je);
    if (!root)
        return gs_err_set(err, GS_EPARSE, "not a JSON feed: %s at line %d, column %d", je.text,
                          je.line, je.column);
    int rc = 0;
    const json_t *version = json_object_get(root, "version");
    const json_t *items = json_object_get(root, "items");
    if (!json_is_object(root)) {
        rc = gs_err_set(err, GS_EPARSE, "not a JSON feed: the top level is not an object");
        goto out;
    }
    if (version) {
        const char *v = json_string_value(version);
        if (!v || !strstr(v, "jsonfeed.org/version/")) {
            char shown[FEED_SNIPPET_MAX + 1];
            snippet(v ? v : "", v ? strlen(v) : 0, shown, sizeof(shown));
            rc = gs_err_set(err, GS_EPARSE, "not a JSON feed: \"version\" is \"%s\"", shown);
            goto out;
        }
    } else if (!json_is_array(items)) {
        rc = gs_err_set(err, GS_EPARSE, "not a JSON feed: no \"version\" and no \"items\" array");
        goto out;
    }
    if (items && !json_is_array(items)) {
        rc = gs_err_set(err, GS_EPARSE, "not a JSON feed: \"items\" is not an array");
        goto out;
    }
    f->format = "json";
    f->title = json_text(root, "title", FIELD_PLAIN, GS_FEED_MAX_TITLE, 1);
    f->link = json_link(root, home_keys, 1);
    if (!f->title || !f->link) {
        rc = GS_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(items) && rc == 0; i++) {
        const json_t *item = json_array_get(items, i);
        if (json_is_object(item))
            rc = json_item(f, item);
    }
    if (rc == GS_ENOMEM)
        gs_err_set(err, rc, "out of memory reading the feed");
out:
    json_decref(root);
    return rc;
}

/* ---- charset and format -------------------------------------------------------------- */

/* The encoding named in an XML declaration at the start of s into out; 0 when there is
 * one. A UTF-16 or UCS name is ignored: a declaration readable as ASCII is not UTF-16,
 * whatever it says (a BOM, checked by gs_charset_decide, is what tells UTF-16). */
static int xml_decl_encoding(const char *s, size_t n, char *out, size_t outlen)
{
    size_t i = 0;
    if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (n - i < 5 || memcmp(s + i, "<?xml", 5) != 0)
        return -1;
    size_t end = find_nocase(s, n < i + 512 ? n : i + 512, i, "?>", 2);
    size_t e = find_nocase(s, end, i, "encoding", 8);
    if (e >= end)
        return -1;
    e += 8;
    while (e < end && (s[e] == ' ' || s[e] == '\t' || s[e] == '\r' || s[e] == '\n' || s[e] == '='))
        e++;
    if (e >= end || (s[e] != '"' && s[e] != '\''))
        return -1;
    char q = s[e++];
    size_t k = 0;
    while (e < end && s[e] != q && k + 1 < outlen) {
        char c = s[e++];
        if (!(is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
              c == ':'))
            return -1;
        out[k++] = c;
    }
    out[k] = '\0';
    if (k == 0 || e >= end || s[e] != q)
        return -1;
    if (find_nocase(out, k, 0, "utf-16", 6) == 0 || find_nocase(out, k, 0, "ucs", 3) == 0)
        return -1;
    return 0;
}

/* Decide the body's charset. For XML the declaration is the best evidence there is (the
 * bridge wrote it with the bytes; servers' headers are often generic), so it stands in
 * for the Content-Type; gs_charset_decide still lets a BOM win and overrules a
 * declaration the bytes contradict (a "GBK" feed that is valid UTF-8). */
static void feed_charset(const char *body, size_t len, const char *content_type, char *out,
                         size_t outlen)
{
    char enc[GS_CHARSET_NAME_MAX];
    if (xml_decl_encoding(body, len, enc, sizeof(enc)) == 0) {
        char hint[GS_CHARSET_NAME_MAX + 32];
        snprintf(hint, sizeof(hint), "application/xml; charset=%s", enc);
        gs_charset_decide(hint, body, len, out, outlen);
    } else {
        gs_charset_decide(content_type, body, len, out, outlen);
    }
}

/* 1 when the Content-Type names a JSON type (application/json, application/feed+json). */
static int ct_is_json(const char *ct)
{
    return ct && find_nocase(ct, strlen(ct), 0, "json", 4) < strlen(ct);
}

int gs_feed_parse(const char *body, size_t len, const char *content_type, gs_feed_t **out,
                  gs_err_t *err)
{
    if (!out)
        return gs_err_set(err, GS_EINVAL, "gs_feed_parse: no place for the feed");
    *out = NULL;
    if (!body && len > 0)
        return gs_err_set(err, GS_EINVAL, "gs_feed_parse: no body");
    if (len > GS_FEED_MAX_BODY)
        return gs_err_set(err, GS_ETOOBIG, "feed of %zu bytes is over the limit of %zu bytes", len,
                          GS_FEED_MAX_BODY);
    char cs[GS_CHARSET_NAME_MAX];
    feed_charset(body ? body : "", len, content_type, cs, sizeof(cs));
    char *text = NULL;
    size_t tlen = 0;
    /* UTF-8 is at most twice as long as any charset gs_charset reads (Latin-1). */
    int rc = gs_charset_to_utf8(cs, body ? body : "", len, 2 * len + 1024, &text, &tlen);
    if (rc == GS_ENOMEM)
        return gs_err_set(err, rc, "out of memory converting the feed to UTF-8");
    if (rc < 0)
        return gs_err_set(err, GS_EPARSE, "cannot read the feed as %s: %s", cs, gs_strerror(rc));
    size_t i = 0;
    while (i < tlen && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    gs_feed_t *f = calloc(1, sizeof(*f));
    if (!f) {
        free(text);
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    if (i == tlen) {
        rc = gs_err_set(err, GS_EPARSE, "empty body");
    } else if (text[i] == '{' || text[i] == '[' || (text[i] != '<' && ct_is_json(content_type))) {
        rc = json_read(f, text + i, tlen - i, err);
    } else if (text[i] == '<') {
        rc = xml_read(f, text + i, tlen - i, err);
    } else {
        char shown[FEED_SNIPPET_MAX + 1];
        snippet(text + i, tlen - i, shown, sizeof(shown));
        rc = gs_err_set(err, GS_EPARSE,
                        "not an RSS, Atom or JSON feed: the body starts with \"%s\"", shown);
    }
    free(text);
    if (rc < 0) {
        gs_feed_destroy(&f);
        return rc;
    }
    *out = f;
    return 0;
}

void gs_feed_destroy(gs_feed_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_feed_t *f = *self_p;
    for (size_t i = 0; i < f->nposts; i++) {
        free(f->posts[i].title);
        free(f->posts[i].link);
        free(f->posts[i].text);
    }
    free(f->posts);
    free(f->dated);
    free(f->title);
    free(f->link);
    free(f);
    *self_p = NULL;
}

size_t gs_feed_count(const gs_feed_t *f)
{
    return f ? f->nposts : 0;
}

size_t gs_feed_total(const gs_feed_t *f)
{
    return f ? f->total : 0;
}

const gs_post_t *gs_feed_post(const gs_feed_t *f, size_t i)
{
    return f && i < f->nposts ? &f->posts[i] : NULL;
}

const char *gs_feed_title(const gs_feed_t *f)
{
    return f && f->title ? f->title : "";
}

const char *gs_feed_link(const gs_feed_t *f)
{
    return f && f->link ? f->link : "";
}

const char *gs_feed_format(const gs_feed_t *f)
{
    return f && f->format ? f->format : "";
}

int64_t gs_feed_newest(const gs_feed_t *f, int64_t ref_unix)
{
    int64_t best = 0;
    if (!f)
        return 0;
    for (size_t i = 0; i < f->nposts; i++) {
        int64_t t = f->posts[i].published;
        if (t > 0 && t <= ref_unix && t > best)
            best = t;
    }
    for (size_t i = 0; i < f->ndated; i++) {
        int64_t t = f->dated[i];
        if (t <= ref_unix && t > best)
            best = t;
    }
    return best;
}
