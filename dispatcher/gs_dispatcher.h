/* gs_dispatcher.h -- plans a sweep, leases its targets to workers, re-issues lost leases.
 *
 * The dispatcher loads and validates the registry, writes the sweep's plan to Redis (or
 * finds it there and resumes), binds a ZeroMQ ROUTER that workers connect to, and hands
 * out tasks by credit: a worker says how many tasks it can hold and never gets more.
 * Every task is leased with an epoch; heartbeats renew the leases; a lease not renewed in
 * time expires and the target goes back to the queue, until max_attempts leases have
 * expired, when the target is stored as 未检查 with the reason. It exits 0 when every
 * target has its done marker in Redis. docs/architecture.md tells the whole story.
 *
 * Single-threaded; all state is in one gs_dispatcher_t plus Redis. */
#ifndef GS_DISPATCHER_H
#define GS_DISPATCHER_H

#include "gs_config.h"
#include "gs_err.h"

/* Run a sweep to completion (or until SIGINT/SIGTERM: returns GS_ESTATE then, with every
 * finished result safe in Redis). 0 when the sweep completed. */
int gs_dispatcher_run(const gs_config_t *cfg, gs_err_t *err);

/* Write the plan of the sweep described by cfg to Redis if it is not there yet, and
 * tell its id (out, at least GS_ID_MAX bytes). Used by the dispatcher and `run`. */
int gs_dispatcher_plan(const gs_config_t *cfg, char *sweep_out, size_t outlen, gs_err_t *err);

#endif
