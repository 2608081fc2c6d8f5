/* gs_page.c -- HTML to page facts: one parse, one walk of the tree.
 *
 * The walk is iterative (hostile pages nest deeply; libxml2 stops at 256 levels without
 * XML_PARSE_HUGE, and the frame stack below is sized for that) and keeps one frame per
 * open element with what its descendants inherit: the page region, whether it is hidden,
 * and the list item it belongs to. Everything is bounded by the limits in gs_page.h. */
#include "gs_page.h"
#include "gs_buf.h"
#include "gs_charset.h"
#include "gs_err.h"
#include "gs_t2s.h"
#include "gs_url.h"
#include "gs_word.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FRAMES 512
#define MAX_RANGES 32        /* header/footer stretches of the text */
#define REGION_MAX_DEPTH 8   /* only elements this close to <body> open a region */
#define SCRIPT_SCAN_MAX 8192 /* bytes of an inline script looked at */
#define FOOTER_TAIL 2048     /* footer text when no footer region is recognized */
#define ITEM_DATES 8         /* dates read from one list item */

void gs_page_init(gs_page_t *p)
{
    memset(p, 0, sizeof(*p));
    p->newest_item = p->newest_meta = p->newest_text = GS_NO_DAY;
}

void gs_page_cleanup(gs_page_t *p)
{
    free(p->title);
    for (size_t i = 0; i < p->nmetas; i++) {
        free(p->metas[i].name);
        free(p->metas[i].content);
    }
    for (size_t i = 0; i < p->nlinks; i++) {
        free(p->links[i].url);
        free(p->links[i].text);
    }
    free(p->links);
    free(p->text);
    free(p->header_text);
    free(p->footer_text);
    for (size_t i = 0; i < p->nalts; i++)
        free(p->alts[i]);
    for (size_t i = 0; i < p->nscripts; i++)
        free(p->scripts[i].target);
    for (size_t i = 0; i < p->nmsgs; i++)
        free(p->msgs[i].title);
    gs_page_init(p);
}

const char *gs_page_meta(const gs_page_t *p, const char *name)
{
    for (size_t i = 0; i < p->nmetas; i++)
        if (strcmp(p->metas[i].name, name) == 0)
            return p->metas[i].content;
    return NULL;
}

int32_t gs_page_newest_day(const gs_page_t *p)
{
    if (p->newest_item != GS_NO_DAY)
        return p->newest_item;
    return p->newest_meta > p->newest_text ? p->newest_meta : p->newest_text;
}

/* ASCII case-insensitive strstr (strcasestr is a GNU extension). */
static const char *ci_find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* ---- walk state ---------------------------------------------------------------------- */

/* What an open element passes on to its descendants. */
typedef struct frame {
    xmlNode *node;
    uint8_t tag;        /* tag_of its name: TAG_* | TAG_IS_BLOCK */
    uint8_t region;     /* gs_region_t */
    uint8_t hidden;     /* gs_hidden_t */
    uint8_t depth;      /* elements below <body> (saturating) */
    bool item;          /* this element is a list item (li, tr, dd) */
    bool heading;       /* inside h1-h6 */
    bool region_start;  /* this element opened its region */
    size_t item_text;   /* text offset where the item began */
    size_t item_links;  /* first link index of the item */
    size_t range_start; /* text offset where the region began */
} frame_t;

typedef struct hide_rule {
    char name[48]; /* class or id */
    bool is_id;
    uint8_t why; /* gs_hidden_t */
} hide_rule_t;

typedef struct range {
    size_t from, to;
} range_t;

typedef struct walk {
    gs_page_t *p;
    const char *base;
    gs_urlbase_t *ub; /* base parsed once; NULL when the base is not http(s) */
    size_t max_links;
    size_t links_cap;
    int64_t ref_unix;
    int32_t ref_day;
    gs_buf_t text, header, footer;
    frame_t frames[MAX_FRAMES];
    size_t nframes;
    hide_rule_t rules[GS_PAGE_MAX_HIDE_RULES];
    size_t nrules;
    range_t skip[MAX_RANGES]; /* header and footer stretches: not publication dates */
    size_t nskip;
    struct lift *lift; /* script and style text lifted out before parsing; NULL when none */
    struct {
        const xmlChar *name; /* libxml2's interned name (its dictionary's) */
        uint8_t tag;
    } tags[64]; /* tag_of by the name's address: one comparison instead of a bsearch */
    int err;    /* the first GS_ENOMEM of the walk: a fact lost to it fails the parse */
} walk_t;

/* Remember an allocation failure of the walk. The walk goes on (its helpers return
 * nothing and a half-built fact is simply not kept), and gs_page_parse returns the error:
 * a page that parsed with a link or a line missing would be judged as if it had none. A
 * ceiling reached (GS_ETOOBIG) is no error: the text is cut there by design. */
static void walk_fail(walk_t *w, int rc)
{
    if (rc == GS_ENOMEM && !w->err)
        w->err = rc;
}

/* ---- script and style text, lifted out before parsing -------------------------------
 *
 * A government page's head is mostly inline script and CSS (on the benchmark's pages,
 * three quarters of the bytes), and libxml2 2.9 reads an element's raw text a character
 * at a time through its decoder (htmlParseScript): measured with bench-parse-floor on
 * those pages, 333 us of a page's 182 + 151. The walk wants only the bytes of that text.
 * So before parsing, a scan that knows only comments and tags moves the text of each long
 * <script> and <style> out of the page, leaving a marker in its place, and the walk reads
 * the text from the original through the marker: libxml2 parses a page a quarter the size.
 *
 * The scan is not trusted to tokenize HTML as libxml2 does. The parse is kept only when
 * libxml2 gave every marker, in order, as the whole text of a script or style element the
 * walk entered, and no other text read held one; then the page libxml2 saw differs from
 * the original only inside elements whose text libxml2 passes through raw (it ends them at
 * the first "</script" or "</style", as the scan does, since HTML_PARSE_RECOVER is set).
 * Otherwise (a marker inside a comment, an attribute, a <noscript> the walk skips) the
 * facts are thrown away and the original is parsed as it is: slower, never different. */

#define LIFT_MIN 128                    /* shorter raw text costs libxml2 less than the detour */
#define LIFT_MARK "\xee\x80\x80gs-raw:" /* U+E000 (private use) and a tag; then the index */

typedef struct lifted {
    size_t off, len; /* the raw text in the original page */
} lifted_t;

typedef struct lift {
    const char *src; /* the original page (UTF-8) */
    lifted_t *v;
    size_t n, cap;
    size_t next; /* the index the walk must meet next */
    bool broken; /* a marker was met out of order or outside a raw element */
} lift_t;

static void lift_cleanup(lift_t *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* The first needle[0..m) in s[0..n), or NULL (memmem is a GNU and BSD extension). */
static const char *find_bytes(const char *s, size_t n, const char *needle, size_t m)
{
    while (n >= m) {
        const char *c = memchr(s, needle[0], n - m + 1);
        if (!c)
            return NULL;
        if (memcmp(c, needle, m) == 0)
            return c;
        n -= (size_t)(c - s) + 1;
        s = c + 1;
    }
    return NULL;
}

static bool lift_name_char(unsigned char c)
{
    return isalnum(c) || c == ':' || c == '-' || c == '_' || c == '.';
}

/* Where the start tag beginning at s[i] ('<' and its name read) ends: the index after its
 * '>', quotes respected; 0 when the page ends first. */
static size_t lift_tag_end(const char *s, size_t n, size_t i)
{
    char q = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return 0;
}

/* The offset of the first "</name" (ASCII case ignored) in s[i..n), or n. */
static size_t lift_close(const char *s, size_t n, size_t i, const char *name, size_t nl)
{
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt)
            return n;
        i = (size_t)(lt - s);
        if (i + 2 + nl <= n && s[i + 1] == '/' && strncasecmp(s + i + 2, name, nl) == 0)
            return i;
        i++;
    }
    return n;
}

