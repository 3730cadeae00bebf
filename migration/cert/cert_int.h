/*
 * cert_int.h - what the files of migration/cert/ share (not part of the
 * contract in cert.h; tests may use it).
 *
 *   cert_file.c   atomic writes, bounded reads, directories, the CA lock
 *   cert_pem.c    PEM in and out of files; names, serials and dates of
 *                 certificates
 *   cert_make.c   keys, certificates and CRLs built and signed
 *   cert_ca.c     cert_init_ca, cert_issue
 *   cert_revoke.c cert_revoke
 *   cert_list.c   cert_list
 *   cert_load.c   cert_host_load, cert_host_dispose
 */
#ifndef XENITH_MIG_CERT_INT_H
#define XENITH_MIG_CERT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "migration/cert/cert.h"

/* The largest PEM file read (a key, a certificate, a CRL of many
 * thousand entries). */
#define CERT_FILE_MAX (4u << 20)

#define CERT_CA_DAYS 3650
#define CERT_HOST_DAYS 825
#define CERT_CRL_DAYS 3650
#define CERT_CN_MAX 64              /* ub_common_name */

/* --- files (cert_file.c) --- */

/* "dir/name" into buf (PATH_MAX); XN_EINVAL with msg when too long. */
int cert_path(char *buf, size_t size, const char *dir, const char *name,
              struct xn_msg *msg);

/* Write `len` bytes to `path` atomically: a new temporary file in the same
 * directory (O_EXCL|O_NOFOLLOW) with `mode`, fsync'd, then renamed over
 * path when `replace`, else linked to it (XN_EEXIST when path exists). */
int cert_file_write(const char *path, const void *data, size_t len,
                    mode_t mode, bool replace, struct xn_msg *msg);

/* Read a regular file of at most CERT_FILE_MAX bytes (not through a
 * symbolic link).  *text_r is malloc'd and NUL-terminated (free it).
 * XN_ENOENT when it does not exist. */
int cert_file_read(const char *path, char **text_r, size_t *len_r,
                   struct xn_msg *msg);

bool cert_file_exists(const char *path);

/* Make `dir` (and missing parents) with mode 0700 for the last part; an
 * existing directory is fine. */
int cert_dir_make(const char *dir, struct xn_msg *msg);

/* An exclusive lock on the CA directory `dir` against a concurrent issue or
 * revoke: *fd_r is the lock's descriptor (close it to unlock). */
int cert_dir_lock(const char *dir, int *fd_r, struct xn_msg *msg);

/* --- PEM and fields (cert_pem.c) --- */

/* Read dir/name (name alone when dir is NULL) into an object (the caller frees it with X509_free,
 * EVP_PKEY_free, X509_CRL_free).  XN_ENOENT when the file is missing;
 * text_r (may be NULL) gets the file's text (free it). */
int cert_read_x509(const char *dir, const char *name, X509 **x_r,
                   char **text_r, struct xn_msg *msg);
int cert_read_key(const char *dir, const char *name, EVP_PKEY **k_r,
                  char **text_r, struct xn_msg *msg);
int cert_read_crl(const char *dir, const char *name, X509_CRL **c_r,
                  char **text_r, struct xn_msg *msg);

/* Write an object as PEM to dir/name (cert_file_write's rules).  A key is
 * written 0600, a certificate or a CRL 0644. */
int cert_write_x509(const char *dir, const char *name, X509 *x,
                    bool replace, struct xn_msg *msg);
int cert_write_key(const char *dir, const char *name, EVP_PKEY *k,
                   bool replace, struct xn_msg *msg);
int cert_write_crl(const char *dir, const char *name, X509_CRL *c,
                   bool replace, struct xn_msg *msg);
/* The PEM text of a certificate (malloc'd; NULL when out of memory). */
char *cert_x509_pem(X509 *x);

/* Whether `host` is a DNS name (1-253 characters, labels of letters,
 * digits and '-', not at a label's ends) or an IP address; *ip_r (may be
 * NULL) says which, and addr_r (16 bytes, may be NULL) gets the address,
 * *alen_r its length (4 or 16). */
bool cert_host_valid(const char *host, bool *ip_r, unsigned char *addr_r,
                     size_t *alen_r);

/* A certificate's fields into info (file is left alone): the CN (or the
 * first subjectAltName when it has no CN), the names, the issuer's CN,
 * serial, dates and whether it is a CA.  Control characters become '?'. */
void cert_x509_info(X509 *x, struct cert_info *info);
uint64_t cert_x509_serial(X509 *x);
/* Whether a CRL lists serial. */
bool cert_crl_has(X509_CRL *crl, uint64_t serial);

/* --- building and signing (cert_make.c) --- */

EVP_PKEY *cert_keygen(void);

struct cert_req {
    const char *cn;                 /* NULL: none (a host name too long) */
    const char *host;               /* subjectAltName; NULL for a CA */
    bool is_ca;
    uint64_t serial;
    time_t now;
    int days;                       /* may be < 0 (for tests) */
    EVP_PKEY *key;                  /* the subject's key */
    X509 *issuer;                   /* NULL: self-signed */
    EVP_PKEY *issuer_key;           /* NULL: self-signed (key) */
};

/* A signed certificate (*x_r: X509_free it). */
int cert_make(const struct cert_req *req, X509 **x_r, struct xn_msg *msg);

/* A CRL signed by the CA: the entries of `old` (may be NULL) and `serial`
 * when not 0, valid from now for CERT_CRL_DAYS (*c_r: X509_CRL_free). */
int cert_make_crl(X509 *ca, EVP_PKEY *ca_key, X509_CRL *old,
                  uint64_t serial, time_t now, X509_CRL **c_r,
                  struct xn_msg *msg);

/* A random serial to start a CA with: 63 bits, not 0. */
uint64_t cert_serial_random(void);

/* The OpenSSL error queue's last reason (static storage, "" when empty);
 * clears the queue. */
const char *cert_ssl_error(void);

/* --- cert_ca.c --- */

/* The CA of dir: ca.crt, and ca.key checked against it (free both). */
int cert_load_ca(const char *dir, X509 **ca_r, EVP_PKEY **key_r,
                 struct xn_msg *msg);

/* cert_issue with the clock given: a certificate valid from `now` for
 * `days` days (days < 0: already expired; for tests). */
int cert_issue_at(const char *ca_dir, const char *host, const char *out_dir,
                  int days, bool force, time_t now, struct xn_msg *msg);

#endif
