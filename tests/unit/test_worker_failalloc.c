/* test_worker_failalloc.c -- allocation failure at the n-th allocation (reliability.md O1)
 * in decoding (gs_msg_decode and the encoders, gs_feed_parse, gs_page_parse,
 * gs_registry_load_mem), URL handling (gs_url_resolve, gs_urlbase_resolve, gs_url_host),
 * the checks (a site's facts and every W- check on them, an account's feed and the M-
 * checks) and report writing (gs_report_load from a real Redis, report.md and the rest
 * with gs_report_write_dir, report.html, the findings export).
 *
 * Each operation runs once to learn its answer, then again for n = 1, 2, ... with the n-th
 * allocation failing (tests/unit/failalloc.h: the linker's --wrap for our code, the
 * libraries' own hooks for libxml2, jansson and libcurl) until a run makes fewer than n
 * allocations. Every run must end without a crash, and either with an error code or with
 * exactly the answer of the run that did not fail (a digest of the output: the decoded
 * message re-encoded, every post, page fact, registry row, URL, finding or byte of the
 * report); LeakSanitizer (the ASan build) checks that the error paths free what they
 * took. A run that returns success with a different answer is a silent loss: the test
 * prints each one, and fails on them except where the interface cannot report an error
 * (gs_site_* and gs_account_* feeding facts return void: see test_checks). */
#include "case_tsv.h"
#include "failalloc.h"
#include "report_fixture.h"

#include "gs_account.h"
#include "gs_buf.h"
#include "gs_checks.h"
#include "gs_config.h"
#include "gs_date.h"
#include "gs_feed.h"
#include "gs_msg.h"
#include "gs_page.h"
#include "gs_registry.h"
#include "gs_site.h"
#include "gs_url.h"
#include "gs_util.h"

#include <curl/curl.h>

#define MAX_RUNS 400000 /* allocations of one operation we are willing to walk */

/* What one operation reads and what it made. */
typedef struct ctx {
    const char *label;
    /* input */
    const char *data;
    size_t len;
    const char *ct, *url, *href;
    int64_t ref;
    /* outputs (freed by the operation's finish) */
    gs_msg_t msg;
    gs_buf_t buf;
    gs_feed_t *feed;
    gs_page_t page;
    gs_registry_t *reg;
    char *str;
    gs_findings_t fs;
    gs_report_t *rep;
    char *mem;
    size_t memlen;
} ctx_t;

typedef int (*run_fn)(ctx_t *c);
typedef uint64_t (*finish_fn)(ctx_t *c, int rc);

/* LeakSanitizer's check, when the build has it (ASan): nonzero when something leaked. */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* Totals over all operations, for the summary line. */
static long total_runs, total_errors, total_same, total_wrong, total_crash, total_leak,
    total_libcrash;
static int unexpected; /* problems of a kind tests/data/failalloc/known.tsv does not list */

static uint64_t h_bytes(uint64_t h, const void *p, size_t n)
{
    return gs_fnv1a(h, p ? p : "", p ? n : 0);
}

static uint64_t h_str(uint64_t h, const char *s)
{
    h = h_bytes(h, s ? s : "\x01(null)", s ? strlen(s) + 1 : 8);
    return h;
}

static uint64_t h_u64(uint64_t h, uint64_t v)
{
    return h_bytes(h, &v, sizeof(v));
}

/* What one run in a child reported. */
typedef struct outcome {
    int rc;
    uint64_t digest;
    bool failed; /* the armed allocation was reached (and failed) */
    bool leaked; /* LeakSanitizer found memory the run lost */
    char origin; /* whose allocation failed (failalloc.h), 0 when none did */
} outcome_t;

/* Is a problem of this kind ("crash", "wrong", "leak") of this operation known? The table
 * names operations by label prefix. */
static bool known(const char *label, const char *kind)
{
    FILE *fp = case_open("failalloc", "known.tsv");
    case_row_t *row = malloc(sizeof(*row));
    assert_non_null(row);
    row->lineno = 0;
    bool found = false;
    while (!found && case_next(fp, row))
        found = row->n >= 2 && !strncmp(label, row->f[0], strlen(row->f[0])) &&
                !strcmp(kind, row->f[1]);
    fclose(fp);
    free(row);
    return found;
}

/* The calm run's outcome, for the verdicts GS_FAILALLOC_TRACE prints. */
static outcome_t calm_of_run;

/* One run with the n-th allocation failing (n = 0: none), in a child process, so that a
 * crash is a finding, not the end of the test, and LeakSanitizer can check this run
 * alone. The child says whose allocation failed the moment it fails (one byte), then at
 * the end 'E' and the outcome. Returns 0, or the signal that killed the child (-1 when it
 * died otherwise); o->origin is set either way. */
