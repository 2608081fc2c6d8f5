/* gs_report_html.c -- report.html: the notice as one self-contained page.
 *
 * The page is what an inspection office would circulate: the title block, 一、总体情况 with
 * a bar chart of 合格率 per region drawn here as inline SVG from the counts, 二、其他问题,
 * the attachments (the two region tables with 合计 and 合格率, the problem website and
 * problem account lists, the 未检查 list) and every finding with its evidence linked to the
 * page that shows it. Everything it needs is inside the file (inline CSS, inline SVG, no
 * script, no web font), so it renders with the network off and prints on A4. Every string
 * comes from Redis and so, in the end, from the sites inspected: a hijacked page's title is
 * hostile, so each one is HTML-escaped, links are made only to http(s) URLs, and a
 * Content-Security-Policy of default-src 'none' stops anything that slipped through from
 * running or fetching. It reads only the model (gs_report.h), never Redis; the same model
 * gives the same bytes (no clock, no hash order). */
#include "gs_report.h"
#include "gs_date.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Distinct veto codes named in one problem cell (as report.md's lists). */
#define CELL_CODES_MAX 64
/* Evidence links of one code in one problem cell before "等N项". */
#define CELL_ITEMS_MAX 20
/* The chart's geometry in CSS pixels: legend band, one region's band, bar thickness,
 * plot width (100%), room for the value after a bar, axis band, label column limits and
 * the width of one terminal column of label text at the chart's 13px font. */
#define CH_LEGEND 34
#define CH_GROUP 38
#define CH_BAR 13
#define CH_PLOT 560
#define CH_VALUE 70
#define CH_AXIS 28
#define CH_LABEL_MIN 64
#define CH_LABEL_MAX 240
#define CH_COLUMN_PX 7
#define CH_SITE_FILL "#1f5fa8"
#define CH_ACCOUNT_FILL "#d9822b"

/* ---- escaping and links ------------------------------------------------------------- */

/* s as HTML text or attribute value: the five characters that can end either are
 * replaced by entities. Model strings are valid UTF-8 without control characters (the
 * loader's rule), so nothing else needs care. */
