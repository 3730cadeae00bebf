/*
 * cert_load.c - a host's certificate directory read and checked, as
 * xenithd and its relay need it: the key is the certificate's, the
 * certificate is signed by ca.crt, within its dates, for TLS servers and
 * clients, and not revoked by crl.pem.
 */
#include "migration/cert/cert_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

/* A time as "2031-04-05 12:00 UTC". */
static const char *when(char buf[32], const ASN1_TIME *t)
{
    struct tm tm;

    if (!t || ASN1_TIME_to_tm(t, &tm) != 1 ||
        !strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(buf, 32, "an unknown date");
    return buf;
}

/* The sentence for a failed verification. */
static int verify_error(const char *dir, X509_STORE_CTX *ctx, X509 *crt,
                        X509_CRL *crl, struct xn_msg *msg)
{
    int err = X509_STORE_CTX_get_error(ctx);
    const char *which = X509_STORE_CTX_get_error_depth(ctx) == 0 ? "host.crt"
                        : "ca.crt";
    X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
    char date[32];

    switch (err) {
    case X509_V_ERR_CERT_REVOKED:
        return xn_msg_set(msg, XN_EPERM, "%s/host.crt (serial %" PRIu64 ") "
                          "is revoked by %s/crl.pem", dir,
                          cert_x509_serial(crt), dir);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return xn_msg_set(msg, XN_EPERM, "%s/host.crt is not signed by "
                          "%s/ca.crt", dir, dir);
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return xn_msg_set(msg, XN_EPERM, "%s/%s expired on %s", dir, which,
                          when(date, bad ? X509_get0_notAfter(bad) : NULL));
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return xn_msg_set(msg, XN_EPERM, "%s/%s is not valid before %s", dir,
                          which, when(date, bad ? X509_get0_notBefore(bad)
                                            : NULL));
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        return xn_msg_set(msg, XN_EPERM, "%s/crl.pem is not the revocation "
                          "list of %s/ca.crt", dir, dir);
    case X509_V_ERR_CRL_HAS_EXPIRED:
        return xn_msg_set(msg, XN_EPERM, "%s/crl.pem is out of date (its next "
                          "update was due on %s): copy the CA's crl.pem", dir,
                          when(date, X509_CRL_get0_nextUpdate(crl)));
    case X509_V_ERR_CRL_NOT_YET_VALID:
        return xn_msg_set(msg, XN_EPERM, "%s/crl.pem is not valid before %s",
                          dir, when(date, X509_CRL_get0_lastUpdate(crl)));
    case X509_V_ERR_INVALID_PURPOSE:
        return xn_msg_set(msg, XN_EPERM, "%s/host.crt is not a certificate "
                          "for TLS servers and clients", dir);
    default:
        return xn_msg_set(msg, XN_EPERM, "%s/host.crt does not verify "
                          "against %s/ca.crt: %s", dir, dir,
                          X509_verify_cert_error_string(err));
    }
}

static int verify(const char *dir, X509 *crt, X509 *ca, X509_CRL *crl,
                  struct xn_msg *msg)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int rc;

    if (!store || !ctx || !X509_STORE_add_cert(store, ca) ||
        (crl && (!X509_STORE_add_crl(store, crl) ||
                 !X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK))) ||
        !X509_STORE_CTX_init(ctx, store, crt, NULL) ||
        !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER)) {
        rc = xn_msg_set(msg, XN_EFAIL, "cannot check %s/host.crt (%s)", dir,
                        cert_ssl_error());
        goto out;
    }
    if (X509_verify_cert(ctx) != 1) {
        rc = verify_error(dir, ctx, crt, crl, msg);
        goto out;
    }
    /* The relay is the client of its peer's relay too. */
    if (X509_check_purpose(crt, X509_PURPOSE_SSL_CLIENT, 0) != 1) {
        rc = xn_msg_set(msg, XN_EPERM, "%s/host.crt is not a certificate "
                        "for TLS clients", dir);
        goto out;
    }
    rc = 0;
out:
    cert_ssl_error();
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return rc;
}

int cert_host_load(const char *dir, struct cert_host *h, struct xn_msg *msg)
{
    struct cert_info info;
    EVP_PKEY *key = NULL;
    X509 *crt = NULL, *ca = NULL;
    X509_CRL *crl = NULL;
    int rc;

    memset(h, 0, sizeof(*h));
    if ((rc = cert_read_key(dir, "host.key", &key, &h->key_pem, msg)) < 0 ||
        (rc = cert_read_x509(dir, "host.crt", &crt, &h->cert_pem, msg)) < 0 ||
        (rc = cert_read_x509(dir, "ca.crt", &ca, &h->ca_pem, msg)) < 0)
        goto out;
    rc = cert_read_crl(dir, "crl.pem", &crl, &h->crl_pem, msg);
    if (rc == XN_ENOENT && !(h->crl_pem = strdup(""))) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory loading %s", dir);
        goto out;
    }
    if (rc < 0 && rc != XN_ENOENT)
        goto out;
    if (X509_check_private_key(crt, key) != 1) {
        cert_ssl_error();
        rc = xn_msg_set(msg, XN_EINVAL, "%s/host.key is not the key of "
                        "%s/host.crt", dir, dir);
        goto out;
    }
    if ((rc = verify(dir, crt, ca, crl, msg)) < 0)
        goto out;
    memset(&info, 0, sizeof(info));
    cert_x509_info(crt, &info);
    if (!info.subject[0]) {
        rc = xn_msg_set(msg, XN_EINVAL, "%s/host.crt names no host", dir);
        goto out;
    }
    snprintf(h->host, sizeof(h->host), "%s", info.subject);
    h->not_after = info.not_after;
    rc = 0;
out:
    if (rc < 0)
        cert_host_dispose(h);
    EVP_PKEY_free(key);
    X509_free(crt);
    X509_free(ca);
    X509_CRL_free(crl);
    return rc;
}

void cert_host_dispose(struct cert_host *h)
{
    if (!h)
        return;
    free(h->key_pem);
    free(h->cert_pem);
    free(h->ca_pem);
    free(h->crl_pem);
    memset(h, 0, sizeof(*h));
}
