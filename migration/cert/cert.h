/*
 * cert.h - a pool's certificate authority and its hosts' certificates,
 * with OpenSSL's API (never the openssl command).
 *
 * A CA directory (made by cert_init_ca, mode 0700):
 *   ca.key      the CA's private key (ECDSA P-256, PEM, 0600)
 *   ca.crt      its self-signed certificate (PEM, 10 years)
 *   crl.pem     the revocation list, signed by the CA (empty at first)
 *   serial      the next serial number (decimal)
 *   issued/SERIAL.crt   a copy of each certificate issued (for list and
 *                       revoke)
 * A host's certificate directory (made by cert_issue, mode 0700), what
 * xenithd's --cert-dir names:
 *   host.key    the host's private key (0600)
 *   host.crt    its certificate: CN and subjectAltName = the host name
 *               (DNS, or IP when the name is an address), extended key
 *               usage serverAuth+clientAuth, signed by the CA
 *   ca.crt      the pool's CA certificate
 *   crl.pem     the CA's revocation list as of issue (cert_revoke updates
 *               the CA's; copy it to the hosts, or issue again)
 *
 * Every function writes files atomically (a temporary file in the same
 * directory, renamed) and never replaces a file it did not make: an
 * existing key or certificate is an error unless `force`.
 * Errors: one sentence naming the file or the name, through msg.
 */
#ifndef XENITH_MIG_CERT_H
#define XENITH_MIG_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define CERT_NAME_MAX 256

/* xenithd's certificate directory (a host's) unless told otherwise. */
#ifndef XENITH_SYSCONFDIR
#define XENITH_SYSCONFDIR "/etc/xenith"
#endif
#define CERT_DEFAULT_DIR XENITH_SYSCONFDIR "/certs"

/* Make a CA in `dir` (created if missing; must be empty of CA files).
 * `cn` names it ("xenith pool CA" when NULL; 1-64 characters).  days:
 * validity (10 years when <= 0). */
int cert_init_ca(const char *dir, const char *cn, int days,
                 struct xn_msg *msg);

/* Issue a certificate for `host` (a DNS name or an IP address) from the
 * CA in `ca_dir` into `out_dir` (created if missing).  days: validity
 * (default 825 when <= 0).  XN_EEXIST when out_dir holds a host.key or
 * host.crt already, or a ca.crt or crl.pem other than the CA's, and
 * !force.  XN_EINVAL when host is not a name (1-253 characters, labels of
 * letters, digits and '-') or an address.  A name of more than 64
 * characters (a CN's limit) is in the subjectAltName only. */
int cert_issue(const char *ca_dir, const char *host, const char *out_dir,
               int days, bool force, struct xn_msg *msg);

/* Revoke the certificate with `serial` (or the one in file `crt_path`,
 * when serial is 0) in the CA's crl.pem.  The serial must be one the CA
 * issued (issued/SERIAL.crt), the file one it signed.  Revoking a
 * revoked certificate again only signs the list anew. */
int cert_revoke(const char *ca_dir, uint64_t serial, const char *crt_path,
                struct xn_msg *msg);

/* One certificate, as `xenith cert list` shows it. */
struct cert_info {
    char file[CERT_NAME_MAX];       /* path relative to the listed dir */
    char subject[CERT_NAME_MAX];    /* the CN (else the first name) */
    char names[CERT_NAME_MAX];      /* subjectAltNames, comma-separated */
    char issuer[CERT_NAME_MAX];     /* the issuer's CN */
    uint64_t serial;
    time_t not_before, not_after;
    bool is_ca;
    bool revoked;                   /* listed in the dir's crl.pem
                                       (which must be ca.crt's) */
    bool expired;                   /* not_after < now */
};

/* The certificates in `dir` (a CA dir: ca.crt and issued/; a host dir:
 * host.crt and ca.crt).  *list_r is malloc'd (free it). */
int cert_list(const char *dir, struct cert_info **list_r, size_t *n_r,
              struct xn_msg *msg);

/* What xenithd and its relay need from a host's certificate directory,
 * read and checked: the key matches the certificate, the certificate is
 * signed by ca.crt, within its dates and not revoked by crl.pem.  The PEM
 * texts are malloc'd (cert_host_dispose); crl_pem is "" when there is no
 * crl.pem.  host gets the certificate's CN (else its first
 * subjectAltName).  On failure *h holds nothing to free. */
struct cert_host {
    char host[CERT_NAME_MAX];
    char *key_pem, *cert_pem, *ca_pem, *crl_pem;
    time_t not_after;
};
int cert_host_load(const char *dir, struct cert_host *h, struct xn_msg *msg);
void cert_host_dispose(struct cert_host *h);

#endif
