/* gs_recheck.c -- `govsweep recheck --previous SWEEP_ID`: 整改复核, the re-check of the
 * targets a sweep found 不合格.
 *
 * It reads the previous sweep from Redis, writes the registry rows of its 不合格 targets
 * (gs:sweep:PREV:target:ID, every column, unknown ones included) as a registry CSV into the
 * state directory, and sweeps them with `govsweep run`'s machinery (gs_cli_run_with) as
 * sweep PREV-recheck -- PREV-recheck-2, -3 ... when that one is complete, so that each
 * re-check is kept -- recording `previous` in the new sweep's meta. gs_cli_report then sees
 * that field and adds recheck.md and recheck.csv (report/gs_report_recheck.c) to the
 * report, and prints the comparison instead of the sweep's own tables; so does
 * `govsweep report` for a re-check sweep, any time later. */
#include "gs_cli.h"
#include "gs_buf.h"
#include "gs_msg.h"
#include "gs_redis.h"
#include "gs_registry.h"
#include "gs_report.h"
#include "gs_report_recheck.h"
#include "gs_util.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The registry's own columns, in the order written. */
static const char *const fixed_cols[] = {"kind", "id",    "name",     "region",
                                         "url",  "owner", "platform", "menu_url"};
#define NFIXED (sizeof(fixed_cols) / sizeof(fixed_cols[0]))
/* Unknown columns carried over (the registry's own limit). */
#define MAX_EXTRA GS_REGISTRY_MAX_COLS
/* Targets whose rows are read per pipelined batch. */
#define BATCH 500

int gs_cli_recheck_args(int argc, char **argv, const char **previous, gs_err_t *err)
{
    *previous = NULL;
    int out = 2;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--previous")) {
            if (i + 1 >= argc)
                return gs_err_set(err, GS_EINVAL, "--previous needs a sweep id");
            *previous = argv[++i];
        } else if (!strncmp(argv[i], "--previous=", 11)) {
            *previous = argv[i] + 11;
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    return out;
}

/* ---- the registry of the re-check --------------------------------------------------- */

static void csv_field(gs_buf_t *b, const char *s, int first)
{
    if (!first)
        gs_buf_putc(b, ',');
    if (!strpbrk(s, ",\"\r\n")) {
        gs_buf_puts(b, s);
        return;
    }
    gs_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            gs_buf_putc(b, '"');
        gs_buf_putc(b, *s);
    }
    gs_buf_putc(b, '"');
}

/* A field of an HGETALL reply; "" when absent. */
static const char *hfield(const redisReply *h, const char *name)
{
    if (!h || h->type != REDIS_REPLY_ARRAY)
        return "";
    for (size_t i = 0; i + 1 < h->elements; i += 2)
        if (h->element[i]->type == REDIS_REPLY_STRING && !strcmp(h->element[i]->str, name))
            return h->element[i + 1]->type == REDIS_REPLY_STRING ? h->element[i + 1]->str : "";
    return "";
}

/* Read the registry rows of ids (HGETALL, pipelined in batches) into rows[]. */
static int read_rows(gs_redis_t *r, const char *prev, const char *const *ids, size_t n,
                     redisReply **rows, gs_err_t *err)
{
    redisContext *ctx = gs_redis_ctx(r);
    for (size_t b = 0; b < n; b += BATCH) {
        size_t e = n - b < BATCH ? n : b + BATCH;
        for (size_t i = b; i < e; i++)
            if (redisAppendCommand(ctx, "HGETALL gs:sweep:%s:target:%s", prev, ids[i]) != REDIS_OK)
                return gs_err_set(err, GS_ENOMEM, "out of memory");
        for (size_t i = b; i < e; i++) {
            if (redisGetReply(ctx, (void **)&rows[i]) != REDIS_OK)
                return gs_err_set(err, GS_EREDIS, "redis (registry rows of %s): %s", prev,
                                  ctx->errstr);
            if (rows[i]->type != REDIS_REPLY_ARRAY || rows[i]->elements == 0)
                return gs_err_set(err, GS_EPARSE, "sweep %s has no registry row for %s", prev,
                                  ids[i]);
        }
    }
    return 0;
}

/* The registry CSV of the rows: the fixed columns (platform as the registry spelled it,
 * so that the re-check normalizes it the same way), then every unknown column of the
 * previous registry that these rows carry, in first-seen order. */
