/* test_config.c -- options and configuration files, and the rule that every key is
 * documented in docs/configuration.md (curl's test1139 idea). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gs_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_defaults_and_args(void **state)
{
    (void)state;
    gs_config_t c;
    gs_config_init(&c);
    assert_int_equal(c.max_pages, 200);
    assert_int_equal(c.host_connections, 2);
    assert_int_equal(c.stale_days, 14);
    assert_false(c.allow_private);
    char *argv[] = {"govsweep",        "run",
                    "--max-pages",     "50",
                    "--allow-private", "--connect-to=::127.0.0.1:8080",
                    "--connect-to",    "a:80:b:81",
                    "--lease_ms",      "2000",
                    "targets.csv"};
    int argc = (int)(sizeof(argv) / sizeof(argv[0]));
    int i = 2;
    gs_err_t e;
    assert_int_equal(gs_config_parse_args(&c, argc, argv, &i, &e), 0);
    assert_int_equal(i, argc - 1); /* stopped at the positional argument */
    assert_int_equal(c.max_pages, 50);
    assert_true(c.allow_private);
    assert_int_equal(c.connect_to.len, 2);
    assert_string_equal(c.connect_to.items[0], "::127.0.0.1:8080");
    assert_int_equal(c.lease_ms, 2000);

    /* round trip through child arguments */
    char *out[64];
    int n = gs_config_to_args(&c, out, 64);
    assert_true(n > 0);
    gs_config_t d;
    gs_config_init(&d);
    char *av[66];
    av[0] = "x";
    av[1] = "y";
    for (int k = 0; k < n; k++)
        av[k + 2] = out[k];
    i = 2;
    assert_int_equal(gs_config_parse_args(&d, n + 2, av, &i, &e), 0);
    assert_int_equal(d.max_pages, 50);
    assert_true(d.allow_private);
    assert_int_equal(d.connect_to.len, 2);
    assert_string_equal(d.connect_to.items[1], "a:80:b:81");
    gs_config_free_args(out, (size_t)n);
    gs_config_cleanup(&d);
    gs_config_cleanup(&c);
}

static void test_bad_values(void **state)
{
    (void)state;
    gs_config_t c;
    gs_config_init(&c);
    gs_err_t e;
    assert_int_equal(gs_config_set(&c, "max_pages", "ten", &e), GS_EINVAL);
    assert_non_null(strstr(e.msg, "max_pages"));
    assert_int_equal(gs_config_set(&c, "max_pages", "-1", &e), GS_EINVAL);
    assert_int_equal(gs_config_set(&c, "max_pages", "99999999999", &e), GS_EINVAL);
    assert_int_equal(gs_config_set(&c, "allow_private", "maybe", &e), GS_EINVAL);
    assert_int_equal(gs_config_set(&c, "no_such_key", "1", &e), GS_ENOTFOUND);
    char *argv[] = {"g", "r", "--max-pages"};
    int i = 2;
    assert_int_equal(gs_config_parse_args(&c, 3, argv, &i, &e), GS_EINVAL);
    gs_config_cleanup(&c);
}

static void test_file(void **state)
{
    (void)state;
    char path[] = "/tmp/gs-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# a comment\n\nmax_pages = 77\nuser-agent = \"UA test\"\n"
                       "resolve = a:80:127.0.0.1\nresolve = b:80:127.0.0.2\nbogus line\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    gs_config_t c;
    gs_config_init(&c);
    gs_err_t e;
    assert_int_equal(gs_config_load_file(&c, path, &e), GS_EINVAL);
    assert_non_null(strstr(e.msg, ":7:")); /* the line number of the bad line */
    assert_int_equal(c.max_pages, 77);
    assert_string_equal(c.user_agent, "UA test");
    assert_int_equal(c.resolve.len, 2);
    gs_config_cleanup(&c);
    unlink(path);
}

/* Every key of the table appears in docs/configuration.md as `key`. */
static void test_documented(void **state)
{
    (void)state;
    const char *data = getenv("GS_DATA_DIR");
    assert_non_null(data);
    char path[1024];
    snprintf(path, sizeof(path), "%s/../docs/configuration.md", data);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof(doc) - 1, fp);
    doc[n] = '\0';
    fclose(fp);
    /* the keys, from the help listing */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    gs_config_print_keys(mem);
    fclose(mem);
    int missing = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char key[64] = "`";
        const char *p = strstr(line, "--");
        assert_non_null(p);
        size_t k = 1;
        for (p += 2; *p && *p != ' ' && k < sizeof(key) - 2; p++)
            key[k++] = *p == '-' ? '_' : *p;
        key[k++] = '`';
        key[k] = '\0';
        if (!strstr(doc, key)) {
            fprintf(stderr, "not documented: %s\n", key);
            missing++;
        }
    }
    free(buf);
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_args),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
