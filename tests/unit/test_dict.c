/* test_dict.c -- the shipped dictionaries (data/wording.tsv, spam.tsv, placeholders.txt)
 * and their rules: the case tables of tests/data/dict/ (wrong forms with exceptions and
 * the longest-form rule, spam categories, weights and whole-word ASCII terms, blank-column
 * placeholders), files that must be refused with file:line, the integrity of the data (no
 * wrong form in any right form, every term found as itself, every exception clean, no
 * finding in a page of ordinary government text), the max/count contract and hostile
 * texts. */
#include "case_tsv.h"

#include "gs_dict.h"
#include "gs_err.h"
#include "gs_utf8.h"

#include <unistd.h>

#define OUT_MAX 64

static const char *data_dir(void)
{
    const char *d = getenv("GS_DATA_DIR");
    return d ? d : "data";
}

static int setup(void **state)
{
    gs_err_t err;
    gs_err_clear(&err);
    gs_dict_t *d = gs_dict_load(data_dir(), &err);
    if (!d)
        fail_msg("gs_dict_load(%s): %s", data_dir(), err.msg);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    gs_dict_t *d = *state;
    gs_dict_destroy(&d);
    assert_null(d);
    return 0;
}

static void test_counts(void **state)
{
    const gs_dict_t *d = *state;
    assert_true(gs_dict_wording_count(d) >= 150);
    assert_true(gs_dict_spam_count(d) >= 120);
    assert_true(gs_dict_placeholder_count(d) >= 10);
}

/* Format wording results as "wrong>right:count ..." into buf. */
static void fmt_wording(const gs_dict_wording_t *w, int n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && i < OUT_MAX; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s>%s:%zu", i ? " " : "", w[i].wrong, w[i].right,
                              w[i].count);
    if (n == 0)
        snprintf(buf, len, "-");
}

static void test_wording_table(void **state)
{
    const gs_dict_t *d = *state;
    FILE *fp = case_open("dict", "wording_cases.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 2);
        gs_dict_wording_t w[OUT_MAX];
        int n = gs_dict_wording(d, r->f[0], r->len[0], w, OUT_MAX);
        assert_true(n >= 0);
        char got[2048];
        fmt_wording(w, n, got, sizeof(got));
        if (strcmp(got, r->f[1]) != 0)
            fail_msg("wording_cases.tsv:%d: got '%s', expected '%s'", r->lineno, got, r->f[1]);
        /* Every result points at its wrong form in the text. */
        for (int i = 0; i < n; i++) {
            assert_true(w[i].offset + w[i].len <= r->len[0]);
            assert_memory_equal(r->f[0] + w[i].offset, w[i].wrong, w[i].len);
            assert_true(w[i].severity == GS_DICT_SERIOUS || w[i].severity == GS_DICT_NORMAL);
            assert_non_null(w[i].category);
        }
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 25);
}

static void test_wording_fields(void **state)
{
    const gs_dict_t *d = *state;
    const char *t = "为了中华名族，国务院办公庭发文";
    gs_dict_wording_t w[4];
    assert_int_equal(gs_dict_wording(d, t, strlen(t), w, 4), 2);
    assert_string_equal(w[0].wrong, "中华名族");
    assert_string_equal(w[0].right, "中华民族");
    assert_string_equal(w[0].category, "political");
    assert_int_equal(w[0].severity, GS_DICT_SERIOUS);
    assert_int_equal(w[0].offset, strlen("为了"));
    assert_int_equal(w[0].len, strlen("中华名族"));
    assert_string_equal(w[1].category, "institution");
    /* The evidence snippet a checker writes: ±20 characters around the first occurrence. */
    char snip[256];
    int n = gs_utf8_snippet(t, strlen(t), w[1].offset, w[1].len, GS_DICT_SNIPPET_RADIUS, snip,
                            sizeof(snip));
    assert_int_equal(n, (int)strlen(t));
    assert_string_equal(snip, t);
}

/* A decimal number that must fill s. */
static int atoi_checked(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    assert_true(end != s && *end == '\0');
    return (int)v;
}

static void fmt_spam(const gs_dict_spam_t *s, int n, char *buf, size_t len, int *weight)
{
    size_t o = 0;
    *weight = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && i < OUT_MAX; i++) {
        o += (size_t)snprintf(buf + o, len - o, "%s%s/%s:%zu", i ? " " : "", s[i].term,
                              s[i].category, s[i].count);
        *weight += s[i].weight;
    }
    if (n == 0)
        snprintf(buf, len, "-");
}