/* Whether byte i of p[0..n) is one libxml2 keeps in raw text (see lift_plain). */
static bool lift_byte_ok(const unsigned char *p, size_t i, size_t n)
{
    unsigned char c = p[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return false;
    return !(c == 0xef && i + 2 < n && p[i + 1] == 0xbf && (p[i + 2] == 0xbe || p[i + 2] == 0xbf));
}

/* Whether libxml2 passes raw text through untouched: no byte it drops as an invalid
 * character (C0 controls but tab, newline and return) and no U+FFFE or U+FFFF. A word
 * with a byte below 0x20 (a newline, mostly) or an 0xEF is looked at a byte at a time. */
static bool lift_plain(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t x = gs_word_load(p + i);
            if (!gs_word_has_below(x, 0x20) && !gs_word_has_byte(x, 0xef)) {
                i += 8;
                continue;
            }
            for (size_t end = i + 8; i < end; i++)
                if (!lift_byte_ok(p, i, n))
                    return false;
            continue;
        }
        if (!lift_byte_ok(p, i, n))
            return false;
        i++;
    }
    return true;
}

/* Copy the page s[0..n) into out with the long raw texts replaced by markers, recorded in
 * l. Returns 0 (out holds the page to parse; l->n may be 0, out then empty) or GS_ENOMEM.
 * A page holding the marker's own private-use character is left as it is. */
static int lift_raw(const char *s, size_t n, lift_t *l, gs_buf_t *out)
{
    static const struct {
        const char *name;
        size_t len;
    } raw[] = {{"script", 6}, {"style", 5}};
    l->src = s;
    if (find_bytes(s, n, LIFT_MARK, 3))
        return 0;
    size_t i = 0, copied = 0;
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt)
            break;
        i = (size_t)(lt - s);
        if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            const char *e = find_bytes(s + i + 4, n - i - 4, "-->", 3);
            if (!e)
                break;
            i = (size_t)(e - s) + 3;
            continue;
        }
        size_t k = 0, nl = 0;
        for (; k < 2; k++) {
            nl = raw[k].len;
            if (i + 1 + nl < n && strncasecmp(s + i + 1, raw[k].name, nl) == 0 &&
                !lift_name_char((unsigned char)s[i + 1 + nl]))
                break;
        }
        if (k == 2) {
            i++;
            continue;
        }
        size_t from = lift_tag_end(s, n, i + 1 + nl);
        if (!from)
            break;
        size_t to = lift_close(s, n, from, raw[k].name, nl);
        if (to == n)
            break; /* unterminated: libxml2 reads it to the end of the page */
        if (to + 2 + nl < n && lift_name_char((unsigned char)s[to + 2 + nl]))
            break; /* "</scriptx": libxml2 ends the text there but not the element, and
                      reads on; leave such a page to it from here */
        if (to - from >= LIFT_MIN && lift_plain(s + from, to - from)) {
            if (l->n == l->cap) {
                size_t nc = l->cap ? l->cap * 2 : 16;
                lifted_t *nv = realloc(l->v, nc * sizeof(*nv));
                if (!nv)
                    return GS_ENOMEM;
                l->v = nv;
                l->cap = nc;
            }
            int rc = gs_buf_append(out, s + copied, from - copied);
            if (rc == 0)
                rc = gs_buf_printf(out, LIFT_MARK "%zu", l->n);
            if (rc < 0)
                return rc;
            l->v[l->n].off = from;
            l->v[l->n].len = to - from;
            l->n++;
            copied = to;
        }
        i = to;
    }
    if (l->n)
        return gs_buf_append(out, s + copied, n - copied);
    return 0;
}

/* The raw text of a script or style element whose text libxml2 gave as t: the lifted
 * original when t is the next marker, else t itself. */
static const char *lift_resolve(walk_t *w, const char *t, size_t *len)
{
    lift_t *l = w->lift;
    if (l && strncmp(t, LIFT_MARK, sizeof(LIFT_MARK) - 1) == 0) {
        char want[sizeof(LIFT_MARK) + 24];
        snprintf(want, sizeof(want), LIFT_MARK "%zu", l->next);
        if (l->next < l->n && strcmp(t, want) == 0) {
            const lifted_t *v = &l->v[l->next++];
            *len = v->len;
            return l->src + v->off;
        }
        l->broken = true;
    }
    *len = strlen(t);
    return t;
}

/* Whether the parse through markers gave the facts of the original page. */
static bool lift_held(const walk_t *w)
{
    return !w->lift || (!w->lift->broken && w->lift->next == w->lift->n);
}

static int32_t day_of(gs_ymd_t d)
{
    return (int32_t)gs_days_from_civil(d.y, d.m, d.d);
}

/* The elements the walk treats apart, named once per element (tag_of) instead of by a
 * chain of strcmp in enter() and leave(): some 25 comparisons an element, and up to 34 more
 * for is_block, were 4 % of a worker's CPU (bench/profile.sh). libxml2's HTML parser gives
 * names in lower case. */
enum {
    TAG_OTHER = 0,
    TAG_A,
    TAG_AREA,
    TAG_CENTER,
    TAG_DD,
    TAG_DIV,
    TAG_DL,
    TAG_FOOTER,
    TAG_FRAME,
    TAG_HEADER,
    TAG_IFRAME,
    TAG_IMG,
    TAG_LI,
    TAG_LINK,
    TAG_MARQUEE,
    TAG_META,
    TAG_NAV,
    TAG_NOSCRIPT,
    TAG_P,
    TAG_SCRIPT,
    TAG_SECTION,
    TAG_STYLE,
    TAG_TABLE,
    TAG_TEMPLATE,
    TAG_TITLE,
    TAG_TR,
    TAG_UL,
    TAG_BLOCK /* any other element whose end starts a new line */
};

#define TAG_IS_BLOCK                                                                               \
    0x80 /* its end starts a new line of text, so dates and items do not                           \
            run together */

typedef struct tag_name {
    const char *name;
    uint8_t tag; /* TAG_* | TAG_IS_BLOCK */
} tag_name_t;

/* sorted by name (bsearch) */
static const tag_name_t tag_names[] = {
    {"a", TAG_A | TAG_IS_BLOCK},
    {"area", TAG_AREA},
    {"article", TAG_BLOCK | TAG_IS_BLOCK},
    {"b", TAG_BLOCK | TAG_IS_BLOCK},
    {"br", TAG_BLOCK | TAG_IS_BLOCK},
    {"button", TAG_BLOCK | TAG_IS_BLOCK},
    {"center", TAG_CENTER},
    {"dd", TAG_DD | TAG_IS_BLOCK},
    {"div", TAG_DIV | TAG_IS_BLOCK},
    {"dl", TAG_DL},
    {"dt", TAG_BLOCK | TAG_IS_BLOCK},
    {"em", TAG_BLOCK | TAG_IS_BLOCK},
    {"font", TAG_BLOCK | TAG_IS_BLOCK},
    {"footer", TAG_FOOTER | TAG_IS_BLOCK},
    {"form", TAG_BLOCK | TAG_IS_BLOCK},
    {"frame", TAG_FRAME},
    {"h1", TAG_BLOCK | TAG_IS_BLOCK},
    {"h2", TAG_BLOCK | TAG_IS_BLOCK},
    {"h3", TAG_BLOCK | TAG_IS_BLOCK},
    {"h4", TAG_BLOCK | TAG_IS_BLOCK},
    {"h5", TAG_BLOCK | TAG_IS_BLOCK},
    {"h6", TAG_BLOCK | TAG_IS_BLOCK},
    {"header", TAG_HEADER | TAG_IS_BLOCK},
    {"i", TAG_BLOCK | TAG_IS_BLOCK},
    {"iframe", TAG_IFRAME},
    {"img", TAG_IMG},
    {"label", TAG_BLOCK | TAG_IS_BLOCK},
    {"li", TAG_LI | TAG_IS_BLOCK},
    {"link", TAG_LINK},
    {"marquee", TAG_MARQUEE},
    {"meta", TAG_META},
    {"nav", TAG_NAV | TAG_IS_BLOCK},
    {"noscript", TAG_NOSCRIPT},
    {"ol", TAG_BLOCK | TAG_IS_BLOCK},
    {"option", TAG_BLOCK | TAG_IS_BLOCK},
    {"p", TAG_P | TAG_IS_BLOCK},
    {"script", TAG_SCRIPT},
    {"section", TAG_SECTION | TAG_IS_BLOCK},
    {"span", TAG_BLOCK | TAG_IS_BLOCK},
    {"strong", TAG_BLOCK | TAG_IS_BLOCK},
    {"style", TAG_STYLE},
    {"table", TAG_TABLE | TAG_IS_BLOCK},
    {"td", TAG_BLOCK | TAG_IS_BLOCK},
    {"template", TAG_TEMPLATE},
    {"th", TAG_BLOCK | TAG_IS_BLOCK},
    {"title", TAG_TITLE},
    {"tr", TAG_TR | TAG_IS_BLOCK},
    {"ul", TAG_UL | TAG_IS_BLOCK},
};

