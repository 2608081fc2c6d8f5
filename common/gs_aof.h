/* gs_aof.h -- the torn tail of a Redis append-only file, cut off before Redis loads it.
 *
 * With `appendfsync always` a crash (kill -9, power loss) can leave the last record of the
 * AOF half written. Redis's `aof-load-truncated yes` drops a half command, but Redis 7.0
 * (Debian 12) cuts a half *transaction* only after its last whole command: the MULTI stays,
 * without its EXEC, and the next load folds the writes appended after it into that
 * transaction -- a result stored twice (valkey-io/valkey#4342 fixed it in 2026). govsweep's
 * store script writes through MULTI/EXEC (a script's effects), so the private Redis of
 * `govsweep run` gets its AOF checked before every start: when the last incr file of the
 * manifest ends inside a command or inside a transaction, it is cut before that command or
 * that MULTI (what was cut had not been acknowledged: with appendfsync always Redis answers
 * after the fsync). Anything else -- a malformed byte, a file that is not RESP -- is left to
 * Redis, which refuses to start on it: that needs an operator.
 *
 * Stateless functions; the caller owns the paths. Limits: a command of at most
 * GS_AOF_MAX_ARGS arguments, an argument of at most GS_AOF_MAX_BULK bytes (Redis's own
 * proto-max-bulk-len); a longer one is "malformed" and left alone. */
#ifndef GS_AOF_H
#define GS_AOF_H

#include "gs_err.h"

#include <stdint.h>

#define GS_AOF_MAX_ARGS (1024 * 1024)
#define GS_AOF_MAX_BULK (512LL * 1024 * 1024)

/* What gs_aof_scan found in one file. */
typedef struct gs_aof_scan {
    int torn;           /* 1: it ends inside a command or a transaction */
    int malformed;      /* 1: not RESP somewhere (left alone) */
    int64_t size;       /* the file's size */
    int64_t keep;       /* when torn: the bytes to keep (before the torn command or MULTI) */
    int64_t commands;   /* whole commands read */
    int in_transaction; /* torn inside MULTI ... (no EXEC) */
} gs_aof_scan_t;

/* Read the AOF file at path (RESP commands, '#' annotation lines) and say whether it ends
 * torn. 0, or GS_EIO with err when it cannot be read. */
int gs_aof_scan(const char *path, gs_aof_scan_t *out, gs_err_t *err);

/* Repair the AOF of a Redis 7 data directory (dir/appendonlydir/appendonly.aof.manifest,
 * default names): when its last incr file ends torn, truncate it to the bytes to keep and
 * fsync it. *cut receives the bytes dropped (0: nothing to do, also when there is no AOF),
 * what (at least 512 bytes, may be NULL) a sentence saying what was done. 0, or GS_EIO /
 * GS_EPARSE (an unreadable manifest) with err. */
int gs_aof_repair_tail(const char *dir, int64_t *cut, char *what, size_t whatlen, gs_err_t *err);

#endif
