/* main.c -- the govsweep program: one binary, one subcommand per role.
 *
 *   govsweep run TARGETS.csv [options]       the whole sweep on this machine
 *   govsweep dispatcher|worker|collector --config FILE [options]
 *   govsweep report [--redis URL] --sweep ID --out DIR
 *   govsweep export [--redis URL] --sweep ID --format jsonl|csv
 *   govsweep validate TARGETS.csv
 *   govsweep keygen --out DIR --name NAME [--force]   CURVE keys for a cluster
 *   govsweep recheck --previous SWEEP_ID [run options]  整改复核 of a sweep's 不合格 targets
 *   govsweep watch TARGETS.csv [--days 7] [--per-day 20] [--watch ID] [--status]
 *
 * Exit codes: 0 success; 1 the work failed (Redis away, sweep interrupted, ...);
 * 2 bad usage or bad input (options, registry). */
#include "gs_cli.h"
#include "gs_collector.h"
#include "gs_config.h"
#include "gs_dispatcher.h"
#include "gs_log.h"
#include "gs_registry.h"
#include "gs_worker.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *fp)
{
    fprintf(fp, "usage: govsweep run TARGETS.csv [options]\n"
                "       govsweep dispatcher|worker|collector [--config FILE] [options]\n"
                "       govsweep report [--redis URL | --state-dir DIR] --sweep ID --out DIR\n"
                "       govsweep export [--redis URL | --state-dir DIR] --sweep ID "
                "--format jsonl|csv\n"
                "       govsweep validate TARGETS.csv\n"
                "       govsweep keygen --out DIR --name NAME [--force]\n"
                "       govsweep recheck --previous SWEEP_ID [options of run]\n"
                "       govsweep watch TARGETS.csv [--days N] [--per-day N] [--watch ID] "
                "[--redis URL | --state-dir DIR]\n"
                "       govsweep watch --status [--watch ID] [--redis URL | --state-dir DIR]\n"
                "       govsweep version\n"
                "\noptions (also configuration keys, with '_' for '-'):\n"
                "  --config FILE              read key = value lines from FILE\n");
    gs_config_print_keys(fp);
}

static int cmd_validate(const char *path)
{
    gs_registry_t *reg = gs_registry_new();
    gs_err_t err;
    gs_err_clear(&err);
    int rc = reg ? gs_registry_load_file(reg, path, &err) : GS_ENOMEM;
    if (rc == 0) {
        size_t sites = 0, n = gs_registry_count(reg);
        for (size_t i = 0; i < n; i++)
            sites += gs_registry_get(reg, i)->kind == GS_KIND_SITE;
        printf("%s: ok: %zu targets (%zu sites, %zu accounts) in %zu regions, read as %s\n", path,
               n, sites, n - sites, gs_registry_nregions(reg), gs_registry_encoding(reg));
    } else if (reg && gs_registry_nproblems(reg)) {
        for (size_t i = 0; i < gs_registry_nproblems(reg); i++)
            printf("%s: %s\n", path, gs_registry_problem(reg, i));
        fprintf(stderr, "govsweep validate: %s\n", err.msg);
    } else {
        fprintf(stderr, "govsweep validate: %s\n", err.msg[0] ? err.msg : gs_strerror(rc));
    }
    gs_registry_destroy(&reg);
    return rc == 0 ? 0 : 2;
}

/* The Redis that report and export read: --redis, or else the private one of the state
 * directory, restarted on its AOF (redis then holds the process, for the caller to stop).
 * 0; 2 when there is neither (printed); a negative code with err when it did not start. */
static int redis_of(gs_config_t *cfg, const char *cmd, gs_proc_t *redis, char *url, size_t urllen,
                    gs_err_t *err)
{
    if (cfg->redis[0]) {
        snprintf(url, urllen, "%s", cfg->redis);
        return 0;
    }
    char state[PATH_MAX];
    if (!realpath(cfg->state_dir, state)) {
        fprintf(stderr, "govsweep %s: no --redis and no state directory %s\n", cmd, cfg->state_dir);
        return 2;
    }
    return gs_cli_redis_start(state, redis, url, urllen, err);
}

static int cmd_report(gs_config_t *cfg)
{
    gs_err_t err;
    gs_err_clear(&err);
    gs_proc_t redis;
    memset(&redis, 0, sizeof(redis));
    int rc = 0;
    char url[PATH_MAX + 16];
    if (!cfg->sweep[0]) {
        fprintf(stderr, "govsweep report: --sweep ID is required\n");
        return 2;
    }
    if ((rc = redis_of(cfg, "report", &redis, url, sizeof(url), &err)) > 0)
        return rc;
    if (rc == 0)
        rc = gs_cli_report(url, cfg->sweep, cfg->out, 0, &err);
    if (redis.argc) {
        gs_proc_stop(&redis, 10000);
        gs_proc_cleanup(&redis);
    }
    if (rc < 0) {
        fprintf(stderr, "govsweep report: %s\n", err.msg);
        return 1;
    }
    printf("report of sweep %s written to %s/\n", cfg->sweep, cfg->out);
    return 0;
}

