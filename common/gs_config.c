/* gs_config.c -- the table of configuration keys and its two parsers (options, files). */
#include "gs_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_STR, T_U32, T_U64, T_BOOL, T_LIST } ktype_t;

typedef struct key {
    const char *name;
    ktype_t type;
    size_t off;
    const char *def; /* default as text */
    const char *help;
} key_t_;

#define K(n, t, d, h)                                                                              \
    {                                                                                              \
#n, t, offsetof(gs_config_t, n), d, h                                                      \
    }
static const key_t_ keys[] = {
    K(sweep, T_STR, "", "sweep id (default: from the reference time, e.g. 2021Q2-20210615)"),
    K(reference_time, T_STR, "", "监测时间点 YYYY-MM-DD[THH:MM[:SS]] (CST unless an offset)"),
    K(registry, T_STR, "", "target registry CSV (dispatcher)"),
    K(out, T_STR, "out", "directory for the report files"),
    K(redis, T_STR, "", "redis://[:password@]host:port/db or unix:///path (run: private)"),
    K(state_dir, T_STR, "state", "state directory: private Redis, sockets, logs"),
    K(dispatcher_endpoint, T_STR, "tcp://127.0.0.1:5570", "ZeroMQ endpoint of the dispatcher"),
    K(collector_endpoint, T_STR, "tcp://127.0.0.1:5571", "ZeroMQ endpoint of the collector"),
    K(curve_secret_key, T_STR, "", "this side's CURVE secret key file (govsweep keygen)"),
    K(curve_public_key, T_STR, "", "this side's CURVE public key file (checked against it)"),
    K(curve_server_key, T_STR, "", "workers: the dispatcher's and collector's public key file"),
    K(curve_allow, T_STR, "", "dispatcher, collector: file or directory of allowed .pub keys"),
    K(zmq_insecure, T_BOOL, "false", "allow plain ZeroMQ on non-loopback tcp endpoints"),
    K(redis_insecure, T_BOOL, "false", "allow a Redis URL without a password"),
    K(metrics_listen, T_STR, "", "HOST:PORT of the Prometheus /metrics endpoint (empty: off)"),
    K(data_dir, T_STR, "", "data files directory (default: built-in path)"),
    K(worker_id, T_STR, "", "worker id (default: host:pid)"),
    K(log_level, T_STR, "info", "debug, info, warn or error"),
    K(workers, T_U32, "0", "worker processes started by run (0: one per core)"),
    K(capacity, T_U32, "16", "tasks a worker holds at once (its credit)"),
    K(max_pages, T_U32, "200", "page budget per site"),
    K(max_depth, T_U32, "3", "link depth from the home page"),
    K(host_connections, T_U32, "2", "concurrent connections per host"),
    K(host_delay_ms, T_U32, "0", "minimum delay between requests to one host (ms)"),
    K(ip_connections, T_U32, "16", "concurrent connections per server address (0: no limit)"),
    K(ip_delay_ms, T_U32, "0", "minimum delay between requests to one server address (ms)"),
    K(backoff_ms, T_U32, "1000", "first pause of a host that answers 429 or 503 (ms, doubles)"),
    K(backoff_max_ms, T_U32, "60000", "longest pause of a host, Retry-After included (ms)"),
    K(page_timeout_ms, T_U32, "15000", "deadline of one page (ms)"),
    K(connect_timeout_ms, T_U32, "5000", "deadline of one connection (ms)"),
    K(low_speed_bytes, T_U32, "100", "a transfer below this many bytes/s for low_speed_ms is cut"),
    K(low_speed_ms, T_U32, "10000", "window of the low-speed rule (ms, whole seconds; 0: off)"),
    K(max_body_bytes, T_U64, "8388608", "cap on a page body after decoding (bytes)"),
    K(max_header_bytes, T_U32, "65536", "cap on the response headers of a transfer (bytes)"),
    K(max_redirects, T_U32, "5", "redirects followed per page"),
    K(max_links_per_page, T_U32, "2000", "links read from one page"),
    K(home_retries, T_U32, "2", "extra tries of a home page that fails"),
    K(retry_delay_ms, T_U32, "2000", "delay before retrying a failed home page (ms)"),
    K(allow_private, T_BOOL, "false", "allow loopback, private and link-local addresses"),
    K(connect_to, T_LIST, "", "HOST:PORT:CONNECT-HOST:CONNECT-PORT (repeatable)"),
    K(resolve, T_LIST, "", "HOST:PORT:ADDR[,ADDR] (repeatable)"),
    K(cacert, T_STR, "", "extra CA bundle for HTTPS"),
    K(user_agent, T_STR, "Mozilla/5.0 (compatible; govsweep/" GS_VERSION ")",
      "User-Agent of every request"),
    K(lease_ms, T_U32, "15000", "a lease lasts this long past its last renewal (ms)"),
    K(heartbeat_ms, T_U32, "1000", "heartbeat interval (ms)"),
    K(heartbeat_liveness, T_U32, "5", "heartbeats missed before a connection is dead"),
    K(max_attempts, T_U32, "3", "leases of a target before it is reported 未检查"),
    K(result_retry_ms, T_U32, "3000", "re-send an unacknowledged result after (ms)"),
    K(stale_days, T_U32, "14", "not updated for more than this many days is stale"),
    K(column_stale_veto, T_U32, "5",
      "stale 动态/要闻 and 一级 通知公告/政策文件 columns that veto the site"),
    K(column_stale_total_veto, T_U32, "10", "stale columns of every class that veto the site"),
    K(column_blank_veto, T_U32, "5", "blank columns that veto the site"),
    K(column_overrides, T_STR, "", "file of per-site column classes: SITECODE<TAB>name<TAB>class"),
    K(holiday_overrides, T_STR, "", "a holidays.tsv of the operator's, over data/holidays.tsv"),
    K(interact_reply_days, T_U32, "90", "a message unanswered longer than this vetoes (days)"),
    K(interact_slow_workdays, T_U32, "5", "a reply later than this is slow (working days)"),
    K(interact_window_days, T_U32, "365", "messages asked within this many days are judged"),
    K(dup_post_columns, T_U32, "3", "one item published in this many columns: W-DUP-POST"),
    K(link_checks, T_U32, "300", "links of a site checked beyond the crawled pages"),
    K(check_external_links, T_BOOL, "true", "check links to other hosts too (W-LINK-BROKEN)"),
    K(spider_user_agent, T_STR,
      "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
      "User-Agent of the second home-page fetch that looks for cloaking"),
    K(cert_warn_days, T_U32, "30", "a certificate expiring within this many days (W-HTTPS)"),
    K(privacy_mobiles, T_U32, "5", "distinct mobile numbers on one page that are W-PRIVACY"),
    K(service_veto, T_BOOL, "false", "W-SERVICE vetoes the site (threshold unconfirmed)"),
    K(watch_timeout_ms, T_U32, "15000", "watch: a home page not open within this fails (ms)"),
};
#undef K
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

