/* test_charset.c -- charset decision and conversion to UTF-8. The cases are data under
 * tests/data/charset/ (found through GS_TEST_DATA): fixture pages with the UTF-8 text
 * each must turn into (decide_cases.tsv), <meta> spellings (meta_cases.tsv) and small
 * conversions with invalid, truncated and oversized input (convert_cases.tsv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_charset.h"
#include "gs_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSV_FIELDS 4
#define TSV_LINE_MAX 8192
/* Ceiling on converted fixture pages. */
#define TEST_MAX_OUT ((size_t)1024 * 1024)
#define KIB ((size_t)1024)

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

/* Undo the TSV escapes (\t \n \r \\ \xHH) in place; returns the length, as \x00 may
 * appear. */
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

/* GS_TEST_DATA/charset/<name> into path. */
static void data_path(const char *name, char *path, size_t size)
{
    const char *dir = getenv("GS_TEST_DATA");
    snprintf(path, size, "%s/charset/%s", dir ? dir : "tests/data", name);
}

/* The whole of fixture <name> in a malloc'ed buffer (NUL-terminated), its length in len. */
static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    data_path(name, path, sizeof(path));
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = malloc(TEST_MAX_OUT + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, TEST_MAX_OUT, f);
    assert_true(feof(f));
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Read the next data line of f and split it on tabs into at most TSV_FIELDS unescaped
 * fields (lengths in lens); comments and blank lines are skipped. Returns the field
 * count, 0 at the end of the file. */
static int next_row(FILE *f, char *line, size_t size, char **fields, size_t *lens, int *lineno)
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
            lens[i] = unescape(fields[i]);
        return k;
    }
    return 0;
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

