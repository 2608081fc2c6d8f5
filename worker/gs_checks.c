/* gs_checks.c -- W-UNREACHABLE, W-HOME-STALE, M-CLOSED and M-STALE. */
#include "gs_checks.h"
#include "gs_err.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* Add a finding whose detail is the JSON object o (consumed). */
static int add(gs_findings_t *out, const char *code, bool veto, const char *url,
               const char *evidence, json_t *o)
{
    char *detail = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(o);
    int rc = gs_findings_add(out, code, veto, url, evidence, detail);
    free(detail);
    return rc;
}

int gs_check_site(const gs_site_facts_t *sf, int64_t ref_unix, const gs_config_t *cfg,
                  gs_findings_t *out)
{
    char ev[512];
    if (!sf->home_ok) {
        /* Without watch data the sweep's own retries decide (docs/checks.md): a home page
         * that fails every try is 站点无法访问 with the veto. */
        if (sf->home_status)
            snprintf(ev, sizeof(ev), "首页无法访问：HTTP %ld，%d 次尝试均失败", sf->home_status,
                     sf->home_tries);
        else
            snprintf(ev, sizeof(ev), "首页无法访问：%s，%d 次尝试均失败", sf->home_error,
                     sf->home_tries);
        return add(out, "W-UNREACHABLE", true, sf->home_url, ev,
                   json_pack("{s:i, s:i, s:s, s:s}", "tries", sf->home_tries, "status",
                             (int)sf->home_status, "error", sf->home_error, "watch", "none"));
    }
    gs_ymd_t ref = gs_ymd_from_unix_cst(ref_unix);
    char d[16];
    if (sf->home_has_date || sf->second_has_date) {
        gs_ymd_t newest = sf->home_has_date ? sf->home_newest : sf->second_newest;
        int days = gs_ymd_days_between(newest, ref);
        if (days > (int)cfg->stale_days) {
            gs_ymd_format(newest, d, sizeof(d));
            snprintf(ev, sizeof(ev), "%s最新信息 %s，距监测时间点 %d 天",
                     sf->home_has_date ? "首页" : "首页无日期，二级页面", d, days);
            return add(out, "W-HOME-STALE", true, sf->home_has_date ? sf->home_url : sf->second_url,
                       ev,
                       json_pack("{s:s, s:i, s:i, s:s}", "newest", d, "days", days, "threshold",
                                 (int)cfg->stale_days, "source",
                                 sf->home_has_date ? "home" : "second-level"));
        }
        return 0;
    }
    /* Items without a visible date do not count as updates (checks.md). */
    snprintf(ev, sizeof(ev), "首页及二级页面均未发现带日期的信息，无法确认更新");
    return add(out, "W-HOME-STALE", true, sf->home_url, ev,
               json_pack("{s:n, s:n, s:i, s:s}", "newest", "days", "threshold",
                         (int)cfg->stale_days, "source", "none"));
}

int gs_check_account(const gs_account_facts_t *af, int64_t ref_unix, const gs_config_t *cfg,
                     gs_findings_t *out)
{
    char ev[512];
    if (af->status == 404 || af->status == 410 || af->closed_marker) {
        if (af->closed_marker)
            snprintf(ev, sizeof(ev), "账号已注销或不存在（页面显示“%s”），仍登记为正常运行",
                     af->marker);
        else
            snprintf(ev, sizeof(ev), "账号已注销或不存在（HTTP %ld），仍登记为正常运行",
                     af->status);
        return add(out, "M-CLOSED", false, af->url, ev,
                   json_pack("{s:i, s:s}", "status", (int)af->status, "marker",
                             af->closed_marker ? af->marker : ""));
    }
    gs_ymd_t ref = gs_ymd_from_unix_cst(ref_unix);
    if (!af->has_post) {
        snprintf(ev, sizeof(ev), "未发现带日期的内容（共 %zu 条），无法确认更新", af->posts);
        return add(out, "M-STALE", true, af->url, ev,
                   json_pack("{s:n, s:n, s:i, s:i}", "newest", "days", "threshold",
                             (int)cfg->stale_days, "posts", (int)af->posts));
    }
    int days = gs_ymd_days_between(af->newest, ref);
    if (days > (int)cfg->stale_days) {
        char d[16];
        gs_ymd_format(af->newest, d, sizeof(d));
        snprintf(ev, sizeof(ev), "最近一次更新 %s，已 %d 天未更新", d, days);
        return add(out, "M-STALE", true, af->url, ev,
                   json_pack("{s:s, s:i, s:i}", "newest", d, "days", days, "threshold",
                             (int)cfg->stale_days));
    }
    return 0;
}
