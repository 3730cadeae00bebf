/* request.c - one request's life: created on arrival, answered once, freed. */
#include "daemon.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>

struct request *request_new(struct daemon *d, struct conn *conn, int64_t id,
                            const char *op, struct json_object *args)
{
    struct request *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->op = strdup(op);
    if (!r->op) {
        free(r);
        return NULL;
    }
    r->d = d;
    r->conn = conn;
    r->id = id;
    r->args = json_object_get(args);
    conn_ref(conn);
    conn_request_begin(conn);
    return r;
}

static void request_free(struct request *r)
{
    conn_request_end(r->conn);
    conn_unref(r->conn);
    json_object_put(r->args);
    free(r->op);
    free(r);
}

void request_ok(struct request *r, struct json_object *take_result)
{
    struct json_object *reply = proto_reply_ok(r->id, take_result);
    conn_send(r->conn, reply);
    json_object_put(reply);
    request_free(r);
}

void request_fail(struct request *r, int code, const char *message)
{
    struct json_object *reply = proto_reply_err(r->id, code, message);
    conn_send(r->conn, reply);
    json_object_put(reply);
    request_free(r);
}

void request_fail_msg(struct request *r, int code, const struct xn_msg *msg)
{
    request_fail(r, code, msg && msg->text[0] ? msg->text : NULL);
}

bool request_orphaned(const struct request *r)
{
    return conn_closed(r->conn);
}
