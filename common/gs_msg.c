/* gs_msg.c -- msgpack encoding and validating decoding of govsweep's messages.
 *
 * Encoding goes through msgpack-c's packer writing into a gs_buf_t (so the ceiling of the
 * buffer bounds the message). Decoding first walks the raw bytes with msg_prescan, then
 * lets msgpack-c unpack into a zone. The pre-scan exists because msgpack-c allocates an
 * array or map's element slots as soon as it reads the header, before the elements: a
 * frame of five bytes announcing 2^28 elements would cost gigabytes. The walk checks that
 * each announced count fits in the bytes left (every element takes at least one byte)
 * and bounds the nesting, which msgpack-c's C API has no option for. */
#include "gs_msg.h"
#include "gs_registry.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    return strdup(s ? s : "");
}

void gs_task_init(gs_task_t *t)
{
    memset(t, 0, sizeof(*t));
    gs_findings_init(&t->pre);
}

void gs_task_cleanup(gs_task_t *t)
{
    free(t->url);
    free(t->name);
    free(t->region);
    free(t->owner);
    free(t->platform);
    free(t->menu_url);
    gs_findings_cleanup(&t->pre);
    gs_task_init(t);
}

int gs_task_copy(gs_task_t *dst, const gs_task_t *src)
{
    *dst = *src;
    gs_findings_init(&dst->pre);
    for (size_t i = 0; i < src->pre.len; i++) {
        const gs_finding_t *f = &src->pre.items[i];
        if (gs_findings_add(&dst->pre, f->code, f->veto, f->url, f->evidence, f->detail) < 0) {
            gs_findings_cleanup(&dst->pre);
            dst->url = dst->name = dst->region = dst->owner = dst->platform = dst->menu_url = NULL;
            return GS_ENOMEM;
        }
    }
    dst->url = xstrdup(src->url);
    dst->name = xstrdup(src->name);
    dst->region = xstrdup(src->region);
    dst->owner = xstrdup(src->owner);
    dst->platform = xstrdup(src->platform);
    dst->menu_url = xstrdup(src->menu_url);
    if (!dst->url || !dst->name || !dst->region || !dst->owner || !dst->platform ||
        !dst->menu_url) {
        gs_task_cleanup(dst);
        return GS_ENOMEM;
    }
    return 0;
}

void gs_ledger_add(gs_ledger_t *l, const char *key, uint32_t v)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->e[i].key, key) == 0) {
            l->e[i].value += v;
            return;
        }
    if (l->n >= GS_LEDGER_MAX - 1 || strlen(key) >= GS_LEDGER_KEY_MAX) {
        /* the last slot is "other": counts are never lost, only their name */
        if (l->n < GS_LEDGER_MAX && strcmp(key, "other") != 0)
            gs_ledger_add(l, "other", v);
        else if (l->n < GS_LEDGER_MAX) {
            snprintf(l->e[l->n].key, GS_LEDGER_KEY_MAX, "other");
            l->e[l->n++].value = v;
        }
        return;
    }
    snprintf(l->e[l->n].key, GS_LEDGER_KEY_MAX, "%s", key);
    l->e[l->n++].value = v;
}

uint32_t gs_ledger_get(const gs_ledger_t *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->e[i].key, key) == 0)
            return l->e[i].value;
    return 0;
}

uint32_t gs_ledger_sum(const gs_ledger_t *l, const char *prefix)
{
    uint32_t s = 0;
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->e[i].key, prefix, pl) == 0)
            s += l->e[i].value;
    return s;
}

void gs_result_init(gs_result_t *r)
{
    memset(r, 0, sizeof(*r));
    gs_findings_init(&r->findings);
}

void gs_result_cleanup(gs_result_t *r)
{
    free(r->region);
    free(r->reason);
    gs_findings_cleanup(&r->findings);
    gs_result_init(r);
}

void gs_msg_init(gs_msg_t *m)
{
    memset(m, 0, sizeof(*m));
    gs_task_init(&m->task);
    gs_result_init(&m->result);
}

void gs_msg_cleanup(gs_msg_t *m)
{
    free(m->tasks);
    gs_task_cleanup(&m->task);
    gs_result_cleanup(&m->result);
    gs_msg_init(m);
}

static const char *const type_names[] = {"",     "hello", "hb",     "done",
                                         "task", "reset", "result", "ack"};

const char *gs_msg_type_name(gs_msg_type_t t)
{
    return (t > GS_MSG_NONE && t <= GS_MSG_ACK) ? type_names[t] : "?";
}

