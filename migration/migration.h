/*
 * migration.h - inside the migration service: its state, shared by its
 * files (migration_service.c: options, open/close, status; mig_incoming.c:
 * connections from other hosts).
 */
#ifndef XENITH_MIGRATION_H
#define XENITH_MIGRATION_H

#include "daemon/service.h"
#include "migration/cert/cert.h"
#include "migration/mig_relay.h"

#define MIG_DEFAULT_MAX_INCOMING 4
#define MIG_DEFAULT_HANDSHAKE_S 10

struct migration {
    struct daemon *d;               /* not owned */
    char cert_dir[512];
    struct cert_host certs;         /* owned; host[0] == 0: none loaded */
    char certs_error[XN_MSG_MAX];   /* why none, for the status */
    char listen[80];                /* "" when not listening */
    unsigned max_incoming;
    unsigned handshake_s;
    struct mig_relay *relay;        /* owned; NULL without certificates */
    uint64_t incoming_seen;         /* authenticated peers that came */
};

/* mig_incoming.c: an authenticated peer's connection, from the relay. */
void mig_incoming(void *arg, uint64_t id, const char *peer, const char *addr,
                  int fd);

#endif
