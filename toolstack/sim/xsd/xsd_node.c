/*
 * xsd_node.c - the nodes of a tree and how they hang together: each
 * node's children in creation order (hashed by name once there are many),
 * holds on nodes and their release without recursion, copy on write, the
 * count of nodes each domain owns, generations; and a tree's life (init,
 * share, dispose) and lookup by path.  What the operations on a tree mean
 * is in xsd_tree.c.
 *
 * Copy on write.  The store's tree and every transaction's tree are roots
 * into one graph of immutable-once-shared nodes.  Starting a transaction
 * takes a hold on the store's root, nothing more.  Whichever tree changes
 * a node first makes its path its own (xsd_tree_writable): walking down
 * from its root, each node held more than once is replaced, in that tree,
 * by a copy holding the same children, and the original loses that hold.
 * So a change allocates one node per level of its path (plus the copied
 * nodes' arrays of children), and the other trees keep seeing the old
 * nodes.  A node held once is reached from one tree only, through nodes
 * that are themselves held once (the walk copies from the top), so it may
 * be changed in place.  Copies keep the generation: a generation says when
 * a node's content last changed, whichever tree holds it.
 */
#include "xsd_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- nodes ---- */

struct xsd_node *xsd_node_new(struct xsd_tree *t, const char *name,
                              size_t namelen, const struct xsd_perm *perms,
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
    n->refs = 1;
    if (t->live)
        ++*t->live;
    return n;
}

/* Free `n` itself; its children are the caller's business. */
static void node_free(struct xsd_tree *t, struct xsd_node *n)
{
    free(n->value);
    free(n->perms);
    free(n->children);
    free(n->index);
    free(n);
    if (t->live)
        --*t->live;
}

void xsd_node_unref(struct xsd_tree *t, struct xsd_node *n)
{
    struct xsd_node *dead;

    if (!n || --n->refs > 0)
        return;
    n->dead = NULL;
    for (dead = n; dead;) {
        n = dead;
        dead = n->dead;
        for (unsigned i = 0; i < n->nchildren; i++) {
            struct xsd_node *c = n->children[i];

            if (--c->refs == 0) {
                c->dead = dead;
                dead = c;
            }
        }
        node_free(t, n);
    }
}

/* Count `n` nodes more (or fewer) owned by `domid`, when the tree counts. */
void xsd_tree_own(struct xsd_tree *t, uint32_t domid, int n)
{
    if (t && t->owned && domid < 65536)
        t->owned[domid] += (uint32_t)n;
}

void xsd_tree_bump(struct xsd_tree *t, struct xsd_node *n)
{
    n->gen = ++*t->gen;
}

/*
 * A node with many children (/local/domain, /vm on a host with thousands
 * of domains) indexes them in an open-addressed hash table of positions,
 * so that finding one does not mean comparing names with all of them.
 * The array keeps the order.
 */
#define INDEX_MIN 32u       /* children before a node gets an index */

static size_t name_hash(const char *name, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 0x100000001b3ull;
    return (size_t)h;
}

static void index_add(struct xsd_node *parent, unsigned pos)
{
    const char *name = parent->children[pos]->name;
    size_t mask = parent->index_cap - 1;
    size_t i = name_hash(name, strlen(name)) & mask;

    while (parent->index[i])
        i = (i + 1) & mask;
    parent->index[i] = pos + 1;
}

/* Rebuild the index with `cap` slots (the same buffer when the size stays).
 * Out of memory, the node goes without one: lookups walk the array, slower
 * but right. */
static void index_build(struct xsd_node *parent, unsigned cap)
{
    if (!parent->index || cap != parent->index_cap) {
        free(parent->index);
        parent->index = malloc(cap * sizeof(*parent->index));
        parent->index_cap = parent->index ? cap : 0;
        if (!parent->index)
            return;
    }
    memset(parent->index, 0, cap * sizeof(*parent->index));
    for (unsigned i = 0; i < parent->nchildren; i++)
        index_add(parent, i);
}

/* Position of the child named name[0..len), or -1. */
static long child_pos(const struct xsd_node *parent, const char *name,
                      size_t len)
{
    if (parent->index) {
        size_t mask = parent->index_cap - 1;

        for (size_t i = name_hash(name, len) & mask; parent->index[i];
             i = (i + 1) & mask) {
            unsigned pos = parent->index[i] - 1;
            const char *cn = parent->children[pos]->name;

            if (strncmp(cn, name, len) == 0 && cn[len] == '\0')
                return pos;
        }
        return -1;
    }
    for (unsigned pos = 0; pos < parent->nchildren; pos++) {
        const char *cn = parent->children[pos]->name;

        if (strncmp(cn, name, len) == 0 && cn[len] == '\0')
            return pos;
    }
    return -1;
}

struct xsd_node *xsd_node_child(const struct xsd_node *parent,
                                const char *name, size_t len)
{
    long pos = child_pos(parent, name, len);

    return pos < 0 ? NULL : parent->children[pos];
}

