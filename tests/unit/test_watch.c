/* test_watch.c -- the availability watch (common/gs_watch): the W-UNREACHABLE veto rule at
 * its boundaries (6.9 days, 19 probes a day, 4.99 % and 5 %), the probe schedule (spread,
 * deterministic, restartable), the probe text, the injectable clock, and the Redis side
 * against a real redis-server: a slot recorded once, counts that agree with the log, and
 * the dispatcher's lookup of the newest watch covering a reference time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_redis.h"
#include "redis_fixture.h"
#include "gs_watch.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DAY GS_WATCH_DAY
#define START 1623722400 /* 2021-06-15T10:00:00+08:00 */

/* A tally of `days` whole days covered, `per_day` probes each, failed of them in all. */
static gs_watch_tally_t tally(double days, uint32_t per_day, uint64_t probes, uint64_t failed)
{
    gs_watch_tally_t t;
    memset(&t, 0, sizeof(t));
    t.ndays = 7;
    t.covered_s = (int64_t)(days * DAY + 0.5);
    for (uint32_t d = 0; d < t.ndays; d++)
        t.daily[d] = per_day;
    t.probes = probes;
    t.failed = failed;
    return t;
}

static gs_watch_verdict_t judge(gs_watch_tally_t t)
{
    gs_watch_verdict_t v;
    memset(&v, 0, sizeof(v));
    gs_watch_judge(&t, &v);
    return v;
}

static void test_rule_boundaries(void **state)
{
    (void)state;
    /* 7 days of 20 probes, 7 of 140 failed: exactly 5 % is a veto */
    gs_watch_verdict_t v = judge(tally(7, 20, 140, 7));
    assert_true(v.decided);
    assert_true(v.veto);
    assert_string_equal(v.rate, "5.00%");
    assert_int_equal(v.rate_bp, 500);
    /* 6 of 140 = 4.29 %: no veto, but decided */
    v = judge(tally(7, 20, 140, 6));
    assert_true(v.decided);
    assert_false(v.veto);
    assert_string_equal(v.rate, "4.29%");
    /* 4.99 % and 5 % on a larger count */
    v = judge(tally(7, 20, 10000, 499));
    assert_false(v.veto);
    assert_string_equal(v.rate, "4.99%");
    v = judge(tally(7, 20, 10000, 500));
    assert_true(v.veto);
    /* 6.9 days: the window is too short, whatever the failures */
    v = judge(tally(6.9, 20, 138, 50));
    assert_false(v.decided);
    assert_false(v.veto);
    /* 19 probes a day: too few */
    v = judge(tally(7, 19, 133, 50));
    assert_false(v.decided);
    assert_false(v.veto);
    /* one day of the seven with 19 */
    gs_watch_tally_t t = tally(7, 20, 139, 50);
    t.daily[3] = 19;
    v = judge(t);
    assert_false(v.decided);
    /* a longer window counts its whole days only: 7.5 days, the 8th day partial */
    t = tally(7.5, 20, 150, 10);
    t.ndays = 8;
    t.daily[7] = 10;
    v = judge(t);
    assert_true(v.decided);
    assert_true(v.veto);
    /* a window of 6 days never decides */
    t = tally(6, 20, 120, 60);
    t.ndays = 6;
    t.covered_s = 7 * DAY;
    v = judge(t);
    assert_false(v.decided);
    /* nothing probed */
    v = judge(tally(7, 0, 0, 0));
    assert_false(v.veto);
    assert_string_equal(v.rate, "—");
    /* rounding half up: 1 of 3 = 33.333 -> 33.33; 2 of 3 = 66.667 -> 66.67; 1/8 = 12.50 */
    assert_string_equal(judge(tally(1, 20, 3, 1)).rate, "33.33%");
    assert_string_equal(judge(tally(1, 20, 3, 2)).rate, "66.67%");
    assert_string_equal(judge(tally(1, 20, 8, 1)).rate, "12.50%");
    assert_string_equal(judge(tally(1, 20, 20000, 1)).rate, "0.01%"); /* 0.005 -> 0.01 */
}

