/*
 * cert_pem.c - keys, certificates and CRLs in and out of PEM files, and
 * what a certificate says: names, serial, dates.
 */
#include "migration/cert/cert_int.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

const char *cert_ssl_error(void)
{
    static char buf[256];
    unsigned long e = ERR_peek_last_error();

    buf[0] = '\0';
    if (e) {
        const char *r = ERR_reason_error_string(e);
        if (r)
            snprintf(buf, sizeof(buf), "%s", r);
        else
            snprintf(buf, sizeof(buf), "OpenSSL error %lx", e);
    }
    ERR_clear_error();
    return buf;
}

/* --- reading --- */

enum pem_kind { PEM_X509, PEM_KEY, PEM_CRL };

static const char *const kind_name[] = {
    [PEM_X509] = "a PEM certificate",
    [PEM_KEY] = "a PEM private key",
    [PEM_CRL] = "a PEM certificate revocation list",
};

static int read_pem(const char *dir, const char *name, enum pem_kind kind,
                    void **obj_r, char **text_r, struct xn_msg *msg)
{
    char path[PATH_MAX];
    char *text = NULL;
    size_t len;
    BIO *bio = NULL;
    void *obj = NULL;
    int rc;

    *obj_r = NULL;
    if (text_r)
        *text_r = NULL;
    if (!dir)
        snprintf(path, sizeof(path), "%s", name);
    else if ((rc = cert_path(path, sizeof(path), dir, name, msg)) < 0)
        return rc;
    if ((rc = cert_file_read(path, &text, &len, msg)) < 0)
        return rc;
    if (!(bio = BIO_new_mem_buf(text, (int)len))) {
        rc = xn_msg_set(msg, XN_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    if (kind == PEM_X509)
        obj = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    else if (kind == PEM_KEY)
        obj = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    else
        obj = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
    if (!obj) {
        rc = xn_msg_set(msg, XN_EINVAL, "%s is not %s (%s)", path,
                        kind_name[kind], cert_ssl_error());
        goto out;
    }
    *obj_r = obj;
    if (text_r) {
        *text_r = text;
        text = NULL;
    }
    rc = 0;
out:
    BIO_free(bio);
    free(text);
    return rc;
}

int cert_read_x509(const char *dir, const char *name, X509 **x_r,
                   char **text_r, struct xn_msg *msg)
{
    void *obj;
    int rc = read_pem(dir, name, PEM_X509, &obj, text_r, msg);

    *x_r = obj;
    return rc;
}

int cert_read_key(const char *dir, const char *name, EVP_PKEY **k_r,
                  char **text_r, struct xn_msg *msg)
{
    void *obj;
    int rc = read_pem(dir, name, PEM_KEY, &obj, text_r, msg);

    *k_r = obj;
    return rc;
}

int cert_read_crl(const char *dir, const char *name, X509_CRL **c_r,
                  char **text_r, struct xn_msg *msg)
{
    void *obj;
    int rc = read_pem(dir, name, PEM_CRL, &obj, text_r, msg);

    *c_r = obj;
    return rc;
}

/* --- writing --- */

static int write_pem(const char *dir, const char *name, enum pem_kind kind,
                     void *obj, bool replace, struct xn_msg *msg)
{
    char path[PATH_MAX];
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long len;
    int ok, rc;

    if (!bio)
        return xn_msg_set(msg, XN_ENOMEM, "%s: out of memory", name);
    if ((rc = cert_path(path, sizeof(path), dir, name, msg)) < 0)
        goto out;
    if (kind == PEM_X509)
        ok = PEM_write_bio_X509(bio, obj);
    else if (kind == PEM_KEY)
        ok = PEM_write_bio_PrivateKey(bio, obj, NULL, NULL, 0, NULL, NULL);
    else
        ok = PEM_write_bio_X509_CRL(bio, obj);
    if (!ok || (len = BIO_get_mem_data(bio, &data)) <= 0) {
        rc = xn_msg_set(msg, XN_EFAIL, "%s: cannot encode it as PEM (%s)",
                        path, cert_ssl_error());
        goto out;
    }
    rc = cert_file_write(path, data, (size_t)len,
                         kind == PEM_KEY ? 0600 : 0644, replace, msg);
out:
    BIO_free(bio);
    return rc;
}

int cert_write_x509(const char *dir, const char *name, X509 *x,
                    bool replace, struct xn_msg *msg)
{
    return write_pem(dir, name, PEM_X509, x, replace, msg);
}

int cert_write_key(const char *dir, const char *name, EVP_PKEY *k,
                   bool replace, struct xn_msg *msg)
{
    return write_pem(dir, name, PEM_KEY, k, replace, msg);
}

int cert_write_crl(const char *dir, const char *name, X509_CRL *c,
                   bool replace, struct xn_msg *msg)
{
    return write_pem(dir, name, PEM_CRL, c, replace, msg);
}

char *cert_x509_pem(X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *text = NULL;
    long len;

    if (bio && PEM_write_bio_X509(bio, x) &&
        (len = BIO_get_mem_data(bio, &data)) > 0)
        text = strndup(data, (size_t)len);
    BIO_free(bio);
    return text;
}

/* --- host names --- */

static bool label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-';
}

static bool dns_valid(const char *host)
{
    size_t len = strlen(host), label = 0;

    if (len < 1 || len > 253)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = host[i];
        if (c == '.' || c == '\0') {
            if (label == 0 || label > 63 || host[i - 1] == '-' ||
                host[i - label] == '-')
                return false;
            label = 0;
        } else if (label_char(c)) {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

bool cert_host_valid(const char *host, bool *ip_r, unsigned char *addr_r,
                     size_t *alen_r)
{
    unsigned char addr[16];
    size_t alen = 0;

    if (inet_pton(AF_INET, host, addr) == 1)
        alen = 4;
    else if (inet_pton(AF_INET6, host, addr) == 1)
        alen = 16;
    if (ip_r)
        *ip_r = alen != 0;
    if (alen && addr_r)
        memcpy(addr_r, addr, alen);
    if (alen_r)
        *alen_r = alen;
    return alen != 0 || dns_valid(host);
}

/* --- fields --- */

/* An ASN.1 string as UTF-8 into buf, control characters as '?'. */
static void asn1_text(const ASN1_STRING *s, char *buf, size_t size)
{
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, s);

    buf[0] = '\0';
    if (n < 0)
        return;
    snprintf(buf, size, "%.*s", n, (char *)utf8);
    for (unsigned char *p = (unsigned char *)buf; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    OPENSSL_free(utf8);
}

static void name_cn(const X509_NAME *name, char *buf, size_t size)
{
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);

    buf[0] = '\0';
    if (i >= 0)
        asn1_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)),
                  buf, size);
}

