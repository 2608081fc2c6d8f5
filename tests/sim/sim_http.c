/* sim_http.c -- the HTTP side of gs-simsrv: libmicrohttpd daemons on loopback that serve
 * every simulated host, chosen by the Host header: the main one on --listen, a second on
 * ::1 (the IPv6 sites: connect-to.txt sends them there), and an HTTPS one whose
 * certificates sim_tls.c picks by SNI.
 *
 * Each daemon polls with epoll from --threads internal threads (a thread pool sharing the
 * listen socket), keeps connections alive, and allows up to 10,000+ connections (as many
 * as RLIMIT_NOFILE allows; main raises it to the hard limit). Pages are rendered per
 * request from the read-only plan, so handlers share nothing but the request counters.
 * Hosts: the sites of the plan, feeds.sim-bridge.gov.cn, the few national hosts that every
 * government page links to (conac badge, 找错, filing sites), answered with a small page so
 * that a link checker routed here by a catch-all --connect-to finds them alive, and the
 * spam hosts hidden links point at (alive too: a hijacker's site answers); anything else
 * is 404. A User-Agent of a search-engine spider (Baiduspider, Sogou web spider,
 * 360Spider, Googlebot, bingbot) is told to the site, for cloaking. */
#include "sim.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* What a daemon's handler is given: the server, and whether it is the HTTPS one. */
typedef struct listener {
    struct sim_server *server;
    bool tls;
} listener_t;

struct sim_server {
    const sim_plan_t *plan;
    struct MHD_Daemon *daemon;     /* --listen */
    struct MHD_Daemon *daemon6;    /* ::1, NULL without IPv6 */
    struct MHD_Daemon *daemon_tls; /* HTTPS, NULL with --no-tls */
    listener_t plain, secure;
    struct sim_slow *slow;
    sim_tls_t *tls;
    unsigned port, port6, tls_port;
    uint64_t *counters;          /* requests per target, for the flapping hosts */
    unsigned long long requests; /* updated with __atomic builtins */
};

/* ---------------------------------------------------------------- replies */

enum MHD_Result sim_reply_response(const sim_req_t *rq, unsigned status, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SERVER, "nginx");
    enum MHD_Result r = MHD_queue_response(rq->conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

enum MHD_Result sim_reply_take(const sim_req_t *rq, unsigned status, const char *ctype, char *body,
                               size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    return sim_reply_response(rq, status, resp);
}

enum MHD_Result sim_reply_static(const sim_req_t *rq, unsigned status, const char *ctype,
                                 const void *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    return sim_reply_response(rq, status, resp);
}

static const char redirect_body[] =
    "<html>\r\n<head><title>302 Found</title></head>\r\n<body>\r\n<center><h1>302 Found</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

enum MHD_Result sim_reply_redirect(const sim_req_t *rq, unsigned status, const char *location)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sizeof redirect_body - 1, (void *)redirect_body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    return sim_reply_response(rq, status, resp);
}

enum MHD_Result sim_reply_page(const sim_req_t *rq, unsigned status, gs_buf_t *page)
{
    sim_charset_t cs = (sim_charset_t)rq->target->u.site.charset;
    const sim_charset_info_t *info = &sim_charsets[cs];
    char ctype[64];
    if (info->header)
        snprintf(ctype, sizeof ctype, "text/html; charset=%s", info->header);
    else
        snprintf(ctype, sizeof ctype, "text/html");
    if (!info->iconv) {
        size_t len = page->len;
        char *body = gs_buf_steal(page);
        return body ? sim_reply_take(rq, status, ctype, body, len) : MHD_NO;
    }
    gs_buf_t enc;
    gs_buf_init(&enc, page->max * 2);
    int rc = sim_charset_encode(cs, gs_buf_str(page), page->len, &enc);
    gs_buf_cleanup(page);
    if (rc < 0) {
        gs_buf_cleanup(&enc);
        return sim_reply_error(rq, 500);
    }
    size_t len = enc.len;
    char *body = gs_buf_steal(&enc);
    return body ? sim_reply_take(rq, status, ctype, body, len) : MHD_NO;
}

#define NGINX_PAGE(code, text)                                                                     \
    "<html>\r\n<head><title>" code " " text "</title></head>\r\n<body>\r\n<center><h1>" code       \
    " " text "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

static const struct {
    unsigned status;
    const char *page;
} error_pages[] = {
    {404, NGINX_PAGE("404", "Not Found")},
    {405, NGINX_PAGE("405", "Not Allowed")},
    {410, NGINX_PAGE("410", "Gone")},
    {500, NGINX_PAGE("500", "Internal Server Error")},
    {502, NGINX_PAGE("502", "Bad Gateway")},
    {503, NGINX_PAGE("503", "Service Temporarily Unavailable")},
};

