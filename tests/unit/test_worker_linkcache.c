/* test_worker_linkcache.c -- shared link verdicts (worker/gs_linkcache): claims within one
 * worker and across two (against a real redis-server), what is stored in Redis byte for
 * byte, abandoned claims taken over, batches beyond one round trip, the memory ceiling,
 * and a Redis that stops answering or goes away (the cache goes on alone). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_linkcache.h"
#include "gs_redis.h"
#include "redis_fixture.h"
#include "gs_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int setup(void **state)
{
    (void)state;
    return redis_fixture_start("gs-links");
}

static int teardown(void **state)
{
    (void)state;
    return redis_fixture_stop();
}

/* The stored value of url's field in sweep's hash, "" when none. */
static void stored(const char *sweep, const char *u, char *out, size_t len)
{
    char field[17];
    snprintf(field, sizeof(field), "%016llx",
             (unsigned long long)gs_fnv1a(GS_FNV_INIT, u, strlen(u)));
    gs_err_t e;
    redisReply *r = gs_redis_command(R, &e, "HGET gs:sweep:%s:links %s", sweep, field);
    snprintf(out, len, "%s", r && r->type == REDIS_REPLY_STRING ? r->str : "");
    if (r)
        freeReplyObject(r);
}

static gs_linkverdict_t verdict(long status, int curl, const char *why)
{
    gs_linkverdict_t v;
    memset(&v, 0, sizeof(v));
    v.status = status;
    v.curl_code = curl;
    snprintf(v.why, sizeof(v.why), "%s", why);
    return v;
}

static gs_linkverdict_t ask1(gs_linkcache_t *c, const char *sweep, uint64_t owner, const char *u)
{
    gs_linkverdict_t v;
    const char *urls[1] = {u};
    gs_linkcache_claim(c, sweep, owner, urls, 1, &v);
    return v;
}

static void test_memory_only(void **state)
{
    (void)state;
    gs_linkcache_t *c = gs_linkcache_new(NULL, "w1");
    assert_non_null(c);
    const char *u = "https://www.gov.cn/";
    assert_int_equal(ask1(c, "s1", 1, u).ask, GS_LINKASK_MINE);
    /* another job of the worker waits for the first one's check */
    assert_int_equal(ask1(c, "s1", 2, u).ask, GS_LINKASK_WAIT);
    /* the same URL in another sweep is another question */
    assert_int_equal(ask1(c, "s2", 2, u).ask, GS_LINKASK_MINE);
    gs_linkverdict_t v = verdict(404, 0, "");
    gs_linkcache_put(c, "s1", u, &v);
    gs_linkverdict_t got = ask1(c, "s1", 2, u);
    assert_int_equal(got.ask, GS_LINKASK_KNOWN);
    assert_int_equal(got.status, 404);
    assert_string_equal(got.why, "");
    /* a job that ends without a verdict gives its claims back */
    assert_int_equal(ask1(c, "s1", 3, "http://a.gov.cn/x").ask, GS_LINKASK_MINE);
    assert_int_equal(ask1(c, "s1", 4, "http://a.gov.cn/x").ask, GS_LINKASK_WAIT);
    gs_linkcache_release(c, 3);
    assert_int_equal(ask1(c, "s1", 4, "http://a.gov.cn/x").ask, GS_LINKASK_MINE);
    gs_linkcache_flush(c); /* nothing to write to: no-op */
    gs_linkcache_stats_t st;
    gs_linkcache_stats(c, &st);
    assert_int_equal(st.mine, 4);
    assert_int_equal(st.known_memory, 1);
    assert_int_equal(st.waits, 2);
    assert_int_equal(st.redis_errors, 0);
    gs_linkcache_destroy(&c);
    assert_null(c);
}

