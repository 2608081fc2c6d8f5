/* test_report_xlsx.c -- report.xlsx against a real redis-server, read back as Excel would:
 * the workbook is unzipped here (the zip central directory, entries inflated with zlib) and
 * its XML read with libxml2. For the fixed sweep of the golden files: the six sheet names
 * in order, the region tables' cells (numbers as numbers, the 合计 row bold, percentages
 * as numbers with the 0.00% format, "—" where nothing was checked), the header rows bold
 * with borders and frozen, the problem lists' text, every finding on 全部发现, column
 * widths that count CJK characters double, the creation time taken from the reference
 * time, and the same bytes when written again a second later. A hostile and oversized
 * sweep: a formula-looking evidence stays text, a cell past Excel's 32767 characters is
 * cut at a character with "…". The fixture is report_fixture.h. */
#include "report_fixture.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <zlib.h>

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
/* Ceiling on one inflated zip entry in these tests. */
#define ENTRY_MAX (64u * 1024 * 1024)

/* ---- a zip reader, just enough for an xlsx ------------------------------------------ */

typedef struct zipf {
    unsigned char *data;
    size_t len;
} zipf_t;

static unsigned rd16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long rd32(const unsigned char *p)
{
    return (unsigned long)rd16(p) | (unsigned long)rd16(p + 2) << 16;
}

static void zip_open(zipf_t *z, const char *path)
{
    z->data = (unsigned char *)slurp(path, &z->len);
    assert_non_null(z->data);
    assert_true(z->len > 22);
}

/* Entry `name`, inflated, NUL-terminated; NULL when the archive has none. */
static char *zip_get(const zipf_t *z, const char *name, size_t *outlen)
{
    size_t eocd = z->len - 22;
    while (eocd > 0 && rd32(z->data + eocd) != 0x06054b50UL)
        eocd--;
    assert_int_equal(rd32(z->data + eocd), 0x06054b50UL);
    unsigned n = rd16(z->data + eocd + 10);
    size_t p = rd32(z->data + eocd + 16);
    for (unsigned i = 0; i < n; i++) {
        assert_true(p + 46 <= z->len);
        assert_int_equal(rd32(z->data + p), 0x02014b50UL);
        unsigned method = rd16(z->data + p + 10);
        size_t csize = rd32(z->data + p + 20), usize = rd32(z->data + p + 24);
        unsigned nl = rd16(z->data + p + 28), el = rd16(z->data + p + 30),
                 cl = rd16(z->data + p + 32);
        size_t local = rd32(z->data + p + 42);
        const char *ename = (const char *)z->data + p + 46;
        p += 46 + nl + el + cl;
        if (strlen(name) != nl || memcmp(ename, name, nl) != 0)
            continue;
        assert_int_equal(rd32(z->data + local), 0x04034b50UL);
        size_t off = local + 30 + rd16(z->data + local + 26) + rd16(z->data + local + 28);
        assert_true(off + csize <= z->len);
        assert_true(usize < ENTRY_MAX);
        char *out = malloc(usize + 1);
        assert_non_null(out);
        if (method == 0) {
            assert_int_equal(csize, usize);
            memcpy(out, z->data + off, usize);
        } else {
            assert_int_equal(method, 8);
            z_stream s;
            memset(&s, 0, sizeof(s));
            assert_int_equal(inflateInit2(&s, -MAX_WBITS), Z_OK);
            s.next_in = z->data + off;
            s.avail_in = (uInt)csize;
            s.next_out = (Bytef *)out;
            s.avail_out = (uInt)usize;
            assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
            assert_int_equal(s.total_out, usize);
            inflateEnd(&s);
        }
        out[usize] = '\0';
        if (outlen)
            *outlen = usize;
        return out;
    }
    return NULL;
}

static xmlDocPtr zip_xml(const zipf_t *z, const char *name)
{
    size_t len = 0;
    char *s = zip_get(z, name, &len);
    if (!s)
        fprintf(stderr, "no %s in the workbook\n", name);
    assert_non_null(s);
    xmlDocPtr doc = xmlReadMemory(s, (int)len, name, "UTF-8", XML_PARSE_NONET);
    free(s);
    assert_non_null(doc);
    return doc;
}

/* ---- XPath over the workbook's XML (prefix m: the spreadsheet namespace) ------------- */

static xmlXPathObjectPtr xq(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    xmlXPathRegisterNs(ctx, (const xmlChar *)"m", (const xmlChar *)NS_MAIN);
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    xmlXPathFreeContext(ctx);
    assert_non_null(o);
    return o;
}

