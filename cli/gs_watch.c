/* gs_watch.c -- `govsweep watch TARGETS.csv --days 7 --per-day 20`: the availability watch.
 *
 * Every site of the registry has its home page fetched per_day times a day at the times
 * common/gs_watch.c schedules, over `days` days, with the worker's fetch engine (SSRF guard,
 * --allow-private, --connect-to, politeness) and a deadline of watch_timeout_ms (15 s). Each
 * probe is written to Redis once, with the site's verdict, as it completes; at the end of
 * the window every verdict is judged on the whole window, the watch is marked complete and
 * the verdict table printed. A watch stopped (Ctrl-C, a crash, SIGKILL) and started again
 * with the same registry resumes: slots already probed are not probed again, the slot due
 * within the last interval is, older ones count as missed. `--status` prints progress and
 * the current verdicts of a watch without probing anything. */
#include "gs_cli.h"
#include "gs_date.h"
#include "gs_fetch.h"
#include "gs_log.h"
#include "gs_redis.h"
#include "gs_registry.h"
#include "gs_report.h"
#include "gs_util.h"
#include "gs_watch.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Slots already probed that a restarted watch looks up per site (only the last interval's
 * can be due again, so a few are plenty). */
#define SKIP_MAX 8
/* How stale an owner's heartbeat must be before another process may take the watch over
 * (real ms; the owner writes one every HEARTBEAT_MS). */
#define HEARTBEAT_MS 1000
#define OWNER_STALE_MS 10000
/* A progress line on standard error this often (real ms). */
#define PROGRESS_MS 10000
/* Longest wait of one loop turn (real ms): keeps the heartbeat and Ctrl-C prompt. */
#define TICK_MS 200

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* One site's progress through its slots. */
typedef struct site_state {
    const char *id, *name, *url; /* borrowed from the registry */
    uint32_t next;               /* next slot to consider */
    int64_t due;                 /* its time; INT64_MAX when every slot has been taken */
    int64_t skip[SKIP_MAX];      /* slot times found probed when the watch (re)started */
    size_t nskip;
} site_state_t;

typedef struct watch_run {
    gs_config_t fcfg; /* the caller's configuration with the probe deadline (shallow copy) */
    gs_fetch_t *fetch;
    gs_redis_t *redis;
    gs_watch_meta_t m;
    site_state_t *sites;
    gs_watch_site_t *ws;
    size_t n;
    uint64_t started, recorded, failed, missed, lost;
} watch_run_t;

/* A probe in flight. */
typedef struct probe_ctx {
    watch_run_t *w;
    size_t site;
    int64_t slot_time, at;
} probe_ctx_t;

int gs_cli_watch_args(int argc, char **argv, gs_cli_watch_opts_t *o, gs_err_t *err)
{
    memset(o, 0, sizeof(*o));
    o->days = GS_WATCH_VETO_DAYS;
    o->per_day = GS_WATCH_VETO_PER_DAY;
    int out = 2;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        size_t nl = 0;
        static const char *const names[] = {"--days", "--per-day", "--watch"};
        int which = -1;
        for (int k = 0; k < 3; k++) {
            nl = strlen(names[k]);
            if (!strncmp(a, names[k], nl) && (a[nl] == '\0' || a[nl] == '=')) {
                which = k;
                break;
            }
        }
        if (!strcmp(a, "--status")) {
            o->status = true;
            continue;
        }
        if (which < 0) {
            argv[out++] = argv[i];
            continue;
        }
        if (a[nl] == '=')
            v = a + nl + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        else
            return gs_err_set(err, GS_EINVAL, "%s needs a value", a);
        if (which == 2) {
            o->watch = v;
            continue;
        }
        char *end;
        errno = 0;
        unsigned long x = strtoul(v, &end, 10);
        unsigned long max = which == 0 ? GS_WATCH_MAX_DAYS : GS_WATCH_MAX_PER_DAY;
        if (errno || end == v || *end || v[0] == '-' || x < 1 || x > max)
            return gs_err_set(err, GS_EINVAL, "%s wants a number from 1 to %lu, not '%s'",
                              which == 0 ? "--days" : "--per-day", max, v);
        if (which == 0) {
            o->days = (uint32_t)x;
            o->days_set = true;
        } else {
            o->per_day = (uint32_t)x;
            o->per_day_set = true;
        }
    }
    argv[out] = NULL;
    return out;
}

