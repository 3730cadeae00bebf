/* msg_encode.c - a struct mig_msg into its JSON payload.  What it writes is
 * read back by the decoder before it is handed out, so an encoded message
 * passes the same checks a peer will make (XN_EINVAL and the decoder's
 * sentence when it does not). */
#include "migration/wire/frame.h"
#include "migration/wire/json_one.h"
#include "migration/wire/msg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uuid.h"

/* The string in a fixed field, no further than the field (a full field
 * without its NUL gives a string the decoder finds too long). */
#define FIELD_STR(f) json_object_new_string_len((f), (int)strnlen((f), \
                                                          sizeof(f)))

static void add(struct json_object *o, const char *key, struct json_object *v)
{
    json_object_object_add(o, key, v);
}

static void add_uint(struct json_object *o, const char *key, uint64_t v)
{
    add(o, key, json_object_new_uint64(v));
}

static int enc_hello(const char *what, const struct mig_msg *m,
                     struct json_object *o, struct xn_msg *msg)
{
    const struct mig_hello *h = &m->u.hello;
    struct json_object *a;

    if (h->caps & ~MIG_CAP_ZSTD)
        return xn_msg_set(msg, XN_EINVAL, "%s: unknown caps 0x%x", what,
                          h->caps & ~MIG_CAP_ZSTD);
    a = json_object_new_array();
    json_object_array_add(a, json_object_new_uint64(h->vmin));
    json_object_array_add(a, json_object_new_uint64(h->vmax));
    add(o, "versions", a);
    add(o, "host", FIELD_STR(h->host));
    a = json_object_new_array();
    if (h->caps & MIG_CAP_ZSTD)
        json_object_array_add(a, json_object_new_string("zstd"));
    add(o, "caps", a);
    return 0;
}

/* json-c keeps one value a key: two entries with one key would arrive as
 * one. */
static int policy_dups(const char *what, const struct mig_prepare *p,
                       struct xn_msg *msg)
{
    char q[MIG_QUOTE_BUF];

    for (size_t i = 0; i < p->npolicy; i++) {
        const char *k = p->policy[i].key;
        for (size_t j = 0; j < i; j++)
            if (strncmp(k, p->policy[j].key, MIG_POLICY_LEN) == 0)
                return xn_msg_set(msg, XN_EINVAL, "%s: \"policy\": \"%s\" "
                                  "is there twice", what,
                                  mig_quote(k, strnlen(k, MIG_POLICY_LEN),
                                            q));
    }
    return 0;
}

static int enc_prepare(const char *what, const struct mig_msg *m,
                       struct json_object *o, struct xn_msg *msg)
{
    const struct mig_prepare *p = &m->u.prepare;
    struct json_object *config = NULL, *policy;
    char uuid[XN_UUID_TEXT], prefix[40];
    int rc;

    if (!p->config_json)
        return xn_msg_set(msg, XN_EINVAL, "%s: \"config\" is missing", what);
    if (p->npolicy > MIG_POLICY_MAX)
        return xn_msg_set(msg, XN_EINVAL, "%s: \"policy\" has more than %d "
                          "entries", what, MIG_POLICY_MAX);
    rc = policy_dups(what, p, msg);
    if (rc < 0)
        return rc;
    snprintf(prefix, sizeof(prefix), "%s: \"config\"", what);
    rc = mig_json_one(prefix, (const uint8_t *)p->config_json,
                      strlen(p->config_json), &config, msg);
    if (rc < 0)
        return XN_EINVAL;
    add(o, "name", FIELD_STR(p->name));
    add(o, "uuid", json_object_new_string(xn_uuid_format(p->uuid, uuid)));
    add_uint(o, "memory_kb", p->memory_kb);
    add(o, "config", config);
    policy = json_object_new_object();
    for (size_t i = 0; i < p->npolicy; i++) {
        const struct mig_policy_entry *e = &p->policy[i];
        /* a key cut at MIG_POLICY_LEN - 1 fails the decoder as too long,
         * and one with a NUL inside is cut there by the C string */
        char key[MIG_POLICY_LEN + 1];
        memcpy(key, e->key, MIG_POLICY_LEN);
        key[MIG_POLICY_LEN] = '\0';
        json_object_object_add(policy, key, FIELD_STR(e->value));
    }
    add(o, "policy", policy);
    add(o, "live", json_object_new_boolean(p->live));
    add(o, "paused", json_object_new_boolean(p->paused));
    add(o, "stream", FIELD_STR(p->stream));
    return 0;
}

static int enc_ready(const char *what, const struct mig_msg *m,
                     struct json_object *o, struct xn_msg *msg)
{
    add(o, "domname", FIELD_STR(m->u.ready.domname));
    return 0;
}

static int enc_refuse(const char *what, const struct mig_msg *m,
                      struct json_object *o, struct xn_msg *msg)
{
    const struct mig_refuse *r = &m->u.refuse;

    if (r->code >= 0 || r->code < XN_ERR_MIN)
        return xn_msg_set(msg, XN_EINVAL, "%s: %d is not an error code",
                          what, r->code);
    add(o, "code", json_object_new_string(xn_errname(r->code)));
    add(o, "reason", FIELD_STR(r->reason));
    return 0;
}

