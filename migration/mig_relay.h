/*
 * mig_relay.h - xenithd's side of its relay: the xenith-relay process that
 * speaks TLS to other hosts (migration/relay/), and its control channel
 * (migration/wire/ctl.h).
 *
 * The daemon starts the relay when the migration service opens with
 * certificates, hands it the certificates and the listening socket, and
 * restarts it (after a pause that grows to 30 s) when it exits.  What the
 * relay reports arrives through the callbacks, on the daemon's loop.
 */
#ifndef XENITH_MIG_RELAY_H
#define XENITH_MIG_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "migration/cert/cert.h"

struct event_base;
struct mig_relay;

/* What the relay says.  Any may be NULL.  Strings live for the call. */
struct mig_relay_cbs {
    /* An authenticated peer connected: `fd` carries its frames and is the
     * callee's (close it to refuse). */
    void (*incoming)(void *arg, uint64_t id, const char *peer,
                     const char *addr, int fd);
    void (*connected)(void *arg, uint64_t id, const char *peer);
    void (*failed)(void *arg, uint64_t id, int code, const char *error);
    void (*closed)(void *arg, uint64_t id, const char *error,
                   uint64_t wire_bytes, uint64_t raw_bytes);
    void (*stats)(void *arg, uint64_t id, uint64_t wire_bytes,
                  uint64_t raw_bytes);
};

struct mig_relay_opts {
    const char *path;               /* the xenith-relay program */
    const char *chroot_dir;         /* NULL: none (it is not root) */
    const struct cert_host *certs;  /* copied into the relay at start */
    int listen_fd;                  /* -1: no listener; else kept (owned
                                     * by the relay handle from here) */
    const char *listen_addr;        /* its text, for the log */
    unsigned max_incoming;
    unsigned handshake_ms;
};

/* Start the relay.  *r_r is the caller's (mig_relay_stop).  The options'
 * strings and certificates are copied. */
int mig_relay_start(struct event_base *base, const struct mig_relay_opts *o,
                    const struct mig_relay_cbs *cbs, void *arg,
                    struct mig_relay **r_r, struct xn_msg *msg);
void mig_relay_stop(struct mig_relay *r);   /* NULL ok */

/* Ask for a connection to `host` (checked against its certificate) at the
 * numeric `addr`:`port`.  *fd_r (the caller's) carries the frames once
 * `connected` is called for *id_r; `failed` otherwise. */
int mig_relay_connect(struct mig_relay *r, const char *host,
                      const char *addr, unsigned port, int compress,
                      uint64_t bandwidth, uint64_t *id_r, int *fd_r,
                      struct xn_msg *msg);
void mig_relay_cancel(struct mig_relay *r, uint64_t id);

/* {"running", "pid", "restarts", "listening", "refused", "last_refused":
 * [{"addr", "error"}]}  One reference for the caller. */
struct json_object *mig_relay_status(const struct mig_relay *r);

#endif