/* ---- probing ------------------------------------------------------------------------- */

/* What a finished transfer says about the home page (checks.md W-UNREACHABLE: timeouts,
 * DNS/TCP/TLS errors, HTTP >= 500 and the deadline fail; like the sweep, any final answer
 * other than 2xx does too, docs/configuration.md). */
static void classify(const gs_response_t *resp, gs_watch_probe_t *p)
{
    const char *why = NULL;
    char buf[GS_WATCH_REASON_MAX];
    p->ok = false;
    if (resp->refused) {
        why = "refused";
    } else if (resp->curl_code) {
        switch (resp->curl_code) {
        case CURLE_OPERATION_TIMEDOUT:
            why = "timeout";
            break;
        case CURLE_COULDNT_RESOLVE_HOST:
            why = "dns";
            break;
        case CURLE_COULDNT_CONNECT:
            why = "connect";
            break;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
            why = "tls";
            break;
        case CURLE_TOO_MANY_REDIRECTS:
            why = "redirects";
            break;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
            why = "reset";
            break;
        default:
            snprintf(buf, sizeof(buf), "curl-%d", resp->curl_code);
            why = buf;
        }
    } else {
        snprintf(buf, sizeof(buf), "http-%ld", resp->status);
        why = buf;
        p->ok = resp->status >= 200 && resp->status < 300;
    }
    snprintf(p->reason, sizeof(p->reason), "%s", why);
}

/* Watch time now, in ms and in seconds. */
static int64_t now_ms(const watch_run_t *w)
{
    return gs_watch_clock_now_ms(&w->m.clock, gs_watch_wall_ms());
}

/* Run f on the run's Redis, reconnecting once when the connection was lost. */
#define WITH_REDIS(w, rc, call)                                                                    \
    do {                                                                                           \
        redisContext *ctx = gs_redis_ctx((w)->redis);                                              \
        (rc) = ctx ? (call) : GS_EREDIS;                                                           \
        if ((rc) == GS_EREDIS && gs_redis_reconnect((w)->redis, NULL) == 0) {                      \
            ctx = gs_redis_ctx((w)->redis);                                                        \
            (rc) = (call);                                                                         \
        }                                                                                          \
    } while (0)

static void on_probe(void *ud, const char *url, gs_response_t *resp)
{
    probe_ctx_t *pc = ud;
    (void)url;
    if (!resp) { /* cancelled (stopping): the slot stays unprobed */
        free(pc);
        return;
    }
    watch_run_t *w = pc->w;
    const site_state_t *s = &w->sites[pc->site];
    gs_watch_probe_t p;
    memset(&p, 0, sizeof(p));
    p.slot_time = pc->slot_time;
    p.at = pc->at;
    classify(resp, &p);
    gs_watch_tally_t t;
    gs_err_t e;
    gs_err_clear(&e);
    int rc;
    WITH_REDIS(w, rc, gs_watch_record(ctx, w->m.id, s->id, &w->m.window, &p, &t, &e));
    if (rc < 0) {
        /* the probe cannot be written down: it is lost (the day may then lack a probe) */
        w->lost++;
        gs_warn("watch %s: probe of %s at %lld not recorded: %s", w->m.id, s->id,
                (long long)p.slot_time, e.msg);
        free(pc);
        return;
    }
    w->recorded += rc == 1;
    w->failed += rc == 1 && !p.ok;
    int64_t now = now_ms(w) / 1000, end = gs_watch_end(&w->m.window);
    t.covered_s = (now < end ? now : end) - w->m.window.start;
    gs_watch_verdict_t v;
    memset(&v, 0, sizeof(v));
    gs_watch_judge(&t, &v);
    WITH_REDIS(w, rc, gs_watch_verdict_store(ctx, w->m.id, s->id, &v, now, &e));
    if (rc < 0)
        gs_warn("watch %s: verdict of %s not written: %s", w->m.id, s->id, e.msg);
    gs_debug("watch %s: %s slot %lld: %s %s", w->m.id, s->id, (long long)p.slot_time,
             p.ok ? "ok" : "fail", p.reason);
    free(pc);
}

