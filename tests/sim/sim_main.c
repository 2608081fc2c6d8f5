/* sim_main.c -- gs-simsrv: a simulated province of government websites and new-media
 * feeds on loopback, with the ground truth of every defect planted, for testing govsweep
 * without ever touching a real government site.
 *
 *   gs-simsrv --out DIR [--seed N=1] [--sites N=12] [--accounts N=24]
 *             [--pages-per-site N=40] [--reference-time YYYY-MM-DD[THH:MM[:SS]]]
 *             [--defect-rate F=0.3] [--faults] [--flap-rate F=0.1] [--flap-sites N=1]
 *             [--data-dir DIR] [--port P=0] [--listen 127.0.0.1] [--threads N=2]
 *             [--no-tls] [--no-serve] [--fix-targets ID,ID...] [--head-bytes N=0]
 *
 * Writes registry.csv, truth.jsonl, clean.txt, plan.jsonl (sim_files.c), then listens,
 * writes ca.pem (the test CA of its HTTPS listener), connect-to.txt and `port` once the
 * sockets are bound and an empty `ready` once serving, and serves until SIGTERM or SIGINT
 * (exit 0, `ready` removed; stale `ready`, `port` and `ipv6-unavailable` of an earlier run
 * are removed at start). When ::1 cannot be bound it writes `ipv6-unavailable` and plants
 * no W-IPV6 truth. With --no-serve it writes the files and exits; connect-to.txt then names
 * --port as given (0 by default), since no port was bound. Without --reference-time the
 * reference is now, so the files depend on the day; give it for byte-identical output.
 * holidays.tsv is read from --data-dir (default: the source tree's data/) at plan time.
 * --fix-targets serves the targets named as clean (no defect, no fault), everything else
 * exactly as without it: the same province after some targets fixed their problems, for
 * re-check tests. A defect that changes the registry row (a non-gov.cn host, a duplicate
 * account) is fixed in the registry written too. */
#include "sim.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bounds of the options: the plan stays within a few hundred MB at the very most. */
#define MAX_SITES 50000u
#define MAX_ACCOUNTS 40000u
#define MAX_PAGES 20000u
#define MAX_ITEMS (20u * 1000u * 1000u)

/* sim_plan.c: the --fix-targets list, before sim_plan_build (ids stays borrowed). Declared
 * here rather than in sim.h only to keep this option's change to two files; it belongs in
 * sim.h's plan section. */
int sim_plan_fix_targets(const char *ids);

static void usage(FILE *f)
{
    fputs("usage: gs-simsrv --out DIR [--seed N] [--sites N] [--accounts N]\n"
          "                 [--pages-per-site N] [--reference-time YYYY-MM-DD[THH:MM[:SS]]]\n"
          "                 [--defect-rate F] [--faults] [--flap-rate F] [--flap-sites N]\n"
          "                 [--data-dir DIR] [--port P] [--listen ADDR] [--threads N]\n"
          "                 [--no-tls] [--no-serve] [--fix-targets ID,ID...] [--head-bytes N]\n"
          "Serves a simulated province of government websites and feeds on loopback and\n"
          "writes registry.csv, truth.jsonl, clean.txt, plan.jsonl, connect-to.txt, ca.pem\n"
          "into DIR. tests/sim/README.md describes every option and defect.\n",
          f);
}

/* An unsigned option in [lo, hi]. */
static int parse_uint(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "gs-simsrv: %s wants a number from %llu to %llu, not '%s'\n", opt, lo, hi,
                s);
        return GS_EINVAL;
    }
    *out = v;
    return 0;
}

/* A fraction in [0, 1]. */
static int parse_fraction(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double f = strtod(s, &end);
    if (errno || end == s || *end || !(f >= 0.0 && f <= 1.0)) {
        fprintf(stderr, "gs-simsrv: %s wants a fraction from 0 to 1\n", opt);
        return GS_EINVAL;
    }
    *out = f;
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return GS_EINVAL;
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                return GS_EIO;
            *p = c;
            if (c == '\0')
                break;
        }
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : GS_EIO;
}