static void esc(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        case '\'':
            fputs("&#39;", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
}

/* 1 when url may be a link: http or https only, so a stored "javascript:" or "data:" URL
 * is shown as text and never followed. */
static int web_url(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/* text linked to url when url is a web URL, else text alone. The link opens apart from
 * the report and tells the inspected site nothing about it (noopener noreferrer). */
static void link_to(FILE *fp, const char *url, const char *text)
{
    if (!web_url(url)) {
        esc(fp, text);
        return;
    }
    fputs("<a href=\"", fp);
    esc(fp, url);
    fputs("\" rel=\"noopener noreferrer\" target=\"_blank\">", fp);
    esc(fp, text);
    fputs("</a>", fp);
}

/* ---- numbers ------------------------------------------------------------------------ */

/* 合格率 in hundredths of a percent, rounded as gs_report_percent rounds, so the bar and
 * the printed figure always agree; -1 when nothing was checked. */
static long pass_hundredths(size_t checked, size_t problem)
{
    if (checked == 0)
        return -1;
    uint64_t num = problem < checked ? checked - problem : 0, den = checked;
    return (long)((num * 20000 + den) / (2 * den));
}

static const gs_report_count_t *count_of(const gs_report_region_t *g, gs_kind_t kind)
{
    return kind == GS_KIND_SITE ? &g->site : &g->account;
}

/* ---- the head and the title block --------------------------------------------------- */

static const char CSS[] =
    "@page{size:A4;margin:16mm 14mm}\n"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\","
    "\"Microsoft YaHei\",\"WenQuanYi Micro Hei\",\"SimHei\",sans-serif;font-size:15px;"
    "line-height:1.6;color:#222;background:#fff;margin:0 auto;max-width:1120px;"
    "padding:24px 32px}\n"
    "header.title{text-align:center;border-bottom:3px solid #c00;padding-bottom:12px;"
    "margin-bottom:18px}\n"
    "header.title h1{font-size:26px;line-height:1.5;color:#c00;margin:10px 0}\n"
    "header.title p{margin:2px 0;color:#444}\n"
    "nav.toc{font-size:14px;margin:0 0 12px}\n"
    "nav.toc a{margin-right:1em}\n"
    "h2{font-size:19px;border-left:5px solid #c00;padding-left:8px;margin:30px 0 10px}\n"
    "p.lead{text-indent:2em}\n"
    "table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}\n"
    "th,td{border:1px solid #888;padding:4px 6px;vertical-align:top;text-align:left;"
    "overflow-wrap:anywhere;unicode-bidi:isolate}\n"
    "thead th{background:#eef1f5;text-align:center;vertical-align:middle}\n"
    "td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "tr.total th,tr.total td{font-weight:bold;background:#f7f7f7}\n"
    "tr.total th{text-align:center}\n"
    "table.list thead th,td.id,td.r{white-space:nowrap}\n"
    "ul.problems{margin:0;padding-left:1.1em}\n"
    "p.note{font-size:13px;color:#555;margin:4px 0 12px}\n"
    "figure.chart{margin:12px 0}\n"
    "figure.chart svg{max-width:100%;height:auto}\n"
    "figure.chart figcaption{font-size:13px;color:#555}\n"
    "table.findings{font-size:13px}\n"
    "span.code{color:#666;font-size:12px}\n"
    "a{color:#1a56a0}\n"
    "footer{margin-top:32px;font-size:12px;color:#777;border-top:1px solid #ccc;"
    "padding-top:8px}\n"
    "@media print{body{max-width:none;padding:0;font-size:10.5pt}nav.toc{display:none}"
    "table{font-size:9pt}table.findings{font-size:8pt}thead{display:table-header-group}"
    "tr{break-inside:avoid}h2{break-after:avoid}figure.chart{break-inside:avoid}"
    "a{color:inherit;text-decoration:none}}\n";

/* "2021年第二季度" from the reference time, into out; "" when it has none. */
static void period_of(const gs_report_t *rep, char *out, size_t outlen)
{
    static const char *const q[] = {"一", "二", "三", "四"};
    int64_t t;
    out[0] = '\0';
    const char *ref = gs_report_reference_time(rep);
    if (!ref[0] || gs_time_parse_reference(ref, &t, NULL) < 0)
        return;
    gs_ymd_t d = gs_ymd_from_unix_cst(t);
    snprintf(out, outlen, "%d年第%s季度", d.y, q[(d.m - 1) / 3 % 4]);
}

static void html_head(const gs_report_t *rep, FILE *fp, const char *period)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          fp);
    fprintf(fp, "关于%s全省政府网站与政务新媒体检查情况的通报（", period);
    esc(fp, gs_report_sweep(rep));
    fprintf(fp, "）</title>\n<style>\n%s</style>\n</head>\n<body>\n", CSS);
}

static void html_title(const gs_report_t *rep, FILE *fp, const char *period)
{
    size_t pending = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++)
        pending += !gs_report_row(rep, i)->has_result;
    const char *ref = gs_report_reference_time(rep);
    fprintf(fp,
            "<header class=\"title\">\n<h1>关于%s全省政府网站与<br>政务新媒体检查情况的通报</h1>\n"
            "<p>检查批次：",
            period);
    esc(fp, gs_report_sweep(rep));
    fputs("</p>\n<p>监测时间点：", fp);
    esc(fp, ref[0] ? ref : "未记录");
    fputs("</p>\n<p>检查状态：", fp);
    if (gs_report_complete(rep))
        fputs("已完成", fp);
    else
        fprintf(fp, "未完成（%zu个对象尚无检查结果，列入附件5）", pending);
    fputs("</p>\n</header>\n"
          "<nav class=\"toc\"><a href=\"#overall\">一、总体情况</a><a "
          "href=\"#other\">二、其他问题</a>"
          "<a href=\"#a1\">附件1</a><a href=\"#a2\">附件2</a><a href=\"#a3\">附件3</a>"
          "<a href=\"#a4\">附件4</a><a href=\"#a5\">附件5</a><a href=\"#findings\">检查发现明细</a>"
          "</nav>\n",
          fp);
}

/* ---- 一、总体情况 and the chart ------------------------------------------------------- */

/* The summary sentence of one kind, worded as report.md's. */
static void html_summary(FILE *fp, gs_report_count_t t, const char *noun, const char *problem_noun)
{
    char rate[24];
    if (t.actual == 0) {
        fprintf(fp, "<p class=\"lead\">本次检查未包含%s。</p>\n", noun);
        return;
    }
    gs_report_pass_rate(t.checked, t.problem, rate, sizeof(rate));
    fprintf(fp, "<p class=\"lead\">对全省正常运行的%zu家%s进行检查，共检查%s%zu家", t.actual, noun,
            noun, t.checked);
    if (t.unchecked)
        fprintf(fp, "（%zu家未检查，见<a href=\"#a5\">附件5</a>）", t.unchecked);
    if (t.problem)
        fprintf(fp, "，发现存在突出问题%s%zu家", problem_noun, t.problem);
    else
        fprintf(fp, "，未发现存在突出问题%s", problem_noun);
    fprintf(fp, "，总体合格率%s。</p>\n", rate);
}

