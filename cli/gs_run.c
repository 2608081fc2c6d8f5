/* gs_run.c -- `govsweep run`: a whole sweep on one machine, supervised.
 *
 * It validates the registry, starts a private Redis (unless --redis), plans the sweep,
 * starts the collector, the dispatcher and the workers as child processes of this same
 * program, restarts any that die before the sweep completes, shows progress, writes the
 * report files and stops everything it started -- also on Ctrl-C, after which the same
 * command with the same --sweep resumes where it stopped. */
#include "gs_cli.h"
#include "gs_aof.h"
#include "gs_crash.h"
#include "gs_date.h"
#include "gs_dispatcher.h"
#include "gs_log.h"
#include "gs_msg.h"
#include "gs_redis.h"
#include "gs_registry.h"
#include "gs_report.h"
#include "gs_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 130
#define MAX_RESTARTS 50

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return (mkdir(tmp, 0700) < 0 && errno != EEXIST) ? -1 : 0;
}

static int random_hex(char *out, size_t nbytes)
{
    unsigned char b[32];
    if (nbytes > sizeof(b))
        return -1;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, b, nbytes);
    close(fd);
    if (n != (ssize_t)nbytes)
        return -1;
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

/* Before Redis loads the AOF of state_dir: cut a tail torn by a crash, which Redis 7.0's
 * aof-load-truncated leaves half a transaction of (gs_aof.h). Says what it did; a failure
 * is said too, and Redis is started all the same (it refuses a file it cannot load). */
static void repair_aof(const char *state_dir)
{
    int64_t cut = 0;
    char what[1024];
    gs_err_t e;
    gs_err_clear(&e);
    if (gs_aof_repair_tail(state_dir, &cut, what, sizeof(what), &e) < 0)
        fprintf(stderr, "govsweep: private redis: cannot check its AOF: %s\n", e.msg);
    else if (what[0])
        fprintf(stderr, "govsweep: private redis: %s\n", what);
}

int gs_cli_redis_start(const char *state_dir, gs_proc_t *proc, char *url, size_t urllen,
                       gs_err_t *err)
{
    char sock[PATH_MAX], passfile[PATH_MAX], log[PATH_MAX], pass[80] = "";
    snprintf(sock, sizeof(sock), "%s/redis.sock", state_dir);
    snprintf(passfile, sizeof(passfile), "%s/redis.pass", state_dir);
    snprintf(log, sizeof(log), "%s/logs/redis.log", state_dir);
    if (strlen(sock) > 100)
        return gs_err_set(err, GS_EINVAL, "state directory path too long for a unix socket: %s",
                          state_dir);
    /* The password is made once per state directory and kept beside the data, readable by
     * the owner only, so a restarted run can talk to the Redis it restarts. */
    FILE *fp = fopen(passfile, "r");
    if (fp) {
        if (!fgets(pass, sizeof(pass), fp))
            pass[0] = '\0';
        fclose(fp);
        pass[strcspn(pass, "\r\n")] = '\0';
    }
    if (!pass[0]) {
        if (random_hex(pass, 24) < 0)
            return gs_err_set(err, GS_EIO, "cannot read /dev/urandom");
        int fd = open(passfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, pass, strlen(pass)) != (ssize_t)strlen(pass)) {
            if (fd >= 0)
                close(fd);
            return gs_err_set(err, GS_EIO, "%s: %s", passfile, strerror(errno));
        }
        close(fd);
    }
    setenv("GS_REDIS_PASSWORD", pass, 1);
    /* A Redis already serving this state directory (a run or a watch going on: `govsweep
     * watch --status` beside its watch) is used as it is, and left running: a second
     * server on the same files would append to the same AOF. proc stays unstarted. */
    snprintf(url, urllen, "unix://%s", sock);
    if (access(sock, F_OK) == 0) {
        gs_redis_t *live = gs_redis_new(url, NULL);
        redisReply *pong = live ? gs_redis_command(live, NULL, "PING") : NULL;
        int up = pong && pong->type == REDIS_REPLY_STATUS;
        if (pong)
            freeReplyObject(pong);
        gs_redis_destroy(&live);
        if (up)
            return 0;
    }
    const char *server = getenv("GS_REDIS_SERVER");
    if (!server || !*server)
        server = "redis-server";
    /* The password goes in through a config file on stdin? redis-server reads '-' as
     * stdin only in newer versions; a 0600 file in the state directory does the job. */
    char conf[PATH_MAX];
    snprintf(conf, sizeof(conf), "%s/redis.conf", state_dir);
    int fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return gs_err_set(err, GS_EIO, "%s: %s", conf, strerror(errno));
    char body[4096];
    int bl = snprintf(body, sizeof(body),
                      "port 0\nunixsocket %s\nunixsocketperm 700\ndir %s\n"
                      "appendonly yes\nappendfsync always\naof-load-truncated yes\n"
                      "save \"\"\ndaemonize no\nrequirepass %s\nprotected-mode yes\n"
                      "maxclients 1000\n",
                      sock, state_dir, pass);
    if (write(fd, body, (size_t)bl) != bl) {
        close(fd);
        return gs_err_set(err, GS_EIO, "%s: %s", conf, strerror(errno));
    }
    close(fd);
    repair_aof(state_dir);
    char *argv[] = {(char *)server, conf};
    int rc = gs_proc_init(proc, "redis", argv, 2, log);
    if (rc < 0)
        return gs_err_set(err, rc, "out of memory");
    if (gs_proc_start(proc) < 0)
        return gs_err_set(err, GS_EIO, "cannot start %s", server);
    snprintf(url, urllen, "unix://%s", sock);
    rc = gs_redis_wait_ready(url, 15000, err);
    if (rc < 0) {
        gs_proc_reap(proc);
        return gs_err_set(err, rc, "private redis did not start (see %s): %s", log, err->msg);
    }
    return 0;
}

