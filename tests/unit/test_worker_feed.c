/* test_worker_feed.c -- account feeds into posts. The cases are data under
 * tests/data/feed/ (found through GS_TEST_DATA): cases.tsv lists each fixture feed with
 * the Content-Type it is served with and the file of what it must parse into (the feed,
 * every post, gs_feed_newest at reference times, or the error), one cmocka test each;
 * html_cases.tsv holds markup and the plain text it must become. Inputs too big to keep
 * as files -- feeds past the post limit, oversized fields and bodies, deep nesting --
 * are built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_buf.h"
#include "gs_err.h"
#include "gs_feed.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSV_FIELDS 6
#define TSV_LINE_MAX 16384
/* Ceiling on fixture files. */
#define TEST_MAX_FIXTURE ((size_t)1024 * 1024)
/* Most cases cases.tsv may list. */
#define TEST_MAX_CASES 128
/* 2021-06-15T12:00:00+08:00, the reference time of the generated feeds. */
#define TEST_REF 1623729600

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

/* Undo the TSV escapes (\t \n \r \\ \xHH) in place; returns the length. */
static size_t unescape(char *s)
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
    return (size_t)(o - s);
}

/* GS_TEST_DATA/feed/<name> into path. */
static void data_path(const char *name, char *path, size_t size)
{
    const char *dir = getenv("GS_TEST_DATA");
    snprintf(path, size, "%s/feed/%s", dir ? dir : "tests/data", name);
}

/* The whole of fixture <name> in a malloc'ed buffer (NUL-terminated), its length in len. */
static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    data_path(name, path, sizeof(path));
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = malloc(TEST_MAX_FIXTURE + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, TEST_MAX_FIXTURE, f);
    assert_true(feof(f));
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static FILE *open_table(const char *name)
{
    char path[1024];
    data_path(name, path, sizeof(path));
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    return f;
}

/* Read the next data line of f and split it on tabs into at most TSV_FIELDS unescaped
 * fields; comments and blank lines are skipped. Returns the field count, 0 at the end. */
static int next_row(FILE *f, char *line, size_t size, char **fields, int *lineno)
{
    while (fgets(line, (int)size, f)) {
        (*lineno)++;
        size_t n = strlen(line);
        assert_true(n + 1 < size);
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
        for (int i = k; i < TSV_FIELDS; i++)
            fields[i] = "";
        return k;
    }
    return 0;
}

/* A decimal integer field, failing the test on anything else. */
static long long num(const char *s, const char *what, int lineno)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end)
        fail_msg("line %d: %s is not a number: '%s'", lineno, what, s);
    return v;
}

/* The GS_E* code named by an expected file ("EPARSE"). */
static int code_by_name(const char *name)
{
    static const struct {
        const char *name;
        int code;
    } codes[] = {{"EPARSE", GS_EPARSE},
                 {"ETOOBIG", GS_ETOOBIG},
                 {"ENOMEM", GS_ENOMEM},
                 {"EINVAL", GS_EINVAL}};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(name, codes[i].name) == 0)
            return codes[i].code;
    fail_msg("unknown error code %s", name);
    return 0;
}

/* 1 when s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80                  ? 0
                : *p >= 0xc2 && *p <= 0xdf ? 1
                : *p >= 0xe0 && *p <= 0xef ? 2
                : *p >= 0xf0 && *p <= 0xf4 ? 3
                                           : -1;
        if (n < 0)
            return 0;
        uint32_t cp = n ? *p & (0x3f >> n) : *p;
        for (int k = 1; k <= n; k++) {
            if ((p[k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* Every string of f is valid UTF-8 and no post's text or title is past its limit. */
