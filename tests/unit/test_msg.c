/* test_msg.c -- the message codec: round trips of every type, and every way a hostile or
 * broken frame is refused (truncated, oversized, wrong types, unknown version, bombs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_config.h"
#include "gs_msg.h"
#include "gs_registry.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

static void make_task(gs_task_t *t)
{
    gs_task_init(t);
    snprintf(t->sweep, sizeof(t->sweep), "2021Q2-20210615");
    snprintf(t->target, sizeof(t->target), "4300000001");
    t->epoch = 3;
    t->attempt = 3;
    t->kind = GS_KIND_SITE;
    t->url = strdup("http://www.sim-cs0001.gov.cn/");
    t->name = strdup("长沙市人民政府");
    t->region = strdup("长沙市");
    t->owner = strdup("长沙市人民政府办公厅");
    t->platform = strdup("");
    t->menu_url = strdup("");
    t->ref_unix = 1623715200;
    t->max_pages = 200;
    t->lease_ms = 15000;
}

static void test_task_roundtrip(void **state)
{
    (void)state;
    gs_task_t t;
    make_task(&t);
    gs_buf_t b;
    gs_buf_init(&b, GS_MSG_MAX_BYTES);
    assert_int_equal(gs_msg_encode_task(&b, &t), 0);
    gs_msg_t m;
    gs_err_t e;
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_int_equal(m.type, GS_MSG_TASK);
    assert_string_equal(m.task.target, "4300000001");
    assert_string_equal(m.task.name, "长沙市人民政府");
    assert_int_equal(m.task.epoch, 3);
    assert_int_equal(m.task.kind, GS_KIND_SITE);
    assert_int_equal(m.task.ref_unix, 1623715200);
    assert_int_equal(m.task.max_pages, 200);
    gs_msg_cleanup(&m);
    gs_task_cleanup(&t);
    gs_buf_cleanup(&b);
}

/* The sweep's settings travel with the task, field by field, and a judge that does not
 * fit (a value past its ceiling, a max_pages that is not the task's) is refused. */
static void test_task_judge(void **state)
{
    (void)state;
    gs_config_t cfg;
    gs_config_init(&cfg);
    gs_err_t e;
    assert_int_equal(gs_config_set(&cfg, "stale_days", "10", &e), 0);
    assert_int_equal(gs_config_set(&cfg, "service_veto", "true", &e), 0);
    assert_int_equal(gs_config_set(&cfg, "max_pages", "200", &e), 0);
    gs_task_t t;
    make_task(&t);
    gs_judge_from_config(&t.judge, &cfg);
    gs_buf_t b;
    gs_buf_init(&b, GS_MSG_MAX_BYTES);
    assert_int_equal(gs_msg_encode_task(&b, &t), 0);
    gs_msg_t m;
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_true(m.task.judge.set);
    assert_int_equal(m.task.judge.stale_days, 10);
    assert_true(m.task.judge.service_veto);
    assert_int_equal(m.task.judge.column_stale_veto, cfg.column_stale_veto);
    assert_int_equal(m.task.judge.link_checks, cfg.link_checks);
    /* applied over a worker's own configuration */
    gs_config_t w;
    gs_config_init(&w);
    assert_int_equal(gs_config_set(&w, "stale_days", "30", &e), 0);
    gs_judge_apply(&m.task.judge, &w);
    assert_int_equal(w.stale_days, 10);
    assert_true(w.service_veto);
    gs_msg_cleanup(&m);

    /* JSON (the sweep's meta) round trip, and what is said when a configuration differs */
    char *json = gs_judge_to_json(&t.judge);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"stale_days\":10"));
    gs_judge_t back, now;
    assert_int_equal(gs_judge_from_json(&back, json, &e), 0);
    assert_memory_equal(&back, &t.judge, sizeof(back));
    gs_judge_from_config(&now, &cfg);
    now.stale_days = 14;
    now.check_external_links = !now.check_external_links;
    char diff[200];
    assert_int_equal(gs_judge_diff(&back, &now, diff, sizeof(diff)), 2);
    assert_non_null(strstr(diff, "stale_days 10 (now 14)"));
    assert_int_equal(gs_judge_from_json(&back, "{\"stale_days\":10}", &e), GS_EPARSE);
    assert_non_null(strstr(e.msg, "max_pages"));
    assert_int_equal(gs_judge_from_json(&back, "[1]", &e), GS_EPARSE);
    free(json);

    /* past a ceiling; not the task's max_pages */
    t.judge.stale_days = 99999;
    gs_buf_reset(&b);
    assert_int_equal(gs_msg_encode_task(&b, &t), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), GS_EPARSE);
    assert_non_null(strstr(e.msg, "stale_days"));
    t.judge.stale_days = 10;
    t.judge.max_pages = 201;
    gs_buf_reset(&b);
    assert_int_equal(gs_msg_encode_task(&b, &t), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), GS_EPARSE);
    /* a task without one (an older dispatcher) decodes with none */
    t.judge.set = false;
    gs_buf_reset(&b);
    assert_int_equal(gs_msg_encode_task(&b, &t), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_false(m.task.judge.set);
    gs_msg_cleanup(&m);
    gs_task_cleanup(&t);
    gs_buf_cleanup(&b);
    gs_config_cleanup(&cfg);
    gs_config_cleanup(&w);
}

