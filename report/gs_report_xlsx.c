/* gs_report_xlsx.c -- report.xlsx: the notice's attachments as a workbook (libxlsxwriter).
 *
 * One sheet per attachment -- 附件1 the websites per region, 附件2 the new media per
 * region (both with the 合计 row and 合格率), 附件3 and 附件4 the problem lists, 附件5 the
 * 未检查 targets -- and a 全部发现 sheet with every finding, for the office that edits the
 * notice in Excel or WPS. Each sheet has a title row and a bold, bordered header row,
 * frozen so they stay in view; counts and percentages are numbers (percentages with the
 * 0.00% format), never text, so they can be summed and sorted; column widths come from
 * the contents, CJK characters counting two. Each sheet is filled twice by the same
 * function: once measuring the columns, once writing, so widths and cells cannot
 * disagree. The workbook is written in libxlsxwriter's constant-memory mode (rows go to a
 * temporary file in the output directory as they are written), and its creation time is
 * the sweep's reference time, so the same model gives the same bytes. It reads only the
 * model, never Redis. */
#include "gs_report.h"
#include "gs_date.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Excel's ceiling on one cell's text (libxlsxwriter counts it in bytes). */
#define CELL_MAX 32767
/* Columns of the widest sheet. */
#define MAX_COLS 12
/* Excel's paper size code for A4. */
#define PAPER_A4 9
/* The workbook's creation time when the sweep has no reference time: a fixed date (the
 * zip format's epoch), never the clock, so the output stays reproducible. */
#define CREATED_UNKNOWN 315532800
/* A problem cell's text (the long form, as report.md's lists), before the cell cut. */
#define PROBLEM_MAX (256u * 1024)

/* The formats of the workbook (owned by it). */
typedef struct fmts {
    lxw_format *title, *head, *text, *num, *pct, *total_text, *total_num, *total_pct, *note;
} fmts_t;

/* A column: its header and the bounds of its width in Excel's character units. */
typedef struct col {
    const char *head;
    double min, max;
} col_t;

/* One sheet being measured (ws NULL) or written. */
typedef struct xs {
    lxw_worksheet *ws;
    const fmts_t *f;
    size_t ncols;
    double width[MAX_COLS]; /* widest cell seen per column, in display columns */
    lxw_row_t row;          /* the row being filled */
    lxw_error err;          /* the first libxlsxwriter error */
    char *cut;              /* CELL_MAX + 1 bytes for a cut cell */
} xs_t;

enum { SH_SITE, SH_ACCOUNT, SH_PROBLEM_SITE, SH_PROBLEM_ACCOUNT, SH_UNCHECKED, SH_FINDINGS, SH_N };

static const char *const SHEET_NAME[SH_N] = {"附件1 网站",         "附件2 新媒体",
                                             "附件3 问题网站名单", "附件4 问题新媒体名单",
                                             "附件5 未检查",       "全部发现"};

static const col_t COLS_SITE[] = {{"序号", 6, 6},
                                  {"单位", 10, 30},
                                  {"实际运行网站数", 10, 12},
                                  {"检查网站数", 10, 12},
                                  {"发现存在突出问题的网站数", 12, 14},
                                  {"占检查数比例", 12, 12},
                                  {"合格率", 10, 10}};
static const col_t COLS_ACCOUNT[] = {{"序号", 6, 6},
                                     {"单位", 10, 30},
                                     {"实际运行政务新媒体数", 12, 14},
                                     {"检查政务新媒体数", 12, 14},
                                     {"发现存在突出问题的政务新媒体数", 14, 16},
                                     {"占检查数比例", 12, 12},
                                     {"合格率", 10, 10}};
static const col_t COLS_PROBLEM_SITE[] = {{"序号", 6, 6},
                                          {"地区/部门", 10, 24},
                                          {"网站名称", 14, 40},
                                          {"网站标识码", 12, 14},
                                          {"存在的突出问题", 30, 80}};
static const col_t COLS_PROBLEM_ACCOUNT[] = {{"序号", 6, 6},           {"市州/部门", 10, 24},
                                             {"账号名称", 14, 36},     {"存在的突出问题", 30, 80},
                                             {"开设主体名称", 14, 36}, {"账号平台", 10, 16},
                                             {"新媒体标识码", 18, 20}};
