/* sim.h -- internals shared by the files of gs-simsrv, the simulated province.
 *
 * gs-simsrv plans a province of government websites and new-media feeds once at start
 * (sim_plan.c), writes the registry and the ground truth of every planted defect
 * (sim_files.c), and serves every page on the fly from the plan over loopback HTTP
 * (sim_http.c, sim_site.c, sim_feed.c, sim_fault.c). Nothing is random at run time: every
 * choice comes from a splitmix64 stream seeded by (--seed, target, page), so the same
 * arguments give byte-identical files and pages (but ca.pem and the certificates, whose
 * validity follows the real clock that TLS verification uses).
 *
 * Defects are rows of one table (sim_defect.c): adding a defect is adding a row with a
 * plan hook (shape the target: dates, omitted footer items...), a detail hook (the truth
 * record) and, when the page itself must change, a respond hook (take over the response)
 * or a render hook (add bytes at a named slot of a page).
 *
 * Defects of the first release (the rows of group SIM_G_FIRST) are assigned by the
 * original pass, unchanged, so that existing arguments keep their truth lines; every later
 * row belongs to a conflict group (sim_group_t) and is assigned by a second pass onto the
 * targets the first left clean. Their truth lines come from their truth hooks, or, for the
 * codes whose lines follow from the planted state whatever row planted it, from that state
 * (sim_truth.c): the columns and their ages, the messages of the board (sim_board.c, with
 * the working-day calendar of sim_calendar.c), the registry.
 *
 * Ownership: the plan owns every target and its arrays; it is read-only once built and
 * shared by the server threads without locks (the flap counters and the TLS certificate
 * cache live in the server, sim_http.c and sim_tls.c). Rendering functions append to a
 * caller's gs_buf_t. */
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
    SIM_STREAM_BOARD,      /* the messages of a message board */
    SIM_STREAM_GROUPED,    /* the second pass: grouped defect rows */
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

/* Column classes of the generator: which titles and publishing rhythm a column has. What
 * the column checks count is a separate property of the column (sim_coldef_t.stale_days
 * and .rule), written as data/columns.tsv classifies the column's name. */
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
    SIM_CC_OPEN, /* 政务公开 sub-columns that need not be updated (财政资金, 重大项目...) */
    SIM_CC_PARENT, /* 政务公开 itself: lists its sub-columns, has no items of its own */
} sim_colclass_t;

/* Which veto count of W-COLUMN-STALE a stale column feeds (checks.md). */
typedef enum sim_colrule {
    SIM_RULE_NONE = 0, /* need not be updated */
    SIM_RULE_FIRST,    /* 动态/要闻 at any level: the first rule and the total */
    SIM_RULE_LEVEL1, /* 通知公告/政策文件: the first rule when in the nav, else the total */
    SIM_RULE_TOTAL,  /* 人事/规划计划: the total only */
} sim_colrule_t;

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
    SIM_FAULT_RESET,        /* headers and 4 KB of the home page, then a TCP reset */
    SIM_FAULT_TIMEOUT,      /* reads the request, answers nothing for 120 s, closes */
    SIM_FAULT_BAD_GATEWAY,  /* 502 on every path */
    SIM_FAULT_REFUSED,      /* connect-to.txt maps it to a closed port */
    SIM_FAULT_FLAP,         /* fails --flap-rate of its requests (503 or a 20 s stall) */
    SIM_FAULT_COUNT
} sim_fault_t;

