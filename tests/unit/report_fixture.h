/* report_fixture.h -- what the report tests share: a private redis-server, a sweep
 * written with the real layout, and golden-file helpers.
 *
 * setup/teardown start a redis-server on a unix socket in a mkdtemp directory (once per
 * cmocka group) and remove it with everything the tests wrote there; plan() writes a
 * sweep's plan exactly as gs_dispatcher.c's write_plan does, store() files one result
 * through the real gs_store script, write_fixed() writes the fixed sweep FIXED of the
 * golden files in $GS_TEST_DATA/report/; assert_golden() compares a produced file with its
 * golden copy (GS_UPDATE_GOLDEN=1 rewrites it). Header-only (static functions) because each
 * test file is its own program; the includer owns the state below and must use setup and
 * teardown as its group fixtures. Single-threaded, as cmocka runs tests. */
#ifndef GS_REPORT_FIXTURE_H
#define GS_REPORT_FIXTURE_H

/* A test file need not use every helper. */
#define GS_FIXTURE_FN __attribute__((unused))

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_redis.h"
#include "gs_report.h"
#include "redis_fixture.h"
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

/* ---- the private redis-server (redis_fixture.h) ---------------------------------- */

static GS_FIXTURE_FN int setup(void **state)
{
    (void)state;
    return redis_fixture_start("gs-report");
}

static GS_FIXTURE_FN int teardown(void **state)
{
    (void)state;
    return redis_fixture_stop();
}

static GS_FIXTURE_FN void cmd(const char *fmt, ...)
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
static GS_FIXTURE_FN void plan(const char *sweep, const char *ref, const trow_t *rows, size_t n,
                               const char *const *regions, size_t nregions, const char *status)
{
    size_t nsites = 0;
    for (size_t i = 0; i < n; i++) {
        const trow_t *t = &rows[i];
        char line[24];
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
    char tot[24], ns[24], na[24];
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
static GS_FIXTURE_FN void store(const char *sweep, const char *id, gs_kind_t kind,
                                const char *region, bool checked, const char *reason,
                                unsigned pages, const char *newest, const tfinding_t *fs, size_t nf)
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

static GS_FIXTURE_FN void write_fixed(void)
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

static GS_FIXTURE_FN char *slurp(const char *path, size_t *len)
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

static GS_FIXTURE_FN void spit(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Compare a produced file with its golden copy (or rewrite the golden copy when
 * GS_UPDATE_GOLDEN=1). On a difference the first differing line is shown. */
static GS_FIXTURE_FN void assert_golden(const char *produced, const char *golden_name)
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

static GS_FIXTURE_FN void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(la == lb && memcmp(x, y, la) == 0);
    free(x);
    free(y);
}

static GS_FIXTURE_FN gs_report_t *load(const char *sweep)
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

static GS_FIXTURE_FN void write_to(const gs_report_t *rep, const char *out)
{
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_report_write_dir(rep, out, &e);
    if (rc < 0)
        fprintf(stderr, "write %s: %s\n", out, e.msg);
    assert_int_equal(rc, 0);
}

static GS_FIXTURE_FN const gs_report_row_t *find_row(const gs_report_t *rep, const char *id)
{
    for (size_t i = 0; i < gs_report_nrows(rep); i++)
        if (strcmp(gs_report_row(rep, i)->id, id) == 0)
            return gs_report_row(rep, i);
    fail_msg("no row %s", id);
    return NULL;
}

#endif