static int build_csv(redisReply **rows, size_t n, gs_buf_t *out, gs_err_t *err)
{
    const char *extra[MAX_EXTRA];
    size_t nextra = 0;
    json_t **objs = calloc(n ? n : 1, sizeof(*objs));
    if (!objs)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *x = hfield(rows[i], "extra");
        json_error_t je;
        objs[i] = x[0] ? json_loads(x, 0, &je) : NULL;
        if (objs[i] && !json_is_object(objs[i])) {
            json_decref(objs[i]);
            objs[i] = NULL;
        }
        const char *key;
        json_t *v;
        json_object_foreach(objs[i], key, v)
        {
            size_t k = 0;
            while (k < nextra && strcmp(extra[k], key) != 0)
                k++;
            if (k < nextra)
                continue;
            if (nextra == MAX_EXTRA) {
                rc =
                    gs_err_set(err, GS_ETOOBIG, "more than %d unknown registry columns", MAX_EXTRA);
                break;
            }
            extra[nextra++] = key;
        }
    }
    for (size_t c = 0; rc == 0 && c < NFIXED; c++)
        csv_field(out, fixed_cols[c], c == 0);
    for (size_t c = 0; rc == 0 && c < nextra; c++)
        csv_field(out, extra[c], 0);
    gs_buf_putc(out, '\n');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        for (size_t c = 0; c < NFIXED; c++) {
            const char *v = hfield(rows[i], fixed_cols[c]);
            if (!strcmp(fixed_cols[c], "platform") && hfield(rows[i], "platform_registered")[0])
                v = hfield(rows[i], "platform_registered");
            csv_field(out, v, c == 0);
        }
        for (size_t c = 0; c < nextra; c++) {
            json_t *v = objs[i] ? json_object_get(objs[i], extra[c]) : NULL;
            csv_field(out, json_is_string(v) ? json_string_value(v) : "", 0);
        }
        if (gs_buf_putc(out, '\n') < 0)
            rc = gs_err_set(err, GS_ETOOBIG, "the re-check's registry is larger than %u bytes",
                            GS_REGISTRY_MAX_BYTES);
    }
    for (size_t i = 0; i < n; i++)
        json_decref(objs[i]);
    free(objs);
    return rc;
}

static int mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp))
        return -1;
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return (mkdir(tmp, 0700) < 0 && errno != EEXIST) ? -1 : 0;
}

