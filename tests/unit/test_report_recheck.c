/* test_report_recheck.c -- the re-check report (report/gs_report_recheck.c) against golden
 * files: two sweeps written with the real layout into a real redis-server (the previous one
 * and its re-check), loaded into models, and recheck.md, recheck.csv and the printed tables
 * compared byte for byte with tests/data/report/recheck.* (GS_UPDATE_GOLDEN=1 rewrites
 * them). The sweeps cover every result: 已整改, 仍未整改 with a code fixed and a new one
 * found, a target whose old problem is gone but a new one raised, 未能复核 because the
 * re-check could not check it and because the re-check lacks it; evidence stored out of
 * (url, evidence) order; a name that needs CSV quoting and a '|' in evidence. */
#include "report_fixture.h"

#include "gs_report_recheck.h"

static const char *const PREV = "P2021Q2";
static const char *const CUR = "P2021Q2-recheck";

static void write_sweeps(void)
{
    static const trow_t prev_rows[] = {
        {"site", "4300000001", "甲厅网站", "省直部门", "http://a.gov.cn/", "甲厅", "", "{}"},
        {"site", "4300000002", "乙厅网站", "省直部门", "http://b.gov.cn/", "乙厅", "", "{}"},
        {"site", "4301000001", "长沙市丙局", "长沙市", "http://c.gov.cn/", "丙局", "", "{}"},
        {"site", "4301000002", "长沙市丁局", "长沙市", "http://d.gov.cn/", "丁局", "", "{}"},
        {"account", "430100M001WX0001", "长沙发布", "长沙市", "http://f.example/e", "长沙市委",
         "微信公众号", "{}"},
        {"account", "430400M001WX0001", "衡阳\"发布\",官方", "衡阳市", "http://f.example/f",
         "衡阳市委", "新浪微博", "{}"},
        {"site", "4304000001", "衡阳市戊局", "衡阳市", "http://g.gov.cn/", "戊局", "", "{}"},
    };
    static const char *const regions[] = {"省直部门", "长沙市", "衡阳市"};
    plan(PREV, "2021-06-15T10:00:00+08:00", prev_rows, 7, regions, 3, "complete");
    const tfinding_t a[] = {{"W-HOME-STALE", true, "http://a.gov.cn/",
                             "首页最新信息 2021-05-01，距监测时间点 45 天", "{}"}};
    store(PREV, "4300000001", GS_KIND_SITE, "省直部门", true, "", 10, "2021-05-01", a, 1);
    const tfinding_t b[] = {
        {"W-HOME-STALE", true, "http://b.gov.cn/", "首页最新信息 2021-05-02，距监测时间点 44 天",
         "{}"},
        {"W-COLUMN-STALE", true, "http://b.gov.cn/zwdt/", "栏目“政务动态”最新信息 2021-04-01",
         "{}"},
        {"W-COLUMN-STALE", true, "http://b.gov.cn/tzgg/", "栏目“通知|公告”最新信息 2021-03-02",
         "{}"},
        {"W-LINK-BROKEN", false, "http://b.gov.cn/x.html", "链接无法打开：HTTP 404", "{}"},
    };
    store(PREV, "4300000002", GS_KIND_SITE, "省直部门", true, "", 10, "2021-05-02", b, 4);
    store(PREV, "4301000001", GS_KIND_SITE, "长沙市", true, "", 10, "2021-06-14", NULL, 0);
    const tfinding_t d[] = {{"W-SECURITY", true, "http://d.gov.cn/", "首页标题含有“百家乐”", "{}"}};
    store(PREV, "4301000002", GS_KIND_SITE, "长沙市", true, "", 10, "2021-06-14", d, 1);
    const tfinding_t e[] = {
        {"M-STALE", true, "http://f.example/e", "最近一次更新 2021-04-02，已 74 天未更新", "{}"}};
    store(PREV, "430100M001WX0001", GS_KIND_ACCOUNT, "长沙市", true, "", 1, "2021-04-02", e, 1);
    const tfinding_t f[] = {
        {"M-WORDING", true, "http://f.example/f/1", "“名族”应为“民族”（1 条）", "{}"}};
    store(PREV, "430400M001WX0001", GS_KIND_ACCOUNT, "衡阳市", true, "", 1, "2021-06-14", f, 1);
    store(PREV, "4304000001", GS_KIND_SITE, "衡阳市", false, "3 次派发均未在租约期内完成", 0, "",
          NULL, 0);

    /* the re-check: the 不合格 targets but the last account */
    static const trow_t cur_rows[] = {prev_rows[0], prev_rows[1], prev_rows[3], prev_rows[4]};
    static const char *const cur_regions[] = {"省直部门", "长沙市"};
    plan(CUR, "2021-07-15T10:00:00+08:00", cur_rows, 4, cur_regions, 2, "complete");
    store(CUR, "4300000001", GS_KIND_SITE, "省直部门", true, "", 10, "2021-07-14", NULL, 0);
    const tfinding_t b2[] = {
        {"W-WORDING", true, "http://b.gov.cn/art/1.html", "“名族”应为“民族”（1 个页面）", "{}"},
        /* stored after the one it sorts after */
        {"W-COLUMN-STALE", true, "http://b.gov.cn/zwdt/", "栏目“政务动态”最新信息 2021-04-01",
         "{}"},
        {"W-COLUMN-STALE", true, "http://b.gov.cn/bmdt/", "栏目“部门动态”最新信息 2021-05-01",
         "{}"},
    };
    store(CUR, "4300000002", GS_KIND_SITE, "省直部门", true, "", 10, "2021-07-14", b2, 3);
    const tfinding_t d2[] = {
        {"W-WORDING", true, "http://d.gov.cn/", "“一代一路”应为“一带一路”（1 个页面）", "{}"}};
    store(CUR, "4301000002", GS_KIND_SITE, "长沙市", true, "", 10, "2021-07-14", d2, 1);
    store(CUR, "430100M001WX0001", GS_KIND_ACCOUNT, "长沙市", false, "账号订阅源无法读取：HTTP 503",
          0, "", NULL, 0);
}

