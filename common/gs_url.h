/* gs_url.h -- URL handling for the crawler, on libcurl's URL API (CURLU).
 *
 * Resolving relative links, normalizing for the visited set, telling internal from
 * external, and the SSRF guard's address classifier. Every function that returns
 * char * hands ownership to the caller (free()); NULL means error or "not a crawlable
 * URL". Thread-safe (no shared state). Limit: URLs longer than GS_URL_MAX are refused. */
#ifndef GS_URL_H
#define GS_URL_H

#include <stddef.h>
#include <sys/socket.h>

#define GS_URL_MAX 4096

/* Resolve href against base and normalize: only http/https kept (javascript:, mailto:,
 * tel:, data:, file:, ftp: ... give NULL), fragment dropped, scheme and host lower-cased,
 * default port dropped, empty path becomes "/", dot segments removed. Leading/trailing
 * whitespace in href is ignored. */
char *gs_url_resolve(const char *base, const char *href);
/* gs_url_resolve that tells the two NULLs apart: 0 with *out the URL, or NULL when href
 * names nothing we crawl; GS_ENOMEM (and *out NULL) when memory ran out, so that a parser
 * does not take a shortage for a link that is not there. */
int gs_url_resolve_rc(const char *base, const char *href, char **out);

/* A base URL parsed once, for resolving the many links of one page.
 *
 * gs_urlbase_resolve gives exactly what gs_url_resolve gives, but the common links of a
 * page -- "/col/a/index.html", "art_12.html": a path of unreserved characters with no dot
 * segment, no empty segment, no query or fragment -- are joined to the base's origin or
 * directory without a parse (a page holds hundreds of links and libcurl's URL API parses
 * the base again for each); anything else goes through gs_url_resolve. gs_urlbase_new
 * allocates (NULL when base is not a usable http/https URL), gs_urlbase_destroy frees.
 * One page, one thread. */
typedef struct gs_urlbase gs_urlbase_t;
gs_urlbase_t *gs_urlbase_new(const char *base);
void gs_urlbase_destroy(gs_urlbase_t **self_p);
char *gs_urlbase_resolve(const gs_urlbase_t *b, const char *href);
/* gs_urlbase_resolve with the error apart, as gs_url_resolve_rc. */
int gs_urlbase_resolve_rc(const gs_urlbase_t *b, const char *href, char **out);

/* The lower-cased host of an absolute URL (no port, no brackets), or NULL. */
char *gs_url_host(const char *url);

/* 1 when both URLs have the same host (case-insensitive), else 0. */
int gs_url_same_host(const char *a, const char *b);

/* 1 when host is under .gov.cn or .政务 (or its punycode xn--zfr164b), else 0. */
int gs_host_is_gov(const char *host);

/* SSRF guard: 1 when the address must be refused without --allow-private: loopback
 * (127/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
 * fe80::/10), unspecified (0.0.0.0/8, ::), CGNAT 100.64/10, multicast, broadcast,
 * reserved 240/4, IPv4-mapped/compatible/NAT64 forms of any of those (::ffff:a.b.c.d,
 * 64:ff9b::/96), and any address family other than AF_INET/AF_INET6. */
int gs_addr_is_private(const struct sockaddr *sa, socklen_t len);

#endif
