/* gs_fetch.c -- curl multi, per-host queues and politeness, caps and the SSRF guard.
 *
 * Every cap ends a transfer with a reason in words that names the cap and its
 * configuration key ("more than 5 redirects (max_redirects)"), because that reason becomes
 * the evidence of a finding or the 未检查 reason of a target: an inspector must be able to
 * read what happened, and the same sweep run twice must read alike (no measured times,
 * only configured limits). */
#include "gs_fetch.h"
#include "gs_buf.h"
#include "gs_date.h"
#include "gs_log.h"
#include "gs_url.h"
#include "gs_util.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNNING 512 /* transfers at once over all hosts */
/* Idle connections kept for reuse: libcurl's default (4 per transfer in flight) closed
 * most of them between one page of a site and the next. A site in flight needs its
 * host_connections; a site done needs none, and the oldest idle connections go first.
 * Not more: libcurl looks through the idle connections of a destination for each new
 * transfer and polls them to prune dead ones, so a big cache costs CPU (with 1,024, the
 * fetch went from ~50 to ~200 us/page at 200 sites; bench/profile.sh). */
#define IDLE_CONNS_MIN 32
#define IDLE_CONNS_MAX 1024
#define HOST_MAX 256
/* How long the shared CA store is kept before its files are read again: libcurl's own CA
 * cache keeps one as long (CURLOPT_CA_CACHE_TIMEOUT's default), so that a worker running
 * for weeks sees an updated CA bundle within a day. */
#define CA_STORE_MAX_AGE_MS (24 * 3600 * 1000LL)

typedef struct req req_t;
typedef struct host host_t;
typedef struct ipgrp ipgrp_t;

struct req {
    req_t *next; /* in its host's queue */
    gs_fetch_t *f;
    host_t *host;
    char *url;
    char *ua;
    void *owner;
    gs_fetch_cb cb;
    void *ud;
    int64_t not_before_ms;
    bool head, ipv6_only, certinfo;
    CURL *easy;        /* set while running */
    ipgrp_t *ip;       /* the address it is counted against, once known */
    uint64_t body_cap; /* this request's cap on the decoded body */
    gs_buf_t body;
    size_t header_bytes;
    char content_type[128];
    bool refused, truncated, header_overflow;
    char errbuf[CURL_ERROR_SIZE];
    X509_STORE *ca; /* the shared CA store its TLS connections verify with (a reference),
                       NULL: libcurl reads the CA files itself */
};

struct host {
    host_t *next; /* in the hash chain */
    char name[HOST_MAX];
    req_t *head, *tail;
    size_t queued;
    uint32_t active;
    int64_t next_start_ms;
    ipgrp_t *ip;   /* the address its first connection went to; NULL until then */
    host_t *qnext; /* in the list of hosts with queued requests (inq) */
    bool inq;
    uint32_t strikes; /* 429/503 answers in a row (the back-off doubles with each) */
};

/* One server address: provinces host hundreds of sites on one 集约化 platform address, so
 * the per-host limit alone would let a worker open capacity x host_connections
 * connections to one machine. A host joins its address's group when its first connection
 * is opened (on_opensocket, the address libcurl chose); from then on it starts a transfer
 * only while the group has fewer than ip_connections running and ip_delay_ms has passed
 * since the group's last start. Until then a host runs one transfer, uncounted: a burst
 * of new hosts on one address costs at most one connection each (at most capacity of
 * them per worker), and the limit holds as soon as their first connections are open. */
struct ipgrp {
    ipgrp_t *next;
    char addr[INET6_ADDRSTRLEN];
    uint32_t active;
    int64_t next_start_ms;
};

#define HOST_BUCKETS 1024
#define IP_BUCKETS 256

struct gs_fetch {
    const gs_config_t *cfg;
    CURLM *multi;
    struct curl_slist *connect_to;
    struct curl_slist *resolve;
    host_t *hosts[HOST_BUCKETS];
    host_t *qhosts; /* the hosts with queued requests: what start_ready looks at */
    ipgrp_t *ips[IP_BUCKETS];
    uint64_t rnd; /* xorshift state of the back-off's jitter */
    size_t queued, running;
    req_t *run[MAX_RUNNING];
    size_t nrun;
    gs_fetch_stats_t st;
    /* The CA files read once (ca_store_get), NULL until the first https request or when
     * they cannot be read; ca_next_ms: when to read them (again). */
    X509_STORE *ca_store;
    int64_t ca_next_ms;
};

