/* test_registry.c -- the target registry reader: encodings (UTF-8, BOM, GBK), RFC 4180
 * quoting and line numbers, column names and aliases, every validation problem with its
 * line, and the ceilings. Fixtures are files under $GS_TEST_DATA/registry; hostile and
 * huge inputs are built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------------------- */

static int load_fixture(gs_registry_t *r, const char *name, gs_err_t *err)
{
    const char *dir = getenv("GS_TEST_DATA");
    assert_non_null(dir);
    char path[1024];
    snprintf(path, sizeof(path), "%s/registry/%s", dir, name);
    return gs_registry_load_file(r, path, err);
}

/* The lines of a fixture file (without newlines) into out, each malloc'd; returns how
 * many. */
static size_t read_lines(const char *name, char **out, size_t max)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/registry/%s", getenv("GS_TEST_DATA"), name);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[1024];
    size_t n = 0;
    while (n < max && fgets(line, sizeof(line), fp)) {
        line[strcspn(line, "\n")] = '\0';
        out[n] = malloc(strlen(line) + 1);
        assert_non_null(out[n]);
        memcpy(out[n], line, strlen(line) + 1);
        n++;
    }
    fclose(fp);
    return n;
}

/* The problems, exactly and in order; prints both lists when they differ. */
static void assert_problems(const gs_registry_t *r, const char *const *want, size_t n)
{
    size_t got = gs_registry_nproblems(r);
    int same = got == n;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(gs_registry_problem(r, i), want[i]) == 0;
    if (!same) {
        for (size_t i = 0; i < got; i++)
            fprintf(stderr, "got  %s\n", gs_registry_problem(r, i));
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "want %s\n", want[i]);
    }
    assert_true(same);
}

#define ASSERT_PROBLEMS(r, ...)                                                                    \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        assert_problems((r), want_, sizeof(want_) / sizeof(want_[0]));                             \
    } while (0)

static const gs_target_t *get(const gs_registry_t *r, size_t i)
{
    const gs_target_t *t = gs_registry_get(r, i);
    assert_non_null(t);
    return t;
}

/* valid.csv, whatever its encoding: every field of every row. */
static void check_valid(const gs_registry_t *r)
{
    assert_int_equal(gs_registry_nproblems(r), 0);
    assert_int_equal(gs_registry_count(r), 6);

    const gs_target_t *t = get(r, 0);
    assert_int_equal(t->kind, GS_KIND_SITE);
    assert_string_equal(t->id, "4300000001");
    assert_string_equal(t->name, "湖南省人民政府门户网站");
    assert_string_equal(t->region, "省直部门");
    assert_string_equal(t->url, "http://www.hunan.gov.cn/");
    assert_string_equal(t->owner, "湖南省人民政府办公厅");
    assert_string_equal(t->platform, "");
    assert_string_equal(t->menu_url, "");
    assert_int_equal(t->line, 2);
    assert_int_equal(t->nextra, 0);

    t = get(r, 1);
    assert_string_equal(t->id, "bm43000002");
    assert_string_equal(t->name, "湖南省发展和改革委员会");
    assert_string_equal(t->url, "https://fgw.hunan.gov.cn/");

    t = get(r, 2);
    assert_int_equal(t->kind, GS_KIND_ACCOUNT);
    assert_string_equal(t->id, "430000M022XL0001");
    assert_string_equal(t->name, "湖南发布");
    assert_string_equal(t->owner, "湖南省人民政府新闻办公室");
    assert_string_equal(t->platform, "微信订阅号");
    assert_string_equal(t->menu_url, "https://mp.weixin.qq.com/menu?id=hnfb");
    assert_int_equal(t->line, 4);

    t = get(r, 4);
    assert_string_equal(t->id, "430100W001AB0002");
    assert_string_equal(t->name, "长沙发布");
    assert_string_equal(t->platform, "新浪微博");
    assert_string_equal(t->region, "长沙市");

    t = get(r, 5);
    assert_string_equal(t->name, "株洲市人民政府");
    assert_string_equal(t->url, "http://www.zhuzhou.gov.cn:8080/index.html");
    assert_int_equal(t->line, 7);

    assert_int_equal(gs_registry_nregions(r), 3);
    assert_string_equal(gs_registry_region(r, 0), "省直部门");
    assert_string_equal(gs_registry_region(r, 1), "长沙市");
    assert_string_equal(gs_registry_region(r, 2), "株洲市");
    assert_null(gs_registry_region(r, 3));

    assert_ptr_equal(gs_registry_find(r, "430100W001AB0002"), get(r, 4));
    assert_int_equal(gs_registry_index(r, "bm43000002"), 1);
    assert_null(gs_registry_find(r, "4300000009"));
    assert_int_equal(gs_registry_index(r, "430000M022XL000"), (size_t)-1);
    assert_null(gs_registry_get(r, 6));
}

