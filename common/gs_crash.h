/* gs_crash.h -- crash points: a test facility that kills this process at a named moment.
 *
 * The fault tests (tests/faults/) need a daemon to die exactly between two durability
 * steps -- after the Redis store and before the ack, after writing a lease epoch and
 * before sending the task -- which no outside kill can hit reliably. The code marks those
 * moments with gs_crash_point("collector.after_store"); the environment variable
 * GS_CRASH_AT=NAME:N arms one of them, and the N-th passage of that point in this process
 * sends the process SIGKILL (not abort(): no atexit handler, no stdio flush, no core dump,
 * just as kill -9 from outside). gs_crash_point_id("worker.target", id) is armed with
 * GS_CRASH_AT=worker.target:ID and fires at every passage naming that id. The points are
 * listed in docs/architecture.md ("Durability points"); GS_CRASH_ROLE, which `govsweep
 * run` reads to give GS_CRASH_AT to one child only, in docs/configuration.md.
 *
 * Unarmed (the normal case) a point costs one load and one compare of a static flag: the
 * environment is read once, at the first passage (or gs_crash_init). Nothing is
 * allocated. Not thread-safe: call from the daemon's main thread only (the daemons are
 * single-threaded). Names are at most GS_CRASH_NAME_MAX - 1 bytes, ids GS_CRASH_ID_MAX - 1;
 * a longer or malformed GS_CRASH_AT arms nothing and says so on stderr. */
#ifndef GS_CRASH_H
#define GS_CRASH_H

#define GS_CRASH_NAME_MAX 64
#define GS_CRASH_ID_MAX 64

/* Read GS_CRASH_AT now (the first point does it otherwise). `govsweep run` calls it
 * before it takes the variable out of its own environment. Idempotent. */
void gs_crash_init(void);

/* A crash point: when armed for name and this is its N-th passage, kill the process. */
void gs_crash_point(const char *name);

/* A crash point keyed by an id (a target): when armed for name with this id, kill the
 * process, at every passage. */
void gs_crash_point_id(const char *name, const char *id);

/* 1 when GS_CRASH_AT armed a point in this process (for a log line at start), else 0. */
int gs_crash_armed(void);

#endif