const char *gs_outcome_name(gs_outcome_t o)
{
    switch (o) {
    case GS_OUTCOME_STORED:
        return "stored";
    case GS_OUTCOME_DUP:
        return "dup";
    case GS_OUTCOME_STALE:
        return "stale";
    }
    return "?";
}

/* ---- encoding ---------------------------------------------------------------------- */

/* msgpack-c write callback: append to the gs_buf_t; a full buffer fails the packer. */
static int buf_write(void *data, const char *p, size_t n)
{
    return gs_buf_append((gs_buf_t *)data, p, n) == 0 ? 0 : -1;
}

typedef struct enc {
    msgpack_packer pk;
    int rc; /* first failure, sticky */
} enc_t;

static void enc_init(enc_t *e, gs_buf_t *out)
{
    msgpack_packer_init(&e->pk, out, buf_write);
    e->rc = 0;
}

static void enc_check(enc_t *e, int r)
{
    if (r != 0 && e->rc == 0)
        e->rc = GS_ETOOBIG;
}

static void enc_str(enc_t *e, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    enc_check(e, msgpack_pack_str(&e->pk, n));
    enc_check(e, msgpack_pack_str_body(&e->pk, s ? s : "", n));
}

static void enc_kv_str(enc_t *e, const char *k, const char *v)
{
    enc_str(e, k);
    enc_str(e, v);
}

static void enc_kv_uint(enc_t *e, const char *k, uint64_t v)
{
    enc_str(e, k);
    enc_check(e, msgpack_pack_uint64(&e->pk, v));
}

static void enc_kv_int(enc_t *e, const char *k, int64_t v)
{
    enc_str(e, k);
    enc_check(e, msgpack_pack_int64(&e->pk, v));
}

static void enc_kv_bool(enc_t *e, const char *k, bool v)
{
    enc_str(e, k);
    enc_check(e, v ? msgpack_pack_true(&e->pk) : msgpack_pack_false(&e->pk));
}

/* Every message opens with the map header and "v", "t". nfields counts the others. */
static void enc_head(enc_t *e, gs_msg_type_t t, size_t nfields)
{
    enc_check(e, msgpack_pack_map(&e->pk, nfields + 2));
    enc_kv_uint(e, "v", GS_MSG_VERSION);
    enc_kv_str(e, "t", type_names[t]);
}

static void enc_tasks(enc_t *e, const gs_taskref_t *tasks, size_t n)
{
    enc_str(e, "tasks");
    enc_check(e, msgpack_pack_array(&e->pk, n));
    for (size_t i = 0; i < n; i++) {
        enc_check(e, msgpack_pack_array(&e->pk, 2));
        enc_str(e, tasks[i].target);
        enc_check(e, msgpack_pack_uint32(&e->pk, tasks[i].epoch));
    }
}

int gs_msg_encode_hello(gs_buf_t *out, const char *worker, uint32_t capacity,
                        const gs_taskref_t *tasks, size_t ntasks)
{
    if (ntasks > GS_MSG_MAX_TASKS)
        return GS_ETOOBIG;
    enc_t e;
    enc_init(&e, out);
    enc_head(&e, GS_MSG_HELLO, 3);
    enc_kv_str(&e, "worker", worker);
    enc_kv_uint(&e, "capacity", capacity);
    enc_tasks(&e, tasks, ntasks);
    return e.rc;
}

int gs_msg_encode_hb(gs_buf_t *out, const gs_taskref_t *tasks, size_t ntasks)
{
    if (ntasks > GS_MSG_MAX_TASKS)
        return GS_ETOOBIG;
    enc_t e;
    enc_init(&e, out);
    enc_head(&e, GS_MSG_HB, 1);
    enc_tasks(&e, tasks, ntasks);
    return e.rc;
}

static int encode_outcome(gs_buf_t *out, gs_msg_type_t t, const char *sweep, const char *target,
                          uint32_t epoch, gs_outcome_t outcome)
{
    enc_t e;
    enc_init(&e, out);
    enc_head(&e, t, 4);
    enc_kv_str(&e, "sweep", sweep);
    enc_kv_str(&e, "target", target);
    enc_kv_uint(&e, "epoch", epoch);
    enc_kv_str(&e, "outcome", gs_outcome_name(outcome));
    return e.rc;
}

int gs_msg_encode_done(gs_buf_t *out, const char *sweep, const char *target, uint32_t epoch,
                       gs_outcome_t outcome)
{
    return encode_outcome(out, GS_MSG_DONE, sweep, target, epoch, outcome);
}