int gs_cli_report(const char *url, const char *sweep, const char *out, int print, gs_err_t *err)
{
    gs_redis_t *r = gs_redis_new(url, err);
    if (!r)
        return GS_EREDIS;
    gs_report_t *rep = NULL;
    int rc = gs_report_load(gs_redis_ctx(r), sweep, &rep, err);
    if (rc == 0)
        rc = gs_report_write_dir(rep, out, err);
    /* a re-check (its meta names the previous sweep) also gets recheck.md and recheck.csv,
     * and its tables are the comparison with the previous sweep */
    int recheck = 0;
    if (rc == 0)
        rc = gs_cli_recheck_report(r, rep, out, print, &recheck, err);
    if (rc == 0 && print && !recheck && (rc = gs_report_print_tables(rep, stdout)) < 0)
        gs_err_set(err, rc, "printing the notice tables: %s", gs_strerror(rc));
    gs_report_destroy(&rep);
    gs_redis_destroy(&r);
    return rc;
}

/* Choose the sweep id: the one given, or the default for the reference time -- with a
 * suffix when that id already names a finished sweep or another registry, so that running
 * again sweeps again, while an interrupted sweep of the same registry is resumed. */
static int choose_sweep(gs_config_t *cfg, const char *url, int64_t ref, gs_err_t *err)
{
    if (cfg->sweep[0])
        return 0;
    char base[GS_ID_MAX], id[GS_ID_MAX];
    gs_sweep_id_default(ref, base, sizeof(base));
    gs_redis_t *r = gs_redis_new(url, err);
    if (!r)
        return GS_EREDIS;
    int rc = 0;
    for (int n = 1; n < 1000; n++) {
        int l = n == 1 ? snprintf(id, sizeof(id), "%s", base)
                       : snprintf(id, sizeof(id), "%s-%d", base, n);
        if (l < 0 || (size_t)l >= sizeof(id)) {
            rc = gs_err_set(err, GS_EINVAL, "sweep id %s-%d too long", base, n);
            break;
        }
        redisReply *rep = gs_redis_command(r, err, "HGET gs:sweep:%s:meta status", id);
        if (!rep) {
            rc = GS_EREDIS;
            break;
        }
        int free_id = rep->type != REDIS_REPLY_STRING;
        int running = !free_id && strcmp(rep->str, "running") == 0;
        freeReplyObject(rep);
        if (free_id || running) {
            /* a running one is resumed if the registry matches; plan() checks that */
            rc = gs_config_set(cfg, "sweep", id, err);
            if (running) {
                char sweep[GS_ID_MAX];
                gs_err_t e;
                gs_err_clear(&e);
                if (gs_dispatcher_plan(cfg, sweep, sizeof(sweep), &e) == GS_EEXIST)
                    continue;
            }
            break;
        }
    }
    gs_redis_destroy(&r);
    return rc;
}