/* ---- encodings -------------------------------------------------------------------------- */

static void test_valid_utf8(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    gs_err_clear(&err);
    assert_int_equal(load_fixture(r, "valid.csv", &err), 0);
    assert_int_equal(err.code, 0);
    assert_string_equal(gs_registry_encoding(r), "UTF-8");
    check_valid(r);
    gs_registry_destroy(&r);
    assert_null(r);
    gs_registry_destroy(&r); /* NULL-safe and idempotent */
    gs_registry_destroy(NULL);
}

static void test_valid_bom(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "valid_bom.csv", &err), 0);
    assert_string_equal(gs_registry_encoding(r), "UTF-8");
    check_valid(r);
    /* the BOM must not stick to the first column name (kind would then be missing) */
    gs_registry_destroy(&r);
}

static void test_valid_gbk(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "valid_gbk.csv", &err), 0);
    assert_string_equal(gs_registry_encoding(r), "GB18030");
    check_valid(r);
    gs_registry_destroy(&r);
}

static void test_not_text(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "not_text.csv", &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 3: neither UTF-8 nor GB18030 text (byte 0xFF); save the sheet as "
                       "CSV UTF-8");
    assert_non_null(strstr(err.msg, "not_text.csv: 1 problem"));
    gs_registry_destroy(&r);
}