#define SIM_HUGE_BYTES (100ULL * 1024 * 1024)
#define SIM_BOMB_BYTES (1ULL << 30)
#define SIM_CHAIN_HOPS 50
#define SIM_RESET_AFTER 4096    /* body bytes sent before the reset */
#define SIM_TIMEOUT_MS 120000   /* how long the timeout host holds a request */
#define SIM_FLAP_STALL_MS 20000 /* a stalled flap answer: past the 15 s probe deadline */
#define SIM_MAX_FLAP_SITES 100  /* --flap-sites */

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
    SIM_OMIT_META_SITE = 1u << 7,      /* SiteName/SiteDomain/SiteIDCode */
    SIM_OMIT_META_COLUMN = 1u << 8,    /* ColumnName */
    SIM_OMIT_META_ARTICLE = 1u << 9,   /* ArticleTitle/PubDate/ContentSource */
    SIM_OMIT_HEADER_NAME = 1u << 10,   /* site name in title, header and logo alt */
    SIM_OMIT_META_SITENAME = 1u << 11, /* SiteName only (with the header name) */
};
#define SIM_FOOTER_ITEMS 7 /* conac sponsor contact sitecode icp psb zhaocuo: bits 0-6 */

/* Conflict groups: a target carries at most one row of a group, because rows of one group
 * shape the same part of it (its columns, its message board, its certificate...). */
typedef enum sim_group {
    SIM_G_FIRST = 0, /* the rows of the first release, assigned by the original pass */
    SIM_G_STALE,
    SIM_G_BLANK,
    SIM_G_INTERACT,
    SIM_G_SERVICE,
    SIM_G_POLICY,
    SIM_G_FOOTER,
    SIM_G_IDENTITY, /* W-HEADER and W-META: the header row also drops the SiteName tag */
    SIM_G_SECURITY,
    SIM_G_WORDING,
    SIM_G_LINKS,
    SIM_G_DUP,
    SIM_G_PRIVACY,
    SIM_G_DOMAIN,
    SIM_G_IPV6,
    SIM_G_HTTPS,
    SIM_G_M_SECURITY,
    SIM_G_M_WORDING,
    SIM_G_M_PRIVACY,
    SIM_G_M_MENU,
    SIM_G_M_FILING,
    SIM_G_M_DUP,
    SIM_G_COUNT
} sim_group_t;

/* Variants of the grouped rows, as plan hooks record them on the target. */
typedef enum sim_stale {
    SIM_STALE_NONE = 0,
    SIM_STALE_BORDER, /* 15/14, 184/183, 366/365 days: three stale columns, no veto */
    SIM_STALE_FIRST4, /* 4 stale for the first rule (plus a second-level 公告公示) */
    SIM_STALE_FIRST5, /* 5 stale for the first rule: veto */
    SIM_STALE_TOTAL9, /* 4 for the first rule + 5 others: 9 in all, no veto */
    SIM_STALE_TOTAL10 /* 4 + 6: 10 in all, veto by the second rule */
} sim_stale_t;

typedef enum sim_interact {
    SIM_IA_OK = 0,
    SIM_IA_NO_CHANNEL, /* no 咨询/留言/信箱 entry anywhere, no board */
    SIM_IA_UNANSWERED, /* a message unanswered for more than 90 days */
    SIM_IA_LATE,       /* a message answered after 91 days, another after exactly 90 */
    SIM_IA_SLOW,       /* messages over 5 working days, and borderline ones */
} sim_interact_t;

typedef enum sim_security {
    SIM_SEC_NONE = 0,
    SIM_SEC_TITLE,  /* a spam term in the home page's <title> */
    SIM_SEC_TEXT,   /* a spam term in the home page's text */
    SIM_SEC_HIDDEN, /* a hidden link to a spam host (five ways of hiding) */
    SIM_SEC_CLOAK,  /* spam title and text only for search-engine spiders */
    SIM_SEC_SCRIPT, /* a referrer-sniffing redirect or a document.write iframe */
} sim_security_t;

typedef enum sim_tlsvar {
    SIM_TLS_OK = 0,
    SIM_TLS_NONE,       /* port 443 refused */
    SIM_TLS_EXPIRED,    /* CA-signed, expired 30 days ago (real clock) */
    SIM_TLS_EXPIRING,   /* CA-signed, expires in 10 days (real clock) */
    SIM_TLS_UNTRUSTED,  /* self-signed */
    SIM_TLS_WRONG_HOST, /* CA-signed for another host name */
    SIM_TLS_COUNT
} sim_tlsvar_t;

