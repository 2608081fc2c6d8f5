/* gs_collector.c -- the result sink: validate, store in batches, then acknowledge. */
#include "gs_collector.h"
#include "gs_crash.h"
#include "gs_log.h"
#include "gs_metrics.h"
#include "gs_msg.h"
#include "gs_redis.h"
#include "gs_sock.h"
#include "gs_store.h"
#include "gs_util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define BATCH_MAX 64
#define RID_MAX 64

typedef struct pending {
    unsigned char rid[RID_MAX];
    size_t rid_len;
    gs_msg_t msg;
} pending_t;

typedef struct stats {
    uint64_t received, stored, dup, stale, dropped, redis_errors;
} stats_t;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* Receive one two-frame message (routing id, body) into p. 1 = got a valid result,
 * 0 = nothing waiting, -1 = a message was dropped. */
static int recv_result(void *router, pending_t *p, stats_t *st, gs_metrics_t *mx)
{
    int rn = zmq_recv(router, p->rid, sizeof(p->rid), ZMQ_DONTWAIT);
    if (rn < 0)
        return 0;
    int more = 0;
    size_t ml = sizeof(more);
    zmq_getsockopt(router, ZMQ_RCVMORE, &more, &ml);
    zmq_msg_t body;
    zmq_msg_init(&body);
    int got = more && zmq_msg_recv(&body, router, ZMQ_DONTWAIT) >= 0;
    int extra = 0;
    zmq_getsockopt(router, ZMQ_RCVMORE, &more, &ml);
    while (more) {
        extra = 1;
        zmq_msg_t x;
        zmq_msg_init(&x);
        zmq_msg_recv(&x, router, 0);
        zmq_msg_close(&x);
        zmq_getsockopt(router, ZMQ_RCVMORE, &more, &ml);
    }
    gs_err_t e;
    gs_err_clear(&e);
    int rc = -1;
    gs_metric_t why = GS_M_DROP_FRAMES;
    if (!got || extra || rn > (int)sizeof(p->rid)) {
        gs_warn("dropped a message with the wrong frames");
    } else if (gs_msg_decode(zmq_msg_data(&body), zmq_msg_size(&body), &p->msg, &e) < 0) {
        why = gs_metrics_drop_reason(&e);
        gs_warn("dropped a message (%s, %zu bytes): %s", gs_metrics_drop_name(why),
                zmq_msg_size(&body), e.msg);
    } else if (p->msg.type != GS_MSG_RESULT) {
        why = GS_M_DROP_UNEXPECTED;
        gs_warn("dropped a '%s' message: the collector takes results only",
                gs_msg_type_name(p->msg.type));
        gs_msg_cleanup(&p->msg);
    } else
        rc = 1;
    if (rc < 0)
        gs_metrics_add(mx, why, 1);
    zmq_msg_close(&body);
    if (rc < 0)
        st->dropped++;
    else {
        p->rid_len = (size_t)rn;
        st->received++;
    }
    return rc;
}