static int tag_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const tag_name_t *)elem)->name);
}

static uint8_t tag_of(const char *name)
{
    const tag_name_t *t = bsearch(name, tag_names, sizeof(tag_names) / sizeof(tag_names[0]),
                                  sizeof(tag_names[0]), tag_cmp);
    return t ? t->tag : TAG_OTHER;
}

/* tag_of through w's cache. A document's element names stay where they are until it is
 * freed, so within one walk an address names one string. */
static uint8_t walk_tag(walk_t *w, const xmlChar *name)
{
    size_t h = (size_t)(((uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15u) >> 58);
    if (w->tags[h].name != name) {
        w->tags[h].name = name;
        w->tags[h].tag = tag_of((const char *)name);
    }
    return w->tags[h].tag;
}

/* Collapse whitespace (ASCII and the ideographic/no-break spaces CMSs pad with) and trim;
 * returns a new string of at most max bytes (cut on a UTF-8 boundary). */
static char *squeeze(const char *s, size_t max)
{
    size_t n = strlen(s);
    char *o = malloc((n < max ? n : max) + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    int sp = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t w = 1;
        int space = isspace(c);
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0)
            space = 1, w = 2; /* U+00A0 */
        else if (c == 0xE3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 (unsigned char)s[i + 2] == 0x80)
            space = 1, w = 3; /* U+3000 */
        if (space) {
            sp = j > 0;
            i += w;
            continue;
        }
        size_t cl = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (j + (size_t)sp + cl > max)
            break;
        if (sp)
            o[j++] = ' ';
        sp = 0;
        for (size_t k = 0; k < cl && i < n; k++)
            o[j++] = s[i++];
    }
    o[j] = '\0';
    return o;
}

/* The value of an attribute as prop() reads it. */
static const char *prop_value(const xmlAttr *a)
{
    const xmlNode *v = a->children;
    if (v && v->type == XML_TEXT_NODE && !v->next && v->content)
        return (const char *)v->content;
    return NULL;
}

/* An attribute's value without a copy when it is one text node (as libxml2's HTML parser
 * makes nearly every attribute); NULL when absent or not that simple. Borrowed from the
 * tree. Elements are many and class/id/style are read on each: copying them was a good
 * share of a page's allocations. */
static const char *prop(xmlNode *n, const char *name)
{
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && strcmp((const char *)a->name, name) == 0)
            return prop_value(a);
    return NULL;
}

/* class, id and style as prop() reads them, and whether "hidden" is present, in one pass
 * over the attributes: every element asks for these four. */
static void common_props(xmlNode *n, const char **cls, const char **id, const char **style,
                         bool *hidden)
{
    bool seen_cls = false, seen_id = false, seen_style = false;
    *cls = *id = *style = NULL;
    *hidden = false;
    for (xmlAttr *a = n->properties; a; a = a->next) {
        const char *nm = (const char *)a->name;
        if (!nm)
            continue;
        if (!seen_cls && strcmp(nm, "class") == 0)
            seen_cls = true, *cls = prop_value(a);
        else if (!seen_id && strcmp(nm, "id") == 0)
            seen_id = true, *id = prop_value(a);
        else if (!seen_style && strcmp(nm, "style") == 0)
            seen_style = true, *style = prop_value(a);
        else if (strcmp(nm, "hidden") == 0)
            *hidden = true;
    }
}

/* Whether an attribute is present at all. */
static int has_prop(xmlNode *n, const char *name)
{
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && strcmp((const char *)a->name, name) == 0)
            return 1;
    return 0;
}

/* An attribute as a new string, or NULL when it is absent or memory ran out (recorded in
 * w: libxml2 gives NULL for both, but only a shortage leaves a present attribute
 * without its value). */
static char *attr(walk_t *w, xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v) {
        if (has_prop(n, name))
            walk_fail(w, GS_ENOMEM);
        return NULL;
    }
    char *s = strdup((const char *)v);
    xmlFree(v);
    if (!s)
        walk_fail(w, GS_ENOMEM);
    return s;
}

/* The text content of n squeezed to at most max bytes, a new string; NULL when memory
 * ran out (recorded in w). */
static char *content_text(walk_t *w, xmlNode *n, size_t max)
{
    xmlChar *c = xmlNodeGetContent(n);
    /* the text of a lifted script inside (an anchor's, a cell's) would be its marker */
    if (c && w->lift && strstr((const char *)c, LIFT_MARK))
        w->lift->broken = true;
    char *t = c ? squeeze((const char *)c, max) : NULL;
    xmlFree(c);
    if (!t)
        walk_fail(w, GS_ENOMEM);
    return t;
}

/* Lower-case s in place and drop ASCII whitespace, for matching CSS declarations. */
static void css_normalize(char *s)
{
    /* ASCII by hand: isspace and tolower are a call into the locale's tables a byte, and
     * a page's CSS is many kilobytes (in the C locale the two agree with this). Words of
     * eight bytes with no white space, control byte or upper-case letter move whole. */
    size_t n = strlen(s), i = 0, j = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t x = gs_word_load(s + i);
            if (!gs_word_upper(x) && !gs_word_has_below(x, 0x21)) {
                memmove(s + j, s + i, 8);
                i += 8;
                j += 8;
                continue;
            }
        }
        unsigned char c = (unsigned char)s[i++];
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            continue;
        s[j++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    s[j] = '\0';
}

/* A CSS length at v (a declaration's value): its value in px (em and pt roughly
 * converted), or 1e9 when it is not a length. */
static double css_value_px(const char *v)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v)
        return 1e9;
    if (strncmp(end, "em", 2) == 0 || strncmp(end, "rem", 3) == 0)
        x *= 16;
    else if (strncmp(end, "pt", 2) == 0)
        x *= 4.0 / 3.0;
    return x;
}

/* Whether p, in the normalized declaration list decl, begins a declaration. */
static bool css_decl_start(const char *decl, const char *p)
{
    return p == decl || p[-1] == ';' || p[-1] == '{' || p[-1] == '"';
}

/* A CSS length after "prop:" in a normalized declaration list: the value of its first
 * declaration in px, or 1e9 when the property is absent or not a length. */
static double css_length(const char *decl, const char *prop)
{
    const char *p = decl;
    size_t pl = strlen(prop);
    while ((p = strstr(p, prop)) != NULL) {
        if (css_decl_start(decl, p) && p[pl] == ':')
            return css_value_px(p + pl + 1);
        p += pl;
    }
    return 1e9;
}

/* The lengths css_hides reads, by their index in css_len_props. */
enum {
    CSS_LEFT,
    CSS_TOP,
    CSS_RIGHT,
    CSS_TEXT_INDENT,
    CSS_MARGIN_LEFT,
    CSS_MARGIN_TOP,
    CSS_FONT_SIZE,
    CSS_HEIGHT,
    CSS_WIDTH,
    CSS_NLEN
};
static const char *const css_len_props[CSS_NLEN] = {"left",        "top",         "right",
                                                    "text-indent", "margin-left", "margin-top",
                                                    "font-size",   "height",      "width"};
