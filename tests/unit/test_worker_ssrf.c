/* test_worker_ssrf.c -- the fetch engine's SSRF guard against real listeners (reliability.md
 * S1-S2): listeners on loopback (127.0.0.1, 127.0.0.2, ::1) and, in a network namespace of
 * its own, on private, shared, link-local and unique-local addresses (10.0.0.1,
 * 172.16.0.1, 192.168.0.1, 100.64.0.1, 169.254.169.254, fd00::1) and on a public-looking
 * one (1.2.3.4, reachable only inside that namespace) that redirects wherever it is told.
 * Every spelling of those addresses (127.1, 2130706433, 0x7f000001, 017700000001,
 * [::ffff:7f00:1], [::1], localhost, 0.0.0.0 ...), names given to them with --resolve and
 * --connect-to, redirects from the public server into them or to other schemes, and
 * file:, gopher:, dict:, ftp: URLs are fetched without allow_private, with http_proxy,
 * HTTPS_PROXY and ALL_PROXY pointing at one more listener: every fetch must say refused,
 * and every inside listener and the proxy must have accepted 0 connections. Positive
 * controls show the setup could have been reached: the public server is fetched, and with
 * allow_private the loopback server answers directly (the proxy still sees nothing).
 *
 * The namespace needs CAP_SYS_ADMIN (root, as the CI and the team's machines run); without
 * it only the loopback forms run and the test says which were left out. Nothing leaves
 * the machine either way: in the namespace there is no interface but lo, and outside it
 * no address beyond loopback is ever connected to. */
#define _GNU_SOURCE
#include "case_tsv.h"

#include "gs_fetch.h"
#include "gs_util.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTENERS 16
#define PUBLIC_ADDR "1.2.3.4" /* bound on lo inside the namespace only */

/* One listener: where, and how many connections it accepted. */
typedef struct listener {
    const char *name; /* the address as text, also the key of the case table */
    int family;       /* AF_INET, AF_INET6 */
    bool needs_netns; /* exists only in the test's own network namespace */
    bool redirector;  /* answers "GET /r/URL" with a redirect to URL, anything else 200 */
    int fd;           /* -1 when it could not be bound */
    int port;
    atomic_int accepts;
} listener_t;

static listener_t listeners[] = {
    {"127.0.0.1", AF_INET, false, false, -1, 0, 0},
    {"127.0.0.2", AF_INET, false, false, -1, 0, 0},
    {"::1", AF_INET6, false, false, -1, 0, 0},
    {"proxy", AF_INET, false, false, -1, 0, 0}, /* 127.0.0.3: what the proxy variables name */
    {"10.0.0.1", AF_INET, true, false, -1, 0, 0},
    {"172.16.0.1", AF_INET, true, false, -1, 0, 0},
    {"192.168.0.1", AF_INET, true, false, -1, 0, 0},
    {"100.64.0.1", AF_INET, true, false, -1, 0, 0},
    {"169.254.169.254", AF_INET, true, false, -1, 0, 0},
    {"fd00::1", AF_INET6, true, false, -1, 0, 0},
    {PUBLIC_ADDR, AF_INET, true, true, -1, 0, 0},
    {"control", AF_INET, false, true, -1, 0, 0}, /* 127.0.0.4: the allow_private control */
};
#define NLISTENERS (sizeof(listeners) / sizeof(listeners[0]))

static bool in_netns;

static listener_t *find_listener(const char *name)
{
    for (size_t i = 0; i < NLISTENERS; i++)
        if (!strcmp(listeners[i].name, name))
            return &listeners[i];
    return NULL;
}

/* The address a listener binds: its name, but for the two loopback helpers. */
static const char *bind_addr(const listener_t *l)
{
    if (!strcmp(l->name, "proxy"))
        return "127.0.0.3";
    if (!strcmp(l->name, "control"))
        return "127.0.0.4";
    return l->name;
}

/* A redirector's answer to one request. */
static void redirect_answer(int fd)
{
    char req[4096];
    ssize_t n = recv(fd, req, sizeof(req) - 1, 0);
    if (n <= 0)
        return;
    req[n] = '\0';
    char resp[4600];
    char *sp = strchr(req, ' ');
    if (sp && !strncmp(sp + 1, "/r/", 3)) {
        char *target = sp + 4, *end = strchr(target, ' ');
        if (end)
            *end = '\0';
        snprintf(resp, sizeof(resp),
                 "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: "
                 "close\r\n\r\n",
                 target);
    } else {
        snprintf(resp, sizeof(resp),
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                 "Content-Length: 2\r\nConnection: close\r\n\r\nok");
    }
    send(fd, resp, strlen(resp), MSG_NOSIGNAL);
}

