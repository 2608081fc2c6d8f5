/* gs_url.c -- resolving and normalizing links, host tests, and the SSRF address classifier.
 *
 * Resolution and parsing are libcurl's (CURLU), so the crawler and the fetcher agree on
 * what a URL means. Around it we do what browsers do and libcurl 7.88 does not: strip
 * whitespace and tab/newline, percent-encode spaces and non-ASCII in path and query, treat
 * '\' as '/', handle fragment-only and empty hrefs (7.88 resolves "#f" and "" against the
 * base's directory instead of the document), lower-case the host and upper-case percent
 * escapes, so one resource has one spelling in the visited set. */
#include "gs_url.h"
#include "gs_err.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Room for a cleaned href. Percent-encoding can triple an input of GS_URL_MAX bytes; an
 * href whose encoded form passes GS_URL_MAX is refused rather than grown, as the URL it
 * names would nearly always be too long as well (only "../" segments could shrink it). */
#define GS_URL_CLEAN_MAX GS_URL_MAX

static int url_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int url_is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned char url_upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

static unsigned char url_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Length of a "scheme:" prefix (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"),
 * including the colon, or 0 when s starts with no scheme (a relative reference). */
static size_t url_scheme_len(const char *s, size_t n)
{
    if (n == 0 || !url_is_alpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':')
            return i + 1;
        if (!url_is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/* Bytes a browser percent-encodes (WHATWG path and special-query percent-encode sets):
 * controls, space, DEL, non-ASCII, and characters that are not allowed raw in a URL. */
static int url_must_encode(unsigned char c, int in_query)
{
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>')
        return 1;
    if (in_query)
        return c == '\'';
    return c == '`' || c == '{' || c == '}';
}

/* Clean an href as a browser does before parsing: drop leading/trailing controls and
 * spaces, drop every tab/CR/LF, drop the fragment, turn '\' into '/' before the query,
 * and percent-encode what must be encoded in path and query. The authority is copied
 * as is, so an internationalized host reaches libcurl in UTF-8. Writes a NUL-terminated
 * string into out; returns 0, GS_ENOMEM, or GS_ETOOBIG when it does not fit in outmax. */
static int url_clean(const char *in, char *out, size_t outmax)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(in);
    while (n > 0 && (unsigned char)in[0] <= 0x20) {
        in++;
        n--;
    }
    while (n > 0 && (unsigned char)in[n - 1] <= 0x20)
        n--;
    char *s = malloc(n + 1);
    if (!s) {
        out[0] = '\0';
        return GS_ENOMEM;
    }
    size_t len = 0;
    for (size_t i = 0; i < n && in[i] != '#'; i++)
        if (in[i] != '\t' && in[i] != '\n' && in[i] != '\r')
            s[len++] = in[i];

    /* Scheme, then "//" authority (also spelled with backslashes, as browsers accept for
     * http and https), then path and query. */
    size_t i = url_scheme_len(s, len);
    size_t o = 0;
    int rc = GS_ETOOBIG;
    if (i >= outmax)
        goto out;
    memcpy(out, s, i);
    o = i;
    if (i + 1 < len && (s[i] == '/' || s[i] == '\\') && (s[i + 1] == '/' || s[i + 1] == '\\')) {
        if (o + 2 >= outmax)
            goto out;
        out[o++] = '/';
        out[o++] = '/';
        for (i += 2; i < len && s[i] != '/' && s[i] != '\\' && s[i] != '?'; i++) {
            if (o + 1 >= outmax)
                goto out;
            out[o++] = s[i];
        }
    }
    int in_query = 0;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '?')
            in_query = 1;
        if (c == '\\' && !in_query)
            c = '/';
        if (url_must_encode(c, in_query)) {
            if (o + 3 >= outmax)
                goto out;
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0f];
        } else {
            if (o + 1 >= outmax)
                goto out;
            out[o++] = (char)c;
        }
    }
    rc = 0;
out:
    out[o] = '\0';
    free(s);
    return rc;
}

