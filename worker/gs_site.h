/* gs_site.h -- what the crawl of one site learns, page by page, for the site checks.
 *
 * A site job feeds every page it fetched (or failed to fetch) into a gs_site_t with the
 * role the crawl gave it (home, column, article, other). The site keeps only what the
 * checks of checks.md need -- the column inventory with each column's newest item, the
 * links seen with where they were seen and what became of them, the messages of its
 * message boards, what the content checks matched, the home page's identity facts -- and
 * never a page: pages are freed as soon as they have been fed. When the crawl and its
 * probes are done, gs_site_check runs every W- check on these facts (gs_chk_*.c) and
 * appends the findings.
 *
 * The struct is visible to the worker's check files (gs_chk_*.c) and the job; nothing else
 * reaches into it. gs_site_new allocates, gs_site_destroy frees. Single-threaded. Limits:
 * GS_SITE_MAX_COLUMNS columns, GS_SITE_MAX_LINKS distinct link targets, GS_SITE_MAX_MSGS
 * messages, GS_SITE_MAX_HITS content hits of each kind. */
#ifndef GS_SITE_H
#define GS_SITE_H

#include "gs_checks.h"
#include "gs_hits.h"
#include "gs_page.h"
#include "gs_watch.h"

#include <stdbool.h>
#include <stdint.h>

#define GS_SITE_MAX_COLUMNS 128
#define GS_SITE_MAX_LINKS 8192
#define GS_SITE_MAX_MSGS 2048
#define GS_SITE_MAX_POSTS 4096 /* articles remembered for W-DUP-POST and W-POLICY-INTERP */

/* What the crawl fetched a page as. */
typedef enum gs_role {
    GS_ROLE_HOME = 0,
    GS_ROLE_COLUMN,  /* a column's page (from the navigation, or a sub-column) */
    GS_ROLE_ARTICLE, /* an item of a column or of the home page's lists */
    GS_ROLE_OTHER,
} gs_role_t;

/* One column of the site. */
typedef struct gs_column {
    char *name;               /* as the navigation names it */
    char *url;                /* its page */
    int level;                /* 1: in the home page's navigation; 2: found on a column */
    const gs_colclass_t *cls; /* NULL: need not be updated */
    bool fetched;             /* its page was fetched and parsed */
    bool failed;              /* its page could not be fetched */
    long status;              /* HTTP status of its page (0: none) */
    uint32_t items;           /* dated list items on its page */
    int32_t newest;           /* newest item date (day), GS_NO_DAY */
    uint32_t content_links;   /* body links that are not navigation or other columns */
    const char *placeholder;  /* the placeholder text shown, or NULL (borrowed: dict) */
} gs_column_t;

/* What became of a link target. */
typedef enum gs_linkstate {
    GS_LINK_UNKNOWN = 0, /* not fetched yet */
    GS_LINK_QUEUED,      /* a check is under way */
    GS_LINK_OK,
    GS_LINK_BROKEN,
    GS_LINK_SKIPPED, /* beyond the link-check budget */
    GS_LINK_WAITING, /* to be checked: asking the shared verdicts (gs_linkcache) */
} gs_linkstate_t;

typedef struct gs_sitelink {
    char *url;
    char *page;    /* the first page that links to it */
    char *text;    /* its anchor text there */
    bool on_home;  /* the home page links to it */
    bool external; /* another host */
    uint8_t kind;  /* gs_link_kind_t */
    uint8_t state; /* gs_linkstate_t */
    long status;   /* HTTP status when checked (0: none) */
    char *why;     /* why broken: "HTTP 404", "Couldn't connect ..." */
} gs_sitelink_t;

/* A message of a message board, with the page showing it. */
typedef struct gs_sitemsg {
    int32_t asked, replied; /* days; replied GS_NO_DAY when unanswered */
    bool unanswered;
    char *title;
    char *url;
} gs_sitemsg_t;

/* An article remembered for W-DUP-POST and W-POLICY-INTERP. Its column is the one whose
 * list holds it (known once that list page was read; the home page lists items too). */
typedef struct gs_sitepost {
    uint64_t key;      /* hash of title and body */
    uint64_t url_hash; /* of url */
    int column;        /* index in columns, -1 when none */
    char *title;
    char *url;
    bool links_interp; /* links to an interpretation (相关解读：...) */
    bool links_source; /* links to the document it interprets (相关文件：...) */
} gs_sitepost_t;