/* A UTF-8 file with a damaged byte is reported, not read as GB18030 mojibake. */
static void test_damaged_utf8(void **state)
{
    (void)state;
    static const char data[] = "kind,id,name,region,url\n"
                               "site,4300000001,湖南省人民政府门户网站,省直部门,http://a.gov.cn/\n"
                               "site,4300000002,湖南省发展和改革委员会,省直部门,http://b.gov.cn/\n"
                               "site,4300000003,长沙市\xff人民政府,长沙市,http://c.gov.cn/\n";
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(gs_registry_load_mem(r, data, sizeof(data) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 4: invalid UTF-8 (byte 0xFF)");
    assert_string_equal(err.msg, "registry: 1 problem");
    assert_string_equal(gs_registry_encoding(r), "UTF-8");

    /* with a BOM the file says it is UTF-8: any bad byte is a problem */
    static const char bom[] = "\xef\xbb\xbfkind,id,name,region,url\n"
                              "site,4300000001,\xb3\xa4\xc9\xb3,x,http://a.gov.cn/\n";
    assert_int_equal(gs_registry_load_mem(r, bom, sizeof(bom) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 2: invalid UTF-8 (byte 0xB3)");

    static const char utf16[] = "\xff\xfek\0i\0n\0d\0";
    assert_int_equal(gs_registry_load_mem(r, utf16, sizeof(utf16) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "file: UTF-16 text; save the sheet as CSV UTF-8 (or CSV)");
    gs_registry_destroy(&r);
}

/* ---- columns ------------------------------------------------------------------------------ */

static void test_reordered_extras(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "reordered.csv", &err), 0);
    assert_int_equal(gs_registry_count(r), 2);
    const gs_target_t *t = get(r, 0);
    assert_int_equal(t->kind, GS_KIND_SITE);
    assert_string_equal(t->id, "4300000001");
    assert_string_equal(t->name, "湖南省人民政府门户网站");
    assert_string_equal(t->region, "省直部门");
    assert_string_equal(t->url, "http://www.hunan.gov.cn/");
    assert_string_equal(t->owner, ""); /* no such column */
    assert_int_equal(t->nextra, 2);
    assert_string_equal(t->extra_keys[0], "备注");
    assert_string_equal(t->extra_keys[1], "联系人");
    assert_string_equal(t->extra_vals[0], "门户");
    assert_string_equal(t->extra_vals[1], "张三");

    t = get(r, 1);
    assert_int_equal(t->kind, GS_KIND_ACCOUNT); /* "Account": case does not matter */
    assert_string_equal(t->platform, "新浪微博");
    assert_string_equal(t->extra_vals[0], "");
    assert_string_equal(t->extra_vals[1], "李四");
    assert_int_equal(t->line, 3);
    gs_registry_destroy(&r);
}

static void test_chinese_header(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "chinese_header.csv", &err), 0);
    assert_int_equal(gs_registry_count(r), 3);
    const gs_target_t *t = get(r, 0);
    assert_int_equal(t->kind, GS_KIND_SITE);
    assert_string_equal(t->id, "4300000001");
    assert_string_equal(t->owner, "湖南省人民政府办公厅");
    assert_int_equal(t->nextra, 0);
    t = get(r, 1);
    assert_int_equal(t->kind, GS_KIND_ACCOUNT);
    assert_string_equal(t->platform, "微信订阅号");
    assert_string_equal(t->menu_url, "https://mp.weixin.qq.com/menu?id=hnfb");
    assert_int_equal(get(r, 2)->kind, GS_KIND_ACCOUNT); /* 账号 */
    assert_int_equal(gs_registry_nregions(r), 2);
    gs_registry_destroy(&r);
}

/* 部门 means region only when no other column does; beside 地区 it is an extra. */
static void test_weak_alias(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    static const char alone[] = "类型,标识码,名称,部门,网址\n"
                                "网站,4300000001,一,省直部门,http://a.gov.cn/\n";
    assert_int_equal(gs_registry_load_mem(r, alone, sizeof(alone) - 1, &err), 0);
    assert_string_equal(get(r, 0)->region, "省直部门");
    assert_int_equal(get(r, 0)->nextra, 0);

    static const char both[] = "类型,标识码,名称,部门,地区,链接\n"
                               "网站,4300000001,一,发改委,省直部门,http://a.gov.cn/\n";
    assert_int_equal(gs_registry_load_mem(r, both, sizeof(both) - 1, &err), 0);
    const gs_target_t *t = get(r, 0);
    assert_string_equal(t->region, "省直部门");
    assert_int_equal(t->nextra, 1);
    assert_string_equal(t->extra_keys[0], "部门");
    assert_string_equal(t->extra_vals[0], "发改委");
    gs_registry_destroy(&r);
}

static void test_header_problems(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "missing_column.csv", &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "file: missing required column 'region'");

    static const char two[] = "kind,name,url\nsite,a,http://a.gov.cn/\n";
    assert_int_equal(gs_registry_load_mem(r, two, sizeof(two) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "file: missing required columns 'id', 'region'");

    static const char dup[] = "kind,id,name,region,url,Note,ID,网站标识码,,note\n"
                              "site,4300000001,a,b,http://a.gov.cn/,x,y,z,,w\n";
    assert_int_equal(gs_registry_load_mem(r, dup, sizeof(dup) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 1: column 9 has no name",
                    "line 1: column 'ID' appears twice (columns 2 and 7)",
                    "line 1: columns 2 'id' and 8 '网站标识码' both mean 'id'",
                    "line 1: column 'note' appears twice (columns 6 and 10)");
    assert_string_equal(err.msg, "registry: 4 problems");
    /* the rows are still read, with the first of each column */
    assert_int_equal(gs_registry_count(r), 1);
    assert_string_equal(get(r, 0)->id, "4300000001");
    assert_int_equal(get(r, 0)->nextra, 1);
    assert_string_equal(get(r, 0)->extra_vals[0], "x");
    gs_registry_destroy(&r);
}

/* ---- CSV syntax and line numbers ------------------------------------------------------- */

static void test_quoted(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "quoted.csv", &err), 0);
    assert_int_equal(gs_registry_count(r), 4);
    const gs_target_t *t = get(r, 0);
    assert_string_equal(t->name, "湖南省人民政府门户网站, 主站");
    assert_string_equal(t->owner, "湖南省人民政府办公厅 \"政务公开\"");
    assert_int_equal(t->line, 2);
    t = get(r, 1);
    assert_string_equal(t->name, "多行\n名称\n第三行");
    assert_string_equal(t->owner, "x");
    assert_int_equal(t->line, 3);
    t = get(r, 2);
    assert_string_equal(t->name, "spaced, quoted"); /* spaces around quotes, then trimmed */
    assert_string_equal(t->region, "长沙市");
    assert_string_equal(t->owner, "");
    assert_int_equal(t->line, 6);
    t = get(r, 3); /* after a blank line and a row of bare commas */
    assert_string_equal(t->name, "plain \"quote\" inside");
    assert_int_equal(t->line, 9);
    gs_registry_destroy(&r);
}

