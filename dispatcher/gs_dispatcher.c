/* gs_dispatcher.c -- the sweep's planner and lease keeper.
 *
 * State of each target (by registry index): pending (in the queue), leased (to a worker,
 * with an epoch and an expiry), or done (its done marker is in Redis). The queue is a ring
 * the size of the registry, so nothing here grows with time. Epochs are the target's lease
 * count, kept in Redis (gs:sweep:S:attempts), so they keep increasing across dispatcher
 * restarts and a result from an older lease can always be told apart. */
#include "gs_dispatcher.h"
#include "gs_crash.h"
#include "gs_date.h"
#include "gs_log.h"
#include "gs_metrics.h"
#include "gs_msg.h"
#include "gs_platform.h"
#include "gs_watch.h"
#include "gs_redis.h"
#include "gs_registry.h"
#include "gs_sock.h"
#include "gs_store.h"
#include "gs_util.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_WORKERS 1024
#define ROUTING_ID_MAX 64
#define DISPATCH_MAX_MSG (1024 * 1024)
#define PLAN_BATCH 500

typedef enum { T_PENDING = 0, T_LEASED, T_DONE } tstate_t;

typedef struct tslot {
    tstate_t state;
    uint32_t epoch;    /* of the current lease */
    uint32_t attempts; /* leases issued so far */
    int worker;        /* index in workers[], -1 when not leased */
    int64_t expiry_ms; /* when the lease lapses unless renewed */
    int held_before;   /* leased by an earlier dispatcher and not done: a worker may hold it */
} tslot_t;

typedef struct wslot {
    int used;
    unsigned char rid[ROUTING_ID_MAX]; /* ZeroMQ routing id */
    size_t rid_len;
    char name[GS_ID_MAX];
    uint32_t capacity;
    uint32_t inflight; /* our leases attached to it (worker == this slot): held or on the way */
    uint32_t foreign;  /* tasks it says it holds that are no lease of ours (an outdated epoch,
                          a target done meanwhile): they fill its slots until their `done` */
    int has_solo;      /* it holds solo_i, a target on its last lease (solo_busy) */
    size_t solo_i;
    int64_t last_seen_ms;
} wslot_t;

/* A ring of target indices the size of the registry: a target is in one ring at most,
 * once, so a ring never overflows and nothing here grows with time. */
typedef struct ring {
    size_t *v;
    size_t head, len;
} ring_t;

typedef struct gs_dispatcher {
    const gs_config_t *cfg;
    gs_registry_t *reg;
    gs_platforms_t *platforms;
    gs_findings_t *pre; /* registry-level findings of each target (M-DUPLICATE) */
    gs_redis_t *redis;
    char sweep[GS_ID_MAX];
    int64_t ref_unix;
    gs_judge_t judge; /* the settings the sweep was planned with (gs_judge.h) */
    size_t n;
    tslot_t *t;
    ring_t queue; /* pending targets, in order */
    ring_t solo;  /* pending targets whose next lease is their last: leased to an idle
                     worker and alone (a target that kills its worker takes no other
                     target's attempts with it) */
    size_t ndone;
    int64_t adopt_until_ms; /* targets held_before are not leased before this (load_state) */
    wslot_t workers[MAX_WORKERS];
    void *zctx, *router; /* router is borrowed from sock */
    gs_sock_t *sock;
    gs_metrics_t *metrics;
    gs_buf_t out;
    uint64_t dropped_msgs;
} gs_dispatcher_t;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* ---- registry and plan ------------------------------------------------------------- */

static int load_registry(const gs_config_t *cfg, gs_registry_t **out, uint64_t *hash, gs_err_t *err)
{
    if (!cfg->registry[0])
        return gs_err_set(err, GS_EINVAL, "no registry given (--registry FILE)");
    gs_registry_t *reg = gs_registry_new();
    if (!reg)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    int rc = gs_registry_load_file(reg, cfg->registry, err);
    if (rc < 0) {
        size_t np = gs_registry_nproblems(reg);
        for (size_t i = 0; i < np; i++)
            gs_error("%s: %s", cfg->registry, gs_registry_problem(reg, i));
        gs_registry_destroy(&reg);
        return rc;
    }
    /* The registry's identity: every target's fields, so that a resumed sweep id can be
     * checked against the registry it was planned from. */
    uint64_t h = GS_FNV_INIT;
    for (size_t i = 0; i < gs_registry_count(reg); i++) {
        const gs_target_t *t = gs_registry_get(reg, i);
        const char *f[] = {t->id, t->name, t->region, t->url, t->owner, t->platform, t->menu_url};
        for (size_t j = 0; j < sizeof(f) / sizeof(f[0]); j++)
            h = gs_fnv1a(h, f[j], strlen(f[j]) + 1);
        h = gs_fnv1a(h, &t->kind, sizeof(t->kind));
    }
    *hash = h;
    *out = reg;
    return 0;
}

static int resolve_sweep(const gs_config_t *cfg, char *sweep, size_t len, int64_t *ref,
                         gs_err_t *err)
{
    if (cfg->reference_time[0]) {
        int rc = gs_time_parse_reference(cfg->reference_time, ref, err);
        if (rc < 0)
            return rc;
    } else {
        *ref = gs_wall_s();
    }
    if (cfg->sweep[0]) {
        if (!gs_id_valid(cfg->sweep))
            return gs_err_set(err, GS_EINVAL,
                              "sweep id '%s': use 1-39 letters, digits, '.', '_', ':', '-'",
                              cfg->sweep);
        snprintf(sweep, len, "%s", cfg->sweep);
    } else {
        gs_sweep_id_default(*ref, sweep, len);
    }
    return 0;
}

static char *extra_json(const gs_target_t *t)
{
    json_t *o = json_object();
    for (size_t i = 0; i < t->nextra; i++)
        json_object_set_new(o, t->extra_keys[i], json_string(t->extra_vals[i]));
    char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(o);
    return s;
}

/* ---- registry-level checks -------------------------------------------------------- */

/* The normalized platform of account t ("" for a site), in buf. */
static gs_platform_t platform_of(const gs_platforms_t *pl, const gs_target_t *t, char *buf,
                                 size_t buflen)
{
    gs_platform_t p = {"", "", false, false};
    if (t->kind != GS_KIND_ACCOUNT)
        return p;
    return gs_platform_normalize(pl, t->platform, buf, buflen);
}