static host_t *host_get(gs_fetch_t *f, const char *name)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, name, strlen(name)) % HOST_BUCKETS;
    for (host_t *x = f->hosts[h]; x; x = x->next)
        if (strcmp(x->name, name) == 0)
            return x;
    host_t *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    snprintf(x->name, sizeof(x->name), "%s", name);
    x->next = f->hosts[h];
    f->hosts[h] = x;
    return x;
}

static ipgrp_t *ip_get(gs_fetch_t *f, const char *addr)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, addr, strlen(addr)) % IP_BUCKETS;
    for (ipgrp_t *x = f->ips[h]; x; x = x->next)
        if (strcmp(x->addr, addr) == 0)
            return x;
    ipgrp_t *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL; /* the host stays without a group: per-host limits only */
    snprintf(x->addr, sizeof(x->addr), "%s", addr);
    x->next = f->ips[h];
    f->ips[h] = x;
    return x;
}

gs_fetch_t *gs_fetch_new(const gs_config_t *cfg, gs_err_t *err)
{
    gs_fetch_t *f = calloc(1, sizeof(*f));
    if (!f) {
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    f->cfg = cfg;
    f->rnd = (uint64_t)gs_now_ms() * 0x9e3779b97f4a7c15ULL | 1;
    f->multi = curl_multi_init();
    if (!f->multi) {
        gs_err_set(err, GS_ECURL, "curl_multi_init failed");
        gs_fetch_destroy(&f);
        return NULL;
    }
    /* The per-host limit is ours (start_ready), by the URL's host. libcurl's own counts by
     * the address it connects to when --connect-to or a proxy is in play, so sites mapped
     * to one address shared host_connections in all, and to make room it closed the idle
     * connection of one site to open one for another: 92 % of the requests of a sweep
     * opened a new connection (bench/profile.sh, strace). */
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)MAX_RUNNING);
    uint64_t idle = (uint64_t)(cfg->capacity ? cfg->capacity : 1) * cfg->host_connections * 2;
    idle = idle < IDLE_CONNS_MIN ? IDLE_CONNS_MIN : idle > IDLE_CONNS_MAX ? IDLE_CONNS_MAX : idle;
    curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, (long)idle);
    for (size_t i = 0; i < cfg->connect_to.len; i++)
        f->connect_to = curl_slist_append(f->connect_to, cfg->connect_to.items[i]);
    for (size_t i = 0; i < cfg->resolve.len; i++)
        f->resolve = curl_slist_append(f->resolve, cfg->resolve.items[i]);
    return f;
}

static void req_free(req_t *r)
{
    if (!r)
        return;
    free(r->url);
    free(r->ua);
    gs_buf_cleanup(&r->body);
    X509_STORE_free(r->ca);
    free(r);
}

void gs_fetch_destroy(gs_fetch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_fetch_t *f = *self_p;
    for (size_t b = 0; b < HOST_BUCKETS; b++) {
        host_t *x = f->hosts[b];
        while (x) {
            host_t *nx = x->next;
            for (req_t *r = x->head; r;) {
                req_t *n = r->next;
                req_free(r);
                r = n;
            }
            free(x);
            x = nx;
        }
    }
    for (size_t b = 0; b < IP_BUCKETS; b++)
        for (ipgrp_t *x = f->ips[b]; x;) {
            ipgrp_t *nx = x->next;
            free(x);
            x = nx;
        }
    if (f->multi) {
        for (size_t i = 0; i < f->nrun; i++) {
            curl_multi_remove_handle(f->multi, f->run[i]->easy);
            curl_easy_cleanup(f->run[i]->easy);
            req_free(f->run[i]);
        }
        curl_multi_cleanup(f->multi);
    }
    curl_slist_free_all(f->connect_to);
    curl_slist_free_all(f->resolve);
    X509_STORE_free(f->ca_store);
    free(f);
    *self_p = NULL;
}

