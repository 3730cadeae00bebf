/*
 * xsd_int.h - what the parts of toolstack/sim/xsd/ share; not for other users.
 *
 * Layers, bottom up:
 *   xsd_path.c    path syntax, relative paths, permission strings
 *   xsd_node.c    the nodes of a tree: shared, reference-counted and
 *                 copied on write; children, their index by name, owners,
 *                 generations; init, share, find
 *   xsd_tree.c    the operations on a tree (xsd_tree_*), with permissions
 *   xsd_txn.c     transactions: a private tree sharing the store's nodes, a
 *                 journal of the operations done on it, and the set of
 *                 paths read or written with their generation, checked at
 *                 commit
 *   xsd_watch.c   watches and the events they fire
 *   xsd_wire.c    framing of struct xsd_sockmsg messages
 *   xsd_ops_node.c  the handlers of requests on nodes and watches
 *   xsd_ops.c     the other handlers (transactions, domains, CONTROL),
 *                 replies, and the dispatch of every request type
 *   xsd_server.c  the socket, connections, and the public API (xsd.h)
 *
 * Inside this directory errors are negative errno values (-ENOENT ...), the
 * currency of the wire; xsd_server.c converts them to XN_E* for the owner.
 */
#ifndef XENITH_XSD_INT_H
#define XENITH_XSD_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "xsd.h"

struct bufferevent;
struct event;
struct evbuffer;
struct evconnlistener;

/* ---- paths (xsd_path.c) ---- */

/* Longest canonical path, with its NUL. */
#define XSD_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)

/*
 * Canonicalise `in` for a caller of domain `domid`: a relative path is
 * taken below /local/domain/<domid>.  Checks xenstored's rules: starts
 * with "/", only [A-Za-z0-9-/_@], no "//", no trailing "/" (but "/"), at
 * most XENSTORE_REL_PATH_MAX bytes below /local/domain/<N>/ or from "/".
 * Writes into out[XSD_PATH_BUF].  Returns 0 or -EINVAL.
 */
int xsd_path_canon(const char *in, uint32_t domid, char *out);

/* Is `child` equal to or below `parent`?  Everything is below "/". */
bool xsd_path_is_child(const char *child, const char *parent);

/* Length of the "/local/domain/<domid>" prefix that relative paths of
 * `domid` get, and the prefix itself in buf[32]. */
size_t xsd_path_domain(uint32_t domid, char *buf);

/* Parse one permission string ("r5", "b0", "n12") into *p: 0 or -EINVAL. */
int xsd_perm_parse(const char *s, struct xsd_perm *p);

/* Format *p into buf[16] ("r5"). Returns the length. */
size_t xsd_perm_format(const struct xsd_perm *p, char *buf);

/* Parse a decimal domid 0..65535 (no sign, no junk): 0 or -EINVAL. */
int xsd_domid_parse(const char *s, uint32_t *domid_r);

/* ---- the tree (xsd_node.c, xsd_tree.c) ---- */

/*
 * Nodes are shared: the store's tree and its transactions' trees hold the
 * same node objects wherever they have not diverged, so starting a
 * transaction costs nothing and a change in either copies only the path
 * from the root to the changed node (copy-on-write, see xsd_node.c).
 * A node is reference-counted by the parents (and tree roots) holding it;
 * one with refs > 1 must not be changed, only replaced by a copy.  A tree
 * changes a node only through xsd_tree_writable(), which makes the path to
 * it the tree's own.
 */
struct xsd_node {
    unsigned refs;          /* parents and tree roots holding it */
    unsigned nchildren;
    unsigned cap;           /* room in children */
    unsigned index_cap;     /* slots in index, a power of 2 */
    uint64_t gen;           /* changes whenever value, perms or children do
                               (not when the node is copied) */
    char *value;            /* malloc'd, NULL when len == 0 */
    uint32_t len;
    unsigned nperms;
    struct xsd_perm *perms; /* malloc'd, nperms >= 1 */
    struct xsd_node **children;     /* malloc'd, in creation order */
    uint32_t *index;        /* children hashed by name once there are many
                               (/local/domain): position + 1 in children,
                               0 for a free slot; else NULL */
    struct xsd_node *dead;  /* next to free, while a subtree is freed */
    char name[];            /* last component; "" for the root */
};

/*
 * What a tree operation tells the world.  Both hooks may be NULL.
 *  note(opaque, path, node)  before the operation looks at or changes the
 *      node at `path` (NULL: no node there).  Transactions record these.
 *  changed(opaque, path, exact)  after `path` changed; `exact` is set for
 *      nodes removed below the path an rm named (only watches on exactly
 *      that path fire).  The main tree fires watches from this.
 */
struct xsd_hooks {
    void (*note)(void *opaque, const char *path, const struct xsd_node *n);
    void (*changed)(void *opaque, const char *path, bool exact);
    void *opaque;
};

