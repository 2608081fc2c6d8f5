/* gs_job.c -- the crawl of one site or the read of one account, and its result.
 *
 * A site job goes through three phases:
 *   crawl   the home page (retried home_retries times), then its columns (the navigation),
 *           then the items of the columns and the other pages of the site, breadth first,
 *           within max_pages and max_depth; each page is parsed once, fed to the gs_site
 *           facts and freed; the home page's probes run alongside (the home page again as
 *           a search-engine spider, over HTTPS with the certificate read, over IPv6);
 *   links   every link and resource the crawl saw but did not fetch, internal and (unless
 *           check_external_links is off) external, is checked with HEAD (GET when the
 *           server refuses HEAD), up to link_checks a site;
 *   done    the checks run on the facts and the job holds its result.
 * An account job fetches the feed (or profile) and runs the account checks. */
#include "gs_job.h"
#include "gs_account.h"
#include "gs_linkcache.h"
#include "gs_checks.h"
#include "gs_feed.h"
#include "gs_log.h"
#include "gs_page.h"
#include "gs_registry.h"
#include "gs_site.h"
#include "gs_url.h"
#include "gs_util.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROBE_BODY_MAX (256u * 1024) /* probes need a page's head, not megabytes */
#define LINK_ASK_MS 200              /* how often a job waiting for other sites' link checks asks */

typedef enum phase { PHASE_CRAWL = 0, PHASE_LINKS, PHASE_DONE } phase_t;

/* What a request is for. */
typedef enum reqkind {
    REQ_HOME = 0,
    REQ_PAGE,
    REQ_CLOAK,     /* the home page as a spider sees it */
    REQ_HTTPS,     /* https://host/ with the certificate read */
    REQ_IPV6,      /* the home page over IPv6 */
    REQ_LINK_HEAD, /* a link check */
    REQ_LINK_GET,  /* a link check again with GET: the server refused HEAD */
    REQ_FEED,      /* an account's feed (or profile) */
    REQ_PROFILE,   /* the profile page a feed links to */
    REQ_MENU,      /* the menu list of the registry's menu_url */
    REQ_MENU_HEAD, /* one link of the menu */
    REQ_MENU_GET,  /* the same with GET: the server refused HEAD */
} reqkind_t;

typedef struct heldpage heldpage_t;

struct gs_job {
    gs_task_t task;
    const gs_config_t *cfg; /* &jcfg */
    gs_config_t jcfg;       /* the worker's, with the sweep's judge (a shallow copy: its
                               strings are the worker's, never freed here) */
    const gs_check_env_t *env;
    gs_fetch_t *fetch;
    gs_linkcache_t *links; /* shared link verdicts, or NULL */
    uint64_t token;        /* names this job's claims in links */
    size_t claims;         /* links claimed and not yet given a verdict */
    size_t waiting;        /* links waiting for another site's check */
    int64_t next_ask_ms;   /* when to ask about them again */
    char worker[GS_ID_MAX];
    int finished;
    phase_t phase;
    size_t outstanding; /* requests queued or running */
    /* visited set: FNV hashes of the URLs enqueued; open addressing, size a power of 2 */
    uint64_t *seen;
    size_t seen_cap, seen_len;
    uint32_t enqueued;     /* pages enqueued (the budget) */
    size_t columns_queued; /* columns of the site whose page was enqueued */
    /* facts */
    gs_site_t *site;
    gs_account_t *acct;
    int home_tries;
    gs_ymd_t newest_any;
    int has_any;
    /* Pages are read in the order they were enqueued, whatever order they arrive in, so
     * that the crawl is the one a sequential breadth-first crawler would make: the same
     * pages, depths, budget cut and first-seen links on every run (a page met first
     * through a longer path once depended on which fetch finished first). */
    uint32_t page_seq;  /* next REQ_PAGE's seq */
    uint32_t page_next; /* seq of the page to read next */
    heldpage_t *held;   /* pages that came early */
    size_t nheld, held_cap;
    bool unordered; /* out of memory holding one: read pages as they come */
    /* what each fetched page was, for the evidence of the findings read from it */
    struct pagerec *recs;
    size_t nrecs, recs_cap;
    /* result */
    gs_result_t result;
};

/* One fetched page: what a finding read from it records as evidence (issue 9: the HTTP
 * status, final URL, fetch time and a hash of the body). */
typedef struct pagerec {
    uint64_t key;       /* FNV of the URL asked for */
    uint64_t final_key; /* FNV of the URL after redirects */
    long status;
    int64_t at; /* Unix time the response ended */
    char *final_url;
    char sha256[65]; /* of the body as received (decoded), hex */
} pagerec_t;

#define MAX_RECS 4096 /* a page budget's worth, and more */

/* A request's context. */
typedef struct reqctx {
    gs_job_t *job;
    reqkind_t kind;
    gs_role_t role;
    int column;
    uint32_t depth;
    uint32_t seq; /* REQ_PAGE: its place in the crawl's order (enqueue order) */
} reqctx_t;

/* A page's response that came before its turn: a copy, kept until the pages enqueued before
 * it have been read. */
struct heldpage {
    reqctx_t *rc;
    char *url;
    gs_response_t resp; /* body, content_type and final_url are copies */
};

