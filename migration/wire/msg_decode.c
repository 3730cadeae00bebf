/* msg_decode.c - a control frame's JSON object into a struct mig_msg,
 * strictly: every field there, of its type, in its range. */
#include "migration/wire/frame.h"
#include "migration/wire/json_one.h"
#include "migration/wire/msg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "uuid.h"

#define VERSIONS_WANT "[MIN, MAX] with 1 <= MIN <= MAX <= 1000"
#define CAPS_WANT "an array of at most 32 strings"

void mig_msg_init(struct mig_msg *m, unsigned type)
{
    memset(m, 0, sizeof(*m));
    m->type = type;
}

void mig_msg_dispose(struct mig_msg *m)
{
    if (m->type == MIG_F_PREPARE)
        free(m->u.prepare.config_json);
    mig_msg_init(m, m->type);
}

static bool is_control(unsigned type)
{
    return type >= MIG_F_MIN && type <= MIG_F_MAX && type != MIG_F_DATA &&
           type != MIG_F_DATA_Z;
}

/* An element of hello's versions: 1..MIG_VERSIONS_CAP. */
static bool version_ok(struct json_object *e, uint32_t *v_r)
{
    int64_t x = json_object_get_int64(e);

    if (!json_object_is_type(e, json_type_int) || x < 1 ||
        x > MIG_VERSIONS_CAP)
        return false;
    *v_r = (uint32_t)x;
    return true;
}

static int dec_hello(const char *what, struct json_object *o,
                     struct mig_msg *m, struct xn_msg *msg)
{
    struct mig_hello *h = &m->u.hello;
    struct json_object *v;
    char q[MIG_QUOTE_BUF];
    size_t n;
    int rc;

    rc = mig_field_get(what, o, "versions", json_type_array, VERSIONS_WANT,
                       &v, msg);
    if (rc < 0)
        return rc;
    if (json_object_array_length(v) != 2 ||
        !version_ok(json_object_array_get_idx(v, 0), &h->vmin) ||
        !version_ok(json_object_array_get_idx(v, 1), &h->vmax) ||
        h->vmin > h->vmax)
        return xn_msg_set(msg, XN_EPROTO, "%s: \"versions\" must be %s",
                          what, VERSIONS_WANT);
    rc = mig_field_str(what, o, "host", false, h->host, sizeof(h->host), msg);
    if (rc < 0)
        return rc;
    if (!mig_host_valid(h->host))
        return xn_msg_set(msg, XN_EPROTO, "%s: \"host\": \"%s\" is not a "
                          "valid host name", what,
                          mig_quote(h->host, strlen(h->host), q));
    rc = mig_field_get(what, o, "caps", json_type_array, CAPS_WANT, &v, msg);
    if (rc < 0)
        return rc;
    n = json_object_array_length(v);
    if (n > MIG_CAPS_MAX)
        return xn_msg_set(msg, XN_EPROTO, "%s: \"caps\" must be %s", what,
                          CAPS_WANT);
    h->caps = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        const char *s;
        if (!json_object_is_type(e, json_type_string))
            return xn_msg_set(msg, XN_EPROTO, "%s: \"caps\" must be %s",
                              what, CAPS_WANT);
        s = json_object_get_string(e);
        rc = mig_field_text(what, "\"caps\"", s,
                            (size_t)json_object_get_string_len(e), false,
                            MIG_CAP_LEN, msg);
        if (rc < 0)
            return rc;
        if (strcmp(s, "zstd") == 0)
            h->caps |= MIG_CAP_ZSTD;
    }
    return 0;
}

/* "policy": an object of at most MIG_POLICY_MAX strings. */
static int dec_policy(const char *what, struct json_object *o,
                      struct mig_prepare *p, struct xn_msg *msg)
{
    struct json_object *v;
    int rc;