int gs_fetch_add(gs_fetch_t *f, const char *url, void *owner, int delay_ms, const char *user_agent,
                 gs_fetch_cb cb, void *ud)
{
    gs_fetch_opts_t o;
    memset(&o, 0, sizeof(o));
    o.delay_ms = delay_ms;
    o.user_agent = user_agent;
    return gs_fetch_add_ex(f, url, owner, &o, cb, ud);
}

/* 1 when url starts with an RFC 3986 scheme and "://" or ":" (any scheme). */
static int has_scheme(const char *url)
{
    size_t i = 0;
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return 0;
    for (i = 1; url[i] && i < 40; i++) {
        char c = url[i];
        if (c == ':')
            return 1;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return 0;
}

int gs_fetch_add_ex(gs_fetch_t *f, const char *url, void *owner, const gs_fetch_opts_t *opts,
                    gs_fetch_cb cb, void *ud)
{
    gs_fetch_opts_t none;
    if (!opts) {
        memset(&none, 0, sizeof(none));
        opts = &none;
    }
    char *hn = gs_url_host(url);
    /* A URL of another scheme (file:, gopher:, dict: ...) has no host we read; it is
     * queued all the same, under the empty host, so that libcurl's protocol restriction
     * refuses it and the caller hears "refused" as for any other address it may not
     * reach. Only text that is no URL at all is an argument error. */
    if (!hn && !has_scheme(url))
        return GS_EINVAL;
    host_t *h = host_get(f, hn ? hn : "");
    free(hn);
    req_t *r = calloc(1, sizeof(*r));
    if (!h || !r) {
        free(r);
        return GS_ENOMEM;
    }
    r->f = f;
    r->host = h;
    r->url = strdup(url);
    r->ua = strdup(opts->user_agent ? opts->user_agent : f->cfg->user_agent);
    r->owner = owner;
    r->cb = cb;
    r->ud = ud;
    r->not_before_ms = gs_now_ms() + opts->delay_ms;
    r->head = opts->head;
    r->ipv6_only = opts->ipv6_only;
    r->certinfo = opts->certinfo;
    uint64_t cap = opts->max_body && opts->max_body < f->cfg->max_body_bytes
                       ? opts->max_body
                       : f->cfg->max_body_bytes;
    r->body_cap = cap;
    gs_buf_init(&r->body, cap);
    if (!r->url || !r->ua) {
        req_free(r);
        return GS_ENOMEM;
    }
    if (h->tail)
        h->tail->next = r;
    else
        h->head = r;
    h->tail = r;
    h->queued++;
    f->queued++;
    if (!h->inq) {
        h->inq = true;
        h->qnext = f->qhosts;
        f->qhosts = h;
    }
    return 0;
}

/* The running transfers, so that cancel and destroy can find them (libcurl 7.88 has no
 * call that lists a multi handle's easy handles). At most MAX_RUNNING. */
static void running_add(gs_fetch_t *f, req_t *r)
{
    f->run[f->nrun++] = r;
}

static void running_remove(gs_fetch_t *f, req_t *r)
{
    for (size_t i = 0; i < f->nrun; i++)
        if (f->run[i] == r) {
            f->run[i] = f->run[--f->nrun];
            return;
        }
}

void gs_fetch_cancel(gs_fetch_t *f, void *owner)
{
    for (size_t b = 0; b < HOST_BUCKETS; b++)
        for (host_t *h = f->hosts[b]; h; h = h->next) {
            req_t **pp = &h->head, *prev = NULL;
            while (*pp) {
                req_t *r = *pp;
                if (r->owner == owner) {
                    *pp = r->next;
                    h->queued--;
                    f->queued--;
                    r->cb(r->ud, r->url, NULL);
                    req_free(r);
                } else {
                    prev = r;
                    pp = &r->next;
                }
            }
            h->tail = prev;
        }
    for (size_t i = 0; i < f->nrun;) {
        req_t *r = f->run[i];
        if (r->owner == owner) {
            curl_multi_remove_handle(f->multi, r->easy);
            curl_easy_cleanup(r->easy);
            r->host->active--;
            if (r->ip)
                r->ip->active--;
            f->running--;
            running_remove(f, r);
            r->cb(r->ud, r->url, NULL);
            req_free(r);
        } else {
            i++;
        }
    }
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    req_t *r = ud;
    size_t len = sz * n;
    /* Decoding happens in 16 KiB chunks before this callback, so capping here bounds the
     * memory a decompression bomb can cost (libcurl's MAXFILESIZE does not). What fits
     * is kept, so a page cut at the cap holds exactly body_cap bytes. */
    size_t room = r->body.len < r->body_cap ? (size_t)(r->body_cap - r->body.len) : 0;
    if (len > room) {
        if (room && gs_buf_append(&r->body, p, room) < 0)
            return 0;
        r->truncated = true;
        return 0;
    }
    if (gs_buf_append(&r->body, p, len) < 0) {
        r->truncated = true;
        return 0;
    }
    return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    req_t *r = ud;
    size_t len = sz * n;
    r->header_bytes += len;
    if (r->header_bytes > r->f->cfg->max_header_bytes) {
        r->header_overflow = true;
        return 0;
    }
    if (len > 5 && strncmp(p, "HTTP/", 5) == 0)
        r->content_type[0] = '\0'; /* a new response (after a redirect) */
    else if (len > 13 && strncasecmp(p, "content-type:", 13) == 0) {
        const char *v = p + 13;
        size_t vl = len - 13;
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        if (vl >= sizeof(r->content_type))
            vl = sizeof(r->content_type) - 1;
        memcpy(r->content_type, v, vl);
        r->content_type[vl] = '\0';
    }
    return len;
}

/* The SSRF guard: every address curl connects to, after every resolution and redirect. */
static curl_socket_t on_opensocket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    req_t *r = ud;
    if (!r->f->cfg->allow_private && gs_addr_is_private(&a->addr, a->addrlen)) {
        r->refused = true;
        return CURL_SOCKET_BAD;
    }
    /* The first connection of a host names its address group; a transfer that opened
     * a new connection without being counted (its host's first) is counted from now. */
    if (!r->ip && r->f->cfg->ip_connections && purpose == CURLSOCKTYPE_IPCXN) {
        char addr[INET6_ADDRSTRLEN] = "";
        if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in))
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr,
                      addr, sizeof(addr));
        else if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6))
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr,
                      addr, sizeof(addr));
        if (addr[0] && !r->ipv6_only) {
            if (!r->host->ip)
                r->host->ip = ip_get(r->f, addr);
            if (r->host->ip && strcmp(r->host->ip->addr, addr) == 0) {
                r->ip = r->host->ip;
                r->ip->active++;
            }
        }
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* The trust anchors of every TLS connection, read once and shared.
 *
 * libcurl 7.88 makes an SSL_CTX for each connection and reads the CA file and path into
 * it again: OpenSSL 3 parses a PEM file slowly, ~70 ms of CPU for the system bundle (144
 * certificates) and ~0.7 ms for the simulated province's one-certificate CA, so with the
 * system store a sweep spent more CPU reading it than crawling (a W-HTTPS probe per site
 * and the https links checked, ~70 connections for 60 sites; bench/profile.sh without
 * --cacert). libcurl's own CA cache (CURLOPT_CA_CACHE_TIMEOUT) is not used for a CA path,
 * and Debian's libcurl always has one (/etc/ssl/certs), which `cacert` relies on ("the
 * system store is still used"). So the store is built here from exactly what libcurl would
 * read -- the CA file (cacert, or libcurl's default bundle) and libcurl's default CA path,
 * with the flags libcurl sets on its store -- and handed to each connection's SSL_CTX
 * (on_ssl_ctx), with libcurl's own CA file and path cleared. The same certificates verify
 * the same chains, so every verdict and message of W-HTTPS and of the link checks stays
 * as it was.
 *
 * NULL when the files cannot be read, or libcurl's TLS is not OpenSSL: libcurl then
 * reads them for each connection as before, and reports a missing CA file as before. */
static X509_STORE *ca_store_get(gs_fetch_t *f, const req_t *r)
{
    int64_t now = gs_now_ms();
    /* Read at the first https request, not before: an engine that fetches only http
     * (tests, a watch of http pages) never pays for it. An http request started before
     * it that is redirected to https has libcurl read the files, as before. */
    if (strncasecmp(r->url, "https:", 6) != 0 || now < f->ca_next_ms)
        return f->ca_store;
    f->ca_next_ms = now + CA_STORE_MAX_AGE_MS;
    X509_STORE_free(f->ca_store);
    f->ca_store = NULL;
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (!v || !v->ssl_version || strncmp(v->ssl_version, "OpenSSL/", 8) != 0)
        return NULL;
    /* libcurl's defaults, as it would use them: the built-in bundle unless cacert
     * replaces it, and the built-in path in any case */
    char *cafile = NULL, *capath = NULL;
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_getinfo(e, CURLINFO_CAINFO, &cafile);
    curl_easy_getinfo(e, CURLINFO_CAPATH, &capath);
    if (f->cfg->cacert[0])
        cafile = f->cfg->cacert;
    X509_STORE *st = (cafile || capath) ? X509_STORE_new() : NULL;
    if (st && ((cafile && !X509_STORE_load_file(st, cafile)) ||
               (capath && !X509_STORE_load_path(st, capath)))) {
        gs_log(GS_LOG_WARN,
               "fetch: cannot read the CA file %s or path %s: libcurl reads them "
               "for each connection",
               cafile ? cafile : "-", capath ? capath : "-");
        X509_STORE_free(st);
        st = NULL;
    }
    curl_easy_cleanup(e);
    /* what a failed read left in OpenSSL's error queue must not reach the message of a
     * later handshake */
    ERR_clear_error();
    if (st)
        X509_STORE_set_flags(st, X509_V_FLAG_TRUSTED_FIRST | X509_V_FLAG_PARTIAL_CHAIN);
    return f->ca_store = st;
}

/* CURLOPT_SSL_CTX_FUNCTION: the connection verifies with the shared store (the SSL_CTX
 * takes a reference of its own). */
static CURLcode on_ssl_ctx(CURL *e, void *ssl_ctx, void *ud)
{
    (void)e;
    const req_t *r = ud;
    SSL_CTX_set1_cert_store(ssl_ctx, r->ca);
    return CURLE_OK;
}

static int start(gs_fetch_t *f, req_t *r)
{
    CURL *e = curl_easy_init();
    if (!e)
        return GS_ENOMEM;
    const gs_config_t *c = f->cfg;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)c->max_redirects);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->page_timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    /* The low-speed rule against a slowloris: libcurl takes whole seconds, so the window
     * is rounded up (a rule of 1 ms is a rule of 1 s, not none). */
    if (c->low_speed_bytes && c->low_speed_ms) {
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, (long)c->low_speed_bytes);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)((c->low_speed_ms + 999) / 1000));
    }
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* proxy variables must not bypass the guard */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, r->ua);
    /* No CURLOPT_MAXFILESIZE: it refuses a body whose Content-Length passes the cap
     * before a byte is read, while the same body without Content-Length would be read up
     * to the cap and judged. Both are read up to the cap (on_body), so a page is judged
     * alike however it is framed. */
    if (f->connect_to)
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, f->connect_to);
    if (f->resolve)
        curl_easy_setopt(e, CURLOPT_RESOLVE, f->resolve);
    /* the shared CA store (ca_store_get); the request holds a reference, since the
     * engine's may be replaced before this transfer connects */
    X509_STORE *ca = ca_store_get(f, r);
    if (ca && X509_STORE_up_ref(ca)) {
        r->ca = ca;
        if (curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) != CURLE_OK) {
            X509_STORE_free(r->ca);
            r->ca = NULL;
        }
    }
    if (r->ca) {
        curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, r);
        curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
        /* and libcurl's CA cache stays out: with no file or path set it would keep the
         * first connection's store and put it in later connections' SSL_CTX in place of
         * the engine's current one */
        curl_easy_setopt(e, CURLOPT_CA_CACHE_TIMEOUT, 0L);
    } else if (c->cacert[0]) {
        curl_easy_setopt(e, CURLOPT_CAINFO, c->cacert);
    }
    if (r->head)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (r->ipv6_only)
        curl_easy_setopt(e, CURLOPT_IPRESOLVE, (long)CURL_IPRESOLVE_V6);
    if (r->certinfo)
        curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
    r->easy = e;
    if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        r->easy = NULL;
        return GS_ECURL;
    }
    running_add(f, r);
    f->running++;
    f->st.requests++;
    if (r->host->ip && !r->ipv6_only) {
        r->ip = r->host->ip;
        r->ip->active++;
    }
    return 0;
}

