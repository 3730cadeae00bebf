/*
 * libvirt_out_chr.c - character devices as libvirt writes them: an HVM
 * domain's serial ports (from qemu's specs: pty, file:, tcp: ...) with the
 * console on the first, a PV domain's console, and Xen channels.
 */
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_out_int.h"

/* One <serial> from a qemu character device spec. */
static void serial(struct lvo *o, const char *spec, int port)
{
    const char *colon = strchr(spec, ':');
    size_t tlen = colon ? (size_t)(colon - spec) : strlen(spec);
    char *type = strndup(spec, tlen);
    const char *rest = colon ? colon + 1 : "";
    bool server = strstr(rest, ",server") != NULL;

    if (!type)
        return;
    if (spec[0] == '/') {
        lvo_put(o, "    <serial type='dev'>\n      <source");
        lvo_attr(o, "path", spec);
        lvo_put(o, "/>\n");
    } else if (!strcmp(type, "file") || !strcmp(type, "pipe") ||
               !strcmp(type, "unix")) {
        char *path = strndup(rest, strcspn(rest, ","));
        lvo_put(o, "    <serial type='%s'>\n      <source", type);
        if (!strcmp(type, "unix"))
            lvo_attr(o, "mode", server ? "bind" : "connect");
        lvo_attr(o, "path", path);
        lvo_put(o, "/>\n");
        free(path);
    } else if (!strcmp(type, "tcp") || !strcmp(type, "telnet")) {
        char *host = strndup(rest, strcspn(rest, ":"));
        const char *svc = rest + strcspn(rest, ":");
        char *service = strndup(*svc ? svc + 1 : svc,
                                strcspn(*svc ? svc + 1 : svc, ","));
        lvo_put(o, "    <serial type='tcp'>\n      <source");
        lvo_attr(o, "mode", server ? "bind" : "connect");
        lvo_attr(o, "host", host);
        lvo_attr(o, "service", service);
        lvo_put(o, "/>\n      <protocol type='%s'/>\n",
                !strcmp(type, "tcp") ? "raw" : "telnet");
        free(host);
        free(service);
    } else {
        lvo_put(o, "    <serial");
        lvo_attr(o, "type", type);
        lvo_put(o, ">\n");
    }
    lvo_put(o, "      <target port='%d'/>\n    </serial>\n", port);
    free(type);
}

void lvo_chr_devices(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;
    bool any = false;

    if (o->hvm) {
        const libxl_string_list list = b->u.hvm.serial_list;
        if (b->u.hvm.serial && strcmp(b->u.hvm.serial, "none") != 0) {
            serial(o, b->u.hvm.serial, 0);
            any = true;
        }
        for (int i = 0; list && list[i]; i++)
            if (strcmp(list[i], "none") != 0) {
                serial(o, list[i], i);
                any = true;
            }
        if (any)
            lvo_put(o, "    <console type='pty'>\n      <target "
                    "type='serial' port='0'/>\n    </console>\n");
    } else {
        lvo_put(o, "    <console type='pty'>\n      <target type='xen' "
                "port='0'/>\n    </console>\n");
    }
    for (int i = 0; i < o->c->num_channels; i++) {
        const libxl_device_channel *ch = &o->c->channels[i];
        bool sock = ch->connection == LIBXL_CHANNEL_CONNECTION_SOCKET;
        lvo_put(o, "    <channel type='%s'>\n", sock ? "unix" : "pty");
        if (sock && ch->u.socket.path) {
            lvo_put(o, "      <source mode='bind'");
            lvo_attr(o, "path", ch->u.socket.path);
            lvo_put(o, "/>\n");
        }
        lvo_put(o, "      <target type='xen'");
        lvo_attr(o, "name", ch->name);
        lvo_put(o, "/>\n    </channel>\n");
    }
}
