/* sim_tls.c -- HTTPS for the simulated province: a test CA made at start, and a certificate
 * for every host name a client asks for (SNI), chosen by what the plan planted on the host:
 * valid and signed by the CA for the clean sites, the feed bridge and the national hosts;
 * expired, expiring within 30 days, self-signed or made out to another host name for the
 * W-HTTPS defect sites (a site without HTTPS is refused in connect-to.txt instead).
 *
 * Validity is relative to the real clock (TLS verification uses it, not the reference time),
 * so ca.pem changes from run to run while truth.jsonl does not. Keys are ECDSA P-256, made
 * with GnuTLS at start: one for the CA, one shared by every served certificate. Certificates
 * are made on first use and kept (a mutex guards the cache; they are immutable once made);
 * the private key is imported once per server thread, since GnuTLS objects are not to be
 * used by two threads at once. One sim_tls_t per process: GnuTLS's certificate callback has
 * no user pointer, so the callback finds it through a file-level pointer. */
#include "sim.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DAY 86400
/* Ceiling of the certificate cache: a province's hosts and then some; beyond it every new
 * name is served the certificate of "localhost". */
#define TLS_MAX_CERTS 200000u
/* Server threads that may import the key (MHD's thread pool is at most 64 per daemon). */
#define TLS_MAX_THREADS 256

typedef struct cert_entry {
    char *host;            /* lower-cased SNI name */
    gnutls_pcert_st pcert; /* what the handshake sends */
} cert_entry_t;

struct sim_tls {
    const sim_plan_t *plan;
    int64_t now; /* real clock at start */
    gnutls_x509_privkey_t ca_key;
    gnutls_x509_crt_t ca_crt;
    gnutls_x509_privkey_t leaf_key;
    unsigned char ca_key_id[64];
    size_t ca_key_id_len;
    char *ca_pem;
    pthread_mutex_t mu;   /* guards the cache, the key list and signing */
    cert_entry_t **slots; /* open addressing by host */
    size_t mask;          /* slots - 1 */
    size_t n_certs;
    gnutls_privkey_t keys[TLS_MAX_THREADS]; /* imported per thread, freed at the end */
    size_t n_keys;
};

static sim_tls_t *g_tls;
static _Thread_local gnutls_privkey_t tl_key;

const char *sim_tls_ca_pem(const sim_tls_t *tls)
{
    return tls->ca_pem;
}

sim_tlsvar_t sim_tls_variant_of(const sim_plan_t *p, const char *host)
{
    const sim_target_t *t = sim_plan_find_host(p, host, strlen(host));
    return t ? (sim_tlsvar_t)t->u.site.tls : SIM_TLS_OK;
}

/* ---------------------------------------------------------------- certificates */

static uint64_t hash_host(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* A leaf certificate for host in DER (the caller frees der->data with gnutls_free). */
static int make_leaf(sim_tls_t *tls, const char *host, sim_tlsvar_t v, gnutls_datum_t *der)
{
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return GS_ENOMEM;
    int64_t from = tls->now - DAY, to = tls->now + 365 * DAY;
    if (v == SIM_TLS_EXPIRED) {
        from = tls->now - 400 * DAY;
        to = tls->now - 30 * DAY;
    } else if (v == SIM_TLS_EXPIRING) {
        from = tls->now - 300 * DAY;
        to = tls->now + 10 * DAY;
    }
    const char *cn = v == SIM_TLS_WRONG_HOST ? SIM_TLS_WRONG_NAME : host;
    uint64_t h = hash_host(host) ^ ((uint64_t)v << 56);
    unsigned char serial[8];
    for (int i = 0; i < 8; i++)
        serial[i] = (unsigned char)(h >> (8 * i));
    serial[0] &= 0x7f; /* a positive number */
    serial[0] |= 0x01;
    int rc = gnutls_x509_crt_set_version(crt, 3);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_activation_time(crt, (time_t)from);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_expiration_time(crt, (time_t)to);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                           (unsigned)strlen(cn));
    if (rc >= 0)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, cn, (unsigned)strlen(cn),
                                                  GNUTLS_FSAN_SET);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_key(crt, tls->leaf_key);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    if (rc >= 0 && v != SIM_TLS_UNTRUSTED)
        rc = gnutls_x509_crt_set_authority_key_id(crt, tls->ca_key_id, tls->ca_key_id_len);
    if (rc >= 0) {
        /* The untrusted one signs itself; the others are the CA's. */
        if (v == SIM_TLS_UNTRUSTED)
            rc = gnutls_x509_crt_sign2(crt, crt, tls->leaf_key, GNUTLS_DIG_SHA256, 0);
        else
            rc = gnutls_x509_crt_sign2(crt, tls->ca_crt, tls->ca_key, GNUTLS_DIG_SHA256, 0);
    }
    if (rc >= 0)
        rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der);
    gnutls_x509_crt_deinit(crt);
    return rc < 0 ? GS_EIO : 0;
}

