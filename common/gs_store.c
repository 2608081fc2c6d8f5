/* gs_store.c -- the exactly-once store script and its pipelined caller. */
#include "gs_store.h"
#include "gs_buf.h"
#include "gs_date.h"
#include "gs_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ARGV: 1 sweep, 2 target, 3 epoch, 4 status, 5 reason, 6 veto_codes, 7 nfindings,
 * 8 pages, 9 bytes, 10 newest, 11 worker, 12 stored, 13 findings JSON, 14 n, 15 ledger
 * JSON, then n groups of (code, veto, url, evidence, detail).
 * The kind and region of the counters and stream entries come from the sweep's own copy of
 * the registry row, not from the message, so a worker cannot file a result under another
 * region, and a target the sweep does not have is refused ('unknown').
 * Epoch "0" is the dispatcher's own 未检查 verdict, which no lease can outdate; any other
 * epoch must be the target's current lease (a target never leased has none: 'stale'). */
static const char store_lua[] =
    "local p = 'gs:sweep:' .. ARGV[1] .. ':'\n"
    "local t = ARGV[2]\n"
    "if redis.call('SISMEMBER', p .. 'done', t) == 1 then return 'dup' end\n"
    "local row = redis.call('HMGET', p .. 'target:' .. t, 'kind', 'region')\n"
    "local k, region = row[1], row[2]\n"
    "if not k or not region then return 'unknown' end\n"
    "if ARGV[3] ~= '0' then\n"
    "  if redis.call('HGET', p .. 'epoch', t) ~= ARGV[3] then return 'stale' end\n"
    "end\n"
    "redis.call('HSET', p .. 'result:' .. t, 'status', ARGV[4], 'reason', ARGV[5],\n"
    "  'veto_codes', ARGV[6], 'nfindings', ARGV[7], 'pages', ARGV[8], 'bytes', ARGV[9],\n"
    "  'newest', ARGV[10], 'epoch', ARGV[3], 'worker', ARGV[11], 'stored', ARGV[12],\n"
    "  'findings', ARGV[13], 'ledger', ARGV[15])\n"
    "redis.call('SADD', p .. 'done', t)\n"
    "local rk = p .. 'region:' .. region\n"
    "if ARGV[4] == '未检查' then redis.call('HINCRBY', rk, k .. '_unchecked', 1)\n"
    "else redis.call('HINCRBY', rk, k .. '_checked', 1) end\n"
    "if ARGV[4] == '不合格' then redis.call('HINCRBY', rk, k .. '_problem', 1) end\n"
    "local n = tonumber(ARGV[14])\n"
    "redis.call('HINCRBY', p .. 'stats', 'done', 1)\n"
    "redis.call('HINCRBY', p .. 'stats', 'pages', ARGV[8])\n"
    "redis.call('HINCRBY', p .. 'stats', 'bytes', ARGV[9])\n"
    "redis.call('HINCRBY', p .. 'stats', 'findings', n)\n"
    "for i = 0, n - 1 do\n"
    "  local b = 16 + i * 5\n"
    "  redis.call('XADD', 'gs:findings', '*', 'sweep', ARGV[1], 'target', t, 'kind', k,\n"
    "    'region', region, 'code', ARGV[b], 'veto', ARGV[b + 1], 'url', ARGV[b + 2],\n"
    "    'evidence', ARGV[b + 3], 'detail', ARGV[b + 4])\n"
    "  redis.call('HINCRBY', p .. 'codes', ARGV[b], 1)\n"
    "end\n"
    "return 'stored'\n";

const char *gs_result_status(const gs_result_t *res)
{
    if (!res->checked)
        return "未检查";
    return gs_findings_any_veto(&res->findings) ? "不合格" : "合格";
}

/* The findings as the JSON array stored in the result hash: the public finding shape.
 * details[i] receives the detail of finding i as it is stored (and as the stream entry
 * carries it), so that the result hash and the stream never disagree. */
