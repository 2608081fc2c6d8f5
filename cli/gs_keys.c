/* gs_keys.c -- `govsweep keygen` (CURVE key pairs for the hosts of a cluster) and the rule
 * that the dispatcher and the collector do not talk to a Redis anyone can talk to. */
#include "gs_cli.h"
#include "gs_sock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void keygen_usage(FILE *fp)
{
    fprintf(fp, "usage: govsweep keygen --out DIR --name NAME [--force]\n"
                "  writes DIR/NAME.key (the secret key, mode 0600: it stays on this host) and\n"
                "  DIR/NAME.pub (the public key, 0644: the one to copy); --force replaces an\n"
                "  existing pair. See docs/operations.md, \"Authentication between hosts\".\n");
}

int gs_cli_keygen(int argc, char **argv)
{
    const char *out = NULL, *name = NULL;
    int force = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--force")) {
            force = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            keygen_usage(stdout);
            return 0;
        } else if ((!strcmp(a, "--out") || !strcmp(a, "--name")) && i + 1 < argc) {
            *(a[2] == 'o' ? &out : &name) = argv[++i];
        } else if (!strncmp(a, "--out=", 6)) {
            out = a + 6;
        } else if (!strncmp(a, "--name=", 7)) {
            name = a + 7;
        } else {
            fprintf(stderr, "govsweep keygen: unexpected argument '%s'\n", a);
            keygen_usage(stderr);
            return 2;
        }
    }
    if (!out || !name || !out[0]) {
        keygen_usage(stderr);
        return 2;
    }
    gs_err_t err;
    gs_err_clear(&err);
    int rc = gs_sock_keygen(out, name, force, &err);
    if (rc < 0) {
        fprintf(stderr, "govsweep keygen: %s\n", err.msg);
        return rc == GS_EIO || rc == GS_EZMQ ? 1 : 2;
    }
    printf("wrote %s/%s.key (secret, mode 0600: keep it on this host) and %s/%s.pub (public)\n"
           "  a worker's .pub goes into the central host's curve_allow directory;\n"
           "  the central host's .pub is every worker's curve_server_key.\n",
           out, name, out, name);
    return 0;
}

int gs_cli_redis_secure(const gs_config_t *cfg, gs_err_t *err)
{
    const char *url = cfg->redis;
    const char *env = getenv("GS_REDIS_PASSWORD");
    if (cfg->redis_insecure || (env && env[0]))
        return 0;
    /* A unix socket is reached only from this host and only by whom its file mode lets
     * in (govsweep run makes it 0700 and gives it a password anyway): not the network. */
    if (strncmp(url, "unix://", 7) == 0)
        return 0;
    if (strncmp(url, "redis://", 8) == 0) {
        const char *p = url + 8;
        const char *at = strrchr(p, '@');
        if (at) {
            const char *colon = memchr(p, ':', (size_t)(at - p));
            const char *pw = colon ? colon + 1 : p;
            if (at > pw)
                return 0;
        }
    }
    return gs_err_set(err, GS_EDENIED,
                      "refusing to use Redis at %s without a password: give "
                      "redis://:PASSWORD@HOST:PORT or GS_REDIS_PASSWORD (and requirepass in "
                      "redis.conf), or --redis-insecure to accept an open Redis",
                      url);
}
