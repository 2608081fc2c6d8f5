/* gs_hits.c -- deduplicated content hits (gs_hits.h). */
#include "gs_hits.h"
#include "gs_err.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

int gs_hits_add(gs_hits_t *h, const char *what, const char *extra, const char *url,
                const char *context)
{
    for (size_t i = 0; i < h->len; i++)
        if (strcmp(h->items[i].what, what) == 0 &&
            strcmp(h->items[i].extra, extra ? extra : "") == 0) {
            gs_hit_t *x = &h->items[i];
            x->count++;
            /* The page a finding shows is the first by URL, not by arrival: the crawl's
             * order varies from run to run, the report must not. */
            if (url && strcmp(url, x->url) < 0) {
                char *u = strdup(url), *c = dup_or_empty(context);
                if (!u || !c) {
                    free(u);
                    free(c);
                    return GS_ENOMEM;
                }
                free(x->url);
                free(x->context);
                x->url = u;
                x->context = c;
            }
            return 0;
        }
    if (h->len >= GS_HITS_MAX) {
        h->dropped++;
        return 0;
    }
    gs_hit_t *x = &h->items[h->len];
    x->what = dup_or_empty(what);
    x->extra = dup_or_empty(extra);
    x->url = dup_or_empty(url);
    x->context = dup_or_empty(context);
    if (!x->what || !x->extra || !x->url || !x->context) {
        free(x->what);
        free(x->extra);
        free(x->url);
        free(x->context);
        return GS_ENOMEM;
    }
    x->count = 1;
    h->len++;
    return 0;
}

void gs_hits_cleanup(gs_hits_t *h)
{
    for (size_t i = 0; i < h->len; i++) {
        free(h->items[i].what);
        free(h->items[i].extra);
        free(h->items[i].url);
        free(h->items[i].context);
    }
    h->len = 0;
}