static void test_spam_table(void **state)
{
    const gs_dict_t *d = *state;
    FILE *fp = case_open("dict", "spam_cases.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 3);
        gs_dict_spam_t s[OUT_MAX];
        int n = gs_dict_spam(d, r->f[0], r->len[0], s, OUT_MAX);
        assert_true(n >= 0);
        char got[2048];
        int weight;
        fmt_spam(s, n, got, sizeof(got), &weight);
        if (strcmp(got, r->f[1]) != 0 || weight != atoi_checked(r->f[2]))
            fail_msg("spam_cases.tsv:%d: got '%s' weight %d, expected '%s' weight %s", r->lineno,
                     got, weight, r->f[1], r->f[2]);
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 20);
}

static void test_placeholder_table(void **state)
{
    const gs_dict_t *d = *state;
    FILE *fp = case_open("dict", "placeholder_cases.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 2);
        const char *p = gs_dict_placeholder(d, r->f[0], r->len[0]);
        const char *want = strcmp(r->f[1], "-") == 0 ? NULL : r->f[1];
        if ((p == NULL) != (want == NULL) || (p && strcmp(p, want) != 0))
            fail_msg("placeholder_cases.tsv:%d: got '%s', expected '%s'", r->lineno, p ? p : "-",
                     r->f[1]);
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 10);
    /* Longer than a column's placeholder can be: never one. */
    char big[GS_DICT_PLACEHOLDER_TEXT_MAX + 16];
    memset(big, ' ', sizeof(big));
    memcpy(big, "暂无信息", strlen("暂无信息"));
    assert_null(gs_dict_placeholder(d, big, sizeof(big)));
    assert_non_null(gs_dict_placeholder(d, big, GS_DICT_PLACEHOLDER_TEXT_MAX));
}

/* Write content to dir/name. */
static void write_file(const char *dir, const char *name, const char *content, size_t len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
}

/* Copy the real data file name into dir. */
static void copy_real(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    write_file(dir, name, buf, n);
    free(buf);
}

static void remove_files(const char *dir)
{
    const char *names[] = {"wording.tsv", "spam.tsv", "placeholders.txt"};
    char path[1024];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
}

static void test_load_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/gs-test-dict.XXXXXX";
    assert_non_null(mkdtemp(dir));
    FILE *fp = case_open("dict", "load_errors.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 3);
        const char *names[] = {"wording.tsv", "spam.tsv", "placeholders.txt"};
        for (int i = 0; i < 3; i++) {
            if (strcmp(names[i], r->f[0]) == 0)
                write_file(dir, names[i], r->f[1], r->len[1]);
            else
                copy_real(dir, names[i]);
        }
        gs_err_t err;
        gs_err_clear(&err);
        gs_dict_t *d = gs_dict_load(dir, &err);
        if (d || !strstr(err.msg, r->f[2]))
            fail_msg("load_errors.tsv:%d: %s, message '%s', expected '%s'", r->lineno,
                     d ? "loaded" : "refused", err.msg, r->f[2]);
        assert_true(err.code < 0);
        gs_dict_destroy(&d);
        cases++;
    }
    fclose(fp);
    free(r);
    assert_true(cases >= 10);
    /* A missing file names itself. */
    remove_files(dir);
    gs_err_t err;
    gs_err_clear(&err);
    assert_null(gs_dict_load(dir, &err));
    assert_int_equal(err.code, GS_EIO);
    assert_non_null(strstr(err.msg, "wording.tsv"));
    assert_int_equal(rmdir(dir), 0);
}

/* The fields of every entry of a shipped file; calls fn for each. */
typedef void (*entry_fn)(const gs_dict_t *d, int lineno, char **f, int nf);

