/* main.c -- the govsweep program: one binary, one subcommand per role.
 *
 *   govsweep run TARGETS.csv [options]       the whole sweep on this machine
 *   govsweep dispatcher|worker|collector --config FILE [options]
 *   govsweep report [--redis URL] --sweep ID --out DIR
 *   govsweep validate TARGETS.csv
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp)
{
    fprintf(fp, "usage: govsweep run TARGETS.csv [options]\n"
                "       govsweep dispatcher|worker|collector [--config FILE] [options]\n"
                "       govsweep report [--redis URL | --state-dir DIR] --sweep ID --out DIR\n"
                "       govsweep validate TARGETS.csv\n"
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
    if (cfg->redis[0]) {
        snprintf(url, sizeof(url), "%s", cfg->redis);
    } else {
        /* No Redis given: the private one of the state directory, restarted on its AOF. */
        char state[PATH_MAX];
        if (!realpath(cfg->state_dir, state)) {
            fprintf(stderr, "govsweep report: no --redis and no state directory %s\n",
                    cfg->state_dir);
            return 2;
        }
        rc = gs_cli_redis_start(state, &redis, url, sizeof(url), &err);
    }
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

int main(int argc, char **argv)
{
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
    } else if (!strcmp(cmd, "dispatcher") || !strcmp(cmd, "worker") || !strcmp(cmd, "collector")) {
        if (positional && !strcmp(cmd, "dispatcher"))
            gs_config_set(&cfg, "registry", positional, NULL);
        if (!cfg.redis[0] && strcmp(cmd, "worker") != 0) {
            fprintf(stderr, "govsweep %s: --redis URL is required\n", cmd);
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
                code = (rc == GS_EPARSE || rc == GS_EINVAL) ? 2 : 1;
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
