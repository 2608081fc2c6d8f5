/* gs_collector.h -- receives results from workers and stores them in Redis, exactly once.
 *
 * Binds a ZeroMQ ROUTER that workers connect to. Each message is validated (gs_msg); a bad
 * one is logged, counted and dropped. Valid results are stored in batches -- one pipelined
 * round trip of gs_store calls -- and each is acknowledged to its worker only after Redis
 * answered for it (store, then ack). When Redis is away nothing is acknowledged; the
 * workers re-send, and the store script makes the repeat harmless. Several collectors may
 * serve one sweep. Single-threaded. */
#ifndef GS_COLLECTOR_H
#define GS_COLLECTOR_H

#include "gs_config.h"
#include "gs_err.h"

/* Run until SIGINT/SIGTERM. 0 on a clean stop. */
int gs_collector_run(const gs_config_t *cfg, gs_err_t *err);

#endif
