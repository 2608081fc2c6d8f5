/* gs_checks.h -- the inspection checks and the shared data they read.
 *
 * Checks read facts gathered by the crawl (gs_site.h for websites, gs_account.h for
 * accounts), never HTML, and append findings with the Chinese evidence sentence an
 * inspector pastes into a notice and a structured detail (JSON). Codes, veto rules and
 * thresholds follow checks.md; thresholds come from the configuration and data files.
 *
 * gs_check_env_t is the read-only data every check shares: loaded once per worker
 * (gs_check_env_load), shared by all its jobs, freed by gs_check_env_cleanup. */
#ifndef GS_CHECKS_H
#define GS_CHECKS_H

#include "gs_columns.h"
#include "gs_config.h"
#include "gs_date.h"
#include "gs_finding.h"

#include <stdbool.h>
#include <stddef.h>

struct gs_dict;
struct gs_calendar;
struct gs_t2s;
struct gs_platforms;
typedef struct gs_profrules gs_profrules_t;

/* Purposes of the words of data/site-terms.tsv. */
typedef enum gs_termkind {
    GS_TERM_CHANNEL = 0, /* anchor text of a consultation channel */
    GS_TERM_SERVICE,     /* the elements of a service guide, in report order */
    GS_TERM_GUIDE,       /* words that make a page a service guide */
    GS_TERM_INTERP,      /* anchor text of a link to a policy interpretation */
    GS_TERM_SOURCE,      /* anchor text of a link from an interpretation to its document */
    GS_TERM_COUNT
} gs_termkind_t;

typedef struct gs_termlist {
    char **items;
    size_t len;
} gs_termlist_t;

/* What every check shares. */
typedef struct gs_check_env {
    const gs_config_t *cfg;
    gs_colrules_t *columns;         /* data/columns.tsv (+ column_overrides) */
    struct gs_dict *dict;           /* wording, spam, placeholders; NULL when not loaded */
    struct gs_calendar *calendar;   /* working days; NULL = Monday to Friday */
    struct gs_t2s *t2s;             /* Traditional -> Simplified; NULL = no conversion */
    struct gs_platforms *platforms; /* data/platforms.tsv */
    gs_profrules_t *profiles;       /* data/profiles.tsv */
    char **closed_markers;          /* data/closed-markers.txt */
    size_t nclosed;
    gs_termlist_t terms[GS_TERM_COUNT]; /* data/site-terms.tsv */
} gs_check_env_t;

/* Add a finding whose detail is a JSON object (a json_t *, consumed). A NULL detail is
 * what json_pack() gives when memory ran out: GS_ENOMEM, as when the detail cannot be
 * written, rather than a finding with its detail lost. */
int gs_chk_add(gs_findings_t *out, const char *code, bool veto, const char *url,
               const char *evidence, void *json_detail);

/* Add v (a json_t *, consumed; NULL when its maker ran out of memory) to the array *arr,
 * or under key to the object *obj. When that fails the container is dropped and set to
 * NULL: the detail it goes into then packs to NULL and gs_chk_add returns GS_ENOMEM,
 * where a detail short of an element would have been stored. */
struct json_t;
void gs_chk_append(struct json_t **arr, struct json_t *v);
void gs_chk_set(struct json_t **obj, const char *key, struct json_t *v);

/* The profile-page rules of data/profiles.tsv (gs_account.c). */
gs_profrules_t *gs_profrules_load(const char *data_dir, gs_err_t *err);
void gs_profrules_destroy(gs_profrules_t **self_p);

/* 1 when s contains a word of the list (and *which, when given, names it). */
int gs_terms_find(const gs_termlist_t *l, const char *s, const char **which);

/* Load everything from data_dir. 0, or an error naming the file and line. */
int gs_check_env_load(gs_check_env_t *env, const gs_config_t *cfg, const char *data_dir,
                      gs_err_t *err);
void gs_check_env_cleanup(gs_check_env_t *env);

#endif