enum MHD_Result sim_reply_error(const sim_req_t *rq, unsigned status)
{
    const char *page = error_pages[0].page;
    for (size_t i = 0; i < sizeof error_pages / sizeof error_pages[0]; i++)
        if (error_pages[i].status == status)
            page = error_pages[i].page;
    return sim_reply_static(rq, status, "text/html", page, strlen(page));
}

/* ---------------------------------------------------------------- routing */

/* National hosts linked from every page footer. */
static const char *const national_hosts[] = {"bszs.conac.cn", "zfwzzc.www.gov.cn",
                                             "beian.miit.gov.cn", "www.beian.gov.cn"};

static const char national_page[] =
    "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>政府网站信息</title></head>\n"
    "<body><p>模拟服务：该页面由模拟省份提供，仅用于测试。</p></body>\n</html>\n";

/* The landing page of the spam hosts hidden links and redirects lead to. */
static const char spam_page[] =
    "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>娱乐城</title></head>\n"
    "<body><p>模拟服务：这是被植入暗链指向的非法网站，仅用于测试。</p></body>\n</html>\n";

static bool host_is(const char *host, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(host, name, len) == 0;
}

/* Case-insensitive substring (strcasestr is a GNU extension). */
static bool contains_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

static bool is_spider(const char *ua)
{
    static const char *const spiders[] = {"Baiduspider", "Sogou web spider", "360Spider",
                                          "Googlebot", "bingbot"};
    for (size_t i = 0; ua && i < sizeof spiders / sizeof spiders[0]; i++)
        if (contains_ci(ua, spiders[i]))
            return true;
    return false;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls)
{
    (void)version, (void)upload_data;
    const listener_t *l = cls;
    sim_server_t *s = l->server;
    sim_req_t rq = {s->plan, NULL, conn, url, false, false, l->tls, s->slow, req_cls, s->counters};
    /* Reply on the second call, once MHD knows the request has no body: a reply queued
     * on the first call makes MHD close the connection instead of keeping it alive. A
     * request woken from a stall is either closed now or served below. */
    static int seen;
    if (sim_fault_is_stall(*req_cls)) {
        enum MHD_Result r;
        if (sim_fault_woken(&rq, &r))
            return r;
    } else {
        if (*req_cls != &seen) {
            *req_cls = &seen;
            return MHD_YES;
        }
        if (*upload_data_size) {
            /* A body we do not want: drop it. */
            *upload_data_size = 0;
            return MHD_YES;
        }
    }
    __atomic_add_fetch(&s->requests, 1, __ATOMIC_RELAXED);
    rq.head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (!rq.head && strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return sim_reply_error(&rq, 405);
    rq.spider =
        is_spider(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT));
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!host)
        return sim_reply_error(&rq, 404);
    size_t hlen = strcspn(host, ":");
    while (hlen > 0 && host[hlen - 1] == '.')
        hlen--; /* a fully qualified name ends with a dot */
    if (host_is(host, hlen, SIM_FEEDS_HOST))
        return sim_feed_serve(&rq);
    rq.target = sim_plan_find_host(s->plan, host, hlen);
    if (rq.target)
        return sim_site_serve(&rq);
    for (size_t i = 0; i < sizeof national_hosts / sizeof national_hosts[0]; i++)
        if (host_is(host, hlen, national_hosts[i]))
            return sim_reply_static(&rq, 200, "text/html; charset=utf-8", national_page,
                                    sizeof national_page - 1);
    for (size_t i = 0; i < sim_n_spam_hosts; i++)
        if (host_is(host, hlen, sim_spam_hosts[i]))
            return sim_reply_static(&rq, 200, "text/html; charset=utf-8", spam_page,
                                    sizeof spam_page - 1);
    return sim_reply_error(&rq, 404);
}

/* MHD's completion notice: free what a stalled request left. */
static void completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    sim_fault_completed(req_cls);
}

/* ---------------------------------------------------------------- lifecycle */