static bool skipped(const site_state_t *s, int64_t t)
{
    for (size_t i = 0; i < s->nskip; i++)
        if (s->skip[i] == t)
            return true;
    return false;
}

/* Move site s to slot k (its time cached: the loop looks at every site every turn). */
static void seek(const watch_run_t *w, site_state_t *s, uint32_t k)
{
    s->next = k;
    s->due = k < gs_watch_nslots(&w->m.window) ? gs_watch_slot_time(&w->m.window, w->m.id, s->id, k)
                                               : INT64_MAX;
}

/* Start the probes that are due; returns the watch time (s) of the next slot due, or
 * INT64_MAX when every slot has been taken. */
static int64_t start_due(watch_run_t *w, int64_t now)
{
    int64_t iv = gs_watch_interval(&w->m.window), next_due = INT64_MAX;
    for (size_t i = 0; i < w->n; i++) {
        site_state_t *s = &w->sites[i];
        while (s->due <= now) {
            int64_t t = s->due;
            seek(w, s, s->next + 1);
            if (skipped(s, t))
                continue;
            if (t < now - iv) { /* the watch was not running then: probing now would bunch */
                w->missed++;
                continue;
            }
            probe_ctx_t *pc = calloc(1, sizeof(*pc));
            if (!pc) {
                w->lost++;
                continue;
            }
            pc->w = w;
            pc->site = i;
            pc->slot_time = t;
            pc->at = now;
            /* one owner for every probe: stopping cancels them all in one pass */
            if (gs_fetch_add(w->fetch, s->url, w, 0, NULL, on_probe, pc) < 0) {
                free(pc);
                w->lost++;
                continue;
            }
            w->started++;
        }
        if (s->due < next_due)
            next_due = s->due;
    }
    return next_due;
}

/* ---- the watch's identity and ownership --------------------------------------------- */

static void owner_name(char *out, size_t outlen)
{
    char host[64] = "";
    if (gethostname(host, sizeof(host) - 1) < 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    snprintf(out, outlen, "%s:%d", host, (int)getpid());
}

/* Whether the owner recorded in m is alive: a recent heartbeat from another host, or from
 * a process of this host that still exists. */
static bool owner_alive(const gs_watch_meta_t *m, const char *me)
{
    if (!m->owner[0] || !strcmp(m->owner, me))
        return false;
    if (gs_watch_wall_ms() - m->heartbeat_ms > OWNER_STALE_MS)
        return false;
    const char *colon = strrchr(m->owner, ':');
    char host[64] = "";
    if (gethostname(host, sizeof(host) - 1) < 0)
        host[0] = '\0';
    host[sizeof(host) - 1] = '\0';
    if (colon && (size_t)(colon - m->owner) == strlen(host) &&
        !strncmp(m->owner, host, strlen(host))) {
        long pid = strtol(colon + 1, NULL, 10);
        return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
    }
    return true;
}

static int heartbeat(watch_run_t *w, const char *owner, gs_err_t *err)
{
    redisReply *rep =
        gs_redis_command(w->redis, err, "HSET gs:watch:%s:meta owner %s heartbeat_ms %lld", w->m.id,
                         owner, (long long)gs_watch_wall_ms());
    if (!rep)
        return GS_EREDIS;
    freeReplyObject(rep);
    return 0;
}

/* Choose the watch: the one named, the running one of this registry, or a new one named
 * watch-YYYYMMDD (of its start, CST) with -2, -3 ... when taken. Fills w->m. */
static int open_watch(watch_run_t *w, const gs_config_t *cfg, const gs_cli_watch_opts_t *o,
                      uint64_t hash, gs_err_t *err)
{
    redisContext *ctx = gs_redis_ctx(w->redis);
    char id[GS_WATCH_ID_MAX] = "";
    int rc;
    if (o->watch) {
        snprintf(id, sizeof(id), "%s", o->watch);
        rc = gs_watch_meta_load(ctx, id, &w->m, err);
        if (rc < 0 && rc != GS_ENOTFOUND)
            return rc;
        if (rc == 0)
            goto resume;
    } else {
        rc = gs_watch_find_running(ctx, hash, id, sizeof(id), err);
        if (rc < 0)
            return rc;
        if (rc == 1 && (rc = gs_watch_meta_load(ctx, id, &w->m, err)) < 0)
            return rc;
        if (id[0])
            goto resume;
    }

    /* a new watch, starting now by its clock */
    memset(&w->m, 0, sizeof(w->m));
    const char *spec = getenv("GS_WATCH_CLOCK");
    if ((rc = gs_watch_clock_init(&w->m.clock, spec, gs_watch_wall_ms(), err)) < 0)
        return rc;
    w->m.window.start = now_ms(w) / 1000;
    w->m.window.days = o->days;
    w->m.window.per_day = o->per_day;
    w->m.registry_hash = hash;
    w->m.total = (uint32_t)w->n;
    w->m.timeout_ms = cfg->watch_timeout_ms;
    snprintf(w->m.registry, sizeof(w->m.registry), "%s", cfg->registry);
    owner_name(w->m.owner, sizeof(w->m.owner));
    w->m.heartbeat_ms = gs_watch_wall_ms();
    if (id[0]) {
        snprintf(w->m.id, sizeof(w->m.id), "%s", id);
        return gs_watch_create(ctx, &w->m, w->ws, w->n, err);
    }
    char base[24], date[16];
    gs_ymd_format(gs_ymd_from_unix_cst(w->m.window.start), date, sizeof(date));
    snprintf(base, sizeof(base), "watch-%.4s%.2s%.2s", date, date + 5, date + 8);
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(w->m.id, sizeof(w->m.id), "%s", base);
        else
            snprintf(w->m.id, sizeof(w->m.id), "%s-%d", base, k);
        rc = gs_watch_create(ctx, &w->m, w->ws, w->n, err);
        if (rc != GS_EEXIST)
            return rc;
    }
    return gs_err_set(err, GS_EEXIST, "no free watch id from %s", base);

resume:
    if (w->m.registry_hash != hash)
        return gs_err_set(err, GS_EEXIST,
                          "watch %s was started with another registry (%s); give another --watch",
                          id, w->m.registry);
    if ((o->days_set && o->days != w->m.window.days) ||
        (o->per_day_set && o->per_day != w->m.window.per_day))
        return gs_err_set(err, GS_EEXIST,
                          "watch %s runs %u days with %u probes a day; give another --watch", id,
                          w->m.window.days, w->m.window.per_day);
    if (getenv("GS_WATCH_CLOCK") && w->m.clock.speed == 1)
        gs_warn("watch %s runs on real time: GS_WATCH_CLOCK applies to new watches only", id);
    return 1;
}

