/* gs_chk_columns.c -- W-COLUMN-STALE (栏目不更新) and W-COLUMN-BLANK (空白栏目), one
 * finding per column, with the veto decided by the site's counts (checks.md):
 * stale 动态/要闻 columns plus stale 一级 通知公告/政策文件 columns >= column_stale_veto, or
 * stale columns of every class >= column_stale_total_veto; blank columns >=
 * column_blank_veto. A column whose page could not be opened is neither: its link is
 * W-LINK-BROKEN. */
#include "gs_site.h"

#include <jansson.h>
#include <stdio.h>

/* A column page with no dated item and nothing else in its content, or only a
 * placeholder ("暂无信息"), is blank. */
static bool is_blank(const gs_column_t *c)
{
    return c->fetched && c->items == 0 && (c->placeholder || c->content_links == 0);
}

static bool is_stale(const gs_site_t *s, const gs_column_t *c, int *days)
{
    if (!c->cls || !c->fetched || is_blank(c))
        return false;
    if (c->newest == GS_NO_DAY) {
        *days = -1; /* items without a visible date do not count as updates */
        return true;
    }
    *days = s->ref_day - c->newest;
    return *days > c->cls->days;
}

int gs_chk_columns(gs_site_t *s, gs_findings_t *out)
{
    const gs_config_t *cfg = s->cfg;
    uint32_t first = 0, total = 0, blank = 0;
    for (size_t i = 0; i < s->ncolumns; i++) {
        const gs_column_t *c = &s->columns[i];
        int days;
        if (is_blank(c))
            blank++;
        else if (is_stale(s, c, &days)) {
            total++;
            if (c->cls->first || (c->cls->level1 && c->level == 1))
                first++;
        }
    }
    bool stale_veto = first >= cfg->column_stale_veto || total >= cfg->column_stale_total_veto;
    bool blank_veto = blank >= cfg->column_blank_veto;
    char ev[512];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->ncolumns; i++) {
        const gs_column_t *c = &s->columns[i];
        int days;
        if (is_blank(c)) {
            if (c->placeholder)
                snprintf(ev, sizeof(ev), "栏目“%s”为空白栏目（仅显示“%s”）", c->name,
                         c->placeholder);
            else
                snprintf(ev, sizeof(ev), "栏目“%s”为空白栏目（无任何信息）", c->name);
            rc = gs_chk_add(out, "W-COLUMN-BLANK", blank_veto, c->url, ev,
                            json_pack("{s:s, s:i, s:s, s:i, s:i}", "column", c->name, "level",
                                      c->level, "placeholder", c->placeholder ? c->placeholder : "",
                                      "blank_columns", (int)blank, "veto_at",
                                      (int)cfg->column_blank_veto));
        } else if (is_stale(s, c, &days)) {
            char d[16] = "";
            if (days >= 0) {
                gs_ymd_format(gs_civil_from_days(c->newest), d, sizeof(d));
                snprintf(ev, sizeof(ev),
                         "栏目“%s”最新信息 %s，距监测时间点 %d 天（%s超过 %d 天未更新）", c->name,
                         d, days, c->cls->desc, c->cls->days);
            } else {
                snprintf(ev, sizeof(ev), "栏目“%s”未显示信息日期，无法确认更新（%s）", c->name,
                         c->cls->desc);
            }
            json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "column", c->name, "class",
                                  c->cls->name, "level", c->level, "threshold", c->cls->days,
                                  "stale_first_rule", (int)first, "stale_columns", (int)total,
                                  "items", (int)c->items);
            if (o) {
                gs_chk_set(&o, "newest", days >= 0 ? json_string(d) : json_null());
                gs_chk_set(&o, "days", days >= 0 ? json_integer(days) : json_null());
            }
            rc = gs_chk_add(out, "W-COLUMN-STALE", stale_veto, c->url, ev, o);
        }
    }
    return rc;
}