static void *accept_loop(void *arg)
{
    listener_t *l = arg;
    for (;;) {
        int fd = accept(l->fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        atomic_fetch_add(&l->accepts, 1);
        if (l->redirector)
            redirect_answer(fd);
        close(fd); /* an inside listener answers nothing: any fetch that got here fails */
    }
}

/* Bind l on port 0 when the address exists; leave fd -1 otherwise. */
static void start_listener(listener_t *l)
{
    if (l->needs_netns && !in_netns)
        return;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t len;
    if (l->family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, bind_addr(l), &a->sin_addr), 1);
        len = sizeof(*a);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, bind_addr(l), &a->sin6_addr), 1);
        len = sizeof(*a);
    }
    int fd = socket(l->family, SOCK_STREAM, 0);
    int one = 1;
    if (l->family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 16) != 0) {
        if (fd >= 0)
            close(fd);
        return;
    }
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    l->port = ntohs(l->family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                         : ((struct sockaddr_in6 *)&ss)->sin6_port);
    l->fd = fd;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, accept_loop, l), 0);
    pthread_detach(t);
}

/* A network namespace of our own with the inside addresses on lo, when permitted. Must run
 * before any thread exists (unshare(CLONE_NEWNET) refuses a threaded process). */
static void enter_netns(void)
{
    if (getenv("GS_SSRF_NO_NETNS") || unshare(CLONE_NEWNET) != 0) {
        print_message("no network namespace (%s): the private, link-local and public "
                      "listeners are left out\n",
                      getenv("GS_SSRF_NO_NETNS") ? "GS_SSRF_NO_NETNS" : strerror(errno));
        return;
    }
    static const char setup[] =
        "ip link set lo up && ip addr add 10.0.0.1/32 dev lo && ip addr add 172.16.0.1/32 "
        "dev lo && ip addr add 192.168.0.1/32 dev lo && ip addr add 100.64.0.1/32 dev lo && "
        "ip addr add 169.254.169.254/32 dev lo && ip addr add " PUBLIC_ADDR "/32 dev lo && "
        "ip -6 addr add fd00::1/128 dev lo nodad";
    /* In a fresh namespace lo is down and holds nothing; ip(8) runs in it too. */
    in_netns = system(setup) == 0;
    if (!in_netns)
        print_message("network namespace without its addresses (ip failed): left out\n");
}

static int setup(void **state)
{
    (void)state;
    enter_netns();
    for (size_t i = 0; i < NLISTENERS; i++)
        start_listener(&listeners[i]);
    assert_true(find_listener("127.0.0.1")->fd >= 0);
    assert_true(find_listener("proxy")->fd >= 0);
    /* Proxy variables in every spelling libcurl reads, all naming the proxy listener. */
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.3:%d/", find_listener("proxy")->port);
    const char *vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                          "all_proxy",  "ALL_PROXY",  "ftp_proxy"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        setenv(vars[i], proxy, 1);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

/* What one fetch came back with. */
typedef struct got {
    int calls;
    long status;
    int curl_code;
    bool refused;
    char error[256];
} got_t;

static void on_done(void *ud, const char *url, gs_response_t *resp)
{
    (void)url;
    got_t *g = ud;
    g->calls++;
    if (!resp)
        return;
    g->status = resp->status;
    g->curl_code = resp->curl_code;
    g->refused = resp->refused;
    snprintf(g->error, sizeof(g->error), "%s", resp->error);
}

/* Replace every "{ADDR}" in in with ADDR's listener port (e.g. "{::1}"); 0, or -1 when a
 * listener named there is not bound (the case is left out). */
static int expand(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    while (*in && o + 1 < outlen) {
        if (*in == '{') {
            const char *end = strchr(in, '}');
            assert_non_null(end);
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(end - in - 1), in + 1);
            listener_t *l = find_listener(name);
            assert_non_null(l);
            if (l->fd < 0)
                return -1;
            o += (size_t)snprintf(out + o, outlen - o, "%d", l->port);
            in = end + 1;
        } else {
            out[o++] = *in++;
        }
    }
    out[o < outlen ? o : outlen - 1] = '\0';
    return 0;
}

static void base_cfg(gs_config_t *c)
{
    gs_config_init(c);
    c->allow_private = false;
    c->page_timeout_ms = 3000;
    c->connect_timeout_ms = 2000;
    c->home_retries = 0;
}

/* Fetch one URL with the given --resolve entries (space-separated) and --connect-to (either
 * may be ""), and wait for it. */
