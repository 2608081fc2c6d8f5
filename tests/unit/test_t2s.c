/* test_t2s.c -- Traditional to Simplified with OpenCC on real government text: a Hong Kong
 * notice, a Taiwan notice and a Big5-era page (tests/data/t2s/ with their Simplified
 * forms), Simplified text that must come out unchanged, the looks-Traditional test,
 * invalid UTF-8 and NUL bytes, the output ceiling, texts longer than one OpenCC piece,
 * two threads sharing one converter, and a Traditional page's wrong form found by the
 * wording dictionary after conversion. */
#include "case_tsv.h"

#include "gs_buf.h"
#include "gs_dict.h"
#include "gs_err.h"
#include "gs_t2s.h"

#include <opencc.h>
#include <pthread.h>

static int setup(void **state)
{
    gs_err_t err;
    gs_err_clear(&err);
    gs_t2s_t *t = gs_t2s_new(NULL, &err);
    if (!t)
        fail_msg("gs_t2s_new: %s", err.msg);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    gs_t2s_t *t = *state;
    gs_t2s_destroy(&t);
    assert_null(t);
    gs_t2s_destroy(&t);
    return 0;
}

/* Convert a file of tests/data/t2s and compare with another (or with itself). */
static void expect_file(const gs_t2s_t *t, const char *in, const char *want)
{
    size_t n, wn;
    char *text = case_slurp("t2s", in, &n);
    char *expected =
        case_slurp(want[0] == '.' ? "dict" : "t2s", want[0] == '.' ? want + 1 : want, &wn);
    char *out = NULL;
    size_t on = 0;
    assert_int_equal(gs_t2s_convert(t, text, n, 1 << 20, &out, &on), 0);
    if (on != wn || memcmp(out, expected, wn) != 0)
        fail_msg("%s: got\n%s\nexpected\n%s", in, out, expected);
    free(out);
    free(text);
    free(expected);
}

static void test_traditional_pages(void **state)
{
    const gs_t2s_t *t = *state;
    expect_file(t, "hk.txt", "hk.hans.txt");
    expect_file(t, "tw.txt", "tw.hans.txt");
    expect_file(t, "big5era.txt", "big5era.hans.txt");
}

/* Markup is copied, not converted (gs_t2s.c): the result must be what OpenCC makes of the
 * whole page at once. Traditional sentences wrapped in markup of every length of ASCII run
 * around the copy threshold, digits and Latin words inside the text too. */
static void test_markup_same_as_whole(void **state)
{
    const gs_t2s_t *t = *state;
    static const char *const wraps[] = {"",
                                        " ",
                                        "<br>",
                                        "</a>",
                                        "<li><a href=\"/a\">",
                                        "2021-06-15 ",
                                        "<span class=\"date\">[06-15]</span>",
                                        "\n<div class=\"content\"><p style=\"text-indent:2em\">",
                                        " ICP ",
                                        "</p>\n</div>\n<script>var x = 1;</script>\n"};
    static const char *const files[] = {"tw.txt", "hk.txt", "big5era.txt"};
    gs_buf_t page;
    gs_buf_init(&page, 1 << 20);
    size_t w = 0, k = 0;
    for (size_t f = 0; f < 3; f++) {
        size_t n;
        char *text = case_slurp("t2s", files[f], &n);
        /* markup after every 1st, 2nd, ... 9th character, in turn */
        for (size_t i = 0, run = 0; i < n; run++) {
            size_t c = 1;
            while (i + c < n && ((unsigned char)text[i + c] & 0xc0) == 0x80)
                c++;
            assert_int_equal(gs_buf_append(&page, text + i, c), 0);
            i += c;
            if (run % 9 == k % 9) {
                assert_int_equal(gs_buf_puts(&page, wraps[w++ % 10]), 0);
                k++;
            }
        }
        free(text);
    }
    assert_int_equal(gs_buf_putc(&page, '\0'), 0);
    opencc_t cc = opencc_open(GS_T2S_CONFIG_DEFAULT);
    assert_true(cc != (opencc_t)-1);
    char *whole = opencc_convert_utf8(cc, page.data, page.len - 1);
    assert_non_null(whole);
    char *out = NULL;
    size_t on = 0;
    assert_int_equal(gs_t2s_convert(t, page.data, page.len - 1, 1 << 21, &out, &on), 0);
    assert_int_equal(on, strlen(whole));
    assert_string_equal(out, whole);
    assert_non_null(strstr(out, "</a>")); /* markup came through */
    opencc_convert_utf8_free(whole);
    opencc_close(cc);
    free(out);
    gs_buf_cleanup(&page);
}

