/* gs_store.h -- storing a target's result in Redis, exactly once.
 *
 * One Lua script (gs_store, run with EVALSHA) checks the done marker and the lease epoch,
 * then writes the result hash, the done marker, the region counters and one findings-stream
 * entry per finding, all together or not at all (docs/redis-keys.md). Redis 7.0 has no
 * idempotent XADD, so this script is what makes a re-run task never double-count.
 *
 * The collector stores batches (one pipelined round trip for many results); the dispatcher
 * stores single 未检查 results with epoch 0. Not thread-safe (uses the caller's
 * connection). */
#ifndef GS_STORE_H
#define GS_STORE_H

#include "gs_err.h"
#include "gs_msg.h"
#include "gs_redis.h"

/* Store n results in one pipelined round trip; outcomes[i] says what happened to each.
 * On a Redis failure nothing is known to be stored: the caller must not acknowledge
 * any of them, and may retry the whole batch (the script makes that safe). */
int gs_store_results(gs_redis_t *r, const gs_result_t *const *results, size_t n,
                     gs_outcome_t *outcomes, gs_err_t *err);

/* The status word of a result: 合格, 不合格 or 未检查. */
const char *gs_result_status(const gs_result_t *res);

#endif
