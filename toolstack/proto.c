/* proto.c - framing, validation and construction of control messages. */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void proto_msg_init(struct proto_msg *m)
{
    memset(m, 0, sizeof(*m));
    m->id = -1;
}

void proto_msg_dispose(struct proto_msg *m)
{
    if (m->root)
        json_object_put(m->root);
    proto_msg_init(m);
}

/* Quote at most 60 bytes of untrusted text for an error message. */
static void quote_prefix(const char *s, size_t len, char *out, size_t outlen)
{
    size_t n = len < 60 ? len : 60, o = 0;
    for (size_t i = 0; i < n && o + 5 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
    }
    if (n < len && o + 4 < outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static int decode_reply(struct proto_msg *m, struct json_object *okv,
                        struct xn_msg *msg)
{
    struct json_object *err, *v;

    if (!json_object_is_type(okv, json_type_boolean))
        return xn_msg_set(msg, XN_EPROTO, "reply %lld: \"ok\" must be true "
                          "or false", (long long)m->id);
    m->kind = PROTO_REPLY;
    m->ok = json_object_get_boolean(okv);
    if (m->ok) {
        json_object_object_get_ex(m->root, "result", &m->result);
        return 0;
    }
    if (!json_object_object_get_ex(m->root, "error", &err) ||
        !json_object_is_type(err, json_type_object))
        return xn_msg_set(msg, XN_EPROTO, "reply %lld: failed without an "
                          "\"error\" object", (long long)m->id);
    m->err_code = XN_EFAIL;
    if (json_object_object_get_ex(err, "code", &v) &&
        json_object_is_type(v, json_type_string))
        m->err_code = xn_errcode(json_object_get_string(v));
    m->err_message = "(no message)";
    if (json_object_object_get_ex(err, "message", &v) &&
        json_object_is_type(v, json_type_string))
        m->err_message = json_object_get_string(v);
    return 0;
}

int proto_decode(const char *line, size_t len, struct proto_msg *m,
                 struct xn_msg *msg)
{
    struct json_tokener *tok;
    struct json_object *root, *v;
    char q[80];

    proto_msg_init(m);
    quote_prefix(line, len, q, sizeof(q));
    if (len >= PROTO_MAX_LINE)
        return xn_msg_set(msg, XN_EPROTO, "message of %zu bytes is longer "
                          "than the limit of %d", len, PROTO_MAX_LINE);
    tok = json_tokener_new();
    if (!tok)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    root = json_tokener_parse_ex(tok, line, (int)len);
    if (root && tok->char_offset != (int)len) {
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    if (!root)
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is not one JSON "
                          "object", q);
    m->root = root;
    if (!json_object_is_type(root, json_type_object))
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is not a JSON "
                          "object", q);
    if (json_object_object_get_ex(root, "id", &v) &&
        json_object_is_type(v, json_type_int))
        m->id = json_object_get_int64(v);
    if (!json_object_object_get_ex(root, "xenith", &v) ||
        !json_object_is_type(v, json_type_int))
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" has no protocol "
                          "version (\"xenith\": %d)", q, PROTO_VERSION);
    if (json_object_get_int64(v) != PROTO_VERSION)
        return xn_msg_set(msg, XN_EPROTO, "protocol version %lld is not "
                          "supported (this side speaks version %d)",
                          (long long)json_object_get_int64(v), PROTO_VERSION);

    if (json_object_object_get_ex(root, "event", &m->event)) {
        m->kind = PROTO_EVENT;
        return 0;
    }
    if (json_object_object_get_ex(root, "ok", &v))
        return decode_reply(m, v, msg);
    if (!json_object_object_get_ex(root, "op", &v) ||
        !json_object_is_type(v, json_type_string))
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is neither a "
                          "request (\"op\"), a reply (\"ok\") nor an event",
                          q);
    m->kind = PROTO_REQUEST;
    m->op = json_object_get_string(v);
    if (m->id < 0)
        return xn_msg_set(msg, XN_EPROTO, "request \"%s\" has no "
                          "non-negative integer \"id\"", m->op);
    if (!json_object_object_get_ex(root, "args", &m->args)) {
        m->args = json_object_new_object();
        json_object_object_add(root, "args", m->args);
    }
    if (!json_object_is_type(m->args, json_type_object))
        return xn_msg_set(msg, XN_EPROTO, "request %lld (%s): \"args\" must "
                          "be an object", (long long)m->id, m->op);
    return 0;
}

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
    *val_r = json_object_get_string(v);
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
