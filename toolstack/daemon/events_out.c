/* events_out.c - the control socket's event stream: every bus event, as
 * JSON, to the clients that subscribed (`xenith events`). */
#include "daemon/daemon.h"
#include "daemon/bus.h"
#include "uuid.h"

#include <stdlib.h>

struct events_out {
    struct daemon *d;
    struct bus_sub *sub;
};

struct json_object *events_out_json(const struct bus_event *ev)
{
    struct json_object *o = json_object_new_object();
    char u[XN_UUID_TEXT];

    json_object_object_add(o, "type", json_object_new_string(
                               bus_type_name(ev->type)));
    if (ev->type == BUS_SERVICE) {
        json_object_object_add(o, "service",
                               json_object_new_string(ev->service));
        json_object_object_add(o, "what", json_object_new_string(ev->what));
    }
    if (ev->type != BUS_SERVICE || ev->name[0]) {
        json_object_object_add(o, "domid",
                               json_object_new_int64(ev->domid));
        json_object_object_add(o, "name", json_object_new_string(ev->name));
        json_object_object_add(o, "uuid", json_object_new_string(
                                   xn_uuid_format(ev->uuid, u)));
    }
    json_object_object_add(o, "time", json_object_new_double(ev->time));
    switch (ev->type) {
    case BUS_DOM_RESTARTED:
        json_object_object_add(o, "old_domid",
                               json_object_new_int64(ev->old_domid));
        break;
    case BUS_DOM_RENAMED:
        json_object_object_add(o, "old_name",
                               json_object_new_string(ev->old_name));
        break;
    case BUS_DOM_SHUTDOWN:
        json_object_object_add(o, "reason", json_object_new_string(
                                   hv_shutdown_name(ev->reason)));
        break;
    case BUS_DOM_POLICY:
        if (ev->detail)
            json_object_object_add(o, "policy", json_object_get(ev->detail));
        break;
    case BUS_SERVICE:
    case BUS_DOM_MEM_TARGET:
    case BUS_DOM_PCI:
        if (ev->detail)
            json_object_object_add(o, "detail", json_object_get(ev->detail));
        break;
    default:
        break;
    }
    return o;
}

static void on_event(void *arg, const struct bus_event *ev)
{
    struct events_out *e = arg;
    control_broadcast(e->d->control, events_out_json(ev));
}

int events_out_open(struct daemon *d, struct events_out **e_r)
{
    struct events_out *e = calloc(1, sizeof(*e));

    *e_r = NULL;
    if (!e)
        return XN_ENOMEM;
    e->d = d;
    e->sub = bus_subscribe(d->bus, BUS_ALL, on_event, e);
    if (!e->sub) {
        free(e);
        return XN_ENOMEM;
    }
    *e_r = e;
    return 0;
}

void events_out_close(struct events_out *e)
{
    if (!e)
        return;
    bus_unsubscribe(e->d->bus, e->sub);
    free(e);
}