int xsd_node_link(struct xsd_node *parent, struct xsd_node *child)
{
    if (parent->nchildren == parent->cap) {
        unsigned cap = parent->cap ? parent->cap * 2 : 4;
        struct xsd_node **c = realloc(parent->children, cap * sizeof(*c));

        if (!c)
            return -ENOMEM;
        parent->children = c;
        parent->cap = cap;
    }
    parent->children[parent->nchildren++] = child;
    if (parent->index && parent->nchildren * 2 <= parent->index_cap) {
        index_add(parent, parent->nchildren - 1);
    } else if (parent->nchildren >= INDEX_MIN) {
        unsigned cap = 2 * INDEX_MIN;   /* at most half full */

        while (cap < parent->nchildren * 2)
            cap *= 2;
        index_build(parent, cap);
    }
    return 0;
}

struct xsd_node *xsd_node_unlink(struct xsd_node *parent, const char *name)
{
    long pos = child_pos(parent, name, strlen(name));
    struct xsd_node *child;

    if (pos < 0)
        return NULL;
    child = parent->children[pos];
    parent->nchildren--;
    memmove(parent->children + pos, parent->children + pos + 1,
            (parent->nchildren - (unsigned)pos) * sizeof(*parent->children));
    if (parent->index)
        index_build(parent, parent->index_cap);     /* positions moved */
    return child;
}

/* A copy of `src` for one tree to change: same name, value, permissions,
 * generation and children (each held once more), held once.  NULL when
 * out of memory. */
static struct xsd_node *node_dup(struct xsd_tree *t,
                                 const struct xsd_node *src)
{
    struct xsd_node *n = xsd_node_new(t, src->name, strlen(src->name),
                                      src->perms, src->nperms);

    if (!n)
        return NULL;
    n->gen = src->gen;
    if (src->len) {
        n->value = malloc(src->len);
        if (!n->value)
            goto fail;
        memcpy(n->value, src->value, src->len);
        n->len = src->len;
    }
    if (src->nchildren) {
        n->children = malloc(src->nchildren * sizeof(*n->children));
        if (!n->children)
            goto fail;
        memcpy(n->children, src->children,
               src->nchildren * sizeof(*n->children));
        n->cap = n->nchildren = src->nchildren;
    }
    if (src->index) {
        /* Without it, lookups walk the array until the next link. */
        n->index = malloc(src->index_cap * sizeof(*n->index));
        if (n->index) {
            memcpy(n->index, src->index,
                   src->index_cap * sizeof(*n->index));
            n->index_cap = src->index_cap;
        }
    }
    for (unsigned i = 0; i < n->nchildren; i++)
        n->children[i]->refs++;
    return n;

fail:
    node_free(t, n);
    return NULL;
}

/* Make *slot (in a node, or a root, that is the tree's own) the tree's own
 * too: replace a shared node by a copy. */
static int own_slot(struct xsd_tree *t, struct xsd_node **slot)
{
    struct xsd_node *copy;

    if ((*slot)->refs == 1)
        return 0;
    copy = node_dup(t, *slot);
    if (!copy)
        return -ENOMEM;
    (*slot)->refs--;        /* still held elsewhere: refs was > 1 */
    *slot = copy;
    return 0;
}

/* ---- the tree ---- */

int xsd_tree_init_counted(struct xsd_tree *t, uint64_t *gen, size_t *live)
{
    static const struct xsd_perm n0 = {0, XSD_PERM_NONE};

    t->gen = gen;
    t->live = live;
    t->nnodes = 0;
    t->owned = calloc(65536, sizeof(*t->owned));
    t->root = xsd_node_new(t, "", 0, &n0, 1);
    if (!t->root || !t->owned) {
        free(t->owned);
        t->owned = NULL;
        xsd_node_unref(t, t->root);
        t->root = NULL;
        return -ENOMEM;
    }
    xsd_tree_bump(t, t->root);
    t->nnodes = 1;
    xsd_tree_own(t, 0, 1);
    return 0;
}

int xsd_tree_init(struct xsd_tree *t, uint64_t *gen)
{
    return xsd_tree_init_counted(t, gen, NULL);
}

void xsd_tree_dispose(struct xsd_tree *t)
{
    if (!t)
        return;
    xsd_node_unref(t, t->root);
    t->root = NULL;
    t->nnodes = 0;
    free(t->owned);
    t->owned = NULL;
}

void xsd_tree_share(struct xsd_tree *dst, const struct xsd_tree *src)
{
    dst->root = src->root;
    dst->root->refs++;
    dst->nnodes = src->nnodes;
    dst->gen = src->gen;
    dst->live = src->live;
    dst->owned = NULL;
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

        n = xsd_node_child(n, p, len);
        p += len + (slash ? 1 : 0);
    }
    return n;
}

int xsd_tree_writable(struct xsd_tree *t, const char *path,
                      struct xsd_node **node_r)
{
    struct xsd_node *n;
    const char *p = path + 1;
    int rc;

    if (path[0] != '/')
        return -ENOENT;
    rc = own_slot(t, &t->root);
    if (rc < 0)
        return rc;
    n = t->root;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        long pos = child_pos(n, p, len);

        if (pos < 0)
            return -ENOENT;
        rc = own_slot(t, &n->children[pos]);
        if (rc < 0)
            return rc;
        n = n->children[pos];
        p += len + (slash ? 1 : 0);
    }
    *node_r = n;
    return 0;
}
