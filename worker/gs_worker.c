/* gs_worker.c -- the worker's event loop: ZeroMQ in and out, curl multi in the middle. */
#include "gs_worker.h"
#include "gs_crash.h"
#include "gs_fetch.h"
#include "gs_job.h"
#include "gs_linkcache.h"
#include "gs_log.h"
#include "gs_metrics.h"
#include "gs_msg.h"
#include "gs_page.h"
#include "gs_registry.h"
#include "gs_sock.h"
#include "gs_util.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zmq.h>

typedef struct slot {
    gs_job_t *job;
    int sent;             /* result sent to the collector at least once */
    int64_t resend_at_ms; /* when to send it again if no ack came */
} slot_t;

typedef struct gs_worker {
    const gs_config_t *cfg;
    char id[GS_ID_MAX];
    void *zctx, *disp, *coll; /* disp and coll are borrowed from their gs_sock_t */
    gs_sock_t *disp_sock, *coll_sock;
    gs_metrics_t *metrics;
    gs_fetch_t *fetch;
    gs_linkcache_t *links;
    gs_check_env_t env;
    slot_t *slots;
    uint32_t nslots;
    gs_buf_t out;
    int64_t last_from_disp_ms;
    int64_t next_hb_ms;
    uint64_t dropped_msgs;
    int64_t trimmed_ms; /* last heap trim */
} gs_worker_t;

#define TRIM_EVERY_MS 1000

/* Give the heap's free memory back to the system when a task ends, at most once a
 * second. A site's pages, trees and facts come in many sizes and are freed in another
 * order than they were allocated, and glibc keeps what it freed: a worker grew from 83 to
 * 133 MB as it swept 1x to 4x the sites, with the live data flat (docs/performance.md,
 * "Memory"). malloc_trim walks the free lists (well under a millisecond at these sizes);
 * other C libraries return memory by themselves or have no such call. */
static void trim_heap(gs_worker_t *w)
{
#ifdef __GLIBC__
    int64_t now = gs_now_ms();
    if (now - w->trimmed_ms < TRIM_EVERY_MS)
        return;
    w->trimmed_ms = now;
    malloc_trim(0);
#else
    (void)w;
#endif
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static size_t held(gs_worker_t *w, gs_taskref_t *refs, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < w->nslots && n < max; i++)
        if (w->slots[i].job) {
            const gs_task_t *t = gs_job_task(w->slots[i].job);
            snprintf(refs[n].target, sizeof(refs[n].target), "%s", t->target);
            refs[n].epoch = t->epoch;
            n++;
        }
    return n;
}

static int send_buf(void *sock, gs_buf_t *b)
{
    return zmq_send(sock, b->data, b->len, ZMQ_DONTWAIT) < 0 ? GS_EZMQ : 0;
}

static void send_hello(gs_worker_t *w)
{
    gs_taskref_t refs[GS_MSG_MAX_TASKS];
    size_t n = held(w, refs, GS_MSG_MAX_TASKS);
    gs_buf_reset(&w->out);
    if (gs_msg_encode_hello(&w->out, w->id, w->nslots, refs, n) == 0)
        send_buf(w->disp, &w->out);
}

static void send_hb(gs_worker_t *w)
{
    gs_taskref_t refs[GS_MSG_MAX_TASKS];
    size_t n = held(w, refs, GS_MSG_MAX_TASKS);
    gs_buf_reset(&w->out);
    if (gs_msg_encode_hb(&w->out, refs, n) == 0)
        send_buf(w->disp, &w->out);
    if (n) /* a lease renewal on its way: the leases lapse unless a restart re-says them */
        gs_crash_point("worker.heartbeat");
}

static void take_task(gs_worker_t *w, const gs_task_t *t)
{
    int free_slot = -1;
    for (uint32_t i = 0; i < w->nslots; i++) {
        if (w->slots[i].job) {
            const gs_task_t *h = gs_job_task(w->slots[i].job);
            if (strcmp(h->target, t->target) == 0 && strcmp(h->sweep, t->sweep) == 0) {
                if (h->epoch == t->epoch)
                    return; /* a duplicate delivery */
                /* a newer lease of a target we still hold: the old one is outdated */
                gs_job_destroy(&w->slots[i].job);
                free_slot = (int)i;
                break;
            }
        } else if (free_slot < 0) {
            free_slot = (int)i;
        }
    }
    if (free_slot < 0) {
        /* More than our credit: refuse by ignoring; the lease lapses and goes elsewhere. */
        gs_warn("task %s beyond capacity %u ignored", t->target, w->nslots);
        return;
    }
    slot_t *s = &w->slots[free_slot];
    memset(s, 0, sizeof(*s));
    s->job = gs_job_new(t, w->id, w->fetch, w->cfg, &w->env, w->links);
    if (!s->job)
        gs_error("cannot start task %s: out of memory", t->target);
    else
        gs_metrics_add(w->metrics, GS_M_TASKS_LEASED, 1);
    if (s->job)
        gs_debug("task %s epoch %u (%s)", t->target, t->epoch, t->url);
    /* a target that kills its worker every time (reliability.md H7) */
    gs_crash_point_id("worker.target", t->target);
}

