/* test_report.c -- the report module against a real redis-server: a small fixed sweep
 * written with the real layout (the plan keys exactly as gs_dispatcher.c writes them, the
 * results through gs_store_results) gives report.md, targets.csv, findings.jsonl and the
 * terminal tables byte for byte as the golden files in $GS_TEST_DATA/report/ (run with
 * GS_UPDATE_GOLDEN=1 to rewrite them, then read the diff); the 合格率 rounding; a missing
 * sweep; garbage of every kind in Redis; more targets than one pipelined batch; writing
 * twice gives the same bytes. The server runs on a unix socket in a mkdtemp directory,
 * started once for the group and removed at the end (the fixture: report_fixture.h). */
#include "report_fixture.h"

/* ---- tests ------------------------------------------------------------------------- */

static void test_percent(void **state)
{
    (void)state;
    char b[24];
    gs_report_pass_rate(603, 2, b, sizeof(b));
    assert_string_equal(b, "99.67%"); /* checks.md's example */
    gs_report_pass_rate(2157, 8, b, sizeof(b));
    assert_string_equal(b, "99.63%"); /* the Hunan notice's new-media total */
    gs_report_pass_rate(0, 0, b, sizeof(b));
    assert_string_equal(b, "—");
    gs_report_percent(0, 0, b, sizeof(b));
    assert_string_equal(b, "—");
    gs_report_pass_rate(1, 1, b, sizeof(b));
    assert_string_equal(b, "0.00%");
    gs_report_percent(1, 1, b, sizeof(b));
    assert_string_equal(b, "100.00%");
    gs_report_pass_rate(1, 0, b, sizeof(b));
    assert_string_equal(b, "100.00%");
    gs_report_percent(0, 52, b, sizeof(b));
    assert_string_equal(b, "0.00%");
    /* exactly half a hundredth rounds up: 99.875 -> 99.88, 0.125 -> 0.13 */
    gs_report_pass_rate(800, 1, b, sizeof(b));
    assert_string_equal(b, "99.88%");
    gs_report_percent(1, 800, b, sizeof(b));
    assert_string_equal(b, "0.13%");
    gs_report_percent(2, 3, b, sizeof(b));
    assert_string_equal(b, "66.67%");
    gs_report_percent(1, 3, b, sizeof(b));
    assert_string_equal(b, "33.33%");
    gs_report_percent(5, 141, b, sizeof(b));
    assert_string_equal(b, "3.55%");         /* the notice's 省直部门 row */
    gs_report_pass_rate(3, 5, b, sizeof(b)); /* more problems than checked: never negative */
    assert_string_equal(b, "0.00%");
}

