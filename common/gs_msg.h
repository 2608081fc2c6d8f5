/* gs_msg.h -- the messages between dispatcher, workers and collector, as msgpack.
 *
 * Every message is a msgpack map with "v" (protocol version, GS_MSG_VERSION) and "t" (the
 * type name) plus the type's fields; docs/protocol.md lists them all. Decoding validates
 * before it trusts: the size (GS_MSG_MAX_BYTES), nesting depth, that every container's
 * element count fits the bytes that remain (so a 5-byte frame cannot make the decoder
 * allocate gigabytes), the version, the type, each required field's type and length.
 * A message that fails any of these is refused with GS_EPARSE and err says why; the
 * receiver logs it, counts it and drops it.
 *
 * Ownership: gs_msg_t owns copies of every string it holds (decode fills it, the caller
 * calls gs_msg_cleanup). Encoders append to a gs_buf_t the caller owns. Thread-safe
 * (no shared state). */
#ifndef GS_MSG_H
#define GS_MSG_H

#include "gs_buf.h"
#include "gs_err.h"
#include "gs_finding.h"
#include "gs_judge.h"
#include "gs_watch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GS_MSG_VERSION 1
#define GS_MSG_MAX_BYTES (4u * 1024 * 1024) /* a result with 2,000 findings fits */
#define GS_MSG_MAX_DEPTH 6
#define GS_MSG_MAX_STR (256u * 1024) /* any one string field */
#define GS_MSG_MAX_TASKS 4096        /* task references in one hello/heartbeat */
#define GS_ID_MAX 40                 /* sweep ids, target ids, worker ids */

typedef enum {
    GS_MSG_NONE = 0,
    GS_MSG_HELLO,  /* worker -> dispatcher: I am here, I hold these tasks, my capacity */
    GS_MSG_HB,     /* worker <-> dispatcher: alive; from a worker it renews its leases */
    GS_MSG_DONE,   /* worker -> dispatcher: the collector has this task's result */
    GS_MSG_TASK,   /* dispatcher -> worker: a leased target */
    GS_MSG_RESET,  /* dispatcher -> worker: I do not know you, say hello again */
    GS_MSG_RESULT, /* worker -> collector: the result of a task */
    GS_MSG_ACK,    /* collector -> worker: the result is stored (or was already) */
} gs_msg_type_t;

/* What the collector did with a result. */
typedef enum {
    GS_OUTCOME_STORED = 0, /* stored now */
    GS_OUTCOME_DUP,        /* the target already had a result: nothing written */
    GS_OUTCOME_STALE,      /* the lease epoch is outdated: refused */
} gs_outcome_t;

/* A reference to a leased task: what a worker holds. */
typedef struct gs_taskref {
    char target[GS_ID_MAX];
    uint32_t epoch;
} gs_taskref_t;

/* A leased target, everything a worker needs to sweep it. */
typedef struct gs_task {
    char sweep[GS_ID_MAX];
    char target[GS_ID_MAX];
    uint32_t epoch;   /* lease epoch: the result must carry it back */
    uint32_t attempt; /* 1 for the first lease of this target */
    int kind;         /* gs_kind_t */
    char *url, *name, *region, *owner, *platform, *menu_url;
    int64_t ref_unix;         /* the sweep's reference time */
    uint32_t max_pages;       /* page budget for a site */
    uint32_t lease_ms;        /* the lease lasts this long past each renewal */
    gs_findings_t pre;        /* registry-level findings (M-DUPLICATE) the result must carry */
    bool has_watch;           /* the availability watch has a verdict for the site */
    gs_watch_verdict_t watch; /* that verdict, as of the reference time (W-UNREACHABLE) */
    gs_judge_t judge;         /* the sweep's thresholds and crawl scope (gs_judge.h) */
} gs_task_t;

