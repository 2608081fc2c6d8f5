/* test_report.c -- the report module against a real redis-server: a small fixed sweep
 * written with the real layout (the plan keys exactly as gs_dispatcher.c writes them, the
 * results through gs_store_results) gives report.md, targets.csv, findings.jsonl and the
 * terminal tables byte for byte as the golden files in $GS_TEST_DATA/report/ (run with
 * GS_UPDATE_GOLDEN=1 to rewrite them, then read the diff); the 合格率 rounding; a missing
 * sweep; garbage of every kind in Redis; more targets than one pipelined batch; writing
 * twice gives the same bytes. The server runs on a unix socket in a mkdtemp directory,
 * started once for the group and removed at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_redis.h"
#include "gs_report.h"
#include "gs_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the private redis-server ------------------------------------------------------ */

static char dir[64];
static char url[160];
static pid_t redis_pid;
static gs_redis_t *R;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/gs-report.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char sock[128], log[128];
    snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
    snprintf(log, sizeof(log), "%s/redis.log", dir);
    snprintf(url, sizeof(url), "unix://%s", sock);
    redis_pid = fork();
    if (redis_pid < 0)
        return -1;
    if (redis_pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock, "--dir", dir,
               "--save", "", "--appendonly", "no", (char *)NULL);
        _exit(127);
    }
    gs_err_t e;
    if (gs_redis_wait_ready(url, 10000, &e) < 0) {
        fprintf(stderr, "redis-server did not start: %s\n", e.msg);
        return -1;
    }
    R = gs_redis_new(url, &e);
    return R ? 0 : -1;
}

/* Remove a directory tree we made (the socket, the log, the test output). */
static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char sub[1024];
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            rm_rf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown(void **state)
{
    (void)state;
    gs_redis_destroy(&R);
    if (redis_pid > 0) {
        kill(redis_pid, SIGTERM);
        waitpid(redis_pid, NULL, 0);
    }
    const char *keep = getenv("GS_KEEP_TMP");
    if (keep && strcmp(keep, "1") == 0)
        fprintf(stderr, "kept %s\n", dir);
    else if (dir[0] && strncmp(dir, "/tmp/gs-report.", 15) == 0)
        rm_rf(dir);
    return 0;
}

static void cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *rep = redisvCommand(gs_redis_ctx(R), fmt, ap);
    va_end(ap);
    assert_non_null(rep);
    if (rep->type == REDIS_REPLY_ERROR)
        fprintf(stderr, "redis: %s\n", rep->str);
    assert_int_not_equal(rep->type, REDIS_REPLY_ERROR);
    freeReplyObject(rep);
}

/* ---- writing a sweep as the dispatcher and the collector do ------------------------ */

typedef struct trow {
    const char *kind, *id, *name, *region, *url, *owner, *platform, *extra;
} trow_t;

/* The plan, as gs_dispatcher.c write_plan writes it (the same keys, fields and order). */
static void plan(const char *sweep, const char *ref, const trow_t *rows, size_t n,
                 const char *const *regions, size_t nregions, const char *status)
{
    size_t nsites = 0;
    for (size_t i = 0; i < n; i++) {
        const trow_t *t = &rows[i];
        char line[16];
        snprintf(line, sizeof(line), "%zu", i + 2);
        cmd("HSET gs:sweep:%s:target:%s id %s kind %s name %s region %s url %s owner %s "
            "platform %s menu_url %s line %s extra %s",
            sweep, t->id, t->id, t->kind, t->name, t->region, t->url, t->owner ? t->owner : "",
            t->platform ? t->platform : "", "", line, t->extra ? t->extra : "{}");
        cmd("RPUSH gs:sweep:%s:targets %s", sweep, t->id);
        nsites += strcmp(t->kind, "site") == 0;
    }
    for (size_t i = 0; i < nregions; i++)
        cmd("RPUSH gs:sweep:%s:regions %s", sweep, regions[i]);
    char tot[16], ns[16], na[16];
    snprintf(tot, sizeof(tot), "%zu", n);
    snprintf(ns, sizeof(ns), "%zu", nsites);
    snprintf(na, sizeof(na), "%zu", n - nsites);
    cmd("HSET gs:sweep:%s:meta sweep %s reference_time %s reference_unix %s registry %s "
        "registry_hash %s total %s sites %s accounts %s created %s status %s "
        "max_pages %s max_attempts %s",
        sweep, sweep, ref, "1623722400", "targets.csv", "0123456789abcdef", tot, ns, na,
        "2021-06-15T10:00:05+08:00", status, "200", "3");
    cmd("ZADD gs:sweeps %s %s", "1623722400", sweep);
}

