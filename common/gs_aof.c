/* gs_aof.c -- finding and cutting the torn tail of a Redis AOF (see gs_aof.h). */
#include "gs_aof.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES 64 /* "*N" and "$LEN" lines: a few digits */
#define MANIFEST_MAX (64 * 1024)

enum { LINE_OK = 0, LINE_EOF = -1, LINE_BAD = -2 };

/* One "\r\n"-terminated header line into buf (without the "\r\n"). */
static int read_line(FILE *fp, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        int c = fgetc(fp);
        if (c == EOF)
            return LINE_EOF;
        if (c == '\n')
            break;
        if (n + 1 >= cap)
            return LINE_BAD;
        buf[n++] = (char)c;
    }
    if (n == 0 || buf[n - 1] != '\r')
        return LINE_BAD;
    buf[n - 1] = '\0';
    return LINE_OK;
}

/* A non-negative decimal no larger than max; -1 otherwise. */
static long long parse_count(const char *s, long long max)
{
    long long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > max)
            return -1;
    }
    return v;
}

int gs_aof_scan(const char *path, gs_aof_scan_t *out, gs_err_t *err)
{
    memset(out, 0, sizeof(*out));
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) < 0) {
        int e = errno;
        fclose(fp);
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(e));
    }
    out->size = (int64_t)st.st_size;
    int in_multi = 0;
    int64_t multi_start = 0;
    char line[LINE_MAX_BYTES];
    for (;;) {
        int64_t off = (int64_t)ftello(fp);
        int c = fgetc(fp);
        if (c == EOF)
            break; /* a clean end, between two commands */
        int torn = 0, bad = 0;
        if (c == '#') {
            /* an annotation line (aof-timestamp-enabled): Redis skips it */
            while ((c = fgetc(fp)) != EOF && c != '\n')
                ;
            torn = c == EOF;
        } else if (c != '*') {
            bad = 1;
        } else {
            int r = read_line(fp, line, sizeof(line));
            long long nargs = r == LINE_OK ? parse_count(line, GS_AOF_MAX_ARGS) : -1;
            torn = r == LINE_EOF;
            bad = !torn && nargs < 1;
            char name[8] = "";
            for (long long a = 0; !torn && !bad && a < nargs; a++) {
                c = fgetc(fp);
                if (c == EOF) {
                    torn = 1;
                    break;
                }
                r = c == '$' ? read_line(fp, line, sizeof(line)) : LINE_BAD;
                long long len = r == LINE_OK ? parse_count(line, GS_AOF_MAX_BULK) : -1;
                torn = r == LINE_EOF;
                bad = !torn && len < 0;
                if (torn || bad)
                    break;
                int64_t at = (int64_t)ftello(fp);
                if (at + len + 2 > out->size) {
                    torn = 1;
                    break;
                }
                /* the command's name decides MULTI/EXEC; the rest is skipped unread */
                size_t keepn = a == 0 && len < (long long)sizeof(name) ? (size_t)len : 0;
                if (keepn && fread(name, 1, keepn, fp) != keepn) {
                    torn = 1;
                    break;
                }
                name[keepn] = '\0';
                char crlf[2];
                if (fseeko(fp, (off_t)(at + len), SEEK_SET) != 0 || fread(crlf, 1, 2, fp) != 2) {
                    torn = 1;
                    break;
                }
                bad = crlf[0] != '\r' || crlf[1] != '\n';
            }
            if (!torn && !bad) {
                out->commands++;
                if (strcasecmp(name, "MULTI") == 0) {
                    in_multi = 1;
                    multi_start = off;
                } else if (strcasecmp(name, "EXEC") == 0) {
                    in_multi = 0;
                }
            }
        }
        if (bad) {
            out->malformed = 1;
            break;
        }
        if (torn) {
            out->torn = 1;
            out->in_transaction = in_multi;
            out->keep = in_multi ? multi_start : off;
            break;
        }
    }
    if (!out->torn && !out->malformed && in_multi) {
        /* every command whole, but the last transaction has no EXEC */
        out->torn = 1;
        out->in_transaction = 1;
        out->keep = multi_start;
    }
    if (ferror(fp)) {
        int e = errno;
        fclose(fp);
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(e));
    }
    fclose(fp);
    return 0;
}

