/* gs_sock.c -- daemon sockets with the common options, CURVE, the ZAP handler and the
 * handshake monitor; CURVE key files (reading with their checks, keygen). */
#include "gs_sock.h"
#include "gs_log.h"
#include "gs_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define KEY_FILE_MAX (64 * 1024) /* a key file or an allowlist file */
#define NAME_MAX_ 64             /* a key's name: its file name without .pub */
#define ZAP_FRAMES 8             /* frames of a ZAP request we look at (CURVE sends 7) */
#define RELOAD_MS 1000           /* the allowlist is read again at most this often */
#define LOG_EVERY_MS 10000       /* one log line per refusal reason this often at most */
#define HANDSHAKE_MS 10000       /* a peer that has not finished its handshake by then */
#define RECONNECT_MS 100         /* first reconnect delay, doubled up to RECONNECT_MAX_MS */
#define RECONNECT_MAX_MS 5000
#define TTL_MAX_MS 6553599  /* ZMQ_HEARTBEAT_TTL's ceiling (deciseconds in 16 bits) */
#define RETRY_FIRST_MS 1000 /* a refused client connects again after this, doubling */
#define RETRY_MAX_MS 30000

/* One allowed client key. */
typedef struct allow {
    uint8_t key[32];
    char name[NAME_MAX_ + 1];
} allow_t;

/* Refusal reasons, for the log's rate limit. */
enum { R_KEY = 0, R_PROTOCOL, R_OTHER, R_RELOAD, R_COUNT };

struct gs_sock {
    void *sock; /* the ROUTER or DEALER */
    int server; /* 1 for gs_sock_bind */
    int curve;
    char role[32];
    char endpoint[256];
    /* The guard thread serves the monitor (and ZAP on CURVE servers); once it runs,
     * ctl_peer, mon, zap and the allowlist are its alone. */
    pthread_t thread;
    int running;
    void *ctl;      /* our end of the control pair: a message stops the thread */
    void *ctl_peer; /* the thread's end */
    void *mon;      /* monitor events of sock */
    void *zap;      /* REP bound to inproc://zeromq.zap.01 */
    char *allow_path;
    allow_t *allow;
    size_t nallow;
    int64_t allow_loaded_ms;
    int64_t last_log_ms[R_COUNT];
    uint64_t unlogged[R_COUNT];
    /* counters read by any thread */
    _Atomic uint64_t accepted, refused_key, refused_protocol, refused_other;
    /* A client whose handshake was refused is not reconnected by libzmq (the session
     * ends on a protocol error): the guard thread raises this, and gs_sock_maintain,
     * in the owner's thread, connects again after a back-off. */
    _Atomic int refused_pending;
    char target[256]; /* the endpoint as given to zmq_connect */
    int64_t retry_at_ms;
    int retry_ms;
    uint64_t accepted_seen;
};

/* ---- key files ------------------------------------------------------------------- */

/* Read a whole small file that open() already checked; buf gets a NUL. */
static int read_fd(int fd, const char *path, char *buf, size_t cap, gs_err_t *err)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
        if (r == 0)
            break;
        n += (size_t)r;
        if (n >= cap - 1)
            return gs_err_set(err, GS_EINVAL, "%s: larger than %zu bytes", path, cap - 1);
    }
    buf[n] = '\0';
    return 0;
}

/* Open path for reading and check what kind of file it is: secret key files must be
 * ours and private, everything else must not be writable by others (a swapped public key
 * or an added allowlist entry is as bad as a leaked secret). Returns the fd or < 0. */
static int open_checked(const char *path, int secret, gs_err_t *err)
{
    /* O_NONBLOCK: a FIFO planted as a key file must not hang the daemon at start. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return gs_err_set(err, errno == ENOENT ? GS_ENOTFOUND : GS_EIO, "%s: %s", path,
                          strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0)
        rc = gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = gs_err_set(err, GS_EDENIED, "%s: not a regular file", path);
    else if (secret && st.st_uid != geteuid())
        rc = gs_err_set(err, GS_EDENIED,
                        "%s: secret key owned by uid %u, not by this user (uid %u); run: chown %u "
                        "%s",
                        path, (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(), path);
    else if (secret && (st.st_mode & 077))
        rc = gs_err_set(err, GS_EDENIED,
                        "%s: secret key open to group or others (mode %04o); run: chmod 600 %s",
                        path, (unsigned)(st.st_mode & 07777), path);
    else if (!secret && (st.st_mode & 022))
        rc = gs_err_set(err, GS_EDENIED,
                        "%s: writable by group or others (mode %04o), so anyone could swap the "
                        "key; run: chmod go-w %s",
                        path, (unsigned)(st.st_mode & 07777), path);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

/* 1 when s is a Z85 key (40 characters that decode); key receives the 32 bytes. */
static int z85_key(const char *s, size_t len, uint8_t key[32])
{
    char tmp[GS_SOCK_KEY_Z85 + 1];
    if (len != GS_SOCK_KEY_Z85)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    int ok = zmq_z85_decode(key, tmp) != NULL;
    explicit_bzero(tmp, sizeof(tmp));
    return ok;
}

/* The next line of text that is neither blank nor a `#` comment: its first word in
 * [*w, *w + *wl) and the rest of the line in [*r, *r + *rl). 0 at the end. */
static int next_entry(char **p, int *lineno, const char **w, size_t *wl, const char **r, size_t *rl)
{
    while (**p) {
        char *line = *p;
        char *nl = strchr(line, '\n');
        *p = nl ? nl + 1 : line + strlen(line);
        ++*lineno;
        size_t len = (size_t)(*p - line) - (nl ? 1 : 0);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            len--;
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len || line[i] == '#')
            continue;
        size_t j = i;
        while (j < len && line[j] != ' ' && line[j] != '\t')
            j++;
        *w = line + i;
        *wl = j - i;
        while (j < len && (line[j] == ' ' || line[j] == '\t'))
            j++;
        *r = line + j;
        *rl = len - j;
        return 1;
    }
    return 0;
}

