/* gs_metrics.c -- counters and gauges of a daemon and the HTTP responder that serves them
 * in the Prometheus text exposition format (version 0.0.4). */
#include "gs_metrics.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define HTTP_MEMORY (16 * 1024) /* per connection: request line and headers must fit */
#define HTTP_CONNECTIONS 8      /* scrapers are few; anything more is not a scraper */
#define HTTP_TIMEOUT_S 5        /* a client that has not sent its request by then */

#define D GS_METRICS_DISPATCHER
#define C GS_METRICS_COLLECTOR
#define W GS_METRICS_WORKER

/* One exposed series. Rows of one family are adjacent (the format wants one HELP and
 * TYPE per family, before its samples). */
typedef struct mdef {
    const char *family;
    const char *labels; /* "" or `kind="redis"` */
    int gauge;
    int roles;
    const char *help;
} mdef_t;

static const mdef_t defs[GS_M_COUNT] = {
    [GS_M_TASKS_LEASED] = {"govsweep_tasks_leased_total", "", 0, D | W,
                           "Leases issued (dispatcher) or tasks received (worker)."},
    [GS_M_TASKS_DONE] = {"govsweep_tasks_done_total", "", 0, D | W,
                         "Targets done (dispatcher) or results acknowledged (worker)."},
    [GS_M_TASKS_REISSUED] = {"govsweep_tasks_reissued_total", "", 0, D,
                             "Lapsed leases whose target went back to the queue."},
    [GS_M_TASKS_LEASE_EXPIRED] = {"govsweep_tasks_lease_expired_total", "", 0, D,
                                  "Leases that lapsed without renewal."},
    [GS_M_TASKS_UNCHECKED] = {"govsweep_tasks_unchecked_total", "", 0, D,
                              "Targets stored as unchecked after max_attempts lapsed leases."},
    [GS_M_PAGES] = {"govsweep_pages_total", "", 0, C | W,
                    "Pages of finished tasks (worker) or of stored results (collector)."},
    [GS_M_BYTES] = {"govsweep_bytes_total", "", 0, C | W,
                    "Body bytes of finished tasks (worker) or of stored results (collector)."},
    [GS_M_FINDINGS] = {"govsweep_findings_total", "", 0, C | W,
                       "Findings of finished tasks (worker) or of stored results (collector)."},
    [GS_M_STORED] = {"govsweep_results_stored_total", "outcome=\"stored\"", 0, C,
                     "Results by what the store script did with them."},
    [GS_M_DUP] = {"govsweep_results_stored_total", "outcome=\"dup\"", 0, C, NULL},
    [GS_M_STALE] = {"govsweep_results_stored_total", "outcome=\"stale\"", 0, C, NULL},
    [GS_M_ERR_REDIS] = {"govsweep_errors_total", "kind=\"redis\"", 0, D | C, "Errors by kind."},
    [GS_M_ERR_SEND] = {"govsweep_errors_total", "kind=\"send\"", 0, D | C | W, NULL},
    [GS_M_ERR_FETCH] = {"govsweep_errors_total", "kind=\"fetch\"", 0, W, NULL},
    [GS_M_ERR_REFUSED] = {"govsweep_errors_total", "kind=\"fetch_refused\"", 0, W, NULL},
    [GS_M_ERR_TRUNCATED] = {"govsweep_errors_total", "kind=\"fetch_truncated\"", 0, W, NULL},
    [GS_M_BACKOFFS] = {"govsweep_fetch_backoffs_total", "", 0, W,
                       "429 or 503 answers that paused their host (backoff_ms, Retry-After)."},
    [GS_M_LINKS_CHECKED] = {"govsweep_link_verdicts_total", "source=\"checked\"", 0, W,
                            "Link verdicts: checked by this worker, or shared by another "
                            "site's check (docs/checks.md)."},
    [GS_M_LINKS_SHARED] = {"govsweep_link_verdicts_total", "source=\"shared\"", 0, W, NULL},
    [GS_M_PARSE_LIFTED] = {"govsweep_page_parses_total", "path=\"lifted\"", 0, W,
                           "Pages parsed with their script and style text lifted out, or "
                           "parsed a second time as they are when that did not hold."},
    [GS_M_PARSE_REPARSED] = {"govsweep_page_parses_total", "path=\"reparsed\"", 0, W, NULL},
    [GS_M_DROP_FRAMES] = {"govsweep_messages_dropped_total", "reason=\"frames\"", 0, D | C | W,
                          "Messages dropped on receipt, by reason."},
    [GS_M_DROP_OVERSIZED] = {"govsweep_messages_dropped_total", "reason=\"oversized\"", 0,
                             D | C | W, NULL},
    [GS_M_DROP_MALFORMED] = {"govsweep_messages_dropped_total", "reason=\"malformed\"", 0,
                             D | C | W, NULL},
    [GS_M_DROP_VERSION] = {"govsweep_messages_dropped_total", "reason=\"version\"", 0, D | C | W,
                           NULL},
    [GS_M_DROP_UNEXPECTED] = {"govsweep_messages_dropped_total", "reason=\"unexpected\"", 0,
                              D | C | W, NULL},
    [GS_M_HS_ACCEPTED] = {"govsweep_handshakes_accepted_total", "", 0, D | C | W,
                          "ZeroMQ handshakes completed."},
    [GS_M_HS_UNKNOWN_KEY] = {"govsweep_handshakes_refused_total", "reason=\"unknown_key\"", 0,
                             D | C | W, "ZeroMQ handshakes refused or failed, by reason."},
    [GS_M_HS_PROTOCOL] = {"govsweep_handshakes_refused_total", "reason=\"protocol\"", 0, D | C | W,
                          NULL},
    [GS_M_HS_OTHER] = {"govsweep_handshakes_refused_total", "reason=\"other\"", 0, D | C | W, NULL},
    [GS_M_QUEUE_DEPTH] = {"govsweep_queue_depth", "", 1, D, "Targets waiting for a lease."},
    [GS_M_TASKS_INFLIGHT] = {"govsweep_tasks_inflight", "", 1, D | W,
                             "Tasks leased now (dispatcher) or held (worker)."},
    [GS_M_WORKERS] = {"govsweep_workers_connected", "", 1, D,
                      "Workers that said hello and have not gone silent."},
    [GS_M_REDIS_UP] = {"govsweep_redis_up", "", 1, D | C,
                       "1 when the last Redis command succeeded, else 0."},
};

