/* gs_config.h -- configuration of every govsweep role, from options and files.
 *
 * One table of keys serves both the command line (`--max-pages 200`, `--max-pages=200`)
 * and configuration files (`max_pages = 200`, `#` comments); `-` and `_` are the same in
 * key names. A key given twice takes the last value, except the repeatable ones
 * (connect_to, resolve) which accumulate. docs/configuration.md lists every key; a test
 * checks that the table and the doc agree.
 *
 * gs_config_t owns its strings; gs_config_cleanup frees them. Not thread-safe.
 * Limits: a config file of at most 1 MiB, values of at most 4 KiB, 64 repeated values. */
#ifndef GS_CONFIG_H
#define GS_CONFIG_H

#include "gs_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GS_CONFIG_MAX_LIST 64

typedef struct gs_strlist {
    char *items[GS_CONFIG_MAX_LIST];
    size_t len;
} gs_strlist_t;

typedef struct gs_config {
    /* the sweep */
    char *sweep;          /* sweep id; "" = derived from the reference time */
    char *reference_time; /* 监测时间点; "" = the sweep's start */
    char *registry;       /* TARGETS.csv */
    char *out;            /* report directory */
    /* where things are */
    char *redis;               /* redis://[:password@]host:port/db or unix:///path; "" = private */
    char *state_dir;           /* private Redis, sockets, logs */
    char *dispatcher_endpoint; /* ZeroMQ endpoint the dispatcher binds, workers connect */
    char *collector_endpoint;  /* ZeroMQ endpoint the collector binds, workers connect */
    char *data_dir;            /* dictionaries, keyword tables, calendars */
    char *worker_id;           /* "" = host:pid */
    char *log_level;
    /* security and monitoring (docs/operations.md) */
    char *curve_secret_key;      /* this side's CURVE secret key file; "" = no CURVE */
    char *curve_public_key;      /* this side's public key file (checked against the secret) */
    char *curve_server_key;      /* workers: the dispatcher's and collector's public key file */
    char *curve_allow;           /* dispatcher, collector: allowed client keys (file or dir) */
    bool zmq_insecure;           /* allow plain ZeroMQ on non-loopback tcp endpoints */
    bool redis_insecure;         /* allow a Redis URL without a password */
    char *metrics_listen;        /* HOST:PORT of the Prometheus endpoint; "" = off */
    uint32_t heartbeat_liveness; /* ZMTP heartbeats missed before a connection is dead */
    /* scale */
    uint32_t workers;  /* worker processes `run` starts; 0 = number of cores */
    uint32_t capacity; /* tasks one worker holds at once (its credit) */
    /* crawling */
    uint32_t max_pages;        /* page budget per site */
    uint32_t max_depth;        /* link depth from the home page */
    uint32_t host_connections; /* concurrent connections per host */
    uint32_t host_delay_ms;    /* minimum delay between requests to one host */
    uint32_t ip_connections;   /* concurrent connections per server address (0: no limit) */
    uint32_t ip_delay_ms;      /* minimum delay between requests to one address */
    uint32_t backoff_ms;       /* first pause of a host after a 429/503 (doubles) */
    uint32_t backoff_max_ms;   /* cap on a pause, Retry-After included */
    uint32_t page_timeout_ms;  /* total deadline of one page */
    uint32_t connect_timeout_ms;
    uint32_t low_speed_bytes;  /* a transfer slower than this many bytes/s ... */
    uint32_t low_speed_ms;     /* ... for this long is cut (0: no low-speed rule) */
    uint64_t max_body_bytes;   /* cap on a body, decoded */
    uint32_t max_header_bytes; /* cap on all response headers of a transfer */
    uint32_t max_redirects;
    uint32_t max_links_per_page;
    uint32_t home_retries;   /* extra tries of an unreachable home page */
    uint32_t retry_delay_ms; /* delay before such a retry */
    bool allow_private;
    gs_strlist_t connect_to; /* curl --connect-to values */
    gs_strlist_t resolve;    /* curl --resolve values */
    char *cacert;
    char *user_agent;
    /* leases */
    uint32_t lease_ms;        /* a lease lasts this long past its last renewal */
    uint32_t heartbeat_ms;    /* heartbeat interval, both ways */
    uint32_t max_attempts;    /* leases of one target before it is reported 未检查 */
    uint32_t result_retry_ms; /* a worker re-sends an unacknowledged result after this */
    /* checks */
    uint32_t stale_days;        /* 首页/账号 not updated for more than this many days */
    uint32_t column_stale_veto; /* stale 动态/要闻 + 一级 通知公告/政策文件 columns: veto */
    uint32_t column_stale_total_veto; /* stale columns of every class together: veto */
    uint32_t column_blank_veto;       /* blank columns: veto */
    char *column_overrides;           /* SITECODE<TAB>column<TAB>class file, "" = none */
    char *holiday_overrides;          /* more holidays.tsv lines (an operator's), "" = none */
    uint32_t interact_reply_days;     /* a message answered later than this: W-INTERACT veto */
    uint32_t interact_slow_workdays;  /* answered later than this many working days: slow */
    uint32_t interact_window_days;    /* messages asked within this many days are judged */
    uint32_t dup_post_columns;        /* one item in this many columns: W-DUP-POST */
    uint32_t link_checks;             /* links of a site checked beyond the crawled pages */
    bool check_external_links;        /* check links to other hosts too */
    char *spider_user_agent;          /* the search-engine spider of the cloaking check */
    uint32_t cert_warn_days;          /* a certificate expiring within this many days */
    uint32_t privacy_mobiles;         /* distinct mobile numbers on a page that are "in bulk" */
    bool service_veto;                /* W-SERVICE vetoes (threshold unconfirmed: off) */
    /* the availability watch (govsweep watch) */
    uint32_t watch_timeout_ms; /* a probe not open within this fails (checks.md: 15 s) */
} gs_config_t;

/* Defaults for everything. */
void gs_config_init(gs_config_t *c);
void gs_config_cleanup(gs_config_t *c);

/* Set one key (a name from the table, `-` or `_`) from its text value. GS_ENOTFOUND for an
 * unknown key, GS_EINVAL for a bad value; err says which. */
int gs_config_set(gs_config_t *c, const char *key, const char *value, gs_err_t *err);

/* Read a `key = value` file. Errors name the file and line. */
int gs_config_load_file(gs_config_t *c, const char *path, gs_err_t *err);

/* Parse options from argv[*i] on: `--key value`, `--key=value`, `--flag` for booleans and
 * `--config FILE` (loaded in place). Stops at the first argument that is not an option
 * and leaves *i there. */
int gs_config_parse_args(gs_config_t *c, int argc, char **argv, int *i, gs_err_t *err);

/* Append `--key value` arguments that reproduce every non-default value in c to argv
 * (for starting child processes). Returns the number added or a negative code.
 * The strings are allocated; free them with gs_config_free_args. */
int gs_config_to_args(const gs_config_t *c, char **argv, size_t max);
void gs_config_free_args(char **argv, size_t n);

/* Print every key with its default and help text (for --help and the docs test). */
void gs_config_print_keys(void *fp);

/* 1 when key names a configuration key. */
int gs_config_is_key(const char *key);

/* The data directory: data_dir, else $GS_DATA_DIR, else the built-in path. Borrowed. */
const char *gs_config_data_dir(const gs_config_t *c);

#endif
