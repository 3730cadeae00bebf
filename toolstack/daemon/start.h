/*
 * start.h - the one path by which a domain starts.
 *
 * Create, restore, restart (an on_reboot action) and an incoming migration
 * all go through start_domain, which
 *   1. checks the name (domname.h) and that no other domain, running or
 *      starting, has the name or the UUID;
 *   2. claims both, so no other start or rename can take them;
 *   3. holds the domain's job (jobs.h, by UUID), or takes over the one the
 *      caller holds (a restart holds it across the destroy);
 *   4. works out how much memory the domain needs (hv_need_memory) and asks
 *      every registered start gate, in turn, whether it may start; a gate
 *      may answer later (the balloon service frees memory first);
 *   5. calls the driver (hv_create or hv_restore);
 *   6. publishes the event (created, restored, restarted, migrated-in)
 *      and tells the gates the domain started;
 * and on any failure undoes all of it: gates that said yes are told to
 * release, the name and UUID are free again, the job ends.
 */
#ifndef XENITH_DAEMON_START_H
#define XENITH_DAEMON_START_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/jobs.h"
#include "hv.h"

struct daemon;

enum start_kind {
    START_CREATE,
    START_RESTORE,
    START_RESTART,
    START_MIGRATE_IN,
};

/* What a gate is asked about.  Lives from ask until release/started. */
struct start_info {
    enum start_kind kind;
    char name[HV_NAME_MAX];
    uint8_t uuid[16];
    uint64_t need_kb;               /* host memory it takes to start */
    const libxl_domain_config *cfg; /* what it starts from */
    uint32_t old_domid;             /* restart: the id before */
};

/* A gate's answer: 0 lets the start go on; <0 refuses it, with msg saying
 * why (quoted to the client). */
typedef void start_reply_fn(void *reply_arg, int rc, const struct xn_msg *msg);

struct start_gate {
    const char *name;               /* for logs: "balloon" */
    /* Answer exactly once, now or later, through reply. */
    void (*ask)(void *self, const struct start_info *si,
                start_reply_fn *reply, void *reply_arg);
    /* The gate said yes but the start failed: undo (may be NULL). */
    void (*release)(void *self, const struct start_info *si);
    /* The gate said yes and the domain runs as `domid` (may be NULL). */
    void (*started)(void *self, const struct start_info *si,
                    uint32_t domid);
};

/* Register a gate (static storage) with its state.  Gates are asked in
 * the order they were added.  0 or XN_ENOMEM. */
int start_gate_add(struct daemon *d, const struct start_gate *g, void *self);
/* Not while a start is asking it. */
void start_gate_remove(struct daemon *d, const struct start_gate *g,
                       void *self);

/* One start.  Everything it points to is taken by start_domain (whatever
 * the result), except `rename`, which is copied. */
struct start_req {
    enum start_kind kind;
    libxl_domain_config *cfg;       /* create, restart: heap, taken */
    struct hv_image *img;           /* restore, migrate-in: taken */
    const char *rename;             /* restore: the name to take instead
                                     * of the image's, or NULL */
    const char *expect_name;        /* restore: what the save file's header
                                     * says; the image must agree (or NULL) */
    const uint8_t *expect_uuid;
    bool paused;
    uint32_t old_domid;             /* restart */
    job_token held;                 /* the job the caller holds on this
                                     * domain's UUID, handed over; JOB_NONE
                                     * to begin one */
};

/* The end of a start: rc 0 with the new domain's id and name, or the
 * failure with its sentence (the start was undone). */
typedef void start_done_fn(void *arg, int rc, const struct xn_msg *msg,
                           uint32_t domid, const char *name);

/*
 * Start a domain.  Returns a negative code with msg set when the request
 * is refused at once (then `done` is never called, and everything the
 * request held is released); otherwise 0, and `done` is called exactly
 * once, later, from the loop, never from inside this call.
 */
int start_domain(struct daemon *d, struct start_req *req, start_done_fn *done,
                 void *arg, struct xn_msg *msg);

/*
 * An incoming migration reserves before its image arrives, in two steps:
 *  - start_hold does steps 1-4 for `name` (the name it restores under) and
 *    `uuid`, with need_kb given (the gates see no configuration yet); then
 *    `held` is called once, from the loop: 0 when every gate said yes, or
 *    the refusal (everything undone, the hold is gone);
 *  - start_hold_restore (after a yes) does steps 5-6 with the image, which
 *    must have the same UUID; `done` ends it as for start_domain.
 *    Whatever it returns, the image is taken; on an error return the hold
 *    still waits (drop it).
 *  - start_hold_drop undoes a hold at any point before the restore
 *    (nothing is called back).
 * *h_r lives until `held` reports a refusal, `done` is called or the hold
 * is dropped.
 */
struct start;
typedef void start_held_fn(void *arg, int rc, const struct xn_msg *msg);
int start_hold(struct daemon *d, const char *name, const uint8_t *uuid,
               uint64_t need_kb, start_held_fn *held, void *arg,
               struct start **h_r, struct xn_msg *msg);
int start_hold_restore(struct start *h, struct hv_image *img, bool paused,
                       start_done_fn *done, void *arg, struct xn_msg *msg);
void start_hold_drop(struct start *h, const struct xn_msg *msg);
/* The caller of a start going away (a service that closes): the start
 * runs on, but calls no one back.  *s lives until it ends. */
void start_forget(struct start *s);

/* --- the starter's state (start.c), owned by the daemon --- */
struct starter;
struct starter *starter_new(struct daemon *d);
/* Starts in flight are abandoned: their `done` is not called. */
void starter_free(struct starter *s);
/* Starts in flight (for metrics and status). */
unsigned starter_busy(const struct starter *s);
/* Starts that ended with a domain running, and those that failed (refused
 * at once by start_domain are not counted: nothing was started). */
void starter_counts(const struct starter *s, uint64_t *started_r,
                    uint64_t *failed_r);

#endif
