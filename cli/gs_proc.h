/* gs_proc.h -- child processes of `govsweep run`: spawn, watch, restart, stop.
 *
 * A child is this same program run with a subcommand (or redis-server), its standard
 * error sent to a log file. The supervisor restarts a child that dies before the sweep
 * is complete (as systemd's Restart=on-failure would on a cluster), at most max_restarts
 * times. On Linux a child gets SIGTERM when the supervisor dies (PR_SET_PDEATHSIG), so a
 * supervisor killed with -9 leaves no orphan behind. Not thread-safe; call from the main
 * loop only (the death signal follows the thread that forked). */
#ifndef GS_PROC_H
#define GS_PROC_H

#include <stddef.h>
#include <sys/types.h>

#define GS_PROC_MAX_ARGS 256

typedef struct gs_proc {
    char name[32]; /* "worker-1", "redis", ... */
    char *argv[GS_PROC_MAX_ARGS];
    size_t argc;
    char log[1024]; /* file that receives stdout and stderr */
    pid_t pid;      /* 0 when not running */
    int restarts;
    int exit_status; /* wait status of the last exit */
} gs_proc_t;

/* Copy argv (NULL-terminated not required: argc entries) into p. 0 or GS_ENOMEM. */
int gs_proc_init(gs_proc_t *p, const char *name, char *const *argv, size_t argc, const char *log);
void gs_proc_cleanup(gs_proc_t *p);
/* Start it. 0 or GS_EIO. */
int gs_proc_start(gs_proc_t *p);
/* Non-blocking check: 1 when it exited since the last check (exit_status set), else 0. */
int gs_proc_reap(gs_proc_t *p);
/* SIGTERM, wait up to grace_ms, then SIGKILL. */
void gs_proc_stop(gs_proc_t *p, int grace_ms);
/* A short description of the last exit ("exit 1", "killed by signal 9"). */
void gs_proc_describe_exit(const gs_proc_t *p, char *out, size_t outlen);

#endif