static void test_golden(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    gs_report_t *rep = load(FIXED);

    /* the model */
    assert_string_equal(gs_report_sweep(rep), FIXED);
    assert_string_equal(gs_report_reference_time(rep), "2021-06-15T10:00:00+08:00");
    assert_false(gs_report_complete(rep));
    assert_int_equal(gs_report_nrows(rep), 8);
    assert_int_equal(gs_report_nregions(rep), 3);
    assert_string_equal(gs_report_row(rep, 0)->id, "4300000001");
    assert_string_equal(gs_report_row(rep, 7)->id, "4304000001");
    const gs_report_row_t *bad = find_row(rep, "4300000002");
    assert_int_equal(bad->status, GS_REPORT_FAIL);
    assert_string_equal(bad->veto_codes, "W-COLUMN-STALE,W-HOME-STALE");
    assert_int_equal(bad->findings_len, 4);
    assert_int_equal(bad->nfindings, 4);
    assert_string_equal(bad->findings[1].code, "W-LINK-BROKEN"); /* stored order */
    const gs_report_row_t *none = find_row(rep, "430400M001WX0001");
    assert_false(none->has_result);
    assert_int_equal(none->status, GS_REPORT_UNCHECKED);
    assert_string_equal(none->reason, "未完成检查");
    const gs_report_row_t *un = find_row(rep, "4301000002");
    assert_true(un->has_result);
    assert_int_equal(un->status, GS_REPORT_UNCHECKED);
    gs_report_count_t ts = gs_report_total(rep, GS_KIND_SITE);
    assert_int_equal(ts.actual, 5);
    assert_int_equal(ts.checked, 4);
    assert_int_equal(ts.problem, 1);
    assert_int_equal(ts.unchecked, 1);
    gs_report_count_t ta = gs_report_total(rep, GS_KIND_ACCOUNT);
    assert_int_equal(ta.actual, 3);
    assert_int_equal(ta.checked, 2);
    assert_int_equal(ta.problem, 1);
    assert_int_equal(gs_report_region(rep, 0)->site.actual, 2);
    assert_int_equal(gs_report_region(rep, 2)->account.unchecked, 1);
    assert_int_equal(gs_report_nextra(rep), 3);
    assert_string_equal(gs_report_extra_name(rep, 0), "备注");
    assert_string_equal(gs_report_extra_name(rep, 1), "联系人");
    assert_string_equal(gs_report_extra_name(rep, 2), "级别");
    assert_string_equal(gs_report_code_name(rep, "W-HOME-STALE"), "网站不更新");
    assert_string_equal(gs_report_code_name(rep, "M-STALE"), "内容不更新");
    assert_string_equal(gs_report_code_name(rep, "W-NEW-CHECK"), "W-NEW-CHECK");

    /* the files, into a directory that does not exist yet */
    char out[256], path[300], path2[300];
    snprintf(out, sizeof(out), "%s/out/a/b", dir);
    write_to(rep, out);
    static const char *const files[] = {"report.md", "targets.csv", "findings.jsonl"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", out, files[i]);
        assert_golden(path, files[i]);
        snprintf(path, sizeof(path), "%s/%s.tmp", out, files[i]);
        assert_int_equal(access(path, F_OK), -1); /* no temporary left behind */
    }
    snprintf(path, sizeof(path), "%s/tables.txt", out);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(gs_report_print_tables(rep, fp), 0);
    fclose(fp);
    assert_golden(path, "tables.txt");

    /* the same model written again over the files, and a second load written elsewhere:
     * the same bytes */
    write_to(rep, out);
    gs_report_t *again = load(FIXED);
    char out2[256];
    snprintf(out2, sizeof(out2), "%s/out2", dir);
    write_to(again, out2);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", out, files[i]);
        snprintf(path2, sizeof(path2), "%s/%s", out2, files[i]);
        assert_golden(path, files[i]);
        assert_same_file(path, path2);
    }
    gs_report_destroy(&again);
    gs_report_destroy(&rep);
    gs_report_destroy(&rep); /* idempotent */
    assert_null(rep);
}

static void test_not_found(void **state)
{
    (void)state;
    gs_report_t *rep = (gs_report_t *)1;
    gs_err_t e;
    gs_err_clear(&e);
    assert_int_equal(gs_report_load(gs_redis_ctx(R), "NOPE-2021Q9", &rep, &e), GS_ENOTFOUND);
    assert_null(rep);
    assert_non_null(strstr(e.msg, "NOPE-2021Q9"));
    assert_int_equal(gs_report_load(gs_redis_ctx(R), "bad id!", &rep, &e), GS_EINVAL);
    assert_int_equal(gs_report_load(gs_redis_ctx(R), "", &rep, &e), GS_EINVAL);
    /* the connection is still usable afterwards */
    cmd("PING");
}