static int run_child(ctx_t *c, run_fn run, finish_fn finish, long n, outcome_t *o)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* cmocka's handlers would catch a crash and run on in the child */
        int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
            signal(sigs[i], SIG_DFL);
        close(fds[0]);
        outcome_t mine;
        memset(&mine, 0, sizeof(mine));
        if (getenv("GS_FAILALLOC_TRACE"))
            fprintf(stderr, "--- %s: allocation %ld fails\n", c->label, n);
        failalloc_report_to(fds[1]);
        failalloc_arm(n);
        mine.rc = run(c);
        mine.failed = failalloc_failed();
        failalloc_disarm();
        failalloc_report_to(-1);
        mine.digest = finish(c, mine.rc);
        mine.leaked = __lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check();
        if (getenv("GS_FAILALLOC_TRACE") && n > 0)
            fprintf(stderr, "=== verdict %s\n",
                    !mine.failed                                                     ? "complete"
                    : mine.rc < 0                                                    ? "error"
                    : mine.rc == calm_of_run.rc && mine.digest == calm_of_run.digest ? "same"
                                                                                     : "wrong");
        char buf[1 + sizeof(mine)];
        buf[0] = 'E';
        memcpy(buf + 1, &mine, sizeof(mine));
        ssize_t w = write(fds[1], buf, sizeof(buf));
        _exit(w == (ssize_t)sizeof(buf) ? 0 : 1);
    }
    close(fds[1]);
    char buf[2 + sizeof(*o)];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof(buf) && (r = read(fds[0], buf + got, sizeof(buf) - got)) > 0)
        got += (size_t)r;
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    memset(o, 0, sizeof(*o));
    size_t at = 0;
    char origin = 0;
    if (got > 0 && buf[0] != 'E')
        origin = buf[at++];
    bool complete = got == at + 1 + sizeof(*o) && buf[at] == 'E';
    if (complete)
        memcpy(o, buf + at + 1, sizeof(*o));
    o->origin = origin;
    if (complete && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

/* A list of the n values of one kind, for the report ("3 5 8-12 ..."). */
typedef struct nlist {
    char text[160];
    long count;
} nlist_t;

static void nlist_add(nlist_t *l, long n)
{
    l->count++;
    size_t len = strlen(l->text);
    if (len + 24 < sizeof(l->text))
        snprintf(l->text + len, sizeof(l->text) - len, "%s%ld", len ? " " : "", n);
    else if (len + 5 < sizeof(l->text) && strcmp(l->text + len - 4, " ...") != 0)
        snprintf(l->text + len, sizeof(l->text) - len, " ...");
}

/* Run op in a child to learn its answer, then with each allocation failing in turn, each
 * run in a child of its own. Each run must end with an error code, or with the calm run's
 * code and answer; a crash, a leak or another answer ("wrong": a silent loss) fails the
 * test unless tests/data/failalloc/known.tsv lists that kind for the operation. */
static void torture(ctx_t *c, run_fn run, finish_fn finish)
{
    int64_t t0 = gs_now_ms();
    outcome_t calm;
    assert_int_equal(run_child(c, run, finish, 0, &calm), 0);
    assert_false(calm.leaked);
    calm_of_run = calm;
    long errors = 0, same = 0, n;
    nlist_t wrong = {"", 0}, crash = {"", 0}, leak = {"", 0}, libcrash = {"", 0};
    for (n = 1; n < MAX_RUNS; n++) {
        outcome_t o;
        int sig = run_child(c, run, finish, n, &o);
        if (sig != 0) {
            /* A library that dies of its own failed allocation (jansson 2.14 in json_loads,
             * libxml2 2.9.14) is the library's bug: counted and shown, not ours. */
            nlist_add(o.origin && o.origin != FAILALLOC_OURS ? &libcrash : &crash, n);
            continue;
        }
        if (o.leaked)
            nlist_add(&leak, n);
        if (!o.failed) {
            /* fewer than n allocations: the whole operation ran; it must agree with itself */
            assert_int_equal(o.rc, calm.rc);
            assert_true(o.digest == calm.digest);
            break;
        }
        if (o.rc < 0)
            errors++;
        else if (o.rc == calm.rc && o.digest == calm.digest)
            same++;
        else
            nlist_add(&wrong, n);
    }
    assert_true(n < MAX_RUNS);
    print_message("%-40s %5ld allocs: %5ld errors, %4ld same answer, %ld wrong, %ld crashes, "
                  "%ld leaks, %ld in a library (%.1f s)\n",
                  c->label, n - 1, errors, same, wrong.count, crash.count, leak.count,
                  libcrash.count, (double)(gs_now_ms() - t0) / 1000.0);
    if (libcrash.count)
        print_message("    a library crashed of its own failed allocation at %s\n", libcrash.text);
    struct {
        const char *kind;
        nlist_t *l;
    } kinds[] = {{"wrong", &wrong}, {"crash", &crash}, {"leak", &leak}};
    for (size_t k = 0; k < 3; k++) {
        bool is_known = known(c->label, kinds[k].kind);
        if (kinds[k].l->count)
            print_message("    %s%s at allocation %s\n", is_known ? "known: " : "", kinds[k].kind,
                          kinds[k].l->text);
        else if (is_known)
            print_message("    no %s any more: remove the line of known.tsv\n", kinds[k].kind);
        if (kinds[k].l->count && !is_known)
            unexpected++;
    }
    total_runs += n - 1;
    total_errors += errors;
    total_same += same;
    total_wrong += wrong.count;
    total_crash += crash.count;
    total_leak += leak.count;
    total_libcrash += libcrash.count;
}

/* End of a test: every problem found was a known one. */
static void no_unexpected(void)
{
    int u = unexpected;
    unexpected = 0;
    assert_int_equal(u, 0);
}

/* ---- inputs ---------------------------------------------------------------------------- */

static char *fixture(const char *sub, const char *name, size_t *len)
{
    return case_slurp(sub, name, len);
}

/* The pages of a check scenario: the base pages, with the case's own pages replacing those
 * of the same path. Up to MAX_PAGES, each a path and its body (pointers into the files). */
#define MAX_PAGES 64
typedef struct pageset {
    char *files[2];
    size_t flen[2];
    const char *path[MAX_PAGES];
    const char *body[MAX_PAGES];
    size_t len[MAX_PAGES];
    size_t n;
} pageset_t;

static void pages_add(pageset_t *ps, char *text)
{
    char *p = text;
    while ((p = strstr(p, "--- ")) != NULL) {
        if (p != text && p[-1] != '\n' && p[-1] != '\0') {
            p += 4;
            continue;
        }
        char *eol = strchr(p, '\n');
        if (!eol)
            break;
        *eol = '\0';
        char *body = eol + 1, *next = strstr(body, "\n--- ");
        size_t blen = next ? (size_t)(next - body) : strlen(body);
        if (!strncmp(p, "--- page ", 9)) {
            char *path = p + 9, *sp = strchr(path, ' ');
            if (sp)
                *sp = '\0';
            size_t i = 0;
            while (i < ps->n && strcmp(ps->path[i], path))
                i++;
            assert_true(i < MAX_PAGES);
            if (i == ps->n)
                ps->n++;
            ps->path[i] = path;
            ps->body[i] = body;
            ps->len[i] = blen;
        }
        if (!next)
            break;
        next[0] = '\0'; /* terminates this body's last line; the marker starts after it */
        p = next + 1;
    }
}

static void pages_load(pageset_t *ps, const char *casefile)
{
    memset(ps, 0, sizeof(*ps));
    ps->files[0] = fixture("checks", "base/clean-site.pages", &ps->flen[0]);
    pages_add(ps, ps->files[0]);
    if (casefile) {
        ps->files[1] = fixture("checks", casefile, &ps->flen[1]);
        pages_add(ps, ps->files[1]);
    }
}

static void pages_free(pageset_t *ps)
{
    free(ps->files[0]);
    free(ps->files[1]);
}

/* ---- decoding -------------------------------------------------------------------------- */

static int run_msg_decode(ctx_t *c)
{
    gs_msg_init(&c->msg);
    gs_err_t e;
    return gs_msg_decode(c->data, c->len, &c->msg, &e);
}

/* The message's digest: its type and, for tasks and results, its bytes once re-encoded. */
static uint64_t finish_msg_decode(ctx_t *c, int rc)
{
    uint64_t h = h_u64(GS_FNV_INIT, (uint64_t)(rc < 0 ? 0 : c->msg.type));
    if (rc == 0) {
        gs_buf_t b;
        gs_buf_init(&b, GS_MSG_MAX_BYTES + 1024);
        if (c->msg.type == GS_MSG_TASK)
            assert_int_equal(gs_msg_encode_task(&b, &c->msg.task), 0);
        else if (c->msg.type == GS_MSG_RESULT)
            assert_int_equal(gs_msg_encode_result(&b, &c->msg.result), 0);
        h = h_bytes(h, b.data, b.len);
        h = h_str(h, c->msg.worker);
        h = h_u64(h, c->msg.ntasks);
        for (size_t i = 0; i < c->msg.ntasks; i++)
            h = h_str(h, c->msg.tasks[i].target);
        gs_buf_cleanup(&b);
    }
    gs_msg_cleanup(&c->msg);
    return h;
}

static int run_msg_encode(ctx_t *c)
{
    gs_buf_init(&c->buf, GS_MSG_MAX_BYTES + 1024);
    return c->msg.type == GS_MSG_TASK ? gs_msg_encode_task(&c->buf, &c->msg.task)
                                      : gs_msg_encode_result(&c->buf, &c->msg.result);
}

static uint64_t finish_msg_encode(ctx_t *c, int rc)
{
    uint64_t h = rc < 0 ? 0 : h_bytes(GS_FNV_INIT, c->buf.data, c->buf.len);
    gs_buf_cleanup(&c->buf);
    return h;
}

/* Messages to decode: one of each type, as the encoders write them. */
static void test_msg(void **state)
{
    (void)state;
    gs_task_t t;
    gs_task_init(&t);
    snprintf(t.sweep, sizeof(t.sweep), "2021Q2-20210615");
    snprintf(t.target, sizeof(t.target), "4300000001");
    t.epoch = 3;
    t.attempt = 1;
    t.kind = GS_KIND_SITE;
    t.url = strdup("http://www.sim-test.gov.cn/");
    t.name = strdup("湖南省测试厅网站");
    t.region = strdup("省直部门");
    t.owner = strdup("湖南省测试厅");
    t.platform = strdup("");
    t.menu_url = strdup("");
    t.ref_unix = 1623722400;
    t.max_pages = 200;
    t.lease_ms = 15000;
    assert_int_equal(gs_findings_add(&t.pre, "M-DUPLICATE", false, "http://x.gov.cn/", "重复",
                                     "{\"others\":[\"A\"]}"),
                     0);
    gs_result_t r;
    gs_result_init(&r);
    snprintf(r.sweep, sizeof(r.sweep), "2021Q2-20210615");
    snprintf(r.target, sizeof(r.target), "4300000001");
    snprintf(r.worker, sizeof(r.worker), "host:1");
    r.epoch = 3;
    r.kind = GS_KIND_SITE;
    r.checked = true;
    r.region = strdup("省直部门");
    r.reason = strdup("");
    r.pages = 42;
    for (int i = 0; i < 20; i++)
        assert_int_equal(gs_findings_add(&r.findings, "W-LINK-BROKEN", false,
                                         "http://www.sim-test.gov.cn/a.html", "链接无法打开",
                                         "{\"url\":\"http://www.sim-test.gov.cn/x\"}"),
                         0);
    gs_taskref_t refs[3] = {{"4300000001", 3}, {"4300000002", 1}, {"A00000000000000X", 2}};
    gs_buf_t msgs[6];
    for (int i = 0; i < 6; i++)
        gs_buf_init(&msgs[i], GS_MSG_MAX_BYTES);
    assert_int_equal(gs_msg_encode_task(&msgs[0], &t), 0);
    assert_int_equal(gs_msg_encode_result(&msgs[1], &r), 0);
    assert_int_equal(gs_msg_encode_hello(&msgs[2], "host:1", 16, refs, 3), 0);
    assert_int_equal(gs_msg_encode_hb(&msgs[3], refs, 3), 0);
    assert_int_equal(gs_msg_encode_ack(&msgs[4], "2021Q2", "4300000001", 3, GS_OUTCOME_DUP), 0);
    assert_int_equal(gs_msg_encode_done(&msgs[5], "2021Q2", "4300000001", 3, GS_OUTCOME_STORED), 0);
    static const char *const labels[] = {"gs_msg_decode(task)",  "gs_msg_decode(result)",
                                         "gs_msg_decode(hello)", "gs_msg_decode(hb)",
                                         "gs_msg_decode(ack)",   "gs_msg_decode(done)"};
    for (int i = 0; i < 6; i++) {
        ctx_t c;
        memset(&c, 0, sizeof(c));
        c.label = labels[i];
        c.data = msgs[i].data;
        c.len = msgs[i].len;
        torture(&c, run_msg_decode, finish_msg_decode);
        gs_buf_cleanup(&msgs[i]);
    }
    ctx_t c;
    memset(&c, 0, sizeof(c));
    c.label = "gs_msg_encode_task";
    c.msg.type = GS_MSG_TASK;
    c.msg.task = t;
    torture(&c, run_msg_encode, finish_msg_encode);
    c.label = "gs_msg_encode_result";
    c.msg.type = GS_MSG_RESULT;
    c.msg.result = r;
    torture(&c, run_msg_encode, finish_msg_encode);
    gs_task_cleanup(&t);
    gs_result_cleanup(&r);
    no_unexpected();
}

static int run_feed(ctx_t *c)
{
    gs_err_t e;
    return gs_feed_parse(c->data, c->len, c->ct, &c->feed, &e);
}

static uint64_t finish_feed(ctx_t *c, int rc)
{
    uint64_t h = h_u64(GS_FNV_INIT, (uint64_t)(rc < 0 ? 0 : 1));
    if (rc == 0) {
        h = h_str(h, gs_feed_title(c->feed));
        h = h_str(h, gs_feed_link(c->feed));
        h = h_str(h, gs_feed_format(c->feed));
        h = h_u64(h, gs_feed_total(c->feed));
        h = h_u64(h, (uint64_t)gs_feed_newest(c->feed, c->ref));
        for (size_t i = 0; i < gs_feed_count(c->feed); i++) {
            const gs_post_t *p = gs_feed_post(c->feed, i);
            h = h_str(h, p->title);
            h = h_str(h, p->link);
            h = h_str(h, p->text);
            h = h_u64(h, (uint64_t)p->published);
        }
    }
    gs_feed_destroy(&c->feed);
    return h;
}

static void test_feed(void **state)
{
    (void)state;
    static const char *const files[] = {"rsshub_weibo.xml",     "atom_toutiao.xml", "rss1.rdf",
                                        "jsonfeed_douyin.json", "gbk.xml",          "not_feed.json",
                                        "billion_laughs.xml",   "html_page.html"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        ctx_t c;
        memset(&c, 0, sizeof(c));
        char label[96];
        snprintf(label, sizeof(label), "gs_feed_parse(%s)", files[i]);
        c.label = label;
        char *data = fixture("feed", files[i], &c.len);
        c.data = data;
        c.ref = 1623722400;
        torture(&c, run_feed, finish_feed);
        free(data);
    }
    no_unexpected();
}

static int run_page(ctx_t *c)
{
    gs_page_init(&c->page);
    return gs_page_parse(&c->page, c->data, c->len, c->ct, c->url, c->ref, 2000, NULL);
}

static uint64_t page_digest(const gs_page_t *p)
{
    uint64_t h = h_str(GS_FNV_INIT, p->charset);
    h = h_str(h, p->title);
    h = h_bytes(h, p->text, p->text_len);
    h = h_str(h, p->header_text);
    h = h_str(h, p->footer_text);
    h = h_u64(h, p->nlinks);
    for (size_t i = 0; i < p->nlinks; i++) {
        h = h_str(h, p->links[i].url);
        h = h_str(h, p->links[i].text);
    }
    h = h_u64(h, p->nmetas);
    h = h_u64(h, p->nalts);
    h = h_u64(h, p->nscripts);
    h = h_u64(h, p->nmsgs);
    h = h_u64(h, p->items);
    h = h_u64(h, (uint64_t)(int64_t)p->newest_item);
    h = h_u64(h, (uint64_t)(int64_t)p->newest_meta);
    h = h_u64(h, (uint64_t)(int64_t)p->newest_text);
    return h;
}

static uint64_t finish_page(ctx_t *c, int rc)
{
    uint64_t h = rc < 0 ? 0 : page_digest(&c->page);
    gs_page_cleanup(&c->page);
    return h;
}

static void test_page(void **state)
{
    (void)state;
    static const struct {
        const char *dir, *file, *ct;
    } in[] = {
        {"charset", "gbk_meta.html", NULL},
        {"charset", "big5.html", "text/html; charset=big5"},
        {"charset", "utf8_bom.html", NULL},
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        ctx_t c;
        memset(&c, 0, sizeof(c));
        char label[96];
        snprintf(label, sizeof(label), "gs_page_parse(%s)", in[i].file);
        c.label = label;
        char *data = fixture(in[i].dir, in[i].file, &c.len);
        c.data = data;
        c.ct = in[i].ct;
        c.url = "http://www.sim-test.gov.cn/";
        c.ref = 1623722400;
        torture(&c, run_page, finish_page);
        free(data);
    }
    /* the pages of a whole site: a home page, a column, an article, the message board */
    pageset_t ps;
    pages_load(&ps, "0201-interact-unanswered-91.case");
    static const char *const paths[] = {"/", "/col/zwdt/index.html", "/col/hdjl/index.html",
                                        "/hdjl/msg_0.html"};
    for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
        size_t i = 0;
        while (i < ps.n && strcmp(ps.path[i], paths[k]))
            i++;
        assert_true(i < ps.n);
        ctx_t c;
        memset(&c, 0, sizeof(c));
        char label[96], pageurl[160];
        snprintf(label, sizeof(label), "gs_page_parse(%s)", paths[k]);
        snprintf(pageurl, sizeof(pageurl), "http://www.sim-test.gov.cn%s", paths[k]);
        c.label = label;
        c.data = ps.body[i];
        c.len = ps.len[i];
        c.ct = "text/html; charset=utf-8";
        c.url = pageurl;
        c.ref = 1623722400;
        torture(&c, run_page, finish_page);
    }
    pages_free(&ps);
    no_unexpected();
}

