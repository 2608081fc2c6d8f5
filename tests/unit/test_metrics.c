/* test_metrics.c -- the daemons' metrics: the exposition text of each role (one HELP and
 * TYPE per family, the role's metrics only, the values), the HTTP endpoint on a real
 * loopback socket read with libcurl (GET and HEAD /metrics, 404, 405, a request too big,
 * bad listen addresses), and how refused messages are classified from gs_msg_decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_metrics.h"
#include "gs_msg.h"

#include <curl/curl.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static char *render(const gs_metrics_t *m)
{
    gs_buf_t b;
    gs_buf_init(&b, GS_METRICS_TEXT_MAX);
    assert_int_equal(gs_metrics_render(m, &b), 0);
    return gs_buf_steal(&b);
}

static void test_render_roles(void **state)
{
    (void)state;
    gs_metrics_t *d = gs_metrics_new(GS_METRICS_DISPATCHER);
    gs_metrics_t *c = gs_metrics_new(GS_METRICS_COLLECTOR);
    gs_metrics_t *w = gs_metrics_new(GS_METRICS_WORKER);
    assert_non_null(d);
    gs_metrics_add(d, GS_M_TASKS_LEASED, 3);
    gs_metrics_add(d, GS_M_TASKS_LEASED, 4);
    gs_metrics_set(d, GS_M_QUEUE_DEPTH, 12);
    gs_metrics_add(d, GS_M_DROP_VERSION, 1);
    gs_metrics_set(d, GS_M_REDIS_UP, 1);
    gs_sock_stats_t st = {5, 2, 1, 0};
    gs_metrics_set_handshakes(d, &st);
    gs_metrics_add(NULL, GS_M_TASKS_LEASED, 1); /* NULL-safe */
    assert_int_equal(gs_metrics_get(d, GS_M_TASKS_LEASED), 7);
    char *t = render(d);
    assert_non_null(strstr(t, "govsweep_info{role=\"dispatcher\",version=\"" GS_VERSION "\"} 1\n"));
    assert_non_null(strstr(t, "# TYPE govsweep_tasks_leased_total counter\n"
                              "govsweep_tasks_leased_total 7\n"));
    assert_non_null(strstr(t, "# TYPE govsweep_queue_depth gauge\ngovsweep_queue_depth 12\n"));
    assert_non_null(strstr(t, "govsweep_messages_dropped_total{reason=\"version\"} 1\n"));
    assert_non_null(strstr(t, "govsweep_messages_dropped_total{reason=\"malformed\"} 0\n"));
    assert_non_null(strstr(t, "govsweep_handshakes_refused_total{reason=\"unknown_key\"} 2\n"));
    assert_non_null(strstr(t, "govsweep_handshakes_accepted_total 5\n"));
    assert_non_null(strstr(t, "govsweep_redis_up 1\n"));
    assert_non_null(strstr(t, "govsweep_workers_connected 0\n"));
    /* one HELP and TYPE per family, however many label values */
    assert_int_equal(count(t, "# TYPE govsweep_messages_dropped_total "), 1);
    assert_int_equal(count(t, "# HELP govsweep_messages_dropped_total "), 1);
    assert_int_equal(count(t, "govsweep_messages_dropped_total{"), 5);
    /* not the collector's or the worker's */
    assert_null(strstr(t, "govsweep_results_stored_total"));
    assert_null(strstr(t, "govsweep_pages_total"));
    assert_null(strstr(t, "fetch_refused"));
    free(t);

    gs_metrics_add(c, GS_M_STORED, 24);
    gs_metrics_add(c, GS_M_DUP, 1);
    t = render(c);
    assert_non_null(strstr(t, "govsweep_results_stored_total{outcome=\"stored\"} 24\n"
                              "govsweep_results_stored_total{outcome=\"dup\"} 1\n"
                              "govsweep_results_stored_total{outcome=\"stale\"} 0\n"));
    assert_non_null(strstr(t, "govsweep_pages_total 0\n"));
    assert_non_null(strstr(t, "govsweep_errors_total{kind=\"redis\"} 0\n"));
    assert_null(strstr(t, "govsweep_tasks_leased_total"));
    assert_null(strstr(t, "govsweep_queue_depth"));
    free(t);

    t = render(w);
    assert_non_null(strstr(t, "govsweep_tasks_leased_total 0\n"));
    assert_non_null(strstr(t, "govsweep_errors_total{kind=\"fetch_refused\"} 0\n"));
    assert_non_null(strstr(t, "govsweep_tasks_inflight 0\n"));
    assert_null(strstr(t, "govsweep_redis_up"));
    assert_null(strstr(t, "govsweep_tasks_reissued_total"));
    /* every line is a comment or "name[{labels}] value" */
    for (char *line = t; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        if (line[0] != '#') {
            char *sp = memchr(line, ' ', (size_t)(nl - line));
            assert_non_null(sp);
            assert_true(sp[1] >= '0' && sp[1] <= '9');
        }
        line = nl + 1;
    }
    free(t);
    gs_metrics_destroy(&d);
    gs_metrics_destroy(&c);
    gs_metrics_destroy(&w);
    gs_metrics_destroy(&w); /* idempotent */
    assert_null(w);
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    gs_buf_append(ud, p, sz * n);
    return sz * n;
}