static char *findings_json(const gs_result_t *res, char **details)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < res->findings.len; i++) {
        const gs_finding_t *f = &res->findings.items[i];
        json_t *o = json_object();
        json_t *detail = json_loads(f->detail, JSON_REJECT_DUPLICATES, NULL);
        if (!detail || !json_is_object(detail)) {
            /* A detail that is not an object is kept, as text, rather than lost. */
            json_decref(detail);
            detail = json_pack("{s:s}", "text", f->detail);
        }
        details[i] = json_dumps(detail, JSON_PRESERVE_ORDER | JSON_COMPACT);
        if (!details[i]) {
            json_decref(detail);
            json_decref(o);
            json_decref(arr);
            return NULL;
        }
        json_object_set_new(o, "sweep", json_string(res->sweep));
        json_object_set_new(o, "target", json_string(res->target));
        json_object_set_new(o, "kind", json_string(gs_kind_name((gs_kind_t)res->kind)));
        json_object_set_new(o, "region", json_string(res->region ? res->region : ""));
        json_object_set_new(o, "code", json_string(f->code));
        json_object_set_new(o, "veto", json_boolean(f->veto));
        json_object_set_new(o, "url", json_string(f->url));
        json_object_set_new(o, "evidence", json_string(f->evidence));
        json_object_set_new(o, "detail", detail);
        json_array_append_new(arr, o);
    }
    char *s = json_dumps(arr, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(arr);
    return s;
}

