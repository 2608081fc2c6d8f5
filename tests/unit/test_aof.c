/* test_aof.c -- the torn tail of an AOF (common/gs_aof): which files end inside a command or
 * a transaction and where they are cut (cases in tests/data/aof/cases.tsv), and the repair
 * of a data directory's last incr file through its manifest, as `govsweep run` does before
 * it starts its private Redis. */
#include "case_tsv.h"

#include "gs_aof.h"
#include "gs_buf.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gs-test-aof.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Append one item (a command of space-separated arguments, or a "#..." annotation) to b. */
static void put_item(gs_buf_t *b, const char *item)
{
    if (item[0] == '#') {
        assert_int_equal(gs_buf_printf(b, "%s\r\n", item), 0);
        return;
    }
    char args[32][64];
    int n = 0;
    for (const char *p = item; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t l = strcspn(p, " ");
        assert_true(n < 32 && l < sizeof(args[0]));
        memcpy(args[n], p, l);
        args[n++][l] = '\0';
        p += l;
    }
    assert_int_equal(gs_buf_printf(b, "*%d\r\n", n), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(gs_buf_printf(b, "$%zu\r\n%s\r\n", strlen(args[i]), args[i]), 0);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void test_cases(void **state)
{
    (void)state;
    FILE *fp = case_open("aof", "cases.tsv");
    case_row_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    int ncases = 0;
    while (case_next(fp, r)) {
        assert_int_equal(r->n, 4);
        gs_buf_t b;
        gs_buf_init(&b, 1 << 20);
        size_t ends[64];
        size_t nitems = 0;
        /* items separated by " | " */
        for (char *p = r->f[1]; *p;) {
            char *bar = strstr(p, " | ");
            char item[256];
            size_t l = bar ? (size_t)(bar - p) : strlen(p);
            assert_true(l < sizeof(item) && nitems < 64);
            memcpy(item, p, l);
            item[l] = '\0';
            put_item(&b, item);
            ends[nitems++] = b.len;
            p += l + (bar ? 3 : 0);
        }
        size_t len = b.len;
        if (strncmp(r->f[2], "cut ", 4) == 0) {
            size_t cut = (size_t)strtoul(r->f[2] + 4, NULL, 10);
            assert_true(cut <= len);
            len -= cut;
        } else {
            assert_true(strncmp(r->f[2], "junk ", 5) == 0);
            assert_int_equal(gs_buf_append(&b, r->f[2] + 5, r->len[2] - 5), 0);
            len = b.len;
        }
        char path[512];
        snprintf(path, sizeof(path), "%s/case.aof", tmpdir);
        write_file(path, b.data ? (const char *)b.data : "", len);
        gs_aof_scan_t sc;
        assert_int_equal(gs_aof_scan(path, &sc, NULL), 0);
        const char *want = r->f[3];
        int ok;
        if (strcmp(want, "clean") == 0) {
            ok = !sc.torn && !sc.malformed;
        } else if (strcmp(want, "malformed") == 0) {
            ok = sc.malformed && !sc.torn;
        } else {
            int txn = strncmp(want, "torn-txn ", 9) == 0;
            size_t k = (size_t)strtoul(want + (txn ? 9 : 5), NULL, 10);
            int64_t keep = k ? (int64_t)ends[k - 1] : 0;
            ok = sc.torn && !sc.malformed && sc.in_transaction == txn && sc.keep == keep;
        }
        if (!ok)
            fail_msg("cases.tsv line %d (%s): expected %s, got torn %d (in a transaction %d, "
                     "keep %lld of %lld) malformed %d",
                     r->lineno, r->f[0], want, sc.torn, sc.in_transaction, (long long)sc.keep,
                     (long long)sc.size, sc.malformed);
        gs_buf_cleanup(&b);
        ncases++;
    }
    fclose(fp);
    free(r);
    assert_true(ncases >= 20);
}

/* A data directory: appendonlydir/ with a manifest listing files, the last incr file's
 * bytes given. */
static void make_dir(const char *dir, const char *manifest, const char *incr, const char *data,
                     size_t len)
{
    char p[512];
    mkdir(dir, 0700);
    snprintf(p, sizeof(p), "%s/appendonlydir", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/appendonlydir/appendonly.aof.manifest", dir);
    write_file(p, manifest, strlen(manifest));
    if (incr) {
        snprintf(p, sizeof(p), "%s/appendonlydir/%s", dir, incr);
        write_file(p, data, len);
    }
}

static long long file_size(const char *dir, const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof(p), "%s/appendonlydir/%s", dir, name);
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static void test_repair(void **state)
{
    (void)state;
    char dir[300], what[1024];
    int64_t cut = -1;
    gs_err_t err;
    /* no AOF at all: nothing to do */
    snprintf(dir, sizeof(dir), "%s/none", tmpdir);
    mkdir(dir, 0700);
    assert_int_equal(gs_aof_repair_tail(dir, &cut, what, sizeof(what), &err), 0);
    assert_int_equal(cut, 0);
    assert_string_equal(what, "");

    /* the last incr file ends inside a transaction: cut before its MULTI, once */
    gs_buf_t b;
    gs_buf_init(&b, 1 << 16);
    put_item(&b, "SELECT 0");
    put_item(&b, "SET a 1");
    size_t keep = b.len;
    put_item(&b, "MULTI");
    put_item(&b, "HINCRBY gs:sweep:S:stats done 1");
    put_item(&b, "XADD gs:findings * code W-HTTPS");
    put_item(&b, "EXEC");
    size_t torn = b.len - 7;
    const char *manifest = "file appendonly.aof.1.base.rdb seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type h\n"
                           "file appendonly.aof.2.incr.aof seq 2 type i\n";
    snprintf(dir, sizeof(dir), "%s/torn", tmpdir);
    make_dir(dir, manifest, "appendonly.aof.2.incr.aof", (const char *)b.data, torn);
    assert_int_equal(gs_aof_repair_tail(dir, &cut, what, sizeof(what), &err), 0);
    assert_int_equal(cut, (int64_t)(torn - keep));
    assert_int_equal(file_size(dir, "appendonly.aof.2.incr.aof"), (long long)keep);
    assert_non_null(strstr(what, "ended inside a MULTI/EXEC transaction"));
    assert_non_null(strstr(what, "appendonly.aof.2.incr.aof"));
    assert_int_equal(gs_aof_repair_tail(dir, &cut, what, sizeof(what), &err), 0);
    assert_int_equal(cut, 0);

    /* a whole file is left as it is */
    snprintf(dir, sizeof(dir), "%s/whole", tmpdir);
    make_dir(dir, manifest, "appendonly.aof.2.incr.aof", (const char *)b.data, b.len);
    assert_int_equal(gs_aof_repair_tail(dir, &cut, what, sizeof(what), &err), 0);
    assert_int_equal(cut, 0);
    assert_int_equal(file_size(dir, "appendonly.aof.2.incr.aof"), (long long)b.len);

    /* garbage is not a torn tail: left to Redis, and said */
    assert_int_equal(gs_buf_append(&b, "garbage\r\n", 9), 0);
    snprintf(dir, sizeof(dir), "%s/garbage", tmpdir);
    make_dir(dir, manifest, "appendonly.aof.2.incr.aof", (const char *)b.data, b.len);
    assert_int_equal(gs_aof_repair_tail(dir, &cut, what, sizeof(what), &err), 0);
    assert_int_equal(cut, 0);
    assert_int_equal(file_size(dir, "appendonly.aof.2.incr.aof"), (long long)b.len);
    assert_non_null(strstr(what, "left to Redis"));

    /* an incr file listed but not made yet, and a quoted name: nothing cut */
    snprintf(dir, sizeof(dir), "%s/unmade", tmpdir);
    make_dir(dir, manifest, NULL, NULL, 0);
    assert_int_equal(gs_aof_repair_tail(dir, &cut, what, sizeof(what), &err), 0);
    assert_int_equal(cut, 0);
    snprintf(dir, sizeof(dir), "%s/quoted", tmpdir);
    make_dir(dir, "file \"append only.aof.1.incr.aof\" seq 1 type i\n", NULL, NULL, 0);
    assert_int_equal(gs_aof_repair_tail(dir, &cut, what, sizeof(what), &err), 0);
    assert_int_equal(cut, 0);
    assert_non_null(strstr(what, "left to Redis"));
    gs_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_repair),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
