/* test_worker_fetch.c -- the fetch engine against a real HTTP server on loopback
 * (libmicrohttpd): caps on body, decompressed body and headers, redirect loops, the SSRF
 * guard on every spelling of loopback, per-host politeness, cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_fetch.h"
#include "gs_util.h"

#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static struct MHD_Daemon *daemon_;
static int port;
static char *bomb; /* gzip of 64 MiB of zeros */
static size_t bomb_len;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int active, max_active;

static ssize_t zeros_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos >= 5u * 1024 * 1024)
        return MHD_CONTENT_READER_END_OF_STREAM;
    memset(buf, 'a', max);
    return (ssize_t)max;
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
    if (!strcmp(url, "/big")) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, zeros_cb, NULL, NULL);
    } else if (!strcmp(url, "/big-cl")) {
        r = MHD_create_response_from_callback(5u * 1024 * 1024, 64 * 1024, zeros_cb, NULL, NULL);
    } else if (!strcmp(url, "/bomb")) {
        r = MHD_create_response_from_buffer(bomb_len, bomb, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    } else if (!strcmp(url, "/loop")) {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Location", "/loop");
        code = 302;
    } else if (!strcmp(url, "/hdrs")) {
        r = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
        static char val[1000];
        memset(val, 'x', sizeof(val) - 1);
        for (int i = 0; i < 100; i++) {
            char name[32];
            snprintf(name, sizeof(name), "X-Filler-%d", i);
            MHD_add_response_header(r, name, val);
        }
    } else if (!strcmp(url, "/r429") || !strcmp(url, "/r429long") || !strcmp(url, "/r503")) {
        r = MHD_create_response_from_buffer(4, (void *)"busy", MHD_RESPMEM_PERSISTENT);
        if (strcmp(url, "/r503") != 0)
            MHD_add_response_header(r, "Retry-After", strcmp(url, "/r429") ? "3600" : "1");
        code = strcmp(url, "/r503") ? 429 : 503;
    } else if (!strcmp(url, "/slow")) {
        pthread_mutex_lock(&mu);
        if (++active > max_active)
            max_active = active;
        pthread_mutex_unlock(&mu);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&mu);
        active--;
        pthread_mutex_unlock(&mu);
        r = MHD_create_response_from_buffer(4, (void *)"slow", MHD_RESPMEM_PERSISTENT);
    } else {
        static const char page[] =
            "<html><head><meta charset=utf-8><title>首页</title></head><body>ok</body></html>";
        r = MHD_create_response_from_buffer(sizeof(page) - 1, (void *)page, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    }
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static int setup(void **state)
{
    (void)state;
    /* a gzip bomb: 64 MiB of zeros in ~64 KiB */
    size_t raw = 64u * 1024 * 1024;
    char *zeros = calloc(1, raw);
    bomb_len = raw / 100 + 1024;
    bomb = malloc(bomb_len);
    z_stream z;
    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)zeros;
    z.avail_in = (uInt)raw;
    z.next_out = (Bytef *)bomb;
    z.avail_out = (uInt)bomb_len;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    bomb_len = z.total_out;
    deflateEnd(&z);
    free(zeros);
    daemon_ =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                         NULL, handler, NULL,
                         /* room for the 100 KB of headers of /hdrs: by default
                            libmicrohttpd has 32 KB per connection and would close it */
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(1024 * 1024), MHD_OPTION_END);
    assert_non_null(daemon_);
    port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    MHD_stop_daemon(daemon_);
    free(bomb);
    curl_global_cleanup();
    return 0;
}

typedef struct got {
    int calls, cancelled;
    long status;
    int curl_code;
    int refused, truncated;
    size_t body_len;
    char error[256];
} got_t;

static void on_done(void *ud, const char *url, gs_response_t *resp)
{
    (void)url;
    got_t *g = ud;
    g->calls++;
    if (!resp) {
        g->cancelled++;
        return;
    }
    g->status = resp->status;
    g->curl_code = resp->curl_code;
    g->refused = resp->refused;
    g->truncated = resp->truncated;
    g->body_len = resp->body_len;
    snprintf(g->error, sizeof(g->error), "%s", resp->error);
}

static void fetch_one(gs_config_t *cfg, const char *url, got_t *g)
{
    gs_err_t e;
    gs_fetch_t *f = gs_fetch_new(cfg, &e);
    assert_non_null(f);
    memset(g, 0, sizeof(*g));
    assert_int_equal(gs_fetch_add(f, url, g, 0, NULL, on_done, g), 0);
    int64_t end = gs_now_ms() + 20000;
    while (gs_fetch_pending(f) && gs_now_ms() < end)
        gs_fetch_poll(f, NULL, 0, 100);
    assert_int_equal(g->calls, 1);
    gs_fetch_destroy(&f);
    assert_null(f);
}

static void base_cfg(gs_config_t *c)
{
    gs_config_init(c);
    c->allow_private = true;
    c->max_body_bytes = 1024 * 1024;
    c->max_header_bytes = 16 * 1024;
}