/* One bar of the chart (or "未检查" when nothing of the kind was checked there). */
static void chart_bar(FILE *fp, const char *region, const char *noun, const char *fill,
                      const gs_report_count_t *c, int label_w, int y)
{
    long h = pass_hundredths(c->checked, c->problem);
    if (c->actual == 0)
        return; /* no target of the kind in the region: nothing to show */
    if (h < 0) {
        fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#888\">%s未检查</text>\n",
                label_w + 4, y + CH_BAR - 2, noun);
        return;
    }
    char pct[24];
    gs_report_pass_rate(c->checked, c->problem, pct, sizeof(pct));
    int w = (int)(h * CH_PLOT / 10000);
    fprintf(fp,
            "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
            "<title>",
            label_w, y, w, CH_BAR, fill);
    esc(fp, region);
    fprintf(fp, " %s合格率 %s</title></rect>\n", noun, pct);
    fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#333\">%s</text>\n",
            label_w + w + 4, y + CH_BAR - 2, pct);
}

/* One region's band: the name on the left (squeezed when too long), then the bars. */
static void chart_group(FILE *fp, const char *name, const gs_report_count_t *site,
                        const gs_report_count_t *account, int label_w, int y, int bold)
{
    int tw = (int)gs_report_text_width(name) * CH_COLUMN_PX;
    fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\" fill=\"#222\"%s",
            label_w - 8, y + CH_GROUP / 2 + 4, bold ? " font-weight=\"bold\"" : "");
    if (tw > label_w - 12)
        fprintf(fp, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"", label_w - 12);
    fputc('>', fp);
    esc(fp, name);
    fputs("</text>\n", fp);
    chart_bar(fp, name, "政府网站", CH_SITE_FILL, site, label_w, y + 5);
    chart_bar(fp, name, "政务新媒体", CH_ACCOUNT_FILL, account, label_w, y + 7 + CH_BAR);
}

/* 合格率 per region as a horizontal bar chart, two bars (websites, new media) per
 * region and a 合计 band last; 0-100% on a fixed scale so that charts of two quarters
 * compare at a glance. */
static void html_chart(const gs_report_t *rep, FILE *fp)
{
    size_t nreg = gs_report_nregions(rep);
    size_t shown = nreg < GS_REPORT_HTML_MAX_CHART ? nreg : GS_REPORT_HTML_MAX_CHART;
    int label_w = CH_LABEL_MIN;
    for (size_t i = 0; i < shown; i++) {
        int w = (int)gs_report_text_width(gs_report_region(rep, i)->name) * CH_COLUMN_PX + 16;
        if (w > label_w)
            label_w = w < CH_LABEL_MAX ? w : CH_LABEL_MAX;
    }
    int width = label_w + CH_PLOT + CH_VALUE;
    int height = CH_LEGEND + (int)(shown + 1) * CH_GROUP + CH_AXIS;
    int bottom = height - CH_AXIS;
    fprintf(fp,
            "<figure class=\"chart\">\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart-pass-rate\" role=\"img\" "
            "aria-labelledby=\"chart-title\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
            "<title id=\"chart-title\">各地区政府网站和政务新媒体合格率</title>\n"
            "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
            width, height, width, height, width, height);
    /* legend */
    fprintf(fp,
            "<rect x=\"%d\" y=\"8\" width=\"14\" height=\"14\" fill=\"%s\"/>"
            "<text x=\"%d\" y=\"20\" font-size=\"13\" fill=\"#222\">政府网站</text>\n"
            "<rect x=\"%d\" y=\"8\" width=\"14\" height=\"14\" fill=\"%s\"/>"
            "<text x=\"%d\" y=\"20\" font-size=\"13\" fill=\"#222\">政务新媒体</text>\n",
            label_w, CH_SITE_FILL, label_w + 20, label_w + 100, CH_ACCOUNT_FILL, label_w + 120);
    /* grid and axis, every 25% */
    for (int p = 0; p <= 100; p += 25) {
        int x = label_w + p * CH_PLOT / 100;
        fprintf(fp,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1\"/>"
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\" "
                "fill=\"#555\">%d%%</text>\n",
                x, CH_LEGEND - 4, x, bottom, p == 0 ? "#888" : "#ddd", x, bottom + 16, p);
    }
    for (size_t i = 0; i < shown; i++) {
        const gs_report_region_t *g = gs_report_region(rep, i);
        chart_group(fp, g->name, &g->site, &g->account, label_w, CH_LEGEND + (int)i * CH_GROUP, 0);
    }
    gs_report_count_t ts = gs_report_total(rep, GS_KIND_SITE);
    gs_report_count_t ta = gs_report_total(rep, GS_KIND_ACCOUNT);
    chart_group(fp, "合计", &ts, &ta, label_w, CH_LEGEND + (int)shown * CH_GROUP, 1);
    fputs("</svg>\n<figcaption>图1 各地区政府网站和政务新媒体合格率（合格率 = （检查数 − "
          "存在突出问题数）/ 检查数",
          fp);
    if (nreg > shown)
        fprintf(fp, "；图中列出前%zu个地区，其余%zu个见附件1、附件2", shown, nreg - shown);
    fputs("）</figcaption>\n</figure>\n", fp);
}