struct xsd_tree {
    struct xsd_node *root;
    unsigned nnodes;        /* nodes in this tree (shared ones too) */
    uint64_t *gen;          /* the counter generations come from (shared by
                               a store and its transactions' trees) */
    size_t *live;           /* node objects allocated and not yet freed,
                               counted across a store and its
                               transactions' trees (shared like gen);
                               NULL: not counted */
    uint32_t *owned;        /* nodes each domain owns, 65536 entries; only
                               the store's own tree keeps it (NULL in
                               transactions' trees).  Lets a release skip
                               the walk of the tree when the domain owns
                               nothing any more. */
};

/* Who asks, under which limits (0: unchecked), told through which hooks. */
struct xsd_caller {
    uint32_t domid;
    unsigned max_nodes;
    unsigned max_value;
    const struct xsd_hooks *hooks;
};

/* One modifying operation, as a request carries it and a transaction's
 * journal keeps it.  Strings and arrays are owned by whoever built it. */
enum xsd_op_kind { XSD_OP_WRITE, XSD_OP_MKDIR, XSD_OP_RM, XSD_OP_PERMS };
struct xsd_op {
    enum xsd_op_kind kind;
    const char *path;               /* canonical */
    const void *value;              /* XSD_OP_WRITE */
    size_t len;
    const struct xsd_perm *perms;   /* XSD_OP_PERMS */
    unsigned nperms;
};

/* xsd_node.c: */

/* An empty tree: the root alone, owned by dom0, "n0".  0 or -ENOMEM.
 * The _counted form counts the tree's node objects in *live (see struct
 * xsd_tree); the other does not count them. */
int xsd_tree_init(struct xsd_tree *t, uint64_t *gen);
int xsd_tree_init_counted(struct xsd_tree *t, uint64_t *gen, size_t *live);
/* Let go of the tree's root (freeing the nodes no other tree holds). */
void xsd_tree_dispose(struct xsd_tree *t);
/* Make `dst` a tree with the same content as `src`, sharing all its nodes:
 * O(1).  Generations, counters and node count as src's; dst counts no
 * owners.  Either may then change without the other seeing it.  Dispose
 * of dst before src's counters go. */
void xsd_tree_share(struct xsd_tree *dst, const struct xsd_tree *src);

/* The node at canonical `path`, or NULL.  No hooks, no permission check.
 * The node may be shared: read it, never change it. */
struct xsd_node *xsd_tree_find(const struct xsd_tree *t, const char *path);

/* The node at canonical `path`, made the tree's own to change: every node
 * from the root down to it that other trees share is replaced, in this
 * tree only, by a copy (same content and generation).  Nodes found before
 * stay valid (nothing is freed).  0, -ENOENT or -ENOMEM (the tree then
 * holds some of the copies, which changes nothing it shows). */
int xsd_tree_writable(struct xsd_tree *t, const char *path,
                      struct xsd_node **node_r);

/* A new node, held once by the caller: a copy of name[0..namelen) and of
 * the permissions, no value, no children.  NULL when out of memory. */
struct xsd_node *xsd_node_new(struct xsd_tree *t, const char *name,
                              size_t namelen, const struct xsd_perm *perms,
                              unsigned nperms);
/* Drop one hold on `n` (NULL is fine); when none is left, free it and drop
 * its holds on its children, and so on down, without recursion. */
void xsd_node_unref(struct xsd_tree *t, struct xsd_node *n);
/* Hang `child` under `parent` (the tree's own), after its other children;
 * the caller's hold on child becomes parent's.  0 or -ENOMEM. */
int xsd_node_link(struct xsd_node *parent, struct xsd_node *child);
/* Take the child named `name` off `parent` (the tree's own): parent's
 * hold on it becomes the caller's.  NULL if there is no such child. */
struct xsd_node *xsd_node_unlink(struct xsd_node *parent, const char *name);
/* The child of `parent` named name[0..len), or NULL. */
struct xsd_node *xsd_node_child(const struct xsd_node *parent,
                                const char *name, size_t len);
/* Count `n` nodes more (or fewer) owned by `domid`, when the tree counts. */
void xsd_tree_own(struct xsd_tree *t, uint32_t domid, int n);
/* A new generation for `n` (the tree's own), from the tree's counter. */
void xsd_tree_bump(struct xsd_tree *t, struct xsd_node *n);

/* xsd_tree.c: */

/* Look up `path` for reading (READ permission): *node_r is valid until
 * the tree next changes.  0, -ENOENT, -EACCES. */
int xsd_tree_get(struct xsd_tree *t, const struct xsd_caller *c,
                 const char *path, const struct xsd_node **node_r);

/* Apply one modifying operation.  0 or -errno. */
int xsd_tree_apply(struct xsd_tree *t, const struct xsd_caller *c,
                   const struct xsd_op *op);

