/*
 * cert_revoke.c - a certificate revoked: the CA's crl.pem signed again with
 * one more entry.
 */
#include "migration/cert/cert_int.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The serial of the certificate in crt_path, which the CA must have
 * signed. */
static int serial_of_file(X509 *ca, const char *crt_path, uint64_t *serial_r,
                          struct xn_msg *msg)
{
    X509 *crt = NULL;
    EVP_PKEY *ca_pub = X509_get0_pubkey(ca);
    int rc;

    if ((rc = cert_read_x509(NULL, crt_path, &crt, NULL, msg)) < 0)
        return rc;
    if (!ca_pub || X509_verify(crt, ca_pub) != 1) {
        cert_ssl_error();
        rc = xn_msg_set(msg, XN_EINVAL, "%s was not issued by this CA",
                        crt_path);
    } else if (!(*serial_r = cert_x509_serial(crt))) {
        rc = xn_msg_set(msg, XN_EINVAL, "%s has a serial number this CA "
                        "does not give", crt_path);
    }
    X509_free(crt);
    return rc;
}

/* The serial to revoke: `serial` when the CA issued it, else the one of
 * crt_path; never the CA's own. */
static int which_serial(const char *ca_dir, X509 *ca, uint64_t *serial,
                        const char *crt_path, struct xn_msg *msg)
{
    char name[64], path[PATH_MAX];
    int rc;

    if (*serial == 0 && !crt_path)
        return xn_msg_set(msg, XN_EINVAL, "revoke what? (no serial number "
                          "and no certificate)");
    if (*serial == 0 &&
        (rc = serial_of_file(ca, crt_path, serial, msg)) < 0)
        return rc;
    if (*serial == cert_x509_serial(ca) && crt_path)
        return xn_msg_set(msg, XN_EINVAL, "%s is the CA's own certificate: "
                          "make a new CA instead", crt_path);
    if (*serial == cert_x509_serial(ca))
        return xn_msg_set(msg, XN_EINVAL, "serial %" PRIu64 " is the CA's "
                          "own certificate: make a new CA instead", *serial);
    if (crt_path)
        return 0;
    snprintf(name, sizeof(name), "issued/%" PRIu64 ".crt", *serial);
    if ((rc = cert_path(path, sizeof(path), ca_dir, name, msg)) < 0)
        return rc;
    if (!cert_file_exists(path))
        return xn_msg_set(msg, XN_ENOENT, "the CA in %s issued no "
                          "certificate with serial %" PRIu64 " (no %s)",
                          ca_dir, *serial, path);
    return 0;
}

int cert_revoke(const char *ca_dir, uint64_t serial, const char *crt_path,
                struct xn_msg *msg)
{
    EVP_PKEY *key = NULL;
    X509 *ca = NULL;
    X509_CRL *old = NULL, *crl = NULL;
    int lock = -1, rc;

    if ((rc = cert_dir_lock(ca_dir, &lock, msg)) < 0 ||
        (rc = cert_load_ca(ca_dir, &ca, &key, msg)) < 0 ||
        (rc = which_serial(ca_dir, ca, &serial, serial ? NULL : crt_path,
                           msg)) < 0)
        goto out;
    rc = cert_read_crl(ca_dir, "crl.pem", &old, NULL, msg);
    if (rc < 0 && rc != XN_ENOENT)
        goto out;
    if (old && X509_CRL_verify(old, X509_get0_pubkey(ca)) != 1) {
        cert_ssl_error();
        rc = xn_msg_set(msg, XN_EINVAL, "%s/crl.pem is not signed by %s/"
                        "ca.crt", ca_dir, ca_dir);
        goto out;
    }
    /* Already revoked: signed again all the same (a fresh lastUpdate). */
    if ((rc = cert_make_crl(ca, key, old, old && cert_crl_has(old, serial)
                            ? 0 : serial, time(NULL), &crl, msg)) < 0 ||
        (rc = cert_write_crl(ca_dir, "crl.pem", crl, true, msg)) < 0)
        goto out;
out:
    if (lock >= 0)
        close(lock);
    EVP_PKEY_free(key);
    X509_free(ca);
    X509_CRL_free(old);
    X509_CRL_free(crl);
    return rc;
}
