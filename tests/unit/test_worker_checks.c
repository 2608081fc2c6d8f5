/* test_worker_checks.c -- M-STALE and M-CLOSED on account facts, with the threshold on
 * both sides (13, 14, 15 days). The website checks are judged on served pages by the
 * cases of tests/data/checks/ (test_worker_cases.c). */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account),
        cmocka_unit_test(test_account_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
