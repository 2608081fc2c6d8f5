/* bench_match.c -- throughput of the dictionary matcher and of Traditional-to-Simplified
 * conversion on government-style page text, for bench/match.sh.
 *
 * Pages: ~30 KB each, made of sentences of the given corpus files (split at 。！？ and
 * line ends) in random order, as a page's visible text is. Dictionaries: synthetic terms of
 * 2 to 6 Chinese characters drawn from the corpus's own characters, in two kinds:
 * "near-miss", half of them corpus substrings with one character changed (what the wrong
 * forms of a wording dictionary are: they share long prefixes with the text, so the
 * automaton walks deep and fails often, its worst case), and "random", combinations of
 * characters (what a keyword list unrelated to the text is); plus the shipped wording and
 * spam dictionaries through gs_dict (exceptions and the longest-term rule included). For
 * each: build time, automaton states and memory, scan MB/s (best of 5 passes over all
 * pages) and occurrences per MB. Then T2S MB/s on Traditional and on Simplified text, and
 * the cost of gs_t2s_looks_traditional per page.
 *
 *   bench-match [--data DIR] [--pages N] [--seed N] [--traditional FILE] CORPUS.txt... */
#include "gs_dict.h"
#include "gs_err.h"
#include "gs_match.h"
#include "gs_t2s.h"
#include "gs_utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define BENCH_PAGE_BYTES (30 * 1024)
#define BENCH_CORPUS_MAX ((size_t)16 * 1024 * 1024)
#define BENCH_SENTENCES_MAX 100000
#define BENCH_CHARS_MAX 20000
#define BENCH_PASSES 5

/* The corpus: its bytes, its sentences and its distinct Chinese characters. */
struct corpus {
    char *text;
    size_t len;
    size_t *s_off, *s_len; /* sentences */
    size_t ns;
    uint32_t *chars; /* code points of Han characters seen, distinct */
    size_t nchars;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Append a file to the corpus text. */
static int corpus_read(struct corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench-match: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        if (c->len + n + 1 > BENCH_CORPUS_MAX)
            break;
        char *t = realloc(c->text, c->len + n + 1);
        if (!t) {
            fclose(f);
            return -1;
        }
        c->text = t;
        memcpy(c->text + c->len, buf, n);
        c->len += n;
        c->text[c->len] = '\0';
    }
    fclose(f);
    return 0;
}

/* Length of the sentence end at p (。！？ or a line end), or 0. */
static size_t sentence_end(const char *p, size_t n)
{
    if (*p == '\n')
        return 1;
    if (n >= 3 && (memcmp(p, "。", 3) == 0 || memcmp(p, "！", 3) == 0 || memcmp(p, "？", 3) == 0))
        return 3;
    return 0;
}

static int corpus_index(struct corpus *c)
{
    c->s_off = malloc(BENCH_SENTENCES_MAX * sizeof(size_t));
    c->s_len = malloc(BENCH_SENTENCES_MAX * sizeof(size_t));
    c->chars = malloc(BENCH_CHARS_MAX * sizeof(uint32_t));
    if (!c->s_off || !c->s_len || !c->chars)
        return -1;
    size_t start = 0;
    for (size_t i = 0; i < c->len && c->ns < BENCH_SENTENCES_MAX;) {
        size_t e = sentence_end(c->text + i, c->len - i);
        uint32_t cp = 0;
        size_t k = gs_utf8_decode(c->text + i, c->len - i, &cp);
        if (k == 3 && cp >= 0x4e00 && cp <= 0x9fff && c->nchars < BENCH_CHARS_MAX) {
            size_t j = 0;
            while (j < c->nchars && c->chars[j] != cp)
                j++;
            if (j == c->nchars)
                c->chars[c->nchars++] = cp;
        }
        i += e ? e : (k ? k : 1);
        if (e || i == c->len) {
            if (i - start > 3) {
                c->s_off[c->ns] = start;
                c->s_len[c->ns++] = i - start;
            }
            start = i;
        }
    }
    return c->ns > 0 && c->nchars > 10 ? 0 : -1;
}

