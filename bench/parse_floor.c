/* parse_floor.c -- the parse floor of bench/peers.sh: how fast libxml2 alone reads the
 * benchmark's pages, so that govsweep's CPU per page can be set beside what parsing costs.
 *
 * Reads every file named in a list (one path a line: the pages the curl run saved) into
 * memory first, converted to UTF-8 as govsweep converts before parsing (the charset of the
 * page's <meta>: the GB2312/GBK family read as GB18030, Big5 as BIG5-HKSCS, an undeclared
 * page as UTF-8 when it is valid UTF-8, else GB18030), so that neither disk reads nor
 * conversion are in the floor; the conversion's own CPU is measured and printed apart.
 * Then, in each of --passes passes, it parses every page with htmlReadMemory with the
 * options and the "UTF-8" encoding govsweep's gs_page uses (NONET, RECOVER, NOIMPLIED,
 * COMPACT, no error or warning reports), walks the whole tree collecting every <a href>,
 * and frees the document. Prints the pages, bytes and links, the best pass's CPU
 * microseconds per page, MB/s (10^6 bytes of UTF-8) and wall seconds, and one
 * "RESULT key=value ..." line for the script. The best pass is the floor: the others only
 * add the noise of a shared machine. libxml2's error reports are counted, not printed.
 *
 *   bench-parse-floor [--passes N] LIST.txt
 *
 * Limits: PF_FILE_MAX bytes a page (a larger file is refused), PF_TOTAL_MAX bytes and
 * PF_PAGES_MAX pages in all, PF_PATH_MAX bytes a path; a page grows at most PF_GROWTH
 * times in conversion; the walk is iterative (no recursion), so a deep tree costs no
 * stack. Everything is freed before exit. */
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define PF_FILE_MAX ((size_t)64 * 1024 * 1024)
#define PF_TOTAL_MAX ((size_t)4 * 1024 * 1024 * 1024)
#define PF_PAGES_MAX 2000000
#define PF_PATH_MAX 4096
#define PF_PASSES_MAX 100
#define PF_GROWTH 4
#define PF_SNIFF_BYTES 2048

/* The pages, back to back in one buffer. */
struct pf_corpus {
    char *bytes;       /* every page, concatenated */
    size_t len;        /* bytes used */
    size_t cap;        /* bytes allocated */
    size_t *off;       /* start of page i; off[n] is len */
    size_t n;          /* pages */
    size_t offcap;     /* entries allocated in off */
    size_t converted;  /* pages that were not UTF-8 */
    size_t conv_bytes; /* their bytes before conversion */
    double conv_cpu_s; /* CPU time of the conversions */
};

/* What one pass found and cost. */
struct pf_pass {
    size_t links;      /* <a href> seen */
    size_t href_bytes; /* their values' bytes, so that the walk cannot be optimized away */
    size_t failed;     /* pages libxml2 returned no document for */
    size_t errors;     /* error reports libxml2 raised (all kinds, encoding included) */
    double cpu_s;      /* process CPU time of the pass */
    double wall_s;     /* wall time of the pass */
};

static double pf_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Grow the corpus so that it holds need more bytes and one more offset. */
static int pf_reserve(struct pf_corpus *c, size_t need)
{
    if (c->len + need > c->cap) {
        size_t ncap = c->cap ? c->cap : (size_t)16 * 1024 * 1024;
        while (ncap < c->len + need)
            ncap *= 2;
        char *nb = realloc(c->bytes, ncap);
        if (!nb)
            return -1;
        c->bytes = nb;
        c->cap = ncap;
    }
    if (c->n + 2 > c->offcap) {
        size_t ncap = c->offcap ? c->offcap * 2 : 4096;
        size_t *no = realloc(c->off, ncap * sizeof(*no));
        if (!no)
            return -1;
        c->off = no;
        c->offcap = ncap;
    }
    return 0;
}

/* The iconv name of the charset the page declares in its first PF_SNIFF_BYTES ("charset="
 * of a <meta>), read as govsweep reads it; NULL for UTF-8. An undeclared page is UTF-8
 * when it decodes as UTF-8, else GB18030 (what such pages are, in China). */
static const char *pf_charset(const char *page, size_t len)
{
    size_t n = len < PF_SNIFF_BYTES ? len : PF_SNIFF_BYTES;
    for (size_t i = 0; i + 8 <= n; i++) {
        if (strncasecmp(page + i, "charset=", 8) != 0)
            continue;
        size_t j = i + 8;
        while (j < n && (page[j] == '"' || page[j] == '\'' || page[j] == ' '))
            j++;
        char name[32];
        size_t k = 0;
        while (j < n && k + 1 < sizeof(name) &&
               (isalnum((unsigned char)page[j]) || page[j] == '-' || page[j] == '_'))
            name[k++] = (char)tolower((unsigned char)page[j++]);
        name[k] = '\0';
        if (strcmp(name, "utf-8") == 0 || strcmp(name, "utf8") == 0)
            return NULL;
        if (strncmp(name, "big5", 4) == 0)
            return "BIG5-HKSCS";
        if (strcmp(name, "gbk") == 0 || strcmp(name, "gb2312") == 0 || strcmp(name, "gb18030") == 0)
            return "GB18030";
        return NULL;
    }
    iconv_t cd = iconv_open("UTF-8", "UTF-8");
    if (cd == (iconv_t)-1)
        return "GB18030";
    char *in = (char *)page, buf[4096];
    size_t inleft = len;
    bool valid = true;
    while (inleft > 0 && valid) {
        char *out = buf;
        size_t outleft = sizeof(buf);
        if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1 && errno != E2BIG)
            valid = false;
    }
    iconv_close(cd);
    return valid ? NULL : "GB18030";
}

