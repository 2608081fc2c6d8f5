/* gs_sock.h -- the ZeroMQ sockets of the govsweep daemons, with CURVE when keys are set.
 *
 * One place creates the dispatcher's and the collector's ROUTER (gs_sock_bind) and the
 * worker's DEALERs (gs_sock_connect) with the options every one of them needs: LINGER 0,
 * ZMQ_MAXMSGSIZE, send and receive high-water marks, reconnect back-off from 100 ms to
 * 5 s, and ZMTP heartbeats (ZMQ_HEARTBEAT_IVL = heartbeat_ms, TIMEOUT and TTL =
 * heartbeat_ms x heartbeat_liveness), which libzmq leaves off unless asked.
 *
 * Security follows the configuration (docs/operations.md has the setup):
 * - A server with curve_secret_key is a CURVE server. libzmq authenticates clients only
 *   through a ZAP handler the application runs -- with none, every client is accepted --
 *   so gs_sock_bind first binds one (inproc://zeromq.zap.01, served by a small thread of
 *   this module) holding the allowlist of client public keys read from curve_allow (a
 *   file of keys or a directory of .pub files), and refuses to bind at all when the
 *   allowlist is missing or empty: closed by default. The allowlist is read again, at most
 *   once a second, when a handshake arrives, so a worker's .pub copied in later is
 *   accepted without a restart (removing one refuses its next handshake only).
 * - A client with curve_server_key is a CURVE client with its own key pair.
 * - Without keys a socket is plain; plain tcp:// to anything but loopback is refused
 *   unless zmq_insecure is set. ipc:// sockets are made owner-only (mode 0600) on bind.
 * Refused handshakes (unknown key, wrong server key, a plain peer against CURVE or the
 * other way round) are seen on the socket's monitor by the same thread, logged (at most
 * one line per reason every 10 s) and counted (gs_sock_stats).
 *
 * Key files: Z85 text (40 characters) on the first line that is not a `#` comment. A
 * secret key file must be a regular file owned by this user with no group or other
 * permission bits (refused otherwise, the message naming the file and the chmod or chown
 * to run); public key files and the allowlist must not be writable by group or others.
 *
 * Ownership: gs_sock_bind/gs_sock_connect allocate, gs_sock_destroy frees (close it
 * before zmq_ctx_term of its context). The ZeroMQ socket (gs_sock_zmq) is borrowed and
 * belongs to the thread that created the gs_sock_t, like any ZeroMQ socket;
 * gs_sock_stats may be called from any thread. One CURVE server per ZeroMQ context (the
 * ZAP endpoint is per context). Limits: GS_SOCK_ALLOW_MAX keys in an allowlist, key
 * files and allowlist files of at most 64 KiB. */
#ifndef GS_SOCK_H
#define GS_SOCK_H

#include "gs_config.h"
#include "gs_err.h"

#include <stddef.h>
#include <stdint.h>

#define GS_SOCK_KEY_Z85 40     /* a CURVE key as Z85 text, without the NUL */
#define GS_SOCK_ALLOW_MAX 4096 /* client keys in one allowlist */
#define GS_SOCK_HWM 1000       /* messages queued per peer, each way */
#define GS_SOCK_ZAP_DOMAIN "govsweep"
/* A daemon gives its socket ZMQ_MAXMSGSIZE = its own ceiling + this, so that a message
 * just over the ceiling still arrives and is counted as oversized, while anything
 * bigger makes libzmq close that connection (bounded either way). */
#define GS_SOCK_MAXMSG_SLACK (64u * 1024)

typedef struct gs_sock gs_sock_t;

/* Handshake counters of one socket since it was made (read atomically). */
typedef struct gs_sock_stats {
    uint64_t accepted;         /* handshakes completed (any mechanism) */
    uint64_t refused_key;      /* ZAP refused the client key (server), or ours (client) */
    uint64_t refused_protocol; /* security mismatch, undecryptable hello (wrong server key) */
    uint64_t refused_other;    /* closed during the handshake without a reason */
} gs_sock_stats_t;

/* Create a ROUTER in zctx with the common options, CURVE as configured, and bind it to
 * endpoint. max_msg is ZMQ_MAXMSGSIZE. role names the daemon in log lines. NULL on
 * failure with err set: GS_EDENIED for an unsafe setup (no or empty allowlist, key file
 * readable by others, plain tcp beyond loopback), GS_EINVAL for bad key files,
 * GS_EZMQ when ZeroMQ refuses. */
gs_sock_t *gs_sock_bind(void *zctx, const gs_config_t *cfg, const char *endpoint, size_t max_msg,
                        const char *role, gs_err_t *err);

/* Create a DEALER with routing id routing_id and connect it to endpoint (the connection
 * itself is made in the background and retried). Same errors as gs_sock_bind. */
gs_sock_t *gs_sock_connect(void *zctx, const gs_config_t *cfg, const char *endpoint,
                           const char *routing_id, size_t max_msg, gs_err_t *err);

/* Clients: call every turn of the loop. libzmq does not reconnect a client whose
 * handshake was refused (unknown key, security mismatch), so a worker started before its
 * key was allowed would wait forever; this connects it again after 1 s, doubling up to
 * 30 s while it stays refused. 1 when it reconnected, 0 when nothing was due, < 0 on a
 * ZeroMQ error. A no-op on servers. */
int gs_sock_maintain(gs_sock_t *s);

/* NULL-safe and idempotent; closes the ZeroMQ socket and stops the thread. */
void gs_sock_destroy(gs_sock_t **self_p);

/* The ZeroMQ socket. Borrowed. */
void *gs_sock_zmq(gs_sock_t *s);

/* The endpoint actually bound or connected (a `*` port resolved). Borrowed. */
const char *gs_sock_endpoint(const gs_sock_t *s);

/* 1 when the socket uses CURVE. */
int gs_sock_is_curve(const gs_sock_t *s);

/* Copy the handshake counters. Thread-safe. */
void gs_sock_stats(const gs_sock_t *s, gs_sock_stats_t *out);

/* Read a key file into z85 (GS_SOCK_KEY_Z85 + 1 bytes) after the checks above (secret:
 * owner and mode; public: not writable by others). 0 or GS_EDENIED / GS_EINVAL /
 * GS_EIO / GS_ENOTFOUND, err naming the file. */
int gs_sock_key_read(const char *path, int secret, char *z85, gs_err_t *err);

/* Write DIR/NAME.key (secret, 0600) and DIR/NAME.pub (public, 0644) from a fresh
 * zmq_curve_keypair; DIR is created (0700) when missing. Refuses (GS_EEXIST) when either
 * file exists unless force, in which case both are replaced atomically (rename). NAME is
 * 1-64 of [A-Za-z0-9._-], not starting with '.'. */
int gs_sock_keygen(const char *dir, const char *name, int force, gs_err_t *err);

#endif
