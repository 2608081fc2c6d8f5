/* gs_watch.h -- the availability watch behind W-UNREACHABLE's veto: when each site's home
 * page is probed, how a probe is written down, the veto rule, and the watch's Redis keys.
 *
 * A watch W probes every site of a registry per_day times a day over a window of `days`
 * days from its start (docs/redis-keys.md, "Availability watches"). Window day d is
 * [start + d*86400, start + (d+1)*86400); it holds per_day slots, slot k of day d at
 * start + d*86400 + k*I + offset, I = 86400/per_day seconds and offset in [0, I) drawn from
 * a hash of (watch, site, day): one site's probes are I apart, different sites and days are
 * shifted against each other (never all at once), and a restarted watch computes the same
 * times again. The verdict (gs_watch_judge) follows checks.md: the veto needs a window of at
 * least GS_WATCH_VETO_DAYS days, every whole day of it with at least GS_WATCH_VETO_PER_DAY
 * probes ("decided"), and failed probes reaching GS_WATCH_VETO_PERCENT of all.
 *
 * The cli's `govsweep watch` (cli/gs_watch.c) does the probing with the worker's fetch
 * engine; this module is what it shares with the dispatcher, which reads verdicts with
 * gs_watch_verdict. The clock of a watch is injectable for tests (gs_watch_clock_t).
 *
 * Ownership: every function works on caller-owned structs and the caller's redisContext
 * (which it must have to itself for the call); nothing here allocates what outlives a call.
 * Thread safety: the pure functions are thread-safe; the Redis ones are as safe as the
 * context. Limits: GS_WATCH_MAX_DAYS days, GS_WATCH_MAX_PER_DAY probes a day, watch and
 * site ids of GS_WATCH_ID_MAX - 1 bytes, GS_WATCH_SCAN_MAX watches looked at per lookup. */
#ifndef GS_WATCH_H
#define GS_WATCH_H

#include "gs_err.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GS_WATCH_DAY 86400
/* A quarter: the longest window a watch runs (bounds the per-day tallies). */
#define GS_WATCH_MAX_DAYS 92
/* One probe a minute at most. */
#define GS_WATCH_MAX_PER_DAY 1440
/* The veto rule of checks.md (W-UNREACHABLE). */
#define GS_WATCH_VETO_DAYS 7
#define GS_WATCH_VETO_PER_DAY 20
#define GS_WATCH_VETO_PERCENT 5
/* checks.md: a probe fails when the home page is not open within 15 s. */
#define GS_WATCH_DEADLINE_MS 15000
/* Watch ids and site ids (sweep id rules: 1..39 bytes of [A-Za-z0-9._:-]). */
#define GS_WATCH_ID_MAX 40
/* Reason of a probe outcome ("http-200", "timeout", "dns", ...). */
#define GS_WATCH_REASON_MAX 32
/* Watches examined by gs_watch_verdict when the site's latest one is after ref_unix. */
#define GS_WATCH_SCAN_MAX 1000

/* The window of a watch. */
typedef struct gs_watch_window {
    int64_t start;    /* Unix seconds: the watch's start */
    uint32_t days;    /* 1..GS_WATCH_MAX_DAYS */
    uint32_t per_day; /* 1..GS_WATCH_MAX_PER_DAY */
} gs_watch_window_t;

/* 0 when the window's days and per_day are within the limits; GS_EINVAL with err. */
int gs_watch_window_check(const gs_watch_window_t *w, gs_err_t *err);
/* start + days * 86400. */
int64_t gs_watch_end(const gs_watch_window_t *w);
/* days * per_day. */
uint32_t gs_watch_nslots(const gs_watch_window_t *w);
/* 86400 / per_day: the spacing of one site's probes, also how late a probe may still be
 * taken (a slot not probed within one interval of its time is missed: probing it later
 * would bunch probes together). */
int64_t gs_watch_interval(const gs_watch_window_t *w);
/* Unix time of slot `slot` (0 .. nslots-1, day slot / per_day) of site in watch. */
int64_t gs_watch_slot_time(const gs_watch_window_t *w, const char *watch, const char *site,
                           uint32_t slot);
/* The first slot whose time is >= t; nslots when there is none. */
uint32_t gs_watch_slot_from(const gs_watch_window_t *w, const char *watch, const char *site,
                            int64_t t);