typedef struct progress {
    int tty;
    int64_t start_ms, last_ms;
    long long total;
} progress_t;

static void show_progress(progress_t *pg, gs_redis_t *r, const char *sweep, int final)
{
    int64_t now = gs_now_ms();
    if (!final && now - pg->last_ms < (pg->tty ? 250 : 5000))
        return;
    pg->last_ms = now;
    gs_err_t e;
    redisReply *rep = gs_redis_command(r, &e, "HMGET gs:sweep:%s:stats done pages findings", sweep);
    if (!rep)
        return;
    long long v[3] = {0, 0, 0};
    for (size_t i = 0; i < 3 && rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++)
        if (rep->element[i]->type == REDIS_REPLY_STRING)
            v[i] = strtoll(rep->element[i]->str, NULL, 10);
    freeReplyObject(rep);
    double secs = (double)(now - pg->start_ms) / 1000.0;
    double rate = secs > 0 ? (double)v[1] / secs : 0;
    char eta[32] = "--:--";
    if (v[0] > 0 && v[0] < pg->total) {
        long left = (long)(secs * (double)(pg->total - v[0]) / (double)v[0]);
        snprintf(eta, sizeof(eta), "%ld:%02ld", left / 60, left % 60);
    } else if (v[0] >= pg->total) {
        snprintf(eta, sizeof(eta), "0:00");
    }
    int pct = pg->total ? (int)(100 * v[0] / pg->total) : 100;
    if (pg->tty) {
        char bar[31];
        int fill = pct * 30 / 100;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr,
                "\r[%s] %lld/%lld targets | %lld pages | %.0f pages/s | %lld findings "
                "| ETA %s ",
                bar, v[0], pg->total, v[1], rate, v[2], eta);
        if (final)
            fputc('\n', stderr);
    } else {
        fprintf(stderr,
                "progress: %lld/%lld targets (%d%%), %lld pages, %.0f pages/s, "
                "%lld findings, ETA %s\n",
                v[0], pg->total, pct, v[1], rate, v[2], eta);
    }
    fflush(stderr);
}

/* argv for a child: this program, the role, every non-default option, extras. */
static int child_args(const gs_config_t *cfg, const char *role, char **argv, size_t max,
                      size_t *argc)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return GS_EIO;
    self[n] = '\0';
    argv[0] = strdup(self);
    argv[1] = strdup(role);
    if (!argv[0] || !argv[1])
        return GS_ENOMEM;
    int k = gs_config_to_args(cfg, argv + 2, max - 2);
    if (k < 0)
        return k;
    *argc = 2 + (size_t)k;
    return 0;
}

/* The metrics address of child k (0 collector, 1 dispatcher, 2.. workers): each its own
 * port from the one given, which the collector gets; port 0 stays 0 (any free port, said
 * in each child's log). Metrics are off unless --metrics-listen is given. */
static int child_metrics(const char *listen, uint32_t k, char *out, size_t len, gs_err_t *err)
{
    const char *colon = strrchr(listen, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || colon[1] == '\0' || *end || port < 0 || port + (long)k > 65535)
        return gs_err_set(err, GS_EINVAL,
                          "metrics_listen '%s': expected HOST:PORT with room for %u ports", listen,
                          k + 1);
    snprintf(out, len, "%.*s:%ld", (int)(colon - listen), listen, port ? port + (long)k : 0);
    return 0;
}

/* The crash point of the fault tests, taken out of run's environment so that it reaches
 * one child only (docs/configuration.md, "Test facilities"): GS_CRASH_AT for the child
 * GS_CRASH_ROLE names (collector, dispatcher, worker-K, worker for every worker; run for
 * this supervisor itself), on its first start only unless GS_CRASH_ALWAYS=1 -- so that a
 * restarted child does not die again at the same point. */
typedef struct crash_plan {
    char at[GS_CRASH_NAME_MAX + GS_CRASH_ID_MAX + 2]; /* GS_CRASH_AT; "" when none */
    char role[32];                                    /* GS_CRASH_ROLE */
    int always;                                       /* GS_CRASH_ALWAYS=1 */
} crash_plan_t;