static void test_crlf(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "crlf.csv", &err), 0);
    assert_int_equal(gs_registry_count(r), 2);
    assert_string_equal(get(r, 0)->name, "一\r\n二");
    assert_string_equal(get(r, 0)->url, "http://a.gov.cn/"); /* no CR left on the last field */
    assert_int_equal(get(r, 0)->line, 2);
    assert_string_equal(get(r, 1)->url, "http://b.gov.cn/");
    assert_int_equal(get(r, 1)->line, 5);

    /* lone CRs (old Mac) end lines too */
    static const char cr[] = "kind,id,name,region,url\rsite,4300000001,a,b,http://a.gov.cn/\r"
                             "site,43,a,b,http://a.gov.cn/";
    assert_int_equal(gs_registry_load_mem(r, cr, sizeof(cr) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 3: id '43' is not a 网站标识码 (10 characters: 10 digits or bm + 8 "
                       "digits)");
    gs_registry_destroy(&r);
}

static void test_ragged(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "ragged.csv", &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 5: 4 fields, the header has 5", "line 6: 6 fields, the header has 5");
    assert_int_equal(gs_registry_count(r), 3); /* the padded rows are fine */
    assert_string_equal(get(r, 2)->id, "4300000003");
    gs_registry_destroy(&r);
}

/* ---- validation ---------------------------------------------------------------------------- */

static void test_bad_rows(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "bad_rows.csv", &err), GS_EPARSE);
    /* the expected problems are data: one a line in bad_rows.expected */
    char *want[64];
    size_t nwant = read_lines("bad_rows.expected", want, 64);
    assert_int_equal(nwant, 26);
    assert_problems(r, (const char *const *)want, nwant);
    for (size_t i = 0; i < nwant; i++)
        free(want[i]);
    assert_int_equal(err.code, GS_EPARSE);
    assert_non_null(strstr(err.msg, "bad_rows.csv: 26 problems"));

    /* rows whose shape is right are listed, the others (lines 22, 23, 25) are not */
    assert_int_equal(gs_registry_count(r), 21);
    const gs_target_t *t = gs_registry_find(r, "4300000010");
    assert_non_null(t);
    assert_string_equal(t->name, "多行\n名称");
    assert_int_equal(t->line, 16);
    t = gs_registry_find(r, "4300000016");
    assert_non_null(t);
    assert_string_equal(t->url, "http://o.hunan.gov.cn/");
    assert_int_equal(t->line, 26);
    t = gs_registry_find(r, "4300000017");
    assert_non_null(t);
    assert_string_equal(t->name, "引号\" 正确");
    assert_non_null(gs_registry_find(r, "4300000014")); /* trailing empty fields are fine */
    assert_null(gs_registry_find(r, "4300000012"));
    assert_int_equal(gs_registry_find(r, "4300000001")->line, 2); /* the first one */
    gs_registry_destroy(&r);
}

static void test_duplicates(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "duplicates.csv", &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 5: duplicate id 4300000002 (first on line 3)",
                    "line 6: duplicate id 430000M022XL0001 (first on line 4)",
                    "line 7: duplicate id 4300000002 (first on line 3)");
    assert_string_equal(gs_registry_find(r, "4300000002")->name, "二");
    assert_string_equal(gs_registry_find(r, "430000M022XL0001")->name, "三");
    gs_registry_destroy(&r);
}