/* Everything that can be wrong in Redis: the report loads, writes and prints. */
static void test_garbage(void **state)
{
    (void)state;
    const char *S = "G1";
    cmd("FLUSHALL");
    cmd("HSET gs:sweep:%s:meta sweep %s status running", S, S); /* no reference_time */
    for (int i = 1; i <= 10; i++)
        cmd("RPUSH gs:sweep:%s:targets g%d", S, i);
    /* no regions list: regions come from the rows */
    for (int i = 1; i <= 10; i++)
        if (i != 5 && i != 6 && i != 7 && i != 8)
            cmd("HSET gs:sweep:%s:target:g%d id g%d kind site name 站%d region 甲 url http://x/ "
                "extra {}",
                S, i, i, i);
    /* g1: every field garbage */
    cmd("HSET gs:sweep:%s:result:g1 status bogus nfindings abc pages -5 newest yesterday "
        "veto_codes %s findings %s",
        S, "W X;rm", "not json");
    /* g2: 不合格 with findings that are partly not objects */
    cmd("HSET gs:sweep:%s:result:g2 status 不合格 veto_codes W-HOME-STALE nfindings 3 pages 1 "
        "findings %s",
        S, "[1,\"x\",{\"code\":\"W-HOME-STALE\",\"veto\":true}]");
    /* g3: 不合格 with findings that are not JSON: the problem named from veto_codes */
    cmd("HSET gs:sweep:%s:result:g3 status 不合格 veto_codes W-UNREACHABLE nfindings 1 pages 0 "
        "findings %s",
        S, "{oops");
    /* g4: the result key is not a hash */
    cmd("SET gs:sweep:%s:result:g4 hello", S);
    /* g5: no registry row, no result; g6: a kind that is neither site nor account */
    cmd("HSET gs:sweep:%s:target:g6 id g6 kind robot name 机器 region 甲", S);
    cmd("HSET gs:sweep:%s:result:g6 status 合格 nfindings 0 pages 1 findings []", S);
    /* g7: invalid UTF-8 and a NUL in the registry, extra not JSON, findings not UTF-8 */
    static const char name7[] = "坏\xff\xfe名\0字";
    static const char find7[] = "[{\"code\":\"W-X\",\"evidence\":\"\xc3\x28\"}]";
    const char *argv[] = {
        "HSET",     "gs:sweep:G1:target:g7", "kind", "site", "name", name7, "region", "甲", "extra",
        "{not json"};
    size_t argl[10];
    for (int i = 0; i < 10; i++)
        argl[i] = argv[i] == name7 ? sizeof(name7) - 1 : strlen(argv[i]);
    redisReply *rep7 = redisCommandArgv(gs_redis_ctx(R), 10, argv, argl);
    assert_non_null(rep7);
    assert_int_equal(rep7->type, REDIS_REPLY_INTEGER);
    freeReplyObject(rep7);
    cmd("HSET gs:sweep:%s:result:g7 status 合格 nfindings 1 pages 2 findings %b", S, find7,
        sizeof(find7) - 1);
    /* g8: the target key is a list */
    cmd("RPUSH gs:sweep:%s:target:g8 a b", S);
    /* g9: findings larger than the ceiling are not read */
    size_t big = GS_REPORT_MAX_FINDINGS_JSON + 16;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, ' ', big);
    huge[0] = '[';
    huge[big - 1] = ']';
    cmd("HSET gs:sweep:%s:result:g9 status 合格 nfindings 0 pages 3 findings %b", S, huge, big);
    free(huge);
    /* g10: an unknown registry column that clashes with ours */
    cmd("HSET gs:sweep:%s:target:g10 extra %s", S, "{\"status\":\"在用\",\"x\":[1,2]}");

    gs_report_t *rep = load(S);
    assert_int_equal(gs_report_nrows(rep), 10);
    assert_string_equal(gs_report_reference_time(rep), "");
    const gs_report_row_t *r;
    r = find_row(rep, "g1");
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "结果记录无效"));
    assert_int_equal(r->nfindings, -1);
    assert_int_equal(r->pages, -1);
    assert_string_equal(r->newest, "");
    assert_string_equal(r->veto_codes, "");
    assert_false(r->findings_ok);
    r = find_row(rep, "g2");
    assert_int_equal(r->status, GS_REPORT_FAIL);
    assert_true(r->findings_ok);
    assert_int_equal(r->findings_len, 1);
    r = find_row(rep, "g3");
    assert_int_equal(r->status, GS_REPORT_FAIL);
    assert_false(r->findings_ok);
    r = find_row(rep, "g4");
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "不是哈希"));
    r = find_row(rep, "g5");
    assert_int_equal(r->kind, 0);
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "登记信息缺失"));
    r = find_row(rep, "g6");
    assert_int_equal(r->status, GS_REPORT_UNCHECKED);
    assert_non_null(strstr(r->reason, "登记信息无效"));
    r = find_row(rep, "g7");
    assert_string_equal(r->name, "坏\xEF\xBF\xBD\xEF\xBF\xBD名\xEF\xBF\xBD字");
    assert_false(r->findings_ok);
    assert_int_equal(r->status, GS_REPORT_PASS);
    r = find_row(rep, "g8");
    assert_int_equal(r->kind, 0);
    assert_non_null(strstr(r->reason, "不是哈希"));
    r = find_row(rep, "g9");
    assert_int_equal(r->status, GS_REPORT_PASS);
    assert_false(r->findings_ok);
    assert_int_equal(r->pages, 3);
    assert_int_equal(gs_report_nextra(rep), 2);
    assert_string_equal(gs_report_extra_name(rep, 0), "registry_status");
    r = find_row(rep, "g10");
    assert_string_equal(r->extra[0], "在用");
    assert_string_equal(r->extra[1], "[1,2]");
    gs_report_count_t t = gs_report_total(rep, GS_KIND_SITE);
    assert_int_equal(t.actual, 7); /* g5, g6, g8 have no usable registry row; g7 is a site */
    assert_int_equal(t.problem, 2);

    char out[256], path[300];
    snprintf(out, sizeof(out), "%s/garbage", dir);
    write_to(rep, out);
    size_t len;
    snprintf(path, sizeof(path), "%s/targets.csv", out);
    char *csv = slurp(path, &len);
    assert_non_null(csv);
    assert_non_null(strstr(
        csv, ",newest,pages_planned,pages_failed,pages_skipped,ledger,registry_status,x\r\n"));
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += csv[i] == '\n';
    assert_int_equal(lines, 11);
    free(csv);
    snprintf(path, sizeof(path), "%s/report.md", out);
    char *md = slurp(path, &len);
    assert_non_null(md);
    assert_non_null(strstr(md, "| 站点无法访问 |")); /* g3, named from veto_codes */
    assert_non_null(strstr(md, "监测时间点：未记录"));
    free(md);
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(gs_report_print_tables(rep, fp), 0);
    fclose(fp);
    gs_report_destroy(&rep);
}

