/* gs_collector.c -- the result sink: validate, store in batches, then acknowledge. */
#include "gs_collector.h"
#include "gs_log.h"
#include "gs_msg.h"
#include "gs_redis.h"
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
static int recv_result(void *router, pending_t *p, stats_t *st)
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
    if (!got || extra || rn > (int)sizeof(p->rid))
        gs_warn("dropped a message with the wrong frames");
    else if (gs_msg_decode(zmq_msg_data(&body), zmq_msg_size(&body), &p->msg, &e) < 0)
        gs_warn("dropped a malformed message (%zu bytes): %s", zmq_msg_size(&body), e.msg);
    else if (p->msg.type != GS_MSG_RESULT) {
        gs_warn("dropped a '%s' message: the collector takes results only",
                gs_msg_type_name(p->msg.type));
        gs_msg_cleanup(&p->msg);
    } else
        rc = 1;
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
    void *zctx = NULL, *router = NULL;
    gs_buf_t out;
    stats_t st;
    memset(&st, 0, sizeof(st));
    gs_buf_init(&out, 64 * 1024);
    if (!batch) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    if (!(redis = gs_redis_new(cfg->redis, err))) {
        rc = GS_EREDIS;
        goto out;
    }
    zctx = zmq_ctx_new();
    router = zmq_socket(zctx, ZMQ_ROUTER);
    int zero = 0, one = 1;
    int64_t maxmsg = GS_MSG_MAX_BYTES;
    zmq_setsockopt(router, ZMQ_LINGER, &zero, sizeof(zero));
    zmq_setsockopt(router, ZMQ_ROUTER_HANDOVER, &one, sizeof(one));
    zmq_setsockopt(router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
    if (zmq_bind(router, cfg->collector_endpoint) < 0) {
        rc = gs_err_set(err, GS_EZMQ, "cannot bind %s: %s", cfg->collector_endpoint,
                        zmq_strerror(errno));
        goto out;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    gs_info("listening on %s", cfg->collector_endpoint);

    int64_t next_report = gs_now_ms() + 10000;
    while (!stop_flag) {
        zmq_pollitem_t it = {router, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, 200);
        size_t n = 0;
        while (n < BATCH_MAX) {
            int r = recv_result(router, &batch[n], &st);
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
            if (gs_store_results(redis, res, n, oc, &e) < 0) {
                /* Nothing acknowledged: the workers keep their results and re-send. */
                st.redis_errors++;
                gs_warn("storing %zu results failed: %s; workers will re-send", n, e.msg);
                struct timespec ts = {0, 200 * 1000 * 1000};
                nanosleep(&ts, NULL);
            } else {
                for (size_t i = 0; i < n; i++) {
                    const gs_result_t *r = res[i];
                    if (oc[i] == GS_OUTCOME_STORED)
                        st.stored++;
                    else if (oc[i] == GS_OUTCOME_DUP)
                        st.dup++;
                    else
                        st.stale++;
                    gs_buf_reset(&out);
                    if (gs_msg_encode_ack(&out, r->sweep, r->target, r->epoch, oc[i]) == 0) {
                        zmq_send(router, batch[i].rid, batch[i].rid_len,
                                 ZMQ_SNDMORE | ZMQ_DONTWAIT);
                        zmq_send(router, out.data, out.len, ZMQ_DONTWAIT);
                    }
                    if (oc[i] == GS_OUTCOME_STALE)
                        gs_info("refused a stale result for %s (epoch %u)", r->target, r->epoch);
                }
            }
            for (size_t i = 0; i < n; i++)
                gs_msg_cleanup(&batch[i].msg);
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
    if (router)
        zmq_close(router);
    if (zctx)
        zmq_ctx_term(zctx);
    gs_redis_destroy(&redis);
    gs_buf_cleanup(&out);
    free(batch);
    return rc;
}