static void test_two_workers(void **state)
{
    (void)state;
    gs_linkcache_t *a = gs_linkcache_new(url, "wA"), *b = gs_linkcache_new(url, "wB");
    assert_non_null(a);
    assert_non_null(b);
    const char *u = "http://bszs.conac.cn/sitename?method=show&id=1";
    assert_int_equal(ask1(a, "t1", 1, u).ask, GS_LINKASK_MINE);
    char val[400];
    stored("t1", u, val, sizeof(val));
    assert_memory_equal(val, "P|wA#", 5); /* the claim, with its worker and time */
    /* the other worker waits: wA is checking it */
    assert_int_equal(ask1(b, "t1", 1, u).ask, GS_LINKASK_WAIT);
    gs_linkverdict_t v =
        verdict(0, 7, "Failed to connect to bszs.conac.cn port 80: Connection refused");
    gs_linkcache_put(a, "t1", u, &v);
    stored("t1", u, val, sizeof(val));
    assert_memory_equal(val, "P|", 2); /* queued, not yet written */
    gs_linkcache_flush(a);
    stored("t1", u, val, sizeof(val));
    assert_string_equal(val,
                        "V|0|7|Failed to connect to bszs.conac.cn port 80: Connection refused");
    gs_linkverdict_t got = ask1(b, "t1", 9, u);
    assert_int_equal(got.ask, GS_LINKASK_KNOWN);
    assert_int_equal(got.status, 0);
    assert_int_equal(got.curl_code, 7);
    assert_string_equal(got.why, v.why);
    /* and from then on from b's memory */
    assert_int_equal(ask1(b, "t1", 10, u).ask, GS_LINKASK_KNOWN);
    gs_linkcache_stats_t st;
    gs_linkcache_stats(b, &st);
    assert_int_equal(st.known_redis, 1);
    assert_int_equal(st.known_memory, 1);

    /* refused and unusable travel too */
    gs_linkverdict_t r = verdict(0, 0, ""), x = verdict(0, 0, "");
    r.refused = true;
    x.unusable = true;
    assert_int_equal(ask1(a, "t1", 2, "http://10.0.0.1/").ask, GS_LINKASK_MINE);
    assert_int_equal(ask1(a, "t1", 2, "htp:/bad").ask, GS_LINKASK_MINE);
    gs_linkcache_put(a, "t1", "http://10.0.0.1/", &r);
    gs_linkcache_put(a, "t1", "htp:/bad", &x);
    gs_linkcache_flush(a);
    stored("t1", "http://10.0.0.1/", val, sizeof(val));
    assert_string_equal(val, "R");
    got = ask1(b, "t1", 11, "http://10.0.0.1/");
    assert_int_equal(got.ask, GS_LINKASK_KNOWN);
    assert_true(got.refused);
    got = ask1(b, "t1", 11, "htp:/bad");
    assert_int_equal(got.ask, GS_LINKASK_KNOWN);
    assert_true(got.unusable);

    gs_err_t e;
    redisReply *ttl = gs_redis_command(R, &e, "TTL gs:sweep:t1:links");
    assert_non_null(ttl);
    assert_true(ttl->integer > GS_LINKCACHE_TTL_S - 60);
    freeReplyObject(ttl);
    gs_linkcache_destroy(&a);
    gs_linkcache_destroy(&b);
}

/* Put claim "P|WHO|AT" for u in sweep t2. */
static void put_claim(const char *u, const char *who, long long at)
{
    char field[17], claim[96];
    snprintf(field, sizeof(field), "%016llx",
             (unsigned long long)gs_fnv1a(GS_FNV_INIT, u, strlen(u)));
    snprintf(claim, sizeof(claim), "P|%s|%lld", who, at);
    gs_err_t e;
    freeReplyObject(gs_redis_command(R, &e, "HSET gs:sweep:t2:links %s %s", field, claim));
}