static int run_registry(ctx_t *c)
{
    c->reg = gs_registry_new();
    if (!c->reg)
        return GS_ENOMEM;
    gs_err_t e;
    return gs_registry_load_mem(c->reg, c->data, c->len, &e);
}

static uint64_t finish_registry(ctx_t *c, int rc)
{
    uint64_t h = h_u64(GS_FNV_INIT, (uint64_t)(int64_t)rc);
    if (c->reg) {
        h = h_u64(h, gs_registry_count(c->reg));
        for (size_t i = 0; i < gs_registry_count(c->reg); i++) {
            const gs_target_t *t = gs_registry_get(c->reg, i);
            h = h_str(h, t->id);
            h = h_str(h, t->name);
            h = h_str(h, t->region);
            h = h_str(h, t->url);
            h = h_str(h, t->owner);
            h = h_str(h, t->platform);
            h = h_u64(h, t->nextra);
        }
        for (size_t i = 0; i < gs_registry_nproblems(c->reg); i++)
            h = h_str(h, gs_registry_problem(c->reg, i));
        for (size_t i = 0; i < gs_registry_nregions(c->reg); i++)
            h = h_str(h, gs_registry_region(c->reg, i));
    }
    gs_registry_destroy(&c->reg);
    return h;
}

static void test_registry(void **state)
{
    (void)state;
    static const char *const files[] = {"valid.csv", "valid_gbk.csv", "quoted.csv", "bad_rows.csv",
                                        "duplicates.csv"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        ctx_t c;
        memset(&c, 0, sizeof(c));
        char label[96];
        snprintf(label, sizeof(label), "gs_registry_load_mem(%s)", files[i]);
        c.label = label;
        char *data = fixture("registry", files[i], &c.len);
        c.data = data;
        torture(&c, run_registry, finish_registry);
        free(data);
    }
    no_unexpected();
}

