/*
 * xsd_txn.c - transactions.
 *
 * TRANSACTION_START gives the transaction a tree of its own that shares
 * every node with the store's (xsd_tree_share: O(1), whatever the size of
 * the store); the transaction's requests run on that tree, and a change on
 * either side copies only the path to the changed node (xsd_node.c), so
 * the transaction keeps seeing the store as it was when it started, plus
 * its own changes.  Every node its requests look at or change is recorded,
 * on first contact, with its generation (or as absent).  At commit, if
 * every recorded node still has that generation in the main tree (or is
 * still absent), nobody changed what the transaction depended on, and
 * replaying its journal of modifications on the main tree gives exactly
 * what it saw on its tree: the replay fires the watches, as xenstored
 * fires a transaction's queued events at commit.  Otherwise the commit
 * fails with EAGAIN.  Freeing the transaction lets go of its tree: the
 * nodes only it held are freed, the shared ones stay the store's.
 */
#include "xsd_int.h"

#include <stdlib.h>
#include <string.h>

struct access {
    char *path;         /* NULL: free slot */
    uint64_t gen;       /* 0: the node was absent */
};

struct jop {
    struct jop *next;
    struct xsd_op op;   /* strings and arrays below are owned here */
    char *path;
    void *value;
    struct xsd_perm *perms;
};

struct xsd_txn {
    uint32_t id;
    struct xsd_txn *next;
    struct xsd_tree tree;
    unsigned start_nnodes;
    struct xsd_hooks hooks;
    struct access *acc;     /* open addressing, power-of-two size */
    size_t acc_cap, acc_n;
    struct jop *journal, *journal_tail;
    size_t n_journal;
    bool failed;            /* out of memory while recording */
};

static size_t hash_path(const char *s)
{
    size_t h = 14695981039346656037ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct access *acc_slot(struct access *tab, size_t cap,
                               const char *path)
{
    size_t i = hash_path(path) & (cap - 1);

    while (tab[i].path && strcmp(tab[i].path, path) != 0)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static int acc_grow(struct xsd_txn *txn)
{
    size_t cap = txn->acc_cap ? txn->acc_cap * 2 : 64;
    struct access *tab = calloc(cap, sizeof(*tab));

    if (!tab)
        return -ENOMEM;
    for (size_t i = 0; i < txn->acc_cap; i++)
        if (txn->acc[i].path)
            *acc_slot(tab, cap, txn->acc[i].path) = txn->acc[i];
    free(txn->acc);
    txn->acc = tab;
    txn->acc_cap = cap;
    return 0;
}

/* The note hook: remember the first generation seen at `path`. */
static void txn_note(void *opaque, const char *path,
                     const struct xsd_node *n)
{
    struct xsd_txn *txn = opaque;
    struct access *a;

    if ((txn->acc_n + 1) * 2 > txn->acc_cap && acc_grow(txn) < 0) {
        txn->failed = true;
        return;
    }
    a = acc_slot(txn->acc, txn->acc_cap, path);
    if (a->path)
        return;
    a->path = strdup(path);
    if (!a->path) {
        txn->failed = true;
        return;
    }
    a->gen = n ? n->gen : 0;
    txn->acc_n++;
}

int xsd_txn_new(const struct xsd_tree *main, uint32_t id,
                struct xsd_txn **txn_r)
{
    struct xsd_txn *txn = calloc(1, sizeof(*txn));

    if (!txn)
        return -ENOMEM;
    xsd_tree_share(&txn->tree, main);
    txn->id = id;
    txn->start_nnodes = main->nnodes;
    txn->hooks.note = txn_note;
    txn->hooks.opaque = txn;
    *txn_r = txn;
    return 0;
}

void xsd_txn_free(struct xsd_txn *txn)
{
    struct jop *j, *next;

    if (!txn)
        return;
    xsd_tree_dispose(&txn->tree);
    for (size_t i = 0; i < txn->acc_cap; i++)
        free(txn->acc[i].path);
    free(txn->acc);
    for (j = txn->journal; j; j = next) {
        next = j->next;
        free(j->path);
        free(j->value);
        free(j->perms);
        free(j);
    }
    free(txn);
}

uint32_t xsd_txn_id(const struct xsd_txn *txn)
{
    return txn->id;
}

struct xsd_txn *xsd_txn_next(const struct xsd_txn *txn)
{
    return txn->next;
}

void xsd_txn_set_next(struct xsd_txn *txn, struct xsd_txn *next)
{
    txn->next = next;
}

struct xsd_tree *xsd_txn_tree(struct xsd_txn *txn)
{
    return &txn->tree;
}

const struct xsd_hooks *xsd_txn_hooks(struct xsd_txn *txn)
{
    return &txn->hooks;
}

static int journal_add(struct xsd_txn *txn, const struct xsd_op *op)
{
    struct jop *j = calloc(1, sizeof(*j));

    if (!j)
        return -ENOMEM;
    j->path = strdup(op->path);
    if (op->len)
        j->value = malloc(op->len);
    if (op->nperms)
        j->perms = malloc(op->nperms * sizeof(*op->perms));
    if (!j->path || (op->len && !j->value) || (op->nperms && !j->perms)) {
        free(j->path);
        free(j->value);
        free(j->perms);
        free(j);
        return -ENOMEM;
    }
    if (op->len)
        memcpy(j->value, op->value, op->len);
    if (op->nperms)
        memcpy(j->perms, op->perms, op->nperms * sizeof(*op->perms));
    j->op = *op;
    j->op.path = j->path;
    j->op.value = j->value;
    j->op.perms = j->perms;
    if (txn->journal_tail)
        txn->journal_tail->next = j;
    else
        txn->journal = j;
    txn->journal_tail = j;
    txn->n_journal++;
    return 0;
}

bool xsd_txn_full(const struct xsd_txn *txn)
{
    return txn->acc_n + txn->n_journal >= XSD_TXN_PATHS_MAX;
}

int xsd_txn_apply(struct xsd_txn *txn, const struct xsd_caller *c,
                  const struct xsd_op *op)
{
    struct xsd_caller tc = *c;
    int rc;

    tc.hooks = &txn->hooks;
    rc = xsd_tree_apply(&txn->tree, &tc, op);
    if (rc < 0)
        return rc;
    if (journal_add(txn, op) < 0) {
        /* Its tree has the change but the journal not: never commit. */
        txn->failed = true;
        return -ENOMEM;
    }
    return 0;
}

int xsd_txn_commit(struct xsd_txn *txn, struct xsd_tree *main,
                   const struct xsd_caller *c)
{
    struct xsd_caller replay = *c;
    long growth;
    int err = 0;

    if (txn->failed)
        return -ENOMEM;
    for (size_t i = 0; i < txn->acc_cap; i++) {
        const struct access *a = &txn->acc[i];
        const struct xsd_node *n;

        if (!a->path)
            continue;
        n = xsd_tree_find(main, a->path);
        if (a->gen ? (!n || n->gen != a->gen) : n != NULL)
            return -EAGAIN;
    }
    growth = (long)txn->tree.nnodes - (long)txn->start_nnodes;
    if (c->max_nodes && growth > 0 &&
        (long)main->nnodes + growth > (long)c->max_nodes)
        return -ENOSPC;

    /* Limits were checked on its own tree; the replay must not fail half-way
     * on an intermediate state. */
    replay.max_nodes = 0;
    replay.max_value = 0;
    for (struct jop *j = txn->journal; j; j = j->next) {
        int r = xsd_tree_apply(main, &replay, &j->op);

        if (r < 0 && !err)
            err = r;
    }
    return err;
}
