/* gs_checks.c -- the data the checks share, the finding helper, and the account checks
 * M-CLOSED and M-STALE. The website checks are in gs_chk_*.c, on gs_site facts. */
#include "gs_checks.h"
#include "gs_buf.h"
#include "gs_err.h"
#include "gs_calendar.h"
#include "gs_dict.h"
#include "gs_log.h"
#include "gs_msg.h"
#include "gs_platform.h"
#include "gs_site.h"
#include "gs_t2s.h"

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
    if (rc == 0 && !(env->dict = gs_dict_load(data_dir, err)))
        rc = err && err->code ? err->code : GS_EIO;
    if (rc == 0) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/holidays.tsv", data_dir);
        if (!(env->calendar = gs_calendar_load(path, err)))
            rc = err && err->code ? err->code : GS_EIO;
        else if (cfg->holiday_overrides[0])
            rc = gs_calendar_load_more(env->calendar, cfg->holiday_overrides, err);
    }
    /* Traditional pages are converted before the wording dictionary reads them; without
     * OpenCC's data that conversion cannot happen, which is a broken install, not a page. */
    if (rc == 0 && !(env->t2s = gs_t2s_new(NULL, err)))
        rc = err && err->code ? err->code : GS_EIO;
    if (rc == 0 && !(env->platforms = gs_platforms_load(data_dir, err)))
        rc = err && err->code ? err->code : GS_EIO;
    if (rc == 0 && !(env->profiles = gs_profrules_load(data_dir, err)))
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
    gs_dict_destroy(&env->dict);
    gs_calendar_destroy(&env->calendar);
    gs_t2s_destroy(&env->t2s);
    gs_platforms_destroy(&env->platforms);
    gs_profrules_destroy(&env->profiles);
    memset(env, 0, sizeof(*env));
}

/* Where json_dump_callback writes a detail: the bytes, and the first failure of an append.
 * jansson 2.14's json_dumps can lose a failed append of its own buffer and return the
 * text with a piece missing (a key gone, seen under allocation failure); writing through
 * our own sink, a failure cannot pass unseen. */
typedef struct detail_sink {
    gs_buf_t buf;
    int rc;
} detail_sink_t;

static int detail_put(const char *p, size_t n, void *data)
{
    detail_sink_t *d = data;
    int rc = gs_buf_append(&d->buf, p, n);
    if (rc < 0 && !d->rc)
        d->rc = rc;
    return rc < 0 ? -1 : 0;
}

void gs_chk_append(json_t **arr, json_t *v)
{
    /* jansson frees v when it cannot append it, also to a NULL array */
    if (json_array_append_new(*arr, v) < 0) {
        json_decref(*arr);
        *arr = NULL;
    }
}

void gs_chk_set(json_t **obj, const char *key, json_t *v)
{
    if (json_object_set_new(*obj, key, v) < 0) {
        json_decref(*obj);
        *obj = NULL;
    }
}

int gs_chk_add(gs_findings_t *out, const char *code, bool veto, const char *url,
               const char *evidence, void *json_detail)
{
    json_t *o = json_detail;
    if (!o)
        return GS_ENOMEM; /* json_pack() gives NULL when memory ran out */
    detail_sink_t d;
    gs_buf_init(&d.buf, GS_MSG_MAX_BYTES); /* no detail can be larger than its message */
    d.rc = 0;
    int rc = json_dump_callback(o, detail_put, &d, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(o);
    char *detail = rc == 0 && d.rc == 0 ? gs_buf_steal(&d.buf) : NULL;
    gs_buf_cleanup(&d.buf);
    if (!detail)
        return d.rc == GS_ETOOBIG ? GS_ETOOBIG : GS_ENOMEM;
    rc = gs_findings_add(out, code, veto, url ? url : "", evidence, detail);
    free(detail);
    return rc;
}
