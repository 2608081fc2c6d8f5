/* gs_checks.c -- the data the checks share, the finding helper, and the account checks
 * M-CLOSED and M-STALE. The website checks are in gs_chk_*.c, on gs_site facts. */
#include "gs_checks.h"
#include "gs_err.h"
#include "gs_site.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load_closed_markers(gs_check_env_t *env, const char *data_dir, gs_err_t *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/closed-markers.txt", data_dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    char line[512];
    int rc = 0;
    while (fgets(line, sizeof(line), fp) && env->nclosed < 256) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char **n = realloc(env->closed_markers, (env->nclosed + 1) * sizeof(*n));
        if (!n) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        env->closed_markers = n;
        if (!(n[env->nclosed] = strdup(line))) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        env->nclosed++;
    }
    fclose(fp);
    return rc;
}

static int load_terms(gs_check_env_t *env, const char *data_dir, gs_err_t *err)
{
    static const char *const purposes[GS_TERM_COUNT] = {"channel", "service", "guide", "interp",
                                                        "source"};
    char path[4096];
    snprintf(path, sizeof(path), "%s/site-terms.tsv", data_dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    char line[512];
    int rc = 0, lineno = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        int k = -1;
        if (tab) {
            *tab = '\0';
            for (int i = 0; i < GS_TERM_COUNT; i++)
                if (strcmp(line, purposes[i]) == 0)
                    k = i;
        }
        if (k < 0 || !tab[1]) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: expected PURPOSE<TAB>TERM", path, lineno);
            break;
        }
        gs_termlist_t *l = &env->terms[k];
        if (l->len >= 1024) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than 1024 terms of %s", path, lineno,
                            line);
            break;
        }
        char **n = realloc(l->items, (l->len + 1) * sizeof(*n));
        if (!n || !(n[l->len] = strdup(tab + 1))) {
            if (n)
                l->items = n;
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        l->items = n;
        l->len++;
    }
    fclose(fp);
    return rc;
}

int gs_terms_find(const gs_termlist_t *l, const char *s, const char **which)
{
    for (size_t i = 0; s && i < l->len; i++)
        if (strstr(s, l->items[i])) {
            if (which)
                *which = l->items[i];
            return 1;
        }
    return 0;
}

int gs_check_env_load(gs_check_env_t *env, const gs_config_t *cfg, const char *data_dir,
                      gs_err_t *err)
{
    memset(env, 0, sizeof(*env));
    env->cfg = cfg;
    int rc = load_closed_markers(env, data_dir, err);
    if (rc == 0)
        rc = load_terms(env, data_dir, err);
    if (rc == 0 && !(env->columns = gs_colrules_load(data_dir, cfg->column_overrides, err)))
        rc = err && err->code ? err->code : GS_EIO;
    if (rc < 0)
        gs_check_env_cleanup(env);
    return rc;
}

void gs_check_env_cleanup(gs_check_env_t *env)
{
    for (size_t i = 0; i < env->nclosed; i++)
        free(env->closed_markers[i]);
    free(env->closed_markers);
    for (int k = 0; k < GS_TERM_COUNT; k++) {
        for (size_t i = 0; i < env->terms[k].len; i++)
            free(env->terms[k].items[i]);
        free(env->terms[k].items);
    }
    gs_colrules_destroy(&env->columns);
    memset(env, 0, sizeof(*env));
}

int gs_chk_add(gs_findings_t *out, const char *code, bool veto, const char *url,
               const char *evidence, void *json_detail)
{
    json_t *o = json_detail;
    char *detail = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(o);
    int rc = gs_findings_add(out, code, veto, url ? url : "", evidence, detail);
    free(detail);
    return rc;
}

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
