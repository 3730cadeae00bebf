/* tls_testlib.c - test certificates and client contexts (tls_testlib.h). */
#include "tls_testlib.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static struct tlst_set set;
static bool made;

static void die(const char *what)
{
    fprintf(stderr, "tls_testlib: %s failed\n", what);
    abort();
}

static EVP_PKEY *new_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");

    if (!k)
        die("EVP_EC_gen");
    return k;
}

static char *bio_text(BIO *b)
{
    char *data, *s;
    long n = BIO_get_mem_data(b, &data);

    s = malloc((size_t)n + 1);
    if (!s)
        die("malloc");
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(b);
    return s;
}

static char *cert_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (!b || PEM_write_bio_X509(b, x) != 1)
        die("PEM_write_bio_X509");
    return bio_text(b);
}

static char *key_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (!b || PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1)
        die("PEM_write_bio_PrivateKey");
    return bio_text(b);
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e || X509_add_ext(x, e, -1) != 1)
        die("X509_add_ext");
    X509_EXTENSION_free(e);
}

/* A certificate for `cn` with key k, signed by (ca, cakey) or itself;
 * valid from `from` to `to` days from now. */
static X509 *make_cert(const char *cn, EVP_PKEY *k, X509 *ca, EVP_PKEY *cakey,
                       long serial, long from, long to)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    unsigned char a[16];
    char san[300];

    if (!x || !name)
        die("X509_new");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), from * 86400L);
    X509_gmtime_adj(X509_getm_notAfter(x), to * 86400L);
    X509_set_pubkey(x, k);
    if (!ca) {
        add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_ext(x, x, NID_subject_key_identifier, "hash");
    } else {
        bool ip = inet_pton(AF_INET, cn, a) == 1;
        snprintf(san, sizeof(san), "%s:%s", ip ? "IP" : "DNS", cn);
        add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(x, ca, NID_key_usage, "critical,digitalSignature");
        add_ext(x, ca, NID_ext_key_usage, "serverAuth,clientAuth");
        add_ext(x, ca, NID_subject_alt_name, san);
        add_ext(x, ca, NID_authority_key_identifier, "keyid:always");
    }
    if (X509_sign(x, cakey ? cakey : k, EVP_sha256()) == 0)
        die("X509_sign");
    return x;
}

static void make_id(struct tlst_id *id, const char *cn, X509 *ca,
                    EVP_PKEY *cakey, long serial, long from, long to)
{
    EVP_PKEY *k = new_key();
    X509 *x = make_cert(cn, k, ca, cakey, serial, from, to);

    id->key = key_pem(k);
    id->cert = cert_pem(x);
    X509_free(x);
    EVP_PKEY_free(k);
}

static char *make_crl(X509 *ca, EVP_PKEY *cakey, long serial)
{
    X509_CRL *crl = X509_CRL_new();
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_TIME *t = ASN1_TIME_new();
    ASN1_INTEGER *sn = ASN1_INTEGER_new();
    BIO *b = BIO_new(BIO_s_mem());

    if (!crl || !rev || !t || !sn || !b)
        die("X509_CRL_new");
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
    X509_gmtime_adj(t, -3600);
    X509_CRL_set1_lastUpdate(crl, t);
    X509_REVOKED_set_revocationDate(rev, t);
    X509_gmtime_adj(t, 30 * 86400L);
    X509_CRL_set1_nextUpdate(crl, t);
    ASN1_INTEGER_set(sn, serial);
    X509_REVOKED_set_serialNumber(rev, sn);
    if (X509_CRL_add0_revoked(crl, rev) != 1)
        die("X509_CRL_add0_revoked");
    X509_CRL_sort(crl);
    if (X509_CRL_sign(crl, cakey, EVP_sha256()) == 0)
        die("X509_CRL_sign");
    if (PEM_write_bio_X509_CRL(b, crl) != 1)
        die("PEM_write_bio_X509_CRL");
    ASN1_INTEGER_free(sn);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
    return bio_text(b);
}

const struct tlst_set *tlst_get(void)
{
    EVP_PKEY *k1, *k2;
    X509 *ca1, *ca2;

    if (made)
        return &set;
    k1 = new_key();
    k2 = new_key();
    ca1 = make_cert("test CA 1", k1, NULL, NULL, 1, -1, 3650);
    ca2 = make_cert("test CA 2", k2, NULL, NULL, 1, -1, 3650);
    set.ca1 = cert_pem(ca1);
    set.ca2 = cert_pem(ca2);
    make_id(&set.hosta, "hosta", ca1, k1, 10, -1, 365);
    make_id(&set.hostb, "hostb", ca1, k1, 11, -1, 365);
    make_id(&set.hostc, "hostc", ca1, k1, 12, -1, 365);
    make_id(&set.ip, "127.0.0.1", ca1, k1, 13, -1, 365);
    make_id(&set.expired, "hostb", ca1, k1, 14, -30, -1);
    make_id(&set.revoked, "hostb", ca1, k1, 15, -1, 365);
    make_id(&set.hostb_ca2, "hostb", ca2, k2, 10, -1, 365);
    set.crl1 = make_crl(ca1, k1, 15);
    X509_free(ca1);
    X509_free(ca2);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    made = true;
    return &set;
}

static void free_id(struct tlst_id *id)
{
    free(id->key);
    free(id->cert);
}

void tlst_free(void)
{
    if (!made)
        return;
    free(set.ca1);
    free(set.ca2);
    free(set.crl1);
    free_id(&set.hosta);
    free_id(&set.hostb);
    free_id(&set.hostc);
    free_id(&set.ip);
    free_id(&set.expired);
    free_id(&set.revoked);
    free_id(&set.hostb_ca2);
    memset(&set, 0, sizeof(set));
    made = false;
}

SSL_CTX *tlst_client_ctx(const struct tlst_id *id, const char *ca_pem,
                         int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    BIO *b = BIO_new_mem_buf(ca_pem, -1);
    X509 *x;

    if (!ctx || !b)
        die("SSL_CTX_new");
    SSL_CTX_set_max_proto_version(ctx, max_version);
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    if (!x || X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) != 1)
        die("X509_STORE_add_cert");
    X509_free(x);
    BIO_free(b);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (id) {
        BIO *cb = BIO_new_mem_buf(id->cert, -1);
        BIO *kb = BIO_new_mem_buf(id->key, -1);
        X509 *c = PEM_read_bio_X509(cb, NULL, NULL, NULL);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
        if (!c || !k || SSL_CTX_use_certificate(ctx, c) != 1 ||
            SSL_CTX_use_PrivateKey(ctx, k) != 1)
            die("SSL_CTX_use_certificate");
        X509_free(c);
        EVP_PKEY_free(k);
        BIO_free(cb);
        BIO_free(kb);
    }
    return ctx;
}
