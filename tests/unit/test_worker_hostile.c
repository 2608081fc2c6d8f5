/* test_worker_hostile.c -- hostile servers against the fetch engine (reliability.md H1-H5):
 * gzip, double-gzip and brotli bombs inflating to 1 GiB, 100 MB bodies with and without
 * Content-Length, slowloris in the headers, the body and TLS (a handshake that stalls, one
 * trickled a byte a second, a body trickled after a real handshake), redirect loops and
 * 50-hop chains, 1 MiB of headers (many lines, and one line). Each case of
 * tests/data/fetch/hostile_cases.tsv must end at its cap with the exact reason, status and
 * byte count the table gives, while all of them run at once in one process whose resident
 * memory is measured (/proc/self/status) and must stay under a stated bound; a plain page
 * fetched after them must come back whole (the rest of a sweep goes on).
 *
 * The servers are real and on loopback: libmicrohttpd (HTTP, and HTTPS with a throwaway
 * self-signed certificate made with the openssl command) and raw TCP listeners for what
 * no HTTP server would do. They run in a child process, forked before anything else, so
 * that the memory measured is the fetch engine's alone. */
#include "case_tsv.h"

#include "gs_fetch.h"
#include "gs_util.h"

#include <brotli/encode.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define BOMB_BYTES (1024ull * 1024 * 1024) /* what each bomb inflates to */
#define HUGE_BYTES (100ull * 1000 * 1000)  /* the 100 MB bodies */
#define CHAIN_HOPS 50
#define MANY_HEADERS 1100        /* of 1000 bytes each: more than 1 MiB */
#define ONE_HEADER (1024 * 1024) /* one header line of 1 MiB */
#define TRICKLE_MAX_S 120        /* a trickling connection gives up after this */
#define MAX_CASES 64
#define RUN_DEADLINE_MS 60000 /* the whole run; a hang fails instead of stalling */

/* The page every bomb and huge body starts with, so that what is kept is a page. */
static const char page_prefix[] =
    "<html><head><meta charset=utf-8><title>首页</title></head><body><ul><li>"
    "<a href=\"/a\">通知</a><span>2021-06-14</span></li></ul></body></html>\n";
static const char ok_page[] =
    "<html><head><meta charset=utf-8><title>正常页面</title></head><body>ok</body></html>";

/* ---- the server process ------------------------------------------------------------- */

/* What the child serves from, made before the daemons start. */
typedef struct blob {
    unsigned char *data;
    size_t len;
} blob_t;

static blob_t gz_bomb, gz2_bomb, br_bomb;

/* Ports the child listens on, sent to the parent through a pipe. */
typedef struct ports {
    int http, https, hdr_trickle, body_trickle, tls_stall, tls_trickle;
} ports_t;

static pid_t server_pid;
static ports_t ports;
static char tmpdir[64];
static char cacert[128];

/* gzip of in (len bytes) followed by `zeros` zero bytes, Z_RLE (deflate's best ratio on
 * runs: 258 bytes in 2 bits), into a new blob. */
static blob_t gzip_of(const void *in, size_t len, uint64_t zeros)
{
    blob_t out = {NULL, 0};
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_RLE) != Z_OK)
        abort();
    size_t cap = len + (size_t)(zeros / 512) + 65536;
    out.data = malloc(cap);
    static unsigned char zbuf[1 << 20];
    z.next_out = out.data;
    z.avail_out = (uInt)cap;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    if (deflate(&z, Z_NO_FLUSH) != Z_OK)
        abort();
    while (zeros) {
        size_t n = zeros < sizeof(zbuf) ? (size_t)zeros : sizeof(zbuf);
        z.next_in = zbuf;
        z.avail_in = (uInt)n;
        if (deflate(&z, Z_NO_FLUSH) != Z_OK || z.avail_in)
            abort();
        zeros -= n;
    }
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    out.len = z.total_out;
    deflateEnd(&z);
    return out;
}