int gs_msg_encode_ack(gs_buf_t *out, const char *sweep, const char *target, uint32_t epoch,
                      gs_outcome_t outcome)
{
    return encode_outcome(out, GS_MSG_ACK, sweep, target, epoch, outcome);
}

int gs_msg_encode_reset(gs_buf_t *out)
{
    enc_t e;
    enc_init(&e, out);
    enc_head(&e, GS_MSG_RESET, 0);
    return e.rc;
}

/* An array of findings, as results and tasks carry them. */
static void enc_findings(enc_t *e, const gs_findings_t *fs)
{
    enc_check(e, msgpack_pack_array(&e->pk, fs->len));
    for (size_t i = 0; i < fs->len; i++) {
        const gs_finding_t *f = &fs->items[i];
        enc_check(e, msgpack_pack_map(&e->pk, 5));
        enc_kv_str(e, "code", f->code);
        enc_kv_bool(e, "veto", f->veto);
        enc_kv_str(e, "url", f->url);
        enc_kv_str(e, "evidence", f->evidence);
        enc_kv_str(e, "detail", f->detail);
    }
}

int gs_msg_encode_task(gs_buf_t *out, const gs_task_t *t)
{
    enc_t e;
    enc_init(&e, out);
    enc_head(&e, GS_MSG_TASK,
             14 + (t->pre.len ? 1 : 0) + (t->has_watch ? 1 : 0) + (t->judge.set ? 1 : 0));
    enc_kv_str(&e, "sweep", t->sweep);
    enc_kv_str(&e, "target", t->target);
    enc_kv_uint(&e, "epoch", t->epoch);
    enc_kv_uint(&e, "attempt", t->attempt);
    enc_kv_str(&e, "kind", gs_kind_name((gs_kind_t)t->kind));
    enc_kv_str(&e, "url", t->url);
    enc_kv_str(&e, "name", t->name);
    enc_kv_str(&e, "region", t->region);
    enc_kv_str(&e, "owner", t->owner);
    enc_kv_str(&e, "platform", t->platform);
    enc_kv_str(&e, "menu_url", t->menu_url);
    enc_kv_int(&e, "ref", t->ref_unix);
    enc_kv_uint(&e, "max_pages", t->max_pages);
    enc_kv_uint(&e, "lease_ms", t->lease_ms);
    if (t->pre.len) {
        enc_str(&e, "pre");
        enc_findings(&e, &t->pre);
    }
    if (t->has_watch) {
        const gs_watch_verdict_t *w = &t->watch;
        enc_str(&e, "watch");
        enc_check(&e, msgpack_pack_map(&e.pk, 9));
        enc_kv_str(&e, "id", w->watch);
        enc_kv_int(&e, "start", w->start);
        enc_kv_int(&e, "end", w->end);
        enc_kv_bool(&e, "complete", w->complete);
        enc_kv_uint(&e, "probes", w->probes);
        enc_kv_uint(&e, "failed", w->failed);
        enc_kv_uint(&e, "rate_bp", w->rate_bp);
        enc_kv_bool(&e, "decided", w->decided);
        enc_kv_bool(&e, "veto", w->veto);
    }
    if (t->judge.set) {
        const gs_judge_t *j = &t->judge;
        uint32_t n = 0;
#define COUNT_U_(name, max) n++;
#define COUNT_B_(name) n++;
        GS_JUDGE_UINTS(COUNT_U_)
        GS_JUDGE_BOOLS(COUNT_B_)
        enc_str(&e, "judge");
        enc_check(&e, msgpack_pack_map(&e.pk, n));
#define ENC_U_(name, max) enc_kv_uint(&e, #name, j->name);
#define ENC_B_(name) enc_kv_bool(&e, #name, j->name);
        GS_JUDGE_UINTS(ENC_U_)
        GS_JUDGE_BOOLS(ENC_B_)
#undef COUNT_U_
#undef COUNT_B_
#undef ENC_U_
#undef ENC_B_
    }
    return e.rc;
}

int gs_msg_encode_result(gs_buf_t *out, const gs_result_t *r)
{
    enc_t e;
    enc_init(&e, out);
    enc_head(&e, GS_MSG_RESULT, 13);
    enc_kv_str(&e, "sweep", r->sweep);
    enc_kv_str(&e, "target", r->target);
    enc_kv_uint(&e, "epoch", r->epoch);
    enc_kv_str(&e, "worker", r->worker);
    enc_kv_str(&e, "kind", gs_kind_name((gs_kind_t)r->kind));
    enc_kv_str(&e, "region", r->region);
    enc_kv_bool(&e, "checked", r->checked);
    enc_kv_str(&e, "reason", r->reason);
    enc_kv_uint(&e, "pages", r->pages);
    enc_kv_uint(&e, "bytes", r->bytes);
    enc_kv_str(&e, "newest", r->newest);
    enc_str(&e, "ledger");
    enc_check(&e, msgpack_pack_map(&e.pk, r->ledger.n));
    for (size_t i = 0; i < r->ledger.n; i++)
        enc_kv_uint(&e, r->ledger.e[i].key, r->ledger.e[i].value);
    enc_str(&e, "findings");
    enc_findings(&e, &r->findings);
    return e.rc;
}

