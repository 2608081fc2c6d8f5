/* bench_page.c -- the per-page cost of govsweep's fact extraction and of its checks
 * (issue 4), on saved pages, with no network and no crawl around them.
 *
 *   bench-page URLS PAGES [--passes N] [--data-dir DIR]
 *
 * URLS and PAGES are lists of the same length, line i of PAGES the file holding the body
 * of the URL on line i of URLS (bench/page.sh makes both from the simulated province).
 * Each pass parses every page into facts (gs_page_parse: charset, libxml2, regions,
 * links, dates, text, Traditional to Simplified when it looks Traditional), feeds the
 * facts into its site (gs_site_home / gs_site_page: the dictionary pass over the text,
 * hidden links, scripts, messages, privacy), then runs every W- check of every site
 * (gs_site_check). The best pass is reported: pages, MB, µs per page for the facts, for
 * the checks and for both, and MB/s. The pages are read into memory first, so disk reads
 * are not timed. Roles are simplified (the first page of a host is its home page, the rest
 * are "other" pages): the crawl's classification of columns and items lives in gs_job and
 * is measured by the whole-run benchmarks (bench/peers.sh, bench/profile.sh). */
#include "gs_checks.h"
#include "gs_config.h"
#include "gs_finding.h"
#include "gs_page.h"
#include "gs_site.h"
#include "gs_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PAGES 200000
#define MAX_LINE 4096

typedef struct page {
    char *url;
    char *body;
    size_t len;
    size_t site; /* index of its host in the hosts seen */
} page_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 65536 > cap) {
            size_t nc = cap ? 2 * cap : 131072;
            char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = nc;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

int main(int argc, char **argv)
{
    const char *urls_path = NULL, *pages_path = NULL, *data_dir = getenv("GS_DATA_DIR");
    int passes = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--passes") && i + 1 < argc)
            passes = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--data-dir") && i + 1 < argc)
            data_dir = argv[++i];
        else if (!urls_path)
            urls_path = argv[i];
        else if (!pages_path)
            pages_path = argv[i];
        else {
            fprintf(stderr, "usage: bench-page URLS PAGES [--passes N] [--data-dir DIR]\n");
            return 2;
        }
    }
    if (!urls_path || !pages_path || passes < 1) {
        fprintf(stderr, "usage: bench-page URLS PAGES [--passes N] [--data-dir DIR]\n");
        return 2;
    }
    FILE *fu = fopen(urls_path, "r"), *fp = fopen(pages_path, "r");
    if (!fu || !fp) {
        fprintf(stderr, "bench-page: cannot open %s\n", fu ? pages_path : urls_path);
        return 2;
    }
    page_t *pages = calloc(MAX_PAGES, sizeof(*pages));
    char **hosts = calloc(MAX_PAGES, sizeof(*hosts));
    size_t n = 0, nhosts = 0, bytes = 0;
    char lu[MAX_LINE], lp[MAX_LINE];
    while (n < MAX_PAGES && fgets(lu, sizeof(lu), fu) && fgets(lp, sizeof(lp), fp)) {
        chomp(lu);
        chomp(lp);
        size_t len = 0;
        char *body = slurp(lp, &len);
        if (!body)
            continue; /* a URL the saving fetch did not get */
        char *host = gs_url_host(lu);
        size_t h = 0;
        while (h < nhosts && strcmp(hosts[h], host ? host : "") != 0)
            h++;
        if (h == nhosts)
            hosts[nhosts++] = strdup(host ? host : "");
        free(host);
        pages[n].url = strdup(lu);
        pages[n].body = body;
        pages[n].len = len;
        pages[n].site = h;
        bytes += len;
        n++;
    }
    fclose(fu);
    fclose(fp);
    if (!n) {
        fprintf(stderr, "bench-page: no pages\n");
        return 1;
    }

    gs_config_t cfg;
    gs_config_init(&cfg);
    gs_check_env_t env;
    gs_err_t err;
    gs_err_clear(&err);
    if (gs_check_env_load(&env, &cfg, data_dir ? data_dir : gs_config_data_dir(&cfg), &err) < 0) {
        fprintf(stderr, "bench-page: %s\n", err.msg);
        return 1;
    }
    const int64_t ref = 1623715200; /* 2021-06-15, the simulated province's reference */
    double best_facts = 1e30, best_checks = 1e30, best_cpu = 1e30;
    size_t findings = 0;
    gs_site_t **sites = calloc(nhosts, sizeof(*sites));
    for (int pass = 0; pass < passes; pass++) {
        for (size_t h = 0; h < nhosts; h++) {
            char home[MAX_LINE + 16];
            snprintf(home, sizeof(home), "http://%s/", hosts[h]);
            sites[h] = gs_site_new(&env, "4300000001", hosts[h], home, ref);
        }
        double c0 = cpu_s(), t0 = now_s();
        unsigned char *homed = calloc(nhosts, 1);
        for (size_t i = 0; i < n; i++) {
            gs_page_t pg;
            gs_page_init(&pg);
            if (gs_page_parse(&pg, pages[i].body, pages[i].len, "text/html", pages[i].url, ref,
                              cfg.max_links_per_page, env.t2s) == 0) {
                gs_site_t *s = sites[pages[i].site];
                if (!homed[pages[i].site]) {
                    gs_site_home(s, &pg, 200, "", pages[i].url);
                    homed[pages[i].site] = 1;
                } else {
                    gs_site_page(s, &pg, pages[i].url, GS_ROLE_OTHER, -1, 1);
                }
            }
            gs_page_cleanup(&pg);
        }
        free(homed);
        double t1 = now_s();
        findings = 0;
        for (size_t h = 0; h < nhosts; h++) {
            gs_findings_t out;
            gs_findings_init(&out);
            gs_site_check(sites[h], &out);
            findings += out.len;
            gs_findings_cleanup(&out);
        }
        double t2 = now_s(), c1 = cpu_s();
        for (size_t h = 0; h < nhosts; h++)
            gs_site_destroy(&sites[h]);
        if (t1 - t0 < best_facts)
            best_facts = t1 - t0;
        if (t2 - t1 < best_checks)
            best_checks = t2 - t1;
        if (c1 - c0 < best_cpu)
            best_cpu = c1 - c0;
    }
    double mb = bytes / 1e6;
    printf("pages: %zu of %zu sites, %.1f MB (mean %zu bytes), best of %d passes\n", n, nhosts, mb,
           bytes / n, passes);
    printf("facts  (parse into facts, feed the site): %8.1f us/page  %7.1f MB/s\n",
           best_facts * 1e6 / n, mb / best_facts);
    printf("checks (every W- check of every site):    %8.1f us/page\n", best_checks * 1e6 / n);
    printf("both:                                     %8.1f us/page  (CPU %.1f us/page)\n",
           (best_facts + best_checks) * 1e6 / n, best_cpu * 1e6 / n);
    printf("findings on the last pass: %zu\n", findings);
    printf("RESULT pages=%zu facts_us=%.1f checks_us=%.1f total_us=%.1f mbps=%.1f\n", n,
           best_facts * 1e6 / n, best_checks * 1e6 / n, (best_facts + best_checks) * 1e6 / n,
           mb / best_facts);
    for (size_t i = 0; i < n; i++) {
        free(pages[i].url);
        free(pages[i].body);
    }
    for (size_t h = 0; h < nhosts; h++)
        free(hosts[h]);
    free(hosts);
    free(pages);
    free(sites);
    gs_check_env_cleanup(&env);
    gs_config_cleanup(&cfg);
    return 0;
}
