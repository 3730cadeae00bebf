/*
 * migration.h - inside the migration service: its state and one
 * migration's record, shared by its files:
 *   migration_service.c  options, open/close, status
 *   mig_relay*.c         the relay process (mig_relay.h)
 *   mig_link.c           one migration's frames (mig_link.h)
 *   mig_record.c         the records: `xenith migrations`, events
 *   mig_send*.c          sending a domain (the source's side)
 *   mig_recv*.c          receiving one (the destination's side)
 *   mig_ops.c            the control operations
 *   mig_fault.c          faults injected for the tests
 *   mig_pci.c            PCI passthrough keeps a domain where it is
 *   mig_leftover.c       what a daemon stopped mid-migration left, at open
 * docs/migration.md has the protocol and what each side does on failure
 * in each phase.
 */
#ifndef XENITH_MIGRATION_H
#define XENITH_MIGRATION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "daemon/service.h"
#include "daemon/stream.h"
#include "migration/cert/cert.h"
#include "migration/mig_link.h"
#include "pace.h"
#include "migration/wire/frame.h"
#include "migration/mig_relay.h"


#define MIG_DEFAULT_MAX_INCOMING 4
#define MIG_DEFAULT_HANDSHAKE_S 10
#define MIG_DEFAULT_PORT 8002
#define MIG_DEFAULT_TIMEOUT_S 60
#define MIG_KEEP_DONE 32            /* finished records kept */
#define MIG_SUFFIX_AWAY "--migratedaway"
#define MIG_SUFFIX_IN "--incoming"

struct bufferevent;
struct evbuffer;
struct event;
struct evdns_base;

enum mig_dir { MIG_OUT, MIG_IN };

/* Where a migration is.  The names are the protocol's (docs/migration.md);
 * the last four are outcomes. */
enum mig_phase {
    MIG_CONNECTING,         /* out: resolving, TLS, hello */
    MIG_PREPARING,          /* out: prepare sent; in: reserving memory */
    MIG_STREAMING,          /* the memory image moves */
    MIG_RESTORING,          /* the stream ended; in: restoring, paused */
    MIG_SWITCHING,          /* out: renamed, go sent; in: go came */
    MIG_DONE,               /* it runs on the destination */
    MIG_FAILED,             /* it runs on the source (or never left) */
    MIG_UNCONFIRMED,        /* out: go sent, no confirmation: the source
                             * copy stays paused for the admin */
    MIG_RECOVERED,          /* out: the admin resolved an unconfirmed one */
};

/* A fault the tests inject (migration.fault = SIDE:PHASE:KIND). */
enum mig_fault_kind { MIG_FAULT_NONE, MIG_FAULT_CUT, MIG_FAULT_CORRUPT,
                      MIG_FAULT_STALL };

/* One migration, in or out.  Owned by the service's list; lives on after
 * it ends (the last MIG_KEEP_DONE) for `xenith migrations`. */
struct mig {
    TAILQ_ENTRY(mig) entry;
    struct migration *svc;          /* not owned */
    uint64_t id;
    enum mig_dir dir;
    enum mig_phase phase;
    bool ended;
    char name[128];                 /* the domain's name */
    uint8_t uuid[16];
    uint32_t domid;                 /* here; 0 before or after */
    char peer[256];                 /* the other host's name */
    char addr[64];                  /* its address */
    int compress;                   /* zstd level, 0 off */
    uint64_t bandwidth;             /* bytes/s, 0 unlimited */
    unsigned port;                  /* out: the peer's */
    int conn_fd;                    /* out: owned until the link takes it */
    bool leave_paused;              /* out: asked; in: prepare's "paused" */

    double started, ended_at;       /* wall clock seconds */
    uint64_t bytes;                 /* stream bytes moved */
    uint64_t wire_bytes;            /* what the relay sent or got */
    uint64_t rate;                  /* bytes/s over the last second */
    uint64_t remaining;             /* estimate, 0 when unknown */
    uint32_t round;                 /* the live save's round */
    uint64_t suspended_ns;          /* out: when the source suspended */
    int64_t downtime_ms;            /* -1 until known */
    int rc;                         /* the outcome: 0 or the failure */
    char error[XN_MSG_MAX];