/* ---- the pre-scan ------------------------------------------------------------------ */

/* Big-endian reads of 1, 2 or 4 bytes. */
static uint32_t be(const unsigned char *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Walk one msgpack object at *pos; fail when it does not fit in len, nests deeper than
 * GS_MSG_MAX_DEPTH, or announces more elements than bytes remain. Iterative over a small
 * stack of "elements still to read" per level, so hostile input cannot recurse deeply. */
static int msg_prescan(const unsigned char *p, size_t len, gs_err_t *err)
{
    uint64_t left[GS_MSG_MAX_DEPTH + 1];
    int depth = 0;
    size_t pos = 0;
    left[0] = 1;
    while (depth >= 0) {
        if (left[depth] == 0) {
            depth--;
            continue;
        }
        left[depth]--;
        if (pos >= len)
            return gs_err_set(err, GS_EPARSE, "truncated message at byte %zu", pos);
        unsigned char c = p[pos++];
        uint64_t skip = 0, elems = 0;
        int container = 0;
        if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
            /* fixint, nil, bool */
        } else if ((c & 0xe0) == 0xa0) {
            skip = c & 0x1f;
        } else if ((c & 0xf0) == 0x90) {
            elems = c & 0x0f;
            container = 1;
        } else if ((c & 0xf0) == 0x80) {
            elems = 2u * (c & 0x0f);
            container = 1;
        } else {
            int hn = 0; /* bytes of length header */
            switch (c) {
            case 0xcc:
            case 0xd0:
                skip = 1;
                break;
            case 0xcd:
            case 0xd1:
                skip = 2;
                break;
            case 0xca:
            case 0xce:
            case 0xd2:
                skip = 4;
                break;
            case 0xcb:
            case 0xcf:
            case 0xd3:
                skip = 8;
                break;
            case 0xd4:
                skip = 2;
                break;
            case 0xd5:
                skip = 3;
                break;
            case 0xd6:
                skip = 5;
                break;
            case 0xd7:
                skip = 9;
                break;
            case 0xd8:
                skip = 17;
                break;
            case 0xc4:
            case 0xd9:
                hn = 1;
                break;
            case 0xc5:
            case 0xda:
                hn = 2;
                break;
            case 0xc6:
            case 0xdb:
                hn = 4;
                break;
            case 0xc7:
                hn = 1;
                skip = 1;
                break; /* ext 8: length, then type byte */
            case 0xc8:
                hn = 2;
                skip = 1;
                break;
            case 0xc9:
                hn = 4;
                skip = 1;
                break;
            case 0xdc:
                hn = 2;
                container = 1;
                break;
            case 0xdd:
                hn = 4;
                container = 1;
                break;
            case 0xde:
                hn = 2;
                container = 2;
                break;
            case 0xdf:
                hn = 4;
                container = 2;
                break;
            default:
                return gs_err_set(err, GS_EPARSE, "invalid msgpack byte 0x%02x", c);
            }
            if (hn) {
                if (len - pos < (size_t)hn)
                    return gs_err_set(err, GS_EPARSE, "truncated length at byte %zu", pos);
                uint64_t n = be(p + pos, hn);
                pos += (size_t)hn;
                if (container)
                    elems = container == 2 ? 2 * n : n;
                else
                    skip += n;
            }
        }
        if (skip > len - pos)
            return gs_err_set(err, GS_EPARSE, "value of %llu bytes overruns the message",
                              (unsigned long long)skip);
        pos += (size_t)skip;
        if (container || elems) {
            if (elems > len - pos)
                return gs_err_set(err, GS_EPARSE,
                                  "container announces %llu elements, %zu bytes remain",
                                  (unsigned long long)elems, len - pos);
            if (elems) {
                if (depth + 1 > GS_MSG_MAX_DEPTH)
                    return gs_err_set(err, GS_EPARSE, "nesting deeper than %d", GS_MSG_MAX_DEPTH);
                left[++depth] = elems;
            }
        }
    }
    if (pos != len)
        return gs_err_set(err, GS_EPARSE, "%zu trailing bytes after the message", len - pos);
    return 0;
}