struct gs_metrics {
    gs_metrics_role_t role;
    _Atomic uint64_t v[GS_M_COUNT];
    struct MHD_Daemon *httpd;
    int port;
};

gs_metrics_t *gs_metrics_new(gs_metrics_role_t role)
{
    gs_metrics_t *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->role = role;
    for (int i = 0; i < GS_M_COUNT; i++)
        atomic_init(&m->v[i], 0);
    return m;
}

void gs_metrics_destroy(gs_metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_metrics_t *m = *self_p;
    if (m->httpd)
        MHD_stop_daemon(m->httpd);
    free(m);
    *self_p = NULL;
}

void gs_metrics_add(gs_metrics_t *m, gs_metric_t id, uint64_t n)
{
    if (m && id < GS_M_COUNT)
        atomic_fetch_add_explicit(&m->v[id], n, memory_order_relaxed);
}

void gs_metrics_set(gs_metrics_t *m, gs_metric_t id, uint64_t v)
{
    if (m && id < GS_M_COUNT)
        atomic_store_explicit(&m->v[id], v, memory_order_relaxed);
}

uint64_t gs_metrics_get(const gs_metrics_t *m, gs_metric_t id)
{
    if (!m || id >= GS_M_COUNT)
        return 0;
    /* atomic_load takes a non-const pointer in C11; the read does not modify. */
    return atomic_load_explicit(&((gs_metrics_t *)m)->v[id], memory_order_relaxed);
}

void gs_metrics_set_handshakes(gs_metrics_t *m, const gs_sock_stats_t *st)
{
    gs_metrics_set(m, GS_M_HS_ACCEPTED, st->accepted);
    gs_metrics_set(m, GS_M_HS_UNKNOWN_KEY, st->refused_key);
    gs_metrics_set(m, GS_M_HS_PROTOCOL, st->refused_protocol);
    gs_metrics_set(m, GS_M_HS_OTHER, st->refused_other);
}

static const char *role_name(gs_metrics_role_t r)
{
    return r == GS_METRICS_DISPATCHER  ? "dispatcher"
           : r == GS_METRICS_COLLECTOR ? "collector"
                                       : "worker";
}