/* Start queued requests that politeness and the global cap allow. Returns the delay in ms
 * until the next queued request could start (for the poll timeout), or -1 when none. */
static int start_ready(gs_fetch_t *f)
{
    int64_t now = gs_now_ms();
    int64_t next = -1;
    /* The hosts with something queued, not every host met: a sweep meets thousands (each
     * site's and every external link's) and this runs twice a turn of the loop. A callback
     * below may queue requests, putting hosts at the head of the list: they wait for the
     * next call. */
    for (host_t *h = f->qhosts; h && f->queued; h = h->qnext) {
        while (h->head && f->running < MAX_RUNNING && h->active < f->cfg->host_connections) {
            req_t *r = h->head;
            ipgrp_t *ip = r->ipv6_only ? NULL : h->ip;
            if (ip && ip->active >= f->cfg->ip_connections)
                break; /* a transfer to that address ends first: poll wakes for it */
            /* a host whose address is not known yet sends one transfer to learn it */
            if (!h->ip && h->active && f->cfg->ip_connections)
                break;
            int64_t at = r->not_before_ms > h->next_start_ms ? r->not_before_ms : h->next_start_ms;
            if (ip && ip->next_start_ms > at)
                at = ip->next_start_ms;
            if (at > now) {
                if (next < 0 || at - now < next)
                    next = at - now;
                break;
            }
            h->head = r->next;
            if (!h->head)
                h->tail = NULL;
            r->next = NULL;
            h->queued--;
            f->queued--;
            if (start(f, r) < 0) {
                gs_response_t resp;
                memset(&resp, 0, sizeof(resp));
                snprintf(resp.error, sizeof(resp.error), "cannot start transfer");
                resp.curl_code = CURLE_FAILED_INIT;
                resp.body = (char *)"";
                resp.content_type = (char *)"";
                resp.final_url = r->url;
                r->cb(r->ud, r->url, &resp);
                req_free(r);
                continue;
            }
            h->active++;
            if (h->next_start_ms < now + f->cfg->host_delay_ms)
                h->next_start_ms = now + f->cfg->host_delay_ms;
            if (ip)
                ip->next_start_ms = now + f->cfg->ip_delay_ms;
        }
    }
    /* drop the hosts whose queue is empty now (no callbacks run here) */
    for (host_t **pp = &f->qhosts; *pp;) {
        host_t *h = *pp;
        if (h->head) {
            pp = &h->qnext;
        } else {
            *pp = h->qnext;
            h->qnext = NULL;
            h->inq = false;
        }
    }
    return (int)next;
}