typedef enum sim_privacy { SIM_PRIV_NONE = 0, SIM_PRIV_ID, SIM_PRIV_MOBILE } sim_privacy_t;
/* How many numbers the privacy rows expose: on a site's page (plus one ID number with a
 * wrong check digit, which is not personal data) and in a post. */
#define SIM_PRIV_SITE_IDS 5
#define SIM_PRIV_SITE_MOBILES 8
#define SIM_PRIV_POST_IDS 2
#define SIM_PRIV_POST_MOBILES 6
typedef enum sim_links { SIM_LINKS_OK = 0, SIM_LINKS_HOME, SIM_LINKS_INNER } sim_links_t;
typedef enum sim_menu {
    SIM_MENU_NONE = 0, /* not a WeChat account: no menu */
    SIM_MENU_OK,
    SIM_MENU_NO_INTERACT, /* no 咨询/互动/留言 entry: M-INTERACT */
    SIM_MENU_BROKEN,      /* one entry 404, one on a host that refuses: M-MENU-LINK */
} sim_menu_t;
typedef enum sim_filing {
    SIM_FILING_OK = 0,
    SIM_FILING_TYPE,  /* the profile shows 服务号 for a registered 订阅号 (or back) */
    SIM_FILING_NAME,  /* the profile shows another account name */
    SIM_FILING_OWNER, /* the profile shows another 认证主体 */
} sim_filing_t;

/* ---------------------------------------------------------------- the plan */

#define SIM_MAX_COLS 26    /* columns besides 首页, with the second-level ones */
#define SIM_MAX_BLOCKS 5   /* dated lists on the home page */
#define SIM_MAX_POSTS 20   /* posts in a feed */
#define SIM_MAX_DEFECTS 16 /* defects planted on one target */
#define SIM_MAX_MSGS 20    /* messages of a message board */
#define SIM_MAX_COLDEFS 32 /* rows of sim_coldefs */
/* Pages a site with the second-level columns needs at least: the home page, a list page
 * and an item for each of its 25 columns. */
#define SIM_EXTENDED_MIN_PAGES 52

typedef struct sim_column {
    uint8_t def;       /* row of sim_coldefs */
    uint8_t fmt;       /* sim_datefmt_t of its list pages */
    uint8_t level;     /* 1: in the nav; 2: under 政务公开 */
    uint8_t blank;     /* 0; 1 an empty list; 2 the placeholder 暂无信息 */
    uint8_t cls_rank;  /* rank among the site's columns of its class (disjoint titles) */
    uint8_t cls_count; /* columns of its class on the site */
    uint16_t num;      /* column number in article URLs: /art/Y/M/D/art_<num>_<n>.html */
    uint16_t per_page; /* items per list page (15-20) */
    uint16_t n_pages;  /* list pages: index.html, index_2.html ... */
    uint32_t n_items;  /* items (= articles) of the column */
    uint32_t first;    /* index of its first item in sim_site_t.ages */
} sim_column_t;

/* A message of a site's board (互动交流 > 留言选登). */
typedef struct sim_msg {
    uint16_t ask_age;  /* days before the reference date it was asked */
    int16_t reply_age; /* days before the reference date it was answered; -1 unanswered */
    int32_t ask_tod;   /* second of the CST day it was asked */
    int32_t reply_tod; /* second of the CST day it was answered */
    uint8_t topic;     /* topic of its title */
} sim_msg_t;