static void assert_feed_sane(const gs_feed_t *f)
{
    assert_true(utf8_valid(gs_feed_title(f)));
    assert_true(utf8_valid(gs_feed_link(f)));
    assert_true(strlen(gs_feed_title(f)) <= GS_FEED_MAX_TITLE);
    assert_true(gs_feed_count(f) <= gs_feed_total(f));
    assert_true(gs_feed_count(f) <= GS_FEED_MAX_POSTS);
    for (size_t i = 0; i < gs_feed_count(f); i++) {
        const gs_post_t *p = gs_feed_post(f, i);
        assert_non_null(p);
        assert_true(utf8_valid(p->title) && utf8_valid(p->link) && utf8_valid(p->text));
        assert_true(strlen(p->title) <= GS_FEED_MAX_TITLE);
        assert_true(strlen(p->text) <= GS_FEED_MAX_TEXT);
        assert_true(strlen(p->link) <= GS_FEED_MAX_LINK);
        assert_null(strchr(p->title, '\n'));
    }
    assert_null(gs_feed_post(f, gs_feed_count(f)));
}

/* One row of cases.tsv, the state of its cmocka test. */
typedef struct feed_case {
    char *fixture;      /* file under feed/ */
    char *content_type; /* "-" for none */
    char *expected;     /* file of what it parses into */
    char *name;         /* the test's name */
} feed_case_t;

/* Parse the case's fixture and check it against every line of its expected file. */
static void test_case(void **state)
{
    const feed_case_t *c = *state;
    size_t len;
    char *body = slurp(c->fixture, &len);
    const char *ct = strcmp(c->content_type, "-") == 0 ? NULL : c->content_type;
    gs_feed_t *f = (gs_feed_t *)&len; /* not NULL: the parse must set it */
    gs_err_t err;
    gs_err_clear(&err);
    int rc = gs_feed_parse(body, len, ct, &f, &err);
    free(body);

    FILE *ex = open_table(c->expected);
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS];
    int lineno = 0, n, saw_feed = 0, saw_error = 0;
    size_t next_post = 0;
    while ((n = next_row(ex, line, sizeof(line), fld, &lineno)) > 0) {
        if (strcmp(fld[0], "error") == 0) {
            assert_int_equal(n, 3);
            assert_int_equal(rc, code_by_name(fld[1]));
            assert_string_equal(err.msg, fld[2]);
            assert_null(f);
            saw_error = 1;
            continue;
        }
        if (rc != 0)
            fail_msg("%s: parse failed (%d): %s", c->fixture, rc, err.msg);
        if (strcmp(fld[0], "feed") == 0) {
            assert_int_equal(n, 6);
            assert_string_equal(gs_feed_format(f), fld[1]);
            assert_string_equal(gs_feed_title(f), fld[2]);
            assert_string_equal(gs_feed_link(f), fld[3]);
            assert_int_equal(gs_feed_count(f), num(fld[4], "count", lineno));
            assert_int_equal(gs_feed_total(f), num(fld[5], "total", lineno));
            saw_feed = 1;
        } else if (strcmp(fld[0], "post") == 0) {
            assert_int_equal(n, 5);
            const gs_post_t *p = gs_feed_post(f, next_post);
            if (!p) {
                fail_msg("%s line %d: no post %zu", c->expected, lineno, next_post);
                break;
            }
            assert_string_equal(p->title, fld[1]);
            assert_string_equal(p->link, fld[2]);
            assert_int_equal(p->published, num(fld[3], "published", lineno));
            assert_string_equal(p->text, fld[4]);
            next_post++;
        } else if (strcmp(fld[0], "newest") == 0) {
            assert_int_equal(n, 3);
            assert_int_equal(gs_feed_newest(f, num(fld[1], "ref", lineno)),
                             num(fld[2], "newest", lineno));
        } else {
            fail_msg("%s line %d: unknown line '%s'", c->expected, lineno, fld[0]);
        }
    }
    fclose(ex);
    assert_true(saw_feed != saw_error);
    if (saw_feed) {
        /* Every post is listed, so the counts above are of exactly these posts. */
        assert_int_equal(next_post, gs_feed_count(f));
        assert_feed_sane(f);
    }
    gs_feed_destroy(&f);
    assert_null(f);
}

