/*
 * xsd_tree.c - the node tree and the operations on it, with xenstored's
 * semantics: writes create missing parents (inheriting permissions), rm
 * takes the subtree, permissions are checked for callers other than dom0.
 */
#include "xsd_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- nodes ---- */

static struct xsd_node *node_new(const char *name, size_t namelen,
                                 const struct xsd_perm *perms,
                                 unsigned nperms)
{
    struct xsd_node *n = calloc(1, sizeof(*n) + namelen + 1);

    if (!n)
        return NULL;
    n->perms = malloc(nperms * sizeof(*perms));
    if (!n->perms) {
        free(n);
        return NULL;
    }
    memcpy(n->perms, perms, nperms * sizeof(*perms));
    n->nperms = nperms;
    memcpy(n->name, name, namelen);
    n->name[namelen] = '\0';
    return n;
}

static void node_free(struct xsd_node *n)
{
    free(n->value);
    free(n->perms);
    free(n->index);
    free(n);
}

/* Count `n` nodes more (or fewer) owned by `domid`, when the tree counts. */
static void own(struct xsd_tree *t, uint32_t domid, int n)
{
    if (t && t->owned && domid < 65536)
        t->owned[domid] += (uint32_t)n;
}

/* Free `top` and everything below it, without recursion.  `top` must
 * already be unlinked from its parent.  `t` (may be NULL) counts the
 * nodes' owners. */
static unsigned subtree_free(struct xsd_tree *t, struct xsd_node *top)
{
    struct xsd_node *n = top, *p;
    unsigned count = 0;

    for (;;) {
        while (n->first)
            n = n->first;
        count++;
        own(t, n->perms[0].domid, -1);
        if (n == top) {
            node_free(n);
            return count;
        }
        p = n->parent;
        p->first = n->next;
        if (p->first)
            p->first->prev = NULL;
        else
            p->last = NULL;
        node_free(n);
        n = p->first ? p->first : p;
    }
}

/*
 * A node with many children (/local/domain, /vm on a host with thousands
 * of domains) indexes them in a hash table, so that finding one does not
 * mean comparing names with all of them.  The list keeps the order.
 */
#define INDEX_MIN 32u       /* children before a node gets an index */

static size_t name_hash(const char *name, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 0x100000001b3ull;
    return (size_t)h;
}

static void index_add(struct xsd_node *parent, struct xsd_node *child)
{
    size_t b = name_hash(child->name, strlen(child->name)) &
               (parent->index_cap - 1);

    child->hnext = parent->index[b];
    parent->index[b] = child;
}

/* Rebuild the index with `cap` buckets.  Out of memory, the node goes
 * without one: lookups walk the list, slower but right. */
static void index_build(struct xsd_node *parent, unsigned cap)
{
    free(parent->index);
    parent->index = calloc(cap, sizeof(*parent->index));
    parent->index_cap = parent->index ? cap : 0;
    for (struct xsd_node *c = parent->first; parent->index && c;
         c = c->next)
        index_add(parent, c);
}

static void child_link(struct xsd_node *parent, struct xsd_node *child)
{
    child->parent = parent;
    child->next = NULL;
    child->prev = parent->last;
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
    parent->nchildren++;
    if (parent->index ? parent->nchildren > parent->index_cap
                      : parent->nchildren >= INDEX_MIN)
        index_build(parent, parent->index ? parent->index_cap * 2
                                          : 2 * INDEX_MIN);
    else if (parent->index)
        index_add(parent, child);
}

static void child_unlink(struct xsd_node *child)
{
    struct xsd_node *parent = child->parent;

    if (parent->index) {
        struct xsd_node **pp = &parent->index[
            name_hash(child->name, strlen(child->name)) &
            (parent->index_cap - 1)];

        while (*pp && *pp != child)
            pp = &(*pp)->hnext;
        if (*pp)
            *pp = child->hnext;
        child->hnext = NULL;
    }
    if (child->prev)
        child->prev->next = child->next;
    else
        parent->first = child->next;
    if (child->next)
        child->next->prev = child->prev;
    else
        parent->last = child->prev;
    parent->nchildren--;
    child->parent = child->prev = child->next = NULL;
}

static struct xsd_node *child_find(const struct xsd_node *parent,
                                   const char *name, size_t len)
{
    if (parent->index) {
        struct xsd_node *c = parent->index[name_hash(name, len) &
                                           (parent->index_cap - 1)];

        for (; c; c = c->hnext)
            if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
                return c;
        return NULL;
    }
    for (struct xsd_node *c = parent->first; c; c = c->next)
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    return NULL;
}

/* The parent of canonical `path` (not "/") into buf[XSD_PATH_BUF]. */
static void parent_of(const char *path, char *buf)
{
    const char *slash = strrchr(path, '/');
    size_t len = slash == path ? 1 : (size_t)(slash - path);

    memcpy(buf, path, len);
    buf[len] = '\0';
}

static void bump(struct xsd_tree *t, struct xsd_node *n)
{
    n->gen = ++*t->gen;
}

/* ---- the tree ---- */