static void test_schedule(void **state)
{
    (void)state;
    gs_watch_window_t w = {START, 7, 20};
    assert_int_equal(gs_watch_window_check(&w, NULL), 0);
    assert_int_equal(gs_watch_nslots(&w), 140);
    assert_int_equal(gs_watch_interval(&w), 4320);
    assert_int_equal(gs_watch_end(&w), START + 7 * DAY);
    const char *sites[] = {"4300000001", "4300000002", "430000M001WX0001"};
    int64_t first_of[3];
    for (int s = 0; s < 3; s++) {
        int64_t prev = 0;
        for (uint32_t k = 0; k < 140; k++) {
            int64_t t = gs_watch_slot_time(&w, "W1", sites[s], k);
            uint32_t day = k / 20, j = k % 20;
            /* inside its day and its interval of the day */
            assert_true(t >= START + day * DAY + j * 4320);
            assert_true(t < START + day * DAY + (j + 1) * 4320);
            assert_true(t > prev);
            if (j > 0)
                assert_int_equal(t - prev, 4320); /* one offset per site and day */
            prev = t;
            /* the same time again, and found again from it */
            assert_int_equal(gs_watch_slot_time(&w, "W1", sites[s], k), t);
            assert_int_equal(gs_watch_slot_from(&w, "W1", sites[s], t), k);
            uint32_t before = k > 0 && gs_watch_slot_time(&w, "W1", sites[s], k - 1) == t - 1;
            assert_int_equal(gs_watch_slot_from(&w, "W1", sites[s], t - 1), k - before);
        }
        first_of[s] = gs_watch_slot_time(&w, "W1", sites[s], 0);
        assert_int_equal(gs_watch_slot_from(&w, "W1", sites[s], START + 7 * DAY), 140);
    }
    /* sites are not probed all at once, and another watch shifts them again */
    assert_true(first_of[0] != first_of[1] || first_of[1] != first_of[2]);
    int differ = 0;
    for (uint32_t k = 0; k < 140; k += 20)
        differ +=
            gs_watch_slot_time(&w, "W1", sites[0], k) != gs_watch_slot_time(&w, "W2", sites[0], k);
    assert_true(differ > 0);
    /* day offsets change from day to day */
    int64_t o0 = gs_watch_slot_time(&w, "W1", sites[0], 0) - START;
    int shifted = 0;
    for (uint32_t d = 1; d < 7; d++)
        shifted += gs_watch_slot_time(&w, "W1", sites[0], d * 20) - START - d * DAY != o0;
    assert_true(shifted > 0);
    /* limits */
    gs_watch_window_t bad = {START, 0, 20};
    assert_int_equal(gs_watch_window_check(&bad, NULL), GS_EINVAL);
    bad.days = GS_WATCH_MAX_DAYS + 1;
    assert_int_equal(gs_watch_window_check(&bad, NULL), GS_EINVAL);
    bad.days = 7;
    bad.per_day = GS_WATCH_MAX_PER_DAY + 1;
    assert_int_equal(gs_watch_window_check(&bad, NULL), GS_EINVAL);
    /* one a minute: still strictly increasing across the day boundary */
    gs_watch_window_t dense = {START, 2, GS_WATCH_MAX_PER_DAY};
    int64_t prev = 0;
    for (uint32_t k = 0; k < gs_watch_nslots(&dense); k++) {
        int64_t t = gs_watch_slot_time(&dense, "W", "S", k);
        assert_true(t > prev);
        prev = t;
    }
}