/* Append len bytes of page, converted from charset to UTF-8, to the corpus; 0 or -1. */
static int pf_append_utf8(struct pf_corpus *c, const char *page, size_t len, const char *charset,
                          const char *path)
{
    size_t cap = len * PF_GROWTH + 16;
    if (pf_reserve(c, cap) < 0) {
        fprintf(stderr, "bench-parse-floor: out of memory\n");
        return -1;
    }
    double t0 = pf_clock(CLOCK_PROCESS_CPUTIME_ID);
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1) {
        fprintf(stderr, "bench-parse-floor: %s: iconv cannot read %s\n", path, charset);
        return -1;
    }
    char *in = (char *)page, *out = c->bytes + c->len;
    size_t inleft = len, outleft = cap;
    int rc = 0;
    while (inleft > 0) {
        if (iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1)
            continue;
        if (errno == E2BIG) {
            fprintf(stderr, "bench-parse-floor: %s: grows more than %d times\n", path, PF_GROWTH);
            rc = -1;
            break;
        }
        /* an invalid or incomplete sequence: skip a byte, as a browser shows U+FFFD */
        in++;
        inleft--;
    }
    iconv(cd, NULL, NULL, &out, &outleft); /* flush what a stateful decoder holds back */
    iconv_close(cd);
    c->conv_cpu_s += pf_clock(CLOCK_PROCESS_CPUTIME_ID) - t0;
    if (rc < 0)
        return rc;
    c->converted++;
    c->conv_bytes += len;
    c->off[c->n++] = c->len;
    c->len += cap - outleft;
    c->off[c->n] = c->len;
    return 0;
}

/* Append the file at path as one page, in UTF-8; 0, or -1 with the reason on stderr. */
static int pf_add_file(struct pf_corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench-parse-floor: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    char *raw = NULL;
    if (fseek(f, 0, SEEK_END) != 0)
        goto out;
    long size = ftell(f);
    if (size < 0 || (size_t)size > PF_FILE_MAX) {
        fprintf(stderr, "bench-parse-floor: %s: larger than %zu bytes\n", path, PF_FILE_MAX);
        goto out;
    }
    if (c->len + (size_t)size * PF_GROWTH > PF_TOTAL_MAX || c->n >= PF_PAGES_MAX) {
        fprintf(stderr, "bench-parse-floor: more than %zu bytes or %d pages\n", PF_TOTAL_MAX,
                PF_PAGES_MAX);
        goto out;
    }
    rewind(f);
    raw = malloc((size_t)size + 1);
    if (!raw) {
        fprintf(stderr, "bench-parse-floor: out of memory\n");
        goto out;
    }
    if (fread(raw, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "bench-parse-floor: %s: short read\n", path);
        goto out;
    }
    const char *charset = pf_charset(raw, (size_t)size);
    if (charset) {
        rc = pf_append_utf8(c, raw, (size_t)size, charset, path);
        goto out;
    }
    if (pf_reserve(c, (size_t)size) < 0) {
        fprintf(stderr, "bench-parse-floor: out of memory\n");
        goto out;
    }
    memcpy(c->bytes + c->len, raw, (size_t)size);
    c->off[c->n++] = c->len;
    c->len += (size_t)size;
    c->off[c->n] = c->len;
    rc = 0;
out:
    free(raw);
    fclose(f);
    return rc;
}

/* Read every path listed in list_path (blank lines skipped). */
static int pf_load(struct pf_corpus *c, const char *list_path)
{
    FILE *list = fopen(list_path, "r");
    if (!list) {
        fprintf(stderr, "bench-parse-floor: %s: %s\n", list_path, strerror(errno));
        return -1;
    }
    char path[PF_PATH_MAX];
    int rc = 0;
    while (rc == 0 && fgets(path, sizeof(path), list)) {
        size_t n = strcspn(path, "\r\n");
        if (path[n] == '\0' && !feof(list)) {
            fprintf(stderr, "bench-parse-floor: %s: a path longer than %d bytes\n", list_path,
                    PF_PATH_MAX - 1);
            rc = -1;
            break;
        }
        path[n] = '\0';
        if (n > 0)
            rc = pf_add_file(c, path);
    }
    fclose(list);
    if (rc == 0 && c->n == 0) {
        fprintf(stderr, "bench-parse-floor: %s lists no page\n", list_path);
        rc = -1;
    }
    return rc;
}

/* The href of an <a> element, or NULL. Attribute values of the HTML parser are one text
 * child (entities already replaced), so the first child's content is the whole value. */
