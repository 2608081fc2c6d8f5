/* test_sock.c -- the daemons' ZeroMQ sockets with real sockets in one process: CURVE with
 * an allowed client key, the refusals (unknown client key, wrong server key, a plain client
 * against a CURVE server), the setups that must not start (no or empty allowlist, secret
 * key files open to others or not ours, plain tcp beyond loopback), the allowlist read
 * again for a key added later, keygen's files and modes, and the common options. Each
 * client lives in its own ZeroMQ context, as it would in its own process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_sock.h"
#include "gs_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MAXMSG (1024 * 1024)
#define WAIT_MS 15000 /* a hang guard, not a timing assertion */

static char dir[64];

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    assert_non_null(in);
    assert_non_null(out);
    char buf[256];
    size_t n = fread(buf, 1, sizeof(buf), in);
    assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
    assert_int_equal(chmod(to, mode), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/gs-sock-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    gs_err_t e;
    const char *names[] = {"server", "worker", "intruder", "other"};
    for (size_t i = 0; i < 4; i++)
        if (gs_sock_keygen(dir, names[i], 0, &e) < 0) {
            fprintf(stderr, "keygen: %s\n", e.msg);
            return -1;
        }
    char allow[128], from[128], to[160];
    path_of(allow, sizeof(allow), "allow");
    if (mkdir(allow, 0755) < 0)
        return -1;
    path_of(from, sizeof(from), "worker.pub");
    snprintf(to, sizeof(to), "%s/worker.pub", allow);
    copy_file(from, to, 0644);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A configuration with the given key files (NULL = not set), relative to dir. */
static void cfg_with(gs_config_t *c, const char *secret, const char *server_key, const char *allow)
{
    gs_config_init(c);
    char p[160];
    if (secret) {
        path_of(p, sizeof(p), secret);
        gs_config_set(c, "curve_secret_key", p, NULL);
    }
    if (server_key) {
        path_of(p, sizeof(p), server_key);
        gs_config_set(c, "curve_server_key", p, NULL);
    }
    if (allow) {
        path_of(p, sizeof(p), allow);
        gs_config_set(c, "curve_allow", p, NULL);
    }
    gs_config_set(c, "heartbeat_ms", "200", NULL);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A CURVE server on a loopback port of its own context. */
typedef struct server {
    void *ctx;
    gs_sock_t *s;
    gs_config_t cfg;
} server_t;

static void server_start(server_t *sv, const char *allow)
{
    cfg_with(&sv->cfg, "server.key", NULL, allow);
    sv->ctx = zmq_ctx_new();
    gs_err_t e;
    gs_err_clear(&e);
    sv->s = gs_sock_bind(sv->ctx, &sv->cfg, "tcp://127.0.0.1:*", MAXMSG, "test-server", &e);
    if (!sv->s)
        fprintf(stderr, "bind: %s\n", e.msg);
    assert_non_null(sv->s);
    assert_true(gs_sock_is_curve(sv->s));
    assert_non_null(strstr(gs_sock_endpoint(sv->s), "tcp://127.0.0.1:"));
}

static void server_stop(server_t *sv)
{
    gs_sock_destroy(&sv->s);
    assert_null(sv->s);
    gs_sock_destroy(&sv->s); /* idempotent */
    zmq_ctx_term(sv->ctx);
    gs_config_cleanup(&sv->cfg);
}

typedef struct client {
    void *ctx;
    gs_sock_t *s;
    gs_config_t cfg;
} client_t;

static void client_start(client_t *cl, const server_t *sv, const char *secret,
                         const char *server_key, const char *id)
{
    cfg_with(&cl->cfg, secret, server_key, NULL);
    cl->ctx = zmq_ctx_new();
    gs_err_t e;
    gs_err_clear(&e);
    cl->s = gs_sock_connect(cl->ctx, &cl->cfg, gs_sock_endpoint(sv->s), id, MAXMSG, &e);
    if (!cl->s)
        fprintf(stderr, "connect: %s\n", e.msg);
    assert_non_null(cl->s);
    assert_int_equal(zmq_send(gs_sock_zmq(cl->s), "hello", 5, ZMQ_DONTWAIT), 5);
}

static void client_stop(client_t *cl)
{
    gs_sock_destroy(&cl->s);
    zmq_ctx_term(cl->ctx);
    gs_config_cleanup(&cl->cfg);
}

/* Wait for [routing id][body] on the server; 1 when it came within the guard. */
static int server_recv(server_t *sv, const char *want_id, char *user, size_t ul)
{
    zmq_pollitem_t it = {gs_sock_zmq(sv->s), 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, WAIT_MS) != 1)
        return 0;
    char rid[64];
    int rn = zmq_recv(gs_sock_zmq(sv->s), rid, sizeof(rid), 0);
    assert_int_equal(rn, (int)strlen(want_id));
    assert_memory_equal(rid, want_id, strlen(want_id));
    zmq_msg_t m;
    zmq_msg_init(&m);
    assert_int_equal(zmq_msg_recv(&m, gs_sock_zmq(sv->s), 0), 5);
    assert_memory_equal(zmq_msg_data(&m), "hello", 5);
    const char *u = zmq_msg_gets(&m, "User-Id");
    snprintf(user, ul, "%s", u ? u : "");
    zmq_msg_close(&m);
    return 1;
}

typedef enum { W_KEY, W_PROTOCOL, W_PROTOCOL_OR_OTHER, W_ACCEPTED } wait_t;

/* Wait until the server has counted one handshake of the kind; 1 when it did. */
static int wait_server(server_t *sv, wait_t what)
{
    for (int waited = 0; waited < WAIT_MS; waited += 10) {
        gs_sock_stats_t st;
        gs_sock_stats(sv->s, &st);
        if ((what == W_KEY && st.refused_key) || (what == W_PROTOCOL && st.refused_protocol) ||
            (what == W_PROTOCOL_OR_OTHER && (st.refused_protocol || st.refused_other)) ||
            (what == W_ACCEPTED && st.accepted))
            return 1;
        sleep_ms(10);
    }
    return 0;
}

/* Nothing got through: the handshake failed before any message could. */
static void assert_nothing_received(server_t *sv)
{
    zmq_pollitem_t it = {gs_sock_zmq(sv->s), 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&it, 1, 0), 0);
    gs_sock_stats_t st;
    gs_sock_stats(sv->s, &st);
    assert_int_equal(st.accepted, 0);
}

