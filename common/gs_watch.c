/* gs_watch.c -- the availability watch's schedule, rule, clock and Redis keys (gs_watch.h).
 *
 * The probe log of a site is the truth; its verdict hash carries the counts (changed by the
 * same Lua script that appends to the log, so they always agree with it) and fields derived
 * from them by gs_watch_judge, rewritten after every probe and at the end of the watch. */
#include "gs_watch.h"
#include "gs_date.h"
#include "gs_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Site ids per call of the latest-watch script. */
#define LATEST_BATCH 500

/* ---- schedule ----------------------------------------------------------------------- */

int gs_watch_window_check(const gs_watch_window_t *w, gs_err_t *err)
{
    if (w->days < 1 || w->days > GS_WATCH_MAX_DAYS)
        return gs_err_set(err, GS_EINVAL, "days %u: from 1 to %d", w->days, GS_WATCH_MAX_DAYS);
    if (w->per_day < 1 || w->per_day > GS_WATCH_MAX_PER_DAY)
        return gs_err_set(err, GS_EINVAL, "per-day %u: from 1 to %d", w->per_day,
                          GS_WATCH_MAX_PER_DAY);
    return 0;
}

int64_t gs_watch_end(const gs_watch_window_t *w)
{
    return w->start + (int64_t)w->days * GS_WATCH_DAY;
}

uint32_t gs_watch_nslots(const gs_watch_window_t *w)
{
    return w->days * w->per_day;
}

int64_t gs_watch_interval(const gs_watch_window_t *w)
{
    return w->per_day ? GS_WATCH_DAY / (int64_t)w->per_day : GS_WATCH_DAY;
}

/* The day's offset of a site: FNV-1a of (watch, site, day) through splitmix64's finalizer,
 * whose low bits are as good as its high ones. */
static int64_t day_offset(const char *watch, const char *site, uint32_t day, int64_t interval)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, watch, strlen(watch) + 1);
    h = gs_fnv1a(h, site, strlen(site) + 1);
    unsigned char d[4] = {(unsigned char)day, (unsigned char)(day >> 8), (unsigned char)(day >> 16),
                          (unsigned char)(day >> 24)};
    h = gs_fnv1a(h, d, sizeof(d));
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return (int64_t)(h % (uint64_t)interval);
}

int64_t gs_watch_slot_time(const gs_watch_window_t *w, const char *watch, const char *site,
                           uint32_t slot)
{
    int64_t iv = gs_watch_interval(w);
    uint32_t day = slot / w->per_day, k = slot % w->per_day;
    return w->start + (int64_t)day * GS_WATCH_DAY + (int64_t)k * iv +
           day_offset(watch, site, day, iv);
}

