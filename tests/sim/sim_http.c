/* sim_http.c -- the HTTP side of gs-simsrv: one libmicrohttpd daemon on loopback that
 * serves every simulated host, chosen by the Host header.
 *
 * The daemon polls with epoll from --threads internal threads (a thread pool sharing the
 * listen socket), keeps connections alive, and allows up to 10,000+ connections (as many
 * as RLIMIT_NOFILE allows; main raises it to the hard limit). Pages are rendered per
 * request from the read-only plan, so handlers share nothing but a request counter.
 * Hosts: the sites of the plan, feeds.sim-bridge.gov.cn, and the few national hosts that
 * every government page links to (conac badge, 找错, filing sites), answered with a small
 * page so that a link checker routed here by a catch-all --connect-to finds them alive;
 * anything else is 404. */
#include "sim.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>

struct sim_server {
    const sim_plan_t *plan;
    struct MHD_Daemon *daemon;
    struct sim_slow *slow;
    unsigned port;
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

static bool host_is(const char *host, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(host, name, len) == 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls)
{
    (void)version, (void)upload_data;
    sim_server_t *s = cls;
    sim_req_t rq = {s->plan, NULL, conn, url, false, s->slow};
    /* Reply on the second call, once MHD knows the request has no body: a reply queued
     * on the first call makes MHD close the connection instead of keeping it alive. */
    static int seen;
    if (*req_cls != &seen) {
        *req_cls = &seen;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* A body we do not want: drop it. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    __atomic_add_fetch(&s->requests, 1, __ATOMIC_RELAXED);
    rq.head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (!rq.head && strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return sim_reply_error(&rq, 405);
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
    return sim_reply_error(&rq, 404);
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

sim_server_t *sim_server_start(const sim_plan_t *p, gs_err_t *err)
{
    sim_server_t *s = calloc(1, sizeof *s);
    if (!s) {
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    s->plan = p;
    if (p->opts.faults) {
        s->slow = sim_slow_new();
        if (!s->slow) {
            gs_err_set(err, GS_EIO, "cannot start the slow host's timer thread");
            free(s);
            return NULL;
        }
    }
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_TURBO | MHD_USE_ERROR_LOG;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    if (strchr(p->opts.listen, ':')) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)p->opts.port);
        if (inet_pton(AF_INET6, p->opts.listen, &sin6.sin6_addr) != 1)
            goto bad_addr;
        sa = (struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)p->opts.port);
        if (inet_pton(AF_INET, p->opts.listen, &sin.sin_addr) != 1)
            goto bad_addr;
        sa = (struct sockaddr *)&sin;
    }
    unsigned limit = connection_limit();
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)p->opts.port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(p->opts.threads > 1 ? p->opts.threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096, MHD_OPTION_END);
    if (!s->daemon) {
        gs_err_set(err, GS_EIO, "cannot listen on %s port %u", p->opts.listen, p->opts.port);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : p->opts.port;
    return s;
bad_addr:
    gs_err_set(err, GS_EINVAL, "--listen %s is not an IP address", p->opts.listen);
fail:
    sim_slow_destroy(&s->slow);
    free(s);
    return NULL;
}

unsigned sim_server_port(const sim_server_t *s)
{
    return s->port;
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
    /* Suspended connections must be resumed before the daemon stops. */
    sim_slow_shutdown(s->slow);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    sim_slow_destroy(&s->slow);
    free(s);
    *s_p = NULL;
}