/* One subjectAltName as text ("" for kinds other than DNS and IP). */
static void gen_text(const GENERAL_NAME *g, char *buf, size_t size)
{
    const ASN1_OCTET_STRING *ip;
    char addr[INET6_ADDRSTRLEN];

    buf[0] = '\0';
    if (g->type == GEN_DNS) {
        asn1_text(g->d.dNSName, buf, size);
    } else if (g->type == GEN_IPADD) {
        ip = g->d.iPAddress;
        if (ip->length == 4 &&
            inet_ntop(AF_INET, ip->data, addr, sizeof(addr)))
            snprintf(buf, size, "%s", addr);
        else if (ip->length == 16 &&
                 inet_ntop(AF_INET6, ip->data, addr, sizeof(addr)))
            snprintf(buf, size, "%s", addr);
    }
}

/* The DNS and IP subjectAltNames, comma-separated. */
static void alt_names(X509 *x, char *buf, size_t size)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
                                           NULL);
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        char one[CERT_NAME_MAX];
        int n;

        gen_text(sk_GENERAL_NAME_value(gens, i), one, sizeof(one));
        if (!one[0])
            continue;
        n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", one);
        if (n < 0 || (size_t)n >= size - len) {
            buf[len] = '\0';        /* keep whole names only */
            break;
        }
        len += (size_t)n;
    }
    GENERAL_NAMES_free(gens);
}

static time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

uint64_t cert_x509_serial(X509 *x)
{
    uint64_t v = 0;

    if (ASN1_INTEGER_get_uint64(&v, X509_get0_serialNumber(x)) != 1)
        ERR_clear_error();          /* negative or too large: 0 */
    return v;
}

void cert_x509_info(X509 *x, struct cert_info *info)
{
    name_cn(X509_get_subject_name(x), info->subject, sizeof(info->subject));
    alt_names(x, info->names, sizeof(info->names));
    if (!info->subject[0]) {
        size_t n = strcspn(info->names, ",");
        snprintf(info->subject, sizeof(info->subject), "%.*s", (int)n,
                 info->names);
    }
    name_cn(X509_get_issuer_name(x), info->issuer, sizeof(info->issuer));
    info->serial = cert_x509_serial(x);
    info->not_before = asn1_time(X509_get0_notBefore(x));
    info->not_after = asn1_time(X509_get0_notAfter(x));
    info->is_ca = X509_check_ca(x) != 0;
    info->expired = info->not_after < time(NULL);
    info->revoked = false;
}

bool cert_crl_has(X509_CRL *crl, uint64_t serial)
{
    ASN1_INTEGER *a = ASN1_INTEGER_new();
    X509_REVOKED *r = NULL;
    bool has = false;

    if (a && ASN1_INTEGER_set_uint64(a, serial) == 1)
        has = X509_CRL_get0_by_serial(crl, &r, a) == 1;
    ASN1_INTEGER_free(a);
    return has;
}
