/* gs_report_recheck.c -- recheck.md, recheck.csv and the terminal tables of a re-check
 * (整改复核), from the previous sweep's model and the re-check's (gs_report_recheck.h).
 *
 * Both models are compared once into a list of the previous sweep's 不合格 targets with
 * their re-check row and result; every writer reads that list, so the files and the tables
 * of one call agree. The evidence of a code is listed in (url, evidence) order, so that
 * re-checks of unchanged pages give the same text. The wording follows the notices'
 * 问题整改情况 paragraphs (“经复查，……仍未按要求完成整改”). */
#include "gs_report_recheck.h"
#include "gs_buf.h"
#include "gs_finding.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Names in one sentence of 一、总体情况 before "等N家". */
#define NAMES_MAX 10

/* What the re-check says about a previous 不合格 target. */
typedef enum {
    R_FIXED = 0,  /* 合格 now */
    R_OPEN,       /* a previous veto code is raised again */
    R_NEW,        /* only veto codes the previous sweep did not raise */
    R_UNVERIFIED, /* no verdict in the re-check */
} result_t;

static const char *const result_name[] = {"已整改", "仍未整改", "原问题已整改、发现新问题",
                                          "未能复核"};

typedef struct item {
    const gs_report_row_t *prev, *cur; /* cur NULL when the re-check lacks the target */
    result_t result;
    const char *reason; /* why 未能复核 */
} item_t;

typedef struct cmp {
    const gs_report_t *prev, *cur;
    item_t *items;
    size_t n;
    size_t *fixed; /* per previous region: [2 * i] sites, [2 * i + 1] accounts 已整改 */
} cmp_t;

/* The measure word of the notices: 网站 家, 政务新媒体 个. */
static const char *measure(gs_kind_t k)
{
    return k == GS_KIND_ACCOUNT ? "个" : "家";
}

static int by_id(const void *a, const void *b)
{
    const gs_report_row_t *x = *(const gs_report_row_t *const *)a;
    const gs_report_row_t *y = *(const gs_report_row_t *const *)b;
    return strcmp(x->id, y->id);
}

/* The next code of a "A,B,C" list into out; false at the end. */
static bool next_code(const char **p, char *out, size_t outlen)
{
    while (**p == ',')
        (*p)++;
    if (!**p)
        return false;
    size_t len = strcspn(*p, ",");
    size_t n = len < outlen - 1 ? len : outlen - 1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += len;
    return true;
}

static bool has_code(const char *list, const char *code)
{
    char c[GS_CODE_MAX * 2];
    const char *p = list;
    while (next_code(&p, c, sizeof(c)))
        if (!strcmp(c, code))
            return true;
    return false;
}

static void cmp_free(cmp_t *c)
{
    free(c->items);
    free(c->fixed);
    memset(c, 0, sizeof(*c));
}

static int cmp_build(cmp_t *c, const gs_report_t *prev, const gs_report_t *cur)
{
    memset(c, 0, sizeof(*c));
    if (!prev || !cur)
        return GS_EINVAL;
    c->prev = prev;
    c->cur = cur;
    size_t np = gs_report_nrows(prev), nc = gs_report_nrows(cur), ng = gs_report_nregions(prev);
    const gs_report_row_t **idx = malloc((nc ? nc : 1) * sizeof(*idx));
    c->items = malloc((np ? np : 1) * sizeof(*c->items));
    c->fixed = calloc(2 * (ng ? ng : 1), sizeof(*c->fixed));
    if (!idx || !c->items || !c->fixed) {
        free(idx);
        cmp_free(c);
        return GS_ENOMEM;
    }
    for (size_t i = 0; i < nc; i++)
        idx[i] = gs_report_row(cur, i);
    qsort(idx, nc, sizeof(*idx), by_id);
    for (size_t i = 0; i < np; i++) {
        const gs_report_row_t *p = gs_report_row(prev, i);
        if (p->status != GS_REPORT_FAIL)
            continue;
        item_t *it = &c->items[c->n++];
        gs_report_row_t key;
        memset(&key, 0, sizeof(key));
        key.id = p->id;
        const gs_report_row_t *kp = &key;
        const gs_report_row_t **hit = bsearch(&kp, idx, nc, sizeof(*idx), by_id);
        it->prev = p;
        it->cur = hit ? *hit : NULL;
        it->reason = "";
        const gs_report_row_t *q = it->cur;
        if (!q) {
            it->result = R_UNVERIFIED;
            it->reason = "复核检查未包含该对象";
        } else if (!q->has_result || q->status == GS_REPORT_UNCHECKED) {
            it->result = R_UNVERIFIED;
            it->reason = q->reason[0] ? q->reason : "复核检查尚无该对象的结果";
        } else if (q->status == GS_REPORT_PASS) {
            it->result = R_FIXED;
            if (p->region_index < ng)
                c->fixed[2 * p->region_index + (p->kind == GS_KIND_ACCOUNT)]++;
        } else {
            it->result = R_NEW;
            char code[GS_CODE_MAX * 2];
            const char *s = p->veto_codes;
            while (next_code(&s, code, sizeof(code)))
                if (has_code(q->veto_codes, code))
                    it->result = R_OPEN;
        }
    }
    free(idx);
    return 0;
}

