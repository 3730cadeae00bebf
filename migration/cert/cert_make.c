/*
 * cert_make.c - keys (ECDSA P-256), X509v3 certificates and v2 CRLs, built
 * and signed with SHA-256.
 */
#include "migration/cert/cert_int.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define DAY_S 86400L

EVP_PKEY *cert_keygen(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

uint64_t cert_serial_random(void)
{
    uint64_t v = 0;

    while (v == 0) {
        if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
            v = (uint64_t)time(NULL);
        /* 62 bits: room to count up without reaching 2^63. */
        v &= (UINT64_C(1) << 62) - 1;
    }
    return v;
}

/* An extension from its text form (e.g. "critical,CA:TRUE"). */
static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok;

    if (!ext)
        return -1;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* subjectAltName: one DNS name or one IP address. */
static int add_san(X509 *x, const char *host)
{
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *g = GENERAL_NAME_new();
    unsigned char addr[16];
    size_t alen;
    bool ip;
    int rc = -1;

    if (!gens || !g || !cert_host_valid(host, &ip, addr, &alen))
        goto out;
    if (ip) {
        ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
        if (!s || !ASN1_OCTET_STRING_set(s, addr, (int)alen)) {
            ASN1_OCTET_STRING_free(s);
            goto out;
        }
        GENERAL_NAME_set0_value(g, GEN_IPADD, s);
    } else {
        ASN1_IA5STRING *s = ASN1_IA5STRING_new();
        if (!s || !ASN1_STRING_set(s, host, (int)strlen(host))) {
            ASN1_IA5STRING_free(s);
            goto out;
        }
        GENERAL_NAME_set0_value(g, GEN_DNS, s);
    }
    if (!sk_GENERAL_NAME_push(gens, g))
        goto out;
    g = NULL;
    if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
                          X509V3_ADD_DEFAULT) == 1)
        rc = 0;
out:
    GENERAL_NAME_free(g);
    GENERAL_NAMES_free(gens);
    return rc;
}

static int set_fields(X509 *x, const struct cert_req *req)
{
    X509_NAME *name = X509_get_subject_name(x);
    time_t now = req->now, from = now - 3600; /* an hour of skew */
    ASN1_INTEGER *serial = X509_get_serialNumber(x);

    if (req->days < 0)
        from = now + req->days * DAY_S - DAY_S;
    if (!X509_set_version(x, X509_VERSION_3) ||
        !ASN1_INTEGER_set_uint64(serial, req->serial) ||
        !X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &from) ||
        !X509_time_adj_ex(X509_getm_notAfter(x), req->days, 0, &now))
        return -1;
    if (req->cn && !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                               (const unsigned char *)req->cn,
                                               -1, -1, 0))
        return -1;
    if (!X509_set_issuer_name(x, req->issuer
                              ? X509_get_subject_name(req->issuer) : name) ||
        !X509_set_pubkey(x, req->key))
        return -1;
    return 0;
}

static int set_extensions(X509 *x, const struct cert_req *req)
{
    X509V3_CTX ctx;

    X509V3_set_ctx(&ctx, req->issuer ? req->issuer : x, x, NULL, NULL, 0);
    if (req->is_ca) {
        if (add_ext(x, &ctx, NID_basic_constraints,
                    "critical,CA:TRUE,pathlen:0") < 0 ||
            add_ext(x, &ctx, NID_key_usage,
                    "critical,keyCertSign,cRLSign") < 0)
            return -1;
    } else {
        if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
            add_ext(x, &ctx, NID_key_usage,
                    "critical,digitalSignature") < 0 ||
            add_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth") < 0 ||
            add_san(x, req->host) < 0)
            return -1;
    }
    /* The subject's key id first: a self-signed certificate's authority
     * key id is its own. */
    if (add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
        add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") < 0)
        return -1;
    return 0;
}

int cert_make(const struct cert_req *req, X509 **x_r, struct xn_msg *msg)
{
    X509 *x = X509_new();
    EVP_PKEY *sign_key = req->issuer_key ? req->issuer_key : req->key;
    int rc;

    *x_r = NULL;
    if (!x || set_fields(x, req) < 0 || set_extensions(x, req) < 0) {
        rc = xn_msg_set(msg, XN_EFAIL, "cannot make the certificate of "
                        "\"%s\" (%s)", req->cn ? req->cn : req->host,
                        cert_ssl_error());
        goto out;
    }
    if (X509_sign(x, sign_key, EVP_sha256()) <= 0) {
        rc = xn_msg_set(msg, XN_EFAIL, "cannot sign the certificate of "
                        "\"%s\" (%s)", req->cn ? req->cn : req->host,
                        cert_ssl_error());
        goto out;
    }
    *x_r = x;
    x = NULL;
    rc = 0;
out:
    X509_free(x);
    return rc;
}