int gs_sock_key_read(const char *path, int secret, char *z85, gs_err_t *err)
{
    size_t pl = strlen(path);
    if (secret && pl > 4 && strcmp(path + pl - 4, ".pub") == 0)
        return gs_err_set(err, GS_EINVAL, "%s: a .pub file given as a secret key", path);
    int fd = open_checked(path, secret, err);
    if (fd < 0)
        return fd;
    char *buf = malloc(KEY_FILE_MAX);
    if (!buf) {
        close(fd);
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    int rc = read_fd(fd, path, buf, KEY_FILE_MAX, err);
    close(fd);
    char *p = buf;
    int lineno = 0;
    const char *w, *r;
    size_t wl, rl;
    uint8_t key[32];
    if (rc == 0 && !next_entry(&p, &lineno, &w, &wl, &r, &rl))
        rc = gs_err_set(err, GS_EINVAL, "%s: no key in the file", path);
    else if (rc == 0 && !z85_key(w, wl, key))
        rc = gs_err_set(err, GS_EINVAL, "%s:%d: not a CURVE key (40 characters of Z85)", path,
                        lineno);
    if (rc == 0) {
        memcpy(z85, w, GS_SOCK_KEY_Z85);
        z85[GS_SOCK_KEY_Z85] = '\0';
    }
    explicit_bzero(key, sizeof(key));
    explicit_bzero(buf, KEY_FILE_MAX);
    free(buf);
    return rc;
}

static int name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > NAME_MAX_ || name[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Write text to a fresh temporary file beside final and rename it there: a reader sees
 * the old file or the whole new one, and a symlink at final is replaced, not followed. */
static int write_atomic(const char *dir, const char *final, const char *text, mode_t mode,
                        gs_err_t *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s/.gs-keygen-XXXXXX", dir) >= (int)sizeof(tmp))
        return gs_err_set(err, GS_EINVAL, "%s: path too long", dir);
    int fd = mkstemp(tmp); /* 0600 from the start: the secret is never readable by others */
    if (fd < 0)
        return gs_err_set(err, GS_EIO, "%s: %s", dir, strerror(errno));
    size_t len = strlen(text);
    int rc = 0;
    if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) < 0 || fsync(fd) < 0)
        rc = gs_err_set(err, GS_EIO, "%s: %s", tmp, strerror(errno));
    if (close(fd) < 0 && rc == 0)
        rc = gs_err_set(err, GS_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, final) < 0)
        rc = gs_err_set(err, GS_EIO, "%s: %s", final, strerror(errno));
    if (rc < 0)
        unlink(tmp);
    return rc;
}

int gs_sock_keygen(const char *dir, const char *name, int force, gs_err_t *err)
{
    if (!name_valid(name))
        return gs_err_set(err, GS_EINVAL,
                          "key name '%s': use 1-%d of A-Z a-z 0-9 . _ -, not starting with '.'",
                          name, NAME_MAX_);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return gs_err_set(err, GS_EIO, "%s: %s", dir, strerror(errno));
    char keyp[4096], pubp[4096];
    if (snprintf(keyp, sizeof(keyp), "%s/%s.key", dir, name) >= (int)sizeof(keyp) ||
        snprintf(pubp, sizeof(pubp), "%s/%s.pub", dir, name) >= (int)sizeof(pubp))
        return gs_err_set(err, GS_EINVAL, "%s: path too long", dir);
    struct stat st;
    if (!force && (lstat(keyp, &st) == 0 || lstat(pubp, &st) == 0))
        return gs_err_set(err, GS_EEXIST, "%s exists; use --force to replace the key pair %s",
                          lstat(keyp, &st) == 0 ? keyp : pubp, name);
    char pub[GS_SOCK_KEY_Z85 + 2], sec[GS_SOCK_KEY_Z85 + 2];
    if (zmq_curve_keypair(pub, sec) < 0)
        return gs_err_set(err, GS_EZMQ, "zmq_curve_keypair: %s (libzmq built without CURVE?)",
                          zmq_strerror(errno));
    size_t n = strlen(pub);
    pub[n] = '\n';
    pub[n + 1] = '\0';
    n = strlen(sec);
    sec[n] = '\n';
    sec[n + 1] = '\0';
    /* The public half first: a crash in between leaves a .pub without its .key, which
     * reading refuses, rather than a secret nobody can match. */
    int rc = write_atomic(dir, pubp, pub, 0644, err);
    if (rc == 0)
        rc = write_atomic(dir, keyp, sec, 0600, err);
    explicit_bzero(sec, sizeof(sec));
    if (rc == 0) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    return rc;
}

/* ---- the allowlist ----------------------------------------------------------------- */