static void test_empty_and_header_only(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "empty.csv", &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "file: empty (no header row)");
    assert_int_equal(gs_registry_count(r), 0);

    assert_int_equal(load_fixture(r, "header_only.csv", &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "file: no targets");

    assert_int_equal(gs_registry_load_mem(r, "\n\r\n  \n,,,\n", 10, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "file: empty (no header row)");
    assert_int_equal(gs_registry_load_mem(r, NULL, 0, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "file: empty (no header row)");

    assert_int_equal(load_fixture(r, "no-such-file.csv", &err), GS_EIO);
    assert_int_equal(err.code, GS_EIO);
    assert_non_null(strstr(err.msg, "no-such-file.csv"));
    assert_int_equal(gs_registry_nproblems(r), 0);
    gs_registry_destroy(&r);
}

/* A registry loaded twice holds only the second load. */
static void test_reload(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    assert_int_equal(load_fixture(r, "duplicates.csv", &err), GS_EPARSE);
    assert_int_equal(load_fixture(r, "valid.csv", &err), 0);
    check_valid(r);
    assert_null(gs_registry_find(r, "4300000002"));
    assert_string_equal(gs_kind_name(GS_KIND_SITE), "site");
    assert_string_equal(gs_kind_name(GS_KIND_ACCOUNT), "account");
    gs_registry_destroy(&r);
}

/* ---- hostile input --------------------------------------------------------------------------- */

static void test_nul_and_truncated(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;
    static const char nul[] = "kind,id,name,region,url\n"
                              "site,4300000001,a\0b,x,http://a.gov.cn/\n"
                              "site,4300000002,\"c\0\",x,http://b.gov.cn/\n"
                              "site,4300000003,ok,x,http://c.gov.cn/\n";
    assert_int_equal(gs_registry_load_mem(r, nul, sizeof(nul) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 2: NUL byte in the record", "line 3: NUL byte in the record");
    assert_int_equal(gs_registry_count(r), 1);

    static const char trunc[] = "kind,id,name,region,url\n"
                                "site,4300000001,a,x,http://a.gov.cn/\n"
                                "site,4300000002,\"never closed,x,http://b.gov.cn/\n"
                                "site,4300000003,c,x,http://c.gov.cn/\n";
    assert_int_equal(gs_registry_load_mem(r, trunc, sizeof(trunc) - 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 3: quoted field never closed (the file ends inside it)");

    /* a quote as the very last byte, and a quote in the header */
    assert_int_equal(gs_registry_load_mem(r, "kind,id,name,region,url\nsite,\"", 30, &err),
                     GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 2: quoted field never closed (the file ends inside it)");
    assert_int_equal(gs_registry_load_mem(r, "kind,\"id", 8, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 1: quoted field never closed (the file ends inside it)");
    assert_int_equal(gs_registry_load_mem(r, "\"", 1, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 1: quoted field never closed (the file ends inside it)");
    gs_registry_destroy(&r);
}

/* "kind,id,name,region,url\n" and rows of sites with distinct ids and 13 regions, their
 * names empty or not; the caller frees. */
static char *build(size_t rows, int empty_names, size_t *len)
{
    size_t cap = 64 + rows * 64;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = (size_t)snprintf(s, cap, "kind,id,name,region,url\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(s + n, cap - n, "site,%llu,%s,r%zu,http://a.gov.cn/\n",
                              4300000000ull + i, empty_names ? "" : "n", i % 13);
    *len = n;
    return s;
}

static void test_ceilings(void **state)
{
    (void)state;
    gs_registry_t *r = gs_registry_new();
    gs_err_t err;

    /* a field over GS_REGISTRY_MAX_FIELD */
    size_t big = GS_REGISTRY_MAX_FIELD + 10;
    char *s = malloc(big + 100);
    assert_non_null(s);
    int n = snprintf(s, 100, "kind,id,name,region,url\nsite,4300000001,");
    memset(s + n, 'a', big);
    n += (int)big;
    n += snprintf(s + n, 100, ",x,http://a.gov.cn/\n");
    assert_int_equal(gs_registry_load_mem(r, s, (size_t)n, &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 2: field 'name' is longer than 4096 bytes");
    free(s);

    /* more columns than GS_REGISTRY_MAX_COLS */
    char hdr[1024] = "kind,id,name,region,url";
    for (int i = 5; i <= GS_REGISTRY_MAX_COLS; i++) {
        size_t at = strlen(hdr);
        snprintf(hdr + at, sizeof(hdr) - at, ",c%d", i);
    }
    assert_int_equal(gs_registry_load_mem(r, hdr, strlen(hdr), &err), GS_EPARSE);
    ASSERT_PROBLEMS(r, "line 1: more than 64 columns");
    /* ... but trailing empty ones are only Excel's padding */
    char pad[1200] = "kind,id,name,region,url";
    memset(pad + strlen(pad), ',', 100);
    size_t at = strlen(pad);
    snprintf(pad + at, sizeof(pad) - at, "\nsite,4300000001,a,b,http://a.gov.cn/\n");
    assert_int_equal(gs_registry_load_mem(r, pad, strlen(pad), &err), 0);

    /* the problem list stops at GS_REGISTRY_MAX_PROBLEMS and says how many more */
    size_t len;
    s = build(GS_REGISTRY_MAX_PROBLEMS + 50, 1, &len);
    assert_int_equal(gs_registry_load_mem(r, s, len, &err), GS_EPARSE);
    assert_int_equal(gs_registry_nproblems(r), GS_REGISTRY_MAX_PROBLEMS + 1);
    assert_string_equal(gs_registry_problem(r, 0), "line 2: name is empty");
    assert_string_equal(gs_registry_problem(r, GS_REGISTRY_MAX_PROBLEMS - 1),
                        "line 10001: name is empty");
    assert_string_equal(gs_registry_problem(r, GS_REGISTRY_MAX_PROBLEMS),
                        "file: 50 more problems not listed");
    assert_string_equal(err.msg, "registry: 10050 problems");
    assert_null(gs_registry_problem(r, GS_REGISTRY_MAX_PROBLEMS + 1));
    free(s);

    /* GS_REGISTRY_MAX_ROWS targets load; one more does not */
    s = build(GS_REGISTRY_MAX_ROWS + 1, 0, &len);
    assert_int_equal(gs_registry_load_mem(r, s, len, &err), GS_ETOOBIG);
    ASSERT_PROBLEMS(r, "line 200002: more than 200000 targets");
    assert_int_equal(gs_registry_count(r), GS_REGISTRY_MAX_ROWS);
    assert_int_equal(gs_registry_nregions(r), 13);
    assert_string_equal(gs_registry_region(r, 12), "r12");
    /* lookups by id on a big registry */
    for (size_t i = 0; i < GS_REGISTRY_MAX_ROWS; i += 997) {
        char id[16];
        snprintf(id, sizeof(id), "%llu", 4300000000ull + i);
        assert_int_equal(gs_registry_index(r, id), i);
    }
    len -= strlen(strrchr(s, 's')); /* drop the last row */
    assert_int_equal(gs_registry_load_mem(r, s, len, &err), 0);
    assert_int_equal(gs_registry_count(r), GS_REGISTRY_MAX_ROWS);
    free(s);

    /* a file over GS_REGISTRY_MAX_BYTES is refused before it is read */
    s = calloc(1, (size_t)GS_REGISTRY_MAX_BYTES + 1);
    assert_non_null(s);
    assert_int_equal(gs_registry_load_mem(r, s, (size_t)GS_REGISTRY_MAX_BYTES + 1, &err),
                     GS_ETOOBIG);
    assert_string_equal(err.msg, "registry: larger than 64 MiB");
    free(s);
    gs_registry_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_utf8),
        cmocka_unit_test(test_valid_bom),
        cmocka_unit_test(test_valid_gbk),
        cmocka_unit_test(test_not_text),
        cmocka_unit_test(test_damaged_utf8),
        cmocka_unit_test(test_reordered_extras),
        cmocka_unit_test(test_chinese_header),
        cmocka_unit_test(test_weak_alias),
        cmocka_unit_test(test_header_problems),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_ragged),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_empty_and_header_only),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_nul_and_truncated),
        cmocka_unit_test(test_ceilings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