static int enc_end(const char *what, const struct mig_msg *m,
                   struct json_object *o, struct xn_msg *msg)
{
    add_uint(o, "bytes", m->u.end.bytes);
    return 0;
}

static int enc_restored(const char *what, const struct mig_msg *m,
                        struct json_object *o, struct xn_msg *msg)
{
    add_uint(o, "domid", m->u.restored.domid);
    return 0;
}

static int enc_go(const char *what, const struct mig_msg *m,
                  struct json_object *o, struct xn_msg *msg)
{
    add_uint(o, "suspended_for_ms", m->u.go.suspended_for_ms);
    return 0;
}

static int enc_confirm(const char *what, const struct mig_msg *m,
                       struct json_object *o, struct xn_msg *msg)
{
    const struct mig_confirm *c = &m->u.confirm;

    add(o, "running", json_object_new_boolean(c->running));
    add_uint(o, "domid", c->domid);
    add_uint(o, "downtime_ms", c->downtime_ms);
    return 0;
}

static int enc_progress(const char *what, const struct mig_msg *m,
                        struct json_object *o, struct xn_msg *msg)
{
    const struct mig_progress *p = &m->u.progress;

    add_uint(o, "bytes", p->bytes);
    add_uint(o, "iteration", p->iteration);
    add_uint(o, "remaining", p->remaining);
    add_uint(o, "rate", p->rate);
    return 0;
}

typedef int encode_fn(const char *what, const struct mig_msg *m,
                      struct json_object *o, struct xn_msg *msg);

static encode_fn *const encoders[] = {
    [MIG_F_HELLO] = enc_hello,
    [MIG_F_PREPARE] = enc_prepare,
    [MIG_F_READY] = enc_ready,
    [MIG_F_REFUSE] = enc_refuse,
    [MIG_F_END] = enc_end,
    [MIG_F_RESTORED] = enc_restored,
    [MIG_F_GO] = enc_go,
    [MIG_F_CONFIRM] = enc_confirm,
    [MIG_F_ABORT] = enc_refuse,
    [MIG_F_PROGRESS] = enc_progress,
};

/* Whether the decoder takes text[0..len): the same checks a peer makes. */
static int check_decodes(unsigned type, const char *text, size_t len,
                         struct xn_msg *msg)
{
    struct mig_msg *back = malloc(sizeof(*back));
    int rc;

    if (!back)
        return xn_msg_set(msg, XN_EFAIL, "%s: out of memory",
                          mig_ftype_name(type));
    rc = mig_msg_decode(type, (const uint8_t *)text, len, back, msg);
    if (rc == 0)
        mig_msg_dispose(back);
    free(back);
    return rc == XN_EPROTO ? XN_EINVAL : rc;
}

int mig_msg_encode(const struct mig_msg *m, uint8_t **buf_r, size_t *len_r,
                   struct xn_msg *msg)
{
    const char *what = mig_ftype_name(m->type);
    struct json_object *o = NULL;
    const char *text;
    size_t len;
    int rc;

    *buf_r = NULL;
    *len_r = 0;
    if (m->type >= sizeof(encoders) / sizeof(encoders[0]) ||
        !encoders[m->type])
        return xn_msg_set(msg, XN_EINVAL, "frame type %u (%s) carries no "
                          "message", m->type, what);
    o = json_object_new_object();
    if (!o)
        return xn_msg_set(msg, XN_EFAIL, "%s: out of memory", what);
    rc = encoders[m->type](what, m, o, msg);
    if (rc < 0)
        goto out;
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                          JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text) {
        rc = xn_msg_set(msg, XN_EFAIL, "%s: out of memory", what);
        goto out;
    }
    len = strlen(text);
    if (len > MIG_CTRL_MAX) {
        rc = xn_msg_set(msg, XN_EINVAL, "%s: a message of %zu bytes is "
                        "over the maximum of %u", what, len, MIG_CTRL_MAX);
        goto out;
    }
    rc = check_decodes(m->type, text, len, msg);
    if (rc < 0)
        goto out;
    *buf_r = malloc(len);
    if (!*buf_r) {
        rc = xn_msg_set(msg, XN_EFAIL, "%s: out of memory", what);
        goto out;
    }
    memcpy(*buf_r, text, len);
    *len_r = len;
out:
    json_object_put(o);
    return rc;
}

int mig_msg_frame(const struct mig_msg *m, uint8_t **buf_r, size_t *len_r,
                  struct xn_msg *msg)
{
    uint8_t *payload, *frame;
    size_t len;
    int rc;

    *buf_r = NULL;
    *len_r = 0;
    rc = mig_msg_encode(m, &payload, &len, msg);
    if (rc < 0)
        return rc;
    frame = malloc(MIG_FRAME_HDR + len);
    if (!frame) {
        free(payload);
        return xn_msg_set(msg, XN_EFAIL, "%s: out of memory",
                          mig_ftype_name(m->type));
    }
    mig_frame_hdr_encode(frame, m->type, (uint32_t)len);
    memcpy(frame + MIG_FRAME_HDR, payload, len);
    free(payload);
    *buf_r = frame;
    *len_r = MIG_FRAME_HDR + len;
    return 0;
}
