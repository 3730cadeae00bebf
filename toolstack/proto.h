/*
 * proto.h - the control protocol between xenith clients and xenithd.
 *
 * Messages are JSON objects, one per line (newline-delimited, strict JSON in
 * valid UTF-8, at most PROTO_MAX_LINE bytes including the newline, nested at
 * most PROTO_MAX_DEPTH deep; integers fit in int64, and no string or key
 * holds a NUL).  Every message carries the
 * protocol version as "xenith": PROTO_VERSION; a peer speaking another
 * version is refused with a clear error.  docs/protocol.md is the reference.
 *
 *   request  {"xenith":1, "id":N, "op":"domain.pause", "args":{...}}
 *   reply    {"xenith":1, "id":N, "ok":true,  "result":{...}}
 *            {"xenith":1, "id":N, "ok":false,
 *             "error":{"code":"ENOENT", "message":"no domain named \"x\""}}
 *   event    {"xenith":1, "event":{"type":"paused", ...}}
 *
 * JSON values are json-c objects; every function that returns one hands the
 * caller one reference (json_object_put it), and every function that takes
 * one as an argument named `take_*` consumes the caller's reference.
 */
#ifndef XENITH_PROTO_H
#define XENITH_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include <json.h>

#include "err.h"
#include "hv_types.h"

#define PROTO_VERSION 1
#define PROTO_MAX_LINE (1024 * 1024)
#define PROTO_MAX_DEPTH 32          /* objects and arrays, the message's own
                                     * included: json-c's default limit */
#define PROTO_MAX_OP 64             /* bytes of an operation name */

enum proto_kind {
    PROTO_REQUEST = 1,
    PROTO_REPLY,
    PROTO_EVENT,
};

/* A decoded message.  Pointers reach into `root`, which the struct owns;
 * release with proto_msg_dispose. */
struct proto_msg {
    struct json_object *root;
    enum proto_kind kind;
    int64_t id;                     /* request, reply */
    const char *op;                 /* request */
    struct json_object *args;       /* request: an object, never NULL */
    bool ok;                        /* reply */
    struct json_object *result;     /* reply when ok (may be NULL) */
    int err_code;                   /* reply when !ok */
    const char *err_message;        /* reply when !ok */
    struct json_object *event;      /* event */
};

void proto_msg_init(struct proto_msg *m);
void proto_msg_dispose(struct proto_msg *m);

/*
 * Decode one line (without its newline).  On failure returns XN_EPROTO with
 * msg saying what is wrong, quoting the offending part (control characters,
 * '"' and invalid UTF-8 as '?'), and m->id set when the id could be read
 * (-1 otherwise) so an error reply can name it.  A request whose envelope is
 * sound but whose "args" hold a string or key with a NUL, or an integer
 * beyond int64, fails with XN_EINVAL naming the argument; m->id and m->op
 * are then set.
 */
int proto_decode(const char *line, size_t len, struct proto_msg *m,
                 struct xn_msg *msg);

/* Build messages.  `take_args`, `take_result`, `take_event` may be NULL. */
struct json_object *proto_request(int64_t id, const char *op,
                                  struct json_object *take_args);
struct json_object *proto_reply_ok(int64_t id,
                                   struct json_object *take_result);
struct json_object *proto_reply_err(int64_t id, int code,
                                    const char *message);
struct json_object *proto_event(struct json_object *take_event);

/* Serialise to one line ending in '\n'.  malloc'd; caller frees. */
char *proto_encode(struct json_object *msg, size_t *len_r);

/* --- typed argument access: each returns 0, or XN_EINVAL with msg naming
 * the argument ("argument \"weight\" must be an integer").  A string with a
 * NUL in it and an integer beyond int64 are refused. --- */
int proto_arg_string(struct json_object *args, const char *key, bool required,
                     const char **val_r, struct xn_msg *msg);
int proto_arg_int(struct json_object *args, const char *key, bool required,
                  int64_t min, int64_t max, int64_t *val_r,
                  struct xn_msg *msg);
int proto_arg_bool(struct json_object *args, const char *key, bool *val_r,
                   struct xn_msg *msg);

/* --- hv types to and from JSON (docs/protocol.md lists the fields) --- */
struct json_object *proto_dominfo_to_json(const struct hv_dominfo *d);
int proto_dominfo_from_json(struct json_object *o, struct hv_dominfo *d,
                            struct xn_msg *msg);
struct json_object *proto_hostinfo_to_json(const struct hv_hostinfo *h);
struct json_object *proto_vcpuinfo_to_json(const struct hv_vcpuinfo *v);
struct json_object *proto_poolinfo_to_json(const struct hv_poolinfo *p);
/* {"addr", "driver", "assignable", "domid", "vslot"}; domid and vslot are
 * null for a device no domain has. */
struct json_object *proto_pcidev_to_json(const struct hv_pcidev *p);

#endif