/* Upper-case the hex digits of every percent escape after the authority (RFC 3986
 * 6.2.2.1: %e8 and %E8 are the same octet), so both spellings meet in the visited set. */
static void url_upper_escapes(char *u)
{
    char *p = strstr(u, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    for (; p && *p; p++) {
        if (p[0] == '%' && url_is_hex((unsigned char)p[1]) && url_is_hex((unsigned char)p[2])) {
            p[1] = (char)url_upper((unsigned char)p[1]);
            p[2] = (char)url_upper((unsigned char)p[2]);
            p += 2;
        }
    }
}

/* 1 when s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int url_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p++;
        int need;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c < 0x80)
            continue;
        if (c >= 0xc2 && c <= 0xdf)
            need = 1;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3;
        else
            return 0;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
        else if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* past U+10FFFF */
        for (int k = 0; k < need; k++, p++) {
            if (*p < lo || *p > hi)
                return 0;
            lo = 0x80;
            hi = 0xbf;
        }
    }
    return 1;
}

/* The host of h, lower-cased, as a malloc'ed string in *out; punycode when libcurl can
 * make it (its IDN conversion goes through the process locale: in the "C" locale it fails
 * and we keep the UTF-8 spelling). Brackets are kept for IPv6. *out is NULL when there is
 * no host or it is not UTF-8. 0 or GS_ENOMEM. */
static int url_get_host(CURLU *h, char **out)
{
    char *host = NULL;
    *out = NULL;
    CURLUcode uc = curl_url_get(h, CURLUPART_HOST, &host, CURLU_PUNYCODE);
    if (uc != CURLUE_OK) {
        /* When the IDN conversion fails, libcurl (7.88 to 8.x) returns the error but
         * leaves its copy of the host in *part: it is ours to free. 7.88 reports a failed
         * conversion as CURLUE_OUT_OF_MEMORY too, so only the plain call below can tell
         * a real shortage. */
        curl_free(host);
        host = NULL;
        uc = curl_url_get(h, CURLUPART_HOST, &host, 0);
        if (uc != CURLUE_OK)
            return uc == CURLUE_OUT_OF_MEMORY ? GS_ENOMEM : 0;
    }
    char *copy = NULL;
    size_t n = host ? strlen(host) : 0;
    struct in6_addr a6;
    char lit[INET6_ADDRSTRLEN + 2];
    if (n > 2 && n < sizeof(lit) && host[0] == '[' && host[n - 1] == ']') {
        /* IPv6 literal: print it the RFC 5952 way, so [0:0::1] and [::1] are one host. A
         * zone id makes inet_pton fail and leaves the spelling as it was. */
        memcpy(lit, host + 1, n - 2);
        lit[n - 2] = '\0';
        if (inet_pton(AF_INET6, lit, &a6) == 1 &&
            inet_ntop(AF_INET6, &a6, lit + 1, INET6_ADDRSTRLEN)) {
            lit[0] = '[';
            size_t m = strlen(lit);
            lit[m] = ']';
            lit[m + 1] = '\0';
            copy = strdup(lit);
            if (!copy)
                goto nomem;
        }
    }
    /* A host that is not even UTF-8 names nothing that DNS or IDNA could resolve. */
    if (!copy && n > 0 && url_utf8_valid(host)) {
        copy = strdup(host);
        if (!copy)
            goto nomem;
        for (char *p = copy; *p; p++)
            *p = (char)url_lower((unsigned char)*p);
    }
    curl_free(host);
    *out = copy;
    return 0;
nomem:
    curl_free(host);
    return GS_ENOMEM;
}

/* A libcurl URL API result as ours: out of memory is an error, any other failure means
 * the URL is not one we crawl (GS_EINVAL, which callers turn into "no URL"). */
static int url_rc(CURLUcode uc)
{
    return uc == CURLUE_OK ? 0 : uc == CURLUE_OUT_OF_MEMORY ? GS_ENOMEM : GS_EINVAL;
}

