/* claims.c - names and UUIDs between "free" and "taken by a domain". */
#include "daemon/claims.h"
#include "hv.h"
#include "uuid.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

struct claim {
    char name[HV_NAME_MAX];
    uint8_t uuid[16];
    bool has_uuid;
    LIST_ENTRY(claim) link;
};

struct claims {
    LIST_HEAD(, claim) list;
};

struct claims *claims_new(void)
{
    struct claims *c = calloc(1, sizeof(*c));
    if (c)
        LIST_INIT(&c->list);
    return c;
}

void claims_free(struct claims *c)
{
    struct claim *cl;

    if (!c)
        return;
    while ((cl = LIST_FIRST(&c->list))) {
        LIST_REMOVE(cl, link);
        free(cl);
    }
    free(c);
}

/* Does a domain on the host (not dying, not `self`) have the name or the
 * UUID? */
static int host_has(struct hv *hv, const char *name, const uint8_t *uuid,
                    int64_t self, struct xn_msg *msg)
{
    struct hv_dominfo *list;
    char u[XN_UUID_TEXT];
    size_t n;
    int rc = hv_dom_list(hv, &list, &n, msg);

    if (rc < 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (list[i].state == HV_STATE_DYING || (int64_t)list[i].domid == self)
            continue;
        if (strcmp(list[i].name, name) == 0)
            rc = xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                            "exists (id %u)", name, list[i].domid);
        else if (uuid && memcmp(list[i].uuid, uuid, 16) == 0)
            rc = xn_msg_set(msg, XN_EEXIST, "domain %s (id %u) already has "
                            "UUID %s", list[i].name, list[i].domid,
                            xn_uuid_format(uuid, u));
    }
    free(list);
    return rc;
}

int claims_take(struct claims *c, struct hv *hv, const char *name,
                const uint8_t *uuid, int64_t self, struct xn_msg *msg)
{
    struct claim *cl;
    char u[XN_UUID_TEXT];
    int rc;

    LIST_FOREACH(cl, &c->list, link) {
        if (strcmp(cl->name, name) == 0)
            return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" is "
                              "being created already", name);
        if (uuid && cl->has_uuid && memcmp(cl->uuid, uuid, 16) == 0)
            return xn_msg_set(msg, XN_EEXIST, "a domain with UUID %s is "
                              "being created already (%s)",
                              xn_uuid_format(uuid, u), cl->name);
    }
    if ((rc = host_has(hv, name, uuid, self, msg)) < 0)
        return rc;
    cl = calloc(1, sizeof(*cl));
    if (!cl)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    snprintf(cl->name, sizeof(cl->name), "%s", name);
    if (uuid) {
        memcpy(cl->uuid, uuid, 16);
        cl->has_uuid = true;
    }
    LIST_INSERT_HEAD(&c->list, cl, link);
    return 0;
}

void claims_drop(struct claims *c, const char *name)
{
    struct claim *cl;

    LIST_FOREACH(cl, &c->list, link) {
        if (strcmp(cl->name, name) == 0) {
            LIST_REMOVE(cl, link);
            free(cl);
            return;
        }
    }
}