/* Insert a URL into the visited set; 1 when new. */
static int seen_add(gs_job_t *j, const char *url)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, url, strlen(url));
    if (h == 0)
        h = 1;
    size_t mask = j->seen_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (j->seen[i] == h)
            return 0;
        if (j->seen[i] == 0) {
            if (j->seen_len + 1 > j->seen_cap / 2)
                return 0; /* full: the page budget bounds this, so treat as seen */
            j->seen[i] = h;
            j->seen_len++;
            return 1;
        }
    }
}

/* Not pages: documents, images, media and archives are not crawled as pages (their links
 * are checked, not parsed). */
static int looks_like_page(const char *url)
{
    static const char *const skip[] = {
        ".pdf",  ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar", ".7z",  ".jpg",
        ".jpeg", ".png", ".gif",  ".bmp", ".mp4",  ".mp3", ".avi",  ".flv", ".wps", ".txt", ".xml",
        ".css",  ".js",  ".ico",  ".svg", ".apk",  ".exe", ".swf",  ".ofd", ".et",  ".dps", NULL};
    const char *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url);
    for (int i = 0; skip[i]; i++) {
        size_t l = strlen(skip[i]);
        if (n > l && strncasecmp(url + n - l, skip[i], l) == 0)
            return 0;
    }
    return 1;
}

static void on_response(void *ud, const char *url, gs_response_t *resp);

/* SHA-256 of a body, hex, with the digest fetched once: OpenSSL 3 looks a digest up under
 * locks on every implicit fetch, which a per-page hash would pay thousands of times. */
static void sha256_hex(const char *p, size_t n, char out[65])
{
    static EVP_MD *md;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (!md)
        md = EVP_MD_fetch(NULL, "SHA256", NULL);
    out[0] = '\0';
    if (!md || !EVP_Digest(p, n, d, &dl, md, NULL) || dl != 32)
        return;
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static uint64_t url_key(const char *u)
{
    return gs_fnv1a(GS_FNV_INIT, u, strlen(u));
}

/* Remember a fetched page for the evidence (bounded; past the ceiling pages are not
 * recorded and their findings simply carry no fetch record). */
static void keep_record(gs_job_t *j, const char *url, const gs_response_t *resp)
{
    if (j->nrecs >= MAX_RECS)
        return;
    if (j->nrecs == j->recs_cap) {
        size_t nc = j->recs_cap ? j->recs_cap * 2 : 64;
        pagerec_t *n = realloc(j->recs, nc * sizeof(*n));
        if (!n)
            return;
        j->recs = n;
        j->recs_cap = nc;
    }
    pagerec_t *r = &j->recs[j->nrecs];
    r->final_url = strdup(resp->final_url ? resp->final_url : url);
    if (!r->final_url)
        return;
    r->key = url_key(url);
    r->final_key = url_key(r->final_url);
    r->status = resp->status;
    r->at = gs_wall_s();
    sha256_hex(resp->body, resp->body_len, r->sha256);
    j->nrecs++;
}

/* The ledger's reason for a failed fetch: failed.http-404, failed.timeout ... */
static void ledger_failed(gs_job_t *j, const gs_response_t *resp)
{
    char key[GS_LEDGER_KEY_MAX];
    const char *why;
    switch (resp->curl_code) {
    case 0:
        snprintf(key, sizeof(key), "failed.http-%ld", resp->status);
        gs_ledger_add(&j->result.ledger, key, 1);
        return;
    case 6:
        why = "dns";
        break;
    case 7:
        why = resp->refused ? "refused" : "connect";
        break;
    case 28:
        why = "timeout";
        break;
    case 35:
    case 51:
    case 58:
    case 60:
    case 83:
        why = "tls";
        break;
    case 47:
        why = "redirects";
        break;
    case 52:
    case 55:
    case 56:
        why = "reset";
        break;
    case 63:
        why = "too-big";
        break;
    default:
        why = resp->refused ? "refused" : resp->truncated ? "too-big" : "other";
    }
    snprintf(key, sizeof(key), "failed.%s", why);
    gs_ledger_add(&j->result.ledger, key, 1);
}

static int enqueue(gs_job_t *j, const char *url, reqkind_t kind, gs_role_t role, int column,
                   uint32_t depth, const gs_fetch_opts_t *opts)
{
    reqctx_t *rc = calloc(1, sizeof(*rc));
    if (!rc)
        return GS_ENOMEM;
    rc->job = j;
    rc->kind = kind;
    rc->role = role;
    rc->column = column;
    rc->depth = depth;
    rc->seq = j->page_seq;
    int r = gs_fetch_add_ex(j->fetch, url, j, opts, on_response, rc);
    if (r < 0) {
        free(rc);
        return r;
    }
    if (kind == REQ_PAGE)
        j->page_seq++;
    j->outstanding++;
    return 0;
}

/* A page of the crawl, if the budget and the visited set allow it. */
static void enqueue_page(gs_job_t *j, const char *url, gs_role_t role, int column, uint32_t depth)
{
    if (!gs_url_same_host(url, j->task.url) || !looks_like_page(url) || !seen_add(j, url))
        return;
    /* every page of the site the crawl meets is planned: fetched, failed or skipped */
    gs_ledger_add(&j->result.ledger, "planned", 1);
    if (j->enqueued >= j->task.max_pages) {
        gs_ledger_add(&j->result.ledger, "skipped.budget", 1);
        return;
    }
    if (enqueue(j, url, REQ_PAGE, role, column, depth, NULL) == 0)
        j->enqueued++;
    else
        gs_ledger_add(&j->result.ledger, "failed.other", 1);
}

/* The pages a page at the depth bound links to: met, planned, and skipped for depth. */
static void skip_children(gs_job_t *j, const gs_page_t *page)
{
    for (size_t i = 0; i < page->nlinks; i++) {
        const gs_link_t *l = &page->links[i];
        if (l->kind != GS_LINK_A || l->hidden != GS_HIDDEN_NO ||
            !gs_url_same_host(l->url, j->task.url) || !looks_like_page(l->url) ||
            !seen_add(j, l->url))
            continue;
        gs_ledger_add(&j->result.ledger, "planned", 1);
        gs_ledger_add(&j->result.ledger, "skipped.depth", 1);
    }
}

/* The pages of columns found so far and not yet enqueued: columns come before items. */
static void enqueue_columns(gs_job_t *j, uint32_t depth)
{
    gs_site_t *s = j->site;
    for (; j->columns_queued < s->ncolumns; j->columns_queued++) {
        const gs_column_t *c = &s->columns[j->columns_queued];
        enqueue_page(j, c->url, GS_ROLE_COLUMN, (int)j->columns_queued, depth);
    }
}

/* The links of a parsed page worth crawling: columns first, then list items (articles of
 * the column the page is, or of none for the home page), then the other pages. */
static void enqueue_children(gs_job_t *j, const gs_page_t *page, gs_role_t role, int column,
                             uint32_t depth)
{
    if (depth >= j->cfg->max_depth) {
        skip_children(j, page);
        return;
    }
    enqueue_columns(j, depth + 1);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < page->nlinks; i++) {
            const gs_link_t *l = &page->links[i];
            if (l->kind != GS_LINK_A || l->hidden != GS_HIDDEN_NO ||
                (l->region == GS_REGION_FOOTER && pass == 0))
                continue;
            bool item = l->item_day != GS_NO_DAY && l->region == GS_REGION_BODY;
            if ((pass == 0) != item)
                continue;
            int col = gs_site_column_of(j->site, l->url);
            if (col >= 0)
                continue; /* enqueued as a column */
            enqueue_page(j, l->url, item ? GS_ROLE_ARTICLE : GS_ROLE_OTHER,
                         item && role == GS_ROLE_COLUMN ? column : -1, depth + 1);
        }
}