/* export's own option, taken out of argv before the common options are parsed (it is
 * not a configuration key): `--format F` or `--format=F`. Returns the new argc. */
static int take_format(int argc, char **argv, const char **format)
{
    int o = 2;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--format")) {
            *format = i + 1 < argc ? argv[++i] : "";
        } else if (!strncmp(argv[i], "--format=", 9)) {
            *format = argv[i] + 9;
        } else {
            argv[o++] = argv[i];
        }
    }
    argv[o] = NULL;
    return o;
}

/* `govsweep export`: exit 0; 1 when Redis is away or stdout fails; 2 for bad usage (no
 * --sweep, no or an unknown --format, a bad or unknown sweep id). */
static int cmd_export(gs_config_t *cfg, const char *format)
{
    gs_report_findings_format_t fmt;
    if (!cfg->sweep[0]) {
        fprintf(stderr, "govsweep export: --sweep ID is required\n");
        return 2;
    }
    if (format && !strcmp(format, "jsonl")) {
        fmt = GS_REPORT_FINDINGS_JSONL;
    } else if (format && !strcmp(format, "csv")) {
        fmt = GS_REPORT_FINDINGS_CSV;
    } else {
        fprintf(stderr, "govsweep export: --format jsonl or --format csv is required%s%s%s\n",
                format ? " (not '" : "", format ? format : "", format ? "')" : "");
        return 2;
    }
    gs_err_t err;
    gs_err_clear(&err);
    gs_proc_t redis;
    memset(&redis, 0, sizeof(redis));
    char url[PATH_MAX + 16];
    int rc = redis_of(cfg, "export", &redis, url, sizeof(url), &err);
    if (rc > 0)
        return rc;
    if (rc == 0)
        rc = gs_cli_export(url, cfg->sweep, fmt, stdout, &err);
    if (redis.argc) {
        gs_proc_stop(&redis, 10000);
        gs_proc_cleanup(&redis);
    }
    if (rc < 0) {
        fprintf(stderr, "govsweep export: %s\n", err.msg);
        return rc == GS_ENOTFOUND || rc == GS_EINVAL ? 2 : 1;
    }
    return 0;
}

/* `govsweep recheck` and `govsweep watch` on the Redis of redis_of (which recheck's sweep
 * then uses as given): exit 0; 1 when the work failed; 2 for bad usage or input. */
