/*
 * cert_ca.c - a pool's CA made (cert_init_ca), and host certificates
 * issued from it (cert_issue).
 */
#include "migration/cert/cert_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509v3.h>

static const char *const ca_files[] = {"ca.key", "ca.crt", "crl.pem",
                                       "serial"};

/* A CA's name: 1-64 characters, none of them control characters. */
static int check_cn(const char *cn, struct xn_msg *msg)
{
    size_t len = strlen(cn);

    if (len == 0 || len > CERT_CN_MAX)
        return xn_msg_set(msg, XN_EINVAL, "the CA's name \"%.80s\" must be "
                          "1 to %d characters", cn, CERT_CN_MAX);
    for (const unsigned char *p = (const unsigned char *)cn; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return xn_msg_set(msg, XN_EINVAL, "the CA's name must not hold "
                              "control characters");
    return 0;
}

static int write_serial(const char *dir, uint64_t next, bool replace,
                        struct xn_msg *msg)
{
    char path[PATH_MAX], text[32];
    int rc, n = snprintf(text, sizeof(text), "%" PRIu64 "\n", next);

    if ((rc = cert_path(path, sizeof(path), dir, "serial", msg)) < 0)
        return rc;
    return cert_file_write(path, text, (size_t)n, 0644, replace, msg);
}

static int read_serial(const char *dir, uint64_t *serial_r,
                       struct xn_msg *msg)
{
    char path[PATH_MAX], *text = NULL, *end;
    unsigned long long v;
    int rc;

    if ((rc = cert_path(path, sizeof(path), dir, "serial", msg)) < 0 ||
        (rc = cert_file_read(path, &text, NULL, msg)) < 0)
        return rc;
    errno = 0;
    v = strtoull(text, &end, 10);
    while (*end == '\n' || *end == ' ')
        end++;
    if (errno || end == text || *end || v == 0 || v >= (UINT64_C(1) << 63))
        rc = xn_msg_set(msg, XN_EINVAL, "%s does not hold a serial number "
                        "(a decimal number below 2^63)", path);
    else
        *serial_r = v;
    free(text);
    return rc;
}

int cert_init_ca(const char *dir, const char *cn, int days,
                 struct xn_msg *msg)
{
    char path[PATH_MAX];
    EVP_PKEY *key = NULL;
    X509 *ca = NULL;
    X509_CRL *crl = NULL;
    time_t now = time(NULL);
    struct cert_req req = {
        .cn = cn ? cn : "xenith pool CA", .is_ca = true, .now = now,
        .days = days > 0 ? days : CERT_CA_DAYS,
        .serial = cert_serial_random(),
    };
    int rc;

    if ((rc = check_cn(req.cn, msg)) < 0 || (rc = cert_dir_make(dir, msg)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof(ca_files) / sizeof(ca_files[0]); i++) {
        if ((rc = cert_path(path, sizeof(path), dir, ca_files[i], msg)) < 0)
            return rc;
        if (cert_file_exists(path))
            return xn_msg_set(msg, XN_EEXIST, "%s holds a CA already (%s "
                              "exists)", dir, path);
    }
    if (!(key = cert_keygen())) {
        rc = xn_msg_set(msg, XN_EFAIL, "cannot make a key (%s)",
                        cert_ssl_error());
        goto out;
    }
    req.key = key;
    if ((rc = cert_make(&req, &ca, msg)) < 0 ||
        (rc = cert_make_crl(ca, key, NULL, 0, now, &crl, msg)) < 0)
        goto out;
    if ((rc = cert_path(path, sizeof(path), dir, "issued", msg)) < 0 ||
        (rc = cert_dir_make(path, msg)) < 0)
        goto out;
    /* The key last: a directory with ca.key is a CA, whole. */
    if ((rc = write_serial(dir, req.serial + 1, false, msg)) < 0 ||
        (rc = cert_write_crl(dir, "crl.pem", crl, false, msg)) < 0 ||
        (rc = cert_write_x509(dir, "ca.crt", ca, false, msg)) < 0 ||
        (rc = cert_write_key(dir, "ca.key", key, false, msg)) < 0)
        goto out;
out:
    EVP_PKEY_free(key);
    X509_free(ca);
    X509_CRL_free(crl);
    return rc;
}

/* --- issue --- */

int cert_load_ca(const char *dir, X509 **ca_r, EVP_PKEY **key_r,
                   struct xn_msg *msg)
{
    int rc;

    *ca_r = NULL;
    *key_r = NULL;
    if ((rc = cert_read_x509(dir, "ca.crt", ca_r, NULL, msg)) < 0 ||
        (rc = cert_read_key(dir, "ca.key", key_r, NULL, msg)) < 0)
        return rc;
    if (X509_check_private_key(*ca_r, *key_r) != 1) {
        cert_ssl_error();
        return xn_msg_set(msg, XN_EINVAL, "%s/ca.key is not the key of "
                          "%s/ca.crt", dir, dir);
    }
    return 0;
}

/* Whether dir/name holds the same bytes as text (false when absent). */
static bool same_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX], *have = NULL;
    bool same;

    if (cert_path(path, sizeof(path), dir, name, NULL) < 0 ||
        cert_file_read(path, &have, NULL, NULL) < 0)
        return false;
    same = strcmp(have, text) == 0;
    free(have);
    return same;
}