static void note_date(gs_job_t *j, gs_ymd_t d)
{
    if (!j->has_any || gs_ymd_days_between(j->newest_any, d) > 0)
        j->newest_any = d;
    j->has_any = 1;
}

/* Findings in a fixed order -- by code, then page, then evidence -- whatever order the
 * pages arrived in: the same site swept twice gives the same result, byte for byte. */
static int finding_cmp(const void *a, const void *b)
{
    const gs_finding_t *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    if (!c)
        c = strcmp(x->url, y->url);
    if (!c)
        c = strcmp(x->evidence, y->evidence);
    return c ? c : strcmp(x->detail, y->detail);
}

/* Each finding read from a page the job fetched records that fetch in its detail: status,
 * final URL, time and the body's SHA-256 (what the page said when it was read). */
static void attach_fetch_records(gs_job_t *j)
{
    gs_findings_t *fs = &j->result.findings;
    for (size_t i = 0; i < fs->len; i++) {
        gs_finding_t *f = &fs->items[i];
        uint64_t k = url_key(f->url);
        const pagerec_t *rec = NULL;
        for (size_t q = 0; q < j->nrecs && !rec; q++)
            if (j->recs[q].key == k || j->recs[q].final_key == k)
                rec = &j->recs[q];
        if (!rec)
            continue;
        json_t *d = json_loads(f->detail, 0, NULL);
        if (!json_is_object(d)) {
            json_decref(d);
            continue;
        }
        char at[40];
        gs_time_format_cst(rec->at, at, sizeof(at));
        json_object_set_new(d, "fetch",
                            json_pack("{s:i, s:s, s:s, s:s}", "status", (int)rec->status, "url",
                                      rec->final_url, "at", at, "sha256", rec->sha256));
        char *nd = json_dumps(d, JSON_PRESERVE_ORDER | JSON_COMPACT);
        json_decref(d);
        if (nd) {
            free(f->detail);
            f->detail = nd;
        }
    }
}

static void set_unchecked(gs_job_t *j, const char *prefix, const char *what);

static void finish(gs_job_t *j)
{
    gs_result_t *r = &j->result;
    int crc = 0;
    if (j->task.kind == GS_KIND_SITE && j->site) {
        crc = gs_site_check(j->site, &r->findings);
        int32_t newest = j->site->home_newest;
        for (size_t i = 0; i < j->site->ncolumns; i++)
            if (j->site->columns[i].newest > newest)
                newest = j->site->columns[i].newest;
        if (newest != GS_NO_DAY)
            note_date(j, gs_civil_from_days(newest));
    } else if (j->acct && r->checked) {
        crc = gs_account_check(j->acct, &r->findings);
        if (j->acct->newest)
            note_date(j, gs_ymd_from_unix_cst(j->acct->newest));
    }
    /* A check that failed (out of memory) leaves findings missing: the target is
     * reported 未检查 with the reason rather than judged on part of its checks, which
     * would read as a pass for what was not looked at. `govsweep recheck` takes it up. */
    if (crc < 0) {
        gs_findings_cleanup(&r->findings);
        gs_findings_init(&r->findings);
        set_unchecked(j, "检查未能完成：", gs_strerror(crc));
        gs_log(GS_LOG_WARN, "target %s: its checks failed (%s); reported 未检查", j->task.target,
               gs_strerror(crc));
    }
    /* the registry-level findings of the target (M-DUPLICATE) */
    for (size_t i = 0; i < j->task.pre.len; i++) {
        const gs_finding_t *f = &j->task.pre.items[i];
        gs_findings_add(&r->findings, f->code, f->veto, f->url, f->evidence, f->detail);
    }
    attach_fetch_records(j);
    if (r->findings.len > 1)
        qsort(r->findings.items, r->findings.len, sizeof(r->findings.items[0]), finding_cmp);
    if (j->has_any)
        gs_ymd_format(j->newest_any, r->newest, sizeof(r->newest));
    j->phase = PHASE_DONE;
    j->finished = 1;
}