int gs_url_resolve_rc(const char *base, const char *href, char **out)
{
    *out = NULL;
    if (!base || !href || strnlen(href, GS_URL_MAX + 1) > GS_URL_MAX ||
        strnlen(base, GS_URL_MAX + 1) > GS_URL_MAX)
        return 0;

    int rc = GS_ENOMEM;
    char *cbase = malloc(GS_URL_CLEAN_MAX + 1);
    char *chref = malloc(GS_URL_CLEAN_MAX + 1);
    CURLU *h = curl_url();
    char *url = NULL;
    char *scheme = NULL;
    char *host = NULL;
    if (!cbase || !chref || !h)
        goto out;
    if ((rc = url_clean(base, cbase, GS_URL_CLEAN_MAX + 1)) < 0 ||
        (rc = url_clean(href, chref, GS_URL_CLEAN_MAX + 1)) < 0)
        goto out;
    if ((rc = url_rc(curl_url_set(h, CURLUPART_URL, cbase, 0))) < 0)
        goto out;
    /* An empty reference (after dropping whitespace and fragment) is the base document
     * itself; libcurl 7.88 would give the base's directory. */
    if (chref[0] && (rc = url_rc(curl_url_set(h, CURLUPART_URL, chref, 0))) < 0)
        goto out;
    if ((rc = url_rc(curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0))) < 0)
        goto out;

    if ((rc = url_rc(curl_url_get(h, CURLUPART_SCHEME, &scheme, 0))) < 0)
        goto out;
    rc = GS_EINVAL;
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        goto out;

    if ((rc = url_get_host(h, &host)) < 0)
        goto out;
    rc = GS_EINVAL;
    if (!host || (rc = url_rc(curl_url_set(h, CURLUPART_HOST, host, 0))) < 0)
        goto out;

    if ((rc = url_rc(curl_url_get(h, CURLUPART_URL, &url, CURLU_NO_DEFAULT_PORT))) < 0)
        goto out;
    rc = GS_EINVAL;
    if (strlen(url) > GS_URL_MAX)
        goto out;
    rc = GS_ENOMEM;
    *out = strdup(url);
    if (!*out)
        goto out;
    url_upper_escapes(*out);
    rc = 0;
out:
    curl_free(url);
    curl_free(scheme);
    free(host);
    curl_url_cleanup(h);
    free(chref);
    free(cbase);
    return rc == GS_ENOMEM ? rc : 0;
}

char *gs_url_resolve(const char *base, const char *href)
{
    char *url;
    return gs_url_resolve_rc(base, href, &url) < 0 ? NULL : url;
}

struct gs_urlbase {
    char *base;   /* as given */
    char *origin; /* "http://host[:port]" (normalized, no trailing slash) */
    char *dir;    /* the base's directory, "http://host/col/a/" */
};

gs_urlbase_t *gs_urlbase_new(const char *base)
{
    gs_urlbase_t *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->base = strdup(base ? base : "");
    b->origin = gs_url_resolve(base, "/");
    b->dir = gs_url_resolve(base, "x");
    size_t ol = b->origin ? strlen(b->origin) : 0, dl = b->dir ? strlen(b->dir) : 0;
    if (!b->base || ol < 2 || b->origin[ol - 1] != '/' || dl < 1 || b->dir[dl - 1] != 'x') {
        gs_urlbase_destroy(&b);
        return NULL;
    }
    b->origin[ol - 1] = '\0';
    b->dir[dl - 1] = '\0';
    return b;
}

void gs_urlbase_destroy(gs_urlbase_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->base);
    free((*self_p)->origin);
    free((*self_p)->dir);
    free(*self_p);
    *self_p = NULL;
}

/* 1 when path (n bytes) joins its base unchanged under RFC 3986 and libcurl's
 * normalization: unreserved characters and '/', no "//", and no "." or ".." segment. */
