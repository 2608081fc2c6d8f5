/* gs_chk_home.c -- W-UNREACHABLE (站点无法访问) and W-HOME-STALE (网站不更新). */
#include "gs_site.h"

#include <jansson.h>
#include <stdio.h>

int gs_chk_home(gs_site_t *s, gs_findings_t *out)
{
    char ev[512];
    if (!s->home_ok) {
        /* Without watch data the sweep's own retries decide (docs/configuration.md): a home
         * page that fails every try is 站点无法访问 with the veto. */
        if (s->home_status)
            snprintf(ev, sizeof(ev), "首页无法访问：HTTP %ld，%d 次尝试均失败", s->home_status,
                     s->home_tries);
        else
            snprintf(ev, sizeof(ev), "首页无法访问：%s，%d 次尝试均失败", s->home_error,
                     s->home_tries);
        return gs_chk_add(out, "W-UNREACHABLE", true, s->home_url, ev,
                          json_pack("{s:i, s:i, s:s, s:s}", "tries", s->home_tries, "status",
                                    (int)s->home_status, "error", s->home_error, "watch", "none"));
    }
    int days_limit = (int)s->env->cfg->stale_days;
    /* The home page's own list items decide; a portal of entry links with no dated item
     * is judged by its second-level pages (checks.md). */
    bool home = s->home_newest != GS_NO_DAY;
    int32_t newest = home ? s->home_newest : s->second_newest;
    if (newest == GS_NO_DAY) {
        snprintf(ev, sizeof(ev), "首页及二级页面均未发现带日期的信息，无法确认更新");
        return gs_chk_add(out, "W-HOME-STALE", true, s->home_url, ev,
                          json_pack("{s:n, s:n, s:i, s:s}", "newest", "days", "threshold",
                                    days_limit, "source", "none"));
    }
    int days = s->ref_day - newest;
    if (days <= days_limit)
        return 0;
    char d[16];
    gs_ymd_format(gs_civil_from_days(newest), d, sizeof(d));
    snprintf(ev, sizeof(ev), "%s最新信息 %s，距监测时间点 %d 天",
             home ? "首页" : "首页无日期，二级页面", d, days);
    return gs_chk_add(out, "W-HOME-STALE", true, home ? s->home_url : s->second_url, ev,
                      json_pack("{s:s, s:i, s:i, s:s}", "newest", d, "days", days, "threshold",
                                days_limit, "source", home ? "home" : "second-level"));
}