/* libcurl's messages carry how long it waited and how much arrived ("Operation timed out
 * after 15001 milliseconds with 0 out of 0 bytes received", "Connection timed out after
 * 5001 ms"): evidence in a notice, and the same sweep run twice, must read alike, so the
 * measurements are cut off at " after ". */
static void strip_timing(char *msg)
{
    char *p = strstr(msg, " after ");
    if (p && p[7] >= '0' && p[7] <= '9')
        *p = '\0';
}

/* "Jun 15 12:00:00 2022 GMT", as libcurl's OpenSSL backend writes "Expire date". */
static int64_t parse_cert_time(const char *v)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4];
    int d, hh, mm, ss, y;
    if (sscanf(v, "%3s %d %d:%d:%d %d", mon, &d, &hh, &mm, &ss, &y) != 6)
        return 0;
    const char *m = strstr(months, mon);
    if (!m || (m - months) % 3)
        return 0;
    int month = (int)(m - months) / 3 + 1;
    if (!gs_ymd_valid(y, month, d))
        return 0;
    return gs_days_from_civil(y, month, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* The expiry of the server's own certificate (the first of the chain), 0 when unknown. */
static int64_t cert_expiry(CURL *e)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return 0;
    for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next)
        if (strncmp(l->data, "Expire date:", 12) == 0)
            return parse_cert_time(l->data + 12);
    return 0;
}