static void crash_plan_take(crash_plan_t *c)
{
    memset(c, 0, sizeof(*c));
    const char *at = getenv("GS_CRASH_AT"), *role = getenv("GS_CRASH_ROLE");
    const char *always = getenv("GS_CRASH_ALWAYS");
    if (at && *at && role && *role) {
        snprintf(c->at, sizeof(c->at), "%s", at);
        snprintf(c->role, sizeof(c->role), "%s", role);
        c->always = always && strcmp(always, "1") == 0;
    } else if (at && *at) {
        fprintf(stderr, "govsweep: GS_CRASH_AT ignored: GS_CRASH_ROLE names no process\n");
    }
    if (strcmp(c->role, "run") == 0)
        gs_crash_init(); /* armed here, before the variable leaves the environment */
    unsetenv("GS_CRASH_AT");
    unsetenv("GS_CRASH_ROLE");
    unsetenv("GS_CRASH_ALWAYS");
}

/* Start child k, with GS_CRASH_AT in its environment alone when the plan names it. */
static int start_child(gs_proc_t *k, const crash_plan_t *c)
{
    int named =
        c->at[0] && (strcmp(c->role, k->name) == 0 ||
                     (strcmp(c->role, "worker") == 0 && strncmp(k->name, "worker-", 7) == 0));
    int give = named && (k->restarts == 0 || c->always);
    if (give)
        setenv("GS_CRASH_AT", c->at, 1);
    int rc = gs_proc_start(k); /* fork copies the environment as it is now */
    if (give)
        unsetenv("GS_CRASH_AT");
    return rc;
}

int gs_cli_run(gs_config_t *cfg, gs_err_t *err)
{
    return gs_cli_run_with(cfg, NULL, err);
}

