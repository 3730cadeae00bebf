/* savefile.c - write and check the identifying line of a save file. */
#include "savefile.h"
#include "domname.h"
#include "proto.h"
#include "uuid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int savefile_write_header(int fd, const struct savefile_header *h,
                          struct xn_msg *msg)
{
    struct json_object *o = json_object_new_object();
    char uuid[37], *line = NULL;
    size_t off = 0, len;
    int rc = 0;

    json_object_object_add(o, "driver", json_object_new_string(h->driver));
    json_object_object_add(o, "name", json_object_new_string(h->name));
    json_object_object_add(o, "uuid", json_object_new_string(
                               xn_uuid_format(h->uuid, uuid)));
    if (asprintf(&line, "%s %d %s\n", SAVEFILE_MAGIC, SAVEFILE_VERSION,
                 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN))
        < 0) {
        json_object_put(o);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    json_object_put(o);
    len = strlen(line);
    while (off < len) {
        ssize_t n = write(fd, line + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = xn_msg_set(msg, XN_EIO, "cannot write the save file: %s",
                            strerror(errno));
            break;
        }
        off += (size_t)n;
    }
    free(line);
    return rc;
}

static int read_line(int fd, const char *path, char *buf, size_t size,
                     struct xn_msg *msg)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return xn_msg_set(msg, XN_EIO, "cannot read %s: %s", path,
                              strerror(errno));
        if (got == 0)
            return xn_msg_set(msg, XN_ECORRUPT, "%s is not a xenith save "
                              "file (it ends after %zu bytes)", path, n);
        if (c == '\n')
            break;
        if (n + 1 >= size)
            return xn_msg_set(msg, XN_ECORRUPT, "%s is not a xenith save "
                              "file (no header line)", path);
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

int savefile_read_header(int fd, const char *path, struct savefile_header *h,
                         struct xn_msg *msg)
{
    char line[SAVEFILE_LINE_MAX], *json;
    struct json_object *o, *v;
    int version = 0, rc;
    size_t mlen = strlen(SAVEFILE_MAGIC);

    memset(h, 0, sizeof(*h));
    if ((rc = read_line(fd, path, line, sizeof(line), msg)) < 0)
        return rc;
    if (strncmp(line, SAVEFILE_MAGIC " ", mlen + 1) != 0)
        return xn_msg_set(msg, XN_ECORRUPT, "%s is not a xenith save file "
                          "(it does not start with \"%s\")", path,
                          SAVEFILE_MAGIC);
    version = atoi(line + mlen + 1);
    if (version != SAVEFILE_VERSION)
        return xn_msg_set(msg, XN_ECORRUPT, "%s is a version %d save file; "
                          "this xenith reads version %d", path, version,
                          SAVEFILE_VERSION);
    json = strchr(line + mlen + 1, ' ');
    o = json ? json_tokener_parse(json + 1) : NULL;
    rc = xn_msg_set(msg, XN_ECORRUPT, "%s has a damaged header line", path);
    if (o && json_object_is_type(o, json_type_object) &&
        json_object_object_get_ex(o, "driver", &v) &&
        json_object_is_type(v, json_type_string) &&
        snprintf(h->driver, sizeof(h->driver), "%s",
                 json_object_get_string(v)) > 0 &&
        json_object_object_get_ex(o, "uuid", &v) &&
        json_object_is_type(v, json_type_string) &&
        xn_uuid_parse(json_object_get_string(v), h->uuid) == 0 &&
        json_object_object_get_ex(o, "name", &v) &&
        json_object_is_type(v, json_type_string)) {
        /* The name is checked like any other name, NULs included, before
         * anything quotes it. */
        struct xn_msg why;
        const char *name = json_object_get_string(v);
        size_t len = (size_t)json_object_get_string_len(v);
        if (dom_name_check(name, len, &why) < 0) {
            rc = xn_msg_set(msg, XN_ECORRUPT, "%s has a damaged header "
                            "line: %s", path, why.text);
        } else {
            snprintf(h->name, sizeof(h->name), "%s", name);
            rc = 0;
        }
    }
    json_object_put(o);
    return rc;
}