/* Each fixture page: the charset decided, then the exact UTF-8 text it converts to. */
static void test_decide_fixtures(void **state)
{
    (void)state;
    FILE *f = open_table("decide_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    size_t lens[TSV_FIELDS] = {0};
    int lineno = 0, n, cases = 0, failures = 0;
    while ((n = next_row(f, line, sizeof(line), fld, lens, &lineno)) > 0) {
        assert_int_equal(n, 4);
        size_t len;
        char *body = slurp(fld[0], &len);
        const char *ct = strcmp(fld[1], "-") == 0 ? NULL : fld[1];
        char cs[GS_CHARSET_NAME_MAX];
        gs_charset_decide(ct, body, len, cs, sizeof(cs));
        if (strcmp(cs, fld[2]) != 0) {
            print_error("decide_cases.tsv:%d: %s with '%s': want %s, got %s\n", lineno, fld[0],
                        ct ? ct : "(none)", fld[2], cs);
            failures++;
        } else if (strcmp(fld[3], "-") != 0) {
            size_t want_len;
            char *want = slurp(fld[3], &want_len);
            char *text = NULL;
            size_t text_len = 0;
            int rc = gs_charset_to_utf8(cs, body, len, TEST_MAX_OUT, &text, &text_len);
            if (rc != 0 || text_len != want_len || memcmp(text, want, want_len) != 0 ||
                text[text_len] != '\0') {
                print_error("decide_cases.tsv:%d: %s as %s: rc %d, %zu bytes, want %zu bytes "
                            "equal to %s\n",
                            lineno, fld[0], cs, rc, text_len, want_len, fld[3]);
                failures++;
            }
            free(text);
            free(want);
        }
        free(body);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 30);
    assert_int_equal(failures, 0);
}

/* <meta> spellings, each in an ASCII page; also the same head past the 4 KiB window. */
static void test_decide_meta(void **state)
{
    (void)state;
    FILE *f = open_table("meta_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    size_t lens[TSV_FIELDS] = {0};
    int lineno = 0, n, cases = 0, failures = 0;
    char page[8192];
    while ((n = next_row(f, line, sizeof(line), fld, lens, &lineno)) > 0) {
        assert_int_equal(n, 2);
        char cs[GS_CHARSET_NAME_MAX];
        int len =
            snprintf(page, sizeof(page), "<!DOCTYPE html><html><head>%s<title>x</title>", fld[0]);
        assert_true(len > 0 && (size_t)len < sizeof(page));
        gs_charset_decide(NULL, page, (size_t)len, cs, sizeof(cs));
        if (strcmp(cs, fld[1]) != 0) {
            print_error("meta_cases.tsv:%d: '%s': want %s, got %s\n", lineno, fld[0], fld[1], cs);
            failures++;
        }
        /* Pushed past the first 4 KiB by a comment, the declaration is not seen. */
        len = snprintf(page, sizeof(page), "<!--%4100s-->%s", "", fld[0]);
        assert_true(len > 0 && (size_t)len < sizeof(page));
        gs_charset_decide(NULL, page, (size_t)len, cs, sizeof(cs));
        if (strcmp(cs, "UTF-8") != 0) {
            print_error("meta_cases.tsv:%d: '%s' past 4 KiB: want UTF-8, got %s\n", lineno, fld[0],
                        cs);
            failures++;
        }
        cases++;
    }
    fclose(f);
    assert_true(cases >= 20);
    assert_int_equal(failures, 0);
}

/* Small conversions: invalid and truncated input, BOMs, NUL, the ceiling, bad names. */
static void test_convert_table(void **state)
{
    (void)state;
    FILE *f = open_table("convert_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    size_t lens[TSV_FIELDS] = {0};
    int lineno = 0, n, cases = 0, failures = 0;
    while ((n = next_row(f, line, sizeof(line), fld, lens, &lineno)) > 0) {
        assert_int_equal(n, 4);
        char *end;
        size_t max_out = (size_t)strtoul(fld[1], &end, 10);
        assert_true(*end == '\0' && end != fld[1]);
        int want_rc = 0;
        if (strcmp(fld[3], "!ETOOBIG") == 0)
            want_rc = GS_ETOOBIG;
        else if (strcmp(fld[3], "!ECHARSET") == 0)
            want_rc = GS_ECHARSET;
        char *out = (char *)"unchanged";
        size_t out_len = 12345;
        int rc = gs_charset_to_utf8(fld[0], fld[2], lens[2], max_out, &out, &out_len);
        if (rc != want_rc) {
            print_error("convert_cases.tsv:%d: %s: want rc %d, got %d\n", lineno, fld[0], want_rc,
                        rc);
            failures++;
        } else if (rc != 0 && (out != NULL || out_len != 0)) {
            print_error("convert_cases.tsv:%d: error must leave out NULL and out_len 0\n", lineno);
            failures++;
        } else if (rc == 0 && (out_len != lens[3] || memcmp(out, fld[3], lens[3]) != 0 ||
                               out[out_len] != '\0' || out_len > max_out)) {
            print_error("convert_cases.tsv:%d: %s: want '%s' (%zu bytes), got '%s' (%zu)\n", lineno,
                        fld[0], fld[3], lens[3], out, out_len);
            failures++;
        }
        if (rc == 0)
            free(out);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 40);
    assert_int_equal(failures, 0);
}

/* A body of NULs (what a decompression bomb is filled with, cut at max_body_bytes): every
 * NUL becomes U+FFFD, in one pass. Scanning the rest of the body for each NUL made this
 * quadratic -- 8 MB took minutes, and the worker missed its heartbeats; the ctest timeout
 * is what fails here then. */
static void test_convert_nuls(void **state)
{
    (void)state;
    const size_t n = 8u << 20;
    char *in = calloc(n, 1);
    assert_non_null(in);
    memcpy(in, "<p>", 3);
    in[n / 2] = 'a';
    char *out = NULL;
    size_t out_len = 0;
    assert_int_equal(gs_charset_to_utf8("UTF-8", in, n, 4 * n, &out, &out_len), 0);
    assert_int_equal(out_len, 3 + 3 * (n - 4) + 1);
    assert_memory_equal(out, "<p>\xef\xbf\xbd", 6);
    size_t fffd = 0;
    for (size_t i = 3; i + 3 <= out_len; i += 3) {
        if (memcmp(out + i, "\xef\xbf\xbd", 3) != 0)
            break;
        fffd++;
    }
    assert_int_equal(fffd, n / 2 - 3); /* up to the 'a' */
    assert_int_equal(out[3 + 3 * fffd], 'a');
    free(out);
    free(in);
}

/* The ceiling on pages much larger than the first buffer guess, in both code paths. */
static void test_convert_large(void **state)
{
    (void)state;
    const size_t chars = 100000; /* "中": 2 bytes of GBK, 3 of UTF-8 */
    char *gbk = malloc(2 * chars);
    char *utf8 = malloc(3 * chars);
    assert_non_null(gbk);
    assert_non_null(utf8);
    for (size_t i = 0; i < chars; i++) {
        memcpy(gbk + 2 * i, "\xd6\xd0", 2);
        memcpy(utf8 + 3 * i, "\xe4\xb8\xad", 3);
    }
    char *out = NULL;
    size_t out_len = 0;
    assert_int_equal(gs_charset_to_utf8("GBK", gbk, 2 * chars, 3 * chars, &out, &out_len), 0);
    assert_int_equal(out_len, 3 * chars);
    assert_memory_equal(out, utf8, 3 * chars);
    free(out);
    assert_int_equal(gs_charset_to_utf8("GBK", gbk, 2 * chars, 3 * chars - 1, &out, &out_len),
                     GS_ETOOBIG);
    assert_null(out);

    /* Latin-1 doubles: every byte 0xe9 becomes two. */
    memset(gbk, 0xe9, 2 * chars);
    assert_int_equal(gs_charset_to_utf8("latin1", gbk, 2 * chars, 4 * chars, &out, &out_len), 0);
    assert_int_equal(out_len, 4 * chars);
    assert_memory_equal(out, "\xc3\xa9\xc3\xa9", 4);
    free(out);

    assert_int_equal(gs_charset_to_utf8("UTF-8", utf8, 3 * chars, 3 * chars, &out, &out_len), 0);
    assert_int_equal(out_len, 3 * chars);
    assert_memory_equal(out, utf8, 3 * chars);
    free(out);
    assert_int_equal(gs_charset_to_utf8("UTF-8", utf8, 3 * chars, 3 * chars - 1, &out, &out_len),
                     GS_ETOOBIG);
    assert_null(out);
    free(gbk);
    free(utf8);

    /* Bad arguments. */
    assert_int_equal(gs_charset_to_utf8("UTF-8", "a", 1, 10, NULL, &out_len), GS_EINVAL);
    assert_int_equal(gs_charset_to_utf8(NULL, "a", 1, 10, &out, &out_len), GS_EINVAL);
    assert_int_equal(gs_charset_to_utf8("UTF-8", NULL, 1, 10, &out, &out_len), GS_EINVAL);
    assert_int_equal(gs_charset_to_utf8("UTF-8", NULL, 0, 10, &out, NULL), 0);
    assert_string_equal(out, "");
    free(out);
}

/* Where iconv_copy copies long ASCII runs past iconv: a run's first bytes may still belong
 * to the character before it (a GB18030 four-byte sequence ends in a digit, a GBK or Big5
 * trail byte can be '@'), a pair BIG5-HKSCS holds back comes out before the run, and a NUL
 * inside a run still becomes U+FFFD. */
static void test_convert_ascii_runs(void **state)
{
    (void)state;
    static const struct {
        const char *charset;
        const char *in;
        size_t in_len;
        const char *want;
    } cases[] = {
#define RUN_CASE(cs, in, want) {cs, in, sizeof(in) - 1, want}
        /* a four-byte sequence cut before a run of digits: one U+FFFD for the lead byte */
        RUN_CASE("GB18030",
                 "\x81\x30"
                 "0123456789 and markup",
                 "\xef\xbf\xbd"
                 "00123456789 and markup"),
        /* a four-byte sequence (U+0080) whose last byte starts the run */
        RUN_CASE("GB18030",
                 "\x81\x30\x81"
                 "0<p>0123456789 markup",
                 "\xc2\x80<p>0123456789 markup"),
        /* 81 40 is U+4E02 */
        RUN_CASE("GBK", "\x81@@@@<p class=\"x\">text</p>",
                 "\xe4\xb8\x82@@@<p class=\"x\">text</p>"),
        RUN_CASE("BIG5-HKSCS", "\x88\x62<p class=\"x\">text</p>",
                 "\xc3\x8a\xcc\x84<p class=\"x\">text</p>"),
        RUN_CASE("big5", "\xa4@<p class=\"x\">text</p>\xa4",
                 "\xe4\xb8\x80<p class=\"x\">text</p>\xef\xbf\xbd"),
        RUN_CASE("GBK", "<p class=\"x\">te\0xt</p>\xd6\xd0",
                 "<p class=\"x\">te\xef\xbf\xbdxt</p>\xe4\xb8\xad"),
        RUN_CASE("GB18030", "\xd6\xd0<p class=\"x\">text</p>\x81\x30",
                 "\xe4\xb8\xad<p class=\"x\">text</p>\xef\xbf\xbd"),
        RUN_CASE("latin1", "caf\xe9 <p class=\"x\">cr\xe8me</p>",
                 "caf\xc3\xa9 <p class=\"x\">cr\xc3\xa8me</p>"),
        /* UTF-8 runs of three-byte characters: a surrogate or an overlong among them is
         * still replaced, a NUL too */
        RUN_CASE("UTF-8", "\xe4\xb8\xad\xed\xa0\x80\xe6\x96\x87",
                 "\xe4\xb8\xad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe6\x96\x87"),
        RUN_CASE("UTF-8", "\xe4\xb8\xad\xe0\x9f\xbf\xe6\x96\x87",
                 "\xe4\xb8\xad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe6\x96\x87"),
        RUN_CASE("UTF-8", "\xe4\xb8\xad\0\xe6\x96\x87<p>",
                 "\xe4\xb8\xad\xef\xbf\xbd\xe6\x96\x87<p>"),
        RUN_CASE("UTF-8", "\xe4\xb8\xad\xe6\x96", "\xe4\xb8\xad\xef\xbf\xbd"),
#undef RUN_CASE
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = NULL;
        size_t out_len = 0;
        assert_int_equal(gs_charset_to_utf8(cases[i].charset, cases[i].in, cases[i].in_len, 1024,
                                            &out, &out_len),
                         0);
        if (out_len != strlen(cases[i].want) || memcmp(out, cases[i].want, out_len) != 0)
            fail_msg("ascii run case %zu (%s): want '%s', got '%s'", i, cases[i].charset,
                     cases[i].want, out);
        free(out);
    }

    /* A NUL does not make a UTF-8 page any less UTF-8: it is replaced in the text. */
    static const char page[] = "<p>\xe4\xb8\xad\xe6\x96\x87\xe6\xb5\x8b\xe8\xaf\x95\0</p>";
    char cs[GS_CHARSET_NAME_MAX];
    gs_charset_decide("text/html; charset=gbk", page, sizeof(page) - 1, cs, sizeof(cs));
    assert_string_equal(cs, "UTF-8");
}

/* Odd inputs to gs_charset_decide. */
static void test_decide_edges(void **state)
{
    (void)state;
    char cs[GS_CHARSET_NAME_MAX];
    gs_charset_decide(NULL, NULL, 0, cs, sizeof(cs));
    assert_string_equal(cs, "UTF-8");
    gs_charset_decide("text/html; charset=gbk", "", 0, cs, sizeof(cs));
    assert_string_equal(cs, "GB18030");
    gs_charset_decide("text/html; charset=utf-8", "", 0, cs, sizeof(cs));
    assert_string_equal(cs, "UTF-8");
    /* A small buffer gets a truncated, terminated name. */
    char small[4];
    gs_charset_decide("text/html; charset=gbk", "", 0, small, sizeof(small));
    assert_string_equal(small, "GB1");

    /* A few bytes of GBK: uchardet 0.0.7 calls "中" ISO-8859-5, so well-formed GB18030
     * wins when there is little evidence. */
    static const struct {
        const char *body;
        const char *ct;
        const char *want;
    } small_cases[] = {
        {"\xd6\xd0", NULL, "GB18030"},
        {"<title>\xd2\xb3\xc3\xe6\xb2\xbb\xb4\xe6\xd4\xda</title>", NULL, "GB18030"},
        {"<p>\xd5\xfd\xd4\xda\xcc\xf8\xd7\xaa</p>", "text/html; charset=ISO-8859-1", "GB18030"},
        {"<p>caf\xe9 cr\xe8me</p>", "text/html; charset=ISO-8859-1", "ISO-8859-1"},
        /* Not UTF-8, not GB18030, and uchardet (0.0.7) has no answer for these two
         * bytes: GB18030, as a zh-CN browser would. */
        {"\x80\x81", NULL, "GB18030"},
    };
    for (size_t i = 0; i < sizeof(small_cases) / sizeof(small_cases[0]); i++) {
        gs_charset_decide(small_cases[i].ct, small_cases[i].body, strlen(small_cases[i].body), cs,
                          sizeof(cs));
        if (strcmp(cs, small_cases[i].want) != 0)
            fail_msg("small case %zu: want %s, got %s", i, small_cases[i].want, cs);
    }

    /* A UTF-8 declaration stands on valid UTF-8, and is overruled by one bad byte in the
     * first 64 KiB but not by one after it. */
    size_t n = 70 * KIB;
    char *body = malloc(n);
    assert_non_null(body);
    for (size_t i = 0; i + 3 <= n; i += 3)
        memcpy(body + i, "\xe4\xb8\xad", 3);
    memset(body + n - n % 3, 'a', n % 3);
    gs_charset_decide("text/html; charset=utf-8", body, n, cs, sizeof(cs));
    assert_string_equal(cs, "UTF-8");
    body[66 * KIB] = '\xff';
    gs_charset_decide("text/html; charset=utf-8", body, n, cs, sizeof(cs));
    assert_string_equal(cs, "UTF-8");
    body[100] = '\xff';
    gs_charset_decide("text/html; charset=utf-8", body, n, cs, sizeof(cs));
    assert_string_not_equal(cs, "UTF-8");
    free(body);

    /* A multibyte character cut by the 64 KiB window is not a contradiction. */
    n = 64 * KIB + 1;
    body = malloc(n);
    assert_non_null(body);
    memset(body, 'a', n);
    memcpy(body + 64 * KIB - 1, "\xe4\xb8", 2);
    gs_charset_decide("text/html; charset=utf-8", body, n, cs, sizeof(cs));
    assert_string_equal(cs, "UTF-8");
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide_fixtures), cmocka_unit_test(test_decide_meta),
        cmocka_unit_test(test_convert_table),   cmocka_unit_test(test_convert_large),
        cmocka_unit_test(test_convert_nuls),    cmocka_unit_test(test_convert_ascii_runs),
        cmocka_unit_test(test_decide_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