static void test_curve_allowed(void **state)
{
    (void)state;
    server_t sv;
    client_t cl;
    server_start(&sv, "allow");
    client_start(&cl, &sv, "worker.key", "server.pub", "w-1");
    assert_true(gs_sock_is_curve(cl.s));
    char user[80];
    assert_true(server_recv(&sv, "w-1", user, sizeof(user)));
    assert_string_equal(user, "worker");       /* the key's name, from the ZAP reply */
    assert_true(wait_server(&sv, W_ACCEPTED)); /* the monitor's event comes on its own time */
    gs_sock_stats_t st;
    gs_sock_stats(sv.s, &st);
    assert_true(st.accepted >= 1);
    assert_int_equal(st.refused_key + st.refused_protocol + st.refused_other, 0);
    /* and the answer back reaches the client */
    void *r = gs_sock_zmq(sv.s);
    assert_int_equal(zmq_send(r, "w-1", 3, ZMQ_SNDMORE), 3);
    assert_int_equal(zmq_send(r, "ack", 3, 0), 3);
    char buf[8];
    zmq_pollitem_t it = {gs_sock_zmq(cl.s), 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&it, 1, WAIT_MS), 1);
    assert_int_equal(zmq_recv(gs_sock_zmq(cl.s), buf, sizeof(buf), 0), 3);
    client_stop(&cl);
    server_stop(&sv);
}

static void test_unknown_key_refused(void **state)
{
    (void)state;
    server_t sv;
    client_t cl;
    server_start(&sv, "allow");
    client_start(&cl, &sv, "intruder.key", "server.pub", "intruder");
    assert_true(wait_server(&sv, W_KEY));
    assert_nothing_received(&sv);
    /* the client learns it too (ZAP's 400 comes back as an ERROR command) */
    for (int waited = 0; waited < WAIT_MS; waited += 10) {
        gs_sock_stats_t cs;
        gs_sock_stats(cl.s, &cs);
        if (cs.refused_key)
            break;
        sleep_ms(10);
    }
    gs_sock_stats_t cs;
    gs_sock_stats(cl.s, &cs);
    assert_true(cs.refused_key >= 1);
    assert_int_equal(cs.accepted, 0);
    client_stop(&cl);
    server_stop(&sv);
}

static void test_wrong_server_key_refused(void **state)
{
    (void)state;
    server_t sv;
    client_t cl;
    server_start(&sv, "allow");
    /* an allowed client key, but it believes the server is "other" */
    client_start(&cl, &sv, "worker.key", "other.pub", "w-2");
    assert_true(wait_server(&sv, W_PROTOCOL));
    assert_nothing_received(&sv);
    client_stop(&cl);
    server_stop(&sv);
}

