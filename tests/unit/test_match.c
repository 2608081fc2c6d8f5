/* test_match.c -- the Aho-Corasick matcher against a naive search: the case table
 * tests/data/match/cases.tsv (exact occurrences in report order), random patterns and
 * texts over small alphabets, random bytes and Chinese characters (overlaps, prefixes,
 * duplicates, invalid UTF-8), hostile texts (a megabyte of one letter, 256-byte patterns),
 * the limits and states of the API, a 100,000-term Chinese dictionary whose every
 * occurrence in a megabyte of text is checked, and two threads scanning one matcher. */
#include "case_tsv.h"

#include "gs_match.h"

#include <pthread.h>

/* Most occurrences one case or random round records. */
#define HITS_MAX 200000
/* Random rounds against the naive search. */
#define RANDOM_ROUNDS 3000
/* The large dictionary: terms, and the text its planted terms are scanned in. */
#define BIG_TERMS 100000
#define BIG_TEXT ((size_t)1024 * 1024)

/* One reported occurrence. */
typedef struct hit {
    uint32_t id;
    size_t off, len;
} hit_t;

/* Occurrences recorded by record_cb. */
typedef struct hits {
    hit_t *v;
    size_t n, cap;
    size_t stop_after; /* stop the scan after this many (0 = never) */
} hits_t;

static int record_cb(void *ud, uint32_t id, size_t off, size_t len)
{
    hits_t *h = ud;
    if (h->n < h->cap)
        h->v[h->n] = (hit_t){id, off, len};
    h->n++;
    return h->stop_after && h->n >= h->stop_after;
}

static int count_cb(void *ud, uint32_t id, size_t off, size_t len)
{
    (void)id, (void)off, (void)len;
    (*(size_t *)ud)++;
    return 0;
}

static hits_t hits_new(void)
{
    hits_t h = {calloc(HITS_MAX, sizeof(hit_t)), 0, HITS_MAX, 0};
    assert_non_null(h.v);
    return h;
}

/* The naive search, in the matcher's report order: by end, longer first, then order
 * added. Patterns are pat[i] of plen[i] bytes with ids i. */
static size_t naive(const uint8_t *const *pat, const size_t *plen, size_t np, const uint8_t *t,
                    size_t n, int fold, hit_t *out, size_t cap)
{
    size_t k = 0;
    for (size_t end = 1; end <= n; end++) {
        for (size_t len = GS_MATCH_PATTERN_MAX; len > 0; len--) {
            if (len > end)
                continue;
            for (size_t i = 0; i < np; i++) {
                if (plen[i] != len)
                    continue;
                size_t j = 0;
                for (; j < len; j++) {
                    uint8_t a = t[end - len + j], b = pat[i][j];
                    if (fold && a >= 'A' && a <= 'Z')
                        a = (uint8_t)(a + 32);
                    if (fold && b >= 'A' && b <= 'Z')
                        b = (uint8_t)(b + 32);
                    if (a != b)
                        break;
                }
                if (j == len) {
                    if (k < cap)
                        out[k] = (hit_t){(uint32_t)i, end - len, len};
                    k++;
                }
            }
        }
    }
    return k;
}

static void expect_same(const hits_t *got, const hit_t *want, size_t nwant, const char *what)
{
    if (got->n != nwant)
        fail_msg("%s: %zu occurrences, expected %zu", what, got->n, nwant);
    for (size_t i = 0; i < nwant && i < got->cap; i++) {
        if (got->v[i].id != want[i].id || got->v[i].off != want[i].off ||
            got->v[i].len != want[i].len)
            fail_msg("%s: occurrence %zu is %u@%zu+%zu, expected %u@%zu+%zu", what, i, got->v[i].id,
                     got->v[i].off, got->v[i].len, want[i].id, want[i].off, want[i].len);
    }
}

