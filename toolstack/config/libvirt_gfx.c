/*
 * libvirt_gfx.c - the first <graphics> of a domain (libvirt's Xen driver
 * maps one): VNC or SDL as vnc/sdl settings on HVM and as a vfb on PV,
 * SPICE (HVM only) as the spice settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

/* The address to listen on: listen= or the first <listen address=>. */
static char *listen_of(xmlNodePtr g)
{
    char *a = lv_attr(g, "listen");

    for (xmlNodePtr n = lv_child(g, "listen"); n; n = lv_next(n, "listen")) {
        lv_take(n);
        if (!a)
            a = lv_attr(n, "address");
    }
    return a;
}

/* VNC's display from port= when autoport is off; -1 when automatic. */
static int vnc_display(struct lv *l, xmlNodePtr g, long *display_r)
{
    char *port = lv_attr(g, "port");
    bool autoport = lv_attr_is(g, "autoport", "yes") || !port ||
                    strcmp(port, "-1") == 0;
    long p = -1;
    int rc = 0;

    if (!autoport)
        rc = lv_long(l, g, "port", port, 5900, 65535, &p);
    *display_r = autoport ? -1 : p - 5900;
    xmlFree(port);
    return rc;
}

static int vnc_hvm(struct lv *l, xmlNodePtr g)
{
    char *listen = listen_of(g), *pw = lv_attr(g, "passwd");
    char *keymap = lv_attr(g, "keymap");
    long display;
    int rc = vnc_display(l, g, &display);

    if (rc == 0)
        rc = lv_set_num(l, "sdl", g, 0);
    if (rc == 0)
        rc = lv_set_num(l, "vnc", g, 1);
    if (rc == 0)
        rc = lv_set_num(l, "vncunused", g, display < 0);
    if (rc == 0 && display >= 0)
        rc = lv_set_num(l, "vncdisplay", g, display);
    if (rc == 0 && listen)
        rc = lv_set_str(l, "vnclisten", g, listen);
    if (rc == 0 && pw)
        rc = lv_set_str(l, "vncpasswd", g, pw);
    if (rc == 0 && keymap)
        rc = lv_set_str(l, "keymap", g, keymap);
    xmlFree(listen);
    xmlFree(pw);
    xmlFree(keymap);
    return rc;
}

static int sdl_hvm(struct lv *l, xmlNodePtr g)
{
    char *display = lv_attr(g, "display"), *xauth = lv_attr(g, "xauth");
    int rc = lv_set_num(l, "sdl", g, 1);

    if (rc == 0)
        rc = lv_set_num(l, "vnc", g, 0);
    if (rc == 0 && display)
        rc = lv_set_str(l, "display", g, display);
    if (rc == 0 && xauth)
        rc = lv_set_str(l, "xauthority", g, xauth);
    xmlFree(display);
    xmlFree(xauth);
    return rc;
}

static int vfb_pv(struct lv *l, xmlNodePtr g, bool vnc)
{
    char *item = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&item, &len);
    int rc = 0;

    if (!f)
        return xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    if (vnc) {
        char *listen = listen_of(g), *pw = lv_attr(g, "passwd");
        char *keymap = lv_attr(g, "keymap");
        long display;
        rc = vnc_display(l, g, &display);
        fprintf(f, "type=vnc,vncunused=%d", display < 0);
        if (display >= 0)
            fprintf(f, ",vncdisplay=%ld", display);
        if (listen)
            fprintf(f, ",vnclisten=%s", listen);
        if (pw)
            fprintf(f, ",vncpasswd=%s", pw);
        if (keymap)
            fprintf(f, ",keymap=%s", keymap);
        xmlFree(listen);
        xmlFree(pw);
        xmlFree(keymap);
    } else {
        char *display = lv_attr(g, "display"), *xauth = lv_attr(g, "xauth");
        fputs("type=sdl", f);
        if (display)
            fprintf(f, ",display=%s", display);
        if (xauth)
            fprintf(f, ",xauthority=%s", xauth);
        xmlFree(display);
        xmlFree(xauth);
    }
    if (fclose(f) != 0 && rc == 0)
        rc = xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    if (rc == 0)
        rc = lv_add_str(l, "vfb", g, item);
    free(item);
    return rc;
}

