/* gs_redis.c -- Redis connections from govsweep URLs, with one-shot reconnection. */
#include "gs_redis.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct gs_redis {
    redisContext *ctx;
    char *host; /* NULL for a unix socket */
    char *path; /* unix socket path */
    int port;
    int db;
    char *password; /* NULL when none */
};

static void redis_free_fields(gs_redis_t *r)
{
    free(r->host);
    free(r->path);
    if (r->password) {
        memset(r->password, 0, strlen(r->password));
        free(r->password);
    }
}

/* Split the URL into r's fields. */
static int parse_url(gs_redis_t *r, const char *url, gs_err_t *err)
{
    r->port = 6379;
    if (strncmp(url, "unix://", 7) == 0) {
        const char *p = url + 7;
        const char *q = strchr(p, '?');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 0 || p[0] != '/')
            return gs_err_set(err, GS_EINVAL, "redis URL '%s': unix:// needs an absolute path",
                              url);
        if (!(r->path = strndup(p, n)))
            return GS_ENOMEM;
        while (q && *q) {
            q++;
            const char *amp = strchr(q, '&');
            size_t l = amp ? (size_t)(amp - q) : strlen(q);
            if (strncmp(q, "password=", 9) == 0) {
                if (!(r->password = strndup(q + 9, l - 9)))
                    return GS_ENOMEM;
            } else if (strncmp(q, "db=", 3) == 0) {
                r->db = (int)strtol(q + 3, NULL, 10);
            } else {
                return gs_err_set(err, GS_EINVAL, "redis URL '%s': unknown parameter", url);
            }
            q = amp;
        }
    } else if (strncmp(url, "redis://", 8) == 0) {
        const char *p = url + 8;
        const char *at = strrchr(p, '@');
        if (at) {
            const char *colon = memchr(p, ':', (size_t)(at - p));
            const char *pw = colon ? colon + 1 : p;
            if (!(r->password = strndup(pw, (size_t)(at - pw))))
                return GS_ENOMEM;
            p = at + 1;
        }
        const char *slash = strchr(p, '/');
        size_t hl = slash ? (size_t)(slash - p) : strlen(p);
        char hostport[256];
        if (hl == 0 || hl >= sizeof(hostport))
            return gs_err_set(err, GS_EINVAL, "redis URL '%s': bad host", url);
        memcpy(hostport, p, hl);
        hostport[hl] = '\0';
        char *colon = strrchr(hostport, ':');
        if (colon && !strchr(colon, ']')) {
            *colon = '\0';
            char *end;
            long port = strtol(colon + 1, &end, 10);
            if (*end || port <= 0 || port > 65535)
                return gs_err_set(err, GS_EINVAL, "redis URL '%s': bad port", url);
            r->port = (int)port;
        }
        char *h = hostport;
        if (h[0] == '[') {
            h++;
            char *rb = strchr(h, ']');
            if (rb)
                *rb = '\0';
        }
        if (!(r->host = strdup(h)))
            return GS_ENOMEM;
        if (slash && slash[1])
            r->db = (int)strtol(slash + 1, NULL, 10);
    } else {
        return gs_err_set(err, GS_EINVAL, "redis URL '%s': expected redis:// or unix://", url);
    }
    if (!r->password) {
        const char *env = getenv("GS_REDIS_PASSWORD");
        if (env && *env && !(r->password = strdup(env)))
            return GS_ENOMEM;
    }
    return 0;
}