/* ---- decoding ---------------------------------------------------------------------- */

/* Field access on an unpacked map. */
static const msgpack_object *map_get(const msgpack_object *map, const char *key)
{
    size_t klen = strlen(key);
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
            memcmp(k->via.str.ptr, key, klen) == 0)
            return &map->via.map.ptr[i].val;
    }
    return NULL;
}

/* A string field into a fixed buffer: required, no NUL inside, at most cap-1 bytes. */
static int get_fixed(const msgpack_object *map, const char *key, char *dst, size_t cap,
                     gs_err_t *err)
{
    const msgpack_object *o = map_get(map, key);
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return gs_err_set(err, GS_EPARSE, "field '%s' missing or not a string", key);
    if (o->via.str.size >= cap || memchr(o->via.str.ptr, 0, o->via.str.size))
        return gs_err_set(err, GS_EPARSE, "field '%s' too long or holds NUL", key);
    memcpy(dst, o->via.str.ptr, o->via.str.size);
    dst[o->via.str.size] = '\0';
    return 0;
}

/* A string field into a new heap string. */
static int get_str(const msgpack_object *map, const char *key, char **dst, gs_err_t *err)
{
    const msgpack_object *o = map_get(map, key);
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return gs_err_set(err, GS_EPARSE, "field '%s' missing or not a string", key);
    if (o->via.str.size > GS_MSG_MAX_STR || memchr(o->via.str.ptr, 0, o->via.str.size))
        return gs_err_set(err, GS_EPARSE, "field '%s' too long or holds NUL", key);
    char *s = malloc(o->via.str.size + 1);
    if (!s)
        return gs_err_set(err, GS_ENOMEM, "out of memory decoding '%s'", key);
    memcpy(s, o->via.str.ptr, o->via.str.size);
    s[o->via.str.size] = '\0';
    free(*dst);
    *dst = s;
    return 0;
}

static int get_uint(const msgpack_object *map, const char *key, uint64_t max, uint64_t *v,
                    gs_err_t *err)
{
    const msgpack_object *o = map_get(map, key);
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > max)
        return gs_err_set(err, GS_EPARSE,
                          "field '%s' missing, not an unsigned integer or too "
                          "large",
                          key);
    *v = o->via.u64;
    return 0;
}

static int get_u32(const msgpack_object *map, const char *key, uint32_t *v, gs_err_t *err)
{
    uint64_t x = 0;
    int rc = get_uint(map, key, UINT32_MAX, &x, err);
    if (rc == 0)
        *v = (uint32_t)x;
    return rc;
}

static int get_int(const msgpack_object *map, const char *key, int64_t *v, gs_err_t *err)
{
    const msgpack_object *o = map_get(map, key);
    if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *v = o->via.i64;
        return 0;
    }
    if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX) {
        *v = (int64_t)o->via.u64;
        return 0;
    }
    return gs_err_set(err, GS_EPARSE, "field '%s' missing or not an integer", key);
}

static int get_bool(const msgpack_object *map, const char *key, bool *v, gs_err_t *err)
{
    const msgpack_object *o = map_get(map, key);
    if (!o || o->type != MSGPACK_OBJECT_BOOLEAN)
        return gs_err_set(err, GS_EPARSE, "field '%s' missing or not a boolean", key);
    *v = o->via.boolean;
    return 0;
}

static int get_kind(const msgpack_object *map, int *kind, gs_err_t *err)
{
    char k[16];
    int rc = get_fixed(map, "kind", k, sizeof(k), err);
    if (rc < 0)
        return rc;
    if (strcmp(k, "site") == 0)
        *kind = GS_KIND_SITE;
    else if (strcmp(k, "account") == 0)
        *kind = GS_KIND_ACCOUNT;
    else
        return gs_err_set(err, GS_EPARSE, "field 'kind' is '%s', not site or account", k);
    return 0;
}

static int get_outcome(const msgpack_object *map, gs_outcome_t *out, gs_err_t *err)
{
    char s[16];
    int rc = get_fixed(map, "outcome", s, sizeof(s), err);
    if (rc < 0)
        return rc;
    for (int o = GS_OUTCOME_STORED; o <= GS_OUTCOME_STALE; o++)
        if (strcmp(s, gs_outcome_name((gs_outcome_t)o)) == 0) {
            *out = (gs_outcome_t)o;
            return 0;
        }
    return gs_err_set(err, GS_EPARSE, "unknown outcome '%s'", s);
}