static int make_ca(sim_tls_t *tls)
{
    static const char cn[] = "gs-simsrv simulated province test CA";
    static const char org[] = "govsweep tests (not a real authority)";
    unsigned bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
    int rc = gnutls_x509_privkey_init(&tls->ca_key);
    if (rc >= 0)
        rc = gnutls_x509_privkey_generate(tls->ca_key, GNUTLS_PK_ECDSA, bits, 0);
    if (rc >= 0)
        rc = gnutls_x509_privkey_init(&tls->leaf_key);
    if (rc >= 0)
        rc = gnutls_x509_privkey_generate(tls->leaf_key, GNUTLS_PK_ECDSA, bits, 0);
    if (rc >= 0)
        rc = gnutls_x509_crt_init(&tls->ca_crt);
    if (rc < 0)
        return rc;
    gnutls_x509_crt_t ca = tls->ca_crt;
    unsigned char serial[] = {0x01};
    tls->ca_key_id_len = sizeof tls->ca_key_id;
    rc = gnutls_x509_crt_set_version(ca, 3);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_serial(ca, serial, sizeof serial);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_activation_time(ca, (time_t)(tls->now - DAY));
    if (rc >= 0)
        rc = gnutls_x509_crt_set_expiration_time(ca, (time_t)(tls->now + 3650 * (int64_t)DAY));
    if (rc >= 0)
        rc = gnutls_x509_crt_set_dn_by_oid(ca, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                           (unsigned)strlen(cn));
    if (rc >= 0)
        rc = gnutls_x509_crt_set_dn_by_oid(ca, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, org,
                                           (unsigned)strlen(org));
    if (rc >= 0)
        rc = gnutls_x509_crt_set_key(ca, tls->ca_key);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_basic_constraints(ca, 1, -1);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_key_usage(ca, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
    if (rc >= 0)
        rc = gnutls_x509_privkey_get_key_id(tls->ca_key, GNUTLS_KEYID_USE_SHA1, tls->ca_key_id,
                                            &tls->ca_key_id_len);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_subject_key_id(ca, tls->ca_key_id, tls->ca_key_id_len);
    if (rc >= 0)
        rc = gnutls_x509_crt_sign2(ca, ca, tls->ca_key, GNUTLS_DIG_SHA256, 0);
    gnutls_datum_t pem = {NULL, 0};
    if (rc >= 0)
        rc = gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &pem);
    if (rc >= 0) {
        tls->ca_pem = malloc(pem.size + 1);
        if (tls->ca_pem) {
            memcpy(tls->ca_pem, pem.data, pem.size);
            tls->ca_pem[pem.size] = 0;
        } else {
            rc = GNUTLS_E_MEMORY_ERROR;
        }
    }
    gnutls_free(pem.data);
    return rc;
}

/* The certificate of host, made on first use; NULL when it cannot be made. Called with
 * tls->mu held. */
static cert_entry_t *cert_for(sim_tls_t *tls, const char *host)
{
    size_t h = (size_t)hash_host(host) & tls->mask;
    for (; tls->slots[h]; h = (h + 1) & tls->mask)
        if (strcmp(tls->slots[h]->host, host) == 0)
            return tls->slots[h];
    if (tls->n_certs >= TLS_MAX_CERTS || tls->n_certs * 2 >= tls->mask)
        return strcmp(host, "localhost") == 0 ? NULL : cert_for(tls, "localhost");
    cert_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->host = strdup(host);
    gnutls_datum_t der = {NULL, 0};
    if (!e->host || make_leaf(tls, host, sim_tls_variant_of(tls->plan, host), &der) < 0 ||
        gnutls_pcert_import_x509_raw(&e->pcert, &der, GNUTLS_X509_FMT_DER, 0) < 0) {
        gnutls_free(der.data);
        free(e->host);
        free(e);
        return NULL;
    }
    gnutls_free(der.data);
    tls->slots[h] = e;
    tls->n_certs++;
    return e;
}