static int by_url_evidence(const void *a, const void *b)
{
    const gs_report_finding_t *x = *(const gs_report_finding_t *const *)a;
    const gs_report_finding_t *y = *(const gs_report_finding_t *const *)b;
    int c = strcmp(x->url, y->url);
    return c ? c : strcmp(x->evidence, y->evidence);
}

/* The evidence sentences of row's veto findings with code, "；"-separated, into b; the url
 * of the first into *url. They are taken in (url, evidence) order rather than stored
 * order: a worker stores a site's findings in the order its pages arrived, which differs
 * from sweep to sweep, and a re-check compares two sweeps. */
static void evidence_of(const gs_report_row_t *row, const char *code, gs_buf_t *b, const char **url)
{
    *url = "";
    if (!row || !row->findings_len)
        return;
    const gs_report_finding_t **fs = malloc(row->findings_len * sizeof(*fs));
    if (!fs)
        return; /* out of memory: the cell stays empty */
    size_t n = 0;
    for (size_t i = 0; i < row->findings_len; i++)
        if (row->findings[i].veto && !strcmp(row->findings[i].code, code))
            fs[n++] = &row->findings[i];
    qsort(fs, n, sizeof(*fs), by_url_evidence);
    if (n)
        *url = fs[0]->url;
    for (size_t i = 0; i < n; i++)
        if (fs[i]->evidence[0])
            gs_buf_printf(b, "%s%s", b->len ? "；" : "", fs[i]->evidence);
    free(fs);
}

/* A target as the notices name it: a site by its name, an account as “name”platform. */
static void display_name(const gs_report_row_t *row, gs_buf_t *b)
{
    if (row->kind == GS_KIND_ACCOUNT)
        gs_buf_printf(b, "“%s”%s", row->name, row->platform);
    else
        gs_buf_puts(b, row->name);
}

/* Counts of the previous 不合格 targets of a kind by result. */
static void tally(const cmp_t *c, gs_kind_t kind, size_t out[4], size_t *all)
{
    memset(out, 0, 4 * sizeof(*out));
    *all = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].prev->kind == kind) {
            out[c->items[i].result]++;
            (*all)++;
        }
}

/* The names of the targets of kind with result r, "、"-separated (NAMES_MAX, then 等). */
static void names_of(const cmp_t *c, gs_kind_t kind, result_t r, size_t total, gs_buf_t *b)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n && n < NAMES_MAX; i++) {
        const item_t *it = &c->items[i];
        if (it->prev->kind != kind || it->result != r)
            continue;
        if (n++)
            gs_buf_puts(b, "、");
        display_name(it->prev, b);
    }
    if (total > n)
        gs_buf_printf(b, "等%zu%s", total, measure(kind));
}