static int allow_push(allow_t **list, size_t *n, size_t *cap, const uint8_t key[32],
                      const char *name, size_t nl, const char *where, gs_err_t *err)
{
    if (*n >= GS_SOCK_ALLOW_MAX)
        return gs_err_set(err, GS_ETOOBIG, "%s: more than %d keys", where, GS_SOCK_ALLOW_MAX);
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        allow_t *p = realloc(*list, nc * sizeof(*p));
        if (!p)
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        *list = p;
        *cap = nc;
    }
    allow_t *a = &(*list)[(*n)++];
    memcpy(a->key, key, 32);
    if (nl > NAME_MAX_)
        nl = NAME_MAX_;
    memcpy(a->name, name, nl);
    a->name[nl] = '\0';
    return 0;
}

/* One file of keys: "KEY [name]" lines (a .pub file is one such line). In a directory
 * every file is one client, named after the file; only its first key counts. */
static int allow_file(const char *path, const char *fname, allow_t **list, size_t *n, size_t *cap,
                      gs_err_t *err)
{
    int fd = open_checked(path, 0, err);
    if (fd < 0)
        return fd;
    char *buf = malloc(KEY_FILE_MAX);
    if (!buf) {
        close(fd);
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    int rc = read_fd(fd, path, buf, KEY_FILE_MAX, err);
    close(fd);
    char *p = buf;
    int lineno = 0;
    const char *w, *r;
    size_t wl, rl;
    while (rc == 0 && next_entry(&p, &lineno, &w, &wl, &r, &rl)) {
        uint8_t key[32];
        char where[4200];
        snprintf(where, sizeof(where), "%s:%d", path, lineno);
        if (!z85_key(w, wl, key)) {
            rc = gs_err_set(err, GS_EINVAL, "%s: not a CURVE public key (40 characters of Z85)",
                            where);
            break;
        }
        if (fname) {
            size_t fl = strlen(fname) - 4; /* without ".pub" */
            rc = allow_push(list, n, cap, key, fname, fl, where, err);
            break;
        }
        char def[32];
        int dl = snprintf(def, sizeof(def), "line-%d", lineno);
        rc = rl ? allow_push(list, n, cap, key, r, rl, where, err)
                : allow_push(list, n, cap, key, def, (size_t)dl, where, err);
    }
    free(buf);
    return rc;
}

/* Read the allowlist at path (a file or a directory of *.pub files). An empty one is
 * refused: a CURVE server must never run with nobody allowed, which would look like
 * "authentication on" while locking every worker out -- or, worse, tempt someone to
 * remove the ZAP handler. */
static int allow_load(const char *path, allow_t **out, size_t *nout, gs_err_t *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return gs_err_set(err, errno == ENOENT ? GS_ENOTFOUND : GS_EIO, "curve_allow %s: %s", path,
                          strerror(errno));
    allow_t *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (S_ISDIR(st.st_mode)) {
        if (st.st_mode & 022) {
            return gs_err_set(err, GS_EDENIED,
                              "%s: allowlist directory writable by group or others (mode %04o), "
                              "so anyone could add a key; run: chmod go-w %s",
                              path, (unsigned)(st.st_mode & 07777), path);
        }
        DIR *d = opendir(path);
        if (!d)
            return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
        struct dirent *de;
        size_t seen = 0;
        while (rc == 0 && (de = readdir(d)) != NULL) {
            size_t nl = strlen(de->d_name);
            if (de->d_name[0] == '.' || nl <= 4 || strcmp(de->d_name + nl - 4, ".pub") != 0)
                continue;
            if (++seen > GS_SOCK_ALLOW_MAX) {
                rc = gs_err_set(err, GS_ETOOBIG, "%s: more than %d .pub files", path,
                                GS_SOCK_ALLOW_MAX);
                break;
            }
            char fp[4096];
            if (snprintf(fp, sizeof(fp), "%s/%s", path, de->d_name) >= (int)sizeof(fp)) {
                rc = gs_err_set(err, GS_EINVAL, "%s: path too long", path);
                break;
            }
            rc = allow_file(fp, de->d_name, &list, &n, &cap, err);
        }
        closedir(d);
    } else {
        rc = allow_file(path, NULL, &list, &n, &cap, err);
    }
    if (rc == 0 && n == 0)
        rc = gs_err_set(err, GS_EDENIED, "curve_allow %s holds no client key (%s)", path,
                        S_ISDIR(st.st_mode) ? "no NAME.pub file in the directory"
                                            : "no key line in the file");
    if (rc < 0) {
        free(list);
        return rc;
    }
    *out = list;
    *nout = n;
    return 0;
}

/* ---- the guard thread: monitor events and ZAP ---------------------------------------- */

/* Rate-limited logging of one refusal reason: the first at once, then at most one line
 * every LOG_EVERY_MS. 1 when this one is logged, note then saying how many were not
 * since the last line ("" when none); 0 when it stays quiet. */
static int log_gate(gs_sock_t *s, int reason, char *note, size_t nl)
{
    int64_t now = gs_now_ms();
    if (s->last_log_ms[reason] && now - s->last_log_ms[reason] < LOG_EVERY_MS) {
        s->unlogged[reason]++;
        return 0;
    }
    if (s->unlogged[reason])
        snprintf(note, nl, " (%llu more not logged since the last line)",
                 (unsigned long long)s->unlogged[reason]);
    else
        note[0] = '\0';
    s->unlogged[reason] = 0;
    s->last_log_ms[reason] = now;
    return 1;
}

static const char *protocol_words(uint32_t v)
{
    switch (v) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
        return "security mismatch (one side CURVE, the other plain)";
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
        return "cryptographic failure (a wrong server key on the client?)";
    case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
        return "key exchange failed";
    default:
        return v >= ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED ? "bad answer from the ZAP handler"
                                                       : "ZMTP protocol error";
    }
}

