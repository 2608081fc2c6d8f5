/* gs_page.c -- HTML to page facts: one parse, one walk of the tree. */
#include "gs_page.h"
#include "gs_buf.h"
#include "gs_charset.h"
#include "gs_err.h"
#include "gs_url.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

void gs_page_init(gs_page_t *p)
{
    memset(p, 0, sizeof(*p));
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
    gs_page_init(p);
}

const char *gs_page_meta(const gs_page_t *p, const char *name)
{
    for (size_t i = 0; i < p->nmetas; i++)
        if (strcmp(p->metas[i].name, name) == 0)
            return p->metas[i].content;
    return NULL;
}

typedef struct walk {
    gs_page_t *p;
    const char *base;
    size_t max_links;
    size_t links_cap;
    gs_buf_t text;
} walk_t;

/* Elements whose end starts a new line of text, so dates and items do not run together. */
static int is_block(const char *n)
{
    static const char *const blocks[] = {
        "p",       "div",     "li",     "tr",     "td",  "th",   "br", "h1",     "h2",
        "h3",      "h4",      "h5",     "h6",     "dd",  "dt",   "ul", "ol",     "table",
        "section", "article", "header", "footer", "nav", "span", "a",  "option", NULL};
    for (int i = 0; blocks[i]; i++)
        if (strcmp(n, blocks[i]) == 0)
            return 1;
    return 0;
}

/* Collapse whitespace and trim; returns a new string. */
static char *squeeze(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    int sp = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            sp = j > 0;
            continue;
        }
        if (sp)
            o[j++] = ' ';
        sp = 0;
        o[j++] = (char)c;
    }
    o[j] = '\0';
    return o;
}

static void add_link(walk_t *w, xmlNode *n)
{
    xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
    if (!href)
        return;
    if (w->p->nlinks >= w->max_links) {
        w->p->links_dropped++;
        xmlFree(href);
        return;
    }
    char *abs = gs_url_resolve(w->base, (const char *)href);
    xmlFree(href);
    if (!abs)
        return;
    if (w->p->nlinks == w->links_cap) {
        size_t nc = w->links_cap ? w->links_cap * 2 : 64;
        gs_link_t *nl = realloc(w->p->links, nc * sizeof(*nl));
        if (!nl) {
            free(abs);
            return;
        }
        w->p->links = nl;
        w->links_cap = nc;
    }
    xmlChar *txt = xmlNodeGetContent(n);
    char *t = squeeze(txt ? (const char *)txt : "");
    xmlFree(txt);
    if (!t) {
        free(abs);
        return;
    }
    w->p->links[w->p->nlinks].url = abs;
    w->p->links[w->p->nlinks].text = t;
    w->p->nlinks++;
}

static void add_meta(walk_t *w, xmlNode *n)
{
    xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
    if (!name)
        name = xmlGetProp(n, (const xmlChar *)"property");
    xmlChar *content = xmlGetProp(n, (const xmlChar *)"content");
    if (name && content && w->p->nmetas < GS_PAGE_MAX_METAS) {
        char *nm = strdup((const char *)name);
        char *ct = squeeze((const char *)content);
        if (nm && ct) {
            for (char *c = nm; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            w->p->metas[w->p->nmetas].name = nm;
            w->p->metas[w->p->nmetas].content = ct;
            w->p->nmetas++;
        } else {
            free(nm);
            free(ct);
        }
    }
    xmlFree(name);
    xmlFree(content);
}

/* Iterative pre-order walk: hostile pages nest deeply, recursion would not be bounded. */
static void walk_tree(walk_t *w, xmlNode *root)
{
    xmlNode *n = root;
    while (n) {
        int descend = 1;
        if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            if (!strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "noscript")) {
                descend = 0;
            } else if (!strcmp(name, "a")) {
                add_link(w, n);
            } else if (!strcmp(name, "meta")) {
                add_meta(w, n);
            } else if (!strcmp(name, "title") && !w->p->title) {
                xmlChar *t = xmlNodeGetContent(n);
                w->p->title = squeeze(t ? (const char *)t : "");
                xmlFree(t);
                descend = 0;
            }
        } else if (n->type == XML_TEXT_NODE && n->content) {
            (void)gs_buf_puts(&w->text, (const char *)n->content);
        }
        if (descend && n->children) {
            n = n->children;
            continue;
        }
        /* climb until a sibling exists, closing blocks on the way */
        while (n) {
            if (n->type == XML_ELEMENT_NODE && is_block((const char *)n->name))
                (void)gs_buf_putc(&w->text, '\n');
            if (n == root)
                return;
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
        }
    }
}

int gs_page_parse(gs_page_t *p, const char *body, size_t len, const char *content_type,
                  const char *url, int64_t ref_unix, size_t max_links)
{
    gs_page_init(p);
    gs_charset_decide(content_type, body, len, p->charset, sizeof(p->charset));
    char *utf8 = NULL;
    size_t ulen = 0;
    int rc = gs_charset_to_utf8(p->charset, body, len, len * 4 + 1024, &utf8, &ulen);
    if (rc < 0)
        return rc;
    if (ulen > INT32_MAX) {
        free(utf8);
        return GS_ETOOBIG;
    }
    /* The bytes are UTF-8 now: tell libxml2 so, so that a <meta charset> in the page
     * cannot make it decode them a second time. */
    htmlDocPtr doc =
        htmlReadMemory(utf8, (int)ulen, url, "UTF-8",
                       HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                           HTML_PARSE_RECOVER | HTML_PARSE_NOIMPLIED | HTML_PARSE_COMPACT);
    free(utf8);
    if (!doc)
        return GS_EPARSE;
    walk_t w;
    memset(&w, 0, sizeof(w));
    w.p = p;
    w.base = url;
    w.max_links = max_links;
    gs_buf_init(&w.text, GS_PAGE_MAX_TEXT);
    xmlNode *root = xmlDocGetRootElement(doc);
    if (root)
        walk_tree(&w, root);
    xmlFreeDoc(doc);
    p->text_len = w.text.len;
    p->text = gs_buf_steal(&w.text);
    if (!p->title)
        p->title = strdup("");
    if (!p->text || !p->title)
        return GS_ENOMEM;

    gs_date_found_t found[GS_PAGE_MAX_DATES];
    size_t nd = gs_date_scan(p->text, p->text_len, ref_unix, found, GS_PAGE_MAX_DATES);
    if (nd > GS_PAGE_MAX_DATES)
        nd = GS_PAGE_MAX_DATES;
    gs_ymd_t ref = gs_ymd_from_unix_cst(ref_unix);
    for (size_t i = 0; i < nd; i++) {
        if (!p->has_date || gs_ymd_days_between(p->newest, found[i].date) > 0)
            p->newest = found[i].date;
        p->has_date = 1;
    }
    p->ndates = nd;
    const char *pub = gs_page_meta(p, "pubdate");
    int64_t t;
    if (pub && gs_time_parse_any(pub, &t) == 0) {
        gs_ymd_t d = gs_ymd_from_unix_cst(t);
        if (gs_ymd_days_between(d, ref) >= 0 &&
            (!p->has_date || gs_ymd_days_between(p->newest, d) > 0)) {
            p->newest = d;
            p->has_date = 1;
        }
    }
    return 0;
}