static const col_t COLS_UNCHECKED[] = {{"序号", 6, 6},     {"地区/部门", 10, 24},
                                       {"类别", 10, 12},   {"名称", 14, 40},
                                       {"标识码", 12, 20}, {"未检查原因", 20, 70}};
static const col_t COLS_FINDINGS[] = {{"序号", 6, 8},   {"地区/部门", 10, 24}, {"类别", 10, 12},
                                      {"名称", 14, 36}, {"标识码", 12, 20},    {"问题代码", 12, 18},
                                      {"问题", 10, 24}, {"单项否决", 8, 8},    {"证据", 30, 70},
                                      {"页面", 30, 60}, {"详情", 20, 60}};

static const struct {
    const col_t *cols;
    size_t ncols;
} SHEET_COLS[SH_N] = {
    {COLS_SITE, sizeof(COLS_SITE) / sizeof(COLS_SITE[0])},
    {COLS_ACCOUNT, sizeof(COLS_ACCOUNT) / sizeof(COLS_ACCOUNT[0])},
    {COLS_PROBLEM_SITE, sizeof(COLS_PROBLEM_SITE) / sizeof(COLS_PROBLEM_SITE[0])},
    {COLS_PROBLEM_ACCOUNT, sizeof(COLS_PROBLEM_ACCOUNT) / sizeof(COLS_PROBLEM_ACCOUNT[0])},
    {COLS_UNCHECKED, sizeof(COLS_UNCHECKED) / sizeof(COLS_UNCHECKED[0])},
    {COLS_FINDINGS, sizeof(COLS_FINDINGS) / sizeof(COLS_FINDINGS[0])},
};

/* ---- cells ------------------------------------------------------------------------ */

static void note_err(xs_t *x, lxw_error e)
{
    if (e != LXW_NO_ERROR && x->err == LXW_NO_ERROR)
        x->err = e;
}

/* s, cut at a character boundary to fit Excel's cell ceiling (with "…" to say so). */
static const char *fit(xs_t *x, const char *s)
{
    size_t len = strlen(s);
    if (len <= CELL_MAX)
        return s;
    len = CELL_MAX - 3;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    memcpy(x->cut, s, len);
    memcpy(x->cut + len, "\xE2\x80\xA6", 4);
    return x->cut;
}

static void measure(xs_t *x, lxw_col_t c, double w)
{
    if (c < x->ncols && w > x->width[c])
        x->width[c] = w;
}

static void put_str(xs_t *x, lxw_col_t c, const char *s, lxw_format *f)
{
    s = fit(x, s);
    if (!x->ws) {
        /* a long cell wraps: the column's maximum width bounds what it asks for */
        measure(x, c, (double)gs_report_text_width(s));
        return;
    }
    note_err(x, s[0] ? worksheet_write_string(x->ws, x->row, c, s, f)
                     : worksheet_write_blank(x->ws, x->row, c, f));
}

/* A number, measured as shown (digits of an integer, or "100.00%"). */
static void put_num(xs_t *x, lxw_col_t c, double v, double shown_width, lxw_format *f)
{
    if (!x->ws) {
        measure(x, c, shown_width);
        return;
    }
    note_err(x, worksheet_write_number(x->ws, x->row, c, v, f));
}

static void put_count(xs_t *x, lxw_col_t c, size_t v, lxw_format *f)
{
    char b[32];
    put_num(x, c, (double)v, (double)snprintf(b, sizeof(b), "%zu", v), f);
}

/* num/den as a percentage number, or "—" when den is 0 (nothing checked). */
static void put_ratio(xs_t *x, lxw_col_t c, size_t num, size_t den, lxw_format *pct,
                      lxw_format *text)
{
    if (den == 0)
        put_str(x, c, "—", text);
    else
        put_num(x, c, (double)num / (double)den, 8, pct);
}

static void next_row(xs_t *x)
{
    x->row++;
}

/* ---- the sheets ------------------------------------------------------------------- */

