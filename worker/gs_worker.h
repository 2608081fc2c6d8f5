/* gs_worker.h -- the worker daemon: takes leased tasks from the dispatcher, sweeps them,
 * delivers results to the collector, and reports them done once the collector has them.
 *
 * One thread, one event loop over curl's multi interface that also wakes on the ZeroMQ
 * sockets. The worker holds at most `capacity` tasks (its credit); a finished task keeps
 * its slot until the collector acknowledges its result, and the result is re-sent every
 * result_retry_ms until then, so a collector restart loses nothing. Heartbeats renew the
 * leases of everything held. */
#ifndef GS_WORKER_H
#define GS_WORKER_H

#include "gs_config.h"
#include "gs_err.h"

/* Run until SIGINT/SIGTERM. 0 on a clean stop. */
int gs_worker_run(const gs_config_t *cfg, gs_err_t *err);

#endif
