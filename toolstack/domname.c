/* domname.c - the one rule for domain names. */
#include "domname.h"
#include "hv_types.h"
#include "utf8.h"

#include <string.h>

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return len > 0;
}

int dom_name_check(const char *name, size_t len, struct xn_msg *msg)
{
    char q[HV_NAME_MAX + 8];

    if (!name || len == 0)
        return xn_msg_set(msg, XN_EINVAL, "domain name \"\" is empty");
    xn_quote(name, len, 60, q, sizeof(q));
    if (len >= HV_NAME_MAX)
        return xn_msg_set(msg, XN_EINVAL, "domain name \"%s\" is longer "
                          "than %d bytes", q, HV_NAME_MAX - 1);
    if (memchr(name, '\0', len))
        return xn_msg_set(msg, XN_EINVAL, "domain name \"%s\" contains a "
                          "NUL character", q);
    if (!xn_utf8_valid(name, len))
        return xn_msg_set(msg, XN_EINVAL, "domain name \"%s\" is not valid "
                          "UTF-8", q);
    if (all_digits(name, len))
        return xn_msg_set(msg, XN_EINVAL, "domain name \"%s\" is a number "
                          "and would be read as a domain id", q);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '/')
            return xn_msg_set(msg, XN_EINVAL, "domain name \"%s\" contains "
                              "'/', which xenstore paths reserve", q);
        if (c == ' ')
            return xn_msg_set(msg, XN_EINVAL, "domain name \"%s\" contains "
                              "a space", q);
        if (c < 0x20 || c == 0x7f)
            return xn_msg_set(msg, XN_EINVAL, "domain name \"%s\" contains "
                              "a control character (shown as '?')", q);
    }
    return 0;
}

int dom_name_check_str(const char *name, struct xn_msg *msg)
{
    return dom_name_check(name, name ? strlen(name) : 0, msg);
}
