/* gs_job.c -- the crawl of one site or the read of one account, and its result. */
#include "gs_job.h"
#include "gs_checks.h"
#include "gs_feed.h"
#include "gs_log.h"
#include "gs_page.h"
#include "gs_registry.h"
#include "gs_url.h"
#include "gs_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gs_job {
    gs_task_t task;
    const gs_config_t *cfg;
    const gs_job_data_t *data;
    gs_fetch_t *fetch;
    char worker[GS_ID_MAX];
    int finished;
    size_t outstanding; /* requests queued or running */
    /* visited set: FNV hashes of the URLs enqueued; open addressing, size a power of 2 */
    uint64_t *seen;
    size_t seen_cap, seen_len;
    uint32_t enqueued;
    /* facts */
    gs_site_facts_t sf;
    char *home_error;
    char *second_url;
    gs_account_facts_t af;
    char marker[128];
    gs_ymd_t newest_any;
    int has_any;
    /* result */
    gs_result_t result;
};

/* A request's context: which job, which depth. */
typedef struct reqctx {
    gs_job_t *job;
    uint32_t depth;
    int is_home;
} reqctx_t;

int gs_job_data_load(gs_job_data_t *d, const char *data_dir, gs_err_t *err)
{
    memset(d, 0, sizeof(*d));
    char path[1024];
    snprintf(path, sizeof(path), "%s/closed-markers.txt", data_dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    char line[512];
    int rc = 0;
    while (fgets(line, sizeof(line), fp) && d->nclosed < 256) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char **n = realloc(d->closed_markers, (d->nclosed + 1) * sizeof(*n));
        if (!n || !(n[d->nclosed] = strdup(line))) {
            if (n)
                d->closed_markers = n;
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        d->closed_markers = n;
        d->nclosed++;
    }
    fclose(fp);
    return rc;
}

void gs_job_data_cleanup(gs_job_data_t *d)
{
    for (size_t i = 0; i < d->nclosed; i++)
        free(d->closed_markers[i]);
    free(d->closed_markers);
    memset(d, 0, sizeof(*d));
}

/* Insert a URL into the visited set; 1 when new. */
static int seen_add(gs_job_t *j, const char *url)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, url, strlen(url));
    if (h == 0)
        h = 1;
    size_t mask = j->seen_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (j->seen[i] == h)
            return 0;
        if (j->seen[i] == 0) {
            if (j->seen_len + 1 > j->seen_cap / 2)
                return 0; /* full: the page budget bounds this, so treat as seen */
            j->seen[i] = h;
            j->seen_len++;
            return 1;
        }
    }
}

/* Not pages: documents, images, media and archives are not crawled as pages. */
static int looks_like_page(const char *url)
{
    static const char *const skip[] = {
        ".pdf", ".doc",  ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar", ".7z",
        ".jpg", ".jpeg", ".png",  ".gif", ".bmp",  ".mp4", ".mp3",  ".avi", ".flv", ".wps",
        ".txt", ".xml",  ".css",  ".js",  ".ico",  ".svg", ".apk",  ".exe", ".swf", NULL};
    const char *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url);
    for (int i = 0; skip[i]; i++) {
        size_t l = strlen(skip[i]);
        if (n > l && strncasecmp(url + n - l, skip[i], l) == 0)
            return 0;
    }
    return 1;
}

static void on_page(void *ud, const char *url, gs_response_t *resp);
static void on_feed(void *ud, const char *url, gs_response_t *resp);

static int enqueue(gs_job_t *j, const char *url, uint32_t depth, int is_home, int delay_ms,
                   gs_fetch_cb cb)
{
    reqctx_t *rc = calloc(1, sizeof(*rc));
    if (!rc)
        return GS_ENOMEM;
    rc->job = j;
    rc->depth = depth;
    rc->is_home = is_home;
    int r = gs_fetch_add(j->fetch, url, j, delay_ms, NULL, cb, rc);
    if (r < 0) {
        free(rc);
        return r;
    }
    j->outstanding++;
    return 0;
}

static void note_date(gs_job_t *j, gs_ymd_t d)
{
    if (!j->has_any || gs_ymd_days_between(j->newest_any, d) > 0)
        j->newest_any = d;
    j->has_any = 1;
}