#define VALUE_MAX 4096

static const key_t_ *find_key(const char *name)
{
    char norm[64];
    size_t n = strlen(name);
    if (n >= sizeof(norm))
        return NULL;
    for (size_t i = 0; i <= n; i++)
        norm[i] = name[i] == '-' ? '_' : name[i];
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, norm) == 0)
            return &keys[i];
    return NULL;
}

int gs_config_is_key(const char *key)
{
    return find_key(key) != NULL;
}

static int set_value(gs_config_t *c, const key_t_ *k, const char *v, gs_err_t *err)
{
    char *base = (char *)c + k->off;
    if (strlen(v) > VALUE_MAX)
        return gs_err_set(err, GS_EINVAL, "%s: value longer than %d bytes", k->name, VALUE_MAX);
    switch (k->type) {
    case T_STR: {
        char **p = (char **)(void *)base;
        char *s = strdup(v);
        if (!s)
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        free(*p);
        *p = s;
        return 0;
    }
    case T_U32:
    case T_U64: {
        char *end;
        errno = 0;
        if (!isdigit((unsigned char)v[0]))
            return gs_err_set(err, GS_EINVAL, "%s: '%s' is not a number", k->name, v);
        unsigned long long x = strtoull(v, &end, 10);
        if (errno || *end || (k->type == T_U32 && x > UINT32_MAX))
            return gs_err_set(err, GS_EINVAL, "%s: '%s' is not a number in range", k->name, v);
        if (k->type == T_U32)
            *(uint32_t *)(void *)base = (uint32_t)x;
        else
            *(uint64_t *)(void *)base = (uint64_t)x;
        return 0;
    }
    case T_BOOL: {
        bool *b = (bool *)(void *)base;
        if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"))
            *b = true;
        else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "off"))
            *b = false;
        else
            return gs_err_set(err, GS_EINVAL, "%s: '%s' is not true or false", k->name, v);
        return 0;
    }
    case T_LIST: {
        gs_strlist_t *l = (gs_strlist_t *)(void *)base;
        if (l->len >= GS_CONFIG_MAX_LIST)
            return gs_err_set(err, GS_ETOOBIG, "%s: more than %d values", k->name,
                              GS_CONFIG_MAX_LIST);
        if (!(l->items[l->len] = strdup(v)))
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        l->len++;
        return 0;
    }
    }
    return GS_EINVAL;
}

