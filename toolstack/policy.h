/*
 * policy.h - per-domain settings for the daemon's services.
 *
 * A domain's policy is a few named settings that the services read:
 *   priority      critical | high | normal | low   (scheduler tuning)
 *   balloon-min   MiB the balloon never takes the domain below
 *   balloon-max   MiB the balloon never gives it more than
 *   migrate       allowed | never                (evacuation, balancing)
 * Unset settings mean the service's default.
 *
 * Policies are kept by domain UUID, so they follow a domain through
 * reboot, save/restore and migration, in two places (docs/policy.md):
 *   - the daemon's state directory, one file per domain
 *     (STATE_DIR/policy/UUID.json), written atomically, so a policy
 *     survives the daemon being killed and the host rebooting;
 *   - the domain's xenstore entry, /vm/UUID/xenith/policy/KEY, so tools and
 *     guests-side agents can read it and it travels with the domain.
 */
#ifndef XENITH_POLICY_H
#define XENITH_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include <json.h>

#include "err.h"

enum policy_key {
    POLICY_PRIORITY = 0,
    POLICY_BALLOON_MIN,
    POLICY_BALLOON_MAX,
    POLICY_MIGRATE,
    POLICY_NKEYS,
};

#define POLICY_VALUE_MAX 32

/* Plain value type: copy with '='.  Values are canonical text ("2048" for
 * a size, never "2g"). */
struct policy {
    bool set[POLICY_NKEYS];
    char value[POLICY_NKEYS][POLICY_VALUE_MAX];
};

const char *policy_key_name(enum policy_key k);
/* A one-line description of a key's values, for help and errors. */
const char *policy_key_help(enum policy_key k);
int policy_key_parse(const char *name, enum policy_key *k_r,
                     struct xn_msg *msg);

/* Check a value for a key and write its canonical form (sizes take xl's
 * suffixes: 512, 512m, 2g; MiB when none). */
int policy_value_parse(enum policy_key k, const char *text,
                       char out[POLICY_VALUE_MAX], struct xn_msg *msg);

/* Settings that make sense together (balloon-min <= balloon-max). */
int policy_check(const struct policy *p, struct xn_msg *msg);

/* {"priority": "high", ...} for the set keys; and back (strict). */
struct json_object *policy_to_json(const struct policy *p);
int policy_from_json(struct json_object *o, struct policy *p,
                     struct xn_msg *msg);

/* The state directory's copy.  policy_save writes STATE_DIR/policy/UUID.json
 * through a temporary file, fsync and rename, creating the directories;
 * `name` is recorded for the admin's benefit.  policy_load returns
 * XN_ENOENT when the domain has no file. */
int policy_save(const char *state_dir, const uint8_t uuid[16],
                const char *name, const struct policy *p,
                struct xn_msg *msg);
int policy_load(const char *state_dir, const uint8_t uuid[16],
                struct policy *p, struct xn_msg *msg);

#endif
