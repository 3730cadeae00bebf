/*
 * tls_testlib.h - certificates for tests, made in memory with OpenSSL's
 * API: two CAs, hosts signed by them (good, expired, revoked, named
 * otherwise), CA 1's revocation list; and TLS client contexts for tests
 * that play a peer themselves.
 */
#ifndef XENITH_TLS_TESTLIB_H
#define XENITH_TLS_TESTLIB_H

#include <openssl/ssl.h>

/* A key and its certificate, as PEM texts (owned by the set). */
struct tlst_id {
    char *key;
    char *cert;
};

struct tlst_set {
    char *ca1, *ca2;            /* the CAs' certificates */
    char *crl1;                 /* CA 1's CRL: revokes `revoked` */
    struct tlst_id hosta;       /* CA 1, DNS "hosta" */
    struct tlst_id hostb;       /* CA 1, DNS "hostb" */
    struct tlst_id hostc;       /* CA 1, DNS "hostc" (another name) */
    struct tlst_id ip;          /* CA 1, IP 127.0.0.1 */
    struct tlst_id expired;     /* CA 1, "hostb", expired yesterday */
    struct tlst_id revoked;     /* CA 1, "hostb", listed in crl1 */
    struct tlst_id hostb_ca2;   /* CA 2, "hostb" */
};

/* The set, made at the first call (a few EC keys: fast).  Lives until
 * tlst_free. */
const struct tlst_set *tlst_get(void);
void tlst_free(void);

/* A client context trusting `ca_pem`, presenting `id` (NULL: no
 * certificate), speaking TLS up to max_version (TLS1_2_VERSION or
 * TLS1_3_VERSION).  SSL_CTX_free it. */
SSL_CTX *tlst_client_ctx(const struct tlst_id *id, const char *ca_pem,
                         int max_version);

#endif