/* ---- probes ------------------------------------------------------------------------- */

/* One probe: the member of gs:watch:{W}:probes:{ID} is "AT,ok,REASON" or "AT,fail,REASON",
 * its score the slot time. */
typedef struct gs_watch_probe {
    int64_t slot_time;                /* the slot it was made for (the zset score) */
    int64_t at;                       /* watch-clock time it started */
    bool ok;                          /* the home page opened in time */
    char reason[GS_WATCH_REASON_MAX]; /* http-200, http-503, timeout, dns, connect, tls, ... */
} gs_watch_probe_t;

/* The member text of p into out (at most outlen bytes; 64 are always enough). */
void gs_watch_probe_format(const gs_watch_probe_t *p, char *out, size_t outlen);
/* Parse a member (and its score) back; GS_EPARSE when it is not one. */
int gs_watch_probe_parse(const char *member, int64_t score, gs_watch_probe_t *out);

/* ---- the rule ----------------------------------------------------------------------- */

/* What the rule reads: the probes of one site so far. */
typedef struct gs_watch_tally {
    uint64_t probes, failed;
    int64_t covered_s; /* seconds of the window that have passed (0 .. days * 86400) */
    uint32_t ndays;    /* days of the window (entries of daily that count) */
    uint32_t daily[GS_WATCH_MAX_DAYS]; /* probes made in each window day */
    int64_t first, last;               /* slot times of the first and last probe; 0: none */
} gs_watch_tally_t;

/* A site's verdict in one watch. */
typedef struct gs_watch_verdict {
    char watch[GS_WATCH_ID_MAX]; /* the watch it comes from ("" when none) */
    int64_t start, end;          /* its window */
    bool complete;               /* the watch has ended */
    uint64_t probes, failed;
    uint32_t rate_bp;    /* failed / probes in hundredths of a percent, rounded half up */
    char rate[16];       /* the same as text: "5.71%"; "—" without probes */
    bool decided;        /* >= 7 days covered, every whole day with >= 20 probes */
    bool veto;           /* decided and failed / probes >= 5 % */
    int64_t first, last; /* slot times of the first and last probe counted; 0: none */
} gs_watch_verdict_t;

/* Apply the rule to a tally: fills probes, failed, rate_bp, rate, decided, veto, first and
 * last of out (the other fields are left as they are). The percentage is compared in
 * integers: failed * 100 >= probes * 5, so 4.99 % is not a veto and 5 % is. */
void gs_watch_judge(const gs_watch_tally_t *t, gs_watch_verdict_t *out);

/* ---- the injectable clock ----------------------------------------------------------- */

/* A watch's clock: watch time = start_ms + (real wall ms - anchor_ms) * speed. A real watch
 * has speed 1 and start_ms = anchor_ms. The test facility GS_WATCH_CLOCK=START:SPEED
 * (START Unix seconds or YYYY-MM-DD[THH:MM[:SS]] CST, SPEED 1..1000000) makes a simulated
 * week pass in seconds; the clock is stored with the watch, so a restarted watch keeps it. */
typedef struct gs_watch_clock {
    int64_t start_ms;  /* watch time at the anchor */
    int64_t anchor_ms; /* real wall-clock ms when the watch was created */
    int64_t speed;     /* 1 = real time */
} gs_watch_clock_t;

/* Real wall-clock milliseconds. */
int64_t gs_watch_wall_ms(void);
/* The clock of a new watch: from spec (GS_WATCH_CLOCK's value; NULL or "" = real time)
 * anchored at real_ms. 0 or GS_EINVAL with err. */
int gs_watch_clock_init(gs_watch_clock_t *c, const char *spec, int64_t real_ms, gs_err_t *err);
/* Watch time in ms at real wall time real_ms. */
int64_t gs_watch_clock_now_ms(const gs_watch_clock_t *c, int64_t real_ms);

/* ---- Redis -------------------------------------------------------------------------- */

/* A watch's meta hash (gs:watch:{W}:meta), as read and written. */
typedef struct gs_watch_meta {
    char id[GS_WATCH_ID_MAX];
    gs_watch_window_t window;
    gs_watch_clock_t clock;
    uint64_t registry_hash; /* FNV-1a of the sites' ids and URLs, in order */
    uint32_t total;         /* sites */
    uint32_t timeout_ms;    /* a probe's deadline */
    bool complete;          /* status complete */
    char registry[1024];    /* path as given */
    char owner[128];        /* "host:pid" of the process running it, "" when none */
    int64_t heartbeat_ms;   /* real wall ms of the owner's last sign of life */
} gs_watch_meta_t;

