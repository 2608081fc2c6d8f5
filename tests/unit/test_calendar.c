/* test_calendar.c -- the working-day calendar on data/holidays.tsv: every year's 春节 and
 * 国庆 with their 调休 days (tests/data/calendar/days.tsv), working days between dates
 * across holidays, 调休 weekends and uncovered years (between.tsv), the n-th working day
 * (add.tsv), the "answered within N working days" rule on both sides (reply.tsv), an
 * operator's override (later lines win, coverage added), refused files with file:line,
 * and the closed-form count against a day-by-day count on random ranges. */
#include "case_tsv.h"

#include "gs_calendar.h"
#include "gs_date.h"
#include "gs_err.h"

#include <unistd.h>

static int setup(void **state)
{
    const char *dir = getenv("GS_DATA_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/holidays.tsv", dir ? dir : "data");
    gs_err_t err;
    gs_err_clear(&err);
    gs_calendar_t *cal = gs_calendar_load(path, &err);
    if (!cal)
        fail_msg("gs_calendar_load: %s", err.msg);
    *state = cal;
    return 0;
}

static int teardown(void **state)
{
    gs_calendar_t *cal = *state;
    gs_calendar_destroy(&cal);
    assert_null(cal);
    gs_calendar_destroy(&cal);
    return 0;
}

static gs_ymd_t ymd(const char *s, int lineno)
{
    gs_ymd_t d;
    if (sscanf(s, "%d-%d-%d", &d.y, &d.m, &d.d) != 3 || !gs_ymd_valid(d.y, d.m, d.d))
        fail_msg("line %d: bad date '%s'", lineno, s);
    return d;
}

static void test_coverage(void **state)
{
    const gs_calendar_t *cal = *state;
    for (int y = 2019; y <= 2026; y++)
        assert_true(gs_calendar_covers(cal, y));
    assert_false(gs_calendar_covers(cal, 2018));
    assert_false(gs_calendar_covers(cal, 2027));
    assert_false(gs_calendar_covers(cal, 1800));
    int assumed = -1;
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2024, 2, 18}, &assumed), 1);
    assert_int_equal(assumed, 0);
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2027, 2, 8}, &assumed), 1);
    assert_int_equal(assumed, 1);
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2024, 2, 30}, NULL), GS_EINVAL);
}

static void test_days_table(void **state)
{
    const gs_calendar_t *cal = *state;
    FILE *fp = case_open("calendar", "days.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 3);
        gs_ymd_t d = ymd(r->f[0], r->lineno);
        int want = strcmp(r->f[1], "work") == 0;
        int got = gs_calendar_is_workday(cal, d, NULL);
        const char *name = gs_calendar_name(cal, d);
        const char *want_name = strcmp(r->f[2], "-") == 0 ? NULL : r->f[2];
        if (got != want || (name == NULL) != (want_name == NULL) ||
            (name && strcmp(name, want_name) != 0))
            fail_msg("days.tsv:%d: %s is %s (%s), expected %s (%s)", r->lineno, r->f[0],
                     got ? "work" : "off", name ? name : "-", r->f[1], r->f[2]);
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 60);
}

static void test_between_table(void **state)
{
    const gs_calendar_t *cal = *state;
    FILE *fp = case_open("calendar", "between.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 4);
        int assumed = -1;
        int got = gs_calendar_workdays_between(cal, ymd(r->f[0], r->lineno),
                                               ymd(r->f[1], r->lineno), &assumed);
        int want = (int)strtol(r->f[2], NULL, 10), want_assumed = r->f[3][0] == '1';
        if (got != want || assumed != want_assumed)
            fail_msg("between.tsv:%d: %d working days (assumed %d), expected %d (%d)", r->lineno,
                     got, assumed, want, want_assumed);
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 20);
}

static void test_add_table(void **state)
{
    const gs_calendar_t *cal = *state;
    FILE *fp = case_open("calendar", "add.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 3);
        gs_ymd_t from = ymd(r->f[0], r->lineno), got;
        int n = (int)strtol(r->f[1], NULL, 10);
        assert_int_equal(gs_calendar_add_workdays(cal, from, n, &got, NULL), 0);
        char buf[16];
        gs_ymd_format(got, buf, sizeof(buf));
        if (strcmp(buf, r->f[2]) != 0)
            fail_msg("add.tsv:%d: got %s, expected %s", r->lineno, buf, r->f[2]);
        assert_int_equal(gs_calendar_workdays_between(cal, from, got, NULL), n);
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 6);
    gs_ymd_t out;
    int assumed = -1;
    assert_int_equal(gs_calendar_add_workdays(cal, (gs_ymd_t){2026, 12, 31}, 1, &out, &assumed), 0);
    assert_int_equal(assumed, 1);
    assert_int_equal(gs_calendar_add_workdays(cal, (gs_ymd_t){2024, 1, 2}, -1, &out, NULL),
                     GS_EINVAL);
    assert_int_equal(
        gs_calendar_add_workdays(cal, (gs_ymd_t){2024, 1, 2}, GS_CALENDAR_ADD_MAX + 1, &out, NULL),
        GS_EINVAL);
}

