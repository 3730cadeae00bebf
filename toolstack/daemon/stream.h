/*
 * stream.h - streams out: suspend a domain, write its stream, then end as
 * asked (destroy it, resume it, or keep it suspended), whatever the stream
 * is written to.  Saving to a file uses it with a file (ops_save.c), a
 * migration with a socket.
 *
 * The caller holds the domain's job.  The states, and what each failure
 * leaves:
 *
 *   writing   hv_save writes the driver's stream to sink->fd.
 *             failure: sink->abort; the domain, if it was suspended, is
 *             resumed ("...; the domain runs on").
 *   commit    the stream is complete; sink->commit makes it safe (a file:
 *             fsync, rename; a migration: the peer has the domain).
 *             failure: as for writing.
 *   ending    STREAM_DESTROY: the domain is destroyed; STREAM_RESUME: it
 *             runs on (a checkpoint); STREAM_KEEP: it stays suspended for
 *             the caller to decide.
 *             failure: the stream is safe; outcome.committed says so and
 *             the message says what did not follow.
 */
#ifndef XENITH_DAEMON_STREAM_H
#define XENITH_DAEMON_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct daemon;

enum stream_end {
    STREAM_DESTROY,
    STREAM_RESUME,
    STREAM_KEEP,
};

/* The sink answers a commit once, now or later: 0, or <0 with msg. */
typedef void stream_commit_fn(void *commit_arg, int rc,
                              const struct xn_msg *msg);

/* Where the stream goes.  Plain value; copied by stream_out. */
struct stream_sink {
    int fd;                         /* the driver writes here; not closed */
    /* The stream is complete: make it safe.  May be NULL (nothing to do). */
    void (*commit)(void *arg, stream_commit_fn *done, void *done_arg);
    /* The stream failed or was not committed: drop what was written.  May
     * be NULL. */
    void (*abort)(void *arg);
    void *arg;
};

struct stream_outcome {
    int rc;                         /* 0: written, committed and ended */
    bool committed;                 /* the stream is safe at its sink */
    bool resumed;                   /* after a failure, the domain runs */
    struct xn_msg msg;              /* the failure's sentence */
};

/* Called once, from the loop; `o` lives for the call. */
typedef void stream_done_fn(void *arg, const struct stream_outcome *o);

/* Stream domain `domid` out (flags: HV_SAVE_LIVE).  Returns <0 with msg set
 * when it cannot start (nothing happened, done is never called), else 0
 * and done is called exactly once, later. */
int stream_out(struct daemon *d, uint32_t domid, const struct stream_sink *sink,
               unsigned flags, enum stream_end end, stream_done_fn *done,
               void *arg, struct xn_msg *msg);

#endif