int gs_metrics_render(const gs_metrics_t *m, gs_buf_t *out)
{
    int rc = gs_buf_printf(out,
                           "# HELP govsweep_info The daemon's role and version.\n"
                           "# TYPE govsweep_info gauge\n"
                           "govsweep_info{role=\"%s\",version=\"%s\"} 1\n",
                           role_name(m->role), GS_VERSION);
    const char *last = "";
    for (int i = 0; i < GS_M_COUNT && rc == 0; i++) {
        const mdef_t *d = &defs[i];
        if (!(d->roles & (int)m->role))
            continue;
        if (strcmp(d->family, last) != 0) {
            rc = gs_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", d->family, d->help, d->family,
                               d->gauge ? "gauge" : "counter");
            last = d->family;
        }
        unsigned long long v = gs_metrics_get(m, (gs_metric_t)i);
        if (rc == 0)
            rc = d->labels[0] ? gs_buf_printf(out, "%s{%s} %llu\n", d->family, d->labels, v)
                              : gs_buf_printf(out, "%s %llu\n", d->family, v);
    }
    return rc;
}

gs_metric_t gs_metrics_drop_reason(const gs_err_t *e)
{
    /* gs_msg_decode says why in its message; these two prefixes are its wording for the
     * size ceiling and the version check (test_sock pins them). */
    if (e && strstr(e->msg, "protocol version"))
        return GS_M_DROP_VERSION;
    if (e && strstr(e->msg, " bytes exceeds "))
        return GS_M_DROP_OVERSIZED;
    return GS_M_DROP_MALFORMED;
}

const char *gs_metrics_drop_name(gs_metric_t id)
{
    switch (id) {
    case GS_M_DROP_FRAMES:
        return "frames";
    case GS_M_DROP_OVERSIZED:
        return "oversized";
    case GS_M_DROP_VERSION:
        return "version";
    case GS_M_DROP_UNEXPECTED:
        return "unexpected";
    default:
        return "malformed";
    }
}

/* ---- HTTP ---------------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body, size_t len, int must_free)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        if (must_free)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    /* One response per connection: a scraper reconnects each time, and nothing lingers. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_size;
    (void)con_cls;
    const gs_metrics_t *m = cls;
    static char not_allowed[] = "only GET /metrics here\n";
    static char not_found[] = "not found: try /metrics\n";
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", not_allowed,
                     strlen(not_allowed), 0);
    if (strcmp(url, "/metrics") != 0)
        return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", not_found,
                     strlen(not_found), 0);
    gs_buf_t b;
    gs_buf_init(&b, GS_METRICS_TEXT_MAX);
    if (gs_metrics_render(m, &b) < 0) {
        gs_buf_cleanup(&b);
        return MHD_NO;
    }
    size_t len = b.len;
    char *body = gs_buf_steal(&b);
    if (!body)
        return MHD_NO;
    return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len, 1);
}

/* Split "HOST:PORT" / "[V6]:PORT" into its parts. */
static int split_hostport(const char *s, char *host, size_t hl, char *port, size_t pl)
{
    const char *colon;
    const char *h = s;
    size_t n;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':')
            return -1;
        h = s + 1;
        n = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        n = (size_t)(colon - s);
    }
    size_t portlen = strlen(colon + 1);
    if (n == 0 || n >= hl || portlen == 0 || portlen >= pl)
        return -1;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    memcpy(port, colon + 1, portlen + 1);
    return strtol(port, NULL, 10) <= 65535 ? 0 : -1;
}

int gs_metrics_listen(gs_metrics_t *m, const char *listen, gs_err_t *err)
{
    if (!listen || !listen[0])
        return 0;
    if (m->httpd)
        return gs_err_set(err, GS_ESTATE, "metrics already served");
    char host[256], port[8];
    if (split_hostport(listen, host, sizeof(host), port, sizeof(port)) < 0)
        return gs_err_set(err, GS_EINVAL,
                          "metrics_listen '%s': expected HOST:PORT, e.g. 127.0.0.1:9570", listen);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0 || !ai)
        return gs_err_set(err, GS_EINVAL, "metrics_listen '%s': %s", listen, gai_strerror(gai));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The server's thread must not take the daemon's SIGINT/SIGTERM: those set the main
     * loop's stop flag. It inherits this mask. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    errno = 0;
    m->httpd =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNECTIONS,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY, MHD_OPTION_END);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    freeaddrinfo(ai);
    if (!m->httpd)
        return gs_err_set(err, GS_EIO, "cannot serve metrics on %s: %s", listen,
                          saved ? strerror(saved) : "libmicrohttpd refused");
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->httpd, MHD_DAEMON_INFO_BIND_PORT);
    m->port = info ? info->port : 0;
    return 0;
}

int gs_metrics_port(const gs_metrics_t *m)
{
    return m && m->httpd ? m->port : 0;
}
