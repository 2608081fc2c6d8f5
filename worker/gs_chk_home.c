/* gs_chk_home.c -- W-UNREACHABLE (站点无法访问) and W-HOME-STALE (网站不更新). */
#include "gs_site.h"

#include <jansson.h>
#include <stdio.h>

/* The watch's part of a W-UNREACHABLE finding's detail. */
static json_t *watch_json(const gs_watch_verdict_t *w)
{
    char from[16], to[16];
    gs_ymd_format(gs_ymd_from_unix_cst(w->start), from, sizeof(from));
    gs_ymd_format(gs_ymd_from_unix_cst(w->end - 1), to, sizeof(to));
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:b}", "id", w->watch, "from", from, "to",
                     to, "probes", (json_int_t)w->probes, "failed", (json_int_t)w->failed, "rate",
                     w->rate, "decided", w->decided, "veto", w->veto);
}

int gs_chk_home(gs_site_t *s, gs_findings_t *out)
{
    char ev[512];
    const gs_watch_verdict_t *w = s->watch;
    /* A decided watch (>= 7 days, >= 20 probes a day) decides the veto: failures reaching
     * 5 % make the site 站点无法访问 even when this sweep happened to open it, and a site the
     * watch found open enough is not vetoed for one bad moment of the sweep. */
    if (w && w->decided && (w->veto || !s->home_ok)) {
        char from[16], to[16];
        gs_ymd_format(gs_ymd_from_unix_cst(w->start), from, sizeof(from));
        gs_ymd_format(gs_ymd_from_unix_cst(w->end - 1), to, sizeof(to));
        if (s->home_ok)
            snprintf(ev, sizeof(ev),
                     "%s 至 %s 监测期间首页共探测 %llu 次，%llu 次无法在 15 秒内打开（失败率 %s），"
                     "达到 5%%",
                     from, to, (unsigned long long)w->probes, (unsigned long long)w->failed,
                     w->rate);
        else
            snprintf(ev, sizeof(ev),
                     "本次检查首页无法访问（%s），%s 至 %s 监测期间共探测 %llu 次，失败 %llu 次"
                     "（失败率 %s），%s 5%%",
                     s->home_error, from, to, (unsigned long long)w->probes,
                     (unsigned long long)w->failed, w->rate, w->veto ? "达到" : "未达到");
        json_t *o = json_pack("{s:i, s:i, s:s}", "tries", s->home_tries, "status",
                              (int)s->home_status, "error", s->home_error);
        if (o)
            gs_chk_set(&o, "watch", watch_json(w));
        int rc = gs_chk_add(out, "W-UNREACHABLE", w->veto, s->home_url, ev, o);
        if (rc < 0 || !s->home_ok)
            return rc;
    }
    if (!s->home_ok) {
        /* Without a decided watch the sweep's own retries decide (docs/checks.md): a home
         * page that fails every try is 站点无法访问 with the veto. */
        if (s->home_status)
            snprintf(ev, sizeof(ev), "首页无法访问：HTTP %ld，%d 次尝试均失败", s->home_status,
                     s->home_tries);
        else
            snprintf(ev, sizeof(ev), "首页无法访问：%s，%d 次尝试均失败", s->home_error,
                     s->home_tries);
        json_t *o = json_pack("{s:i, s:i, s:s}", "tries", s->home_tries, "status",
                              (int)s->home_status, "error", s->home_error);
        if (o)
            gs_chk_set(&o, "watch", w ? watch_json(w) : json_string("none"));
        return gs_chk_add(out, "W-UNREACHABLE", true, s->home_url, ev, o);
    }
    int days_limit = (int)s->cfg->stale_days;
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
