/* gs_job.h -- one leased task inside a worker: a site crawl or an account read.
 *
 * A site job fetches the home page (retrying it home_retries times), then the site's
 * columns, their items and its other pages, breadth first, up to max_pages and max_depth;
 * each page is parsed into facts once (gs_site) and freed. The home page's probes (as a
 * spider, over HTTPS, over IPv6) run alongside; after the crawl, the links it saw but did
 * not fetch are checked (link_checks). An account job fetches the feed or profile. When no
 * request of the job is left, the checks run and the job holds its result.
 *
 * The job owns its requests in the fetch engine (cancelled on destroy) and its result.
 * Single-threaded. Limits: max_pages pages, max_links_per_page links a page. */
#ifndef GS_JOB_H
#define GS_JOB_H

#include "gs_checks.h"
#include "gs_config.h"
#include "gs_fetch.h"
#include "gs_linkcache.h"
#include "gs_msg.h"

typedef struct gs_job gs_job_t;

/* Start a job for task (copied). links (borrowed, may be NULL: every link is checked) shares
 * link verdicts with the other jobs and workers of the sweep. NULL when out of memory or
 * the task cannot start. */
gs_job_t *gs_job_new(const gs_task_t *task, const char *worker_id, gs_fetch_t *fetch,
                     const gs_config_t *cfg, const gs_check_env_t *env, gs_linkcache_t *links);
void gs_job_destroy(gs_job_t **self_p);

/* Between fetches: links waiting for another site's check ask again (every 200 ms). */
void gs_job_poll(gs_job_t *j);
/* 1 when the job has its result. */
int gs_job_finished(const gs_job_t *j);
/* The result (owned by the job); valid once finished. */
const gs_result_t *gs_job_result(const gs_job_t *j);
const gs_task_t *gs_job_task(const gs_job_t *j);

#endif