/* The smaller of two limits and the key that sets it (a deadline is whichever ends first). */
static uint32_t first_limit(uint32_t a, const char *ka, uint32_t b, const char *kb,
                            const char **key)
{
    if (b && (!a || b < a)) {
        *key = kb;
        return b;
    }
    *key = ka;
    return a;
}

/* 1 when libcurl refused a response header line past CURL_MAX_HTTP_HEADER (100 KiB): it
 * does so with CURLE_OUT_OF_MEMORY and no message, before our header callback sees the
 * line (a real allocation failure says the same; before any body it is this nearly always). */
static int header_line_too_long(const req_t *r, CURLcode code)
{
    return code == CURLE_OUT_OF_MEMORY && !r->errbuf[0] && r->body.len == 0;
}

/* Why the transfer of r ended as it did, in words (see the top of this file); "" when it
 * ended well. libcurl's own message is kept, timings cut, for what no cap of ours ended. */
static void explain(const gs_fetch_t *f, const req_t *r, CURLcode code, char *out, size_t len)
{
    const gs_config_t *c = f->cfg;
    const char *key = "";
    uint32_t ms;
    out[0] = '\0';
    if (r->refused) {
        snprintf(out, len, "refused: private or loopback address");
    } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        snprintf(out, len, "refused: only http and https are fetched");
    } else if (r->header_overflow) {
        snprintf(out, len, "response headers larger than %u bytes (max_header_bytes)",
                 c->max_header_bytes);
    } else if (r->truncated && (code == CURLE_WRITE_ERROR || code == CURLE_OK)) {
        snprintf(out, len, "body cut at %llu bytes (%s)", (unsigned long long)r->body_cap,
                 r->body_cap < c->max_body_bytes ? "this request's cap" : "max_body_bytes");
    } else if (code == CURLE_OK) {
        return;
    } else if (code == CURLE_TOO_MANY_REDIRECTS) {
        snprintf(out, len, "more than %u redirects (max_redirects)", c->max_redirects);
    } else if (code == CURLE_OPERATION_TIMEDOUT && !strncmp(r->errbuf, "Operation too slow", 18)) {
        /* libcurl measures from the request: a server that took it and said nothing is
         * cut by the same rule, and told apart here */
        if (r->header_bytes == 0)
            snprintf(out, len, "no answer within %u s (low_speed_bytes, low_speed_ms)",
                     (c->low_speed_ms + 999) / 1000);
        else
            snprintf(out, len, "slower than %u bytes/s for %u s (low_speed_bytes, low_speed_ms)",
                     c->low_speed_bytes, (c->low_speed_ms + 999) / 1000);
    } else if (code == CURLE_OPERATION_TIMEDOUT &&
               (!strncmp(r->errbuf, "Connection timed out", 20) ||
                !strncmp(r->errbuf, "Resolving timed out", 19))) {
        ms = first_limit(c->connect_timeout_ms, "connect_timeout_ms", c->page_timeout_ms,
                         "page_timeout_ms", &key);
        snprintf(out, len, "not connected within %u ms (%s)", ms, key);
    } else if (code == CURLE_OPERATION_TIMEDOUT &&
               !strncmp(r->errbuf, "SSL connection timeout", 22)) {
        /* libcurl's connect deadline holds the TLS handshake: one that stalls, or trickles
         * a byte a second, ends here. */
        ms = first_limit(c->connect_timeout_ms, "connect_timeout_ms", c->page_timeout_ms,
                         "page_timeout_ms", &key);
        snprintf(out, len, "TLS handshake not finished within %u ms (%s)", ms, key);
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        snprintf(out, len, "no complete answer within %u ms (page_timeout_ms)", c->page_timeout_ms);
    } else if (header_line_too_long(r, code)) {
        snprintf(out, len, "a response header line longer than %d bytes (libcurl's limit)",
                 CURL_MAX_HTTP_HEADER);
    } else {
        snprintf(out, len, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        strip_timing(out);
    }
}

