/* gs_fetch.h -- the worker's fetch engine: many transfers at once on curl's multi
 * interface, polite to each host, bounded in every dimension.
 *
 * Requests are queued per host; a host gets at most host_connections transfers at once
 * and host_delay_ms between the starts of two of them, and the hosts on one server address
 * (once a connection has shown it) at most ip_connections and ip_delay_ms together. A 429
 * or 503 pauses its host: Retry-After, or a doubling delay with jitter, capped. Every transfer is
 * capped: the body after decoding (max_body_bytes, or a request's smaller max_body: read up to the
 * cap and cut, whatever Content-Length says), all response headers (max_header_bytes), redirects
 * (max_redirects), the connect phase with the TLS handshake (connect_timeout_ms), the
 * whole transfer (page_timeout_ms) and its speed (low_speed_bytes over low_speed_ms). It
 * is limited to http/https for requests and redirects, ignores proxy variables, and --
 * unless allow_private -- refuses to connect to loopback, private or link-local
 * addresses: the check runs on the address curl is about to connect to
 * (CURLOPT_OPENSOCKETFUNCTION), so names, redirects and odd address spellings cannot
 * slip past it.
 *
 * Memory: a running transfer holds at most its body cap plus libcurl's buffers (16 KiB
 * decoding chunks, a header line of at most 100 KiB); the engine runs at most 512
 * transfers at once.
 *
 * The engine owns queued requests and responses; a response is handed to the request's
 * callback and freed when the callback returns. Single-threaded. */
#ifndef GS_FETCH_H
#define GS_FETCH_H

#include "gs_config.h"
#include "gs_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gs_fetch gs_fetch_t;

/* What came back (or did not). */
typedef struct gs_response {
    long status;     /* final HTTP status, 0 when no response */
    int curl_code;   /* CURLcode, 0 on success */
    char error[256]; /* why it failed or was cut, in words naming the cap and its key
                        ("more than 5 redirects (max_redirects)"); "" when it went well.
                        Set also for a body cut at its cap, where curl_code is 0 */
    bool refused;    /* not fetched by policy: the SSRF guard refused the address, or the
                        URL or a redirect was not http/https (curl_code says which) */
    bool truncated;  /* body or headers hit their cap */
    char *body;      /* decoded body, NUL-terminated (may be partial when truncated) */
    size_t body_len;
    char *content_type;  /* of the final response, "" if none */
    char *final_url;     /* after redirects */
    double total_s;      /* transfer time */
    int64_t cert_expiry; /* with certinfo: Unix time the server's certificate expires, 0 */
} gs_response_t;

/* How one request differs from a plain GET of a page. */
typedef struct gs_fetch_opts {
    int delay_ms;           /* postpone the start (retries) */
    const char *user_agent; /* NULL: the configured one */
    bool head;              /* HEAD instead of GET (link checks) */
    bool ipv6_only;         /* resolve and connect over IPv6 only (W-IPV6) */
    bool certinfo;          /* read the server certificate's expiry (W-HTTPS) */
    uint64_t max_body;      /* cap on the body, 0: max_body_bytes */
} gs_fetch_opts_t;

typedef void (*gs_fetch_cb)(void *ud, const char *url, gs_response_t *resp);

gs_fetch_t *gs_fetch_new(const gs_config_t *cfg, gs_err_t *err);
void gs_fetch_destroy(gs_fetch_t **self_p);

/* Queue a GET of url for owner (any pointer identifying the task: see gs_fetch_cancel).
 * delay_ms postpones the start (retries). user_agent NULL = the configured one. 0, or
 * GS_EINVAL for text that is no URL, GS_ENOMEM. A URL of another scheme (file:, gopher:)
 * is queued and answered refused, as a redirect to one would be. */
int gs_fetch_add(gs_fetch_t *f, const char *url, void *owner, int delay_ms, const char *user_agent,
                 gs_fetch_cb cb, void *ud);
/* The same with every option (opts NULL: a plain GET). */
int gs_fetch_add_ex(gs_fetch_t *f, const char *url, void *owner, const gs_fetch_opts_t *opts,
                    gs_fetch_cb cb, void *ud);

/* Drop every queued or running request of owner; each callback is called once with
 * resp == NULL so that it can free its ud. */
void gs_fetch_cancel(gs_fetch_t *f, void *owner);

/* One turn of the loop: start what politeness allows, wait up to timeout_ms for activity
 * on the transfers or on the extra file descriptors (readable), finish transfers (calling
 * their callbacks). */
int gs_fetch_poll(gs_fetch_t *f, const int *extra_fds, size_t nextra, int timeout_ms);

/* Requests queued or running. */
size_t gs_fetch_pending(const gs_fetch_t *f);

/* Counters since start. */
typedef struct gs_fetch_stats {
    uint64_t requests, ok, failed, refused, truncated, bytes;
    uint64_t backoffs; /* 429/503 answers that paused their host */
} gs_fetch_stats_t;
void gs_fetch_stats(const gs_fetch_t *f, gs_fetch_stats_t *out);

#endif
