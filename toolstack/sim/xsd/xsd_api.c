/*
 * xsd_api.c - the owner's direct access to the store (xsd.h): as domain 0,
 * outside transactions, firing watches like any socket client.
 */
#include "xsd_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The one place store errors become project codes (see xsd.h). */
static int to_xn(int rc, const char *what, const char *path)
{
    if (rc == 0)
        return XN_OK;
    xn_log(XN_LOG_DEBUG, "xenstore: %s %s: %s", what, path,
           xsd_wire_errname(rc));
    switch (rc) {
    case -ENOENT: return XN_ENOENT;
    case -EINVAL: case -E2BIG: return XN_EINVAL;
    case -EACCES: case -EPERM: return XN_EPERM;
    case -EEXIST: return XN_EEXIST;
    default: return XN_EFAIL;
    }
}

/* The tree the owner works on: its transaction's, or the main one. */
static struct xsd_tree *owner_tree(struct xsd *x, struct xsd_caller *c)
{
    xsd_main_caller(x, 0, c);
    if (!x->owner_txn)
        return &x->tree;
    c->hooks = xsd_txn_hooks(x->owner_txn);
    return xsd_txn_tree(x->owner_txn);
}

static int apply(struct xsd *x, struct xsd_op *op, const char *what,
                 const char *path)
{
    char canon[XSD_PATH_BUF];
    struct xsd_caller c;
    int rc = xsd_path_canon(path, 0, canon);

    if (rc == 0) {
        struct xsd_tree *t = owner_tree(x, &c);
        op->path = canon;
        rc = x->owner_txn ? xsd_txn_apply(x->owner_txn, &c, op)
                          : xsd_tree_apply(t, &c, op);
    }
    return to_xn(rc, what, path);
}

int xsd_txn_begin(struct xsd *x)
{
    if (x->owner_txn)
        return to_xn(-EBUSY, "start", "a transaction");
    return to_xn(xsd_txn_new(&x->tree, 0, &x->owner_txn), "start",
                 "a transaction");
}

int xsd_txn_end(struct xsd *x, bool abort)
{
    struct xsd_caller c;
    int rc = 0;

    if (!x->owner_txn)
        return to_xn(-ENOENT, "end", "a transaction");
    if (!abort) {
        xsd_main_caller(x, 0, &c);
        rc = xsd_txn_commit(x->owner_txn, &x->tree, &c);
    }
    xsd_txn_free(x->owner_txn);
    x->owner_txn = NULL;
    return rc == -EAGAIN ? XN_EBUSY : to_xn(rc, "commit", "a transaction");
}

int xsd_write(struct xsd *x, const char *path, const void *value,
              size_t len)
{
    struct xsd_op op = {.kind = XSD_OP_WRITE, .value = value, .len = len};

    if (len > x->lim.max_value)
        return to_xn(-E2BIG, "write", path);
    return apply(x, &op, "write", path);
}

int xsd_write_str(struct xsd *x, const char *path, const char *value)
{
    return xsd_write(x, path, value, strlen(value));
}

int xsd_write_as(struct xsd *x, uint32_t domid, const char *path,
                 const void *value, size_t len)
{
    struct xsd_op op = {.kind = XSD_OP_WRITE, .value = value, .len = len};
    char canon[XSD_PATH_BUF];
    struct xsd_caller c;
    int rc;

    if (len > x->lim.max_value)
        return to_xn(-E2BIG, "write", path);
    rc = xsd_path_canon(path, domid, canon);
    if (rc == 0) {
        xsd_main_caller(x, domid, &c);
        op.path = canon;
        rc = xsd_tree_apply(&x->tree, &c, &op);
    }
    return to_xn(rc, "write", path);
}

int xsd_mkdir(struct xsd *x, const char *path)
{
    struct xsd_op op = {.kind = XSD_OP_MKDIR};

    return apply(x, &op, "mkdir", path);
}

int xsd_rm(struct xsd *x, const char *path)
{
    struct xsd_op op = {.kind = XSD_OP_RM};

    return apply(x, &op, "rm", path);
}

int xsd_set_perms(struct xsd *x, const char *path,
                  const struct xsd_perm *perms, unsigned n)
{
    struct xsd_op op = {.kind = XSD_OP_PERMS, .perms = perms, .nperms = n};

    if (n < 1 || n > XSD_PERMS_MAX)
        return to_xn(-EINVAL, "set-perms", path);
    for (unsigned i = 0; i < n; i++)
        if (perms[i].perms > XSD_PERM_BOTH || perms[i].domid > 65535)
            return to_xn(-EINVAL, "set-perms", path);
    return apply(x, &op, "set-perms", path);
}

/* Look up `path` as dom0 on the owner's tree. */
static int get(struct xsd *x, const char *path, const struct xsd_node **n_r)
{
    char canon[XSD_PATH_BUF];
    struct xsd_caller c;
    int rc = xsd_path_canon(path, 0, canon);

    if (rc < 0)
        return rc;
    return xsd_tree_get(owner_tree(x, &c), &c, canon, n_r);
}