/* ---- 二、其他问题 ------------------------------------------------------------------- */

static void html_other(const gs_report_t *rep, FILE *fp)
{
    fputs("<section id=\"other\">\n<h2>二、其他问题</h2>\n", fp);
    size_t n = 0;
    for (size_t i = 0; i < gs_report_ncodes(rep); i++) {
        const gs_report_code_t *c = gs_report_code(rep, i);
        if (!c->other)
            continue;
        if (n++ == 0)
            fputs("<p>检查还发现以下不构成单项否决的问题（逐条见<a href=\"#findings\">"
                  "检查发现明细</a>）：</p>\n<table id=\"t-other\">\n<thead><tr><th>序号</th>"
                  "<th>问题代码</th><th>问题</th><th>发现数</th><th>涉及对象数</th></tr></thead>"
                  "\n<tbody>\n",
                  fp);
        fprintf(fp, "<tr><td class=\"n\">%zu</td><td>", n);
        esc(fp, c->code);
        fputs("</td><td>", fp);
        esc(fp, c->name);
        fprintf(fp, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n", c->other,
                c->other_targets);
    }
    fputs(n ? "</tbody>\n</table>\n</section>\n" : "<p>未发现其他问题。</p>\n</section>\n", fp);
}

/* ---- 附件1 / 附件2 ----------------------------------------------------------------- */

static void region_cells(FILE *fp, const gs_report_count_t *c)
{
    char pct[24], rate[24];
    gs_report_percent(c->problem, c->checked, pct, sizeof(pct));
    gs_report_pass_rate(c->checked, c->problem, rate, sizeof(rate));
    fprintf(fp,
            "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
            "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
            c->actual, c->checked, c->problem, pct, rate);
}

static void html_region_table(const gs_report_t *rep, FILE *fp, gs_kind_t kind, const char *id,
                              const char *title, const char *noun)
{
    fprintf(fp,
            "<section id=\"%s\">\n<h2>%s</h2>\n<table id=\"t-%s\" class=\"regions\">\n"
            "<thead><tr><th>序号</th><th>单位</th><th>实际运行%s数</th><th>检查%s数</th>"
            "<th>发现存在突出问题的%s数</th><th>占检查数比例</th><th>合格率</th></tr></thead>\n"
            "<tbody>\n",
            id, title, kind == GS_KIND_SITE ? "site" : "account", noun, noun, noun);
    for (size_t i = 0; i < gs_report_nregions(rep); i++) {
        const gs_report_region_t *g = gs_report_region(rep, i);
        fprintf(fp, "<tr><td class=\"n\">%zu</td><td>", i + 1);
        esc(fp, g->name);
        fputs("</td>", fp);
        region_cells(fp, count_of(g, kind));
    }
    gs_report_count_t t = gs_report_total(rep, kind);
    fputs("</tbody>\n<tfoot><tr class=\"total\"><th colspan=\"2\">合计</th>", fp);
    region_cells(fp, &t);
    char rate[24];
    gs_report_pass_rate(t.checked, t.problem, rate, sizeof(rate));
    fprintf(fp,
            "</tfoot>\n</table>\n<p class=\"note\">注：检查%s数为已完成检查（合格或不合格）的%s数；"
            "合格率 = （检查数 − 存在突出问题数）/ 检查数，全省合格率 %s。</p>\n</section>\n",
            noun, noun, rate);
}

/* ---- 附件3 / 附件4 ----------------------------------------------------------------- */