/* ---- URL handling ------------------------------------------------------------------------ */

/* gs_url_resolve gives NULL for an error and for a link it does not crawl alike: a NULL
 * where the calm run gave a URL is the error here. */
static int run_url(ctx_t *c)
{
    c->str = gs_url_resolve(c->url, c->href);
    return c->str ? 0 : GS_ENOMEM;
}

static int run_urlbase(ctx_t *c)
{
    gs_urlbase_t *b = gs_urlbase_new(c->url);
    if (!b)
        return GS_ENOMEM;
    c->str = gs_urlbase_resolve(b, c->href);
    gs_urlbase_destroy(&b);
    return c->str ? 0 : GS_ENOMEM;
}

static int run_host(ctx_t *c)
{
    c->str = gs_url_host(c->href);
    return c->str ? 0 : GS_ENOMEM;
}

static uint64_t finish_str(ctx_t *c, int rc)
{
    uint64_t h = rc < 0 ? 0 : h_str(GS_FNV_INIT, c->str);
    free(c->str);
    c->str = NULL;
    return h;
}

static void test_url(void **state)
{
    (void)state;
    static const char *const hrefs[] = {"../art/2021/6/14/art_1.html?x=1#top",
                                        "/col/列表/index.html",
                                        "art_2.html",
                                        "HTTP://WWW.Sim-Test.GOV.cn:80/a/./b/../c",
                                        "//other.gov.cn/x",
                                        "http://[::1]:8080/",
                                        "http://政府.政务/首页"};
    for (size_t i = 0; i < sizeof(hrefs) / sizeof(hrefs[0]); i++) {
        ctx_t c;
        memset(&c, 0, sizeof(c));
        char label[128];
        c.url = "http://www.sim-test.gov.cn/col/col1/index.html";
        c.href = hrefs[i];
        snprintf(label, sizeof(label), "gs_url_resolve(%.30s)", hrefs[i]);
        c.label = label;
        torture(&c, run_url, finish_str);
        snprintf(label, sizeof(label), "gs_urlbase_resolve(%.30s)", hrefs[i]);
        torture(&c, run_urlbase, finish_str);
        snprintf(label, sizeof(label), "gs_url_host(%.30s)", hrefs[i]);
        torture(&c, run_host, finish_str);
    }
    no_unexpected();
}