/* What `domid` may do with a node of these permissions: XSD_PERM_* bits,
 * plus XSD_PERM_OWNER for the owner and for dom0. */
#define XSD_PERM_OWNER 8u
unsigned xsd_perm_for(uint32_t domid, const struct xsd_perm *perms,
                      unsigned n);

/* Remove every node owned by `domid` (with its subtree). */
void xsd_tree_rm_owned(struct xsd_tree *t, const struct xsd_caller *c,
                       uint32_t domid);

/* ---- transactions (xsd_txn.c) ---- */

struct xsd_txn;

/* Start a transaction on `main` as it is now; the two share their nodes
 * until either changes them (xsd_tree_share), so this is O(1).  Free the
 * transaction before `main`.  0 or -ENOMEM. */
int xsd_txn_new(const struct xsd_tree *main, uint32_t id,
                struct xsd_txn **txn_r);
void xsd_txn_free(struct xsd_txn *txn);
uint32_t xsd_txn_id(const struct xsd_txn *txn);
struct xsd_txn *xsd_txn_next(const struct xsd_txn *txn);
void xsd_txn_set_next(struct xsd_txn *txn, struct xsd_txn *next);

/* The private tree, and the hooks that record accesses to it. */
struct xsd_tree *xsd_txn_tree(struct xsd_txn *txn);
/* A transaction remembers every path it read and every change it made;
 * past this many a request in it is refused (ENOSPC, as xenstored's
 * transaction-nodes quota does), so one transaction cannot grow without
 * bound.  Ending it (commit or abort) is always allowed. */
#define XSD_TXN_PATHS_MAX 1024
bool xsd_txn_full(const struct xsd_txn *txn);
const struct xsd_hooks *xsd_txn_hooks(struct xsd_txn *txn);

/* Apply `op` to the private tree and journal it.  0 or -errno. */
int xsd_txn_apply(struct xsd_txn *txn, const struct xsd_caller *c,
                  const struct xsd_op *op);

/*
 * Commit into `main`: -EAGAIN if a node the transaction read or wrote
 * changed (or appeared, or went) since it started, -ENOSPC if the nodes it
 * adds no longer fit in c->max_nodes; otherwise the journal is replayed on
 * `main` through c's hooks (firing watches) and 0 returned.  The
 * transaction is left to be freed by the caller either way.
 */
int xsd_txn_commit(struct xsd_txn *txn, struct xsd_tree *main,
                   const struct xsd_caller *c);

/* ---- watches (xsd_watch.c) ---- */

struct xsd_conn;
struct xsd_watch;

/* Add a watch for connection `conn` (NULL: the owner, with fn/opaque).
 * `path` is canonical or "@..."; `rel_len`, when not 0, is the length of
 * the "/local/domain/N" prefix to strip from event paths (the watch was
 * given relative).  -EEXIST for a duplicate, -E2BIG over the connection's
 * quota.  *w_r (may be NULL) is the watch, to send its first event with
 * xsd_watch_initial() once the request is acknowledged. */
int xsd_watch_add(struct xsd *x, struct xsd_conn *conn, const char *path,
                  const char *token, size_t rel_len, xsd_watch_fn *fn,
                  void *opaque, struct xsd_watch **w_r);
/* Send (or queue, for the owner) the event a new watch fires at once. */
void xsd_watch_initial(struct xsd *x, struct xsd_watch *w);
/* Remove the watch (conn, path, token): 0 or -ENOENT. */
int xsd_watch_del(struct xsd *x, struct xsd_conn *conn, const char *path,
                  const char *token);
/* Remove every watch of `conn` (NULL: the owner's). */
void xsd_watch_del_conn(struct xsd *x, struct xsd_conn *conn);
/* Fire the watches matching a change at `path` (see struct xsd_hooks). */
void xsd_watch_fire(struct xsd *x, const char *path, bool exact);
/* Deliver the owner's queued events (called from the loop). */
void xsd_watch_deliver(struct xsd *x);
/* Free every watch and every queued event. */
void xsd_watch_dispose(struct xsd *x);

/* ---- wire (xsd_wire.c) ---- */

struct xsd_wire_msg {
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX + 1];    /* hdr.len bytes, then a NUL */
};

enum xsd_wire_take {
    XSD_WIRE_MORE = 0,      /* not a whole message yet */
    XSD_WIRE_MSG = 1,       /* *m holds the next message */
    XSD_WIRE_TOO_BIG = -1,  /* the header claims more than the maximum;
                               *m holds the header alone */
};

/* Take the next message off `in`. */
enum xsd_wire_take xsd_wire_take(struct evbuffer *in,
                                struct xsd_wire_msg *m);