typedef struct sim_site {
    uint8_t charset;                   /* sim_charset_t */
    uint8_t fault;                     /* sim_fault_t */
    uint8_t n_cols;                    /* columns besides 首页 (second-level ones included) */
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

    /* What the grouped defect rows planted (set by their plan hooks, read by the layout,
     * the renderers and the truth). */
    bool extended;                       /* 政务公开 with its second-level columns */
    uint16_t force_age[SIM_MAX_COLDEFS]; /* newest age of a column, by coldef; 0 = free */
    uint32_t blank_defs;                 /* coldefs shown blank (bit = coldef row) */
    uint8_t interact;                    /* sim_interact_t */
    uint8_t security;                    /* sim_security_t */
    uint8_t sec_style;                   /* which way of hiding / of redirecting */
    uint8_t wording;                     /* wrong forms planted, 0-2 */
    uint8_t wording_first;               /* first row of sim_wrongs used */
    uint8_t links;                       /* sim_links_t */
    uint8_t dup_cols;                    /* columns showing one duplicated item: 0, 2, 3 */
    uint8_t dup_dst[2];                  /* the columns (other than 0) that copy item 0 */
    uint8_t n_dup_dst;                   /* found by the layout */
    uint8_t privacy;                     /* sim_privacy_t */
    uint8_t privacy_col;                 /* the column whose item 0 exposes the numbers */
    uint8_t tls;                         /* sim_tlsvar_t */
    bool no_ipv6;                        /* connect-to maps it to IPv4 only */
    bool policy_drop;                    /* the newest 政策文件 has no 解读 */
    uint16_t svc_missing;                /* guide elements missing from the newest guide */
    char shown_code[20];                 /* the 网站标识码 shown, when wrong */
    uint8_t n_msgs;                      /* messages on the board */
    sim_msg_t msgs[SIM_MAX_MSGS];        /* newest question first */
} sim_site_t;

typedef struct sim_account {
    uint8_t platform;             /* row of sim_platforms */
    uint8_t format;               /* sim_feedfmt_t */
    bool gmt;                     /* RSS pubDate in GMT rather than +0800 */
    uint8_t n_posts;              /* 10-20 */
    uint16_t closed;              /* 0, or 404 / 410 / 200 (marker page): M-CLOSED */
    uint16_t ages[SIM_MAX_POSTS]; /* days before the reference date, newest first */
    int32_t tods[SIM_MAX_POSTS];  /* second of the CST day of each post */
    uint8_t security;             /* 0, 1 spam in a post title, 2 in a post's text */
    uint8_t wording;              /* 0, or 1 + the row of sim_wrongs in a post */
    uint8_t privacy;              /* sim_privacy_t: numbers in a post */
    uint8_t menu;                 /* sim_menu_t */
    uint8_t filing;               /* sim_filing_t */
    char shown[128];              /* what the profile shows instead, with filing */
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

#define SIM_HEAD_BYTES_MAX (256u * 1024u)

typedef struct sim_opts {
    const char *out_dir;     /* --out */
    const char *data_dir;    /* --data-dir: holidays.tsv is read from there */
    uint64_t seed;           /* --seed */
    unsigned sites;          /* --sites (ordinary sites; --faults adds more) */
    unsigned accounts;       /* --accounts */
    unsigned pages_per_site; /* --pages-per-site */
    int64_t ref_unix;        /* --reference-time, Unix seconds */
    double defect_rate;      /* --defect-rate */
    bool faults;             /* --faults */
    double flap_rate;        /* --flap-rate: fraction of a flapping site's requests that fail */
    unsigned flap_sites;     /* --flap-sites: flapping sites among the --faults sites */
    unsigned port;           /* --port, 0 = any free port */
    const char *listen;      /* --listen address */
    unsigned threads;        /* --threads */
    bool serve;              /* false with --no-serve */
    bool ipv6;               /* ::1 can be bound (probed at start): IPv6 sites are planted */
    bool tls;                /* false with --no-tls: no HTTPS at all, no W-HTTPS truth */
    unsigned head_bytes;     /* --head-bytes: inline script added to every site page's head */
} sim_opts_t;

/* The working-day calendar (sim_calendar.c): the dates that differ from Monday-Friday. */
typedef struct sim_cal {
    int64_t *days;  /* sorted day numbers (days since 1970-01-01) */
    uint8_t *work;  /* 1: a working day (调休), 0: a day off, for each of days */
    size_t n;       /* entries */
    int first_year; /* the years its `year` lines say it covers (0: none said) */
    int last_year;
    bool loaded;     /* holidays.tsv was found */
    char path[4096]; /* where it was read from */
} sim_cal_t;

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
    sim_cal_t cal;              /* working days, for the message boards and their truth */
    unsigned uncovered;         /* grouped rows no target could take (too small a province) */
    uint8_t uncovered_rows[16]; /* the first of them (rows of sim_defects) */
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
/* The time of day of an item: random, but never after the reference time; on the
 * borderline ages (14, 183, 365 days) never earlier than the reference time of day, so
 * that a checker counting hours agrees with one counting calendar days. */
int32_t sim_plan_tod(const sim_plan_t *p, sim_rng_t *rng, int age);
/* True when the site is an ordinary site that answers (no unreachable or fault row). */
bool sim_plan_site_reachable(const sim_target_t *t);
/* True when the target carries defect row `row`. */
bool sim_target_has(const sim_target_t *t, unsigned row);

/* ---------------------------------------------------------------- calendar */

/* Read DIR/holidays.tsv (YYYY-MM-DD<TAB>off|work<TAB>name lines, year<TAB>YYYY<TAB>source
 * lines, '#' comments). Every dated line applies; days it does not list follow
 * Monday-Friday. A missing file is not an error: c->loaded stays false. */
int sim_cal_load(sim_cal_t *c, const char *dir, gs_err_t *err);
void sim_cal_cleanup(sim_cal_t *c);
bool sim_cal_workday(const sim_cal_t *c, int64_t day);
/* Working days strictly after `from` up to and including `to` (0 when to <= from). */
int sim_cal_workdays_between(const sim_cal_t *c, int64_t from, int64_t to);
/* The n-th working day after `from` (from itself when n is 0). */
int64_t sim_cal_add_workdays(const sim_cal_t *c, int64_t from, int n);

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
    const char *slug;    /* /col/<slug>/index.html */
    const char *name;    /* 政务动态 */
    sim_colclass_t cls;  /* class for dates and titles */
    uint16_t stale_days; /* stale when the newest item is older (data/columns.tsv); 0 = never */
    uint8_t rule;        /* sim_colrule_t */
} sim_coldef_t;