/* ---- the checks ------------------------------------------------------------------------- */

static gs_check_env_t env;
static gs_config_t cfg;
static pageset_t site_pages;
static gs_page_t parsed[MAX_PAGES];
static int64_t ref_unix;

static uint64_t findings_digest(const gs_findings_t *fs)
{
    uint64_t h = h_u64(GS_FNV_INIT, fs->len);
    for (size_t i = 0; i < fs->len; i++) {
        h = h_str(h, fs->items[i].code);
        h = h_u64(h, fs->items[i].veto);
        h = h_str(h, fs->items[i].url);
        h = h_str(h, fs->items[i].evidence);
        h = h_str(h, fs->items[i].detail);
    }
    return h;
}

/* A site's facts from its parsed pages, as gs_job feeds them, then every W- check. */
static int run_site(ctx_t *c)
{
    gs_findings_init(&c->fs);
    gs_site_t *s = gs_site_new(&env, "4300000001", "湖南省测试厅网站",
                               "http://www.sim-test.gov.cn/", ref_unix);
    if (!s)
        return GS_ENOMEM;
    for (size_t i = 0; i < site_pages.n; i++) {
        char u[256];
        snprintf(u, sizeof(u), "http://www.sim-test.gov.cn%s", site_pages.path[i]);
        if (!strcmp(site_pages.path[i], "/")) {
            gs_site_home(s, &parsed[i], 200, "", u);
            gs_site_link_result(s, u, 200, 0, "");
            gs_site_page(s, &parsed[i], u, GS_ROLE_HOME, -1, 0);
        }
    }
    for (size_t i = 0; i < site_pages.n; i++) {
        if (!strcmp(site_pages.path[i], "/"))
            continue;
        char u[256];
        snprintf(u, sizeof(u), "http://www.sim-test.gov.cn%s", site_pages.path[i]);
        int col = gs_site_column_of(s, u);
        gs_site_link_result(s, u, 200, 0, "");
        gs_site_page(s, &parsed[i], u, col >= 0 ? GS_ROLE_COLUMN : GS_ROLE_ARTICLE, col, 1);
    }
    int rc = gs_site_check(s, &c->fs);
    gs_site_destroy(&s);
    return rc;
}

