/*
 * xlcfg_usb.c - USB controllers and host devices given to the guest:
 * usbctrl = [ "type=T,version=V,ports=N" ] and usbdev = [ "type=hostdev,
 * hostbus=B,hostaddr=A,controller=C,port=P" ], for every domain type, as xl
 * reads them.  A controller's devid is its place in the list; a usbdev has
 * none.  (usb, usbversion and usbdevice, the emulated HVM USB, are in
 * xlcfg_hvm.c.)
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/* An int option as xl reads it (atoi). */
static int int_option(struct xlcfg *c, const char *key, int i,
                      const char *opt, const char *v, int *dst)
{
    if (xlcfg_kv_int(v, dst) < 0)
        return xlcfg_fail(c, key, i, "%s \"%s\" is not a whole number", opt,
                          v);
    return 0;
}

static int usbctrl_option(struct xlcfg *c, int i, const char *spec,
                          char *tok, void *dev)
{
    libxl_device_usbctrl *uc = dev;
    char *v = xlcfg_kv_value(tok);

    if (v && strcmp(tok, "type") == 0) {
        if (libxl_usbctrl_type_from_string(v, &uc->type) != 0)
            return xlcfg_fail(c, "usbctrl", i, "type \"%s\" is not a USB "
                              "controller type (pv, qusb, devicemodel or "
                              "auto)", v);
        return 0;
    }
    if (v && strcmp(tok, "version") == 0)
        return int_option(c, "usbctrl", i, tok, v, &uc->version);
    if (v && strcmp(tok, "ports") == 0)
        return int_option(c, "usbctrl", i, tok, v, &uc->ports);
    return xlcfg_fail(c, "usbctrl", i, "unknown option \"%s\" in \"%s\" "
                      "(type, version or ports)", tok, spec);
}

/* A USB bus or address number: strtoul into a byte. */
static int byte_option(struct xlcfg *c, int i, const char *opt,
                       const char *v, uint8_t *dst)
{
    unsigned long l;

    if (xlcfg_kv_ulong(v, 255, &l) < 0)
        return xlcfg_fail(c, "usbdev", i, "%s \"%s\" is not a number from 0 "
                          "to 255", opt, v);
    *dst = (uint8_t)l;
    return 0;
}

static int usbdev_option(struct xlcfg *c, int i, const char *spec,
                         char *tok, void *dev)
{
    libxl_device_usbdev *ud = dev;
    char *v = xlcfg_kv_value(tok);

    if (v && strcmp(tok, "type") == 0) {
        if (libxl_usbdev_type_from_string(v, &ud->type) != 0)
            return xlcfg_fail(c, "usbdev", i, "type \"%s\" is not a USB "
                              "device type (hostdev)", v);
        return 0;
    }
    if (v && strcmp(tok, "hostbus") == 0)
        return byte_option(c, i, tok, v, &ud->u.hostdev.hostbus);
    if (v && strcmp(tok, "hostaddr") == 0)
        return byte_option(c, i, tok, v, &ud->u.hostdev.hostaddr);
    if (v && strcmp(tok, "controller") == 0)
        return int_option(c, "usbdev", i, tok, v, &ud->ctrl);
    if (v && strcmp(tok, "port") == 0)
        return int_option(c, "usbdev", i, tok, v, &ud->port);
    return xlcfg_fail(c, "usbdev", i, "unknown option \"%s\" in \"%s\" "
                      "(type, hostbus, hostaddr, controller or port)", tok,
                      spec);
}

static int build_usbctrls(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "usbctrl", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->usbctrls = calloc((size_t)n, sizeof(*dc->usbctrls));
    if (!dc->usbctrls)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        const char *spec = xlu_cfg_get_listitem(list, i);

        libxl_device_usbctrl_init(&dc->usbctrls[i]);
        dc->num_usbctrls = i + 1;
        dc->usbctrls[i].devid = i;
        rc = xlcfg_kv_apply(c, i, spec, usbctrl_option, &dc->usbctrls[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int build_usbdevs(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "usbdev", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->usbdevs = calloc((size_t)n, sizeof(*dc->usbdevs));
    if (!dc->usbdevs)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        const char *spec = xlu_cfg_get_listitem(list, i);

        libxl_device_usbdev_init(&dc->usbdevs[i]);
        dc->num_usbdevs = i + 1;
        rc = xlcfg_kv_apply(c, i, spec, usbdev_option, &dc->usbdevs[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int xlcfg_build_usb(struct xlcfg *c)
{
    int rc = build_usbctrls(c);

    return rc < 0 ? rc : build_usbdevs(c);
}
