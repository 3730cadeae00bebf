/*
 * libvirt_net.c - <interface> -> one vif item, as libvirt's Xen driver
 * writes it: mac, bridge (with Open vSwitch VLAN tags or trunks), ip,
 * script, model (netfront: type=vif on HVM), vifname and rate.
 *
 * A libvirt <interface type='network'> names a libvirt network, which
 * libvirt turns into its bridge; xenith has no libvirt networks, so the
 * network's name is taken as the bridge's, with a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

static void vlan_of(struct lv *l, xmlNodePtr nic, FILE *f)
{
    xmlNodePtr v = lv_child(nic, "vlan");
    bool trunk = lv_attr_is(v, "trunk", "yes");
    int ntags = 0;

    lv_take(v);
    for (xmlNodePtr t = lv_child(v, "tag"); t; t = lv_next(t, "tag")) {
        char *id = lv_attr(t, "id");
        lv_take(t);
        if (id && (trunk || ntags == 0))
            fprintf(f, "%c%s", trunk ? ':' : '.', id);
        ntags += id != NULL;
        xmlFree(id);
    }
}

static void ips_of(xmlNodePtr nic, FILE *f)
{
    bool first = true;

    for (xmlNodePtr ip = lv_child(nic, "ip"); ip; ip = lv_next(ip, "ip")) {
        char *a = lv_attr(ip, "address");
        lv_take(ip);
        if (a) {
            fprintf(f, "%s%s", first ? ",ip=" : " ", a);
            first = false;
        }
        xmlFree(a);
    }
}

int lv_read_net(struct lv *l, xmlNodePtr nic)
{
    char *type = lv_attr(nic, "type");
    xmlNodePtr src = lv_child(nic, "source"), vp = lv_child(nic, "virtualport");
    xmlNodePtr n;
    char *mac = lv_attr(lv_child(nic, "mac"), "address");
    char *script = lv_attr(lv_child(nic, "script"), "path");
    char *model = lv_attr(lv_child(nic, "model"), "type");
    char *ifname = lv_attr(lv_child(nic, "target"), "dev");
    char *item = NULL, *bridge = NULL;
    bool ovs = lv_attr_is(vp, "type", "openvswitch");
    size_t len = 0;
    FILE *f = open_memstream(&item, &len);
    int rc = 0;

    lv_take(nic);
    lv_take(src);
    lv_take(vp);
    lv_take(lv_child(nic, "mac"));
    lv_take(lv_child(nic, "script"));
    lv_take(lv_child(nic, "model"));
    lv_take(lv_child(nic, "target"));
    lv_take_all(lv_child(nic, "address"));
    lv_take_all(lv_child(nic, "alias"));
    if (!f) {
        rc = xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
        goto out;
    }
    /* libvirt gives an interface without a MAC a random one; so does xl. */
    if (mac)
        fprintf(f, "mac=%s", mac);
    if (type && strcmp(type, "bridge") == 0) {
        if (!(bridge = lv_attr(src, "bridge"))) {
            rc = lv_fail(l, nic, "a bridge interface needs <source "
                         "bridge=...>");
            goto done;
        }
    } else if (type && strcmp(type, "network") == 0) {
        if (!(bridge = lv_attr(src, "network"))) {
            rc = lv_fail(l, nic, "a network interface needs <source "
                         "network=...>");
            goto done;
        }
        lv_warn(l, src, "network \"%s\" is taken as the name of a bridge: "
                "xenith does not know libvirt's networks", bridge);
    } else if (!type || strcmp(type, "ethernet") != 0) {
        rc = lv_fail(l, nic, "interfaces of type \"%s\" are not supported "
                     "by Xen (bridge, network, ethernet)", type ? type : "");
        goto done;
    }
    if (bridge) {
        fprintf(f, ",bridge=%s", bridge);
        if (ovs)
            vlan_of(l, nic, f);
        ips_of(nic, f);
        fprintf(f, ",script=%s", script ? script :
                ovs ? "vif-openvswitch" : "vif-bridge");
    } else {
        if (script)
            fprintf(f, ",script=%s", script);
        ips_of(nic, f);
    }
    if (model && strcmp(model, "netfront") == 0 && l->hvm)
        fputs(",type=vif", f);
    else if (model)
        fprintf(f, ",model=%s", model);
    if (ifname)
        fprintf(f, ",vifname=%s", ifname);
    n = lv_child(nic, "bandwidth");
    lv_take(n);
    lv_take_all(lv_child(n, "inbound"));
    if (lv_child(n, "inbound"))
        lv_warn(l, lv_child(n, "inbound"), "Xen limits what a guest sends "
                "only; the inbound limit is ignored");
    if ((n = lv_child(n, "outbound"))) {
        char *avg = lv_attr(n, "average");
        lv_take(n);
        if (avg)
            fprintf(f, ",rate=%sKB/s", avg);
        xmlFree(avg);
    }
done:
    if (fclose(f) != 0 && rc == 0)
        rc = xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    if (rc == 0) {
        /* Without a MAC, the first option has a comma too many. */
        rc = lv_add_str(l, "vif", nic, item[0] == ',' ? item + 1 : item);
    }
out:
    free(item);
    xmlFree(type);
    xmlFree(mac);
    xmlFree(script);
    xmlFree(model);
    xmlFree(ifname);
    xmlFree(bridge);
    return rc;
}