static const uint8_t css_len_lens[CSS_NLEN] = {4, 3, 5, 11, 11, 10, 9, 6, 5};

/* Whether the bytes before the colon at c (d the start) end in name, and after it begin
 * with value: strstr(d, "name:value") found at this colon. */
static bool css_at(const char *d, const char *c, const char *name, size_t nl, const char *value,
                   size_t vl)
{
    return (size_t)(c - d) >= nl && c[-1] == name[nl - 1] && memcmp(c - nl, name, nl) == 0 &&
           strncmp(c + 1, value, vl) == 0;
}

/* Whether a normalized declaration list hides its element from a visitor, and how.
 * Every test is of a "name:value" or of a "name:" that begins a declaration, so one pass
 * over the colons answers them all: what a strstr per test did (a dozen passes over each
 * block of a page's CSS, 2.5 % of a worker's CPU), with the same answers. */
static uint8_t css_hides(const char *d)
{
    bool display_none = false, visibility_hidden = false, positioned = false,
         overflow_hidden = false;
    const char *len[CSS_NLEN] = {NULL};
    for (const char *c = strchr(d, ':'); c; c = strchr(c + 1, ':')) {
        display_none = display_none || css_at(d, c, "display", 7, "none", 4);
        visibility_hidden = visibility_hidden || css_at(d, c, "visibility", 10, "hidden", 6);
        positioned = positioned || css_at(d, c, "position", 8, "absolute", 8) ||
                     css_at(d, c, "position", 8, "fixed", 5) ||
                     css_at(d, c, "position", 8, "relative", 8);
        overflow_hidden = overflow_hidden || css_at(d, c, "overflow", 8, "hidden", 6);
        for (int k = 0; k < CSS_NLEN; k++) {
            size_t pl = css_len_lens[k];
            if (len[k] || (size_t)(c - d) < pl || c[-1] != css_len_props[k][pl - 1] ||
                memcmp(c - pl, css_len_props[k], pl) != 0)
                continue;
            if (css_decl_start(d, c - pl))
                len[k] = c + 1;
        }
    }
#define CSS_PX(k) (len[k] ? css_value_px(len[k]) : 1e9)
    if (display_none)
        return GS_HIDDEN_DISPLAY;
    if (visibility_hidden)
        return GS_HIDDEN_VISIBILITY;
    /* Off-screen: positioned, or text indented, a long way out of the page. */
    if (positioned &&
        (CSS_PX(CSS_LEFT) <= -500 || CSS_PX(CSS_TOP) <= -500 || CSS_PX(CSS_RIGHT) <= -500))
        return GS_HIDDEN_OFFSCREEN;
    if (CSS_PX(CSS_TEXT_INDENT) <= -500 || CSS_PX(CSS_MARGIN_LEFT) <= -2000 ||
        CSS_PX(CSS_MARGIN_TOP) <= -2000)
        return GS_HIDDEN_OFFSCREEN;
    if (CSS_PX(CSS_FONT_SIZE) <= 1)
        return GS_HIDDEN_FONT;
    if (overflow_hidden && (CSS_PX(CSS_HEIGHT) <= 1 || CSS_PX(CSS_WIDTH) <= 1))
        return GS_HIDDEN_SIZE;
#undef CSS_PX
    return GS_HIDDEN_NO;
}

/* Whether any of the comma-separated selectors in [p, end) is one .class or #id, as
 * read_style_rules keeps them. */
static bool css_any_simple(const char *p, const char *end)
{
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end;
        size_t n = (size_t)(e - p);
        if (n >= 2 && (p[0] == '.' || p[0] == '#') && n - 1 < sizeof(((hide_rule_t *)0)->name)) {
            size_t k = 1;
            while (k < n && !strchr(".#:[>+~ ", p[k]))
                k++;
            if (k == n)
                return true;
        }
        p = comma ? comma + 1 : end;
    }
    return false;
}

/* Read simple hiding rules (".cls{display:none}", "#id{...}", comma lists) from the text
 * of a <style> element. Anything more complex is left alone: pages that hide spam links
 * do it inline or with one class, and a full CSS engine is not worth its cost here. */
static void read_style_rules(walk_t *w, const char *css, size_t n)
{
    if (n > 256 * 1024)
        n = 256 * 1024;
    char *s = malloc(n + 1);
    if (!s) {
        walk_fail(w, GS_ENOMEM);
        return;
    }
    memcpy(s, css, n);
    s[n] = '\0';
    css_normalize(s);
    char *p = s;
    while (*p && w->nrules < GS_PAGE_MAX_HIDE_RULES) {
        char *open = strchr(p, '{');
        if (!open)
            break;
        char *close = strchr(open, '}');
        if (!close)
            break;
        *close = '\0';
        /* the declarations are read only for a rule that could be kept: most of a page's
         * CSS is descendant and element selectors, which are not */
        uint8_t why = css_any_simple(p, open) ? css_hides(open + 1) : GS_HIDDEN_NO;
        if (why) {
            *open = '\0';
            /* selectors: comma-separated; keep those that are one .class or #id */
            char *sel = p;
            while (sel && *sel && w->nrules < GS_PAGE_MAX_HIDE_RULES) {
                char *comma = strchr(sel, ',');
                if (comma)
                    *comma = '\0';
                if ((sel[0] == '.' || sel[0] == '#') && sel[1] &&
                    strcspn(sel + 1, ".#:[>+~ ") == strlen(sel + 1) &&
                    strlen(sel + 1) < sizeof(w->rules[0].name)) {
                    hide_rule_t *r = &w->rules[w->nrules++];
                    snprintf(r->name, sizeof(r->name), "%s", sel + 1);
                    r->is_id = sel[0] == '#';
                    r->why = why;
                }
                sel = comma ? comma + 1 : NULL;
            }
        }
        p = close + 1;
    }
    free(s);
}

/* Whether the class list or id of an element matches a hiding rule. */
static uint8_t rule_hides(const walk_t *w, const char *cls, const char *id)
{
    for (size_t i = 0; i < w->nrules; i++) {
        const hide_rule_t *r = &w->rules[i];
        if (r->is_id) {
            if (id && strcasecmp(id, r->name) == 0)
                return r->why;
            continue;
        }
        if (!cls)
            continue;
        size_t nl = strlen(r->name);
        for (const char *c = cls; *c;) {
            while (*c == ' ' || *c == '\t')
                c++;
            size_t tl = strcspn(c, " \t");
            if (tl == nl && strncasecmp(c, r->name, nl) == 0)
                return r->why;
            c += tl;
        }
    }
    return GS_HIDDEN_NO;
}

/* Does a class or id token list name a region? Tokens are split on space, '-' and '_'. */
static uint8_t tokens_region(const char *s)
{
    static const char *const footer[] = {"footer", "foot", "bottom", "copyright",
                                         "copy",   "ft",   NULL};
    static const char *const nav[] = {"nav", "navbar", "menu", "mainnav", "daohang", NULL};
    static const char *const header[] = {"header", "head", "top", "topbar", "masthead", "hd", NULL};
    uint8_t found = GS_REGION_BODY;
    for (const char *c = s; c && *c;) {
        while (*c == ' ' || *c == '-' || *c == '_' || *c == '\t')
            c++;
        size_t tl = strcspn(c, " -_\t");
        for (int i = 0; footer[i]; i++)
            if (tl == strlen(footer[i]) && strncasecmp(c, footer[i], tl) == 0)
                return GS_REGION_FOOTER;
        for (int i = 0; nav[i] && found != GS_REGION_NAV; i++)
            if (tl == strlen(nav[i]) && strncasecmp(c, nav[i], tl) == 0)
                found = GS_REGION_NAV;
        for (int i = 0; header[i] && found == GS_REGION_BODY; i++)
            if (tl == strlen(header[i]) && strncasecmp(c, header[i], tl) == 0)
                found = GS_REGION_HEADER;
        c += tl;
    }
    return found;
}