static void test_ok(void **state)
{
    (void)state;
    gs_config_t c;
    base_cfg(&c);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    got_t g;
    fetch_one(&c, url, &g);
    assert_int_equal(g.curl_code, 0);
    assert_int_equal(g.status, 200);
    assert_true(g.body_len > 20);
    assert_false(g.truncated);
    gs_config_cleanup(&c);
}

static void test_caps(void **state)
{
    (void)state;
    gs_config_t c;
    base_cfg(&c);
    char url[64];
    got_t g;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", port);
    fetch_one(&c, url, &g);
    assert_true(g.truncated);
    assert_true(g.body_len <= c.max_body_bytes);

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/big-cl", port);
    fetch_one(&c, url, &g);
    assert_true(g.truncated);
    assert_true(g.body_len <= c.max_body_bytes);

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/bomb", port);
    fetch_one(&c, url, &g);
    assert_true(g.truncated); /* stopped at 1 MiB of the 64 MiB it would inflate to */
    assert_true(g.body_len <= c.max_body_bytes);

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/loop", port);
    fetch_one(&c, url, &g);
    assert_int_equal(g.curl_code, CURLE_TOO_MANY_REDIRECTS);

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hdrs", port);
    fetch_one(&c, url, &g);
    assert_int_not_equal(g.curl_code, 0);
    if (!strstr(g.error, "headers larger"))
        fprintf(stderr, "/hdrs: curl %d: %s\n", g.curl_code, g.error);
    assert_non_null(strstr(g.error, "headers larger"));
    gs_config_cleanup(&c);
}

/* Without allow_private, every spelling of loopback is refused at connect time. */
static void test_ssrf_guard(void **state)
{
    (void)state;
    gs_config_t c;
    base_cfg(&c);
    c.allow_private = false;
    c.home_retries = 0;
    const char *hosts[] = {"127.0.0.1", "localhost", "2130706433",        "0x7f000001",
                           "127.1",     "[::1]",     "[::ffff:127.0.0.1]"};
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        char url[96];
        snprintf(url, sizeof(url), "http://%s:%d/", hosts[i], port);
        got_t g;
        fetch_one(&c, url, &g);
        if (!g.refused)
            fprintf(stderr, "not refused: %s (%s)\n", url, g.error);
        assert_true(g.refused);
        assert_int_equal(g.status, 0);
    }
    /* a name mapped to loopback with --connect-to is refused too */
    char ct[64];
    snprintf(ct, sizeof(ct), "::127.0.0.1:%d", port);
    c.connect_to.items[0] = ct;
    c.connect_to.len = 1;
    got_t g;
    fetch_one(&c, "http://www.sim-x.gov.cn/", &g);
    assert_true(g.refused);
    c.connect_to.len = 0;
    /* file: and gopher: are not fetched at all */
    fetch_one(&c, "http://127.0.0.1:1/", &g);
    assert_true(g.refused);
    gs_config_cleanup(&c);
}

static void test_politeness(void **state)
{
    (void)state;
    gs_config_t c;
    base_cfg(&c);
    c.host_connections = 1;
    c.host_delay_ms = 100;
    gs_err_t e;
    gs_fetch_t *f = gs_fetch_new(&c, &e);
    got_t g[5];
    memset(g, 0, sizeof(g));
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", port);
    max_active = 0;
    int64_t t0 = gs_now_ms();
    for (int i = 0; i < 5; i++)
        assert_int_equal(gs_fetch_add(f, url, f, 0, NULL, on_done, &g[i]), 0);
    while (gs_fetch_pending(f))
        gs_fetch_poll(f, NULL, 0, 50);
    int64_t took = gs_now_ms() - t0;
    for (int i = 0; i < 5; i++)
        assert_int_equal(g[i].status, 200);
    assert_int_equal(max_active, 1); /* never two at once on one host */
    assert_true(took >= 400);        /* four gaps of at least 100 ms between starts */
    gs_fetch_destroy(&f);
    gs_config_cleanup(&c);
}

/* Queue n copies of each url; poll until all are answered; ms taken. */
static int64_t fetch_all(gs_fetch_t *f, const char *const *urls, size_t nurls, int n, got_t *g)
{
    int64_t t0 = gs_now_ms();
    for (size_t u = 0; u < nurls; u++)
        for (int i = 0; i < n; i++)
            assert_int_equal(gs_fetch_add(f, urls[u], f, 0, NULL, on_done, &g[u * (size_t)n + i]),
                             0);
    int64_t end = t0 + 60000;
    while (gs_fetch_pending(f) && gs_now_ms() < end)
        gs_fetch_poll(f, NULL, 0, 50);
    assert_int_equal(gs_fetch_pending(f), 0);
    return gs_now_ms() - t0;
}

/* Eight hosts on one address (a 集约化 platform): once their first connections have
 * shown the address, at most ip_connections transfers reach it at once, although the
 * hosts' own limit would allow 8 x 2; and before that, one transfer per new host. */
