/* test_crash.c -- crash points (common/gs_crash): GS_CRASH_AT=NAME:N kills the process at
 * the N-th passage of NAME and nowhere else, NAME:ID at the passage naming ID, unarmed or
 * malformed it kills nothing. Each case runs in a child process (a crash point kills for
 * real: SIGKILL, not abort): the child writes a byte before each passage, and the parent
 * counts the bytes and reads the exit status. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gs_crash.h"

/* One passage of a child's script: a point (id NULL) or an id point. */
typedef struct step {
    const char *name;
    const char *id;
} step_t;

/* Run steps in a child with GS_CRASH_AT=at (NULL: unset). passages receives how many steps
 * were begun; returns the child's wait status. armed receives gs_crash_armed() (1 byte). */
static int run_child(const char *at, const step_t *steps, size_t n, size_t *passages, int *armed)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        if (at)
            setenv("GS_CRASH_AT", at, 1);
        else
            unsetenv("GS_CRASH_AT");
        char a = (char)('0' + gs_crash_armed());
        if (write(fd[1], &a, 1) != 1)
            _exit(3);
        for (size_t i = 0; i < n; i++) {
            if (write(fd[1], "p", 1) != 1)
                _exit(3);
            if (steps[i].id)
                gs_crash_point_id(steps[i].name, steps[i].id);
            else
                gs_crash_point(steps[i].name);
        }
        _exit(0); /* not exit(): no cmocka or sanitizer teardown in the child */
    }
    close(fd[1]);
    char buf[256];
    size_t got = 0;
    ssize_t r;
    *armed = -1;
    while ((r = read(fd[0], buf, sizeof(buf))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        assert_true(r > 0);
        for (ssize_t i = 0; i < r; i++) {
            if (got == 0 && *armed < 0)
                *armed = buf[i] - '0';
            else
                got++;
        }
    }
    close(fd[0]);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    *passages = got;
    return st;
}

static int killed(int st)
{
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

static void test_unarmed(void **state)
{
    (void)state;
    step_t s[50];
    for (size_t i = 0; i < 50; i++)
        s[i] = (step_t){"collector.after_store", NULL};
    size_t n;
    int armed;
    int st = run_child(NULL, s, 50, &n, &armed);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(n, 50);
    assert_int_equal(armed, 0);
}

static void test_nth_passage(void **state)
{
    (void)state;
    /* other points pass freely; the armed one kills at its 3rd passage */
    step_t s[10];
    for (size_t i = 0; i < 5; i++)
        s[i] = (step_t){"collector.after_ack", NULL};
    for (size_t i = 5; i < 10; i++)
        s[i] = (step_t){"collector.after_store", NULL};
    size_t n;
    int armed;
    int st = run_child("collector.after_store:3", s, 10, &n, &armed);
    assert_true(killed(st));
    assert_int_equal(armed, 1);
    assert_int_equal(n, 8);
    /* the first passage */
    st = run_child("collector.after_ack:1", s, 10, &n, &armed);
    assert_true(killed(st));
    assert_int_equal(n, 1);
    /* a count beyond the passages: the process lives */
    st = run_child("collector.after_store:6", s, 10, &n, &armed);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(n, 10);
    /* a name that is another's prefix is not that point */
    st = run_child("collector.after:1", s, 10, &n, &armed);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_id_point(void **state)
{
    (void)state;
    step_t s[] = {{"worker.target", "4300000001"},
                  {"worker.target", "4301000001"},
                  {"worker.after_done", NULL},
                  {"worker.target", "4302000001"},
                  {"worker.target", "4301000001"}};
    size_t n;
    int armed;
    /* the id, digits and all, is an id for an id point: the first passage naming it */
    int st = run_child("worker.target:4301000001", s, 5, &n, &armed);
    assert_true(killed(st));
    assert_int_equal(n, 2);
    st = run_child("worker.target:4302000001", s, 5, &n, &armed);
    assert_true(killed(st));
    assert_int_equal(n, 4);
    st = run_child("worker.target:T9", s, 5, &n, &armed);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(n, 5);
    /* an id where a count is expected never matches a passage */
    step_t c[] = {{"worker.after_done", NULL}, {"worker.after_done", NULL}};
    st = run_child("worker.after_done:T9", c, 2, &n, &armed);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_malformed(void **state)
{
    (void)state;
    step_t s[] = {{"a", NULL}, {"a", NULL}, {"worker.target", "1"}};
    const char *bad[] = {"a",
                         ":1",
                         "a:",
                         "",
                         "a:0",
                         "a-name-that-is-longer-than-sixty-three-bytes-for-sure-xxxxxxxxxxx:1",
                         "worker.target:an-id-that-is-longer-than-sixty-three-bytes-xxxxxxxxxxxx"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n;
        int armed;
        int st = run_child(bad[i], s, 3, &n, &armed);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        assert_int_equal(n, 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unarmed),
        cmocka_unit_test(test_nth_passage),
        cmocka_unit_test(test_id_point),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
