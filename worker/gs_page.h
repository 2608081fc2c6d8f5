/* gs_page.h -- the facts of one crawled page, read once from its HTML with libxml2.
 *
 * Checks work on these facts, never on the HTML again: the title, the meta tags, the
 * links with their anchor text, the visible text (script and style left out, blocks on
 * their own lines) and the publication dates found in it. The body is converted to UTF-8
 * first (gs_charset), then parsed with HTML_PARSE_NONET and without XML_PARSE_HUGE.
 *
 * gs_page_t owns everything it holds; gs_page_cleanup frees it. Not thread-safe.
 * Limits: max_links links, GS_PAGE_MAX_TEXT bytes of text, GS_PAGE_MAX_DATES dates,
 * GS_PAGE_MAX_METAS meta tags. */
#ifndef GS_PAGE_H
#define GS_PAGE_H

#include "gs_date.h"

#include <stddef.h>
#include <stdint.h>

#define GS_PAGE_MAX_TEXT (512u * 1024)
#define GS_PAGE_MAX_DATES 512
#define GS_PAGE_MAX_METAS 64

typedef struct gs_link {
    char *url;  /* absolute, normalized */
    char *text; /* anchor text, trimmed */
} gs_link_t;

typedef struct gs_meta {
    char *name; /* lower-cased name or property */
    char *content;
} gs_meta_t;

typedef struct gs_page {
    char charset[32];
    char *title;
    gs_meta_t metas[GS_PAGE_MAX_METAS];
    size_t nmetas;
    gs_link_t *links;
    size_t nlinks;
    size_t links_dropped; /* past max_links */
    char *text;           /* visible text, UTF-8 */
    size_t text_len;
    gs_ymd_t newest; /* newest publication date on the page (text or PubDate meta) */
    int has_date;
    size_t ndates;
} gs_page_t;

void gs_page_init(gs_page_t *p);
void gs_page_cleanup(gs_page_t *p);

/* Parse body (raw bytes as received) of url. content_type may be NULL. ref_unix bounds
 * the dates (nothing after the reference time counts). 0 or a negative GS_E* code. */
int gs_page_parse(gs_page_t *p, const char *body, size_t len, const char *content_type,
                  const char *url, int64_t ref_unix, size_t max_links);

/* The content of a meta tag by lower-cased name, or NULL. Borrowed. */
const char *gs_page_meta(const gs_page_t *p, const char *name);

#endif