/* A link's verdict, from our own check or another site's: the same facts and the same
 * ledger either way, so that a site's result does not depend on who checked first. */
static void link_verdict(gs_job_t *j, const char *url, const gs_linkverdict_t *v)
{
    gs_site_t *s = j->site;
    if (v->unusable) {
        gs_sitelink_t *l = gs_site_link(s, url);
        if (l)
            l->state = GS_LINK_SKIPPED;
        return;
    }
    gs_site_link_result(s, url, v->status, v->refused ? 0 : v->curl_code, v->why);
    gs_ledger_add(&j->result.ledger,
                  v->refused                                              ? "links.refused"
                  : v->curl_code == 0 && v->status > 0 && v->status < 400 ? "links.ok"
                                                                          : "links.broken",
                  1);
    if (v->refused) {
        gs_sitelink_t *l = gs_site_link(s, url);
        if (l)
            l->state = GS_LINK_SKIPPED; /* into private space: the SSRF guard's, not ours */
    }
}

/* Our check of a link ended: its verdict, for this site and the others. */
static void link_checked(gs_job_t *j, const char *url, const gs_linkverdict_t *v)
{
    link_verdict(j, url, v);
    if (j->links) {
        gs_linkcache_put(j->links, j->task.sweep, url, v);
        if (j->claims)
            j->claims--;
    }
}

/* Start the check of a link that fell to us. */
static void check_link(gs_job_t *j, gs_sitelink_t *l)
{
    gs_fetch_opts_t o;
    memset(&o, 0, sizeof(o));
    o.head = true;
    if (enqueue(j, l->url, REQ_LINK_HEAD, GS_ROLE_OTHER, -1, 0, &o) == 0) {
        l->state = GS_LINK_QUEUED;
        return;
    }
    gs_linkverdict_t v;
    memset(&v, 0, sizeof(v));
    v.unusable = true;
    link_checked(j, l->url, &v);
}

/* Ask the shared verdicts about the links waiting for one: known ones are taken, the ones
 * that fall to us are checked, the rest (another site is checking them) wait. */
static void ask_links(gs_job_t *j)
{
    gs_site_t *s = j->site;
    const char *urls[GS_LINKCACHE_BATCH];
    gs_sitelink_t *ls[GS_LINKCACHE_BATCH];
    gs_linkverdict_t *v = malloc(GS_LINKCACHE_BATCH * sizeof(*v));
    size_t waiting = 0, n = 0;
    for (size_t i = 0; i <= s->nlinks; i++) {
        if (i < s->nlinks && s->links[i].state == GS_LINK_WAITING) {
            ls[n] = &s->links[i];
            urls[n++] = s->links[i].url;
        }
        if (n < GS_LINKCACHE_BATCH && !(i == s->nlinks && n))
            continue;
        if (!j->links || !v) {
            for (size_t k = 0; k < n; k++)
                check_link(j, ls[k]);
            n = 0;
            continue;
        }
        gs_linkcache_claim(j->links, j->task.sweep, j->token, urls, n, v);
        for (size_t k = 0; k < n; k++) {
            if (v[k].ask == GS_LINKASK_KNOWN) {
                link_verdict(j, urls[k], &v[k]);
            } else if (v[k].ask == GS_LINKASK_MINE) {
                j->claims++;
                check_link(j, ls[k]);
            } else {
                waiting++;
            }
        }
        n = 0;
    }
    free(v);
    j->waiting = waiting;
    j->next_ask_ms = gs_now_ms() + LINK_ASK_MS;
}

/* The crawl is over: check the links it saw and did not fetch, within the budget. Which
 * links are checked does not depend on the shared verdicts: the budget counts them all. */
static void start_link_checks(gs_job_t *j)
{
    j->phase = PHASE_LINKS;
    gs_site_t *s = j->site;
    uint32_t budget = j->cfg->link_checks;
    for (size_t i = 0; i < s->nlinks; i++) {
        gs_sitelink_t *l = &s->links[i];
        if (l->state != GS_LINK_UNKNOWN)
            continue;
        if (l->external && !j->cfg->check_external_links) {
            l->state = GS_LINK_SKIPPED;
            continue;
        }
        if (!budget) {
            l->state = GS_LINK_SKIPPED;
            gs_ledger_add(&j->result.ledger, "links.skipped", 1);
            continue;
        }
        l->state = GS_LINK_WAITING;
        budget--;
    }
    ask_links(j);
}

static void request_done(gs_job_t *j)
{
    if (--j->outstanding > 0 || j->finished)
        return;
    if (j->task.kind == GS_KIND_SITE && j->site && j->site->home_ok && j->phase == PHASE_CRAWL)
        start_link_checks(j);
    if (j->outstanding == 0 && j->waiting == 0)
        finish(j);
}