static int get_tasks(const msgpack_object *map, gs_msg_t *m, gs_err_t *err)
{
    const msgpack_object *o = map_get(map, "tasks");
    if (!o || o->type != MSGPACK_OBJECT_ARRAY)
        return gs_err_set(err, GS_EPARSE, "field 'tasks' missing or not an array");
    if (o->via.array.size > GS_MSG_MAX_TASKS)
        return gs_err_set(err, GS_EPARSE, "%u tasks, more than %d", o->via.array.size,
                          GS_MSG_MAX_TASKS);
    if (o->via.array.size == 0)
        return 0;
    m->tasks = calloc(o->via.array.size, sizeof(*m->tasks));
    if (!m->tasks)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *t = &o->via.array.ptr[i];
        if (t->type != MSGPACK_OBJECT_ARRAY || t->via.array.size != 2 ||
            t->via.array.ptr[0].type != MSGPACK_OBJECT_STR ||
            t->via.array.ptr[0].via.str.size >= GS_ID_MAX ||
            t->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            t->via.array.ptr[1].via.u64 > UINT32_MAX)
            return gs_err_set(err, GS_EPARSE, "tasks[%u] is not [target, epoch]", i);
        memcpy(m->tasks[i].target, t->via.array.ptr[0].via.str.ptr,
               t->via.array.ptr[0].via.str.size);
        m->tasks[i].target[t->via.array.ptr[0].via.str.size] = '\0';
        m->tasks[i].epoch = (uint32_t)t->via.array.ptr[1].via.u64;
        m->ntasks++;
    }
    return 0;
}