/* M-DUPLICATE (checks.md): one owner with several accounts on one platform, found in the
 * registry, not by fetching. The first account of a group (registry order) is the one
 * kept; each later one gets the finding, naming the others. Accounts with no owner are
 * not grouped. A 订阅号 and a 服务号 are different account types of one platform and do
 * not make a duplicate (docs/configuration.md). pre[i] receives target i's findings. */
static int registry_checks(const gs_registry_t *reg, const gs_platforms_t *pl, gs_findings_t *pre)
{
    size_t n = gs_registry_count(reg);
    char bi[64], bk[64];
    for (size_t i = 0; i < n; i++) {
        const gs_target_t *t = gs_registry_get(reg, i);
        if (t->kind != GS_KIND_ACCOUNT || !t->owner[0])
            continue;
        gs_platform_t pi = platform_of(pl, t, bi, sizeof(bi));
        /* the earlier accounts of the same owner, platform and type */
        json_t *others = json_array();
        char names[1024] = "";
        size_t nl = 0, count = 0;
        bool first = true;
        for (size_t k = 0; k < n; k++) {
            const gs_target_t *u = gs_registry_get(reg, k);
            if (k == i || u->kind != GS_KIND_ACCOUNT || strcmp(u->owner, t->owner) != 0)
                continue;
            gs_platform_t pk = platform_of(pl, u, bk, sizeof(bk));
            if (strcmp(pk.platform, pi.platform) != 0 || strcmp(pk.type, pi.type) != 0)
                continue;
            if (k < i)
                first = false;
            count++;
            json_array_append_new(others, json_string(u->id));
            if (nl < sizeof(names))
                nl += (size_t)snprintf(names + nl, sizeof(names) - nl, "%s“%s”（%s）",
                                       nl ? "、" : "", u->name, u->id);
        }
        if (first || !count) {
            json_decref(others);
            continue;
        }
        char ev[1600];
        snprintf(ev, sizeof(ev), "开设主体“%s”在%s%s开设了 %zu 个账号（另有%s）", t->owner,
                 pi.platform, pi.type, count + 1, names);
        json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "owner", t->owner, "platform", pi.platform,
                              "type", pi.type, "others", others);
        char *detail = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
        json_decref(o);
        int rc =
            detail ? gs_findings_add(&pre[i], "M-DUPLICATE", false, t->url, ev, detail) : GS_ENOMEM;
        free(detail);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Queue one command on the pipeline, counting it; on failure jump to `fail`, which must
 * drop the connection (half a pipeline cannot be read back in step). */
#define PIPE(ctx, cnt, ...)                                                                        \
    do {                                                                                           \
        if (redisAppendCommand(ctx, __VA_ARGS__) != REDIS_OK)                                      \
            goto fail;                                                                             \
        (cnt)++;                                                                                   \
    } while (0)

/* Read cnt pipelined replies; any error reply fails the whole write. */
static int drain(gs_redis_t *r, int cnt, gs_err_t *err)
{
    int rc = 0;
    for (int i = 0; i < cnt; i++) {
        redisReply *rep = NULL;
        if (redisGetReply(gs_redis_ctx(r), (void **)&rep) != REDIS_OK) {
            rc = gs_err_set(err, GS_EREDIS, "redis: %s", gs_redis_ctx(r)->errstr);
            gs_redis_reconnect(r, NULL);
            return rc;
        }
        if (rep->type == REDIS_REPLY_ERROR && rc == 0)
            rc = gs_err_set(err, GS_EREDIS, "redis: %s", rep->str);
        freeReplyObject(rep);
    }
    return rc;
}

/* Write the plan in one MULTI/EXEC, so a dispatcher killed half-way leaves no half plan. */
static int write_plan(gs_redis_t *r, const char *sweep, const gs_registry_t *reg,
                      const gs_platforms_t *pl, const gs_config_t *cfg, int64_t ref, uint64_t hash,
                      gs_err_t *err)
{
    redisContext *ctx = gs_redis_ctx(r);
    if (!ctx)
        return gs_err_set(err, GS_EREDIS, "redis not connected");
    char p[96], reft[40], created[40], hs[24], tot[24], ns[24], na[24], refu[24], mp[16], ma[16];
    snprintf(p, sizeof(p), "gs:sweep:%s:", sweep);
    gs_time_format_cst(ref, reft, sizeof(reft));
    gs_time_format_cst(gs_wall_s(), created, sizeof(created));
    snprintf(hs, sizeof(hs), "%016llx", (unsigned long long)hash);
    size_t nsites = 0, n = gs_registry_count(reg);
    for (size_t i = 0; i < n; i++)
        nsites += gs_registry_get(reg, i)->kind == GS_KIND_SITE;
    snprintf(tot, sizeof(tot), "%zu", n);
    snprintf(ns, sizeof(ns), "%zu", nsites);
    snprintf(na, sizeof(na), "%zu", n - nsites);
    snprintf(refu, sizeof(refu), "%lld", (long long)ref);
    snprintf(mp, sizeof(mp), "%u", cfg->max_pages);
    snprintf(ma, sizeof(ma), "%u", cfg->max_attempts);
    gs_judge_t judge;
    gs_judge_from_config(&judge, cfg);
    char *jjson = gs_judge_to_json(&judge);
    if (!jjson)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    int cnt = 0;
    PIPE(ctx, cnt, "MULTI");
    for (size_t i = 0; i < n; i++) {
        const gs_target_t *t = gs_registry_get(reg, i);
        char *extra = extra_json(t);
        char line[16];
        snprintf(line, sizeof(line), "%d", t->line);
        if (!extra)
            goto fail;
        char pbuf[64];
        gs_platform_t pn = platform_of(pl, t, pbuf, sizeof(pbuf));
        int ok = redisAppendCommand(ctx,
                                    "HSET %starget:%s id %s kind %s name %s region %s url %s "
                                    "owner %s platform %s platform_registered %s account_type %s "
                                    "menu_url %s line %s extra %s",
                                    p, t->id, t->id, gs_kind_name(t->kind), t->name, t->region,
                                    t->url, t->owner, pn.platform, t->platform, pn.type,
                                    t->menu_url, line, extra);
        free(extra);
        if (ok != REDIS_OK)
            goto fail;
        cnt++;
        PIPE(ctx, cnt, "RPUSH %stargets %s", p, t->id);
    }
    for (size_t i = 0; i < gs_registry_nregions(reg); i++)
        PIPE(ctx, cnt, "RPUSH %sregions %s", p, gs_registry_region(reg, i));
    PIPE(ctx, cnt,
         "HSET %smeta sweep %s reference_time %s reference_unix %s registry %s "
         "registry_hash %s total %s sites %s accounts %s created %s status running "
         "max_pages %s max_attempts %s judge %s",
         p, sweep, reft, refu, cfg->registry, hs, tot, ns, na, created, mp, ma, jjson);
    PIPE(ctx, cnt, "ZADD gs:sweeps %s %s", refu, sweep);
    PIPE(ctx, cnt, "EXEC");
    free(jjson);
    return drain(r, cnt, err);
fail:
    free(jjson);
    /* Out of memory while queueing: nothing was sent inside EXEC, so nothing is written;
     * a fresh connection discards the half-built pipeline. */
    gs_redis_reconnect(r, NULL);
    return gs_err_set(err, GS_ENOMEM, "out of memory while writing the plan of %s", sweep);
}

/* Plan or resume: 1 when the plan already existed, 0 when written now. */
static int plan_sweep(gs_redis_t *r, const char *sweep, const gs_registry_t *reg,
                      const gs_platforms_t *pl, const gs_config_t *cfg, int64_t ref, uint64_t hash,
                      gs_err_t *err)
{
    redisReply *rep = gs_redis_command(r, err, "HGET gs:sweep:%s:meta registry_hash", sweep);
    if (!rep)
        return GS_EREDIS;
    int exists = rep->type == REDIS_REPLY_STRING;
    char have[24] = "";
    if (exists)
        snprintf(have, sizeof(have), "%s", rep->str);
    freeReplyObject(rep);
    if (exists) {
        char hs[24];
        snprintf(hs, sizeof(hs), "%016llx", (unsigned long long)hash);
        if (strcmp(hs, have) != 0)
            return gs_err_set(err, GS_EEXIST,
                              "sweep %s exists with another registry; choose another --sweep",
                              sweep);
        return 1;
    }
    int rc = write_plan(r, sweep, reg, pl, cfg, ref, hash, err);
    return rc < 0 ? rc : 0;
}

int gs_dispatcher_plan(const gs_config_t *cfg, char *sweep_out, size_t outlen, gs_err_t *err)
{
    gs_registry_t *reg = NULL;
    uint64_t hash;
    int64_t ref;
    gs_platforms_t *pl = NULL;
    int rc = load_registry(cfg, &reg, &hash, err);
    if (rc < 0)
        return rc;
    if ((rc = resolve_sweep(cfg, sweep_out, outlen, &ref, err)) < 0)
        goto out;
    pl = gs_platforms_load(gs_config_data_dir(cfg), err);
    if (!pl) {
        rc = err && err->code ? err->code : GS_EIO;
        goto out;
    }
    gs_redis_t *r = gs_redis_new(cfg->redis, err);
    if (!r) {
        rc = GS_EREDIS;
        goto out;
    }
    rc = plan_sweep(r, sweep_out, reg, pl, cfg, ref, hash, err);
    gs_redis_destroy(&r);
out:
    gs_platforms_destroy(&pl);
    gs_registry_destroy(&reg);
    return rc < 0 ? rc : 0;
}

/* The settings the sweep was planned with: its meta's `judge`, or -- a sweep planned before
 * govsweep kept them -- this configuration's, kept from now on. A configuration that has
 * changed since is said once: the sweep goes on as planned, so that one notice is not
 * judged by two sets of rules. */
static int load_judge(gs_dispatcher_t *d, gs_err_t *err)
{
    gs_judge_t now;
    gs_judge_from_config(&now, d->cfg);
    redisReply *rep = gs_redis_command(d->redis, err, "HGET gs:sweep:%s:meta judge", d->sweep);
    if (!rep)
        return GS_EREDIS;
    int rc = 0;
    if (rep->type == REDIS_REPLY_STRING) {
        gs_err_t je;
        gs_err_clear(&je);
        if (gs_judge_from_json(&d->judge, rep->str, &je) < 0)
            rc = gs_err_set(err, GS_EPARSE, "sweep %s: gs:sweep:%s:meta judge: %s", d->sweep,
                            d->sweep, je.msg);
    } else {
        d->judge = now;
        char *json = gs_judge_to_json(&now);
        redisReply *w = json ? gs_redis_command(d->redis, err, "HSETNX gs:sweep:%s:meta judge %s",
                                                d->sweep, json)
                             : NULL;
        if (!w)
            rc = json ? GS_EREDIS : gs_err_set(err, GS_ENOMEM, "out of memory");
        else
            freeReplyObject(w);
        free(json);
    }
    freeReplyObject(rep);
    char diff[1024];
    if (rc == 0 && gs_judge_diff(&d->judge, &now, diff, sizeof(diff)))
        gs_warn("sweep %s keeps the settings it was planned with, not this configuration's: %s",
                d->sweep, diff);
    return rc;
}

/* ---- state ------------------------------------------------------------------------- */

static void ring_push_back(gs_dispatcher_t *d, ring_t *r, size_t i)
{
    r->v[(r->head + r->len) % d->n] = i;
    r->len++;
}

static void ring_push_front(gs_dispatcher_t *d, ring_t *r, size_t i)
{
    r->head = (r->head + d->n - 1) % d->n;
    r->v[r->head] = i;
    r->len++;
}

static size_t ring_pop(gs_dispatcher_t *d, ring_t *r)
{
    size_t i = r->v[r->head];
    r->head = (r->head + 1) % d->n;
    r->len--;
    return i;
}

/* Take target i out of ring r, keeping the order of the rest (rare: only when a worker
 * says after a restart that it holds a pending target). */
static void ring_remove(gs_dispatcher_t *d, ring_t *r, size_t i)
{
    size_t n = r->len;
    for (size_t q = 0; q < n; q++) {
        size_t x = ring_pop(d, r);
        if (x != i)
            ring_push_back(d, r, x);
    }
}

/* Is the next lease of slot s its last (a lapse then makes it 未检查)? Only for a target
 * that has been leased before: with max_attempts 1 every first lease would be. */
static int last_attempt(const gs_dispatcher_t *d, const tslot_t *s)
{
    return s->attempts > 0 && s->attempts + 1 >= d->cfg->max_attempts;
}

/* Queue a pending target: at the front (a lapsed lease: soon again) or back, or in the
 * solo ring when its next lease is its last. */
static void enqueue(gs_dispatcher_t *d, size_t i, int front)
{
    if (last_attempt(d, &d->t[i]))
        ring_push_back(d, &d->solo, i);
    else if (front)
        ring_push_front(d, &d->queue, i);
    else
        ring_push_back(d, &d->queue, i);
}

/* Index of a target id; SIZE_MAX when unknown. */
static size_t target_index(gs_dispatcher_t *d, const char *id)
{
    return gs_registry_index(d->reg, id);
}

/* Load done markers and attempt counters from Redis into the slots and the queue. */
static int load_state(gs_dispatcher_t *d, gs_err_t *err)
{
    redisReply *rep = gs_redis_command(d->redis, err, "SMEMBERS gs:sweep:%s:done", d->sweep);
    if (!rep)
        return GS_EREDIS;
    for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++) {
        size_t k = target_index(d, rep->element[i]->str);
        if (k != SIZE_MAX && d->t[k].state != T_DONE) {
            d->t[k].state = T_DONE;
            d->ndone++;
        }
    }
    freeReplyObject(rep);
    rep = gs_redis_command(d->redis, err, "HGETALL gs:sweep:%s:attempts", d->sweep);
    if (!rep)
        return GS_EREDIS;
    for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements; i += 2) {
        size_t k = target_index(d, rep->element[i]->str);
        if (k != SIZE_MAX)
            d->t[k].attempts = (uint32_t)strtoul(rep->element[i + 1]->str, NULL, 10);
    }
    freeReplyObject(rep);
    /* Targets never leased first, those an earlier dispatcher leased last: a worker that
     * holds one says so in its hello within a heartbeat or two, and adopting its lease
     * saves a second crawl and an attempt (dispatch waits adopt_until_ms for them). */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < d->n; i++) {
            tslot_t *s = &d->t[i];
            s->worker = -1;
            s->epoch = s->attempts;
            s->held_before = s->state == T_PENDING && s->attempts > 0;
            if (s->state == T_PENDING && s->held_before == pass)
                enqueue(d, i, 0);
        }
    d->adopt_until_ms = gs_now_ms() + 2 * (int64_t)d->cfg->heartbeat_ms + 100;
    return 0;
}