/* Split the payload into its NUL-terminated strings, as xenstored does:
 * the number of them is returned; up to `max` start pointers go to vec.
 * Bytes after the last NUL are not a string. */
unsigned xsd_wire_strings(const struct xsd_wire_msg *m, const char **vec,
                          unsigned max);

/* The payload as exactly one string (one NUL, at the end), or NULL. */
const char *xsd_wire_onearg(const struct xsd_wire_msg *m);

/* Append a message to `out`: 0, -E2BIG (payload over the maximum) or
 * -ENOMEM. */
int xsd_wire_put(struct evbuffer *out, uint32_t type, uint32_t req_id,
                 uint32_t tx_id, const void *data, size_t len);
int xsd_wire_put2(struct evbuffer *out, uint32_t type, uint32_t req_id,
                  uint32_t tx_id, const void *a, size_t alen, const void *b,
                  size_t blen);

/* The wire name of a negative errno ("ENOENT"); EINVAL's for unknown ones. */
const char *xsd_wire_errname(int neg_errno);

/* Name of a request type, for logs. */
const char *xsd_wire_typename(uint32_t type);

/* ---- the store, connections (xsd_server.c) ---- */

struct xsd_conn {
    struct xsd *x;
    struct bufferevent *bev;
    struct xsd_conn *prev, *next;
    unsigned id;            /* for logs */
    uint32_t domid;         /* always 0 on the socket */
    unsigned nwatches;
    struct xsd_txn *txns;
    unsigned ntxns;
    uint32_t next_txid;
    bool closing;           /* reply flushed, then close */
    bool dead;              /* to be freed by the reaper */
};

struct xsd_owner_event;

struct xsd {
    struct event_base *base;
    struct evconnlistener *listener;
    char *socket_path;
    struct xsd_limits lim;
    uint64_t gen;
    size_t live_nodes;      /* node objects of tree and transactions' */
    struct xsd_tree tree;
    struct xsd_hooks main_hooks;    /* changed -> watches */
    struct xsd_conn *conns;
    unsigned nconns, next_conn_id;
    struct xsd_watch *watches;      /* all of them, in creation order */
    struct xsd_watch *watches_tail;
    uint64_t next_watch_id;
    struct xsd_owner_event *events, *events_tail;  /* owner's, queued */
    struct event *deliver_ev;       /* runs xsd_watch_deliver */
    struct event *reap_ev;          /* frees dead connections */
    struct xsd_perm special_perms[2][XSD_PERMS_MAX]; /* @introduce, @release */
    unsigned special_nperms[2];
    uint8_t introduced[65536 / 8];
    struct xsd_txn *owner_txn;      /* the owner's open transaction */
};

/* A caller as domain `domid` on the main tree (hooks fire watches). */
void xsd_main_caller(struct xsd *x, uint32_t domid, struct xsd_caller *c);

/* Queue a message to a connection: -EPIPE when it is going away, and the
 * connection is dropped when its output grows past what a live client
 * would leave unread. */
int xsd_conn_send(struct xsd_conn *conn, uint32_t type, uint32_t req_id,
                  uint32_t tx_id, const void *a, size_t alen,
                  const void *b, size_t blen);
/* Mark the connection dead; the loop frees it soon. */
void xsd_conn_kill(struct xsd_conn *conn, const char *why);

/* ---- requests (xsd_ops.c, xsd_ops_node.c) ---- */

/* Handle one request from `conn` and queue its reply. */
void xsd_ops_handle(struct xsd_conn *conn, const struct xsd_wire_msg *m);

/* End every transaction of `conn`, uncommitted. */
void xsd_conn_drop_txns(struct xsd_conn *conn);

/* One request being handled. */
struct xsd_req {
    struct xsd *x;
    struct xsd_conn *conn;
    const struct xsd_wire_msg *m;
    struct xsd_txn *txn;        /* the request's transaction, or NULL */
};

/* Queue the reply to `r` with this payload: 0, or -E2BIG when it is too
 * long for the wire.  ack replies "OK". */
int xsd_req_reply(struct xsd_req *r, const void *data, size_t len);
int xsd_req_ack(struct xsd_req *r);

/* The handlers of xsd_ops_node.c: 0 once the reply is queued, or a
 * negative errno that becomes an XS_ERROR reply. */
int xsd_req_read(struct xsd_req *r);
int xsd_req_directory(struct xsd_req *r);
int xsd_req_directory_part(struct xsd_req *r);
int xsd_req_get_perms(struct xsd_req *r);
int xsd_req_write(struct xsd_req *r);
int xsd_req_mkdir(struct xsd_req *r);
int xsd_req_rm(struct xsd_req *r);
int xsd_req_set_perms(struct xsd_req *r);
int xsd_req_watch(struct xsd_req *r);
int xsd_req_unwatch(struct xsd_req *r);
int xsd_req_reset_watches(struct xsd_req *r);

#endif
