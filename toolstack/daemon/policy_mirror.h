/*
 * policy_mirror.h - per-domain policy, as the daemon keeps it: read from the
 * state directory (legacy key names read as the new ones), and mirrored
 * into the domain's xenstore entry by a bus
 * subscriber: when the daemon starts, when a domain arrives (created,
 * restored, restarted, found, migrated in) and when its policy changes.
 * xenstore paths take no '.', so key "balloon.min" is the node
 * /vm/UUID/xenith/policy/balloon/min.
 */
#ifndef XENITH_DAEMON_POLICY_MIRROR_H
#define XENITH_DAEMON_POLICY_MIRROR_H

#include <stdint.h>

#include "err.h"
#include "policy.h"

struct daemon;
struct policy_mirror;

/* Subscribe and mirror every domain's policy now. */
int policy_mirror_open(struct daemon *d, struct policy_mirror **m_r);
void policy_mirror_close(struct policy_mirror *m);     /* NULL ok */

/* Make p the domain's policy: write its state file (atomically), then
 * publish BUS_DOM_POLICY, where the mirror and the services take it up.
 * p must have been checked (policy_keys_check). */
struct hv_dominfo;
int daemon_policy_store(struct daemon *d, const struct hv_dominfo *info,
                        const struct policy *p, struct xn_msg *msg);
/* The domain's policy from the state directory, keys canonical; an empty
 * policy (and 0) when it has none. */
int daemon_policy_load(struct daemon *d, const uint8_t uuid[16],
                       struct policy *p, struct xn_msg *msg);

#endif
