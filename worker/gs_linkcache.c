/* gs_linkcache.c -- verdicts of link checks, shared across the sites of a sweep.
 *
 * Memory: an open-addressing table keyed by the FNV-1a 64 of "SWEEP\nURL" (0 is empty, 1 a
 * removed entry), grown by doubling up to GS_LINKCACHE_MAX. Redis: one hash a sweep; a
 * claim is HSETNX + HGET in the same pipeline, so one round trip says whether we won it or
 * what the winner found. A 64-bit hash over a sweep's few hundred thousand URLs collides
 * with odds of about 1 in 10^9; a collision would lend one link the verdict of another. */
#include "gs_linkcache.h"
#include "gs_log.h"
#include "gs_redis.h"
#include "gs_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEY_EMPTY 0
#define KEY_GONE 1
#define CAP_MIN 1024
#define REDIS_TIMEOUT_S 2

typedef enum { ENT_PENDING = 1, ENT_DONE } entstate_t;

typedef struct entry {
    uint64_t key;
    uint64_t owner; /* the job claiming it (ENT_PENDING) */
    uint8_t state;
    bool refused, unusable;
    int curl_code;
    long status;
    char *why; /* NULL when "" */
} entry_t;

typedef struct queued {
    char sweep[48];
    char field[17];
    char value[300];
} queued_t;

struct gs_linkcache {
    entry_t *tab;
    size_t cap, used; /* used counts removed entries too: they lengthen probes */
    char *redis_url;  /* NULL: memory only */
    gs_redis_t *redis;
    int64_t retry_at; /* wall seconds: Redis is tried again then */
    int warned;
    char claimer[96]; /* WORKER#NONCE: this incarnation of the worker */
    int64_t alive_at; /* wall seconds: when to say again that we are alive */
    queued_t *queue;
    size_t nqueue;
    gs_linkcache_stats_t st;
};

static uint64_t mem_key(const char *sweep, const char *url)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, sweep, strlen(sweep));
    h = gs_fnv1a(h, "\n", 1);
    h = gs_fnv1a(h, url, strlen(url));
    return h <= KEY_GONE ? h + 2 : h;
}

static void redis_field(const char *url, char out[17])
{
    snprintf(out, 17, "%016" PRIx64, gs_fnv1a(GS_FNV_INIT, url, strlen(url)));
}

static entry_t *find(gs_linkcache_t *c, uint64_t key)
{
    size_t mask = c->cap - 1;
    for (size_t i = key & mask;; i = (i + 1) & mask) {
        if (c->tab[i].key == key)
            return &c->tab[i];
        if (c->tab[i].key == KEY_EMPTY)
            return NULL;
    }
}

static void entry_clear(entry_t *e)
{
    free(e->why);
    memset(e, 0, sizeof(*e));
}

/* Rebuild into cap slots, keeping the claims and (unless forget) the verdicts. */
static int rehash(gs_linkcache_t *c, size_t cap, bool forget)
{
    entry_t *tab = calloc(cap, sizeof(*tab));
    if (!tab)
        return -1;
    size_t used = 0;
    for (size_t i = 0; i < c->cap; i++) {
        entry_t *e = &c->tab[i];
        if (e->key <= KEY_GONE)
            continue;
        if (forget && e->state == ENT_DONE) {
            entry_clear(e);
            continue;
        }
        size_t j = e->key & (cap - 1);
        while (tab[j].key != KEY_EMPTY)
            j = (j + 1) & (cap - 1);
        tab[j] = *e;
        used++;
    }
    free(c->tab);
    c->tab = tab;
    c->cap = cap;
    c->used = used;
    return 0;
}