static void finish(gs_job_t *j)
{
    gs_result_t *r = &j->result;
    if (j->task.kind == GS_KIND_SITE)
        gs_check_site(&j->sf, j->task.ref_unix, j->cfg, &r->findings);
    else if (r->checked)
        gs_check_account(&j->af, j->task.ref_unix, j->cfg, &r->findings);
    if (j->has_any)
        gs_ymd_format(j->newest_any, r->newest, sizeof(r->newest));
    j->finished = 1;
}

static void request_done(gs_job_t *j)
{
    if (--j->outstanding == 0 && !j->finished)
        finish(j);
}

static void set_home_error(gs_job_t *j, const gs_response_t *resp)
{
    free(j->home_error);
    char buf[300];
    if (resp->curl_code)
        snprintf(buf, sizeof(buf), "%s", resp->error);
    else
        snprintf(buf, sizeof(buf), "HTTP %ld", resp->status);
    j->home_error = strdup(buf);
    j->sf.home_error = j->home_error ? j->home_error : "";
    j->sf.home_status = resp->curl_code ? 0 : resp->status;
}

static void on_page(void *ud, const char *url, gs_response_t *resp)
{
    reqctx_t *rc = ud;
    gs_job_t *j = rc->job;
    if (!resp) { /* cancelled */
        free(rc);
        j->outstanding--;
        return;
    }
    int ok = resp->curl_code == 0 && resp->status >= 200 && resp->status < 300;
    j->result.bytes += resp->body_len;
    if (rc->is_home) {
        j->sf.home_tries++;
        if (!ok) {
            set_home_error(j, resp);
            /* A refused address will be refused again; anything else may be passing. */
            if (!resp->refused && (uint32_t)j->sf.home_tries <= j->cfg->home_retries)
                enqueue(j, url, 0, 1, (int)j->cfg->retry_delay_ms, on_page);
            goto out;
        }
        j->sf.home_ok = true;
    }
    if (!ok)
        goto out;
    j->result.pages++;
    gs_page_t page;
    if (gs_page_parse(&page, resp->body, resp->body_len, resp->content_type, resp->final_url,
                      j->task.ref_unix, j->cfg->max_links_per_page) == 0) {
        if (page.has_date) {
            note_date(j, page.newest);
            if (rc->is_home) {
                j->sf.home_has_date = true;
                j->sf.home_newest = page.newest;
            } else if (rc->depth == 1 &&
                       (!j->sf.second_has_date ||
                        gs_ymd_days_between(j->sf.second_newest, page.newest) > 0)) {
                j->sf.second_has_date = true;
                j->sf.second_newest = page.newest;
                free(j->second_url);
                j->second_url = strdup(resp->final_url);
                j->sf.second_url = j->second_url ? j->second_url : "";
            }
        }
        if (rc->depth < j->cfg->max_depth) {
            for (size_t i = 0; i < page.nlinks && j->enqueued < j->task.max_pages; i++) {
                const char *u = page.links[i].url;
                if (!gs_url_same_host(u, j->task.url) || !looks_like_page(u) || !seen_add(j, u))
                    continue;
                if (enqueue(j, u, rc->depth + 1, 0, 0, on_page) == 0)
                    j->enqueued++;
            }
        }
    }
    gs_page_cleanup(&page);
out:
    free(rc);
    request_done(j);
}