static int plain_path(const char *p, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '~' || c == '/'))
            return 0;
        if (c == '/' && i + 1 < n && p[i + 1] == '/')
            return 0;
    }
    /* dot segments: a segment that is "." or ".." */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j] != '/')
            j++;
        size_t l = j - i;
        if ((l == 1 && p[i] == '.') || (l == 2 && p[i] == '.' && p[i + 1] == '.'))
            return 0;
        i = j + 1;
    }
    return 1;
}

static int url_plain_host(const char *url, const char **host, size_t *len);

/* 1 when href (n bytes) is an absolute http(s) URL that libcurl gives back unchanged: a
 * plain host (url_plain_host: no IP address in any spelling) in lower case, with no port
 * and no final dot, then a plain path. A page's links to other sites (the national portal,
 * the footer's badges) are a third of its links, and each took ~18,000 instructions
 * through curl_url (callgrind, bench-page). */
static int plain_absolute(const char *href, size_t n)
{
    const char *h;
    size_t hl;
    if ((strncmp(href, "http://", 7) != 0 && strncmp(href, "https://", 8) != 0) ||
        !url_plain_host(href, &h, &hl) || h[hl - 1] == '.' || h[hl] != '/')
        return 0;
    for (size_t i = 0; i < hl; i++)
        if (h[i] >= 'A' && h[i] <= 'Z')
            return 0;
    size_t path = (size_t)(h + hl - href);
    return plain_path(href + path, n - path);
}

int gs_urlbase_resolve_rc(const gs_urlbase_t *b, const char *href, char **out)
{
    *out = NULL;
    if (!href)
        return 0;
    size_t n = strlen(href);
    if (n <= GS_URL_MAX && plain_absolute(href, n)) {
        *out = strdup(href);
        return *out ? 0 : GS_ENOMEM;
    }
    /* the fast path takes no leading or trailing white space: let the full path trim it */
    if (n && n < 2048 && href[0] != ' ' && href[n - 1] != ' ' && plain_path(href, n) &&
        !(href[0] == '/' && n > 1 && href[1] == '/')) {
        /* a relative path's first segment must not look like a scheme ("http:..." has a
         * ':' and is not plain anyway) */
        const char *prefix = href[0] == '/' ? b->origin : b->dir;
        size_t pl = strlen(prefix);
        if (pl + n <= GS_URL_MAX) {
            char *r = malloc(pl + n + 1);
            if (!r)
                return GS_ENOMEM;
            memcpy(r, prefix, pl);
            memcpy(r + pl, href, n + 1);
            *out = r;
            return 0;
        }
    }
    return gs_url_resolve_rc(b->base, href, out);
}

char *gs_urlbase_resolve(const gs_urlbase_t *b, const char *href)
{
    char *url;
    return gs_urlbase_resolve_rc(b, href, &url) < 0 ? NULL : url;
}

/* The host of a plain http(s) URL without parsing it: "http://" or "https://", a host of
 * letters, digits, dots and hyphens whose last label starts with a letter (so no IPv4 in
 * any spelling, which libcurl would normalize), an optional port, then '/', '?', '#' or
 * the end. 1 with the host's span; 0 for anything else, which goes to libcurl. The crawl
 * asks for hosts several times per link (same site? external?): parsing each URL with
 * curl_url was ~5 % of a worker's CPU (bench/profile.sh). */
static int url_plain_host(const char *url, const char **host, size_t *len)
{
    const char *p;
    if (!strncasecmp(url, "http://", 7))
        p = url + 7;
    else if (!strncasecmp(url, "https://", 8))
        p = url + 8;
    else
        return 0;
    const char *h = p, *label = p;
    int dots = 0; /* ".." somewhere */
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '.' || *p == '-') {
        dots |= *p == '.' && p[1] == '.';
        if (*p == '.' && p[1] && p[1] != '.' && p[1] != ':' && p[1] != '/' && p[1] != '?' &&
            p[1] != '#')
            label = p + 1;
        p++;
    }
    size_t n = (size_t)(p - h);
    if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-' || dots ||
        !((*label >= 'a' && *label <= 'z') || (*label >= 'A' && *label <= 'Z')))
        return 0;
    if (*p == ':') {
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q == p + 1 || q - p > 6)
            return 0;
        p = q;
    }
    if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
        return 0;
    *host = h;
    *len = n;
    return 1;
}

