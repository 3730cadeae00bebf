/* proto_decode.c - reading one control message: framing, strict JSON,
 * what json-c's tree cannot show (NULs in strings and keys, integers beyond
 * 64 bits), and the envelope of requests, replies and events. */
#include "proto_int.h"

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

/* --- what json-c's tree cannot show ---
 *
 * json-c clamps an integer beyond int64 to the nearest bound without a
 * word, and cuts a key at an escaped NUL ("a\u0000b" becomes "a").  So the
 * text of every line json-c accepted is read once more, token by token, for
 * the first integer that does not fit and the first string or key that
 * holds a NUL.  json-c (strict) has checked the syntax already: this only
 * needs to tell tokens apart and where they sit. */

enum flaw_kind {
    FLAW_NONE,
    FLAW_NUL_KEY,       /* a key with an escaped NUL */
    FLAW_NUL_STRING,    /* a string value with an escaped NUL */
    FLAW_BIG_INT,       /* an integer beyond int64 */
};

struct flaw {
    enum flaw_kind kind;
    const char *text;       /* the token as sent (a string without quotes) */
    size_t len;
    const char *top;        /* the key it sits under in the message */
    size_t top_len;
    const char *arg;        /* ...and under that, when top is an object */
    size_t arg_len;
    int depth;              /* containers around it (1: the message) */
};

/* Whether an integer token ("-"? digits) fits in int64. */
static bool int64_fits(const char *s, size_t len)
{
    static const char max[] = "9223372036854775807";
    bool neg = len > 0 && s[0] == '-';
    size_t i = neg ? 1 : 0, n;

    while (i + 1 < len && s[i] == '0')
        i++;
    n = len - i;
    if (n != sizeof(max) - 1)
        return n < sizeof(max) - 1;
    /* 19 digits: compare with the bound; -9223372036854775808 fits */
    return memcmp(s + i, max, n) <= 0 ||
           (neg && memcmp(s + i, "9223372036854775808", n) == 0);
}

/* The end of the string token whose opening quote is at s[i]; *nul_r tells
 * whether it holds an escaped NUL. */
static size_t string_end(const char *s, size_t len, size_t i, bool *nul_r)
{
    char q = s[i++];

    *nul_r = false;
    while (i < len && s[i] != q) {
        if (s[i] == '\\' && i + 1 < len) {
            if (s[i + 1] == 'u' && i + 6 <= len &&
                memcmp(s + i + 2, "0000", 4) == 0)
                *nul_r = true;
            i += 2;
        } else {
            i++;
        }
    }
    return i;
}

static void find_flaw(const char *s, size_t len, struct flaw *f)
{
    struct {
        bool object, want_key;
        const char *key;
        size_t key_len;
    } st[PROTO_MAX_DEPTH + 1];
    int depth = 0;
    size_t i = 0;

    memset(f, 0, sizeof(*f));
    while (i < len) {
        char c = s[i];
        if (c == '{' || c == '[') {
            if (depth > PROTO_MAX_DEPTH)
                return;             /* json-c refused this already */
            st[depth].object = st[depth].want_key = c == '{';
            st[depth].key = NULL;
            st[depth].key_len = 0;
            depth++;
            i++;
        } else if (c == '}' || c == ']') {
            depth -= depth > 0;
            i++;
        } else if (c == ',' || c == ':') {
            if (depth > 0)
                st[depth - 1].want_key = st[depth - 1].object && c == ',';
            i++;
        } else if (c == '"' || c == '\'') {
            bool nul, key = depth > 0 && st[depth - 1].want_key;
            size_t end = string_end(s, len, i, &nul);
            if (key) {
                st[depth - 1].key = s + i + 1;
                st[depth - 1].key_len = end - i - 1;
            }
            if (nul) {
                f->kind = key ? FLAW_NUL_KEY : FLAW_NUL_STRING;
                f->text = s + i + 1;
                f->len = end - i - 1;
                break;
            }
            i = end + 1;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = i++;
            bool integer = true;
            while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
                               s[i] == 'e' || s[i] == 'E' || s[i] == '+' ||
                               s[i] == '-')) {
                integer &= s[i] >= '0' && s[i] <= '9';
                i++;
            }
            if (integer && i - start > (c == '-') &&
                !int64_fits(s + start, i - start)) {
                f->kind = FLAW_BIG_INT;
                f->text = s + start;
                f->len = i - start;
                break;
            }
        } else {
            i++;    /* white space; true, false, null, NaN, Infinity */
        }
    }
    f->depth = depth;
    if (f->kind && depth > 0) {
        f->top = st[0].key;
        f->top_len = st[0].key_len;
    }
    if (f->kind && depth > 1) {
        f->arg = st[1].key;
        f->arg_len = st[1].key_len;
    }
}