static const char *why_failed(const gs_response_t *resp, char *buf, size_t len)
{
    if (resp->curl_code)
        snprintf(buf, len, "%s", resp->error);
    else
        snprintf(buf, len, "HTTP %ld", resp->status);
    return buf;
}

static bool ok_page(const gs_response_t *resp)
{
    return resp->curl_code == 0 && resp->status >= 200 && resp->status < 300;
}

/* The home page's probes, started once it opened. */
static void start_probes(gs_job_t *j, const char *home)
{
    gs_fetch_opts_t o;
    memset(&o, 0, sizeof(o));
    o.user_agent = j->cfg->spider_user_agent;
    enqueue(j, home, REQ_CLOAK, GS_ROLE_HOME, -1, 0, &o);
    memset(&o, 0, sizeof(o));
    o.certinfo = true;
    o.max_body = PROBE_BODY_MAX;
    char https[GS_URL_MAX + 16];
    snprintf(https, sizeof(https), "https://%s/", j->site->host);
    enqueue(j, https, REQ_HTTPS, GS_ROLE_HOME, -1, 0, &o);
    memset(&o, 0, sizeof(o));
    o.ipv6_only = true;
    o.max_body = PROBE_BODY_MAX;
    enqueue(j, home, REQ_IPV6, GS_ROLE_HOME, -1, 0, &o);
}

static void on_home(gs_job_t *j, const char *url, const gs_response_t *resp)
{
    char why[300];
    j->home_tries++;
    if (!ok_page(resp)) {
        gs_site_home(j->site, NULL, resp->curl_code ? 0 : resp->status,
                     why_failed(resp, why, sizeof(why)), NULL);
        /* A refused address will be refused again; anything else may be passing. */
        if (!resp->refused && (uint32_t)j->home_tries <= j->cfg->home_retries) {
            gs_fetch_opts_t o;
            memset(&o, 0, sizeof(o));
            o.delay_ms = (int)j->cfg->retry_delay_ms;
            if (enqueue(j, url, REQ_HOME, GS_ROLE_HOME, -1, 0, &o) == 0)
                return;
        }
        ledger_failed(j, resp); /* the last try */
        return;
    }
    j->result.pages++;
    gs_ledger_add(&j->result.ledger, "fetched", 1);
    keep_record(j, url, resp);
    gs_page_t page;
    int rc = gs_page_parse(&page, resp->body, resp->body_len, resp->content_type, resp->final_url,
                           j->task.ref_unix, j->cfg->max_links_per_page, j->env->t2s);
    if (rc < 0) {
        /* A home page that answers but cannot be read is open to a citizen all the same:
         * judge it as a page with no facts. */
        gs_page_cleanup(&page);
        gs_page_init(&page);
        page.title = strdup("");
        page.text = strdup("");
        page.header_text = strdup("");
        page.footer_text = strdup("");
        if (!page.title || !page.text || !page.header_text || !page.footer_text) {
            gs_page_cleanup(&page);
            return;
        }
    }
    gs_site_home(j->site, &page, resp->status, "", resp->final_url);
    gs_site_link_result(j->site, url, resp->status, 0, "");
    gs_site_page(j->site, &page, resp->final_url, GS_ROLE_HOME, -1, 0);
    enqueue_children(j, &page, GS_ROLE_HOME, -1, 0);
    gs_page_cleanup(&page);
    start_probes(j, url);
}

static void on_page(gs_job_t *j, const reqctx_t *rc, const char *url, const gs_response_t *resp)
{
    char why[300];
    gs_site_link_result(j->site, url, resp->curl_code ? 0 : resp->status, resp->curl_code,
                        resp->curl_code ? resp->error : "");
    if (!ok_page(resp)) {
        gs_site_page_failed(j->site, url, rc->column, resp->curl_code ? 0 : resp->status,
                            why_failed(resp, why, sizeof(why)));
        ledger_failed(j, resp);
        return;
    }
    j->result.pages++;
    gs_ledger_add(&j->result.ledger, "fetched", 1);
    keep_record(j, url, resp);
    gs_page_t page;
    if (gs_page_parse(&page, resp->body, resp->body_len, resp->content_type, resp->final_url,
                      j->task.ref_unix, j->cfg->max_links_per_page, j->env->t2s) == 0) {
        gs_site_page(j->site, &page, resp->final_url, rc->role, rc->column, rc->depth);
        enqueue_children(j, &page, rc->role, rc->column, rc->depth);
    } else if (rc->column >= 0) {
        gs_site_page_failed(j->site, url, rc->column, resp->status, "页面无法解析");
    }
    gs_page_cleanup(&page);
}