char *gs_url_host(const char *url)
{
    if (!url || strnlen(url, GS_URL_MAX + 1) > GS_URL_MAX)
        return NULL;
    const char *ph;
    size_t pn;
    if (url_plain_host(url, &ph, &pn)) {
        char *host = malloc(pn + 1);
        for (size_t i = 0; host && i < pn; i++)
            host[i] = (char)url_lower((unsigned char)ph[i]);
        if (host)
            host[pn] = '\0';
        return host;
    }
    char *clean = malloc(GS_URL_CLEAN_MAX + 1);
    CURLU *h = curl_url();
    char *host = NULL;
    if (!clean || !h || url_clean(url, clean, GS_URL_CLEAN_MAX + 1) < 0)
        goto out;
    if (curl_url_set(h, CURLUPART_URL, clean, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        goto out;
    if (url_get_host(h, &host) < 0)
        goto out;
    size_t n = host ? strlen(host) : 0;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        memmove(host, host + 1, n - 2);
        host[n - 2] = '\0';
    }
out:
    curl_url_cleanup(h);
    free(clean);
    return host;
}

/* Length of host without one trailing dot: "a.gov.cn." is the fully qualified spelling of
 * "a.gov.cn" and names the same host. */
static size_t host_len(const char *host)
{
    size_t n = strlen(host);
    if (n > 1 && host[n - 1] == '.')
        n--;
    return n;
}

int gs_url_same_host(const char *a, const char *b)
{
    const char *pa, *pb;
    size_t na, nb;
    if (a && b && url_plain_host(a, &pa, &na) && url_plain_host(b, &pb, &nb)) {
        if (na > 1 && pa[na - 1] == '.')
            na--;
        if (nb > 1 && pb[nb - 1] == '.')
            nb--;
        return na == nb && strncasecmp(pa, pb, na) == 0;
    }
    char *ha = gs_url_host(a);
    char *hb = gs_url_host(b);
    int same = 0;
    if (ha && hb) {
        size_t la = host_len(ha);
        same = la == host_len(hb) && strncasecmp(ha, hb, la) == 0;
    }
    free(ha);
    free(hb);
    return same;
}

int gs_host_is_gov(const char *host)
{
    /* ".政务" is the Chinese government TLD; its A-label is "xn--zfr164b" (checked with
     * libidn2 through libcurl's CURLU_PUNYCODE and with Python's IDNA codec). The suffix
     * must follow at least one label: "gov.cn" itself is the registry, not a site. */
    static const char *const suffixes[] = {".gov.cn", ".xn--zfr164b", ".\xe6\x94\xbf\xe5\x8a\xa1"};
    if (!host)
        return 0;
    size_t n = host_len(host);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t s = strlen(suffixes[i]);
        if (n > s && host[n - s - 1] != '.' && strncasecmp(host + n - s, suffixes[i], s) == 0)
            return 1;
    }
    return 0;
}

/* One IPv4 network in host byte order. */
struct url_net4 {
    uint32_t net;  /* network address */
    unsigned bits; /* prefix length */
};