/* 一、总体情况's sentence for one kind (md: it may point at recheck.md's list 五). */
static void summary(const cmp_t *c, gs_kind_t kind, bool md, gs_buf_t *b)
{
    size_t k[4], all;
    tally(c, kind, k, &all);
    const char *noun = gs__report_kind_label(kind), *m = measure(kind);
    if (!all) {
        gs_buf_printf(b, "上次检查未发现存在突出问题的%s。", noun);
        return;
    }
    gs_buf_printf(b, "上次检查发现存在突出问题的%s%zu%s，经复核，", noun, all, m);
    const char *sep = "";
    if (k[R_FIXED]) {
        gs_buf_printf(b, "%zu%s已完成整改", k[R_FIXED], m);
        sep = "，";
    }
    if (k[R_OPEN]) {
        gs_buf_printf(b, "%s", sep);
        names_of(c, kind, R_OPEN, k[R_OPEN], b);
        gs_buf_puts(b, "仍未按要求完成整改");
        sep = "，";
    }
    if (k[R_NEW]) {
        gs_buf_printf(b, "%s", sep);
        names_of(c, kind, R_NEW, k[R_NEW], b);
        gs_buf_puts(b, "原问题已整改，但复核发现新的突出问题");
        sep = "，";
    }
    if (k[R_UNVERIFIED]) {
        gs_buf_printf(b, "%s", sep);
        names_of(c, kind, R_UNVERIFIED, k[R_UNVERIFIED], b);
        gs_buf_puts(b, md ? "未能复核（见五）" : "未能复核");
    }
    gs_buf_puts(b, "。");
}

/* Per region of the previous sweep: the figures before and after. */
typedef struct fig {
    size_t checked, before, fixed, after;
} fig_t;

static fig_t region_fig(const cmp_t *c, size_t gi, gs_kind_t kind)
{
    fig_t f;
    memset(&f, 0, sizeof(f));
    size_t ng = gs_report_nregions(c->prev);
    if (gi < ng) {
        const gs_report_region_t *g = gs_report_region(c->prev, gi);
        const gs_report_count_t *n = kind == GS_KIND_SITE ? &g->site : &g->account;
        f.checked = n->checked;
        f.before = n->problem;
        f.fixed = c->fixed[2 * gi + (kind == GS_KIND_ACCOUNT)];
    } else { /* the total */
        gs_report_count_t t = gs_report_total(c->prev, kind);
        f.checked = t.checked;
        f.before = t.problem;
        for (size_t i = 0; i < ng; i++)
            f.fixed += c->fixed[2 * i + (kind == GS_KIND_ACCOUNT)];
    }
    f.after = f.before > f.fixed ? f.before - f.fixed : 0;
    return f;
}

/* ---- recheck.csv -------------------------------------------------------------------- */

static void csv_row(FILE *fp, const gs_report_t *prev, const gs_report_row_t *row, const char *code,
                    const char *result, const char *before, const char *now, const char *url,
                    const char *reason)
{
    const char *f[] = {row->id,     row->name,
                       row->region, row->kind_name,
                       code,        code[0] ? gs_report_code_name(prev, code) : "",
                       result,      before,
                       now,         url,
                       reason};
    for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
        gs__report_csv_field(fp, f[k], k == 0);
    fputs("\r\n", fp);
}

static int write_csv(const cmp_t *c, FILE *fp)
{
    fputs("\xEF\xBB\xBF"
          "id,name,region,kind,code,code_name,result,previous_evidence,evidence,url,reason\r\n",
          fp);
    gs_buf_t before, now;
    gs_buf_init(&before, GS_REPORT_MAX_FIELD);
    gs_buf_init(&now, GS_REPORT_MAX_FIELD);
    char code[GS_CODE_MAX * 2];
    for (size_t i = 0; i < c->n; i++) {
        const item_t *it = &c->items[i];
        const char *p = it->prev->veto_codes, *url;
        while (next_code(&p, code, sizeof(code))) {
            gs_buf_reset(&before);
            gs_buf_reset(&now);
            evidence_of(it->prev, code, &before, &url);
            url = "";
            const char *res = result_name[R_UNVERIFIED];
            if (it->result != R_UNVERIFIED) {
                bool open = has_code(it->cur->veto_codes, code);
                res = open ? result_name[R_OPEN] : result_name[R_FIXED];
                if (open)
                    evidence_of(it->cur, code, &now, &url);
            }
            csv_row(fp, c->prev, it->prev, code, res, gs_buf_str(&before), gs_buf_str(&now), url,
                    it->reason);
        }
        if (it->result == R_UNVERIFIED)
            continue;
        p = it->cur->veto_codes;
        while (next_code(&p, code, sizeof(code))) {
            if (has_code(it->prev->veto_codes, code))
                continue;
            gs_buf_reset(&now);
            evidence_of(it->cur, code, &now, &url);
            csv_row(fp, c->prev, it->prev, code, "新发现问题", "", gs_buf_str(&now), url, "");
        }
    }
    gs_buf_cleanup(&before);
    gs_buf_cleanup(&now);
    return 0;
}