/* The region an element opens, from its tag or its id/class; BODY when none. */
static uint8_t element_region(uint8_t tag, const char *cls, const char *id)
{
    switch (tag & ~TAG_IS_BLOCK) {
    case TAG_FOOTER:
        return GS_REGION_FOOTER;
    case TAG_NAV:
        return GS_REGION_NAV;
    case TAG_HEADER:
        return GS_REGION_HEADER;
    case TAG_DIV:
    case TAG_SECTION:
    case TAG_UL:
    case TAG_TABLE:
    case TAG_P:
    case TAG_CENTER:
        break;
    default:
        return GS_REGION_BODY;
    }
    uint8_t r = id ? tokens_region(id) : GS_REGION_BODY;
    if (r == GS_REGION_BODY && cls)
        r = tokens_region(cls);
    /* "hd" alone names a block heading as often as a header: only take it for the page. */
    if (r == GS_REGION_HEADER && ((cls && strcasecmp(cls, "hd") == 0) ||
                                  (cls && strstr(cls, "-hd")) || (cls && strstr(cls, "_hd"))))
        r = GS_REGION_BODY;
    return r;
}

/* ---- facts ----------------------------------------------------------------------------- */

static gs_link_t *link_slot(walk_t *w)
{
    if (w->p->nlinks >= w->max_links) {
        w->p->links_dropped++;
        return NULL;
    }
    if (w->p->nlinks == w->links_cap) {
        size_t nc = w->links_cap ? w->links_cap * 2 : 64;
        if (nc > w->max_links)
            nc = w->max_links;
        gs_link_t *nl = realloc(w->p->links, nc * sizeof(*nl));
        if (!nl) {
            walk_fail(w, GS_ENOMEM);
            return NULL;
        }
        w->p->links = nl;
        w->links_cap = nc;
    }
    return &w->p->links[w->p->nlinks];
}

static void add_link(walk_t *w, const frame_t *f, const char *ref, const char *text,
                     gs_link_kind_t kind)
{
    gs_link_t *l = link_slot(w);
    if (!l)
        return;
    char *abs;
    int rc =
        w->ub ? gs_urlbase_resolve_rc(w->ub, ref, &abs) : gs_url_resolve_rc(w->base, ref, &abs);
    if (rc < 0)
        walk_fail(w, rc);
    if (!abs)
        return;
    char *t = squeeze(text ? text : "", 1024);
    if (!t) {
        walk_fail(w, GS_ENOMEM);
        free(abs);
        return;
    }
    l->url = abs;
    l->text = t;
    l->kind = (uint8_t)kind;
    l->region = f->region;
    l->hidden = f->hidden;
    l->heading = f->heading;
    l->item_day = GS_NO_DAY;
    w->p->nlinks++;
}

/* The text of an anchor: its content, else its title, else the alt of an image in it.
 * NULL when memory ran out (recorded in w). */
static char *anchor_text(walk_t *w, xmlNode *n)
{
    char *t = content_text(w, n, 1024);
    if (t && !*t) {
        free(t);
        t = attr(w, n, "title");
        for (xmlNode *k = n->children; !t && k; k = k->next)
            if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "img"))
                t = attr(w, k, "alt");
        if (!t)
            t = strdup("");
        if (!t)
            walk_fail(w, GS_ENOMEM);
    }
    return t;
}

static void add_meta(walk_t *w, xmlNode *n)
{
    char *name = attr(w, n, "name");
    if (!name)
        name = attr(w, n, "property");
    char *equiv = name ? NULL : attr(w, n, "http-equiv");
    char *content = attr(w, n, "content");
    if (equiv && content && strcasecmp(equiv, "refresh") == 0 &&
        w->p->nscripts < GS_PAGE_MAX_SCRIPTS) {
        /* "5; url=http://..." */
        const char *u = ci_find(content, "url=");
        char *abs = NULL;
        if (u)
            walk_fail(w, gs_url_resolve_rc(w->base, u + 4, &abs));
        if (abs) {
            gs_script_t *s = &w->p->scripts[w->p->nscripts++];
            s->kind = GS_SCRIPT_REDIRECT;
            s->conditional = false;
            s->target = abs;
        }
    }
    if (name && content && w->p->nmetas < GS_PAGE_MAX_METAS) {
        char *ct = squeeze(content, 4096);
        if (!ct)
            walk_fail(w, GS_ENOMEM);
        if (ct) {
            for (char *c = name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            w->p->metas[w->p->nmetas].name = name;
            w->p->metas[w->p->nmetas].content = ct;
            w->p->nmetas++;
            name = NULL;
        }
    }
    free(name);
    free(equiv);
    free(content);
}

/* The first absolute http(s) URL written in a script, or NULL (a shortage recorded in
 * w). */
static char *script_url(walk_t *w, const char *s, size_t n)
{
    for (size_t i = 0; i + 8 < n; i++) {
        if ((s[i] | 0x20) != 'h' ||
            (strncasecmp(s + i, "http://", 7) && strncasecmp(s + i, "https://", 8)))
            continue;
        size_t e = i;
        while (e < n && s[e] != '"' && s[e] != '\'' && s[e] != ' ' && s[e] != ')' && s[e] != '<' &&
               s[e] != '>' && s[e] != '\\' && s[e] != ';' && s[e] != '\n' && e - i < 2048)
            e++;
        char buf[2049];
        memcpy(buf, s + i, e - i);
        buf[e - i] = '\0';
        char *url;
        walk_fail(w, gs_url_resolve_rc(w->base, buf, &url));
        return url;
    }
    return NULL;
}

/* Copy n bytes from src to dst with ASCII A-Z in lower case, eight at a time: a page's
 * inline scripts are kilobytes each (bytes >= 0x80 are kept). */
static void ascii_lower(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t x = gs_word_lower(gs_word_load(src + i));
        memcpy(dst + i, &x, 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
}

/* Whether the lower-cased script low (n bytes) says location.href, location.replace,
 * window.location, top.location, document.location or self.location: each holds
 * "location", so one search for it and a look at either side does the six searches. */
static bool script_redirects(const char *low, size_t n)
{
    static const char *const before[] = {"window.", "top.", "document.", "self."};
    static const char *const after[] = {".href", ".replace"};
    for (const char *p = strstr(low, "location"); p; p = strstr(p + 1, "location")) {
        size_t at = (size_t)(p - low), rest = n - at - 8;
        for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++) {
            size_t bl = strlen(before[k]);
            if (at >= bl && memcmp(p - bl, before[k], bl) == 0)
                return true;
        }
        for (size_t k = 0; k < sizeof(after) / sizeof(after[0]); k++) {
            size_t al = strlen(after[k]);
            if (rest >= al && memcmp(p + 8, after[k], al) == 0)
                return true;
        }
    }
    return false;
}

/* What an inline script does that a hijacker would do: assign the location, or write a
 * frame or script into the page. Only absolute targets are kept: a relative one stays on
 * the site. */
static void read_script(walk_t *w, const char *code, size_t n)
{
    if (w->p->nscripts >= GS_PAGE_MAX_SCRIPTS)
        return;
    if (n > SCRIPT_SCAN_MAX)
        n = SCRIPT_SCAN_MAX;
    char *low = malloc(n + 1);
    if (!low) {
        walk_fail(w, GS_ENOMEM);
        return;
    }
    ascii_lower(low, code, n);
    low[n] = '\0';
    uint8_t kind = 0;
    if (script_redirects(low, n))
        kind = GS_SCRIPT_REDIRECT;
    else if (strstr(low, "document.write") &&
             (strstr(low, "<iframe") || strstr(low, "<script") || strstr(low, "<a ")))
        kind = GS_SCRIPT_WRITE;
    if (kind) {
        char *target = script_url(w, code, n);
        if (target) {
            gs_script_t *s = &w->p->scripts[w->p->nscripts++];
            s->kind = kind;
            s->conditional = strstr(low, "document.referrer") || strstr(low, "useragent");
            s->target = target;
        }
    }
    free(low);
}

/* The text directly inside an element (its text and CDATA children), borrowed. */
static const char *inner_text(xmlNode *n)
{
    for (xmlNode *k = n->children; k; k = k->next)
        if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && k->content)
            return (const char *)k->content;
    return "";
}