    rc = mig_field_get(what, o, "policy", json_type_object,
                       "an object of strings", &v, msg);
    if (rc < 0)
        return rc;
    if (json_object_object_length(v) > MIG_POLICY_MAX)
        return xn_msg_set(msg, XN_EPROTO, "%s: \"policy\" has more than %d "
                          "entries", what, MIG_POLICY_MAX);
    p->npolicy = 0;
    json_object_object_foreach(v, key, val) {
        struct mig_policy_entry *e = &p->policy[p->npolicy];
        size_t klen = strlen(key), vlen;
        char label[MIG_QUOTE_BUF + 16], q[MIG_QUOTE_BUF];

        rc = mig_field_text(what, "\"policy\" key", key, klen, false,
                            MIG_POLICY_LEN, msg);
        if (rc < 0)
            return rc;
        mig_quote(key, klen, q);
        if (!json_object_is_type(val, json_type_string))
            return xn_msg_set(msg, XN_EPROTO, "%s: \"policy\": \"%s\" must "
                              "be a string", what, q);
        snprintf(label, sizeof(label), "\"policy\": \"%s\"", q);
        vlen = (size_t)json_object_get_string_len(val);
        rc = mig_field_text(what, label, json_object_get_string(val), vlen,
                            true, MIG_POLICY_LEN, msg);
        if (rc < 0)
            return rc;
        memcpy(e->key, key, klen + 1);
        memcpy(e->value, json_object_get_string(val), vlen + 1);
        p->npolicy++;
    }
    return 0;
}

/* "stream": a driver's stream kind, a short lower-case word ("xen"); the
 * receiver refuses one that is not its own. */
static bool stream_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static int dec_prepare(const char *what, struct json_object *o,
                       struct mig_msg *m, struct xn_msg *msg)
{
    struct mig_prepare *p = &m->u.prepare;
    struct json_object *v;
    const char *s, *cfg;
    char q[MIG_QUOTE_BUF];
    size_t len;
    int rc;

    rc = mig_field_str(what, o, "name", false, p->name, sizeof(p->name),
                       msg);
    if (rc < 0)
        return rc;
    rc = mig_field_get(what, o, "uuid", json_type_string, "a string", &v,
                       msg);
    if (rc < 0)
        return rc;
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (len != 36 || strlen(s) != len || xn_uuid_parse(s, p->uuid) < 0)
        return xn_msg_set(msg, XN_EPROTO, "%s: \"uuid\": \"%s\" is not a "
                          "UUID", what, mig_quote(s, len, q));
    rc = mig_field_uint(what, o, "memory_kb", 1, MIG_MEMORY_KB_MAX,
                        &p->memory_kb, msg);
    if (rc < 0)
        return rc;
    rc = mig_field_get(what, o, "config", json_type_object, "a JSON object",
                       &v, msg);
    if (rc < 0)
        return rc;
    /* the text lives in v (so in o) until the caller puts o */
    cfg = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                         JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!cfg)
        return xn_msg_set(msg, XN_EFAIL, "%s: out of memory", what);
    if (!xn_utf8_valid(cfg, strlen(cfg)))
        return xn_msg_set(msg, XN_EPROTO, "%s: \"config\" is not valid "
                          "UTF-8", what);
    rc = dec_policy(what, o, p, msg);
    if (rc < 0)
        return rc;
    rc = mig_field_bool(what, o, "live", &p->live, msg);
    if (rc == 0)
        rc = mig_field_bool(what, o, "paused", &p->paused, msg);
    if (rc == 0)
        rc = mig_field_str(what, o, "stream", false, p->stream,
                           sizeof(p->stream), msg);
    if (rc < 0)
        return rc;
    if (!stream_ok(p->stream))
        return xn_msg_set(msg, XN_EPROTO, "%s: \"stream\": \"%s\" is not a "
                          "stream kind", what,
                          mig_quote(p->stream, strlen(p->stream), q));
    /* last: nothing to free on the way out before it */
    p->config_json = strdup(cfg);
    if (!p->config_json)
        return xn_msg_set(msg, XN_EFAIL, "%s: out of memory", what);
    return 0;
}

static int dec_ready(const char *what, struct json_object *o,
                     struct mig_msg *m, struct xn_msg *msg)
{
    return mig_field_str(what, o, "domname", false, m->u.ready.domname,
                         sizeof(m->u.ready.domname), msg);
}

static int dec_refuse(const char *what, struct json_object *o,
                      struct mig_msg *m, struct xn_msg *msg)
{
    struct mig_refuse *r = &m->u.refuse;
    char code[MIG_ERRNAME_LEN];
    int rc;