/* Run one cmocka test per row of cases.tsv. Returns the number of failures. */
static int run_fixture_cases(void)
{
    static feed_case_t cases[TEST_MAX_CASES];
    static struct CMUnitTest tests[TEST_MAX_CASES];
    char path[1024];
    data_path("cases.tsv", path, sizeof(path));
    FILE *t = fopen(path, "r");
    if (!t) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    char line[TSV_LINE_MAX];
    size_t n = 0;
    while (fgets(line, sizeof(line), t)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *fix = line, *ct = strchr(fix, '\t'), *ex = ct ? strchr(ct + 1, '\t') : NULL;
        if (!ct || !ex || n == TEST_MAX_CASES) {
            fprintf(stderr, "cases.tsv: bad line '%s'\n", line);
            fclose(t);
            return 1;
        }
        *ct++ = '\0';
        *ex++ = '\0';
        size_t name_len = strlen(fix) + strlen(ct) + 4;
        cases[n].fixture = strdup(fix);
        cases[n].content_type = strdup(ct);
        cases[n].expected = strdup(ex);
        cases[n].name = malloc(name_len);
        if (!cases[n].fixture || !cases[n].content_type || !cases[n].expected || !cases[n].name) {
            fclose(t);
            return 1;
        }
        snprintf(cases[n].name, name_len, "%s [%s]", fix, ct);
        tests[n] = (struct CMUnitTest){cases[n].name, test_case, NULL, NULL, &cases[n]};
        n++;
    }
    fclose(t);
    int failed = _cmocka_run_group_tests("feed fixtures", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(cases[i].fixture);
        free(cases[i].content_type);
        free(cases[i].expected);
        free(cases[i].name);
    }
    return failed;
}

/* Each row of html_cases.tsv: the markup as an RSS description in CDATA gives exactly the
 * plain text. */