static uint64_t rnd_next(gs_fetch_t *f)
{
    uint64_t x = f->rnd;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return f->rnd = x;
}

/* 429 Too Many Requests and 503 Service Unavailable: the server asks us to slow down, so
 * the host starts nothing for a while -- Retry-After when it says how long (seconds or an
 * HTTP date, libcurl reads both), otherwise backoff_ms doubled with each answer of the kind
 * in a row, with "equal jitter" (half fixed, half random) so that the workers that all
 * met the same limit do not come back in step; both capped at backoff_max_ms. Any other
 * answer clears the count. The wait delays the host's queue only: the request that got
 * the 429 is answered as it came (the crawl retries a home page by home_retries), and a
 * task waiting here keeps its lease, which heartbeats renew while the worker holds it. */
static void back_off(gs_fetch_t *f, req_t *r, CURL *e, long status)
{
    host_t *h = r->host;
    if (status != 429 && status != 503) {
        h->strikes = 0;
        return;
    }
    const gs_config_t *c = f->cfg;
    uint64_t cap = c->backoff_max_ms;
    uint64_t wait = 0;
    curl_off_t ra = 0;
    if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
        wait = (uint64_t)ra * 1000;
    else {
        uint32_t n = h->strikes < 20 ? h->strikes : 20;
        uint64_t base = (uint64_t)c->backoff_ms << n;
        if (base > cap)
            base = cap;
        wait = base / 2 + (base / 2 ? rnd_next(f) % (base / 2 + 1) : 0);
    }
    if (wait > cap)
        wait = cap;
    h->strikes++;
    int64_t until = gs_now_ms() + (int64_t)wait;
    if (h->next_start_ms < until)
        h->next_start_ms = until;
    f->st.backoffs++;
    gs_log(GS_LOG_DEBUG, "fetch: %s answered %ld: nothing more to it for %llu ms", h->name, status,
           (unsigned long long)wait);
}

