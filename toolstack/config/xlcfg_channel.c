/*
 * xlcfg_channel.c - channel = [ "name=N,connection=pty|socket,path=P,
 * backend=DOM" ], for every domain type, as xl reads it: items split at
 * commas, each "key=value" with blanks around key and value dropped; the
 * devid is the place in the list.  An unknown key is ignored with a
 * warning, as xl ignores it; so is a path on a pty channel.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/* Drop leading and trailing blanks in place. */
static char *trim(char *s)
{
    size_t n;

    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int set_str(struct xlcfg *c, char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : xlcfg_oom(c);
}

/* One "key=value" of item i; *path_r collects path=. */
static int channel_option(struct xlcfg *c, int i, const char *spec,
                          const char *pair, libxl_device_channel *chn,
                          char **path_r)
{
    struct xlcfg_kv kv;
    char *key, *v;
    int rc;

    /* xl cuts the option at '=' signs as strtok does: key, then value */
    if (xlcfg_kv_split(pair, "=", false, &kv) < 0)
        return xlcfg_oom(c);
    if (kv.n != 2) {
        rc = xlcfg_fail(c, "channel", i, "\"%s\" in \"%s\" is not "
                        "key=value%s", pair, spec,
                        kv.n > 2 ? " (a value cannot hold '=')" : "");
        goto out;
    }
    key = trim(kv.item[0]);
    v = trim(kv.item[1]);
    rc = 0;
    if (strcmp(key, "backend") == 0) {
        rc = set_str(c, &chn->backend_domname, v);
    } else if (strcmp(key, "name") == 0) {
        rc = set_str(c, &chn->name, v);
    } else if (strcmp(key, "path") == 0) {
        rc = set_str(c, path_r, v);
    } else if (strcmp(key, "connection") == 0) {
        if (strcmp(v, "pty") == 0)
            chn->connection = LIBXL_CHANNEL_CONNECTION_PTY;
        else if (strcmp(v, "socket") == 0)
            chn->connection = LIBXL_CHANNEL_CONNECTION_SOCKET;
        else
            rc = xlcfg_fail(c, "channel", i, "connection \"%s\" is not a "
                            "channel connection (pty or socket)", v);
    } else {
        xlcfg_warn(c, "channel", i, "\"%s\" in \"%s\" is ignored, as xl "
                   "ignores it; it is not a channel option (name, "
                   "connection, path or backend)", pair, spec);
    }
out:
    xlcfg_kv_dispose(&kv);
    return rc;
}

static int parse_channel(struct xlcfg *c, int i, const char *spec,
                         libxl_device_channel *chn)
{
    struct xlcfg_kv kv;
    char *path = NULL;
    int rc = xlcfg_kv_split(spec, ",", false, &kv);

    if (rc < 0)
        return xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++)
        rc = channel_option(c, i, spec, kv.item[k], chn, &path);
    xlcfg_kv_dispose(&kv);
    if (rc < 0)
        goto out;
    switch (chn->connection) {
    case LIBXL_CHANNEL_CONNECTION_SOCKET:
        if (!path) {
            rc = xlcfg_fail(c, "channel", i, "\"%s\" has no path (a socket "
                            "channel needs path=PATH)", spec);
            break;
        }
        chn->u.socket.path = path;
        path = NULL;
        break;
    case LIBXL_CHANNEL_CONNECTION_PTY:
        if (path)
            xlcfg_warn(c, "channel", i, "path \"%s\" is ignored, as xl "
                       "ignores it; a pty channel has no path", path);
        break;
    default:
        rc = xlcfg_fail(c, "channel", i, "\"%s\" has no connection (a "
                        "channel needs connection=pty or connection=socket)",
                        spec);
        break;
    }
out:
    free(path);
    return rc;
}

int xlcfg_build_channels(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "channel", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->channels = calloc((size_t)n, sizeof(*dc->channels));
    if (!dc->channels)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        libxl_device_channel_init(&dc->channels[i]);
        dc->num_channels = i + 1;
        dc->channels[i].devid = i;
        rc = parse_channel(c, i, xlu_cfg_get_listitem(list, i),
                           &dc->channels[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}