/* ---- messaging --------------------------------------------------------------------- */

static int send_to(gs_dispatcher_t *d, const wslot_t *w)
{
    if (zmq_send(d->router, w->rid, w->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(d->router, d->out.data, d->out.len, ZMQ_DONTWAIT) < 0)
        return GS_EZMQ;
    return 0;
}

static int find_worker(gs_dispatcher_t *d, const unsigned char *rid, size_t len)
{
    for (int i = 0; i < MAX_WORKERS; i++)
        if (d->workers[i].used && d->workers[i].rid_len == len &&
            memcmp(d->workers[i].rid, rid, len) == 0)
            return i;
    return -1;
}

static void drop_worker(gs_dispatcher_t *d, int wi, const char *why)
{
    wslot_t *w = &d->workers[wi];
    gs_warn("worker %s dropped (%s); its %u leases lapse when they expire", w->name, why,
            w->inflight);
    for (size_t i = 0; i < d->n; i++)
        if (d->t[i].state == T_LEASED && d->t[i].worker == wi)
            d->t[i].worker = -1; /* the lease stays until it expires: the worker may be slow,
                                    not dead, and its result is still welcome until then */
    memset(w, 0, sizeof(*w));
}

/* Store the dispatcher's own verdict for a target that exhausted its attempts. */
static int store_unchecked(gs_dispatcher_t *d, size_t i, const char *reason, gs_err_t *err)
{
    const gs_target_t *t = gs_registry_get(d->reg, i);
    gs_result_t res;
    gs_result_init(&res);
    snprintf(res.sweep, sizeof(res.sweep), "%s", d->sweep);
    snprintf(res.target, sizeof(res.target), "%s", t->id);
    snprintf(res.worker, sizeof(res.worker), "dispatcher");
    res.epoch = 0;
    res.kind = t->kind;
    res.checked = false;
    res.region = strdup(t->region);
    res.reason = strdup(reason);
    int rc = GS_ENOMEM;
    gs_outcome_t oc;
    if (res.region && res.reason) {
        const gs_result_t *one = &res;
        rc = gs_store_results(d->redis, &one, 1, &oc, err);
    }
    gs_result_cleanup(&res);
    return rc;
}

static void mark_done(gs_dispatcher_t *d, size_t i)
{
    tslot_t *s = &d->t[i];
    if (s->state == T_LEASED && s->worker >= 0 && d->workers[s->worker].inflight > 0)
        d->workers[s->worker].inflight--;
    int newly = s->state != T_DONE;
    if (newly) {
        d->ndone++;
        gs_metrics_add(d->metrics, GS_M_TASKS_DONE, 1);
    }
    s->state = T_DONE;
    s->worker = -1;
    /* done in our memory only: a restarted dispatcher reads the done markers again */
    if (newly)
        gs_crash_point("dispatcher.after_done");
}

/* Is the target's done marker in Redis? 1 yes, 0 no, <0 Redis error. */
static int redis_is_done(gs_dispatcher_t *d, const char *id)
{
    gs_err_t e;
    redisReply *rep = gs_redis_command(d->redis, &e, "SISMEMBER gs:sweep:%s:done %s", d->sweep, id);
    if (!rep) {
        gs_warn("%s", e.msg);
        gs_metrics_add(d->metrics, GS_M_ERR_REDIS, 1);
        return GS_EREDIS;
    }
    int yes = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
    freeReplyObject(rep);
    return yes;
}

/* A lease lapsed: back to the queue, or 未检查 after max_attempts. */
static void lease_expired(gs_dispatcher_t *d, size_t i)
{
    tslot_t *s = &d->t[i];
    const gs_target_t *t = gs_registry_get(d->reg, i);
    int done = redis_is_done(d, t->id);
    if (done < 0) {
        s->expiry_ms = gs_now_ms() + 1000; /* Redis away: look again in a second */
        return;
    }
    if (done) {
        /* stored just before the worker went silent: the lapse costs nothing */
        gs_metrics_add(d->metrics, GS_M_TASKS_LEASE_EXPIRED, 1);
        mark_done(d, i);
        return;
    }
    if (s->worker >= 0 && d->workers[s->worker].inflight > 0)
        d->workers[s->worker].inflight--;
    s->worker = -1;
    if (s->attempts >= d->cfg->max_attempts) {
        char reason[200];
        snprintf(reason, sizeof(reason), "%u 次派发均未在租约期内完成（工作进程崩溃、卡死或失联）",
                 s->attempts);
        gs_err_t e;
        gs_err_clear(&e);
        if (store_unchecked(d, i, reason, &e) < 0) {
            gs_warn("cannot store 未检查 for %s: %s; retrying", t->id, e.msg);
            gs_metrics_add(d->metrics, GS_M_ERR_REDIS, 1);
            s->expiry_ms = gs_now_ms() + 1000;
            return;
        }
        gs_warn("%s: %s", t->id, reason);
        gs_crash_point("dispatcher.after_unchecked");
        gs_metrics_add(d->metrics, GS_M_TASKS_LEASE_EXPIRED, 1);
        gs_metrics_add(d->metrics, GS_M_TASKS_UNCHECKED, 1);
        mark_done(d, i);
        return;
    }
    gs_info("lease of %s (epoch %u) expired; re-queued", t->id, s->epoch);
    gs_metrics_add(d->metrics, GS_M_TASKS_LEASE_EXPIRED, 1);
    gs_metrics_add(d->metrics, GS_M_TASKS_REISSUED, 1);
    s->state = T_PENDING;
    enqueue(d, i, 1);
}

/* Does worker wi hold a target on its last lease? Then it gets no other target, so that
 * if that one kills it, nothing else lapses with it. Checked lazily: the lease may have
 * ended (done, lapsed, detached) since. */
static int solo_busy(gs_dispatcher_t *d, int wi)
{
    wslot_t *w = &d->workers[wi];
    if (w->has_solo && (d->t[w->solo_i].state != T_LEASED || d->t[w->solo_i].worker != wi))
        w->has_solo = 0;
    return w->has_solo;
}

/* Attach the lease of target i to worker wi: counted in its credit. */
static void attach(gs_dispatcher_t *d, int wi, size_t i)
{
    tslot_t *s = &d->t[i];
    wslot_t *w = &d->workers[wi];
    s->worker = wi;
    w->inflight++;
    if (s->attempts > 1 && s->attempts >= d->cfg->max_attempts) {
        w->has_solo = 1;
        w->solo_i = i;
    }
}

static void handle_hello(gs_dispatcher_t *d, const unsigned char *rid, size_t rid_len,
                         const gs_msg_t *m)
{
    int wi = find_worker(d, rid, rid_len);
    if (wi < 0) {
        for (int i = 0; i < MAX_WORKERS && wi < 0; i++)
            if (!d->workers[i].used)
                wi = i;
        if (wi < 0) {
            gs_warn("worker %s refused: %d workers already", m->worker, MAX_WORKERS);
            return;
        }
    }
    wslot_t *w = &d->workers[wi];
    /* A worker we know says hello again (it restarted under the same id, or lost us for
     * a lease period): the leases attached to it stay attached and counted -- a task we
     * sent after its hello left is on its way to it -- until its heartbeats renew them or
     * they lapse. Counting too many only slows it down for a lease period; counting too
     * few would lease it more than it can hold, and each task it ignores burns one of the
     * target's max_attempts. */
    wslot_t known = *w;
    memset(w, 0, sizeof(*w));
    if (known.used) {
        w->inflight = known.inflight;
        w->has_solo = known.has_solo;
        w->solo_i = known.solo_i;
    }
    w->used = 1;
    memcpy(w->rid, rid, rid_len);
    w->rid_len = rid_len;
    snprintf(w->name, sizeof(w->name), "%s", m->worker);
    w->capacity = m->capacity;
    w->last_seen_ms = gs_now_ms();
    /* Adopt the leases it still holds from before a dispatcher restart, when Redis says
     * they are current; the others it holds are foreign: they lapse on their own here, and
     * take its slots until it says done. */
    for (size_t k = 0; k < m->ntasks; k++) {
        size_t i = target_index(d, m->tasks[k].target);
        if (i == SIZE_MAX) {
            w->foreign++;
            continue;
        }
        tslot_t *s = &d->t[i];
        if (s->state == T_LEASED && s->worker == wi && s->epoch == m->tasks[k].epoch) {
            s->expiry_ms = gs_now_ms() + d->cfg->lease_ms; /* ours, counted already */
            continue;
        }
        if (s->state == T_DONE || s->epoch != m->tasks[k].epoch ||
            (s->state == T_LEASED && s->worker >= 0)) {
            w->foreign++;
            continue;
        }
        if (s->state == T_PENDING) {
            ring_remove(d, &d->queue, i);
            ring_remove(d, &d->solo, i);
        }
        attach(d, wi, i);
        s->state = T_LEASED;
        s->held_before = 0;
        s->expiry_ms = gs_now_ms() + d->cfg->lease_ms;
    }
    gs_info("worker %s joined (capacity %u, holding %zu)", w->name, w->capacity, m->ntasks);
}

static void handle_hb(gs_dispatcher_t *d, int wi, const gs_msg_t *m)
{
    int64_t now = gs_now_ms();
    wslot_t *w = &d->workers[wi];
    /* What it lists is what fills its slots now; the leases attached to it that it does
     * not list yet are on their way to it (or lost: they lapse). */
    uint32_t foreign = 0;
    for (size_t k = 0; k < m->ntasks; k++) {
        size_t i = target_index(d, m->tasks[k].target);
        if (i == SIZE_MAX) {
            foreign++;
            continue;
        }
        tslot_t *s = &d->t[i];
        if (s->state == T_LEASED && s->epoch == m->tasks[k].epoch &&
            (s->worker == wi || s->worker < 0)) {
            if (s->worker < 0)
                attach(d, wi, i);
            s->expiry_ms = now + d->cfg->lease_ms;
        } else {
            foreign++;
        }
    }
    w->foreign = foreign;
}

static void handle_done(gs_dispatcher_t *d, int wi, const gs_msg_t *m)
{
    wslot_t *w = &d->workers[wi];
    size_t i = target_index(d, m->target);
    /* Whatever the outcome, the worker has freed one slot: the one of our lease when the
     * done is for it, else one of its foreign tasks. */
    int ours = i != SIZE_MAX && strcmp(m->sweep, d->sweep) == 0 && d->t[i].state == T_LEASED &&
               d->t[i].worker == wi && d->t[i].epoch == m->epoch;
    if (ours) {
        d->t[i].worker = -1;
        if (w->inflight > 0)
            w->inflight--;
    } else if (w->foreign > 0) {
        w->foreign--;
    }
    /* stale: the result lost to a newer lease, which stands */
    if (i == SIZE_MAX || strcmp(m->sweep, d->sweep) != 0 || m->outcome == GS_OUTCOME_STALE)
        return;
    tslot_t *s = &d->t[i];
    if (s->state == T_LEASED && s->worker >= 0) {
        /* Done by an older lease while another worker holds the current one: that worker
         * keeps the task (and its slot) until its own done, which will say dup. */
        wslot_t *o = &d->workers[s->worker];
        if (o->inflight > 0)
            o->inflight--;
        o->foreign++;
        s->worker = -1;
    }
    mark_done(d, i);
}

static void recv_messages(gs_dispatcher_t *d)
{
    for (int budget = 0; budget < 1000; budget++) {
        unsigned char rid[ROUTING_ID_MAX];
        int rn = zmq_recv(d->router, rid, sizeof(rid), ZMQ_DONTWAIT);
        if (rn < 0)
            return;
        zmq_msg_t body;
        zmq_msg_init(&body);
        int more = 0;
        size_t ml = sizeof(more);
        zmq_getsockopt(d->router, ZMQ_RCVMORE, &more, &ml);
        if (!more || zmq_msg_recv(&body, d->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&body);
            d->dropped_msgs++;
            gs_metrics_add(d->metrics, GS_M_DROP_FRAMES, 1);
            gs_warn("dropped a message with the wrong frames (a routing id only)");
            continue;
        }
        /* drain any extra frames: our protocol has exactly two */
        zmq_getsockopt(d->router, ZMQ_RCVMORE, &more, &ml);
        int extra = more;
        while (more) {
            zmq_msg_t x;
            zmq_msg_init(&x);
            zmq_msg_recv(&x, d->router, 0);
            zmq_msg_close(&x);
            zmq_getsockopt(d->router, ZMQ_RCVMORE, &more, &ml);
        }
        gs_msg_t m;
        gs_err_t e;
        gs_err_clear(&e);
        gs_metric_t why = GS_M_DROP_FRAMES;
        if (zmq_msg_size(&body) > DISPATCH_MAX_MSG) {
            why = GS_M_DROP_OVERSIZED;
            gs_err_set(&e, GS_ETOOBIG, "larger than %d bytes", DISPATCH_MAX_MSG);
        }
        if (rn > (int)sizeof(rid) || extra || why == GS_M_DROP_OVERSIZED ||
            gs_msg_decode(zmq_msg_data(&body), zmq_msg_size(&body), &m, &e) < 0) {
            if (!extra && rn <= (int)sizeof(rid) && why != GS_M_DROP_OVERSIZED)
                why = gs_metrics_drop_reason(&e);
            d->dropped_msgs++;
            gs_metrics_add(d->metrics, why, 1);
            gs_warn("dropped a message (%s, %zu bytes): %s", gs_metrics_drop_name(why),
                    zmq_msg_size(&body), why == GS_M_DROP_FRAMES ? "wrong frames" : e.msg);
            zmq_msg_close(&body);
            continue;
        }
        zmq_msg_close(&body);
        int wi = find_worker(d, rid, (size_t)rn);
        if (m.type == GS_MSG_HELLO) {
            handle_hello(d, rid, (size_t)rn, &m);
        } else if (wi < 0) {
            /* A worker we do not know (we restarted, or dropped it): ask it to say hello. */
            wslot_t tmp;
            memset(&tmp, 0, sizeof(tmp));
            memcpy(tmp.rid, rid, (size_t)rn);
            tmp.rid_len = (size_t)rn;
            gs_buf_reset(&d->out);
            if (gs_msg_encode_reset(&d->out) == 0)
                send_to(d, &tmp);
        } else {
            d->workers[wi].last_seen_ms = gs_now_ms();
            if (m.type == GS_MSG_HB)
                handle_hb(d, wi, &m);
            else if (m.type == GS_MSG_DONE)
                handle_done(d, wi, &m);
            else {
                d->dropped_msgs++;
                gs_metrics_add(d->metrics, GS_M_DROP_UNEXPECTED, 1);
                gs_warn("dropped a '%s' message from %s: the dispatcher does not take it",
                        gs_msg_type_name(m.type), d->workers[wi].name);
            }
        }
        gs_msg_cleanup(&m);
    }
}

/* Lease the target at the head of ring r to worker wi. 0 when leased; GS_EREDIS when
 * Redis did not take the epoch (it stays queued: try again later); GS_EZMQ when the
 * worker is gone (dropped). */
static int lease_head(gs_dispatcher_t *d, ring_t *r, int wi)
{
    wslot_t *w = &d->workers[wi];
    size_t i = r->v[r->head];
    const gs_target_t *t = gs_registry_get(d->reg, i);
    gs_err_t e;
    gs_err_clear(&e);
    /* The new epoch is written before the task leaves: a result can only carry an
     * epoch Redis already knows. */
    redisReply *rep =
        gs_redis_command(d->redis, &e, "HINCRBY gs:sweep:%s:attempts %s 1", d->sweep, t->id);
    if (!rep) {
        gs_warn("cannot lease %s: %s", t->id, e.msg);
        gs_metrics_add(d->metrics, GS_M_ERR_REDIS, 1);
        gs_metrics_set(d->metrics, GS_M_REDIS_UP, 0);
        return GS_EREDIS;
    }
    uint32_t epoch = (uint32_t)rep->integer;
    freeReplyObject(rep);
    rep = gs_redis_command(d->redis, &e, "HSET gs:sweep:%s:epoch %s %u", d->sweep, t->id, epoch);
    if (!rep) {
        gs_warn("cannot lease %s: %s", t->id, e.msg);
        gs_metrics_add(d->metrics, GS_M_ERR_REDIS, 1);
        gs_metrics_set(d->metrics, GS_M_REDIS_UP, 0);
        return GS_EREDIS;
    }
    freeReplyObject(rep);
    /* the epoch is in Redis, the task not sent: the lease is lost with us */
    gs_crash_point("dispatcher.after_epoch");
    (void)ring_pop(d, r);
    tslot_t *s = &d->t[i];
    s->state = T_LEASED;
    s->held_before = 0;
    s->epoch = epoch;
    s->attempts = epoch;
    s->expiry_ms = gs_now_ms() + d->cfg->lease_ms;
    attach(d, wi, i);
    gs_task_t task;
    gs_task_init(&task);
    snprintf(task.sweep, sizeof(task.sweep), "%s", d->sweep);
    snprintf(task.target, sizeof(task.target), "%s", t->id);
    task.epoch = epoch;
    task.attempt = epoch;
    task.kind = t->kind;
    task.url = (char *)t->url;
    task.name = (char *)t->name;
    task.region = (char *)t->region;
    task.owner = (char *)t->owner;
    task.platform = (char *)t->platform;
    task.menu_url = (char *)t->menu_url;
    task.ref_unix = d->ref_unix;
    task.max_pages = d->judge.max_pages;
    task.judge = d->judge;
    task.lease_ms = d->cfg->lease_ms;
    task.pre = d->pre[i]; /* borrowed: the encoder only reads it */
    /* W-UNREACHABLE's veto belongs to the availability watch when it has watched
     * the site (checks.md): its verdict as of the reference time goes along */
    if (t->kind == GS_KIND_SITE) {
        gs_err_t we;
        gs_err_clear(&we);
        task.has_watch =
            gs_watch_verdict(gs_redis_ctx(d->redis), t->id, d->ref_unix, &task.watch, &we) == 0 &&
            task.watch.probes > 0;
    }
    gs_buf_reset(&d->out);
    gs_metrics_add(d->metrics, GS_M_TASKS_LEASED, 1);
    if (gs_msg_encode_task(&d->out, &task) < 0 || send_to(d, w) < 0) {
        /* The worker is gone (ROUTER_MANDATORY): the lease lapses and is re-issued. */
        gs_metrics_add(d->metrics, GS_M_ERR_SEND, 1);
        drop_worker(d, wi, "unreachable");
        return GS_EZMQ;
    }
    gs_debug("leased %s epoch %u to %s%s", t->id, epoch, w->name,
             r == &d->solo ? " (alone: its last attempt)" : "");
    gs_crash_point("dispatcher.after_send");
    return 0;
}

/* May ring r's head be leased now? Not a target an earlier dispatcher leased, while the
 * workers may still say they hold it (load_state). */
static int head_ready(gs_dispatcher_t *d, const ring_t *r)
{
    return r->len && !(d->t[r->v[r->head]].held_before && gs_now_ms() < d->adopt_until_ms);
}

/* Lease pending targets to workers with free credit. A target on its last attempt goes to
 * a worker that holds nothing, and that worker gets nothing else while it holds it; while
 * such a target waits, the least busy worker gets no new target, so that one drains. */
static void dispatch(gs_dispatcher_t *d)
{
    int drain = -1;
    while (head_ready(d, &d->solo)) {
        int idle = -1;
        uint32_t least = UINT32_MAX;
        for (int wi = 0; wi < MAX_WORKERS; wi++) {
            wslot_t *w = &d->workers[wi];
            if (!w->used || !w->capacity || solo_busy(d, wi))
                continue;
            uint32_t load = w->inflight + w->foreign;
            if (load == 0) {
                idle = wi;
                break;
            }
            if (load < least) {
                least = load;
                drain = wi;
            }
        }
        if (idle < 0)
            break;
        drain = -1;
        if (lease_head(d, &d->solo, idle) == GS_EREDIS)
            return;
    }
    for (int wi = 0; wi < MAX_WORKERS && d->queue.len; wi++) {
        wslot_t *w = &d->workers[wi];
        if (wi == drain || solo_busy(d, wi))
            continue;
        while (w->used && w->inflight + w->foreign < w->capacity && head_ready(d, &d->queue)) {
            int rc = lease_head(d, &d->queue, wi);
            if (rc == GS_EREDIS)
                return;
            if (rc < 0)
                break;
        }
    }
}

/* The gauges, and Redis's pulse when someone may be looking (metrics served). */
static void update_gauges(gs_dispatcher_t *d)
{
    size_t nworkers = 0;
    for (int wi = 0; wi < MAX_WORKERS; wi++)
        nworkers += d->workers[wi].used != 0;
    gs_metrics_set(d->metrics, GS_M_QUEUE_DEPTH, d->queue.len + d->solo.len);
    /* every target is pending (in the queue), leased or done */
    gs_metrics_set(d->metrics, GS_M_TASKS_INFLIGHT, d->n - d->ndone - d->queue.len - d->solo.len);
    gs_metrics_set(d->metrics, GS_M_WORKERS, nworkers);
    gs_sock_stats_t st;
    gs_sock_stats(d->sock, &st);
    gs_metrics_set_handshakes(d->metrics, &st);
    if (gs_metrics_port(d->metrics)) {
        gs_err_t e;
        redisReply *rep = gs_redis_command(d->redis, &e, "PING");
        gs_metrics_set(d->metrics, GS_M_REDIS_UP, rep != NULL);
        if (rep)
            freeReplyObject(rep);
    }
}

static void housekeeping(gs_dispatcher_t *d)
{
    int64_t now = gs_now_ms();
    for (size_t i = 0; i < d->n; i++)
        if (d->t[i].state == T_LEASED && d->t[i].expiry_ms <= now)
            lease_expired(d, i);
    for (int wi = 0; wi < MAX_WORKERS; wi++) {
        wslot_t *w = &d->workers[wi];
        if (!w->used)
            continue;
        if (now - w->last_seen_ms > (int64_t)d->cfg->lease_ms) {
            drop_worker(d, wi, "silent past its lease");
            continue;
        }
        gs_buf_reset(&d->out);
        if (gs_msg_encode_hb(&d->out, NULL, 0) == 0 && send_to(d, w) < 0) {
            gs_metrics_add(d->metrics, GS_M_ERR_SEND, 1);
            drop_worker(d, wi, "unreachable");
        }
    }
    update_gauges(d);
}

static int mark_complete(gs_dispatcher_t *d, gs_err_t *err)
{
    redisReply *rep = gs_redis_command(d->redis, err, "SCARD gs:sweep:%s:done", d->sweep);
    if (!rep)
        return GS_EREDIS;
    long long n = rep->integer;
    freeReplyObject(rep);
    if ((size_t)n < d->n)
        return gs_err_set(err, GS_ESTATE, "only %lld of %zu targets done in Redis", n, d->n);
    char now[40];
    gs_time_format_cst(gs_wall_s(), now, sizeof(now));
    rep = gs_redis_command(d->redis, err, "HSET gs:sweep:%s:meta status complete completed %s",
                           d->sweep, now);
    if (!rep)
        return GS_EREDIS;
    freeReplyObject(rep);
    return 0;
}

int gs_dispatcher_run(const gs_config_t *cfg, gs_err_t *err)
{
    gs_dispatcher_t *d = calloc(1, sizeof(*d));
    if (!d)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    d->cfg = cfg;
    gs_buf_init(&d->out, GS_MSG_MAX_BYTES);
    if (!(d->metrics = gs_metrics_new(GS_METRICS_DISPATCHER))) {
        free(d);
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    uint64_t hash;
    int rc = load_registry(cfg, &d->reg, &hash, err);
    if (rc < 0)
        goto out;
    if ((rc = resolve_sweep(cfg, d->sweep, sizeof(d->sweep), &d->ref_unix, err)) < 0)
        goto out;
    d->n = gs_registry_count(d->reg);
    d->t = calloc(d->n, sizeof(*d->t));
    d->queue.v = calloc(d->n ? d->n : 1, sizeof(*d->queue.v));
    d->solo.v = calloc(d->n ? d->n : 1, sizeof(*d->solo.v));
    if (!d->t || !d->queue.v || !d->solo.v) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    if (!(d->redis = gs_redis_new(cfg->redis, err))) {
        rc = GS_EREDIS;
        goto out;
    }
    if (!(d->platforms = gs_platforms_load(gs_config_data_dir(cfg), err))) {
        rc = err && err->code ? err->code : GS_EIO;
        goto out;
    }
    if (!(d->pre = calloc(d->n ? d->n : 1, sizeof(*d->pre)))) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < d->n; i++)
        gs_findings_init(&d->pre[i]);
    if ((rc = registry_checks(d->reg, d->platforms, d->pre)) < 0) {
        gs_err_set(err, rc, "out of memory in the registry checks");
        goto out;
    }
    if ((rc = plan_sweep(d->redis, d->sweep, d->reg, d->platforms, cfg, d->ref_unix, hash, err)) <
        0)
        goto out;
    gs_info("sweep %s: %s %zu targets", d->sweep, rc == 1 ? "resuming" : "planned", d->n);
    if ((rc = load_judge(d, err)) < 0 || (rc = load_state(d, err)) < 0)
        goto out;
    if (d->ndone)
        gs_info("sweep %s: %zu of %zu already done", d->sweep, d->ndone, d->n);

    d->zctx = zmq_ctx_new();
    if (!d->zctx) {
        rc = gs_err_set(err, GS_EZMQ, "zmq_ctx_new: %s", zmq_strerror(errno));
        goto out;
    }
    if (!(d->sock = gs_sock_bind(d->zctx, cfg, cfg->dispatcher_endpoint,
                                 DISPATCH_MAX_MSG + GS_SOCK_MAXMSG_SLACK, "dispatcher", err))) {
        rc = err && err->code ? err->code : GS_EZMQ;
        goto out;
    }
    d->router = gs_sock_zmq(d->sock);
    int one = 1;
    zmq_setsockopt(d->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
    gs_info("listening on %s", gs_sock_endpoint(d->sock));
    /* the gauges are right before anyone can read them */
    gs_metrics_set(d->metrics, GS_M_REDIS_UP, 1);
    update_gauges(d);
    if ((rc = gs_metrics_listen(d->metrics, cfg->metrics_listen, err)) < 0)
        goto out;
    if (gs_metrics_port(d->metrics))
        gs_info("metrics on %s (port %d), GET /metrics", cfg->metrics_listen,
                gs_metrics_port(d->metrics));

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int64_t next_hk = 0;
    while (!stop_flag && d->ndone < d->n) {
        zmq_pollitem_t it = {d->router, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, (long)(cfg->heartbeat_ms / 2 + 1));
        recv_messages(d);
        if (gs_now_ms() >= next_hk) {
            housekeeping(d);
            next_hk = gs_now_ms() + cfg->heartbeat_ms;
        }
        dispatch(d);
    }
    if (stop_flag) {
        rc = gs_err_set(err, GS_ESTATE, "stopped by signal with %zu of %zu targets done", d->ndone,
                        d->n);
        goto out;
    }
    if ((rc = mark_complete(d, err)) < 0)
        goto out;
    /* complete in Redis, not yet said by our exit status: `run` restarts us, and the
     * restarted dispatcher finds every done marker and exits 0 at once */
    gs_crash_point("dispatcher.after_complete");
    gs_sock_stats_t hs;
    gs_sock_stats(d->sock, &hs);
    gs_metrics_t *m = d->metrics;
    gs_info("sweep %s complete: %zu targets; this run leased %llu, done %llu, lease expired "
            "%llu, reissued %llu, unchecked %llu; %llu messages dropped; handshakes: %llu "
            "accepted, %llu refused (%llu unknown key, %llu protocol, %llu other)",
            d->sweep, d->n, (unsigned long long)gs_metrics_get(m, GS_M_TASKS_LEASED),
            (unsigned long long)gs_metrics_get(m, GS_M_TASKS_DONE),
            (unsigned long long)gs_metrics_get(m, GS_M_TASKS_LEASE_EXPIRED),
            (unsigned long long)gs_metrics_get(m, GS_M_TASKS_REISSUED),
            (unsigned long long)gs_metrics_get(m, GS_M_TASKS_UNCHECKED),
            (unsigned long long)d->dropped_msgs, (unsigned long long)hs.accepted,
            (unsigned long long)(hs.refused_key + hs.refused_protocol + hs.refused_other),
            (unsigned long long)hs.refused_key, (unsigned long long)hs.refused_protocol,
            (unsigned long long)hs.refused_other);
    rc = 0;
out:
    gs_sock_destroy(&d->sock);
    if (d->zctx)
        zmq_ctx_term(d->zctx);
    gs_metrics_destroy(&d->metrics);
    gs_redis_destroy(&d->redis);
    for (size_t i = 0; d->pre && i < d->n; i++)
        gs_findings_cleanup(&d->pre[i]);
    free(d->pre);
    gs_platforms_destroy(&d->platforms);
    gs_registry_destroy(&d->reg);
    gs_buf_cleanup(&d->out);
    free(d->t);
    free(d->queue.v);
    free(d->solo.v);
    free(d);
    return rc;
}
