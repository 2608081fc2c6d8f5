/* gs_cli.h -- the subcommands of the govsweep program and what they share. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include "gs_config.h"
#include "gs_err.h"
#include "gs_proc.h"

/* `govsweep run TARGETS.csv [options]`: the whole sweep on this machine. */
int gs_cli_run(gs_config_t *cfg, gs_err_t *err);

/* Start the private redis-server of a state directory (unix socket, password, AOF with
 * appendfsync always) and wait until it answers; url receives its unix:// URL and the
 * password is put in GS_REDIS_PASSWORD for this process and its children. */
int gs_cli_redis_start(const char *state_dir, gs_proc_t *proc, char *url, size_t urllen,
                       gs_err_t *err);

/* Write the report files of sweep from Redis at url into out; print the tables when
 * print is set. */
int gs_cli_report(const char *url, const char *sweep, const char *out, int print, gs_err_t *err);

#endif