typedef struct gs_site {
    const gs_check_env_t *env;
    const gs_config_t *cfg; /* the thresholds to judge with: the task's (gs_judge), else env's */
    const char *sitecode;   /* the registry's 网站标识码 */
    const char *name;       /* the registry's site name */
    const char *home_url;   /* the registry's home page */
    const gs_watch_verdict_t *watch; /* the availability watch's verdict, NULL: none */
    int err;    /* the first failure (GS_ENOMEM) of a feeding function; gs_site_check returns it */
    char *host; /* its host, lower-cased */
    int64_t ref_unix;
    int32_t ref_day;

    /* the home page */
    bool home_ok;
    int home_tries;
    long home_status;
    char *home_error;
    char *home_final;    /* after redirects */
    int32_t home_newest; /* by gs_page_newest_day, GS_NO_DAY */
    char *home_title;
    char *home_header; /* header text */
    char *home_footer; /* footer text */
    bool home_footer_found;
    char *home_alts; /* header image alts, joined with '\n' */
    char *home_sitename_meta;
    char *footer_links;    /* URLs of footer-region and badge links of the home page, '\n' */
    int32_t second_newest; /* newest date of a second-level page, for a portal home */
    char *second_url;

    /* columns */
    gs_column_t columns[GS_SITE_MAX_COLUMNS];
    size_t ncolumns;

    /* pages and their meta tags */
    uint32_t pages[4];        /* fetched, by gs_role_t */
    uint32_t meta_missing[8]; /* pages missing each tag of gs_metatag order */
    char *meta_example[8];    /* one page missing it */

    /* links */
    gs_sitelink_t *links;
    size_t nlinks;
    uint32_t *link_slots; /* open addressing: index + 1 */
    size_t link_mask;
    size_t links_dropped;

    /* content */
    gs_hits_t wording, spam, hidden, scripts, privacy;
    uint32_t mobiles_pages; /* pages exposing mobile numbers in bulk */

    /* interaction */
    bool channel;       /* a working consultation channel was found */
    char *channel_url;  /* its page */
    char *channel_name; /* its anchor text */
    gs_sitemsg_t *msgs;
    size_t nmsgs;

    /* service guides: pages with some of the ten elements, and which were missing */
    gs_hits_t service;

    /* posts, and the column each item URL was listed in (open addressing on url hash) */
    gs_sitepost_t *posts;
    size_t nposts;
    uint64_t *item_keys;
    int16_t *item_cols;
    size_t item_mask;
    /* what a column check needs of pages fetched before they were known to be columns (a
     * home-page link to a page that a section later lists as its sub-column) */
    uint64_t *pf_keys;
    struct gs_colfacts *pf;
    size_t pf_mask;

    /* probes */
    char *home_spam; /* spam terms of the home page as a browser got it, '\n'-ended */
    bool cloak_done;
    char *cloak_title; /* <title> the spider got */
    char *cloak_terms; /* spam the spider got and the browser did not */
    bool https_done;
    long https_status;   /* 0: no HTTPS answer */
    int https_curl;      /* CURLcode of the probe (60: the certificate failed) */
    char *https_error;   /* "" when fine */
    int64_t cert_expiry; /* Unix time, 0 unknown */
    bool ipv6_done;
    bool ipv6_ok;
    char *ipv6_error;
} gs_site_t;

/* Meta tags W-META looks for, in this order in meta_missing. */
enum {
    GS_META_SITENAME = 0,
    GS_META_SITEDOMAIN,
    GS_META_SITEIDCODE,
    GS_META_COLUMNNAME,
    GS_META_ARTICLETITLE,
    GS_META_PUBDATE,
    GS_META_CONTENTSOURCE,
    GS_META_COUNT
};
extern const char *const gs_meta_names[GS_META_COUNT];

gs_site_t *gs_site_new(const gs_check_env_t *env, const char *sitecode, const char *name,
                       const char *home_url, int64_t ref_unix);
void gs_site_destroy(gs_site_t **self_p);

/* The feeding functions below return nothing (they run as pages arrive): a fact they could
 * not keep for memory is remembered in s->err, and gs_site_check returns that error
 * instead of judging the site on the facts that are left. */

/* The home page answered (or failed: page NULL, with status and error). */
void gs_site_home(gs_site_t *s, const gs_page_t *page, long status, const char *error,
                  const char *final_url);

/* A page of the crawl, parsed; column is an index in s->columns or -1. depth is its link
 * depth from the home page. */
void gs_site_page(gs_site_t *s, const gs_page_t *page, const char *url, gs_role_t role, int column,
                  uint32_t depth);

/* A page of the crawl that could not be fetched (status 0 for a transport failure). */
void gs_site_page_failed(gs_site_t *s, const char *url, int column, long status, const char *why);

/* The home page as the cloaking probe's spider got it. */
void gs_site_cloak(gs_site_t *s, const gs_page_t *page);

/* Add a column (deduplicated by URL); returns its index, or -1 when full or known
 * (GS_ENOMEM, also kept in s->err, when it could not be copied). */
int gs_site_add_column(gs_site_t *s, const char *name, const char *url, int level);
/* The column whose page is url, or -1. */
int gs_site_column_of(const gs_site_t *s, const char *url);

/* The link record of url, or NULL. */
gs_sitelink_t *gs_site_link(gs_site_t *s, const char *url);
/* Record a link verdict (the crawl fetched it, or a link check did). */
void gs_site_link_result(gs_site_t *s, const char *url, long status, int curl_code,
                         const char *error);

/* Every W- check on the facts (gs_chk_*.c); s->err first, when a fact was lost. */
int gs_site_check(gs_site_t *s, gs_findings_t *out);

/* ---- the check groups, each in its own gs_chk_*.c -------------------------------- */
int gs_chk_home(gs_site_t *s, gs_findings_t *out);      /* W-UNREACHABLE W-HOME-STALE */
int gs_chk_columns(gs_site_t *s, gs_findings_t *out);   /* W-COLUMN-STALE W-COLUMN-BLANK */
int gs_chk_identity(gs_site_t *s, gs_findings_t *out);  /* W-HEADER W-FOOTER W-META W-DOMAIN */
int gs_chk_content(gs_site_t *s, gs_findings_t *out);   /* W-SECURITY W-WORDING W-PRIVACY */
int gs_chk_interact(gs_site_t *s, gs_findings_t *out);  /* W-INTERACT W-INTERACT-SLOW */
int gs_chk_service(gs_site_t *s, gs_findings_t *out);   /* W-SERVICE W-POLICY-INTERP W-DUP-POST */
int gs_chk_links(gs_site_t *s, gs_findings_t *out);     /* W-LINK-BROKEN */
int gs_chk_transport(gs_site_t *s, gs_findings_t *out); /* W-HTTPS W-IPV6 */

#endif
