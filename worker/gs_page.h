/* gs_page.h -- the facts of one crawled page, read once from its HTML with libxml2.
 *
 * Checks work on these facts, never on the HTML again. One parse (HTML_PARSE_NONET, never
 * XML_PARSE_HUGE) of the body converted to UTF-8 (gs_charset), then one walk of the tree
 * that collects:
 *   - the title, the meta tags, the visible text (script and style left out, blocks on
 *     their own lines), and the text of the header and footer regions separately;
 *   - every link and resource (a, area, iframe, frame, img, script, link[href]) with its
 *     anchor text, the page region it sits in (header, nav, body, footer), whether it is
 *     hidden from a visitor (inline style, the hidden attribute, simple class/id rules of
 *     the page's own <style>, marquee tricks) and, for a link in a list item (li, tr, dd),
 *     the publication date written in that item;
 *   - list items: how many dated items the body holds, and the newest item date;
 *   - publication dates: the newest one in list items, in the PubDate meta, and anywhere
 *     else in the body text (header and footer dates -- "今天是…", copyright lines -- are
 *     not publication dates and are not counted);
 *   - script facts: redirect targets of inline scripts and <meta http-equiv=refresh>,
 *     document.write of frames or scripts, and external script hosts;
 *   - message records of public message boards: tables whose header row names an ask time
 *     (留言/提问/来信/咨询时间) and a reply time (答复/回复/办理时间), and detail pages with
 *     labelled 留言时间：/答复时间： lines;
 *   - the logo and header image alt texts.
 *
 * gs_page_t owns everything it holds; gs_page_cleanup frees it. Not thread-safe (one page,
 * one thread). Limits: max_links links and resources together, GS_PAGE_MAX_TEXT bytes of
 * body text, GS_PAGE_MAX_REGION bytes of header and of footer text, GS_PAGE_MAX_METAS
 * meta tags, GS_PAGE_MAX_SCRIPTS script facts, GS_PAGE_MAX_MSGS message records,
 * GS_PAGE_MAX_ALTS image alts, GS_PAGE_MAX_HIDE_RULES hiding rules read from <style>. */
#ifndef GS_PAGE_H
#define GS_PAGE_H

#include "gs_date.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GS_PAGE_MAX_TEXT (512u * 1024)
#define GS_PAGE_MAX_REGION (16u * 1024)
#define GS_PAGE_MAX_METAS 64
#define GS_PAGE_MAX_SCRIPTS 32
#define GS_PAGE_MAX_MSGS 256
#define GS_PAGE_MAX_ALTS 16
#define GS_PAGE_MAX_HIDE_RULES 64
#define GS_PAGE_MAX_ITEM_TEXT 512  /* bytes of a list item scanned for its date */
#define GS_PAGE_MAX_DATES_SCAN 512 /* dates of the body text looked at */

/* No date: days since 1970-01-01 of an absent date. */
#define GS_NO_DAY INT32_MIN

/* Where on the page an element sits. */
typedef enum gs_region {
    GS_REGION_BODY = 0,
    GS_REGION_HEADER, /* <header>, or an element whose id/class says header/top/banner */
    GS_REGION_NAV,    /* <nav>, or id/class nav/menu */
    GS_REGION_FOOTER, /* <footer>, or id/class footer/foot/bottom/copyright */
} gs_region_t;

/* Why a link is hidden from a visitor (0: it is not). */
typedef enum gs_hidden {
    GS_HIDDEN_NO = 0,
    GS_HIDDEN_DISPLAY,    /* display:none, or the hidden attribute */
    GS_HIDDEN_VISIBILITY, /* visibility:hidden */
    GS_HIDDEN_OFFSCREEN,  /* positioned or indented far outside the page */
    GS_HIDDEN_FONT,       /* font-size:0 (or a few pixels below legibility) */
    GS_HIDDEN_SIZE,       /* width or height 0 with overflow hidden */
    GS_HIDDEN_MARQUEE,    /* inside a marquee one or two pixels tall or wide */
} gs_hidden_t;

/* What kind of reference a link is. */
typedef enum gs_link_kind {
    GS_LINK_A = 0,  /* <a href>, <area href> */
    GS_LINK_FRAME,  /* <iframe src>, <frame src> */
    GS_LINK_IMG,    /* <img src> */
    GS_LINK_SCRIPT, /* <script src> */
    GS_LINK_CSS,    /* <link rel=stylesheet href> */
} gs_link_kind_t;

typedef struct gs_link {
    char *url;        /* absolute, normalized (gs_url_resolve) */
    char *text;       /* anchor text (or the img alt / title attribute), trimmed */
    uint8_t kind;     /* gs_link_kind_t */
    uint8_t region;   /* gs_region_t */
    uint8_t hidden;   /* gs_hidden_t */
    uint8_t heading;  /* inside a heading (h1-h6): a block's or a section's name */
    int32_t item_day; /* date of the list item holding it, days since 1970; GS_NO_DAY */
} gs_link_t;

