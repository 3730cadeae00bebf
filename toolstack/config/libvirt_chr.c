/*
 * libvirt_chr.c - character devices: <serial> (HVM: serial, a list when
 * there are several, with "none" for missing ports), <console> (the
 * implied PV console or HVM's first serial), <channel> with a Xen target
 * (channel items), and <parallel>, which xl does not know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

#define MAX_SERIALS 32

/* The qemu character device spec of a <serial> (malloc'd), or NULL with
 * msg set. */
static char *chr_spec(struct lv *l, xmlNodePtr c)
{
    char *type = lv_attr(c, "type"), *out = NULL;
    xmlNodePtr src = lv_child(c, "source"), proto = lv_child(c, "protocol");
    char *path = lv_attr(src, "path"), *host = lv_attr(src, "host");
    char *svc = lv_attr(src, "service");
    bool listen = lv_attr_is(src, "mode", "bind");
    int r = 0;

    lv_take(proto);
    for (xmlNodePtr s = src; s; s = lv_next(s, "source"))
        lv_take(s);
    if (!type || !strcmp(type, "pty") || !strcmp(type, "null") ||
        !strcmp(type, "stdio") || !strcmp(type, "vc"))
        r = asprintf(&out, "%s", type ? type : "pty");
    else if ((!strcmp(type, "file") || !strcmp(type, "pipe")) && path)
        r = asprintf(&out, "%s:%s", type, path);
    else if (!strcmp(type, "dev") && path)
        r = asprintf(&out, "%s", path);
    else if (!strcmp(type, "tcp"))
        r = asprintf(&out, "%s:%s:%s%s",
                     lv_attr_is(proto, "type", "telnet") ? "telnet" : "tcp",
                     host ? host : "", svc ? svc : "",
                     listen ? ",server,nowait" : "");
    else if (!strcmp(type, "unix") && path)
        r = asprintf(&out, "unix:%s%s", path, listen ? ",server,nowait" : "");
    else if (!strcmp(type, "udp")) {
        char *bh = NULL, *bs = NULL, *ch = NULL, *cs = NULL;
        for (xmlNodePtr s = src; s; s = lv_next(s, "source")) {
            bool bind = lv_attr_is(s, "mode", "bind");
            if (bind && !bh) {
                bh = lv_attr(s, "host");
                bs = lv_attr(s, "service");
            } else if (!bind && !ch) {
                ch = lv_attr(s, "host");
                cs = lv_attr(s, "service");
            }
        }
        r = asprintf(&out, "udp:%s:%s@%s:%s", ch ? ch : "", cs ? cs : "",
                     bh ? bh : "", bs ? bs : "");
        xmlFree(bh);
        xmlFree(bs);
        xmlFree(ch);
        xmlFree(cs);
    } else {
        lv_fail(l, c, "character devices of type \"%s\" (or without their "
                "source) are not supported by Xen", type);
        out = NULL;
        r = 0;
    }
    if (r < 0) {
        out = NULL;
        xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    }
    xmlFree(type);
    xmlFree(path);
    xmlFree(host);
    xmlFree(svc);
    return out;
}

static int read_serials(struct lv *l, xmlNodePtr devs)
{
    xmlNodePtr by_port[MAX_SERIALS] = {0};
    int max = -1, rc = 0;

    for (xmlNodePtr s = lv_child(devs, "serial"); s; s = lv_next(s, "serial")) {
        xmlNodePtr t = lv_child(s, "target");
        char *port = lv_attr(t, "port");
        long p = max + 1;
        lv_take(s);
        lv_take(t);
        lv_take_all(lv_child(s, "alias"));
        lv_take_all(lv_child(s, "address"));
        if (!l->hvm) {
            lv_warn(l, s, "serial ports apply to HVM domains only (a PV "
                    "domain has its console); it is ignored");
            lv_take_all(s);
        } else if (port && (rc = lv_long(l, t, "port", port, 0,
                                         MAX_SERIALS - 1, &p)) == 0 &&
                   by_port[p]) {
            rc = lv_fail(l, s, "serial port %ld is given twice", p);
        } else if (rc == 0 && p < MAX_SERIALS) {
            by_port[p] = s;
            if (p > max)
                max = (int)p;
        }
        xmlFree(port);
        if (rc)
            return rc;
    }
    if (!l->hvm)
        return 0;
    if (max < 0)
        return lv_set_str(l, "serial", devs, "none");
    for (int p = 0; p <= max && rc == 0; p++) {
        char *spec = by_port[p] ? chr_spec(l, by_port[p]) : strdup("none");
        if (!spec)
            return by_port[p] ? XN_EINVAL : XN_ENOMEM;
        if (max == 0)
            rc = lv_set_str(l, "serial", by_port[p], spec);
        else
            rc = lv_add_str(l, "serial", by_port[p] ? by_port[p] : devs,
                            spec);
        free(spec);
    }
    return rc;
}

static int read_channel(struct lv *l, xmlNodePtr c)
{
    xmlNodePtr t = lv_child(c, "target"), src = lv_child(c, "source");
    char *type = lv_attr(c, "type"), *name = lv_attr(t, "name");
    char *path = lv_attr(src, "path"), *item = NULL;
    int rc = 0;

    lv_take(c);
    lv_take(t);
    lv_take(src);
    lv_take_all(lv_child(c, "alias"));
    lv_take_all(lv_child(c, "address"));
    if (!lv_attr_is(t, "type", "xen")) {
        lv_warn(l, c, "only channels with a Xen target are mapped (as "
                "libvirt's Xen driver does); it is ignored");
        lv_take_all(c);
    } else if (!name) {
        rc = lv_fail(l, t, "a Xen channel needs a name");
    } else if (type && strcmp(type, "pty") == 0) {
        if (asprintf(&item, "connection=pty,name=%s", name) < 0)
            item = NULL;
    } else if (type && strcmp(type, "unix") == 0) {
        if (asprintf(&item, "connection=socket,%s%s%sname=%s",
                     path ? "path=" : "", path ? path : "", path ? "," : "",
                     name) < 0)
            item = NULL;
    } else {
        rc = lv_fail(l, c, "channels of type \"%s\" are not supported by Xen "
                     "(pty, unix)", type ? type : "");
    }
    if (rc == 0 && item)
        rc = lv_add_str(l, "channel", c, item);
    else if (rc == 0 && lv_attr_is(t, "type", "xen"))
        rc = xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    free(item);
    xmlFree(type);
    xmlFree(name);
    xmlFree(path);
    return rc;
}

int lv_read_chr(struct lv *l, xmlNodePtr devs)
{
    xmlNodePtr n;
    int rc = read_serials(l, devs);

    /* A console is the PV console, or (HVM) the first serial port again. */
    for (n = lv_child(devs, "console"); n; n = lv_next(n, "console"))
        lv_take_all(n);
    for (n = lv_child(devs, "parallel"); n; n = lv_next(n, "parallel")) {
        lv_warn(l, n, "xl has no parallel ports; it is ignored");
        lv_take_all(n);
    }
    for (n = lv_child(devs, "channel"); rc == 0 && n;
         n = lv_next(n, "channel"))
        rc = read_channel(l, n);
    return rc;
}
