/* gs_cli.h -- the subcommands of the govsweep program and what they share. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include "gs_config.h"
#include "gs_err.h"
#include "gs_proc.h"
#include "gs_redis.h"
#include "gs_report.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* `govsweep run TARGETS.csv [options]`: the whole sweep on this machine. */
int gs_cli_run(gs_config_t *cfg, gs_err_t *err);

/* What a command built on `run` adds to it (govsweep recheck). */
typedef struct gs_cli_run_hooks {
    /* Called once the plan is in Redis (written now or found there), before any process
     * starts, with the run's connection: e.g. to add fields to the sweep's meta. A negative
     * return stops the run with that error. */
    int (*planned)(void *ud, gs_redis_t *r, const char *sweep, gs_err_t *err);
    void *ud;
} gs_cli_run_hooks_t;

/* gs_cli_run with hooks (NULL: none). */
int gs_cli_run_with(gs_config_t *cfg, const gs_cli_run_hooks_t *hooks, gs_err_t *err);

/* Start the private redis-server of a state directory (unix socket, password, AOF with
 * appendfsync always) and wait until it answers; url receives its unix:// URL and the
 * password is put in GS_REDIS_PASSWORD for this process and its children. When one already
 * serves the directory (a run or a watch in progress) it is used and proc left unstarted
 * (argc 0: not the caller's to stop). */
int gs_cli_redis_start(const char *state_dir, gs_proc_t *proc, char *url, size_t urllen,
                       gs_err_t *err);

/* Write the report files of sweep from Redis at url into out; print the tables when
 * print is set. */
int gs_cli_report(const char *url, const char *sweep, const char *out, int print, gs_err_t *err);

/* `govsweep keygen --out DIR --name NAME [--force]` (gs_keys.c): the exit code. */
int gs_cli_keygen(int argc, char **argv);

/* The dispatcher's and the collector's rule for cfg->redis: 0 when the URL (or
 * GS_REDIS_PASSWORD) carries a password, the URL is a unix socket, or redis_insecure is
 * set; GS_EDENIED otherwise, err saying what to do. */
int gs_cli_redis_secure(const gs_config_t *cfg, gs_err_t *err);

/* `govsweep export`: every finding of sweep from Redis at url to fp, as JSON lines or CSV.
 * 0; GS_EREDIS, GS_ENOTFOUND (no such sweep), GS_EINVAL (bad sweep id), GS_EIO (fp),
 * GS_ENOMEM or GS_ETOOBIG, with err saying why. */
int gs_cli_export(const char *url, const char *sweep, gs_report_findings_format_t fmt, FILE *fp,
                  gs_err_t *err);

/* `govsweep watch` (gs_watch.c): its own options, which are not configuration keys. */
typedef struct gs_cli_watch_opts {
    uint32_t days, per_day;     /* --days (7), --per-day (20) */
    bool days_set, per_day_set; /* given: a resumed watch must have these */
    const char *watch;          /* --watch ID: the watch to start, resume or show; NULL */
    bool status;                /* --status: show progress and verdicts, probe nothing */
} gs_cli_watch_opts_t;

/* Take watch's options out of argv[2..] (argv is rearranged in place; the rest stays for
 * gs_config_parse_args). The new argc, or GS_EINVAL with err for a bad value. */
int gs_cli_watch_args(int argc, char **argv, gs_cli_watch_opts_t *o, gs_err_t *err);

/* The watch of cfg->registry's sites on the Redis at cfg->redis until its window ends,
 * then the verdict table on stdout; with o->status, the table of a watch so far. 0 (the
 * window ended, whatever the verdicts); GS_EPARSE/GS_EINVAL (registry, options), GS_EEXIST
 * (--watch names a watch of another registry or window), GS_ESTATE (interrupted, or run by
 * another live process), GS_EREDIS, GS_ENOTFOUND (--status of no watch). */
int gs_cli_watch(gs_config_t *cfg, const gs_cli_watch_opts_t *o, gs_err_t *err);

/* `govsweep recheck` (gs_recheck.c): take --previous SWEEP_ID out of argv[2..] as
 * gs_cli_watch_args does. The new argc, or GS_EINVAL with err. */
int gs_cli_recheck_args(int argc, char **argv, const char **previous, gs_err_t *err);

/* 整改复核: sweep again, with gs_cli_run, the targets that were 不合格 in sweep previous on
 * the Redis at cfg->redis, as sweep PREVIOUS-recheck (-recheck-2 ... when that one is
 * complete; cfg->sweep when given), then write the re-check report. 0; GS_ENOTFOUND (no
 * such sweep), GS_EINVAL (bad id, previous sweep not complete), or gs_cli_run's codes. */
int gs_cli_recheck(gs_config_t *cfg, const char *previous, gs_err_t *err);

/* For gs_cli_report: when sweep cur's meta names a previous sweep, write recheck.md and
 * recheck.csv into out from both (and print the comparison tables when print is set);
 * *done says whether it did. 0, or the load's or the writer's error. */
int gs_cli_recheck_report(gs_redis_t *r, const gs_report_t *cur, const char *out, int print,
                          int *done, gs_err_t *err);

#endif