/* ---- message boards -------------------------------------------------------------------- */

static bool has_any(const char *s, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strstr(s, words[i]))
            return true;
    return false;
}

static const char *const ASK_WORDS[] = {"留言时间", "提问时间", "来信时间", "咨询时间",
                                        "提交时间", "写信时间", "投诉时间", NULL};
static const char *const REPLY_WORDS[] = {"答复时间", "回复时间", "办理时间", "反馈时间",
                                          "办结时间", "处理时间", NULL};
static const char *const STATUS_WORDS[] = {"状态", NULL};
static const char *const TITLE_WORDS[] = {"标题", "主题", NULL};
static const char *const OPEN_WORDS[] = {"未答复", "未回复", "待回复", "待答复", "办理中", "处理中",
                                         "待处理", "未办结", "受理中", "未处理", NULL};
static const char *const CLOSED_WORDS[] = {"已答复", "已回复", "已办结", "已处理", NULL};

/* The first date in s (a table cell or a labelled line), as a day, or GS_NO_DAY. */
static int32_t first_day(const walk_t *w, const char *s, size_t n)
{
    int64_t t;
    char buf[64];
    size_t m = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
    memcpy(buf, s, m);
    buf[m] = '\0';
    if (gs_time_parse_any(buf, &t) == 0) {
        gs_ymd_t d = gs_ymd_from_unix_cst(t);
        int32_t day = day_of(d);
        return day <= w->ref_day ? day : GS_NO_DAY;
    }
    gs_date_found_t f[1];
    if (gs_date_scan(s, n, w->ref_unix, f, 1) >= 1)
        return day_of(f[0].date);
    return GS_NO_DAY;
}

static char *cell_text(walk_t *w, xmlNode *cell)
{
    return content_text(w, cell, 512);
}

static void add_msg(walk_t *w, int32_t asked, int32_t replied, bool open, const char *title)
{
    if (w->p->nmsgs >= GS_PAGE_MAX_MSGS)
        return;
    char *t = strdup(title ? title : "");
    if (!t) {
        walk_fail(w, GS_ENOMEM);
        return;
    }
    gs_msgrec_t *m = &w->p->msgs[w->p->nmsgs++];
    m->asked = asked;
    m->replied = open ? GS_NO_DAY : replied;
    m->unanswered = open || replied == GS_NO_DAY;
    m->title = t;
}

/* Rows of a table, in order, whatever thead/tbody wrap them. */
static xmlNode *next_row(xmlNode *table, xmlNode *row)
{
    xmlNode *n = row ? row->next : table->children;
    xmlNode *parent = row ? row->parent : table;
    for (;;) {
        for (; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE)
                continue;
            const char *nm = (const char *)n->name;
            if (!strcmp(nm, "tr"))
                return n;
            if (parent == table &&
                (!strcmp(nm, "thead") || !strcmp(nm, "tbody") || !strcmp(nm, "tfoot"))) {
                xmlNode *r = next_row(n, NULL);
                if (r)
                    return r;
            }
        }
        if (parent == table)
            return NULL;
        /* end of a thead/tbody: continue with the section after it */
        n = parent->next;
        parent = table;
    }
}

/* A message-board table: a header row naming an ask time, then one row per message. */
static void read_msg_table(walk_t *w, xmlNode *table)
{
    int ask = -1, reply = -1, status = -1, title = -1;
    xmlNode *row = NULL;
    int rows = 0;
    while ((row = next_row(table, row)) != NULL && rows++ < 1000 &&
           w->p->nmsgs < GS_PAGE_MAX_MSGS) {
        char *cells[16];
        int nc = 0;
        for (xmlNode *c = row->children; c && nc < 16; c = c->next)
            if (c->type == XML_ELEMENT_NODE &&
                (!strcmp((const char *)c->name, "td") || !strcmp((const char *)c->name, "th")))
                cells[nc++] = cell_text(w, c);
        if (ask < 0) {
            for (int i = 0; i < nc; i++) {
                if (!cells[i])
                    continue;
                if (ask < 0 && has_any(cells[i], ASK_WORDS))
                    ask = i;
                else if (reply < 0 && has_any(cells[i], REPLY_WORDS))
                    reply = i;
                else if (status < 0 && has_any(cells[i], STATUS_WORDS))
                    status = i;
                else if (title < 0 && has_any(cells[i], TITLE_WORDS))
                    title = i;
            }
            if (ask < 0)
                reply = status = title = -1;
        } else if (ask < nc && cells[ask]) {
            int32_t asked = first_day(w, cells[ask], strlen(cells[ask]));
            int32_t replied = reply >= 0 && reply < nc && cells[reply]
                                  ? first_day(w, cells[reply], strlen(cells[reply]))
                                  : GS_NO_DAY;
            bool open = false;
            if (status >= 0 && status < nc && cells[status])
                open = has_any(cells[status], OPEN_WORDS) && !has_any(cells[status], CLOSED_WORDS);
            if (asked != GS_NO_DAY)
                add_msg(w, asked, replied, open, title >= 0 && title < nc ? cells[title] : NULL);
        }
        for (int i = 0; i < nc; i++)
            free(cells[i]);
    }
}

/* A message detail page: "留言时间：…" and "答复时间：…" lines in the text. Only when no
 * table gave records, so a list page is not counted twice. */
static void read_msg_labels(walk_t *w)
{
    if (w->p->nmsgs)
        return;
    const char *text = w->p->text;
    const char *a = NULL, *r = NULL;
    for (int i = 0; ASK_WORDS[i] && !a; i++)
        a = strstr(text, ASK_WORDS[i]);
    if (!a)
        return;
    for (int i = 0; REPLY_WORDS[i] && !r; i++)
        r = strstr(text, REPLY_WORDS[i]);
    size_t left = w->p->text_len - (size_t)(a - text);
    int32_t asked = first_day(w, a, left < 80 ? left : 80);
    int32_t replied = GS_NO_DAY;
    if (r) {
        left = w->p->text_len - (size_t)(r - text);
        replied = first_day(w, r, left < 80 ? left : 80);
    }
    bool open = has_any(text, OPEN_WORDS) && !has_any(text, CLOSED_WORDS);
    if (asked == GS_NO_DAY)
        return;
    /* the message's title is the page's, without the site name CMSs append to it */
    char title[512];
    snprintf(title, sizeof(title), "%s", w->p->title);
    static const char *const seps[] = {"_", " - ", "|", "——", "－", NULL};
    for (int i = 0; seps[i]; i++) {
        char *cut = strstr(title, seps[i]);
        if (cut && cut != title)
            *cut = '\0';
    }
    add_msg(w, asked, replied, open, title);
}

/* ---- the walk -------------------------------------------------------------------------- */

static bool in_skip(const walk_t *w, size_t off)
{
    for (size_t i = 0; i < w->nskip; i++)
        if (off >= w->skip[i].from && off < w->skip[i].to)
            return true;
    return false;
}

/* Text goes to the page's text and to its region's; a buffer at its ceiling refuses it
 * (walk_fail keeps only a shortage). */
static void put_text(walk_t *w, const frame_t *f, const char *s)
{
    walk_fail(w, gs_buf_puts(&w->text, s));
    if (f->region == GS_REGION_HEADER)
        walk_fail(w, gs_buf_puts(&w->header, s));
    else if (f->region == GS_REGION_FOOTER)
        walk_fail(w, gs_buf_puts(&w->footer, s));
}

static void newline(walk_t *w, const frame_t *f)
{
    walk_fail(w, gs_buf_putc(&w->text, '\n'));
    if (f->region == GS_REGION_HEADER)
        walk_fail(w, gs_buf_putc(&w->header, '\n'));
    else if (f->region == GS_REGION_FOOTER)
        walk_fail(w, gs_buf_putc(&w->footer, '\n'));
}

/* Entering element n: its frame (pushed by the caller) and its facts. Returns whether to
 * descend into its children. */