/* A wrong form of a set phrase, with the sentence that carries it (W-WORDING, M-WORDING). */
typedef struct sim_wrong {
    const char *wrong;
    const char *right;
    const char *sentence;
} sim_wrong_t;

/* A spam term of the dictionary and the text a hijacker injects around it. */
typedef struct sim_spam {
    const char *term; /* the term as data/spam.tsv lists it */
    const char *text; /* a phrase containing it and no other term */
} sim_spam_t;

extern const sim_region_t sim_regions[];
extern const size_t sim_n_regions;
extern const sim_dept_t sim_depts[];
extern const size_t sim_n_depts;
extern const sim_platform_t sim_platforms[];
extern const size_t sim_n_platforms;
extern const sim_coldef_t sim_coldefs[];
extern const size_t sim_n_coldefs;
extern const sim_wrong_t sim_wrongs[];
extern const size_t sim_n_wrongs;
/* Spam for: [0] a site's <title>, [1] a site's text, [2] cloaking, [3] a post title,
 * [4] a post's text. */
extern const sim_spam_t sim_spams[];
extern const size_t sim_n_spams;
/* Hosts of the spam sites hidden links and redirects point at (answered with a 200 page). */
extern const char *const sim_spam_hosts[];
extern const size_t sim_n_spam_hosts;
/* The ten elements of a service guide, in the order W-SERVICE reports them. */
extern const char *const sim_guide_elements[];
#define SIM_GUIDE_ELEMENTS 10
/* The footer item keys of W-FOOTER, in SIM_OMIT_* bit order. */
extern const char *const sim_footer_keys[SIM_FOOTER_ITEMS];

/* Row of sim_coldefs with this slug, or -1. */
int sim_coldef_find(const char *slug);