/* One site of a watch. */
typedef struct gs_watch_site {
    const char *id, *name, *url;
} gs_watch_site_t;

/* The registry hash of a watch over these sites. */
uint64_t gs_watch_hash_sites(const gs_watch_site_t *sites, size_t n);

/* Write a new watch in one MULTI/EXEC: its meta (status running), the site list, one verdict
 * hash per site with nothing probed yet, its entry in gs:watches; then point
 * gs:watch:latest:{ID} at it for every site whose latest watch starts no later. GS_EEXIST
 * when the watch id is taken, GS_EREDIS, GS_EINVAL (bad id, window), GS_ENOMEM. */
int gs_watch_create(redisContext *ctx, const gs_watch_meta_t *m, const gs_watch_site_t *sites,
                    size_t n, gs_err_t *err);
/* Point gs:watch:latest:{ID} at watch (starting at start) for every site whose latest
 * watch starts no later; idempotent (a resumed watch repeats it in case a crash came
 * between gs_watch_create's plan and this). GS_EREDIS, GS_ENOMEM. */
int gs_watch_mark_latest(redisContext *ctx, const char *watch, int64_t start,
                         const gs_watch_site_t *sites, size_t n, gs_err_t *err);
/* Read a watch's meta. GS_ENOTFOUND when there is no such watch, GS_EPARSE when its
 * fields are unreadable, GS_EREDIS. */
int gs_watch_meta_load(redisContext *ctx, const char *watch, gs_watch_meta_t *out, gs_err_t *err);
/* The newest running watch (by start) whose registry hash is hash: its id into out. 1 when
 * found, 0 when none, GS_EREDIS. Looks at the GS_WATCH_SCAN_MAX newest watches. */
int gs_watch_find_running(redisContext *ctx, uint64_t hash, char *out, size_t outlen,
                          gs_err_t *err);
/* Record probe p of site (window day `day`), once: nothing is written when the slot already
 * has a probe. The probe log, the verdict's counts (probes, failed, daily, first and last)
 * and nothing else change together, in one script. 1 recorded, 0 already there, or
 * GS_EREDIS. On 1 and 0, *t (when given) receives the site's tally (covered_s 0). */
int gs_watch_record(redisContext *ctx, const char *watch, const char *site,
                    const gs_watch_window_t *w, const gs_watch_probe_t *p, gs_watch_tally_t *t,
                    gs_err_t *err);
/* The site's tally from its probe log, counting probes whose slot time is before until
 * (covered_s = min(until, end) - start). GS_EREDIS, GS_ENOMEM. */
int gs_watch_tally_load(redisContext *ctx, const char *watch, const char *site,
                        const gs_watch_window_t *w, int64_t until, gs_watch_tally_t *out,
                        gs_err_t *err);
/* Write the derived fields of the site's verdict hash (rate, veto, decided, first, last,
 * updated) from v; updated is watch time now. GS_EREDIS. */
int gs_watch_verdict_store(redisContext *ctx, const char *watch, const char *site,
                           const gs_watch_verdict_t *v, int64_t now, gs_err_t *err);
/* Slot times of site's probes at or after from, into out (at most max, ascending); the
 * number found. GS_EREDIS. */
int gs_watch_probed_since(redisContext *ctx, const char *watch, const char *site, int64_t from,
                          int64_t *out, size_t max, gs_err_t *err);

/* For the dispatcher: the verdict of site_id from the newest watch (largest start) whose
 * window covers ref_unix or ended before it, judged on the probes made before
 * min(ref_unix, end) (so a sweep sees what the watch knew at its reference time). 0 and
 * *out filled; GS_ENOTFOUND when no watch of the site starts at or before ref_unix (out's
 * watch is then ""); GS_EREDIS, GS_EINVAL (bad site id). */
int gs_watch_verdict(redisContext *ctx, const char *site_id, int64_t ref_unix,
                     gs_watch_verdict_t *out, gs_err_t *err);

#endif