void gs_config_init(gs_config_t *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NKEYS; i++)
        if (keys[i].type != T_LIST)
            (void)set_value(c, &keys[i], keys[i].def, NULL);
}

void gs_config_cleanup(gs_config_t *c)
{
    for (size_t i = 0; i < NKEYS; i++) {
        char *base = (char *)c + keys[i].off;
        if (keys[i].type == T_STR)
            free(*(char **)(void *)base);
        else if (keys[i].type == T_LIST) {
            gs_strlist_t *l = (gs_strlist_t *)(void *)base;
            for (size_t j = 0; j < l->len; j++)
                free(l->items[j]);
        }
    }
    memset(c, 0, sizeof(*c));
}

int gs_config_set(gs_config_t *c, const char *key, const char *value, gs_err_t *err)
{
    const key_t_ *k = find_key(key);
    if (!k)
        return gs_err_set(err, GS_ENOTFOUND, "unknown option '%s'", key);
    return set_value(c, k, value, err);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int gs_config_load_file(gs_config_t *c, const char *path, gs_err_t *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    char line[VALUE_MAX + 128];
    int lineno = 0, rc = 0;
    long total = 0;
    while (fgets(line, sizeof(line), fp)) {
        lineno++;
        total += (long)strlen(line);
        if (total > 1024 * 1024) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s: larger than 1 MiB", path);
            break;
        }
        if (!strchr(line, '\n') && !feof(fp)) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: line too long", path, lineno);
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';' || *s == '[')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = gs_err_set(err, GS_EINVAL, "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = '\0';
            val++;
        }
        gs_err_t e;
        gs_err_clear(&e);
        if ((rc = gs_config_set(c, key, val, &e)) < 0) {
            gs_err_set(err, rc, "%s:%d: %s", path, lineno, e.msg);
            break;
        }
    }
    fclose(fp);
    return rc;
}