/* ---- verdict tables ----------------------------------------------------------------- */

/* One line of the verdict table. */
typedef struct vrow {
    char site[GS_WATCH_ID_MAX];
    char *name;
    gs_watch_verdict_t v;
} vrow_t;

static void vrows_free(vrow_t *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i].name);
    free(rows);
}

/* The verdicts of a watch's sites (its site list, in registry order) judged at watch time
 * now from the counts of their verdict hashes. *out is allocated (vrows_free). */
static int load_vrows(redisContext *ctx, const gs_watch_meta_t *m, int64_t now, vrow_t **out,
                      size_t *nout, gs_err_t *err)
{
    *out = NULL;
    *nout = 0;
    redisReply *ids =
        redisCommand(ctx, "LRANGE gs:watch:%s:sites 0 %d", m->id, GS_REGISTRY_MAX_ROWS - 1);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        int rc = gs_err_set(err, GS_EREDIS, "redis (watch sites): %s",
                            ids && ids->type == REDIS_REPLY_ERROR ? ids->str : ctx->errstr);
        if (ids)
            freeReplyObject(ids);
        return rc;
    }
    size_t n = ids->elements;
    vrow_t *rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows) {
        freeReplyObject(ids);
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    int rc = 0;
    size_t queued = 0;
    for (size_t i = 0; i < n; i++) {
        if (redisAppendCommand(ctx,
                               "HMGET gs:watch:%s:verdict:%s name probes failed daily "
                               "first_unix last_unix",
                               m->id, ids->element[i]->str) != REDIS_OK) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        queued++;
    }
    int64_t end = gs_watch_end(&m->window), until = now < end ? now : end;
    for (size_t i = 0; i < queued; i++) {
        redisReply *r = NULL;
        if (redisGetReply(ctx, (void **)&r) != REDIS_OK) {
            rc = gs_err_set(err, GS_EREDIS, "redis (verdicts): %s", ctx->errstr);
            break;
        }
        vrow_t *row = &rows[i];
        snprintf(row->site, sizeof(row->site), "%s", ids->element[i]->str);
        gs_watch_tally_t t;
        memset(&t, 0, sizeof(t));
        t.ndays = m->window.days;
        t.covered_s = until > m->window.start ? until - m->window.start : 0;
        const char *f[6] = {"", "0", "0", "", "0", "0"};
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 6)
            for (size_t k = 0; k < 6; k++)
                if (r->element[k]->type == REDIS_REPLY_STRING)
                    f[k] = r->element[k]->str;
        row->name = strdup(f[0]);
        t.probes = strtoull(f[1], NULL, 10);
        t.failed = strtoull(f[2], NULL, 10);
        const char *d = f[3];
        for (uint32_t k = 0; k < t.ndays && *d; k++) {
            char *e;
            t.daily[k] = (uint32_t)strtoul(d, &e, 10);
            if (*e != ',')
                break;
            d = e + 1;
        }
        t.first = strtoll(f[4], NULL, 10);
        t.last = strtoll(f[5], NULL, 10);
        gs_watch_judge(&t, &row->v);
        freeReplyObject(r);
        if (!row->name && rc == 0)
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    for (size_t i = queued; i < n; i++)
        snprintf(rows[i].site, sizeof(rows[i].site), "%s", ids->element[i]->str);
    freeReplyObject(ids);
    if (rc < 0) {
        vrows_free(rows, n);
        return rc;
    }
    *out = rows;
    *nout = n;
    return 0;
}