static uint64_t finish_findings(ctx_t *c, int rc)
{
    uint64_t h = rc < 0 ? 0 : findings_digest(&c->fs);
    gs_findings_cleanup(&c->fs);
    return h;
}

/* An account's feed, then every M- check. */
static gs_feed_t *acct_feed;

static int run_account(ctx_t *c)
{
    gs_findings_init(&c->fs);
    gs_account_t *a = gs_account_new(&env, "430000M022XL0001", "湖南省司法行政", "湖南省司法厅",
                                     "新浪微博", c->url, "", ref_unix);
    if (!a)
        return GS_ENOMEM;
    gs_account_feed(a, acct_feed, c->url);
    int rc = gs_account_check(a, &c->fs);
    gs_account_destroy(&a);
    return rc;
}

/* Keep the home page, two columns, an article, the message board and every page the case
 * itself gives: each allocation of the whole pipeline is failed in a run of its own, so
 * the site is kept small (30 pages make 2,300 allocations and minutes under ASan). */
static void site_subset(pageset_t *ps)
{
    static const char *const keep[] = {"/", "/col/zwdt/index.html",
                                       "/art/2021/6/14/art_zwdt_0.html", "/col/tzgg/index.html",
                                       "/col/hdjl/index.html"};
    size_t o = 0;
    for (size_t i = 0; i < ps->n; i++) {
        bool k =
            ps->files[1] && ps->body[i] >= ps->files[1] && ps->body[i] < ps->files[1] + ps->flen[1];
        for (size_t j = 0; !k && j < sizeof(keep) / sizeof(keep[0]); j++)
            k = !strcmp(ps->path[i], keep[j]);
        if (k) {
            ps->path[o] = ps->path[i];
            ps->body[o] = ps->body[i];
            ps->len[o] = ps->len[i];
            o++;
        }
    }
    ps->n = o;
}