int xsd_tree_init(struct xsd_tree *t, uint64_t *gen)
{
    static const struct xsd_perm n0 = {0, XSD_PERM_NONE};

    t->gen = gen;
    t->owned = calloc(65536, sizeof(*t->owned));
    t->root = node_new("", 0, &n0, 1);
    if (!t->root || !t->owned) {
        free(t->owned);
        t->owned = NULL;
        if (t->root)
            node_free(t->root);
        t->root = NULL;
        return -ENOMEM;
    }
    bump(t, t->root);
    t->nnodes = 1;
    own(t, 0, 1);
    return 0;
}

void xsd_tree_dispose(struct xsd_tree *t)
{
    if (t && t->root) {
        subtree_free(NULL, t->root);
        t->root = NULL;
        t->nnodes = 0;
    }
    if (t) {
        free(t->owned);
        t->owned = NULL;
    }
}

static struct xsd_node *node_copy(const struct xsd_node *src)
{
    struct xsd_node *n = node_new(src->name, strlen(src->name), src->perms,
                                  src->nperms);

    if (!n)
        return NULL;
    n->gen = src->gen;
    if (src->len) {
        n->value = malloc(src->len);
        if (!n->value) {
            node_free(n);
            return NULL;
        }
        memcpy(n->value, src->value, src->len);
        n->len = src->len;
    }
    for (const struct xsd_node *c = src->first; c; c = c->next) {
        struct xsd_node *cc = node_copy(c);

        if (!cc) {
            subtree_free(NULL, n);
            return NULL;
        }
        child_link(n, cc);
    }
    return n;
}

int xsd_tree_copy(struct xsd_tree *dst, const struct xsd_tree *src)
{
    dst->gen = src->gen;
    dst->owned = NULL;
    dst->nnodes = 0;
    dst->root = node_copy(src->root);
    if (!dst->root)
        return -ENOMEM;
    dst->nnodes = src->nnodes;
    return 0;
}

struct xsd_node *xsd_tree_find(const struct xsd_tree *t, const char *path)
{
    struct xsd_node *n = t->root;
    const char *p = path + 1;

    if (path[0] != '/')
        return NULL;
    while (n && *p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        n = child_find(n, p, len);
        p += len + (slash ? 1 : 0);
    }
    return n;
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

    /* Deepest existing ancestor. */
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        struct xsd_node *child = child_find(anc, p, clen);

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

    /* Build the chain detached, then hang it under the ancestor. */
    for (const char *q = rest; q;) {
        const char *slash = strchr(q, '/');
        size_t clen = slash ? (size_t)(slash - q) : strlen(q);

        n = node_new(q, clen, anc->perms, anc->nperms);
        if (!n) {
            if (top)
                subtree_free(NULL, top);
            return -ENOMEM;
        }
        if (c->domid != 0)
            n->perms[0].domid = c->domid;
        bump(t, n);
        if (bottom)
            child_link(bottom, n);
        else
            top = n;
        bottom = n;
        q = slash ? slash + 1 : NULL;
    }
    bottom->value = value;
    bottom->len = len;
    child_link(anc, top);
    bump(t, anc);
    t->nnodes += missing;
    own(t, top->perms[0].domid, (int)missing);
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
        if (!allowed(c, n, XSD_PERM_WRITE)) {
            free(value);
            return -EACCES;
        }
        free(n->value);
        n->value = value;
        n->len = (uint32_t)op->len;
        bump(t, n);
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
 * children first; `top` is the node the rm named. */
static void rm_walk(const struct xsd_caller *c, struct xsd_node *n,
                    const struct xsd_node *top, char *buf, size_t len)
{
    for (struct xsd_node *ch = n->first; ch; ch = ch->next) {
        size_t clen = strlen(ch->name);

        if (len + 1 + clen >= XSD_PATH_BUF)
            continue;   /* cannot happen: paths were checked on creation */
        buf[len] = '/';
        memcpy(buf + len + 1, ch->name, clen + 1);
        rm_walk(c, ch, top, buf, len + 1 + clen);
        buf[len] = '\0';
    }
    note(c, buf, n);
    changed(c, buf, n != top);
}

static int op_rm(struct xsd_tree *t, const struct xsd_caller *c,
                 const struct xsd_op *op)
{
    struct xsd_node *n = xsd_tree_find(t, op->path), *parent;
    char buf[XSD_PATH_BUF];

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
    parent = n->parent;
    parent_of(op->path, buf);
    note(c, buf, parent);

    strcpy(buf, op->path);
    rm_walk(c, n, n, buf, strlen(buf));
    child_unlink(n);
    bump(t, parent);
    t->nnodes -= subtree_free(t, n);
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
    if (!perms)
        return -ENOMEM;
    memcpy(perms, op->perms, op->nperms * sizeof(*perms));
    own(t, n->perms[0].domid, -1);
    own(t, perms[0].domid, 1);
    free(n->perms);
    n->perms = perms;
    n->nperms = op->nperms;
    bump(t, n);
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
    for (const struct xsd_node *ch = node->first; ch; ch = ch->next) {
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
