/*
 * policy_keys.h - the policy keys the services own: their names, the
 * values they take, the combinations that make sense.
 *
 * Each service declares its keys (service.h); the registry is the union.
 * A key may carry the name it had before services owned their keys
 * (`legacy`, e.g. "balloon-min" for "balloon.min"): policy files written by
 * older daemons, and clients, may use either; the daemon writes the new
 * one.
 */
#ifndef XENITH_DAEMON_POLICY_KEYS_H
#define XENITH_DAEMON_POLICY_KEYS_H

#include <json.h>

#include "err.h"
#include "policy.h"

struct policy_key;

/* Check `text` for key k and write its canonical form into `out`.
 * XN_EINVAL quoting the value otherwise. */
typedef int policy_parse_fn(const struct policy_key *k, const char *text,
                            char out[POLICY_VALUE_MAX], struct xn_msg *msg);

struct policy_key {
    const char *name;               /* "balloon.min" */
    const char *legacy;             /* "balloon-min", or NULL */
    const char *help;               /* what it takes, for help and errors */
    const char *unit;               /* shown after the value ("MiB"), or
                                     * NULL */
    policy_parse_fn *parse;
    const char *const *choices;     /* for policy_parse_choice */
    long long lo, hi;               /* for policy_parse_int */
};

/* Parsers for the usual kinds of value. */
policy_parse_fn policy_parse_choice;   /* one of k->choices */
policy_parse_fn policy_parse_int;      /* a whole number in [k->lo, k->hi] */
policy_parse_fn policy_parse_mib;      /* a size as xl writes it (512, 512m,
                                        * 2g, 1t), stored in MiB */

/* Cross-key checks of one service (balloon.min <= balloon.max). */
typedef int policy_check_fn(const struct policy *p, struct xn_msg *msg);

struct policy_keys;

struct policy_keys *policy_keys_new(void);     /* NULL: out of memory */
void policy_keys_free(struct policy_keys *r);  /* NULL ok */

/* Add a service's keys (a table ended by a NULL name; static storage) and
 * its check (may be NULL).  XN_EEXIST when a name is taken already. */
int policy_keys_add(struct policy_keys *r, const char *service,
                    const struct policy_key *keys, policy_check_fn *check,
                    struct xn_msg *msg);

/* The key named `name` (its name or its legacy name), or NULL. */
const struct policy_key *policy_keys_find(const struct policy_keys *r,
                                          const char *name);

/* The key a client named (its name or its legacy name); XN_EINVAL naming
 * the known keys when there is none. */
int policy_keys_lookup(const struct policy_keys *r, const char *name,
                       const struct policy_key **k_r, struct xn_msg *msg);

/* Parse a client's value for a key, by name (policy_keys_lookup, then the
 * key's parser). */
int policy_keys_parse(const struct policy_keys *r, const char *name,
                      const char *text, const struct policy_key **k_r,
                      char out[POLICY_VALUE_MAX], struct xn_msg *msg);

/* Rename legacy keys in p to their new names (a loaded file). */
void policy_keys_canonicalize(const struct policy_keys *r, struct policy *p);

/* Every service's cross-key check. */
int policy_keys_check(const struct policy_keys *r, const struct policy *p,
                      struct xn_msg *msg);

/* [{"name", "service", "help", "unit", "legacy"}], one reference. */
struct json_object *policy_keys_json(const struct policy_keys *r);

/* Calls fn for every key, in the order they were added. */
typedef void policy_key_visit_fn(void *arg, const char *service,
                                 const struct policy_key *k);
void policy_keys_each(const struct policy_keys *r, policy_key_visit_fn *fn,
                      void *arg);

#endif