static int spice_hvm(struct lv *l, xmlNodePtr g)
{
    char *listen = listen_of(g), *pw = lv_attr(g, "passwd");
    char *port = lv_attr(g, "port"), *tls = lv_attr(g, "tlsPort");
    xmlNodePtr mouse = lv_child(g, "mouse"), clip = lv_child(g, "clipboard");
    long p;
    int rc = lv_set_num(l, "sdl", g, 0);

    lv_take(mouse);
    lv_take(clip);
    if (rc == 0)
        rc = lv_set_num(l, "vnc", g, 0);
    if (rc == 0)
        rc = lv_set_num(l, "spice", g, 1);
    if (rc == 0 && listen)
        rc = lv_set_str(l, "spicehost", g, listen);
    if (rc == 0 && port && strcmp(port, "-1") != 0 &&
        (rc = lv_long(l, g, "port", port, 0, 65535, &p)) == 0)
        rc = lv_set_num(l, "spiceport", g, p);
    if (rc == 0 && tls && strcmp(tls, "-1") != 0 &&
        (rc = lv_long(l, g, "tlsPort", tls, 0, 65535, &p)) == 0)
        rc = lv_set_num(l, "spicetls_port", g, p);
    if (rc == 0)
        rc = lv_set_num(l, "spicedisable_ticketing", g, !pw);
    if (rc == 0 && pw)
        rc = lv_set_str(l, "spicepasswd", g, pw);
    if (rc == 0 && lv_attr_is(mouse, "mode", "server"))
        rc = lv_set_num(l, "spiceagent_mouse", mouse, 0);
    if (rc == 0 && lv_attr_is(mouse, "mode", "client") &&
        (rc = lv_set_num(l, "spiceagent_mouse", mouse, 1)) == 0)
        rc = lv_set_num(l, "spicevdagent", mouse, 1);
    if (rc == 0 && lv_attr_is(clip, "copypaste", "yes") &&
        (rc = lv_set_num(l, "spice_clipboard_sharing", clip, 1)) == 0)
        rc = lv_set_num(l, "spicevdagent", clip, 1);
    xmlFree(listen);
    xmlFree(pw);
    xmlFree(port);
    xmlFree(tls);
    return rc;
}

int lv_read_graphics(struct lv *l, xmlNodePtr devs)
{
    xmlNodePtr g = lv_child(devs, "graphics");
    char *type = lv_attr(g, "type");
    int rc = 0;

    lv_take(g);
    for (xmlNodePtr o = lv_next(g, "graphics"); o; o = lv_next(o, "graphics")) {
        lv_warn(l, o, "only the first <graphics> is mapped (as libvirt's Xen "
                "driver does); this one is ignored");
        lv_take_all(o);
    }
    if (!g) {
        /* No graphics: none, where libxl would otherwise give HVM VNC. */
        if (l->hvm && (rc = lv_set_num(l, "sdl", devs, 0)) == 0)
            rc = lv_set_num(l, "vnc", devs, 0);
        goto out;
    }
    if (type && strcmp(type, "vnc") == 0)
        rc = l->hvm ? vnc_hvm(l, g) : vfb_pv(l, g, true);
    else if (type && strcmp(type, "sdl") == 0)
        rc = l->hvm ? sdl_hvm(l, g) : vfb_pv(l, g, false);
    else if (type && strcmp(type, "spice") == 0 && l->hvm)
        rc = spice_hvm(l, g);
    else {
        lv_warn(l, g, "graphics of type \"%s\" are not supported for this "
                "domain; they are ignored", type ? type : "");
        lv_take_all(g);
    }
out:
    xmlFree(type);
    return rc;
}