static void region_cells(xs_t *x, const gs_report_count_t *c, int total)
{
    const fmts_t *f = x->f;
    lxw_format *num = total ? f->total_num : f->num, *pct = total ? f->total_pct : f->pct;
    lxw_format *text = total ? f->total_text : f->text;
    put_count(x, 2, c->actual, num);
    put_count(x, 3, c->checked, num);
    put_count(x, 4, c->problem, num);
    put_ratio(x, 5, c->problem, c->checked, pct, text);
    put_ratio(x, 6, c->problem < c->checked ? c->checked - c->problem : 0, c->checked, pct, text);
}

static void fill_regions(xs_t *x, const gs_report_t *rep, gs_kind_t kind)
{
    const fmts_t *f = x->f;
    for (size_t i = 0; i < gs_report_nregions(rep); i++, next_row(x)) {
        const gs_report_region_t *g = gs_report_region(rep, i);
        put_count(x, 0, i + 1, f->num);
        put_str(x, 1, g->name, f->text);
        region_cells(x, kind == GS_KIND_SITE ? &g->site : &g->account, 0);
    }
    gs_report_count_t t = gs_report_total(rep, kind);
    put_str(x, 0, "合计", f->total_text);
    put_str(x, 1, "", f->total_text);
    region_cells(x, &t, 1);
    next_row(x);
    next_row(x);
    const char *noun = kind == GS_KIND_SITE ? "网站" : "政务新媒体";
    char note[256];
    snprintf(note, sizeof(note),
             "注：检查%s数为已完成检查（合格或不合格）的%s数；合格率 = （检查数 − "
             "存在突出问题数）/ 检查数。",
             noun, noun);
    if (x->ws) /* a note spills over the empty cells to its right: not measured */
        put_str(x, 0, note, f->note);
}

/* The 不合格 targets of one kind; 0 or GS_ENOMEM. */
static int fill_problems(xs_t *x, const gs_report_t *rep, gs_kind_t kind, gs_buf_t *b)
{
    const fmts_t *f = x->f;
    size_t n = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        if (row->kind != kind || row->status != GS_REPORT_FAIL)
            continue;
        gs_buf_reset(b);
        int rc = gs_report_problem_text(rep, row, true, b);
        if (rc < 0)
            return rc;
        put_count(x, 0, ++n, f->num);
        put_str(x, 1, row->region, f->text);
        put_str(x, 2, row->name, f->text);
        if (kind == GS_KIND_SITE) {
            put_str(x, 3, row->id, f->text);
            put_str(x, 4, gs_buf_str(b), f->text);
        } else {
            put_str(x, 3, gs_buf_str(b), f->text);
            put_str(x, 4, row->owner, f->text);
            put_str(x, 5, row->platform, f->text);
            put_str(x, 6, row->id, f->text);
        }
        next_row(x);
    }
    if (!n)
        put_str(x, 0, "无。", f->note);
    return 0;
}

static void fill_unchecked(xs_t *x, const gs_report_t *rep)
{
    const fmts_t *f = x->f;
    size_t n = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        if (row->status != GS_REPORT_UNCHECKED)
            continue;
        put_count(x, 0, ++n, f->num);
        put_str(x, 1, row->region, f->text);
        put_str(x, 2, gs__report_kind_label(row->kind), f->text);
        put_str(x, 3, row->name, f->text);
        put_str(x, 4, row->id, f->text);
        put_str(x, 5, row->reason, f->text);
        next_row(x);
    }
    if (!n)
        put_str(x, 0, "无。", f->note);
}

static int fill_findings(xs_t *x, const gs_report_t *rep)
{
    const fmts_t *f = x->f;
    /* rows 0 and 1 are the title and the header; one more is kept for the note */
    const size_t max = LXW_ROW_MAX - 3;
    size_t n = 0, total = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        for (size_t k = 0; k < row->findings_len; k++) {
            const gs_report_finding_t *fd = &row->findings[k];
            if (total++ >= max)
                continue;
            put_count(x, 0, ++n, f->num);
            put_str(x, 1, row->region, f->text);
            put_str(x, 2, gs__report_kind_label(row->kind), f->text);
            put_str(x, 3, row->name, f->text);
            put_str(x, 4, row->id, f->text);
            put_str(x, 5, fd->code, f->text);
            put_str(x, 6, gs_report_code_name(rep, fd->code), f->text);
            put_str(x, 7, fd->veto ? "是" : "否", f->text);
            put_str(x, 8, fd->evidence, f->text);
            put_str(x, 9, fd->url, f->text);
            char *detail;
            int rc = gs__report_detail_json(fd, &detail);
            if (rc < 0)
                return rc;
            put_str(x, 10, detail, f->text);
            free(detail);
            next_row(x);
        }
    }
    if (!total) {
        put_str(x, 0, "无。", f->note);
    } else if (total > n && x->ws) {
        char note[160];
        snprintf(note, sizeof(note), "以上列出前%zu条，共%zu条；全部发现见 findings.jsonl。", n,
                 total);
        put_str(x, 0, note, f->note);
    }
    return 0;
}