static void on_feed(void *ud, const char *url, gs_response_t *resp)
{
    reqctx_t *rc = ud;
    gs_job_t *j = rc->job;
    gs_result_t *r = &j->result;
    if (!resp) { /* cancelled */
        free(rc);
        j->outstanding--;
        return;
    }
    j->result.bytes += resp->body_len;
    j->af.status = resp->curl_code ? 0 : resp->status;
    for (size_t i = 0; resp->curl_code == 0 && i < j->data->nclosed; i++)
        if (strstr(resp->body, j->data->closed_markers[i])) {
            j->af.closed_marker = true;
            snprintf(j->marker, sizeof(j->marker), "%s", j->data->closed_markers[i]);
            j->af.marker = j->marker;
            break;
        }
    int transient = resp->curl_code != 0 || resp->status >= 500 || resp->status == 429;
    if (transient) {
        j->sf.home_tries++;
        if ((uint32_t)j->sf.home_tries <= j->cfg->home_retries && !resp->refused) {
            enqueue(j, url, 0, 1, (int)j->cfg->retry_delay_ms, on_feed);
        } else {
            r->checked = false;
            free(r->reason);
            char buf[400];
            snprintf(buf, sizeof(buf), "账号订阅源无法读取：%s",
                     resp->curl_code ? resp->error : "HTTP 5xx");
            if (!resp->curl_code)
                snprintf(buf, sizeof(buf), "账号订阅源无法读取：HTTP %ld", resp->status);
            r->reason = strdup(buf);
        }
        goto out;
    }
    r->checked = true;
    free(r->reason);
    r->reason = strdup("");
    if (resp->status >= 200 && resp->status < 300 && !j->af.closed_marker) {
        r->pages++;
        gs_feed_t *feed = NULL;
        gs_err_t e;
        gs_err_clear(&e);
        if (gs_feed_parse(resp->body, resp->body_len, resp->content_type, &feed, &e) == 0) {
            j->af.posts = gs_feed_count(feed);
            int64_t newest = gs_feed_newest(feed, j->task.ref_unix);
            if (newest) {
                j->af.has_post = true;
                j->af.newest = gs_ymd_from_unix_cst(newest);
                note_date(j, j->af.newest);
            }
            gs_feed_destroy(&feed);
        } else {
            r->checked = false;
            free(r->reason);
            char buf[600];
            snprintf(buf, sizeof(buf), "无法解析账号订阅源：%s", e.msg);
            r->reason = strdup(buf);
        }
    } else if (resp->status >= 300 && resp->status != 404 && resp->status != 410 &&
               !j->af.closed_marker) {
        r->checked = false;
        free(r->reason);
        char buf[100];
        snprintf(buf, sizeof(buf), "账号订阅源无法读取：HTTP %ld", resp->status);
        r->reason = strdup(buf);
    }
out:
    free(rc);
    request_done(j);
}

gs_job_t *gs_job_new(const gs_task_t *task, const char *worker_id, gs_fetch_t *fetch,
                     const gs_config_t *cfg, const gs_job_data_t *data)
{
    gs_job_t *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    gs_result_init(&j->result);
    if (gs_task_copy(&j->task, task) < 0) {
        free(j);
        return NULL;
    }
    j->cfg = cfg;
    j->data = data;
    j->fetch = fetch;
    snprintf(j->worker, sizeof(j->worker), "%s", worker_id);
    uint32_t budget = task->max_pages ? task->max_pages : 1;
    j->seen_cap = 16;
    while (j->seen_cap < 4 * (size_t)budget + 16)
        j->seen_cap *= 2;
    j->seen = calloc(j->seen_cap, sizeof(*j->seen));
    gs_result_t *r = &j->result;
    snprintf(r->sweep, sizeof(r->sweep), "%s", task->sweep);
    snprintf(r->target, sizeof(r->target), "%s", task->target);
    snprintf(r->worker, sizeof(r->worker), "%s", worker_id);
    r->epoch = task->epoch;
    r->kind = task->kind;
    r->checked = true;
    r->region = strdup(task->region);
    r->reason = strdup("");
    j->sf.home_url = j->task.url;
    j->sf.home_error = "";
    j->af.url = j->task.url;
    if (!j->seen || !r->region || !r->reason) {
        gs_job_destroy(&j);
        return NULL;
    }
    int rc;
    if (task->kind == GS_KIND_SITE) {
        char *home = gs_url_resolve(task->url, task->url);
        if (home) {
            seen_add(j, home);
            j->enqueued = 1;
        }
        rc = home ? enqueue(j, home, 0, 1, 0, on_page) : GS_EINVAL;
        free(home);
    } else {
        rc = enqueue(j, task->url, 0, 1, 0, on_feed);
    }
    if (rc < 0) {
        /* A URL the crawler cannot use is the target's problem, reported, not lost. */
        if (task->kind == GS_KIND_SITE) {
            j->sf.home_tries = 1;
            j->sf.home_error = "网址无效";
        } else {
            r->checked = false;
            free(r->reason);
            r->reason = strdup("账号网址无效");
        }
        finish(j);
    }
    return j;
}

void gs_job_destroy(gs_job_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_job_t *j = *self_p;
    if (j->outstanding)
        gs_fetch_cancel(j->fetch, j);
    gs_task_cleanup(&j->task);
    gs_result_cleanup(&j->result);
    free(j->seen);
    free(j->home_error);
    free(j->second_url);
    free(j);
    *self_p = NULL;
}

int gs_job_finished(const gs_job_t *j)
{
    return j->finished;
}

const gs_result_t *gs_job_result(const gs_job_t *j)
{
    return &j->result;
}

const gs_task_t *gs_job_task(const gs_job_t *j)
{
    return &j->task;
}
