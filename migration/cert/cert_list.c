/*
 * cert_list.c - the certificates of a CA directory (ca.crt, issued/SERIAL.crt)
 * or of a host's (host.crt, ca.crt), with what the directory's crl.pem
 * says of them.
 */
#include "migration/cert/cert_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct list {
    struct cert_info *v;
    size_t n, cap;
};

/* Add dir/name's certificate; a missing file is skipped when `optional`. */
static int add(struct list *l, const char *dir, const char *name,
               X509_CRL *crl, X509 *ca, bool optional, struct xn_msg *msg)
{
    struct cert_info *info;
    X509 *x = NULL;
    int rc = cert_read_x509(dir, name, &x, NULL, msg);

    if (rc == XN_ENOENT && optional)
        return 0;
    if (rc < 0)
        return rc;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct cert_info *v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            X509_free(x);
            return xn_msg_set(msg, XN_ENOMEM, "out of memory listing %s",
                              dir);
        }
        l->v = v;
        l->cap = cap;
    }
    info = &l->v[l->n++];
    memset(info, 0, sizeof(*info));
    snprintf(info->file, sizeof(info->file), "%s", name);
    cert_x509_info(x, info);
    /* The CRL speaks of the certificates its CA signed only. */
    if (crl && ca && X509_NAME_cmp(X509_get_issuer_name(x),
                                   X509_get_subject_name(ca)) == 0 &&
        X509_verify(x, X509_get0_pubkey(ca)) == 1)
        info->revoked = cert_crl_has(crl, info->serial);
    cert_ssl_error();
    X509_free(x);
    return 0;
}

static int by_serial(const void *a, const void *b)
{
    const struct cert_info *x = a, *y = b;

    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* issued/SERIAL.crt, in the order of their serials. */
static int add_issued(struct list *l, const char *dir, X509_CRL *crl,
                      X509 *ca, struct xn_msg *msg)
{
    char path[PATH_MAX], name[CERT_NAME_MAX];
    struct dirent *e;
    size_t first = l->n;
    DIR *d;
    int rc = 0;

    if ((rc = cert_path(path, sizeof(path), dir, "issued", msg)) < 0)
        return rc;
    if (!(d = opendir(path)))
        return errno == ENOENT ? 0 : xn_msg_set(msg, xn_from_errno(errno),
                                                "cannot read %s: %s", path,
                                                strerror(errno));
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 ||
            strcmp(e->d_name + len - 4, ".crt") != 0)
            continue;
        snprintf(name, sizeof(name), "issued/%.200s", e->d_name);
        if ((rc = add(l, dir, name, crl, ca, false, msg)) < 0)
            break;
    }
    closedir(d);
    qsort(l->v + first, l->n - first, sizeof(*l->v), by_serial);
    return rc;
}

int cert_list(const char *dir, struct cert_info **list_r, size_t *n_r,
              struct xn_msg *msg)
{
    struct list l = {0};
    struct stat st;
    X509_CRL *crl = NULL;
    X509 *ca = NULL;
    int rc;

    *list_r = NULL;
    *n_r = 0;
    if (stat(dir, &st) < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot read %s: %s",
                          dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return xn_msg_set(msg, XN_EINVAL, "%s is not a directory", dir);
    rc = cert_read_x509(dir, "ca.crt", &ca, NULL, msg);
    if (rc < 0 && rc != XN_ENOENT)
        goto out;
    rc = cert_read_crl(dir, "crl.pem", &crl, NULL, msg);
    if (rc < 0 && rc != XN_ENOENT)
        goto out;
    if (crl && ca && X509_CRL_verify(crl, X509_get0_pubkey(ca)) != 1) {
        cert_ssl_error();
        rc = xn_msg_set(msg, XN_EINVAL, "%s/crl.pem is not signed by %s/"
                        "ca.crt", dir, dir);
        goto out;
    }
    if ((rc = add(&l, dir, "host.crt", crl, ca, true, msg)) < 0 ||
        (rc = add(&l, dir, "ca.crt", crl, ca, true, msg)) < 0 ||
        (rc = add_issued(&l, dir, crl, ca, msg)) < 0)
        goto out;
    if (l.n == 0) {
        rc = xn_msg_set(msg, XN_ENOENT, "%s holds no certificates (no ca.crt "
                        "or host.crt)", dir);
        goto out;
    }
    *list_r = l.v;
    *n_r = l.n;
    l.v = NULL;
    rc = 0;
out:
    free(l.v);
    X509_CRL_free(crl);
    X509_free(ca);
    return rc;
}