/* The audit ledger of a task (reliability.md, issue 9): what the crawl planned and what
 * became of it, as named counters -- "planned", "fetched", "failed.http-404",
 * "skipped.budget", "links.checked" ... (docs/protocol.md lists them); planned = fetched +
 * the failed ones + the skipped ones. Bounded: GS_LEDGER_MAX counters of keys of at most
 * GS_LEDGER_KEY_MAX - 1 bytes. */
#define GS_LEDGER_MAX 48
#define GS_LEDGER_KEY_MAX 32
typedef struct gs_ledger {
    size_t n;
    struct {
        char key[GS_LEDGER_KEY_MAX];
        uint32_t value;
    } e[GS_LEDGER_MAX];
} gs_ledger_t;

/* Add v to counter key (made when absent; a key past the ceiling is counted under
 * "other"). */
void gs_ledger_add(gs_ledger_t *l, const char *key, uint32_t v);
/* The value of a counter, 0 when absent. */
uint32_t gs_ledger_get(const gs_ledger_t *l, const char *key);
/* The sum of the counters whose key starts with prefix ("failed."). */
uint32_t gs_ledger_sum(const gs_ledger_t *l, const char *prefix);

/* The result of one task. */
typedef struct gs_result {
    char sweep[GS_ID_MAX];
    char target[GS_ID_MAX];
    uint32_t epoch;
    char worker[GS_ID_MAX];
    int kind; /* gs_kind_t */
    char *region;
    bool checked;    /* false: 未检查, reason says why */
    char *reason;    /* "" when checked */
    uint32_t pages;  /* pages fetched */
    uint64_t bytes;  /* body bytes received */
    char newest[12]; /* newest update found, YYYY-MM-DD or "" */
    gs_ledger_t ledger;
    gs_findings_t findings;
} gs_result_t;

/* A decoded message: the type and the fields of that type. */
typedef struct gs_msg {
    gs_msg_type_t type;
    /* hello */
    char worker[GS_ID_MAX];
    uint32_t capacity;
    /* hello, hb */
    gs_taskref_t *tasks;
    size_t ntasks;
    /* done, ack */
    char sweep[GS_ID_MAX];
    char target[GS_ID_MAX];
    uint32_t epoch;
    gs_outcome_t outcome;
    /* task */
    gs_task_t task;
    /* result */
    gs_result_t result;
} gs_msg_t;

void gs_msg_init(gs_msg_t *m);
void gs_msg_cleanup(gs_msg_t *m);
const char *gs_msg_type_name(gs_msg_type_t t);
const char *gs_outcome_name(gs_outcome_t o);

void gs_task_init(gs_task_t *t);
void gs_task_cleanup(gs_task_t *t);
/* Deep copy: 0 or GS_ENOMEM. */
int gs_task_copy(gs_task_t *dst, const gs_task_t *src);
void gs_result_init(gs_result_t *r);
void gs_result_cleanup(gs_result_t *r);

/* Encoders: append one message to out. 0, GS_ENOMEM or GS_ETOOBIG. */
int gs_msg_encode_hello(gs_buf_t *out, const char *worker, uint32_t capacity,
                        const gs_taskref_t *tasks, size_t ntasks);
int gs_msg_encode_hb(gs_buf_t *out, const gs_taskref_t *tasks, size_t ntasks);
int gs_msg_encode_done(gs_buf_t *out, const char *sweep, const char *target, uint32_t epoch,
                       gs_outcome_t outcome);
int gs_msg_encode_task(gs_buf_t *out, const gs_task_t *t);
int gs_msg_encode_reset(gs_buf_t *out);
int gs_msg_encode_result(gs_buf_t *out, const gs_result_t *r);
int gs_msg_encode_ack(gs_buf_t *out, const char *sweep, const char *target, uint32_t epoch,
                      gs_outcome_t outcome);

/* Decode and validate one message. On success m holds it (gs_msg_cleanup frees); on
 * failure m is left empty and err says what was wrong. */
int gs_msg_decode(const void *data, size_t len, gs_msg_t *m, gs_err_t *err);

#endif