/* Brotli of the page prefix and BOMB_BYTES zeros, streamed (never held inflated). */
static blob_t brotli_bomb(void)
{
    blob_t out = {NULL, 0};
    BrotliEncoderState *s = BrotliEncoderCreateInstance(NULL, NULL, NULL);
    if (!s)
        abort();
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, 1);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN, 24);
    size_t cap = 4 * 1024 * 1024;
    out.data = malloc(cap);
    static unsigned char zbuf[1 << 20];
    uint64_t zeros = BOMB_BYTES;
    const uint8_t *in = (const uint8_t *)page_prefix;
    size_t avail_in = sizeof(page_prefix) - 1;
    for (;;) {
        if (avail_in == 0 && zeros) {
            size_t n = zeros < sizeof(zbuf) ? (size_t)zeros : sizeof(zbuf);
            in = zbuf;
            avail_in = n;
            zeros -= n;
        }
        BrotliEncoderOperation op =
            zeros || avail_in ? BROTLI_OPERATION_PROCESS : BROTLI_OPERATION_FINISH;
        size_t avail_out = cap - out.len;
        uint8_t *next_out = out.data + out.len;
        if (!BrotliEncoderCompressStream(s, op, &avail_in, &in, &avail_out, &next_out, NULL))
            abort();
        out.len = (size_t)(next_out - out.data);
        if (out.len >= cap)
            abort();
        if (op == BROTLI_OPERATION_FINISH && BrotliEncoderIsFinished(s))
            break;
    }
    BrotliEncoderDestroyInstance(s);
    return out;
}

/* The 100 MB bodies: the page prefix, then spaces. */
static ssize_t huge_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos >= HUGE_BYTES)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = max;
    if (n > HUGE_BYTES - pos)
        n = (size_t)(HUGE_BYTES - pos);
    memset(buf, ' ', n);
    if (pos < sizeof(page_prefix) - 1) {
        size_t k = sizeof(page_prefix) - 1 - (size_t)pos;
        memcpy(buf, page_prefix + pos, k < n ? k : n);
    }
    return (ssize_t)n;
}

/* A body trickled a byte a second (thread-per-connection: the sleep holds no one else). */
static ssize_t trickle_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls, (void)max;
    if (pos >= TRICKLE_MAX_S)
        return MHD_CONTENT_READER_END_OF_STREAM;
    sleep(1);
    buf[0] = 'a';
    return 1;
}

static struct MHD_Response *buffer_response(const void *data, size_t len)
{
    return MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *data_size, void **con_cls)
{
    (void)cls, (void)method, (void)version, (void)data, (void)data_size;
    if (*con_cls == NULL) {
        *con_cls = (void *)1;
        return MHD_YES;
    }
    struct MHD_Response *r;
    unsigned code = 200;
    int hops;
    if (!strcmp(url, "/gzip-bomb")) {
        r = buffer_response(gz_bomb.data, gz_bomb.len);
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    } else if (!strcmp(url, "/gzip2-bomb")) {
        r = buffer_response(gz2_bomb.data, gz2_bomb.len);
        MHD_add_response_header(r, "Content-Encoding", "gzip, gzip");
    } else if (!strcmp(url, "/gzip6")) {
        r = buffer_response(gz2_bomb.data, gz2_bomb.len);
        MHD_add_response_header(r, "Content-Encoding", "gzip, gzip, gzip, gzip, gzip, gzip");
    } else if (!strcmp(url, "/br-bomb")) {
        r = buffer_response(br_bomb.data, br_bomb.len);
        MHD_add_response_header(r, "Content-Encoding", "br");
    } else if (!strcmp(url, "/huge-cl")) {
        r = MHD_create_response_from_callback(HUGE_BYTES, 64 * 1024, huge_reader, NULL, NULL);
    } else if (!strcmp(url, "/huge-chunked")) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, huge_reader, NULL, NULL);
    } else if (!strcmp(url, "/slow-body")) {
        r = MHD_create_response_from_callback(TRICKLE_MAX_S, 16, trickle_reader, NULL, NULL);
    } else if (!strcmp(url, "/loop")) {
        r = buffer_response("", 0);
        MHD_add_response_header(r, "Location", "/loop");
        code = 302;
    } else if (sscanf(url, "/chain/%d", &hops) == 1 && hops > 0) {
        char loc[32];
        snprintf(loc, sizeof(loc), "/chain/%d", hops - 1);
        r = buffer_response("", 0);
        MHD_add_response_header(r, "Location", loc);
        code = 302;
    } else if (!strcmp(url, "/hdrs-many")) {
        static char val[1001];
        memset(val, 'x', sizeof(val) - 1);
        r = buffer_response(ok_page, sizeof(ok_page) - 1);
        for (int i = 0; i < MANY_HEADERS; i++) {
            char name[32];
            snprintf(name, sizeof(name), "X-Filler-%d", i);
            MHD_add_response_header(r, name, val);
        }
    } else if (!strcmp(url, "/hdr-huge")) {
        static char val[ONE_HEADER + 1];
        memset(val, 'x', ONE_HEADER);
        r = buffer_response(ok_page, sizeof(ok_page) - 1);
        MHD_add_response_header(r, "X-Huge", val);
    } else {
        /* /ok, /chain/0 and anything else: the plain page */
        r = buffer_response(ok_page, sizeof(ok_page) - 1);
        MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    }
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* A raw listener on 127.0.0.1, port 0; returns the fd and sets *port. */
static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        abort();
    *port = ntohs(a.sin_port);
    return fd;
}