static void finish(gs_fetch_t *f, CURL *e, CURLcode code)
{
    req_t *r = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
    curl_multi_remove_handle(f->multi, e);
    running_remove(f, r);
    f->running--;
    r->host->active--;
    if (r->ip)
        r->ip->active--;

    gs_response_t resp;
    memset(&resp, 0, sizeof(resp));
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp.status);
    if (resp.status)
        back_off(f, r, e, resp.status);
    char *eff = NULL;
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &resp.total_s);
    resp.truncated = r->truncated || r->header_overflow;
    resp.refused = r->refused || code == CURLE_UNSUPPORTED_PROTOCOL;
    /* A body cut at the cap is still a page: keep what arrived and say it was cut. */
    resp.curl_code = (r->truncated && code == CURLE_WRITE_ERROR) ? 0 : (int)code;
    if (resp.curl_code == 0 && r->header_overflow)
        resp.curl_code = CURLE_WRITE_ERROR;
    explain(f, r, code, resp.error, sizeof(resp.error));
    if (header_line_too_long(r, code))
        resp.truncated = true;
    resp.body = r->body.data ? r->body.data : (char *)"";
    resp.body_len = r->body.len;
    resp.content_type = r->content_type;
    resp.final_url = eff ? eff : r->url;
    if (r->certinfo)
        resp.cert_expiry = cert_expiry(e);
    f->st.bytes += r->body.len;
    if (resp.refused)
        f->st.refused++;
    if (resp.truncated)
        f->st.truncated++;
    if (resp.curl_code == 0)
        f->st.ok++;
    else
        f->st.failed++;
    r->cb(r->ud, r->url, &resp);
    curl_easy_cleanup(e);
    r->easy = NULL;
    req_free(r);
}

int gs_fetch_poll(gs_fetch_t *f, const int *extra_fds, size_t nextra, int timeout_ms)
{
    int next = start_ready(f);
    if (next >= 0 && next < timeout_ms)
        timeout_ms = next;
    struct curl_waitfd wfd[8];
    if (nextra > 8)
        nextra = 8;
    for (size_t i = 0; i < nextra; i++) {
        wfd[i].fd = extra_fds[i];
        wfd[i].events = CURL_WAIT_POLLIN;
        wfd[i].revents = 0;
    }
    int numfds = 0;
    curl_multi_poll(f->multi, wfd, (unsigned)nextra, timeout_ms, &numfds);
    int still = 0;
    curl_multi_perform(f->multi, &still);
    int msgs;
    CURLMsg *m;
    while ((m = curl_multi_info_read(f->multi, &msgs)) != NULL)
        if (m->msg == CURLMSG_DONE)
            finish(f, m->easy_handle, m->data.result);
    start_ready(f);
    return 0;
}

size_t gs_fetch_pending(const gs_fetch_t *f)
{
    return f->queued + f->running;
}

void gs_fetch_stats(const gs_fetch_t *f, gs_fetch_stats_t *out)
{
    *out = f->st;
}