static void test_case_table(void **state)
{
    (void)state;
    FILE *fp = case_open("match", "cases.tsv");
    case_row_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    r->lineno = 0;
    hits_t got = hits_new();
    hit_t want[64];
    int cases = 0;
    while (case_next(fp, r)) {
        assert_true(r->n >= 4);
        gs_match_t *m = gs_match_new(strcmp(r->f[0], "fold") == 0 ? GS_MATCH_FOLD_ASCII : 0);
        assert_non_null(m);
        /* Patterns: split the raw field at |, then unescape each (so \x7c is a literal). */
        char raw[CASE_LINE_MAX];
        uint32_t id = 0;
        char *p = r->raw[1];
        for (;;) {
            char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            memcpy(raw, p, n);
            raw[n] = '\0';
            n = case_unescape(raw);
            assert_int_equal(gs_match_add(m, raw, n, id++), 0);
            if (!bar)
                break;
            p = bar + 1;
        }
        assert_int_equal(gs_match_build(m, NULL), 0);
        size_t nw = 0;
        if (strcmp(r->f[3], "-") != 0) {
            for (char *tok = r->f[3]; *tok;) {
                char *sp = strchr(tok, ' ');
                if (sp)
                    *sp = '\0';
                unsigned wid;
                size_t off, len;
                assert_int_equal(sscanf(tok, "%u@%zu+%zu", &wid, &off, &len), 3);
                assert_true(nw < 64);
                want[nw++] = (hit_t){wid, off, len};
                if (!sp)
                    break;
                tok = sp + 1;
            }
        }
        got.n = 0;
        assert_int_equal(gs_match_scan(m, r->f[2], r->len[2], record_cb, &got), 0);
        char what[64];
        snprintf(what, sizeof(what), "cases.tsv:%d", r->lineno);
        expect_same(&got, want, nw, what);
        gs_match_destroy(&m);
        assert_null(m);
        cases++;
    }
    fclose(fp);
    free(got.v);
    free(r);
    assert_true(cases >= 15);
}

/* Random patterns and texts over an alphabet of `alpha` symbols, each symbol `width`
 * bytes: 1 = letters a..; 3 = Chinese characters from U+4E00 (so prefixes of characters
 * occur); 0 = any byte value (invalid UTF-8 everywhere). */
static void random_rounds(unsigned seed, int width, int fold)
{
    srand(seed);
    hits_t got = hits_new();
    hit_t *want = calloc(HITS_MAX, sizeof(hit_t));
    assert_non_null(want);
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        int alpha = 1 + rand() % 5;
        size_t np = 1 + (size_t)(rand() % 24);
        uint8_t pbuf[24][32];
        const uint8_t *pat[24];
        size_t plen[24];
        gs_match_t *m = gs_match_new(fold ? GS_MATCH_FOLD_ASCII : 0);
        assert_non_null(m);
        for (size_t i = 0; i < np; i++) {
            size_t n = 0, chars = 1 + (size_t)(rand() % 6);
            if (i > 0 && rand() % 5 == 0) {
                /* A duplicate or a prefix of an earlier pattern. */
                size_t j = (size_t)rand() % i;
                n = 1 + (size_t)rand() % plen[j];
                memcpy(pbuf[i], pbuf[j], n);
            } else {
                for (size_t c = 0; c < chars; c++) {
                    int s = rand() % alpha;
                    if (width == 1) {
                        pbuf[i][n++] = (uint8_t)((fold && rand() % 2 ? 'A' : 'a') + s);
                    } else if (width == 3) {
                        pbuf[i][n++] = 0xe4;
                        pbuf[i][n++] = (uint8_t)(0xb8 + s % 2);
                        pbuf[i][n++] = (uint8_t)(0x80 + s);
                    } else {
                        pbuf[i][n++] = (uint8_t)(rand() % 2 ? 0x80 + s : 0xff - s);
                    }
                }
            }
            pat[i] = pbuf[i];
            plen[i] = n;
            assert_int_equal(gs_match_add(m, pbuf[i], n, (uint32_t)i), 0);
        }
        assert_int_equal(gs_match_build(m, NULL), 0);
        uint8_t text[400];
        size_t tl = 0, chars = (size_t)(rand() % 120);
        for (size_t c = 0; c < chars; c++) {
            int s = rand() % alpha;
            if (width == 1) {
                text[tl++] = (uint8_t)((fold && rand() % 2 ? 'A' : 'a') + s);
            } else if (width == 3) {
                /* Whole characters mostly, now and then a cut one. */
                text[tl++] = 0xe4;
                if (rand() % 10) {
                    text[tl++] = (uint8_t)(0xb8 + s % 2);
                    text[tl++] = (uint8_t)(0x80 + s);
                }
            } else {
                text[tl++] = (uint8_t)(rand() % 2 ? 0x80 + s : 0xff - s);
            }
        }
        size_t nw = naive(pat, plen, np, text, tl, fold, want, HITS_MAX);
        got.n = 0;
        assert_int_equal(gs_match_scan(m, text, tl, record_cb, &got), 0);
        char what[64];
        snprintf(what, sizeof(what), "seed %u width %d round %d", seed, width, round);
        expect_same(&got, want, nw, what);
        gs_match_destroy(&m);
    }
    free(want);
    free(got.v);
}

