/* gs_judge.h -- the settings that decide a sweep's findings, fixed when the sweep is planned.
 *
 * A finding depends on the thresholds of the checks (stale_days, the veto counts, ...) and
 * on how far the crawl looks (max_pages, max_depth, link_checks ...). In a cluster these are
 * read from each host's configuration; were they to differ between worker hosts, or change
 * when the dispatcher is restarted mid-sweep, the same target would be judged differently
 * depending on where and when it ran. So the dispatcher takes them from its configuration
 * once, when it plans the sweep, stores them in the sweep's meta (`judge`, a JSON object,
 * docs/redis-keys.md), uses the stored ones when it resumes, and sends them with every task;
 * the worker judges with the task's (docs/protocol.md). The worker's own configuration
 * keeps what is local to a host: addresses, timeouts, politeness, user agents.
 *
 * Plain data; the functions are pure. GS_JUDGE_UINTS and GS_JUDGE_BOOLS list the fields, so
 * that the encoder, the decoder, the meta and the configuration cannot drift apart. */
#ifndef GS_JUDGE_H
#define GS_JUDGE_H

#include "gs_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gs_config;

/* X(name, ceiling): a uint32_t field of gs_config_t and its sanity ceiling on decode */
#define GS_JUDGE_UINTS(X)                                                                          \
    X(max_pages, 100000)                                                                           \
    X(max_depth, 64)                                                                               \
    X(max_links_per_page, 1000000)                                                                 \
    X(link_checks, 1000000)                                                                        \
    X(home_retries, 100)                                                                           \
    X(stale_days, 36500)                                                                           \
    X(column_stale_veto, 100000)                                                                   \
    X(column_stale_total_veto, 100000)                                                             \
    X(column_blank_veto, 100000)                                                                   \
    X(interact_reply_days, 36500)                                                                  \
    X(interact_slow_workdays, 36500)                                                               \
    X(interact_window_days, 36500)                                                                 \
    X(dup_post_columns, 100000)                                                                    \
    X(cert_warn_days, 36500)                                                                       \
    X(privacy_mobiles, 100000)
/* X(name): a bool field of gs_config_t */
#define GS_JUDGE_BOOLS(X)                                                                          \
    X(check_external_links)                                                                        \
    X(service_veto)

typedef struct gs_judge {
    bool set; /* false: none (a task of an older dispatcher): the worker's own configuration */
#define GS_JUDGE_U_(name, max) uint32_t name;
#define GS_JUDGE_B_(name) bool name;
    GS_JUDGE_UINTS(GS_JUDGE_U_)
    GS_JUDGE_BOOLS(GS_JUDGE_B_)
#undef GS_JUDGE_U_
#undef GS_JUDGE_B_
} gs_judge_t;

/* The settings of cfg. */
void gs_judge_from_config(gs_judge_t *j, const struct gs_config *cfg);
/* Overwrite cfg's fields with j's (nothing when !j->set). */
void gs_judge_apply(const gs_judge_t *j, struct gs_config *cfg);

/* As a JSON object {"max_pages":200,...,"service_veto":false} (caller frees); NULL when out
 * of memory. */
char *gs_judge_to_json(const gs_judge_t *j);
/* From such an object: every field must be there with its type and within its ceiling
 * (GS_EPARSE, err names the field). Unknown fields are ignored (a newer dispatcher). */
int gs_judge_from_json(gs_judge_t *j, const char *json, gs_err_t *err);

/* The fields on which a and b differ, "stale_days 14 (now 10), ..." into out; 0 when none. */
size_t gs_judge_diff(const gs_judge_t *planned, const gs_judge_t *now, char *out, size_t len);

#endif