static void test_recheck_files(void **state)
{
    (void)state;
    write_sweeps();
    gs_report_t *prev = load(PREV), *cur = load(CUR);
    char out[128], path[160];
    snprintf(out, sizeof(out), "%s/recheck", dir);
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_report_recheck_write_dir(prev, cur, out, &e);
    if (rc < 0)
        fprintf(stderr, "write: %s\n", e.msg);
    assert_int_equal(rc, 0);
    snprintf(path, sizeof(path), "%s/recheck.md", out);
    assert_golden(path, "recheck.md");
    snprintf(path, sizeof(path), "%s/recheck.csv", out);
    assert_golden(path, "recheck.csv");
    snprintf(path, sizeof(path), "%s/recheck-tables.txt", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(gs_report_recheck_print(prev, cur, fp), 0);
    fclose(fp);
    assert_golden(path, "recheck-tables.txt");
    /* the stream writers give the files' bytes */
    snprintf(path, sizeof(path), "%s/again.csv", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(gs_report_recheck_write_csv(prev, cur, fp), 0);
    fclose(fp);
    char csv[160];
    snprintf(csv, sizeof(csv), "%s/recheck.csv", out);
    assert_same_file(path, csv);
    /* no models, no stream */
    assert_int_equal(gs_report_recheck_write_md(NULL, cur, stdout), GS_EINVAL);
    assert_int_equal(gs_report_recheck_write_csv(prev, cur, NULL), GS_EINVAL);
    assert_int_equal(gs_report_recheck_write_dir(prev, NULL, out, &e), GS_EINVAL);
    gs_report_destroy(&prev);
    gs_report_destroy(&cur);
}

/* A re-check of a sweep without problems: every table says so. */
static void test_recheck_nothing(void **state)
{
    (void)state;
    static const trow_t rows[] = {
        {"site", "4300000009", "己厅网站", "省直部门", "http://h.gov.cn/", "己厅", "", "{}"}};
    static const char *const regions[] = {"省直部门"};
    plan("OK1", "2021-06-15T10:00:00+08:00", rows, 1, regions, 1, "complete");
    store("OK1", "4300000009", GS_KIND_SITE, "省直部门", true, "", 3, "2021-06-14", NULL, 0);
    gs_report_t *prev = load("OK1");
    char path[160];
    snprintf(path, sizeof(path), "%s/nothing.md", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(gs_report_recheck_write_md(prev, prev, fp), 0);
    fclose(fp);
    size_t n;
    char *md = slurp(path, &n);
    assert_non_null(strstr(md, "上次检查未发现存在突出问题的政府网站。"));
    assert_non_null(strstr(md, "## 三、逐项复核情况\n\n无。"));
    assert_non_null(strstr(md, "## 四、仍未整改名单\n\n无。"));
    assert_non_null(strstr(md, "| 合计 | | 1 | 0 | 100.00% | 0 | 0 | 100.00% |"));
    free(md);
    gs_report_destroy(&prev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recheck_files),
        cmocka_unit_test(test_recheck_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