static void test_random_letters(void **state)
{
    (void)state;
    random_rounds(1, 1, 0);
}

static void test_random_letters_fold(void **state)
{
    (void)state;
    random_rounds(2, 1, 1);
}

static void test_random_chinese(void **state)
{
    (void)state;
    random_rounds(3, 3, 0);
}

static void test_random_bytes(void **state)
{
    (void)state;
    random_rounds(4, 0, 0);
}

/* A megabyte of one letter against every power of it up to 16, plus patterns that never
 * occur: the count is exact, and the scan is linear (no quadratic failure walk). */
static void test_hostile_repeated(void **state)
{
    (void)state;
    char *text = malloc(BIG_TEXT);
    assert_non_null(text);
    memset(text, 'a', BIG_TEXT);
    gs_match_t *m = gs_match_new(0);
    char pat[GS_MATCH_PATTERN_MAX];
    memset(pat, 'a', sizeof(pat));
    for (size_t k = 1; k <= 16; k++)
        assert_int_equal(gs_match_add(m, pat, k, (uint32_t)k), 0);
    pat[GS_MATCH_PATTERN_MAX - 1] = 'b';
    assert_int_equal(gs_match_add(m, pat, GS_MATCH_PATTERN_MAX, 99), 0);
    assert_int_equal(gs_match_build(m, NULL), 0);
    size_t n = 0;
    assert_int_equal(gs_match_scan(m, text, BIG_TEXT, count_cb, &n), 0);
    size_t want = 0;
    for (size_t k = 1; k <= 16; k++)
        want += BIG_TEXT - k + 1;
    assert_int_equal(n, want);
    /* The longest pattern (255 a then b) found once when the text ends so. */
    text[BIG_TEXT - 1] = 'b';
    hits_t got = hits_new();
    got.n = 0;
    assert_int_equal(gs_match_scan(m, text + BIG_TEXT - 300, 300, record_cb, &got), 0);
    assert_true(got.n > 0);
    hit_t last = got.v[got.n - 1];
    assert_int_equal(last.id, 99);
    assert_int_equal(last.off, 300 - GS_MATCH_PATTERN_MAX);
    assert_int_equal(last.len, GS_MATCH_PATTERN_MAX);
    free(got.v);
    gs_match_destroy(&m);
    free(text);
}

static void test_limits_and_states(void **state)
{
    (void)state;
    gs_match_t *m = gs_match_new(0);
    assert_non_null(m);
    char big[GS_MATCH_PATTERN_MAX + 1];
    memset(big, 'x', sizeof(big));
    size_t n = 0;
    assert_int_equal(gs_match_scan(m, "x", 1, count_cb, &n), GS_ESTATE);
    assert_int_equal(gs_match_add(m, "", 0, 1), GS_EINVAL);
    assert_int_equal(gs_match_add(m, NULL, 3, 1), GS_EINVAL);
    assert_int_equal(gs_match_add(m, big, sizeof(big), 1), GS_ETOOBIG);
    assert_int_equal(gs_match_add(m, big, GS_MATCH_PATTERN_MAX, 1), 0);
    assert_int_equal(gs_match_patterns(m), 1);
    assert_int_equal(gs_match_states(m), 0);
    assert_true(gs_match_memory(m) > GS_MATCH_PATTERN_MAX);
    assert_int_equal(gs_match_build(m, NULL), 0);
    assert_int_equal(gs_match_states(m), GS_MATCH_PATTERN_MAX + 1);
    gs_err_t err;
    gs_err_clear(&err);
    assert_int_equal(gs_match_build(m, &err), GS_ESTATE);
    assert_int_equal(err.code, GS_ESTATE);
    assert_int_equal(gs_match_add(m, "y", 1, 2), GS_ESTATE);
    assert_int_equal(gs_match_scan(m, NULL, 1, count_cb, &n), GS_EINVAL);
    assert_int_equal(gs_match_scan(m, NULL, 0, count_cb, &n), 0);
    assert_int_equal(gs_match_scan(m, "", 0, count_cb, &n), 0);
    assert_int_equal(n, 0);
    gs_match_destroy(&m);
    gs_match_destroy(&m); /* idempotent */
    gs_match_destroy(NULL);

    /* An empty matcher builds and finds nothing. */
    m = gs_match_new(GS_MATCH_FOLD_ASCII);
    assert_int_equal(gs_match_build(m, NULL), 0);
    assert_int_equal(gs_match_states(m), 1);
    assert_int_equal(gs_match_scan(m, "abc", 3, count_cb, &n), 0);
    assert_int_equal(n, 0);
    gs_match_destroy(&m);
}