/* One request; the status (0 when none came) and the body in out. */
static long http(int port, const char *method, const char *path, struct curl_slist *hdrs,
                 gs_buf_t *out, char *ctype, size_t ctl)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_0);
    if (hdrs)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    if (ctype)
        snprintf(ctype, ctl, "%s", ct ? ct : "");
    curl_easy_cleanup(c);
    return code;
}

static void test_http(void **state)
{
    (void)state;
    gs_metrics_t *m = gs_metrics_new(GS_METRICS_COLLECTOR);
    gs_err_t e;
    assert_int_equal(gs_metrics_listen(m, "", &e), 0); /* off */
    assert_int_equal(gs_metrics_port(m), 0);
    assert_int_equal(gs_metrics_listen(m, "127.0.0.1:0", &e), 0);
    int port = gs_metrics_port(m);
    assert_true(port > 0);
    gs_metrics_add(m, GS_M_STORED, 9);
    gs_buf_t b;
    gs_buf_init(&b, 1 << 20);
    char ct[128];
    assert_int_equal(http(port, "GET", "/metrics", NULL, &b, ct, sizeof(ct)), 200);
    assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
    char *want = render(m);
    assert_string_equal(gs_buf_str(&b), want);
    free(want);
    assert_non_null(strstr(gs_buf_str(&b), "outcome=\"stored\"} 9\n"));
    gs_buf_reset(&b);
    assert_int_equal(http(port, "HEAD", "/metrics", NULL, &b, NULL, 0), 200);
    assert_int_equal(b.len, 0);
    assert_int_equal(http(port, "GET", "/", NULL, &b, NULL, 0), 404);
    assert_int_equal(http(port, "GET", "/metrics/x", NULL, &b, NULL, 0), 404);
    assert_int_equal(http(port, "POST", "/metrics", NULL, &b, NULL, 0), 405);
    assert_int_equal(http(port, "DELETE", "/metrics", NULL, &b, NULL, 0), 405);
    /* a request larger than the per-connection ceiling gets no metrics */
    static char big[40000];
    memcpy(big, "X-Big: ", 7);
    memset(big + 7, 'a', sizeof(big) - 8);
    struct curl_slist *h = curl_slist_append(NULL, big);
    gs_buf_reset(&b);
    long code = http(port, "GET", "/metrics", h, &b, NULL, 0);
    curl_slist_free_all(h);
    assert_true(code != 200);
    /* still serving afterwards */
    gs_buf_reset(&b);
    assert_int_equal(http(port, "GET", "/metrics", NULL, &b, NULL, 0), 200);
    /* a second listen on the same object, or a taken port */
    assert_int_equal(gs_metrics_listen(m, "127.0.0.1:0", &e), GS_ESTATE);
    gs_metrics_t *m2 = gs_metrics_new(GS_METRICS_WORKER);
    char taken[32];
    snprintf(taken, sizeof(taken), "127.0.0.1:%d", port);
    assert_int_equal(gs_metrics_listen(m2, taken, &e), GS_EIO);
    assert_non_null(strstr(e.msg, taken));
    /* IPv6 loopback, where the machine has it */
    if (gs_metrics_listen(m2, "[::1]:0", &e) == 0)
        assert_true(gs_metrics_port(m2) > 0);
    gs_metrics_destroy(&m2);
    gs_buf_cleanup(&b);
    gs_metrics_destroy(&m);
}