/* s padded with spaces to width terminal columns (CJK characters count two). */
static void put_cell(FILE *fp, const char *s, size_t width, bool right)
{
    size_t w = gs_report_text_width(s), pad = width > w ? width - w : 0;
    if (right)
        fprintf(fp, "%*s", (int)pad, "");
    fputs(s, fp);
    if (!right)
        fprintf(fp, "%*s", (int)pad, "");
}

/* 站点, 探测次数, 失败次数, 失败率, 是否单项否决: one line per site, aligned. */
static void print_vrows(FILE *fp, const vrow_t *rows, size_t n)
{
    enum { NC = 5 };
    static const char *const head[NC] = {"站点", "探测次数", "失败次数", "失败率", "是否单项否决"};
    size_t width[NC];
    for (size_t c = 0; c < NC; c++)
        width[c] = gs_report_text_width(head[c]);
    char cell[NC][600];
    /* two passes: the widths, then the lines */
    size_t undecided = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t c = 0; c < NC; c++) {
                if (c)
                    fputs("  ", fp);
                put_cell(fp, head[c], c == NC - 1 ? 0 : width[c], false);
            }
            fputc('\n', fp);
        }
        for (size_t i = 0; i < n; i++) {
            const vrow_t *r = &rows[i];
            snprintf(cell[0], sizeof(cell[0]), "%.500s（%s）", r->name ? r->name : "", r->site);
            snprintf(cell[1], sizeof(cell[1]), "%llu", (unsigned long long)r->v.probes);
            snprintf(cell[2], sizeof(cell[2]), "%llu", (unsigned long long)r->v.failed);
            snprintf(cell[3], sizeof(cell[3]), "%s", r->v.rate);
            snprintf(cell[4], sizeof(cell[4]), "%s",
                     !r->v.decided ? "未定"
                     : r->v.veto   ? "是"
                                   : "否");
            if (pass == 0) {
                undecided += !r->v.decided;
                for (size_t c = 0; c < NC; c++) {
                    size_t w = gs_report_text_width(cell[c]);
                    if (w > width[c])
                        width[c] = w;
                }
                continue;
            }
            for (size_t c = 0; c < NC; c++) {
                if (c)
                    fputs("  ", fp);
                put_cell(fp, cell[c], c == NC - 1 ? 0 : width[c], c > 0 && c < NC - 1);
            }
            fputc('\n', fp);
        }
    }
    if (undecided)
        fprintf(
            fp,
            "未定：监测窗口不足 %d 天，或某日探测少于 %d 次（%zu 个站点），是否单项否决由检查时的"
            "重试判定。\n",
            GS_WATCH_VETO_DAYS, GS_WATCH_VETO_PER_DAY, undecided);
}

