/* test_url.c -- URL resolution and normalization, host tests, and the SSRF address
 * classifier. The cases are data: tests/data/url/resolve_cases.tsv, addr_cases.tsv and
 * gov_cases.tsv (found through GS_TEST_DATA); this file only runs them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_url.h"

#include <arpa/inet.h>
#include <locale.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define TSV_FIELDS 4
#define TSV_LINE_MAX 8192

/* 1 once setlocale gave a UTF-8 LC_CTYPE, which libcurl needs for IDN hosts. */
static int utf8_locale;

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

/* Open GS_TEST_DATA/url/<name>. */
static FILE *open_data(const char *name)
{
    const char *dir = getenv("GS_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof(path), "%s/url/%s", dir ? dir : "tests/data", name);
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

static void test_resolve_table(void **state)
{
    (void)state;
    FILE *f = open_data("resolve_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    int lineno = 0, n, cases = 0, failures = 0;
    while ((n = next_row(f, line, sizeof(line), fld, &lineno)) > 0) {
        assert_int_equal(n, 3);
        char *got = gs_url_resolve(fld[0], fld[1]);
        const char *want = strcmp(fld[2], "-") == 0 ? NULL : fld[2];
        if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0)) {
            print_error("resolve_cases.tsv:%d: base '%s' href '%s': want %s, got %s\n", lineno,
                        fld[0], fld[1], want ? want : "NULL", got ? got : "NULL");
            failures++;
        }
        /* Normalizing a normalized URL changes nothing. */
        if (got) {
            char *again = gs_url_resolve(got, "");
            if (!again || strcmp(again, got) != 0) {
                print_error("resolve_cases.tsv:%d: not idempotent: %s -> %s\n", lineno, got,
                            again ? again : "NULL");
                failures++;
            }
            free(again);
        }
        free(got);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 60);
    assert_int_equal(failures, 0);
}

/* A base parsed once resolves every case exactly as gs_url_resolve does, the fast path
 * (plain paths joined without a parse) included: every base of the table against every
 * href of the table and a set of plain and almost-plain paths. */
static void test_urlbase_same_as_resolve(void **state)
{
    (void)state;
    static const char *const extra[] = {"/col/zwdt/index.html",
                                        "art_1.html",
                                        "a/b/c.html",
                                        "/",
                                        "index.html",
                                        "../x.html",
                                        "./x.html",
                                        "/a/./b",
                                        "/a/../b",
                                        "a//b",
                                        "//other.host/x",
                                        "/a%20b",
                                        "a?x=1",
                                        "a#frag",
                                        " /a",
                                        "/a ",
                                        "...",
                                        "/.../x",
                                        "/a/..",
                                        "/a/.",
                                        "~user/",
                                        "/A/B_C-D.E",
                                        "x:y",
                                        "mailto:a",
                                        "HTTP://X/",
                                        "",
                                        "/a/b/",
                                        "a.b.c",
                                        "/%7E",
                                        NULL};
    FILE *f = open_data("resolve_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    int lineno = 0, n, failures = 0, pairs = 0;
    char *bases[256], *hrefs[512];
    size_t nb = 0, nh = 0;
    while ((n = next_row(f, line, sizeof(line), fld, &lineno)) > 0) {
        if (nb < 256)
            bases[nb++] = strdup(fld[0]);
        if (nh < 512)
            hrefs[nh++] = strdup(fld[1]);
    }
    fclose(f);
    for (int i = 0; extra[i] && nh < 512; i++)
        hrefs[nh++] = strdup(extra[i]);
    for (size_t i = 0; i < nb; i++) {
        gs_urlbase_t *b = gs_urlbase_new(bases[i]);
        for (size_t k = 0; b && k < nh; k++) {
            char *slow = gs_url_resolve(bases[i], hrefs[k]);
            char *fast = gs_urlbase_resolve(b, hrefs[k]);
            if ((slow == NULL) != (fast == NULL) || (slow && strcmp(slow, fast) != 0)) {
                print_error("base '%s' href '%s': resolve %s, urlbase %s\n", bases[i], hrefs[k],
                            slow ? slow : "NULL", fast ? fast : "NULL");
                failures++;
            }
            pairs++;
            free(slow);
            free(fast);
        }
        gs_urlbase_destroy(&b);
        assert_null(b);
    }
    for (size_t i = 0; i < nb; i++)
        free(bases[i]);
    for (size_t k = 0; k < nh; k++)
        free(hrefs[k]);
    assert_true(pairs > 1000);
    assert_int_equal(failures, 0);
}

/* The GS_URL_MAX ceiling applies to the href, the base and the result. */
static void test_resolve_length_limit(void **state)
{
    (void)state;
    const char *base = "http://x/"; /* 9 bytes */
    char *href = malloc(GS_URL_MAX + 2);
    assert_non_null(href);

    /* "/" + 4086 'a' gives exactly GS_URL_MAX bytes of result: accepted. */
    href[0] = '/';
    memset(href + 1, 'a', GS_URL_MAX - 9);
    href[GS_URL_MAX - 8] = '\0';
    char *got = gs_url_resolve(base, href);
    assert_non_null(got);
    assert_int_equal(strlen(got), GS_URL_MAX);
    free(got);

    /* One more byte and the result is too long. */
    href[GS_URL_MAX - 8] = 'a';
    href[GS_URL_MAX - 7] = '\0';
    assert_null(gs_url_resolve(base, href));

    /* An href longer than GS_URL_MAX is refused before parsing. */
    memset(href, 'a', GS_URL_MAX + 1);
    href[GS_URL_MAX + 1] = '\0';
    assert_null(gs_url_resolve(base, href));
    assert_null(gs_url_resolve(href, "a"));

    /* Percent-encoding counts: 1000 Chinese characters are 3001 bytes as written but
     * 9001 once encoded. */
    size_t k = 0;
    href[k++] = '/';
    while (k + 3 <= 1 + 3 * 1000) {
        memcpy(href + k, "\xe6\x94\xbf", 3);
        k += 3;
    }
    href[k] = '\0';
    assert_null(gs_url_resolve(base, href));
    free(href);

    assert_null(gs_url_resolve(NULL, "a"));
    assert_null(gs_url_resolve(base, NULL));
}

/* Internationalized hosts become punycode when the locale lets libcurl convert them. */
static void test_resolve_idn(void **state)
{
    (void)state;
    char *got = gs_url_resolve("http://x/", "https://\xe4\xbe\x8b\xe5\xad\x90.\xe6\x94\xbf"
                                            "\xe5\x8a\xa1/a");
    assert_non_null(got);
    if (utf8_locale)
        assert_string_equal(got, "https://xn--fsqu00a.xn--zfr164b/a");
    else
        assert_string_equal(got, "https://\xe4\xbe\x8b\xe5\xad\x90.\xe6\x94\xbf\xe5\x8a\xa1/a");
    free(got);

    /* A host that is not UTF-8 is refused; libcurl's failed IDN conversion on the way
     * must not leak (LeakSanitizer watches this in the sanitizer build). */
    assert_null(gs_url_resolve("http://x/", "http://\xff\xfe.cn/"));
    assert_null(gs_url_host("http://\xff\xfe.cn/"));
    assert_null(gs_url_host("http://\xe4\xb8.cn/"));
}

static void test_host(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        const char *host; /* NULL: no host */
    } cases[] = {
        {"http://WWW.Hunan.GOV.cn:8080/a?b#c", "www.hunan.gov.cn"},
        {"https://[2001:DB8::1]:8443/", "2001:db8::1"},
        {"http://[0:0:0:0:0:FFFF:7F00:1]/", "::ffff:127.0.0.1"},
        {"http://user:pw@www.gov.cn.evil.example/", "www.gov.cn.evil.example"},
        {"http://www.gov.cn@evil.example/", "evil.example"},
        {"  http://www.gov.cn/  ", "www.gov.cn"},
        {"http://127.1/", "127.0.0.1"},
        {"ftp://ftp.example.gov.cn/", "ftp.example.gov.cn"},
        {"/relative/path", NULL},
        {"file:///etc/passwd", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *h = gs_url_host(cases[i].url);
        if (cases[i].host) {
            if (!h)
                fail_msg("host of '%s': want %s, got NULL", cases[i].url, cases[i].host);
            assert_string_equal(h, cases[i].host);
        } else {
            if (h)
                fail_msg("host of '%s': want NULL, got %s", cases[i].url, h);
        }
        free(h);
    }
    assert_null(gs_url_host(NULL));
}

/* The plain-URL fast path answers what libcurl answers: each URL alone (fast path when it
 * is plain) and with a leading space (always libcurl, which trims it). */
static void test_host_fast_path(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "http://www.hunan.gov.cn/",
        "HTTPS://WWW.Hunan.Gov.CN:8443/a/b.html?x=1#f",
        "http://www.hunan.gov.cn",
        "http://www.hunan.gov.cn?q",
        "http://www.hunan.gov.cn#top",
        "http://www.hunan.gov.cn./x",
        "http://sub-1.x-y.gov.cn:80/",
        "http://localhost:8080/",
        "http://127.1/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://1.2.3.4:80/",
        "http://www.gov.cn@evil.example/",
        "http://a..b.gov.cn/",
        "http://www.gov.cn:99999999/",
        "http://www.gov.cn\\evil.example/",
        "http://xn--zfr164b.xn--fiqs8s/",
        "http://-bad.gov.cn/",
    };
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        char spaced[256];
        snprintf(spaced, sizeof(spaced), " %s", urls[i]);
        char *fast = gs_url_host(urls[i]), *slow = gs_url_host(spaced);
        if ((fast == NULL) != (slow == NULL) || (fast && strcmp(fast, slow) != 0))
            fail_msg("host of '%s': %s, libcurl says %s", urls[i], fast ? fast : "NULL",
                     slow ? slow : "NULL");
        int same_fast = gs_url_same_host(urls[i], "http://www.hunan.gov.cn/");
        int same_slow = gs_url_same_host(spaced, " http://www.hunan.gov.cn/");
        if (same_fast != same_slow)
            fail_msg("same_host('%s'): %d, libcurl says %d", urls[i], same_fast, same_slow);
        free(fast);
        free(slow);
    }
}