typedef struct tfinding {
    const char *code;
    bool veto;
    const char *url, *evidence, *detail;
} tfinding_t;

/* One result through the real store script. */
static void store(const char *sweep, const char *id, gs_kind_t kind, const char *region,
                  bool checked, const char *reason, unsigned pages, const char *newest,
                  const tfinding_t *fs, size_t nf)
{
    gs_result_t res;
    gs_result_init(&res);
    snprintf(res.sweep, sizeof(res.sweep), "%s", sweep);
    snprintf(res.target, sizeof(res.target), "%s", id);
    snprintf(res.worker, sizeof(res.worker), "%s", checked ? "w1" : "dispatcher");
    res.epoch = checked ? 1 : 0;
    res.kind = kind;
    res.checked = checked;
    res.region = strdup(region);
    res.reason = strdup(reason ? reason : "");
    res.pages = pages;
    res.bytes = pages * 1000u;
    snprintf(res.newest, sizeof(res.newest), "%s", newest ? newest : "");
    for (size_t i = 0; i < nf; i++)
        assert_int_equal(gs_findings_add(&res.findings, fs[i].code, fs[i].veto, fs[i].url,
                                         fs[i].evidence, fs[i].detail),
                         0);
    if (checked) /* leased as the dispatcher leases: the epoch is in Redis first */
        cmd("HSET gs:sweep:%s:epoch %s 1", sweep, id);
    const gs_result_t *one = &res;
    gs_outcome_t oc;
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_store_results(R, &one, 1, &oc, &e);
    if (rc < 0)
        fprintf(stderr, "store: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(oc, GS_OUTCOME_STORED);
    gs_result_cleanup(&res);
}

/* The fixed sweep of the golden files: three regions, sites and accounts that pass, fail
 * and were not checked, one without any result (the sweep is still running), unknown
 * registry columns, a name with a quote, a comma and a line break, a '|' in evidence, a
 * code the catalogue does not know. */
static const char *const FIXED = "T2021Q2";

static void write_fixed(void)
{
    static const trow_t rows[] = {
        {"site", "4300000001", "湖南省人民政府门户网站", "省直部门", "https://www.hunan.gov.cn/",
         "湖南省人民政府办公厅", "", "{\"备注\":\"门户网站\",\"联系人\":\"张三\"}"},
        {"site", "4300000002", "湖南省\"测试\"厅,门户\n网站", "省直部门",
         "https://cs.hunan.gov.cn/", "湖南省测试厅", "", "{\"备注\":\"含,逗号\"}"},
        {"site", "4301000001", "长沙市人民政府", "长沙市", "http://www.changsha.gov.cn/",
         "长沙市人民政府办公厅", "", "{}"},
        {"site", "4301000002", "长沙市测试局", "长沙市", "http://csj.changsha.gov.cn/",
         "长沙市测试局", "", "{}"},
        {"account", "430000M022XL0001", "湖南省司法行政", "省直部门",
         "https://feeds.example/weibo/sft", "湖南省司法厅", "新浪微博",
         "{\"联系人\":\"李四\",\"级别\":\"省级\"}"},
        {"account", "430100M001WX0001", "长沙发布", "长沙市", "https://feeds.example/wx/csfb",
         "长沙市委网信办", "微信公众号", "{}"},
        {"account", "430400M001WX0001", "衡阳发布", "衡阳市", "https://feeds.example/wx/hyfb",
         "衡阳市委网信办", "微信公众号", "{}"},
        {"site", "4304000001", "衡阳市人民政府", "衡阳市", "http://www.hengyang.gov.cn/",
         "衡阳市人民政府办公室", "", "{}"},
    };
    static const char *const regions[] = {"省直部门", "长沙市", "衡阳市"};
    plan(FIXED, "2021-06-15T10:00:00+08:00", rows, sizeof(rows) / sizeof(rows[0]), regions, 3,
         "running");

    const tfinding_t f1[] = {{"W-LINK-BROKEN", false, "https://www.hunan.gov.cn/zwgk/",
                              "首页链接“政务公开”无法打开：HTTP 404", "{\"status\":404}"}};
    store(FIXED, "4300000001", GS_KIND_SITE, "省直部门", true, "", 20, "2021-06-14", f1, 1);
    const tfinding_t f2[] = {
        {"W-HOME-STALE", true, "https://cs.hunan.gov.cn/",
         "首页最新信息 2021-05-01，距监测时间点 45 天",
         "{\"newest\":\"2021-05-01\",\"days\":45,\"threshold\":14,\"source\":\"home\"}"},
        {"W-LINK-BROKEN", false, "https://cs.hunan.gov.cn/a.html", "链接无法打开：HTTP 500", NULL},
        {"W-COLUMN-STALE", true, "https://cs.hunan.gov.cn/tzgg/",
         "栏目“通知|公告”最新信息 2021-03-02，距监测时间点 105 天",
         "{\"column\":\"通知|公告\",\"newest\":\"2021-03-02\",\"days\":105}"},
        {"W-COLUMN-STALE", true, "https://cs.hunan.gov.cn/zwdt/",
         "栏目“政务动态”最新信息 2021-04-01，距监测时间点 75 天",
         "{\"column\":\"政务动态\",\"newest\":\"2021-04-01\",\"days\":75}"},
    };
    store(FIXED, "4300000002", GS_KIND_SITE, "省直部门", true, "", 15, "2021-05-01", f2, 4);
    store(FIXED, "4301000001", GS_KIND_SITE, "长沙市", true, "", 30, "2021-06-15", NULL, 0);
    store(FIXED, "4301000002", GS_KIND_SITE, "长沙市", false,
          "3 次派发均未在租约期内完成（工作进程崩溃、卡死或失联）", 0, "", NULL, 0);
    const tfinding_t f5[] = {{"M-STALE", true, "https://feeds.example/weibo/sft",
                              "最新内容 2021-04-02，距监测时间点 74 天",
                              "{\"newest\":\"2021-04-02\",\"days\":74,\"threshold\":14}"}};
    store(FIXED, "430000M022XL0001", GS_KIND_ACCOUNT, "省直部门", true, "", 1, "2021-04-02", f5, 1);
    const tfinding_t f6[] = {{"M-MENU-LINK", false, "https://feeds.example/wx/csfb/menu",
                              "菜单“办事服务”链接无法打开：HTTP 404", "{\"menu\":\"办事服务\"}"}};
    store(FIXED, "430100M001WX0001", GS_KIND_ACCOUNT, "长沙市", true, "", 2, "2021-06-14", f6, 1);
    /* 430400M001WX0001 has no result yet */
    const tfinding_t f8[] = {
        {"W-NEW-CHECK", false, "http://www.hengyang.gov.cn/", "目录中尚无的新检查项", "{}"}};
    store(FIXED, "4304000001", GS_KIND_SITE, "衡阳市", true, "", 12, "2021-06-10", f8, 1);
}

/* ---- files ------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    size_t k;
    while ((k = fread(b + n, 1, cap - n, fp)) > 0) {
        n += k;
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap);
            assert_non_null(b);
        }
    }
    fclose(fp);
    b[n < cap ? n : cap - 1] = '\0';
    *len = n;
    return b;
}

static void spit(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Compare a produced file with its golden copy (or rewrite the golden copy when
 * GS_UPDATE_GOLDEN=1). On a difference the first differing line is shown. */
static void assert_golden(const char *produced, const char *golden_name)
{
    char golden[1024];
    snprintf(golden, sizeof(golden), "%s/report/%s", getenv("GS_TEST_DATA"), golden_name);
    size_t plen = 0, glen = 0;
    char *p = slurp(produced, &plen);
    assert_non_null(p);
    const char *upd = getenv("GS_UPDATE_GOLDEN");
    if (upd && strcmp(upd, "1") == 0) {
        spit(golden, p, plen);
        fprintf(stderr, "rewrote %s\n", golden);
        free(p);
        return;
    }
    char *g = slurp(golden, &glen);
    if (!g)
        fprintf(stderr, "no golden file %s (GS_UPDATE_GOLDEN=1 writes it)\n", golden);
    assert_non_null(g);
    if (plen != glen || memcmp(p, g, plen) != 0) {
        size_t i = 0, line = 1, start = 0;
        while (i < plen && i < glen && p[i] == g[i]) {
            if (p[i] == '\n') {
                line++;
                start = i + 1;
            }
            i++;
        }
        fprintf(stderr, "%s differs from %s at line %zu:\n  got:  %.*s\n  want: %.*s\n", produced,
                golden, line, (int)strcspn(p + start, "\n"), p + start,
                (int)strcspn(g + start, "\n"), g + start);
    }
    assert_true(plen == glen && memcmp(p, g, plen) == 0);
    free(p);
    free(g);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(la == lb && memcmp(x, y, la) == 0);
    free(x);
    free(y);
}

static gs_report_t *load(const char *sweep)
{
    gs_report_t *rep = NULL;
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_report_load(gs_redis_ctx(R), sweep, &rep, &e);
    if (rc < 0)
        fprintf(stderr, "load %s: %s\n", sweep, e.msg);
    assert_int_equal(rc, 0);
    assert_non_null(rep);
    return rep;
}

static void write_to(const gs_report_t *rep, const char *out)
{
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_report_write_dir(rep, out, &e);
    if (rc < 0)
        fprintf(stderr, "write %s: %s\n", out, e.msg);
    assert_int_equal(rc, 0);
}

static const gs_report_row_t *find_row(const gs_report_t *rep, const char *id)
{
    for (size_t i = 0; i < gs_report_nrows(rep); i++)
        if (strcmp(gs_report_row(rep, i)->id, id) == 0)
            return gs_report_row(rep, i);
    fail_msg("no row %s", id);
    return NULL;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_percent(void **state)
{
    (void)state;
    char b[24];
    gs_report_pass_rate(603, 2, b, sizeof(b));
    assert_string_equal(b, "99.67%"); /* checks.md's example */
    gs_report_pass_rate(2157, 8, b, sizeof(b));
    assert_string_equal(b, "99.63%"); /* the Hunan notice's new-media total */
    gs_report_pass_rate(0, 0, b, sizeof(b));
    assert_string_equal(b, "—");
    gs_report_percent(0, 0, b, sizeof(b));
    assert_string_equal(b, "—");
    gs_report_pass_rate(1, 1, b, sizeof(b));
    assert_string_equal(b, "0.00%");
    gs_report_percent(1, 1, b, sizeof(b));
    assert_string_equal(b, "100.00%");
    gs_report_pass_rate(1, 0, b, sizeof(b));
    assert_string_equal(b, "100.00%");
    gs_report_percent(0, 52, b, sizeof(b));
    assert_string_equal(b, "0.00%");
    /* exactly half a hundredth rounds up: 99.875 -> 99.88, 0.125 -> 0.13 */
    gs_report_pass_rate(800, 1, b, sizeof(b));
    assert_string_equal(b, "99.88%");
    gs_report_percent(1, 800, b, sizeof(b));
    assert_string_equal(b, "0.13%");
    gs_report_percent(2, 3, b, sizeof(b));
    assert_string_equal(b, "66.67%");
    gs_report_percent(1, 3, b, sizeof(b));
    assert_string_equal(b, "33.33%");
    gs_report_percent(5, 141, b, sizeof(b));
    assert_string_equal(b, "3.55%");         /* the notice's 省直部门 row */
    gs_report_pass_rate(3, 5, b, sizeof(b)); /* more problems than checked: never negative */
    assert_string_equal(b, "0.00%");
}

static void test_golden(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    gs_report_t *rep = load(FIXED);

    /* the model */
    assert_string_equal(gs_report_sweep(rep), FIXED);
    assert_string_equal(gs_report_reference_time(rep), "2021-06-15T10:00:00+08:00");
    assert_false(gs_report_complete(rep));
    assert_int_equal(gs_report_nrows(rep), 8);
    assert_int_equal(gs_report_nregions(rep), 3);
    assert_string_equal(gs_report_row(rep, 0)->id, "4300000001");
    assert_string_equal(gs_report_row(rep, 7)->id, "4304000001");
    const gs_report_row_t *bad = find_row(rep, "4300000002");
    assert_int_equal(bad->status, GS_REPORT_FAIL);
    assert_string_equal(bad->veto_codes, "W-COLUMN-STALE,W-HOME-STALE");
    assert_int_equal(bad->findings_len, 4);
    assert_int_equal(bad->nfindings, 4);
    assert_string_equal(bad->findings[1].code, "W-LINK-BROKEN"); /* stored order */
    const gs_report_row_t *none = find_row(rep, "430400M001WX0001");
    assert_false(none->has_result);
    assert_int_equal(none->status, GS_REPORT_UNCHECKED);
    assert_string_equal(none->reason, "未完成检查");
    const gs_report_row_t *un = find_row(rep, "4301000002");
    assert_true(un->has_result);
    assert_int_equal(un->status, GS_REPORT_UNCHECKED);
    gs_report_count_t ts = gs_report_total(rep, GS_KIND_SITE);
    assert_int_equal(ts.actual, 5);
    assert_int_equal(ts.checked, 4);
    assert_int_equal(ts.problem, 1);
    assert_int_equal(ts.unchecked, 1);
    gs_report_count_t ta = gs_report_total(rep, GS_KIND_ACCOUNT);
    assert_int_equal(ta.actual, 3);
    assert_int_equal(ta.checked, 2);
    assert_int_equal(ta.problem, 1);
    assert_int_equal(gs_report_region(rep, 0)->site.actual, 2);
    assert_int_equal(gs_report_region(rep, 2)->account.unchecked, 1);
    assert_int_equal(gs_report_nextra(rep), 3);
    assert_string_equal(gs_report_extra_name(rep, 0), "备注");
    assert_string_equal(gs_report_extra_name(rep, 1), "联系人");
    assert_string_equal(gs_report_extra_name(rep, 2), "级别");
    assert_string_equal(gs_report_code_name(rep, "W-HOME-STALE"), "网站不更新");
    assert_string_equal(gs_report_code_name(rep, "M-STALE"), "内容不更新");
    assert_string_equal(gs_report_code_name(rep, "W-NEW-CHECK"), "W-NEW-CHECK");

    /* the files, into a directory that does not exist yet */
    char out[256], path[300], path2[300];
    snprintf(out, sizeof(out), "%s/out/a/b", dir);
    write_to(rep, out);
    static const char *const files[] = {"report.md", "targets.csv", "findings.jsonl"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", out, files[i]);
        assert_golden(path, files[i]);
        snprintf(path, sizeof(path), "%s/%s.tmp", out, files[i]);
        assert_int_equal(access(path, F_OK), -1); /* no temporary left behind */
    }
    snprintf(path, sizeof(path), "%s/tables.txt", out);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(gs_report_print_tables(rep, fp), 0);
    fclose(fp);
    assert_golden(path, "tables.txt");

    /* the same model written again over the files, and a second load written elsewhere:
     * the same bytes */
    write_to(rep, out);
    gs_report_t *again = load(FIXED);
    char out2[256];
    snprintf(out2, sizeof(out2), "%s/out2", dir);
    write_to(again, out2);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", out, files[i]);
        snprintf(path2, sizeof(path2), "%s/%s", out2, files[i]);
        assert_golden(path, files[i]);
        assert_same_file(path, path2);
    }
    gs_report_destroy(&again);
    gs_report_destroy(&rep);
    gs_report_destroy(&rep); /* idempotent */
    assert_null(rep);
}

static void test_not_found(void **state)
{
    (void)state;
    gs_report_t *rep = (gs_report_t *)1;
    gs_err_t e;
    gs_err_clear(&e);
    assert_int_equal(gs_report_load(gs_redis_ctx(R), "NOPE-2021Q9", &rep, &e), GS_ENOTFOUND);
    assert_null(rep);
    assert_non_null(strstr(e.msg, "NOPE-2021Q9"));
    assert_int_equal(gs_report_load(gs_redis_ctx(R), "bad id!", &rep, &e), GS_EINVAL);
    assert_int_equal(gs_report_load(gs_redis_ctx(R), "", &rep, &e), GS_EINVAL);
    /* the connection is still usable afterwards */
    cmd("PING");
}

/* Everything that can be wrong in Redis: the report loads, writes and prints. */
static void test_garbage(void **state)
{
    (void)state;
    const char *S = "G1";
    cmd("FLUSHALL");
    cmd("HSET gs:sweep:%s:meta sweep %s status running", S, S); /* no reference_time */
    for (int i = 1; i <= 10; i++)
        cmd("RPUSH gs:sweep:%s:targets g%d", S, i);
    /* no regions list: regions come from the rows */
    for (int i = 1; i <= 10; i++)
        if (i != 5 && i != 6 && i != 7 && i != 8)
            cmd("HSET gs:sweep:%s:target:g%d id g%d kind site name 站%d region 甲 url http://x/ "
                "extra {}",
                S, i, i, i);
    /* g1: every field garbage */
    cmd("HSET gs:sweep:%s:result:g1 status bogus nfindings abc pages -5 newest yesterday "
        "veto_codes %s findings %s",
        S, "W X;rm", "not json");
    /* g2: 不合格 with findings that are partly not objects */
    cmd("HSET gs:sweep:%s:result:g2 status 不合格 veto_codes W-HOME-STALE nfindings 3 pages 1 "
        "findings %s",
        S, "[1,\"x\",{\"code\":\"W-HOME-STALE\",\"veto\":true}]");
    /* g3: 不合格 with findings that are not JSON: the problem named from veto_codes */
    cmd("HSET gs:sweep:%s:result:g3 status 不合格 veto_codes W-UNREACHABLE nfindings 1 pages 0 "
        "findings %s",
        S, "{oops");
    /* g4: the result key is not a hash */
    cmd("SET gs:sweep:%s:result:g4 hello", S);
    /* g5: no registry row, no result; g6: a kind that is neither site nor account */
    cmd("HSET gs:sweep:%s:target:g6 id g6 kind robot name 机器 region 甲", S);
    cmd("HSET gs:sweep:%s:result:g6 status 合格 nfindings 0 pages 1 findings []", S);
    /* g7: invalid UTF-8 and a NUL in the registry, extra not JSON, findings not UTF-8 */
    static const char name7[] = "坏\xff\xfe名\0字";
    static const char find7[] = "[{\"code\":\"W-X\",\"evidence\":\"\xc3\x28\"}]";
    const char *argv[] = {
        "HSET",     "gs:sweep:G1:target:g7", "kind", "site", "name", name7, "region", "甲", "extra",
        "{not json"};
    size_t argl[10];
    for (int i = 0; i < 10; i++)
        argl[i] = argv[i] == name7 ? sizeof(name7) - 1 : strlen(argv[i]);
    redisReply *rep7 = redisCommandArgv(gs_redis_ctx(R), 10, argv, argl);
    assert_non_null(rep7);
    assert_int_equal(rep7->type, REDIS_REPLY_INTEGER);
    freeReplyObject(rep7);
    cmd("HSET gs:sweep:%s:result:g7 status 合格 nfindings 1 pages 2 findings %b", S, find7,
        sizeof(find7) - 1);
    /* g8: the target key is a list */
    cmd("RPUSH gs:sweep:%s:target:g8 a b", S);
    /* g9: findings larger than the ceiling are not read */
    size_t big = GS_REPORT_MAX_FINDINGS_JSON + 16;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, ' ', big);
    huge[0] = '[';
    huge[big - 1] = ']';
    cmd("HSET gs:sweep:%s:result:g9 status 合格 nfindings 0 pages 3 findings %b", S, huge, big);
    free(huge);
    /* g10: an unknown registry column that clashes with ours */
    cmd("HSET gs:sweep:%s:target:g10 extra %s", S, "{\"status\":\"在用\",\"x\":[1,2]}");

    gs_report_t *rep = load(S);
    assert_int_equal(gs_report_nrows(rep), 10);
    assert_string_equal(gs_report_reference_time(rep), "");
    const gs_report_row_t *r;
    r = find_row(rep, "g1");
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "结果记录无效"));
    assert_int_equal(r->nfindings, -1);
    assert_int_equal(r->pages, -1);
    assert_string_equal(r->newest, "");
    assert_string_equal(r->veto_codes, "");
    assert_false(r->findings_ok);
    r = find_row(rep, "g2");
    assert_int_equal(r->status, GS_REPORT_FAIL);
    assert_true(r->findings_ok);
    assert_int_equal(r->findings_len, 1);
    r = find_row(rep, "g3");
    assert_int_equal(r->status, GS_REPORT_FAIL);
    assert_false(r->findings_ok);
    r = find_row(rep, "g4");
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "不是哈希"));
    r = find_row(rep, "g5");
    assert_int_equal(r->kind, 0);
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "登记信息缺失"));
    r = find_row(rep, "g6");
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "登记信息无效"));
    r = find_row(rep, "g7");
    assert_string_equal(r->name, "坏\xEF\xBF\xBD\xEF\xBF\xBD名\xEF\xBF\xBD字");
    assert_false(r->findings_ok);
    assert_int_equal(r->status, GS_REPORT_PASS);
    r = find_row(rep, "g8");
    assert_int_equal(r->kind, 0);
    assert_non_null(strstr(r->reason, "不是哈希"));
    r = find_row(rep, "g9");
    assert_int_equal(r->status, GS_REPORT_PASS);
    assert_false(r->findings_ok);
    assert_int_equal(r->pages, 3);
    assert_int_equal(gs_report_nextra(rep), 2);
    assert_string_equal(gs_report_extra_name(rep, 0), "registry_status");
    r = find_row(rep, "g10");
    assert_string_equal(r->extra[0], "在用");
    assert_string_equal(r->extra[1], "[1,2]");
    gs_report_count_t t = gs_report_total(rep, GS_KIND_SITE);
    assert_int_equal(t.actual, 7); /* g5, g6, g8 have no usable registry row; g7 is a site */
    assert_int_equal(t.problem, 2);

    char out[256], path[300];
    snprintf(out, sizeof(out), "%s/garbage", dir);
    write_to(rep, out);
    size_t len;
    snprintf(path, sizeof(path), "%s/targets.csv", out);
    char *csv = slurp(path, &len);
    assert_non_null(csv);
    assert_non_null(strstr(csv, ",newest,registry_status,x\r\n"));
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += csv[i] == '\n';
    assert_int_equal(lines, 11);
    free(csv);
    snprintf(path, sizeof(path), "%s/report.md", out);
    char *md = slurp(path, &len);
    assert_non_null(md);
    assert_non_null(strstr(md, "| 站点无法访问 |")); /* g3, named from veto_codes */
    assert_non_null(strstr(md, "监测时间点：未记录"));
    free(md);
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(gs_report_print_tables(rep, fp), 0);
    fclose(fp);
    gs_report_destroy(&rep);
}