/* As many connections as open files allow, but no fewer than asked where possible. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 10000;
    if (rl.rlim_cur <= 512)
        return (unsigned)(rl.rlim_cur / 2);
    rlim_t n = rl.rlim_cur - 256;
    return n > 60000 ? 60000 : (unsigned)n;
}

bool sim_server_probe_ipv6(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_loopback;
    bool ok = bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == 0;
    close(fd);
    return ok;
}

static unsigned bound_port(struct MHD_Daemon *d, unsigned fallback)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : fallback;
}

static struct MHD_Daemon *start_plain(sim_server_t *s, unsigned flags, const struct sockaddr *sa,
                                      unsigned port)
{
    const sim_plan_t *p = s->plan;
    return MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, handler, &s->plain, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(p->opts.threads > 1 ? p->opts.threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, connection_limit(), MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096, MHD_OPTION_NOTIFY_COMPLETED,
        completed, NULL, MHD_OPTION_END);
}

sim_server_t *sim_server_start(const sim_plan_t *p, gs_err_t *err)
{
    sim_server_t *s = calloc(1, sizeof *s);
    if (s)
        s->counters = calloc(p->n_targets ? p->n_targets : 1, sizeof *s->counters);
    if (!s || !s->counters) {
        free(s);
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    s->plan = p;
    s->plain = (listener_t){s, false};
    s->secure = (listener_t){s, true};
    if (p->opts.faults) {
        s->slow = sim_slow_new();
        if (!s->slow) {
            gs_err_set(err, GS_EIO, "cannot start the slow host's timer thread");
            goto fail;
        }
    }
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_TURBO | MHD_USE_ERROR_LOG;
    unsigned fam_flags = 0;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    bool listen6 = strchr(p->opts.listen, ':') != NULL;
    if (listen6) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)p->opts.port);
        if (inet_pton(AF_INET6, p->opts.listen, &sin6.sin6_addr) != 1)
            goto bad_addr;
        sa = (struct sockaddr *)&sin6;
        fam_flags = MHD_USE_IPv6;
    } else {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)p->opts.port);
        if (inet_pton(AF_INET, p->opts.listen, &sin.sin_addr) != 1)
            goto bad_addr;
        sa = (struct sockaddr *)&sin;
    }
    s->daemon = start_plain(s, flags | fam_flags, sa, p->opts.port);
    if (!s->daemon) {
        gs_err_set(err, GS_EIO, "cannot listen on %s port %u", p->opts.listen, p->opts.port);
        goto fail;
    }
    s->port = bound_port(s->daemon, p->opts.port);
    /* The IPv6 listener, on the same port number when it is free there. */
    if (p->opts.ipv6 && !listen6) {
        struct sockaddr_in6 lo6;
        memset(&lo6, 0, sizeof lo6);
        lo6.sin6_family = AF_INET6;
        lo6.sin6_addr = in6addr_loopback;
        lo6.sin6_port = htons((uint16_t)s->port);
        s->daemon6 = start_plain(s, flags | MHD_USE_IPv6, (struct sockaddr *)&lo6, s->port);
        if (!s->daemon6) {
            lo6.sin6_port = 0;
            s->daemon6 = start_plain(s, flags | MHD_USE_IPv6, (struct sockaddr *)&lo6, 0);
        }
        if (!s->daemon6) {
            gs_err_set(err, GS_EIO, "cannot listen on ::1");
            goto fail;
        }
        s->port6 = bound_port(s->daemon6, s->port);
    }
    if (p->opts.tls) {
        s->tls = sim_tls_new(p, err);
        if (!s->tls)
            goto fail;
        if (listen6)
            sin6.sin6_port = 0;
        else
            sin.sin_port = 0;
        s->daemon_tls = sim_tls_start_daemon(s->tls, flags | fam_flags, sa,
                                             (unsigned)(p->opts.threads > 1 ? p->opts.threads : 0),
                                             connection_limit(), handler, &s->secure, completed);
        if (!s->daemon_tls) {
            gs_err_set(err, GS_EIO, "cannot start the HTTPS listener on %s", p->opts.listen);
            goto fail;
        }
        s->tls_port = bound_port(s->daemon_tls, 0);
    }
    return s;
bad_addr:
    gs_err_set(err, GS_EINVAL, "--listen %s is not an IP address", p->opts.listen);
fail:
    sim_server_stop(&s);
    return NULL;
}

unsigned sim_server_port(const sim_server_t *s)
{
    return s->port;
}

unsigned sim_server_port6(const sim_server_t *s)
{
    return s->port6;
}

unsigned sim_server_tls_port(const sim_server_t *s)
{
    return s->tls_port;
}

const sim_tls_t *sim_server_tls(const sim_server_t *s)
{
    return s->tls;
}

unsigned long long sim_server_requests(const sim_server_t *s)
{
    return __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
}

void sim_server_stop(sim_server_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    sim_server_t *s = *s_p;
    /* Suspended connections must be resumed before the daemons stop. */
    sim_slow_shutdown(s->slow);
    if (s->daemon_tls)
        MHD_stop_daemon(s->daemon_tls);
    if (s->daemon6)
        MHD_stop_daemon(s->daemon6);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    sim_slow_destroy(&s->slow);
    sim_tls_destroy(&s->tls);
    free(s->counters);
    free(s);
    *s_p = NULL;
}