int gs_config_parse_args(gs_config_t *c, int argc, char **argv, int *i, gs_err_t *err)
{
    while (*i < argc) {
        const char *a = argv[*i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
            return 0;
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t nl = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (nl >= sizeof(name))
            return gs_err_set(err, GS_ENOTFOUND, "unknown option '%s'", a);
        memcpy(name, a + 2, nl);
        name[nl] = '\0';
        const char *val = eq ? eq + 1 : NULL;
        if (strcmp(name, "config") == 0) {
            if (!val && *i + 1 >= argc)
                return gs_err_set(err, GS_EINVAL, "--config needs a file");
            int rc = gs_config_load_file(c, val ? val : argv[++*i], err);
            if (rc < 0)
                return rc;
            ++*i;
            continue;
        }
        const key_t_ *k = find_key(name);
        if (!k)
            return gs_err_set(err, GS_ENOTFOUND, "unknown option '--%s'", name);
        if (!val) {
            if (k->type == T_BOOL)
                val = "true";
            else if (*i + 1 < argc)
                val = argv[++*i];
            else
                return gs_err_set(err, GS_EINVAL, "--%s needs a value", name);
        }
        int rc = set_value(c, k, val, err);
        if (rc < 0)
            return rc;
        ++*i;
    }
    return 0;
}

static int push_arg(char **argv, size_t max, size_t *n, const char *s)
{
    if (*n >= max)
        return GS_ETOOBIG;
    if (!(argv[*n] = strdup(s)))
        return GS_ENOMEM;
    ++*n;
    return 0;
}

int gs_config_to_args(const gs_config_t *c, char **argv, size_t max)
{
    gs_config_t def;
    gs_config_init(&def);
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < NKEYS && rc == 0; i++) {
        const key_t_ *k = &keys[i];
        const char *base = (const char *)c + k->off;
        const char *dbase = (const char *)&def + k->off;
        char opt[80], val[100];
        snprintf(opt, sizeof(opt), "--%s", k->name);
        for (char *p = opt; *p; p++)
            if (*p == '_')
                *p = '-';
        switch (k->type) {
        case T_STR: {
            const char *s = *(char *const *)(const void *)base;
            const char *d = *(char *const *)(const void *)dbase;
            if (s && strcmp(s, d ? d : "") != 0 && (rc = push_arg(argv, max, &n, opt)) == 0)
                rc = push_arg(argv, max, &n, s);
            break;
        }
        case T_U32:
        case T_U64: {
            unsigned long long x = k->type == T_U32 ? *(const uint32_t *)(const void *)base
                                                    : *(const uint64_t *)(const void *)base;
            unsigned long long y = k->type == T_U32 ? *(const uint32_t *)(const void *)dbase
                                                    : *(const uint64_t *)(const void *)dbase;
            snprintf(val, sizeof(val), "%llu", x);
            if (x != y && (rc = push_arg(argv, max, &n, opt)) == 0)
                rc = push_arg(argv, max, &n, val);
            break;
        }
        case T_BOOL:
            if (*(const bool *)(const void *)base != *(const bool *)(const void *)dbase) {
                snprintf(val, sizeof(val), "%s=%s", opt,
                         *(const bool *)(const void *)base ? "true" : "false");
                rc = push_arg(argv, max, &n, val);
            }
            break;
        case T_LIST: {
            const gs_strlist_t *l = (const gs_strlist_t *)(const void *)base;
            for (size_t j = 0; j < l->len && rc == 0; j++)
                if ((rc = push_arg(argv, max, &n, opt)) == 0)
                    rc = push_arg(argv, max, &n, l->items[j]);
            break;
        }
        }
    }
    gs_config_cleanup(&def);
    if (rc < 0) {
        gs_config_free_args(argv, n);
        return rc;
    }
    return (int)n;
}

void gs_config_free_args(char **argv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(argv[i]);
        argv[i] = NULL;
    }
}

void gs_config_print_keys(void *fpv)
{
    FILE *fp = fpv;
    for (size_t i = 0; i < NKEYS; i++) {
        char opt[64];
        snprintf(opt, sizeof(opt), "%s", keys[i].name);
        for (char *p = opt; *p; p++)
            if (*p == '_')
                *p = '-';
        fprintf(fp, "  --%-22s %s%s%s%s\n", opt, keys[i].help, keys[i].def[0] ? " [" : "",
                keys[i].def, keys[i].def[0] ? "]" : "");
    }
}

const char *gs_config_data_dir(const gs_config_t *c)
{
    if (c->data_dir && c->data_dir[0])
        return c->data_dir;
    const char *env = getenv("GS_DATA_DIR");
    return env && env[0] ? env : GS_DATA_DIR_DEFAULT;
}