uint32_t gs_watch_slot_from(const gs_watch_window_t *w, const char *watch, const char *site,
                            int64_t t)
{
    /* Slot times increase strictly with the slot (each day's last slot ends before the next
     * day begins), so a binary search finds the first at or after t. */
    uint32_t lo = 0, hi = gs_watch_nslots(w);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (gs_watch_slot_time(w, watch, site, mid) < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- probes ------------------------------------------------------------------------- */

void gs_watch_probe_format(const gs_watch_probe_t *p, char *out, size_t outlen)
{
    /* The reason never holds a comma (the fields are split on them). */
    char reason[GS_WATCH_REASON_MAX];
    size_t i = 0;
    for (; p->reason[i] && i + 1 < sizeof(reason); i++)
        reason[i] = p->reason[i] == ',' ? ';' : p->reason[i];
    reason[i] = '\0';
    snprintf(out, outlen, "%lld,%s,%s", (long long)p->at, p->ok ? "ok" : "fail", reason);
}

int gs_watch_probe_parse(const char *member, int64_t score, gs_watch_probe_t *out)
{
    memset(out, 0, sizeof(*out));
    char *end;
    errno = 0;
    long long at = strtoll(member, &end, 10);
    if (errno || end == member || *end != ',')
        return GS_EPARSE;
    const char *r = end + 1;
    if (strncmp(r, "ok,", 3) == 0) {
        out->ok = true;
        r += 3;
    } else if (strncmp(r, "fail,", 5) == 0) {
        r += 5;
    } else {
        return GS_EPARSE;
    }
    out->at = at;
    out->slot_time = score;
    snprintf(out->reason, sizeof(out->reason), "%s", r);
    return 0;
}

/* ---- the rule ----------------------------------------------------------------------- */

void gs_watch_judge(const gs_watch_tally_t *t, gs_watch_verdict_t *out)
{
    out->probes = t->probes;
    out->failed = t->failed;
    out->first = t->first;
    out->last = t->last;
    /* half up in integers: (2 * 10000 * failed + probes) / (2 * probes) */
    out->rate_bp = t->probes ? (uint32_t)((20000 * t->failed + t->probes) / (2 * t->probes)) : 0;
    if (t->probes)
        snprintf(out->rate, sizeof(out->rate), "%u.%02u%%", out->rate_bp / 100, out->rate_bp % 100);
    else
        snprintf(out->rate, sizeof(out->rate), "—");
    /* The window: at least GS_WATCH_VETO_DAYS days have passed, and every whole day that
     * has passed has its probes (a watch that was down for part of a day cannot say). */
    int64_t whole = t->covered_s > 0 ? t->covered_s / GS_WATCH_DAY : 0;
    if (whole > t->ndays)
        whole = t->ndays;
    bool decided =
        t->covered_s >= (int64_t)GS_WATCH_VETO_DAYS * GS_WATCH_DAY && whole >= GS_WATCH_VETO_DAYS;
    for (int64_t d = 0; decided && d < whole; d++)
        decided = t->daily[d] >= GS_WATCH_VETO_PER_DAY;
    out->decided = decided;
    out->veto = decided && t->probes > 0 && t->failed * 100 >= t->probes * GS_WATCH_VETO_PERCENT;
}

/* ---- clock -------------------------------------------------------------------------- */

int64_t gs_watch_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gs_watch_clock_init(gs_watch_clock_t *c, const char *spec, int64_t real_ms, gs_err_t *err)
{
    c->anchor_ms = real_ms;
    c->start_ms = real_ms;
    c->speed = 1;
    if (!spec || !*spec)
        return 0;
    char buf[96];
    if (strlen(spec) >= sizeof(buf))
        return gs_err_set(err, GS_EINVAL, "GS_WATCH_CLOCK too long");
    snprintf(buf, sizeof(buf), "%s", spec);
    char *colon = strrchr(buf, ':');
    if (!colon)
        return gs_err_set(err, GS_EINVAL, "GS_WATCH_CLOCK '%s': expected START:SPEED", spec);
    *colon = '\0';
    char *end;
    errno = 0;
    long long speed = strtoll(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || speed < 1 || speed > 1000000)
        return gs_err_set(err, GS_EINVAL, "GS_WATCH_CLOCK '%s': SPEED from 1 to 1000000", spec);
    int64_t start;
    errno = 0;
    long long s = strtoll(buf, &end, 10);
    if (!errno && end != buf && !*end && s > 0) {
        start = s;
    } else if (gs_time_parse_reference(buf, &start, err) < 0) {
        return gs_err_set(err, GS_EINVAL,
                          "GS_WATCH_CLOCK '%s': START is Unix seconds or "
                          "YYYY-MM-DD[THH:MM[:SS]]",
                          spec);
    }
    c->start_ms = start * 1000;
    c->speed = speed;
    return 0;
}

int64_t gs_watch_clock_now_ms(const gs_watch_clock_t *c, int64_t real_ms)
{
    return c->start_ms + (real_ms - c->anchor_ms) * c->speed;
}

/* ---- Redis helpers ------------------------------------------------------------------ */

static int reply_error(redisContext *ctx, redisReply *rep, gs_err_t *err, const char *what)
{
    int rc;
    if (!rep)
        rc = gs_err_set(err, GS_EREDIS, "redis (%s): %s", what,
                        ctx && ctx->errstr[0] ? ctx->errstr : "no reply");
    else
        rc = gs_err_set(err, GS_EREDIS, "redis (%s): %s", what,
                        rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
    if (rep)
        freeReplyObject(rep);
    return rc;
}

/* A reply element as text ("" when it is nil or not a string). */
static const char *elem_str(const redisReply *r)
{
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? r->str : "";
}

static long long elem_ll(const redisReply *r)
{
    if (r && r->type == REDIS_REPLY_INTEGER)
        return r->integer;
    const char *s = elem_str(r);
    return *s ? strtoll(s, NULL, 10) : 0;
}

static int valid_id(const char *s, const char *what, gs_err_t *err)
{
    if (!s || !gs_id_valid(s))
        return gs_err_set(err, GS_EINVAL,
                          "%s id '%s': use 1-39 letters, digits, '.', '_', "
                          "':', '-'",
                          what, s ? s : "");
    return 0;
}

uint64_t gs_watch_hash_sites(const gs_watch_site_t *sites, size_t n)
{
    uint64_t h = GS_FNV_INIT;
    for (size_t i = 0; i < n; i++) {
        h = gs_fnv1a(h, sites[i].id, strlen(sites[i].id) + 1);
        h = gs_fnv1a(h, sites[i].url, strlen(sites[i].url) + 1);
    }
    return h;
}

/* The daily field of a new verdict: "0,0,...,0", one per day. */
static void zero_daily(uint32_t days, char *out, size_t outlen)
{
    size_t o = 0;
    for (uint32_t d = 0; d < days && o + 3 < outlen; d++) {
        if (d)
            out[o++] = ',';
        out[o++] = '0';
    }
    out[o] = '\0';
}

/* gs:watch:latest:{ID} -> the watch, unless the site's latest watch starts later. The
 * watch ids come from gs:watches' members, which only gs_watch_create writes. */
static const char latest_lua[] =
    "local w, start = ARGV[1], tonumber(ARGV[2])\n"
    "for i = 3, #ARGV do\n"
    "  local k = 'gs:watch:latest:' .. ARGV[i]\n"
    "  local cur = redis.call('GET', k)\n"
    "  local take = true\n"
    "  if cur and cur ~= w then\n"
    "    local s = tonumber(redis.call('HGET', 'gs:watch:' .. cur .. ':meta', 'start_unix'))\n"
    "    if s and s > start then take = false end\n"
    "  end\n"
    "  if take then redis.call('SET', k, w) end\n"
    "end\n"
    "return 1\n";

int gs_watch_mark_latest(redisContext *ctx, const char *watch, int64_t start,
                         const gs_watch_site_t *sites, size_t n, gs_err_t *err)
{
    const char **argv = malloc((LATEST_BATCH + 6) * sizeof(*argv));
    if (!argv)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    char st[24], nk[8];
    snprintf(st, sizeof(st), "%lld", (long long)start);
    int rc = 0;
    for (size_t b = 0; b < n && rc == 0; b += LATEST_BATCH) {
        size_t m = n - b < LATEST_BATCH ? n - b : LATEST_BATCH;
        int argc = 0;
        argv[argc++] = "EVAL";
        argv[argc++] = latest_lua;
        snprintf(nk, sizeof(nk), "0");
        argv[argc++] = nk;
        argv[argc++] = watch;
        argv[argc++] = st;
        for (size_t i = 0; i < m; i++)
            argv[argc++] = sites[b + i].id;
        redisReply *rep = redisCommandArgv(ctx, argc, argv, NULL);
        if (!rep || rep->type == REDIS_REPLY_ERROR)
            rc = reply_error(ctx, rep, err, "latest watch");
        else
            freeReplyObject(rep);
    }
    free(argv);
    return rc;
}

/* ---- create, load, find ------------------------------------------------------------- */

/* Queue one command; on failure jump to `fail` (half a pipeline cannot be read back). */
#define PIPE(ctx, cnt, ...)                                                                        \
    do {                                                                                           \
        if (redisAppendCommand(ctx, __VA_ARGS__) != REDIS_OK)                                      \
            goto fail;                                                                             \
        (cnt)++;                                                                                   \
    } while (0)

int gs_watch_create(redisContext *ctx, const gs_watch_meta_t *m, const gs_watch_site_t *sites,
                    size_t n, gs_err_t *err)
{
    int rc = valid_id(m->id, "watch", err);
    if (rc == 0)
        rc = gs_watch_window_check(&m->window, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = valid_id(sites[i].id, "site", err);
    if (rc < 0)
        return rc;
    redisReply *rep = redisCommand(ctx, "EXISTS gs:watch:%s:meta", m->id);
    if (!rep || rep->type != REDIS_REPLY_INTEGER)
        return reply_error(ctx, rep, err, "watch meta");
    int exists = rep->integer != 0;
    freeReplyObject(rep);
    if (exists)
        return gs_err_set(err, GS_EEXIST, "watch %s exists", m->id);

    const gs_watch_window_t *w = &m->window;
    char p[96], start[40], end[40], created[40], hs[24], daily[GS_WATCH_MAX_DAYS * 2 + 2];
    snprintf(p, sizeof(p), "gs:watch:%s:", m->id);
    gs_time_format_cst(w->start, start, sizeof(start));
    gs_time_format_cst(gs_watch_end(w), end, sizeof(end));
    gs_time_format_cst(gs_wall_s(), created, sizeof(created));
    snprintf(hs, sizeof(hs), "%016llx", (unsigned long long)m->registry_hash);
    zero_daily(w->days, daily, sizeof(daily));
    int cnt = 0;
    PIPE(ctx, cnt, "MULTI");
    for (size_t i = 0; i < n; i++) {
        PIPE(ctx, cnt,
             "HSET %sverdict:%s name %s url %s probes 0 failed 0 daily %s first_unix 0 "
             "last_unix 0 rate %s decided false veto false first %s last %s updated %s",
             p, sites[i].id, sites[i].name, sites[i].url, daily, "—", "", "", "");
        PIPE(ctx, cnt, "RPUSH %ssites %s", p, sites[i].id);
    }
    PIPE(ctx, cnt,
         "HSET %smeta watch %s registry %s registry_hash %s total %lld days %u per_day %u "
         "start %s start_unix %lld end %s end_unix %lld created %s status running completed %s "
         "timeout_ms %u clock_speed %lld clock_start_ms %lld clock_anchor_ms %lld owner %s "
         "heartbeat_ms %lld",
         p, m->id, m->registry, hs, (long long)n, w->days, w->per_day, start, (long long)w->start,
         end, (long long)gs_watch_end(w), created, "", m->timeout_ms, (long long)m->clock.speed,
         (long long)m->clock.start_ms, (long long)m->clock.anchor_ms, m->owner,
         (long long)m->heartbeat_ms);
    PIPE(ctx, cnt, "ZADD gs:watches %lld %s", (long long)w->start, m->id);
    PIPE(ctx, cnt, "EXEC");
    rc = 0;
    for (int i = 0; i < cnt; i++) {
        redisReply *r = NULL;
        if (redisGetReply(ctx, (void **)&r) != REDIS_OK)
            return gs_err_set(err, GS_EREDIS, "redis (watch plan): %s", ctx->errstr);
        if (r->type == REDIS_REPLY_ERROR && rc == 0)
            rc = gs_err_set(err, GS_EREDIS, "redis (watch plan): %s", r->str);
        freeReplyObject(r);
    }
    if (rc == 0)
        rc = gs_watch_mark_latest(ctx, m->id, w->start, sites, n, err);
    return rc;
fail:
    /* Nothing after MULTI reached Redis unanswered: the caller drops the connection. */
    return gs_err_set(err, GS_ENOMEM, "out of memory while writing watch %s", m->id);
}

int gs_watch_meta_load(redisContext *ctx, const char *watch, gs_watch_meta_t *out, gs_err_t *err)
{
    int rc = valid_id(watch, "watch", err);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    static const char *const fields[] = {
        "watch",          "registry",        "registry_hash", "total",       "days",
        "per_day",        "start_unix",      "status",        "timeout_ms",  "clock_speed",
        "clock_start_ms", "clock_anchor_ms", "owner",         "heartbeat_ms"};
    enum { NF = sizeof(fields) / sizeof(fields[0]) };
    const char *argv[NF + 2];
    argv[0] = "HMGET";
    char key[96];
    snprintf(key, sizeof(key), "gs:watch:%s:meta", watch);
    argv[1] = key;
    for (size_t i = 0; i < NF; i++)
        argv[i + 2] = fields[i];
    redisReply *rep = redisCommandArgv(ctx, NF + 2, argv, NULL);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != NF)
        return reply_error(ctx, rep, err, "watch meta");
    redisReply **e = rep->element;
    if (e[0]->type != REDIS_REPLY_STRING) {
        freeReplyObject(rep);
        return gs_err_set(err, GS_ENOTFOUND, "no watch %s", watch);
    }
    snprintf(out->id, sizeof(out->id), "%s", watch);
    snprintf(out->registry, sizeof(out->registry), "%s", elem_str(e[1]));
    out->registry_hash = strtoull(elem_str(e[2]), NULL, 16);
    out->total = (uint32_t)elem_ll(e[3]);
    out->window.days = (uint32_t)elem_ll(e[4]);
    out->window.per_day = (uint32_t)elem_ll(e[5]);
    out->window.start = elem_ll(e[6]);
    out->complete = strcmp(elem_str(e[7]), "complete") == 0;
    out->timeout_ms = (uint32_t)elem_ll(e[8]);
    out->clock.speed = elem_ll(e[9]);
    out->clock.start_ms = elem_ll(e[10]);
    out->clock.anchor_ms = elem_ll(e[11]);
    snprintf(out->owner, sizeof(out->owner), "%s", elem_str(e[12]));
    out->heartbeat_ms = elem_ll(e[13]);
    freeReplyObject(rep);
    if (out->clock.speed < 1)
        out->clock.speed = 1;
    if (gs_watch_window_check(&out->window, NULL) < 0 || out->window.start <= 0)
        return gs_err_set(err, GS_EPARSE, "watch %s: unreadable window in its meta", watch);
    return 0;
}

int gs_watch_find_running(redisContext *ctx, uint64_t hash, char *out, size_t outlen, gs_err_t *err)
{
    redisReply *ids = redisCommand(ctx, "ZREVRANGE gs:watches 0 %d", GS_WATCH_SCAN_MAX - 1);
    if (!ids || ids->type != REDIS_REPLY_ARRAY)
        return reply_error(ctx, ids, err, "gs:watches");
    int rc = 0, found = 0;
    size_t queued = 0;
    for (size_t i = 0; i < ids->elements; i++) {
        if (redisAppendCommand(ctx, "HMGET gs:watch:%s:meta status registry_hash",
                               elem_str(ids->element[i])) != REDIS_OK) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        queued++;
    }
    char want[24];
    snprintf(want, sizeof(want), "%016llx", (unsigned long long)hash);
    for (size_t i = 0; i < queued; i++) {
        redisReply *r = NULL;
        if (redisGetReply(ctx, (void **)&r) != REDIS_OK) {
            rc = gs_err_set(err, GS_EREDIS, "redis (watch meta): %s", ctx->errstr);
            break;
        }
        if (!found && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
            strcmp(elem_str(r->element[0]), "running") == 0 &&
            strcmp(elem_str(r->element[1]), want) == 0) {
            snprintf(out, outlen, "%s", elem_str(ids->element[i]));
            found = 1;
        }
        freeReplyObject(r);
    }
    freeReplyObject(ids);
    return rc < 0 ? rc : found;
}

/* ---- probes in Redis ---------------------------------------------------------------- */

/* KEYS[1] the probe log, KEYS[2] the verdict; ARGV slot time, member, ok (1/0), window day
 * (0-based), days. A slot is probed once: a second probe of it changes nothing. */
static const char record_lua[] =
    "local added = 0\n"
    "if #redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1) == 0 then\n"
    "  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])\n"
    "  redis.call('HINCRBY', KEYS[2], 'probes', 1)\n"
    "  if ARGV[3] == '0' then redis.call('HINCRBY', KEYS[2], 'failed', 1) end\n"
    "  local daily = {}\n"
    "  for v in string.gmatch(redis.call('HGET', KEYS[2], 'daily') or '', '[^,]+') do\n"
    "    daily[#daily + 1] = tonumber(v) or 0\n"
    "  end\n"
    "  for i = #daily + 1, tonumber(ARGV[5]) do daily[i] = 0 end\n"
    "  local d = tonumber(ARGV[4]) + 1\n"
    "  daily[d] = (daily[d] or 0) + 1\n"
    "  redis.call('HSET', KEYS[2], 'daily', table.concat(daily, ','))\n"
    "  local t = tonumber(ARGV[1])\n"
    "  local f = tonumber(redis.call('HGET', KEYS[2], 'first_unix') or '0') or 0\n"
    "  if f == 0 or t < f then redis.call('HSET', KEYS[2], 'first_unix', ARGV[1]) end\n"
    "  local l = tonumber(redis.call('HGET', KEYS[2], 'last_unix') or '0') or 0\n"
    "  if t > l then redis.call('HSET', KEYS[2], 'last_unix', ARGV[1]) end\n"
    "  added = 1\n"
    "end\n"
    "local v = redis.call('HMGET', KEYS[2], 'probes', 'failed', 'daily', 'first_unix',\n"
    "                     'last_unix')\n"
    "return {added, v[1] or '0', v[2] or '0', v[3] or '', v[4] or '0', v[5] or '0'}\n";

/* "20,20,19" into t->daily (at most ndays entries). */
static void parse_daily(const char *s, gs_watch_tally_t *t)
{
    memset(t->daily, 0, sizeof(t->daily));
    for (uint32_t d = 0; d < t->ndays && *s; d++) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        t->daily[d] = (uint32_t)v;
        if (*end != ',')
            break;
        s = end + 1;
    }
}

int gs_watch_record(redisContext *ctx, const char *watch, const char *site,
                    const gs_watch_window_t *w, const gs_watch_probe_t *p, gs_watch_tally_t *t,
                    gs_err_t *err)
{
    int rc = valid_id(watch, "watch", err);
    if (rc == 0)
        rc = valid_id(site, "site", err);
    if (rc < 0)
        return rc;
    if (p->slot_time < w->start || p->slot_time >= gs_watch_end(w))
        return gs_err_set(err, GS_EINVAL, "probe of %s at %lld is outside watch %s", site,
                          (long long)p->slot_time, watch);
    char k1[128], k2[128], score[24], member[96], day[24], days[16];
    snprintf(k1, sizeof(k1), "gs:watch:%s:probes:%s", watch, site);
    snprintf(k2, sizeof(k2), "gs:watch:%s:verdict:%s", watch, site);
    snprintf(score, sizeof(score), "%lld", (long long)p->slot_time);
    gs_watch_probe_format(p, member, sizeof(member));
    snprintf(day, sizeof(day), "%lld", (long long)((p->slot_time - w->start) / GS_WATCH_DAY));
    snprintf(days, sizeof(days), "%u", w->days);
    const char *argv[] = {"EVAL", record_lua,        "2", k1,  k2, score,
                          member, p->ok ? "1" : "0", day, days};
    redisReply *rep = redisCommandArgv(ctx, (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 6)
        return reply_error(ctx, rep, err, "record probe");
    int added = (int)elem_ll(rep->element[0]);
    if (t) {
        memset(t, 0, sizeof(*t));
        t->ndays = w->days;
        t->probes = (uint64_t)elem_ll(rep->element[1]);
        t->failed = (uint64_t)elem_ll(rep->element[2]);
        parse_daily(elem_str(rep->element[3]), t);
        t->first = elem_ll(rep->element[4]);
        t->last = elem_ll(rep->element[5]);
    }
    freeReplyObject(rep);
    return added ? 1 : 0;
}

int gs_watch_tally_load(redisContext *ctx, const char *watch, const char *site,
                        const gs_watch_window_t *w, int64_t until, gs_watch_tally_t *out,
                        gs_err_t *err)
{
    int rc = valid_id(watch, "watch", err);
    if (rc == 0)
        rc = valid_id(site, "site", err);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->ndays = w->days;
    int64_t end = gs_watch_end(w);
    if (until > end)
        until = end;
    out->covered_s = until > w->start ? until - w->start : 0;
    /* A log has at most days * per_day members: bounded by the window's limits. */
    redisReply *rep = redisCommand(ctx, "ZRANGEBYSCORE gs:watch:%s:probes:%s %lld (%lld WITHSCORES",
                                   watch, site, (long long)w->start, (long long)until);
    if (!rep || rep->type != REDIS_REPLY_ARRAY)
        return reply_error(ctx, rep, err, "probe log");
    for (size_t i = 0; i + 1 < rep->elements; i += 2) {
        gs_watch_probe_t p;
        int64_t score = strtoll(elem_str(rep->element[i + 1]), NULL, 10);
        if (gs_watch_probe_parse(elem_str(rep->element[i]), score, &p) < 0)
            continue; /* not written by gs_watch_record: not a probe */
        int64_t day = (score - w->start) / GS_WATCH_DAY;
        if (day < 0 || day >= (int64_t)w->days)
            continue;
        out->probes++;
        out->failed += !p.ok;
        out->daily[day]++;
        if (!out->first || score < out->first)
            out->first = score;
        if (score > out->last)
            out->last = score;
    }
    freeReplyObject(rep);
    return 0;
}

int gs_watch_verdict_store(redisContext *ctx, const char *watch, const char *site,
                           const gs_watch_verdict_t *v, int64_t now, gs_err_t *err)
{
    int rc = valid_id(watch, "watch", err);
    if (rc == 0)
        rc = valid_id(site, "site", err);
    if (rc < 0)
        return rc;
    char first[40] = "", last[40] = "", upd[40];
    if (v->first)
        gs_time_format_cst(v->first, first, sizeof(first));
    if (v->last)
        gs_time_format_cst(v->last, last, sizeof(last));
    gs_time_format_cst(now, upd, sizeof(upd));
    redisReply *rep = redisCommand(
        ctx, "HSET gs:watch:%s:verdict:%s rate %s decided %s veto %s first %s last %s updated %s",
        watch, site, v->rate, v->decided ? "true" : "false", v->veto ? "true" : "false", first,
        last, upd);
    if (!rep || rep->type != REDIS_REPLY_INTEGER)
        return reply_error(ctx, rep, err, "verdict");
    freeReplyObject(rep);
    return 0;
}

int gs_watch_probed_since(redisContext *ctx, const char *watch, const char *site, int64_t from,
                          int64_t *out, size_t max, gs_err_t *err)
{
    int rc = valid_id(watch, "watch", err);
    if (rc == 0)
        rc = valid_id(site, "site", err);
    if (rc < 0)
        return rc;
    redisReply *rep = redisCommand(ctx,
                                   "ZRANGEBYSCORE gs:watch:%s:probes:%s %lld +inf WITHSCORES "
                                   "LIMIT 0 %lld",
                                   watch, site, (long long)from, (long long)max);
    if (!rep || rep->type != REDIS_REPLY_ARRAY)
        return reply_error(ctx, rep, err, "probe log");
    size_t n = 0;
    for (size_t i = 0; i + 1 < rep->elements && n < max; i += 2)
        out[n++] = strtoll(elem_str(rep->element[i + 1]), NULL, 10);
    freeReplyObject(rep);
    return (int)n;
}

/* ---- the dispatcher's lookup -------------------------------------------------------- */

/* The newest watch of site starting at or before ref: its id into out; 1, 0 (none) or
 * GS_EREDIS. The latest-watch pointer answers at once unless it starts after ref; then the
 * watches that start at or before ref are looked at, newest first. */
static int find_watch(redisContext *ctx, const char *site, int64_t ref, char *out, size_t outlen,
                      gs_err_t *err)
{
    redisReply *rep = redisCommand(ctx, "GET gs:watch:latest:%s", site);
    if (!rep || (rep->type != REDIS_REPLY_STRING && rep->type != REDIS_REPLY_NIL))
        return reply_error(ctx, rep, err, "latest watch");
    char latest[GS_WATCH_ID_MAX] = "";
    if (rep->type == REDIS_REPLY_STRING)
        snprintf(latest, sizeof(latest), "%s", rep->str);
    freeReplyObject(rep);
    if (latest[0]) {
        rep = redisCommand(ctx, "HGET gs:watch:%s:meta start_unix", latest);
        if (!rep)
            return reply_error(ctx, rep, err, "watch meta");
        long long start = elem_ll(rep);
        int have = rep->type == REDIS_REPLY_STRING;
        freeReplyObject(rep);
        if (have && start <= ref) {
            snprintf(out, outlen, "%s", latest);
            return 1;
        }
    }
    rep = redisCommand(ctx, "ZREVRANGEBYSCORE gs:watches %lld -inf LIMIT 0 %d", (long long)ref,
                       GS_WATCH_SCAN_MAX);
    if (!rep || rep->type != REDIS_REPLY_ARRAY)
        return reply_error(ctx, rep, err, "gs:watches");
    int rc = 0, found = 0;
    size_t queued = 0;
    for (size_t i = 0; i < rep->elements; i++) {
        if (redisAppendCommand(ctx, "EXISTS gs:watch:%s:verdict:%s", elem_str(rep->element[i]),
                               site) != REDIS_OK) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        queued++;
    }
    for (size_t i = 0; i < queued; i++) {
        redisReply *r = NULL;
        if (redisGetReply(ctx, (void **)&r) != REDIS_OK) {
            rc = gs_err_set(err, GS_EREDIS, "redis (verdict): %s", ctx->errstr);
            break;
        }
        if (!found && r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
            snprintf(out, outlen, "%s", elem_str(rep->element[i]));
            found = 1;
        }
        freeReplyObject(r);
    }
    freeReplyObject(rep);
    return rc < 0 ? rc : found;
}

int gs_watch_verdict(redisContext *ctx, const char *site_id, int64_t ref_unix,
                     gs_watch_verdict_t *out, gs_err_t *err)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->rate, sizeof(out->rate), "—");
    int rc = valid_id(site_id, "site", err);
    if (rc < 0)
        return rc;
    char w[GS_WATCH_ID_MAX];
    rc = find_watch(ctx, site_id, ref_unix, w, sizeof(w), err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gs_err_set(err, GS_ENOTFOUND, "no watch of %s before %lld", site_id,
                          (long long)ref_unix);
    gs_watch_meta_t m;
    if ((rc = gs_watch_meta_load(ctx, w, &m, err)) < 0)
        return rc;
    gs_watch_tally_t t;
    if ((rc = gs_watch_tally_load(ctx, w, site_id, &m.window, ref_unix, &t, err)) < 0)
        return rc;
    snprintf(out->watch, sizeof(out->watch), "%s", w);
    out->start = m.window.start;
    out->end = gs_watch_end(&m.window);
    out->complete = m.complete;
    gs_watch_judge(&t, out);
    return 0;
}
