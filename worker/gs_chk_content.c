/* gs_chk_content.c -- what the pages say and hide: W-SECURITY (spam terms, hidden links to
 * hosts outside government, scripts that send visitors away, cloaking), W-WORDING (严重表述
 * 错误) and W-PRIVACY (身份证号, mobile numbers in bulk). One finding per distinct hit per
 * site, with the first page that shows it and how many do. */
#include "gs_site.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int security(gs_site_t *s, gs_findings_t *out)
{
    char ev[800];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->spam.len; i++) {
        const gs_hit_t *h = &s->spam.items[i];
        snprintf(ev, sizeof(ev), "页面含有违法有害信息“%s”（%s，%u 个页面）：%s", h->what, h->extra,
                 h->count, h->context);
        rc = gs_chk_add(out, "W-SECURITY", true, h->url, ev,
                        json_pack("{s:s, s:s, s:s, s:i, s:s}", "cause", "spam-text", "term",
                                  h->what, "category", h->extra, "pages", (int)h->count, "context",
                                  h->context));
    }
    for (size_t i = 0; rc == 0 && i < s->hidden.len; i++) {
        const gs_hit_t *h = &s->hidden.items[i];
        snprintf(ev, sizeof(ev), "页面含有指向非政府网站 %s 的隐藏链接（%s）“%s”，疑似暗链",
                 h->what, h->extra, h->context);
        rc = gs_chk_add(out, "W-SECURITY", true, h->url, ev,
                        json_pack("{s:s, s:s, s:s, s:s, s:i}", "cause", "hidden-link", "host",
                                  h->what, "how", h->extra, "text", h->context, "pages",
                                  (int)h->count));
    }
    for (size_t i = 0; rc == 0 && i < s->scripts.len; i++) {
        const gs_hit_t *h = &s->scripts.items[i];
        const char *what = !strcmp(h->extra, "script-write") ? "脚本向页面写入外部内容"
                           : !strcmp(h->extra, "script-redirect-referrer")
                               ? "脚本将来自搜索引擎的访问者跳转到"
                               : "脚本将访问者跳转到";
        snprintf(ev, sizeof(ev), "%s非政府网站 %s（%s），疑似被篡改", what, h->what, h->context);
        rc = gs_chk_add(
            out, "W-SECURITY", true, h->url, ev,
            json_pack("{s:s, s:s, s:s}", "cause", h->extra, "host", h->what, "target", h->context));
    }
    if (rc == 0 && s->cloak_terms && s->cloak_terms[0]) {
        snprintf(ev, sizeof(ev),
                 "首页对搜索引擎爬虫显示的内容与普通访问者不同（标题“%s”，含“%s”），"
                 "疑似被劫持",
                 s->cloak_title ? s->cloak_title : "", s->cloak_terms);
        rc = gs_chk_add(out, "W-SECURITY", true, s->home_final ? s->home_final : s->home_url, ev,
                        json_pack("{s:s, s:s, s:s, s:s}", "cause", "cloaking", "spider_title",
                                  s->cloak_title ? s->cloak_title : "", "browser_title",
                                  s->home_title ? s->home_title : "", "terms", s->cloak_terms));
    }
    return rc;
}

static int wording(gs_site_t *s, gs_findings_t *out)
{
    char ev[800];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->wording.len; i++) {
        const gs_hit_t *h = &s->wording.items[i];
        /* extra is "RIGHT\tSEVERITY" */
        char right[256];
        snprintf(right, sizeof(right), "%s", h->extra);
        char *tab = strchr(right, '\t');
        const char *sev = "serious";
        if (tab) {
            *tab = '\0';
            sev = tab + 1;
        }
        bool veto = strcmp(sev, "serious") == 0;
        snprintf(ev, sizeof(ev), "“%s”应为“%s”（%u 个页面）：%s", h->what, right, h->count,
                 h->context);
        rc = gs_chk_add(out, "W-WORDING", veto, h->url, ev,
                        json_pack("{s:s, s:s, s:s, s:i, s:s}", "wrong", h->what, "right", right,
                                  "severity", sev, "pages", (int)h->count, "context", h->context));
    }
    return rc;
}

static int privacy(gs_site_t *s, gs_findings_t *out)
{
    uint32_t ids = 0, id_pages = 0;
    const char *id_url = NULL, *id_example = NULL;
    int rc = 0;
    for (size_t i = 0; i < s->privacy.len; i++) {
        const gs_hit_t *h = &s->privacy.items[i];
        if (!strcmp(h->extra, "id-number")) {
            ids++;
            id_pages += h->count;
            if (!id_url)
                id_url = h->url, id_example = h->what;
        }
    }
    char ev[600];
    if (ids) {
        snprintf(ev, sizeof(ev), "页面公开了 %u 个身份证号码（如 %s）", ids, id_example);
        rc = gs_chk_add(out, "W-PRIVACY", false, id_url, ev,
                        json_pack("{s:s, s:i, s:s}", "kind", "id-number", "count", (int)ids,
                                  "example", id_example));
    }
    for (size_t i = 0; rc == 0 && i < s->privacy.len; i++) {
        const gs_hit_t *h = &s->privacy.items[i];
        if (strcmp(h->extra, "mobile"))
            continue;
        snprintf(ev, sizeof(ev), "页面批量公开了 %s 个手机号码（如 %s）", h->context, h->what);
        rc = gs_chk_add(out, "W-PRIVACY", false, h->url, ev,
                        json_pack("{s:s, s:i, s:s, s:i}", "kind", "mobile", "count",
                                  (int)strtol(h->context, NULL, 10), "example", h->what, "pages",
                                  (int)s->mobiles_pages));
        break; /* one finding for the site; pages counts the rest */
    }
    return rc;
}

int gs_chk_content(gs_site_t *s, gs_findings_t *out)
{
    int rc = security(s, out);
    if (rc == 0)
        rc = wording(s, out);
    if (rc == 0)
        rc = privacy(s, out);
    return rc;
}