/* Whether the text of a key as sent (escapes and all) spells `name`, an
 * ASCII word: "\u0069d" is "id" to json-c, so it is to us. */
static bool key_is(const char *k, size_t len, const char *name)
{
    size_t i = 0;

    if (!k)
        return false;
    for (; *name; name++) {
        int c = i < len ? (unsigned char)k[i] : -1;
        if (c == '\\' && i + 6 <= len && k[i + 1] == 'u') {
            c = 0;
            for (int j = 2; j < 6; j++) {
                int h = xn_hex_digit(k[i + j]);
                c = h < 0 ? -1 : c * 16 + h;
                if (h < 0)
                    break;
            }
            i += 6;
        } else {
            i++;
        }
        if (c != (unsigned char)*name)
            return false;
    }
    return i == len;
}


/* A flaw in a request's "args": XN_EINVAL naming the argument. */
static int flaw_in_args(const struct flaw *f, struct xn_msg *msg)
{
    struct quote qa, qt;
    const char *arg = quote(&qa, f->arg, f->arg ? f->arg_len : 0);
    const char *text = quote(&qt, f->text, f->len);

    if (f->kind == FLAW_NUL_KEY && f->depth == 2)
        return xn_msg_set(msg, XN_EINVAL, "argument name \"%s\" contains "
                          "a NUL character", text);
    if (f->kind == FLAW_NUL_KEY)
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" has a key "
                          "\"%s\" that contains a NUL character", arg, text);
    if (f->kind == FLAW_NUL_STRING)
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" contains a NUL "
                          "character (\"%s\")", arg, text);
    if (f->depth == 2)
        return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" = %s is "
                          INT64_RANGE, arg, text);
    return xn_msg_set(msg, XN_EINVAL, "argument \"%s\" holds %s, which is "
                      INT64_RANGE, arg, text);
}

/* A flaw anywhere else: XN_EPROTO.  q quotes the message. */
static int flaw_in_envelope(const struct flaw *f, const char *q,
                            struct xn_msg *msg)
{
    struct quote qk, qt;
    const char *key = quote(&qk, f->top, f->top ? f->top_len : 0);
    const char *text = quote(&qt, f->text, f->len);
    bool member = f->depth == 1;    /* a member of the message itself */

    if (f->kind == FLAW_NUL_KEY)
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\": key \"%s\" "
                          "contains a NUL character", q, text);
    if (f->kind == FLAW_NUL_STRING && member && key_is(f->top, f->top_len,
                                                       "op"))
        return xn_msg_set(msg, XN_EPROTO, "operation name \"%s\" contains "
                          "a NUL character", text);
    if (f->kind == FLAW_NUL_STRING)
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\": \"%s\" contains "
                          "a NUL character", q, key);
    if (member && key_is(f->top, f->top_len, "id"))
        return xn_msg_set(msg, XN_EPROTO, "message id %s is out of range "
                          "(0 to %lld)", text, (long long)INT64_MAX);
    return xn_msg_set(msg, XN_EPROTO, "message \"%s\": \"%s\" holds %s, "
                      "which is " INT64_RANGE, q, key, text);
}

/* Parse a line with json-c: strict JSON, valid UTF-8, at most
 * PROTO_MAX_DEPTH deep.  q quotes the line for messages. */
static int parse_line(const char *line, size_t len, const char *q,
                      struct json_object **root_r, struct xn_msg *msg)
{
    struct json_tokener *tok = json_tokener_new_ex(PROTO_MAX_DEPTH);
    struct json_object *root;
    enum json_tokener_error err;
    size_t end;