/* The entry for key, made when missing. NULL when out of memory. */
static entry_t *upsert(gs_linkcache_t *c, uint64_t key)
{
    entry_t *e = find(c, key);
    if (e)
        return e;
    if (2 * (c->used + 1) > c->cap) {
        /* full at the ceiling: forget the verdicts (Redis still has them) */
        if (c->cap >= GS_LINKCACHE_MAX ? rehash(c, c->cap, true) : rehash(c, c->cap * 2, false))
            return NULL;
        if (2 * (c->used + 1) > c->cap)
            return NULL; /* all of it claims: cannot happen with sane budgets */
    }
    size_t mask = c->cap - 1;
    size_t i = key & mask;
    while (c->tab[i].key > KEY_GONE)
        i = (i + 1) & mask;
    if (c->tab[i].key == KEY_EMPTY)
        c->used++;
    memset(&c->tab[i], 0, sizeof(c->tab[i]));
    c->tab[i].key = key;
    return &c->tab[i];
}

static void remember_claim(gs_linkcache_t *c, uint64_t key, uint64_t owner)
{
    entry_t *e = upsert(c, key);
    if (e) {
        free(e->why);
        e->why = NULL;
        e->state = ENT_PENDING;
        e->owner = owner;
    }
}

static void remember_verdict(gs_linkcache_t *c, uint64_t key, const gs_linkverdict_t *v)
{
    entry_t *e = upsert(c, key);
    if (!e)
        return;
    free(e->why);
    e->why = v->why[0] ? strdup(v->why) : NULL;
    e->state = ENT_DONE;
    e->owner = 0;
    e->refused = v->refused;
    e->unusable = v->unusable;
    e->status = v->status;
    e->curl_code = v->curl_code;
}

static void fill(gs_linkverdict_t *v, const entry_t *e)
{
    v->ask = GS_LINKASK_KNOWN;
    v->refused = e->refused;
    v->unusable = e->unusable;
    v->status = e->status;
    v->curl_code = e->curl_code;
    snprintf(v->why, sizeof(v->why), "%s", e->why ? e->why : "");
}

/* "V|STATUS|CURL|WHY", "R" or "U" into v; 0, or -1 when it is none of them. */
static int parse_verdict(const char *s, gs_linkverdict_t *v)
{
    memset(v, 0, sizeof(*v));
    v->ask = GS_LINKASK_KNOWN;
    if (!strcmp(s, "R")) {
        v->refused = true;
        return 0;
    }
    if (!strcmp(s, "U")) {
        v->unusable = true;
        return 0;
    }
    char *end;
    if (strncmp(s, "V|", 2) != 0)
        return -1;
    v->status = strtol(s + 2, &end, 10);
    if (*end != '|')
        return -1;
    v->curl_code = (int)strtol(end + 1, &end, 10);
    if (*end != '|')
        return -1;
    snprintf(v->why, sizeof(v->why), "%s", end + 1);
    return 0;
}

static void redis_failed(gs_linkcache_t *c, const char *what)
{
    c->st.redis_errors++;
    c->retry_at = gs_wall_s() + GS_LINKCACHE_RETRY_S;
    redisContext *ctx = c->redis ? gs_redis_ctx(c->redis) : NULL;
    if (!c->warned)
        gs_warn("link verdicts: redis %s failed (%s); sharing within this worker only, trying "
                "again every %d s",
                what, ctx && ctx->err ? ctx->errstr : "no connection", GS_LINKCACHE_RETRY_S);
    c->warned = 1;
    gs_redis_destroy(&c->redis);
}

/* The Redis context when Redis is usable now, else NULL. */
static redisContext *redis_ctx(gs_linkcache_t *c)
{
    if (!c->redis_url)
        return NULL;
    if (!c->redis) {
        if (gs_wall_s() < c->retry_at)
            return NULL;
        gs_err_t err;
        gs_err_clear(&err);
        if (!(c->redis = gs_redis_new(c->redis_url, &err))) {
            c->st.redis_errors++;
            c->retry_at = gs_wall_s() + GS_LINKCACHE_RETRY_S;
            if (!c->warned)
                gs_warn("link verdicts: %s; sharing within this worker only, trying again "
                        "every %d s",
                        err.msg, GS_LINKCACHE_RETRY_S);
            c->warned = 1;
            return NULL;
        }
        if (c->warned)
            gs_info("link verdicts: redis reached again");
        c->warned = 0;
    }
    redisContext *ctx = gs_redis_ctx(c->redis);
    /* short: a stalled Redis must not stall the fetches of the worker's loop */
    struct timeval tv = {REDIS_TIMEOUT_S, 0};
    if (ctx)
        redisSetTimeout(ctx, tv);
    return ctx;
}