static void test_html_cases(void **state)
{
    (void)state;
    FILE *t = open_table("html_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS];
    int lineno = 0, n, cases = 0;
    while ((n = next_row(t, line, sizeof(line), fld, &lineno)) > 0) {
        assert_int_equal(n, 2);
        gs_buf_t b;
        gs_buf_init(&b, (size_t)TSV_LINE_MAX * 2);
        assert_int_equal(gs_buf_printf(&b,
                                       "<rss version=\"2.0\"><channel><item><description>"
                                       "<![CDATA[%s]]></description></item></channel></rss>",
                                       fld[0]),
                         0);
        gs_feed_t *f = NULL;
        gs_err_t err;
        int rc = gs_feed_parse(b.data, b.len, NULL, &f, &err);
        if (rc != 0)
            fail_msg("html_cases.tsv line %d: parse failed: %s", lineno, err.msg);
        assert_int_equal(gs_feed_count(f), 1);
        const char *got = gs_feed_post(f, 0)->text;
        if (strcmp(got, fld[1]) != 0)
            fail_msg("html_cases.tsv line %d: got '%s', want '%s'", lineno, got, fld[1]);
        assert_true(utf8_valid(got));
        gs_feed_destroy(&f);
        gs_buf_cleanup(&b);
        cases++;
    }
    fclose(t);
    assert_true(cases >= 20);
}

/* An RSS feed of n items, oldest first, item i dated TEST_REF - (n - i) hours, so that
 * the newest ones are past the post limit. */
static char *make_rss(size_t n, size_t *len)
{
    gs_buf_t b;
    gs_buf_init(&b, (size_t)64 * 1024 * 1024);
    assert_int_equal(gs_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                     "<rss version=\"2.0\"><channel><title>大号</title>\n"),
                     0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(gs_buf_printf(&b,
                                       "<item><title>条目 %zu</title><link>https://x.example/%zu"
                                       "</link><description>第 %zu 条</description><pubDate>"
                                       "%lld</pubDate></item>\n",
                                       i, i, i, (long long)TEST_REF - (long long)(n - i) * 3600),
                         0);
    assert_int_equal(gs_buf_puts(&b, "</channel></rss>\n"), 0);
    *len = b.len;
    return gs_buf_steal(&b);
}

/* 1,500 items: 1,000 kept in order, all counted, and the newest date is found among the
 * ones that were not kept. */
static void test_post_limit(void **state)
{
    (void)state;
    size_t len;
    char *body = make_rss(1500, &len);
    gs_feed_t *f = NULL;
    gs_err_t err;
    assert_int_equal(gs_feed_parse(body, len, "application/rss+xml", &f, &err), 0);
    free(body);
    assert_int_equal(gs_feed_count(f), GS_FEED_MAX_POSTS);
    assert_int_equal(gs_feed_total(f), 1500);
    assert_string_equal(gs_feed_post(f, 0)->title, "条目 0");
    assert_string_equal(gs_feed_post(f, 999)->title, "条目 999");
    assert_string_equal(gs_feed_post(f, 999)->link, "https://x.example/999");
    assert_string_equal(gs_feed_post(f, 999)->text, "第 999 条");
    assert_int_equal(gs_feed_post(f, 999)->published, TEST_REF - 501 * 3600);
    assert_null(gs_feed_post(f, 1000));
    assert_int_equal(gs_feed_newest(f, TEST_REF), TEST_REF - 3600);
    assert_int_equal(gs_feed_newest(f, TEST_REF - 3601), TEST_REF - 2 * 3600);
    assert_feed_sane(f);
    gs_feed_destroy(&f);

    /* The same in JSON. */
    gs_buf_t b;
    gs_buf_init(&b, (size_t)16 * 1024 * 1024);
    assert_int_equal(gs_buf_puts(&b, "{\"version\":\"https://jsonfeed.org/version/1\","
                                     "\"title\":\"大号\",\"items\":["),
                     0);
    for (int i = 0; i < 1200; i++)
        assert_int_equal(gs_buf_printf(&b,
                                       "%s{\"id\":\"%d\",\"title\":\"条目 %d\","
                                       "\"date_published\":\"%lld\"}",
                                       i ? "," : "", i, i, (long long)TEST_REF - (1200 - i) * 60LL),
                         0);
    assert_int_equal(gs_buf_puts(&b, "]}"), 0);
    assert_int_equal(gs_feed_parse(b.data, b.len, NULL, &f, &err), 0);
    gs_buf_cleanup(&b);
    assert_string_equal(gs_feed_format(f), "json");
    assert_int_equal(gs_feed_count(f), GS_FEED_MAX_POSTS);
    assert_int_equal(gs_feed_total(f), 1200);
    assert_int_equal(gs_feed_newest(f, TEST_REF), TEST_REF - 60);
    gs_feed_destroy(&f);
}

/* A string of n copies of the 3-byte character 政. */
static char *zheng(size_t n)
{
    char *s = malloc(3 * n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + 3 * i, "\xe6\x94\xbf", 3);
    s[3 * n] = '\0';
    return s;
}

/* Oversized fields are cut on a character boundary; an oversized link is dropped. */
static void test_field_limits(void **state)
{
    (void)state;
    char *title = zheng(5000);  /* 15,000 bytes > 4 KiB */
    char *text = zheng(100000); /* 300,000 bytes > 64 KiB, < the markup ceiling */
    char *link = malloc(GS_FEED_MAX_LINK + 100);
    assert_non_null(link);
    memset(link, 'a', GS_FEED_MAX_LINK + 99);
    memcpy(link, "https://", 8);
    link[GS_FEED_MAX_LINK + 99] = '\0';
    gs_buf_t b;
    gs_buf_init(&b, (size_t)4 * 1024 * 1024);
    assert_int_equal(gs_buf_printf(&b,
                                   "<rss><channel><title>%s</title><item><title>%s</title>"
                                   "<link>%s</link><description><![CDATA[<p>%s</p>]]>"
                                   "</description></item></channel></rss>",
                                   title, title, link, text),
                     0);
    gs_feed_t *f = NULL;
    assert_int_equal(gs_feed_parse(b.data, b.len, NULL, &f, NULL), 0);
    const gs_post_t *p = gs_feed_post(f, 0);
    assert_non_null(p);
    size_t title_max = GS_FEED_MAX_TITLE / 3 * 3, text_max = GS_FEED_MAX_TEXT / 3 * 3;
    assert_int_equal(strlen(gs_feed_title(f)), title_max);
    assert_int_equal(strlen(p->title), title_max);
    assert_memory_equal(p->title, title, title_max);
    assert_int_equal(strlen(p->text), text_max);
    assert_memory_equal(p->text, text, text_max);
    assert_string_equal(p->link, "");
    assert_feed_sane(f);
    gs_feed_destroy(&f);

    /* A link exactly at the limit is kept. */
    link[GS_FEED_MAX_LINK] = '\0';
    gs_buf_reset(&b);
    assert_int_equal(
        gs_buf_printf(&b, "<rss><channel><item><link>%s</link></item></channel></rss>", link), 0);
    assert_int_equal(gs_feed_parse(b.data, b.len, NULL, &f, NULL), 0);
    assert_string_equal(gs_feed_post(f, 0)->link, link);
    gs_feed_destroy(&f);
    gs_buf_cleanup(&b);
    free(title);
    free(text);
    free(link);
}

/* Empty and blank bodies, and bodies that are no feed at all. */
static void test_not_feeds(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        const char *ct;
        int rc;
        const char *msg;
    } cases[] = {
        {"", NULL, GS_EPARSE, "empty body"},
        {" \r\n\t ", "application/rss+xml", GS_EPARSE, "empty body"},
        {"\xef\xbb\xbf", NULL, GS_EPARSE, "empty body"},
        {"账号不存在", "text/plain", GS_EPARSE,
         "not an RSS, Atom or JSON feed: the body starts with \"账号不存在\""},
        {"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", NULL, GS_EPARSE,
         "not an RSS, Atom or JSON feed: root element <svg>"},
        {"<feed xmlns=\"urn:other\"><entry/></feed>", NULL, GS_EPARSE,
         "not an RSS, Atom or JSON feed: root element <feed>"},
        {"<!doctype html><HTML><body><p>x<br></body>", NULL, GS_EPARSE,
         "not an RSS, Atom or JSON feed: root element <html>"},
        {"<<<>>>", NULL, GS_EPARSE, "not an RSS, Atom or JSON feed: no XML element"},
        {"{\"items\": [}", "application/json", GS_EPARSE,
         "not a JSON feed: unexpected token near '}' at line 1, column 12"},
        {"{\"version\": \"1.0\", \"items\": []}", NULL, GS_EPARSE,
         "not a JSON feed: \"version\" is \"1.0\""},
        {"{\"version\": \"https://jsonfeed.org/version/1\", \"items\": {}}", NULL, GS_EPARSE,
         "not a JSON feed: \"items\" is not an array"},
        /* A Content-Type saying JSON makes jansson say what is wrong. */
        {"callback({})", "application/json; charset=utf-8", GS_EPARSE,
         "not a JSON feed: '[' or '{' expected near 'callback' at line 1, column 8"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gs_feed_t *f = (gs_feed_t *)&cases; /* not NULL: the parse must clear it */
        gs_err_t err;
        gs_err_clear(&err);
        int rc = gs_feed_parse(cases[i].body, strlen(cases[i].body), cases[i].ct, &f, &err);
        if (rc != cases[i].rc || strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %zu: got %d '%s', want %d '%s'", i, rc, err.msg, cases[i].rc,
                     cases[i].msg);
        assert_null(f);
        assert_int_equal(err.code, rc);
    }
}

/* JSON nesting is refused past GS_FEED_MAX_DEPTH before jansson recurses into it, and
 * deep XML stops at libxml2's depth limit with what came before it. */
static void test_deep_nesting(void **state)
{
    (void)state;
    gs_feed_t *f = NULL;
    gs_err_t err;
    for (int extra = GS_FEED_MAX_DEPTH - 1; extra <= GS_FEED_MAX_DEPTH; extra++) {
        gs_buf_t b;
        gs_buf_init(&b, 4096);
        assert_int_equal(gs_buf_puts(&b, "{\"version\":\"https://jsonfeed.org/version/1.1\","
                                         "\"items\":[],\"_ext\":\"[[[{{\",\"_x\":"),
                         0);
        for (int i = 0; i < extra; i++)
            assert_int_equal(gs_buf_putc(&b, '['), 0);
        for (int i = 0; i < extra; i++)
            assert_int_equal(gs_buf_putc(&b, ']'), 0);
        assert_int_equal(gs_buf_putc(&b, '}'), 0);
        int rc = gs_feed_parse(b.data, b.len, NULL, &f, &err);
        gs_buf_cleanup(&b);
        if (extra < GS_FEED_MAX_DEPTH) {
            /* The root object and the arrays: exactly at the limit (brackets in strings
             * do not count). */
            assert_int_equal(rc, 0);
            assert_int_equal(gs_feed_count(f), 0);
            gs_feed_destroy(&f);
        } else {
            assert_int_equal(rc, GS_ETOOBIG);
            assert_string_equal(err.msg, "JSON nested deeper than 64 levels");
            assert_null(f);
        }
    }

    /* A million levels costs one pass. */
    size_t levels = 1000000;
    char *deep = malloc(2 * levels + 1);
    assert_non_null(deep);
    memset(deep, '[', levels);
    memset(deep + levels, ']', levels);
    deep[2 * levels] = '\0';
    assert_int_equal(gs_feed_parse(deep, 2 * levels, NULL, &f, &err), GS_ETOOBIG);
    free(deep);

    /* XML 100,000 elements deep inside an item: libxml2 stops at 256 levels (we never
     * pass XML_PARSE_HUGE); the items before and the one it is in are kept. */
    gs_buf_t x;
    gs_buf_init(&x, (size_t)4 * 1024 * 1024);
    assert_int_equal(gs_buf_puts(&x, "<rss version=\"2.0\"><channel><item><title>前</title>"
                                     "<pubDate>Mon, 14 Jun 2021 02:30:00 GMT</pubDate></item>"
                                     "<item><title>深</title><description>"),
                     0);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(gs_buf_puts(&x, "<div>"), 0);
    assert_int_equal(gs_buf_puts(&x, "x"), 0);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(gs_buf_puts(&x, "</div>"), 0);
    assert_int_equal(gs_buf_puts(&x, "</description></item><item><title>后</title></item>"
                                     "</channel></rss>"),
                     0);
    assert_int_equal(gs_feed_parse(x.data, x.len, NULL, &f, &err), 0);
    gs_buf_cleanup(&x);
    assert_int_equal(gs_feed_count(f), 2);
    assert_string_equal(gs_feed_post(f, 0)->title, "前");
    assert_int_equal(gs_feed_post(f, 0)->published, 1623637800);
    assert_string_equal(gs_feed_post(f, 1)->title, "深");
    assert_string_equal(gs_feed_post(f, 1)->text, "");
    gs_feed_destroy(&f);
}

/* Entities are never expanded, however they are spelled: a bomb in the DOCTYPE is gone,
 * and without one every reference to an undeclared name is dropped, not looked up. */
static void test_no_expansion(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp("billion_laughs.xml", &len);
    gs_feed_t *f = NULL;
    assert_int_equal(gs_feed_parse(body, len, NULL, &f, NULL), 0);
    free(body);
    size_t chars = strlen(gs_feed_title(f));
    for (size_t i = 0; i < gs_feed_count(f); i++)
        chars += strlen(gs_feed_post(f, i)->title) + strlen(gs_feed_post(f, i)->text);
    assert_true(chars < 100);
    gs_feed_destroy(&f);

    /* Quadratic blowup: one big entity referenced many times. */
    gs_buf_t b;
    gs_buf_init(&b, (size_t)8 * 1024 * 1024);
    assert_int_equal(gs_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \""), 0);
    for (int i = 0; i < 50000; i++)
        assert_int_equal(gs_buf_putc(&b, 'a'), 0);
    assert_int_equal(gs_buf_puts(&b, "\">]>\n<rss><channel><item><title>t</title><description>"),
                     0);
    for (int i = 0; i < 50000; i++)
        assert_int_equal(gs_buf_puts(&b, "&a;"), 0);
    assert_int_equal(gs_buf_puts(&b, "</description></item></channel></rss>"), 0);
    assert_int_equal(gs_feed_parse(b.data, b.len, NULL, &f, NULL), 0);
    gs_buf_cleanup(&b);
    assert_int_equal(gs_feed_count(f), 1);
    assert_string_equal(gs_feed_post(f, 0)->title, "t");
    assert_string_equal(gs_feed_post(f, 0)->text, "");
    gs_feed_destroy(&f);

    /* A DOCTYPE that never ends is left to libxml2: it recovers the item, and the
     * entity declared in the unfinished subset is still not expanded. */
    static const char open_dtd[] = "<!DOCTYPE rss [ <!ENTITY a \"x\"> <rss><channel>"
                                   "<item><title>&a;</title></item></channel></rss>";
    assert_int_equal(gs_feed_parse(open_dtd, strlen(open_dtd), NULL, &f, NULL), 0);
    assert_int_equal(gs_feed_count(f), 1);
    assert_string_equal(gs_feed_post(f, 0)->title, "");
    gs_feed_destroy(&f);
}