static void test_simplified_unchanged(void **state)
{
    const gs_t2s_t *t = *state;
    expect_file(t, "hans.txt", "hans.txt");
    /* The clean government page of the dictionary tests, read from tests/data/dict. */
    size_t n;
    char *text = case_slurp("dict", "clean.txt", &n);
    char *out = NULL;
    size_t on = 0;
    assert_int_equal(gs_t2s_convert(t, text, n, 1 << 20, &out, &on), 0);
    assert_int_equal(on, n);
    assert_memory_equal(out, text, n);
    free(out);
    free(text);
}

static int looks(const gs_t2s_t *t, const char *dir, const char *name)
{
    size_t n;
    char *text = case_slurp(dir, name, &n);
    int r = gs_t2s_looks_traditional(t, text, n);
    free(text);
    return r;
}

static void test_looks_traditional(void **state)
{
    const gs_t2s_t *t = *state;
    assert_int_equal(looks(t, "t2s", "hk.txt"), 1);
    assert_int_equal(looks(t, "t2s", "tw.txt"), 1);
    assert_int_equal(looks(t, "t2s", "big5era.txt"), 1);
    assert_int_equal(looks(t, "t2s", "hans.txt"), 0);
    assert_int_equal(looks(t, "t2s", "hk.hans.txt"), 0);
    assert_int_equal(looks(t, "dict", "clean.txt"), 0);
    assert_int_equal(gs_t2s_looks_traditional(t, "hello world", 11), 0);
    assert_int_equal(gs_t2s_looks_traditional(t, "", 0), 0);
    /* One Traditional name in a Simplified page is not a Traditional page. */
    const char *one = "关于印发工作要点的通知，请各单位认真贯彻落实，确保各项任务落到实处。臺";
    assert_int_equal(gs_t2s_looks_traditional(t, one, strlen(one)), 0);
    size_t han = 0, changed = 0;
    size_t n;
    char *hk = case_slurp("t2s", "hk.txt", &n);
    assert_int_equal(gs_t2s_sample(t, hk, n, &han, &changed), 0);
    assert_true(han > 100);
    assert_true(changed * 5 > han); /* a fifth and more of the characters change */
    free(hk);
}

static void test_invalid_and_nul(void **state)
{
    const gs_t2s_t *t = *state;
    const char in[] = "abc\0臺灣\xff\xe4\xb8";
    char *out = NULL;
    size_t on = 0;
    assert_int_equal(gs_t2s_convert(t, in, sizeof(in) - 1, 256, &out, &on), 0);
    const char want[] = "abc\0台湾\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd";
    assert_int_equal(on, sizeof(want) - 1);
    assert_memory_equal(out, want, on);
    free(out);
    /* Empty in, empty out. */
    assert_int_equal(gs_t2s_convert(t, "", 0, 16, &out, &on), 0);
    assert_int_equal(on, 0);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(gs_t2s_convert(t, NULL, 3, 16, &out, &on), GS_EINVAL);
}

static void test_ceiling(void **state)
{
    const gs_t2s_t *t = *state;
    size_t n;
    char *hk = case_slurp("t2s", "hk.txt", &n);
    char *out = (char *)"untouched";
    size_t on = 7;
    assert_int_equal(gs_t2s_convert(t, hk, n, 10, &out, &on), GS_ETOOBIG);
    assert_string_equal(out, "untouched");
    assert_int_equal(on, 7);
    /* Appending to a caller's buffer: its ceiling, and a prefix on failure. */
    gs_buf_t b;
    gs_buf_init(&b, n / 2);
    assert_int_equal(gs_t2s_append(t, hk, n, &b), GS_ETOOBIG);
    assert_true(b.len <= n / 2);
    gs_buf_cleanup(&b);
    free(hk);
}

/* Text repeated reps times into a new buffer. */
static char *repeat(const char *s, size_t n, size_t reps)
{
    char *r = malloc(n * reps + 1);
    assert_non_null(r);
    for (size_t i = 0; i < reps; i++)
        memcpy(r + i * n, s, n);
    r[n * reps] = '\0';
    return r;
}

