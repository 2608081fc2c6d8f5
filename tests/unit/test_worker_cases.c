/* test_worker_cases.c -- the check scenarios of tests/data/checks/ (NAME.case files), each a site
 * or an account served by a real HTTP server on loopback (libmicrohttpd) and swept by a real worker
 * job (gs_fetch on curl multi, gs_page on libxml2, gs_site and the checks), with the findings
 * compared to the case's expectations. Adding a check adds case files, not test code (curl's
 * tests/data idea).
 *
 * A case file:
 *
 *   # comments
 *   name: 首页 15 天未更新
 *   reference: 2021-06-15T10:00
 *   registry: site,4300000001,测试网站,省直部门,http://www.test.gov.cn/,owner,platform,menu
 *   config: max_pages=30            (any configuration key; repeatable)
 *   codes: W-HOME-STALE W-UNREACHABLE   (the codes this case judges; others are ignored)
 *   watch: 140 9 decided veto        (optional: the availability watch's verdict the task
 *                                    carries: probes, failed, then decided|undecided and
 *                                    veto|noveto)
 *   base: clean-site.pages          (optional: start from the pages of a file in
 *                                    tests/data/checks/base/; the case's own pages replace
 *                                    those of the same URL, "--- remove /path" drops one)
 *   --- page /col/a/index.html 200 text/html; charset=utf-8
 *   <html>... (bytes up to the next "--- " line; \xNN escapes are not interpreted)
 *   --- page http://other.host/path 404
 *   --- expect
 *   W-HOME-STALE veto days=15 source="home" evidence~"距监测时间点 15 天"
 *   --- end
 *
 * A page line names a path (of the registry URL's host) or a full URL, the status, and
 * optionally `ua=WORD` (served only to a User-Agent containing WORD -- what a spider gets --
 * in preference to the page of the same URL for everybody) and the Content-Type (default text/html;
 * charset=utf-8); `gbk` after the status
 * converts the UTF-8 body of the case to GBK before serving it, `big5` to BIG5. Every
 * expect line must match one finding of its code (veto or noveto, detail keys compared as
 * JSON, evidence~ and finding_url~ substrings of the evidence and the finding's url,
 * finding_url= the url itself), and every finding of a judged code must be matched by one
 * line: so a case with `codes: W-X` and no W-X line asserts that no W-X is raised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_checks.h"
#include "gs_fetch.h"
#include "gs_job.h"
#include "gs_registry.h"
#include "gs_util.h"

#include <curl/curl.h>
#include <dirent.h>
#include <iconv.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAGES 128
#define MAX_REMOVE 32
#define MAX_EXPECT 64
#define MAX_CONFIG 32

typedef struct cpage {
    char ua[64];    /* served only to a User-Agent containing this ("" = to any) */
    char host[128]; /* "" = the registry URL's host */
    char path[1024];
    unsigned status;
    char ctype[128];
    char *body;
    size_t len;
} cpage_t;

typedef struct ccase {
    char file[512];
    char name[256];
    char reference[64];
    char registry[4096];
    char *config[MAX_CONFIG];
    size_t nconfig;
    char codes[1024];
    char base[256];
    char watch[128];
    char host[128]; /* the registry URL's host: pages given by path alone are its pages */
    cpage_t pages[MAX_PAGES];
    size_t npages;
    char remove[MAX_REMOVE][1024]; /* paths of the base dropped by this case */
    size_t nremove;
    char *expect[MAX_EXPECT];
    size_t nexpect;
} ccase_t;

static struct MHD_Daemon *daemon_;
static int port;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static ccase_t *current; /* the case being served */

/* Copy src into dst (size n), cut to fit. */
static void put(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n)
        l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