/* ---- recheck.md --------------------------------------------------------------------- */

static void md_compare(const cmp_t *c, FILE *fp, gs_kind_t kind)
{
    const char *noun = kind == GS_KIND_SITE ? "网站" : "政务新媒体";
    char pb[24], pa[24];
    fprintf(fp, "### %s\n\n", gs__report_kind_label(kind));
    fprintf(fp,
            "| 序号 | 单位 | 检查%s数 | 存在突出问题数（整改前） | 合格率（整改前） | 已整改数 | "
            "存在突出问题数（复核后） | 合格率（复核后） |\n"
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            noun);
    size_t ng = gs_report_nregions(c->prev);
    for (size_t i = 0; i <= ng; i++) {
        fig_t f = region_fig(c, i, kind);
        gs_report_pass_rate(f.checked, f.before, pb, sizeof(pb));
        gs_report_pass_rate(f.checked, f.after, pa, sizeof(pa));
        if (i < ng) {
            fprintf(fp, "| %zu |", i + 1);
            gs__report_md_cell(fp, gs_report_region(c->prev, i)->name);
        } else {
            fputs("| 合计 | |", fp);
        }
        fprintf(fp, " %zu | %zu | %s | %zu | %zu | %s |\n", f.checked, f.before, pb, f.fixed,
                f.after, pa);
    }
    fputc('\n', fp);
}

static void md_items(const cmp_t *c, FILE *fp)
{
    fputs("## 三、逐项复核情况\n\n", fp);
    if (!c->n) {
        fputs("无。\n\n", fp);
        return;
    }
    fputs("| 序号 | 地区/部门 | 类别 | 名称 | 标识码 | 问题 | 复核结论 | 复核发现 |\n"
          "| ---: | --- | --- | --- | --- | --- | --- | --- |\n",
          fp);
    gs_buf_t b;
    gs_buf_init(&b, GS_REPORT_MAX_FIELD);
    char code[GS_CODE_MAX * 2];
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const item_t *it = &c->items[i];
        for (int pass = 0; pass < 2; pass++) {
            /* pass 0: the previous codes; pass 1: new ones */
            if (pass == 1 && it->result == R_UNVERIFIED)
                break;
            const char *p = pass == 0 ? it->prev->veto_codes : it->cur->veto_codes;
            while (next_code(&p, code, sizeof(code))) {
                const char *res, *url;
                gs_buf_reset(&b);
                if (pass == 1) {
                    if (has_code(it->prev->veto_codes, code))
                        continue;
                    res = "新发现问题";
                    evidence_of(it->cur, code, &b, &url);
                } else if (it->result == R_UNVERIFIED) {
                    res = result_name[R_UNVERIFIED];
                    gs_buf_puts(&b, it->reason);
                } else if (has_code(it->cur->veto_codes, code)) {
                    res = result_name[R_OPEN];
                    evidence_of(it->cur, code, &b, &url);
                } else {
                    res = result_name[R_FIXED];
                    gs_buf_puts(&b, "复核未再发现该问题");
                }
                fprintf(fp, "| %zu |", ++k);
                gs__report_md_cell(fp, it->prev->region);
                gs__report_md_cell(fp, gs__report_kind_label(it->prev->kind));
                gs__report_md_cell(fp, it->prev->name);
                gs__report_md_cell(fp, it->prev->id);
                gs__report_md_cell(fp, gs_report_code_name(c->prev, code));
                gs__report_md_cell(fp, res);
                gs__report_md_cell(fp, gs_buf_str(&b));
                fputc('\n', fp);
            }
        }
    }
    gs_buf_cleanup(&b);
    fputc('\n', fp);
}

