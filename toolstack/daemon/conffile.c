/* conffile.c - reading xenithd's configuration file (conffile.h). */
#include "daemon/conffile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static bool name_ok(const char *s)
{
    const char *dot = strchr(s, '.');

    if (!dot || dot == s || !dot[1])
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(".-_", *s))
            return false;
    return true;
}

static int append(char ***opts_r, size_t *n_r, const char *name,
                  const char *value, struct xn_msg *msg)
{
    char **n = realloc(*opts_r, (*n_r + 2) * sizeof(*n));
    size_t len = strlen(name) + strlen(value) + 2;

    if (!n)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    *opts_r = n;
    if (!(n[*n_r] = malloc(len)))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    snprintf(n[*n_r], len, "%s=%s", name, value);
    n[++*n_r] = NULL;
    return 0;
}

static int parse_line(const char *path, unsigned lineno, char *line,
                      char ***opts_r, size_t *n_r, struct xn_msg *msg)
{
    char *s = trim(line), *eq, *name, *value, shown[96];

    if (!*s || *s == '#')
        return 0;
    shown[0] = '"';
    xn_quote(s, strlen(s), 80, shown + 1, sizeof(shown) - 2);
    strcat(shown, "\"");
    if (!(eq = strchr(s, '=')))
        return xn_msg_set(msg, XN_EINVAL, "%s line %u: %s is not SERVICE.NAME "
                          "= VALUE", path, lineno, shown);
    *eq = '\0';
    name = trim(s);
    value = trim(eq + 1);
    if (!name_ok(name))
        return xn_msg_set(msg, XN_EINVAL, "%s line %u: %s does not start "
                          "with a setting's name (SERVICE.NAME)", path,
                          lineno, shown);
    if (!*value)
        return xn_msg_set(msg, XN_EINVAL, "%s line %u: %s has no value",
                          path, lineno, shown);
    return append(opts_r, n_r, name, value, msg);
}

int conffile_read(const char *path, bool must_exist, char ***opts_r,
                  size_t *n_r, struct xn_msg *msg)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    unsigned lineno = 0;
    size_t total = 0;
    int rc = 0;

    if (!f) {
        if (errno == ENOENT && !must_exist)
            return 0;
        return xn_msg_set(msg, XN_EIO, "cannot read %s: %s", path,
                          strerror(errno));
    }
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);

        lineno++;
        total += len;
        if (total > CONFFILE_MAX)
            rc = xn_msg_set(msg, XN_EINVAL, "%s is larger than %d KiB", path,
                            CONFFILE_MAX / 1024);
        else if (len == sizeof(line) - 1 && line[len - 1] != '\n')
            rc = xn_msg_set(msg, XN_EINVAL, "%s line %u is longer than %zu "
                            "bytes", path, lineno, sizeof(line) - 2);
        else if (!xn_utf8_valid(line, len))
            rc = xn_msg_set(msg, XN_EINVAL, "%s line %u is not UTF-8", path,
                            lineno);
        else
            rc = parse_line(path, lineno, line, opts_r, n_r, msg);
    }
    if (rc == 0 && ferror(f))
        rc = xn_msg_set(msg, XN_EIO, "cannot read %s: %s", path,
                        strerror(errno));
    fclose(f);
    return rc;
}