int gs_collector_run(const gs_config_t *cfg, gs_err_t *err)
{
    int rc = 0;
    pending_t *batch = calloc(BATCH_MAX, sizeof(*batch));
    gs_redis_t *redis = NULL;
    void *zctx = NULL, *router = NULL; /* router is borrowed from sock */
    gs_sock_t *sock = NULL;
    gs_metrics_t *mx = gs_metrics_new(GS_METRICS_COLLECTOR);
    gs_buf_t out;
    stats_t st;
    memset(&st, 0, sizeof(st));
    gs_buf_init(&out, 64 * 1024);
    if (!batch || !mx) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    if (!(redis = gs_redis_new(cfg->redis, err))) {
        rc = GS_EREDIS;
        goto out;
    }
    gs_metrics_set(mx, GS_M_REDIS_UP, 1);
    if (!(zctx = zmq_ctx_new())) {
        rc = gs_err_set(err, GS_EZMQ, "zmq_ctx_new: %s", zmq_strerror(errno));
        goto out;
    }
    if (!(sock = gs_sock_bind(zctx, cfg, cfg->collector_endpoint,
                              GS_MSG_MAX_BYTES + GS_SOCK_MAXMSG_SLACK, "collector", err))) {
        rc = err && err->code ? err->code : GS_EZMQ;
        goto out;
    }
    router = gs_sock_zmq(sock);
    if ((rc = gs_metrics_listen(mx, cfg->metrics_listen, err)) < 0)
        goto out;
    if (gs_metrics_port(mx))
        gs_info("metrics on %s (port %d), GET /metrics", cfg->metrics_listen, gs_metrics_port(mx));
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    gs_info("listening on %s", gs_sock_endpoint(sock));

    int64_t next_report = gs_now_ms() + 10000, next_ping = 0;
    while (!stop_flag) {
        zmq_pollitem_t it = {router, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, 200);
        size_t n = 0;
        while (n < BATCH_MAX) {
            int r = recv_result(router, &batch[n], &st, mx);
            if (r == 0)
                break;
            if (r > 0)
                n++;
        }
        if (n) {
            const gs_result_t *res[BATCH_MAX];
            gs_outcome_t oc[BATCH_MAX];
            for (size_t i = 0; i < n; i++)
                res[i] = &batch[i].msg.result;
            gs_err_t e;
            gs_err_clear(&e);
            gs_crash_point("collector.before_store"); /* received, nothing stored */
            if (gs_store_results(redis, res, n, oc, &e) < 0) {
                /* Nothing acknowledged: the workers keep their results and re-send. */
                st.redis_errors++;
                gs_metrics_add(mx, GS_M_ERR_REDIS, 1);
                gs_metrics_set(mx, GS_M_REDIS_UP, 0);
                gs_warn("storing %zu results failed: %s; workers will re-send", n, e.msg);
                struct timespec ts = {0, 200 * 1000 * 1000};
                nanosleep(&ts, NULL);
            } else {
                /* stored, nothing acknowledged: the workers re-send, the script says dup */
                gs_crash_point("collector.after_store");
                gs_metrics_set(mx, GS_M_REDIS_UP, 1);
                for (size_t i = 0; i < n; i++) {
                    const gs_result_t *r = res[i];
                    if (oc[i] == GS_OUTCOME_STORED) {
                        st.stored++;
                        gs_metrics_add(mx, GS_M_STORED, 1);
                        gs_metrics_add(mx, GS_M_PAGES, r->pages);
                        gs_metrics_add(mx, GS_M_BYTES, r->bytes);
                        gs_metrics_add(mx, GS_M_FINDINGS, r->findings.len);
                    } else if (oc[i] == GS_OUTCOME_DUP) {
                        st.dup++;
                        gs_metrics_add(mx, GS_M_DUP, 1);
                    } else {
                        st.stale++;
                        gs_metrics_add(mx, GS_M_STALE, 1);
                    }
                    gs_buf_reset(&out);
                    if (gs_msg_encode_ack(&out, r->sweep, r->target, r->epoch, oc[i]) == 0 &&
                        (zmq_send(router, batch[i].rid, batch[i].rid_len,
                                  ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
                         zmq_send(router, out.data, out.len, ZMQ_DONTWAIT) < 0))
                        gs_metrics_add(mx, GS_M_ERR_SEND, 1);
                    gs_crash_point("collector.after_ack"); /* this ack may not have left */
                    if (oc[i] == GS_OUTCOME_STALE)
                        gs_info("refused a stale result for %s (epoch %u)", r->target, r->epoch);
                }
            }
            for (size_t i = 0; i < n; i++)
                gs_msg_cleanup(&batch[i].msg);
        }
        gs_sock_stats_t hs;
        gs_sock_stats(sock, &hs);
        gs_metrics_set_handshakes(mx, &hs);
        if (gs_metrics_port(mx) && !n && gs_now_ms() >= next_ping) {
            /* idle: keep govsweep_redis_up true to what Redis does now */
            gs_err_t e;
            redisReply *rep = gs_redis_command(redis, &e, "PING");
            gs_metrics_set(mx, GS_M_REDIS_UP, rep != NULL);
            if (rep)
                freeReplyObject(rep);
            next_ping = gs_now_ms() + 1000;
        }
        if (gs_now_ms() >= next_report) {
            gs_info("results: %llu received, %llu stored, %llu duplicate, %llu stale, "
                    "%llu dropped, %llu redis errors",
                    (unsigned long long)st.received, (unsigned long long)st.stored,
                    (unsigned long long)st.dup, (unsigned long long)st.stale,
                    (unsigned long long)st.dropped, (unsigned long long)st.redis_errors);
            next_report = gs_now_ms() + 10000;
        }
    }
    gs_info("stopping: %llu stored, %llu duplicate, %llu stale, %llu dropped",
            (unsigned long long)st.stored, (unsigned long long)st.dup, (unsigned long long)st.stale,
            (unsigned long long)st.dropped);
out:
    gs_sock_destroy(&sock);
    if (zctx)
        zmq_ctx_term(zctx);
    gs_metrics_destroy(&mx);
    gs_redis_destroy(&redis);
    gs_buf_cleanup(&out);
    free(batch);
    return rc;
}