static const xmlChar *pf_href(const xmlNode *a)
{
    for (const xmlAttr *at = a->properties; at; at = at->next)
        if (at->name && xmlStrcasecmp(at->name, (const xmlChar *)"href") == 0)
            return at->children ? at->children->content : NULL;
    return NULL;
}

/* Visit every node under root (the document) in document order, without recursion,
 * counting links. Only elements are descended into: attributes and entity references
 * hold no markup. */
static void pf_walk(const xmlNode *root, struct pf_pass *p)
{
    const xmlNode *n = root;
    while (n) {
        if (n->type == XML_ELEMENT_NODE && n->name &&
            xmlStrcasecmp(n->name, (const xmlChar *)"a") == 0) {
            const xmlChar *href = pf_href(n);
            if (href) {
                p->links++;
                p->href_bytes += (size_t)xmlStrlen(href);
            }
        }
        if ((n->type == XML_ELEMENT_NODE || n == root) && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next && n != root)
            n = n->parent;
        if (!n || n == root)
            break;
        n = n->next;
    }
}

/* libxml2's error reports: counted into the pass, not printed. */
static void pf_on_error(void *ud, const xmlError *e)
{
    (void)e;
    ((struct pf_pass *)ud)->errors++;
}

/* One pass over every page. */
static void pf_run_pass(const struct pf_corpus *c, struct pf_pass *p)
{
    const int opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                     HTML_PARSE_RECOVER | HTML_PARSE_NOIMPLIED | HTML_PARSE_COMPACT;
    memset(p, 0, sizeof(*p));
    xmlSetStructuredErrorFunc(p, (xmlStructuredErrorFunc)pf_on_error);
    double cpu0 = pf_clock(CLOCK_PROCESS_CPUTIME_ID), wall0 = pf_clock(CLOCK_MONOTONIC);
    for (size_t i = 0; i < c->n; i++) {
        size_t len = c->off[i + 1] - c->off[i];
        htmlDocPtr doc = htmlReadMemory(c->bytes + c->off[i], (int)len, NULL, "UTF-8", opts);
        if (!doc) {
            p->failed++;
            continue;
        }
        pf_walk((const xmlNode *)doc, p);
        xmlFreeDoc(doc);
    }
    p->cpu_s = pf_clock(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    p->wall_s = pf_clock(CLOCK_MONOTONIC) - wall0;
    xmlSetStructuredErrorFunc(NULL, NULL);
}

static int pf_usage(void)
{
    fprintf(stderr, "usage: bench-parse-floor [--passes N] LIST.txt\n"
                    "  LIST.txt: one page file a line; prints the libxml2 parse cost per page\n");
    return 2;
}

int main(int argc, char **argv)
{
    long passes = 3;
    const char *list = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc) {
            char *end = NULL;
            errno = 0;
            passes = strtol(argv[++i], &end, 10);
            if (errno || !end || *end || passes < 1 || passes > PF_PASSES_MAX)
                return pf_usage();
        } else if (argv[i][0] != '-' && !list) {
            list = argv[i];
        } else {
            return pf_usage();
        }
    }
    if (!list)
        return pf_usage();

    struct pf_corpus c = {0};
    int status = 1;
    if (pf_load(&c, list) < 0)
        goto out;
    xmlInitParser();
    struct pf_pass best = {0};
    for (long k = 0; k < passes; k++) {
        struct pf_pass p;
        pf_run_pass(&c, &p);
        if (k == 0 || p.cpu_s < best.cpu_s)
            best = p;
    }
    xmlCleanupParser();

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double us = best.cpu_s * 1e6 / (double)c.n;
    double mbps = best.cpu_s > 0 ? (double)c.len / best.cpu_s / 1e6 : 0;
    double conv_us = c.converted ? c.conv_cpu_s * 1e6 / (double)c.converted : 0;
    printf("parse floor: %zu pages, %.1f MB of UTF-8, %zu links (%zu href bytes), %zu unparsed, "
           "%zu libxml2 error reports; best of %ld passes: %.1f us/page CPU, %.1f MB/s, %.3f s "
           "wall\n",
           c.n, (double)c.len / 1e6, best.links, best.href_bytes, best.failed, best.errors, passes,
           us, mbps, best.wall_s);
    printf("conversion to UTF-8 before it (not in the floor): %zu pages, %.1f MB, %.1f us/page "
           "CPU\n",
           c.converted, (double)c.conv_bytes / 1e6, conv_us);
    printf("RESULT pages=%zu bytes=%zu links=%zu errors=%zu passes=%ld cpu_s=%.6f wall_s=%.6f "
           "cpu_us_per_page=%.1f mb_per_s=%.1f rss_kib=%ld converted=%zu conv_us_per_page=%.1f\n",
           c.n, c.len, best.links, best.errors, passes, best.cpu_s, best.wall_s, us, mbps,
           ru.ru_maxrss, c.converted, conv_us);
    status = best.failed ? 1 : 0;
out:
    free(c.bytes);
    free(c.off);
    return status;
}