static void on_probe(gs_job_t *j, const reqctx_t *rc, const char *url, const gs_response_t *resp)
{
    gs_site_t *s = j->site;
    char why[300];
    switch (rc->kind) {
    case REQ_CLOAK:
        s->cloak_done = true;
        if (ok_page(resp)) {
            gs_page_t page;
            if (gs_page_parse(&page, resp->body, resp->body_len, resp->content_type,
                              resp->final_url, j->task.ref_unix, j->cfg->max_links_per_page,
                              j->env->t2s) == 0)
                gs_site_cloak(s, &page);
            gs_page_cleanup(&page);
        }
        break;
    case REQ_HTTPS:
        s->https_done = true;
        s->https_status = resp->curl_code ? 0 : resp->status;
        s->https_curl = resp->curl_code;
        s->cert_expiry = resp->cert_expiry;
        free(s->https_error);
        s->https_error = strdup(resp->curl_code ? resp->error : "");
        break;
    case REQ_IPV6:
        s->ipv6_done = true;
        s->ipv6_ok = resp->curl_code == 0 && resp->status > 0 && resp->status < 500;
        free(s->ipv6_error);
        s->ipv6_error = strdup(s->ipv6_ok ? "" : why_failed(resp, why, sizeof(why)));
        break;
    case REQ_LINK_HEAD:
        /* Servers that refuse HEAD (405, 501, some 403/400) or drop it get a GET. */
        if (resp->curl_code == 0 && (resp->status == 405 || resp->status == 501 ||
                                     resp->status == 403 || resp->status == 400)) {
            gs_fetch_opts_t o;
            memset(&o, 0, sizeof(o));
            o.max_body = 64 * 1024;
            if (enqueue(j, url, REQ_LINK_GET, GS_ROLE_OTHER, -1, 0, &o) == 0)
                break;
        }
        /* fall through */
    case REQ_LINK_GET: {
        /* A body cut at the probe's cap is still a page that opened. */
        gs_linkverdict_t v;
        memset(&v, 0, sizeof(v));
        v.refused = resp->refused;
        v.status = resp->curl_code ? 0 : resp->status;
        v.curl_code = resp->refused ? 0 : resp->curl_code;
        snprintf(v.why, sizeof(v.why), "%s", resp->error);
        link_checked(j, url, &v);
        break;
    }
    default:
        break;
    }
}

/* The target is 未检查 with a reason built from fmt and what. */
static void set_unchecked(gs_job_t *j, const char *prefix, const char *what)
{
    gs_result_t *r = &j->result;
    r->checked = false;
    free(r->reason);
    char buf[600];
    snprintf(buf, sizeof(buf), "%s%s", prefix, what);
    r->reason = strdup(buf);
}

/* The profile page a feed links to, when it is a page of its own. */
static void enqueue_profile(gs_job_t *j, const char *feed_url)
{
    const char *link = j->acct->feed_link;
    if (!link || strncmp(link, "http", 4) != 0 || !strcmp(link, feed_url) || !looks_like_page(link))
        return;
    char *abs = gs_url_resolve(feed_url, link);
    if (abs && strcmp(abs, feed_url) != 0) {
        gs_fetch_opts_t o;
        memset(&o, 0, sizeof(o));
        o.max_body = PROBE_BODY_MAX;
        if (enqueue(j, abs, REQ_PROFILE, GS_ROLE_OTHER, -1, 0, &o) == 0)
            gs_ledger_add(&j->result.ledger, "planned", 1);
    }
    free(abs);
}

static void on_feed(gs_job_t *j, const char *url, const gs_response_t *resp)
{
    gs_account_t *a = j->acct;
    a->status = resp->curl_code ? 0 : resp->status;
    int transient = resp->curl_code != 0 || resp->status >= 500 || resp->status == 429;
    if (transient) {
        j->home_tries++;
        if ((uint32_t)j->home_tries <= j->cfg->home_retries && !resp->refused) {
            gs_fetch_opts_t o;
            memset(&o, 0, sizeof(o));
            o.delay_ms = (int)j->cfg->retry_delay_ms;
            enqueue(j, url, REQ_FEED, GS_ROLE_HOME, -1, 0, &o);
        } else {
            char why[300];
            set_unchecked(j, "账号订阅源无法读取：", why_failed(resp, why, sizeof(why)));
            ledger_failed(j, resp);
        }
        return;
    }
    gs_result_t *r = &j->result;
    if (resp->status >= 200 && resp->status < 300) {
        gs_ledger_add(&r->ledger, "fetched", 1);
        keep_record(j, url, resp);
    } else {
        ledger_failed(j, resp);
    }
    r->checked = true;
    free(r->reason);
    r->reason = strdup("");
    if (resp->status == 404 || resp->status == 410) {
        a->closed = true; /* gone: M-CLOSED by status */
        return;
    }
    if (resp->status < 200 || resp->status >= 300) {
        char why[64];
        snprintf(why, sizeof(why), "HTTP %ld", resp->status);
        set_unchecked(j, "账号订阅源无法读取：", why);
        return;
    }
    r->pages++;
    gs_feed_t *feed = NULL;
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_feed_parse(resp->body, resp->body_len, resp->content_type, &feed, &e);
    if (rc == 0) {
        gs_account_feed(a, feed, resp->final_url);
        gs_feed_destroy(&feed);
        enqueue_profile(j, resp->final_url);
        return;
    }
    if (rc == GS_ENOMEM) {
        set_unchecked(j, "工作进程内存不足，未能解析账号订阅源", "");
        return;
    }
    /* Not a feed: the account's URL is its profile page (or the platform's page saying
     * the account is closed). */
    gs_account_profile(a, resp->body, resp->body_len, resp->content_type, resp->final_url);
    if (!a->read && !a->closed)
        set_unchecked(j, "无法解析账号订阅源：", e.msg);
}

