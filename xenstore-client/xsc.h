/*
 * xsc.h - the project's xenstore client, over libxenstore.
 *
 * One way to read and watch xenstore for the whole project, the same on a
 * real Xen host (xenstored) and on the simulated host (its own store,
 * toolstack/sim/xsd/).  It adds to libxenstore:
 *   - the project's error codes, with a sentence naming the path;
 *   - transactions retried on EAGAIN, a bounded number of times;
 *   - watches on the daemon's libevent loop through xs_fileno: no blocking
 *     read, no thread per watch (libxenstore keeps its one reader thread);
 *     a callback gets the path and may unwatch anything, itself included;
 *   - helpers for the paths the services use.
 *
 * Single-threaded: a struct xsc belongs to one thread (the loop's).
 */
#ifndef XENITH_XSC_H
#define XENITH_XSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct event_base;
struct xsc;
struct xsc_watch;

#define XSC_PATH_MAX 3072       /* xenstore's absolute path limit */

/*
 * Connect.  `socket_path` names a xenstored socket (the simulated host's);
 * NULL means libxenstore's default (XENSTORED_PATH, else the local
 * xenstored).  `base` is the loop watches run on; NULL when the caller
 * never watches.  *x_r is owned by the caller: xsc_close() it.
 */
int xsc_open(struct event_base *base, const char *socket_path,
             struct xsc **x_r, struct xn_msg *msg);
/* Close; outstanding watches are dropped without callbacks.  NULL ok. */
void xsc_close(struct xsc *x);

/* --- nodes ---
 * Inside a transaction body (xsc_transaction) these run in the
 * transaction; elsewhere each is atomic on its own. */

/* *val_r is malloc'd and NUL-terminated (len_r, if not NULL, excludes the
 * NUL); the caller frees it. */
int xsc_read(struct xsc *x, const char *path, char **val_r, size_t *len_r,
             struct xn_msg *msg);
int xsc_write(struct xsc *x, const char *path, const void *val, size_t len,
              struct xn_msg *msg);
int xsc_write_str(struct xsc *x, const char *path, const char *val,
                  struct xn_msg *msg);
int xsc_mkdir(struct xsc *x, const char *path, struct xn_msg *msg);
/* Remove a node and everything below it.  Removing a node that does not
 * exist is not an error. */
int xsc_rm(struct xsc *x, const char *path, struct xn_msg *msg);
/* Names of the children.  *names_r is one malloc'd block (an array of n
 * pointers into it): free(*names_r) releases all. */
int xsc_directory(struct xsc *x, const char *path, char ***names_r,
                  unsigned *n_r, struct xn_msg *msg);
bool xsc_exists(struct xsc *x, const char *path);

/* --- permissions: the first entry names the owner and what everyone
 * else may do; later ones grant particular domains more --- */
enum xsc_access {
    XSC_NONE = 'n',
    XSC_READ = 'r',
    XSC_WRITE = 'w',
    XSC_BOTH = 'b',
};
struct xsc_perm {
    uint32_t domid;
    enum xsc_access access;
};
/* *perms_r is malloc'd; the caller frees it. */
int xsc_get_perms(struct xsc *x, const char *path, struct xsc_perm **perms_r,
                  unsigned *n_r, struct xn_msg *msg);
int xsc_set_perms(struct xsc *x, const char *path,
                  const struct xsc_perm *perms, unsigned n,
                  struct xn_msg *msg);
/* xenstore's access bits, as the wire and libxenstore carry them (read 1,
 * write 2), and back. */
unsigned xsc_access_bits(enum xsc_access a);
enum xsc_access xsc_access_from_bits(unsigned bits);
/* Parse "r5" / "n0" (xenstore-chmod's words); format into buf[16]. */
int xsc_perm_parse(const char *text, struct xsc_perm *p, struct xn_msg *msg);
const char *xsc_perm_format(const struct xsc_perm *p, char buf[16]);

/* --- transactions ---
 * Run `body` inside a transaction and commit.  When the commit meets a
 * conflict (EAGAIN), the body runs again, up to `max_tries` times in all;
 * after that the caller gets XN_EBUSY.  A body that fails aborts the
 * transaction and its error is returned.  Bodies must be safe to re-run:
 * they decide from what they read, not from what an earlier run did. */
typedef int xsc_txn_body(struct xsc *x, void *arg, struct xn_msg *msg);
int xsc_transaction(struct xsc *x, xsc_txn_body *body, void *arg,
                    unsigned max_tries, struct xn_msg *msg);
/* How many commits met a conflict since open (for tests and logs). */
unsigned xsc_conflicts(const struct xsc *x);

/* --- watches ---
 * `fn` runs from the loop for the path itself and everything below it,
 * once at registration (as xenstored fires a new watch) and on each
 * change.  Special paths "@introduceDomain" and "@releaseDomain" report
 * domains coming and going.  *w_r is owned by the xsc: xsc_unwatch() it, or
 * let xsc_close() drop it. */
typedef void xsc_watch_fn(void *opaque, const char *path);
int xsc_watch(struct xsc *x, const char *path, xsc_watch_fn *fn,
              void *opaque, struct xsc_watch **w_r, struct xn_msg *msg);
/* Stop a watch; no callback for it runs afterwards.  Safe from inside any
 * watch callback, its own included.  NULL ok. */
void xsc_unwatch(struct xsc_watch *w);

/* --- paths the services use: written into buf and returned; "" when
 * the path would be longer than XSC_PATH_MAX --- */
/* /local/domain/DOMID[/REL] */
char *xsc_dom_path(char buf[XSC_PATH_MAX], uint32_t domid, const char *rel);
/* /vm/UUID[/REL] */
char *xsc_vm_path(char buf[XSC_PATH_MAX], const uint8_t uuid[16],
                  const char *rel);
/* The daemon's own keys for a domain: /vm/UUID/xenith[/REL]; they travel
 * with the domain's /vm entry. */
char *xsc_xenith_path(char buf[XSC_PATH_MAX], const uint8_t uuid[16],
                      const char *rel);
/* Read a number (decimal) at a path; XN_EINVAL when it is not one. */
int xsc_read_u64(struct xsc *x, const char *path, uint64_t *val_r,
                 struct xn_msg *msg);

#endif