int gs_cli_run_with(gs_config_t *cfg, const gs_cli_run_hooks_t *hooks, gs_err_t *err)
{
    int rc = 0;
    gs_proc_t redis;
    memset(&redis, 0, sizeof(redis));
    gs_proc_t *kids = calloc(MAX_CHILDREN, sizeof(*kids));
    size_t nkids = 0;
    gs_redis_t *r = NULL;
    if (!kids)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    crash_plan_t crash;
    crash_plan_take(&crash);

    /* 1. the registry, before anything starts */
    gs_registry_t *reg = gs_registry_new();
    if (!reg) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    rc = gs_registry_load_file(reg, cfg->registry, err);
    if (rc < 0) {
        for (size_t i = 0; i < gs_registry_nproblems(reg); i++)
            fprintf(stderr, "%s: %s\n", cfg->registry, gs_registry_problem(reg, i));
        gs_registry_destroy(&reg);
        goto out;
    }
    long long total = (long long)gs_registry_count(reg);
    gs_registry_destroy(&reg);

    /* 2. one reference time for every process */
    int64_t ref;
    if (cfg->reference_time[0]) {
        if ((rc = gs_time_parse_reference(cfg->reference_time, &ref, err)) < 0)
            goto out;
    } else {
        ref = gs_wall_s();
    }
    char reft[40];
    gs_time_format_cst(ref, reft, sizeof(reft));
    if ((rc = gs_config_set(cfg, "reference_time", reft, err)) < 0)
        goto out;

    /* 3. state directory, Redis, endpoints */
    char state[PATH_MAX];
    if (mkdir_p(cfg->state_dir) < 0 || !realpath(cfg->state_dir, state)) {
        rc = gs_err_set(err, GS_EIO, "state directory %s: %s", cfg->state_dir, strerror(errno));
        goto out;
    }
    char logs[PATH_MAX + 8];
    snprintf(logs, sizeof(logs), "%s/logs", state);
    mkdir_p(logs);
    char url[PATH_MAX + 16];
    if (cfg->redis[0] && (rc = gs_cli_redis_secure(cfg, err)) < 0) {
        /* the children would refuse it one by one; say it once, before anything starts */
        rc = GS_EINVAL;
        goto out;
    }
    if (!cfg->redis[0]) {
        if ((rc = gs_cli_redis_start(state, &redis, url, sizeof(url), err)) < 0)
            goto out;
        gs_crash_point("run.redis_started");
        gs_config_set(cfg, "redis", url, NULL);
    }
    gs_config_t def;
    gs_config_init(&def);
    /* Local runs talk over unix sockets in the state directory: nothing listens on a
     * network port, and the socket files are as private as the directory. */
    char ep[PATH_MAX + 16];
    int use_disp = strcmp(cfg->dispatcher_endpoint, def.dispatcher_endpoint) == 0;
    int use_coll = strcmp(cfg->collector_endpoint, def.collector_endpoint) == 0;
    gs_config_cleanup(&def);
    if ((use_disp || use_coll) && strlen(state) > 90) {
        rc = gs_err_set(err, GS_EINVAL,
                        "state directory path too long for unix sockets (%zu bytes, at most 90): "
                        "%s; give a shorter --state-dir",
                        strlen(state), state);
        goto out;
    }
    if (use_disp) {
        snprintf(ep, sizeof(ep), "ipc://%.90s/dispatch.sock", state);
        gs_config_set(cfg, "dispatcher_endpoint", ep, NULL);
    }
    if (use_coll) {
        snprintf(ep, sizeof(ep), "ipc://%.90s/collect.sock", state);
        gs_config_set(cfg, "collector_endpoint", ep, NULL);
    }

    /* 4. the plan */
    if ((rc = choose_sweep(cfg, cfg->redis, ref, err)) < 0)
        goto out;
    char sweep[GS_ID_MAX];
    if ((rc = gs_dispatcher_plan(cfg, sweep, sizeof(sweep), err)) < 0)
        goto out;
    gs_config_set(cfg, "sweep", sweep, NULL);
    if (!(r = gs_redis_new(cfg->redis, err))) {
        rc = GS_EREDIS;
        goto out;
    }
    if (hooks && hooks->planned && (rc = hooks->planned(hooks->ud, r, sweep, err)) < 0)
        goto out;

    /* 5. the processes: collector first (results need a home), then dispatcher, workers */
    uint32_t nworkers = cfg->workers;
    if (nworkers == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        nworkers = c > 0 ? (uint32_t)c : 1;
    }
    if (nworkers > MAX_CHILDREN - 2)
        nworkers = MAX_CHILDREN - 2;
    char mcheck[300];
    if (cfg->metrics_listen[0] &&
        (rc = child_metrics(cfg->metrics_listen, nworkers + 1, mcheck, sizeof(mcheck), err)) < 0)
        goto out;
    const char *roles[3] = {"collector", "dispatcher", "worker"};
    for (uint32_t i = 0; i < nworkers + 2; i++) {
        const char *role = roles[i < 2 ? i : 2];
        char *argv[GS_PROC_MAX_ARGS];
        size_t argc = 0;
        memset(argv, 0, sizeof(argv));
        char name[32], log[PATH_MAX + 64];
        if (i < 2)
            snprintf(name, sizeof(name), "%s", role);
        else
            snprintf(name, sizeof(name), "worker-%u", i - 1);
        snprintf(log, sizeof(log), "%s/%s.log", logs, name);
        rc = child_args(cfg, role, argv, GS_PROC_MAX_ARGS - 4, &argc);
        if (rc == 0 && i >= 2) {
            char wid[GS_ID_MAX];
            snprintf(wid, sizeof(wid), "local-%u-%d", i - 1, (int)getpid());
            argv[argc++] = strdup("--worker-id");
            argv[argc++] = strdup(wid);
        }
        char mlisten[300];
        if (rc == 0 && cfg->metrics_listen[0] &&
            child_metrics(cfg->metrics_listen, i, mlisten, sizeof(mlisten), NULL) == 0) {
            argv[argc++] = strdup("--metrics-listen");
            argv[argc++] = strdup(mlisten);
        }
        if (rc == 0)
            rc = gs_proc_init(&kids[nkids], name, argv, argc, log);
        for (size_t k = 0; k < argc; k++)
            free(argv[k]);
        if (rc < 0) {
            gs_err_set(err, rc, "cannot prepare %s", name);
            goto out;
        }
        nkids++;
        if (start_child(&kids[nkids - 1], &crash) < 0) {
            rc = gs_err_set(err, GS_EIO, "cannot start %s", name);
            goto out;
        }
    }
    fprintf(stderr,
            "govsweep: sweep %s of %lld targets, reference time %s, %u workers; logs "
            "in %s\n",
            sweep, total, reft, nworkers, logs);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* 6. supervise until the dispatcher says the sweep is complete */
    progress_t pg = {isatty(2), gs_now_ms(), 0, total};
    int complete = 0;
    struct timespec tick = {0, 100 * 1000 * 1000};
    while (!interrupted && !complete) {
        nanosleep(&tick, NULL);
        if (redis.argc && gs_proc_reap(&redis)) {
            char why[64];
            gs_proc_describe_exit(&redis, why, sizeof(why));
            if (++redis.restarts > MAX_RESTARTS) {
                rc = gs_err_set(err, GS_EREDIS, "private redis keeps dying (%s)", why);
                goto out;
            }
            fprintf(stderr, "\ngovsweep: private redis died (%s); restarting it on its AOF\n", why);
            repair_aof(state);
            gs_proc_start(&redis);
            gs_redis_wait_ready(cfg->redis, 15000, NULL);
            gs_crash_point("run.redis_started");
        }
        for (size_t i = 0; i < nkids; i++) {
            gs_proc_t *k = &kids[i];
            if (!gs_proc_reap(k))
                continue;
            if (i == 1 && WIFEXITED(k->exit_status) && WEXITSTATUS(k->exit_status) == 0) {
                complete = 1;
                continue;
            }
            char why[64];
            gs_proc_describe_exit(k, why, sizeof(why));
            if (WIFEXITED(k->exit_status) && WEXITSTATUS(k->exit_status) == 2) {
                rc = gs_err_set(err, GS_EINVAL, "%s cannot run (%s): see %s", k->name, why, k->log);
                goto out;
            }
            if (++k->restarts > MAX_RESTARTS) {
                rc =
                    gs_err_set(err, GS_ESTATE, "%s keeps dying (%s): see %s", k->name, why, k->log);
                goto out;
            }
            fprintf(stderr, "%sgovsweep: %s died (%s); restarting it\n", pg.tty ? "\n" : "",
                    k->name, why);
            start_child(k, &crash);
        }
        show_progress(&pg, r, sweep, 0);
    }
    if (interrupted) {
        rc = gs_err_set(err, GS_ESTATE,
                        "interrupted; finished results are kept in %s -- run the same command "
                        "with --sweep %s to resume",
                        state, sweep);
        goto out;
    }
    show_progress(&pg, r, sweep, 1);
    for (size_t i = 0; i < nkids; i++)
        gs_proc_stop(&kids[i], 3000);

    /* 7. the report */
    if ((rc = gs_cli_report(cfg->redis, sweep, cfg->out, 1, err)) < 0)
        goto out;
    double secs = (double)(gs_now_ms() - pg.start_ms) / 1000.0;
    /* CPU of the whole sweep: this process and every child reaped so far (Redis is reaped
     * below, so a private Redis is not counted here). */
    struct rusage self, kids_ru;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids_ru);
    double cpu = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids_ru.ru_utime.tv_sec +
                          kids_ru.ru_stime.tv_sec) +
                 (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids_ru.ru_utime.tv_usec +
                          kids_ru.ru_stime.tv_usec) /
                     1e6;
    long long pages = 0;
    redisReply *pr = gs_redis_command(r, err, "HGET gs:sweep:%s:stats pages", sweep);
    if (pr && pr->type == REDIS_REPLY_STRING)
        pages = strtoll(pr->str, NULL, 10);
    if (pr)
        freeReplyObject(pr);
    fprintf(stderr,
            "govsweep: sweep %s complete in %.1f s: %lld pages, %.0f pages/s, cpu %.2f s "
            "(%.0f us/page); report in %s/\n",
            sweep, secs, pages, secs > 0 ? (double)pages / secs : 0.0, cpu,
            pages ? cpu * 1e6 / (double)pages : 0.0, cfg->out);
out:
    for (size_t i = 0; i < nkids; i++) {
        gs_proc_stop(&kids[i], 3000);
        gs_proc_cleanup(&kids[i]);
    }
    free(kids);
    gs_redis_destroy(&r);
    if (redis.argc) {
        gs_proc_stop(&redis, 10000);
        gs_proc_cleanup(&redis);
    }
    return rc;
}
