/* gs_checks.h -- the inspection checks, run on facts gathered by the crawl.
 *
 * Each check reads a facts struct (never HTML) and appends findings with the Chinese
 * evidence sentence an inspector pastes into a notice and a structured detail (JSON).
 * Codes, veto rules and thresholds follow checks.md; thresholds come from the config.
 * Pure functions of their inputs; thread-safe. */
#ifndef GS_CHECKS_H
#define GS_CHECKS_H

#include "gs_config.h"
#include "gs_date.h"
#include "gs_finding.h"

#include <stdbool.h>

/* What a site crawl learned that the site checks need. */
typedef struct gs_site_facts {
    const char *home_url;
    bool home_ok;           /* the home page opened (2xx with a body) */
    int home_tries;         /* attempts made on the home page */
    long home_status;       /* last HTTP status, 0 if none */
    const char *home_error; /* last failure in words */
    bool home_has_date;
    gs_ymd_t home_newest;
    bool second_has_date; /* second-level pages, used when the home page has no dates */
    gs_ymd_t second_newest;
    const char *second_url; /* the second-level page holding second_newest */
} gs_site_facts_t;

/* What an account's feed or profile showed. */
typedef struct gs_account_facts {
    const char *url;
    long status;        /* HTTP status, 0 if none */
    bool closed_marker; /* the body carries a closed-account marker */
    const char *marker; /* which one */
    bool has_post;      /* a dated post not after the reference time */
    gs_ymd_t newest;
    size_t posts;
} gs_account_facts_t;

/* W-UNREACHABLE, W-HOME-STALE. */
int gs_check_site(const gs_site_facts_t *sf, int64_t ref_unix, const gs_config_t *cfg,
                  gs_findings_t *out);

/* M-CLOSED, M-STALE. */
int gs_check_account(const gs_account_facts_t *af, int64_t ref_unix, const gs_config_t *cfg,
                     gs_findings_t *out);

#endif