static void on_ack(gs_worker_t *w, const gs_msg_t *m)
{
    for (uint32_t i = 0; i < w->nslots; i++) {
        slot_t *s = &w->slots[i];
        if (!s->job || !gs_job_finished(s->job))
            continue;
        const gs_task_t *t = gs_job_task(s->job);
        if (t->epoch != m->epoch || strcmp(t->target, m->target) || strcmp(t->sweep, m->sweep))
            continue;
        /* Stored (or known) at the collector: now the dispatcher may count it done. */
        gs_buf_reset(&w->out);
        if (gs_msg_encode_done(&w->out, m->sweep, m->target, m->epoch, m->outcome) == 0)
            send_buf(w->disp, &w->out);
        gs_debug("task %s %s", m->target, gs_outcome_name(m->outcome));
        gs_metrics_add(w->metrics, GS_M_TASKS_DONE, 1);
        gs_job_destroy(&s->job);
        gs_crash_point("worker.after_done"); /* stored; the done may not have left */
        trim_heap(w);
        return;
    }
}

/* Read one message from sock; 1 when one was handled, 0 when none waiting. */
static int recv_one(gs_worker_t *w, void *sock)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return 0;
    }
    int more = zmq_msg_more(&msg);
    gs_msg_t m;
    gs_err_t e;
    gs_err_clear(&e);
    int rc = more ? gs_err_set(&e, GS_EPARSE, "unexpected multi-part message")
                  : gs_msg_decode(zmq_msg_data(&msg), zmq_msg_size(&msg), &m, &e);
    while (more) { /* drain the rest of a multi-part message */
        zmq_msg_close(&msg);
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, 0) < 0)
            break;
        more = zmq_msg_more(&msg);
    }
    zmq_msg_close(&msg);
    if (rc < 0) {
        gs_metric_t why = e.code == GS_EPARSE && strstr(e.msg, "multi-part")
                              ? GS_M_DROP_FRAMES
                              : gs_metrics_drop_reason(&e);
        w->dropped_msgs++;
        gs_metrics_add(w->metrics, why, 1);
        gs_warn("dropped a message (%s): %s", gs_metrics_drop_name(why), e.msg);
        return 1;
    }
    int unexpected = 0;
    if (sock == w->disp) {
        w->last_from_disp_ms = gs_now_ms();
        if (m.type == GS_MSG_TASK)
            take_task(w, &m.task);
        else if (m.type == GS_MSG_RESET)
            send_hello(w);
        else if (m.type != GS_MSG_HB)
            unexpected = 1;
    } else {
        if (m.type == GS_MSG_ACK)
            on_ack(w, &m);
        else
            unexpected = 1;
    }
    if (unexpected) {
        w->dropped_msgs++;
        gs_metrics_add(w->metrics, GS_M_DROP_UNEXPECTED, 1);
        gs_warn("dropped a '%s' message from the %s", gs_msg_type_name(m.type),
                sock == w->disp ? "dispatcher" : "collector");
    }
    gs_msg_cleanup(&m);
    return 1;
}

/* Send (or re-send) finished results that the collector has not acknowledged. */
static void flush_results(gs_worker_t *w)
{
    int64_t now = gs_now_ms();
    for (uint32_t i = 0; i < w->nslots; i++) {
        slot_t *s = &w->slots[i];
        if (!s->job || !gs_job_finished(s->job) || (s->sent && now < s->resend_at_ms))
            continue;
        if (!s->sent) { /* finished just now: count its work once, however often it is sent */
            const gs_result_t *r = gs_job_result(s->job);
            gs_metrics_add(w->metrics, GS_M_PAGES, r->pages);
            gs_metrics_add(w->metrics, GS_M_BYTES, r->bytes);
            gs_metrics_add(w->metrics, GS_M_FINDINGS, r->findings.len);
        }
        gs_buf_reset(&w->out);
        int rc = gs_msg_encode_result(&w->out, gs_job_result(s->job));
        if (rc < 0) {
            gs_error("result of %s cannot be encoded (%s)", gs_job_task(s->job)->target,
                     gs_strerror(rc));
            s->resend_at_ms = now + w->cfg->result_retry_ms;
            s->sent = 1;
            continue;
        }
        int sent = send_buf(w->coll, &w->out);
        if (sent < 0)
            gs_metrics_add(w->metrics, GS_M_ERR_SEND, 1);
        if (sent == 0 && s->sent)
            gs_info("re-sent the result of %s (no ack yet)", gs_job_task(s->job)->target);
        int first = !s->sent;
        s->sent = 1;
        s->resend_at_ms = now + w->cfg->result_retry_ms;
        if (first) /* the result is on its way and exists nowhere else */
            gs_crash_point("worker.after_result");
    }
}