/* ---- the server ---------------------------------------------------------------------- */

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *data_size, void **con_cls)
{
    (void)cls, (void)method, (void)version, (void)data, (void)data_size;
    if (*con_cls == NULL) {
        *con_cls = (void *)1;
        return MHD_YES;
    }
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
    char h[128] = "";
    if (host) {
        put(h, sizeof(h), host);
        h[strcspn(h, ":")] = '\0';
    }
    pthread_mutex_lock(&mu);
    const cpage_t *hit = NULL;
    /* pages for a User-Agent first, then the ones for everybody */
    for (int pass = 0; pass < 2 && !hit; pass++)
        for (size_t i = 0; current && i < current->npages && !hit; i++) {
            const cpage_t *p = &current->pages[i];
            if ((pass == 0) != (p->ua[0] != '\0'))
                continue;
            if (strcmp(p->path, url) == 0 &&
                strcasecmp(p->host[0] ? p->host : current->host, h) == 0 &&
                (!p->ua[0] || (ua && strstr(ua, p->ua))))
                hit = p;
        }
    struct MHD_Response *r;
    unsigned code;
    if (hit) {
        r = MHD_create_response_from_buffer(hit->len, hit->body, MHD_RESPMEM_MUST_COPY);
        MHD_add_response_header(r, "Content-Type", hit->ctype);
        code = hit->status;
        if (code >= 300 && code < 400)
            MHD_add_response_header(r, "Location", hit->body);
    } else {
        static const char nf[] = "<html><head><title>404 Not Found</title></head>"
                                 "<body><h1>404 Not Found</h1></body></html>";
        r = MHD_create_response_from_buffer(sizeof(nf) - 1, (void *)nf, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "text/html");
        code = 404;
    }
    pthread_mutex_unlock(&mu);
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- reading a case -------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    s[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return s;
}

static char *convert(const char *to, const char *in, size_t len, size_t *out_len)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t cap = len * 2 + 16;
    char *out = malloc(cap), *op = out;
    char *ip = (char *)in;
    size_t il = len, ol = cap;
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    *out_len = cap - ol;
    return out;
}