gs_linkcache_t *gs_linkcache_new(const char *redis_url, const char *worker)
{
    gs_linkcache_t *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->cap = CAP_MIN;
    c->tab = calloc(c->cap, sizeof(*c->tab));
    c->queue = calloc(GS_LINKCACHE_QUEUE, sizeof(*c->queue));
    if (redis_url && redis_url[0])
        c->redis_url = strdup(redis_url);
    /* the nonce tells a restarted worker (same id) from the one that died holding claims */
    uint64_t nonce = gs_fnv1a(GS_FNV_INIT, &c, sizeof(c)) ^ (uint64_t)getpid() ^
                     ((uint64_t)gs_now_ms() << 20) ^ (uint64_t)gs_wall_s();
    snprintf(c->claimer, sizeof(c->claimer), "%.48s#%08llx", worker ? worker : "worker",
             (unsigned long long)(nonce & 0xffffffffu));
    /* '|' separates the claim's fields */
    for (char *p = c->claimer; *p; p++)
        if (*p == '|')
            *p = '_';
    if (!c->tab || !c->queue || (redis_url && redis_url[0] && !c->redis_url)) {
        gs_linkcache_destroy(&c);
        return NULL;
    }
    return c;
}

void gs_linkcache_destroy(gs_linkcache_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_linkcache_t *c = *self_p;
    if (c->nqueue)
        gs_linkcache_flush(c);
    for (size_t i = 0; c->tab && i < c->cap; i++)
        free(c->tab[i].why);
    free(c->tab);
    free(c->queue);
    free(c->redis_url);
    gs_redis_destroy(&c->redis);
    free(c);
    *self_p = NULL;
}

/* Say in Redis that this worker is alive, when due: a claim whose worker is not alive is
 * taken over at once. Appended to the pipeline; returns the replies to read (0 or 1). */
static int append_alive(gs_linkcache_t *c, redisContext *ctx)
{
    int64_t now = gs_wall_s();
    if (now < c->alive_at)
        return 0;
    c->alive_at = now + 1;
    redisAppendCommand(ctx, "SET gs:worker:%s:alive 1 EX %d", c->claimer, GS_LINKCACHE_ALIVE_S);
    return 1;
}

/* Read and drop n replies; -1 when the connection failed. */
static int skip_replies(gs_linkcache_t *c, redisContext *ctx, size_t n, const char *what)
{
    for (size_t k = 0; k < n; k++) {
        redisReply *rep = NULL;
        if (redisGetReply(ctx, (void **)&rep) != REDIS_OK) {
            redis_failed(c, what);
            return -1;
        }
        freeReplyObject(rep);
    }
    return 0;
}

/* Ask Redis for the URLs idx[0..n) of urls: claim or read each. The ones Redis cannot
 * answer are left as they are (mine, claimed in memory). Round trips: one; a second when
 * another worker holds a claim (is it alive?); a third when claims are taken over. */