/* Fill sheet `sheet` into x (measuring or writing, as x says). */
static int fill(xs_t *x, const gs_report_t *rep, int sheet, gs_buf_t *b)
{
    switch (sheet) {
    case SH_SITE:
        fill_regions(x, rep, GS_KIND_SITE);
        return 0;
    case SH_ACCOUNT:
        fill_regions(x, rep, GS_KIND_ACCOUNT);
        return 0;
    case SH_PROBLEM_SITE:
        return fill_problems(x, rep, GS_KIND_SITE, b);
    case SH_PROBLEM_ACCOUNT:
        return fill_problems(x, rep, GS_KIND_ACCOUNT, b);
    case SH_UNCHECKED:
        fill_unchecked(x, rep);
        return 0;
    default:
        return fill_findings(x, rep);
    }
}

static const char *sheet_title(int sheet)
{
    static const char *const t[SH_N] = {"附件1 全省政府网站检查情况",
                                        "附件2 全省政务新媒体检查情况",
                                        "附件3 检查发现存在突出问题的政府网站名单",
                                        "附件4 检查发现存在突出问题的政务新媒体名单",
                                        "附件5 未检查的政府网站和政务新媒体名单",
                                        "全部发现"};
    return t[sheet];
}

/* Measure, then add and write one sheet: title row, frozen header row, the cells, and
 * the print setup (A4, the header repeated on every page, one page wide). */
static int add_sheet(lxw_workbook *wb, const gs_report_t *rep, const fmts_t *f, int sheet,
                     char *cut, gs_buf_t *b, gs_err_t *err)
{
    const col_t *cols = SHEET_COLS[sheet].cols;
    size_t ncols = SHEET_COLS[sheet].ncols;
    xs_t x;
    memset(&x, 0, sizeof(x));
    x.f = f;
    x.ncols = ncols;
    x.cut = cut;
    x.row = 2;
    int rc = fill(&x, rep, sheet, b);
    if (rc < 0)
        return gs_err_set(err, rc, "report.xlsx: %s", gs_strerror(rc));
    lxw_worksheet *ws = workbook_add_worksheet(wb, SHEET_NAME[sheet]);
    if (!ws)
        return gs_err_set(err, GS_ENOMEM, "report.xlsx: cannot add sheet %s", SHEET_NAME[sheet]);
    for (size_t c = 0; c < ncols; c++) {
        double w = x.width[c] + 2;
        w = w < cols[c].min ? cols[c].min : w > cols[c].max ? cols[c].max : w;
        note_err(&x, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
    }
    worksheet_freeze_panes(ws, 2, 0);
    worksheet_set_paper(ws, PAPER_A4);
    if (ncols > 6)
        worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    note_err(&x, worksheet_repeat_rows(ws, 1, 1));
    char title[256];
    snprintf(title, sizeof(title), "%s（检查批次 %s，监测时间点 %s）", sheet_title(sheet),
             gs_report_sweep(rep),
             gs_report_reference_time(rep)[0] ? gs_report_reference_time(rep) : "未记录");
    note_err(&x, worksheet_set_row(ws, 0, 22, NULL));
    note_err(&x, worksheet_write_string(ws, 0, 0, title, f->title));
    for (size_t c = 0; c < ncols; c++)
        note_err(&x, worksheet_write_string(ws, 1, (lxw_col_t)c, cols[c].head, f->head));
    lxw_error measured = x.err;
    x.ws = ws;
    x.row = 2;
    x.err = measured;
    if ((rc = fill(&x, rep, sheet, b)) < 0)
        return gs_err_set(err, rc, "report.xlsx: %s", gs_strerror(rc));
    if (x.err != LXW_NO_ERROR)
        return gs_err_set(err, GS_EIO, "report.xlsx: sheet %s: %s", SHEET_NAME[sheet],
                          lxw_strerror(x.err));
    return 0;
}

static lxw_format *format(lxw_workbook *wb, int bold, int border, int wrap, const char *num)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    if (bold)
        format_set_bold(f);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    if (wrap)
        format_set_text_wrap(f);
    if (num)
        format_set_num_format(f, num);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    return f;
}