static int cmd_recheck_watch(gs_config_t *cfg, const char *cmd, const char *previous,
                             const gs_cli_watch_opts_t *wopts)
{
    if (!strcmp(cmd, "recheck") && !previous) {
        fprintf(stderr, "govsweep recheck: --previous SWEEP_ID is required\n");
        return 2;
    }
    gs_err_t err;
    gs_err_clear(&err);
    gs_proc_t redis;
    memset(&redis, 0, sizeof(redis));
    char url[PATH_MAX + 16];
    if (!strcmp(cmd, "watch") && !wopts->status && !cfg->redis[0]) {
        /* a watch may be the first user of its state directory (a recheck never is) */
        char logs[PATH_MAX];
        snprintf(logs, sizeof(logs), "%s/logs", cfg->state_dir);
        mkdir(cfg->state_dir, 0700);
        mkdir(logs, 0700);
    }
    int rc = redis_of(cfg, cmd, &redis, url, sizeof(url), &err);
    if (rc > 0)
        return rc;
    if (rc == 0 && (rc = gs_config_set(cfg, "redis", url, &err)) == 0)
        rc = !strcmp(cmd, "recheck") ? gs_cli_recheck(cfg, previous, &err)
                                     : gs_cli_watch(cfg, wopts, &err);
    if (redis.argc) {
        gs_proc_stop(&redis, 10000);
        gs_proc_cleanup(&redis);
    }
    if (rc < 0) {
        fprintf(stderr, "govsweep %s: %s\n", cmd, err.msg);
        return rc == GS_EPARSE || rc == GS_EINVAL || rc == GS_ENOTFOUND || rc == GS_EEXIST ? 2 : 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* A peer that goes away (the private Redis killed and restarted, a reader closing the
     * pipe of `export`) must be an error to handle, not a death: hiredis writes to its
     * socket without MSG_NOSIGNAL. Children started by `run` get this from their own main. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("govsweep %s\n", GS_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "keygen")) /* its options are not configuration keys */
        return gs_cli_keygen(argc, argv);
    const char *format = NULL;
    if (!strcmp(cmd, "export"))
        argc = take_format(argc, argv, &format);
    /* recheck's and watch's own options are not configuration keys either */
    const char *previous = NULL;
    gs_cli_watch_opts_t wopts;
    gs_err_t aerr;
    gs_err_clear(&aerr);
    int na = !strcmp(cmd, "recheck") ? gs_cli_recheck_args(argc, argv, &previous, &aerr)
             : !strcmp(cmd, "watch") ? gs_cli_watch_args(argc, argv, &wopts, &aerr)
                                     : argc;
    if (na < 0) {
        fprintf(stderr, "govsweep %s: %s\n", cmd, aerr.msg);
        return 2;
    }
    argc = na;
    gs_config_t cfg;
    gs_config_init(&cfg);
    gs_err_t err;
    gs_err_clear(&err);
    int i = 2, rc = 0;
    const char *positional = NULL;
    /* options may come before and after the one positional argument */
    while (i < argc) {
        if ((rc = gs_config_parse_args(&cfg, argc, argv, &i, &err)) < 0)
            break;
        if (i < argc) {
            if (positional) {
                rc = gs_err_set(&err, GS_EINVAL, "unexpected argument '%s'", argv[i]);
                break;
            }
            positional = argv[i++];
        }
    }
    if (rc < 0) {
        fprintf(stderr, "govsweep %s: %s\n", cmd, err.msg);
        gs_config_cleanup(&cfg);
        return 2;
    }
    int level = gs_log_level_parse(cfg.log_level);
    gs_log_init(cmd, level < 0 ? GS_LOG_INFO : (gs_log_level_t)level);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();

    int code = 0;
    if (!strcmp(cmd, "validate")) {
        code = positional ? cmd_validate(positional) : (usage(stderr), 2);
    } else if (!strcmp(cmd, "run")) {
        if (positional)
            gs_config_set(&cfg, "registry", positional, NULL);
        if (!cfg.registry[0]) {
            fprintf(stderr, "govsweep run: which registry? usage: govsweep run TARGETS.csv\n");
            code = 2;
        } else if ((rc = gs_cli_run(&cfg, &err)) < 0) {
            fprintf(stderr, "govsweep run: %s\n", err.msg);
            code = (rc == GS_EPARSE || rc == GS_EINVAL) ? 2 : 1;
        }
    } else if (!strcmp(cmd, "report")) {
        code = cmd_report(&cfg);
    } else if (!strcmp(cmd, "export")) {
        code = cmd_export(&cfg, format);
    } else if (!strcmp(cmd, "recheck") || !strcmp(cmd, "watch")) {
        if (positional && !strcmp(cmd, "watch"))
            gs_config_set(&cfg, "registry", positional, NULL);
        if (positional && !strcmp(cmd, "recheck")) {
            fprintf(stderr, "govsweep recheck: unexpected argument '%s'\n", positional);
            code = 2;
        } else {
            code = cmd_recheck_watch(&cfg, cmd, previous, &wopts);
        }
    } else if (!strcmp(cmd, "dispatcher") || !strcmp(cmd, "worker") || !strcmp(cmd, "collector")) {
        if (positional && !strcmp(cmd, "dispatcher"))
            gs_config_set(&cfg, "registry", positional, NULL);
        if (!cfg.redis[0] && strcmp(cmd, "worker") != 0) {
            fprintf(stderr, "govsweep %s: --redis URL is required\n", cmd);
            code = 2;
        } else if (cfg.redis[0] && gs_cli_redis_secure(&cfg, &err) < 0) {
            fprintf(stderr, "govsweep %s: %s\n", cmd, err.msg); /* closed by default */
            code = 2;
        } else {
            if (!strcmp(cmd, "dispatcher"))
                rc = gs_dispatcher_run(&cfg, &err);
            else if (!strcmp(cmd, "worker"))
                rc = gs_worker_run(&cfg, &err);
            else
                rc = gs_collector_run(&cfg, &err);
            if (rc < 0) {
                gs_error("%s", err.msg);
                /* an unsafe or broken setup (keys, allowlist) will not mend by restarting */
                int setup = rc == GS_EDENIED || rc == GS_ENOTFOUND;
                code = (rc == GS_EPARSE || rc == GS_EINVAL || setup) ? 2 : 1;
            }
        }
    } else {
        fprintf(stderr, "govsweep: unknown command '%s'\n", cmd);
        usage(stderr);
        code = 2;
    }
    xmlCleanupParser();
    curl_global_cleanup();
    gs_config_cleanup(&cfg);
    return code;
}