static void claim_redis(gs_linkcache_t *c, const char *sweep, uint64_t owner,
                        const char *const *urls, const size_t *idx, size_t n, gs_linkverdict_t *out)
{
    redisContext *ctx = redis_ctx(c);
    if (!ctx)
        return;
    char key[96], claim[128], field[17];
    snprintf(key, sizeof(key), "gs:sweep:%s:links", sweep);
    int64_t now = gs_wall_s();
    snprintf(claim, sizeof(claim), "P|%s|%lld", c->claimer, (long long)now);
    int alive = append_alive(c, ctx);
    for (size_t k = 0; k < n; k++) {
        redis_field(urls[idx[k]], field);
        redisAppendCommand(ctx, "HSETNX %s %s %s", key, field, claim);
        redisAppendCommand(ctx, "HGET %s %s", key, field);
    }
    redisAppendCommand(ctx, "EXPIRE %s %d", key, GS_LINKCACHE_TTL_S);
    if (skip_replies(c, ctx, (size_t)alive, "SET") < 0)
        return;
    /* per URL: 0 settled, 1 take over, 2 held by another worker (alive?) */
    uint8_t todo[GS_LINKCACHE_BATCH];
    size_t nheld = 0, ntake = 0;
    for (size_t k = 0; k < n; k++) {
        redisReply *won = NULL, *val = NULL;
        todo[k] = 0;
        if (redisGetReply(ctx, (void **)&won) != REDIS_OK ||
            redisGetReply(ctx, (void **)&val) != REDIS_OK) {
            if (won)
                freeReplyObject(won);
            redis_failed(c, "HSETNX");
            return;
        }
        gs_linkverdict_t *v = &out[idx[k]];
        if (won->type == REDIS_REPLY_INTEGER && won->integer == 1) {
            /* ours: out[] already says mine, the memory already holds the claim */
        } else if (val->type == REDIS_REPLY_STRING && val->str[0] != 'P' &&
                   parse_verdict(val->str, v) == 0) {
            remember_verdict(c, mem_key(sweep, urls[idx[k]]), v);
            c->st.known_redis++;
        } else {
            /* a claim: ours (a job of ours gave it up), too old, or another worker's */
            const char *str = val->type == REDIS_REPLY_STRING ? val->str : "";
            const char *bar = strrchr(str, '|');
            long long at = bar ? strtoll(bar + 1, NULL, 10) : 0;
            size_t cl = strlen(c->claimer);
            bool self =
                !strncmp(str, "P|", 2) && !strncmp(str + 2, c->claimer, cl) && str[2 + cl] == '|';
            if (self || strncmp(str, "P|", 2) != 0 || !bar || bar == str + 1 ||
                now - at > GS_LINKCACHE_CLAIM_S) {
                todo[k] = 1;
                ntake++;
            } else {
                todo[k] = 2;
                nheld++;
                /* is its worker alive? (hiredis formats take no precision) */
                char who[128];
                snprintf(who, sizeof(who), "%.*s", (int)(bar - str - 2), str + 2);
                redisAppendCommand(ctx, "EXISTS gs:worker:%s:alive", who);
            }
        }
        freeReplyObject(won);
        freeReplyObject(val);
    }
    if (skip_replies(c, ctx, 1, "EXPIRE") < 0)
        return;
    for (size_t k = 0; k < n && nheld; k++) {
        if (todo[k] != 2)
            continue;
        nheld--;
        redisReply *ex = NULL;
        if (redisGetReply(ctx, (void **)&ex) != REDIS_OK) {
            redis_failed(c, "EXISTS");
            return;
        }
        bool live = ex->type == REDIS_REPLY_INTEGER && ex->integer == 1;
        freeReplyObject(ex);
        if (!live) { /* its worker died: take it over */
            todo[k] = 1;
            ntake++;
            continue;
        }
        out[idx[k]].ask = GS_LINKASK_WAIT;
        c->st.waits++;
        entry_t *e = find(c, mem_key(sweep, urls[idx[k]]));
        if (e && e->state == ENT_PENDING && e->owner == owner)
            e->key = KEY_GONE; /* not ours after all */
    }
    if (!ntake)
        return;
    for (size_t k = 0; k < n; k++)
        if (todo[k] == 1) {
            redis_field(urls[idx[k]], field);
            redisAppendCommand(ctx, "HSET %s %s %s", key, field, claim);
        }
    skip_replies(c, ctx, ntake, "HSET");
}

