/* gs_feed.h -- an account's feed, parsed into posts.
 *
 * New-media accounts (微信公众号, 微博, 抖音, 头条 ...) are read through the feeds that
 * self-hosted bridges (RSSHub, WeRSS and the like) make of them: RSS 2.0 (and 0.9x),
 * RSS 1.0 (RDF), Atom 1.0 (and 0.3) or JSON Feed 1.0/1.1. The format is recognised from
 * the bytes, not from the Content-Type, which bridges often get wrong. Each post keeps
 * its title, link, plain text (HTML tags stripped, entities decoded) and publication
 * time; the feed keeps its own title and link, the account name as the platform shows
 * it. HTML profile pages are not feeds and are refused (GS_EPARSE).
 *
 * The body is converted to UTF-8 first (gs_charset: the XML declaration's encoding, then
 * the Content-Type, then detection; GBK and GB2312 are read as GB18030), so libxml2
 * only ever sees UTF-8. XML is parsed with XML_PARSE_NONET and XML_PARSE_RECOVER, never
 * with XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE, after its DOCTYPE is
 * dropped: no entity declared in the document is ever expanded (billion laughs costs
 * nothing and loses no item), nothing is fetched. Broken XML gives what can be recovered
 * of it: bare '&' and '<', HTML entity names outside CDATA, unclosed elements and a cut
 * end are mended or tolerated, items are found at any depth. Memory, while parsing and
 * after, is bounded by a small multiple of the body's size.
 *
 * gs_feed_parse allocates the feed; the caller frees it with gs_feed_destroy. Everything
 * the accessors return is borrowed from the feed and lives until it is destroyed. A feed
 * is never changed after it is parsed, so reading one from several threads is safe.
 * gs_feed_parse has no shared state of its own, but the process must have called
 * xmlInitParser() once before calling it (from several threads at once in particular).
 *
 * Limits: a body of at most GS_FEED_MAX_BODY bytes; at most GS_FEED_MAX_POSTS posts are
 * kept (the rest are counted, and their dates still count for gs_feed_newest up to
 * GS_FEED_MAX_DATED items); text of a post cut at GS_FEED_MAX_TEXT bytes, a title at
 * GS_FEED_MAX_TITLE, the markup of one field read up to GS_FEED_MAX_MARKUP; links longer
 * than GS_FEED_MAX_LINK dropped; JSON nested at most GS_FEED_MAX_DEPTH deep (XML depth
 * is libxml2's own limit of 256 without XML_PARSE_HUGE). Every cut falls on a UTF-8
 * character boundary, so all strings are valid UTF-8. */
#ifndef GS_FEED_H
#define GS_FEED_H

#include "gs_err.h"

#include <stddef.h>
#include <stdint.h>

/* Ceiling on the body given to gs_feed_parse (GS_ETOOBIG past it). */
#define GS_FEED_MAX_BODY ((size_t)32 * 1024 * 1024)
/* Posts kept; items past this are counted in gs_feed_total only. */
#define GS_FEED_MAX_POSTS 1000
/* Items whose publication time is remembered for gs_feed_newest, kept or not. */
#define GS_FEED_MAX_DATED 100000
/* Bytes of plain text kept per post. */
#define GS_FEED_MAX_TEXT ((size_t)64 * 1024)
/* Bytes of a post's or the feed's title. */
#define GS_FEED_MAX_TITLE ((size_t)4 * 1024)
/* Bytes of a link; a longer one is no usable URL and is dropped (""). */
#define GS_FEED_MAX_LINK ((size_t)4096)
/* Bytes of markup read from one field before it is turned into text: HTML is much
 * longer than its text, but a field past this is cut rather than copied whole. */
#define GS_FEED_MAX_MARKUP ((size_t)1024 * 1024)
/* Nesting of arrays and objects in a JSON feed (a JSON Feed needs 4). */
#define GS_FEED_MAX_DEPTH 64

typedef struct gs_feed gs_feed_t;

/* One post of a feed. Owned by the feed; every string is UTF-8 and never NULL. */
typedef struct gs_post {
    char *title;       /* plain text on one line, "" when the item has none */
    char *link;        /* the post's URL as the feed gives it, "" when none */
    char *text;        /* plain text: HTML stripped, entities decoded, blocks on lines */
    int64_t published; /* Unix seconds; 0 when absent or unparseable */
} gs_post_t;

/* Parse len bytes of body (as received; need not be NUL-terminated). content_type (may
 * be NULL) is a hint for the charset and for JSON; the format is decided by the content.
 * On success *out is a new feed (caller destroys) and 0 is returned. Otherwise *out is
 * NULL and the result is GS_EPARSE (not a feed: empty body, HTML page, JSON that is not
 * a JSON Feed, XML with another root, undecodable bytes; err says which), GS_ETOOBIG
 * (body or JSON nesting past its limit), GS_ENOMEM, or GS_EINVAL for a NULL out or a
 * NULL body with len > 0. err may be NULL. A feed with no items is a feed (0 posts). */
int gs_feed_parse(const char *body, size_t len, const char *content_type, gs_feed_t **out,
                  gs_err_t *err);

/* Free the feed and NULL the pointer; NULL-safe and idempotent. */
void gs_feed_destroy(gs_feed_t **self_p);

/* Posts kept (at most GS_FEED_MAX_POSTS), in the feed's order; valid indexes for
 * gs_feed_post. */
size_t gs_feed_count(const gs_feed_t *f);

/* Items the feed holds, kept or not (>= gs_feed_count). */
size_t gs_feed_total(const gs_feed_t *f);

/* Post i (0-based), or NULL when i >= gs_feed_count. Borrowed. */
const gs_post_t *gs_feed_post(const gs_feed_t *f, size_t i);

/* The feed's own title (the account name as the platform shows it), "" when none. */
const char *gs_feed_title(const gs_feed_t *f);

/* The feed's own link (the account's page), "" when none. */
const char *gs_feed_link(const gs_feed_t *f);

/* "rss" (RSS 0.9x/2.0 and RSS 1.0), "atom" or "json". */
const char *gs_feed_format(const gs_feed_t *f);

/* The newest publication time not after ref_unix among all items (kept or not, up to
 * GS_FEED_MAX_DATED), 0 when no item has one. Items dated after ref_unix are left out:
 * a future date is a wrong clock or a scheduled post, never an update. */
int64_t gs_feed_newest(const gs_feed_t *f, int64_t ref_unix);

#endif
