/* test_worker_checks.c -- W-UNREACHABLE, W-HOME-STALE, M-STALE, M-CLOSED on facts, with
 * every threshold on both sides (13, 14, 15 days) and across month and year ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_checks.h"

#include <stdio.h>
#include <string.h>

static gs_config_t cfg;
static int64_t ref; /* 2021-06-15 10:00 CST */

static int setup(void **state)
{
    (void)state;
    gs_config_init(&cfg);
    gs_err_t e;
    assert_int_equal(gs_time_parse_reference("2021-06-15T10:00", &ref, &e), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gs_config_cleanup(&cfg);
    return 0;
}

static gs_ymd_t days_before(int n)
{
    gs_ymd_t r = gs_ymd_from_unix_cst(ref);
    return gs_civil_from_days(gs_days_from_civil(r.y, r.m, r.d) - n);
}

static void site_ok(gs_site_facts_t *sf)
{
    memset(sf, 0, sizeof(*sf));
    sf->home_url = "http://www.sim-a.gov.cn/";
    sf->home_ok = true;
    sf->home_tries = 1;
    sf->home_error = "";
    sf->second_url = "";
}

static void test_home_stale_threshold(void **state)
{
    (void)state;
    const struct {
        int days;
        int stale;
    } cases[] = {{0, 0}, {1, 0}, {13, 0}, {14, 0}, {15, 1}, {16, 1}, {200, 1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gs_site_facts_t sf;
        site_ok(&sf);
        sf.home_has_date = true;
        sf.home_newest = days_before(cases[i].days);
        gs_findings_t f;
        gs_findings_init(&f);
        assert_int_equal(gs_check_site(&sf, ref, &cfg, &f), 0);
        assert_int_equal(f.len, (size_t)cases[i].stale);
        if (cases[i].stale) {
            assert_string_equal(f.items[0].code, "W-HOME-STALE");
            assert_true(f.items[0].veto);
            char want[64];
            snprintf(want, sizeof(want), "距监测时间点 %d 天", cases[i].days);
            assert_non_null(strstr(f.items[0].evidence, want));
            snprintf(want, sizeof(want), "\"days\":%d", cases[i].days);
            assert_non_null(strstr(f.items[0].detail, want));
        }
        gs_findings_cleanup(&f);
    }
}

static void test_home_from_second_level(void **state)
{
    (void)state;
    gs_site_facts_t sf;
    site_ok(&sf);
    sf.second_has_date = true;
    sf.second_newest = days_before(30);
    sf.second_url = "http://www.sim-a.gov.cn/col/zwdt/";
    gs_findings_t f;
    gs_findings_init(&f);
    gs_check_site(&sf, ref, &cfg, &f);
    assert_int_equal(f.len, 1);
    assert_string_equal(f.items[0].url, "http://www.sim-a.gov.cn/col/zwdt/");
    assert_non_null(strstr(f.items[0].evidence, "二级页面"));
    gs_findings_cleanup(&f);

    /* a dated home page wins over second-level pages */
    gs_findings_init(&f);
    sf.home_has_date = true;
    sf.home_newest = days_before(3);
    gs_check_site(&sf, ref, &cfg, &f);
    assert_int_equal(f.len, 0);
    gs_findings_cleanup(&f);
}

static void test_home_no_dates(void **state)
{
    (void)state;
    gs_site_facts_t sf;
    site_ok(&sf);
    gs_findings_t f;
    gs_findings_init(&f);
    gs_check_site(&sf, ref, &cfg, &f);
    assert_int_equal(f.len, 1);
    assert_string_equal(f.items[0].code, "W-HOME-STALE");
    assert_true(f.items[0].veto);
    assert_non_null(strstr(f.items[0].evidence, "未发现带日期"));
    gs_findings_cleanup(&f);
}

static void test_unreachable(void **state)
{
    (void)state;
    gs_site_facts_t sf;
    site_ok(&sf);
    sf.home_ok = false;
    sf.home_tries = 3;
    sf.home_error = "Connection refused";
    gs_findings_t f;
    gs_findings_init(&f);
    gs_check_site(&sf, ref, &cfg, &f);
    assert_int_equal(f.len, 1);
    assert_string_equal(f.items[0].code, "W-UNREACHABLE");
    assert_true(f.items[0].veto);
    assert_non_null(strstr(f.items[0].evidence, "3 次尝试均失败"));
    assert_non_null(strstr(f.items[0].evidence, "Connection refused"));
    gs_findings_cleanup(&f);

    gs_findings_init(&f);
    sf.home_status = 503;
    gs_check_site(&sf, ref, &cfg, &f);
    assert_non_null(strstr(f.items[0].evidence, "HTTP 503"));
    gs_findings_cleanup(&f);
}

static void test_account(void **state)
{
    (void)state;
    const struct {
        int days;
        int stale;
    } cases[] = {{0, 0}, {13, 0}, {14, 0}, {15, 1}, {45, 1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gs_account_facts_t af;
        memset(&af, 0, sizeof(af));
        af.url = "http://feeds/x.xml";
        af.status = 200;
        af.has_post = true;
        af.posts = 10;
        af.newest = days_before(cases[i].days);
        gs_findings_t f;
        gs_findings_init(&f);
        gs_check_account(&af, ref, &cfg, &f);
        assert_int_equal(f.len, (size_t)cases[i].stale);
        if (cases[i].stale) {
            char want[64], d[16];
            gs_ymd_format(af.newest, d, sizeof(d));
            snprintf(want, sizeof(want), "最近一次更新 %s，已 %d 天未更新", d, cases[i].days);
            assert_string_equal(f.items[0].evidence, want);
            assert_true(f.items[0].veto);
        }
        gs_findings_cleanup(&f);
    }
}

static void test_account_closed(void **state)
{
    (void)state;
    long statuses[] = {404, 410, 200};
    for (int i = 0; i < 3; i++) {
        gs_account_facts_t af;
        memset(&af, 0, sizeof(af));
        af.url = "http://feeds/x.xml";
        af.status = statuses[i];
        af.closed_marker = statuses[i] == 200;
        af.marker = "该账号已注销";
        gs_findings_t f;
        gs_findings_init(&f);
        gs_check_account(&af, ref, &cfg, &f);
        assert_int_equal(f.len, 1); /* M-CLOSED only, never M-STALE as well */
        assert_string_equal(f.items[0].code, "M-CLOSED");
        assert_false(f.items[0].veto);
        gs_findings_cleanup(&f);
    }
}

/* Month and year boundaries: 2021-01-05 reference, newest 2020-12-21 is 15 days. */
static void test_year_boundary(void **state)
{
    (void)state;
    int64_t r2;
    gs_err_t e;
    assert_int_equal(gs_time_parse_reference("2021-01-05", &r2, &e), 0);
    gs_site_facts_t sf;
    site_ok(&sf);
    sf.home_has_date = true;
    sf.home_newest = (gs_ymd_t){2020, 12, 22}; /* 14 days */
    gs_findings_t f;
    gs_findings_init(&f);
    gs_check_site(&sf, r2, &cfg, &f);
    assert_int_equal(f.len, 0);
    sf.home_newest = (gs_ymd_t){2020, 12, 21}; /* 15 days */
    gs_check_site(&sf, r2, &cfg, &f);
    assert_int_equal(f.len, 1);
    gs_findings_cleanup(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_home_stale_threshold),
        cmocka_unit_test(test_home_from_second_level),
        cmocka_unit_test(test_home_no_dates),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_account),
        cmocka_unit_test(test_account_closed),
        cmocka_unit_test(test_year_boundary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