static void make_result(gs_result_t *r, size_t nfindings)
{
    gs_result_init(r);
    snprintf(r->sweep, sizeof(r->sweep), "s1");
    snprintf(r->target, sizeof(r->target), "430000M022XL0001");
    snprintf(r->worker, sizeof(r->worker), "w1");
    r->epoch = 1;
    r->kind = GS_KIND_ACCOUNT;
    r->region = strdup("省直部门");
    r->reason = strdup("");
    r->checked = true;
    r->pages = 1;
    r->bytes = 12345;
    snprintf(r->newest, sizeof(r->newest), "2021-05-01");
    for (size_t i = 0; i < nfindings; i++)
        gs_findings_add(&r->findings, "M-STALE", true, "http://x/feed.xml",
                        "最近一次更新 2021-05-01，已 45 天未更新", "{\"days\":45}");
}

static void test_result_roundtrip(void **state)
{
    (void)state;
    gs_result_t r;
    make_result(&r, 2);
    gs_buf_t b;
    gs_buf_init(&b, GS_MSG_MAX_BYTES);
    assert_int_equal(gs_msg_encode_result(&b, &r), 0);
    gs_msg_t m;
    gs_err_t e;
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_int_equal(m.type, GS_MSG_RESULT);
    assert_string_equal(m.result.target, "430000M022XL0001");
    assert_int_equal(m.result.kind, GS_KIND_ACCOUNT);
    assert_true(m.result.checked);
    assert_int_equal(m.result.bytes, 12345);
    assert_string_equal(m.result.newest, "2021-05-01");
    assert_int_equal(m.result.findings.len, 2);
    assert_string_equal(m.result.findings.items[1].code, "M-STALE");
    assert_true(m.result.findings.items[1].veto);
    assert_string_equal(m.result.findings.items[0].detail, "{\"days\":45}");
    gs_msg_cleanup(&m);
    gs_result_cleanup(&r);
    gs_buf_cleanup(&b);
}

