/* gs_metrics.h -- the daemons' counters and gauges, served in the Prometheus text format.
 *
 * Each daemon (dispatcher, collector, worker) keeps one gs_metrics_t: a fixed set of
 * counters and gauges (the gs_metric_t list; which ones a role shows is in the table in
 * gs_metrics.c), updated from the daemon's loop and always counted, whether or not they
 * are served. gs_metrics_listen serves them over HTTP at GET /metrics on metrics_listen
 * (HOST:PORT; "" = off, the default) with libmicrohttpd's own polling thread: the
 * endpoint answers even while the daemon's loop waits on a slow Redis, which is when an
 * operator looks, and request parsing with its limits (16 KiB per request, 8 connections,
 * 5 s to send a request, one response then close) is libmicrohttpd's, not ours.
 *
 * Ownership: gs_metrics_new allocates, gs_metrics_destroy stops the server and frees.
 * Thread safety: values are atomics (relaxed); add/set/get from any thread, the HTTP
 * thread only reads. Render output is bounded (GS_METRICS_TEXT_MAX). */
#ifndef GS_METRICS_H
#define GS_METRICS_H

#include "gs_buf.h"
#include "gs_err.h"
#include "gs_sock.h"

#include <stdint.h>

#define GS_METRICS_TEXT_MAX (32 * 1024)

typedef enum gs_metrics_role {
    GS_METRICS_DISPATCHER = 1,
    GS_METRICS_COLLECTOR = 2,
    GS_METRICS_WORKER = 4,
} gs_metrics_role_t;

/* Every metric any daemon exposes. docs/operations.md says what each one means. */
typedef enum gs_metric {
    GS_M_TASKS_LEASED = 0,    /* dispatcher: leases issued; worker: tasks received */
    GS_M_TASKS_DONE,          /* dispatcher: targets done; worker: results acknowledged */
    GS_M_TASKS_REISSUED,      /* dispatcher: lapsed leases put back in the queue */
    GS_M_TASKS_LEASE_EXPIRED, /* dispatcher: leases that lapsed unrenewed */
    GS_M_TASKS_UNCHECKED,     /* dispatcher: targets stored as 未检查 after max_attempts */
    GS_M_PAGES,               /* worker: pages of finished tasks; collector: of stored results */
    GS_M_BYTES,               /* the same in body bytes */
    GS_M_FINDINGS,            /* the same in findings */
    GS_M_STORED,              /* collector: results stored now */
    GS_M_DUP,                 /* collector: results that were stored already */
    GS_M_STALE,               /* collector: results refused as from an outdated lease */
    GS_M_ERR_REDIS,           /* a Redis command failed */
    GS_M_ERR_SEND,            /* a ZeroMQ send failed (peer gone, queue full) */
    GS_M_ERR_FETCH,           /* worker: transfers that failed */
    GS_M_ERR_REFUSED,         /* worker: addresses the SSRF guard refused */
    GS_M_ERR_TRUNCATED,       /* worker: bodies or headers cut at their cap */
    GS_M_BACKOFFS,            /* worker: 429/503 answers that paused their host */
    GS_M_LINKS_CHECKED,       /* worker: link checks it made (the claims it won) */
    GS_M_LINKS_SHARED,        /* worker: link verdicts taken from another site's check */
    GS_M_PARSE_LIFTED,        /* worker: pages parsed with their script/style text lifted */
    GS_M_PARSE_REPARSED,      /* worker: pages whose lifting did not hold, parsed again */
    GS_M_DROP_FRAMES,         /* messages dropped: wrong number of frames */
    GS_M_DROP_OVERSIZED,      /* ... larger than the socket takes */
    GS_M_DROP_MALFORMED,      /* ... not valid msgpack, truncated, wrong field types */
    GS_M_DROP_VERSION,        /* ... another protocol version */
    GS_M_DROP_UNEXPECTED,     /* ... a valid message this socket does not take */
    GS_M_HS_ACCEPTED,         /* ZeroMQ handshakes completed */
    GS_M_HS_UNKNOWN_KEY,      /* ... refused: client key not allowed (ZAP) */
    GS_M_HS_PROTOCOL,         /* ... refused: security mismatch, wrong server key */
    GS_M_HS_OTHER,            /* ... failed without a reason given */
    GS_M_QUEUE_DEPTH,         /* gauge, dispatcher: targets waiting for a lease */
    GS_M_TASKS_INFLIGHT,      /* gauge: dispatcher: leased now; worker: tasks held */
    GS_M_WORKERS,             /* gauge, dispatcher: workers known */
    GS_M_REDIS_UP,            /* gauge: 1 when the last Redis command succeeded */
    GS_M_COUNT
} gs_metric_t;

typedef struct gs_metrics gs_metrics_t;

/* Counters at 0, for the role's set of metrics. NULL when out of memory. */
gs_metrics_t *gs_metrics_new(gs_metrics_role_t role);
/* NULL-safe, idempotent: stops the HTTP server (joining its thread) and frees. */
void gs_metrics_destroy(gs_metrics_t **self_p);

/* Serve GET /metrics on listen ("HOST:PORT", "[::1]:PORT"; port 0 picks one; "" does
 * nothing and returns 0). GS_EINVAL for a bad address, GS_EIO when it cannot listen. */
int gs_metrics_listen(gs_metrics_t *m, const char *listen, gs_err_t *err);
/* The port served (useful after port 0), 0 when not serving. */
int gs_metrics_port(const gs_metrics_t *m);

/* Update a value (m may be NULL: nothing happens). */
void gs_metrics_add(gs_metrics_t *m, gs_metric_t id, uint64_t n);
void gs_metrics_set(gs_metrics_t *m, gs_metric_t id, uint64_t v);
uint64_t gs_metrics_get(const gs_metrics_t *m, gs_metric_t id);
/* Copy a socket's handshake counters into the GS_M_HS_* values (several sockets: call
 * with each one's stats summed). */
void gs_metrics_set_handshakes(gs_metrics_t *m, const gs_sock_stats_t *st);

/* The exposition text of every metric of the role, appended to out. 0 or GS_ETOOBIG. */
int gs_metrics_render(const gs_metrics_t *m, gs_buf_t *out);

/* Which GS_M_DROP_* a message refused by gs_msg_decode counts as. */
gs_metric_t gs_metrics_drop_reason(const gs_err_t *decode_err);
/* The label value of a GS_M_DROP_* ("malformed", ...), for log lines. */
const char *gs_metrics_drop_name(gs_metric_t id);

#endif
