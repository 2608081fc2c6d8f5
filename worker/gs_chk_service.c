/* gs_chk_service.c -- W-SERVICE (办事指南要素缺失), W-POLICY-INTERP (政策文件与解读未关联)
 * and W-DUP-POST (同一信息在多个栏目重复发布). */
#include "gs_site.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int service(gs_site_t *s, gs_findings_t *out)
{
    int rc = 0;
    char ev[900];
    for (size_t i = 0; rc == 0 && i < s->service.len; i++) {
        const gs_hit_t *h = &s->service.items[i];
        snprintf(ev, sizeof(ev), "办事指南“%s”缺少要素：%s", h->context, h->extra);
        json_t *missing = json_array();
        const char *p = h->extra;
        while (*p) {
            const char *sep = strstr(p, "、");
            size_t l = sep ? (size_t)(sep - p) : strlen(p);
            gs_chk_append(&missing, json_stringn(p, l));
            p += l + (sep ? strlen("、") : 0);
        }
        rc = gs_chk_add(out, "W-SERVICE", s->cfg->service_veto, h->url, ev,
                        json_pack("{s:s, s:o}", "guide", h->context, "missing", missing));
    }
    return rc;
}

/* A post's kind by its column: 政策文件 (class policy), 政策解读 (named 解读). */
static void post_kind(const gs_site_t *s, const gs_sitepost_t *p, bool *policy, bool *interp)
{
    const gs_column_t *c = p->column >= 0 ? &s->columns[p->column] : NULL;
    *interp = c && gs_terms_find(&s->env->terms[GS_TERM_INTERP], c->name, NULL);
    *policy = c && !*interp && c->cls && strcmp(c->cls->name, "policy") == 0;
}

static int policy_interp(gs_site_t *s, gs_findings_t *out)
{
    int rc = 0;
    char ev[900];
    for (size_t i = 0; rc == 0 && i < s->nposts; i++) {
        const gs_sitepost_t *p = &s->posts[i];
        bool policy, interp;
        post_kind(s, p, &policy, &interp);
        if ((policy && p->links_interp) || (interp && p->links_source) || (!policy && !interp))
            continue;
        if (policy)
            snprintf(ev, sizeof(ev), "政策文件“%s”未关联政策解读", p->title);
        else
            snprintf(ev, sizeof(ev), "政策解读“%s”未关联所解读的政策文件", p->title);
        rc = gs_chk_add(out, "W-POLICY-INTERP", false, p->url, ev,
                        json_pack("{s:s, s:s, s:s, s:s}", "kind", policy ? "policy" : "interp",
                                  "title", p->title, "url", p->url, "column",
                                  s->columns[p->column].name));
    }
    return rc;
}

static int cmp_key(const void *a, const void *b)
{
    const gs_sitepost_t *x = *(const gs_sitepost_t *const *)a,
                        *y = *(const gs_sitepost_t *const *)b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->url, y->url); /* not the arrival order: the same result every run */
}

static int dup_posts(gs_site_t *s, gs_findings_t *out)
{
    if (!s->nposts)
        return 0;
    const gs_sitepost_t **v = malloc(s->nposts * sizeof(*v));
    if (!v)
        return GS_ENOMEM;
    for (size_t i = 0; i < s->nposts; i++)
        v[i] = &s->posts[i];
    qsort(v, s->nposts, sizeof(*v), cmp_key);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->nposts;) {
        size_t j = i;
        while (j < s->nposts && v[j]->key == v[i]->key)
            j++;
        /* distinct columns of the group */
        int cols[GS_SITE_MAX_COLUMNS];
        size_t nc = 0;
        for (size_t k = i; k < j; k++) {
            int c = v[k]->column;
            if (c < 0)
                continue; /* not in any column's list: not a column of its own */
            size_t q = 0;
            while (q < nc && cols[q] != c)
                q++;
            if (q == nc && nc < GS_SITE_MAX_COLUMNS)
                cols[nc++] = c;
        }
        if (nc >= s->cfg->dup_post_columns && v[i]->title[0]) {
            json_t *names = json_array(), *urls = json_array();
            char list[600] = "";
            size_t ll = 0;
            for (size_t q = 0; q < nc; q++) {
                const char *name = cols[q] >= 0 ? s->columns[cols[q]].name : "（无栏目）";
                gs_chk_append(&names, json_string(name));
                if (ll < sizeof(list))
                    ll += (size_t)snprintf(list + ll, sizeof(list) - ll, "%s“%s”", q ? "、" : "",
                                           name);
            }
            for (size_t k = i; k < j && k < i + 20; k++)
                gs_chk_append(&urls, json_string(v[k]->url));
            char ev[1000];
            snprintf(ev, sizeof(ev), "信息“%s”在 %zu 个栏目重复发布：%s", v[i]->title, nc, list);
            rc = gs_chk_add(out, "W-DUP-POST", false, v[i]->url, ev,
                            json_pack("{s:s, s:i, s:o, s:o}", "title", v[i]->title, "columns",
                                      (int)nc, "column_names", names, "urls", urls));
        }
        i = j;
    }
    free(v);
    return rc;
}

int gs_chk_service(gs_site_t *s, gs_findings_t *out)
{
    int rc = service(s, out);
    if (rc == 0)
        rc = policy_interp(s, out);
    if (rc == 0)
        rc = dup_posts(s, out);
    return rc;
}