static void test_probe_text(void **state)
{
    (void)state;
    gs_watch_probe_t p = {START + 100, START + 101, true, "http-200"}, q;
    char m[64];
    gs_watch_probe_format(&p, m, sizeof(m));
    assert_string_equal(m, "1623722501,ok,http-200");
    assert_int_equal(gs_watch_probe_parse(m, START + 100, &q), 0);
    assert_true(q.ok);
    assert_int_equal(q.at, START + 101);
    assert_int_equal(q.slot_time, START + 100);
    assert_string_equal(q.reason, "http-200");
    gs_watch_probe_t f = {START, START, false, "curl,56"};
    gs_watch_probe_format(&f, m, sizeof(m));
    assert_string_equal(m, "1623722400,fail,curl;56"); /* no comma inside a field */
    assert_int_equal(gs_watch_probe_parse(m, START, &q), 0);
    assert_false(q.ok);
    assert_int_equal(gs_watch_probe_parse("x,ok,", START, &q), GS_EPARSE);
    assert_int_equal(gs_watch_probe_parse("12,maybe,", START, &q), GS_EPARSE);
    assert_int_equal(gs_watch_probe_parse("12", START, &q), GS_EPARSE);
}

static void test_clock(void **state)
{
    (void)state;
    gs_watch_clock_t c;
    assert_int_equal(gs_watch_clock_init(&c, NULL, 5000, NULL), 0);
    assert_int_equal(gs_watch_clock_now_ms(&c, 7000), 7000);
    assert_int_equal(gs_watch_clock_init(&c, "1623722400:10000", 5000, NULL), 0);
    assert_int_equal(gs_watch_clock_now_ms(&c, 5000), 1623722400000LL);
    /* one real second is 10000 watch seconds */
    assert_int_equal(gs_watch_clock_now_ms(&c, 6000), 1623722400000LL + 10000000LL);
    assert_int_equal(gs_watch_clock_init(&c, "2021-06-15T10:00:60", 0, NULL), 0);
    assert_int_equal(c.start_ms, 1623722400000LL);
    assert_int_equal(c.speed, 60);
    assert_int_equal(gs_watch_clock_init(&c, "2021-06-15T10:00", 0, NULL), GS_EINVAL); /* :00 */
    assert_int_equal(gs_watch_clock_init(&c, "1623722400", 0, NULL), GS_EINVAL);
    assert_int_equal(gs_watch_clock_init(&c, "1623722400:0", 0, NULL), GS_EINVAL);
    assert_int_equal(gs_watch_clock_init(&c, "soon:10", 0, NULL), GS_EINVAL);
}

/* ---- against a real redis-server ---------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    return redis_fixture_start("gs-watch");
}

static int teardown(void **state)
{
    (void)state;
    return redis_fixture_stop();
}

static redisReply *cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *rep = redisvCommand(gs_redis_ctx(R), fmt, ap);
    va_end(ap);
    assert_non_null(rep);
    assert_int_not_equal(rep->type, REDIS_REPLY_ERROR);
    return rep;
}

static void expect_str(const char *want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *rep = redisvCommand(gs_redis_ctx(R), fmt, ap);
    va_end(ap);
    assert_non_null(rep);
    if (rep->type == REDIS_REPLY_INTEGER) {
        char b[32];
        snprintf(b, sizeof(b), "%lld", rep->integer);
        assert_string_equal(b, want);
    } else {
        assert_int_equal(rep->type, REDIS_REPLY_STRING);
        assert_string_equal(rep->str, want);
    }
    freeReplyObject(rep);
}

static void make_watch(const char *id, int64_t start, const gs_watch_site_t *sites, size_t n)
{
    gs_watch_meta_t m;
    memset(&m, 0, sizeof(m));
    snprintf(m.id, sizeof(m.id), "%s", id);
    m.window = (gs_watch_window_t){start, 7, 20};
    gs_watch_clock_init(&m.clock, NULL, start * 1000, NULL);
    m.registry_hash = gs_watch_hash_sites(sites, n);
    m.timeout_ms = 15000;
    snprintf(m.registry, sizeof(m.registry), "watch.csv");
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_watch_create(gs_redis_ctx(R), &m, sites, n, &e);
    if (rc < 0)
        fprintf(stderr, "create: %s\n", e.msg);
    assert_int_equal(rc, 0);
}

/* Probe every slot of site in w: failing slots are those k with k % every == 0 (every 0:
 * none), up to slot `upto`. */