/* What a raw listener does with each connection. */
typedef enum { RAW_HDR_TRICKLE, RAW_BODY_TRICKLE, RAW_TLS_STALL, RAW_TLS_TRICKLE } raw_kind_t;

typedef struct raw_conn {
    int fd;
    raw_kind_t kind;
} raw_conn_t;

/* Wait up to a second; 0 when the peer closed (or the wait failed), else 1. */
static int peer_still_there(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, 1000);
    if (n > 0) {
        char buf[4096];
        ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return 0;
    }
    return n >= 0;
}

static void *raw_serve(void *arg)
{
    raw_conn_t c = *(raw_conn_t *)arg;
    free(arg);
    static const char hdr_start[] = "HTTP/1.1 200 OK\r\nX-Slow: ";
    static const char body_start[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>";
    /* The opening of a TLS 1.2 ServerHello record, a byte at a time. */
    static const unsigned char hello[] = {0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76,
                                          0x03, 0x03, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    if (c.kind == RAW_HDR_TRICKLE)
        send(c.fd, hdr_start, sizeof(hdr_start) - 1, MSG_NOSIGNAL);
    else if (c.kind == RAW_BODY_TRICKLE)
        send(c.fd, body_start, sizeof(body_start) - 1, MSG_NOSIGNAL);
    for (int i = 0; i < TRICKLE_MAX_S && peer_still_there(c.fd); i++) {
        ssize_t rc = 1;
        if (c.kind == RAW_HDR_TRICKLE || c.kind == RAW_BODY_TRICKLE)
            rc = send(c.fd, "a", 1, MSG_NOSIGNAL);
        else if (c.kind == RAW_TLS_TRICKLE)
            rc = send(c.fd, &hello[i % sizeof(hello)], 1, MSG_NOSIGNAL);
        if (rc < 0)
            break;
    }
    close(c.fd);
    return NULL;
}

typedef struct raw_listener {
    int fd;
    raw_kind_t kind;
} raw_listener_t;

static void *raw_accept(void *arg)
{
    raw_listener_t *l = arg;
    for (;;) {
        int fd = accept(l->fd, NULL, NULL);
        if (fd < 0)
            continue;
        raw_conn_t *c = malloc(sizeof(*c));
        c->fd = fd;
        c->kind = l->kind;
        pthread_t t;
        if (pthread_create(&t, NULL, raw_serve, c) == 0)
            pthread_detach(t);
        else
            close(fd), free(c);
    }
    return NULL;
}

static void start_raw(raw_kind_t kind, int *port)
{
    raw_listener_t *l = malloc(sizeof(*l));
    l->fd = listen_any(port);
    l->kind = kind;
    pthread_t t;
    if (pthread_create(&t, NULL, raw_accept, l) != 0)
        abort();
    pthread_detach(t);
}

/* Read a whole file into a new NUL-terminated string. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* The child: make the bombs and the certificate, start every server, say the ports,
 * serve until killed. */
static void server_main(int wfd)
{
    gz_bomb = gzip_of(page_prefix, sizeof(page_prefix) - 1, BOMB_BYTES);
    gz2_bomb = gzip_of(gz_bomb.data, gz_bomb.len, 0);
    br_bomb = brotli_bomb();
    char cmd[512], keyp[160], crtp[160];
    snprintf(keyp, sizeof(keyp), "%s/key.pem", tmpdir);
    snprintf(crtp, sizeof(crtp), "%s", cacert);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout %s -out %s -days 2 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             keyp, crtp);
    if (system(cmd) != 0)
        abort();
    char *key = slurp(keyp), *crt = slurp(crtp);
    if (!key || !crt)
        abort();
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    /* room for 1 MiB of headers: libmicrohttpd builds them in the connection's pool */
    struct MHD_Daemon *http = MHD_start_daemon(
        flags, 0, NULL, NULL, handler, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(4 * 1024 * 1024), MHD_OPTION_CONNECTION_TIMEOUT, 180u, MHD_OPTION_END);
    struct MHD_Daemon *https = MHD_start_daemon(
        flags | MHD_USE_TLS, 0, NULL, NULL, handler, NULL, MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_HTTPS_MEM_CERT, crt, MHD_OPTION_CONNECTION_TIMEOUT, 180u, MHD_OPTION_END);
    if (!http || !https)
        abort();
    ports_t p;
    p.http = MHD_get_daemon_info(http, MHD_DAEMON_INFO_BIND_PORT)->port;
    p.https = MHD_get_daemon_info(https, MHD_DAEMON_INFO_BIND_PORT)->port;
    start_raw(RAW_HDR_TRICKLE, &p.hdr_trickle);
    start_raw(RAW_BODY_TRICKLE, &p.body_trickle);
    start_raw(RAW_TLS_STALL, &p.tls_stall);
    start_raw(RAW_TLS_TRICKLE, &p.tls_trickle);
    if (write(wfd, &p, sizeof(p)) != (ssize_t)sizeof(p))
        abort();
    close(wfd);
    for (;;)
        pause();
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gs-hostile.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(cacert, sizeof(cacert), "%s/cert.pem", tmpdir);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    server_pid = fork();
    assert_true(server_pid >= 0);
    if (server_pid == 0) {
        close(fds[0]);
        server_main(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &ports, sizeof(ports)), (ssize_t)sizeof(ports));
    close(fds[0]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    char path[160];
    snprintf(path, sizeof(path), "%s/key.pem", tmpdir);
    unlink(path);
    unlink(cacert);
    rmdir(tmpdir);
    curl_global_cleanup();
    return 0;
}

/* ---- the client: the cases, all at once ----------------------------------------------- */

/* One case of hostile_cases.tsv and what came back. */
typedef struct hcase {
    int lineno;
    char profile[32], server[32], path[64];
    long want_status;
    int want_curl;
    int want_truncated;
    long long want_len; /* -1: any */
    char want_error[256];
    /* what came back */
    int calls;
    long status;
    int curl_code, truncated, refused;
    size_t body_len;
    char error[256];
    char head[64]; /* the body's first bytes */
} hcase_t;

static void on_done(void *ud, const char *url, gs_response_t *resp)
{
    (void)url;
    hcase_t *c = ud;
    c->calls++;
    if (!resp)
        return;
    c->status = resp->status;
    c->curl_code = resp->curl_code;
    c->truncated = resp->truncated;
    c->refused = resp->refused;
    c->body_len = resp->body_len;
    snprintf(c->error, sizeof(c->error), "%s", resp->error);
    size_t n = resp->body_len < sizeof(c->head) - 1 ? resp->body_len : sizeof(c->head) - 1;
    memcpy(c->head, resp->body, n);
    c->head[n] = '\0';
}

/* The configuration of a profile of the table. The defaults but for what would make the
 * test slow (deadlines of seconds, not 15 s) and the loopback servers (allow_private). */
static void profile_cfg(const char *name, gs_config_t *c)
{
    gs_config_init(c);
    c->allow_private = true;
    c->host_connections = 64; /* every case on 127.0.0.1 at once */
    c->page_timeout_ms = 6000;
    c->connect_timeout_ms = 2000;
    c->low_speed_bytes = 100;
    c->low_speed_ms = 2000;
    free(c->cacert);
    c->cacert = strdup(cacert);
    if (!strcmp(name, "no-low-speed")) {
        c->low_speed_ms = 0;
    } else if (!strcmp(name, "redirects-60")) {
        c->max_redirects = 60;
    } else if (!strcmp(name, "body-64k")) {
        c->max_body_bytes = 65536;
    } else {
        assert_string_equal(name, "default");
    }
}

static int port_of(const char *server)
{
    if (!strcmp(server, "http"))
        return ports.http;
    if (!strcmp(server, "https"))
        return ports.https;
    if (!strcmp(server, "hdr-trickle"))
        return ports.hdr_trickle;
    if (!strcmp(server, "body-trickle"))
        return ports.body_trickle;
    if (!strcmp(server, "tls-stall") || !strcmp(server, "silent"))
        return ports.tls_stall;
    if (!strcmp(server, "tls-trickle"))
        return ports.tls_trickle;
    fail_msg("unknown server %s", server);
    return 0;
}

/* Resident and peak resident memory of this process, in KiB. */
static void rss_kib(long *rss, long *hwm)
{
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    *rss = *hwm = -1;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "VmRSS:", 6))
            *rss = strtol(line + 6, NULL, 10);
        else if (!strncmp(line, "VmHWM:", 6))
            *hwm = strtol(line + 6, NULL, 10);
    }
    fclose(f);
    assert_true(*rss > 0 && *hwm > 0);
}

