/* gs_redis.h -- a Redis connection from a govsweep URL, with reconnection.
 *
 * URLs: redis://[:password@]host[:port][/db] and unix:///path/to/sock[?password=P&db=N].
 * The password may also come from the GS_REDIS_PASSWORD environment variable, so it need
 * not appear on a command line. Commands go through gs_redis_command, which reconnects
 * once when the connection was lost (a restarted Redis) before giving up with GS_EREDIS.
 *
 * gs_redis_new allocates, gs_redis_destroy frees. One connection per object; not
 * thread-safe. Replies returned to the caller are freed with freeReplyObject. */
#ifndef GS_REDIS_H
#define GS_REDIS_H

#include "gs_err.h"

#include <hiredis/hiredis.h>

typedef struct gs_redis gs_redis_t;

/* Connect (with a 5 s timeout) and authenticate. NULL on failure, err says why. */
gs_redis_t *gs_redis_new(const char *url, gs_err_t *err);
void gs_redis_destroy(gs_redis_t **self_p);

/* The hiredis context, for pipelining (redisAppendCommand / redisGetReply). Borrowed;
 * may change after gs_redis_reconnect. */
redisContext *gs_redis_ctx(gs_redis_t *r);

/* Drop the connection and connect again. */
int gs_redis_reconnect(gs_redis_t *r, gs_err_t *err);

/* Run one command (printf-style like redisCommand). A lost connection is re-established
 * once and the command retried. Returns the reply (caller frees) or NULL with err set.
 * An error *reply* (REDIS_REPLY_ERROR) is returned as NULL too, with its text in err. */
redisReply *gs_redis_command(gs_redis_t *r, gs_err_t *err, const char *fmt, ...);
/* The same with an argument vector. */
redisReply *gs_redis_commandv(gs_redis_t *r, gs_err_t *err, int argc, const char **argv,
                              const size_t *argvlen);

/* Wait until a Redis server answers PING at url, for at most timeout_ms. */
int gs_redis_wait_ready(const char *url, int timeout_ms, gs_err_t *err);

#endif