static void test_ip_politeness(void **state)
{
    (void)state;
    gs_config_t c;
    base_cfg(&c);
    c.host_connections = 2;
    c.ip_connections = 3;
    char ct[64], urls[8][64];
    const char *u[8];
    snprintf(ct, sizeof(ct), "::127.0.0.1:%d", port);
    gs_err_t e;
    assert_int_equal(gs_config_set(&c, "connect_to", ct, &e), 0);
    for (int i = 0; i < 8; i++) {
        snprintf(urls[i], sizeof(urls[i]), "http://h%d.platform.test/slow", i);
        u[i] = urls[i];
    }
    gs_fetch_t *f = gs_fetch_new(&c, &e);
    assert_non_null(f);
    got_t g[8 * 4];
    memset(g, 0, sizeof(g));
    max_active = 0;
    fetch_all(f, u, 8, 2, g); /* new hosts: their first transfers learn the address */
    assert_true(max_active <= 8);
    max_active = 0;
    memset(g, 0, sizeof(g));
    fetch_all(f, u, 8, 4, g);
    for (int i = 0; i < 32; i++)
        assert_int_equal(g[i].status, 200);
    assert_true(max_active >= 2);
    assert_true(max_active <= 3);
    gs_fetch_destroy(&f);

    /* 0: no limit per address, only per host */
    c.ip_connections = 0;
    f = gs_fetch_new(&c, &e);
    max_active = 0;
    memset(g, 0, sizeof(g));
    fetch_all(f, u, 8, 4, g);
    assert_true(max_active > 3);
    assert_true(max_active <= 16);
    gs_fetch_destroy(&f);
    gs_config_cleanup(&c);
}

/* 429 and 503 pause their host: Retry-After when given, else backoff_ms doubling (half
 * of it random), never longer than backoff_max_ms. The answers themselves reach the
 * caller as they came. */
static void test_backoff(void **state)
{
    (void)state;
    gs_config_t c;
    base_cfg(&c);
    c.host_connections = 1;
    c.backoff_ms = 200;
    c.backoff_max_ms = 5000;
    gs_err_t e;
    char url[64];
    const char *u[1] = {url};
    got_t g[3];
    gs_fetch_stats_t st;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/r429", port); /* Retry-After: 1 */
    gs_fetch_t *f = gs_fetch_new(&c, &e);
    memset(g, 0, sizeof(g));
    int64_t took = fetch_all(f, u, 1, 2, g);
    assert_int_equal(g[0].status, 429);
    assert_int_equal(g[1].status, 429);
    assert_true(took >= 1000);
    gs_fetch_stats(f, &st);
    assert_int_equal(st.backoffs, 2);
    gs_fetch_destroy(&f);

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/r503", port); /* no Retry-After */
    f = gs_fetch_new(&c, &e);
    memset(g, 0, sizeof(g));
    took = fetch_all(f, u, 1, 3, g);
    assert_int_equal(g[2].status, 503);
    assert_true(took >= 100 + 200); /* at least half of 200, then half of 400 */
    gs_fetch_destroy(&f);

    /* Retry-After: 3600 against a cap of 300 ms: waits the cap, not an hour */
    c.backoff_max_ms = 300;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/r429long", port);
    f = gs_fetch_new(&c, &e);
    memset(g, 0, sizeof(g));
    took = fetch_all(f, u, 1, 2, g);
    assert_int_equal(g[1].status, 429);
    assert_true(took >= 300);
    gs_fetch_destroy(&f);

    /* any other answer clears the count: a 200 after a 503 is no reason to wait */
    c.backoff_ms = 60000;
    c.backoff_max_ms = 60000;
    f = gs_fetch_new(&c, &e);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    memset(g, 0, sizeof(g));
    fetch_all(f, u, 1, 2, g);
    gs_fetch_stats(f, &st);
    assert_int_equal(st.backoffs, 0);
    assert_int_equal(g[1].status, 200);
    gs_fetch_destroy(&f);
    gs_config_cleanup(&c);
}

static void test_cancel(void **state)
{
    (void)state;
    gs_config_t c;
    base_cfg(&c);
    c.host_connections = 1;
    gs_err_t e;
    gs_fetch_t *f = gs_fetch_new(&c, &e);
    got_t g[3];
    memset(g, 0, sizeof(g));
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", port);
    int owner_a, owner_b;
    assert_int_equal(gs_fetch_add(f, url, &owner_a, 0, NULL, on_done, &g[0]), 0);
    assert_int_equal(gs_fetch_add(f, url, &owner_a, 0, NULL, on_done, &g[1]), 0);
    assert_int_equal(gs_fetch_add(f, url, &owner_b, 0, NULL, on_done, &g[2]), 0);
    gs_fetch_poll(f, NULL, 0, 0); /* first one starts */
    gs_fetch_cancel(f, &owner_a);
    assert_int_equal(g[0].cancelled + g[1].cancelled, 2);
    while (gs_fetch_pending(f))
        gs_fetch_poll(f, NULL, 0, 50);
    assert_int_equal(g[2].status, 200);
    assert_int_equal(g[0].calls + g[1].calls, 2); /* each callback once, no more */
    gs_fetch_destroy(&f);
    gs_config_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok),         cmocka_unit_test(test_caps),
        cmocka_unit_test(test_ssrf_guard), cmocka_unit_test(test_politeness),
        cmocka_unit_test(test_cancel),     cmocka_unit_test(test_ip_politeness),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
