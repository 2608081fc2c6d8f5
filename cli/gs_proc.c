/* gs_proc.c -- spawning and supervising the processes of a local sweep. */
#include "gs_proc.h"
#include "gs_err.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int gs_proc_init(gs_proc_t *p, const char *name, char *const *argv, size_t argc, const char *log)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->log, sizeof(p->log), "%s", log);
    if (argc >= GS_PROC_MAX_ARGS)
        return GS_ETOOBIG;
    for (size_t i = 0; i < argc; i++)
        if (!(p->argv[i] = strdup(argv[i]))) {
            gs_proc_cleanup(p);
            return GS_ENOMEM;
        }
    p->argc = argc;
    return 0;
}

void gs_proc_cleanup(gs_proc_t *p)
{
    for (size_t i = 0; i < p->argc; i++)
        free(p->argv[i]);
    p->argc = 0;
}

int gs_proc_start(gs_proc_t *p)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return GS_EIO;
    if (pid == 0) {
#ifdef __linux__
        /* A supervisor killed with -9 cannot stop its children: they are told by the
         * kernel instead (SIGTERM: Redis syncs its AOF, a daemon stops as on Ctrl-C), so
         * that no orphan keeps a state directory's sockets and AOF from the next run. The
         * check after the prctl covers a supervisor that died before it. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
#else
        (void)parent;
#endif
        int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        /* Children ignore the terminal's Ctrl-C; the supervisor stops them in order. */
        setpgid(0, 0);
        execvp(p->argv[0], p->argv);
        fprintf(stderr, "cannot run %s: %s\n", p->argv[0], strerror(errno));
        _exit(127);
    }
    p->pid = pid;
    return 0;
}

int gs_proc_reap(gs_proc_t *p)
{
    if (p->pid <= 0)
        return 0;
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid) {
        p->exit_status = st;
        p->pid = 0;
        return 1;
    }
    return 0;
}

void gs_proc_stop(gs_proc_t *p, int grace_ms)
{
    if (p->pid <= 0)
        return;
    kill(p->pid, SIGTERM);
    struct timespec ts = {0, 20 * 1000 * 1000};
    for (int waited = 0; waited < grace_ms; waited += 20) {
        if (gs_proc_reap(p))
            return;
        nanosleep(&ts, NULL);
    }
    kill(p->pid, SIGKILL);
    int st;
    waitpid(p->pid, &st, 0);
    p->exit_status = st;
    p->pid = 0;
}

void gs_proc_describe_exit(const gs_proc_t *p, char *out, size_t outlen)
{
    if (WIFSIGNALED(p->exit_status))
        snprintf(out, outlen, "killed by signal %d", WTERMSIG(p->exit_status));
    else
        snprintf(out, outlen, "exit %d", WEXITSTATUS(p->exit_status));
}
