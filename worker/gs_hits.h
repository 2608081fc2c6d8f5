/* gs_hits.h -- what the content checks matched on the pages of one target, deduplicated.
 *
 * A hit is one distinct thing (a wrong form, a spam term, a hidden link's host, a masked
 * ID number) with the page that shows it (the first by URL, so that the result does not
 * depend on the order pages arrived in), a snippet there, and how many pages show it. Site and
 * account checks both collect them and make one finding per hit. gs_hits_t is embedded in
 * its owner and freed with gs_hits_cleanup; the strings are copies. Not thread-safe.
 * Limit: GS_HITS_MAX distinct hits (more are counted in dropped). */
#ifndef GS_HITS_H
#define GS_HITS_H

#include <stddef.h>
#include <stdint.h>

#define GS_HITS_MAX 256

/* A content hit: a wrong form, a spam term, a hidden link, an ID number... */
typedef struct gs_hit {
    char *what;     /* the wrong form, the term, the host */
    char *extra;    /* the right form, the category, the cause */
    char *url;      /* the first page showing it */
    char *context;  /* a short snippet around it */
    uint32_t count; /* pages (or occurrences) showing it */
} gs_hit_t;

typedef struct gs_hits {
    gs_hit_t items[GS_HITS_MAX];
    size_t len;
    size_t dropped;
} gs_hits_t;

/* Add a hit (deduplicated by what+extra: the count goes up). 0, or GS_ENOMEM when the hit
 * (or its earlier page) could not be kept: the caller must fail, not judge without it. */
int gs_hits_add(gs_hits_t *h, const char *what, const char *extra, const char *url,
                const char *context);
void gs_hits_cleanup(gs_hits_t *h);

#endif