static void on_monitor(gs_sock_t *s)
{
    zmq_msg_t ev, addr;
    zmq_msg_init(&ev);
    zmq_msg_init(&addr);
    if (zmq_msg_recv(&ev, s->mon, ZMQ_DONTWAIT) < 0)
        goto out;
    if (zmq_msg_more(&ev))
        zmq_msg_recv(&addr, s->mon, 0);
    if (zmq_msg_size(&ev) < 6)
        goto out;
    uint16_t event;
    uint32_t value;
    memcpy(&event, zmq_msg_data(&ev), 2);
    memcpy(&value, (const char *)zmq_msg_data(&ev) + 2, 4);
    char where[256];
    size_t al = zmq_msg_size(&addr) < sizeof(where) - 1 ? zmq_msg_size(&addr) : sizeof(where) - 1;
    memcpy(where, zmq_msg_data(&addr), al);
    where[al] = '\0';
    char note[64];
    const char *peer = s->server ? "a client" : "the server";
    switch (event) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        atomic_fetch_add(&s->accepted, 1);
        if (!s->server)
            gs_debug("%s: handshake with %s done%s", s->role, where, s->curve ? " (CURVE)" : "");
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        atomic_fetch_add(&s->refused_key, 1);
        atomic_store(&s->refused_pending, 1);
        /* A server's ZAP handler has already logged the refusal with the key. */
        if (!s->server && log_gate(s, R_KEY, note, sizeof(note)))
            gs_error("%s: %s on %s refused our key (ZAP %u): add this worker's .pub to its "
                     "curve_allow%s",
                     s->role, peer, where, value, note);
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        atomic_fetch_add(&s->refused_protocol, 1);
        atomic_store(&s->refused_pending, 1);
        if (log_gate(s, R_PROTOCOL, note, sizeof(note)))
            gs_warn("%s: handshake with %s on %s refused: %s%s", s->role, peer, where,
                    protocol_words(value), note);
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        atomic_fetch_add(&s->refused_other, 1);
        if (log_gate(s, R_OTHER, note, sizeof(note)))
            gs_warn("%s: handshake with %s on %s failed: %s%s%s", s->role, peer, where,
                    strerror((int)value),
                    s->curve && !s->server ? " (a wrong curve_server_key?)" : "", note);
        break;
    default:
        break;
    }
out:
    zmq_msg_close(&ev);
    zmq_msg_close(&addr);
}

static const allow_t *allow_find(const gs_sock_t *s, const uint8_t *key)
{
    for (size_t i = 0; i < s->nallow; i++)
        if (memcmp(s->allow[i].key, key, 32) == 0)
            return &s->allow[i];
    return NULL;
}

/* Read the allowlist again when the last read is older than RELOAD_MS. A list that no
 * longer reads is treated as empty: closed, and said loudly. */
static void allow_refresh(gs_sock_t *s)
{
    int64_t now = gs_now_ms();
    if (now - s->allow_loaded_ms < RELOAD_MS)
        return;
    s->allow_loaded_ms = now;
    allow_t *list = NULL;
    size_t n = 0;
    gs_err_t e;
    gs_err_clear(&e);
    if (allow_load(s->allow_path, &list, &n, &e) < 0) {
        char note[64];
        if (log_gate(s, R_RELOAD, note, sizeof(note)))
            gs_error("%s: allowlist unreadable, refusing every new CURVE client: %s", s->role,
                     e.msg);
        n = 0;
    }
    free(s->allow);
    s->allow = list;
    s->nallow = n;
}