static void md_open(const cmp_t *c, FILE *fp)
{
    fputs("## 四、仍未整改名单\n\n", fp);
    gs_buf_t b;
    gs_buf_init(&b, GS_REPORT_MAX_FIELD);
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) {
        const item_t *it = &c->items[i];
        if (it->result != R_OPEN && it->result != R_NEW)
            continue;
        if (!n++)
            fputs("| 序号 | 地区/部门 | 类别 | 名称 | 标识码 | 复核结论 | 复核发现的突出问题 |\n"
                  "| ---: | --- | --- | --- | --- | --- | --- |\n",
                  fp);
        gs_buf_reset(&b);
        gs_report_problem_text(c->cur, it->cur, true, &b);
        fprintf(fp, "| %zu |", n);
        gs__report_md_cell(fp, it->prev->region);
        gs__report_md_cell(fp, gs__report_kind_label(it->prev->kind));
        gs__report_md_cell(fp, it->prev->name);
        gs__report_md_cell(fp, it->prev->id);
        gs__report_md_cell(fp, result_name[it->result]);
        gs__report_md_cell(fp, gs_buf_str(&b));
        fputc('\n', fp);
    }
    gs_buf_cleanup(&b);
    fputs(n ? "\n" : "无。\n\n", fp);
}

static void md_unverified(const cmp_t *c, FILE *fp)
{
    fputs("## 五、未能复核名单\n\n", fp);
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) {
        const item_t *it = &c->items[i];
        if (it->result != R_UNVERIFIED)
            continue;
        if (!n++)
            fputs("| 序号 | 地区/部门 | 类别 | 名称 | 标识码 | 原因 |\n"
                  "| ---: | --- | --- | --- | --- | --- |\n",
                  fp);
        fprintf(fp, "| %zu |", n);
        gs__report_md_cell(fp, it->prev->region);
        gs__report_md_cell(fp, gs__report_kind_label(it->prev->kind));
        gs__report_md_cell(fp, it->prev->name);
        gs__report_md_cell(fp, it->prev->id);
        gs__report_md_cell(fp, it->reason);
        fputc('\n', fp);
    }
    fputs(n ? "\n" : "无。\n\n", fp);
}

static int write_md(const cmp_t *c, FILE *fp)
{
    const gs_report_t *prev = c->prev, *cur = c->cur;
    const char *pref = gs_report_reference_time(prev), *cref = gs_report_reference_time(cur);
    size_t pending = 0;
    for (size_t i = 0; i < gs_report_nrows(cur); i++)
        pending += !gs_report_row(cur, i)->has_result;
    fprintf(fp, "# 整改复核情况（%s）\n\n", gs_report_sweep(cur));
    fprintf(fp, "- 上次检查批次：%s（监测时间点 %s）\n", gs_report_sweep(prev),
            pref[0] ? pref : "未记录");
    fprintf(fp, "- 复核检查批次：%s（监测时间点 %s）\n", gs_report_sweep(cur),
            cref[0] ? cref : "未记录");
    if (gs_report_complete(cur))
        fputs("- 复核状态：已完成\n\n", fp);
    else
        fprintf(fp, "- 复核状态：未完成（%zu个对象尚无复核结果，列为未能复核）\n\n", pending);
    fputs("## 一、总体情况\n\n", fp);
    gs_buf_t b;
    gs_buf_init(&b, GS_REPORT_MAX_FIELD);
    summary(c, GS_KIND_SITE, true, &b);
    fprintf(fp, "%s\n\n", gs_buf_str(&b));
    gs_buf_reset(&b);
    summary(c, GS_KIND_ACCOUNT, true, &b);
    fprintf(fp, "%s\n\n", gs_buf_str(&b));
    gs_buf_cleanup(&b);
    fputs("## 二、整改前后对比\n\n", fp);
    md_compare(c, fp, GS_KIND_SITE);
    md_compare(c, fp, GS_KIND_ACCOUNT);
    fputs("注：检查数为上次检查已完成检查的对象数；复核后存在突出问题数 = 整改前数 − "
          "已整改数（仍未整改、发现新问题和未能复核的对象仍计为存在突出问题）；合格率 = "
          "（检查数 − 存在突出问题数）/ 检查数。\n\n",
          fp);
    md_items(c, fp);
    md_open(c, fp);
    md_unverified(c, fp);
    return 0;
}

