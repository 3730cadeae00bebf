/* xsd_path.c - xenstore path syntax, relative paths, permission strings. */
#include "xsd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool path_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
           c == '@';
}

size_t xsd_path_domain(uint32_t domid, char *buf)
{
    return (size_t)snprintf(buf, 32, "/local/domain/%u", (unsigned)domid);
}

/* Length of a leading "/local/domain/<1 to 5 digits>/", or 0. */
static size_t local_prefix_len(const char *p)
{
    static const char pre[] = "/local/domain/";
    size_t n = sizeof(pre) - 1, digits = 0;

    if (strncmp(p, pre, n) != 0)
        return 0;
    while (p[n + digits] >= '0' && p[n + digits] <= '9' && digits < 5)
        digits++;
    if (digits == 0 || p[n + digits] != '/')
        return 0;
    return n + digits + 1;
}

int xsd_path_canon(const char *in, uint32_t domid, char *out)
{
    size_t len, off = 0;

    if (!in || !in[0] || in[0] == '@')
        return -EINVAL;
    if (in[0] != '/') {
        off = xsd_path_domain(domid, out);
        out[off++] = '/';
    }
    len = strlen(in);
    if (len >= XSD_PATH_BUF - off)
        return -EINVAL;
    memcpy(out + off, in, len + 1);
    len += off;

    if (len > 1 && out[len - 1] == '/')
        return -EINVAL;
    if (strstr(out, "//"))
        return -EINVAL;
    if (len - local_prefix_len(out) > XENSTORE_REL_PATH_MAX)
        return -EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!path_char_ok(out[i]))
            return -EINVAL;
    return 0;
}

bool xsd_path_is_child(const char *child, const char *parent)
{
    size_t n = strlen(parent);

    if (strcmp(parent, "/") == 0)
        return child[0] == '/';
    if (strncmp(child, parent, n) != 0)
        return false;
    return child[n] == '/' || child[n] == '\0';
}

int xsd_domid_parse(const char *s, uint32_t *domid_r)
{
    unsigned long v = 0;

    if (!s || !*s || strlen(s) > 5)
        return -EINVAL;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return -EINVAL;
    *domid_r = (uint32_t)v;
    return 0;
}

int xsd_perm_parse(const char *s, struct xsd_perm *p)
{
    switch (s[0]) {
    case 'n': p->perms = XSD_PERM_NONE; break;
    case 'r': p->perms = XSD_PERM_READ; break;
    case 'w': p->perms = XSD_PERM_WRITE; break;
    case 'b': p->perms = XSD_PERM_BOTH; break;
    default: return -EINVAL;
    }
    return xsd_domid_parse(s + 1, &p->domid);
}

size_t xsd_perm_format(const struct xsd_perm *p, char *buf)
{
    static const char letter[] = "nrwb";

    return (size_t)snprintf(buf, 16, "%c%u", letter[p->perms & 3],
                            (unsigned)p->domid);
}