/* The gauges and the counters kept elsewhere (fetch engine, sockets), copied in. */
static void update_metrics(gs_worker_t *w)
{
    uint64_t held_now = 0;
    for (uint32_t i = 0; i < w->nslots; i++)
        held_now += w->slots[i].job != NULL;
    gs_metrics_set(w->metrics, GS_M_TASKS_INFLIGHT, held_now);
    gs_fetch_stats_t fs;
    gs_fetch_stats(w->fetch, &fs);
    gs_metrics_set(w->metrics, GS_M_ERR_FETCH, fs.failed);
    gs_metrics_set(w->metrics, GS_M_ERR_REFUSED, fs.refused);
    gs_metrics_set(w->metrics, GS_M_ERR_TRUNCATED, fs.truncated);
    gs_metrics_set(w->metrics, GS_M_BACKOFFS, fs.backoffs);
    gs_linkcache_stats_t ls;
    gs_linkcache_stats(w->links, &ls);
    gs_metrics_set(w->metrics, GS_M_LINKS_CHECKED, ls.mine);
    gs_metrics_set(w->metrics, GS_M_LINKS_SHARED, ls.known_memory + ls.known_redis);
    gs_page_stats_t ps;
    gs_page_stats(&ps);
    gs_metrics_set(w->metrics, GS_M_PARSE_LIFTED, ps.lifted);
    gs_metrics_set(w->metrics, GS_M_PARSE_REPARSED, ps.reparsed);
    gs_sock_stats_t a, b;
    gs_sock_stats(w->disp_sock, &a);
    gs_sock_stats(w->coll_sock, &b);
    a.accepted += b.accepted;
    a.refused_key += b.refused_key;
    a.refused_protocol += b.refused_protocol;
    a.refused_other += b.refused_other;
    gs_metrics_set_handshakes(w->metrics, &a);
}