/* ---- files -------------------------------------------------------------------------- */

typedef int (*writer_fn)(const cmp_t *c, FILE *fp);

/* dir/name through dir/name.tmp, flushed to disk, then renamed: old file or new, never a
 * mix. */
static int write_atomic(const cmp_t *c, const char *dir, const char *name, writer_fn fn,
                        gs_err_t *err)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name) >= sizeof(tmp))
        return gs_err_set(err, GS_EINVAL, "output path too long in %.100s", dir);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return gs_err_set(err, GS_EIO, "cannot write %s: %s", tmp, strerror(errno));
    int rc = fn(c, fp);
    int bad = ferror(fp) || fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    int saved = errno;
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (rc == 0 && bad)
        rc = gs_err_set(err, GS_EIO, "cannot write %s: %s", tmp, strerror(saved));
    else if (rc < 0)
        gs_err_set(err, rc, "cannot write %s: %s", tmp, gs_strerror(rc));
    if (rc == 0 && rename(tmp, path) < 0)
        rc = gs_err_set(err, GS_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc < 0)
        unlink(tmp);
    return rc;
}

int gs_report_recheck_write_dir(const gs_report_t *prev, const gs_report_t *cur, const char *dir,
                                gs_err_t *err)
{
    cmp_t c;
    int rc = cmp_build(&c, prev, cur);
    if (rc < 0)
        return gs_err_set(err, rc, "cannot compare the sweeps: %s", gs_strerror(rc));
    rc = gs__report_mkdir_p(dir, err);
    if (rc == 0)
        rc = write_atomic(&c, dir, "recheck.md", write_md, err);
    if (rc == 0)
        rc = write_atomic(&c, dir, "recheck.csv", write_csv, err);
    cmp_free(&c);
    return rc;
}

int gs_report_recheck_write_md(const gs_report_t *prev, const gs_report_t *cur, FILE *fp)
{
    cmp_t c;
    int rc = fp ? cmp_build(&c, prev, cur) : GS_EINVAL;
    if (rc == 0) {
        rc = write_md(&c, fp);
        cmp_free(&c);
    }
    return rc;
}

int gs_report_recheck_write_csv(const gs_report_t *prev, const gs_report_t *cur, FILE *fp)
{
    cmp_t c;
    int rc = fp ? cmp_build(&c, prev, cur) : GS_EINVAL;
    if (rc == 0) {
        rc = write_csv(&c, fp);
        cmp_free(&c);
    }
    return rc;
}

/* ---- terminal tables ---------------------------------------------------------------- */

static void put_cell(FILE *fp, const char *s, size_t width, bool right)
{
    size_t w = gs_report_text_width(s), pad = width > w ? width - w : 0;
    if (right)
        fprintf(fp, "%*s", (int)pad, "");
    for (const char *p = s; *p; p++)
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, fp);
    if (!right)
        fprintf(fp, "%*s", (int)pad, "");
}