    /* while it runs */
    struct mig_link *link;          /* owned */
    uint64_t relay_id;
    job_token job;                  /* the domain's job, JOB_NONE */
    struct event *timer;            /* owned: the peer's silence */
    struct event *tick;             /* owned: progress, once a second */
    uint64_t tick_bytes;            /* bytes at the last tick */
    struct pace pace;           /* of the stream's queue: out, the
                                     * relay's; in, the restore's */
    size_t queue_bound;             /* what may wait in it (pace.h) */
    void (*done)(void *arg, struct mig *g);     /* out: who started it,
                                                 * told at the end */
    void *done_arg;
    struct bus_sub *sub;            /* out: the source's suspend */
    /* out: the stream */
    int sink_fd;                    /* owned: the driver writes here */
    struct bufferevent *src;        /* owned: reads the other end */
    stream_commit_fn *commit_done;  /* the stream waits for our commit */
    void *commit_arg;
    bool streaming;                 /* stream_out runs */
    bool src_eof;                   /* the driver's stream has ended */
    bool end_sent;
    bool renamed;                   /* out: the source is NAME--away */
    bool go_sent;
    /* in: the stream */
    struct start *hold;             /* the start path's hold */
    struct start *restore_start;    /* the same, once restoring (not
                                     * ours: it ends in restore_done) */
    bool name_claimed;              /* in: NAME claimed while it comes */
    int feed_fd;                    /* owned: restore reads the other end */
    int restore_fd;                 /* owned */
    struct bufferevent *feed;       /* owned: writes feed_fd */
    struct evbuffer *pending;       /* owned: data before the image opens */
    size_t head_need;               /* bytes hv_image_open reads, 0: not
                                     * known yet */
    uint64_t fed;                   /* bytes given to the feed, in all */
    uint64_t end_bytes;             /* what END said; 0 before */
    bool got_end, image_opened, restoring, restored, abandon;
    bool hv_busy;                   /* a driver call (destroy) is out */
    bool resolving;                 /* out: the resolver has it */
    bool restored_sent;
    size_t npolicy;                 /* in: the policy that came along */
    struct mig_policy_entry policy[MIG_POLICY_MAX];
    unsigned stalled_s;             /* out: seconds the stream stood */
    bool stalled;                   /* a test's fault: it stands still */
    /* out: made at open for a NAME--migratedaway found (mig_leftover.c) */
    bool adopted;
    bool copy_runs;                 /* adopted: that copy was running */
};

TAILQ_HEAD(mig_list, mig);

struct migration {
    struct daemon *d;               /* not owned */
    char cert_dir[512];
    struct cert_host certs;         /* owned; host[0] == 0: none loaded */
    char certs_error[XN_MSG_MAX];   /* why none, for the status */
    char listen[80];                /* "" when not listening */
    unsigned max_incoming;
    unsigned handshake_s;
    unsigned timeout_s;
    struct mig_relay *relay;        /* owned; NULL without certificates */
    struct evdns_base *dns;         /* owned; made when first needed */
    uint64_t incoming_seen;         /* authenticated peers that came */
    struct mig_list migs;           /* owned: running and recent */
    uint64_t next_id;
    /* owned: actions on what a stopped daemon left (mig_leftover.c) */
    TAILQ_HEAD(, mig_leftover_job) leftovers;
    /* tests only (mig_fault.c) */
    enum mig_dir fault_dir;
    enum mig_phase fault_phase;
    enum mig_fault_kind fault_kind;
};

/* --- mig_record.c --- */
struct mig *mig_new(struct migration *m, enum mig_dir dir);
struct mig *mig_find(struct migration *m, uint64_t id);
/* Move to `phase` (published as a "phase" event; faults checked). */
void mig_phase(struct mig *g, enum mig_phase phase);
/* The end: the outcome recorded and published, everything it held
 * released; `rc` 0 (done) or the failure and its sentence. */