/* The count and byte ceilings refuse the pattern past them, not an earlier one. */
static void test_ceilings(void **state)
{
    (void)state;
    gs_match_t *m = gs_match_new(0);
    for (uint32_t i = 0; i < GS_MATCH_PATTERNS_MAX; i++) {
        char b = (char)('a' + i % 26);
        if (gs_match_add(m, &b, 1, i) != 0)
            fail_msg("pattern %u refused", i);
    }
    assert_int_equal(gs_match_add(m, "z", 1, 0), GS_ETOOBIG);
    assert_int_equal(gs_match_patterns(m), GS_MATCH_PATTERNS_MAX);
    gs_match_destroy(&m);

    m = gs_match_new(0);
    char *big = malloc(GS_MATCH_PATTERN_MAX);
    assert_non_null(big);
    memset(big, 'q', GS_MATCH_PATTERN_MAX);
    size_t fit = GS_MATCH_BYTES_MAX / GS_MATCH_PATTERN_MAX;
    for (size_t i = 0; i < fit; i++)
        assert_int_equal(gs_match_add(m, big, GS_MATCH_PATTERN_MAX, (uint32_t)i), 0);
    assert_int_equal(gs_match_add(m, big, 1, 0), GS_ETOOBIG);
    /* Duplicates all: one chain of 256 states, every id reported. */
    assert_int_equal(gs_match_build(m, NULL), 0);
    assert_int_equal(gs_match_states(m), GS_MATCH_PATTERN_MAX + 1);
    size_t n = 0;
    assert_int_equal(gs_match_scan(m, big, GS_MATCH_PATTERN_MAX, count_cb, &n), 0);
    assert_int_equal(n, fit);
    free(big);
    gs_match_destroy(&m);
}

static void test_callback_stops(void **state)
{
    (void)state;
    gs_match_t *m = gs_match_new(0);
    assert_int_equal(gs_match_add(m, "a", 1, 7), 0);
    assert_int_equal(gs_match_build(m, NULL), 0);
    hits_t got = hits_new();
    got.stop_after = 2;
    assert_int_equal(gs_match_scan(m, "aaaaa", 5, record_cb, &got), 1);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.v[1].off, 1);
    free(got.v);
    gs_match_destroy(&m);
}

/* ---- the 100,000-term dictionary ---- */

/* UTF-8 of a Han character U+4E00 + k (k < 20902). */
static size_t put_han(uint8_t *p, unsigned k)
{
    unsigned cp = 0x4e00 + k;
    p[0] = (uint8_t)(0xe0 | (cp >> 12));
    p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    p[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
}

/* The terms, and an open-addressing set of them for the check. */
typedef struct big {
    uint8_t (*term)[18]; /* up to 6 characters */
    uint8_t *len;
    uint32_t *slot; /* term index + 1, 0 = empty */
    size_t mask;
} big_t;

static uint64_t big_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Number of terms equal to p[0..n) (terms may repeat: count them all). */
static size_t big_count(const big_t *b, const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t h = big_hash(p, n) & b->mask; b->slot[h]; h = (h + 1) & b->mask) {
        uint32_t t = b->slot[h] - 1;
        c += b->len[t] == n && memcmp(b->term[t], p, n) == 0;
    }
    return c;
}