/* The 存在的突出问题 cell: each veto code's name with its evidence, each piece of evidence a
 * link to the page that shows it. Unreadable findings: the names from veto_codes. */
static void problem_cell(const gs_report_t *rep, FILE *fp, const gs_report_row_t *row)
{
    const char *codes[CELL_CODES_MAX];
    size_t nc = 0;
    for (size_t i = 0; i < row->findings_len && nc < CELL_CODES_MAX; i++) {
        const gs_report_finding_t *f = &row->findings[i];
        if (!f->veto || !f->code[0])
            continue;
        size_t k = 0;
        while (k < nc && strcmp(codes[k], f->code) != 0)
            k++;
        if (k == nc)
            codes[nc++] = f->code;
    }
    if (nc == 0) {
        gs_buf_t b;
        gs_buf_init(&b, 64u * 1024);
        gs_report_problem_text(rep, row, false, &b);
        esc(fp, gs_buf_str(&b));
        gs_buf_cleanup(&b);
        return;
    }
    fputs("<ul class=\"problems\">", fp);
    for (size_t k = 0; k < nc; k++) {
        fputs("<li><b>", fp);
        esc(fp, gs_report_code_name(rep, codes[k]));
        fputs("</b>", fp);
        size_t shown = 0, total = 0;
        for (size_t i = 0; i < row->findings_len; i++) {
            const gs_report_finding_t *f = &row->findings[i];
            if (!f->veto || strcmp(f->code, codes[k]) != 0)
                continue;
            total++;
            if (shown >= CELL_ITEMS_MAX)
                continue;
            fputs(shown++ ? "；" : "：", fp);
            link_to(fp, f->url, f->evidence[0] ? f->evidence : f->url);
        }
        if (total > shown)
            fprintf(fp, "等%zu项", total);
        fputs("</li>", fp);
    }
    fputs("</ul>", fp);
}

static void td(FILE *fp, const char *s)
{
    fputs("<td>", fp);
    esc(fp, s);
    fputs("</td>", fp);
}

/* A cell that is not wrapped: a region (r) or an identifier (id). */
static void td_nowrap(FILE *fp, const char *cls, const char *s)
{
    fprintf(fp, "<td class=\"%s\">", cls);
    esc(fp, s);
    fputs("</td>", fp);
}

static void html_problem_list(const gs_report_t *rep, FILE *fp, gs_kind_t kind)
{
    int site = kind == GS_KIND_SITE;
    fprintf(fp, "<section id=\"%s\">\n<h2>%s</h2>\n", site ? "a3" : "a4",
            site ? "附件3 检查发现存在突出问题的政府网站名单"
                 : "附件4 检查发现存在突出问题的政务新媒体名单");
    size_t n = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        if (row->kind != kind || row->status != GS_REPORT_FAIL)
            continue;
        if (n++ == 0)
            fputs(site
                      ? "<table id=\"t-problem-site\" "
                        "class=\"list\">\n<thead><tr><th>序号</th><th>地区/部门</th>"
                        "<th>网站名称</th><th>网站标识码</th><th>存在的突出问题</th></tr></thead>\n"
                        "<tbody>\n"
                      : "<table id=\"t-problem-account\" class=\"list\">\n<thead><tr><th>序号</th>"
                        "<th>市州/部门</th><th>账号名称</th><th>存在的突出问题</th>"
                        "<th>开设主体名称</th><th>账号平台</th><th>新媒体标识码</th></tr></thead>\n"
                        "<tbody>\n",
                  fp);
        fprintf(fp, "<tr><td class=\"n\">%zu</td>", n);
        td_nowrap(fp, "r", row->region);
        td(fp, row->name);
        if (site)
            td_nowrap(fp, "id", row->id);
        fputs("<td>", fp);
        problem_cell(rep, fp, row);
        fputs("</td>", fp);
        if (!site) {
            td(fp, row->owner);
            td(fp, row->platform);
            td_nowrap(fp, "id", row->id);
        }
        fputs("</tr>\n", fp);
    }
    fputs(n ? "</tbody>\n</table>\n</section>\n" : "<p>无。</p>\n</section>\n", fp);
}

/* ---- 附件5 ------------------------------------------------------------------------ */