void mig_end(struct mig *g, enum mig_phase outcome, int rc,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Arm (or re-arm) the peer-silence timer for the current phase. */
void mig_wait_peer(struct mig *g);
void mig_progress_start(struct mig *g);
struct json_object *mig_json(const struct mig *g);
const char *mig_phase_name(enum mig_phase p);
void mig_free_all(struct migration *m);
/* Tell the peer no (MIG_F_REFUSE or MIG_F_ABORT, best effort), flush and
 * close the link. */
void mig_say_no(struct mig *g, unsigned type, int rc, const char *why);
double mig_now(void);

/* --- mig_pci.c --- */
/* The addresses of the PCI devices domid has, "0000:03:00.0, ...", into
 * buf (len > 8); how many it has (0 also when the host has no
 * passthrough). */
size_t mig_pci_devices(struct daemon *d, uint32_t domid, char *buf,
                       size_t len);
/* XN_ESTATE with "domain NAME has PCI passthrough devices (...); detach
 * them before migrating" when domid has devices; else 0. */
int mig_pci_check(struct daemon *d, uint32_t domid, const char *name,
                  struct xn_msg *msg);

/* --- mig_send.c, mig_send_stream.c --- */
/* A domain in this state can be migrated: it runs (or waits, blocked, for
 * something to do) or is paused. */
bool mig_state_movable(enum hv_state s);

int mig_send_start(struct migration *m, struct request *r,
                   struct xn_msg *msg);
/* What a migration out is asked to do. */
struct mig_send_args {
    char host[MIG_HOST_MAX];
    unsigned port;
    int compress;
    uint64_t bandwidth;
    bool paused;
};
/* Start one for the domain `info` names; at its end `done` is called
 * (the record lives at least for the call).  0, or the failure (nothing
 * started, done not called). */
int mig_send_begin(struct migration *m, const struct hv_dominfo *info,
                   const struct mig_send_args *a,
                   void (*done)(void *arg, struct mig *g), void *arg,
                   struct mig **g_r, struct xn_msg *msg);

/* --- mig_evacuate.c --- */
void mig_evacuate_op(void *self, struct request *r);
void mig_send_connected(void *arg, uint64_t id, const char *peer);
void mig_send_failed(void *arg, uint64_t id, int code, const char *error);
/* The relay's figures for a connection. */
void mig_relay_stats(void *arg, uint64_t id, uint64_t wire, uint64_t raw);
void mig_relay_closed(void *arg, uint64_t id, const char *error,
                      uint64_t wire, uint64_t raw);
int mig_send_stream(struct mig *g, struct xn_msg *msg);
/* A failure while the stream runs: it stops, the source resumes, and the
 * migration ends when the stream path says so. */
void mig_send_stream_fail(struct mig *g, int rc, const char *why);
/* Go is sent: the stream is safe (the source stays suspended). */
void mig_send_stream_commit(struct mig *g);
/* The relay took what was queued: pump more. */
void mig_send_drained(void *arg);
void mig_send_teardown(struct mig *g);

/* --- mig_peer.c --- */
/* Where `host` is: rc 0 with its numeric address and port (the table may
 * give another), or the failure.  May be called before mig_peer_resolve
 * returns. */
typedef void mig_resolved_fn(void *arg, int rc, const char *addr,
                             unsigned port, const struct xn_msg *msg);
int mig_peer_resolve(struct migration *m, const char *host, unsigned port,
                     mig_resolved_fn *done, void *arg, struct xn_msg *msg);
/* migration.peers' syntax. */
int mig_peers_check(const char *table, struct xn_msg *msg);
int mig_recover(struct migration *m, uint64_t id, const char *action,
                struct xn_msg *msg);
/* The sender's handling of the receiver's messages after the stream. */
void mig_send_on_msg(void *arg, const struct mig_msg *msg);
void mig_send_on_error(void *arg, int rc, const char *why);


/* --- mig_recv.c, mig_recv_stream.c --- */
void mig_incoming(void *arg, uint64_t id, const char *peer, const char *addr,
                  int fd);
void mig_recv_data(void *arg, struct evbuffer *payload);
void mig_recv_end(struct mig *g, uint64_t bytes);
void mig_recv_teardown(struct mig *g);
/* Drop the hold, destroy a restored partial copy. */
void mig_recv_discard(struct mig *g);
void mig_recv_close_feed(struct mig *g);
void mig_recv_fail(struct mig *g, int rc, const char *why);
int mig_recv_open_feed(struct mig *g, struct xn_msg *msg);

/* --- mig_ops.c --- */
extern const struct service_op mig_ops[];
/* migration_service.c */
struct json_object *migration_status(void *self);

/* --- mig_leftover.c --- */
/* What is done, at open, with a domain a daemon stopped mid-migration may
 * have left (docs/migration.md, "After a restart"). */
enum mig_leftover {
    MIG_LEFT_NONE,          /* not a leftover */
    MIG_LEFT_DESTROY,       /* NAME--incoming, not running: a partial copy
                             * from before go */
    MIG_LEFT_ODD,           /* NAME--incoming that runs: not a copy of
                             * ours; left, with a warning */
    MIG_LEFT_UNCONFIRMED,   /* NAME--migratedaway: a source copy after go,
                             * its outcome unknown */
    MIG_LEFT_RESUME,        /* suspended, any other name: a source whose
                             * sender died mid-stream */
};
struct mig_leftover_job;
/* Pure: what a domain found at open is.  Dom0 and the domains another
 * toolstack made (info->foreign) are never leftovers. */
enum mig_leftover mig_leftover_plan(const struct hv_dominfo *info);
/* Once, as the service opens, before any migration of its own: destroy,
 * record or resume each leftover of the host, in its job. */
void mig_leftovers_scan(struct migration *m);
/* At close: the actions still out are dropped (the hv abandons their
 * calls). */
void mig_leftovers_free(struct migration *m);

/* --- mig_fault.c --- */
int mig_fault_parse(struct migration *m, const char *spec,
                    struct xn_msg *msg);
/* Entering `phase`: true when a fault was injected (the caller stops). */
bool mig_fault_inject(struct mig *g);

#endif
