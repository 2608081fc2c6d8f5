/* gs_chk_account.c -- the new-media account checks of checks.md: M-CLOSED, M-STALE,
 * M-SECURITY, M-WORDING, M-PRIVACY, M-MENU-LINK, M-INTERACT and M-FILING, on the facts
 * of gs_account. (M-DUPLICATE is the registry's, found by the dispatcher.) */
#include "gs_account.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* M-CLOSED: gone (404/410) or the platform's closed-account marker, while the registry
 * still lists it as running. A closed account is not also M-STALE. */
static int closed(gs_account_t *a, gs_findings_t *out)
{
    char ev[512];
    if (a->closed_marker[0])
        snprintf(ev, sizeof(ev), "账号已注销或不存在（页面显示“%s”），仍登记为正常运行",
                 a->closed_marker);
    else
        snprintf(ev, sizeof(ev), "账号已注销或不存在（HTTP %ld），仍登记为正常运行", a->status);
    return gs_chk_add(
        out, "M-CLOSED", false, a->url, ev,
        json_pack("{s:i, s:s}", "status", (int)a->status, "marker", a->closed_marker));
}

/* M-STALE: the newest post more than stale_days days before the reference date. */
static int stale(gs_account_t *a, gs_findings_t *out)
{
    int limit = (int)a->cfg->stale_days;
    char ev[512];
    if (!a->newest) {
        if (a->future_posts)
            snprintf(ev, sizeof(ev),
                     "共 %zu 条内容，日期均晚于监测时间点，未发现监测时间点前的更新", a->posts);
        else
            snprintf(ev, sizeof(ev), "未发现带日期的内容（共 %zu 条），无法确认更新", a->posts);
        return gs_chk_add(out, "M-STALE", true, a->url, ev,
                          json_pack("{s:n, s:n, s:i, s:i, s:i}", "newest", "days", "threshold",
                                    limit, "posts", (int)a->posts, "future_posts",
                                    (int)a->future_posts));
    }
    gs_ymd_t d = gs_ymd_from_unix_cst(a->newest);
    int days = a->ref_day - (int32_t)gs_days_from_civil(d.y, d.m, d.d);
    if (days <= limit)
        return 0;
    char ds[16];
    gs_ymd_format(d, ds, sizeof(ds));
    snprintf(ev, sizeof(ev), "最近一次更新 %s，已 %d 天未更新", ds, days);
    return gs_chk_add(out, "M-STALE", true, a->url, ev,
                      json_pack("{s:s, s:i, s:i}", "newest", ds, "days", days, "threshold", limit));
}

static int content(gs_account_t *a, gs_findings_t *out)
{
    char ev[800];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->spam.len; i++) {
        const gs_hit_t *h = &a->spam.items[i];
        snprintf(ev, sizeof(ev), "发布内容含有违法有害信息“%s”（%s，%u 条）：%s", h->what, h->extra,
                 h->count, h->context);
        rc = gs_chk_add(out, "M-SECURITY", true, h->url, ev,
                        json_pack("{s:s, s:s, s:i, s:s}", "term", h->what, "category", h->extra,
                                  "posts", (int)h->count, "context", h->context));
    }
    for (size_t i = 0; rc == 0 && i < a->wording.len; i++) {
        const gs_hit_t *h = &a->wording.items[i];
        char right[256];
        snprintf(right, sizeof(right), "%s", h->extra);
        char *tab = strchr(right, '\t');
        const char *sev = "serious";
        if (tab) {
            *tab = '\0';
            sev = tab + 1;
        }
        snprintf(ev, sizeof(ev), "“%s”应为“%s”（%u 条）：%s", h->what, right, h->count, h->context);
        rc = gs_chk_add(out, "M-WORDING", strcmp(sev, "serious") == 0, h->url, ev,
                        json_pack("{s:s, s:s, s:s, s:i, s:s}", "wrong", h->what, "right", right,
                                  "severity", sev, "posts", (int)h->count, "context", h->context));
    }
    uint32_t ids = 0;
    const gs_hit_t *id_first = NULL, *mob = NULL;
    for (size_t i = 0; i < a->privacy.len; i++) {
        const gs_hit_t *h = &a->privacy.items[i];
        if (!strcmp(h->extra, "id-number")) {
            ids++;
            if (!id_first)
                id_first = h;
        } else if (!mob) {
            mob = h;
        }
    }
    if (rc == 0 && ids) {
        snprintf(ev, sizeof(ev), "发布内容公开了 %u 个身份证号码（如 %s）", ids, id_first->what);
        rc = gs_chk_add(out, "M-PRIVACY", false, id_first->url, ev,
                        json_pack("{s:s, s:i, s:s}", "kind", "id-number", "count", (int)ids,
                                  "example", id_first->what));
    }
    if (rc == 0 && mob) {
        snprintf(ev, sizeof(ev), "发布内容批量公开了 %s 个手机号码（如 %s）", mob->context,
                 mob->what);
        rc = gs_chk_add(out, "M-PRIVACY", false, mob->url, ev,
                        json_pack("{s:s, s:i, s:s}", "kind", "mobile", "count",
                                  (int)strtol(mob->context, NULL, 10), "example", mob->what));
    }
    return rc;
}