static int xq_count(xmlDocPtr doc, const char *expr)
{
    xmlXPathObjectPtr o = xq(doc, expr);
    int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

/* The text of the first node of expr (attribute or element) into out, "" if none. */
static void xq_text(xmlDocPtr doc, const char *expr, char *out, size_t outlen)
{
    xmlXPathObjectPtr o = xq(doc, expr);
    out[0] = '\0';
    if (o->nodesetval && o->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
        snprintf(out, outlen, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlXPathFreeObject(o);
}

/* ---- cells -------------------------------------------------------------------------- */

typedef struct book {
    zipf_t zip;
    xmlDocPtr workbook, styles;
    xmlDocPtr sheet[6];
} book_t;

static void book_open(book_t *b, const char *path)
{
    memset(b, 0, sizeof(*b));
    zip_open(&b->zip, path);
    b->workbook = zip_xml(&b->zip, "xl/workbook.xml");
    b->styles = zip_xml(&b->zip, "xl/styles.xml");
    for (int i = 0; i < 6; i++) {
        char name[64];
        snprintf(name, sizeof(name), "xl/worksheets/sheet%d.xml", i + 1);
        b->sheet[i] = zip_xml(&b->zip, name);
    }
}

static void book_close(book_t *b)
{
    xmlFreeDoc(b->workbook);
    xmlFreeDoc(b->styles);
    for (int i = 0; i < 6; i++)
        xmlFreeDoc(b->sheet[i]);
    free(b->zip.data);
}

typedef struct cell {
    char text[40000]; /* inline string, shared string or the number as written */
    int number;       /* a number cell (no t attribute) */
    int style;        /* index into cellXfs */
} cell_t;

static void get_cell(const book_t *b, int sheet, const char *ref, cell_t *c)
{
    char expr[128], t[32], s[32];
    xmlDocPtr d = b->sheet[sheet];
    snprintf(expr, sizeof(expr), "//m:c[@r='%s']/@t", ref);
    xq_text(d, expr, t, sizeof(t));
    snprintf(expr, sizeof(expr), "//m:c[@r='%s']/@s", ref);
    xq_text(d, expr, s, sizeof(s));
    c->style = s[0] ? (int)strtol(s, NULL, 10) : 0;
    c->number = t[0] == '\0';
    assert_true(c->number || strcmp(t, "inlineStr") == 0 || strcmp(t, "s") == 0);
    assert_int_not_equal(strcmp(t, "str"), 0); /* never a formula result */
    snprintf(expr, sizeof(expr),
             strcmp(t, "inlineStr") == 0 ? "//m:c[@r='%s']/m:is/m:t" : "//m:c[@r='%s']/m:v", ref);
    xq_text(d, expr, c->text, sizeof(c->text));
    if (strcmp(t, "s") == 0) { /* a shared string: look it up */
        xmlDocPtr sst = zip_xml(&b->zip, "xl/sharedStrings.xml");
        snprintf(expr, sizeof(expr), "//m:si[%ld]/m:t", strtol(c->text, NULL, 10) + 1);
        xq_text(sst, expr, c->text, sizeof(c->text));
        xmlFreeDoc(sst);
    }
}

static void assert_str_cell(const book_t *b, int sheet, const char *ref, const char *want)
{
    cell_t c;
    get_cell(b, sheet, ref, &c);
    if (strcmp(c.text, want) != 0 || c.number)
        fprintf(stderr, "sheet %d %s: got '%s'%s, want text '%s'\n", sheet + 1, ref, c.text,
                c.number ? " (number)" : "", want);
    assert_false(c.number);
    assert_string_equal(c.text, want);
}

static void assert_num_cell(const book_t *b, int sheet, const char *ref, double want)
{
    cell_t c;
    get_cell(b, sheet, ref, &c);
    if (!c.number)
        fprintf(stderr, "sheet %d %s: got text '%s', want number %g\n", sheet + 1, ref, c.text,
                want);
    assert_true(c.number);
    double got = strtod(c.text, NULL);
    assert_true(got > want - 1e-12 && got < want + 1e-12);
}

/* The style of a cell: bold, bordered, and its number format's code. */
typedef struct style {
    int bold, border;
    char numfmt[64];
} style_t;

static style_t cell_style(const book_t *b, int sheet, const char *ref)
{
    cell_t c;
    get_cell(b, sheet, ref, &c);
    style_t st;
    memset(&st, 0, sizeof(st));
    char expr[160], v[64];
    snprintf(expr, sizeof(expr), "//m:cellXfs/m:xf[%d]/@fontId", c.style + 1);
    xq_text(b->styles, expr, v, sizeof(v));
    snprintf(expr, sizeof(expr), "//m:fonts/m:font[%ld]/m:b", strtol(v, NULL, 10) + 1);
    st.bold = xq_count(b->styles, expr) == 1;
    snprintf(expr, sizeof(expr), "//m:cellXfs/m:xf[%d]/@borderId", c.style + 1);
    xq_text(b->styles, expr, v, sizeof(v));
    snprintf(expr, sizeof(expr), "//m:borders/m:border[%ld]/m:left/@style",
             strtol(v, NULL, 10) + 1);
    xq_text(b->styles, expr, v, sizeof(v));
    st.border = strcmp(v, "thin") == 0;
    snprintf(expr, sizeof(expr), "//m:cellXfs/m:xf[%d]/@numFmtId", c.style + 1);
    xq_text(b->styles, expr, v, sizeof(v));
    long id = strtol(v, NULL, 10);
    if (id == 10) { /* Excel's built-in 0.00% */
        snprintf(st.numfmt, sizeof(st.numfmt), "0.00%%");
    } else if (id != 0) {
        snprintf(expr, sizeof(expr), "//m:numFmts/m:numFmt[@numFmtId='%ld']/@formatCode", id);
        xq_text(b->styles, expr, st.numfmt, sizeof(st.numfmt));
    }
    return st;
}

/* Width of column col (1-based) as stored. */
static double col_width(const book_t *b, int sheet, int col)
{
    char expr[128], v[32];
    snprintf(expr, sizeof(expr), "//m:cols/m:col[@min='%d']/@width", col);
    xq_text(b->sheet[sheet], expr, v, sizeof(v));
    assert_true(v[0] != '\0');
    return strtod(v, NULL);
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_fixed(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    gs_report_t *rep = load(FIXED);
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/xlsx", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.xlsx.tmp", out);
    assert_int_equal(access(path, F_OK), -1); /* no temporary left behind */
    snprintf(path, sizeof(path), "%s/report.xlsx", out);
    book_t b;
    book_open(&b, path);
    char v[256];

    /* the sheets, in order */
    static const char *const names[] = {"附件1 网站",         "附件2 新媒体",
                                        "附件3 问题网站名单", "附件4 问题新媒体名单",
                                        "附件5 未检查",       "全部发现"};
    assert_int_equal(xq_count(b.workbook, "//m:sheets/m:sheet"), 6);
    for (int i = 0; i < 6; i++) {
        char expr[64];
        snprintf(expr, sizeof(expr), "//m:sheets/m:sheet[%d]/@name", i + 1);
        xq_text(b.workbook, expr, v, sizeof(v));
        assert_string_equal(v, names[i]);
        /* header rows frozen: rows 1-2 stay in view */
        xq_text(b.sheet[i], "//m:sheetView/m:pane/@ySplit", v, sizeof(v));
        assert_string_equal(v, "2");
        xq_text(b.sheet[i], "//m:sheetView/m:pane/@state", v, sizeof(v));
        assert_string_equal(v, "frozen");
        /* A4 */
        xq_text(b.sheet[i], "//m:pageSetup/@paperSize", v, sizeof(v));
        assert_string_equal(v, "9");
        /* no formula anywhere: every value is data */
        assert_int_equal(xq_count(b.sheet[i], "//m:f"), 0);
    }

    /* 附件1: title, header (bold, bordered), three regions, 合计 */
    assert_str_cell(&b, 0, "A1",
                    "附件1 全省政府网站检查情况（检查批次 T2021Q2，监测时间点 "
                    "2021-06-15T10:00:00+08:00）");
    assert_str_cell(&b, 0, "E2", "发现存在突出问题的网站数");
    style_t st = cell_style(&b, 0, "E2");
    assert_true(st.bold && st.border);
    assert_num_cell(&b, 0, "A3", 1);
    assert_str_cell(&b, 0, "B3", "省直部门");
    assert_num_cell(&b, 0, "C3", 2);
    assert_num_cell(&b, 0, "D3", 2);
    assert_num_cell(&b, 0, "E3", 1);
    assert_num_cell(&b, 0, "F3", 0.5);
    st = cell_style(&b, 0, "F3");
    assert_false(st.bold);
    assert_true(st.border);
    assert_string_equal(st.numfmt, "0.00%");
    assert_str_cell(&b, 0, "B5", "衡阳市");
    assert_str_cell(&b, 0, "A6", "合计");
    assert_num_cell(&b, 0, "C6", 5);
    assert_num_cell(&b, 0, "D6", 4);
    assert_num_cell(&b, 0, "E6", 1);
    assert_num_cell(&b, 0, "F6", 0.25);
    assert_num_cell(&b, 0, "G6", 0.75);
    st = cell_style(&b, 0, "A6");
    assert_true(st.bold && st.border);
    st = cell_style(&b, 0, "C6");
    assert_true(st.bold);
    st = cell_style(&b, 0, "G6");
    assert_true(st.bold);
    assert_string_equal(st.numfmt, "0.00%");
    assert_int_equal(xq_count(b.sheet[0], "//m:row[@r='7']"), 0); /* a blank row, then */
    assert_str_cell(&b, 0, "A8",
                    "注：检查网站数为已完成检查（合格或不合格）的网站数；合格率 = （检查数 − "
                    "存在突出问题数）/ 检查数。");

    /* 附件2: 衡阳市 checked no account: "—", not 0% */
    assert_str_cell(&b, 1, "C2", "实际运行政务新媒体数");
    assert_str_cell(&b, 1, "F5", "—");
    assert_str_cell(&b, 1, "G5", "—");
    assert_num_cell(&b, 1, "F6", 0.5);
    assert_num_cell(&b, 1, "G6", 0.5);

    /* 附件3 and 附件4: the problem cell in report.md's long form */
    assert_str_cell(&b, 2, "C3", "湖南省\"测试\"厅,门户\n网站");
    assert_str_cell(&b, 2, "D3", "4300000002");
    assert_str_cell(&b, 2, "E3",
                    "网站不更新（首页最新信息 2021-05-01，距监测时间点 45 天）；栏目不更新（栏目"
                    "“通知|公告”最新信息 2021-03-02，距监测时间点 105 天；栏目“政务动态”最新信息 "
                    "2021-04-01，距监测时间点 75 天）");
    assert_int_equal(xq_count(b.sheet[2], "//m:row[@r='4']"), 0);
    assert_str_cell(&b, 3, "D3", "内容不更新（最新内容 2021-04-02，距监测时间点 74 天）");
    assert_str_cell(&b, 3, "F3", "新浪微博");
    assert_str_cell(&b, 3, "G3", "430000M022XL0001");
    /* 附件5 */
    assert_str_cell(&b, 4, "D3", "长沙市测试局");
    assert_str_cell(&b, 4, "F4", "未完成检查");
    assert_int_equal(xq_count(b.sheet[4], "//m:row[@r='5']"), 0);

    /* 全部发现: 8 findings, in registry order, detail as JSON text */
    assert_int_equal(xq_count(b.sheet[5], "//m:sheetData/m:row"), 2 + 8);
    assert_num_cell(&b, 5, "A10", 8);
    assert_str_cell(&b, 5, "F3", "W-LINK-BROKEN");
    assert_str_cell(&b, 5, "G3", "错链断链");
    assert_str_cell(&b, 5, "H3", "否");
    assert_str_cell(&b, 5, "J3", "https://www.hunan.gov.cn/zwgk/");
    assert_str_cell(&b, 5, "K3", "{\"status\":404}");
    assert_str_cell(&b, 5, "H4", "是");
    assert_str_cell(&b, 5, "K5", "{}"); /* the finding stored without detail */
    assert_str_cell(&b, 5, "G10", "W-NEW-CHECK");

    /* widths: CJK characters count two (libxlsxwriter stores w + 0.71 for w >= 1) */
    const char *reason = "3 次派发均未在租约期内完成（工作进程崩溃、卡死或失联）";
    double want = (double)gs_report_text_width(reason) + 2;
    assert_true(want > 50);
    assert_true(col_width(&b, 4, 6) > want && col_width(&b, 4, 6) < want + 1);
    assert_true(col_width(&b, 0, 1) < 8);  /* 序号 stays narrow */
    assert_true(col_width(&b, 2, 5) > 79); /* long problem text: the widest allowed */

    /* the workbook's times are the reference time, not the clock */
    xmlDocPtr core = zip_xml(&b.zip, "docProps/core.xml");
    xq_text(core, "//*[local-name()='created']", v, sizeof(v));
    assert_string_equal(v, "2021-06-15T02:00:00Z");
    xq_text(core, "//*[local-name()='title']", v, sizeof(v));
    assert_string_equal(v, "全省政府网站与政务新媒体检查情况（T2021Q2）");
    xmlFreeDoc(core);
    book_close(&b);

    /* a second later, the same model gives the same bytes */
    sleep(1);
    char out2[256], path2[320];
    snprintf(out2, sizeof(out2), "%s/xlsx2", dir);
    write_to(rep, out2);
    snprintf(path2, sizeof(path2), "%s/report.xlsx", out2);
    assert_same_file(path, path2);
    gs_report_destroy(&rep);
}

/* Hostile and oversized strings: still data, cut to Excel's ceiling at a character. */
static void test_hostile_and_long(void **state)
{
    (void)state;
    const char *S = "LONG";
    cmd("FLUSHALL");
    static const trow_t rows[] = {
        {"site", "4300000042", "=HYPERLINK(\"http://evil.example\",\"点我\")", "+地区",
         "https://x.example/", "@SUM(A1)", "", "{}"},
    };
    static const char *const regions[] = {"+地区"};
    plan(S, "2021-12-31T23:00:00+08:00", rows, 1, regions, 1, "complete");
    /* 20,000 CJK characters: 60,000 bytes, past the 32767 ceiling */
    size_t n = 20000;
    char *big = malloc(3 * n + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 3 * i, "栏", 3);
    big[3 * n] = '\0';
    const tfinding_t f[] = {
        {"W-HOME-STALE", true, "https://x.example/", "=cmd|' /C calc'!A0", "{\"a\":[1,2]}"},
        {"W-LINK-BROKEN", false, "https://x.example/a", big, "{}"},
    };
    store(S, "4300000042", GS_KIND_SITE, "+地区", true, "", 1, "", f, 2);
    free(big);
    gs_report_t *rep = load(S);
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/long", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.xlsx", out);
    book_t b;
    book_open(&b, path);
    for (int i = 0; i < 6; i++)
        assert_int_equal(xq_count(b.sheet[i], "//m:f"), 0);
    assert_str_cell(&b, 2, "C3", "=HYPERLINK(\"http://evil.example\",\"点我\")");
    assert_str_cell(&b, 5, "I3", "=cmd|' /C calc'!A0");
    assert_str_cell(&b, 5, "K3", "{\"a\":[1,2]}");
    assert_str_cell(&b, 0, "B3", "+地区");
    cell_t *c = malloc(sizeof(*c));
    assert_non_null(c);
    get_cell(&b, 5, "I4", c);
    size_t len = strlen(c->text);
    assert_true(len <= 32767);
    assert_true(len > 32000);
    assert_string_equal(c->text + len - 3, "…");
    assert_int_equal((len - 3) % 3, 0); /* whole characters only */
    assert_memory_equal(c->text, "栏栏栏", 9);
    free(c);
    /* the creation time is the reference time in UTC */
    xmlDocPtr core = zip_xml(&b.zip, "docProps/core.xml");
    char v[64];
    xq_text(core, "//*[local-name()='created']", v, sizeof(v));
    assert_string_equal(v, "2021-12-31T15:00:00Z");
    xmlFreeDoc(core);
    book_close(&b);

    /* a path that cannot be written: an error naming it, no temporary left */
    gs_err_t e;
    gs_err_clear(&e);
    assert_int_equal(gs_report_write_xlsx(rep, "/nonexistent-gs-dir/report.xlsx", &e), GS_EIO);
    assert_non_null(strstr(e.msg, "/nonexistent-gs-dir/report.xlsx"));
    assert_int_equal(gs_report_write_xlsx(rep, "", &e), GS_EINVAL);
    gs_report_destroy(&rep);
}

/* No reference time: a fixed creation time, still reproducible. */
static void test_no_reference_time(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    cmd("HSET gs:sweep:E0:meta sweep E0 status complete");
    gs_report_t *rep = load("E0");
    char out[256], path[320];
    snprintf(out, sizeof(out), "%s/noref", dir);
    write_to(rep, out);
    snprintf(path, sizeof(path), "%s/report.xlsx", out);
    book_t b;
    book_open(&b, path);
    xmlDocPtr core = zip_xml(&b.zip, "docProps/core.xml");
    char v[64];
    xq_text(core, "//*[local-name()='created']", v, sizeof(v));
    assert_string_equal(v, "1980-01-01T00:00:00Z");
    xmlFreeDoc(core);
    assert_str_cell(&b, 0, "A3", "合计");
    assert_str_cell(&b, 2, "A3", "无。");
    assert_str_cell(&b, 5, "A3", "无。");
    book_close(&b);
    gs_report_destroy(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_hostile_and_long),
        cmocka_unit_test(test_no_reference_time),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    xmlCleanupParser();
    return rc;
}
