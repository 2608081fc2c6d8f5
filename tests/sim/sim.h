/* sim.h -- internals shared by the files of gs-simsrv, the simulated province.
 *
 * gs-simsrv plans a province of government websites and new-media feeds once at start
 * (sim_plan.c), writes the registry and the ground truth of every planted defect
 * (sim_files.c), and serves every page on the fly from the plan over loopback HTTP
 * (sim_http.c, sim_site.c, sim_feed.c, sim_fault.c). Nothing is random at run time: every
 * choice comes from a splitmix64 stream seeded by (--seed, target, page), so the same
 * arguments give byte-identical files and pages.
 *
 * Defects are rows of one table (sim_defect.c): adding a defect is adding a row with a
 * plan hook (shape the target: dates, omitted footer items...), a detail hook (the truth
 * record) and, when the page itself must change, a respond hook (take over the response)
 * or a render hook (add bytes at a named slot of a page).
 *
 * Ownership: the plan owns every target and its arrays; it is read-only once built and
 * shared by the server threads without locks. Rendering functions append to a caller's
 * gs_buf_t. */
#ifndef SIM_H
#define SIM_H

#include "gs_buf.h"
#include "gs_date.h"
#include "gs_err.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- PRNG and hashing */

/* splitmix64: tiny, fast, and good enough to make a province look random. */
typedef struct sim_rng {
    uint64_t s; /* state, advanced by the golden gamma on every draw */
} sim_rng_t;

static inline uint64_t sim_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A stream for (seed, a, b): different a/b give independent streams. */
static inline void sim_rng_init(sim_rng_t *r, uint64_t seed, uint64_t a, uint64_t b)
{
    r->s = sim_mix64(seed + 0x9e3779b97f4a7c15ULL) ^ sim_mix64(a * 0xd1b54a32d192ed03ULL + 1) ^
           sim_mix64(b * 0x8cb92ba72f3d8dd7ULL + 2);
}

static inline uint64_t sim_rng_next(sim_rng_t *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return sim_mix64(r->s);
}