int gs_worker_run(const gs_config_t *cfg, gs_err_t *err)
{
    gs_worker_t *w = calloc(1, sizeof(*w));
    if (!w)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    int rc = 0;
    w->cfg = cfg;
    gs_buf_init(&w->out, GS_MSG_MAX_BYTES);
    if (cfg->worker_id[0]) {
        /* the id travels in every message and names the worker's claims: refuse, do not cut */
        if (!gs_id_valid(cfg->worker_id)) {
            rc = gs_err_set(err, GS_EINVAL,
                            "worker_id '%s': expected 1 to %d characters of A-Z a-z 0-9 . _ : -",
                            cfg->worker_id, GS_ID_MAX - 1);
            goto out;
        }
        snprintf(w->id, sizeof(w->id), "%s", cfg->worker_id);
    } else {
        char host[32] = "host";
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        snprintf(w->id, sizeof(w->id), "%.24s:%d", host, (int)getpid());
    }
    w->nslots = cfg->capacity ? cfg->capacity : 1;
    if (w->nslots > GS_MSG_MAX_TASKS)
        w->nslots = GS_MSG_MAX_TASKS;
    const char *data_dir = gs_config_data_dir(cfg);
    if ((rc = gs_check_env_load(&w->env, cfg, data_dir, err)) < 0)
        goto out;
    w->slots = calloc(w->nslots, sizeof(*w->slots));
    if (!w->slots) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    if (!(w->fetch = gs_fetch_new(cfg, err))) {
        rc = GS_ECURL;
        goto out;
    }
    /* the link verdicts are shared through the sweep's Redis when the worker has one */
    if (!(w->links = gs_linkcache_new(cfg->redis, w->id))) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    if (!(w->metrics = gs_metrics_new(GS_METRICS_WORKER))) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    w->zctx = zmq_ctx_new();
    if (!w->zctx ||
        !(w->disp_sock = gs_sock_connect(w->zctx, cfg, cfg->dispatcher_endpoint, w->id,
                                         GS_MSG_MAX_BYTES + GS_SOCK_MAXMSG_SLACK, err)) ||
        !(w->coll_sock = gs_sock_connect(w->zctx, cfg, cfg->collector_endpoint, w->id,
                                         GS_MSG_MAX_BYTES + GS_SOCK_MAXMSG_SLACK, err))) {
        rc = err && err->code ? err->code : GS_EZMQ;
        goto out;
    }
    w->disp = gs_sock_zmq(w->disp_sock);
    w->coll = gs_sock_zmq(w->coll_sock);
    if ((rc = gs_metrics_listen(w->metrics, cfg->metrics_listen, err)) < 0)
        goto out;
    if (gs_metrics_port(w->metrics))
        gs_info("metrics on %s (port %d), GET /metrics", cfg->metrics_listen,
                gs_metrics_port(w->metrics));

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    gs_info("worker %s: capacity %u, dispatcher %s, collector %s", w->id, w->nslots,
            cfg->dispatcher_endpoint, cfg->collector_endpoint);
    send_hello(w);
    w->last_from_disp_ms = gs_now_ms();
    int fds[2];
    size_t fl = sizeof(int);
    zmq_getsockopt(w->disp, ZMQ_FD, &fds[0], &fl);
    fl = sizeof(int);
    zmq_getsockopt(w->coll, ZMQ_FD, &fds[1], &fl);
    while (!stop_flag) {
        /* ZMQ_FD is edge-like: drain both sockets fully every turn, then poll. */
        for (int n = 0; n < 256 && recv_one(w, w->disp); n++)
            ;
        for (int n = 0; n < 256 && recv_one(w, w->coll); n++)
            ;
        for (uint32_t i = 0; i < w->nslots; i++)
            if (w->slots[i].job)
                gs_job_poll(w->slots[i].job);
        gs_linkcache_flush(w->links);
        flush_results(w);
        /* a refused handshake is not retried by libzmq: gs_sock does, and a dispatcher
         * reached again hears hello at once */
        if (gs_sock_maintain(w->disp_sock) == 1)
            send_hello(w);
        (void)gs_sock_maintain(w->coll_sock);
        update_metrics(w);
        int64_t now = gs_now_ms();
        if (now >= w->next_hb_ms) {
            if (now - w->last_from_disp_ms > (int64_t)cfg->lease_ms) {
                /* The dispatcher went quiet (restarted?): introduce ourselves again. */
                send_hello(w);
                w->last_from_disp_ms = now;
            } else {
                send_hb(w);
            }
            w->next_hb_ms = now + cfg->heartbeat_ms;
        }
        int timeout = (int)(w->next_hb_ms - gs_now_ms());
        if (timeout > 100)
            timeout = 100;
        if (timeout < 0)
            timeout = 0;
        gs_fetch_poll(w->fetch, fds, 2, timeout);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    gs_fetch_stats_t fs;
    gs_fetch_stats(w->fetch, &fs);
    gs_sock_stats_t ds, cs;
    gs_sock_stats(w->disp_sock, &ds);
    gs_sock_stats(w->coll_sock, &cs);
    gs_linkcache_stats_t ls;
    gs_linkcache_stats(w->links, &ls);
    gs_info("worker %s stopping: link verdicts %llu checked here, %llu taken from this "
            "worker's earlier checks, %llu from other workers' (redis), %llu waits, %llu "
            "written, %llu redis errors",
            w->id, (unsigned long long)ls.mine, (unsigned long long)ls.known_memory,
            (unsigned long long)ls.known_redis, (unsigned long long)ls.waits,
            (unsigned long long)ls.written, (unsigned long long)ls.redis_errors);
    gs_info("worker %s stopping: %llu tasks received, %llu acknowledged; handshakes refused: "
            "%llu by the dispatcher, %llu by the collector",
            w->id, (unsigned long long)gs_metrics_get(w->metrics, GS_M_TASKS_LEASED),
            (unsigned long long)gs_metrics_get(w->metrics, GS_M_TASKS_DONE),
            (unsigned long long)(ds.refused_key + ds.refused_protocol + ds.refused_other),
            (unsigned long long)(cs.refused_key + cs.refused_protocol + cs.refused_other));
    gs_info("worker %s stopping: %llu requests (%llu ok, %llu failed, %llu refused, %llu "
            "truncated), %llu bytes, peak RSS %ld KiB, cpu %.2f s, %llu malformed messages "
            "dropped",
            w->id, (unsigned long long)fs.requests, (unsigned long long)fs.ok,
            (unsigned long long)fs.failed, (unsigned long long)fs.refused,
            (unsigned long long)fs.truncated, (unsigned long long)fs.bytes, ru.ru_maxrss,
            (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                ru.ru_stime.tv_usec / 1e6,
            (unsigned long long)w->dropped_msgs);
out:
    for (uint32_t i = 0; w->slots && i < w->nslots; i++)
        gs_job_destroy(&w->slots[i].job);
    free(w->slots);
    gs_fetch_destroy(&w->fetch);
    gs_linkcache_destroy(&w->links);
    gs_sock_destroy(&w->disp_sock);
    gs_sock_destroy(&w->coll_sock);
    if (w->zctx)
        zmq_ctx_term(w->zctx);
    gs_metrics_destroy(&w->metrics);
    gs_check_env_cleanup(&w->env);
    gs_buf_cleanup(&w->out);
    free(w);
    return rc;
}