/* Identity of the k-th site of a region: name, owner, place (bounded copies). */
void sim_text_site_identity(const sim_region_t *r, unsigned k, sim_target_t *t);
/* Identity of the q-th account of a region: name, owner, place, platform and id
 * (<region code>M<dept>< platform code><serial>, e.g. 430000M022XL0001). */
void sim_text_account_identity(const sim_region_t *r, unsigned q, sim_target_t *t);
/* The same with the department row and platform given (M-DUPLICATE re-identifies an
 * account as a second one of another account's owner); suffix is appended to the name. */
void sim_text_account_identity_as(const sim_region_t *r, unsigned q, unsigned dept_row,
                                  unsigned platform, const char *suffix, sim_target_t *t);
/* A title for an item of class cls, drawing from rng (same draws give the same title).
 * Templates of the class are split between the site's columns of that class (rank of
 * count) so that two columns never show the same title by chance. Returns its topic. */
unsigned sim_text_title(gs_buf_t *out, sim_rng_t *rng, sim_colclass_t cls, const sim_target_t *t,
                        int year, unsigned rank, unsigned count);
/* A post title for an account; returns its topic. */
unsigned sim_text_post_title(gs_buf_t *out, sim_rng_t *rng, const sim_target_t *t);
/* n paragraphs of plausible government text on a topic, each wrapped in open/close. */
void sim_text_body(gs_buf_t *out, sim_rng_t *rng, int n, const char *open, const char *close,
                   const sim_target_t *t, unsigned topic);
/* The name of topic i (the subject of titles). */
const char *sim_text_topic(unsigned i);
/* A person's name drawn from rng. */
void sim_text_person(gs_buf_t *out, sim_rng_t *rng);
/* A date in one of the list formats ("2021-06-28", "[06-28]" ...). */
void sim_date_format(sim_datefmt_t f, gs_ymd_t d, char *out, size_t outlen);
/* Append s HTML-escaped. */
int sim_html_escape(gs_buf_t *out, const char *s, size_t len);
/* An 18-character 居民身份证号码 born in the given year, region code of the target's
 * region; valid checksum unless broken. out needs 19 bytes. */
void sim_text_id_number(sim_rng_t *rng, const sim_target_t *t, bool broken, char *out);
/* n distinct mobile numbers (11 digits each, 12 bytes apart) into out. */
void sim_text_mobiles(sim_rng_t *rng, unsigned n, char (*out)[12]);

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
    bool spider;      /* the User-Agent is a search-engine spider's (cloaking) */
    bool tls;         /* arrived over HTTPS */
    struct sim_slow *slow;
    void **req_cls;     /* MHD's per-request pointer, for requests that stall */
    uint64_t *counters; /* requests per target (by index), for the flapping hosts */
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

/* Serve a site request (home, columns, articles, board, robots.txt...). */
enum MHD_Result sim_site_serve(const sim_req_t *rq);
/* Render the home page of a site in UTF-8 (also used by the fault sites). */
int sim_site_home(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *out);
/* The title of item k of column col (what its list entry and article show). */
void sim_site_item_title(const sim_plan_t *p, const sim_target_t *t, unsigned col, uint32_t k,
                         gs_buf_t *out);
/* The absolute URL of item k of column col (http://host/art/...). */
void sim_site_item_url(const sim_plan_t *p, const sim_target_t *t, unsigned col, uint32_t k,
                       char *out, size_t n);
/* Serve a request for the feeds host. */
enum MHD_Result sim_feed_serve(const sim_req_t *rq);
/* The menu_url of an account (registry.csv), "" when it has no menu. */
void sim_feed_menu_url(const sim_target_t *t, char *out, size_t n);
/* One entry of an account's menu. */
typedef struct sim_menu_entry {
    char name[32];      /* 办事服务 */
    char url[256];      /* where it leads */
    const char *broken; /* NULL, or the cause: "http-404", "refused" */
} sim_menu_entry_t;
#define SIM_MENU_MAX 8
/* The entries of t's menu (none when it has no menu); returns how many. */
size_t sim_feed_menu(const sim_target_t *t, sim_menu_entry_t *out, size_t max);
/* The host the broken menus and broken links point at that refuses connections. */
#define SIM_DEAD_HOST "wx.sim-closed.gov.cn"