static void print_compare(const cmp_t *c, FILE *fp, gs_kind_t kind)
{
    enum { NC = 8, W = 200 };
    static const char *const head[NC] = {"序号",         "单位",         "检查数",
                                         "整改前问题数", "整改前合格率", "已整改数",
                                         "复核后问题数", "复核后合格率"};
    size_t ng = gs_report_nregions(c->prev), width[NC];
    for (size_t k = 0; k < NC; k++)
        width[k] = gs_report_text_width(head[k]);
    char cell[NC][W];
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t k = 0; k < NC; k++) {
                if (k)
                    fputs("  ", fp);
                put_cell(fp, head[k], k == NC - 1 ? 0 : width[k], false);
            }
            fputc('\n', fp);
        }
        for (size_t i = 0; i <= ng; i++) {
            fig_t f = region_fig(c, i, kind);
            if (i < ng) {
                snprintf(cell[0], W, "%zu", i + 1);
                snprintf(cell[1], W, "%.190s", gs_report_region(c->prev, i)->name);
            } else {
                snprintf(cell[0], W, "合计");
                cell[1][0] = '\0';
            }
            snprintf(cell[2], W, "%zu", f.checked);
            snprintf(cell[3], W, "%zu", f.before);
            gs_report_pass_rate(f.checked, f.before, cell[4], W);
            snprintf(cell[5], W, "%zu", f.fixed);
            snprintf(cell[6], W, "%zu", f.after);
            gs_report_pass_rate(f.checked, f.after, cell[7], W);
            for (size_t k = 0; k < NC; k++) {
                if (pass == 0) {
                    size_t w = gs_report_text_width(cell[k]);
                    width[k] = w > width[k] ? w : width[k];
                    continue;
                }
                if (k)
                    fputs("  ", fp);
                put_cell(fp, cell[k], width[k], k != 1);
            }
            if (pass == 1)
                fputc('\n', fp);
        }
    }
}

static void print_list(const cmp_t *c, FILE *fp, gs_kind_t kind, bool open)
{
    size_t n = 0, total = 0;
    for (size_t i = 0; i < c->n; i++) {
        const item_t *it = &c->items[i];
        total += it->prev->kind == kind &&
                 (open ? it->result == R_OPEN || it->result == R_NEW : it->result == R_UNVERIFIED);
    }
    if (!total)
        return;
    fprintf(fp, "%s%s（%zu%s）：\n", open ? "仍未整改的" : "未能复核的",
            gs__report_kind_label(kind), total, measure(kind));
    gs_buf_t b;
    gs_buf_init(&b, GS_REPORT_MAX_FIELD);
    for (size_t i = 0; i < c->n && n < GS_REPORT_RECHECK_PRINT_MAX; i++) {
        const item_t *it = &c->items[i];
        bool want = open ? it->result == R_OPEN || it->result == R_NEW : it->result == R_UNVERIFIED;
        if (it->prev->kind != kind || !want)
            continue;
        gs_buf_reset(&b);
        if (open)
            gs_report_problem_text(c->cur, it->cur, false, &b);
        else
            gs_buf_puts(&b, it->reason);
        fprintf(fp, "  %zu. ", ++n);
        put_cell(fp, it->prev->region, 0, false);
        fputs("  ", fp);
        put_cell(fp, it->prev->name, 0, false);
        fprintf(fp, "（%s）：", it->prev->id);
        put_cell(fp, gs_buf_str(&b), 0, false);
        fputc('\n', fp);
    }
    gs_buf_cleanup(&b);
    if (total > n)
        fprintf(fp, "  ……另有%zu%s，见 recheck.md\n", total - n, measure(kind));
}

int gs_report_recheck_print(const gs_report_t *prev, const gs_report_t *cur, FILE *fp)
{
    cmp_t c;
    int rc = fp ? cmp_build(&c, prev, cur) : GS_EINVAL;
    if (rc < 0)
        return rc;
    const char *ref = gs_report_reference_time(cur);
    fprintf(fp, "整改复核 %s（上次检查 %s），监测时间点 %s%s\n\n", gs_report_sweep(cur),
            gs_report_sweep(prev), ref[0] ? ref : "未记录",
            gs_report_complete(cur) ? "" : "（复核未完成）");
    gs_buf_t b;
    gs_buf_init(&b, GS_REPORT_MAX_FIELD);
    static const gs_kind_t kinds[2] = {GS_KIND_SITE, GS_KIND_ACCOUNT};
    for (size_t k = 0; k < 2; k++) {
        fprintf(fp, "%s整改前后对比\n", gs__report_kind_label(kinds[k]));
        print_compare(&c, fp, kinds[k]);
        gs_buf_reset(&b);
        summary(&c, kinds[k], false, &b);
        fprintf(fp, "%s\n", gs_buf_str(&b));
        print_list(&c, fp, kinds[k], true);
        print_list(&c, fp, kinds[k], false);
        fputc('\n', fp);
    }
    gs_buf_cleanup(&b);
    cmp_free(&c);
    fflush(fp);
    return ferror(fp) ? GS_EIO : 0;
}