/* Distinct veto codes, sorted, comma-separated. */
static int veto_codes(const gs_result_t *res, gs_buf_t *out)
{
    const char *codes[64];
    size_t n = 0;
    for (size_t i = 0; i < res->findings.len && n < 64; i++) {
        const gs_finding_t *f = &res->findings.items[i];
        if (!f->veto)
            continue;
        size_t j = 0;
        while (j < n && strcmp(codes[j], f->code) < 0)
            j++;
        if (j < n && strcmp(codes[j], f->code) == 0)
            continue;
        memmove(&codes[j + 1], &codes[j], (n - j) * sizeof(codes[0]));
        codes[j] = f->code;
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = gs_buf_printf(out, "%s%s", i ? "," : "", codes[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The argument vector of one script call; strings it formats live in bufs. */
typedef struct call {
    const char **argv;
    size_t *argvlen;
    int argc;
    char num[6][24];
    char stored[32];
    char *fjson;
    char *ledger;   /* the ledger as a JSON object */
    char **details; /* normalized detail of each finding */
    size_t ndetails;
    gs_buf_t vetos;
} call_t;

static void call_cleanup(call_t *c)
{
    free(c->argv);
    free(c->argvlen);
    free(c->fjson);
    free(c->ledger);
    for (size_t i = 0; c->details && i < c->ndetails; i++)
        free(c->details[i]);
    free(c->details);
    gs_buf_cleanup(&c->vetos);
}

static int call_build(call_t *c, const char *sha, const gs_result_t *res)
{
    memset(c, 0, sizeof(*c));
    gs_buf_init(&c->vetos, 4096);
    size_t n = res->findings.len;
    size_t argc = 18 + 5 * n;
    c->argv = calloc(argc, sizeof(*c->argv));
    c->argvlen = calloc(argc, sizeof(*c->argvlen));
    c->ndetails = n;
    c->details = calloc(n ? n : 1, sizeof(*c->details));
    if (c->details)
        c->fjson = findings_json(res, c->details);
    json_t *lo = json_object();
    for (size_t i = 0; lo && i < res->ledger.n; i++)
        json_object_set_new(lo, res->ledger.e[i].key, json_integer(res->ledger.e[i].value));
    c->ledger = lo ? json_dumps(lo, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(lo);
    if (!c->argv || !c->argvlen || !c->fjson || !c->ledger || veto_codes(res, &c->vetos) < 0)
        return GS_ENOMEM;
    snprintf(c->num[0], sizeof(c->num[0]), "%u", res->epoch);
    snprintf(c->num[1], sizeof(c->num[1]), "%zu", n);
    snprintf(c->num[2], sizeof(c->num[2]), "%u", res->pages);
    snprintf(c->num[3], sizeof(c->num[3]), "%llu", (unsigned long long)res->bytes);
    snprintf(c->num[4], sizeof(c->num[4]), "%zu", n);
    gs_time_format_cst((int64_t)time(NULL), c->stored, sizeof(c->stored));
    const char *a[] = {"EVALSHA",
                       sha,
                       "0",
                       res->sweep,
                       res->target,
                       c->num[0],
                       gs_result_status(res),
                       res->reason ? res->reason : "",
                       gs_buf_str(&c->vetos),
                       c->num[1],
                       c->num[2],
                       c->num[3],
                       res->newest,
                       res->worker,
                       c->stored,
                       c->fjson,
                       c->num[4],
                       c->ledger};
    size_t na = sizeof(a) / sizeof(a[0]);
    for (size_t i = 0; i < na; i++)
        c->argv[i] = a[i];
    c->argc = (int)na;
    for (size_t i = 0; i < n; i++) {
        const gs_finding_t *f = &res->findings.items[i];
        c->argv[c->argc++] = f->code;
        c->argv[c->argc++] = f->veto ? "true" : "false";
        c->argv[c->argc++] = f->url;
        c->argv[c->argc++] = f->evidence;
        c->argv[c->argc++] = c->details[i];
    }
    for (int i = 0; i < c->argc; i++)
        c->argvlen[i] = strlen(c->argv[i]);
    return 0;
}

/* Load the script (idempotent on the server: the SHA is its content's hash). */
static int load_script(gs_redis_t *r, char *sha, size_t shalen, gs_err_t *err)
{
    redisReply *rep = gs_redis_command(r, err, "SCRIPT LOAD %s", store_lua);
    if (!rep)
        return GS_EREDIS;
    int ok = rep->type == REDIS_REPLY_STRING && rep->len < shalen;
    if (ok)
        snprintf(sha, shalen, "%s", rep->str);
    freeReplyObject(rep);
    return ok ? 0 : gs_err_set(err, GS_EREDIS, "SCRIPT LOAD: unexpected reply");
}

static int parse_outcome(const redisReply *rep, gs_outcome_t *o)
{
    if (!rep || (rep->type != REDIS_REPLY_STATUS && rep->type != REDIS_REPLY_STRING))
        return -1;
    if (strcmp(rep->str, "stored") == 0)
        *o = GS_OUTCOME_STORED;
    else if (strcmp(rep->str, "dup") == 0)
        *o = GS_OUTCOME_DUP;
    else if (strcmp(rep->str, "stale") == 0 || strcmp(rep->str, "unknown") == 0)
        *o = GS_OUTCOME_STALE; /* refused either way; the worker drops it */
    else
        return -1;
    return 0;
}

int gs_store_results(gs_redis_t *r, const gs_result_t *const *results, size_t n,
                     gs_outcome_t *outcomes, gs_err_t *err)
{
    char sha[64];
    int rc = load_script(r, sha, sizeof(sha), err);
    if (rc < 0)
        return rc;
    call_t *calls = calloc(n ? n : 1, sizeof(*calls));
    if (!calls)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    size_t built = 0;
    for (; built < n; built++)
        if ((rc = call_build(&calls[built], sha, results[built])) < 0) {
            gs_err_set(err, rc, "out of memory building the store call");
            built++;
            goto out;
        }
    redisContext *ctx = gs_redis_ctx(r);
    if (!ctx) {
        rc = gs_err_set(err, GS_EREDIS, "redis not connected");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (redisAppendCommandArgv(ctx, calls[i].argc, calls[i].argv, calls[i].argvlen) !=
            REDIS_OK) {
            rc = gs_err_set(err, GS_ENOMEM, "redis: cannot queue command");
            goto out;
        }
    /* Read every reply even after a failure, so the connection stays in step. */
    for (size_t i = 0; i < n; i++) {
        redisReply *rep = NULL;
        if (redisGetReply(ctx, (void **)&rep) != REDIS_OK) {
            rc = gs_err_set(err, GS_EREDIS, "redis: %s", ctx->errstr);
            gs_redis_reconnect(r, NULL);
            goto out;
        }
        if (parse_outcome(rep, &outcomes[i]) < 0 && rc == 0)
            rc = gs_err_set(err, GS_EREDIS, "store of %s: %s", results[i]->target,
                            rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
        freeReplyObject(rep);
    }
out:
    for (size_t i = 0; i < built; i++)
        call_cleanup(&calls[i]);
    free(calls);
    return rc;
}