/* UTF-8 of a BMP code point into p; its length. */
static size_t put_cp(char *p, uint32_t cp)
{
    p[0] = (char)(0xe0 | (cp >> 12));
    p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    p[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
}

/* A random Han character: from the corpus's own characters, or now and then from the
 * whole common block, as a real dictionary's rarer characters are. */
static uint32_t any_char(const struct corpus *c)
{
    if (rand() % 4 == 0)
        return 0x4e00 + (uint32_t)(rand() % 20902);
    return c->chars[(size_t)rand() % c->nchars];
}

/* A term of 2 to 6 characters into buf; its length. Half are corpus substrings with one
 * character changed: real-looking near misses that share long prefixes with the text but
 * rarely occur in it, as the wrong forms of a wording dictionary do. The other half are
 * random combinations of 2 to 6 characters, a few of which occur. */
static size_t make_term(const struct corpus *c, char *buf, int near)
{
    size_t chars = 2 + (size_t)(rand() % 5), n = 0;
    if (near && rand() % 2) {
        chars = 3 + (size_t)(rand() % 4);
        for (int tries = 0; tries < 20; tries++) {
            size_t s = (size_t)rand() % c->ns, off = c->s_off[s], end = off + c->s_len[s];
            size_t p = off + (size_t)rand() % c->s_len[s];
            while (p < end && ((unsigned char)c->text[p] & 0xc0) == 0x80)
                p++;
            n = 0;
            size_t k = 0;
            while (k < chars && p + 3 <= end) {
                uint32_t cp;
                if (gs_utf8_decode(c->text + p, end - p, &cp) != 3 || cp < 0x4e00 || cp > 0x9fff)
                    break;
                memcpy(buf + n, c->text + p, 3);
                n += 3, p += 3, k++;
            }
            if (k == chars) {
                put_cp(buf + 3 * (1 + (size_t)rand() % (chars - 1)), any_char(c));
                return n;
            }
        }
    }
    n = 0;
    for (size_t k = 0; k < chars; k++)
        n += put_cp(buf + n, any_char(c));
    return n;
}

/* Pages of about BENCH_PAGE_BYTES each, back to back; offsets in *off. */
static char *make_pages(const struct corpus *c, size_t npages, size_t **off, size_t *total)
{
    char *p = malloc(npages * (BENCH_PAGE_BYTES + 4096));
    *off = malloc((npages + 1) * sizeof(size_t));
    if (!p || !*off) {
        free(p);
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < npages; i++) {
        (*off)[i] = o;
        size_t start = o;
        while (o - start < BENCH_PAGE_BYTES) {
            size_t s = (size_t)rand() % c->ns;
            if (c->s_len[s] > 4000)
                continue;
            memcpy(p + o, c->text + c->s_off[s], c->s_len[s]);
            o += c->s_len[s];
        }
    }
    (*off)[npages] = o;
    *total = o;
    return p;
}

static int count_cb(void *ud, uint32_t id, size_t off, size_t len)
{
    (void)id, (void)off, (void)len;
    (*(size_t *)ud)++;
    return 0;
}

/* Best MB/s over BENCH_PASSES passes of fn over every page. */
typedef size_t (*scan_fn)(const void *obj, const char *text, size_t len);

static double best_mbps(scan_fn fn, const void *obj, const char *pages, const size_t *off,
                        size_t npages, size_t total, size_t *hits)
{
    double best = 0;
    for (int pass = 0; pass < BENCH_PASSES; pass++) {
        size_t h = 0;
        double t0 = now_s();
        for (size_t i = 0; i < npages; i++)
            h += fn(obj, pages + off[i], off[i + 1] - off[i]);
        double dt = now_s() - t0;
        double mbps = (double)total / (1024.0 * 1024.0) / dt;
        if (mbps > best)
            best = mbps;
        *hits = h;
    }
    return best;
}

static size_t scan_match(const void *m, const char *text, size_t len)
{
    size_t n = 0;
    gs_match_scan(m, text, len, count_cb, &n);
    return n;
}

static size_t scan_wording(const void *d, const char *text, size_t len)
{
    gs_dict_wording_t w[64];
    int n = gs_dict_wording(d, text, len, w, 64);
    return n > 0 ? (size_t)n : 0;
}

static size_t scan_spam(const void *d, const char *text, size_t len)
{
    gs_dict_spam_t s[64];
    int n = gs_dict_spam(d, text, len, s, 64);
    return n > 0 ? (size_t)n : 0;
}

static size_t scan_both(const void *d, const char *text, size_t len)
{
    gs_dict_wording_t w[64];
    gs_dict_spam_t s[64];
    int nw = 0, ns = 0;
    gs_dict_scan(d, text, len, w, 64, &nw, s, 64, &ns);
    return (size_t)nw + (size_t)ns;
}

static void bench_synthetic(const struct corpus *c, size_t nterms, int near, const char *pages,
                            const size_t *off, size_t npages, size_t total)
{
    gs_match_t *m = gs_match_new(0);
    char term[32];
    double t0 = now_s();
    for (size_t i = 0; i < nterms; i++) {
        size_t n = make_term(c, term, near);
        if (gs_match_add(m, term, n, (uint32_t)i) < 0)
            break;
    }
    gs_err_t err;
    gs_err_clear(&err);
    if (gs_match_build(m, &err) < 0) {
        fprintf(stderr, "bench-match: %s\n", err.msg);
        gs_match_destroy(&m);
        return;
    }
    double build_ms = (now_s() - t0) * 1000.0;
    size_t hits = 0;
    double mbps = best_mbps(scan_match, m, pages, off, npages, total, &hits);
    printf("%-22s %9zu %10.1f %10zu %9.2f %10.1f %10.1f\n", near ? "near-miss" : "random", nterms,
           build_ms, gs_match_states(m), (double)gs_match_memory(m) / (1024.0 * 1024.0), mbps,
           (double)hits / ((double)total / (1024.0 * 1024.0)));
    gs_match_destroy(&m);
}

/* Traditional and Simplified conversion speed, and the looks-Traditional test. */
static void bench_t2s(const char *trad_path, const struct corpus *simp, const char *pages,
                      const size_t *off, size_t npages)
{
    gs_err_t err;
    gs_err_clear(&err);
    double t0 = now_s();
    gs_t2s_t *t = gs_t2s_new(NULL, &err);
    if (!t) {
        fprintf(stderr, "bench-match: %s\n", err.msg);
        return;
    }
    double open_ms = (now_s() - t0) * 1000.0;
    struct corpus trad = {0};
    if (corpus_read(&trad, trad_path) < 0 || trad.len == 0) {
        gs_t2s_destroy(&t);
        return;
    }
    /* About 1 MB of each by repetition. */
    const struct corpus *src[2] = {&trad, simp};
    const char *label[2] = {"Traditional", "Simplified"};
    printf("\nT2S (OpenCC t2s.json, opened in %.1f ms)\n", open_ms);
    printf("%-12s %10s %10s\n", "text", "MB", "MB/s");
    for (int k = 0; k < 2; k++) {
        size_t reps = (1u << 20) / src[k]->len + 1, n = reps * src[k]->len;
        char *in = malloc(n);
        if (!in)
            break;
        for (size_t i = 0; i < reps; i++)
            memcpy(in + i * src[k]->len, src[k]->text, src[k]->len);
        double best = 0;
        for (int pass = 0; pass < 3; pass++) {
            char *out = NULL;
            size_t on = 0;
            double s0 = now_s();
            int rc = gs_t2s_convert(t, in, n, 4 * n, &out, &on);
            double dt = now_s() - s0;
            free(out);
            if (rc < 0)
                break;
            double mbps = (double)n / (1024.0 * 1024.0) / dt;
            if (mbps > best)
                best = mbps;
        }
        printf("%-12s %10.2f %10.1f\n", label[k], (double)n / (1024.0 * 1024.0), best);
        free(in);
    }
    double s0 = now_s();
    size_t trad_pages = 0;
    for (size_t i = 0; i < npages; i++)
        trad_pages += gs_t2s_looks_traditional(t, pages + off[i], off[i + 1] - off[i]) == 1;
    double us = (now_s() - s0) * 1e6 / (double)npages;
    printf("looks_traditional: %.1f us per 30 KB Simplified page (%zu of %zu judged "
           "Traditional)\n",
           us, trad_pages, npages);
    free(trad.text);
    gs_t2s_destroy(&t);
}

int main(int argc, char **argv)
{
    const char *data = "data", *trad = NULL;
    size_t npages = 100;
    unsigned seed = 1;
    struct corpus c = {0};
    int files = 0, rc = 0;
    size_t *off = NULL, total = 0;
    char *pages = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--pages") == 0 && i + 1 < argc) {
            npages = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--traditional") == 0 && i + 1 < argc) {
            trad = argv[++i];
        } else if (corpus_read(&c, argv[i]) == 0) {
            files++;
        } else {
            rc = 2;
            goto out;
        }
    }
    if (!files || npages == 0 || corpus_index(&c) < 0) {
        fprintf(stderr, "usage: bench-match [--data DIR] [--pages N] [--seed N] "
                        "[--traditional FILE] CORPUS.txt...\n");
        rc = 2;
        goto out;
    }
    srand(seed);
    if (!(pages = make_pages(&c, npages, &off, &total))) {
        rc = 1;
        goto out;
    }
    printf("pages: %zu of ~%d KB (%.1f MB); corpus %zu sentences, %zu distinct characters\n",
           npages, BENCH_PAGE_BYTES / 1024, (double)total / (1024.0 * 1024.0), c.ns, c.nchars);
    printf("\n%-22s %9s %10s %10s %9s %10s %10s\n", "dictionary", "terms", "build ms", "states",
           "mem MB", "MB/s", "hits/MB");
    size_t sizes[3] = {100, 10000, 100000};
    for (int near = 1; near >= 0; near--)
        for (int k = 0; k < 3; k++)
            bench_synthetic(&c, sizes[k], near, pages, off, npages, total);

    gs_err_t err;
    gs_err_clear(&err);
    double t0 = now_s();
    gs_dict_t *d = gs_dict_load(data, &err);
    if (!d) {
        fprintf(stderr, "bench-match: %s\n", err.msg);
    } else {
        double load_ms = (now_s() - t0) * 1000.0;
        size_t hits = 0;
        double mbps = best_mbps(scan_wording, d, pages, off, npages, total, &hits);
        printf("%-22s %9zu %10.1f %10s %9s %10.1f %10.1f\n", "gs_dict_wording",
               gs_dict_wording_count(d), load_ms, "-", "-", mbps,
               (double)hits / ((double)total / (1024.0 * 1024.0)));
        mbps = best_mbps(scan_spam, d, pages, off, npages, total, &hits);
        printf("%-22s %9zu %10s %10s %9s %10.1f %10.1f\n", "gs_dict_spam", gs_dict_spam_count(d),
               "(above)", "-", "-", mbps, (double)hits / ((double)total / (1024.0 * 1024.0)));
        mbps = best_mbps(scan_both, d, pages, off, npages, total, &hits);
        printf("%-22s %9zu %10s %10s %9s %10.1f %10.1f\n", "gs_dict_scan (both)",
               gs_dict_wording_count(d) + gs_dict_spam_count(d), "(above)", "-", "-", mbps,
               (double)hits / ((double)total / (1024.0 * 1024.0)));
        gs_dict_destroy(&d);
    }
    if (trad)
        bench_t2s(trad, &c, pages, off, npages);
    printf("\npeak RSS: %ld KiB\n", peak_rss_kib());
out:
    free(pages);
    free(off);
    free(c.text);
    free(c.s_off);
    free(c.s_len);
    free(c.chars);
    return rc;
}
