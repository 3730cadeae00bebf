/* proto.c - building control messages, and reading a request's typed
 * arguments (proto_decode.c reads the messages themselves). */
#include "proto_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct json_object *envelope(void)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "xenith", json_object_new_int(PROTO_VERSION));
    return o;
}

struct json_object *proto_request(int64_t id, const char *op,
                                  struct json_object *take_args)
{
    struct json_object *o = envelope();
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "op", json_object_new_string(op));
    json_object_object_add(o, "args",
                           take_args ? take_args : json_object_new_object());
    return o;
}

struct json_object *proto_reply_ok(int64_t id,
                                   struct json_object *take_result)
{
    struct json_object *o = envelope();
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "ok", json_object_new_boolean(1));
    json_object_object_add(o, "result",
                           take_result ? take_result
                                       : json_object_new_object());
    return o;
}

struct json_object *proto_reply_err(int64_t id, int code, const char *message)
{
    struct json_object *o = envelope(), *e = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "ok", json_object_new_boolean(0));
    json_object_object_add(e, "code",
                           json_object_new_string(xn_errname(code)));
    json_object_object_add(e, "message", json_object_new_string(
                               message && *message ? message
                                                   : xn_strerror(code)));
    json_object_object_add(o, "error", e);
    return o;
}

struct json_object *proto_event(struct json_object *take_event)
{
    struct json_object *o = envelope();
    json_object_object_add(o, "event",
                           take_event ? take_event : json_object_new_object());
    return o;
}

char *proto_encode(struct json_object *msg, size_t *len_r)
{
    size_t n;
    const char *s = json_object_to_json_string_length(
        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    char *line = malloc(n + 2);
    if (!line)
        return NULL;
    memcpy(line, s, n);
    line[n] = '\n';
    line[n + 1] = '\0';
    if (len_r)
        *len_r = n + 1;
    return line;
}

/* --- typed arguments --- */

int proto_arg_string(struct json_object *args, const char *key, bool required,
                     const char **val_r, struct xn_msg *msg)
{
    struct json_object *v;
    if (!json_object_object_get_ex(args, key, &v) || !v) {
        if (required)
            return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" is missing",
                              key);
        *val_r = NULL;
        return 0;
    }
    if (!json_object_is_type(v, json_type_string))
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" must be a string",
                          key);
    /* A C string would end at the NUL: "web1\u0000x" must not be "web1". */
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (strlen(s) != len) {
        struct quote q;
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" contains a NUL "
                          "character (\"%s\")", key, quote(&q, s, len));
    }
    *val_r = s;
    return 0;
}

int proto_arg_int(struct json_object *args, const char *key, bool required,
                  int64_t min, int64_t max, int64_t *val_r,
                  struct xn_msg *msg)
{
    struct json_object *v;
    if (!json_object_object_get_ex(args, key, &v) || !v) {
        if (required)
            return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" is missing",
                              key);
        return 0;
    }
    if (!json_object_is_type(v, json_type_int))
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" must be an "
                          "integer", key);
    /* json-c keeps 2^63 to 2^64-1 as unsigned and clamps what lies
     * beyond; proto_decode refuses both with the text as sent, this
     * catches what reaches here by another way. */
    if (json_object_get_int64(v) == INT64_MAX &&
        json_object_get_uint64(v) > (uint64_t)INT64_MAX)
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" = %llu is "
                          INT64_RANGE, key,
                          (unsigned long long)json_object_get_uint64(v));
    int64_t x = json_object_get_int64(v);
    if (x < min || x > max)
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" = %lld is out of "
                          "range (%lld to %lld)", key, (long long)x,
                          (long long)min, (long long)max);
    *val_r = x;
    return 0;
}

int proto_arg_bool(struct json_object *args, const char *key, bool *val_r,
                   struct xn_msg *msg)
{
    struct json_object *v;
    if (!json_object_object_get_ex(args, key, &v) || !v)
        return 0;
    if (!json_object_is_type(v, json_type_boolean))
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" must be true or "
                          "false", key);
    *val_r = json_object_get_boolean(v);
    return 0;
}