/* More targets than one pipelined batch (and than one LRANGE chunk would need to be for
 * a small sweep): order, verdicts and counts survive the batching. */
static void test_many(void **state)
{
    (void)state;
    const char *S = "BIG";
    enum { N = 1300 };
    cmd("FLUSHALL");
    redisContext *c = gs_redis_ctx(R);
    for (int i = 0; i < N; i++) {
        assert_int_equal(redisAppendCommand(c,
                                            "HSET gs:sweep:%s:target:%010d id %010d kind site "
                                            "name 网站%d region 区%d url http://x/ owner o "
                                            "platform %s menu_url %s line %d extra {}",
                                            S, i, i, i, i % 7, "", "", i + 2),
                         REDIS_OK);
        assert_int_equal(redisAppendCommand(c, "RPUSH gs:sweep:%s:targets %010d", S, i), REDIS_OK);
    }
    for (int i = 0; i < 2 * N; i++) {
        void *rep = NULL;
        assert_int_equal(redisGetReply(c, &rep), REDIS_OK);
        freeReplyObject(rep);
    }
    cmd("HSET gs:sweep:%s:meta sweep %s reference_time 2021-06-15T10:00:00+08:00 status "
        "complete",
        S, S);
    gs_result_t *res = calloc(N, sizeof(*res));
    const gs_result_t **ptr = calloc(N, sizeof(*ptr));
    gs_outcome_t *oc = calloc(N, sizeof(*oc));
    assert_non_null(res);
    assert_non_null(ptr);
    assert_non_null(oc);
    size_t n = 0;
    for (int i = 0; i < N; i += 2) {
        gs_result_t *r = &res[n];
        gs_result_init(r);
        snprintf(r->sweep, sizeof(r->sweep), "%s", S);
        snprintf(r->target, sizeof(r->target), "%010d", i);
        snprintf(r->worker, sizeof(r->worker), "w");
        r->epoch = 1;
        cmd("HSET gs:sweep:%s:epoch %s 1", S, r->target);
        r->kind = GS_KIND_SITE;
        r->checked = true;
        char region[16];
        snprintf(region, sizeof(region), "区%d", i % 7);
        r->region = strdup(region);
        r->reason = strdup("");
        r->pages = (uint32_t)i;
        if (i % 4 == 0)
            assert_int_equal(gs_findings_add(&r->findings, "W-HOME-STALE", true, "http://x/",
                                             "首页最新信息 2021-05-01", "{}"),
                             0);
        ptr[n++] = r;
    }
    gs_err_t e;
    assert_int_equal(gs_store_results(R, ptr, n, oc, &e), 0);
    for (size_t i = 0; i < n; i++)
        gs_result_cleanup(&res[i]);
    free(res);
    free(ptr);
    free(oc);

    gs_report_t *rep = load(S);
    assert_true(gs_report_complete(rep));
    assert_int_equal(gs_report_nrows(rep), N);
    assert_int_equal(gs_report_nregions(rep), 7);
    assert_string_equal(gs_report_region(rep, 0)->name, "区0");
    for (int i = 0; i < N; i++) {
        const gs_report_row_t *r = gs_report_row(rep, (size_t)i);
        char id[16];
        snprintf(id, sizeof(id), "%010d", i);
        assert_string_equal(r->id, id);
        if (i % 4 == 0) {
            assert_int_equal(r->status, GS_REPORT_FAIL);
            assert_int_equal(r->findings_len, 1);
        } else if (i % 2 == 0) {
            assert_int_equal(r->status, GS_REPORT_PASS);
            assert_int_equal(r->pages, i);
        } else {
            assert_int_equal(r->status, GS_REPORT_UNCHECKED);
        }
    }
    gs_report_count_t t = gs_report_total(rep, GS_KIND_SITE);
    assert_int_equal(t.actual, N);
    assert_int_equal(t.checked, N / 2);
    assert_int_equal(t.problem, N / 4);
    gs_report_destroy(&rep);
}