/* Argument of a scanning thread. */
typedef struct scan_arg {
    const gs_match_t *m;
    const uint8_t *text;
    size_t len;
    size_t count;
} scan_arg_t;

static void *scan_thread(void *p)
{
    scan_arg_t *a = p;
    a->count = 0;
    gs_match_scan(a->m, a->text, a->len, count_cb, &a->count);
    return NULL;
}

static void test_big_dictionary(void **state)
{
    (void)state;
    srand(42);
    /* A vocabulary of 3,000 characters, as real terms draw on the common ones, so terms
     * share prefixes and occur inside each other as they do in a real dictionary. */
    big_t b;
    b.term = malloc(BIG_TERMS * sizeof(*b.term));
    b.len = malloc(BIG_TERMS);
    size_t hsize = 1;
    while (hsize < 4 * BIG_TERMS)
        hsize *= 2;
    b.slot = calloc(hsize, sizeof(*b.slot));
    b.mask = hsize - 1;
    assert_true(b.term && b.len && b.slot);
    gs_match_t *m = gs_match_new(0);
    for (uint32_t i = 0; i < BIG_TERMS; i++) {
        size_t n = 0, chars = 2 + (size_t)(rand() % 5);
        for (size_t c = 0; c < chars; c++)
            n += put_han(b.term[i] + n, (unsigned)(rand() % 3000));
        b.len[i] = (uint8_t)n;
        size_t h = big_hash(b.term[i], n) & b.mask;
        while (b.slot[h])
            h = (h + 1) & b.mask;
        b.slot[h] = i + 1;
        assert_int_equal(gs_match_add(m, b.term[i], n, i), 0);
    }
    assert_int_equal(gs_match_build(m, NULL), 0);
    assert_int_equal(gs_match_patterns(m), BIG_TERMS);
    /* Compact: a 16-byte cell per state, few holes, no 256-wide table per state. */
    size_t states = gs_match_states(m), mem = gs_match_memory(m);
    assert_true(states > BIG_TERMS);
    assert_true(mem <= 20 * states + 24 * (size_t)BIG_TERMS + 8192);

    /* The text: planted terms and random characters, between ASCII separators that no
     * term contains, so the expected count is the sum over segments, each checked by
     * looking up all its substrings. */
    uint8_t *text = malloc(BIG_TEXT + 64);
    assert_non_null(text);
    size_t tl = 0, want = 0, seg_start;
    while (tl + 40 < BIG_TEXT) {
        seg_start = tl;
        if (rand() % 2) {
            uint32_t t = (uint32_t)(rand() % BIG_TERMS);
            memcpy(text + tl, b.term[t], b.len[t]);
            tl += b.len[t];
        } else {
            size_t chars = 1 + (size_t)(rand() % 6);
            for (size_t c = 0; c < chars; c++)
                tl += put_han(text + tl, (unsigned)(rand() % 3000));
        }
        for (size_t s = seg_start; s < tl; s += 3)
            for (size_t e = s + 3; e <= tl && e - s <= 18; e += 3)
                want += big_count(&b, text + s, e - s);
        text[tl++] = (uint8_t)(rand() % 2 ? ' ' : '\n');
    }
    size_t got = 0;
    assert_int_equal(gs_match_scan(m, text, tl, count_cb, &got), 0);
    assert_int_equal(got, want);
    assert_true(want > BIG_TERMS / 4);

    /* Two threads scanning the one matcher at once see the same text the same way. */
    scan_arg_t a1 = {m, text, tl, 0}, a2 = {m, text, tl, 0};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, scan_thread, &a1), 0);
    assert_int_equal(pthread_create(&t2, NULL, scan_thread, &a2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(a1.count, want);
    assert_int_equal(a2.count, want);

    gs_match_destroy(&m);
    free(text);
    free(b.term);
    free(b.len);
    free(b.slot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_table),          cmocka_unit_test(test_random_letters),
        cmocka_unit_test(test_random_letters_fold), cmocka_unit_test(test_random_chinese),
        cmocka_unit_test(test_random_bytes),        cmocka_unit_test(test_hostile_repeated),
        cmocka_unit_test(test_limits_and_states),   cmocka_unit_test(test_ceilings),
        cmocka_unit_test(test_callback_stops),      cmocka_unit_test(test_big_dictionary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