static void test_reply_rule(void **state)
{
    const gs_calendar_t *cal = *state;
    FILE *fp = case_open("calendar", "reply.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0, yes = 0, no = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 4);
        gs_ymd_t asked = ymd(r->f[0], r->lineno), answered = ymd(r->f[1], r->lineno);
        int limit = (int)strtol(r->f[2], NULL, 10);
        int in_time = gs_calendar_workdays_between(cal, asked, answered, NULL) <= limit;
        int want = strcmp(r->f[3], "yes") == 0;
        if (in_time != want)
            fail_msg("reply.tsv:%d: in time %d, expected %s", r->lineno, in_time, r->f[3]);
        /* The deadline shown in evidence: the limit-th working day; an answer on it is in
         * time, an answer on the next working day is not. */
        gs_ymd_t deadline, next;
        assert_int_equal(gs_calendar_add_workdays(cal, asked, limit, &deadline, NULL), 0);
        assert_int_equal(gs_calendar_add_workdays(cal, asked, limit + 1, &next, NULL), 0);
        assert_true(gs_calendar_workdays_between(cal, asked, deadline, NULL) <= limit);
        assert_true(gs_calendar_workdays_between(cal, asked, next, NULL) > limit);
        yes += want;
        no += !want;
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(yes >= 5 && no >= 5);
}

/* The closed form against counting day by day, on random ranges of 2015..2030. */
static void test_between_random(void **state)
{
    const gs_calendar_t *cal = *state;
    srand(11);
    int64_t base = gs_days_from_civil(2015, 1, 1);
    for (int i = 0; i < 2000; i++) {
        int64_t a = base + rand() % 5800, b = a + rand() % 400;
        gs_ymd_t from = gs_civil_from_days(a), to = gs_civil_from_days(b);
        int count = 0;
        for (int64_t d = a + 1; d <= b; d++)
            count += gs_calendar_is_workday(cal, gs_civil_from_days(d), NULL);
        assert_int_equal(gs_calendar_workdays_between(cal, from, to, NULL), count);
        int n = rand() % 30;
        gs_ymd_t end;
        assert_int_equal(gs_calendar_add_workdays(cal, from, n, &end, NULL), 0);
        assert_int_equal(gs_calendar_workdays_between(cal, from, end, NULL), n);
        if (n > 0)
            assert_int_equal(gs_calendar_is_workday(cal, end, NULL), 1);
    }
}

static void test_override(void **state)
{
    (void)state;
    const char *dir = getenv("GS_DATA_DIR");
    char path[1024], over[1024];
    snprintf(path, sizeof(path), "%s/holidays.tsv", dir ? dir : "data");
    case_path("calendar", "override.tsv", over, sizeof(over));
    gs_err_t err;
    gs_err_clear(&err);
    gs_calendar_t *cal = gs_calendar_load(path, &err);
    assert_non_null(cal);
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2026, 10, 10}, NULL), 1);
    assert_false(gs_calendar_covers(cal, 2027));
    assert_int_equal(gs_calendar_load_more(cal, over, &err), 0);
    /* Later lines win: the 调休 Saturday becomes a day off; a provincial day is added. */
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2026, 10, 10}, NULL), 0);
    assert_string_equal(gs_calendar_name(cal, (gs_ymd_t){2026, 10, 10}), "国庆节（本省调整）");
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2026, 11, 2}, NULL), 0);
    assert_true(gs_calendar_covers(cal, 2027));
    int assumed = -1;
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2027, 1, 1}, &assumed), 0);
    assert_int_equal(assumed, 0);
    /* The rest is untouched. */
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2026, 9, 20}, NULL), 1);
    /* A broken override changes nothing. */
    char bad[] = "/tmp/gs-test-cal.XXXXXX";
    int fd = mkstemp(bad);
    assert_true(fd >= 0);
    const char text[] = "2026-09-20\toff\tx\n2026-13-01\toff\tx\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    assert_int_equal(gs_calendar_load_more(cal, bad, &err), GS_EPARSE);
    assert_non_null(strstr(err.msg, ":2:"));
    assert_int_equal(gs_calendar_is_workday(cal, (gs_ymd_t){2026, 9, 20}, NULL), 1);
    unlink(bad);
    assert_int_equal(gs_calendar_load_more(cal, "/nonexistent/override.tsv", &err), GS_EIO);
    gs_calendar_destroy(&cal);
}

static void test_load_errors(void **state)
{
    (void)state;
    FILE *fp = case_open("calendar", "load_errors.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 2);
        char path[] = "/tmp/gs-test-cal.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, r->f[0], r->len[0]), (ssize_t)r->len[0]);
        close(fd);
        gs_err_t err;
        gs_err_clear(&err);
        gs_calendar_t *cal = gs_calendar_load(path, &err);
        if (cal || !strstr(err.msg, r->f[1]) || !strstr(err.msg, path))
            fail_msg("calendar load_errors.tsv:%d: %s, message '%s', expected '%s'", r->lineno,
                     cal ? "loaded" : "refused", err.msg, r->f[1]);
        gs_calendar_destroy(&cal);
        unlink(path);
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage),      cmocka_unit_test(test_days_table),
        cmocka_unit_test(test_between_table), cmocka_unit_test(test_add_table),
        cmocka_unit_test(test_reply_rule),    cmocka_unit_test(test_between_random),
        cmocka_unit_test(test_override),      cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
