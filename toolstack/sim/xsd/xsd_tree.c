/*
 * xsd_tree.c - the operations on the node tree, with xenstored's
 * semantics: writes create missing parents (inheriting permissions), rm
 * takes the subtree, permissions are checked for callers other than dom0.
 * The nodes themselves are kept by xsd_node.c.  Nodes may be shared with
 * other trees: an operation checks on the nodes as found, then changes
 * only nodes it got from xsd_tree_writable(), once nothing can fail any
 * more but running out of memory.
 */
#include "xsd_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- permissions, hooks, reading ---- */

/* The parent of canonical `path` (not "/") into buf[XSD_PATH_BUF]. */
static void parent_of(const char *path, char *buf)
{
    const char *slash = strrchr(path, '/');
    size_t len = slash == path ? 1 : (size_t)(slash - path);

    memcpy(buf, path, len);
    buf[len] = '\0';
}

unsigned xsd_perm_for(uint32_t domid, const struct xsd_perm *perms,
                      unsigned n)
{
    if (domid == 0 || perms[0].domid == domid)
        return XSD_PERM_BOTH | XSD_PERM_OWNER;
    for (unsigned i = 1; i < n; i++)
        if (perms[i].domid == domid)
            return perms[i].perms & XSD_PERM_BOTH;
    return perms[0].perms & XSD_PERM_BOTH;
}

static bool allowed(const struct xsd_caller *c, const struct xsd_node *n,
                    unsigned want)
{
    return (xsd_perm_for(c->domid, n->perms, n->nperms) & want) == want;
}

static void note(const struct xsd_caller *c, const char *path,
                 const struct xsd_node *n)
{
    if (c->hooks && c->hooks->note)
        c->hooks->note(c->hooks->opaque, path, n);
}

static void changed(const struct xsd_caller *c, const char *path,
                    bool exact)
{
    if (c->hooks && c->hooks->changed)
        c->hooks->changed(c->hooks->opaque, path, exact);
}

int xsd_tree_get(struct xsd_tree *t, const struct xsd_caller *c,
                 const char *path, const struct xsd_node **node_r)
{
    struct xsd_node *n = xsd_tree_find(t, path);

    note(c, path, n);
    if (!n)
        return -ENOENT;
    if (!allowed(c, n, XSD_PERM_READ))
        return -EACCES;
    *node_r = n;
    return 0;
}

/* ---- creating ---- */

/*
 * Create the node at `path` (known not to exist) and its missing parents.
 * The new nodes get the permissions of the deepest existing ancestor
 * (owned by the caller when it is not dom0); the new leaf gets `value`
 * (malloc'd, taken over on success).
 */
static int create(struct xsd_tree *t, const struct xsd_caller *c,
                  const char *path, char *value, uint32_t len)
{
    char buf[XSD_PATH_BUF];
    struct xsd_node *anc = t->root, *top = NULL, *bottom = NULL, *n;
    const char *p = path + 1, *rest;
    unsigned missing = 0;
    int rc;

    /* Deepest existing ancestor. */
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        struct xsd_node *child = xsd_node_child(anc, p, clen);

        if (!child)
            break;
        if (!slash)
            return -EEXIST;     /* the caller saw it missing: cannot be */
        anc = child;
        p += clen + 1;
    }
    rest = p;
    for (const char *q = rest; q; q = strchr(q + 1, '/'))
        missing++;

    if (!allowed(c, anc, XSD_PERM_WRITE))
        return -EACCES;
    if (c->max_nodes && t->nnodes + missing > c->max_nodes)
        return -ENOSPC;

    /* Tell the hooks: the ancestor (its children change), then each
     * missing path. */
    strcpy(buf, path);
    if (rest == path + 1) {
        note(c, "/", anc);
    } else {
        buf[rest - path - 1] = '\0';
        note(c, buf, anc);
        buf[rest - path - 1] = '/';
    }
    for (const char *q = rest;;) {
        const char *slash = strchr(q, '/');

        if (slash)
            buf[slash - path] = '\0';
        note(c, buf, NULL);
        if (!slash)
            break;
        buf[slash - path] = '/';
        q = slash + 1;
    }

    /* Build the chain detached, then hang it under the ancestor, made
     * the tree's own (buf still names it). */
    for (const char *q = rest; q;) {
        const char *slash = strchr(q, '/');
        size_t clen = slash ? (size_t)(slash - q) : strlen(q);

        n = xsd_node_new(t, q, clen, anc->perms, anc->nperms);
        if (!n || (bottom && xsd_node_link(bottom, n) < 0)) {
            xsd_node_unref(t, n);
            xsd_node_unref(t, top);
            return -ENOMEM;
        }
        if (c->domid != 0)
            n->perms[0].domid = c->domid;
        xsd_tree_bump(t, n);
        if (!top)
            top = n;
        bottom = n;
        q = slash ? slash + 1 : NULL;
    }
    if (rest != path + 1)
        buf[rest - path - 1] = '\0';
    else
        strcpy(buf, "/");
    rc = xsd_tree_writable(t, buf, &anc);
    if (rc == 0)
        rc = xsd_node_link(anc, top);
    if (rc < 0) {
        xsd_node_unref(t, top);
        return rc;
    }
    bottom->value = value;
    bottom->len = len;
    xsd_tree_bump(t, anc);
    t->nnodes += missing;
    xsd_tree_own(t, top->perms[0].domid, (int)missing);
    return 0;
}