/* More targets than one pipelined batch (and than one LRANGE chunk would need to be for
 * a small sweep): order, verdicts and counts survive the batching. */
static void test_many(void **state)
{
    (void)state;
    const char *S = "BIG";
    enum { N = 1300 };
    cmd("FLUSHALL");
    redisContext *c = gs_redis_ctx(R);
    for (int i = 0; i < N; i++) {
        assert_int_equal(redisAppendCommand(c,
                                            "HSET gs:sweep:%s:target:%010d id %010d kind site "
                                            "name 网站%d region 区%d url http://x/ owner o "
                                            "platform %s menu_url %s line %d extra {}",
                                            S, i, i, i, i % 7, "", "", i + 2),
                         REDIS_OK);
        assert_int_equal(redisAppendCommand(c, "RPUSH gs:sweep:%s:targets %010d", S, i), REDIS_OK);
    }
    for (int i = 0; i < 2 * N; i++) {
        void *rep = NULL;
        assert_int_equal(redisGetReply(c, &rep), REDIS_OK);
        freeReplyObject(rep);
    }
    cmd("HSET gs:sweep:%s:meta sweep %s reference_time 2021-06-15T10:00:00+08:00 status "
        "complete",
        S, S);
    gs_result_t *res = calloc(N, sizeof(*res));
    const gs_result_t **ptr = calloc(N, sizeof(*ptr));
    gs_outcome_t *oc = calloc(N, sizeof(*oc));
    assert_non_null(res);
    assert_non_null(ptr);
    assert_non_null(oc);
    size_t n = 0;
    for (int i = 0; i < N; i += 2) {
        gs_result_t *r = &res[n];
        gs_result_init(r);
        snprintf(r->sweep, sizeof(r->sweep), "%s", S);
        snprintf(r->target, sizeof(r->target), "%010d", i);
        snprintf(r->worker, sizeof(r->worker), "w");
        r->epoch = 1;
        cmd("HSET gs:sweep:%s:epoch %s 1", S, r->target);
        r->kind = GS_KIND_SITE;
        r->checked = true;
        char region[16];
        snprintf(region, sizeof(region), "区%d", i % 7);
        r->region = strdup(region);
        r->reason = strdup("");
        r->pages = (uint32_t)i;
        if (i % 4 == 0)
            assert_int_equal(gs_findings_add(&r->findings, "W-HOME-STALE", true, "http://x/",
                                             "首页最新信息 2021-05-01", "{}"),
                             0);
        ptr[n++] = r;
    }
    gs_err_t e;
    assert_int_equal(gs_store_results(R, ptr, n, oc, &e), 0);
    for (size_t i = 0; i < n; i++)
        gs_result_cleanup(&res[i]);
    free(res);
    free(ptr);
    free(oc);

    gs_report_t *rep = load(S);
    assert_true(gs_report_complete(rep));
    assert_int_equal(gs_report_nrows(rep), N);
    assert_int_equal(gs_report_nregions(rep), 7);
    assert_string_equal(gs_report_region(rep, 0)->name, "区0");
    for (int i = 0; i < N; i++) {
        const gs_report_row_t *r = gs_report_row(rep, (size_t)i);
        char id[16];
        snprintf(id, sizeof(id), "%010d", i);
        assert_string_equal(r->id, id);
        if (i % 4 == 0) {
            assert_int_equal(r->status, GS_REPORT_FAIL);
            assert_int_equal(r->findings_len, 1);
        } else if (i % 2 == 0) {
            assert_int_equal(r->status, GS_REPORT_PASS);
            assert_int_equal(r->pages, i);
        } else {
            assert_int_equal(r->status, GS_REPORT_UNCHECKED);
        }
    }
    gs_report_count_t t = gs_report_total(rep, GS_KIND_SITE);
    assert_int_equal(t.actual, N);
    assert_int_equal(t.checked, N / 2);
    assert_int_equal(t.problem, N / 4);
    gs_report_destroy(&rep);
}