static void test_same_host(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int same;
    } cases[] = {
        {"http://www.hunan.gov.cn/a", "https://WWW.HUNAN.GOV.CN:8443/b", 1},
        {"http://www.hunan.gov.cn/", "http://www.hunan.gov.cn./x", 1},
        {"http://www.hunan.gov.cn/", "http://hunan.gov.cn/", 0},
        {"http://www.hunan.gov.cn/", "http://www.hunan.gov.cn.evil.example/", 0},
        {"http://[::1]/", "http://[0:0::1]/", 1},
        {"http://www.hunan.gov.cn/", "javascript:x", 0},
        {"http://www.hunan.gov.cn/", NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = gs_url_same_host(cases[i].a, cases[i].b);
        if (got != cases[i].same)
            fail_msg("same_host('%s', '%s'): want %d, got %d", cases[i].a,
                     cases[i].b ? cases[i].b : "NULL", cases[i].same, got);
    }
}

static void test_gov_table(void **state)
{
    (void)state;
    FILE *f = open_data("gov_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    int lineno = 0, n, cases = 0, failures = 0;
    while ((n = next_row(f, line, sizeof(line), fld, &lineno)) > 0) {
        assert_int_equal(n, 2);
        int want = fld[1][0] == '1';
        int got = gs_host_is_gov(fld[0]);
        if (got != want) {
            print_error("gov_cases.tsv:%d: '%s': want %d, got %d\n", lineno, fld[0], want, got);
            failures++;
        }
        cases++;
    }
    fclose(f);
    assert_true(cases >= 15);
    assert_int_equal(failures, 0);
    assert_false(gs_host_is_gov(NULL));
}

static void test_addr_table(void **state)
{
    (void)state;
    FILE *f = open_data("addr_cases.tsv");
    char line[TSV_LINE_MAX];
    char *fld[TSV_FIELDS] = {"", "", "", ""};
    int lineno = 0, n, cases = 0, failures = 0;
    while ((n = next_row(f, line, sizeof(line), fld, &lineno)) > 0) {
        assert_true(n >= 2);
        int want = fld[1][0] == '1';
        int got = -1;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
        memset(&in4, 0, sizeof(in4));
        memset(&in6, 0, sizeof(in6));
        if (inet_pton(AF_INET, fld[0], &in4.sin_addr) == 1) {
            in4.sin_family = AF_INET;
            in4.sin_port = htons(80);
            got = gs_addr_is_private((const struct sockaddr *)&in4, sizeof(in4));
            /* Too short a length for the family is refused, whatever the address. */
            assert_int_equal(gs_addr_is_private((const struct sockaddr *)&in4, 4), 1);
        } else if (inet_pton(AF_INET6, fld[0], &in6.sin6_addr) == 1) {
            in6.sin6_family = AF_INET6;
            in6.sin6_port = htons(443);
            got = gs_addr_is_private((const struct sockaddr *)&in6, sizeof(in6));
            assert_int_equal(
                gs_addr_is_private((const struct sockaddr *)&in6, sizeof(struct sockaddr_in)), 1);
        } else {
            fail_msg("addr_cases.tsv:%d: '%s' is not an address", lineno, fld[0]);
        }
        if (got != want) {
            print_error("addr_cases.tsv:%d: %s (%s): want %d, got %d\n", lineno, fld[0],
                        n > 2 ? fld[2] : "", want, got);
            failures++;
        }
        cases++;
    }
    fclose(f);
    assert_true(cases >= 70);
    assert_int_equal(failures, 0);
}

/* Families other than IPv4 and IPv6, and unusable arguments, are refused. */
static void test_addr_other_families(void **state)
{
    (void)state;
    struct sockaddr_un un;
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    snprintf(un.sun_path, sizeof(un.sun_path), "/tmp/x.sock");
    assert_int_equal(gs_addr_is_private((const struct sockaddr *)&un, sizeof(un)), 1);

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    ss.ss_family = AF_UNSPEC;
    assert_int_equal(gs_addr_is_private((const struct sockaddr *)&ss, sizeof(ss)), 1);

    /* A public IPv4 address in sockaddr_storage (as curl hands it) is allowed. */
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    in4->sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, "8.8.8.8", &in4->sin_addr), 1);
    assert_int_equal(gs_addr_is_private((const struct sockaddr *)&ss, sizeof(ss)), 0);

    assert_int_equal(gs_addr_is_private(NULL, sizeof(ss)), 1);
    assert_int_equal(gs_addr_is_private((const struct sockaddr *)&ss, 0), 1);
}

int main(void)
{
    utf8_locale = setlocale(LC_CTYPE, "C.UTF-8") != NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_table),
        cmocka_unit_test(test_urlbase_same_as_resolve),
        cmocka_unit_test(test_resolve_length_limit),
        cmocka_unit_test(test_resolve_idn),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_host_fast_path),
        cmocka_unit_test(test_same_host),
        cmocka_unit_test(test_gov_table),
        cmocka_unit_test(test_addr_table),
        cmocka_unit_test(test_addr_other_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