/* M-MENU-LINK: every menu link that does not open; M-INTERACT: a menu with no entry for
 * consultation or interaction (咨询/留言/互动...), when the registry gives a menu. */
static int menu(gs_account_t *a, gs_findings_t *out)
{
    if (!a->menu_url || !a->menu_url[0])
        return 0;
    char ev[1200];
    int rc = 0;
    if (!a->menu_read) {
        snprintf(ev, sizeof(ev), "登记的菜单地址 %s 无法读取：%s", a->menu_url, a->menu_error);
        return gs_chk_add(
            out, "M-MENU-LINK", false, a->menu_url, ev,
            json_pack("{s:s, s:s, s:s}", "url", a->menu_url, "menu", "", "why", a->menu_error));
    }
    bool interactive = false;
    for (size_t i = 0; rc == 0 && i < a->nmenu; i++) {
        const gs_menu_entry_t *m = &a->menu[i];
        if (gs_terms_find(&a->env->terms[GS_TERM_CHANNEL], m->name, NULL))
            interactive = true;
        if (m->state != 2)
            continue;
        snprintf(ev, sizeof(ev), "菜单“%s”的链接（%s）无法访问：%s", m->name, m->url,
                 m->why ? m->why : "");
        rc = gs_chk_add(out, "M-MENU-LINK", false, m->url, ev,
                        json_pack("{s:s, s:s, s:i, s:s}", "url", m->url, "menu", m->name, "status",
                                  (int)m->status, "why", m->why ? m->why : ""));
    }
    if (rc == 0 && !interactive && a->nmenu) {
        snprintf(ev, sizeof(ev), "账号菜单（%zu 项）中没有咨询、留言或互动入口", a->nmenu);
        json_t *names = json_array();
        for (size_t i = 0; i < a->nmenu; i++)
            gs_chk_append(&names, json_string(a->menu[i].name));
        rc = gs_chk_add(out, "M-INTERACT", true, a->menu_url, ev,
                        json_pack("{s:s, s:o}", "cause", "no-interaction-menu", "menu", names));
    }
    return rc;
}

/* Compare two names as a platform shows them: spaces do not count. */
static bool same_text(const char *x, const char *y)
{
    while (*x || *y) {
        while (*x == ' ')
            x++;
        while (*y == ' ')
            y++;
        if (*x != *y)
            return false;
        if (*x)
            x++, y++;
    }
    return true;
}

/* M-FILING: what the registry says against what the platform shows, where it shows it. */
static int filing(gs_account_t *a, gs_findings_t *out)
{
    char ev[1200];
    int rc = 0;
    const char *shown_type = a->profile_type ? a->profile_type : "";
    if (a->platform.type[0] && shown_type[0] && strcmp(a->platform.type, shown_type) != 0) {
        snprintf(ev, sizeof(ev), "登记的账号类型为“%s”，平台显示为“%s”", a->platform.type,
                 shown_type);
        rc = gs_chk_add(out, "M-FILING", false, a->profile_url ? a->profile_url : a->url, ev,
                        json_pack("{s:s, s:s, s:s}", "cause", "type", "registry", a->platform.type,
                                  "shown", shown_type));
    }
    if (rc == 0 && a->shown_name && a->shown_name[0] && !same_text(a->name, a->shown_name)) {
        snprintf(ev, sizeof(ev), "登记的账号名称为“%s”，平台显示为“%s”", a->name, a->shown_name);
        rc = gs_chk_add(out, "M-FILING", false, a->profile_url ? a->profile_url : a->url, ev,
                        json_pack("{s:s, s:s, s:s}", "cause", "name", "registry", a->name, "shown",
                                  a->shown_name));
    }
    if (rc == 0 && a->owner[0] && a->profile_owner && a->profile_owner[0] &&
        !same_text(a->owner, a->profile_owner)) {
        snprintf(ev, sizeof(ev), "登记的开设主体为“%s”，平台显示的认证主体为“%s”", a->owner,
                 a->profile_owner);
        rc = gs_chk_add(out, "M-FILING", false, a->profile_url ? a->profile_url : a->url, ev,
                        json_pack("{s:s, s:s, s:s}", "cause", "owner", "registry", a->owner,
                                  "shown", a->profile_owner));
    }
    return rc;
}

int gs_account_check(gs_account_t *a, gs_findings_t *out)
{
    if (a->err)
        return a->err; /* some fact was lost: judging the rest would be a wrong answer */
    if (a->closed || a->status == 404 || a->status == 410)
        return closed(a, out);
    int rc = stale(a, out);
    if (rc == 0)
        rc = content(a, out);
    if (rc == 0)
        rc = menu(a, out);
    if (rc == 0)
        rc = filing(a, out);
    return rc;
}