    rc = mig_field_str(what, o, "code", false, code, sizeof(code), msg);
    if (rc == 0)
        rc = mig_field_str(what, o, "reason", true, r->reason,
                           sizeof(r->reason), msg);
    if (rc < 0)
        return rc;
    r->code = xn_errcode(code);
    if (r->code == XN_OK)           /* "OK" is no reason to refuse */
        r->code = XN_EFAIL;
    return 0;
}

static int dec_end(const char *what, struct json_object *o,
                   struct mig_msg *m, struct xn_msg *msg)
{
    return mig_field_uint(what, o, "bytes", 0, MIG_U63_MAX, &m->u.end.bytes,
                          msg);
}

static int dec_domid(const char *what, struct json_object *o,
                     uint32_t *domid_r, struct xn_msg *msg)
{
    uint64_t v;
    int rc = mig_field_uint(what, o, "domid", 1, MIG_DOMID_MAX, &v, msg);

    if (rc == 0)
        *domid_r = (uint32_t)v;
    return rc;
}

static int dec_restored(const char *what, struct json_object *o,
                        struct mig_msg *m, struct xn_msg *msg)
{
    return dec_domid(what, o, &m->u.restored.domid, msg);
}

static int dec_go(const char *what, struct json_object *o,
                  struct mig_msg *m, struct xn_msg *msg)
{
    return mig_field_uint(what, o, "suspended_for_ms", 0, MIG_U63_MAX,
                          &m->u.go.suspended_for_ms, msg);
}

static int dec_confirm(const char *what, struct json_object *o,
                       struct mig_msg *m, struct xn_msg *msg)
{
    struct mig_confirm *c = &m->u.confirm;
    int rc;

    rc = mig_field_bool(what, o, "running", &c->running, msg);
    if (rc == 0)
        rc = dec_domid(what, o, &c->domid, msg);
    if (rc == 0)
        rc = mig_field_uint(what, o, "downtime_ms", 0, MIG_U63_MAX,
                            &c->downtime_ms, msg);
    return rc;
}

static int dec_progress(const char *what, struct json_object *o,
                        struct mig_msg *m, struct xn_msg *msg)
{
    struct mig_progress *p = &m->u.progress;
    uint64_t it = 0;
    int rc;

    rc = mig_field_uint(what, o, "bytes", 0, MIG_U63_MAX, &p->bytes, msg);
    if (rc == 0)
        rc = mig_field_uint(what, o, "iteration", 0, UINT32_MAX, &it, msg);
    if (rc == 0)
        rc = mig_field_uint(what, o, "remaining", 0, MIG_U63_MAX,
                            &p->remaining, msg);
    if (rc == 0)
        rc = mig_field_uint(what, o, "rate", 0, MIG_U63_MAX, &p->rate, msg);
    p->iteration = (uint32_t)it;
    return rc;
}

typedef int decode_fn(const char *what, struct json_object *o,
                      struct mig_msg *m, struct xn_msg *msg);

static decode_fn *const decoders[] = {
    [MIG_F_HELLO] = dec_hello,
    [MIG_F_PREPARE] = dec_prepare,
    [MIG_F_READY] = dec_ready,
    [MIG_F_REFUSE] = dec_refuse,
    [MIG_F_END] = dec_end,
    [MIG_F_RESTORED] = dec_restored,
    [MIG_F_GO] = dec_go,
    [MIG_F_CONFIRM] = dec_confirm,
    [MIG_F_ABORT] = dec_refuse,
    [MIG_F_PROGRESS] = dec_progress,
};

int mig_msg_decode(unsigned type, const uint8_t *buf, size_t len,
                   struct mig_msg *m, struct xn_msg *msg)
{
    const char *what = mig_ftype_name(type);
    struct json_object *o = NULL;
    int rc;

    mig_msg_init(m, type);
    if (!is_control(type))
        return xn_msg_set(msg, XN_EINVAL, "frame type %u (%s) carries no "
                          "message", type, what);
    if (len > MIG_CTRL_MAX)
        return xn_msg_set(msg, XN_EPROTO, "%s: a message of %zu bytes is "
                          "over the maximum of %u", what, len, MIG_CTRL_MAX);
    rc = mig_json_one(what, buf, len, &o, msg);
    if (rc == 0)
        rc = decoders[type](what, o, m, msg);
    if (o)
        json_object_put(o);
    if (rc < 0)
        mig_msg_dispose(m);
    return rc;
}
