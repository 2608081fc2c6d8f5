/* test_worker_page_lift.c -- gs_page's fast path (the long script and style texts lifted
 * out of the page before libxml2 parses it, read back through markers) gives the facts of
 * the page parsed as it is, on the cases of tests/data/page_lift/cases.tsv, the simulated
 * province's pages kept there and every input of the page fuzz corpus; and it is taken
 * where it should be (the cases say how many texts, or that the page was parsed again). */
#include "case_tsv.h"
#include "gs_buf.h"
#include "gs_date.h"
#include "gs_err.h"
#include "gs_page.h"
#include "gs_t2s.h"
#include "page_dump.h"

#include <dirent.h>

#define PAGE_URL "http://www.sim-test.gov.cn/col/col123/index.html"
#define MAX_LINKS 2000
#define PAD_LEN 160
#define FILE_MAX (4u * 1024 * 1024)

static int64_t ref_unix;
static gs_t2s_t *t2s;

/* Parse body both ways with content type ct; fail unless the facts are equal. Returns the
 * fast path's page (the caller cleans it up) in fast. */
static void both_ways(const char *what, const char *body, size_t len, const char *ct,
                      gs_page_t *fast)
{
    gs_page_t slow;
    int rs = gs_page_parse_flags(&slow, body, len, ct, PAGE_URL, ref_unix, MAX_LINKS, t2s,
                                 GS_PAGE_NO_LIFT);
    int rf = gs_page_parse_flags(fast, body, len, ct, PAGE_URL, ref_unix, MAX_LINKS, t2s, 0);
    if (rs != rf)
        fail_msg("%s: parsed as it is %d, lifted %d", what, rs, rf);
    assert_int_equal(slow.raw_lifted, 0);
    if (rs == 0) {
        gs_buf_t a, b;
        gs_buf_init(&a, 64u * 1024 * 1024);
        gs_buf_init(&b, 64u * 1024 * 1024);
        assert_int_equal(page_dump(&slow, &a), 0);
        assert_int_equal(page_dump(fast, &b), 0);
        const char *sa = gs_buf_str(&a), *sb = gs_buf_str(&b);
        if (a.len != b.len || memcmp(sa, sb, a.len) != 0) {
            size_t i = 0;
            while (i < a.len && i < b.len && sa[i] == sb[i])
                i++;
            size_t from = i > 80 ? i - 80 : 0;
            fail_msg("%s: facts differ at byte %zu:\n  as it is: %.200s\n  lifted:   %.200s", what,
                     i, sa + from, sb + from);
        }
        gs_buf_cleanup(&a);
        gs_buf_cleanup(&b);
    }
    gs_page_cleanup(&slow);
}

/* The case's html with each {PAD} expanded. */
static char *expand(const char *html, size_t len, size_t *out_len)
{
    gs_buf_t b;
    gs_buf_init(&b, 1u << 20);
    for (size_t i = 0; i < len;) {
        if (len - i >= 5 && memcmp(html + i, "{PAD}", 5) == 0) {
            for (size_t k = 0; k < PAD_LEN; k += 16)
                assert_int_equal(gs_buf_append(&b, "var pad_x = 1;\n ", 16), 0);
            i += 5;
        } else {
            assert_int_equal(gs_buf_append(&b, html + i, 1), 0);
            i++;
        }
    }
    *out_len = b.len;
    char *s = gs_buf_steal(&b);
    assert_non_null(s);
    return s;
}

static void test_cases(void **state)
{
    (void)state;
    FILE *f = case_open("page_lift", "cases.tsv");
    case_row_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    int n = 0;
    while (case_next(f, r)) {
        assert_int_equal(r->n, 3);
        size_t len;
        char *html = expand(r->f[2], r->len[2], &len);
        char what[256];
        snprintf(what, sizeof(what), "cases.tsv:%d (%s)", r->lineno, r->f[0]);
        gs_page_t p;
        both_ways(what, html, len, "text/html; charset=utf-8", &p);
        const char *want = r->f[1];
        if (strcmp(want, "reparsed") == 0) {
            if (!p.raw_reparsed)
                fail_msg("%s: not parsed again (%zu lifted)", what, p.raw_lifted);
        } else if (strcmp(want, "*") != 0) {
            if (p.raw_reparsed || p.raw_lifted != (size_t)strtoul(want, NULL, 10))
                fail_msg("%s: %zu lifted, reparsed %d; the case says %s", what, p.raw_lifted,
                         (int)p.raw_reparsed, want);
        }
        gs_page_cleanup(&p);
        free(html);
        n++;
    }
    fclose(f);
    free(r);
    assert_true(n >= 25);
}

/* Every regular file of dir, both ways, with content type ct (NULL: sniffed); returns the
 * files read and adds the pages read through markers to *lifted. */
static int dir_both_ways(const char *dir, size_t skip, const char *ct, size_t *lifted)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    char *buf = malloc(FILE_MAX);
    assert_non_null(buf);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "cases.tsv") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, FILE_MAX, f);
        fclose(f);
        if (n < skip)
            continue;
        gs_page_t p;
        both_ways(path, buf + skip, n - skip, ct, &p);
        *lifted += p.raw_lifted > 0 && !p.raw_reparsed;
        gs_page_cleanup(&p);
        files++;
    }
    closedir(d);
    free(buf);
    return files;
}

static void test_sim_pages(void **state)
{
    (void)state;
    char dir[1024];
    case_path("page_lift", "", dir, sizeof(dir));
    size_t lifted = 0;
    int files = dir_both_ways(dir, 0, NULL, &lifted);
    assert_int_equal(files, 4);
    assert_int_equal(lifted, 4); /* the province's pages all take the fast path */
}

static void test_fuzz_corpus(void **state)
{
    (void)state;
    char dir[1024];
    case_path("../fuzz/corpus", "page", dir, sizeof(dir));
    size_t lifted = 0;
    /* as the fuzz target reads them (the first byte picks a Content-Type there) and as
     * pages whose charset is sniffed */
    int files = dir_both_ways(dir, 1, "text/html", &lifted);
    files += dir_both_ways(dir, 0, NULL, &lifted);
    assert_true(files >= 200);
}

int main(void)
{
    gs_err_t err;
    if (gs_time_parse_reference("2021-06-15T10:00", &ref_unix, &err) != 0)
        return 1;
    t2s = gs_t2s_new(NULL, &err); /* NULL when OpenCC's data is missing: no conversion */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_sim_pages),
        cmocka_unit_test(test_fuzz_corpus),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gs_t2s_destroy(&t2s);
    return rc;
}