/* Uniform in [0, n); 0 when n is 0. Multiply-shift, no modulo bias worth the name. */
static inline uint32_t sim_rng_below(sim_rng_t *r, uint32_t n)
{
    return (uint32_t)(((sim_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi], both included. */
static inline int sim_rng_range(sim_rng_t *r, int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)sim_rng_below(r, (uint32_t)(hi - lo + 1));
}

/* True with the given probability in percent. */
static inline bool sim_rng_chance(sim_rng_t *r, unsigned percent)
{
    return sim_rng_below(r, 100) < percent;
}

/* FNV-1a over a string, to key streams by ids rather than by positions. */
uint64_t sim_hash_str(const char *s);

/* Purposes of the streams, so that two decisions never share draws. */
enum {
    SIM_STREAM_LAYOUT = 1, /* regions, identities */
    SIM_STREAM_DEFECT,     /* which targets get which defect */
    SIM_STREAM_STYLE,      /* charsets, date formats, feed formats */
    SIM_STREAM_TARGET,     /* one target's own plan */
    SIM_STREAM_ITEM,       /* one list item / article / post */
    SIM_STREAM_PAGE,       /* page furniture */
};

/* ---------------------------------------------------------------- enumerations */

typedef enum sim_kind { SIM_SITE = 0, SIM_ACCOUNT = 1 } sim_kind_t;

/* How a site's bytes are encoded and declared. */
typedef enum sim_charset {
    SIM_CS_UTF8 = 0,   /* UTF-8, declared in the header and a meta tag */
    SIM_CS_GBK,        /* GBK, declared in the header and a meta tag */
    SIM_CS_GBK_GB2312, /* GBK bytes, header without charset, meta says gb2312 (common) */
    SIM_CS_GBK_NODECL, /* GBK bytes and no declaration anywhere */
    SIM_CS_GB18030,    /* GB18030 with characters outside GBK */
    SIM_CS_BIG5,       /* Big5, Traditional text */
    SIM_CS_COUNT
} sim_charset_t;

typedef struct sim_charset_info {
    const char *name;   /* in plan.jsonl */
    const char *iconv;  /* iconv target, NULL for UTF-8 */
    const char *header; /* charset= in Content-Type, NULL for none */
    const char *meta;   /* the <meta> declaring it, NULL for none */
    bool traditional;   /* text converted to Traditional characters first */
} sim_charset_info_t;

extern const sim_charset_info_t sim_charsets[SIM_CS_COUNT];

/* The ways list items show their date (checks.md: every common format). */
typedef enum sim_datefmt {
    SIM_DF_ISO = 0,    /* 2021-06-28 */
    SIM_DF_SLASH,      /* 2021/6/28 */
    SIM_DF_DOT,        /* 2021.06.28 */
    SIM_DF_CN,         /* 2021年6月28日 */
    SIM_DF_BRACKET_MD, /* [06-28], year inferred */
    SIM_DF_MD,         /* 06-28, year inferred */
    SIM_DF_COUNT
} sim_datefmt_t;

/* Formats without a year are only used for items younger than this, so that inferring
 * the year from the reference time always gives the right date. */
#define SIM_YEARLESS_MAX_AGE 300

/* Column classes, as the column checks will classify them by name. */
typedef enum sim_colclass {
    SIM_CC_NEWS = 0, /* 动态/要闻: stale after 14 days */
    SIM_CC_NOTICE,   /* 通知公告: stale after 183 days */
    SIM_CC_POLICY,   /* 政策文件: stale after 183 days */
    SIM_CC_INTERP,   /* 政策解读 */
    SIM_CC_PERSONNEL,
    SIM_CC_PLAN,
    SIM_CC_INTERACT,
    SIM_CC_SERVICE,
    SIM_CC_SPECIAL,
} sim_colclass_t;

typedef enum sim_feedfmt { SIM_FEED_RSS = 0, SIM_FEED_ATOM, SIM_FEED_JSON } sim_feedfmt_t;

/* Hostile behaviours of the extra --faults sites. */
typedef enum sim_fault {
    SIM_FAULT_NONE = 0,
    SIM_FAULT_LOOP,         /* / -> /a -> / ... */
    SIM_FAULT_CHAIN,        /* 50 redirects before the home page */
    SIM_FAULT_HUGE,         /* 100 MB home page with Content-Length */
    SIM_FAULT_HUGE_CHUNKED, /* 100 MB home page, chunked, no length */
    SIM_FAULT_BOMB,         /* gzip body expanding to 1 GiB */
    SIM_FAULT_SLOW,         /* one byte a second */
    SIM_FAULT_MALFORMED,    /* unclosed tags, garbage bytes, NULs */
    SIM_FAULT_COUNT
} sim_fault_t;

#define SIM_HUGE_BYTES (100ULL * 1024 * 1024)
#define SIM_BOMB_BYTES (1ULL << 30)
#define SIM_CHAIN_HOPS 50

/* Bits of sim_site_t.omit: page furniture a defect may remove (W-FOOTER, W-META, W-HEADER
 * rows set them in their plan hook; the renderer honours them on every page). */
enum {
    SIM_OMIT_CONAC = 1u << 0,
    SIM_OMIT_SPONSOR = 1u << 1,
    SIM_OMIT_CONTACT = 1u << 2,
    SIM_OMIT_SITECODE = 1u << 3,
    SIM_OMIT_ICP = 1u << 4,
    SIM_OMIT_PSB = 1u << 5,
    SIM_OMIT_ZHAOCUO = 1u << 6,
    SIM_OMIT_META_SITE = 1u << 7,    /* SiteName/SiteDomain/SiteIDCode */
    SIM_OMIT_META_COLUMN = 1u << 8,  /* ColumnName */
    SIM_OMIT_META_ARTICLE = 1u << 9, /* ArticleTitle/PubDate/ContentSource */
    SIM_OMIT_HEADER_NAME = 1u << 10, /* site name in title, header and logo alt */
};

/* ---------------------------------------------------------------- the plan */

#define SIM_MAX_COLS 11   /* columns besides 首页: nav has 8-12 entries */
#define SIM_MAX_BLOCKS 5  /* dated lists on the home page */
#define SIM_MAX_POSTS 20  /* posts in a feed */
#define SIM_MAX_DEFECTS 4 /* defects planted on one target */

typedef struct sim_column {
    uint8_t def;       /* row of sim_coldefs */
    uint8_t fmt;       /* sim_datefmt_t of its list pages */
    uint16_t num;      /* column number in article URLs: /art/Y/M/D/art_<num>_<n>.html */
    uint16_t per_page; /* items per list page (15-20) */
    uint16_t n_pages;  /* list pages: index.html, index_2.html ... */
    uint32_t n_items;  /* items (= articles) of the column */
    uint32_t first;    /* index of its first item in sim_site_t.ages */
} sim_column_t;

typedef struct sim_site {
    uint8_t charset;                   /* sim_charset_t */
    uint8_t fault;                     /* sim_fault_t */
    uint8_t n_cols;                    /* columns in the nav besides 首页 */
    uint8_t n_blocks;                  /* dated home lists */
    uint8_t blocks[SIM_MAX_BLOCKS];    /* column shown by each home list */
    uint8_t block_fmt[SIM_MAX_BLOCKS]; /* its date format */
    uint8_t theme;                     /* colour scheme of the inline CSS */
    bool conac_https;                  /* conac badge link over https (else http) */
    uint32_t omit;                     /* SIM_OMIT_* */
    uint32_t since;                    /* first year in the copyright line */
    char phone[24];                    /* 0731-88886666 */
    char icp[40];                      /* 湘ICP备05001234号 */
    char psb[48];                      /* 湘公网安备 43010502000123号 */
    char conac_id[40];                 /* id in the conac badge link */
    sim_column_t cols[SIM_MAX_COLS];   /* nav order; cols[0] holds the newest item */
    uint16_t *ages;                    /* days before the reference date of every item,
                                          column by column, newest first; owned by plan */
    uint32_t n_items;                  /* entries of ages */
} sim_site_t;

typedef struct sim_account {
    uint8_t platform;             /* row of sim_platforms */
    uint8_t format;               /* sim_feedfmt_t */
    bool gmt;                     /* RSS pubDate in GMT rather than +0800 */
    uint8_t n_posts;              /* 10-20 */
    uint16_t closed;              /* 0, or 404 / 410 / 200 (marker page): M-CLOSED */
    uint16_t ages[SIM_MAX_POSTS]; /* days before the reference date, newest first */
    int32_t tods[SIM_MAX_POSTS];  /* second of the CST day of each post */
} sim_account_t;

typedef struct sim_target {
    sim_kind_t kind;
    uint16_t region;                  /* row of sim_regions */
    uint64_t seed;                    /* root of this target's streams */
    char id[20];                      /* 网站标识码 / 新媒体标识码 */
    char name[128];                   /* as registered */
    char owner[128];                  /* 主办单位 / 开设主体 */
    char place[96];                   /* who acts in titles: 长沙市, 长沙市教育局 */
    char host[64];                    /* www.sim-cs0003.gov.cn or the feeds host */
    char url[192];                    /* registry url */
    int newest_age;                   /* days before the reference date of the newest item */
    uint8_t n_defects;                /* planted defects */
    uint8_t defects[SIM_MAX_DEFECTS]; /* rows of sim_defects */
    union {
        sim_site_t site;
        sim_account_t acct;
    } u;
} sim_target_t;

typedef struct sim_opts {
    const char *out_dir;     /* --out */
    uint64_t seed;           /* --seed */
    unsigned sites;          /* --sites (ordinary sites; --faults adds more) */
    unsigned accounts;       /* --accounts */
    unsigned pages_per_site; /* --pages-per-site */
    int64_t ref_unix;        /* --reference-time, Unix seconds */
    double defect_rate;      /* --defect-rate */
    bool faults;             /* --faults */
    unsigned port;           /* --port, 0 = any free port */
    const char *listen;      /* --listen address */
    unsigned threads;        /* --threads */
    bool serve;              /* false with --no-serve */
} sim_opts_t;

typedef struct sim_plan {
    sim_opts_t opts;
    int64_t ref_days;      /* CST calendar day of the reference time (days since 1970-01-01) */
    int32_t ref_tod;       /* seconds since CST midnight of the reference time */
    sim_target_t *targets; /* sites (ordinary, then faults) first, then accounts */
    size_t n_targets;
    size_t n_sites;       /* targets[0..n_sites) are sites */
    uint16_t *ages_pool;  /* backing store of every sim_site_t.ages */
    uint32_t *host_slots; /* open addressing: target index + 1, 0 = empty */
    size_t host_mask;     /* slots - 1 (a power of two minus one) */
    unsigned char *bomb;  /* the gzip bomb (with --faults), built once */
    size_t bomb_len;
} sim_plan_t;

/* Host of every feed. */
#define SIM_FEEDS_HOST "feeds.sim-bridge.gov.cn"

int sim_plan_build(sim_plan_t *p, const sim_opts_t *o, gs_err_t *err);
void sim_plan_cleanup(sim_plan_t *p);
/* The site whose host is host[0..len) (case-insensitive, no port), or NULL. */
const sim_target_t *sim_plan_find_host(const sim_plan_t *p, const char *host, size_t len);
/* The account with this id, or NULL. */
const sim_target_t *sim_plan_find_account(const sim_plan_t *p, const char *id, size_t len);
/* Calendar date `age` days before the reference date. */
gs_ymd_t sim_plan_date(const sim_plan_t *p, int age);
/* Unix time of second `tod` of the CST day `age` days before the reference date. */
int64_t sim_plan_unix(const sim_plan_t *p, int age, int32_t tod);
/* The time of day of an item: random, but never after the reference time. */
int32_t sim_plan_tod(const sim_plan_t *p, sim_rng_t *rng, int age);

/* ---------------------------------------------------------------- text tables */

typedef struct sim_region {
    const char *name;            /* reporting group: 省直部门, 长沙市 */
    const char *place;           /* 湖南省, 长沙市 */
    const char *shortname;       /* 湖南, 长沙 (account names) */
    const char *code;            /* 430000 */
    const char *abbr;            /* host slug: hn, cs */
    const char *area;            /* phone area code */
    const char *const *counties; /* NULL-terminated; NULL for the province */
} sim_region_t;

typedef struct sim_dept {
    const char *prov; /* name at province level (教育厅), NULL when none */
    const char *city; /* name at city/county level (教育局), NULL when none */
    const char *acct; /* account name pattern, %s = region short name */
} sim_dept_t;

typedef struct sim_platform {
    const char *name; /* 新浪微博 */
    const char *slug; /* weibo: path segment of the feed URL */
    const char *code; /* XL: letters in the account id */
} sim_platform_t;

typedef struct sim_coldef {
    const char *slug;   /* /col/<slug>/index.html */
    const char *name;   /* 政务动态 */
    sim_colclass_t cls; /* class for dates and titles */
} sim_coldef_t;

extern const sim_region_t sim_regions[];
extern const size_t sim_n_regions;
extern const sim_dept_t sim_depts[];
extern const size_t sim_n_depts;
extern const sim_platform_t sim_platforms[];
extern const size_t sim_n_platforms;
extern const sim_coldef_t sim_coldefs[];
extern const size_t sim_n_coldefs;

/* Identity of the k-th site of a region: name, owner, place (bounded copies). */
void sim_text_site_identity(const sim_region_t *r, unsigned k, sim_target_t *t);
/* Identity of the q-th account of a region: name, owner, place, platform and id
 * (<region code>M<dept>< platform code><serial>, e.g. 430000M022XL0001). */
void sim_text_account_identity(const sim_region_t *r, unsigned q, sim_target_t *t);
/* A title for an item of class cls, drawing from rng (same draws give the same title).
 * Returns its topic, for the body. */
unsigned sim_text_title(gs_buf_t *out, sim_rng_t *rng, sim_colclass_t cls, const sim_target_t *t,
                        int year);
/* A post title for an account; returns its topic. */
unsigned sim_text_post_title(gs_buf_t *out, sim_rng_t *rng, const sim_target_t *t);
/* n paragraphs of plausible government text on a topic, each wrapped in open/close. */
void sim_text_body(gs_buf_t *out, sim_rng_t *rng, int n, const char *open, const char *close,
                   const sim_target_t *t, unsigned topic);
/* A date in one of the list formats ("2021-06-28", "[06-28]" ...). */
void sim_date_format(sim_datefmt_t f, gs_ymd_t d, char *out, size_t outlen);
/* Append s HTML-escaped. */
int sim_html_escape(gs_buf_t *out, const char *s, size_t len);

/* ---------------------------------------------------------------- charsets */

/* Simplified -> Traditional for one code point (identity when not in the table). */
uint32_t sim_s2t(uint32_t cp);
/* Encode UTF-8 text in charset cs into out. Characters the charset lacks become numeric
 * character references (&#169;), as real CMSs write them. */
int sim_charset_encode(sim_charset_t cs, const char *utf8, size_t len, gs_buf_t *out);

/* ---------------------------------------------------------------- requests */

struct sim_slow;

/* One request, as the responders see it. */
typedef struct sim_req {
    const sim_plan_t *plan;
    const sim_target_t *target; /* NULL for hosts that are not targets */
    struct MHD_Connection *conn;
    const char *path; /* URL path, no query */
    bool head;        /* HEAD request */
    struct sim_slow *slow;
} sim_req_t;

/* Reply helpers (sim_http.c). The *_take variants take ownership of malloc'd body. */
enum MHD_Result sim_reply_take(const sim_req_t *rq, unsigned status, const char *ctype, char *body,
                               size_t len);
enum MHD_Result sim_reply_static(const sim_req_t *rq, unsigned status, const char *ctype,
                                 const void *body, size_t len);
enum MHD_Result sim_reply_redirect(const sim_req_t *rq, unsigned status, const char *location);
/* Encode a UTF-8 HTML page in the target site's charset and reply (takes page's data). */
enum MHD_Result sim_reply_page(const sim_req_t *rq, unsigned status, gs_buf_t *page);
/* A plain nginx-like error page. */
enum MHD_Result sim_reply_error(const sim_req_t *rq, unsigned status);
/* Queue resp with the server's common headers, then release it. */
enum MHD_Result sim_reply_response(const sim_req_t *rq, unsigned status, struct MHD_Response *resp);

/* ---------------------------------------------------------------- pages */

/* Which page is being rendered, for render hooks. */
typedef enum sim_pagekind { SIM_PAGE_HOME, SIM_PAGE_COLUMN, SIM_PAGE_ARTICLE } sim_pagekind_t;

/* Named places of a page where render hooks may add bytes. */
typedef enum sim_slot {
    SIM_SLOT_HEAD,     /* inside <head> */
    SIM_SLOT_HEADER,   /* after the site header */
    SIM_SLOT_MAIN,     /* end of the main content */
    SIM_SLOT_FOOTER,   /* inside the footer */
    SIM_SLOT_BODY_END, /* before </body> */
} sim_slot_t;

/* Serve a site request (home, columns, articles, robots.txt...). */
enum MHD_Result sim_site_serve(const sim_req_t *rq);
/* Render the home page of a site in UTF-8 (also used by the fault sites). */
int sim_site_home(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *out);
/* Serve a request for the feeds host. */
enum MHD_Result sim_feed_serve(const sim_req_t *rq);

/* ---------------------------------------------------------------- defects */

typedef struct sim_defect {
    const char *code;  /* finding code in truth.jsonl; NULL = planted behaviour that a
                          sensible checker reports with no finding of its own */
    const char *cause; /* the variant, written as detail.cause */
    sim_kind_t kind;   /* site or account */
    bool veto;         /* truth's veto */
    unsigned weight;   /* relative frequency among random defects; 0 = never random */
    sim_fault_t fault; /* the --faults site that carries it, SIM_FAULT_NONE otherwise */
    bool refuse;       /* host mapped to a closed port in connect-to.txt */
    /* Shape the target before its items are generated; nth counts earlier targets given
     * this row (0 for the first, which gets the borderline case). */
    void (*plan)(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth);
    /* Fill the truth record's detail object (cause is set already). */
    void (*detail)(const sim_target_t *t, const sim_plan_t *p, json_t *detail);
    /* Take over the response; return true when it did (and set *res). */
    bool (*respond)(const sim_req_t *rq, enum MHD_Result *res);
    /* Add bytes at a slot of a page (UTF-8, before the charset conversion). */
    void (*render)(const sim_target_t *t, const sim_plan_t *p, sim_pagekind_t page, sim_slot_t slot,
                   gs_buf_t *out);
} sim_defect_t;

extern const sim_defect_t sim_defects[];
extern const size_t sim_n_defects;

/* Let the target's defects take over the response; true when one did. */
bool sim_defect_respond(const sim_req_t *rq, enum MHD_Result *res);
/* Let the target's defects add to a page at a slot. */
void sim_defect_render(const sim_target_t *t, const sim_plan_t *p, sim_pagekind_t page,
                       sim_slot_t slot, gs_buf_t *out);
/* The truth record of defect row d on t (a new JSON object), NULL when d has no code. */
json_t *sim_defect_truth(const sim_target_t *t, const sim_plan_t *p, unsigned d);

/* ---------------------------------------------------------------- faults (sim_fault.c) */

bool sim_fault_respond(const sim_req_t *rq, enum MHD_Result *res);
/* Build the gzip bomb for the bomb site (p->bomb). */
int sim_fault_build_bomb(sim_plan_t *p, gs_err_t *err);
/* The timer that wakes the slow host's suspended connections. */
struct sim_slow *sim_slow_new(void);
/* Resume every suspended connection and stop the timer (before MHD_stop_daemon). */
void sim_slow_shutdown(struct sim_slow *s);
void sim_slow_destroy(struct sim_slow **s_p);

/* ---------------------------------------------------------------- server, files */

typedef struct sim_server sim_server_t;
sim_server_t *sim_server_start(const sim_plan_t *p, gs_err_t *err);
unsigned sim_server_port(const sim_server_t *s);
unsigned long long sim_server_requests(const sim_server_t *s);
void sim_server_stop(sim_server_t **s_p);

/* registry.csv, truth.jsonl, clean.txt, plan.jsonl. */
int sim_files_write(const sim_plan_t *p, gs_err_t *err);
/* connect-to.txt for the bound port. */
int sim_files_write_connect(const sim_plan_t *p, unsigned port, gs_err_t *err);
/* Write a small file atomically (tmp + rename). */
int sim_files_put(const char *dir, const char *name, const char *data, size_t len, gs_err_t *err);

#endif