static bool enter(walk_t *w, frame_t *f, const frame_t *parent, xmlNode *n)
{
    const char *name = (const char *)n->name;
    uint8_t tag = walk_tag(w, n->name), kind = tag & ~TAG_IS_BLOCK;
    f->node = n;
    f->tag = tag;
    f->region = parent ? parent->region : GS_REGION_BODY;
    f->hidden = parent ? parent->hidden : GS_HIDDEN_NO;
    f->depth = parent ? (parent->depth < 255 ? parent->depth + 1 : 255) : 0;
    f->item = false;
    f->heading = parent ? parent->heading : false;
    f->region_start = false;
    if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2])
        f->heading = true;

    if (kind == TAG_STYLE || kind == TAG_SCRIPT) {
        size_t len;
        const char *raw = lift_resolve(w, inner_text(n), &len);
        if (kind == TAG_STYLE) {
            read_style_rules(w, raw, len);
            return false;
        }
        char *src = attr(w, n, "src");
        if (src) {
            add_link(w, f, src, "", GS_LINK_SCRIPT);
            free(src);
        } else {
            read_script(w, raw, len);
        }
        return false;
    }
    if (kind == TAG_NOSCRIPT || kind == TAG_TEMPLATE)
        return false;
    if (kind == TAG_TITLE) {
        if (!w->p->title)
            w->p->title = content_text(w, n, 4096);
        return false;
    }
    if (kind == TAG_META) {
        add_meta(w, n);
        return false;
    }

    const char *cls, *id, *style_raw;
    bool hidden_attr;
    common_props(n, &cls, &id, &style_raw, &hidden_attr);
    char style_buf[1024];
    const char *style = NULL;
    if (style_raw) {
        snprintf(style_buf, sizeof(style_buf), "%s", style_raw);
        css_normalize(style_buf);
        style = style_buf;
    }
    /* hidden: inline style, the hidden attribute, the page's own simple rules, marquee */
    if (f->hidden == GS_HIDDEN_NO) {
        if (style)
            f->hidden = css_hides(style);
        if (f->hidden == GS_HIDDEN_NO && hidden_attr)
            f->hidden = GS_HIDDEN_DISPLAY;
        if (f->hidden == GS_HIDDEN_NO && w->nrules)
            f->hidden = rule_hides(w, cls, id);
        if (f->hidden == GS_HIDDEN_NO && kind == TAG_MARQUEE) {
            const char *h = prop(n, "height"), *wd = prop(n, "width");
            double hv = h ? strtod(h, NULL) : 1e9, wv = wd ? strtod(wd, NULL) : 1e9;
            if ((h && hv <= 2) || (wd && wv <= 2) ||
                (style && (css_length(style, "height") <= 2 || css_length(style, "width") <= 2)))
                f->hidden = GS_HIDDEN_MARQUEE;
        }
    }
    /* region: opened by elements close to <body> only (a "head" class deep in the content
     * is a block heading, not the page header) */
    if (f->depth <= REGION_MAX_DEPTH) {
        uint8_t r = element_region(f->tag, cls, id);
        if (r != GS_REGION_BODY && r != f->region &&
            !(f->region == GS_REGION_FOOTER) /* nothing overrides a footer */) {
            if (!(f->region == GS_REGION_NAV && r == GS_REGION_HEADER)) {
                f->region = r;
                f->region_start = true;
                f->range_start = w->text.len;
            }
        }
    }

    if (kind == TAG_LI || kind == TAG_TR || kind == TAG_DD || kind == TAG_DL) {
        f->item = true;
        f->item_text = w->text.len;
        f->item_links = w->p->nlinks;
    }
    if (kind == TAG_A || kind == TAG_AREA) {
        char *href = attr(w, n, "href");
        if (href) {
            char *t = anchor_text(w, n);
            if (t)
                add_link(w, f, href, t, GS_LINK_A);
            free(t);
            free(href);
        }
    } else if (kind == TAG_IFRAME || kind == TAG_FRAME) {
        char *src = attr(w, n, "src");
        if (src)
            add_link(w, f, src, "", GS_LINK_FRAME);
        free(src);
    } else if (kind == TAG_IMG) {
        char *src = attr(w, n, "src"), *alt = attr(w, n, "alt");
        if (src)
            add_link(w, f, src, alt, GS_LINK_IMG);
        if (alt && f->region == GS_REGION_HEADER && w->p->nalts < GS_PAGE_MAX_ALTS) {
            w->p->alts[w->p->nalts++] = alt;
            alt = NULL;
        }
        free(src);
        free(alt);
    } else if (kind == TAG_LINK) {
        char *rel = attr(w, n, "rel"), *href = attr(w, n, "href");
        if (rel && href && ci_find(rel, "stylesheet"))
            add_link(w, f, href, "", GS_LINK_CSS);
        free(rel);
        free(href);
    } else if (kind == TAG_TABLE) {
        read_msg_table(w, n);
    }
    return true;
}

/* Leaving an element: close its line, its list item, its region. */
static void leave(walk_t *w, frame_t *f)
{
    if (f->tag & TAG_IS_BLOCK)
        newline(w, f);
    if (f->item && w->text.len > f->item_text) {
        size_t len = w->text.len - f->item_text;
        if (len > GS_PAGE_MAX_ITEM_TEXT)
            len = GS_PAGE_MAX_ITEM_TEXT;
        gs_date_found_t found[ITEM_DATES];
        size_t nd = gs_date_scan(w->text.data + f->item_text, len, w->ref_unix, found, ITEM_DATES);
        if (nd > ITEM_DATES)
            nd = ITEM_DATES;
        int32_t best = GS_NO_DAY;
        for (size_t i = 0; i < nd; i++) {
            int32_t d = day_of(found[i].date);
            if (d > best)
                best = d;
        }
        /* Only an item holding a link is a list entry: a table row of dates in an article
         * is not an update of the column. */
        if (best != GS_NO_DAY && w->p->nlinks > f->item_links) {
            for (size_t i = f->item_links; i < w->p->nlinks; i++)
                if (w->p->links[i].item_day == GS_NO_DAY)
                    w->p->links[i].item_day = best;
            if (f->region == GS_REGION_BODY) {
                w->p->items++;
                if (best > w->p->newest_item)
                    w->p->newest_item = best;
            }
        }
    }
    if (f->region_start && w->nskip < MAX_RANGES &&
        (f->region == GS_REGION_HEADER || f->region == GS_REGION_FOOTER)) {
        w->skip[w->nskip].from = f->range_start;
        w->skip[w->nskip].to = w->text.len;
        w->nskip++;
    }
}

static void walk_tree(walk_t *w, xmlNode *root)
{
    xmlNode *n = root;
    w->nframes = 0;
    for (;;) {
        bool descend = false;
        if (n->type == XML_ELEMENT_NODE) {
            frame_t *parent = w->nframes ? &w->frames[w->nframes - 1] : NULL;
            if (w->nframes < MAX_FRAMES) {
                frame_t *f = &w->frames[w->nframes++];
                descend = enter(w, f, parent, n);
                if (!descend)
                    w->nframes--;
            }
        } else if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content &&
                   w->nframes) {
            put_text(w, &w->frames[w->nframes - 1], (const char *)n->content);
        }
        if (descend && n->children) {
            n = n->children;
            continue;
        }
        /* climb until a sibling exists, leaving elements on the way */
        for (;;) {
            if (n->type == XML_ELEMENT_NODE && w->nframes && w->frames[w->nframes - 1].node == n)
                leave(w, &w->frames[--w->nframes]);
            if (n == root)
                return;
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (!n)
                return;
        }
    }
}

/* Dates of the body text outside list items' accounting: the newest one that is neither in
 * the header nor in the footer region (today's date in a banner, a copyright line). */
