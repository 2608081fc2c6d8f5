/* gs_linkcache.h -- verdicts of link checks, shared across the sites of a sweep.
 *
 * Government sites link to the same outside pages (www.gov.cn, the province's portal, the
 * 12345 hotline, the conac badge): a URL checked for one site is not fetched again for
 * another (issue 4). A worker keeps the verdicts it learned in memory and -- when it has a
 * Redis (`govsweep run` gives its workers the private one; a cluster worker is given one
 * with `redis`) -- shares them with every other worker in the hash gs:sweep:{S}:links
 * (docs/redis-keys.md): field = the FNV-1a 64 of the URL in hex, value "V|STATUS|CURLCODE|
 * REASON", "R" (the SSRF guard refused it), "U" (not a URL the fetcher takes), or
 * "P|WORKER#NONCE|UNIXTIME" while a worker is checking it. The claim (HSETNX) is what
 * keeps two workers from fetching the same URL at once. Each worker with a Redis renews
 * gs:worker:{WORKER#NONCE}:alive every second (it expires in GS_LINKCACHE_ALIVE_S); the
 * claim of a worker whose key is gone -- killed, or restarted under a new nonce -- is taken
 * over at once, and any claim older than GS_LINKCACHE_CLAIM_S too. A worker without Redis
 * shares within itself only.
 *
 * Jobs ask by batches (gs_linkcache_claim): each URL comes back known (the verdict), mine
 * (the caller checks it and gs_linkcache_put's the outcome) or wait (another job or worker
 * is checking it: ask again later). gs_linkcache_release gives up the claims of a job that
 * ends without having put them.
 *
 * gs_linkcache_new allocates, gs_linkcache_destroy frees. Single-threaded (the worker's
 * loop). Redis calls are short pipelined round trips with a 2 s timeout; when Redis fails
 * the cache goes on in memory, says so once in the log, and tries Redis again after
 * GS_LINKCACHE_RETRY_S. Limits: GS_LINKCACHE_MAX verdicts in memory (the known ones are
 * forgotten when it fills; Redis still has them), GS_LINKCACHE_QUEUE verdicts waiting to be
 * written (beyond it they are written at once), reasons of 255 bytes. */
#ifndef GS_LINKCACHE_H
#define GS_LINKCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GS_LINKCACHE_MAX 65536
#define GS_LINKCACHE_BATCH 256     /* URLs asked of Redis in one round trip */
#define GS_LINKCACHE_QUEUE 1024    /* verdicts written in one round trip */
#define GS_LINKCACHE_CLAIM_S 90    /* a claim older than this is abandoned */
#define GS_LINKCACHE_ALIVE_S 10    /* a worker's liveness key lives this long unrenewed */
#define GS_LINKCACHE_RETRY_S 30    /* Redis tried again after a failure */
#define GS_LINKCACHE_TTL_S 7776000 /* the links hash lives 90 days, like a quarter */

typedef struct gs_linkcache gs_linkcache_t;

typedef enum gs_linkask {
    GS_LINKASK_MINE = 0, /* check it and put the verdict */
    GS_LINKASK_KNOWN,    /* the verdict is in the answer */
    GS_LINKASK_WAIT,     /* someone else is checking it; ask again later */
} gs_linkask_t;

/* A link check's outcome. */
typedef struct gs_linkverdict {
    gs_linkask_t ask;
    bool refused;  /* the SSRF guard refused it: not fetched, not reported */
    bool unusable; /* the fetcher cannot take the URL: skipped */
    long status;   /* HTTP status, 0 when none */
    int curl_code; /* CURLcode, 0 when the server answered */
    char why[256]; /* the transport error, or "" */
} gs_linkverdict_t;

/* Counters, for the log and the tests. */
typedef struct gs_linkcache_stats {
    uint64_t known_memory; /* answered from memory */
    uint64_t known_redis;  /* answered from Redis (another worker checked it) */
    uint64_t mine, waits;  /* claims won; answers of "wait" */
    uint64_t put, written; /* verdicts learned; written to Redis */
    uint64_t redis_errors;
} gs_linkcache_stats_t;

/* redis_url "" or NULL: memory only. worker names the claims. NULL only when out of
 * memory; a Redis that cannot be reached is tried again later. */
gs_linkcache_t *gs_linkcache_new(const char *redis_url, const char *worker);
void gs_linkcache_destroy(gs_linkcache_t **self_p);

/* Ask for the n URLs of sweep on behalf of owner (a job's token, never 0); out[i] is the
 * answer for urls[i]. A URL answered mine is claimed by owner until put or released. */
void gs_linkcache_claim(gs_linkcache_t *c, const char *sweep, uint64_t owner,
                        const char *const *urls, size_t n, gs_linkverdict_t *out);

/* A verdict learned: kept in memory and queued for Redis. */
void gs_linkcache_put(gs_linkcache_t *c, const char *sweep, const char *url,
                      const gs_linkverdict_t *v);

/* Give up owner's claims that have no verdict (the job ended first). */
void gs_linkcache_release(gs_linkcache_t *c, uint64_t owner);

/* Write the queued verdicts to Redis in one pipelined round trip. */
void gs_linkcache_flush(gs_linkcache_t *c);

void gs_linkcache_stats(const gs_linkcache_t *c, gs_linkcache_stats_t *out);

#endif