static void test_plain_client_refused(void **state)
{
    (void)state;
    server_t sv;
    client_t cl;
    server_start(&sv, "allow");
    client_start(&cl, &sv, NULL, NULL, "plain");
    assert_false(gs_sock_is_curve(cl.s));
    /* whichever side sees the mismatch first closes: the other sees the connection go */
    assert_true(wait_server(&sv, W_PROTOCOL_OR_OTHER));
    assert_nothing_received(&sv);
    client_stop(&cl);
    server_stop(&sv);
}

static void expect_bind_refused(gs_config_t *c, const char *ep, int code, const char *words)
{
    void *ctx = zmq_ctx_new();
    gs_err_t e;
    gs_err_clear(&e);
    gs_sock_t *s = gs_sock_bind(ctx, c, ep, MAXMSG, "test", &e);
    if (s)
        fprintf(stderr, "bound %s unexpectedly\n", ep);
    assert_null(s);
    if (e.code != code || !strstr(e.msg, words))
        fprintf(stderr, "got %d: %s\n", e.code, e.msg);
    assert_int_equal(e.code, code);
    assert_non_null(strstr(e.msg, words));
    zmq_ctx_term(ctx);
    gs_config_cleanup(c);
}

static void test_unsafe_setups_refused(void **state)
{
    (void)state;
    gs_config_t c;
    char p[160], q[160];
    /* CURVE without an allowlist: libzmq would accept anyone */
    cfg_with(&c, "server.key", NULL, NULL);
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_EDENIED, "without an allowlist");
    /* an empty allowlist directory, a missing one, an allowlist anyone can write */
    path_of(p, sizeof(p), "empty");
    assert_int_equal(mkdir(p, 0755), 0);
    cfg_with(&c, "server.key", NULL, "empty");
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_EDENIED, "holds no client key");
    cfg_with(&c, "server.key", NULL, "no-such-dir");
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_ENOTFOUND, "no-such-dir");
    path_of(p, sizeof(p), "open-allow");
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(chmod(p, 0777), 0);
    cfg_with(&c, "server.key", NULL, "open-allow");
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_EDENIED, "chmod go-w");
    /* an allowlist file with a bad line names the line */
    path_of(p, sizeof(p), "allow.txt");
    FILE *fp = fopen(p, "w");
    fputs("# workers\nnot-a-key worker-9\n", fp);
    fclose(fp);
    cfg_with(&c, "server.key", NULL, "allow.txt");
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_EINVAL, "allow.txt:2");
    /* an allowlist without a secret key */
    cfg_with(&c, NULL, NULL, "allow");
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_EINVAL, "curve_secret_key is not");
    /* a secret key readable by others: the message says what to run */
    path_of(p, sizeof(p), "server.key");
    path_of(q, sizeof(q), "loose.key");
    copy_file(p, q, 0644);
    cfg_with(&c, "loose.key", NULL, "allow");
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_EDENIED, "chmod 600");
    /* a public key that is not the secret's other half */
    cfg_with(&c, "server.key", NULL, "allow");
    path_of(p, sizeof(p), "other.pub");
    gs_config_set(&c, "curve_public_key", p, NULL);
    expect_bind_refused(&c, "tcp://127.0.0.1:*", GS_EINVAL, "not the public half");
    /* plain tcp beyond loopback, unless zmq_insecure */
    cfg_with(&c, NULL, NULL, NULL);
    expect_bind_refused(&c, "tcp://0.0.0.0:*", GS_EDENIED, "zmq_insecure");
    cfg_with(&c, NULL, NULL, NULL);
    gs_config_set(&c, "zmq_insecure", "true", NULL);
    void *ctx = zmq_ctx_new();
    gs_sock_t *s = gs_sock_bind(ctx, &c, "tcp://0.0.0.0:*", MAXMSG, "test", NULL);
    assert_non_null(s);
    assert_false(gs_sock_is_curve(s));
    gs_sock_destroy(&s);
    zmq_ctx_term(ctx);
    gs_config_cleanup(&c);
    /* the client side: plain to another host, half a key setup */
    cfg_with(&c, NULL, NULL, NULL);
    ctx = zmq_ctx_new();
    gs_err_t e;
    assert_null(gs_sock_connect(ctx, &c, "tcp://10.11.12.13:5570", "w", MAXMSG, &e));
    assert_int_equal(e.code, GS_EDENIED);
    gs_config_cleanup(&c);
    cfg_with(&c, NULL, "server.pub", NULL);
    assert_null(gs_sock_connect(ctx, &c, "tcp://10.11.12.13:5570", "w", MAXMSG, &e));
    assert_int_equal(e.code, GS_EINVAL);
    assert_non_null(strstr(e.msg, "curve_secret_key"));
    gs_config_cleanup(&c);
    zmq_ctx_term(ctx);
}

