/*
 * xsd_node.c - the nodes of a tree and how they hang together: each
 * node's children in creation order (hashed by name once there are many),
 * subtrees freed without recursion, the count of nodes each domain owns,
 * generations; and a tree's life (init, copy, dispose) and lookup by path.
 * What the operations on a tree mean is in xsd_tree.c.
 */
#include "xsd_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- nodes ---- */

struct xsd_node *xsd_node_new(const char *name, size_t namelen,
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
void xsd_tree_own(struct xsd_tree *t, uint32_t domid, int n)
{
    if (t && t->owned && domid < 65536)
        t->owned[domid] += (uint32_t)n;
}

/* Free `top` and everything below it, without recursion.  `top` must
 * already be unlinked from its parent.  `t` (may be NULL) counts the
 * nodes' owners. */
unsigned xsd_subtree_free(struct xsd_tree *t, struct xsd_node *top)
{
    struct xsd_node *n = top, *p;
    unsigned count = 0;

    for (;;) {
        while (n->first)
            n = n->first;
        count++;
        xsd_tree_own(t, n->perms[0].domid, -1);
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

void xsd_node_link(struct xsd_node *parent, struct xsd_node *child)
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

void xsd_node_unlink(struct xsd_node *child)
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

struct xsd_node *xsd_node_child(const struct xsd_node *parent,
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

void xsd_tree_bump(struct xsd_tree *t, struct xsd_node *n)
{
    n->gen = ++*t->gen;
}

/* ---- the tree ---- */

int xsd_tree_init(struct xsd_tree *t, uint64_t *gen)
{
    static const struct xsd_perm n0 = {0, XSD_PERM_NONE};

    t->gen = gen;
    t->owned = calloc(65536, sizeof(*t->owned));
    t->root = xsd_node_new("", 0, &n0, 1);
    if (!t->root || !t->owned) {
        free(t->owned);
        t->owned = NULL;
        if (t->root)
            node_free(t->root);
        t->root = NULL;
        return -ENOMEM;
    }
    xsd_tree_bump(t, t->root);
    t->nnodes = 1;
    xsd_tree_own(t, 0, 1);
    return 0;
}

void xsd_tree_dispose(struct xsd_tree *t)
{
    if (t && t->root) {
        xsd_subtree_free(NULL, t->root);
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
    struct xsd_node *n = xsd_node_new(src->name, strlen(src->name),
                                      src->perms, src->nperms);

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
            xsd_subtree_free(NULL, n);
            return NULL;
        }
        xsd_node_link(n, cc);
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

        n = xsd_node_child(n, p, len);
        p += len + (slash ? 1 : 0);
    }
    return n;
}
