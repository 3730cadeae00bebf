/*
 * mig_link.h - one migration's frames between xenithd and its relay, over
 * the local socket the relay handed over (frame.h, msg.h), on the loop.
 *
 * The relay has checked what comes from the peer; the link decodes again
 * (it trusts no one) and hands out control messages and DATA bytes.  The
 * callbacks may free the link (mig_link_free) from inside themselves.
 */
#ifndef XENITH_MIG_LINK_H
#define XENITH_MIG_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "migration/wire/msg.h"

/* Bytes a socket read or write moves at most, on the stream's paths. */
#define MIG_IO_CHUNK (1024 * 1024)

/* A stream socket's send buffer: fewer, larger moves between the driver
 * and the loop (and room for an image's head). */
#define MIG_SOCK_BUF (4 * 1024 * 1024)
void mig_sock_roomy(int fd);
/* Let at most about `bytes` wait in fd's send buffer. */
void mig_sock_bound(int fd, size_t bytes);

struct event_base;
struct evbuffer;
struct mig_link;

struct mig_link_cbs {
    /* A control message (lives for the call). */
    void (*msg)(void *arg, const struct mig_msg *m);
    /* A DATA frame's bytes: take what you want from `payload` (the rest
     * is dropped). */
    void (*data)(void *arg, struct evbuffer *payload);
    /* The link is dead: the peer closed it (rc XN_EIO) or broke the
     * protocol (XN_EPROTO); no other callback follows.  `why` lives for
     * the call. */
    void (*error)(void *arg, int rc, const char *why);
    /* What was queued to send fell below the low mark (may be NULL). */
    void (*drained)(void *arg);
};

/* Wrap `fd` (taken: closed by mig_link_free).  *l_r is the caller's. */
int mig_link_new(struct event_base *base, int fd,
                 const struct mig_link_cbs *cbs, void *arg,
                 struct mig_link **l_r, struct xn_msg *msg);
/* Close now; what is queued is dropped.  NULL ok. */
void mig_link_free(struct mig_link *l);
/* Stop calling back, send what is queued, then close (at most `secs`
 * seconds).  The link is no longer the caller's. */
void mig_link_close_after(struct mig_link *l, unsigned secs);

/* Close every link still flushing (the daemon stops). */
void mig_link_close_all(void);

int mig_link_send(struct mig_link *l, const struct mig_msg *m,
                  struct xn_msg *msg);
/* Move `n` bytes from `from` as DATA frames of at most MIG_DATA_MAX. */
int mig_link_send_data(struct mig_link *l, struct evbuffer *from, size_t n);
/* Bytes queued to send. */
size_t mig_link_queued(const struct mig_link *l);
/* Stop or resume reading from the relay (back-pressure). */
void mig_link_reading(struct mig_link *l, bool on);
/* For the fault tests: from now on read nothing and send nothing. */
void mig_link_stall(struct mig_link *l);
/* Raw bytes, for the fault tests (a corrupt frame). */
int mig_link_send_raw(struct mig_link *l, const void *buf, size_t len);

#endif