static void test_key_files(void **state)
{
    (void)state;
    char p[160], z[GS_SOCK_KEY_Z85 + 1], pub[GS_SOCK_KEY_Z85 + 1], derived[GS_SOCK_KEY_Z85 + 1];
    gs_err_t e;
    struct stat st;
    path_of(p, sizeof(p), "server.key");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(gs_sock_key_read(p, 1, z, &e), 0);
    assert_int_equal(strlen(z), GS_SOCK_KEY_Z85);
    path_of(p, sizeof(p), "server.pub");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(gs_sock_key_read(p, 0, pub, &e), 0);
    assert_int_equal(zmq_curve_public(derived, z), 0);
    assert_string_equal(derived, pub); /* the two files are one pair */
    /* a .pub given as the secret, a directory, garbage, a missing file */
    assert_int_equal(gs_sock_key_read(p, 1, z, &e), GS_EINVAL);
    path_of(p, sizeof(p), "allow");
    assert_int_equal(gs_sock_key_read(p, 1, z, &e), GS_EDENIED);
    assert_non_null(strstr(e.msg, "not a regular file"));
    path_of(p, sizeof(p), "garbage.key");
    FILE *fp = fopen(p, "w");
    fputs("# comment\nshort\n", fp);
    fclose(fp);
    chmod(p, 0600);
    assert_int_equal(gs_sock_key_read(p, 1, z, &e), GS_EINVAL);
    assert_non_null(strstr(e.msg, "garbage.key:2"));
    path_of(p, sizeof(p), "missing.key");
    assert_int_equal(gs_sock_key_read(p, 1, z, &e), GS_ENOTFOUND);
    /* group-readable is refused as well as world-readable */
    path_of(p, sizeof(p), "worker.key");
    assert_int_equal(chmod(p, 0640), 0);
    assert_int_equal(gs_sock_key_read(p, 1, z, &e), GS_EDENIED);
    assert_non_null(strstr(e.msg, "mode 0640"));
    assert_non_null(strstr(e.msg, "run: chmod 600"));
    assert_int_equal(chmod(p, 0600), 0);
    /* a public key anyone may rewrite */
    path_of(p, sizeof(p), "other.pub");
    assert_int_equal(chmod(p, 0666), 0);
    assert_int_equal(gs_sock_key_read(p, 0, z, &e), GS_EDENIED);
    assert_int_equal(chmod(p, 0644), 0);
    /* a secret key owned by someone else (only root can arrange that here) */
    if (geteuid() == 0) {
        char q[160];
        path_of(p, sizeof(p), "server.key");
        path_of(q, sizeof(q), "nobody.key");
        copy_file(p, q, 0600);
        assert_int_equal(chown(q, 65534, 65534), 0);
        assert_int_equal(gs_sock_key_read(q, 1, z, &e), GS_EDENIED);
        assert_non_null(strstr(e.msg, "run: chown 0"));
    }
}

static void test_keygen(void **state)
{
    (void)state;
    gs_err_t e;
    char p[160], a[GS_SOCK_KEY_Z85 + 1], b[GS_SOCK_KEY_Z85 + 1];
    assert_int_equal(gs_sock_keygen(dir, "w1", 0, &e), 0);
    path_of(p, sizeof(p), "w1.key");
    assert_int_equal(gs_sock_key_read(p, 1, a, &e), 0);
    /* no overwrite without force; force replaces the pair */
    assert_int_equal(gs_sock_keygen(dir, "w1", 0, &e), GS_EEXIST);
    assert_non_null(strstr(e.msg, "--force"));
    assert_int_equal(gs_sock_key_read(p, 1, b, &e), 0);
    assert_string_equal(a, b);
    assert_int_equal(gs_sock_keygen(dir, "w1", 1, &e), 0);
    assert_int_equal(gs_sock_key_read(p, 1, b, &e), 0);
    assert_string_not_equal(a, b);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    /* names that could leave the directory or hide */
    assert_int_equal(gs_sock_keygen(dir, "../x", 0, &e), GS_EINVAL);
    assert_int_equal(gs_sock_keygen(dir, ".hidden", 0, &e), GS_EINVAL);
    assert_int_equal(gs_sock_keygen(dir, "", 0, &e), GS_EINVAL);
    /* a directory made on the way is private */
    char sub[160];
    path_of(sub, sizeof(sub), "new-keys");
    assert_int_equal(gs_sock_keygen(sub, "k", 0, &e), 0);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
}