typedef struct gs_meta {
    char *name; /* lower-cased name or property */
    char *content;
} gs_meta_t;

/* A script fact: what an inline script or a meta refresh does that a hijacker would do. */
typedef enum gs_script_kind {
    GS_SCRIPT_REDIRECT = 1, /* assigns location / location.replace / meta refresh */
    GS_SCRIPT_WRITE,        /* document.write of a frame, script or link */
    GS_SCRIPT_SRC,          /* <script src> from another host */
} gs_script_kind_t;

typedef struct gs_script {
    uint8_t kind;     /* gs_script_kind_t */
    bool conditional; /* depends on document.referrer or navigator.userAgent (cloaking) */
    char *target;     /* absolute URL it sends the visitor to or loads, "" when unknown */
} gs_script_t;

/* One message of a public message board. */
typedef struct gs_msgrec {
    int32_t asked;   /* day asked (days since 1970), GS_NO_DAY when unreadable */
    int32_t replied; /* day answered, GS_NO_DAY when not answered */
    bool unanswered; /* the status says 未答复/未回复/待回复/办理中/处理中, or no reply time */
    char *title; /* 留言标题 when the row has one, else "" */
} gs_msgrec_t;

typedef struct gs_page {
    char charset[32];
    bool traditional; /* the page was Traditional and was converted to Simplified */
    char *title;
    gs_meta_t metas[GS_PAGE_MAX_METAS];
    size_t nmetas;
    gs_link_t *links; /* links and resources, in document order */
    size_t nlinks;
    size_t links_dropped; /* past max_links */
    char *text;           /* visible body text, UTF-8 (header and footer included) */
    size_t text_len;
    char *header_text; /* text of the header region(s), "" when none was recognized */
    char *footer_text; /* text of the footer region(s); the last 2 KB of text when none */
    bool footer_found; /* a footer region was recognized (else footer_text is the tail) */
    char *alts[GS_PAGE_MAX_ALTS]; /* alt texts of images in the header region */
    size_t nalts;
    gs_script_t scripts[GS_PAGE_MAX_SCRIPTS];
    size_t nscripts;
    gs_msgrec_t msgs[GS_PAGE_MAX_MSGS];
    size_t nmsgs;
    /* dates */
    uint32_t items;      /* list items in the body that carry a date */
    int32_t newest_item; /* newest list-item date, GS_NO_DAY */
    int32_t newest_meta; /* PubDate meta, GS_NO_DAY (never after the reference day) */
    int32_t newest_text; /* newest date elsewhere in the body text, GS_NO_DAY */
    size_t ndates;       /* publication dates seen in all */
    gs_ymd_t newest;     /* newest of the three (kept for callers that want one) */
    int has_date;        /* newest is set */
    /* how the page was parsed (not facts of the page: the same facts either way) */
    size_t raw_lifted; /* script and style texts read apart from libxml2's parse */
    bool raw_reparsed; /* they could not be, and the page was parsed a second time */
} gs_page_t;

void gs_page_init(gs_page_t *p);
void gs_page_cleanup(gs_page_t *p);

struct gs_t2s;

/* Parse body (raw bytes as received) of url. content_type may be NULL. ref_unix bounds
 * the dates (nothing after the reference day counts). When t2s is given and the page
 * looks Traditional (gs_t2s_looks_traditional), the decoded page is converted to
 * Simplified before it is parsed, so every fact -- text, titles, link texts, message-board
 * labels, footer items -- reads as the Simplified dictionaries and keyword tables expect;
 * `traditional` says so. 0 or a negative GS_E* code. */
int gs_page_parse(gs_page_t *p, const char *body, size_t len, const char *content_type,
                  const char *url, int64_t ref_unix, size_t max_links, const struct gs_t2s *t2s);

/* gs_page_parse with flags: GS_PAGE_NO_LIFT parses the page as it is, with the text of its
 * scripts and styles inside (the reference the lifting is tested against; slower). */
#define GS_PAGE_NO_LIFT 1u
int gs_page_parse_flags(gs_page_t *p, const char *body, size_t len, const char *content_type,
                        const char *url, int64_t ref_unix, size_t max_links,
                        const struct gs_t2s *t2s, unsigned flags);

/* How this process's parses went, since it started (every thread's): pages read through
 * lifted script and style text, and pages parsed a second time as they are. */
typedef struct gs_page_stats {
    uint64_t lifted;
    uint64_t reparsed;
} gs_page_stats_t;
void gs_page_stats(gs_page_stats_t *out);

/* The content of a meta tag by lower-cased name, or NULL. Borrowed. */
const char *gs_page_meta(const gs_page_t *p, const char *name);

/* The newest publication date of the page by the home-page rule of checks.md: list items
 * first, then the PubDate meta, then other body text. GS_NO_DAY when none. */
int32_t gs_page_newest_day(const gs_page_t *p);

#endif
