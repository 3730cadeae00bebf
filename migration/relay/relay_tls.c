/*
 * relay_tls.c - the relay's TLS context, names in certificates, and the
 * texts of TLS failures.
 *
 * One context serves both sides: TLS 1.3 only, the peer's certificate
 * required and verified against the pool's CA (and its CRL when there is
 * one) in both directions.  The client's check of the server's name is set
 * per connection (relay_hello.c); the server checks the client's name
 * against its hello (relay_tls_names).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "migration/wire/ctl.h"
#include "relay.h"
#include "utf8.h"

static bool is_ip(const char *host)
{
    unsigned char a[16];

    return inet_pton(AF_INET, host, a) == 1 ||
           inet_pton(AF_INET6, host, a) == 1;
}

static bool cert_names(X509 *x, const char *host)
{
    if (!x)
        return false;
    if (is_ip(host))
        return X509_check_ip_asc(x, host, 0) == 1;
    return X509_check_host(x, host, strlen(host), 0, NULL) == 1;
}

bool relay_tls_names(SSL *ssl, const char *host)
{
    return cert_names(SSL_get0_peer_certificate(ssl), host);
}

/* A PEM field of the op as a read-only BIO. */
static BIO *pem_bio(struct json_object *op, const char *key,
                    struct xn_msg *msg)
{
    const char *pem = mig_ctl_str(op, key);
    BIO *b;

    if (!pem) {
        xn_msg_set(msg, XN_EINVAL, "config: no \"%s\"", key);
        return NULL;
    }
    b = BIO_new_mem_buf(pem, -1);
    if (!b)
        xn_msg_set(msg, XN_ENOMEM, "config: out of memory");
    return b;
}

/* The certificate (and any chain after it) and the key. */
static int load_identity(SSL_CTX *ctx, struct json_object *op,
                         const char *host, struct xn_msg *msg)
{
    BIO *cb = NULL, *kb = NULL;
    X509 *x = NULL;
    EVP_PKEY *key = NULL;
    char q[80];
    int rc = XN_EINVAL;

    if (!(cb = pem_bio(op, "cert", msg)) || !(kb = pem_bio(op, "key", msg)))
        goto out;
    x = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    if (!x || SSL_CTX_use_certificate(ctx, x) != 1) {
        xn_msg_set(msg, XN_EINVAL, "config: cert is not a PEM certificate");
        goto out;
    }
    if (!cert_names(x, host)) {
        xn_msg_set(msg, XN_EINVAL, "config: the certificate does not name "
                   "host \"%s\"", xn_quote(host, strlen(host), 60, q,
                                           sizeof(q)));
        goto out;
    }
    for (X509 *extra; (extra = PEM_read_bio_X509(cb, NULL, NULL, NULL));)
        if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
            X509_free(extra);
            xn_msg_set(msg, XN_EINVAL, "config: cannot use cert's chain");
            goto out;
        }
    key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    if (!key) {
        xn_msg_set(msg, XN_EINVAL, "config: key is not a PEM private key");
        goto out;
    }
    if (SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        xn_msg_set(msg, XN_EINVAL, "config: key does not match cert");
        goto out;
    }
    rc = 0;
out:
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(x);
    BIO_free(kb);
    BIO_free(cb);
    return rc;
}

/* The CA certificates and the CRLs, in a store of their own. */
static int load_trust(SSL_CTX *ctx, struct json_object *op,
                      struct xn_msg *msg)
{
    X509_STORE *store = X509_STORE_new();
    BIO *ab = NULL, *lb = NULL;
    const char *crl = mig_ctl_str(op, "crl");
    unsigned ncas = 0, ncrls = 0;
    int rc = XN_EINVAL;

    if (!store || !(ab = pem_bio(op, "ca", msg)))
        goto out;
    for (X509 *x; (x = PEM_read_bio_X509(ab, NULL, NULL, NULL)); ncas++) {
        int ok = X509_STORE_add_cert(store, x);
        X509_free(x);
        if (ok != 1) {
            xn_msg_set(msg, XN_EINVAL, "config: cannot use ca");
            goto out;
        }
    }
    if (ncas == 0) {
        xn_msg_set(msg, XN_EINVAL, "config: ca holds no PEM certificate");
        goto out;
    }
    if (crl && *crl) {
        if (!(lb = pem_bio(op, "crl", msg)))
            goto out;
        for (X509_CRL *l; (l = PEM_read_bio_X509_CRL(lb, NULL, NULL, NULL));
             ncrls++) {
            int ok = X509_STORE_add_crl(store, l);
            X509_CRL_free(l);
            if (ok != 1) {
                xn_msg_set(msg, XN_EINVAL, "config: cannot use crl");
                goto out;
            }
        }
        if (ncrls == 0) {
            xn_msg_set(msg, XN_EINVAL, "config: crl holds no PEM "
                       "revocation list");
            goto out;
        }
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    SSL_CTX_set_cert_store(ctx, store);
    store = NULL;
    rc = 0;
out:
    ERR_clear_error();
    X509_STORE_free(store);
    BIO_free(lb);
    BIO_free(ab);
    return rc;
}

int relay_tls_ctx_new(struct json_object *op, const char *host,
                      SSL_CTX **ctx_r, struct xn_msg *msg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    int rc;

    *ctx_r = NULL;
    if (!ctx)
        return xn_msg_set(msg, XN_ENOMEM, "config: cannot make a TLS "
                          "context");
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
        rc = xn_msg_set(msg, XN_ENOTSUP, "config: this OpenSSL has no "
                        "TLS 1.3");
        goto out;
    }
    /* AES-128-GCM first: as safe here, and about a third faster than
     * OpenSSL's default AES-256 on the stream's bulk. */
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
                             "TLS_AES_256_GCM_SHA384:"
                             "TLS_CHACHA20_POLY1305_SHA256");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
                       SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    if ((rc = load_identity(ctx, op, host, msg)) < 0 ||
        (rc = load_trust(ctx, op, msg)) < 0)
        goto out;
    *ctx_r = ctx;
    ctx = NULL;
out:
    SSL_CTX_free(ctx);
    return rc;
}

void relay_tls_why(struct relay_conn *c, char *buf, size_t len)
{
    SSL *ssl = c->ssl;
    unsigned long e, first = 0;
    const char *reason = NULL;
    char text[256];
    long v;

    /* libevent hands its queue back newest first: the oldest is the
     * cause.  Values below 256 are SSL_get_error codes, not reasons. */
    while (c->hs && (e = bufferevent_get_openssl_error(c->hs)))
        if (e >= 256)
            first = e;
    if (first) {
        reason = ERR_reason_error_string(first);
        if (!reason) {
            ERR_error_string_n(first, text, sizeof(text));
            reason = text;
        }
    } else if (errno && errno != EAGAIN && errno != EINTR &&
               errno != EINPROGRESS) {
        reason = strerror(errno);
    } else {
        reason = "the peer closed the connection";
    }
    v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (v != X509_V_OK)
        snprintf(buf, len, "%s (%s)", reason,
                 X509_verify_cert_error_string(v));
    else
        snprintf(buf, len, "%s", reason);
    ERR_clear_error();
}