/* The name of the last incr file of the manifest text m (its "type i" lines), in out. 1
 * when found, 0 when there is none, -1 for a name this reader does not take (quoted). */
static int last_incr(const char *m, char *out, size_t outlen)
{
    int found = 0;
    for (const char *p = m; *p;) {
        const char *eol = strchr(p, '\n');
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        char line[1024];
        if (ll < sizeof(line)) {
            memcpy(line, p, ll);
            line[ll] = '\0';
            /* file NAME seq N type T */
            char name[512];
            const char *q = line;
            if (strncmp(q, "file ", 5) == 0) {
                q += 5;
                if (*q == '"')
                    return -1;
                size_t nl = strcspn(q, " ");
                if (nl > 0 && nl < sizeof(name)) {
                    memcpy(name, q, nl);
                    name[nl] = '\0';
                    const char *t = strstr(q + nl, " type ");
                    if (t && t[6] == 'i' && (t[7] == '\0' || t[7] == ' ' || t[7] == '\r')) {
                        snprintf(out, outlen, "%s", name);
                        found = 1;
                    }
                }
            }
        }
        p += ll + (eol ? 1 : 0);
    }
    return found;
}

int gs_aof_repair_tail(const char *dir, int64_t *cut, char *what, size_t whatlen, gs_err_t *err)
{
    *cut = 0;
    if (what && whatlen)
        what[0] = '\0';
    char path[4096], incr[512];
    if ((size_t)snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.manifest", dir) >=
        sizeof(path))
        return gs_err_set(err, GS_EINVAL, "path too long: %.100s", dir);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return errno == ENOENT ? 0 : gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    char *manifest = malloc(MANIFEST_MAX + 1);
    if (!manifest) {
        fclose(fp);
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    size_t n = fread(manifest, 1, MANIFEST_MAX, fp);
    int rd_err = ferror(fp);
    fclose(fp);
    manifest[n] = '\0';
    int found = rd_err ? 0 : last_incr(manifest, incr, sizeof(incr));
    free(manifest);
    if (rd_err)
        return gs_err_set(err, GS_EIO, "%s: read error", path);
    if (found < 0) {
        if (what)
            snprintf(what, whatlen, "%s names a file this check does not read; left to Redis",
                     path);
        return 0;
    }
    if (!found)
        return 0;
    if ((size_t)snprintf(path, sizeof(path), "%s/appendonlydir/%s", dir, incr) >= sizeof(path))
        return gs_err_set(err, GS_EINVAL, "path too long: %.100s", dir);
    if (access(path, F_OK) != 0)
        return 0; /* listed, not made yet: Redis makes it at its start */
    gs_aof_scan_t sc;
    int rc = gs_aof_scan(path, &sc, err);
    if (rc < 0)
        return rc;
    if (sc.malformed) {
        if (what)
            snprintf(what, whatlen, "%s is not whole RESP after %lld commands; left to Redis", path,
                     (long long)sc.commands);
        return 0;
    }
    if (!sc.torn)
        return 0;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    if (ftruncate(fd, (off_t)sc.keep) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        return gs_err_set(err, GS_EIO, "cannot cut %s: %s", path, strerror(e));
    }
    close(fd);
    *cut = sc.size - sc.keep;
    if (what)
        snprintf(what, whatlen,
                 "%s ended inside %s (a write torn by a crash, never acknowledged): cut to %lld "
                 "bytes, %lld dropped",
                 path, sc.in_transaction ? "a MULTI/EXEC transaction" : "a command",
                 (long long)sc.keep, (long long)*cut);
    return 0;
}