static void test_allowlist_read_again(void **state)
{
    (void)state;
    char allow[160], from[160], to[200];
    path_of(allow, sizeof(allow), "allow2");
    assert_int_equal(mkdir(allow, 0755), 0);
    path_of(from, sizeof(from), "worker.pub");
    snprintf(to, sizeof(to), "%s/worker.pub", allow);
    copy_file(from, to, 0644);
    server_t sv;
    client_t cl;
    server_start(&sv, "allow2");
    client_start(&cl, &sv, "other.key", "server.pub", "late");
    assert_true(wait_server(&sv, W_KEY));
    assert_nothing_received(&sv);
    /* the operator copies the new worker's .pub in: its next attempt gets through */
    path_of(from, sizeof(from), "other.pub");
    snprintf(to, sizeof(to), "%s/other.pub", allow);
    copy_file(from, to, 0644);
    /* libzmq gave up on the refused connection; gs_sock_maintain tries again */
    zmq_pollitem_t it = {gs_sock_zmq(sv.s), 0, ZMQ_POLLIN, 0};
    int reconnects = 0;
    for (int waited = 0; waited < WAIT_MS && zmq_poll(&it, 1, 20) == 0; waited += 20)
        if (gs_sock_maintain(cl.s) == 1) {
            /* what was queued went with the refused connection: say it again */
            reconnects++;
            zmq_send(gs_sock_zmq(cl.s), "hello", 5, ZMQ_DONTWAIT);
        }
    assert_true(reconnects >= 1);
    char user[80];
    assert_true(server_recv(&sv, "late", user, sizeof(user)));
    assert_string_equal(user, "other");
    client_stop(&cl);
    server_stop(&sv);
}

static void test_common_options(void **state)
{
    (void)state;
    gs_config_t c;
    cfg_with(&c, NULL, NULL, NULL);
    gs_config_set(&c, "heartbeat_ms", "300", NULL);
    gs_config_set(&c, "heartbeat_liveness", "4", NULL);
    void *ctx = zmq_ctx_new();
    char ep[200];
    snprintf(ep, sizeof(ep), "ipc://%s/test.sock", dir);
    gs_err_t e;
    gs_sock_t *s = gs_sock_bind(ctx, &c, ep, 12345, "test", &e);
    assert_non_null(s);
    void *z = gs_sock_zmq(s);
    int v;
    int64_t v64;
    size_t l = sizeof(v);
    assert_int_equal(zmq_getsockopt(z, ZMQ_HEARTBEAT_IVL, &v, &l), 0);
    assert_int_equal(v, 300);
    l = sizeof(v);
    assert_int_equal(zmq_getsockopt(z, ZMQ_HEARTBEAT_TIMEOUT, &v, &l), 0);
    assert_int_equal(v, 1200);
    l = sizeof(v);
    assert_int_equal(zmq_getsockopt(z, ZMQ_LINGER, &v, &l), 0);
    assert_int_equal(v, 0);
    l = sizeof(v);
    assert_int_equal(zmq_getsockopt(z, ZMQ_RECONNECT_IVL_MAX, &v, &l), 0);
    assert_int_equal(v, 5000);
    l = sizeof(v64);
    assert_int_equal(zmq_getsockopt(z, ZMQ_MAXMSGSIZE, &v64, &l), 0);
    assert_int_equal(v64, 12345);
    /* the ipc socket file is the owner's only */
    struct stat st;
    assert_int_equal(stat(ep + 6, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* a plain client on ipc needs no keys; a message passes */
    void *cctx = zmq_ctx_new();
    gs_sock_t *cs = gs_sock_connect(cctx, &c, ep, "local", 12345, &e);
    assert_non_null(cs);
    assert_int_equal(zmq_send(gs_sock_zmq(cs), "hello", 5, 0), 5);
    server_t sv = {ctx, s, c};
    char user[8];
    assert_true(server_recv(&sv, "local", user, sizeof(user)));
    assert_string_equal(user, "");
    gs_sock_destroy(&cs);
    zmq_ctx_term(cctx);
    gs_sock_destroy(&s);
    zmq_ctx_term(ctx);
    gs_config_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_allowed),
        cmocka_unit_test(test_unknown_key_refused),
        cmocka_unit_test(test_wrong_server_key_refused),
        cmocka_unit_test(test_plain_client_refused),
        cmocka_unit_test(test_unsafe_setups_refused),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_allowlist_read_again),
        cmocka_unit_test(test_common_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
