/*
 * migration_service.c - the live migration service's place in xenithd.
 *
 * It owns whether a domain may be moved off its host by evacuation and
 * balancing: migration.mode (allowed, never).  Encrypted migration between
 * daemons comes with issue 9; until then the service holds and checks the
 * setting, and says so in its status.
 */
#include "migration/migration_service.h"

static const char *const modes[] = {"allowed", "never", NULL};

static const struct policy_key keys[] = {
    {"migration.mode", "migrate", "allowed or never", NULL,
     policy_parse_choice, modes, 0, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0},
};

/* What runs so far: the policy (services.c adds how many domains set
 * it). */
static struct json_object *status(void *self)
{
    struct json_object *o = json_object_new_object();

    (void)self;
    json_object_object_add(o, "listening", json_object_new_boolean(0));
    return o;
}

static void status_op(void *self, struct request *r)
{
    request_ok(r, status(self));
}

static const struct service_op ops[] = {
    {"migration.status", status_op},
    {NULL, NULL},
};

const struct service migration_service = {
    .name = "migration",
    .summary = "live migration: which domains may move",
    .ops = ops,
    .keys = keys,
    .status = status,
};