void gs_linkcache_claim(gs_linkcache_t *c, const char *sweep, uint64_t owner,
                        const char *const *urls, size_t n, gs_linkverdict_t *out)
{
    size_t ask[GS_LINKCACHE_BATCH];
    size_t nask = 0;
    for (size_t i = 0; i < n; i++) {
        gs_linkverdict_t *v = &out[i];
        memset(v, 0, sizeof(*v));
        uint64_t key = mem_key(sweep, urls[i]);
        entry_t *e = find(c, key);
        if (e && e->state == ENT_DONE) {
            fill(v, e);
            c->st.known_memory++;
            continue;
        }
        if (e && e->state == ENT_PENDING && e->owner != owner) {
            v->ask = GS_LINKASK_WAIT;
            c->st.waits++;
            continue;
        }
        /* unknown here: claim it in memory now, so that the jobs of this worker wait for
         * us even when Redis says nothing */
        v->ask = GS_LINKASK_MINE;
        remember_claim(c, key, owner);
        ask[nask++] = i;
        if (nask == GS_LINKCACHE_BATCH) {
            claim_redis(c, sweep, owner, urls, ask, nask, out);
            nask = 0;
        }
    }
    if (nask)
        claim_redis(c, sweep, owner, urls, ask, nask, out);
    for (size_t i = 0; i < n; i++)
        if (out[i].ask == GS_LINKASK_MINE)
            c->st.mine++;
}

void gs_linkcache_put(gs_linkcache_t *c, const char *sweep, const char *url,
                      const gs_linkverdict_t *v)
{
    remember_verdict(c, mem_key(sweep, url), v);
    c->st.put++;
    if (!c->redis_url)
        return;
    if (c->nqueue == GS_LINKCACHE_QUEUE)
        gs_linkcache_flush(c);
    queued_t *q = &c->queue[c->nqueue++];
    snprintf(q->sweep, sizeof(q->sweep), "%s", sweep);
    redis_field(url, q->field);
    if (v->refused || v->unusable)
        snprintf(q->value, sizeof(q->value), "%s", v->refused ? "R" : "U");
    else
        snprintf(q->value, sizeof(q->value), "V|%ld|%d|%s", v->status, v->curl_code, v->why);
}

void gs_linkcache_release(gs_linkcache_t *c, uint64_t owner)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->tab[i].key > KEY_GONE && c->tab[i].state == ENT_PENDING &&
            c->tab[i].owner == owner) {
            entry_clear(&c->tab[i]);
            c->tab[i].key = KEY_GONE;
        }
}

void gs_linkcache_flush(gs_linkcache_t *c)
{
    if (!c->redis_url || (!c->nqueue && gs_wall_s() < c->alive_at))
        return;
    redisContext *ctx = redis_ctx(c);
    size_t n = c->nqueue;
    c->nqueue = 0;
    if (!ctx)
        return; /* lost to the other workers, kept in ours */
    if (append_alive(c, ctx) && skip_replies(c, ctx, 1, "SET") < 0)
        return;
    size_t cmds = 0;
    for (size_t k = 0; k < n; k++) {
        queued_t *q = &c->queue[k];
        redisAppendCommand(ctx, "HSET gs:sweep:%s:links %s %s", q->sweep, q->field, q->value);
        cmds++;
    }
    for (size_t k = 0; k < cmds; k++) {
        redisReply *rep = NULL;
        if (redisGetReply(ctx, (void **)&rep) != REDIS_OK) {
            redis_failed(c, "HSET");
            return;
        }
        if (rep->type != REDIS_REPLY_ERROR)
            c->st.written++;
        freeReplyObject(rep);
    }
}

void gs_linkcache_stats(const gs_linkcache_t *c, gs_linkcache_stats_t *out)
{
    *out = c->st;
}