static void test_checks(void **state)
{
    (void)state;
    gs_config_init(&cfg);
    gs_err_t e;
    assert_int_equal(gs_time_parse_reference("2021-06-15T10:00", &ref_unix, &e), 0);
    if (gs_check_env_load(&env, &cfg, gs_config_data_dir(&cfg), &e) < 0)
        fail_msg("gs_check_env_load: %s", e.msg);
    static const char *const cases[] = {"0242-spam-in-article.case",
                                        "0201-interact-unanswered-91.case"};
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        pages_load(&site_pages, cases[k]);
        site_subset(&site_pages);
        for (size_t i = 0; i < site_pages.n; i++) {
            char u[256];
            snprintf(u, sizeof(u), "http://www.sim-test.gov.cn%s", site_pages.path[i]);
            gs_page_init(&parsed[i]);
            assert_int_equal(gs_page_parse(&parsed[i], site_pages.body[i], site_pages.len[i],
                                           "text/html; charset=utf-8", u, ref_unix, 2000, NULL),
                             0);
        }
        ctx_t c;
        memset(&c, 0, sizeof(c));
        char label[96];
        snprintf(label, sizeof(label), "W- checks (%zu pages, %.16s)", site_pages.n, cases[k]);
        c.label = label;
        /* gs_site_home/_page/_link_result return void: a fact lost to a failed
         * allocation cannot be reported, only counted here */
        torture(&c, run_site, finish_findings);
        for (size_t i = 0; i < site_pages.n; i++)
            gs_page_cleanup(&parsed[i]);
        pages_free(&site_pages);
    }
    pageset_t ps;
    memset(&ps, 0, sizeof(ps));
    size_t len;
    ps.files[0] = fixture("checks", "0306-account-spam-wording-privacy.case", &len);
    pages_add(&ps, ps.files[0]);
    assert_true(ps.n >= 1);
    assert_int_equal(gs_feed_parse(ps.body[0], ps.len[0], "application/rss+xml", &acct_feed, &e),
                     0);
    ctx_t c;
    memset(&c, 0, sizeof(c));
    c.label = "M- checks (0306 feed)";
    c.url = ps.path[0];
    torture(&c, run_account, finish_findings);
    gs_feed_destroy(&acct_feed);
    free(ps.files[0]);
    gs_check_env_cleanup(&env);
    gs_config_cleanup(&cfg);
    no_unexpected();
}

/* ---- report writing ------------------------------------------------------------------------ */

static gs_report_t *fixed_rep;

/* A connection of the run's own (each run is a child process: sharing the parent's would
 * leave half-read replies in it when a run dies); connecting is not under test. */
static int run_report_load(ctx_t *c)
{
    gs_err_t e;
    failalloc_pause(true);
    gs_redis_t *conn = gs_redis_new(url, &e);
    failalloc_pause(false);
    assert_non_null(conn);
    int rc = gs_report_load(gs_redis_ctx(conn), FIXED, &c->rep, &e);
    failalloc_pause(true);
    gs_redis_destroy(&conn);
    failalloc_pause(false);
    return rc;
}