static void probe_all(const char *watch, const char *site, const gs_watch_window_t *w,
                      uint32_t upto, uint32_t every)
{
    for (uint32_t k = 0; k < upto; k++) {
        gs_watch_probe_t p;
        memset(&p, 0, sizeof(p));
        p.slot_time = gs_watch_slot_time(w, watch, site, k);
        p.at = p.slot_time;
        p.ok = !(every && k % every == 0);
        snprintf(p.reason, sizeof(p.reason), "%s", p.ok ? "http-200" : "http-503");
        gs_watch_tally_t t;
        assert_int_equal(gs_watch_record(gs_redis_ctx(R), watch, site, w, &p, &t, NULL), 1);
        assert_int_equal(t.probes, k + 1);
        /* the same slot again changes nothing */
        assert_int_equal(gs_watch_record(gs_redis_ctx(R), watch, site, w, &p, &t, NULL), 0);
        assert_int_equal(t.probes, k + 1);
    }
}

static void test_redis_watch(void **state)
{
    (void)state;
    redisContext *ctx = gs_redis_ctx(R);
    const gs_watch_site_t sites[] = {{"4300000001", "甲网站", "http://a.gov.cn/"},
                                     {"4300000002", "乙网站", "http://b.gov.cn/"}};
    make_watch("w1", START, sites, 2);
    gs_err_t e;
    /* taken ids are refused */
    gs_watch_meta_t m;
    memset(&m, 0, sizeof(m));
    snprintf(m.id, sizeof(m.id), "w1");
    m.window = (gs_watch_window_t){START, 7, 20};
    assert_int_equal(gs_watch_create(ctx, &m, sites, 2, &e), GS_EEXIST);
    /* the plan as docs/redis-keys.md says */
    expect_str("running", "HGET gs:watch:w1:meta status");
    expect_str("7", "HGET gs:watch:w1:meta days");
    expect_str("20", "HGET gs:watch:w1:meta per_day");
    expect_str("2021-06-15T10:00:00+08:00", "HGET gs:watch:w1:meta start");
    expect_str("2021-06-22T10:00:00+08:00", "HGET gs:watch:w1:meta end");
    expect_str("2", "LLEN gs:watch:w1:sites");
    expect_str("0,0,0,0,0,0,0", "HGET gs:watch:w1:verdict:4300000001 daily");
    expect_str("甲网站", "HGET gs:watch:w1:verdict:4300000001 name");
    expect_str("w1", "GET gs:watch:latest:4300000002");
    expect_str("1623722400", "ZSCORE gs:watches w1");
    assert_int_equal(gs_watch_meta_load(ctx, "w1", &m, &e), 0);
    assert_int_equal(m.window.start, START);
    assert_int_equal(m.window.days, 7);
    assert_int_equal(m.total, 2);
    assert_int_equal(m.registry_hash, gs_watch_hash_sites(sites, 2));
    assert_int_equal(gs_watch_meta_load(ctx, "nosuch", &m, &e), GS_ENOTFOUND);
    char found[GS_WATCH_ID_MAX];
    assert_int_equal(
        gs_watch_find_running(ctx, gs_watch_hash_sites(sites, 2), found, sizeof(found), &e), 1);
    assert_string_equal(found, "w1");
    assert_int_equal(gs_watch_find_running(ctx, 42, found, sizeof(found), &e), 0);

    /* site 1 fails every 10th slot (14 of 140 = 10 %), site 2 every 25th (6 of 140) */
    gs_watch_window_t w = {START, 7, 20};
    probe_all("w1", "4300000001", &w, 140, 10);
    probe_all("w1", "4300000002", &w, 140, 25);
    expect_str("140", "ZCARD gs:watch:w1:probes:4300000001");
    expect_str("14", "HGET gs:watch:w1:verdict:4300000001 failed");
    expect_str("20,20,20,20,20,20,20", "HGET gs:watch:w1:verdict:4300000001 daily");
    gs_watch_tally_t t;
    assert_int_equal(gs_watch_tally_load(ctx, "w1", "4300000001", &w, START + 7 * DAY, &t, &e), 0);
    assert_int_equal(t.probes, 140);
    assert_int_equal(t.failed, 14);
    assert_int_equal(t.covered_s, 7 * DAY);
    assert_int_equal(t.first, gs_watch_slot_time(&w, "w1", "4300000001", 0));
    assert_int_equal(t.last, gs_watch_slot_time(&w, "w1", "4300000001", 139));
    gs_watch_verdict_t v;
    memset(&v, 0, sizeof(v));
    gs_watch_judge(&t, &v);
    assert_true(v.veto);
    assert_int_equal(gs_watch_verdict_store(ctx, "w1", "4300000001", &v, START + 7 * DAY, &e), 0);
    expect_str("10.00%", "HGET gs:watch:w1:verdict:4300000001 rate");
    expect_str("true", "HGET gs:watch:w1:verdict:4300000001 veto");
    expect_str("true", "HGET gs:watch:w1:verdict:4300000001 decided");
    /* the slots already probed from some time on (what a restarted watch skips) */
    int64_t since[4];
    int64_t t130 = gs_watch_slot_time(&w, "w1", "4300000001", 138);
    assert_int_equal(gs_watch_probed_since(ctx, "w1", "4300000001", t130, since, 4, &e), 2);
    assert_int_equal(since[0], t130);

    /* the dispatcher's lookup: at the end of the window, the veto; in the middle, the
     * window so far (not decided yet); before the watch, none */
    assert_int_equal(gs_watch_verdict(ctx, "4300000001", START + 8 * DAY, &v, &e), 0);
    assert_string_equal(v.watch, "w1");
    assert_true(v.decided);
    assert_true(v.veto);
    assert_int_equal(v.probes, 140);
    assert_int_equal(v.failed, 14);
    assert_int_equal(gs_watch_verdict(ctx, "4300000002", START + 7 * DAY, &v, &e), 0);
    assert_true(v.decided);
    assert_false(v.veto);
    assert_int_equal(v.failed, 6);
    assert_string_equal(v.rate, "4.29%");
    assert_int_equal(gs_watch_verdict(ctx, "4300000001", START + 3 * DAY, &v, &e), 0);
    assert_false(v.decided);
    assert_int_equal(v.probes, 60);
    assert_int_equal(gs_watch_verdict(ctx, "4300000001", START - 1, &v, &e), GS_ENOTFOUND);
    assert_int_equal(gs_watch_verdict(ctx, "4399999999", START + 8 * DAY, &v, &e), GS_ENOTFOUND);
    assert_int_equal(gs_watch_verdict(ctx, "bad id", START, &v, &e), GS_EINVAL);

    /* a later watch of site 1 takes over latest; a sweep referring to a time before it
     * still gets w1, found through gs:watches; a watch started earlier does not take
     * latest from w2 */
    make_watch("w2", START + 30 * DAY, sites, 1);
    expect_str("w2", "GET gs:watch:latest:4300000001");
    expect_str("w1", "GET gs:watch:latest:4300000002");
    assert_int_equal(gs_watch_verdict(ctx, "4300000001", START + 10 * DAY, &v, &e), 0);
    assert_string_equal(v.watch, "w1");
    assert_true(v.veto);
    assert_int_equal(gs_watch_verdict(ctx, "4300000001", START + 31 * DAY, &v, &e), 0);
    assert_string_equal(v.watch, "w2");
    assert_false(v.decided);
    assert_int_equal(v.probes, 0);
    make_watch("w0", START - 30 * DAY, sites, 1);
    expect_str("w2", "GET gs:watch:latest:4300000001");
    /* probes outside the window are refused */
    gs_watch_probe_t p = {START + 7 * DAY, START + 7 * DAY, true, "http-200"};
    assert_int_equal(gs_watch_record(ctx, "w1", "4300000001", &w, &p, NULL, &e), GS_EINVAL);
    freeReplyObject(cmd("PING"));
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_rule_boundaries),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_probe_text),
        cmocka_unit_test(test_clock),
    };
    const struct CMUnitTest redis[] = {
        cmocka_unit_test(test_redis_watch),
    };
    int failed = cmocka_run_group_tests_name("watch", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("watch-redis", redis, setup, teardown);
    return failed;
}