/* An array of findings (validated like every field) into out. */
static int decode_findings(const msgpack_object *fs, const char *field, gs_findings_t *out,
                           gs_err_t *err)
{
    if (fs->via.array.size > GS_FINDINGS_MAX)
        return gs_err_set(err, GS_EPARSE, "%u %s, more than %d", fs->via.array.size, field,
                          GS_FINDINGS_MAX);
    for (uint32_t i = 0; i < fs->via.array.size; i++) {
        const msgpack_object *f = &fs->via.array.ptr[i];
        char code[GS_CODE_MAX];
        bool veto = false;
        char *url = NULL, *evidence = NULL, *detail = NULL;
        if (f->type != MSGPACK_OBJECT_MAP)
            return gs_err_set(err, GS_EPARSE, "%s[%u] is not a map", field, i);
        int rc = get_fixed(f, "code", code, sizeof(code), err);
        if (rc == 0)
            rc = get_bool(f, "veto", &veto, err);
        if (rc == 0)
            rc = get_str(f, "url", &url, err);
        if (rc == 0)
            rc = get_str(f, "evidence", &evidence, err);
        if (rc == 0)
            rc = get_str(f, "detail", &detail, err);
        if (rc == 0 && gs_findings_add(out, code, veto, url, evidence, detail) < 0)
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        free(url);
        free(evidence);
        free(detail);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int decode_task(const msgpack_object *map, gs_task_t *t, gs_err_t *err)
{
    uint64_t mp = 0;
    int rc;
    if ((rc = get_fixed(map, "sweep", t->sweep, sizeof(t->sweep), err)) < 0 ||
        (rc = get_fixed(map, "target", t->target, sizeof(t->target), err)) < 0 ||
        (rc = get_u32(map, "epoch", &t->epoch, err)) < 0 ||
        (rc = get_u32(map, "attempt", &t->attempt, err)) < 0 ||
        (rc = get_kind(map, &t->kind, err)) < 0 || (rc = get_str(map, "url", &t->url, err)) < 0 ||
        (rc = get_str(map, "name", &t->name, err)) < 0 ||
        (rc = get_str(map, "region", &t->region, err)) < 0 ||
        (rc = get_str(map, "owner", &t->owner, err)) < 0 ||
        (rc = get_str(map, "platform", &t->platform, err)) < 0 ||
        (rc = get_str(map, "menu_url", &t->menu_url, err)) < 0 ||
        (rc = get_int(map, "ref", &t->ref_unix, err)) < 0 ||
        (rc = get_uint(map, "max_pages", 100000, &mp, err)) < 0 ||
        (rc = get_u32(map, "lease_ms", &t->lease_ms, err)) < 0)
        return rc;
    t->max_pages = (uint32_t)mp;
    /* optional: registry-level findings the result must carry */
    const msgpack_object *pre = map_get(map, "pre");
    if (pre && pre->type != MSGPACK_OBJECT_ARRAY)
        return gs_err_set(err, GS_EPARSE, "field 'pre' is not an array");
    if (pre && (rc = decode_findings(pre, "pre", &t->pre, err)) < 0)
        return rc;
    /* optional (older dispatchers send none): the sweep's thresholds and crawl scope */
    const msgpack_object *jm = map_get(map, "judge");
    if (jm && jm->type != MSGPACK_OBJECT_MAP)
        return gs_err_set(err, GS_EPARSE, "field 'judge' is not a map");
    if (jm) {
        gs_judge_t *j = &t->judge;
        uint64_t u = 0;
#define DEC_U_(name, max)                                                                          \
    if ((rc = get_uint(jm, #name, (max), &u, err)) < 0)                                            \
        return rc;                                                                                 \
    j->name = (uint32_t)u;
#define DEC_B_(name)                                                                               \
    if ((rc = get_bool(jm, #name, &j->name, err)) < 0)                                             \
        return rc;
        GS_JUDGE_UINTS(DEC_U_)
        GS_JUDGE_BOOLS(DEC_B_)
#undef DEC_U_
#undef DEC_B_
        if (j->max_pages != t->max_pages)
            return gs_err_set(err, GS_EPARSE, "judge: max_pages %u, the task's is %u", j->max_pages,
                              t->max_pages);
        j->set = true;
    }
    /* optional: the availability watch's verdict of the site */
    const msgpack_object *w = map_get(map, "watch");
    if (!w)
        return 0;
    if (w->type != MSGPACK_OBJECT_MAP)
        return gs_err_set(err, GS_EPARSE, "field 'watch' is not a map");
    gs_watch_verdict_t *v = &t->watch;
    uint64_t rate = 0;
    if ((rc = get_fixed(w, "id", v->watch, sizeof(v->watch), err)) < 0 ||
        (rc = get_int(w, "start", &v->start, err)) < 0 ||
        (rc = get_int(w, "end", &v->end, err)) < 0 ||
        (rc = get_bool(w, "complete", &v->complete, err)) < 0 ||
        (rc = get_uint(w, "probes", UINT32_MAX, &v->probes, err)) < 0 ||
        (rc = get_uint(w, "failed", UINT32_MAX, &v->failed, err)) < 0 ||
        (rc = get_uint(w, "rate_bp", 10000, &rate, err)) < 0 ||
        (rc = get_bool(w, "decided", &v->decided, err)) < 0 ||
        (rc = get_bool(w, "veto", &v->veto, err)) < 0)
        return rc;
    if (v->failed > v->probes)
        return gs_err_set(err, GS_EPARSE, "watch: more failed probes than probes");
    v->rate_bp = (uint32_t)rate;
    snprintf(v->rate, sizeof(v->rate), "%u.%02u%%", v->rate_bp / 100, v->rate_bp % 100);
    t->has_watch = true;
    return 0;
}

static int decode_result(const msgpack_object *map, gs_result_t *r, gs_err_t *err)
{
    int rc;
    uint64_t pages = 0;
    char newest[16];
    if ((rc = get_fixed(map, "sweep", r->sweep, sizeof(r->sweep), err)) < 0 ||
        (rc = get_fixed(map, "target", r->target, sizeof(r->target), err)) < 0 ||
        (rc = get_u32(map, "epoch", &r->epoch, err)) < 0 ||
        (rc = get_fixed(map, "worker", r->worker, sizeof(r->worker), err)) < 0 ||
        (rc = get_kind(map, &r->kind, err)) < 0 ||
        (rc = get_str(map, "region", &r->region, err)) < 0 ||
        (rc = get_bool(map, "checked", &r->checked, err)) < 0 ||
        (rc = get_str(map, "reason", &r->reason, err)) < 0 ||
        (rc = get_uint(map, "pages", 1000000, &pages, err)) < 0 ||
        (rc = get_uint(map, "bytes", UINT64_MAX, &r->bytes, err)) < 0 ||
        (rc = get_fixed(map, "newest", newest, sizeof(newest), err)) < 0)
        return rc;
    r->pages = (uint32_t)pages;
    if (newest[0] && strlen(newest) != 10)
        return gs_err_set(err, GS_EPARSE, "field 'newest' is not YYYY-MM-DD");
    memcpy(r->newest, newest, sizeof(r->newest) - 1);
    r->newest[sizeof(r->newest) - 1] = '\0';
    /* optional (older workers send none): the audit ledger */
    const msgpack_object *lg = map_get(map, "ledger");
    if (lg && lg->type != MSGPACK_OBJECT_MAP)
        return gs_err_set(err, GS_EPARSE, "field 'ledger' is not a map");
    for (uint32_t i = 0; lg && i < lg->via.map.size; i++) {
        const msgpack_object_kv *kv = &lg->via.map.ptr[i];
        if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size == 0 ||
            kv->key.via.str.size >= GS_LEDGER_KEY_MAX ||
            memchr(kv->key.via.str.ptr, 0, kv->key.via.str.size) ||
            kv->val.type != MSGPACK_OBJECT_POSITIVE_INTEGER || kv->val.via.u64 > UINT32_MAX)
            return gs_err_set(err, GS_EPARSE, "ledger[%u]: a short name and a count expected", i);
        if (i >= GS_LEDGER_MAX)
            return gs_err_set(err, GS_EPARSE, "ledger of more than %d counters", GS_LEDGER_MAX);
        char key[GS_LEDGER_KEY_MAX];
        memcpy(key, kv->key.via.str.ptr, kv->key.via.str.size);
        key[kv->key.via.str.size] = '\0';
        gs_ledger_add(&r->ledger, key, (uint32_t)kv->val.via.u64);
    }
    const msgpack_object *fs = map_get(map, "findings");
    if (!fs || fs->type != MSGPACK_OBJECT_ARRAY)
        return gs_err_set(err, GS_EPARSE, "field 'findings' missing or not an array");
    return decode_findings(fs, "findings", &r->findings, err);
}

int gs_msg_decode(const void *data, size_t len, gs_msg_t *m, gs_err_t *err)
{
    gs_msg_init(m);
    if (len > GS_MSG_MAX_BYTES)
        return gs_err_set(err, GS_EPARSE, "message of %zu bytes exceeds %u", len, GS_MSG_MAX_BYTES);
    int rc = msg_prescan(data, len, err);
    if (rc < 0)
        return rc;

    msgpack_zone zone;
    msgpack_object root;
    if (!msgpack_zone_init(&zone, 4096))
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    size_t off = 0;
    msgpack_unpack_return ur = msgpack_unpack(data, len, &off, &zone, &root);
    if (ur != MSGPACK_UNPACK_SUCCESS) {
        rc = gs_err_set(err, GS_EPARSE, "msgpack unpack failed (%d)", (int)ur);
        goto out;
    }
    if (root.type != MSGPACK_OBJECT_MAP) {
        rc = gs_err_set(err, GS_EPARSE, "message is not a map");
        goto out;
    }
    uint64_t v = 0;
    if ((rc = get_uint(&root, "v", UINT32_MAX, &v, err)) < 0)
        goto out;
    if (v != GS_MSG_VERSION) {
        rc = gs_err_set(err, GS_EPARSE, "protocol version %llu, expected %d", (unsigned long long)v,
                        GS_MSG_VERSION);
        goto out;
    }
    char t[16];
    if ((rc = get_fixed(&root, "t", t, sizeof(t), err)) < 0)
        goto out;
    m->type = GS_MSG_NONE;
    for (int i = GS_MSG_HELLO; i <= GS_MSG_ACK; i++)
        if (strcmp(t, type_names[i]) == 0)
            m->type = (gs_msg_type_t)i;
    switch (m->type) {
    case GS_MSG_HELLO:
        if ((rc = get_fixed(&root, "worker", m->worker, sizeof(m->worker), err)) == 0 &&
            (rc = get_u32(&root, "capacity", &m->capacity, err)) == 0)
            rc = get_tasks(&root, m, err);
        if (rc == 0 && (m->capacity == 0 || m->capacity > GS_MSG_MAX_TASKS))
            rc = gs_err_set(err, GS_EPARSE, "capacity %u out of range", m->capacity);
        break;
    case GS_MSG_HB:
        rc = get_tasks(&root, m, err);
        break;
    case GS_MSG_DONE:
    case GS_MSG_ACK:
        if ((rc = get_fixed(&root, "sweep", m->sweep, sizeof(m->sweep), err)) == 0 &&
            (rc = get_fixed(&root, "target", m->target, sizeof(m->target), err)) == 0 &&
            (rc = get_u32(&root, "epoch", &m->epoch, err)) == 0)
            rc = get_outcome(&root, &m->outcome, err);
        break;
    case GS_MSG_TASK:
        rc = decode_task(&root, &m->task, err);
        break;
    case GS_MSG_RESET:
        rc = 0;
        break;
    case GS_MSG_RESULT:
        rc = decode_result(&root, &m->result, err);
        break;
    default:
        rc = gs_err_set(err, GS_EPARSE, "unknown message type '%s'", t);
    }
out:
    msgpack_zone_destroy(&zone);
    if (rc < 0)
        gs_msg_cleanup(m);
    return rc;
}
