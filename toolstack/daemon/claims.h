/*
 * claims.h - names and UUIDs being taken.  Between the moment a start (or
 * a rename) has checked that a name is free and the moment the driver has
 * made the domain, nothing else may take the name, or the UUID.
 */
#ifndef XENITH_DAEMON_CLAIMS_H
#define XENITH_DAEMON_CLAIMS_H

#include <stdint.h>

#include "err.h"

struct claims;
struct hv;

struct claims *claims_new(void);            /* NULL: out of memory */
void claims_free(struct claims *c);         /* NULL ok */

/*
 * Claim `name` and, when uuid is not NULL, the UUID: XN_EEXIST naming the
 * other domain when a domain on the host has either (domains being
 * destroyed excepted: they are on their way out), or another claim holds
 * them.  `self` (a domain id, or -1) is a domain allowed to hold the name
 * already (a rename to its own name).
 */
int claims_take(struct claims *c, struct hv *hv, const char *name,
                const uint8_t *uuid, int64_t self, struct xn_msg *msg);
/* Release what claims_take took with this name. */
void claims_drop(struct claims *c, const char *name);

#endif