/* The message board of a site (sim_board.c). */
void sim_board_plan(const sim_plan_t *p, sim_target_t *t);
/* Serve /hdjl/lyxd/... ; false when the path is not the board's. */
bool sim_board_serve(const sim_req_t *rq, enum MHD_Result *res);
/* Whether message m is still unanswered, and its wait in calendar days and working days
 * (up to its reply, or up to the reference date). */
void sim_board_wait(const sim_plan_t *p, const sim_msg_t *m, int *days, int *workdays);
/* A page being rendered (sim_site.c), so that sim_board.c renders its pages with the same
 * head, header, navigation and footer as every other page of the site. */
typedef struct sim_page {
    const sim_plan_t *p;
    const sim_target_t *t;
    const sim_site_t *s;
    gs_buf_t *b;
    sim_pagekind_t kind;
} sim_page_t;
/* <!DOCTYPE> ... <title> and the site tags (the site name is dropped from the title with
 * SIM_OMIT_HEADER_NAME: pass the title without it as short_title). */
void sim_page_head(sim_page_t *pg, const char *title, const char *short_title);
/* The ColumnName tags of a column page. */
void sim_page_column_meta(sim_page_t *pg, const char *column);
/* The tags of an article page. */
void sim_page_article_meta(sim_page_t *pg, const char *title, const char *pubdate,
                           const char *source);
/* The rest of <head>, then the header and the navigation. */
void sim_page_header(sim_page_t *pg);
/* The footer and </html>. */
void sim_page_footer(sim_page_t *pg);

/* ---------------------------------------------------------------- defects */

typedef struct sim_truth sim_truth_t;

typedef struct sim_defect {
    const char *code;  /* finding code in truth.jsonl; NULL = planted behaviour that a
                          sensible checker reports with no finding of its own */
    const char *cause; /* the variant, written as detail.cause */
    sim_kind_t kind;   /* site or account */
    bool veto;         /* truth's veto */
    unsigned weight;   /* relative frequency among random defects; 0 = never random */
    sim_fault_t fault; /* the --faults site that carries it, SIM_FAULT_NONE otherwise */
    bool refuse;       /* host mapped to a closed port in connect-to.txt */
    sim_group_t group; /* SIM_G_FIRST for the rows of the first pass */
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
    /* Grouped rows: whether the target can take the row (a WeChat account...). */
    bool (*eligible)(const sim_target_t *t, const sim_plan_t *p);
    /* Grouped rows: the truth lines of the row (derived codes are written by sim_truth.c
     * from the planted state instead, and leave this NULL). */
    void (*truth)(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out);
} sim_defect_t;

extern const sim_defect_t sim_defects[];
extern const size_t sim_n_defects;

/* Let the target's defects take over the response; true when one did. */
bool sim_defect_respond(const sim_req_t *rq, enum MHD_Result *res);
/* Let the target's defects add to a page at a slot. */
void sim_defect_render(const sim_target_t *t, const sim_plan_t *p, sim_pagekind_t page,
                       sim_slot_t slot, gs_buf_t *out);
/* The truth record of a first-pass defect row d on t (a new JSON object), NULL when d has
 * no code. */
json_t *sim_defect_truth(const sim_target_t *t, const sim_plan_t *p, unsigned d);

/* ---------------------------------------------------------------- truth (sim_truth.c) */

/* A truth record for target t: {"target","code","veto","detail":{}}; detail is borrowed
 * from the record for the caller to fill. Appended to out (which owns it). NULL when out
 * of memory (the error is remembered in out). */
json_t *sim_truth_add(sim_truth_t *out, const sim_target_t *t, const char *code, bool veto,
                      const char *cause);