/* The server key as this thread's own GnuTLS object. Called with tls->mu held. */
static gnutls_privkey_t thread_key(sim_tls_t *tls)
{
    if (tl_key)
        return tl_key;
    if (tls->n_keys >= TLS_MAX_THREADS)
        return NULL;
    gnutls_privkey_t k;
    if (gnutls_privkey_init(&k) < 0)
        return NULL;
    if (gnutls_privkey_import_x509(k, tls->leaf_key, GNUTLS_PRIVKEY_IMPORT_COPY) < 0) {
        gnutls_privkey_deinit(k);
        return NULL;
    }
    tls->keys[tls->n_keys++] = k;
    tl_key = k;
    return k;
}

static int cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                         const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                         gnutls_pcert_st **pcert, unsigned int *pcert_length,
                         gnutls_privkey_t *pkey)
{
    (void)req_ca_dn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
    sim_tls_t *tls = g_tls;
    char name[256];
    size_t len = sizeof name - 1;
    unsigned type = 0;
    if (!tls)
        return -1;
    if (gnutls_server_name_get(session, name, &len, &type, 0) != GNUTLS_E_SUCCESS ||
        type != GNUTLS_NAME_DNS || len == 0) {
        snprintf(name, sizeof name, "localhost");
    } else {
        name[len < sizeof name ? len : sizeof name - 1] = 0;
        for (char *c = name; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    }
    pthread_mutex_lock(&tls->mu);
    cert_entry_t *e = cert_for(tls, name);
    gnutls_privkey_t k = thread_key(tls);
    pthread_mutex_unlock(&tls->mu);
    if (!e || !k)
        return -1;
    *pcert = &e->pcert;
    *pcert_length = 1;
    *pkey = k;
    return 0;
}

/* ---------------------------------------------------------------- lifecycle */

sim_tls_t *sim_tls_new(const sim_plan_t *p, gs_err_t *err)
{
    if (g_tls) {
        gs_err_set(err, GS_ESTATE, "one TLS context per process");
        return NULL;
    }
    sim_tls_t *tls = calloc(1, sizeof *tls);
    size_t slots = 64;
    while (slots < (p->n_sites + 64) * 4 && slots < TLS_MAX_CERTS * 2)
        slots *= 2;
    if (tls)
        tls->slots = calloc(slots, sizeof *tls->slots);
    if (!tls || !tls->slots) {
        free(tls);
        gs_err_set(err, GS_ENOMEM, "out of memory for TLS");
        return NULL;
    }
    tls->mask = slots - 1;
    tls->plan = p;
    tls->now = (int64_t)time(NULL);
    pthread_mutex_init(&tls->mu, NULL);
    int rc = make_ca(tls);
    if (rc < 0) {
        gs_err_set(err, GS_EIO, "cannot make the test CA: %s", gnutls_strerror(rc));
        g_tls = tls; /* for destroy's check */
        sim_tls_destroy(&tls);
        return NULL;
    }
    g_tls = tls;
    return tls;
}

void sim_tls_destroy(sim_tls_t **tls_p)
{
    if (!tls_p || !*tls_p)
        return;
    sim_tls_t *tls = *tls_p;
    for (size_t i = 0; i <= tls->mask; i++)
        if (tls->slots[i]) {
            gnutls_pcert_deinit(&tls->slots[i]->pcert);
            free(tls->slots[i]->host);
            free(tls->slots[i]);
        }
    for (size_t i = 0; i < tls->n_keys; i++)
        gnutls_privkey_deinit(tls->keys[i]);
    free(tls->slots);
    if (tls->ca_crt)
        gnutls_x509_crt_deinit(tls->ca_crt);
    if (tls->ca_key)
        gnutls_x509_privkey_deinit(tls->ca_key);
    if (tls->leaf_key)
        gnutls_x509_privkey_deinit(tls->leaf_key);
    free(tls->ca_pem);
    pthread_mutex_destroy(&tls->mu);
    if (g_tls == tls)
        g_tls = NULL;
    free(tls);
    *tls_p = NULL;
}

struct MHD_Daemon *sim_tls_start_daemon(sim_tls_t *tls, unsigned flags, const struct sockaddr *sa,
                                        unsigned threads, unsigned limit,
                                        MHD_AccessHandlerCallback handler, void *cls,
                                        MHD_RequestCompletedCallback done)
{
    (void)tls;
    return MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, handler, cls, MHD_OPTION_SOCK_ADDR,
                            sa, MHD_OPTION_HTTPS_CERT_CALLBACK, cert_callback,
                            MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
                            limit, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096,
                            MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_END);
}
