/* xsc.c - the client's front: connections, nodes, permissions, paths. */
#include "xsc_int.h"
#include "uuid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xsc_open_backend(const struct xsc_backend_ops *ops, void *be,
                     struct xsc **x_r, struct xn_msg *msg)
{
    struct xsc *x = calloc(1, sizeof(*x));

    *x_r = NULL;
    if (!x) {
        ops->close(be);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    x->ops = ops;
    x->be = be;
    LIST_INIT(&x->watches);
    ops->attach(be, x);
    *x_r = x;
    return 0;
}

int xsc_open(struct event_base *base, const char *socket_path,
             struct xsc **x_r, struct xn_msg *msg)
{
    void *be;
    int rc = xsc_xs_open(base, socket_path, &be, msg);

    if (rc < 0) {
        *x_r = NULL;
        return rc;
    }
    return xsc_open_backend(&xsc_xs_ops, be, x_r, msg);
}

void xsc_close(struct xsc *x)
{
    if (!x)
        return;
    xsc_watches_free(x);
    x->ops->close(x->be);
    free(x);
}

int xsc_read(struct xsc *x, const char *path, char **val_r, size_t *len_r,
             struct xn_msg *msg)
{
    return x->ops->read(x->be, path, val_r, len_r, msg);
}

int xsc_write(struct xsc *x, const char *path, const void *val, size_t len,
              struct xn_msg *msg)
{
    return x->ops->write(x->be, path, val, len, msg);
}

int xsc_write_str(struct xsc *x, const char *path, const char *val,
                  struct xn_msg *msg)
{
    return xsc_write(x, path, val, strlen(val), msg);
}

int xsc_mkdir(struct xsc *x, const char *path, struct xn_msg *msg)
{
    return x->ops->mkdir(x->be, path, msg);
}

int xsc_rm(struct xsc *x, const char *path, struct xn_msg *msg)
{
    return x->ops->rm(x->be, path, msg);
}

int xsc_directory(struct xsc *x, const char *path, char ***names_r,
                  unsigned *n_r, struct xn_msg *msg)
{
    return x->ops->directory(x->be, path, names_r, n_r, msg);
}

int xsc_get_perms(struct xsc *x, const char *path, struct xsc_perm **perms_r,
                  unsigned *n_r, struct xn_msg *msg)
{
    return x->ops->get_perms(x->be, path, perms_r, n_r, msg);
}

int xsc_set_perms(struct xsc *x, const char *path,
                  const struct xsc_perm *perms, unsigned n,
                  struct xn_msg *msg)
{
    if (n == 0 || n > 64)
        return xn_msg_set(msg, XN_EINVAL, "xenstore: %s needs 1 to 64 "
                          "permissions, not %u", path, n);
    return x->ops->set_perms(x->be, path, perms, n, msg);
}

bool xsc_exists(struct xsc *x, const char *path)
{
    char *v = NULL;
    if (xsc_read(x, path, &v, NULL, NULL) < 0)
        return false;
    free(v);
    return true;
}

int xsc_read_u64(struct xsc *x, const char *path, uint64_t *val_r,
                 struct xn_msg *msg)
{
    char *v = NULL, *end;
    int rc = xsc_read(x, path, &v, NULL, msg);

    if (rc < 0)
        return rc;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *end || errno || v[0] == '-')
        rc = xn_msg_set(msg, XN_EINVAL, "xenstore: %s holds \"%.40s\", not "
                        "a number", path, v);
    else
        *val_r = n;
    free(v);
    return rc;
}

int xsc_perm_parse(const char *text, struct xsc_perm *p, struct xn_msg *msg)
{
    char *end;
    unsigned long id;

    if (!text || !text[0] || !strchr("nrwb", text[0]) ||
        text[1] < '0' || text[1] > '9')
        goto bad;
    errno = 0;
    id = strtoul(text + 1, &end, 10);
    if (*end || errno || id > 0xFFFF)
        goto bad;
    p->access = (enum xsc_access)text[0];
    p->domid = (uint32_t)id;
    return 0;
bad:
    return xn_msg_set(msg, XN_EINVAL, "permission \"%s\" is not valid: "
                      "n, r, w or b and a domain id, e.g. r5", text);
}

unsigned xsc_access_bits(enum xsc_access a)
{
    switch (a) {
    case XSC_READ: return 1;
    case XSC_WRITE: return 2;
    case XSC_BOTH: return 3;
    default: return 0;
    }
}

enum xsc_access xsc_access_from_bits(unsigned bits)
{
    static const enum xsc_access access[] = {XSC_NONE, XSC_READ, XSC_WRITE,
                                             XSC_BOTH};
    return access[bits & 3];
}

const char *xsc_perm_format(const struct xsc_perm *p, char buf[16])
{
    snprintf(buf, 16, "%c%u", (char)p->access, p->domid);
    return buf;
}

/* --- paths --- */

/* A path that would not fit is cut to "" so that it fails visibly in the
 * store rather than naming another node. */
static char *fit(char *buf, int n)
{
    if (n < 0 || n >= XSC_PATH_MAX)
        buf[0] = '\0';
    return buf;
}

char *xsc_dom_path(char buf[XSC_PATH_MAX], uint32_t domid, const char *rel)
{
    return fit(buf, snprintf(buf, XSC_PATH_MAX, "/local/domain/%u%s%s", domid,
                             rel && *rel ? "/" : "", rel ? rel : ""));
}

char *xsc_vm_path(char buf[XSC_PATH_MAX], const uint8_t uuid[16],
                  const char *rel)
{
    char u[XN_UUID_TEXT];
    xn_uuid_format(uuid, u);
    return fit(buf, snprintf(buf, XSC_PATH_MAX, "/vm/%s%s%s", u,
                             rel && *rel ? "/" : "", rel ? rel : ""));
}

char *xsc_xenith_path(char buf[XSC_PATH_MAX], const uint8_t uuid[16],
                      const char *rel)
{
    char sub[XSC_PATH_MAX];
    if (snprintf(sub, sizeof(sub), "xenith%s%s", rel && *rel ? "/" : "",
                 rel ? rel : "") >= (int)sizeof(sub)) {
        buf[0] = '\0';
        return buf;
    }
    return xsc_vm_path(buf, uuid, sub);
}