static void test_small_messages(void **state)
{
    (void)state;
    gs_buf_t b;
    gs_buf_init(&b, 4096);
    gs_taskref_t refs[2] = {{"4300000001", 1}, {"4300000002", 7}};
    gs_msg_t m;
    gs_err_t e;

    assert_int_equal(gs_msg_encode_hello(&b, "w-1", 16, refs, 2), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_int_equal(m.type, GS_MSG_HELLO);
    assert_string_equal(m.worker, "w-1");
    assert_int_equal(m.capacity, 16);
    assert_int_equal(m.ntasks, 2);
    assert_int_equal(m.tasks[1].epoch, 7);
    gs_msg_cleanup(&m);

    gs_buf_reset(&b);
    assert_int_equal(gs_msg_encode_hb(&b, NULL, 0), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_int_equal(m.type, GS_MSG_HB);
    assert_int_equal(m.ntasks, 0);
    gs_msg_cleanup(&m);

    gs_buf_reset(&b);
    assert_int_equal(gs_msg_encode_ack(&b, "s", "t", 4, GS_OUTCOME_STALE), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_int_equal(m.type, GS_MSG_ACK);
    assert_int_equal(m.outcome, GS_OUTCOME_STALE);
    assert_int_equal(m.epoch, 4);
    gs_msg_cleanup(&m);

    gs_buf_reset(&b);
    assert_int_equal(gs_msg_encode_done(&b, "s", "t", 4, GS_OUTCOME_DUP), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_int_equal(m.type, GS_MSG_DONE);
    assert_int_equal(m.outcome, GS_OUTCOME_DUP);
    gs_msg_cleanup(&m);

    gs_buf_reset(&b);
    assert_int_equal(gs_msg_encode_reset(&b), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), 0);
    assert_int_equal(m.type, GS_MSG_RESET);
    gs_msg_cleanup(&m);
    gs_buf_cleanup(&b);
}

/* Every prefix of a valid message is refused, never crashes. */
static void test_truncated(void **state)
{
    (void)state;
    gs_result_t r;
    make_result(&r, 3);
    gs_buf_t b;
    gs_buf_init(&b, GS_MSG_MAX_BYTES);
    assert_int_equal(gs_msg_encode_result(&b, &r), 0);
    for (size_t n = 0; n < b.len; n++) {
        gs_msg_t m;
        gs_err_t e;
        assert_int_equal(gs_msg_decode(b.data, n, &m, &e), GS_EPARSE);
    }
    gs_result_cleanup(&r);
    gs_buf_cleanup(&b);
}

/* Pack a hand-made message with msgpack-c. */
typedef struct raw {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} raw_t;

static void raw_init(raw_t *r)
{
    msgpack_sbuffer_init(&r->sb);
    msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
}

static void raw_str(raw_t *r, const char *s)
{
    msgpack_pack_str(&r->pk, strlen(s));
    msgpack_pack_str_body(&r->pk, s, strlen(s));
}

static int decode_raw(raw_t *r, char *why, size_t whylen)
{
    gs_msg_t m;
    gs_err_t e;
    gs_err_clear(&e);
    int rc = gs_msg_decode(r->sb.data, r->sb.size, &m, &e);
    snprintf(why, whylen, "%s", e.msg);
    if (rc == 0)
        gs_msg_cleanup(&m);
    msgpack_sbuffer_destroy(&r->sb);
    return rc;
}

static void test_wrong_types(void **state)
{
    (void)state;
    char why[GS_ERR_MSG_MAX];
    raw_t r;

    /* not a map */
    raw_init(&r);
    msgpack_pack_array(&r.pk, 0);
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);

    /* unknown version */
    raw_init(&r);
    msgpack_pack_map(&r.pk, 2);
    raw_str(&r, "v");
    msgpack_pack_uint32(&r.pk, 99);
    raw_str(&r, "t");
    raw_str(&r, "hb");
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);
    assert_non_null(strstr(why, "version"));

    /* unknown type */
    raw_init(&r);
    msgpack_pack_map(&r.pk, 2);
    raw_str(&r, "v");
    msgpack_pack_uint32(&r.pk, 1);
    raw_str(&r, "t");
    raw_str(&r, "shutdown");
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);

    /* hb with tasks as a string */
    raw_init(&r);
    msgpack_pack_map(&r.pk, 3);
    raw_str(&r, "v");
    msgpack_pack_uint32(&r.pk, 1);
    raw_str(&r, "t");
    raw_str(&r, "hb");
    raw_str(&r, "tasks");
    raw_str(&r, "all of them");
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);
    assert_non_null(strstr(why, "tasks"));

    /* ack with a negative epoch */
    raw_init(&r);
    msgpack_pack_map(&r.pk, 6);
    raw_str(&r, "v");
    msgpack_pack_uint32(&r.pk, 1);
    raw_str(&r, "t");
    raw_str(&r, "ack");
    raw_str(&r, "sweep");
    raw_str(&r, "s");
    raw_str(&r, "target");
    raw_str(&r, "t");
    raw_str(&r, "epoch");
    msgpack_pack_int32(&r.pk, -1);
    raw_str(&r, "outcome");
    raw_str(&r, "stored");
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);
    assert_non_null(strstr(why, "epoch"));

    /* a target id longer than any id */
    raw_init(&r);
    msgpack_pack_map(&r.pk, 6);
    raw_str(&r, "v");
    msgpack_pack_uint32(&r.pk, 1);
    raw_str(&r, "t");
    raw_str(&r, "done");
    raw_str(&r, "sweep");
    raw_str(&r, "s");
    raw_str(&r, "target");
    raw_str(&r, "0123456789012345678901234567890123456789012345678901234567890123456789");
    raw_str(&r, "epoch");
    msgpack_pack_uint32(&r.pk, 1);
    raw_str(&r, "outcome");
    raw_str(&r, "stored");
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);

    /* a string field holding a NUL */
    raw_init(&r);
    msgpack_pack_map(&r.pk, 5);
    raw_str(&r, "v");
    msgpack_pack_uint32(&r.pk, 1);
    raw_str(&r, "t");
    raw_str(&r, "hello");
    raw_str(&r, "worker");
    msgpack_pack_str(&r.pk, 3);
    msgpack_pack_str_body(&r.pk, "a\0b", 3);
    raw_str(&r, "capacity");
    msgpack_pack_uint32(&r.pk, 4);
    raw_str(&r, "tasks");
    msgpack_pack_array(&r.pk, 0);
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);

    /* hello with capacity 0 */
    raw_init(&r);
    msgpack_pack_map(&r.pk, 5);
    raw_str(&r, "v");
    msgpack_pack_uint32(&r.pk, 1);
    raw_str(&r, "t");
    raw_str(&r, "hello");
    raw_str(&r, "worker");
    raw_str(&r, "w");
    raw_str(&r, "capacity");
    msgpack_pack_uint32(&r.pk, 0);
    raw_str(&r, "tasks");
    msgpack_pack_array(&r.pk, 0);
    assert_int_equal(decode_raw(&r, why, sizeof(why)), GS_EPARSE);
}

