/*
 * mig_relay_int.h - inside the relay handle: shared by mig_relay.c (the
 * process) and mig_relay_ctl.c (what it says, and the connections).
 */
#ifndef XENITH_MIG_RELAY_INT_H
#define XENITH_MIG_RELAY_INT_H

#include "migration/mig_relay.h"
#include "migration/wire/ctl.h"

#include <event2/util.h>
#include <sys/types.h>
#include <time.h>

struct event;

#define RELAY_REFUSED_KEEP 8

/* A connection the daemon asked for, until it is connected, failed or
 * lost.  Owned by the handle's list. */
struct relay_conn {
    struct relay_conn *next;
    uint64_t id;
    bool connected;
};

struct relay_refusal {
    char addr[64];
    char error[256];
    time_t when;
};

struct mig_relay {
    struct event_base *base;        /* not owned */
    char *path;                     /* owned */
    char *chroot_dir;               /* owned; NULL: none */
    struct cert_host certs;         /* owned copy */
    int listen_fd;                  /* owned; -1: none */
    char listen_addr[80];
    unsigned max_incoming, handshake_ms;
    struct mig_relay_cbs cbs;
    void *arg;

    pid_t pid;                      /* -1: not running */
    int ctl;                        /* owned; -1: not running */
    struct event *ev;               /* owned: reads ctl */
    struct event *restart_ev;       /* owned */
    time_t started;
    unsigned backoff;               /* seconds before the next restart */
    unsigned restarts;
    bool stopping;
    bool listening;                 /* the relay said so */

    uint64_t next_id;               /* even: ours; the relay's are odd */
    struct relay_conn *conns;       /* owned list */

    uint64_t refused;
    struct relay_refusal last[RELAY_REFUSED_KEEP];  /* a ring */
};

/* mig_relay.c */
int relay_send(struct mig_relay *r, struct json_object *take, int fd,
               struct xn_msg *msg);
void relay_down(struct mig_relay *r, bool kill_it);
void relay_schedule_restart(struct mig_relay *r);

/* mig_relay_ctl.c */
void relay_on_ctl(evutil_socket_t fd, short what, void *arg);
void relay_conns_lost(struct mig_relay *r, const char *why);
void relay_conns_free(struct mig_relay *r);

#endif