static void zap_send(void *zap, const zmq_msg_t *reqid, const char *status, const char *text,
                     const char *user)
{
    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(zap, zmq_msg_data((zmq_msg_t *)reqid), zmq_msg_size((zmq_msg_t *)reqid), ZMQ_SNDMORE);
    zmq_send(zap, status, strlen(status), ZMQ_SNDMORE);
    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(zap, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(zap, "", 0, 0);
}

/* One ZAP request (RFC 27): version, request id, domain, address, routing id, mechanism,
 * credentials. Only CURVE in our domain with a listed key gets 200. */
static void on_zap(gs_sock_t *s)
{
    zmq_msg_t f[ZAP_FRAMES];
    int nf = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s->zap, nf == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close(&m);
            break;
        }
        more = zmq_msg_more(&m);
        if (nf < ZAP_FRAMES)
            f[nf++] = m; /* moved: closed below */
        else
            zmq_msg_close(&m);
    }
    if (nf < 2) { /* not even a request id to answer to: a REP must still reply */
        if (nf == 1) {
            zmq_send(s->zap, "", 0, 0);
            zmq_msg_close(&f[0]);
        }
        return;
    }
    char addr[64] = "?", mech[16] = "";
    if (nf > 3) {
        size_t l = zmq_msg_size(&f[3]) < sizeof(addr) - 1 ? zmq_msg_size(&f[3]) : sizeof(addr) - 1;
        memcpy(addr, zmq_msg_data(&f[3]), l);
        addr[l] = '\0';
    }
    if (nf > 5) {
        size_t l = zmq_msg_size(&f[5]) < sizeof(mech) - 1 ? zmq_msg_size(&f[5]) : sizeof(mech) - 1;
        memcpy(mech, zmq_msg_data(&f[5]), l);
        mech[l] = '\0';
    }
    int version_ok = zmq_msg_size(&f[0]) == 3 && memcmp(zmq_msg_data(&f[0]), "1.0", 3) == 0;
    int domain_ok =
        nf > 2 && zmq_msg_size(&f[2]) == strlen(GS_SOCK_ZAP_DOMAIN) &&
        memcmp(zmq_msg_data(&f[2]), GS_SOCK_ZAP_DOMAIN, strlen(GS_SOCK_ZAP_DOMAIN)) == 0;
    if (!version_ok || !domain_ok || strcmp(mech, "CURVE") != 0 || nf < 7 ||
        zmq_msg_size(&f[6]) != 32) {
        zap_send(s->zap, &f[1], "400", "CURVE in the govsweep domain only", "");
        char note[64];
        if (log_gate(s, R_KEY, note, sizeof(note)))
            gs_warn("%s: refused a %s client from %s (not CURVE in our domain)%s", s->role,
                    mech[0] ? mech : "?", addr, note);
    } else {
        allow_refresh(s);
        const uint8_t *key = zmq_msg_data(&f[6]);
        const allow_t *a = allow_find(s, key);
        if (a) {
            zap_send(s->zap, &f[1], "200", "OK", a->name);
            gs_info("%s: CURVE client %s accepted as %s", s->role, addr, a->name);
        } else {
            zap_send(s->zap, &f[1], "400", "unknown key", "");
            char note[64];
            int say = log_gate(s, R_KEY, note, sizeof(note));
            char z85[GS_SOCK_KEY_Z85 + 1] = "";
            zmq_z85_encode(z85, key, 32);
            if (say)
                gs_warn("%s: refused CURVE client %s: key %s is not in %s%s", s->role, addr, z85,
                        s->allow_path, note);
        }
    }
    for (int i = 0; i < nf; i++)
        zmq_msg_close(&f[i]);
}