/* Limits and bad arguments: a body past GS_FEED_MAX_BODY is refused before it is read,
 * NULLs are handled, destroy is idempotent. */
static void test_api_edges(void **state)
{
    (void)state;
    gs_feed_t *f = NULL;
    gs_err_t err;
    char *big = calloc(1, GS_FEED_MAX_BODY + 1);
    assert_non_null(big);
    assert_int_equal(gs_feed_parse(big, GS_FEED_MAX_BODY + 1, NULL, &f, &err), GS_ETOOBIG);
    assert_null(f);
    free(big);
    assert_int_equal(gs_feed_parse("<rss/>", 6, NULL, NULL, &err), GS_EINVAL);
    assert_int_equal(gs_feed_parse(NULL, 5, NULL, &f, NULL), GS_EINVAL);
    assert_int_equal(gs_feed_parse(NULL, 0, NULL, &f, &err), GS_EPARSE);
    assert_string_equal(err.msg, "empty body");

    /* A body need not be NUL-terminated: only len bytes are read. */
    static const char unterminated[] = {'<', 'r', 's', 's', '/', '>', '<', 'x'};
    assert_int_equal(gs_feed_parse(unterminated, 6, NULL, &f, &err), 0);
    assert_string_equal(gs_feed_format(f), "rss");
    assert_int_equal(gs_feed_count(f), 0);
    assert_string_equal(gs_feed_title(f), "");
    assert_int_equal(gs_feed_newest(f, TEST_REF), 0);
    gs_feed_destroy(&f);
    assert_null(f);
    gs_feed_destroy(&f);
    gs_feed_destroy(NULL);

    assert_int_equal(gs_feed_count(NULL), 0);
    assert_int_equal(gs_feed_total(NULL), 0);
    assert_null(gs_feed_post(NULL, 0));
    assert_string_equal(gs_feed_title(NULL), "");
    assert_string_equal(gs_feed_link(NULL), "");
    assert_string_equal(gs_feed_format(NULL), "");
    assert_int_equal(gs_feed_newest(NULL, TEST_REF), 0);
}

int main(void)
{
    xmlInitParser();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_cases),   cmocka_unit_test(test_post_limit),
        cmocka_unit_test(test_field_limits), cmocka_unit_test(test_not_feeds),
        cmocka_unit_test(test_deep_nesting), cmocka_unit_test(test_no_expansion),
        cmocka_unit_test(test_api_edges),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    failed += run_fixture_cases();
    xmlCleanupParser();
    return failed;
}
