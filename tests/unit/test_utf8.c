/* test_utf8.c -- strict UTF-8 decoding, validation, sanitizing copies, character counts
 * and the evidence snippets of the text checks (cases in tests/data/utf8/snippet_cases.tsv:
 * character boundaries, white space, invalid bytes, small buffers). */
#include "case_tsv.h"

#include "gs_buf.h"
#include "gs_err.h"
#include "gs_utf8.h"

static void test_decode(void **state)
{
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(gs_utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(gs_utf8_decode("\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xe9);
    assert_int_equal(gs_utf8_decode("\xe5\x90\x8d", 3, &cp), 3); /* 名 */
    assert_int_equal(cp, 0x540d);
    assert_int_equal(gs_utf8_decode("\xf0\xa0\x80\x80", 4, &cp), 4); /* U+20000 */
    assert_int_equal(cp, 0x20000);
    /* Refused: truncated, overlong, surrogate, past U+10FFFF, stray continuation. */
    assert_int_equal(gs_utf8_decode("\xe5\x90", 2, &cp), 0);
    assert_int_equal(gs_utf8_decode("\xc0\xaf", 2, &cp), 0);
    assert_int_equal(gs_utf8_decode("\xe0\x80\xaf", 3, &cp), 0);
    assert_int_equal(gs_utf8_decode("\xed\xa0\x80", 3, &cp), 0);
    assert_int_equal(gs_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0);
    assert_int_equal(gs_utf8_decode("\x80", 1, &cp), 0);
    assert_int_equal(gs_utf8_decode("", 0, &cp), 0);
}

static void test_valid_and_chars(void **state)
{
    (void)state;
    assert_true(gs_utf8_valid("", 0));
    assert_true(gs_utf8_valid("中华人民共和国 abc", strlen("中华人民共和国 abc")));
    assert_false(gs_utf8_valid("abc\xff", 4));
    assert_false(gs_utf8_valid("\xe4\xb8", 2));
    assert_int_equal(gs_utf8_chars("中华a", strlen("中华a")), 3);
    assert_int_equal(gs_utf8_chars("\xff\xfe", 2), 2);
}

static void test_sanitize(void **state)
{
    (void)state;
    gs_buf_t b;
    gs_buf_init(&b, 64);
    assert_int_equal(gs_utf8_sanitize("a\xff"
                                      "族\xe4\xb8",
                                      strlen("a\xff"
                                             "族\xe4\xb8"),
                                      &b),
                     0);
    assert_string_equal(gs_buf_str(&b), "a\xef\xbf\xbd族\xef\xbf\xbd\xef\xbf\xbd");
    gs_buf_cleanup(&b);
    /* The ceiling holds. */
    gs_buf_init(&b, 4);
    assert_int_equal(gs_utf8_sanitize("\xff\xff", 2, &b), GS_ETOOBIG);
    gs_buf_cleanup(&b);
}

static void test_snippet_table(void **state)
{
    (void)state;
    FILE *fp = case_open("utf8", "snippet_cases.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 5);
        const char *at = NULL;
        for (size_t i = 0; i + r->len[1] <= r->len[0] && !at; i++)
            if (memcmp(r->f[0] + i, r->f[1], r->len[1]) == 0)
                at = r->f[0] + i;
        if (!at)
            fail_msg("snippet_cases.tsv:%d: match not in text", r->lineno);
        size_t radius = strtoul(r->f[2], NULL, 10), buflen = strtoul(r->f[3], NULL, 10);
        char buf[512];
        assert_true(buflen <= sizeof(buf));
        int n = gs_utf8_snippet(r->f[0], r->len[0], (size_t)(at - r->f[0]), r->len[1], radius, buf,
                                buflen);
        if (n < 0 || strcmp(buf, r->f[4]) != 0 || (size_t)n != r->len[4])
            fail_msg("snippet_cases.tsv:%d: got '%s' (%d), expected '%s'", r->lineno,
                     n < 0 ? "" : buf, n, r->f[4]);
        assert_true(gs_utf8_valid(buf, (size_t)n));
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 8);
}

static void test_snippet_errors(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(gs_utf8_snippet("abc", 3, 2, 2, 5, buf, sizeof(buf)), GS_EINVAL);
    assert_int_equal(gs_utf8_snippet("abc", 3, 4, 0, 5, buf, sizeof(buf)), GS_EINVAL);
    assert_int_equal(
        gs_utf8_snippet("abc", 3, 0, 1, GS_UTF8_SNIPPET_RADIUS_MAX + 1, buf, sizeof(buf)),
        GS_EINVAL);
    assert_int_equal(gs_utf8_snippet("abc", 3, 0, 1, 5, buf, 0), GS_EINVAL);
    assert_int_equal(gs_utf8_snippet("abc", 3, 1, 1, 0, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),         cmocka_unit_test(test_valid_and_chars),
        cmocka_unit_test(test_sanitize),       cmocka_unit_test(test_snippet_table),
        cmocka_unit_test(test_snippet_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
