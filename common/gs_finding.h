/* gs_finding.h -- a finding: one problem of one target, with its evidence.
 *
 * The shape is the public one of checks.md ("Every finding carries"): the sweep, target,
 * kind and region are added by whoever writes it out; the check fills code, veto, url,
 * evidence and detail. `detail` is a JSON object serialized as text (built with jansson)
 * so that it travels unchanged through msgpack, Redis and findings.jsonl.
 *
 * A gs_findings_t list owns its findings and their strings; gs_findings_cleanup frees
 * them. Not thread-safe. Limit: GS_FINDINGS_MAX per target (more are counted, not kept). */
#ifndef GS_FINDING_H
#define GS_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#define GS_FINDINGS_MAX 2000
#define GS_CODE_MAX 24

typedef struct gs_finding {
    char code[GS_CODE_MAX]; /* W-HOME-STALE, M-CLOSED, ... */
    bool veto;              /* makes the target 不合格 */
    char *url;              /* page that shows it */
    char *evidence;         /* Chinese sentence for the notice */
    char *detail;           /* JSON object text, "{}" when nothing structured */
} gs_finding_t;

typedef struct gs_findings {
    gs_finding_t *items;
    size_t len, cap;
    size_t dropped; /* findings past GS_FINDINGS_MAX, counted but not kept */
} gs_findings_t;

void gs_findings_init(gs_findings_t *f);
void gs_findings_cleanup(gs_findings_t *f);
/* Append a finding; strings are copied; detail may be NULL ("{}"). 0 or GS_ENOMEM. */
int gs_findings_add(gs_findings_t *f, const char *code, bool veto, const char *url,
                    const char *evidence, const char *detail);
/* 1 when any finding has veto set. */
int gs_findings_any_veto(const gs_findings_t *f);

#endif