static void each_entry(const gs_dict_t *d, const char *name, entry_fn fn)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[GS_DICT_LINE_MAX + 2];
    int lineno = 0;
    while (fgets(line, sizeof(line), fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *f[8];
        int nf = 0;
        for (char *p = line; nf < 8;) {
            f[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        fn(d, lineno, f, nf);
    }
    fclose(fp);
}

/* Call fn(d, lineno, exception) for each exception of the field ("-" = none). */
static void each_exception(const gs_dict_t *d, int lineno, const char *field, uint32_t entry,
                           int spam)
{
    if (strcmp(field, "-") == 0 || !*field)
        return;
    char buf[GS_DICT_LINE_MAX];
    snprintf(buf, sizeof(buf), "%s", field);
    for (char *p = buf;;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        if (spam) {
            gs_dict_spam_t s[OUT_MAX];
            int n = gs_dict_spam(d, p, strlen(p), s, OUT_MAX);
            for (int i = 0; i < n && i < OUT_MAX; i++)
                if (s[i].entry == entry)
                    fail_msg("spam.tsv:%d: exception '%s' reports its own term", lineno, p);
        } else {
            gs_dict_wording_t w[OUT_MAX];
            int n = gs_dict_wording(d, p, strlen(p), w, OUT_MAX);
            for (int i = 0; i < n && i < OUT_MAX; i++)
                if (w[i].entry == entry)
                    fail_msg("wording.tsv:%d: exception '%s' reports its own form", lineno, p);
        }
        if (!bar)
            break;
        p = bar + 1;
    }
}

static uint32_t wording_index;
static void check_wording_entry(const gs_dict_t *d, int lineno, char **f, int nf)
{
    assert_true(nf >= 4);
    gs_dict_wording_t w[OUT_MAX];
    /* The right form is clean. */
    int n = gs_dict_wording(d, f[1], strlen(f[1]), w, OUT_MAX);
    if (n != 0)
        fail_msg("wording.tsv:%d: right form '%s' contains wrong form '%s'", lineno, f[1],
                 w[0].wrong);
    /* The wrong form alone is found as itself, and only itself. */
    n = gs_dict_wording(d, f[0], strlen(f[0]), w, OUT_MAX);
    if (n != 1 || strcmp(w[0].wrong, f[0]) != 0 || strcmp(w[0].right, f[1]) != 0)
        fail_msg("wording.tsv:%d: '%s' alone gives %d results (%s)", lineno, f[0], n,
                 n > 0 ? w[0].wrong : "-");
    assert_int_equal(w[0].entry, wording_index);
    if (nf >= 5)
        each_exception(d, lineno, f[4], wording_index, 0);
    wording_index++;
}

static uint32_t spam_index;
static void check_spam_entry(const gs_dict_t *d, int lineno, char **f, int nf)
{
    assert_true(nf >= 3);
    gs_dict_spam_t s[OUT_MAX];
    int n = gs_dict_spam(d, f[0], strlen(f[0]), s, OUT_MAX);
    if (n != 1 || strcmp(s[0].term, f[0]) != 0)
        fail_msg("spam.tsv:%d: '%s' alone gives %d results (%s)", lineno, f[0], n,
                 n > 0 ? s[0].term : "-");
    assert_int_equal(s[0].entry, spam_index);
    if (nf >= 4)
        each_exception(d, lineno, f[3], spam_index, 1);
    spam_index++;
}

static void test_data_integrity(void **state)
{
    const gs_dict_t *d = *state;
    wording_index = spam_index = 0;
    each_entry(d, "wording.tsv", check_wording_entry);
    each_entry(d, "spam.tsv", check_spam_entry);
    assert_int_equal(wording_index, gs_dict_wording_count(d));
    assert_int_equal(spam_index, gs_dict_spam_count(d));
}

static void test_clean_text(void **state)
{
    const gs_dict_t *d = *state;
    size_t len;
    char *text = case_slurp("dict", "clean.txt", &len);
    gs_dict_wording_t w[OUT_MAX];
    gs_dict_spam_t s[OUT_MAX];
    int nw = gs_dict_wording(d, text, len, w, OUT_MAX);
    int ns = gs_dict_spam(d, text, len, s, OUT_MAX);
    if (nw != 0)
        fail_msg("clean.txt: wrong form '%s' at %zu", w[0].wrong, w[0].offset);
    if (ns != 0)
        fail_msg("clean.txt: spam term '%s' at %zu", s[0].term, s[0].offset);
    assert_null(gs_dict_placeholder(d, text, len));
    free(text);
}

/* gs_dict_scan gives what gs_dict_wording and gs_dict_spam give, in one pass. */
static void expect_scan_same(const gs_dict_t *d, const char *text, size_t len, int lineno)
{
    gs_dict_wording_t w1[OUT_MAX], w2[OUT_MAX];
    gs_dict_spam_t s1[OUT_MAX], s2[OUT_MAX];
    int nw1 = gs_dict_wording(d, text, len, w1, OUT_MAX);
    int ns1 = gs_dict_spam(d, text, len, s1, OUT_MAX);
    int nw2 = -1, ns2 = -1;
    assert_int_equal(gs_dict_scan(d, text, len, w2, OUT_MAX, &nw2, s2, OUT_MAX, &ns2), 0);
    if (nw1 != nw2 || ns1 != ns2)
        fail_msg("line %d: separate %d/%d, one pass %d/%d", lineno, nw1, ns1, nw2, ns2);
    for (int i = 0; i < nw1 && i < OUT_MAX; i++) {
        assert_int_equal(w1[i].entry, w2[i].entry);
        assert_int_equal(w1[i].offset, w2[i].offset);
        assert_int_equal(w1[i].count, w2[i].count);
    }
    for (int i = 0; i < ns1 && i < OUT_MAX; i++) {
        assert_int_equal(s1[i].entry, s2[i].entry);
        assert_int_equal(s1[i].offset, s2[i].offset);
        assert_int_equal(s1[i].count, s2[i].count);
    }
}

static void test_one_pass(void **state)
{
    const gs_dict_t *d = *state;
    const char *tables[] = {"wording_cases.tsv", "spam_cases.tsv"};
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    for (int t = 0; t < 2; t++) {
        FILE *fp = case_open("dict", tables[t]);
        r->lineno = 0;
        while (case_next(fp, r))
            expect_scan_same(d, r->f[0], r->len[0], r->lineno);
        fclose(fp);
    }
    free(r);
    const char *mixed = "重庆时时彩开户送彩金，中华名族伟大复兴，国务院办公庭 bet365 名族";
    expect_scan_same(d, mixed, strlen(mixed), 0);
    gs_dict_wording_t w[4];
    gs_dict_spam_t s[4];
    int nw = 0, ns = 0;
    assert_int_equal(gs_dict_scan(d, mixed, strlen(mixed), w, 4, &nw, s, 4, &ns), 0);
    assert_int_equal(nw, 3);
    assert_int_equal(ns, 3);
}

static void test_max_and_count(void **state)
{
    const gs_dict_t *d = *state;
    const char *t = "少数名族、国务院办公庭、黑龙疆，少数名族";
    gs_dict_wording_t w[2];
    assert_int_equal(gs_dict_wording(d, t, strlen(t), w, 1), 3);
    assert_string_equal(w[0].wrong, "少数名族");
    assert_int_equal(w[0].count, 2);
    assert_int_equal(gs_dict_wording(d, t, strlen(t), NULL, 0), 3);
    gs_dict_spam_t s[1];
    assert_int_equal(gs_dict_spam(d, "百家乐 bet365 约炮", strlen("百家乐 bet365 约炮"), s, 0), 3);
    assert_int_equal(gs_dict_wording(d, NULL, 0, w, 2), 0);
}

static void test_hostile(void **state)
{
    const gs_dict_t *d = *state;
    /* A megabyte of one wrong form: one result, every occurrence counted. */
    const char *unit = "名族";
    size_t ul = strlen(unit), reps = (1u << 20) / ul;
    char *text = malloc(reps * ul);
    assert_non_null(text);
    for (size_t i = 0; i < reps; i++)
        memcpy(text + i * ul, unit, ul);
    gs_dict_wording_t w[4];
    assert_int_equal(gs_dict_wording(d, text, reps * ul, w, 4), 1);
    assert_int_equal(w[0].count, reps);
    /* A megabyte of arbitrary bytes: whatever is found lies inside the text. */
    srand(7);
    for (size_t i = 0; i < reps * ul; i++)
        text[i] = (char)(rand() % 2 ? 0xe5 + rand() % 3 : 0x80 + rand() % 64);
    gs_dict_spam_t s[OUT_MAX];
    int n = gs_dict_wording(d, text, reps * ul, w, 4);
    assert_true(n >= 0);
    n = gs_dict_spam(d, text, reps * ul, s, OUT_MAX);
    assert_true(n >= 0);
    for (int i = 0; i < n && i < OUT_MAX; i++)
        assert_true(s[i].offset + s[i].len <= reps * ul);
    assert_null(gs_dict_placeholder(d, text, reps * ul));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_wording_table),
        cmocka_unit_test(test_wording_fields),
        cmocka_unit_test(test_spam_table),
        cmocka_unit_test(test_placeholder_table),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_data_integrity),
        cmocka_unit_test(test_clean_text),
        cmocka_unit_test(test_one_pass),
        cmocka_unit_test(test_max_and_count),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