/* --- CRLs --- */

/* The CRL's number: the old one's plus one (1 for the first). */
static int set_crl_number(X509_CRL *crl, X509_CRL *old)
{
    ASN1_INTEGER *num = old ? X509_CRL_get_ext_d2i(old, NID_crl_number, NULL,
                                                   NULL) : NULL;
    uint64_t n = 0;
    int rc = -1;

    if (num && ASN1_INTEGER_get_uint64(&n, num) != 1)
        n = 0;
    ASN1_INTEGER_free(num);
    if (!(num = ASN1_INTEGER_new()) || !ASN1_INTEGER_set_uint64(num, n + 1))
        goto out;
    if (X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1)
        rc = 0;
out:
    ASN1_INTEGER_free(num);
    ERR_clear_error();
    return rc;
}

static int add_revoked(X509_CRL *crl, uint64_t serial, time_t now)
{
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *a = ASN1_INTEGER_new();
    ASN1_TIME *t = ASN1_TIME_set(NULL, now);
    int rc = -1;

    if (!r || !a || !t || !ASN1_INTEGER_set_uint64(a, serial) ||
        !X509_REVOKED_set_serialNumber(r, a) ||
        !X509_REVOKED_set_revocationDate(r, t) || !X509_CRL_add0_revoked(crl, r))
        goto out;
    r = NULL;
    rc = 0;
out:
    X509_REVOKED_free(r);
    ASN1_INTEGER_free(a);
    ASN1_TIME_free(t);
    return rc;
}

static int fill_crl(X509_CRL *crl, X509 *ca, X509_CRL *old, uint64_t serial,
                    time_t now)
{
    STACK_OF(X509_REVOKED) *prev = old ? X509_CRL_get_REVOKED(old) : NULL;
    ASN1_TIME *last = ASN1_TIME_set(NULL, now);
    ASN1_TIME *next = ASN1_TIME_adj(NULL, now, CERT_CRL_DAYS, 0);
    X509_EXTENSION *aki;
    X509V3_CTX ctx;
    int rc = -1;

    if (!last || !next || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
        !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) ||
        !X509_CRL_set1_lastUpdate(crl, last) ||
        !X509_CRL_set1_nextUpdate(crl, next))
        goto out;
    for (int i = 0; prev && i < sk_X509_REVOKED_num(prev); i++) {
        X509_REVOKED *r = X509_REVOKED_dup(sk_X509_REVOKED_value(prev, i));
        if (!r || !X509_CRL_add0_revoked(crl, r)) {
            X509_REVOKED_free(r);
            goto out;
        }
    }
    if (serial && add_revoked(crl, serial, now) < 0)
        goto out;
    X509V3_set_ctx(&ctx, ca, NULL, NULL, crl, 0);
    if (!(aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier,
                                    "keyid:always")))
        goto out;
    rc = X509_CRL_add_ext(crl, aki, -1) ? 0 : -1;
    X509_EXTENSION_free(aki);
    if (rc == 0)
        rc = set_crl_number(crl, old);
out:
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    return rc;
}

int cert_make_crl(X509 *ca, EVP_PKEY *ca_key, X509_CRL *old,
                  uint64_t serial, time_t now, X509_CRL **c_r,
                  struct xn_msg *msg)
{
    X509_CRL *crl = X509_CRL_new();
    int rc;

    *c_r = NULL;
    if (!crl || fill_crl(crl, ca, old, serial, now) < 0 ||
        !X509_CRL_sort(crl) || X509_CRL_sign(crl, ca_key, EVP_sha256()) <= 0) {
        rc = xn_msg_set(msg, XN_EFAIL, "cannot make the revocation list "
                        "(%s)", cert_ssl_error());
        goto out;
    }
    *c_r = crl;
    crl = NULL;
    rc = 0;
out:
    X509_CRL_free(crl);
    return rc;
}