static void test_abandoned_claims(void **state)
{
    (void)state;
    char val[400];
    gs_err_t e;
    const char *dead = "http://www.dead.gov.cn/", *old = "http://www.old.gov.cn/",
               *live = "http://www.live.gov.cn/", *junk = "http://www.junk.gov.cn/";
    long long now = (long long)gs_wall_s();
    /* a worker killed a moment ago (its liveness key gone), a live worker's claim of 10
     * minutes ago (stuck), a live worker checking now, and a value that is no claim */
    put_claim(dead, "wGone#0000beef", now);
    put_claim(old, "wLive#00000001", now - 600);
    put_claim(live, "wLive#00000001", now);
    put_claim(junk, "", 0);
    freeReplyObject(gs_redis_command(R, &e, "SET gs:worker:wLive#00000001:alive 1 EX 60"));

    gs_linkcache_t *c = gs_linkcache_new(url, "wC");
    const char *urls[4] = {dead, old, live, junk};
    gs_linkverdict_t v[4];
    gs_linkcache_claim(c, "t2", 5, urls, 4, v);
    assert_int_equal(v[0].ask, GS_LINKASK_MINE);
    assert_int_equal(v[1].ask, GS_LINKASK_MINE);
    assert_int_equal(v[2].ask, GS_LINKASK_WAIT);
    assert_int_equal(v[3].ask, GS_LINKASK_MINE);
    stored("t2", dead, val, sizeof(val));
    assert_memory_equal(val, "P|wC#", 5); /* taken over */
    stored("t2", old, val, sizeof(val));
    assert_memory_equal(val, "P|wC#", 5);
    stored("t2", live, val, sizeof(val));
    assert_memory_equal(val, "P|wLive#00000001|", 17); /* left alone */
    /* a live worker's claim is not ours: another job of ours waits for Redis, not for us */
    assert_int_equal(ask1(c, "t2", 6, live).ask, GS_LINKASK_WAIT);

    /* a worker that dies holding a claim: once its liveness key is gone (expired), the
     * claim passes to the next worker that asks -- a restarted one has a new nonce */
    gs_linkcache_t *a = gs_linkcache_new(url, "wC"), *b = gs_linkcache_new(url, "wD");
    const char *u = "http://www.crash.gov.cn/";
    assert_int_equal(ask1(a, "t2", 1, u).ask, GS_LINKASK_MINE);
    assert_int_equal(ask1(b, "t2", 1, u).ask, GS_LINKASK_WAIT);
    stored("t2", u, val, sizeof(val));
    char *bar = strrchr(val, '|');
    assert_non_null(bar);
    *bar = '\0';
    redisReply *ttl = gs_redis_command(R, &e, "TTL gs:worker:%s:alive", val + 2);
    assert_non_null(ttl);
    assert_true(ttl->integer > 0 && ttl->integer <= GS_LINKCACHE_ALIVE_S);
    freeReplyObject(ttl);
    gs_linkcache_destroy(&a); /* no verdict: as if killed */
    freeReplyObject(gs_redis_command(R, &e, "DEL gs:worker:%s:alive", val + 2));
    assert_int_equal(ask1(b, "t2", 1, u).ask, GS_LINKASK_MINE);
    stored("t2", u, val, sizeof(val));
    assert_memory_equal(val, "P|wD#", 5);
    gs_linkcache_destroy(&b);
    gs_linkcache_destroy(&c);
}