static void on_account_probe(gs_job_t *j, const reqctx_t *rc, const char *url,
                             const gs_response_t *resp)
{
    gs_account_t *a = j->acct;
    char why[300];
    switch (rc->kind) {
    case REQ_PROFILE:
        if (ok_page(resp)) {
            gs_ledger_add(&j->result.ledger, "fetched", 1);
            keep_record(j, url, resp);
            gs_account_profile(a, resp->body, resp->body_len, resp->content_type, resp->final_url);
        } else {
            ledger_failed(j, resp);
        }
        break;
    case REQ_MENU:
        if (!ok_page(resp)) {
            free(a->menu_error);
            a->menu_error = strdup(why_failed(resp, why, sizeof(why)));
            ledger_failed(j, resp);
            break;
        }
        gs_ledger_add(&j->result.ledger, "fetched", 1);
        if (gs_account_menu(a, resp->body, resp->body_len, resp->final_url) == 0) {
            gs_fetch_opts_t o;
            memset(&o, 0, sizeof(o));
            o.head = true;
            for (size_t i = 0; i < a->nmenu; i++)
                if (a->menu[i].url[0])
                    enqueue(j, a->menu[i].url, REQ_MENU_HEAD, GS_ROLE_OTHER, (int)i, 0, &o);
        }
        break;
    case REQ_MENU_HEAD:
        /* Servers that refuse HEAD (405, 501, some 403/400) get a GET. */
        if (resp->curl_code == 0 && (resp->status == 405 || resp->status == 501 ||
                                     resp->status == 403 || resp->status == 400)) {
            gs_fetch_opts_t o;
            memset(&o, 0, sizeof(o));
            o.max_body = 64 * 1024;
            if (enqueue(j, url, REQ_MENU_GET, GS_ROLE_OTHER, rc->column, 0, &o) == 0)
                break;
        }
        /* fall through */
    case REQ_MENU_GET: {
        if (rc->column < 0 || (size_t)rc->column >= a->nmenu)
            break;
        gs_menu_entry_t *m = &a->menu[rc->column];
        bool ok = resp->curl_code == 0 && resp->status > 0 && resp->status < 400;
        m->state = ok ? 1 : 2;
        gs_ledger_add(&j->result.ledger, ok ? "links.ok" : "links.broken", 1);
        m->status = resp->curl_code ? 0 : resp->status;
        free(m->why);
        m->why = strdup(ok ? "" : why_failed(resp, why, sizeof(why)));
        break;
    }
    default:
        break;
    }
}

static void heldpage_free(heldpage_t *h)
{
    free(h->rc);
    free(h->url);
    free(h->resp.body);
    free(h->resp.content_type);
    free(h->resp.final_url);
}

/* Keep a page that came before its turn; 0, or -1 when out of memory (read it now then:
 * out of order, but not lost). */
static int hold_page(gs_job_t *j, reqctx_t *rc, const char *url, const gs_response_t *resp)
{
    if (j->nheld == j->held_cap) {
        size_t nc = j->held_cap ? 2 * j->held_cap : 8;
        heldpage_t *n = realloc(j->held, nc * sizeof(*n));
        if (!n)
            return -1;
        j->held = n;
        j->held_cap = nc;
    }
    heldpage_t h;
    memset(&h, 0, sizeof(h));
    h.rc = rc;
    h.resp = *resp;
    h.url = strdup(url);
    h.resp.body = malloc(resp->body_len + 1);
    h.resp.content_type = strdup(resp->content_type ? resp->content_type : "");
    h.resp.final_url = strdup(resp->final_url ? resp->final_url : url);
    if (!h.url || !h.resp.body || !h.resp.content_type || !h.resp.final_url) {
        h.rc = NULL;
        heldpage_free(&h);
        return -1;
    }
    if (resp->body_len)
        memcpy(h.resp.body, resp->body, resp->body_len);
    h.resp.body[resp->body_len] = '\0';
    j->held[j->nheld++] = h;
    return 0;
}

/* Read the pages whose turn has come: rc's (just arrived, or NULL) and then the held ones
 * that follow it. */
static void read_pages_in_order(gs_job_t *j)
{
    for (;;) {
        size_t i = 0;
        while (i < j->nheld && !j->unordered && j->held[i].rc->seq != j->page_next)
            i++;
        if (i == j->nheld)
            return;
        heldpage_t h = j->held[i];
        j->held[i] = j->held[--j->nheld];
        j->page_next++;
        on_page(j, h.rc, h.url, &h.resp);
        heldpage_free(&h);
        request_done(j);
        if (j->finished)
            return;
    }
}

static void on_response(void *ud, const char *url, gs_response_t *resp)
{
    reqctx_t *rc = ud;
    gs_job_t *j = rc->job;
    if (!resp) { /* cancelled */
        free(rc);
        j->outstanding--;
        return;
    }
    j->result.bytes += resp->body_len;
    if (rc->kind == REQ_PAGE && !j->unordered && rc->seq != j->page_next) {
        if (hold_page(j, rc, url, resp) == 0)
            return; /* read in its turn; still outstanding until then */
        gs_warn("%s: out of memory holding a page: reading the rest as it comes", j->task.target);
        j->unordered = true;
    }
    if (rc->kind == REQ_PAGE) {
        j->page_next++;
        on_page(j, rc, url, resp);
        free(rc);
        request_done(j);
        if (!j->finished)
            read_pages_in_order(j);
        return;
    }
    switch (rc->kind) {
    case REQ_HOME:
        on_home(j, url, resp);
        break;
    case REQ_PAGE:
        on_page(j, rc, url, resp);
        break;
    case REQ_FEED:
        on_feed(j, url, resp);
        break;
    case REQ_PROFILE:
    case REQ_MENU:
    case REQ_MENU_HEAD:
    case REQ_MENU_GET:
        on_account_probe(j, rc, url, resp);
        break;
    default:
        on_probe(j, rc, url, resp);
        break;
    }
    free(rc);
    request_done(j);
}

