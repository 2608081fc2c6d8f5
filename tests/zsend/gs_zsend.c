/* gs_zsend.c -- gs-zsend, the integration tests' raw ZeroMQ peer: it sends malformed,
 * truncated, oversized, wrong-typed and unknown-version frames to a daemon's socket
 * (scenario M1 of the spec), with or without CURVE keys, so that the tests can show the
 * daemons drop and count them and carry on. python3 has no ZeroMQ module on Debian.
 *
 *   gs-zsend connect ENDPOINT [--id ID] [--secret-key F --server-key F] CASE...
 *       a DEALER, as a worker would be, to a dispatcher's or collector's ROUTER
 *   gs-zsend bind ENDPOINT --peer ID CASE...
 *       a ROUTER, as a dispatcher or collector would be: waits for the worker ID to say
 *       something, then sends it the cases
 *
 * CASE: truncated, oversized:BYTES, wrong-type, bad-version, garbage, empty, frames,
 * unexpected-hello, unexpected-ack, hb. Exit 0 when every frame was handed to ZeroMQ
 * and delivered within the linger time (10 s), 1 otherwise, 2 for bad usage. */
#include "gs_config.h"
#include "gs_msg.h"
#include "gs_sock.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LINGER_MS 10000
#define WAIT_PEER_MS 20000
#define OVERSIZED_MAX (64u * 1024 * 1024)

/* One frame's bytes. */
typedef struct frame {
    char *data;
    size_t len;
} frame_t;

static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

static frame_t from_sbuf(msgpack_sbuffer *sb)
{
    frame_t f = {sb->data, sb->size};
    sb->data = NULL; /* the frame owns it now */
    msgpack_sbuffer_destroy(sb);
    return f;
}

static frame_t from_buf(gs_buf_t *b)
{
    frame_t f;
    f.len = b->len;
    f.data = gs_buf_steal(b);
    return f;
}

/* The frames of one case; 0 or -1 for an unknown case. */
static int build(const char *name, frame_t *fr, int *nfr)
{
    gs_buf_t b;
    gs_buf_init(&b, OVERSIZED_MAX + 16);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    *nfr = 1;
    int rc = 0;
    if (!strcmp(name, "truncated")) {
        gs_taskref_t t = {"S0001", 3};
        gs_msg_encode_hello(&b, "zsend", 4, &t, 1);
        b.len /= 2; /* half a valid hello */
        fr[0] = from_buf(&b);
    } else if (!strncmp(name, "oversized:", 10)) {
        unsigned long n = strtoul(name + 10, NULL, 10);
        if (n == 0 || n > OVERSIZED_MAX) {
            rc = -1;
        } else {
            /* a map header and then a string as long as asked: well-formed but too big */
            msgpack_pack_map(&pk, 3);
            pack_str(&pk, "v");
            msgpack_pack_uint8(&pk, 1);
            pack_str(&pk, "t");
            pack_str(&pk, "hb");
            pack_str(&pk, "pad");
            msgpack_pack_bin(&pk, n);
            char *zeros = calloc(1, n);
            msgpack_pack_bin_body(&pk, zeros, n);
            free(zeros);
            fr[0] = from_sbuf(&sb);
        }
    } else if (!strcmp(name, "wrong-type")) {
        msgpack_pack_map(&pk, 5);
        pack_str(&pk, "v");
        msgpack_pack_uint8(&pk, 1);
        pack_str(&pk, "t");
        pack_str(&pk, "hello");
        pack_str(&pk, "worker");
        msgpack_pack_int(&pk, 7); /* a number where a string belongs */
        pack_str(&pk, "capacity");
        pack_str(&pk, "many");
        pack_str(&pk, "tasks");
        msgpack_pack_map(&pk, 0);
        fr[0] = from_sbuf(&sb);
    } else if (!strcmp(name, "bad-version")) {
        msgpack_pack_map(&pk, 3);
        pack_str(&pk, "v");
        msgpack_pack_uint8(&pk, 99);
        pack_str(&pk, "t");
        pack_str(&pk, "hb");
        pack_str(&pk, "tasks");
        msgpack_pack_array(&pk, 0);
        fr[0] = from_sbuf(&sb);
    } else if (!strcmp(name, "garbage")) {
        /* 0xc1 is never used in msgpack; a huge array header claims 4 billion elements */
        static const unsigned char g[] = {0xc1, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x00};
        gs_buf_append(&b, g, sizeof(g));
        fr[0] = from_buf(&b);
    } else if (!strcmp(name, "empty")) {
        fr[0].data = calloc(1, 1);
        fr[0].len = 0;
    } else if (!strcmp(name, "frames")) {
        gs_msg_encode_hb(&b, NULL, 0);
        fr[0] = from_buf(&b);
        gs_msg_encode_hb(&b, NULL, 0);
        fr[1] = from_buf(&b);
        *nfr = 2;
    } else if (!strcmp(name, "unexpected-hello")) {
        gs_msg_encode_hello(&b, "zsend", 1, NULL, 0);
        fr[0] = from_buf(&b);
    } else if (!strcmp(name, "unexpected-ack")) {
        gs_msg_encode_ack(&b, "no-sweep", "S0001", 1, GS_OUTCOME_STORED);
        fr[0] = from_buf(&b);
    } else if (!strcmp(name, "hb")) {
        gs_msg_encode_hb(&b, NULL, 0);
        fr[0] = from_buf(&b);
    } else {
        rc = -1;
    }
    msgpack_sbuffer_destroy(&sb);
    gs_buf_cleanup(&b);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: gs-zsend connect ENDPOINT [--id ID] [--secret-key F --server-key F] "
                    "CASE...\n       gs-zsend bind ENDPOINT --peer ID CASE...\n");
}