static void test_batches_and_ceiling(void **state)
{
    (void)state;
    enum { N = 3 * GS_LINKCACHE_BATCH + 7 };
    gs_linkcache_t *a = gs_linkcache_new(url, "wD"), *b = gs_linkcache_new(url, "wE");
    static char bufs[N][64];
    const char *urls[N];
    static gs_linkverdict_t v[N];
    for (int i = 0; i < N; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "http://www.big.gov.cn/p/%d.html", i);
        urls[i] = bufs[i];
    }
    gs_linkcache_claim(a, "t3", 1, urls, N, v);
    for (int i = 0; i < N; i++) {
        assert_int_equal(v[i].ask, GS_LINKASK_MINE);
        gs_linkverdict_t x = verdict(200 + i % 2 * 204, 0, "");
        gs_linkcache_put(a, "t3", urls[i], &x); /* the queue fills and writes itself */
    }
    gs_linkcache_flush(a);
    gs_linkcache_claim(b, "t3", 1, urls, N, v);
    for (int i = 0; i < N; i++) {
        assert_int_equal(v[i].ask, GS_LINKASK_KNOWN);
        assert_int_equal(v[i].status, 200 + i % 2 * 204);
    }
    gs_linkcache_stats_t st;
    gs_linkcache_stats(a, &st);
    assert_int_equal(st.written, N);

    /* memory past its ceiling forgets verdicts, never claims, and keeps answering */
    gs_linkcache_t *m = gs_linkcache_new(NULL, "wM");
    char u[64];
    for (int i = 0; i < GS_LINKCACHE_MAX; i++) {
        snprintf(u, sizeof(u), "http://m.gov.cn/%d", i);
        gs_linkverdict_t x = verdict(200, 0, "");
        gs_linkcache_put(m, "t3", u, &x);
    }
    assert_int_equal(ask1(m, "t3", 1, "http://m.gov.cn/claimed").ask, GS_LINKASK_MINE);
    for (int i = 0; i < GS_LINKCACHE_MAX; i++) {
        snprintf(u, sizeof(u), "http://m2.gov.cn/%d", i);
        gs_linkverdict_t x = verdict(200, 0, "");
        gs_linkcache_put(m, "t3", u, &x);
    }
    assert_int_equal(ask1(m, "t3", 2, "http://m.gov.cn/claimed").ask, GS_LINKASK_WAIT);
    snprintf(u, sizeof(u), "http://m2.gov.cn/%d", GS_LINKCACHE_MAX - 1);
    assert_int_equal(ask1(m, "t3", 2, u).ask, GS_LINKASK_KNOWN);
    gs_linkcache_destroy(&m);
    gs_linkcache_destroy(&a);
    gs_linkcache_destroy(&b);
}

/* Last: the Redis stops answering (SIGSTOP), then goes away. */
static void test_redis_away(void **state)
{
    (void)state;
    gs_linkcache_t *c = gs_linkcache_new(url, "wF");
    assert_int_equal(ask1(c, "t4", 1, "http://x.gov.cn/1").ask, GS_LINKASK_MINE);
    kill(redis_pid, SIGSTOP);
    /* a stalled Redis costs one short timeout, then the worker shares within itself */
    assert_int_equal(ask1(c, "t4", 1, "http://x.gov.cn/2").ask, GS_LINKASK_MINE);
    assert_int_equal(ask1(c, "t4", 2, "http://x.gov.cn/2").ask, GS_LINKASK_WAIT);
    gs_linkverdict_t v = verdict(200, 0, "");
    gs_linkcache_put(c, "t4", "http://x.gov.cn/2", &v);
    gs_linkcache_flush(c);
    assert_int_equal(ask1(c, "t4", 2, "http://x.gov.cn/2").ask, GS_LINKASK_KNOWN);
    gs_linkcache_stats_t st;
    gs_linkcache_stats(c, &st);
    assert_int_equal(st.redis_errors, 1); /* and not tried again within the retry delay */
    kill(redis_pid, SIGCONT);
    kill(redis_pid, SIGKILL);
    waitpid(redis_pid, NULL, 0);
    redis_pid = 0;
    gs_linkcache_t *d = gs_linkcache_new(url, "wG");
    assert_non_null(d); /* no Redis at all: still a cache */
    assert_int_equal(ask1(d, "t4", 1, "http://x.gov.cn/3").ask, GS_LINKASK_MINE);
    assert_int_equal(ask1(d, "t4", 2, "http://x.gov.cn/3").ask, GS_LINKASK_WAIT);
    gs_linkcache_stats(d, &st);
    assert_int_equal(st.redis_errors, 1);
    gs_linkcache_destroy(&c);
    gs_linkcache_destroy(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_only),      cmocka_unit_test(test_two_workers),
        cmocka_unit_test(test_abandoned_claims), cmocka_unit_test(test_batches_and_ceiling),
        cmocka_unit_test(test_redis_away),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
