/* json_one.c - one JSON object from untrusted bytes, strictly. */
#include "migration/wire/json_one.h"

#include <stdbool.h>
#include <string.h>

/* Whether the text holds the escape "\u0000".  Only called on text json-c
 * parsed, where a backslash can only start an escape inside a string. */
static bool has_escaped_nul(const uint8_t *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        if (s[i] != '\\') {
            i++;
            continue;
        }
        if (i + 6 <= len && memcmp(s + i + 1, "u0000", 5) == 0)
            return true;
        i += 2;     /* the escaped character, whatever it is */
    }
    return false;
}

/* Strict json-c refuses what follows an object as an "unexpected
 * character" at `at`: whether that is the case, told by a lenient parse
 * that stops after the object. */
static bool trailing(const uint8_t *buf, size_t len, size_t at)
{
    struct json_tokener *tok = json_tokener_new_ex(MIG_JSON_DEPTH);
    struct json_object *o;
    bool r;

    if (!tok)
        return false;
    o = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
    r = o && json_tokener_get_parse_end(tok) <= at;
    json_object_put(o);
    json_tokener_free(tok);
    return r;
}

int mig_json_one(const char *what, const uint8_t *buf, size_t len,
                 struct json_object **o_r, struct xn_msg *msg)
{
    struct json_tokener *tok = NULL;
    struct json_object *o = NULL;
    enum json_tokener_error jerr;
    int rc = XN_EPROTO;

    *o_r = NULL;
    if (len == 0 || len > (size_t)INT32_MAX)
        return xn_msg_set(msg, XN_EPROTO, "%s: a payload of %zu bytes is "
                          "not a JSON object", what, len);
    if (memchr(buf, '\0', len))
        return xn_msg_set(msg, XN_EPROTO, "%s: the payload holds a NUL "
                          "byte", what);
    tok = json_tokener_new_ex(MIG_JSON_DEPTH);
    if (!tok)
        return xn_msg_set(msg, XN_EFAIL, "%s: out of memory", what);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    o = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) {
        xn_msg_set(msg, rc, "%s: the JSON object is cut short", what);
        goto out;
    }
    if (jerr == json_tokener_error_depth) {
        xn_msg_set(msg, rc, "%s: the JSON is nested deeper than %d levels",
                   what, MIG_JSON_DEPTH);
        goto out;
    }
    if (jerr == json_tokener_error_parse_unexpected &&
        trailing(buf, len, json_tokener_get_parse_end(tok))) {
        xn_msg_set(msg, rc, "%s: something follows the JSON object", what);
        goto out;
    }
    if (jerr != json_tokener_success || !o) {
        xn_msg_set(msg, rc, "%s: invalid JSON at byte %zu: %s", what,
                   json_tokener_get_parse_end(tok),
                   json_tokener_error_desc(jerr));
        goto out;
    }
    /* strict json-c has eaten trailing white space and refused the rest */
    if (json_tokener_get_parse_end(tok) != len) {
        xn_msg_set(msg, rc, "%s: something follows the JSON object", what);
        goto out;
    }
    if (!json_object_is_type(o, json_type_object)) {
        xn_msg_set(msg, rc, "%s: the payload is a JSON %s, not an object",
                   what, json_type_to_name(json_object_get_type(o)));
        goto out;
    }
    if (has_escaped_nul(buf, len)) {
        xn_msg_set(msg, rc, "%s: a JSON string holds \"\\u0000\"", what);
        goto out;
    }
    *o_r = o;
    o = NULL;
    rc = 0;
out:
    if (o)
        json_object_put(o);
    json_tokener_free(tok);
    return rc;
}
