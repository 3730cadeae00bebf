/*
 * xsd.h - an in-process xenstore for the simulated host.
 *
 * One `struct xsd` is a xenstore database plus a server that speaks the
 * real xenstored wire protocol (xen/io/xs_wire.h) on a unix socket, on the
 * owner's libevent loop.  libxenstore and Debian's xenstore-* tools reach it
 * with XENSTORED_PATH=<socket>.  Every socket client is domain 0 (the
 * privileged toolstack), as with xenstored's own socket.
 *
 * The owner (the sim driver) also reads and writes the store directly, as
 * domain 0 and outside any transaction; watches fire for those changes just
 * as for socket clients.
 *
 * Conventions
 *  - Actions return 0 or a negative XN_E* code (err.h).  Store errors map as
 *    ENOENT -> XN_ENOENT, EINVAL -> XN_EINVAL (bad path, bad permission),
 *    EACCES/EPERM -> XN_EPERM, EEXIST -> XN_EEXIST, E2BIG (a value or
 *    reply too long) -> XN_EINVAL, ENOSPC (the store is full) and ENOMEM ->
 *    XN_EFAIL.  Details go to xn_log at debug level.
 *  - Paths are absolute ("/local/domain/3/name") or relative to
 *    /local/domain/0, as domain 0 sends them.
 *  - Nothing here blocks; nothing here prints (lines go to xn_log).
 *  - The process must ignore SIGPIPE (the daemon does): a client that
 *    closes its socket while a reply is being written would otherwise kill
 *    the process.
 *  - Single-threaded: call everything from the thread running the loop.
 */
#ifndef XENITH_XSD_H
#define XENITH_XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct event_base;
struct xsd;

/* Access bits of one permission entry; the values are xenstore's
 * XS_PERM_READ / XS_PERM_WRITE, so "b" is READ|WRITE and "n" is NONE. */
enum {
    XSD_PERM_NONE = 0,
    XSD_PERM_READ = 1,
    XSD_PERM_WRITE = 2,
    XSD_PERM_BOTH = 3,
};

/*
 * A node's permissions are a list as xenstore keeps them: entry 0 names the
 * owner (who may always read and write) and, in `perms`, what every domain
 * not listed may do; the other entries grant one domain each.  "n0 r5"
 * means: owned by dom0, unreadable by others, readable by dom5.
 */
struct xsd_perm {
    uint32_t domid;
    unsigned perms;     /* XSD_PERM_* */
};

#define XSD_PERMS_MAX 256   /* entries in one node's list */

/*
 * Limits.  A field left 0 takes its default.  Errors, as xenstored gives
 * them: too many nodes, transactions or too long a value -> ENOSPC; too many
 * watches or a reply over XENSTORE_PAYLOAD_MAX -> E2BIG; a connection over
 * max_conns is accepted and closed at once.
 */
struct xsd_limits {
    unsigned max_nodes;             /* nodes in the store (default 16384) */
    unsigned max_value;             /* bytes of one value (default and
                                       ceiling: 4096, the wire's limit) */
    unsigned max_watches_per_conn;  /* default 128, as xenstored */
    unsigned max_txns_per_conn;     /* open transactions, default 10 */
    unsigned max_conns;             /* socket clients at once, default 64 */
    unsigned frame_timeout_ms;      /* a client that leaves half a message
                                       unsent this long is dropped
                                       (default 10000) */
};

/* Fill `lim` with the defaults. */
void xsd_limits_default(struct xsd_limits *lim);

/*
 * Create a store and serve it on `socket_path` (a stale socket there is
 * replaced; a live one, or a file that is not a socket, is an error).  The
 * store starts as xenstored's: "/", "/tool" and "/tool/xenstored", owned by
 * dom0, permissions "n0".  `lim` may be NULL (defaults); it is copied.
 * On success *xsd_r is the new store, freed with xsd_free().
 */
int xsd_new(struct event_base *base, const char *socket_path,
            const struct xsd_limits *lim, struct xsd **xsd_r,
            struct xn_msg *msg);

/* Close every connection, remove the socket file, free everything.  NULL is
 * allowed.  Must not be called from inside an xsd_watch_fn. */
void xsd_free(struct xsd *x);

/* The socket's path, as given to xsd_new; lives as long as `x`. */
const char *xsd_socket_path(const struct xsd *x);

/*
 * What the store holds now, for monitoring and tests.  Transactions share
 * the store's nodes; a change on either side copies only the changed node
 * and its ancestors.  So live_nodes exceeds nodes by what open
 * transactions changed and the old nodes of the store they still see, one
 * node per level of each path changed; with no transaction open,
 * live_nodes == nodes.
 */
struct xsd_stats {
    unsigned nodes;         /* nodes in the store, outside transactions */
    size_t live_nodes;      /* node objects in memory, shared ones once */
    unsigned txns;          /* open transactions, the owner's included */
    unsigned conns;         /* socket clients */
};
void xsd_stats(const struct xsd *x, struct xsd_stats *stats_r);

/*
 * The owner's access, as domain 0, outside transactions.
 *  xsd_write   sets a value (`len` bytes, not NUL-terminated), creating the
 *              node and missing parents; new nodes inherit their parent's
 *              permissions.
 *  xsd_read    *value_r is a malloc'd copy with a NUL appended (free() it),
 *              *len_r its length without that NUL (len_r may be NULL).
 *  xsd_mkdir   creates the node (empty) and missing parents; not an error
 *              if it exists.
 *  xsd_rm      removes the node and its subtree; not an error if it does
 *              not exist but its parent does.
 *  xsd_directory  *names_r is a malloc'd NULL-terminated array of the
 *              children's names (one free() releases array and strings);
 *              *n_r (may be NULL) their number.
 *  xsd_get_perms / xsd_set_perms  the permission list (n entries, n >= 1,
 *              n <= XSD_PERMS_MAX); *perms_r is malloc'd.
 */
