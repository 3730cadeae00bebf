/* ops_host.c - questions about the host, the daemon and its services; event
 * subscription. */
#include "ops.h"
#include "daemon/service.h"
#include "proto.h"

#include <unistd.h>

#ifndef XENITH_VERSION
#define XENITH_VERSION "0.1"
#endif

void op_host_info(struct request *r)
{
    struct hv_hostinfo info;
    struct xn_msg msg;
    int rc = hv_host_info(r->d->hv, &info, &msg);

    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    struct json_object *o = proto_hostinfo_to_json(&info);
    json_object_object_add(o, "uri", json_object_new_string(
                               hv_uri(r->d->hv)));
    request_ok(r, o);
}

void op_daemon_info(struct request *r)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "version",
                           json_object_new_string(XENITH_VERSION));
    json_object_object_add(o, "protocol", json_object_new_int(1));
    json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
    json_object_object_add(o, "uri",
                           json_object_new_string(hv_uri(r->d->hv)));
    json_object_object_add(o, "driver",
                           json_object_new_string(hv_driver(r->d->hv)));
    request_ok(r, o);
}

void op_events_subscribe(struct request *r)
{
    conn_subscribe(r->conn);
    request_ok(r, NULL);
}

void op_services_list(struct request *r)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "services", services_json(r->d->services));
    request_ok(r, o);
}