/* Write data to path through path.tmp and a rename. */
static int put_file(const char *path, const gs_buf_t *data, gs_err_t *err)
{
    char tmp[PATH_MAX + 64];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
        return gs_err_set(err, GS_EINVAL, "path too long: %.100s...", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return gs_err_set(err, GS_EIO, "cannot write %s: %s", tmp, strerror(errno));
    int bad = fwrite(data->data ? data->data : "", 1, data->len, fp) != data->len;
    bad |= fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    bad |= fclose(fp) != 0;
    if (bad || rename(tmp, path) < 0) {
        int rc = gs_err_set(err, GS_EIO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return 0;
}

/* ---- the sweep id and the hook ------------------------------------------------------ */

/* PREV-recheck, then PREV-recheck-2 ...: the first that is free or still running (that one
 * is resumed: the registry is the same, rebuilt from the same previous sweep). */
static int choose_id(gs_redis_t *r, const char *prev, char *out, size_t outlen, gs_err_t *err)
{
    for (int k = 1; k < 1000; k++) {
        int l = k == 1 ? snprintf(out, outlen, "%s-recheck", prev)
                       : snprintf(out, outlen, "%s-recheck-%d", prev, k);
        if (l < 0 || (size_t)l >= outlen || !gs_id_valid(out))
            return gs_err_set(err, GS_EINVAL,
                              "the re-check's sweep id for %s would be too long; give --sweep",
                              prev);
        redisReply *rep = gs_redis_command(r, err, "HGET gs:sweep:%s:meta status", out);
        if (!rep)
            return GS_EREDIS;
        int taken = rep->type == REDIS_REPLY_STRING && !strcmp(rep->str, "complete");
        freeReplyObject(rep);
        if (!taken)
            return 0;
    }
    return gs_err_set(err, GS_EEXIST, "no free re-check id for %s", prev);
}

static int on_planned(void *ud, gs_redis_t *r, const char *sweep, gs_err_t *err)
{
    const char *prev = ud;
    redisReply *rep = gs_redis_command(r, err, "HSET gs:sweep:%s:meta previous %s", sweep, prev);
    if (!rep)
        return GS_EREDIS;
    freeReplyObject(rep);
    return 0;
}

int gs_cli_recheck(gs_config_t *cfg, const char *previous, gs_err_t *err)
{
    if (!previous || !gs_id_valid(previous))
        return gs_err_set(err, GS_EINVAL, "--previous '%s' is not a sweep id",
                          previous ? previous : "");
    gs_redis_t *r = gs_redis_new(cfg->redis, err);
    if (!r)
        return GS_EREDIS;
    gs_report_t *prev = NULL;
    redisReply **rows = NULL;
    const char **ids = NULL;
    size_t n = 0;
    gs_buf_t csv;
    gs_buf_init(&csv, GS_REGISTRY_MAX_BYTES);
    int rc = 0;

    /* the previous sweep: finished, so that its list of 不合格 targets is final */
    redisReply *rep = gs_redis_command(r, err, "HGET gs:sweep:%s:meta status", previous);
    if (!rep) {
        rc = GS_EREDIS;
        goto out;
    }
    int have = rep->type == REDIS_REPLY_STRING, done = have && !strcmp(rep->str, "complete");
    freeReplyObject(rep);
    if (!have) {
        rc = gs_err_set(err, GS_ENOTFOUND, "no sweep %s in Redis", previous);
        goto out;
    }
    if (!done) {
        rc = gs_err_set(err, GS_EINVAL,
                        "sweep %s is not complete: finish it (govsweep run ... --sweep %s) "
                        "before re-checking it",
                        previous, previous);
        goto out;
    }
    if ((rc = gs_report_load(gs_redis_ctx(r), previous, &prev, err)) < 0)
        goto out;
    size_t nrows = gs_report_nrows(prev);
    ids = malloc((nrows ? nrows : 1) * sizeof(*ids));
    if (!ids) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nrows; i++)
        if (gs_report_row(prev, i)->status == GS_REPORT_FAIL)
            ids[n++] = gs_report_row(prev, i)->id;
    if (n == 0) {
        fprintf(stderr, "govsweep: sweep %s found no target 不合格: nothing to re-check\n",
                previous);
        goto out;
    }
    rows = calloc(n, sizeof(*rows));
    if (!rows) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = read_rows(r, previous, ids, n, rows, err)) < 0 ||
        (rc = build_csv(rows, n, &csv, err)) < 0)
        goto out;

    /* the re-check's id and registry file */
    char sweep[GS_ID_MAX];
    if (cfg->sweep[0])
        snprintf(sweep, sizeof(sweep), "%s", cfg->sweep);
    else if ((rc = choose_id(r, previous, sweep, sizeof(sweep), err)) < 0)
        goto out;
    char state[PATH_MAX], path[PATH_MAX + GS_ID_MAX + 8];
    if (mkdir_p(cfg->state_dir) < 0 || !realpath(cfg->state_dir, state)) {
        rc = gs_err_set(err, GS_EIO, "state directory %s: %s", cfg->state_dir, strerror(errno));
        goto out;
    }
    snprintf(path, sizeof(path), "%s/%s.csv", state, sweep);
    if ((rc = put_file(path, &csv, err)) < 0 ||
        (rc = gs_config_set(cfg, "registry", path, err)) < 0 ||
        (rc = gs_config_set(cfg, "sweep", sweep, err)) < 0)
        goto out;
    fprintf(stderr, "govsweep: re-checking the %zu targets 不合格 in %s as sweep %s (%s)\n", n,
            previous, sweep, path);
    gs_report_destroy(&prev);
    gs_redis_destroy(&r);

    gs_cli_run_hooks_t hooks = {on_planned, (void *)previous};
    rc = gs_cli_run_with(cfg, &hooks, err);
out:
    for (size_t i = 0; rows && i < n; i++)
        if (rows[i])
            freeReplyObject(rows[i]);
    free(rows);
    free(ids);
    gs_buf_cleanup(&csv);
    gs_report_destroy(&prev);
    gs_redis_destroy(&r);
    return rc;
}

int gs_cli_recheck_report(gs_redis_t *r, const gs_report_t *cur, const char *out, int print,
                          int *done, gs_err_t *err)
{
    *done = 0;
    redisReply *rep =
        gs_redis_command(r, err, "HGET gs:sweep:%s:meta previous", gs_report_sweep(cur));
    if (!rep)
        return GS_EREDIS;
    char prev_id[GS_ID_MAX] = "";
    if (rep->type == REDIS_REPLY_STRING)
        snprintf(prev_id, sizeof(prev_id), "%s", rep->str);
    freeReplyObject(rep);
    if (!prev_id[0])
        return 0;
    gs_report_t *prev = NULL;
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_report_load(gs_redis_ctx(r), prev_id, &prev, &e);
    if (rc == GS_ENOTFOUND) {
        /* the previous sweep was removed: the sweep's own report is all there is */
        fprintf(stderr, "govsweep: %s re-checks %s, which is no longer in Redis: no recheck.md\n",
                gs_report_sweep(cur), prev_id);
        return 0;
    }
    if (rc < 0)
        return gs_err_set(err, rc, "%s", e.msg);
    rc = gs_report_recheck_write_dir(prev, cur, out, err);
    if (rc == 0 && print)
        rc = gs_report_recheck_print(prev, cur, stdout);
    gs_report_destroy(&prev);
    *done = rc == 0;
    return rc;
}