/* Every truth line of the province, in registry order, as JSON Lines into b. */
int sim_truth_write(const sim_plan_t *p, gs_buf_t *truth, gs_buf_t *clean);

/* ---------------------------------------------------------------- faults (sim_fault.c) */

bool sim_fault_respond(const sim_req_t *rq, enum MHD_Result *res);
/* Build the gzip bomb for the bomb site (p->bomb). */
int sim_fault_build_bomb(sim_plan_t *p, gs_err_t *err);
/* The timer that wakes suspended connections (slow, reset, timeout and flap hosts). */
struct sim_slow *sim_slow_new(void);
/* Resume every suspended connection and stop the timer (before MHD_stop_daemon). */
void sim_slow_shutdown(struct sim_slow *s);
void sim_slow_destroy(struct sim_slow **s_p);
/* Hold the request for ms, then serve it (then_serve) or close without an answer.
 * Returns MHD_YES (the connection is suspended) or MHD_NO when it cannot. */
enum MHD_Result sim_fault_stall(const sim_req_t *rq, int64_t ms, bool then_serve);
/* A stalled request woken again: true (and *res) when it must be closed now, false when it
 * is to be served. Requests that never stalled return false. */
bool sim_fault_woken(const sim_req_t *rq, enum MHD_Result *res);
/* Free what a request's stall left in *req_cls (MHD's completion notice). */
void sim_fault_completed(void **req_cls);
/* True when *req_cls holds a stall (the handler must not take it for its marker). */
bool sim_fault_is_stall(void *req_cls);

/* ---------------------------------------------------------------- TLS (sim_tls.c) */

typedef struct sim_tls sim_tls_t;
/* The test CA and the server key, made at start (validity relative to the real clock). */
sim_tls_t *sim_tls_new(const sim_plan_t *p, gs_err_t *err);
void sim_tls_destroy(sim_tls_t **tls_p);
/* The CA certificate in PEM (borrowed). */
const char *sim_tls_ca_pem(const sim_tls_t *tls);
/* Start an HTTPS daemon on sa whose certificates come from tls (chosen by SNI). */
struct sockaddr;
struct MHD_Daemon *sim_tls_start_daemon(sim_tls_t *tls, unsigned flags, const struct sockaddr *sa,
                                        unsigned threads, unsigned limit,
                                        MHD_AccessHandlerCallback handler, void *cls,
                                        MHD_RequestCompletedCallback done);
/* The certificate variant a host is served with. */
sim_tlsvar_t sim_tls_variant_of(const sim_plan_t *p, const char *host);
/* The host name a wrong-host certificate is made out to. */
#define SIM_TLS_WRONG_NAME "www.sim-shared-hosting.gov.cn"

/* ---------------------------------------------------------------- server, files */

typedef struct sim_server sim_server_t;
sim_server_t *sim_server_start(const sim_plan_t *p, gs_err_t *err);
unsigned sim_server_port(const sim_server_t *s);
/* The port of the ::1 listener (0 when there is none) and of the TLS listener. */
unsigned sim_server_port6(const sim_server_t *s);
unsigned sim_server_tls_port(const sim_server_t *s);
const sim_tls_t *sim_server_tls(const sim_server_t *s);
unsigned long long sim_server_requests(const sim_server_t *s);
void sim_server_stop(sim_server_t **s_p);
/* Whether ::1 can be bound on this machine. */
bool sim_server_probe_ipv6(void);

/* registry.csv, truth.jsonl, clean.txt, plan.jsonl. */
int sim_files_write(const sim_plan_t *p, gs_err_t *err);
/* connect-to.txt for the bound ports (port6 0: no IPv6 listener; tls_port 0: no HTTPS). */
int sim_files_write_connect(const sim_plan_t *p, unsigned port, unsigned port6, unsigned tls_port,
                            gs_err_t *err);
/* Write a small file atomically (tmp + rename). */
int sim_files_put(const char *dir, const char *name, const char *data, size_t len, gs_err_t *err);

#endif