/* How many bytes the servers would have had the engine decode, for the report line. */
static double offered_gb(const hcase_t *cs, size_t n)
{
    double b = 0;
    for (size_t i = 0; i < n; i++) {
        if (strstr(cs[i].path, "bomb"))
            b += (double)BOMB_BYTES;
        else if (strstr(cs[i].path, "huge"))
            b += (double)HUGE_BYTES;
    }
    return b / 1e9;
}

#define MAX_PROFILES 8

/* Bound on the engine's memory while every case runs: twice the cap of each body that
 * fills it (the body itself, and a realloc's copy at the moment it grows: gs_buf doubles
 * its allocation, but only written pages are resident), plus 64 MiB for libcurl's
 * buffers, OpenSSL and the allocator. The bombs and huge bodies offer 3.7 GB once
 * decoded; the default profile's five bodies that fill their 8 MiB cap give 144 MiB.
 * Sanitizers keep freed memory in quarantine and add shadow memory and redzones, so
 * their builds get four times the bound. */
static long bound_kib(const hcase_t *cs, size_t n, const gs_config_t *cfgs, char (*names)[32],
                      size_t nprof)
{
    long kib = 64 * 1024;
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < nprof; p++)
            if (!strcmp(cs[i].profile, names[p]) && cs[i].want_truncated && cs[i].want_len > 0)
                kib += (long)(2 * cfgs[p].max_body_bytes / 1024);
