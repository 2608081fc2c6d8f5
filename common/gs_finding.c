/* gs_finding.c -- the list of findings of one target. */
#include "gs_finding.h"
#include "gs_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gs_findings_init(gs_findings_t *f)
{
    memset(f, 0, sizeof(*f));
}

void gs_findings_cleanup(gs_findings_t *f)
{
    for (size_t i = 0; i < f->len; i++) {
        free(f->items[i].url);
        free(f->items[i].evidence);
        free(f->items[i].detail);
    }
    free(f->items);
    memset(f, 0, sizeof(*f));
}

int gs_findings_add(gs_findings_t *f, const char *code, bool veto, const char *url,
                    const char *evidence, const char *detail)
{
    if (f->len >= GS_FINDINGS_MAX) {
        f->dropped++;
        return 0;
    }
    if (f->len == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 8;
        gs_finding_t *p = realloc(f->items, ncap * sizeof(*p));
        if (!p)
            return GS_ENOMEM;
        f->items = p;
        f->cap = ncap;
    }
    gs_finding_t *it = &f->items[f->len];
    memset(it, 0, sizeof(*it));
    snprintf(it->code, sizeof(it->code), "%s", code);
    it->veto = veto;
    it->url = strdup(url ? url : "");
    it->evidence = strdup(evidence ? evidence : "");
    it->detail = strdup(detail ? detail : "{}");
    if (!it->url || !it->evidence || !it->detail) {
        free(it->url);
        free(it->evidence);
        free(it->detail);
        return GS_ENOMEM;
    }
    f->len++;
    return 0;
}

int gs_findings_any_veto(const gs_findings_t *f)
{
    for (size_t i = 0; i < f->len; i++)
        if (f->items[i].veto)
            return 1;
    return 0;
}