/* 1 when the IPv4 address a (host byte order) is not a public unicast address. */
static int addr4_is_private(uint32_t a)
{
    static const struct url_net4 nets[] = {
        {0x00000000u, 8},  /* 0.0.0.0/8 "this network", unspecified */
        {0x0a000000u, 8},  /* 10/8 private */
        {0x64400000u, 10}, /* 100.64/10 carrier-grade NAT */
        {0x7f000000u, 8},  /* 127/8 loopback */
        {0xa9fe0000u, 16}, /* 169.254/16 link-local, cloud metadata */
        {0xac100000u, 12}, /* 172.16/12 private */
        {0xc0000000u, 24}, /* 192.0.0.0/24 IETF protocol assignments */
        {0xc0000200u, 24}, /* 192.0.2.0/24 TEST-NET-1 documentation */
        {0xc0586300u, 24}, /* 192.88.99.0/24 deprecated 6to4 relay anycast */
        {0xc0a80000u, 16}, /* 192.168/16 private */
        {0xc6120000u, 15}, /* 198.18/15 benchmarking */
        {0xc6336400u, 24}, /* 198.51.100.0/24 TEST-NET-2 documentation */
        {0xcb007100u, 24}, /* 203.0.113.0/24 TEST-NET-3 documentation */
        {0xe0000000u, 4},  /* 224/4 multicast */
        {0xf0000000u, 4},  /* 240/4 reserved, including 255.255.255.255 broadcast */
    };
    for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
        uint32_t mask = nets[i].bits ? 0xffffffffu << (32 - nets[i].bits) : 0;
        if ((a & mask) == nets[i].net)
            return 1;
    }
    return 0;
}

/* The IPv4 address held in b[at..at+3], host byte order. */
static uint32_t addr4_at(const unsigned char *b, size_t at)
{
    return (uint32_t)b[at] << 24 | (uint32_t)b[at + 1] << 16 | (uint32_t)b[at + 2] << 8 |
           (uint32_t)b[at + 3];
}

/* 1 when the first n bytes of b are zero. */
static int bytes_zero(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* 1 when the IPv6 address b is not a public unicast address. Forms that carry an IPv4
 * address (mapped, compatible, translated, NAT64, 6to4) are judged by that address,
 * since that is where the packets end up. */
static int addr6_is_private(const unsigned char *b)
{
    static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    /* ::/96 IPv4-compatible (deprecated); also covers :: (0.0.0.0) and ::1 (0.0.0.1),
     * which fall in 0.0.0.0/8. */
    if (bytes_zero(b, 12))
        return addr4_is_private(addr4_at(b, 12));
    /* ::ffff:0:0/96 IPv4-mapped. */
    if (bytes_zero(b, 10) && b[10] == 0xff && b[11] == 0xff)
        return addr4_is_private(addr4_at(b, 12));
    /* ::ffff:0:0:0/96 IPv4-translated (RFC 2765). */
    if (bytes_zero(b, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        return addr4_is_private(addr4_at(b, 12));
    /* 64:ff9b::/96 well-known NAT64 prefix. */
    if (memcmp(b, nat64, sizeof(nat64)) == 0)
        return addr4_is_private(addr4_at(b, 12));
    /* 2002::/16 6to4: the IPv4 address of the tunnel end sits in bits 16..47. */
    if (b[0] == 0x20 && b[1] == 0x02)
        return addr4_is_private(addr4_at(b, 2));
    /* Only 2000::/3 holds global unicast; everything else is loopback, unspecified,
     * ULA fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8,
     * discard 100::/64, local-use NAT64 64:ff9b:1::/48 or unassigned. Refusing by
     * allowlist fails closed for prefixes IANA has not handed out. */
    if ((b[0] & 0xe0) != 0x20)
        return 1;
    /* 2001::/23 IETF protocol assignments: Teredo 2001::/32 (tunnels to an embedded,
     * obfuscated IPv4 address), benchmarking 2001:2::/48, ORCHID; no web site. */
    if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xfe) == 0x00)
        return 1;
    /* 2001:db8::/32 and 3fff::/20 documentation. */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return 1;
    if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0x00)
        return 1;
    return 0;
}

int gs_addr_is_private(const struct sockaddr *sa, socklen_t len)
{
    /* Fail closed: anything we cannot read as a full IPv4 or IPv6 socket address is
     * refused. The structures are copied out because sa may be any sockaddr storage. */
    if (!sa || len < (socklen_t)sizeof(sa_family_t))
        return 1;
    sa_family_t family;
    memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof(family));
    if (family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof(in));
        return addr4_is_private(ntohl(in.sin_addr.s_addr));
    }
    if (family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof(in6));
        return addr6_is_private(in6.sin6_addr.s6_addr);
    }
    return 1;
}