static void test_long_texts(void **state)
{
    const gs_t2s_t *t = *state;
    size_t n, wn;
    char *hk = case_slurp("t2s", "hk.txt", &n);
    char *hans = case_slurp("t2s", "hk.hans.txt", &wn);
    size_t reps = (3u << 20) / n / 2; /* about 1.5 MB: many pieces */
    char *in = repeat(hk, n, reps), *want = repeat(hans, wn, reps);
    char *out = NULL;
    size_t on = 0;
    assert_int_equal(gs_t2s_convert(t, in, n * reps, 8u << 20, &out, &on), 0);
    assert_int_equal(on, wn * reps);
    assert_memory_equal(out, want, on);
    free(out);
    free(in);
    free(want);
    /* No ASCII byte and no full stop for far longer than a piece: cut between characters. */
    in = repeat("臺灣", strlen("臺灣"), GS_T2S_CHUNK / 3);
    want = repeat("台湾", strlen("台湾"), GS_T2S_CHUNK / 3);
    assert_int_equal(gs_t2s_convert(t, in, strlen(in), 8u << 20, &out, &on), 0);
    assert_int_equal(on, strlen(want));
    assert_memory_equal(out, want, on);
    free(out);
    free(in);
    free(want);
    free(hk);
    free(hans);
}

static void test_bad_config(void **state)
{
    (void)state;
    gs_err_t err;
    gs_err_clear(&err);
    assert_null(gs_t2s_new("/nonexistent/t2s.json", &err));
    assert_int_equal(err.code, GS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/t2s.json"));
}

/* Argument of a converting thread. */
typedef struct conv_arg {
    const gs_t2s_t *t;
    const char *in;
    size_t n;
    char *out;
    size_t on;
    int rc;
} conv_arg_t;

static void *conv_thread(void *p)
{
    conv_arg_t *a = p;
    for (int i = 0; i < 20 && a->rc == 0; i++) {
        free(a->out);
        a->out = NULL;
        a->rc = gs_t2s_convert(a->t, a->in, a->n, 1 << 24, &a->out, &a->on);
    }
    return NULL;
}

static void test_threads(void **state)
{
    const gs_t2s_t *t = *state;
    size_t n, wn;
    char *hk = case_slurp("t2s", "hk.txt", &n);
    char *hans = case_slurp("t2s", "hk.hans.txt", &wn);
    char *in = repeat(hk, n, 200), *want = repeat(hans, wn, 200);
    conv_arg_t a1 = {t, in, n * 200, NULL, 0, 0}, a2 = a1;
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, conv_thread, &a1), 0);
    assert_int_equal(pthread_create(&t2, NULL, conv_thread, &a2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(a1.rc, 0);
    assert_int_equal(a2.rc, 0);
    assert_int_equal(a1.on, wn * 200);
    assert_memory_equal(a1.out, want, a1.on);
    assert_memory_equal(a2.out, want, a2.on);
    free(a1.out);
    free(a2.out);
    free(in);
    free(want);
    free(hk);
    free(hans);
}

/* W-WORDING on a Traditional page: convert, then match the Simplified dictionary. */
static void test_wording_after_conversion(void **state)
{
    const gs_t2s_t *t = *state;
    const char *page = "為實現中華名族偉大復興而奮鬥，堅持黨風廉正建設。";
    gs_err_t err;
    gs_err_clear(&err);
    const char *dir = getenv("GS_DATA_DIR");
    gs_dict_t *d = gs_dict_load(dir ? dir : "data", &err);
    assert_non_null(d);
    gs_dict_wording_t w[4];
    /* Unconverted, only the script-neutral 名族 is seen; 黨風廉正建設 is missed. */
    assert_int_equal(gs_dict_wording(d, page, strlen(page), w, 4), 1);
    assert_string_equal(w[0].wrong, "名族");
    assert_int_equal(gs_t2s_looks_traditional(t, page, strlen(page)), 1);
    char *s = NULL;
    size_t sn = 0;
    assert_int_equal(gs_t2s_convert(t, page, strlen(page), 4096, &s, &sn), 0);
    assert_int_equal(gs_dict_wording(d, s, sn, w, 4), 2);
    assert_string_equal(w[0].wrong, "中华名族");
    assert_string_equal(w[1].wrong, "党风廉正建设");
    free(s);
    gs_dict_destroy(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_traditional_pages),
        cmocka_unit_test(test_markup_same_as_whole),
        cmocka_unit_test(test_simplified_unchanged),
        cmocka_unit_test(test_looks_traditional),
        cmocka_unit_test(test_invalid_and_nul),
        cmocka_unit_test(test_ceiling),
        cmocka_unit_test(test_long_texts),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_wording_after_conversion),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