gs_job_t *gs_job_new(const gs_task_t *task, const char *worker_id, gs_fetch_t *fetch,
                     const gs_config_t *cfg, const gs_check_env_t *env, gs_linkcache_t *links)
{
    static uint64_t tokens;
    gs_job_t *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    gs_result_init(&j->result);
    if (gs_task_copy(&j->task, task) < 0) {
        free(j);
        return NULL;
    }
    /* judge with the sweep's settings, whatever this host's configuration says */
    j->jcfg = *cfg;
    gs_judge_apply(&task->judge, &j->jcfg);
    j->cfg = &j->jcfg;
    j->env = env;
    j->fetch = fetch;
    j->links = links;
    j->token = ++tokens;
    snprintf(j->worker, sizeof(j->worker), "%s", worker_id);
    uint32_t budget = task->max_pages ? task->max_pages : 1;
    j->seen_cap = 16;
    while (j->seen_cap < 4 * (size_t)budget + 16)
        j->seen_cap *= 2;
    j->seen = calloc(j->seen_cap, sizeof(*j->seen));
    gs_result_t *r = &j->result;
    snprintf(r->sweep, sizeof(r->sweep), "%s", task->sweep);
    snprintf(r->target, sizeof(r->target), "%s", task->target);
    snprintf(r->worker, sizeof(r->worker), "%s", worker_id);
    r->epoch = task->epoch;
    r->kind = task->kind;
    r->checked = true;
    r->region = strdup(task->region);
    r->reason = strdup("");
    if (task->kind == GS_KIND_SITE) {
        j->site = gs_site_new(env, j->task.target, j->task.name, j->task.url, task->ref_unix);
        if (j->site)
            j->site->cfg = j->cfg;
        if (j->site && j->task.has_watch)
            j->site->watch = &j->task.watch;
    } else {
        j->acct = gs_account_new(env, j->task.target, j->task.name, j->task.owner, j->task.platform,
                                 j->task.url, j->task.menu_url, task->ref_unix);
        if (j->acct)
            j->acct->cfg = j->cfg;
    }
    if (!j->seen || !r->region || !r->reason || (task->kind == GS_KIND_SITE && !j->site) ||
        (task->kind != GS_KIND_SITE && !j->acct)) {
        gs_job_destroy(&j);
        return NULL;
    }
    int rc;
    if (task->kind == GS_KIND_SITE) {
        char *home = gs_url_resolve(task->url, task->url);
        if (home) {
            seen_add(j, home);
            j->enqueued = 1;
            gs_ledger_add(&j->result.ledger, "planned", 1);
        }
        rc = home ? enqueue(j, home, REQ_HOME, GS_ROLE_HOME, -1, 0, NULL) : GS_EINVAL;
        free(home);
    } else {
        rc = enqueue(j, task->url, REQ_FEED, GS_ROLE_HOME, -1, 0, NULL);
        if (rc == 0)
            gs_ledger_add(&j->result.ledger, "planned", 1);
        if (rc == 0 && j->task.menu_url[0]) {
            gs_fetch_opts_t o;
            memset(&o, 0, sizeof(o));
            o.max_body = PROBE_BODY_MAX;
            if (enqueue(j, j->task.menu_url, REQ_MENU, GS_ROLE_OTHER, -1, 0, &o) < 0) {
                free(j->acct->menu_error);
                j->acct->menu_error = strdup("菜单地址无效");
            } else {
                gs_ledger_add(&j->result.ledger, "planned", 1);
            }
        }
    }
    if (rc < 0) {
        /* A URL the crawler cannot use is the target's problem, reported, not lost. */
        if (task->kind == GS_KIND_SITE) {
            gs_site_home(j->site, NULL, 0, "网址无效", NULL);
        } else {
            r->checked = false;
            free(r->reason);
            r->reason = strdup("账号网址无效");
        }
        finish(j);
    }
    return j;
}

void gs_job_destroy(gs_job_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_job_t *j = *self_p;
    if (j->outstanding)
        gs_fetch_cancel(j->fetch, j);
    if (j->claims && j->links) /* checks that will not end: let others take them */
        gs_linkcache_release(j->links, j->token);
    gs_task_cleanup(&j->task);
    gs_result_cleanup(&j->result);
    gs_site_destroy(&j->site);
    gs_account_destroy(&j->acct);
    for (size_t i = 0; i < j->nrecs; i++)
        free(j->recs[i].final_url);
    free(j->recs);
    free(j->seen);
    for (size_t i = 0; i < j->nheld; i++)
        heldpage_free(&j->held[i]);
    free(j->held);
    free(j);
    *self_p = NULL;
}

void gs_job_poll(gs_job_t *j)
{
    if (j->finished || !j->waiting || gs_now_ms() < j->next_ask_ms)
        return;
    ask_links(j);
    if (j->outstanding == 0 && j->waiting == 0)
        finish(j);
}

int gs_job_finished(const gs_job_t *j)
{
    return j->finished;
}

const gs_result_t *gs_job_result(const gs_job_t *j)
{
    return &j->result;
}

const gs_task_t *gs_job_task(const gs_job_t *j)
{
    return &j->task;
}
