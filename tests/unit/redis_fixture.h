/* redis_fixture.h -- a private redis-server for a cmocka group: started on a unix socket
 * in a mkdtemp directory /tmp/NAME.XXXXXX, with R connected to it, and stopped with the
 * directory and everything the tests wrote there removed (GS_KEEP_TMP=1 keeps it).
 * Header-only (static functions and state) because each test file is its own program; the
 * includer calls redis_fixture_start from its group setup and redis_fixture_stop from its
 * teardown. Single-threaded, as cmocka runs tests. */
#ifndef GS_REDIS_FIXTURE_H
#define GS_REDIS_FIXTURE_H

/* A test file need not use every helper. */
#ifndef GS_FIXTURE_FN
#define GS_FIXTURE_FN __attribute__((unused))
#endif

#include "gs_redis.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char url[160];
static pid_t redis_pid;
static gs_redis_t *R;

/* 0, or -1 (said on stderr) when redis-server does not start. */
static GS_FIXTURE_FN int redis_fixture_start(const char *name)
{
    snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
    if (!mkdtemp(dir))
        return -1;
    char sock[128], log[128];
    snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
    snprintf(log, sizeof(log), "%s/redis.log", dir);
    snprintf(url, sizeof(url), "unix://%s", sock);
    redis_pid = fork();
    if (redis_pid < 0)
        return -1;
    if (redis_pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock, "--dir", dir,
               "--save", "", "--appendonly", "no", (char *)NULL);
        _exit(127);
    }
    gs_err_t e;
    if (gs_redis_wait_ready(url, 10000, &e) < 0) {
        fprintf(stderr, "redis-server did not start: %s\n", e.msg);
        return -1;
    }
    R = gs_redis_new(url, &e);
    return R ? 0 : -1;
}

/* Remove a directory tree we made (the socket, the log, the test output). */
static GS_FIXTURE_FN void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char sub[1024];
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            rm_rf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Stop the server (unless a test did: redis_pid 0) and remove the directory. */
static GS_FIXTURE_FN int redis_fixture_stop(void)
{
    gs_redis_destroy(&R);
    if (redis_pid > 0) {
        kill(redis_pid, SIGTERM);
        waitpid(redis_pid, NULL, 0);
        redis_pid = 0;
    }
    const char *keep = getenv("GS_KEEP_TMP");
    if (keep && strcmp(keep, "1") == 0)
        fprintf(stderr, "kept %s\n", dir);
    else if (strncmp(dir, "/tmp/gs-", 8) == 0)
        rm_rf(dir);
    return 0;
}

#endif