static void text_dates(walk_t *w)
{
    gs_page_t *p = w->p;
    gs_date_found_t found[GS_PAGE_MAX_DATES_SCAN];
    size_t nd = gs_date_scan(p->text, p->text_len, w->ref_unix, found, GS_PAGE_MAX_DATES_SCAN);
    p->ndates = nd;
    if (nd > GS_PAGE_MAX_DATES_SCAN)
        nd = GS_PAGE_MAX_DATES_SCAN;
    for (size_t i = 0; i < nd; i++) {
        if (in_skip(w, found[i].offset))
            continue;
        int32_t d = day_of(found[i].date);
        if (d > p->newest_text)
            p->newest_text = d;
    }
}

#define WALK_AGAIN 1 /* page_walk: the markers did not hold; parse the original */

static _Atomic uint64_t stat_lifted, stat_reparsed;

void gs_page_stats(gs_page_stats_t *out)
{
    out->lifted = atomic_load_explicit(&stat_lifted, memory_order_relaxed);
    out->reparsed = atomic_load_explicit(&stat_reparsed, memory_order_relaxed);
}

static int page_walk(gs_page_t *p, const char *html, size_t len, lift_t *lift, const char *url,
                     int64_t ref_unix, size_t max_links);

/* Throw away what a walk read, keeping what was decided before it: the charset and
 * whether the page was converted from Traditional. */
static void page_drop_facts(gs_page_t *p)
{
    char charset[sizeof(p->charset)];
    bool traditional = p->traditional;
    memcpy(charset, p->charset, sizeof(charset));
    gs_page_cleanup(p);
    memcpy(p->charset, charset, sizeof(p->charset));
    p->traditional = traditional;
}

int gs_page_parse(gs_page_t *p, const char *body, size_t len, const char *content_type,
                  const char *url, int64_t ref_unix, size_t max_links, const struct gs_t2s *t2s)
{
    return gs_page_parse_flags(p, body, len, content_type, url, ref_unix, max_links, t2s, 0);
}

int gs_page_parse_flags(gs_page_t *p, const char *body, size_t len, const char *content_type,
                        const char *url, int64_t ref_unix, size_t max_links,
                        const struct gs_t2s *t2s, unsigned flags)
{
    gs_page_init(p);
    gs_charset_decide(content_type, body, len, p->charset, sizeof(p->charset));
    char *utf8 = NULL;
    size_t ulen = 0;
    int rc = gs_charset_to_utf8(p->charset, body, len, len * 4 + 1024, &utf8, &ulen);
    if (rc < 0)
        return rc;
    if (t2s && gs_t2s_looks_traditional(t2s, utf8, ulen) == 1) {
        char *simp = NULL;
        size_t slen = 0;
        /* Simplified is never longer than Traditional by much; a page that would be is
         * kept as it is rather than lost */
        if (gs_t2s_convert(t2s, utf8, ulen, ulen * 2 + 1024, &simp, &slen) == 0) {
            free(utf8);
            utf8 = simp;
            ulen = slen;
            p->traditional = true;
        }
    }
    if (ulen > INT32_MAX) {
        free(utf8);
        return GS_ETOOBIG;
    }
    lift_t lift = {0};
    gs_buf_t lifted;
    gs_buf_init(&lifted, ulen + 64); /* a marker is shorter than the text it replaces */
    rc = WALK_AGAIN;
    if (!(flags & GS_PAGE_NO_LIFT)) {
        rc = lift_raw(utf8, ulen, &lift, &lifted);
        if (rc == 0 && lift.n) {
            rc = page_walk(p, lifted.data, lifted.len, &lift, url, ref_unix, max_links);
            if (rc == WALK_AGAIN) {
                page_drop_facts(p);
                p->raw_reparsed = true;
                atomic_fetch_add_explicit(&stat_reparsed, 1, memory_order_relaxed);
            } else if (rc == 0) {
                p->raw_lifted = lift.n;
                atomic_fetch_add_explicit(&stat_lifted, 1, memory_order_relaxed);
            }
        } else if (rc == 0 || rc != GS_ENOMEM) {
            rc = WALK_AGAIN; /* nothing worth lifting, or it could not be: as it is */
        }
    }
    gs_buf_cleanup(&lifted);
    if (rc == WALK_AGAIN)
        rc = page_walk(p, utf8, ulen, NULL, url, ref_unix, max_links);
    lift_cleanup(&lift);
    free(utf8);
    return rc;
}

/* The facts of the UTF-8 page html[0..len): one parse, one walk. With lift, html is the
 * page with its raw texts lifted out, and WALK_AGAIN says the walk met them otherwise
 * than in their places (the facts are then partial and to be thrown away). */
static int page_walk(gs_page_t *p, const char *html, size_t len, lift_t *lift, const char *url,
                     int64_t ref_unix, size_t max_links)
{
    int rc;
    /* The bytes are UTF-8 now: tell libxml2 so, so that a <meta charset> in the page
     * cannot make it decode them a second time. */
    htmlDocPtr doc =
        htmlReadMemory(html, (int)len, url, "UTF-8",
                       HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                           HTML_PARSE_RECOVER | HTML_PARSE_NOIMPLIED | HTML_PARSE_COMPACT);
    if (!doc)
        return GS_EPARSE;
    walk_t *w = calloc(1, sizeof(*w));
    if (!w) {
        xmlFreeDoc(doc);
        return GS_ENOMEM;
    }
    w->p = p;
    w->lift = lift;
    w->base = url;
    w->max_links = max_links ? max_links : 1;
    w->ref_unix = ref_unix;
    w->ref_day = day_of(gs_ymd_from_unix_cst(ref_unix));
    gs_buf_init(&w->text, GS_PAGE_MAX_TEXT);
    gs_buf_init(&w->header, GS_PAGE_MAX_REGION);
    gs_buf_init(&w->footer, GS_PAGE_MAX_REGION);
    w->ub = gs_urlbase_new(url);
    /* Every element at the top, not only the first: without <html> (HTML5 lets a page
     * leave it out) HTML_PARSE_NOIMPLIED leaves <head>, <meta> or <body> side by side. */
    for (xmlNode *top = doc->children; top; top = top->next)
        if (top->type == XML_ELEMENT_NODE)
            walk_tree(w, top);
    xmlFreeDoc(doc);
    gs_urlbase_destroy(&w->ub);
    if (!w->err && !lift_held(w))
        w->err = WALK_AGAIN;
    if (w->err) {
        rc = w->err;
        gs_buf_cleanup(&w->text);
        gs_buf_cleanup(&w->header);
        gs_buf_cleanup(&w->footer);
        free(w);
        return rc;
    }

    p->text_len = w->text.len;
    p->text = gs_buf_steal(&w->text);
    p->header_text = gs_buf_steal(&w->header);
    p->footer_found = w->footer.len > 0;
    if (p->footer_found || !p->text) {
        p->footer_text = gs_buf_steal(&w->footer);
    } else {
        /* No footer region recognized: the end of the page is where footers are. */
        size_t from = p->text_len > FOOTER_TAIL ? p->text_len - FOOTER_TAIL : 0;
        while (from < p->text_len && ((unsigned char)p->text[from] & 0xC0) == 0x80)
            from++;
        p->footer_text = strdup(p->text + from);
    }
    if (!p->title)
        p->title = strdup("");
    if (!p->text || !p->title || !p->header_text || !p->footer_text) {
        gs_buf_cleanup(&w->footer);
        free(w);
        return GS_ENOMEM;
    }
    gs_buf_cleanup(&w->footer);

    text_dates(w);
    read_msg_labels(w);
    if (w->err) {
        rc = w->err;
        free(w);
        return rc;
    }
    const char *pub = gs_page_meta(p, "pubdate");
    int64_t t;
    if (pub && gs_time_parse_any(pub, &t) == 0) {
        int32_t d = day_of(gs_ymd_from_unix_cst(t));
        if (d <= w->ref_day)
            p->newest_meta = d;
    }
    int32_t best = p->newest_item;
    if (p->newest_meta > best)
        best = p->newest_meta;
    if (p->newest_text > best)
        best = p->newest_text;
    if (best != GS_NO_DAY) {
        p->newest = gs_civil_from_days(best);
        p->has_date = 1;
    }
    free(w);
    return 0;
}