/* The watch's header lines and verdict table at watch time now. */
static int print_watch(FILE *fp, redisContext *ctx, const gs_watch_meta_t *m, int64_t now,
                       gs_err_t *err)
{
    vrow_t *rows = NULL;
    size_t n = 0;
    int rc = load_vrows(ctx, m, now, &rows, &n, err);
    if (rc < 0)
        return rc;
    const gs_watch_window_t *w = &m->window;
    int64_t end = gs_watch_end(w), until = m->complete || now > end ? end : now;
    char s[40], e[40];
    gs_time_format_cst(w->start, s, sizeof(s));
    gs_time_format_cst(end, e, sizeof(e));
    unsigned long long probes = 0, failed = 0, due = 0;
    for (size_t i = 0; i < n; i++) {
        probes += rows[i].v.probes;
        failed += rows[i].v.failed;
        due += gs_watch_slot_from(w, m->id, rows[i].site, until);
    }
    fprintf(fp, "watch %s (%s): %s to %s, %u days x %u probes a day, %s", m->id, m->registry, s, e,
            w->days, w->per_day, m->complete ? "complete" : "running");
    if (!m->complete && m->owner[0])
        fprintf(fp, " (run by %s)", m->owner);
    if (m->clock.speed != 1)
        fprintf(fp, ", clock x%lld (test)", (long long)m->clock.speed);
    long long el = until - w->start;
    fprintf(fp, "\nday %lld.%02lld of %u: %llu probes of %llu due (%llu planned), %llu failed\n\n",
            el / GS_WATCH_DAY, (el % GS_WATCH_DAY) * 100 / GS_WATCH_DAY, w->days, probes, due,
            (unsigned long long)n * gs_watch_nslots(w), failed);
    print_vrows(fp, rows, n);
    vrows_free(rows, n);
    fflush(fp);
    return ferror(fp) ? GS_EIO : 0;
}

/* `--status`: the watch named, else the running watch of the registry given, else the
 * newest watch. */
static int watch_status(gs_redis_t *r, const gs_config_t *cfg, const gs_cli_watch_opts_t *o,
                        gs_err_t *err)
{
    redisContext *ctx = gs_redis_ctx(r);
    char id[GS_WATCH_ID_MAX] = "";
    int rc = 0;
    if (o->watch) {
        snprintf(id, sizeof(id), "%s", o->watch);
    } else if (cfg->registry[0]) {
        gs_registry_t *reg = gs_registry_new();
        if (!reg)
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        rc = gs_registry_load_file(reg, cfg->registry, err);
        size_t n = gs_registry_count(reg), k = 0;
        gs_watch_site_t *ws = rc == 0 ? calloc(n ? n : 1, sizeof(*ws)) : NULL;
        if (rc == 0 && !ws)
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const gs_target_t *t = gs_registry_get(reg, i);
            if (t->kind == GS_KIND_SITE)
                ws[k++] = (gs_watch_site_t){t->id, t->name, t->url};
        }
        if (rc == 0)
            rc = gs_watch_find_running(ctx, gs_watch_hash_sites(ws, k), id, sizeof(id), err);
        free(ws);
        gs_registry_destroy(&reg);
        if (rc == 0)
            return gs_err_set(err, GS_ENOTFOUND, "no running watch of %s", cfg->registry);
        if (rc < 0)
            return rc;
    } else {
        redisReply *rep = gs_redis_command(r, err, "ZREVRANGE gs:watches 0 0");
        if (!rep)
            return GS_EREDIS;
        if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 1)
            snprintf(id, sizeof(id), "%s", rep->element[0]->str);
        freeReplyObject(rep);
        if (!id[0])
            return gs_err_set(err, GS_ENOTFOUND, "no watch in Redis yet");
    }
    gs_watch_meta_t m;
    if ((rc = gs_watch_meta_load(ctx, id, &m, err)) < 0)
        return rc;
    return print_watch(stdout, ctx, &m, gs_watch_clock_now_ms(&m.clock, gs_watch_wall_ms()) / 1000,
                       err);
}

/* ---- the watch ---------------------------------------------------------------------- */