/* Without force, out_dir must not hold a host's key or certificate, nor
 * another CA's files. */
static int check_out(const char *out, const char *ca_dir, struct xn_msg *msg)
{
    static const char *const mine[] = {"host.key", "host.crt"};
    static const char *const cas[] = {"ca.crt", "crl.pem"};
    char path[PATH_MAX], ca_path[PATH_MAX], *text = NULL;
    int rc;

    for (size_t i = 0; i < 2; i++) {
        if ((rc = cert_path(path, sizeof(path), out, mine[i], msg)) < 0)
            return rc;
        if (cert_file_exists(path))
            return xn_msg_set(msg, XN_EEXIST, "%s exists already (--force "
                              "replaces it)", path);
    }
    for (size_t i = 0; i < 2; i++) {
        if ((rc = cert_path(path, sizeof(path), out, cas[i], msg)) < 0 ||
            (rc = cert_path(ca_path, sizeof(ca_path), ca_dir, cas[i],
                            msg)) < 0)
            return rc;
        if (!cert_file_exists(path))
            continue;
        if (cert_file_read(ca_path, &text, NULL, NULL) == 0 &&
            same_file(out, cas[i], text))
            rc = 0;
        else
            rc = xn_msg_set(msg, XN_EEXIST, "%s exists already and is not "
                            "%s (--force replaces it)", path, ca_path);
        free(text);
        text = NULL;
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Copy ca_dir/name to out_dir/name (replacing it). */
static int copy_file(const char *ca_dir, const char *name, const char *out,
                     struct xn_msg *msg)
{
    char from[PATH_MAX], to[PATH_MAX], *text = NULL;
    size_t len;
    int rc;

    if ((rc = cert_path(from, sizeof(from), ca_dir, name, msg)) < 0 ||
        (rc = cert_path(to, sizeof(to), out, name, msg)) < 0 ||
        (rc = cert_file_read(from, &text, &len, msg)) < 0)
        return rc;
    rc = cert_file_write(to, text, len, 0644, true, msg);
    free(text);
    return rc;
}

/* The host's files, once the CA has counted the serial. */
static int write_host(const char *ca_dir, const char *out, X509 *crt,
                      EVP_PKEY *key, bool force, struct xn_msg *msg)
{
    char name[64];
    int rc;

    snprintf(name, sizeof(name), "issued/%" PRIu64 ".crt",
             cert_x509_serial(crt));
    if ((rc = cert_write_x509(ca_dir, name, crt, false, msg)) < 0 ||
        (rc = cert_write_key(out, "host.key", key, force, msg)) < 0 ||
        (rc = cert_write_x509(out, "host.crt", crt, force, msg)) < 0 ||
        (rc = copy_file(ca_dir, "ca.crt", out, msg)) < 0 ||
        (rc = copy_file(ca_dir, "crl.pem", out, msg)) < 0)
        return rc;
    return 0;
}

int cert_issue_at(const char *ca_dir, const char *host, const char *out_dir,
                  int days, bool force, time_t now, struct xn_msg *msg)
{
    EVP_PKEY *ca_key = NULL, *key = NULL;
    X509 *ca = NULL, *crt = NULL;
    struct cert_req req = {
        .host = host, .now = now, .days = days ? days : CERT_HOST_DAYS,
    };
    int lock = -1, rc;

    if (!cert_host_valid(host, NULL, NULL, NULL))
        return xn_msg_set(msg, XN_EINVAL, "\"%.260s\" is not a host name or "
                          "an IP address", host);
    req.cn = strlen(host) <= CERT_CN_MAX ? host : NULL;
    if ((rc = cert_dir_lock(ca_dir, &lock, msg)) < 0 ||
        (rc = cert_load_ca(ca_dir, &ca, &ca_key, msg)) < 0 ||
        (rc = read_serial(ca_dir, &req.serial, msg)) < 0 ||
        (rc = cert_dir_make(out_dir, msg)) < 0 ||
        (!force && (rc = check_out(out_dir, ca_dir, msg)) < 0))
        goto out;
    if (!(key = cert_keygen())) {
        rc = xn_msg_set(msg, XN_EFAIL, "cannot make a key (%s)",
                        cert_ssl_error());
        goto out;
    }
    req.key = key;
    req.issuer = ca;
    req.issuer_key = ca_key;
    /* The serial is counted before it is used: never given twice. */
    if ((rc = cert_make(&req, &crt, msg)) < 0 ||
        (rc = write_serial(ca_dir, req.serial + 1, true, msg)) < 0 ||
        (rc = write_host(ca_dir, out_dir, crt, key, force, msg)) < 0)
        goto out;
out:
    if (lock >= 0)
        close(lock);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    X509_free(ca);
    X509_free(crt);
    return rc;
}

int cert_issue(const char *ca_dir, const char *host, const char *out_dir,
               int days, bool force, struct xn_msg *msg)
{
    return cert_issue_at(ca_dir, host, out_dir, days > 0 ? days : 0, force,
                         time(NULL), msg);
}