static void case_free(ccase_t *c)
{
    for (size_t i = 0; i < c->npages; i++)
        free(c->pages[i].body);
    for (size_t i = 0; i < c->nexpect; i++)
        free(c->expect[i]);
    for (size_t i = 0; i < c->nconfig; i++)
        free(c->config[i]);
    memset(c, 0, sizeof(*c));
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void parse_file(ccase_t *c, const char *path, bool base)
{
    memset(c, 0, sizeof(*c));
    put(c->file, sizeof(c->file), path);
    size_t len;
    char *all = slurp(path, &len);
    char *p = all;
    enum { HEAD, PAGE, EXPECT, END } mode = HEAD;
    cpage_t *pg = NULL;
    char *body_start = NULL;
    while (p && *p && mode != END) {
        char *nl = strchr(p, '\n');
        char *next = nl ? nl + 1 : p + strlen(p);
        bool marker = strncmp(p, "--- ", 4) == 0;
        if (marker && mode == PAGE && pg) {
            /* the page's bytes end before this line; drop the newline that precedes it */
            size_t bl = (size_t)(p - body_start);
            if (bl && body_start[bl - 1] == '\n')
                bl--;
            pg->len = bl;
            pg->body = malloc(bl + 1);
            memcpy(pg->body, body_start, bl);
            pg->body[bl] = '\0';
            char *conv = NULL;
            if (strstr(pg->ctype, "@gbk"))
                conv = convert("GBK", pg->body, pg->len, &pg->len);
            else if (strstr(pg->ctype, "@big5"))
                conv = convert("BIG5", pg->body, pg->len, &pg->len);
            if (conv) {
                free(pg->body);
                pg->body = conv;
                *strchr(pg->ctype, '@') = '\0';
                trim(pg->ctype);
            }
            pg = NULL;
        }
        char line[8192];
        size_t ll = (size_t)(next - p);
        if (ll >= sizeof(line))
            ll = sizeof(line) - 1;
        memcpy(line, p, ll);
        line[ll] = '\0';
        trim(line);
        if (marker) {
            if (!strncmp(line, "--- page ", 9)) {
                assert_true(c->npages < MAX_PAGES);
                pg = &c->pages[c->npages++];
                char target[1200], rest[300] = "";
                unsigned st = 200;
                int n = sscanf(line + 9, "%1199s %u %299[^\n]", target, &st, rest);
                assert_true(n >= 1);
                pg->status = st;
                if (!strncmp(target, "http://", 7) || !strncmp(target, "https://", 8)) {
                    char *hs = strstr(target, "://") + 3;
                    char *sl = strchr(hs, '/');
                    put(pg->path, sizeof(pg->path), sl ? sl : "/");
                    if (sl)
                        *sl = '\0';
                    put(pg->host, sizeof(pg->host), hs);
                } else {
                    put(pg->path, sizeof(pg->path), target);
                }
                pg->path[strcspn(pg->path, "?")] = '\0';
                /* rest: [ua=WORD] [gbk|big5] [content type] */
                char *ct = rest;
                if (!strncmp(ct, "ua=", 3)) {
                    size_t ul = strcspn(ct + 3, " ");
                    snprintf(pg->ua, sizeof(pg->ua), "%.*s", (int)(ul < 63 ? ul : 63), ct + 3);
                    ct += 3 + ul;
                    while (*ct == ' ')
                        ct++;
                }
                const char *conv = "";
                if (!strncmp(ct, "gbk", 3) && (ct[3] == ' ' || !ct[3]))
                    conv = " @gbk", ct += 3;
                else if (!strncmp(ct, "big5", 4) && (ct[4] == ' ' || !ct[4]))
                    conv = " @big5", ct += 4;
                while (*ct == ' ')
                    ct++;
                if (snprintf(pg->ctype, sizeof(pg->ctype), "%.100s%s",
                             *ct ? ct : "text/html; charset=utf-8", conv) < 0)
                    fail_msg("%s: content type", path);
                mode = PAGE;
                body_start = next;
            } else if (!strncmp(line, "--- remove ", 11)) {
                assert_true(c->nremove < MAX_REMOVE);
                put(c->remove[c->nremove++], sizeof(c->remove[0]), line + 11);
            } else if (!strcmp(line, "--- expect")) {
                mode = EXPECT;
            } else if (!strcmp(line, "--- end")) {
                mode = END;
            } else {
                fail_msg("%s: unknown marker '%s'", path, line);
            }
        } else if (mode == HEAD) {
            if (line[0] == '#' || !line[0]) {
            } else if (!strncmp(line, "name: ", 6)) {
                put(c->name, sizeof(c->name), line + 6);
            } else if (!strncmp(line, "reference: ", 11)) {
                put(c->reference, sizeof(c->reference), line + 11);
            } else if (!strncmp(line, "registry: ", 10)) {
                put(c->registry, sizeof(c->registry), line + 10);
            } else if (!strncmp(line, "config: ", 8)) {
                assert_true(c->nconfig < MAX_CONFIG);
                c->config[c->nconfig++] = strdup(line + 8);
            } else if (!strncmp(line, "watch: ", 7)) {
                put(c->watch, sizeof(c->watch), line + 7);
            } else if (!strncmp(line, "base: ", 6)) {
                put(c->base, sizeof(c->base), line + 6);
            } else if (!strncmp(line, "codes: ", 7)) {
                if (snprintf(c->codes, sizeof(c->codes), " %.1000s ", line + 7) < 0)
                    fail_msg("%s: codes", path);
            } else {
                fail_msg("%s: unknown header line '%s'", path, line);
            }
        } else if (mode == EXPECT && line[0] && line[0] != '#') {
            assert_true(c->nexpect < MAX_EXPECT);
            c->expect[c->nexpect++] = strdup(line);
        }
        p = next;
    }
    free(all);
    if (base)
        return;
    if (!c->name[0] || !c->reference[0] || !c->registry[0] || !c->codes[0])
        fail_msg("%s: name, reference, registry and codes are required", path);
    const char *u = strstr(c->registry, "://");
    if (u) {
        put(c->host, sizeof(c->host), u + 3);
        c->host[strcspn(c->host, "/:,")] = '\0';
    }
}

static bool same_page(const cpage_t *a, const cpage_t *b)
{
    return strcmp(a->path, b->path) == 0 && strcasecmp(a->host, b->host) == 0 &&
           strcmp(a->ua, b->ua) == 0;
}

/* A case, on top of its base pages when it names a base. */
static void case_read(ccase_t *c, const char *path, const char *dir)
{
    parse_file(c, path, false);
    if (!c->base[0])
        return;
    char bpath[2048];
    snprintf(bpath, sizeof(bpath), "%s/base/%s", dir, c->base);
    ccase_t *b = calloc(1, sizeof(*b));
    assert_non_null(b);
    parse_file(b, bpath, true);
    cpage_t merged[MAX_PAGES];
    size_t n = 0;
    for (size_t i = 0; i < b->npages; i++) {
        bool drop = false;
        for (size_t k = 0; k < c->npages && !drop; k++)
            drop = same_page(&b->pages[i], &c->pages[k]);
        for (size_t k = 0; k < c->nremove && !drop; k++)
            drop = !b->pages[i].host[0] && strcmp(b->pages[i].path, c->remove[k]) == 0;
        if (drop) {
            free(b->pages[i].body);
            continue;
        }
        assert_true(n < MAX_PAGES);
        merged[n++] = b->pages[i];
    }
    for (size_t k = 0; k < c->npages; k++) {
        assert_true(n < MAX_PAGES);
        merged[n++] = c->pages[k];
    }
    memcpy(c->pages, merged, n * sizeof(merged[0]));
    c->npages = n;
    b->npages = 0; /* its bodies now belong to c */
    case_free(b);
    free(b);
}

/* ---- running and judging ------------------------------------------------------------ */

static void run_case(const ccase_t *c, gs_findings_t *out, gs_result_t *res)
{
    gs_config_t cfg;
    gs_config_init(&cfg);
    gs_err_t e;
    gs_err_clear(&e);
    char ct[64];
    snprintf(ct, sizeof(ct), "::127.0.0.1:%d", port);
    assert_int_equal(gs_config_set(&cfg, "connect_to", ct, &e), 0);
    assert_int_equal(gs_config_set(&cfg, "allow_private", "true", &e), 0);
    assert_int_equal(gs_config_set(&cfg, "home_retries", "0", &e), 0);
    assert_int_equal(gs_config_set(&cfg, "page_timeout_ms", "5000", &e), 0);
    for (size_t i = 0; i < c->nconfig; i++) {
        char k[128];
        const char *eq = strchr(c->config[i], '=');
        assert_non_null(eq);
        snprintf(k, sizeof(k), "%.*s", (int)(eq - c->config[i]), c->config[i]);
        if (gs_config_set(&cfg, k, eq + 1, &e) < 0)
            fail_msg("%s: config %s: %s", c->file, c->config[i], e.msg);
    }
    gs_check_env_t env;
    const char *data = getenv("GS_DATA_DIR");
    if (gs_check_env_load(&env, &cfg, data ? data : GS_DATA_DIR_DEFAULT, &e) < 0)
        fail_msg("check data: %s", e.msg);

    /* the registry row, through the real registry reader */
    /* as many header columns as the row has fields */
    static const char *const cols[] = {"kind", "id",    "name",     "region",
                                       "url",  "owner", "platform", "menu_url"};
    size_t nf = 1;
    for (const char *q = c->registry; *q; q++)
        nf += *q == ',';
    char csv[8192];
    size_t cl = 0;
    for (size_t i = 0; i < nf && i < 8; i++)
        cl += (size_t)snprintf(csv + cl, sizeof(csv) - cl, "%s%s", i ? "," : "", cols[i]);
    snprintf(csv + cl, sizeof(csv) - cl, "\n%.4000s\n", c->registry);
    gs_registry_t *reg = gs_registry_new();
    if (gs_registry_load_mem(reg, csv, strlen(csv), &e) < 0)
        fail_msg("%s: registry row: %s %s", c->file, e.msg,
                 gs_registry_nproblems(reg) ? gs_registry_problem(reg, 0) : "");
    const gs_target_t *t = gs_registry_get(reg, 0);
    gs_task_t task;
    gs_task_init(&task);
    snprintf(task.sweep, sizeof(task.sweep), "case");
    put(task.target, sizeof(task.target), t->id);
    task.epoch = 1;
    task.attempt = 1;
    task.kind = t->kind;
    task.url = (char *)t->url;
    task.name = (char *)t->name;
    task.region = (char *)t->region;
    task.owner = (char *)t->owner;
    task.platform = (char *)t->platform;
    task.menu_url = (char *)t->menu_url;
    assert_int_equal(gs_time_parse_reference(c->reference, &task.ref_unix, &e), 0);
    task.max_pages = cfg.max_pages;
    task.lease_ms = 15000;
    if (c->watch[0]) {
        unsigned long long probes = 0, failed = 0;
        char dec[16] = "", veto[16] = "";
        if (sscanf(c->watch, "%llu %llu %15s %15s", &probes, &failed, dec, veto) != 4)
            fail_msg("%s: watch: PROBES FAILED decided|undecided veto|noveto", c->file);
        task.has_watch = true;
        snprintf(task.watch.watch, sizeof(task.watch.watch), "w-case");
        task.watch.end = task.ref_unix;
        task.watch.start = task.ref_unix - 7 * 86400;
        task.watch.complete = true;
        task.watch.probes = probes;
        task.watch.failed = failed;
        task.watch.rate_bp = probes ? (uint32_t)((failed * 10000 + probes / 2) / probes) : 0;
        snprintf(task.watch.rate, sizeof(task.watch.rate), "%u.%02u%%", task.watch.rate_bp / 100,
                 task.watch.rate_bp % 100);
        task.watch.decided = strcmp(dec, "decided") == 0;
        task.watch.veto = strcmp(veto, "veto") == 0;
    }

    gs_fetch_t *f = gs_fetch_new(&cfg, &e);
    assert_non_null(f);
    gs_job_t *job = gs_job_new(&task, "case-worker", f, &cfg, &env, NULL);
    assert_non_null(job);
    int64_t end = gs_now_ms() + 30000;
    while (!gs_job_finished(job) && gs_now_ms() < end)
        gs_fetch_poll(f, NULL, 0, 50);
    if (!gs_job_finished(job))
        fail_msg("%s: the job did not finish within 30 s", c->file);
    const gs_result_t *r = gs_job_result(job);
    for (size_t i = 0; i < r->findings.len; i++) {
        const gs_finding_t *x = &r->findings.items[i];
        assert_int_equal(gs_findings_add(out, x->code, x->veto, x->url, x->evidence, x->detail), 0);
    }
    res->checked = r->checked;
    res->pages = r->pages;
    free(res->reason);
    res->reason = strdup(r->reason ? r->reason : "");
    gs_job_destroy(&job);
    gs_fetch_destroy(&f);
    gs_registry_destroy(&reg);
    gs_check_env_cleanup(&env);
    gs_config_cleanup(&cfg);
}

/* Does finding x satisfy the expect line (code, veto, key=json..., evidence~"...")? */
static bool matches(const gs_finding_t *x, const char *line, char *why, size_t wl)
{
    char code[32], veto[16];
    int off = 0;
    if (sscanf(line, "%31s %15s %n", code, veto, &off) < 2) {
        snprintf(why, wl, "bad expect line");
        return false;
    }
    if (strcmp(code, x->code) != 0)
        return false;
    if ((strcmp(veto, "veto") == 0) != x->veto) {
        snprintf(why, wl, "veto is %s", x->veto ? "true" : "false");
        return false;
    }
    json_t *d = json_loads(x->detail, 0, NULL);
    const char *p = line + off;
    bool ok = true;
    while (ok && *p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *eq = strpbrk(p, "=~");
        if (!eq) {
            snprintf(why, wl, "bad term '%s'", p);
            ok = false;
            break;
        }
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
        const char *v = eq + 1;
        /* the value: a JSON text up to the next space outside quotes/brackets */
        size_t vl = 0;
        int depth = 0;
        bool q = false;
        while (v[vl] && (q || depth || v[vl] != ' ')) {
            if (v[vl] == '\\' && q && v[vl + 1])
                vl++;
            else if (v[vl] == '"')
                q = !q;
            else if (!q && (v[vl] == '[' || v[vl] == '{'))
                depth++;
            else if (!q && (v[vl] == ']' || v[vl] == '}'))
                depth--;
            vl++;
        }
        json_error_t je;
        json_t *want = json_loadb(v, vl, JSON_DECODE_ANY, &je);
        if (!want) {
            snprintf(why, wl, "bad JSON value for %s", key);
            ok = false;
        } else if (*eq == '~') {
            const char *sub = json_string_value(want);
            const char *in = !strcmp(key, "evidence") ? x->evidence
                             : !strcmp(key, "finding_url")
                                 ? x->url
                                 : json_string_value(json_object_get(d, key));
            if (!sub || !in || !strstr(in, sub)) {
                snprintf(why, wl, "%s does not contain %s", key, sub ? sub : "?");
                ok = false;
            }
        } else {
            json_t *have = !strcmp(key, "finding_url") ? json_string(x->url)
                                                       : json_incref(json_object_get(d, key));
            if (!have || !json_equal(have, want)) {
                char *hs = have ? json_dumps(have, JSON_ENCODE_ANY) : NULL;
                snprintf(why, wl, "%s is %s", key, hs ? hs : "absent");
                free(hs);
                ok = false;
            }
            json_decref(have);
        }
        json_decref(want);
        p = v + vl;
    }
    json_decref(d);
    return ok;
}

static int judge(const ccase_t *c, const gs_findings_t *f)
{
    int bad = 0;
    bool used[GS_FINDINGS_MAX];
    memset(used, 0, sizeof(used));
    for (size_t i = 0; i < c->nexpect; i++) {
        bool found = false;
        char why[512] = "";
        for (size_t k = 0; k < f->len && !found; k++)
            if (!used[k] && matches(&f->items[k], c->expect[i], why, sizeof(why))) {
                used[k] = true;
                found = true;
            }
        if (!found) {
            fprintf(stderr, "%s (%s): no finding matches: %s%s%s\n", c->file, c->name, c->expect[i],
                    why[0] ? " -- last mismatch: " : "", why);
            bad++;
        }
    }
    for (size_t k = 0; k < f->len; k++) {
        char code[40];
        snprintf(code, sizeof(code), " %s ", f->items[k].code);
        if (!used[k] && strstr(c->codes, code)) {
            fprintf(stderr, "%s (%s): unexpected %s %s: %s %s\n", c->file, c->name,
                    f->items[k].code, f->items[k].veto ? "veto" : "noveto", f->items[k].evidence,
                    f->items[k].detail);
            bad++;
        }
    }
    if (bad)
        for (size_t k = 0; k < f->len; k++)
            fprintf(stderr, "    raised: %s %s %s %s\n", f->items[k].code,
                    f->items[k].veto ? "veto" : "noveto", f->items[k].evidence, f->items[k].detail);
    return bad;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_cases(void **state)
{
    (void)state;
    const char *data = getenv("GS_TEST_DATA");
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/checks", data ? data : "tests/data");
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[1024];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 1024) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".case") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    const char *only = getenv("GS_CASE");
    int bad = 0, run = 0;
    ccase_t *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    for (size_t i = 0; i < n; i++) {
        if (only && !strstr(names[i], only)) {
            free(names[i]);
            continue;
        }
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        case_read(c, path, dir);
        pthread_mutex_lock(&mu);
        current = c;
        pthread_mutex_unlock(&mu);
        gs_findings_t f;
        gs_findings_init(&f);
        gs_result_t res;
        gs_result_init(&res);
        run_case(c, &f, &res);
        int b = judge(c, &f);
        printf("%s %s (%s)\n", b ? "FAIL" : "ok  ", names[i], c->name);
        bad += b;
        run++;
        gs_findings_cleanup(&f);
        gs_result_cleanup(&res);
        pthread_mutex_lock(&mu);
        current = NULL;
        pthread_mutex_unlock(&mu);
        case_free(c);
        free(names[i]);
    }
    free(c);
    printf("%d cases, %d mismatches\n", run, bad);
    assert_true(run > 0);
    assert_int_equal(bad, 0);
}

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
    daemon_ =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                         NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    assert_non_null(daemon_);
    port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    MHD_stop_daemon(daemon_);
    xmlCleanupParser();
    curl_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