static void remove_marker(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

/* Open as many files as allowed: every connection is one. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    enum {
        O_OUT = 1,
        O_SEED,
        O_SITES,
        O_ACCTS,
        O_PAGES,
        O_REF,
        O_RATE,
        O_FAULTS,
        O_PORT,
        O_LISTEN,
        O_THREADS,
        O_NOSERVE,
        O_HELP,
        O_DATA,
        O_FLAP_RATE,
        O_FLAP_SITES,
        O_NOTLS,
        O_FIX,
        O_HEAD,
    };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, O_OUT},
        {"seed", required_argument, NULL, O_SEED},
        {"sites", required_argument, NULL, O_SITES},
        {"accounts", required_argument, NULL, O_ACCTS},
        {"pages-per-site", required_argument, NULL, O_PAGES},
        {"reference-time", required_argument, NULL, O_REF},
        {"defect-rate", required_argument, NULL, O_RATE},
        {"faults", no_argument, NULL, O_FAULTS},
        {"port", required_argument, NULL, O_PORT},
        {"listen", required_argument, NULL, O_LISTEN},
        {"threads", required_argument, NULL, O_THREADS},
        {"no-serve", no_argument, NULL, O_NOSERVE},
        {"data-dir", required_argument, NULL, O_DATA},
        {"flap-rate", required_argument, NULL, O_FLAP_RATE},
        {"flap-sites", required_argument, NULL, O_FLAP_SITES},
        {"no-tls", no_argument, NULL, O_NOTLS},
        {"fix-targets", required_argument, NULL, O_FIX},
        {"head-bytes", required_argument, NULL, O_HEAD},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    sim_opts_t o = {.seed = 1,
                    .sites = 12,
                    .accounts = 24,
                    .pages_per_site = 40,
                    .ref_unix = (int64_t)time(NULL),
                    .defect_rate = 0.3,
                    .listen = "127.0.0.1",
                    .threads = 2,
                    .serve = true,
                    .data_dir = GS_DATA_DIR_DEFAULT,
                    .flap_rate = 0.1,
                    .flap_sites = 1,
                    .tls = true};
    unsigned long long v;
    int c;
    gs_err_t err;
    gs_err_clear(&err);
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_OUT:
            o.out_dir = optarg;
            break;
        case O_SEED:
            if (parse_uint("--seed", optarg, 0, UINT64_MAX, &v) < 0)
                return 2;
            o.seed = v;
            break;
        case O_SITES:
            if (parse_uint("--sites", optarg, 0, MAX_SITES, &v) < 0)
                return 2;
            o.sites = (unsigned)v;
            break;
        case O_ACCTS:
            if (parse_uint("--accounts", optarg, 0, MAX_ACCOUNTS, &v) < 0)
                return 2;
            o.accounts = (unsigned)v;
            break;
        case O_PAGES:
            if (parse_uint("--pages-per-site", optarg, 4, MAX_PAGES, &v) < 0)
                return 2;
            o.pages_per_site = (unsigned)v;
            break;
        case O_HEAD:
            if (parse_uint("--head-bytes", optarg, 0, SIM_HEAD_BYTES_MAX, &v) < 0)
                return 2;
            o.head_bytes = (unsigned)v;
            break;
        case O_REF:
            if (gs_time_parse_reference(optarg, &o.ref_unix, &err) < 0) {
                fprintf(stderr, "gs-simsrv: --reference-time %s: %s\n", optarg, err.msg);
                return 2;
            }
            break;
        case O_RATE:
            if (parse_fraction("--defect-rate", optarg, &o.defect_rate) < 0)
                return 2;
            break;
        case O_FLAP_RATE:
            if (parse_fraction("--flap-rate", optarg, &o.flap_rate) < 0)
                return 2;
            break;
        case O_FLAP_SITES:
            if (parse_uint("--flap-sites", optarg, 1, SIM_MAX_FLAP_SITES, &v) < 0)
                return 2;
            o.flap_sites = (unsigned)v;
            break;
        case O_DATA:
            o.data_dir = optarg;
            break;
        case O_NOTLS:
            o.tls = false;
            break;
        case O_FIX:
            sim_plan_fix_targets(optarg);
            break;
        case O_FAULTS:
            o.faults = true;
            break;
        case O_PORT:
            if (parse_uint("--port", optarg, 0, 65535, &v) < 0)
                return 2;
            o.port = (unsigned)v;
            break;
        case O_LISTEN:
            o.listen = optarg;
            break;
        case O_THREADS:
            if (parse_uint("--threads", optarg, 1, 64, &v) < 0)
                return 2;
            o.threads = (unsigned)v;
            break;
        case O_NOSERVE:
            o.serve = false;
            break;
        case O_HELP:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc || !o.out_dir) {
        fprintf(stderr, "gs-simsrv: %s\n",
                optind < argc ? "unexpected argument" : "--out is required");
        usage(stderr);
        return 2;
    }
    if ((unsigned long long)o.sites * o.pages_per_site > MAX_ITEMS) {
        fprintf(stderr, "gs-simsrv: --sites x --pages-per-site is limited to %u\n", MAX_ITEMS);
        return 2;
    }
    if (make_dirs(o.out_dir) < 0) {
        fprintf(stderr, "gs-simsrv: cannot create %s: %s\n", o.out_dir, strerror(errno));
        return 1;
    }
    /* A waiter must never see the markers of an earlier run. */
    remove_marker(o.out_dir, "ready");
    remove_marker(o.out_dir, "port");
    remove_marker(o.out_dir, "ipv6-unavailable");
    /* IPv6 sites need a ::1 listener beside an IPv4 one; without it no site is told apart
     * by IPv6. */
    bool v6ok = sim_server_probe_ipv6();
    o.ipv6 = v6ok && strchr(o.listen, ':') == NULL;

    /* Every thread started from here on inherits the blocked signals; main waits for
     * them with sigwait, so no handler runs inside a server thread. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();

    sim_plan_t plan;
    int rc = sim_plan_build(&plan, &o, &err);
    if (rc < 0) {
        fprintf(stderr, "gs-simsrv: %s\n", err.msg);
        return 1;
    }
    if (plan.uncovered) {
        fprintf(stderr,
                "gs-simsrv: %u defect rows not planted, too few targets (tests/sim/README.md "
                "gives the minimum --sites and --accounts):",
                plan.uncovered);
        for (unsigned i = 0; i < plan.uncovered && i < sizeof plan.uncovered_rows; i++) {
            const sim_defect_t *d = &sim_defects[plan.uncovered_rows[i]];
            fprintf(stderr, " %s/%s", d->code ? d->code : "-", d->cause ? d->cause : "-");
        }
        fputc('\n', stderr);
    }
    rc = sim_files_write(&plan, &err);
    if (rc == 0 && !v6ok)
        rc = sim_files_put(o.out_dir, "ipv6-unavailable", "", 0, &err);
    if (rc == 0 && !o.serve)
        rc = sim_files_write_connect(&plan, o.port, 0, 0, &err);
    if (rc < 0 || !o.serve) {
        if (rc < 0)
            fprintf(stderr, "gs-simsrv: %s\n", err.msg);
        sim_plan_cleanup(&plan);
        return rc < 0 ? 1 : 0;
    }

    sim_server_t *srv = sim_server_start(&plan, &err);
    if (!srv) {
        fprintf(stderr, "gs-simsrv: %s\n", err.msg);
        sim_plan_cleanup(&plan);
        return 1;
    }
    unsigned port = sim_server_port(srv);
    char portline[16];
    int n = snprintf(portline, sizeof portline, "%u\n", port);
    rc =
        sim_files_write_connect(&plan, port, sim_server_port6(srv), sim_server_tls_port(srv), &err);
    if (rc == 0 && sim_server_tls(srv)) {
        const char *pem = sim_tls_ca_pem(sim_server_tls(srv));
        rc = sim_files_put(o.out_dir, "ca.pem", pem, strlen(pem), &err);
    }
    if (rc == 0)
        rc = sim_files_put(o.out_dir, "port", portline, (size_t)n, &err);
    if (rc == 0)
        rc = sim_files_put(o.out_dir, "ready", "", 0, &err);
    if (rc < 0) {
        fprintf(stderr, "gs-simsrv: %s\n", err.msg);
        sim_server_stop(&srv);
        sim_plan_cleanup(&plan);
        return 1;
    }
    char when[32];
    gs_time_format_cst(o.ref_unix, when, sizeof when);
    fprintf(stderr,
            "gs-simsrv: %zu sites, %zu accounts on %s port %u (::1 port %u, HTTPS port %u), "
            "reference %s%s; SIGTERM to stop\n",
            plan.n_sites, plan.n_targets - plan.n_sites, o.listen, port, sim_server_port6(srv),
            sim_server_tls_port(srv), when, plan.cal.loaded ? "" : ", no holidays.tsv");

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;
    fprintf(stderr, "gs-simsrv: signal %d, stopping after %llu requests\n", sig,
            sim_server_requests(srv));
    sim_server_stop(&srv);
    remove_marker(o.out_dir, "ready");
    sim_plan_cleanup(&plan);
    return 0;
}