/* Without the catalogue the report still loads, codes standing for their names. */
static void test_no_codes_file(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    const char *old = getenv("GS_DATA_DIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("GS_DATA_DIR", "/nonexistent-gs-data", 1);
    gs_report_t *rep = load(FIXED);
    assert_string_equal(gs_report_code_name(rep, "W-HOME-STALE"), "W-HOME-STALE");
    char out[256];
    snprintf(out, sizeof(out), "%s/nocodes", dir);
    write_to(rep, out);
    gs_report_destroy(&rep);
    if (saved)
        setenv("GS_DATA_DIR", saved, 1);
    else
        unsetenv("GS_DATA_DIR");
    free(saved);
}

static void test_write_errors(void **state)
{
    (void)state;
    cmd("FLUSHALL");
    write_fixed();
    gs_report_t *rep = load(FIXED);
    gs_err_t e;
    gs_err_clear(&e);
    /* a file where the directory should be */
    char path[256];
    snprintf(path, sizeof(path), "%s/plainfile", dir);
    spit(path, "x", 1);
    assert_int_equal(gs_report_write_dir(rep, path, &e), GS_EIO);
    assert_non_null(strstr(e.msg, "plainfile"));
    assert_int_equal(gs_report_write_dir(rep, "", &e), GS_EINVAL);
    gs_report_destroy(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent),      cmocka_unit_test(test_golden),
        cmocka_unit_test(test_not_found),    cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_many),         cmocka_unit_test(test_no_codes_file),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
