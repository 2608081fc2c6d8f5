/* test_report_html.c -- report.html against a real redis-server: the fixed sweep of the
 * golden files gives report.html byte for byte as $GS_TEST_DATA/report/report.html (run
 * with GS_UPDATE_GOLDEN=1 to rewrite it, then read the diff); the page parsed back with
 * libxml2 has the region tables with their 合计 rows, one chart bar per kind and region
 * that has checked targets (its length the 合格率), the problem lists with evidence linked
 * to the finding's page (rel="noopener noreferrer"), the 未检查 list and every finding; a
 * sweep full of hostile strings (script tags, event attributes, javascript: URLs, quotes
 * that would end an attribute) never puts markup of its own into the page; an empty sweep
 * still makes a page; past the ceilings (findings listed, regions charted) a note says
 * what was left out. The fixture (private Redis, plan and store as the real components
 * write them) is report_fixture.h. */
#include "report_fixture.h"

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

/* ---- the page parsed back --------------------------------------------------------- */

static htmlDocPtr parse_html(const char *path)
{
    size_t len = 0;
    char *s = slurp(path, &len);
    assert_non_null(s);
    htmlDocPtr doc = htmlReadMemory(s, (int)len, path, "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    free(s);
    assert_non_null(doc);
    return doc;
}

/* The nodes of an XPath expression; the caller frees the result. */
static xmlXPathObjectPtr xp(htmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    xmlXPathFreeContext(ctx);
    assert_non_null(o);
    return o;
}

static int xp_count(htmlDocPtr doc, const char *expr)
{
    xmlXPathObjectPtr o = xp(doc, expr);
    int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

/* The text of the first node of expr, into out ("" when there is none). */
static void xp_text(htmlDocPtr doc, const char *expr, char *out, size_t outlen)
{
    xmlXPathObjectPtr o = xp(doc, expr);
    out[0] = '\0';
    if (o->nodesetval && o->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
        snprintf(out, outlen, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlXPathFreeObject(o);
}

static void assert_xp_text(htmlDocPtr doc, const char *expr, const char *want)
{
    char got[4096];
    xp_text(doc, expr, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fprintf(stderr, "%s: got '%s', want '%s'\n", expr, got, want);
    assert_string_equal(got, want);
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_golden_html(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    gs_report_t *rep = load(FIXED);
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/html", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.html", out);
    assert_golden(path, "report.html");
    snprintf(path, sizeof(path), "%s/report.html.tmp", out);
    assert_int_equal(access(path, F_OK), -1); /* no temporary left behind */

    /* the writer alone gives the same bytes as the file, and a second load too */
    char *mem = NULL;
    size_t memlen = 0;
    FILE *fp = open_memstream(&mem, &memlen);
    assert_non_null(fp);
    assert_int_equal(gs_report_write_html(rep, fp), 0);
    assert_int_equal(fclose(fp), 0);
    snprintf(path, sizeof(path), "%s/report.html", out);
    size_t flen = 0;
    char *file = slurp(path, &flen);
    assert_non_null(file);
    assert_int_equal(memlen, flen);
    assert_memory_equal(mem, file, flen);
    free(mem);
    free(file);
    gs_report_t *again = load(FIXED);
    char out2[256], path2[320];
    snprintf(out2, sizeof(out2), "%s/html2", dir);
    write_to(again, out2);
    snprintf(path2, sizeof(path2), "%s/report.html", out2);
    assert_same_file(path, path2);
    gs_report_destroy(&again);
    assert_int_equal(gs_report_write_html(NULL, stdout), GS_EINVAL);
    gs_report_destroy(&rep);
}

/* What a reader sees, independently of the exact bytes. */
static void test_structure(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    gs_report_t *rep = load(FIXED);
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/structure", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.html", out);
    htmlDocPtr doc = parse_html(path);

    /* the title block: the quarter of the reference time, the batch, not complete */
    assert_xp_text(doc, "//header/h1", "关于2021年第二季度全省政府网站与政务新媒体检查情况的通报");
    assert_xp_text(doc, "//header/p[1]", "检查批次：T2021Q2");
    assert_xp_text(doc, "//header/p[3]", "检查状态：未完成（1个对象尚无检查结果，列入附件5）");
    /* 附件1: three regions, then 合计 with 25.00% of the checked having problems, 合格率 75% */
    assert_int_equal(xp_count(doc, "//table[@id='t-site']/thead/tr/th"), 7);
    assert_xp_text(doc, "//table[@id='t-site']/thead/tr/th[5]", "发现存在突出问题的网站数");
    assert_int_equal(xp_count(doc, "//table[@id='t-site']/tbody/tr"), 3);
    assert_xp_text(doc, "//table[@id='t-site']/tbody/tr[2]/td[2]", "长沙市");
    assert_xp_text(doc, "//table[@id='t-site']/tbody/tr[2]/td[3]", "2");
    assert_xp_text(doc, "//table[@id='t-site']/tbody/tr[2]/td[4]", "1");
    assert_xp_text(doc, "//table[@id='t-site']/tfoot/tr/th", "合计");
    assert_xp_text(doc, "//table[@id='t-site']/tfoot/tr/td[1]", "5");
    assert_xp_text(doc, "//table[@id='t-site']/tfoot/tr/td[2]", "4");
    assert_xp_text(doc, "//table[@id='t-site']/tfoot/tr/td[3]", "1");
    assert_xp_text(doc, "//table[@id='t-site']/tfoot/tr/td[4]", "25.00%");
    assert_xp_text(doc, "//table[@id='t-site']/tfoot/tr/td[5]", "75.00%");
    /* 附件2: 衡阳市 has no account checked */
    assert_xp_text(doc, "//table[@id='t-account']/tbody/tr[3]/td[6]", "—");
    assert_xp_text(doc, "//table[@id='t-account']/tfoot/tr/td[5]", "50.00%");

    /* the chart: a bar per kind and region with something checked, and the 合计 band;
     * 衡阳市's accounts were not checked, so 3 + 3 + 1 regional bars... minus that one */
    assert_int_equal(xp_count(doc, "//svg[@id='chart-pass-rate']"), 1);
    assert_int_equal(xp_count(doc, "//svg[@id='chart-pass-rate']//rect[@class='bar']"), 7);
    /* lengths are 合格率 x 560 px: 省直部门's sites 50% = 280, the 合计 of sites 75% = 420,
     * 省直部门's account 0% = 0, 长沙市's sites 100% = 560 */
    assert_xp_text(doc, "(//svg//rect[@class='bar'])[1]/@width", "280");
    assert_xp_text(doc, "(//svg//rect[@class='bar'])[2]/@width", "0");
    assert_xp_text(doc, "(//svg//rect[@class='bar'])[3]/@width", "560");
    assert_xp_text(doc, "(//svg//rect[@class='bar'])[6]/@width", "420");
    assert_xp_text(doc, "(//svg//rect[@class='bar'])[6]/title", "合计 政府网站合格率 75.00%");

    /* 附件3: one problem site, its evidence linked to the finding's pages */
    assert_int_equal(xp_count(doc, "//table[@id='t-problem-site']/tbody/tr"), 1);
    assert_xp_text(doc, "//table[@id='t-problem-site']/tbody/tr/td[4]", "4300000002");
    assert_int_equal(xp_count(doc, "//table[@id='t-problem-site']//li"), 2);
    assert_int_equal(xp_count(doc, "//table[@id='t-problem-site']//a"), 3);
    assert_xp_text(doc, "//table[@id='t-problem-site']//li[1]/b", "网站不更新");
    assert_xp_text(doc, "//table[@id='t-problem-site']//li[1]/a/@href", "https://cs.hunan.gov.cn/");
    assert_xp_text(doc, "//table[@id='t-problem-site']//li[2]/a[1]/@href",
                   "https://cs.hunan.gov.cn/tzgg/");
    assert_xp_text(doc, "//table[@id='t-problem-site']//li[2]/a[1]",
                   "栏目“通知|公告”最新信息 2021-03-02，距监测时间点 105 天");
    /* 附件4: the account with its owner and platform */
    assert_int_equal(xp_count(doc, "//table[@id='t-problem-account']/tbody/tr"), 1);
    assert_xp_text(doc, "//table[@id='t-problem-account']/tbody/tr/td[6]", "新浪微博");
    /* 附件5: the 未检查 one and the one without a result */
    assert_int_equal(xp_count(doc, "//table[@id='t-unchecked']/tbody/tr"), 2);
    assert_xp_text(doc, "//table[@id='t-unchecked']/tbody/tr[2]/td[6]", "未完成检查");
    /* 二、其他问题 and every finding, each linked */
    assert_int_equal(xp_count(doc, "//table[@id='t-other']/tbody/tr"), 3);
    assert_int_equal(xp_count(doc, "//table[@id='t-findings']/tbody/tr"), 8);
    assert_int_equal(xp_count(doc, "//table[@id='t-findings']//a"), 8);
    /* every link out of the page opens apart and sends no referrer */
    assert_int_equal(xp_count(doc, "//a[starts-with(@href,'http')]"), 12);
    assert_int_equal(xp_count(doc, "//a[starts-with(@href,'http') and @rel='noopener noreferrer']"),
                     12);
    /* nothing that runs or fetches */
    assert_int_equal(xp_count(doc, "//script|//iframe|//img|//link|//object|//embed"), 0);
    assert_int_equal(xp_count(doc, "//@*[starts-with(name(),'on')]"), 0);
    assert_int_equal(xp_count(doc, "//meta[@http-equiv='Content-Security-Policy']"), 1);
    xmlFreeDoc(doc);
    gs_report_destroy(&rep);
}

/* A sweep whose every string is an attack on the page. */
static void test_hostile(void **state)
{
    (void)state;
    const char *S = "EVIL";
    cmd("FLUSHALL");
    static const trow_t rows[] = {
        {"site", "4300000009", "\"><script>alert(1)</script>", "<b onclick=alert(1)>地区</b>",
         "https://evil.example/", "</td></tr></table><iframe src=//evil.example/>", "",
         "{\"备注\":\"<svg onload=alert(1)>\"}"},
        {"account", "430000M022XL0009", "<img src=x onerror=alert(1)>", "正常地区",
         "https://feeds.example/x", "'onmouseover='alert(1)", "<style>body{display:none}</style>",
         "{}"},
    };
    static const char *const regions[] = {"<b onclick=alert(1)>地区</b>", "正常地区"};
    plan(S, "2021-09-30T10:00:00+08:00", rows, 2, regions, 2, "complete");
    const tfinding_t f1[] = {
        {"W-HOME-STALE", true, "javascript:alert(1)", "<script>alert(1)</script>", "{}"},
        {"W-UNREACHABLE", true, "https://evil.example/\"onmouseover=\"alert(1)",
         "首页无法访问</a><a href=javascript:alert(1)>点我</a>", "{}"},
        {"<img src=x onerror=alert(1)>", false, "data:text/html,<script>alert(1)</script>",
         "&lt;script&gt;已转义的文字&amp;", "{}"},
    };
    store(S, "4300000009", GS_KIND_SITE, "<b onclick=alert(1)>地区</b>", true, "", 1, "", f1, 3);
    store(S, "430000M022XL0009", GS_KIND_ACCOUNT, "正常地区", false,
          "<script>alert('reason')</script>", 0, "", NULL, 0);
    gs_report_t *rep = load(S);
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/hostile", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.html", out);
    size_t len = 0;
    char *html = slurp(path, &len);
    assert_non_null(html);
    /* none of the markup arrives as markup */
    static const char *const never[] = {"<script",           "<iframe",       "<img",
                                        "<svg onload",       "<b onclick",    "<style>body",
                                        "href=\"javascript", "href=\"data:",  "<a href=javascript",
                                        "\"onmouseover=\"",  "'onmouseover='"};
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
        if (strstr(html, never[i]))
            fprintf(stderr, "found raw '%s' in report.html\n", never[i]);
        assert_null(strstr(html, never[i]));
    }
    /* ...it arrives as text */
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "&amp;lt;script&amp;gt;已转义的文字&amp;amp;"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;"));
    free(html);

    /* and the page keeps its shape: the same tables, rows and cells as a harmless one */
    htmlDocPtr doc = parse_html(path);
    assert_int_equal(xp_count(doc, "//script|//iframe|//img|//style[not(parent::head)]"), 0);
    assert_int_equal(xp_count(doc, "//@*[starts-with(name(),'on')]"), 0);
    assert_int_equal(xp_count(doc, "//table"), 6); /* no 附件4 table: the account is 未检查 */
    assert_int_equal(xp_count(doc, "//table[@id='t-problem-site']/tbody/tr/td"), 5);
    assert_xp_text(doc, "//table[@id='t-problem-site']/tbody/tr/td[3]",
                   "\"><script>alert(1)</script>");
    assert_xp_text(doc, "//table[@id='t-site']/tbody/tr[1]/td[2]", "<b onclick=alert(1)>地区</b>");
    /* only the http(s) URL is a link -- and its quote stayed inside the attribute */
    assert_int_equal(xp_count(doc, "//a[@href and not(starts-with(@href,'#'))]"), 2);
    assert_xp_text(doc, "//table[@id='t-problem-site']//a/@href",
                   "https://evil.example/\"onmouseover=\"alert(1)");
    assert_xp_text(doc, "//table[@id='t-unchecked']/tbody/tr/td[6]",
                   "<script>alert('reason')</script>");
    assert_xp_text(doc, "//table[@id='t-problem-site']//li[1]",
                   "网站不更新：<script>alert(1)</script>");
    xmlFreeDoc(doc);
    gs_report_destroy(&rep);
}

/* An empty sweep (no targets) and one without a reference time still make a page. */
static void test_empty(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    cmd("HSET gs:sweep:E0:meta sweep E0 status complete");
    gs_report_t *rep = load("E0");
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/empty", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.html", out);
    htmlDocPtr doc = parse_html(path);
    assert_xp_text(doc, "//header/h1", "关于全省政府网站与政务新媒体检查情况的通报");
    assert_xp_text(doc, "//header/p[2]", "监测时间点：未记录");
    assert_xp_text(doc, "//section[@id='overall']/p[1]", "本次检查未包含政府网站。");
    assert_int_equal(xp_count(doc, "//table[@id='t-site']/tbody/tr"), 0);
    assert_int_equal(xp_count(doc, "//svg//rect[@class='bar']"), 0);
    assert_int_equal(xp_count(doc, "//table[@id='t-findings']"), 0);
    xmlFreeDoc(doc);
    gs_report_destroy(&rep);
}

/* The ceilings: more findings than the detail list shows, more regions than the chart
 * draws -- both said in a note, the tables complete. */
static void test_caps(void **state)
{
    (void)state;
    const char *S = "CAPS";
    enum { NREG = GS_REPORT_HTML_MAX_CHART + 5, NBIG = 3, PER = 7000 };
    cmd("FLUSHALL");
    cmd("HSET gs:sweep:%s:meta sweep %s reference_time 2021-06-15T10:00:00+08:00 status "
        "complete",
        S, S);
    for (int i = 0; i < NREG; i++) {
        cmd("HSET gs:sweep:%s:target:t%d id t%d kind site name 站%d region 区%03d url "
            "http://x%d.example/ extra {}",
            S, i, i, i, i, i);
        cmd("RPUSH gs:sweep:%s:targets t%d", S, i);
        cmd("HSET gs:sweep:%s:result:t%d status 合格 nfindings 0 pages 1 findings []", S, i);
    }
    /* three targets with 7000 findings each: 21000 in all */
    gs_buf_t b;
    gs_buf_init(&b, 4u * 1024 * 1024);
    for (int k = 0; k < PER; k++)
        assert_int_equal(gs_buf_printf(&b,
                                       "%s{\"code\":\"W-LINK-BROKEN\",\"veto\":false,\"url\":"
                                       "\"http://x.example/%d\",\"evidence\":\"断链%d\"}",
                                       k ? "," : "[", k, k),
                         0);
    assert_int_equal(gs_buf_puts(&b, "]"), 0);
    for (int i = 0; i < NBIG; i++)
        cmd("HSET gs:sweep:%s:result:t%d status 合格 nfindings %d pages 1 findings %b", S, i, PER,
            b.data, b.len);
    gs_buf_cleanup(&b);
    gs_report_t *rep = load(S);
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/caps", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.html", out);
    htmlDocPtr doc = parse_html(path);
    assert_int_equal(xp_count(doc, "//table[@id='t-findings']/tbody/tr"),
                     GS_REPORT_HTML_MAX_FINDINGS);
    assert_xp_text(doc, "//section[@id='findings']/p[@class='note']",
                   "以上列出前20000条，共21000条；全部发现见 findings.jsonl 和 report.xlsx。");
    assert_int_equal(xp_count(doc, "//table[@id='t-site']/tbody/tr"), NREG);
    /* the chart: the first 200 regions and 合计, one bar each (no accounts) */
    assert_int_equal(xp_count(doc, "//svg//rect[@class='bar']"), GS_REPORT_HTML_MAX_CHART + 1);
    assert_xp_text(doc, "//figure/figcaption",
                   "图1 各地区政府网站和政务新媒体合格率（合格率 = （检查数 − 存在突出问题数）/ "
                   "检查数；图中列出前200个地区，其余5个见附件1、附件2）");
    xmlFreeDoc(doc);
    gs_report_destroy(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_html), cmocka_unit_test(test_structure),
        cmocka_unit_test(test_hostile),     cmocka_unit_test(test_empty),
        cmocka_unit_test(test_caps),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    xmlCleanupParser();
    return rc;
}