static void fetch(const char *url, const char *resolve, const char *connect_to, bool allow,
                  got_t *g)
{
    gs_config_t c;
    base_cfg(&c);
    c.allow_private = allow;
    /* several --resolve entries are separated by spaces */
    for (const char *p = resolve; *p && c.resolve.len < GS_CONFIG_MAX_LIST;) {
        size_t n = strcspn(p, " ");
        c.resolve.items[c.resolve.len++] = strndup(p, n);
        p += n;
        while (*p == ' ')
            p++;
    }
    if (connect_to[0]) {
        c.connect_to.items[0] = strdup(connect_to);
        c.connect_to.len = 1;
    }
    gs_err_t e;
    gs_fetch_t *f = gs_fetch_new(&c, &e);
    assert_non_null(f);
    memset(g, 0, sizeof(*g));
    assert_int_equal(gs_fetch_add(f, url, g, 0, NULL, on_done, g), 0);
    int64_t end = gs_now_ms() + 20000;
    while (gs_fetch_pending(f) && gs_now_ms() < end)
        gs_fetch_poll(f, NULL, 0, 50);
    assert_int_equal(g->calls, 1);
    gs_fetch_destroy(&f);
    gs_config_cleanup(&c);
}

/* Every case of tests/data/fetch/ssrf_cases.tsv: refused, and no inside listener or the
 * proxy reached. */
static void test_refused(void **state)
{
    (void)state;
    FILE *fp = case_open("fetch", "ssrf_cases.tsv");
    case_row_t *row = malloc(sizeof(*row));
    assert_non_null(row);
    row->lineno = 0;
    int ran = 0, left_out = 0, bad = 0;
    while (case_next(fp, row)) {
        assert_true(row->n == 4);
        char url[512], resolve[256], connect_to[256];
        if (expand(row->f[0], url, sizeof(url)) < 0 ||
            expand(row->f[1], resolve, sizeof(resolve)) < 0 ||
            expand(row->f[2], connect_to, sizeof(connect_to)) < 0) {
            left_out++;
            continue;
        }
        if (!strcmp(resolve, "-"))
            resolve[0] = '\0';
        if (!strcmp(connect_to, "-"))
            connect_to[0] = '\0';
        got_t g;
        fetch(url, resolve, connect_to, false, &g);
        ran++;
        /* (a redirect's status is the redirector's: only refused and the reason count) */
        if (!g.refused || g.curl_code == 0 || strcmp(g.error, row->f[3]) != 0) {
            bad++;
            print_error("line %d: %s (resolve '%s', connect-to '%s'): refused %d status %ld "
                        "curl %d \"%s\", want \"%s\"\n",
                        row->lineno, url, resolve, connect_to, g.refused, g.status, g.curl_code,
                        g.error, row->f[3]);
        }
    }
    fclose(fp);
    free(row);
    int reached = 0;
    for (size_t i = 0; i < NLISTENERS; i++) {
        listener_t *l = &listeners[i];
        if (l->fd < 0 || l->redirector)
            continue;
        int n = atomic_load(&l->accepts);
        if (n)
            print_error("listener %s:%d accepted %d connections\n", l->name, l->port, n);
        reached += n;
    }
    int bound = 0;
    for (size_t i = 0; i < NLISTENERS; i++)
        bound += listeners[i].fd >= 0;
    print_message("%d fetches refused, %d left out (address not bound here), %d listeners "
                  "bound, %d connections accepted by the inside ones and the proxy\n",
                  ran, left_out, bound, reached);
    assert_int_equal(bad, 0);
    assert_int_equal(reached, 0);
    assert_true(ran >= 20);
}

/* Positive controls: what the guard lets through is reached, and directly (not through the
 * proxy of the environment). */
static void test_controls(void **state)
{
    (void)state;
    char url[128];
    got_t g;
    listener_t *ctl = find_listener("control"), *proxy = find_listener("proxy");
    int before = atomic_load(&ctl->accepts);
    snprintf(url, sizeof(url), "http://127.0.0.4:%d/ok", ctl->port);
    fetch(url, "", "", true, &g);
    assert_false(g.refused);
    assert_int_equal(g.status, 200);
    assert_int_equal(atomic_load(&ctl->accepts), before + 1);
    /* the same redirector without allow_private: refused, not reached */
    fetch(url, "", "", false, &g);
    assert_true(g.refused);
    assert_int_equal(atomic_load(&ctl->accepts), before + 1);
    listener_t *pub = find_listener(PUBLIC_ADDR);
    if (pub->fd >= 0) {
        int pb = atomic_load(&pub->accepts);
        snprintf(url, sizeof(url), "http://" PUBLIC_ADDR ":%d/ok", pub->port);
        fetch(url, "", "", false, &g);
        assert_false(g.refused);
        assert_int_equal(g.status, 200);
        assert_int_equal(atomic_load(&pub->accepts), pb + 1);
        /* a name of the public server, given with --resolve, is reached as well */
        char res[96];
        snprintf(res, sizeof(res), "www.outside.gov.cn:%d:" PUBLIC_ADDR, pub->port);
        snprintf(url, sizeof(url), "http://www.outside.gov.cn:%d/ok", pub->port);
        fetch(url, res, "", false, &g);
        assert_int_equal(g.status, 200);
        assert_int_equal(atomic_load(&pub->accepts), pb + 2);
    }
    assert_int_equal(atomic_load(&proxy->accepts), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_controls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