static void *guard_main(void *arg)
{
    gs_sock_t *s = arg;
    for (;;) {
        zmq_pollitem_t it[3] = {{s->ctl_peer, 0, ZMQ_POLLIN, 0},
                                {s->mon, 0, ZMQ_POLLIN, 0},
                                {s->zap, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(it, s->zap ? 3 : 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break; /* ETERM: the context is going away */
        }
        if (it[0].revents & ZMQ_POLLIN)
            break;
        if (it[1].revents & ZMQ_POLLIN)
            on_monitor(s);
        if (s->zap && (it[2].revents & ZMQ_POLLIN))
            on_zap(s);
    }
    return NULL;
}

/* ---- socket setup ------------------------------------------------------------------ */

static int setopt(gs_sock_t *s, int opt, const void *v, size_t len, const char *name, gs_err_t *err)
{
    if (zmq_setsockopt(s->sock, opt, v, len) < 0)
        return gs_err_set(err, GS_EZMQ, "%s: setting %s: %s", s->role, name, zmq_strerror(errno));
    return 0;
}

#define SETOPT(s, opt, v, err)                                                                     \
    do {                                                                                           \
        if ((rc = setopt(s, opt, &(v), sizeof(v), #opt, err)) < 0)                                 \
            return rc;                                                                             \
    } while (0)

static int common_options(gs_sock_t *s, const gs_config_t *cfg, size_t max_msg, gs_err_t *err)
{
    int rc, zero = 0, hwm = GS_SOCK_HWM, ivl = RECONNECT_MS, ivl_max = RECONNECT_MAX_MS;
    int hs = HANDSHAKE_MS;
    int64_t maxmsg = (int64_t)max_msg;
    SETOPT(s, ZMQ_LINGER, zero, err);
    SETOPT(s, ZMQ_SNDHWM, hwm, err);
    SETOPT(s, ZMQ_RCVHWM, hwm, err);
    SETOPT(s, ZMQ_MAXMSGSIZE, maxmsg, err);
    SETOPT(s, ZMQ_RECONNECT_IVL, ivl, err);
    SETOPT(s, ZMQ_RECONNECT_IVL_MAX, ivl_max, err);
    SETOPT(s, ZMQ_HANDSHAKE_IVL, hs, err);
    if (cfg->heartbeat_ms > 0) {
        /* ZMTP PINGs from libzmq's I/O thread: a peer silent for liveness intervals has its
         * connection closed (and a DEALER reconnects), whatever the daemon's loop is doing. */
        uint64_t live = cfg->heartbeat_liveness ? cfg->heartbeat_liveness : 1;
        uint64_t timeout = (uint64_t)cfg->heartbeat_ms * live;
        int hb = cfg->heartbeat_ms > INT32_MAX ? INT32_MAX : (int)cfg->heartbeat_ms;
        int to = timeout > INT32_MAX ? INT32_MAX : (int)timeout;
        int ttl = timeout > TTL_MAX_MS ? TTL_MAX_MS : (int)timeout;
        SETOPT(s, ZMQ_HEARTBEAT_IVL, hb, err);
        SETOPT(s, ZMQ_HEARTBEAT_TIMEOUT, to, err);
        SETOPT(s, ZMQ_HEARTBEAT_TTL, ttl, err);
    }
    return 0;
}

/* 1 when a tcp:// endpoint names loopback only, or the transport never leaves the host
 * (ipc, inproc). Anything we cannot read as loopback counts as the network. */
static int endpoint_local(const char *ep)
{
    if (strncmp(ep, "ipc://", 6) == 0 || strncmp(ep, "inproc://", 9) == 0)
        return 1;
    if (strncmp(ep, "tcp://", 6) != 0)
        return 0;
    const char *h = ep + 6;
    const char *semi = strchr(h, ';'); /* connect's "source;destination" form */
    if (semi)
        h = semi + 1;
    const char *colon = strrchr(h, ':');
    if (!colon)
        return 0;
    size_t hl = (size_t)(colon - h);
    char host[256];
    if (hl == 0 || hl >= sizeof(host))
        return 0;
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (!strcmp(host, "localhost") || !strcmp(host, "[::1]") || !strcmp(host, "::1") ||
        !strcmp(host, "lo"))
        return 1;
    unsigned a, b, c, d;
    char tail;
    return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 &&
           c < 256 && d < 256;
}

static int refuse_plain(const gs_config_t *cfg, const char *role, const char *ep, gs_err_t *err)
{
    if (cfg->zmq_insecure || endpoint_local(ep))
        return 0;
    return gs_err_set(err, GS_EDENIED,
                      "%s: refusing plain (unauthenticated, unencrypted) ZeroMQ on %s: configure "
                      "CURVE keys (docs/operations.md) or set zmq_insecure = true",
                      role, ep);
}

/* Create the monitor and control pairs and start the guard thread. */
static int start_guard(gs_sock_t *s, void *zctx, gs_err_t *err)
{
    char mon_ep[96], ctl_ep[96];
    snprintf(mon_ep, sizeof(mon_ep), "inproc://gs-sock-mon.%p", (void *)s);
    snprintf(ctl_ep, sizeof(ctl_ep), "inproc://gs-sock-ctl.%p", (void *)s);
    int zero = 0;
    int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor(s->sock, mon_ep, events) < 0)
        return gs_err_set(err, GS_EZMQ, "%s: monitor: %s", s->role, zmq_strerror(errno));
    if (!(s->mon = zmq_socket(zctx, ZMQ_PAIR)) || !(s->ctl = zmq_socket(zctx, ZMQ_PAIR)) ||
        !(s->ctl_peer = zmq_socket(zctx, ZMQ_PAIR)))
        return gs_err_set(err, GS_EZMQ, "%s: %s", s->role, zmq_strerror(errno));
    zmq_setsockopt(s->mon, ZMQ_LINGER, &zero, sizeof(zero));
    zmq_setsockopt(s->ctl, ZMQ_LINGER, &zero, sizeof(zero));
    zmq_setsockopt(s->ctl_peer, ZMQ_LINGER, &zero, sizeof(zero));
    if (zmq_connect(s->mon, mon_ep) < 0 || zmq_bind(s->ctl, ctl_ep) < 0 ||
        zmq_connect(s->ctl_peer, ctl_ep) < 0)
        return gs_err_set(err, GS_EZMQ, "%s: %s", s->role, zmq_strerror(errno));
    /* Signals belong to the daemon's main loop (its stop flag), not to this thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int prc = pthread_create(&s->thread, NULL, guard_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (prc != 0)
        return gs_err_set(err, GS_ENOMEM, "%s: cannot start a thread: %s", s->role, strerror(prc));
    s->running = 1;
    return 0;
}

static gs_sock_t *sock_alloc(void *zctx, int type, const char *role, gs_err_t *err)
{
    gs_sock_t *s = calloc(1, sizeof(*s));
    if (!s) {
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(s->role, sizeof(s->role), "%s", role);
    atomic_init(&s->accepted, 0);
    atomic_init(&s->refused_key, 0);
    atomic_init(&s->refused_protocol, 0);
    atomic_init(&s->refused_other, 0);
    atomic_init(&s->refused_pending, 0);
    if (!(s->sock = zmq_socket(zctx, type))) {
        gs_err_set(err, GS_EZMQ, "%s: zmq_socket: %s", role, zmq_strerror(errno));
        free(s);
        return NULL;
    }
    return s;
}

static void resolve_endpoint(gs_sock_t *s, const char *fallback)
{
    size_t len = sizeof(s->endpoint);
    if (zmq_getsockopt(s->sock, ZMQ_LAST_ENDPOINT, s->endpoint, &len) < 0 || !s->endpoint[0])
        snprintf(s->endpoint, sizeof(s->endpoint), "%s", fallback);
}

gs_sock_t *gs_sock_bind(void *zctx, const gs_config_t *cfg, const char *endpoint, size_t max_msg,
                        const char *role, gs_err_t *err)
{
    int rc = 0;
    char sec[GS_SOCK_KEY_Z85 + 1] = "";
    gs_sock_t *s = sock_alloc(zctx, ZMQ_ROUTER, role, err);
    if (!s)
        return NULL;
    s->server = 1;
    int one = 1;
    if ((rc = common_options(s, cfg, max_msg, err)) < 0 ||
        (rc = setopt(s, ZMQ_ROUTER_HANDOVER, &one, sizeof(one), "ZMQ_ROUTER_HANDOVER", err)) < 0)
        goto fail;
    if (cfg->curve_allow[0] && !cfg->curve_secret_key[0]) {
        rc = gs_err_set(err, GS_EINVAL,
                        "%s: curve_allow is set but curve_secret_key is not (the server's key, "
                        "from govsweep keygen)",
                        role);
        goto fail;
    }
    if (cfg->curve_secret_key[0]) {
        if (!cfg->curve_allow[0]) {
            rc = gs_err_set(err, GS_EDENIED,
                            "%s: refusing to bind a CURVE socket without an allowlist of client "
                            "keys: without a ZAP handler libzmq accepts any client (set "
                            "curve_allow)",
                            role);
            goto fail;
        }
        if ((rc = gs_sock_key_read(cfg->curve_secret_key, 1, sec, err)) < 0)
            goto fail;
        if (cfg->curve_public_key[0]) {
            char pub[GS_SOCK_KEY_Z85 + 1], derived[GS_SOCK_KEY_Z85 + 1];
            if ((rc = gs_sock_key_read(cfg->curve_public_key, 0, pub, err)) < 0)
                goto fail;
            if (zmq_curve_public(derived, sec) < 0 || strcmp(pub, derived) != 0) {
                rc = gs_err_set(err, GS_EINVAL, "%s: %s is not the public half of %s", role,
                                cfg->curve_public_key, cfg->curve_secret_key);
                goto fail;
            }
        }
        if (!(s->allow_path = strdup(cfg->curve_allow))) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            goto fail;
        }
        if ((rc = allow_load(s->allow_path, &s->allow, &s->nallow, err)) < 0)
            goto fail;
        s->allow_loaded_ms = gs_now_ms();
        /* The ZAP handler is bound before the server socket exists on the network, so
         * there is no moment at which a client is let in unchecked. */
        int zero = 0;
        if (!(s->zap = zmq_socket(zctx, ZMQ_REP))) {
            rc = gs_err_set(err, GS_EZMQ, "%s: %s", role, zmq_strerror(errno));
            goto fail;
        }
        zmq_setsockopt(s->zap, ZMQ_LINGER, &zero, sizeof(zero));
        if (zmq_bind(s->zap, "inproc://zeromq.zap.01") < 0) {
            rc = gs_err_set(err, GS_EZMQ, "%s: cannot bind the ZAP handler: %s", role,
                            zmq_strerror(errno));
            goto fail;
        }
        s->curve = 1;
        if ((rc = setopt(s, ZMQ_CURVE_SERVER, &one, sizeof(one), "ZMQ_CURVE_SERVER", err)) < 0 ||
            (rc = setopt(s, ZMQ_CURVE_SECRETKEY, sec, sizeof(sec), "ZMQ_CURVE_SECRETKEY", err)) <
                0 ||
            (rc = setopt(s, ZMQ_ZAP_DOMAIN, GS_SOCK_ZAP_DOMAIN, strlen(GS_SOCK_ZAP_DOMAIN),
                         "ZMQ_ZAP_DOMAIN", err)) < 0)
            goto fail;
    } else if ((rc = refuse_plain(cfg, role, endpoint, err)) < 0) {
        goto fail;
    }
    if ((rc = start_guard(s, zctx, err)) < 0)
        goto fail;
    if (zmq_bind(s->sock, endpoint) < 0) {
        rc =
            gs_err_set(err, GS_EZMQ, "%s: cannot bind %s: %s", role, endpoint, zmq_strerror(errno));
        goto fail;
    }
    resolve_endpoint(s, endpoint);
    if (strncmp(s->endpoint, "ipc://", 6) == 0 && s->endpoint[6] != '@' &&
        chmod(s->endpoint + 6, 0600) < 0)
        gs_warn("%s: chmod 600 %s: %s", role, s->endpoint + 6, strerror(errno));
    explicit_bzero(sec, sizeof(sec));
    if (s->curve)
        gs_info("%s: CURVE on %s, %zu client keys allowed (%s)", role, s->endpoint, s->nallow,
                s->allow_path);
    return s;
fail:
    explicit_bzero(sec, sizeof(sec));
    gs_sock_destroy(&s);
    return NULL;
}

gs_sock_t *gs_sock_connect(void *zctx, const gs_config_t *cfg, const char *endpoint,
                           const char *routing_id, size_t max_msg, gs_err_t *err)
{
    int rc = 0;
    char sec[GS_SOCK_KEY_Z85 + 1] = "", pub[GS_SOCK_KEY_Z85 + 1] = "",
                               srv[GS_SOCK_KEY_Z85 + 1] = "";
    char role[32];
    snprintf(role, sizeof(role), "%.12s %.16s", "worker", routing_id);
    gs_sock_t *s = sock_alloc(zctx, ZMQ_DEALER, role, err);
    if (!s)
        return NULL;
    if ((rc = common_options(s, cfg, max_msg, err)) < 0 ||
        (rc = setopt(s, ZMQ_ROUTING_ID, routing_id, strlen(routing_id), "ZMQ_ROUTING_ID", err)) < 0)
        goto fail;
    if (cfg->curve_server_key[0] || cfg->curve_secret_key[0]) {
        if (!cfg->curve_server_key[0] || !cfg->curve_secret_key[0]) {
            rc = gs_err_set(err, GS_EINVAL,
                            "a CURVE client needs both curve_secret_key (its own key) and "
                            "curve_server_key (the dispatcher's and collector's .pub)");
            goto fail;
        }
        if ((rc = gs_sock_key_read(cfg->curve_secret_key, 1, sec, err)) < 0 ||
            (rc = gs_sock_key_read(cfg->curve_server_key, 0, srv, err)) < 0)
            goto fail;
        char derived[GS_SOCK_KEY_Z85 + 1];
        if (zmq_curve_public(derived, sec) < 0) {
            rc = gs_err_set(err, GS_EINVAL, "%s: not a CURVE secret key", cfg->curve_secret_key);
            goto fail;
        }
        if (cfg->curve_public_key[0]) {
            if ((rc = gs_sock_key_read(cfg->curve_public_key, 0, pub, err)) < 0)
                goto fail;
            if (strcmp(pub, derived) != 0) {
                rc = gs_err_set(err, GS_EINVAL, "%s is not the public half of %s",
                                cfg->curve_public_key, cfg->curve_secret_key);
                goto fail;
            }
        }
        memcpy(pub, derived, sizeof(pub));
        s->curve = 1;
        if ((rc = setopt(s, ZMQ_CURVE_SERVERKEY, srv, sizeof(srv), "ZMQ_CURVE_SERVERKEY", err)) <
                0 ||
            (rc = setopt(s, ZMQ_CURVE_PUBLICKEY, pub, sizeof(pub), "ZMQ_CURVE_PUBLICKEY", err)) <
                0 ||
            (rc = setopt(s, ZMQ_CURVE_SECRETKEY, sec, sizeof(sec), "ZMQ_CURVE_SECRETKEY", err)) < 0)
            goto fail;
    } else if ((rc = refuse_plain(cfg, role, endpoint, err)) < 0) {
        goto fail;
    }
    if ((rc = start_guard(s, zctx, err)) < 0)
        goto fail;
    if (zmq_connect(s->sock, endpoint) < 0) {
        rc = gs_err_set(err, GS_EZMQ, "cannot connect to %s: %s", endpoint, zmq_strerror(errno));
        goto fail;
    }
    resolve_endpoint(s, endpoint);
    snprintf(s->target, sizeof(s->target), "%s", endpoint);
    explicit_bzero(sec, sizeof(sec));
    return s;
fail:
    explicit_bzero(sec, sizeof(sec));
    gs_sock_destroy(&s);
    return NULL;
}

void gs_sock_destroy(gs_sock_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_sock_t *s = *self_p;
    if (s->sock) {
        if (s->mon)
            zmq_socket_monitor(s->sock, NULL, 0);
        zmq_close(s->sock);
    }
    if (s->running) {
        zmq_send(s->ctl, "", 0, 0);
        pthread_join(s->thread, NULL);
    }
    if (s->zap)
        zmq_close(s->zap);
    if (s->mon)
        zmq_close(s->mon);
    if (s->ctl_peer)
        zmq_close(s->ctl_peer);
    if (s->ctl)
        zmq_close(s->ctl);
    free(s->allow);
    free(s->allow_path);
    free(s);
    *self_p = NULL;
}

int gs_sock_maintain(gs_sock_t *s)
{
    if (s->server)
        return 0;
    uint64_t acc = atomic_load(&s->accepted);
    if (acc != s->accepted_seen) {
        s->accepted_seen = acc;
        s->retry_ms = 0; /* in again: the next refusal starts the back-off afresh */
    }
    int64_t now = gs_now_ms();
    if (atomic_exchange(&s->refused_pending, 0) && !s->retry_at_ms) {
        s->retry_ms = s->retry_ms ? s->retry_ms * 2 : RETRY_FIRST_MS;
        if (s->retry_ms > RETRY_MAX_MS)
            s->retry_ms = RETRY_MAX_MS;
        s->retry_at_ms = now + s->retry_ms;
    }
    if (!s->retry_at_ms || now < s->retry_at_ms)
        return 0;
    s->retry_at_ms = 0;
    (void)zmq_disconnect(s->sock, s->target); /* ENOENT when libzmq forgot it already */
    if (zmq_connect(s->sock, s->target) < 0) {
        gs_warn("%s: cannot connect to %s again: %s", s->role, s->target, zmq_strerror(errno));
        return GS_EZMQ;
    }
    gs_debug("%s: connecting to %s again after a refused handshake", s->role, s->target);
    return 1;
}

void *gs_sock_zmq(gs_sock_t *s)
{
    return s->sock;
}

const char *gs_sock_endpoint(const gs_sock_t *s)
{
    return s->endpoint;
}

int gs_sock_is_curve(const gs_sock_t *s)
{
    return s->curve;
}

void gs_sock_stats(const gs_sock_t *s, gs_sock_stats_t *out)
{
    /* The fields are atomics; loading through a const pointer is fine for reads. */
    gs_sock_t *m = (gs_sock_t *)s;
    out->accepted = atomic_load(&m->accepted);
    out->refused_key = atomic_load(&m->refused_key);
    out->refused_protocol = atomic_load(&m->refused_protocol);
    out->refused_other = atomic_load(&m->refused_other);
}