static void test_bad_listen(void **state)
{
    (void)state;
    const char *bad[] = {"9570",
                         "127.0.0.1:",
                         ":9570",
                         "[::1]9570",
                         "127.0.0.1:99999",
                         "127.0.0.1:95x0",
                         "no-such-host.invalid:9570"};
    gs_metrics_t *m = gs_metrics_new(GS_METRICS_DISPATCHER);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gs_err_t e;
        gs_err_clear(&e);
        int rc = gs_metrics_listen(m, bad[i], &e);
        if (rc != GS_EINVAL)
            fprintf(stderr, "%s: %d %s\n", bad[i], rc, e.msg);
        assert_int_equal(rc, GS_EINVAL);
        assert_non_null(strstr(e.msg, "metrics_listen"));
    }
    gs_metrics_destroy(&m);
}

/* A msgpack map from alternating keys and values given as "s:text" / "u:123" / "b:1". */
static void pack(gs_buf_t *out, const char *const *kv, size_t n)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, n / 2);
    for (size_t i = 0; i < n; i++) {
        const char *v = kv[i];
        if (i % 2 == 0 || v[0] == 's') {
            const char *s = i % 2 == 0 ? v : v + 2;
            msgpack_pack_str(&pk, strlen(s));
            msgpack_pack_str_body(&pk, s, strlen(s));
        } else if (v[0] == 'u') {
            msgpack_pack_uint64(&pk, strtoull(v + 2, NULL, 10));
        } else {
            msgpack_pack_true(&pk);
        }
    }
    gs_buf_reset(out);
    gs_buf_append(out, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
}

static gs_metric_t classify(const gs_buf_t *b)
{
    gs_msg_t m;
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_msg_decode(b->data, b->len, &m, &e);
    if (rc == 0) {
        gs_msg_cleanup(&m);
        return GS_M_COUNT;
    }
    return gs_metrics_drop_reason(&e);
}

static void test_drop_reasons(void **state)
{
    (void)state;
    gs_buf_t b;
    gs_buf_init(&b, 8u * 1024 * 1024);
    assert_int_equal(gs_msg_encode_hb(&b, NULL, 0), 0);
    assert_int_equal(classify(&b), GS_M_COUNT); /* a valid hb decodes */
    const char *v2[] = {"v", "u:2", "t", "s:hb"};
    pack(&b, v2, 4);
    assert_int_equal(classify(&b), GS_M_DROP_VERSION);
    const char *wrong[] = {"v", "u:1", "t", "s:hello", "worker", "u:7", "capacity", "s:many"};
    pack(&b, wrong, 8);
    assert_int_equal(classify(&b), GS_M_DROP_MALFORMED);
    b.len /= 2; /* truncated */
    assert_int_equal(classify(&b), GS_M_DROP_MALFORMED);
    gs_buf_reset(&b);
    for (size_t i = 0; i < GS_MSG_MAX_BYTES + 10; i++)
        gs_buf_putc(&b, (char)0xc0);
    assert_int_equal(classify(&b), GS_M_DROP_OVERSIZED);
    assert_string_equal(gs_metrics_drop_name(GS_M_DROP_OVERSIZED), "oversized");
    assert_string_equal(gs_metrics_drop_name(GS_M_DROP_FRAMES), "frames");
    gs_buf_cleanup(&b);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_roles),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_bad_listen),
        cmocka_unit_test(test_drop_reasons),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