#if defined(__SANITIZE_ADDRESS__)
    kib *= 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    kib *= 4;
#endif
#endif
    return kib;
}

static void test_hostile(void **state)
{
    (void)state;
    static hcase_t cs[MAX_CASES];
    size_t n = 0;
    FILE *fp = case_open("fetch", "hostile_cases.tsv");
    case_row_t *row = malloc(sizeof(*row));
    assert_non_null(row);
    row->lineno = 0;
    while (case_next(fp, row)) {
        assert_true(n < MAX_CASES);
        assert_int_equal(row->n, 8);
        hcase_t *c = &cs[n++];
        memset(c, 0, sizeof(*c));
        c->lineno = row->lineno;
        snprintf(c->profile, sizeof(c->profile), "%s", row->f[0]);
        snprintf(c->server, sizeof(c->server), "%s", row->f[1]);
        snprintf(c->path, sizeof(c->path), "%s", row->f[2]);
        c->want_status = strtol(row->f[3], NULL, 10);
        c->want_curl = (int)strtol(row->f[4], NULL, 10);
        c->want_truncated = !strcmp(row->f[5], "yes");
        c->want_len = strcmp(row->f[6], "-") ? strtoll(row->f[6], NULL, 10) : -1;
        snprintf(c->want_error, sizeof(c->want_error), "%s", row->f[7]);
    }
    fclose(fp);
    free(row);
    assert_true(n >= 10);

    /* Is brotli decoding there? Debian 12's libcurl has it; without it libcurl does not
     * offer br and passes the bytes through undecoded, and the br case is skipped. */
    const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
    int have_br = (vi->features & CURL_VERSION_BROTLI) != 0;
    print_message("libcurl %s: brotli decoding %s\n", vi->version, have_br ? "on" : "off");

    /* One engine per profile, every case started at once. */
    char names[MAX_PROFILES][32];
    gs_config_t cfgs[MAX_PROFILES];
    gs_fetch_t *engines[MAX_PROFILES];
    size_t nprof = 0;
    for (size_t i = 0; i < n; i++) {
        size_t p = 0;
        while (p < nprof && strcmp(names[p], cs[i].profile))
            p++;
        if (p == nprof) {
            assert_true(nprof < MAX_PROFILES);
            snprintf(names[p], sizeof(names[p]), "%s", cs[i].profile);
            profile_cfg(names[p], &cfgs[p]);
            gs_err_t e;
            engines[p] = gs_fetch_new(&cfgs[p], &e);
            assert_non_null(engines[p]);
            nprof++;
        }
    }
    long rss0, hwm0, rss, hwm, peak = 0;
    rss_kib(&rss0, &hwm0);
    for (size_t i = 0; i < n; i++) {
        if (!have_br && strstr(cs[i].path, "br-"))
            continue;
        size_t p = 0;
        while (strcmp(names[p], cs[i].profile))
            p++;
        char url[128];
        const char *scheme =
            !strcmp(cs[i].server, "https") || !strncmp(cs[i].server, "tls", 3) ? "https" : "http";
        snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", scheme, port_of(cs[i].server),
                 cs[i].path);
        assert_int_equal(gs_fetch_add(engines[p], url, &cs[i], 0, NULL, on_done, &cs[i]), 0);
    }
    int64_t t0 = gs_now_ms(), end = t0 + RUN_DEADLINE_MS;
    size_t pending;
    do {
        pending = 0;
        for (size_t p = 0; p < nprof; p++) {
            gs_fetch_poll(engines[p], NULL, 0, 5);
            pending += gs_fetch_pending(engines[p]);
        }
        rss_kib(&rss, &hwm);
        if (rss - rss0 > peak)
            peak = rss - rss0;
    } while (pending && gs_now_ms() < end);
    rss_kib(&rss, &hwm);
    long limit = bound_kib(cs, n, cfgs, names, nprof);
    print_message("%zu hostile transfers at once (%.1f GB offered once decoded), %.1f s: "
                  "resident memory grew by at most %ld KiB (sampled), peak %ld KiB over the "
                  "%ld KiB before (VmHWM), bound %ld KiB\n",
                  n, offered_gb(cs, n), (double)(gs_now_ms() - t0) / 1000.0, peak, hwm - rss0, rss0,
                  limit);
    assert_int_equal(pending, 0);

    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        hcase_t *c = &cs[i];
        if (!have_br && strstr(c->path, "br-"))
            continue;
        int ok = c->calls == 1 && c->status == c->want_status && c->curl_code == c->want_curl &&
                 c->truncated == c->want_truncated &&
                 (c->want_len < 0 || (long long)c->body_len == c->want_len) &&
                 strcmp(c->error, c->want_error) == 0;
        /* What was kept of a cut page is the page the server sent first. */
        if (ok && c->want_truncated && c->want_len > 0)
            ok = !strncmp(c->head, page_prefix, strlen(c->head) < 20 ? strlen(c->head) : 20);
        if (!ok) {
            bad++;
            print_error("line %d %s %s %s: got status %ld curl %d truncated %d len %zu "
                        "error \"%s\" (calls %d); want %ld %d %d %lld \"%s\"\n",
                        c->lineno, c->profile, c->server, c->path, c->status, c->curl_code,
                        c->truncated, c->body_len, c->error, c->calls, c->want_status, c->want_curl,
                        c->want_truncated, c->want_len, c->want_error);
        }
    }
    assert_int_equal(bad, 0);
    assert_true(hwm - rss0 < limit);
    assert_true(peak < limit);

    /* The rest goes on: a plain page after all of it, on the same engines, comes back whole. */
    for (size_t p = 0; p < nprof; p++) {
        hcase_t after;
        memset(&after, 0, sizeof(after));
        char url[96];
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", ports.http);
        assert_int_equal(gs_fetch_add(engines[p], url, &after, 0, NULL, on_done, &after), 0);
        while (gs_fetch_pending(engines[p]) && gs_now_ms() < end + 10000)
            gs_fetch_poll(engines[p], NULL, 0, 50);
        assert_int_equal(after.calls, 1);
        assert_int_equal(after.status, 200);
        assert_int_equal(after.curl_code, 0);
        assert_int_equal(after.body_len, sizeof(ok_page) - 1);
        assert_string_equal(after.error, "");
        gs_fetch_stats_t st;
        gs_fetch_stats(engines[p], &st);
        print_message("profile %s: %llu requests, %llu ok, %llu failed, %llu truncated, %llu "
                      "bytes kept\n",
                      names[p], (unsigned long long)st.requests, (unsigned long long)st.ok,
                      (unsigned long long)st.failed, (unsigned long long)st.truncated,
                      (unsigned long long)st.bytes);
        gs_fetch_destroy(&engines[p]);
        gs_config_cleanup(&cfgs[p]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