static void html_unchecked(const gs_report_t *rep, FILE *fp)
{
    fputs("<section id=\"a5\">\n<h2>附件5 未检查的政府网站和政务新媒体名单</h2>\n", fp);
    size_t n = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        if (row->status != GS_REPORT_UNCHECKED)
            continue;
        if (n++ == 0)
            fputs("<table id=\"t-unchecked\" "
                  "class=\"list\">\n<thead><tr><th>序号</th><th>地区/部门</th>"
                  "<th>类别</th><th>名称</th><th>标识码</th><th>未检查原因</th></tr></thead>\n"
                  "<tbody>\n",
                  fp);
        fprintf(fp, "<tr><td class=\"n\">%zu</td>", n);
        td_nowrap(fp, "r", row->region);
        td(fp, gs__report_kind_label(row->kind));
        td(fp, row->name);
        td_nowrap(fp, "id", row->id);
        td(fp, row->reason);
        fputs("</tr>\n", fp);
    }
    fputs(n ? "</tbody>\n</table>\n</section>\n" : "<p>无。</p>\n</section>\n", fp);
}

/* ---- every finding ---------------------------------------------------------------- */

static void html_findings(const gs_report_t *rep, FILE *fp)
{
    fputs("<section id=\"findings\">\n<h2>附：检查发现明细</h2>\n", fp);
    size_t n = 0, total = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        for (size_t k = 0; k < row->findings_len; k++) {
            const gs_report_finding_t *f = &row->findings[k];
            total++;
            if (n >= GS_REPORT_HTML_MAX_FINDINGS)
                continue;
            if (n++ == 0)
                fputs("<p>每条发现的证据链接到显示该问题的页面。</p>\n"
                      "<table id=\"t-findings\" class=\"findings\">\n<thead><tr><th>序号</th>"
                      "<th>地区/部门</th><th>类别</th><th>名称</th><th>标识码</th><th>问题</th>"
                      "<th>单项否决</th><th>证据</th></tr></thead>\n<tbody>\n",
                      fp);
            fprintf(fp, "<tr><td class=\"n\">%zu</td>", n);
            td_nowrap(fp, "r", row->region);
            td(fp, gs__report_kind_label(row->kind));
            td(fp, row->name);
            td_nowrap(fp, "id", row->id);
            fputs("<td>", fp);
            esc(fp, gs_report_code_name(rep, f->code));
            if (strcmp(gs_report_code_name(rep, f->code), f->code) != 0) {
                fputs("<br><span class=\"code\">", fp);
                esc(fp, f->code);
                fputs("</span>", fp);
            }
            fprintf(fp, "</td><td>%s</td><td>", f->veto ? "是" : "否");
            link_to(fp, f->url, f->evidence[0] ? f->evidence : f->url);
            fputs("</td></tr>\n", fp);
        }
    }
    if (n)
        fputs("</tbody>\n</table>\n", fp);
    else
        fputs("<p>无。</p>\n", fp);
    if (total > n)
        fprintf(fp,
                "<p class=\"note\">以上列出前%zu条，共%zu条；全部发现见 findings.jsonl 和 "
                "report.xlsx。</p>\n",
                n, total);
    fputs("</section>\n", fp);
}

/* ---- the page --------------------------------------------------------------------- */

int gs_report_write_html(const gs_report_t *rep, FILE *fp)
{
    if (!rep || !fp)
        return GS_EINVAL;
    char period[64];
    period_of(rep, period, sizeof(period));
    html_head(rep, fp, period);
    html_title(rep, fp, period);
    fputs("<main>\n<section id=\"overall\">\n<h2>一、总体情况</h2>\n", fp);
    html_summary(fp, gs_report_total(rep, GS_KIND_SITE), "政府网站", "网站");
    html_summary(fp, gs_report_total(rep, GS_KIND_ACCOUNT), "政务新媒体", "政务新媒体");
    html_chart(rep, fp);
    fputs("</section>\n", fp);
    html_other(rep, fp);
    html_region_table(rep, fp, GS_KIND_SITE, "a1", "附件1 全省政府网站检查情况", "网站");
    html_region_table(rep, fp, GS_KIND_ACCOUNT, "a2", "附件2 全省政务新媒体检查情况", "政务新媒体");
    html_problem_list(rep, fp, GS_KIND_SITE);
    html_problem_list(rep, fp, GS_KIND_ACCOUNT);
    html_unchecked(rep, fp);
    html_findings(rep, fp);
    fputs("</main>\n<footer>本页由 govsweep 根据检查批次 ", fp);
    esc(fp, gs_report_sweep(rep));
    fputs(" 的检查结果生成；逐条发现另见 findings.jsonl，表格另见 report.xlsx。</footer>\n"
          "</body>\n</html>\n",
          fp);
    return 0;
}
