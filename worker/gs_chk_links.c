/* gs_chk_links.c -- W-LINK-BROKEN (错链断链): one finding per broken link target, with the
 * page and anchor text that hold it, home-page links told apart. Verdicts come from the
 * crawl itself (pages it fetched) and from the link checks the job ran afterwards. */
#include "gs_site.h"

#include <jansson.h>
#include <stdio.h>

int gs_chk_links(gs_site_t *s, gs_findings_t *out)
{
    int rc = 0;
    char ev[1200];
    for (size_t i = 0; rc == 0 && i < s->nlinks; i++) {
        const gs_sitelink_t *l = &s->links[i];
        if (l->state != GS_LINK_BROKEN)
            continue;
        if (l->text[0])
            snprintf(ev, sizeof(ev), "%s链接“%s”（%s）无法访问：%s", l->on_home ? "首页" : "页面",
                     l->text, l->url, l->why ? l->why : "");
        else
            snprintf(ev, sizeof(ev), "%s引用的 %s 无法访问：%s", l->on_home ? "首页" : "页面",
                     l->url, l->why ? l->why : "");
        rc = gs_chk_add(out, "W-LINK-BROKEN", false, l->page, ev,
                        json_pack("{s:s, s:s, s:s, s:b, s:b, s:i, s:s}", "url", l->url, "page",
                                  l->page, "text", l->text, "on_home", l->on_home, "external",
                                  l->external, "status", (int)l->status, "why",
                                  l->why ? l->why : ""));
    }
    return rc;
}