/* Send the cases, each frame with SNDMORE but its case's last; after a routing id when
 * peer is given (ROUTER). The number of messages sent, or -1. */
static int send_cases(void *s, const char *peer, char **cases, int ncases)
{
    int sent = 0;
    for (int c = 0; c < ncases; c++) {
        frame_t fr[2];
        int nfr;
        if (build(cases[c], fr, &nfr) < 0) {
            fprintf(stderr, "gs-zsend: unknown case '%s'\n", cases[c]);
            return -1;
        }
        int ok = 1;
        if (peer && zmq_send(s, peer, strlen(peer), ZMQ_SNDMORE) < 0)
            ok = 0;
        for (int i = 0; i < nfr; i++) {
            if (ok && zmq_send(s, fr[i].data, fr[i].len, i + 1 < nfr ? ZMQ_SNDMORE : 0) < 0)
                ok = 0;
            free(fr[i].data);
        }
        if (!ok) {
            fprintf(stderr, "gs-zsend: sending %s: %s\n", cases[c], zmq_strerror(errno));
            return -1;
        }
        sent++;
    }
    return sent;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        usage();
        return 2;
    }
    const char *mode = argv[1], *endpoint = argv[2];
    const char *id = "zsend", *peer = NULL, *secret = NULL, *server = NULL;
    int i = 3;
    for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
        if (!strcmp(argv[i], "--id"))
            id = argv[i + 1];
        else if (!strcmp(argv[i], "--peer"))
            peer = argv[i + 1];
        else if (!strcmp(argv[i], "--secret-key"))
            secret = argv[i + 1];
        else if (!strcmp(argv[i], "--server-key"))
            server = argv[i + 1];
        else {
            usage();
            return 2;
        }
    }
    int bind_mode = !strcmp(mode, "bind");
    if ((!bind_mode && strcmp(mode, "connect")) || i >= argc || (bind_mode && !peer)) {
        usage();
        return 2;
    }
    gs_config_t cfg;
    gs_config_init(&cfg);
    if (secret)
        gs_config_set(&cfg, "curve_secret_key", secret, NULL);
    if (server)
        gs_config_set(&cfg, "curve_server_key", server, NULL);
    void *ctx = zmq_ctx_new();
    gs_err_t err;
    gs_err_clear(&err);
    gs_sock_t *gs = bind_mode
                        ? gs_sock_bind(ctx, &cfg, endpoint, GS_MSG_MAX_BYTES, "gs-zsend", &err)
                        : gs_sock_connect(ctx, &cfg, endpoint, id, GS_MSG_MAX_BYTES, &err);
    int code = 1;
    if (!gs) {
        fprintf(stderr, "gs-zsend: %s\n", err.msg);
        goto out;
    }
    void *s = gs_sock_zmq(gs);
    int linger = LINGER_MS, one = 1;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
    if (bind_mode) {
        zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
        /* wait for the peer to speak, so that it is connected and routable */
        zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
        int heard = 0;
        while (!heard && zmq_poll(&it, 1, WAIT_PEER_MS) == 1) {
            char rid[64];
            int rn = zmq_recv(s, rid, sizeof(rid), 0);
            int more = 1;
            size_t ml = sizeof(more);
            while (zmq_getsockopt(s, ZMQ_RCVMORE, &more, &ml) == 0 && more) {
                zmq_msg_t m;
                zmq_msg_init(&m);
                zmq_msg_recv(&m, s, 0);
                zmq_msg_close(&m);
            }
            heard = rn == (int)strlen(peer) && !memcmp(rid, peer, (size_t)rn);
        }
        if (!heard) {
            fprintf(stderr, "gs-zsend: %s did not say anything on %s\n", peer, endpoint);
            goto out;
        }
    }
    int n = send_cases(s, bind_mode ? peer : NULL, argv + i, argc - i);
    if (n >= 0) {
        printf("gs-zsend: sent %d messages to %s\n", n, endpoint);
        code = 0;
    }
out:
    gs_sock_destroy(&gs); /* lingers until delivered, at most LINGER_MS */
    zmq_ctx_term(ctx);
    gs_config_cleanup(&cfg);
    return code;
}