/* Judge every site on its whole window, mark the watch complete. */
static int finish(watch_run_t *w, gs_err_t *err)
{
    redisContext *ctx = gs_redis_ctx(w->redis);
    int64_t end = gs_watch_end(&w->m.window);
    for (size_t i = 0; i < w->n; i++) {
        gs_watch_tally_t t;
        int rc = gs_watch_tally_load(ctx, w->m.id, w->sites[i].id, &w->m.window, end, &t, err);
        gs_watch_verdict_t v;
        memset(&v, 0, sizeof(v));
        gs_watch_judge(&t, &v);
        if (rc == 0)
            rc = gs_watch_verdict_store(ctx, w->m.id, w->sites[i].id, &v, end, err);
        if (rc < 0)
            return rc;
    }
    char done[40];
    gs_time_format_cst(end, done, sizeof(done));
    redisReply *rep = gs_redis_command(
        w->redis, err, "HSET gs:watch:%s:meta status complete completed %s owner %s", w->m.id, done,
        "");
    if (!rep)
        return GS_EREDIS;
    freeReplyObject(rep);
    w->m.complete = true;
    return 0;
}

/* Where each site stands when the watch (re)starts: the first slot that may still be
 * probed (due within the last interval or later) and which of those are already done. */
static int position_sites(watch_run_t *w, gs_err_t *err)
{
    int64_t now = now_ms(w) / 1000, from = now - gs_watch_interval(&w->m.window);
    for (size_t i = 0; i < w->n; i++) {
        site_state_t *s = &w->sites[i];
        seek(w, s, gs_watch_slot_from(&w->m.window, w->m.id, s->id, from));
        int rc = gs_watch_probed_since(gs_redis_ctx(w->redis), w->m.id, s->id, from, s->skip,
                                       SKIP_MAX, err);
        if (rc < 0)
            return rc;
        s->nskip = (size_t)rc;
    }
    return 0;
}

static void progress(watch_run_t *w, int64_t now)
{
    const gs_watch_window_t *win = &w->m.window;
    long long el = now - win->start;
    if (el < 0)
        el = 0;
    fprintf(stderr,
            "watch %s: day %lld.%02lld of %u, %llu probes recorded (%llu failed), %zu in flight, "
            "%llu missed\n",
            w->m.id, el / GS_WATCH_DAY, (el % GS_WATCH_DAY) * 100 / GS_WATCH_DAY, win->days,
            (unsigned long long)w->recorded, (unsigned long long)w->failed,
            gs_fetch_pending(w->fetch), (unsigned long long)(w->missed + w->lost));
}

