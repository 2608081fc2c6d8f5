/* test_date.c -- calendar arithmetic, the reference time, CST formatting, the date/time
 * values of meta tags and feeds, and the publication-date scanner. The scanner and
 * parser cases are data: tests/data/date/scan_cases.tsv and parse_cases.tsv (found
 * through GS_TEST_DATA); this file runs them, and holds the calendar round trip and the
 * hostile-input scans that are code rather than rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_date.h"
#include "gs_err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSV_FIELDS 4
#define TSV_LINE_MAX 8192
/* Most dates a scan case expects. */
#define CASE_MAX_DATES 16
/* Size of the hostile inputs. */
#define HOSTILE_LEN ((size_t)4 * 1024 * 1024)

/* Value of a hex digit, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Undo the TSV escapes (\t \n \r \\ \xHH) in place. */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] != '\\' || !p[1]) {
            *o++ = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 't':
            *o++ = '\t';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 'x':
            assert_true(hexval(p[1]) >= 0 && hexval(p[2]) >= 0);
            *o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
            break;
        default:
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* Open GS_TEST_DATA/date/<name>. */
static FILE *open_data(const char *name)
{
    const char *dir = getenv("GS_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof(path), "%s/date/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    return f;
}

/* Read the next data line of f into line and split it on tabs into at most TSV_FIELDS
 * unescaped fields; comments and blank lines are skipped. Returns the field count, 0 at
 * the end of the file. */
static int next_row(FILE *f, char *line, size_t size, char **fields, int *lineno)
{
    while (fgets(line, (int)size, f)) {
        (*lineno)++;
        size_t n = strlen(line);
        assert_true(n + 1 < size); /* no line longer than the buffer */
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        int k = 0;
        char *p = line;
        while (k < TSV_FIELDS) {
            fields[k++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        for (int i = 0; i < k; i++)
            unescape(fields[i]);
        return k;
    }
    return 0;
}

/* Parse a decimal integer (optionally negative) that must fill s; 0 on success. */
static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* One expected date of a scan case: YYYY-MM-DD, optionally @offset+len. */
typedef struct want_date {
    gs_ymd_t date;
    int has_span;  /* 1 when offset and len are given */
    size_t offset; /* expected byte offset */
    size_t len;    /* expected byte length */
} want_date_t;

/* Parse the expected-dates field of a scan case into w; returns the count. */
static size_t parse_wants(char *field, want_date_t *w, size_t cap, int lineno)
{
    if (strcmp(field, "-") == 0)
        return 0;
    size_t n = 0;
    for (char *tok = field; *tok;) {
        char *sp = strchr(tok, ' ');
        if (sp)
            *sp = '\0';
        if (n == cap)
            fail_msg("scan_cases.tsv:%d: too many expected dates", lineno);
        unsigned long off = 0, len = 0;
        int y, m, d, used = 0;
        if (sscanf(tok, "%d-%d-%d%n", &y, &m, &d, &used) != 3)
            fail_msg("scan_cases.tsv:%d: bad expected date '%s'", lineno, tok);
        w[n] = (want_date_t){{y, m, d}, 0, 0, 0};
        if (tok[used] == '@') {
            if (sscanf(tok + used, "@%lu+%lu", &off, &len) != 2)
                fail_msg("scan_cases.tsv:%d: bad span in '%s'", lineno, tok);
            w[n].has_span = 1;
            w[n].offset = off;
            w[n].len = len;
        } else if (tok[used] != '\0') {
            fail_msg("scan_cases.tsv:%d: bad expected date '%s'", lineno, tok);
        }
        n++;
        if (!sp)
            break;
        tok = sp + 1;
    }
    return n;
}

/* Every scan case: the dates found, in order, and their spans where given. */
static void test_scan_table(void **state)
{
    (void)state;
    FILE *f = open_data("scan_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    int lineno = 0, n, cases = 0, failures = 0;
    while ((n = next_row(f, line, sizeof(line), fld, &lineno)) > 0) {
        assert_true(n >= 3);
        int64_t ref;
        gs_err_t err;
        if (gs_time_parse_reference(fld[1], &ref, &err) != 0)
            fail_msg("scan_cases.tsv:%d: bad reference: %s", lineno, err.msg);
        want_date_t want[CASE_MAX_DATES];
        size_t nwant = parse_wants(fld[2], want, CASE_MAX_DATES, lineno);
        gs_date_found_t got[CASE_MAX_DATES];
        size_t ngot = gs_date_scan(fld[0], strlen(fld[0]), ref, got, CASE_MAX_DATES);
        int ok = ngot == nwant;
        for (size_t i = 0; ok && i < nwant; i++) {
            ok = got[i].date.y == want[i].date.y && got[i].date.m == want[i].date.m &&
                 got[i].date.d == want[i].date.d;
            if (ok && want[i].has_span)
                ok = got[i].offset == want[i].offset && got[i].len == want[i].len;
        }
        if (!ok) {
            char buf[CASE_MAX_DATES * 32] = "", one[40], day[16];
            for (size_t i = 0; i < ngot && i < CASE_MAX_DATES; i++) {
                gs_ymd_format(got[i].date, day, sizeof(day));
                snprintf(one, sizeof(one), " %s@%zu+%zu", day, got[i].offset, got[i].len);
                strncat(buf, one, sizeof(buf) - strlen(buf) - 1);
            }
            print_error("scan_cases.tsv:%d: '%s' at %s (%s): want %s, got%s\n", lineno, fld[0],
                        fld[1], n > 3 ? fld[3] : "", fld[2], ngot ? buf : " -");
            failures++;
        }
        cases++;
    }
    fclose(f);
    assert_true(cases >= 60);
    assert_int_equal(failures, 0);
}

/* Every parse case: the Unix time, or GS_EPARSE for ERR. */
static void test_parse_table(void **state)
{
    (void)state;
    FILE *f = open_data("parse_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    int lineno = 0, n, cases = 0, failures = 0;
    while ((n = next_row(f, line, sizeof(line), fld, &lineno)) > 0) {
        assert_true(n >= 2);
        int64_t want = 0, got = -12345;
        int want_err = strcmp(fld[1], "ERR") == 0;
        if (!want_err && parse_i64(fld[1], &want) != 0)
            fail_msg("parse_cases.tsv:%d: bad expected value '%s'", lineno, fld[1]);
        int rc = gs_time_parse_any(fld[0], &got);
        if (want_err ? rc != GS_EPARSE : (rc != 0 || got != want)) {
            print_error("parse_cases.tsv:%d: '%s' (%s): want %s, got rc %d value %lld\n", lineno,
                        fld[0], n > 2 ? fld[2] : "", fld[1], rc, (long long)got);
            failures++;
        }
        cases++;
    }
    fclose(f);
    assert_true(cases >= 30);
    assert_int_equal(failures, 0);
}

/* NULL arguments are refused, not dereferenced. */
static void test_parse_null(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(gs_time_parse_any(NULL, &t), GS_EPARSE);
    assert_int_equal(gs_time_parse_any("2021-06-28", NULL), GS_EPARSE);
}

/* days_from_civil and civil_from_days agree with a day-by-day walk over 1900..2100 and
 * invert each other; a few anchors pin the epoch. */
static void test_civil_roundtrip(void **state)
{
    (void)state;
    assert_int_equal(gs_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(gs_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(gs_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(gs_days_from_civil(2021, 6, 28), 18806);
    assert_int_equal(gs_days_from_civil(1900, 1, 1), -25567);
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t day = gs_days_from_civil(1900, 1, 1);
    int checked = 0;
    for (int y = 1900; y <= 2100; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int last = mdays[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= last; d++, day++) {
                if (gs_days_from_civil(y, m, d) != day)
                    fail_msg("days_from_civil(%d-%d-%d) != %lld", y, m, d, (long long)day);
                gs_ymd_t r = gs_civil_from_days(day);
                if (r.y != y || r.m != m || r.d != d)
                    fail_msg("civil_from_days(%lld) = %d-%d-%d, want %d-%d-%d", (long long)day, r.y,
                             r.m, r.d, y, m, d);
                assert_int_equal(gs_ymd_valid(y, m, d), 1);
                checked++;
            }
            assert_int_equal(gs_ymd_valid(y, m, last + 1), 0);
        }
    }
    assert_int_equal(checked, 73414); /* 201 years, 49 of them leap */
    /* Absurd day counts are clamped, not undefined. */
    gs_ymd_t far = gs_civil_from_days(INT64_MAX);
    assert_true(far.y > 9999);
    far = gs_civil_from_days(INT64_MIN);
    assert_true(far.y < 0);
}

/* gs_ymd_valid on the edges of months, leap years and fields. */
static void test_ymd_valid(void **state)
{
    (void)state;
    assert_int_equal(gs_ymd_valid(2000, 2, 29), 1);
    assert_int_equal(gs_ymd_valid(1900, 2, 29), 0);
    assert_int_equal(gs_ymd_valid(2024, 2, 29), 1);
    assert_int_equal(gs_ymd_valid(2100, 2, 29), 0);
    assert_int_equal(gs_ymd_valid(2021, 2, 28), 1);
    assert_int_equal(gs_ymd_valid(2021, 4, 30), 1);
    assert_int_equal(gs_ymd_valid(2021, 4, 31), 0);
    assert_int_equal(gs_ymd_valid(2021, 12, 31), 1);
    assert_int_equal(gs_ymd_valid(2021, 0, 1), 0);
    assert_int_equal(gs_ymd_valid(2021, 13, 1), 0);
    assert_int_equal(gs_ymd_valid(2021, 1, 0), 0);
    assert_int_equal(gs_ymd_valid(2021, 1, 32), 0);
    assert_int_equal(gs_ymd_valid(2021, -1, 1), 0);
    assert_int_equal(gs_ymd_valid(0, 1, 1), 0);
    assert_int_equal(gs_ymd_valid(9999, 12, 31), 1);
    assert_int_equal(gs_ymd_valid(10000, 1, 1), 0);
}

/* gs_ymd_days_between counts calendar days, signed. */
static void test_days_between(void **state)
{
    (void)state;
    gs_ymd_t a = {2021, 3, 2}, b = {2021, 6, 15};
    assert_int_equal(gs_ymd_days_between(a, b), 105); /* the spec's evidence example */
    assert_int_equal(gs_ymd_days_between(b, a), -105);
    assert_int_equal(gs_ymd_days_between(a, a), 0);
    assert_int_equal(gs_ymd_days_between((gs_ymd_t){2020, 12, 31}, (gs_ymd_t){2021, 1, 1}), 1);
    assert_int_equal(gs_ymd_days_between((gs_ymd_t){2020, 2, 28}, (gs_ymd_t){2020, 3, 1}), 2);
    assert_int_equal(gs_ymd_days_between((gs_ymd_t){2021, 2, 28}, (gs_ymd_t){2021, 3, 1}), 1);
    assert_int_equal(gs_ymd_days_between((gs_ymd_t){2020, 1, 1}, (gs_ymd_t){2021, 1, 1}), 366);
    assert_int_equal(gs_ymd_days_between((gs_ymd_t){2021, 1, 1}, (gs_ymd_t){2022, 1, 1}), 365);
    assert_int_equal(gs_ymd_days_between((gs_ymd_t){1990, 1, 1}, (gs_ymd_t){2100, 12, 31}), 40541);
}

/* gs_ymd_from_unix_cst: the CST day starts at 16:00 UTC the day before. */
static void test_ymd_from_unix(void **state)
{
    (void)state;
    gs_ymd_t d = gs_ymd_from_unix_cst(1624809600); /* 2021-06-27T16:00:00Z */
    assert_true(d.y == 2021 && d.m == 6 && d.d == 28);
    d = gs_ymd_from_unix_cst(1624809599);
    assert_true(d.y == 2021 && d.m == 6 && d.d == 27);
    d = gs_ymd_from_unix_cst(0);
    assert_true(d.y == 1970 && d.m == 1 && d.d == 1);
    d = gs_ymd_from_unix_cst(-28800); /* 1970-01-01T00:00 CST */
    assert_true(d.y == 1970 && d.m == 1 && d.d == 1);
    d = gs_ymd_from_unix_cst(-28801);
    assert_true(d.y == 1969 && d.m == 12 && d.d == 31);
    d = gs_ymd_from_unix_cst(INT64_MAX); /* no overflow */
    assert_true(d.y > 9999);
}

/* gs_ymd_format writes YYYY-MM-DD and respects the buffer size. */
static void test_ymd_format(void **state)
{
    (void)state;
    char buf[11];
    gs_ymd_format((gs_ymd_t){2021, 6, 8}, buf, sizeof(buf));
    assert_string_equal(buf, "2021-06-08");
    gs_ymd_format((gs_ymd_t){990, 1, 1}, buf, sizeof(buf));
    assert_string_equal(buf, "0990-01-01");
    char small[5] = "xxxx";
    gs_ymd_format((gs_ymd_t){2021, 6, 8}, small, sizeof(small));
    assert_string_equal(small, "2021");
    gs_ymd_format((gs_ymd_t){2021, 6, 8}, small, 0); /* nothing written */
    assert_string_equal(small, "2021");
    gs_ymd_format((gs_ymd_t){2021, 6, 8}, NULL, 11);
}

/* gs_time_format_cst writes the CST wall clock with +08:00. */
static void test_format_cst(void **state)
{
    (void)state;
    char buf[26];
    gs_time_format_cst(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T08:00:00+08:00");
    gs_time_format_cst(1624845600, buf, sizeof(buf));
    assert_string_equal(buf, "2021-06-28T10:00:00+08:00");
    gs_time_format_cst(1624809599, buf, sizeof(buf));
    assert_string_equal(buf, "2021-06-27T23:59:59+08:00");
    gs_time_format_cst(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T07:59:59+08:00");
    gs_time_format_cst(-28801, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59+08:00");
    char small[11];
    gs_time_format_cst(1624845600, small, sizeof(small));
    assert_string_equal(small, "2021-06-28");
    /* Formatting and parsing back give the same time. */
    int64_t t;
    gs_time_format_cst(1624845601, buf, sizeof(buf));
    assert_int_equal(gs_time_parse_reference(buf, &t, NULL), 0);
    assert_int_equal(t, 1624845601);
    assert_int_equal(gs_time_parse_any(buf, &t), 0);
    assert_int_equal(t, 1624845601);
}

/* A reference time that must parse, and its Unix time. */
typedef struct ref_ok {
    const char *s;
    int64_t want;
} ref_ok_t;

/* A reference time that must be refused, and a word the message must contain. */
typedef struct ref_bad {
    const char *s;
    const char *msg_has;
} ref_bad_t;

/* gs_time_parse_reference: every form of the header, and refusals that say why. */
static void test_parse_reference(void **state)
{
    (void)state;
    static const ref_ok_t ok[] = {
        {"2021-06-15", 1623686400},                /* CST midnight */
        {"2021-06-15T10:30", 1623724200},          /* CST 10:30 */
        {"2021-06-15T10:30:15", 1623724215},       /* with seconds */
        {"2021-06-15 10:30:15", 1623724215},       /* space for T */
        {"2021-06-15t10:30:15", 1623724215},       /* lower-case t */
        {"2021-06-15T02:30:15Z", 1623724215},      /* UTC */
        {"2021-06-15T02:30:15z", 1623724215},      /* lower-case z */
        {"2021-06-15T10:30:15+08:00", 1623724215}, /* explicit CST */
        {"2021-06-15T10:30+08:00", 1623724200},    /* minutes and offset */
        {"2021-06-14T21:30:15-05:00", 1623724215}, /* negative offset */
        {"2021-06-15T08:00:15+05:30", 1623724215}, /* half-hour offset */
        {"2021-06-15Z", 1623715200},               /* a date in UTC */
        {"2024-02-29", 1709136000},                /* leap day */
        {"1970-01-01T08:00:00", 0},                /* the epoch in CST */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t t = -1;
        gs_err_t err;
        gs_err_clear(&err);
        int rc = gs_time_parse_reference(ok[i].s, &t, &err);
        if (rc != 0 || t != ok[i].want)
            fail_msg("'%s': rc %d (%s) value %lld, want %lld", ok[i].s, rc, err.msg, (long long)t,
                     (long long)ok[i].want);
    }
    static const ref_bad_t bad[] = {
        {"", "YYYY-MM-DD"},
        {"2021-6-15", "YYYY-MM-DD"},
        {"21-06-15", "YYYY-MM-DD"},
        {"2021/06/15", "YYYY-MM-DD"},
        {"2021-02-30", "is not a date"},
        {"2021-13-01", "is not a date"},
        {"2021-06-15T", "HH:MM"},
        {"2021-06-15T10", "HH:MM"},
        {"2021-06-15T10:3", "HH:MM"},
        {"2021-06-15T10:30:1", "seconds"},
        {"2021-06-15T24:00", "time of day"},
        {"2021-06-15T10:60", "time of day"},
        {"2021-06-15T10:30:60", "time of day"},
        {"2021-06-15T10:30+0800", "+HH:MM"},
        {"2021-06-15T10:30+08", "+HH:MM"},
        {"2021-06-15T10:30+24:00", "out of range"},
        {"2021-06-15T10:30:00Z trailing", "unexpected"},
        {"2021-06-15x", "unexpected"},
        {" 2021-06-15", "YYYY-MM-DD"},
        {"yesterday", "YYYY-MM-DD"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 42;
        gs_err_t err;
        gs_err_clear(&err);
        int rc = gs_time_parse_reference(bad[i].s, &t, &err);
        if (rc != GS_EINVAL || err.code != GS_EINVAL || !strstr(err.msg, bad[i].msg_has) ||
            !strstr(err.msg, "reference time") || t != 42)
            fail_msg("'%s': rc %d msg '%s', want GS_EINVAL mentioning '%s'", bad[i].s, rc, err.msg,
                     bad[i].msg_has);
    }
    /* err is optional, and NULL input is an error, not a crash. */
    int64_t t;
    assert_int_equal(gs_time_parse_reference("2021-13-01", &t, NULL), GS_EINVAL);
    assert_int_equal(gs_time_parse_reference(NULL, &t, NULL), GS_EINVAL);
}

/* The count is of every date found; at most max are written; out may be NULL with max
 * 0; a NULL text finds nothing. */
static void test_scan_max(void **state)
{
    (void)state;
    const char *text = "2021-06-01 2021-06-02 2021-06-03";
    int64_t ref;
    assert_int_equal(gs_time_parse_reference("2021-06-30", &ref, NULL), 0);
    gs_date_found_t out[3];
    memset(out, 0x5a, sizeof(out));
    assert_int_equal(gs_date_scan(text, strlen(text), ref, out, 2), 3);
    assert_int_equal(out[0].date.d, 1);
    assert_int_equal(out[1].date.d, 2);
    gs_date_found_t untouched;
    memset(&untouched, 0x5a, sizeof(untouched));
    assert_memory_equal(&out[2], &untouched, sizeof(untouched));
    assert_int_equal(gs_date_scan(text, strlen(text), ref, NULL, 0), 3);
    assert_int_equal(gs_date_scan(NULL, 10, ref, out, 3), 0);
    /* len bounds the scan: the text need not be NUL-terminated. */
    assert_int_equal(gs_date_scan(text, 10, ref, out, 3), 1);
    assert_int_equal(gs_date_scan(text, 9, ref, out, 3), 0);
}

/* Fill buf (len bytes) with copies of pattern. */
static void fill_pattern(char *buf, size_t len, const char *pattern)
{
    size_t n = strlen(pattern);
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern[i % n];
}

/* Megabytes of near-dates, digits, dashes and numerals finish (a quadratic scanner would
 * time the test out); the counts show the near-dates were really examined. */
static void test_scan_hostile(void **state)
{
    (void)state;
    int64_t ref;
    assert_int_equal(gs_time_parse_reference("2021-06-30T10:00", &ref, NULL), 0);
    char *buf = malloc(HOSTILE_LEN);
    assert_non_null(buf);
    static const char *const patterns[] = {
        "2021-06-2",          "0123456789", "-",   "2021-",  "2021-06-28-", "[06-2",
        "二〇二一年六月二十", "2021年6月",  "9天", "©2021-", "〔2021〕",    "2021-06-28 ",
    };
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        fill_pattern(buf, HOSTILE_LEN, patterns[i]);
        size_t n = gs_date_scan(buf, HOSTILE_LEN, ref, NULL, 0);
        if (i == 0 || i == 1 || i == 2)
            assert_int_equal(n, 0); /* 2021-06-22021... is one long chain */
        if (i == 11)
            assert_int_equal(n, HOSTILE_LEN / strlen(patterns[i]));
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_table),    cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_null),    cmocka_unit_test(test_civil_roundtrip),
        cmocka_unit_test(test_ymd_valid),     cmocka_unit_test(test_days_between),
        cmocka_unit_test(test_ymd_from_unix), cmocka_unit_test(test_ymd_format),
        cmocka_unit_test(test_format_cst),    cmocka_unit_test(test_parse_reference),
        cmocka_unit_test(test_scan_max),      cmocka_unit_test(test_scan_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
