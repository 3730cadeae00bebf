/*
 * policy.h - a domain's policy: a few named settings that the daemon's
 * services read, and the file it is kept in.
 *
 * This is storage only.  Which keys exist, what values they take and which
 * combinations make sense belong to the services that own them
 * (daemon/policy_keys.h); the core names none of them.  Keys are
 * namespaced by their service ("balloon.min", "sched.class").
 *
 * Policies are kept by domain UUID, so they follow a domain through
 * reboot, save/restore and migration, in two places (docs/policy.md):
 *   - the daemon's state directory, one file per domain
 *     (STATE_DIR/policy/UUID.json), written atomically, so a policy
 *     survives the daemon being killed and the host rebooting;
 *   - the domain's xenstore entry, /vm/UUID/xenith/policy/SERVICE/KEY, so tools and
 *     guest-side agents can read it and it travels with the domain.
 */
#ifndef XENITH_POLICY_H
#define XENITH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json.h>

#include "err.h"

#define POLICY_KEY_MAX 48       /* longest key, with NUL */
#define POLICY_VALUE_MAX 64     /* longest value, with NUL */
#define POLICY_MAX 32           /* settings per domain */

/* Plain value type: copy with '='.  Values are canonical text ("2048" for
 * a size, never "2g"), as the owning service wrote them. */
struct policy {
    size_t n;
    struct policy_entry {
        char key[POLICY_KEY_MAX];
        char value[POLICY_VALUE_MAX];
    } e[POLICY_MAX];
};

void policy_init(struct policy *p);
/* The value of `key`, or NULL when it is not set. */
const char *policy_get(const struct policy *p, const char *key);
/* Set or replace; XN_EINVAL when the key or value is too long or the
 * policy is full. */
int policy_set(struct policy *p, const char *key, const char *value,
               struct xn_msg *msg);
/* True when the key was set. */
bool policy_unset(struct policy *p, const char *key);

/* A key as a policy file or a client may spell one: 1..47 characters of
 * [a-z0-9._-], starting with a letter.  XN_EINVAL quoting it otherwise. */
int policy_key_syntax(const char *key, struct xn_msg *msg);

/* {"sched.class": "high", ...}; and back (strings only, keys by
 * policy_key_syntax; the values are the owners' to check). */
struct json_object *policy_to_json(const struct policy *p);
int policy_from_json(struct json_object *o, struct policy *p,
                     struct xn_msg *msg);

/* The state directory's copy.  policy_save writes STATE_DIR/policy/UUID.json
 * through a temporary file, fsync and rename, creating the directories;
 * `name` is recorded for the admin's benefit.  policy_load returns
 * XN_ENOENT when the domain has no file, XN_ECORRUPT when it is damaged. */
int policy_save(const char *state_dir, const uint8_t uuid[16],
                const char *name, const struct policy *p,
                struct xn_msg *msg);
int policy_load(const char *state_dir, const uint8_t uuid[16],
                struct policy *p, struct xn_msg *msg);

#endif