int gs_cli_watch(gs_config_t *cfg, const gs_cli_watch_opts_t *o, gs_err_t *err)
{
    watch_run_t w;
    memset(&w, 0, sizeof(w));
    int rc = 0;
    gs_registry_t *reg = NULL;
    if (!(w.redis = gs_redis_new(cfg->redis, err)))
        return GS_EREDIS;
    if (o->status) {
        rc = watch_status(w.redis, cfg, o, err);
        gs_redis_destroy(&w.redis);
        return rc;
    }

    /* the sites, before anything is written */
    if (!cfg->registry[0]) {
        rc = gs_err_set(err, GS_EINVAL, "which registry? usage: govsweep watch TARGETS.csv");
        goto out;
    }
    if (!(reg = gs_registry_new())) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = gs_registry_load_file(reg, cfg->registry, err)) < 0) {
        for (size_t i = 0; i < gs_registry_nproblems(reg); i++)
            fprintf(stderr, "%s: %s\n", cfg->registry, gs_registry_problem(reg, i));
        goto out;
    }
    size_t nt = gs_registry_count(reg);
    w.sites = calloc(nt ? nt : 1, sizeof(*w.sites));
    w.ws = calloc(nt ? nt : 1, sizeof(*w.ws));
    if (!w.sites || !w.ws) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nt; i++) {
        const gs_target_t *t = gs_registry_get(reg, i);
        if (t->kind != GS_KIND_SITE) /* accounts have no home page to watch */
            continue;
        w.sites[w.n] = (site_state_t){.id = t->id, .name = t->name, .url = t->url};
        w.ws[w.n++] = (gs_watch_site_t){t->id, t->name, t->url};
    }
    if (w.n == 0) {
        rc = gs_err_set(err, GS_EINVAL, "%s lists no site to watch", cfg->registry);
        goto out;
    }

    /* the watch: new or resumed, and ours */
    if ((rc = open_watch(&w, cfg, o, gs_watch_hash_sites(w.ws, w.n), err)) < 0)
        goto out;
    bool resumed = rc == 1;
    rc = 0;
    char me[128];
    owner_name(me, sizeof(me));
    if (resumed && !w.m.complete && owner_alive(&w.m, me)) {
        rc = gs_err_set(err, GS_ESTATE, "watch %s is being run by %s", w.m.id, w.m.owner);
        goto out;
    }
    if (w.m.complete) {
        fprintf(stderr, "govsweep: watch %s is complete\n", w.m.id);
        rc = print_watch(stdout, gs_redis_ctx(w.redis), &w.m, gs_watch_end(&w.m.window), err);
        goto out;
    }
    if ((rc = heartbeat(&w, me, err)) < 0 ||
        (rc = gs_watch_mark_latest(gs_redis_ctx(w.redis), w.m.id, w.m.window.start, w.ws, w.n,
                                   err)) < 0 ||
        (rc = position_sites(&w, err)) < 0)
        goto out;

    /* the probes' fetch engine: the caller's options, the watch's deadline */
    w.fcfg = *cfg;
    w.fcfg.page_timeout_ms = w.m.timeout_ms ? w.m.timeout_ms : GS_WATCH_DEADLINE_MS;
    if (w.fcfg.connect_timeout_ms > w.fcfg.page_timeout_ms)
        w.fcfg.connect_timeout_ms = w.fcfg.page_timeout_ms;
    if (!(w.fetch = gs_fetch_new(&w.fcfg, err))) {
        rc = GS_ENOMEM;
        goto out;
    }
    char s[40], e[40];
    gs_time_format_cst(w.m.window.start, s, sizeof(s));
    gs_time_format_cst(gs_watch_end(&w.m.window), e, sizeof(e));
    fprintf(stderr, "govsweep: %s watch %s of %zu sites, %s to %s, %u probes a day%s\n",
            resumed ? "resuming" : "starting", w.m.id, w.n, s, e, w.m.window.per_day,
            w.m.clock.speed != 1 ? " (test clock)" : "");

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int64_t end = gs_watch_end(&w.m.window);
    int64_t last_beat = gs_now_ms(), last_progress = gs_now_ms();
    while (!stop_requested) {
        int64_t nowms = now_ms(&w), now = nowms / 1000;
        int64_t due = start_due(&w, now);
        if (due == INT64_MAX && gs_fetch_pending(w.fetch) == 0 && now >= end)
            break;
        /* sleep until the next slot (in real ms: watch time runs speed times faster) */
        int64_t wait = TICK_MS;
        if (due != INT64_MAX) {
            int64_t real = (due * 1000 - nowms) / w.m.clock.speed + 1;
            if (real < wait)
                wait = real > 1 ? real : 1;
        }
        gs_fetch_poll(w.fetch, NULL, 0, (int)wait);
        int64_t real = gs_now_ms();
        if (real - last_beat >= HEARTBEAT_MS) {
            gs_err_t he;
            if (heartbeat(&w, me, &he) < 0)
                gs_warn("watch %s: %s", w.m.id, he.msg);
            last_beat = real;
        }
        if (real - last_progress >= PROGRESS_MS) {
            progress(&w, now);
            last_progress = real;
        }
    }
    if (stop_requested) {
        gs_fetch_cancel(w.fetch, &w);
        redisReply *rep =
            gs_redis_command(w.redis, NULL, "HSET gs:watch:%s:meta owner %s", w.m.id, "");
        if (rep)
            freeReplyObject(rep);
        rc = gs_err_set(err, GS_ESTATE,
                        "interrupted; the probes so far are kept -- run the same command to "
                        "resume watch %s",
                        w.m.id);
        goto out;
    }
    progress(&w, end);
    if ((rc = finish(&w, err)) < 0)
        goto out;
    rc = print_watch(stdout, gs_redis_ctx(w.redis), &w.m, end, err);
out:
    gs_fetch_destroy(&w.fetch);
    gs_redis_destroy(&w.redis);
    gs_registry_destroy(&reg);
    free(w.sites);
    free(w.ws);
    return rc;
}