    *root_r = NULL;
    if (!tok)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                JSON_TOKENER_VALIDATE_UTF8);
    root = json_tokener_parse_ex(tok, line, (int)len);
    err = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    /* json-c 0.16 checks only the shape of multi-byte sequences: overlong
     * forms, surrogates and code points past U+10FFFF get through it. */
    if (err == json_tokener_error_parse_utf8_string ||
        !xn_utf8_valid(line, len)) {
        json_object_put(root);
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is not valid "
                          "UTF-8", q);
    }
    if (root && end == len) {
        *root_r = root;
        return 0;
    }
    json_object_put(root);
    if (err == json_tokener_error_depth)
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is nested more "
                          "than %d levels deep", q, PROTO_MAX_DEPTH);
    if (len == 0)
        return xn_msg_set(msg, XN_EPROTO, "message \"\" is not one JSON "
                          "object (the line is empty)");
    if (err == json_tokener_continue)
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is not one JSON "
                          "object (it ends early)", q);
    if (err == json_tokener_success)
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is not one JSON "
                          "object (more follows at byte %zu)", q, end);
    return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is not one JSON "
                      "object (%s at byte %zu)", q,
                      json_tokener_error_desc(err), end);
}

/* Operation names are short words: letters, digits, '.', '_', '-'. */
static bool op_name_ok(const char *op)
{
    size_t n = strspn(op, "abcdefghijklmnopqrstuvwxyz"
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
    return n > 0 && n <= PROTO_MAX_OP && op[n] == '\0';
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

static int decode_request(struct proto_msg *m, struct json_object *opv,
                          const struct flaw *f, struct xn_msg *msg)
{
    struct quote qo;
    const char *op = json_object_get_string(opv);

    m->kind = PROTO_REQUEST;
    if (!op_name_ok(op))
        return xn_msg_set(msg, XN_EPROTO, "operation name \"%s\" is not a "
                          "name (up to %d letters, digits, '.', '_', '-')",
                          quote(&qo, op, strlen(op)), PROTO_MAX_OP);
    m->op = op;
    if (m->id < 0)
        return xn_msg_set(msg, XN_EPROTO, "request \"%s\" has no "
                          "non-negative integer \"id\"", m->op);
    if (!json_object_object_get_ex(m->root, "args", &m->args)) {
        m->args = json_object_new_object();
        json_object_object_add(m->root, "args", m->args);
    }
    if (!json_object_is_type(m->args, json_type_object))
        return xn_msg_set(msg, XN_EPROTO, "request %lld (%s): \"args\" must "
                          "be an object", (long long)m->id, m->op);
    if (f->kind)
        return flaw_in_args(f, msg);
    return 0;
}

int proto_decode(const char *line, size_t len, struct proto_msg *m,
                 struct xn_msg *msg)
{
    struct json_object *root, *v;
    struct quote qline;
    struct flaw f;
    const char *q;
    int rc;

    proto_msg_init(m);
    q = quote(&qline, line, len);
    if (len >= PROTO_MAX_LINE)
        return xn_msg_set(msg, XN_EPROTO, "message of %zu bytes is longer "
                          "than the limit of %d", len, PROTO_MAX_LINE);
    if (memchr(line, '\0', len))
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" contains a NUL "
                          "byte", q);
    if ((rc = parse_line(line, len, q, &root, msg)) < 0)
        return rc;
    m->root = root;
    if (!json_object_is_type(root, json_type_object))
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is not a JSON "
                          "object", q);
    find_flaw(line, len, &f);
    bool flaw_on_id = f.kind && f.depth == 1 &&
                      key_is(f.top, f.top_len, "id");
    if (!flaw_on_id && json_object_object_get_ex(root, "id", &v) &&
        json_object_is_type(v, json_type_int) &&
        json_object_get_int64(v) >= 0)
        m->id = json_object_get_int64(v);
    if (f.kind && !(f.depth > 1 && key_is(f.top, f.top_len, "args")))
        return flaw_in_envelope(&f, q, msg);
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
        rc = 0;
    } else if (json_object_object_get_ex(root, "ok", &v)) {
        rc = decode_reply(m, v, msg);
    } else if (json_object_object_get_ex(root, "op", &v) &&
               json_object_is_type(v, json_type_string)) {
        return decode_request(m, v, &f, msg);
    } else {
        return xn_msg_set(msg, XN_EPROTO, "message \"%s\" is neither a "
                          "request (\"op\"), a reply (\"ok\") nor an event",
                          q);
    }
    if (rc == 0 && f.kind)      /* "args" means nothing here */
        return flaw_in_envelope(&f, q, msg);
    return rc;
}