static uint64_t mem_digest(ctx_t *c)
{
    uint64_t h = h_bytes(GS_FNV_INIT, c->mem, c->memlen);
    free(c->mem);
    c->mem = NULL;
    c->memlen = 0;
    return h;
}

static uint64_t finish_report_load(ctx_t *c, int rc)
{
    if (rc < 0) {
        assert_null(c->rep);
        return 0;
    }
    FILE *fp = open_memstream(&c->mem, &c->memlen);
    assert_non_null(fp);
    assert_int_equal(gs_report_print_tables(c->rep, fp), 0);
    assert_int_equal(gs_report_write_findings(c->rep, GS_REPORT_FINDINGS_JSONL, fp), 0);
    fclose(fp);
    gs_report_destroy(&c->rep);
    return mem_digest(c);
}

static int run_html(ctx_t *c)
{
    FILE *fp = open_memstream(&c->mem, &c->memlen);
    if (!fp)
        return GS_ENOMEM;
    int rc = gs_report_write_html(fixed_rep, fp);
    fclose(fp);
    return rc;
}

static int run_findings_csv(ctx_t *c)
{
    FILE *fp = open_memstream(&c->mem, &c->memlen);
    if (!fp)
        return GS_ENOMEM;
    int rc = gs_report_write_findings(fixed_rep, GS_REPORT_FINDINGS_CSV, fp);
    fclose(fp);
    return rc;
}

static int run_tables(ctx_t *c)
{
    FILE *fp = open_memstream(&c->mem, &c->memlen);
    if (!fp)
        return GS_ENOMEM;
    int rc = gs_report_print_tables(fixed_rep, fp);
    fclose(fp);
    return rc;
}

static uint64_t finish_mem(ctx_t *c, int rc)
{
    uint64_t h = mem_digest(c);
    return rc < 0 ? 0 : h;
}

/* report.md, targets.csv and findings.jsonl of gs_report_write_dir (report.html and
 * report.xlsx too: the directory's every file is the answer). */
static char outdir[160];

static int run_write_dir(ctx_t *c)
{
    (void)c;
    gs_err_t e;
    return gs_report_write_dir(fixed_rep, outdir, &e);
}

static uint64_t finish_write_dir(ctx_t *c, int rc)
{
    (void)c;
    uint64_t h = 0;
    if (rc == 0) {
        static const char *const files[] = {"report.md", "targets.csv", "findings.jsonl",
                                            "report.html"};
        h = GS_FNV_INIT;
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            char p[256];
            snprintf(p, sizeof(p), "%s/%s", outdir, files[i]);
            size_t n = 0;
            char *b = slurp(p, &n);
            assert_non_null(b);
            h = h_bytes(h, b, n);
            free(b);
        }
    }
    rm_rf(outdir);
    return h;
}

static void test_report(void **state)
{
    (void)state;
    write_fixed();
    ctx_t c;
    memset(&c, 0, sizeof(c));
    c.label = "gs_report_load (Redis, hiredis not hooked)";
    torture(&c, run_report_load, finish_report_load);
    gs_err_t e;
    assert_int_equal(gs_report_load(gs_redis_ctx(R), FIXED, &fixed_rep, &e), 0);
    c.label = "gs_report_print_tables";
    torture(&c, run_tables, finish_mem);
    c.label = "gs_report_write_html";
    torture(&c, run_html, finish_mem);
    c.label = "gs_report_write_findings(csv)";
    torture(&c, run_findings_csv, finish_mem);
    snprintf(outdir, sizeof(outdir), "%s/out", dir);
    c.label = "gs_report_write_dir (xlsx not hooked)";
    torture(&c, run_write_dir, finish_write_dir);
    gs_report_destroy(&fixed_rep);

    no_unexpected();
}

int main(void)
{
    /* GS_FAILALLOC_LIBXML2=1 fails libxml2's allocations too (failalloc.h: it crashes) */
    const char *x = getenv("GS_FAILALLOC_LIBXML2");
    failalloc_hook_libs(x && x[0] == '1');
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msg),      cmocka_unit_test(test_feed), cmocka_unit_test(test_page),
        cmocka_unit_test(test_registry), cmocka_unit_test(test_url),  cmocka_unit_test(test_checks),
        cmocka_unit_test(test_report),
    };
    /* GS_FAILALLOC_ONLY=test_page runs one test (cmocka's filter, a glob) */
    const char *only = getenv("GS_FAILALLOC_ONLY");
    if (only && only[0])
        cmocka_set_test_filter(only);
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    printf("in all: %ld runs each with one allocation failing: %ld errors, %ld with the "
           "calm run's answer, %ld wrong answers, %ld crashes, %ld leaks, %ld crashes "
           "inside a library\n",
           total_runs, total_errors, total_same, total_wrong, total_crash, total_leak,
           total_libcrash);
    curl_global_cleanup();
    return rc;
}