/* ---- the operations ---- */

static int op_write(struct xsd_tree *t, const struct xsd_caller *c,
                    const struct xsd_op *op)
{
    struct xsd_node *n;
    char *value = NULL;
    int rc;

    if (c->max_value && op->len > c->max_value)
        return -ENOSPC;
    if (op->len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    if (op->len) {
        value = malloc(op->len);
        if (!value)
            return -ENOMEM;
        memcpy(value, op->value, op->len);
    }
    n = xsd_tree_find(t, op->path);
    if (!n) {
        rc = create(t, c, op->path, value, (uint32_t)op->len);
        if (rc < 0) {
            free(value);
            return rc;
        }
    } else {
        note(c, op->path, n);
        rc = allowed(c, n, XSD_PERM_WRITE) ? 0 : -EACCES;
        if (rc == 0)
            rc = xsd_tree_writable(t, op->path, &n);
        if (rc < 0) {
            free(value);
            return rc;
        }
        free(n->value);
        n->value = value;
        n->len = (uint32_t)op->len;
        xsd_tree_bump(t, n);
    }
    changed(c, op->path, false);
    return 0;
}

static int op_mkdir(struct xsd_tree *t, const struct xsd_caller *c,
                    const struct xsd_op *op)
{
    struct xsd_node *n = xsd_tree_find(t, op->path);
    int rc;

    if (n) {
        note(c, op->path, n);
        return allowed(c, n, XSD_PERM_WRITE) ? 0 : -EACCES;
    }
    rc = create(t, c, op->path, NULL, 0);
    if (rc < 0)
        return rc;
    changed(c, op->path, false);
    return 0;
}

/* Note and report every node of the subtree at `n` (path in buf[len]),
 * children first, and count them out of their owners; `top` is the node
 * the rm named.  Returns the number of nodes. */
static unsigned rm_walk(struct xsd_tree *t, const struct xsd_caller *c,
                        const struct xsd_node *n,
                        const struct xsd_node *top, char *buf, size_t len)
{
    unsigned count = 1;

    for (unsigned i = 0; i < n->nchildren; i++) {
        const struct xsd_node *ch = n->children[i];
        size_t clen = strlen(ch->name);

        if (len + 1 + clen >= XSD_PATH_BUF)
            continue;   /* cannot happen: paths were checked on creation */
        buf[len] = '/';
        memcpy(buf + len + 1, ch->name, clen + 1);
        count += rm_walk(t, c, ch, top, buf, len + 1 + clen);
        buf[len] = '\0';
    }
    note(c, buf, n);
    changed(c, buf, n != top);
    xsd_tree_own(t, n->perms[0].domid, -1);
    return count;
}

static int op_rm(struct xsd_tree *t, const struct xsd_caller *c,
                 const struct xsd_op *op)
{
    struct xsd_node *n = xsd_tree_find(t, op->path), *parent;
    char buf[XSD_PATH_BUF];
    int rc;

    if (strcmp(op->path, "/") == 0)
        return -EINVAL;
    if (!n) {
        /* Fine if the parent exists. */
        note(c, op->path, NULL);
        parent_of(op->path, buf);
        n = xsd_tree_find(t, buf);
        note(c, buf, n);
        return n ? 0 : -ENOENT;
    }
    note(c, op->path, n);
    if (!allowed(c, n, XSD_PERM_WRITE))
        return -EACCES;
    parent_of(op->path, buf);
    note(c, buf, xsd_tree_find(t, buf));
    rc = xsd_tree_writable(t, buf, &parent);
    if (rc < 0)
        return rc;

    /* The parent's copy, if it took one, holds the same n. */
    strcpy(buf, op->path);
    t->nnodes -= rm_walk(t, c, n, n, buf, strlen(buf));
    xsd_node_unref(t, xsd_node_unlink(parent, n->name));
    xsd_tree_bump(t, parent);
    return 0;
}

static int op_perms(struct xsd_tree *t, const struct xsd_caller *c,
                    const struct xsd_op *op)
{
    struct xsd_node *n = xsd_tree_find(t, op->path);
    struct xsd_perm *perms;

    if (op->nperms < 1)
        return -EINVAL;
    if (op->nperms > XSD_PERMS_MAX)
        return -ENOSPC;
    note(c, op->path, n);
    if (!n)
        return -ENOENT;
    if (!allowed(c, n, XSD_PERM_WRITE | XSD_PERM_OWNER))
        return -EACCES;
    if (c->domid != 0 && op->perms[0].domid != n->perms[0].domid)
        return -EPERM;
    perms = malloc(op->nperms * sizeof(*perms));
    if (!perms || xsd_tree_writable(t, op->path, &n) < 0) {
        free(perms);
        return -ENOMEM;
    }
    memcpy(perms, op->perms, op->nperms * sizeof(*perms));
    xsd_tree_own(t, n->perms[0].domid, -1);
    xsd_tree_own(t, perms[0].domid, 1);
    free(n->perms);
    n->perms = perms;
    n->nperms = op->nperms;
    xsd_tree_bump(t, n);
    changed(c, op->path, false);
    return 0;
}

int xsd_tree_apply(struct xsd_tree *t, const struct xsd_caller *c,
                   const struct xsd_op *op)
{
    if (op->path[0] != '/')
        return -EINVAL;
    switch (op->kind) {
    case XSD_OP_WRITE: return op_write(t, c, op);
    case XSD_OP_MKDIR: return op_mkdir(t, c, op);
    case XSD_OP_RM: return op_rm(t, c, op);
    case XSD_OP_PERMS: return op_perms(t, c, op);
    }
    return -EINVAL;
}

/* ---- removing a domain's nodes ---- */

struct owned {
    char **paths;
    size_t n, cap;
};

/* Collect the topmost nodes owned by `domid` below `node` (path in buf). */
static int owned_walk(const struct xsd_node *node, uint32_t domid,
                      char *buf, size_t len, struct owned *o)
{
    for (unsigned i = 0; i < node->nchildren; i++) {
        const struct xsd_node *ch = node->children[i];
        size_t clen = strlen(ch->name);
        size_t base = len == 1 ? 0 : len;   /* "/" joins without a slash */

        if (base + 1 + clen >= XSD_PATH_BUF)
            continue;
        buf[base] = '/';
        memcpy(buf + base + 1, ch->name, clen + 1);
        if (ch->perms[0].domid == domid) {
            if (o->n == o->cap) {
                size_t cap = o->cap ? o->cap * 2 : 16;
                char **p = realloc(o->paths, cap * sizeof(*p));

                if (!p)
                    return -ENOMEM;
                o->paths = p;
                o->cap = cap;
            }
            o->paths[o->n] = strdup(buf);
            if (!o->paths[o->n])
                return -ENOMEM;
            o->n++;
        } else if (owned_walk(ch, domid, buf, base + 1 + clen, o) < 0) {
            return -ENOMEM;
        }
        buf[len] = '\0';
    }
    return 0;
}

void xsd_tree_rm_owned(struct xsd_tree *t, const struct xsd_caller *c,
                       uint32_t domid)
{
    char buf[XSD_PATH_BUF] = "/";
    struct owned o = {0};

    if (t->owned && domid < 65536 && t->owned[domid] == 0)
        return;         /* nothing to look for */
    owned_walk(t->root, domid, buf, 1, &o);
    for (size_t i = 0; i < o.n; i++) {
        struct xsd_op op = {.kind = XSD_OP_RM, .path = o.paths[i]};

        xsd_tree_apply(t, c, &op);
        free(o.paths[i]);
    }
    free(o.paths);
}