static int make_formats(lxw_workbook *wb, fmts_t *f)
{
    f->title = format(wb, 1, 0, 0, NULL);
    f->head = format(wb, 1, 1, 1, NULL);
    f->text = format(wb, 0, 1, 1, NULL);
    f->num = format(wb, 0, 1, 0, "0");
    f->pct = format(wb, 0, 1, 0, "0.00%");
    f->total_text = format(wb, 1, 1, 1, NULL);
    f->total_num = format(wb, 1, 1, 0, "0");
    f->total_pct = format(wb, 1, 1, 0, "0.00%");
    f->note = format(wb, 0, 0, 0, NULL);
    if (!f->title || !f->head || !f->text || !f->num || !f->pct || !f->total_text ||
        !f->total_num || !f->total_pct || !f->note)
        return GS_ENOMEM;
    format_set_font_size(f->title, 14);
    format_set_align(f->head, LXW_ALIGN_CENTER);
    format_set_align(f->head, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(f->head, 0xEEF1F5);
    format_set_align(f->total_text, LXW_ALIGN_CENTER);
    return 0;
}

/* fsync a written file, so the rename that follows publishes whole data. */
static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int gs_report_write_xlsx(const gs_report_t *rep, const char *path, gs_err_t *err)
{
    if (!rep || !path || !*path)
        return gs_err_set(err, GS_EINVAL, "report.xlsx: no report or no path");
    char tmp[PATH_MAX], dir[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
        return gs_err_set(err, GS_EINVAL, "output path too long: %.100s", path);
    /* libxlsxwriter's row files go beside the output, not into a possibly small /tmp */
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof(dir), ".");

    char *cut = malloc(CELL_MAX + 1);
    gs_buf_t b;
    gs_buf_init(&b, PROBLEM_MAX);
    if (!cut)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = dir, .use_zip64 = 0};
    int rc = 0;
    lxw_workbook *wb = workbook_new_opt(tmp, &opt);
    if (!wb) {
        free(cut);
        return gs_err_set(err, GS_EIO, "cannot create %s", tmp);
    }
    int64_t ref;
    const char *rt = gs_report_reference_time(rep);
    if (!rt[0] || gs_time_parse_reference(rt, &ref, NULL) < 0 || ref <= 0)
        ref = CREATED_UNKNOWN;
    char title[128], comments[160];
    snprintf(title, sizeof(title), "全省政府网站与政务新媒体检查情况（%s）", gs_report_sweep(rep));
    snprintf(comments, sizeof(comments), "检查批次 %s，监测时间点 %s", gs_report_sweep(rep),
             rt[0] ? rt : "未记录");
    lxw_doc_properties props = {.title = title,
                                .subject = "政府网站与政务新媒体检查",
                                .author = "govsweep",
                                .comments = comments,
                                .created = (time_t)ref};
    fmts_t f;
    if (workbook_set_properties(wb, &props) != LXW_NO_ERROR || make_formats(wb, &f) < 0)
        rc = gs_err_set(err, GS_ENOMEM, "report.xlsx: out of memory");
    for (int s = 0; s < SH_N && rc == 0; s++)
        rc = add_sheet(wb, rep, &f, s, cut, &b, err);
    /* workbook_close also frees the workbook, so it runs on the error path too */
    lxw_error e = workbook_close(wb);
    if (rc == 0 && e != LXW_NO_ERROR)
        rc = gs_err_set(err, GS_EIO, "cannot write %s: %s", tmp, lxw_strerror(e));
    free(cut);
    gs_buf_cleanup(&b);
    if (rc == 0 && sync_file(tmp) < 0)
        rc = gs_err_set(err, GS_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) < 0)
        rc = gs_err_set(err, GS_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc < 0)
        unlink(tmp);
    return rc;
}