/* Frames built to make a careless decoder allocate or recurse without bound. */
static void test_bombs(void **state)
{
    (void)state;
    gs_msg_t m;
    gs_err_t e;
    /* array32 announcing 2^31 elements in 5 bytes */
    const unsigned char arr[] = {0xdd, 0x80, 0x00, 0x00, 0x00};
    assert_int_equal(gs_msg_decode(arr, sizeof(arr), &m, &e), GS_EPARSE);
    assert_non_null(strstr(e.msg, "elements"));
    /* map32 announcing 2^30 pairs */
    const unsigned char map[] = {0xdf, 0x40, 0x00, 0x00, 0x00, 0xc0};
    assert_int_equal(gs_msg_decode(map, sizeof(map), &m, &e), GS_EPARSE);
    /* str32 claiming 4 GiB */
    const unsigned char str[] = {0xdb, 0xff, 0xff, 0xff, 0xff, 'x'};
    assert_int_equal(gs_msg_decode(str, sizeof(str), &m, &e), GS_EPARSE);
    /* 100 nested arrays */
    unsigned char deep[101];
    memset(deep, 0x91, 100);
    deep[100] = 0xc0;
    assert_int_equal(gs_msg_decode(deep, sizeof(deep), &m, &e), GS_EPARSE);
    assert_non_null(strstr(e.msg, "nesting"));
    /* invalid byte 0xc1 */
    const unsigned char bad[] = {0xc1};
    assert_int_equal(gs_msg_decode(bad, sizeof(bad), &m, &e), GS_EPARSE);
    /* trailing garbage after a valid message */
    gs_buf_t b;
    gs_buf_init(&b, 4096);
    assert_int_equal(gs_msg_encode_reset(&b), 0);
    assert_int_equal(gs_buf_append(&b, "xx", 2), 0);
    assert_int_equal(gs_msg_decode(b.data, b.len, &m, &e), GS_EPARSE);
    gs_buf_cleanup(&b);
    /* empty */
    assert_int_equal(gs_msg_decode("", 0, &m, &e), GS_EPARSE);
}

static void test_oversized(void **state)
{
    (void)state;
    gs_msg_t m;
    gs_err_t e;
    size_t n = GS_MSG_MAX_BYTES + 1;
    char *big = calloc(1, n);
    assert_non_null(big);
    assert_int_equal(gs_msg_decode(big, n, &m, &e), GS_EPARSE);
    assert_non_null(strstr(e.msg, "exceeds"));
    free(big);
    /* an encoder into a small buffer fails cleanly */
    gs_result_t r;
    make_result(&r, 50);
    gs_buf_t b;
    gs_buf_init(&b, 256);
    assert_int_equal(gs_msg_encode_result(&b, &r), GS_ETOOBIG);
    gs_buf_cleanup(&b);
    gs_result_cleanup(&r);
}

/* Random bytes never crash the decoder (a small in-test fuzz; the libFuzzer target goes
 * further). */
static void test_random_bytes(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    unsigned char buf[256];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % 256);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (unsigned char)x;
        }
        if (n)
            buf[0] = (unsigned char)(0x80 | (buf[0] & 0x0f)); /* mostly maps */
        gs_msg_t m;
        gs_err_t e;
        if (gs_msg_decode(buf, n, &m, &e) == 0)
            gs_msg_cleanup(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_roundtrip), cmocka_unit_test(test_result_roundtrip),
        cmocka_unit_test(test_task_judge),     cmocka_unit_test(test_small_messages),
        cmocka_unit_test(test_truncated),      cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_bombs),          cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