int xsd_read(struct xsd *x, const char *path, char **value_r,
             size_t *len_r)
{
    const struct xsd_node *n;
    char *v;
    int rc = get(x, path, &n);

    if (rc < 0)
        return to_xn(rc, "read", path);
    v = malloc((size_t)n->len + 1);
    if (!v)
        return to_xn(-ENOMEM, "read", path);
    if (n->len)
        memcpy(v, n->value, n->len);
    v[n->len] = '\0';
    *value_r = v;
    if (len_r)
        *len_r = n->len;
    return 0;
}

int xsd_directory(struct xsd *x, const char *path, char ***names_r,
                  unsigned *n_r)
{
    const struct xsd_node *n;
    size_t bytes = 0;
    char **names, *s;
    unsigned i = 0;
    int rc = get(x, path, &n);

    if (rc < 0)
        return to_xn(rc, "directory", path);
    for (unsigned j = 0; j < n->nchildren; j++)
        bytes += strlen(n->children[j]->name) + 1;
    names = malloc((n->nchildren + 1) * sizeof(*names) + bytes);
    if (!names)
        return to_xn(-ENOMEM, "directory", path);
    s = (char *)(names + n->nchildren + 1);
    for (unsigned j = 0; j < n->nchildren; j++) {
        const char *name = n->children[j]->name;
        size_t l = strlen(name) + 1;

        memcpy(s, name, l);
        names[i++] = s;
        s += l;
    }
    names[i] = NULL;
    *names_r = names;
    if (n_r)
        *n_r = i;
    return 0;
}

int xsd_get_perms(struct xsd *x, const char *path,
                  struct xsd_perm **perms_r, unsigned *n_r)
{
    const struct xsd_node *n;
    int rc = get(x, path, &n);

    if (rc < 0)
        return to_xn(rc, "get-perms", path);
    *perms_r = malloc(n->nperms * sizeof(**perms_r));
    if (!*perms_r)
        return to_xn(-ENOMEM, "get-perms", path);
    memcpy(*perms_r, n->perms, n->nperms * sizeof(**perms_r));
    *n_r = n->nperms;
    return 0;
}

/* ---- domains ---- */

bool xsd_domain_is_introduced(const struct xsd *x, uint32_t domid)
{
    return domid < 65536 && (x->introduced[domid / 8] & (1u << (domid % 8)));
}

void xsd_domain_introduced(struct xsd *x, uint32_t domid)
{
    if (domid == 0 || domid >= 65536 || xsd_domain_is_introduced(x, domid))
        return;
    x->introduced[domid / 8] |= (uint8_t)(1u << (domid % 8));
    xsd_watch_fire(x, "@introduceDomain", true);
}

void xsd_domain_released(struct xsd *x, uint32_t domid)
{
    struct xsd_caller c;

    if (domid == 0 || domid >= 65536)
        return;
    xsd_main_caller(x, 0, &c);
    xsd_tree_rm_owned(&x->tree, &c, domid);
    x->introduced[domid / 8] &= (uint8_t)~(1u << (domid % 8));
    xsd_watch_fire(x, "@releaseDomain", true);
}

void xsd_domain_shutdown(struct xsd *x, uint32_t domid)
{
    xsd_watch_fire(x, "@releaseDomain", true);
}

/* ---- watches ---- */

int xsd_watch(struct xsd *x, const char *path, const char *token,
              xsd_watch_fn *fn, void *opaque)
{
    char canon[XSD_PATH_BUF], prefix[32];
    struct xsd_watch *w;
    size_t rel_len = 0;
    int rc = 0;

    if (!path || !token || !fn)
        return to_xn(-EINVAL, "watch", path ? path : "(null)");
    if (path[0] == '@') {
        if (strlen(path) > XENSTORE_REL_PATH_MAX)
            rc = -EINVAL;
        else
            strcpy(canon, path);
    } else {
        rc = xsd_path_canon(path, 0, canon);
        if (path[0] != '/')
            rel_len = xsd_path_domain(0, prefix);
    }
    if (rc == 0)
        rc = xsd_watch_add(x, NULL, canon, token, rel_len, fn, opaque, &w);
    if (rc == 0)
        xsd_watch_initial(x, w);
    return to_xn(rc, "watch", path);
}

int xsd_unwatch(struct xsd *x, const char *path, const char *token)
{
    char canon[XSD_PATH_BUF];
    const char *p = path;

    if (!path || !token)
        return to_xn(-EINVAL, "unwatch", path ? path : "(null)");
    if (path[0] != '@' && xsd_path_canon(path, 0, canon) == 0)
        p = canon;
    return to_xn(xsd_watch_del(x, NULL, p, token), "unwatch", path);
}
