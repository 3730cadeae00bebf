/*
 * mig_incoming.c - connections from other hosts' daemons, once the relay
 * has authenticated them.
 *
 * Receiving a domain (prepare, reserve, stream, restore) is the next step
 * of this service; until then an authenticated peer is logged and its
 * connection closed, which the sending side sees as a refusal.
 */
#include "migration/migration.h"
#include "log.h"

#include <unistd.h>

void mig_incoming(void *arg, uint64_t id, const char *peer, const char *addr,
                  int fd)
{
    struct migration *m = arg;

    m->incoming_seen++;
    xn_log(XN_LOG_NOTICE, "migration: %s (%s) connected, but this daemon "
           "does not receive domains yet; connection closed", peer, addr);
    close(fd);
}