/* Without the catalogue the report still loads, codes standing for their names. */
static void test_no_codes_file(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    const char *old = getenv("GS_DATA_DIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("GS_DATA_DIR", "/nonexistent-gs-data", 1);
    gs_report_t *rep = load(FIXED);
    assert_string_equal(gs_report_code_name(rep, "W-HOME-STALE"), "W-HOME-STALE");
    char out[256];
    snprintf(out, sizeof(out), "%s/nocodes", dir);
    write_to(rep, out);
    gs_report_destroy(&rep);
    if (saved)
        setenv("GS_DATA_DIR", saved, 1);
    else
        unsetenv("GS_DATA_DIR");
    free(saved);
}

static void test_write_errors(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    gs_report_t *rep = load(FIXED);
    gs_err_t e;
    gs_err_clear(&e);
    /* a file where the directory should be */
    char path[256];
    snprintf(path, sizeof(path), "%s/plainfile", dir);
    spit(path, "x", 1);
    assert_int_equal(gs_report_write_dir(rep, path, &e), GS_EIO);
    assert_non_null(strstr(e.msg, "plainfile"));
    assert_int_equal(gs_report_write_dir(rep, "", &e), GS_EINVAL);
    gs_report_destroy(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent),      cmocka_unit_test(test_golden),
        cmocka_unit_test(test_not_found),    cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_many),         cmocka_unit_test(test_no_codes_file),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
