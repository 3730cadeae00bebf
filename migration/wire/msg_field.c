/* msg_field.c - reading one field of a control message with its type and
 * range, and what a host name may be. */
#include "migration/wire/msg_int.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

#define QUOTE_MAX 64        /* bytes of a bad value quoted in a sentence */

/* xn_quote writes a byte or less a byte it reads, and "..." */
_Static_assert(MIG_QUOTE_BUF > QUOTE_MAX + 3, "room for xn_quote");

char *mig_quote(const char *s, size_t len, char *out)
{
    size_t o = 0;

    xn_quote(s, len, QUOTE_MAX, out, MIG_QUOTE_BUF);
    for (size_t i = 0; out[i]; i++) {
        unsigned char c = (unsigned char)out[i], d = (unsigned char)out[i + 1];
        if (c == 0xC2 && d >= 0x80 && d <= 0x9F) {
            out[o++] = '?';
            i++;
        } else {
            out[o++] = out[i];
        }
    }
    out[o] = '\0';
    return out;
}

bool mig_host_valid(const char *s)
{
    size_t len = s ? strnlen(s, MIG_HOST_MAX) : 0;

    if (len < 1 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':'))
            return false;
    }
    return true;
}

/* C0 controls, DEL, and the C1 controls (U+0080..U+009F, 0xC2 0x80..0x9F
 * in UTF-8: a terminal takes 0x9B as an escape).  s is valid UTF-8. */
static bool has_control(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            return true;
        if (p[i] == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 &&
            p[i + 1] <= 0x9F)
            return true;
    }
    return false;
}

int mig_field_get(const char *what, struct json_object *o, const char *key,
                  enum json_type type, const char *want,
                  struct json_object **v_r, struct xn_msg *msg)
{
    struct json_object *v;

    if (!json_object_object_get_ex(o, key, &v))
        return xn_msg_set(msg, XN_EPROTO, "%s: \"%s\" is missing", what,
                          key);
    if (!json_object_is_type(v, type))
        return xn_msg_set(msg, XN_EPROTO, "%s: \"%s\" must be %s", what, key,
                          want);
    *v_r = v;
    return 0;
}

int mig_field_text(const char *what, const char *label, const char *s,
                   size_t len, bool empty_ok, size_t size,
                   struct xn_msg *msg)
{
    char q[MIG_QUOTE_BUF];

    if (len == 0 && !empty_ok)
        return xn_msg_set(msg, XN_EPROTO, "%s: %s is empty", what, label);
    mig_quote(s, len, q);
    if (memchr(s, '\0', len))
        return xn_msg_set(msg, XN_EPROTO, "%s: %s: \"%s\" holds a NUL",
                          what, label, q);
    if (!xn_utf8_valid(s, len))
        return xn_msg_set(msg, XN_EPROTO, "%s: %s: \"%s\" is not valid "
                          "UTF-8", what, label, q);
    if (has_control(s, len))
        return xn_msg_set(msg, XN_EPROTO, "%s: %s: \"%s\" holds a control "
                          "character", what, label, q);
    if (len >= size)
        return xn_msg_set(msg, XN_EPROTO, "%s: %s: \"%s\" is longer than "
                          "%zu bytes", what, label, q, size - 1);
    return 0;
}

int mig_field_str(const char *what, struct json_object *o, const char *key,
                  bool empty_ok, char *out, size_t size, struct xn_msg *msg)
{
    struct json_object *v;
    char label[MIG_CAP_LEN + 2];
    const char *s;
    size_t len;
    int rc;

    rc = mig_field_get(what, o, key, json_type_string, "a string", &v, msg);
    if (rc < 0)
        return rc;
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    snprintf(label, sizeof(label), "\"%s\"", key);
    rc = mig_field_text(what, label, s, len, empty_ok, size, msg);
    if (rc < 0)
        return rc;
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

int mig_field_uint(const char *what, struct json_object *o, const char *key,
                   uint64_t min, uint64_t max, uint64_t *val_r,
                   struct xn_msg *msg)
{
    struct json_object *v;
    int64_t x;

    /* json-c keeps 2^63..2^64-1 as unsigned and clamps what lies beyond
     * to a bound: none of it is in any range here */
    if (!json_object_object_get_ex(o, key, &v))
        return xn_msg_set(msg, XN_EPROTO, "%s: \"%s\" is missing", what,
                          key);
    x = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || x < 0 ||
        (uint64_t)x < min || (uint64_t)x > max ||
        json_object_get_uint64(v) != (uint64_t)x)
        return xn_msg_set(msg, XN_EPROTO, "%s: \"%s\" must be an integer "
                          "from %llu to %llu", what, key,
                          (unsigned long long)min, (unsigned long long)max);
    *val_r = (uint64_t)x;
    return 0;
}

int mig_field_bool(const char *what, struct json_object *o, const char *key,
                   bool *val_r, struct xn_msg *msg)
{
    struct json_object *v = NULL;
    int rc = mig_field_get(what, o, key, json_type_boolean, "true or false",
                           &v, msg);

    if (rc == 0)
        *val_r = json_object_get_boolean(v);
    return rc;
}