int xsd_write(struct xsd *x, const char *path, const void *value,
              size_t len);
int xsd_write_str(struct xsd *x, const char *path, const char *value);
int xsd_read(struct xsd *x, const char *path, char **value_r,
             size_t *len_r);
int xsd_mkdir(struct xsd *x, const char *path);
int xsd_rm(struct xsd *x, const char *path);
int xsd_directory(struct xsd *x, const char *path, char ***names_r,
                  unsigned *n_r);
int xsd_get_perms(struct xsd *x, const char *path,
                  struct xsd_perm **perms_r, unsigned *n_r);
int xsd_set_perms(struct xsd *x, const char *path,
                  const struct xsd_perm *perms, unsigned n);

/*
 * A write made by a simulated guest itself: as domain `domid`, with its
 * permissions (XN_EPERM where it may not write; a node it creates is its
 * own, as xenstored makes it), outside the owner's transaction.  A
 * relative path is relative to /local/domain/<domid>.
 */
int xsd_write_as(struct xsd *x, uint32_t domid, const char *path,
                 const void *value, size_t len);

/*
 * The owner's transaction.  Between xsd_txn_begin and xsd_txn_end the
 * owner calls above read and change a private snapshot of the store (it
 * shares the store's nodes, so beginning costs nothing); end commits it
 * (abort false) or drops it.  Socket clients may commit in between only
 * if the owner returns to the loop meanwhile; a commit that meets such a
 * change is XN_EBUSY and changes nothing.  One at a time: begin while one
 * is open is XN_EFAIL.
 */
int xsd_txn_begin(struct xsd *x);
int xsd_txn_end(struct xsd *x, bool abort);

/*
 * The simulated host's domains coming and going.
 *  xsd_domain_introduced  marks `domid` introduced (IS_DOMAIN_INTRODUCED
 *              answers "T") and fires @introduceDomain, as xenstored does
 *              when the toolstack sends INTRODUCE.  Again for an introduced
 *              domain: no event.
 *  xsd_domain_released    as xenstored when a domain dies or is RELEASEd:
 *              removes the nodes the domain owns (with their subtrees),
 *              marks it not introduced and fires @releaseDomain.
 * domid 0 is always introduced and cannot be released.
 */
void xsd_domain_introduced(struct xsd *x, uint32_t domid);
void xsd_domain_released(struct xsd *x, uint32_t domid);
bool xsd_domain_is_introduced(const struct xsd *x, uint32_t domid);

/* Fires @releaseDomain and nothing else, as xenstored does when a domain
 * shuts down or crashes (libxl learns of shutdowns from this watch). */
void xsd_domain_shutdown(struct xsd *x, uint32_t domid);

/*
 * Whole domain trees, laid out as libxl 4.17 does (libxl__domain_make and
 * libxl__build_post) with its permissions ("n0 rN" for what the guest may
 * read, "nN" for what it owns); see docs/sim-xenstore.md for the list.
 *  xsd_layout_dom0    /local/domain/0/{domid,name="Domain-0"}, as
 *                     xen-init-dom0 writes them at boot.
 *  xsd_layout_domain  /local/domain/N/..., /vm/UUID/..., /libxl/N/...,
 *                     replacing any old tree of that domain, then
 *                     xsd_domain_introduced(N).
 *  xsd_layout_remove  removes those three trees, then
 *                     xsd_domain_released(N) (the guest's own nodes
 *                     elsewhere go, @releaseDomain fires).
 * A series of calls made without returning to the loop is atomic for
 * socket clients: they see the result and its watch events only after.
 */
struct xsd_domain_info {
    uint32_t domid;             /* 1 .. 0x7FEF */
    const char *name;
    const char *uuid;           /* "6ba7b810-9dad-11d1-80b4-00c04fd430c8" */
    const char *type;           /* "pv", "pvh" or "hvm", libxl's names */
    uint64_t max_memkb;         /* memory/static-max */
    uint64_t target_memkb;      /* memory/target (libxl writes the target
                                   minus the video memory) */
    uint64_t video_memkb;       /* memory/videoram */
    unsigned max_vcpus;         /* cpu/<i>/availability for i < max_vcpus, */
    unsigned online_vcpus;      /* "online" for i < online_vcpus */
    uint32_t store_port;        /* store/port */
    uint64_t store_mfn;         /* store/ring-ref */
};
int xsd_layout_dom0(struct xsd *x);
int xsd_layout_domain(struct xsd *x, const struct xsd_domain_info *d);
void xsd_layout_remove(struct xsd *x, uint32_t domid);

/*
 * Watches for the owner.  `fn` is called from the event loop, never from
 * inside the call that made the change, with the path that changed and the
 * token; both strings live only during the call.  As with xenstored, a new
 * watch fires once straight away with path == the watched path, and then
 * for every change to the path or below it (and for the removal of an
 * ancestor, with path == the watched path).  `path` may be "@introduceDomain"
 * or "@releaseDomain".  The pair (path, token) names the watch: adding it
 * twice is XN_EEXIST, removing an unknown one XN_ENOENT.  `fn` may add and
 * remove watches and change the store.
 */
typedef void xsd_watch_fn(void *opaque, const char *path, const char *token);
int xsd_watch(struct xsd *x, const char *path, const char *token,
              xsd_watch_fn *fn, void *opaque);
int xsd_unwatch(struct xsd *x, const char *path, const char *token);

#endif