static int redis_connect(gs_redis_t *r, gs_err_t *err)
{
    struct timeval tv = {5, 0};
    if (r->ctx) {
        redisFree(r->ctx);
        r->ctx = NULL;
    }
    r->ctx = r->path ? redisConnectUnixWithTimeout(r->path, tv)
                     : redisConnectWithTimeout(r->host, r->port, tv);
    if (!r->ctx)
        return gs_err_set(err, GS_ENOMEM, "out of memory connecting to redis");
    if (r->ctx->err) {
        gs_err_set(err, GS_EREDIS, "redis %s%s%s: %s", r->path ? r->path : r->host,
                   r->path ? "" : ":", r->path ? "" : "port", r->ctx->errstr);
        redisFree(r->ctx);
        r->ctx = NULL;
        return GS_EREDIS;
    }
    /* Commands must not hang forever on a stopped (SIGSTOP) Redis: a generous timeout
     * turns that into an error the caller retries. */
    struct timeval cmdtv = {30, 0};
    redisSetTimeout(r->ctx, cmdtv);
    if (r->password) {
        redisReply *rep = redisCommand(r->ctx, "AUTH %s", r->password);
        int bad = !rep || rep->type == REDIS_REPLY_ERROR;
        if (bad)
            gs_err_set(err, GS_EDENIED, "redis AUTH refused: %s", rep ? rep->str : r->ctx->errstr);
        if (rep)
            freeReplyObject(rep);
        if (bad) {
            redisFree(r->ctx);
            r->ctx = NULL;
            return GS_EDENIED;
        }
    }
    if (r->db) {
        redisReply *rep = redisCommand(r->ctx, "SELECT %d", r->db);
        int bad = !rep || rep->type == REDIS_REPLY_ERROR;
        if (rep)
            freeReplyObject(rep);
        if (bad) {
            redisFree(r->ctx);
            r->ctx = NULL;
            return gs_err_set(err, GS_EREDIS, "redis SELECT %d failed", r->db);
        }
    }
    return 0;
}

gs_redis_t *gs_redis_new(const char *url, gs_err_t *err)
{
    gs_redis_t *r = calloc(1, sizeof(*r));
    if (!r) {
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    if (parse_url(r, url, err) < 0 || redis_connect(r, err) < 0) {
        gs_redis_destroy(&r);
        return NULL;
    }
    return r;
}

void gs_redis_destroy(gs_redis_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_redis_t *r = *self_p;
    if (r->ctx)
        redisFree(r->ctx);
    redis_free_fields(r);
    free(r);
    *self_p = NULL;
}

redisContext *gs_redis_ctx(gs_redis_t *r)
{
    return r->ctx;
}

int gs_redis_reconnect(gs_redis_t *r, gs_err_t *err)
{
    return redis_connect(r, err);
}

static redisReply *check_reply(gs_redis_t *r, redisReply *rep, gs_err_t *err)
{
    if (rep && rep->type == REDIS_REPLY_ERROR) {
        gs_err_set(err, GS_EREDIS, "redis: %s", rep->str);
        freeReplyObject(rep);
        return NULL;
    }
    if (!rep)
        gs_err_set(err, GS_EREDIS, "redis: %s", r->ctx ? r->ctx->errstr : "not connected");
    return rep;
}

redisReply *gs_redis_commandv(gs_redis_t *r, gs_err_t *err, int argc, const char **argv,
                              const size_t *argvlen)
{
    for (int tries = 0; tries < 2; tries++) {
        if (!r->ctx && redis_connect(r, err) < 0)
            return NULL;
        redisReply *rep = redisCommandArgv(r->ctx, argc, argv, argvlen);
        if (rep || tries == 1)
            return check_reply(r, rep, err);
        /* The connection broke: hiredis contexts are unusable after an I/O error. */
        redisFree(r->ctx);
        r->ctx = NULL;
    }
    return NULL;
}

redisReply *gs_redis_command(gs_redis_t *r, gs_err_t *err, const char *fmt, ...)
{
    for (int tries = 0; tries < 2; tries++) {
        if (!r->ctx && redis_connect(r, err) < 0)
            return NULL;
        va_list ap;
        va_start(ap, fmt);
        redisReply *rep = redisvCommand(r->ctx, fmt, ap);
        va_end(ap);
        if (rep || tries == 1)
            return check_reply(r, rep, err);
        redisFree(r->ctx);
        r->ctx = NULL;
    }
    return NULL;
}

int gs_redis_wait_ready(const char *url, int timeout_ms, gs_err_t *err)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    for (int waited = 0;; waited += 50) {
        gs_err_t e;
        gs_err_clear(&e);
        gs_redis_t *r = gs_redis_new(url, &e);
        if (r) {
            redisReply *rep = gs_redis_command(r, &e, "PING");
            int ok = rep != NULL;
            if (rep)
                freeReplyObject(rep);
            gs_redis_destroy(&r);
            if (ok)
                return 0;
        }
        if (e.code == GS_EDENIED || waited >= timeout_ms)
            return gs_err_set(err, e.code ? e.code : GS_ETIMEOUT, "%s", e.msg);
        nanosleep(&ts, NULL);
    }
}
