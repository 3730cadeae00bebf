/*
 * ops_pci.c - PCI passthrough, as xl's pci-* commands do it: devices made
 * assignable (bound to xen-pciback) and released, a domain's devices
 * listed, attached from xl's PCI spec string (parsed here with libxlutil,
 * the way xl pci-attach parses it) and detached.  Attach and detach run in
 * the domain's job and say so on the bus (`pci` events); the checks and
 * their sentences are the hypervisor interface's (hv_pci.c).  Also the
 * "pci" member of domain records (domain.info, domain.list).
 */
#include "ops.h"
#include "log.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A PCI spec longer than this is no spec ("0000:03:00.0@1f,permissive=1,
 * msitranslate=1,seize=1,power_mgmt=1,rdm_policy=relaxed" is 84). */
#define PCI_SPEC_MAX 256

static int arg_addr(struct request *r, struct hv_pci_addr *a,
                    struct xn_msg *msg)
{
    const char *s;
    int rc = proto_arg_string(r->args, "addr", true, &s, msg);

    return rc < 0 ? rc : hv_pci_addr_parse(s, a, msg);
}

/* The device as a client sees it: with its domain's name, when it has
 * one. */
static struct json_object *dev_json(struct daemon *d,
                                    const struct hv_pcidev *p)
{
    struct json_object *o = proto_pcidev_to_json(p);
    struct hv_dominfo info;

    if (p->domid != HV_NO_DOMAIN && hv_dom_info(d->hv, p->domid, &info,
                                                NULL) == 0)
        json_object_object_add(o, "domain",
                               json_object_new_string(info.name));
    return o;
}

/* {"addr", "vslot"}: a device as a domain's record lists it. */
static struct json_object *slot_json(const struct hv_pcidev *p)
{
    struct json_object *o = json_object_new_object();
    char s[HV_PCI_ADDR_LEN];

    hv_pci_addr_str(&p->addr, s);
    json_object_object_add(o, "addr", json_object_new_string(s));
    json_object_object_add(o, "vslot", p->vslot >= 0
                                       ? json_object_new_int64(p->vslot)
                                       : NULL);
    return o;
}

void op_pci_annotate(struct daemon *d, struct json_object *recs)
{
    bool one = !json_object_is_type(recs, json_type_array);
    size_t n = one ? 1 : json_object_array_length(recs);
    struct hv_pcidev *list = NULL;
    size_t nl = 0;

    /* A host without passthrough lists no devices: every "pci" is []. */
    if (hv_pci_list(d->hv, &list, &nl, NULL) < 0)
        nl = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *rec = one ? recs
                                      : json_object_array_get_idx(recs, i);
        struct json_object *a = json_object_new_array(), *id;
        int64_t domid = -1;
        if (json_object_object_get_ex(rec, "domid", &id))
            domid = json_object_get_int64(id);
        for (size_t j = 0; j < nl; j++)
            if ((int64_t)list[j].domid == domid)
                json_object_array_add(a, slot_json(&list[j]));
        json_object_object_add(rec, "pci", a);
    }
    free(list);
}

/* --- the host's devices --- */

void op_pci_assignable_list(struct request *r)
{
    struct json_object *out, *res;
    struct hv_pcidev *list;
    struct xn_msg msg;
    size_t n;
    int rc = hv_pci_list(r->d->hv, &list, &n, &msg);

    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    out = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(out, dev_json(r->d, &list[i]));
    free(list);
    res = json_object_new_object();
    json_object_object_add(res, "devices", out);
    request_ok(r, res);
}

/* The device's record now, or {} when it cannot be read. */
static struct json_object *dev_now(struct daemon *d,
                                   const struct hv_pci_addr *a)
{
    struct hv_pcidev dev;

    if (hv_pci_info(d->hv, a, &dev, NULL) < 0)
        return json_object_new_object();
    return dev_json(d, &dev);
}

void op_pci_assignable_add(struct request *r)
{
    char s[HV_PCI_ADDR_LEN];
    struct hv_pci_addr a;
    struct xn_msg msg;
    int rc;

    if ((rc = arg_addr(r, &a, &msg)) < 0 ||
        (rc = hv_pci_assignable_add(r->d->hv, &a, &msg)) < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    hv_pci_addr_str(&a, s);
    xn_log(XN_LOG_NOTICE, "PCI device %s is assignable", s);
    request_ok(r, dev_now(r->d, &a));
}

void op_pci_assignable_remove(struct request *r)
{
    char s[HV_PCI_ADDR_LEN];
    struct hv_pci_addr a;
    struct xn_msg msg;
    bool rebind = false;
    int rc;

    if ((rc = arg_addr(r, &a, &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "rebind", &rebind, &msg)) < 0 ||
        (rc = hv_pci_assignable_remove(r->d->hv, &a, rebind, &msg)) < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    hv_pci_addr_str(&a, s);
    xn_log(XN_LOG_NOTICE, "PCI device %s released from pciback%s", s,
           rebind ? " and given back to its driver" : "");
    request_ok(r, dev_now(r->d, &a));
}

/* --- a domain's devices --- */

void op_pci_list(struct request *r)
{
    struct json_object *rec;
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc = op_lookup(r, &info, &msg);

    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    rec = op_domref(info.domid, info.name);
    op_pci_annotate(r->d, rec);
    request_ok(r, rec);
}

/* xl's PCI_SPEC_STRING (BDF[@VSLOT][,KEY=VALUE...]) into *pci, as xl
 * pci-attach reads it.  pci must have been through _init; the caller
 * disposes it, success or not. */
static int parse_spec(const char *spec, libxl_device_pci *pci,
                      struct xn_msg *msg)
{
    XLU_Config *xlu;
    int e;

    if (strlen(spec) > PCI_SPEC_MAX)
        return xn_msg_set(msg, XN_EINVAL, "the PCI spec \"%.40s...\" is "
                          "longer than %d characters", spec, PCI_SPEC_MAX);
    xlu = xlu_cfg_init(NULL, "pci spec");
    if (!xlu)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    e = xlu_pci_parse_spec_string(xlu, pci, spec);
    xlu_cfg_destroy(xlu);
    if (e)
        return xn_msg_set(msg, XN_EINVAL, "\"%s\" is not a PCI device spec "
                          "(BDF[@VSLOT][,OPTION=VALUE...], e.g. "
                          "0000:03:00.0@04,permissive=1)", spec);
    if (pci->name)
        return xn_msg_set(msg, XN_EINVAL, "PCI spec \"%s\" names the device; "
                          "give its address (BDF) instead", spec);
    return 0;
}

struct pci_ctx {
    struct request *r;
    job_token token;
    bool detach;
    struct hv_pci_addr addr;
};

static void pci_done(void *opaque, int rc, const struct xn_msg *msg,
                     uint32_t domid)
{
    struct pci_ctx *c = opaque;
    struct daemon *d = c->r->d;
    char s[HV_PCI_ADDR_LEN];
    struct hv_dominfo info;
    struct bus_event ev;

    hv_pci_addr_str(&c->addr, s);
    if (rc == 0 && hv_dom_info(d->hv, domid, &info, NULL) == 0) {
        xn_log(XN_LOG_NOTICE, "PCI device %s %s domain %u (%s)", s,
               c->detach ? "detached from" : "attached to", domid,
               info.name);
        bus_event_init(&ev, BUS_DOM_PCI, &info);
        ev.detail = json_object_new_object();
        json_object_object_add(ev.detail, "action", json_object_new_string(
                                   c->detach ? "detach" : "attach"));
        json_object_object_add(ev.detail, "addr",
                               json_object_new_string(s));
        bus_publish(d->bus, &ev);
    }
    op_done(c->r, c->token, rc, msg, rc == 0 ? dev_now(d, &c->addr) : NULL);
    free(c);
}

static struct pci_ctx *ctx_new(struct request *r, job_token token,
                               bool detach)
{
    struct pci_ctx *c = calloc(1, sizeof(*c));
    struct xn_msg msg;

    if (!c) {
        xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        op_done(r, token, XN_ENOMEM, &msg, NULL);
        return NULL;
    }
    c->r = r;
    c->token = token;
    c->detach = detach;
    return c;
}

static void attach_start(struct request *r, uint32_t domid, job_token token)
{
    struct pci_ctx *c = ctx_new(r, token, false);
    libxl_device_pci pci;
    const char *spec;
    struct xn_msg msg;
    int rc;

    if (!c)
        return;
    libxl_device_pci_init(&pci);
    if ((rc = proto_arg_string(r->args, "spec", true, &spec, &msg)) == 0 &&
        (rc = parse_spec(spec, &pci, &msg)) == 0) {
        c->addr = hv_pci_addr_of(&pci);
        rc = hv_pci_attach(r->d->hv, domid, &pci, pci_done, c, &msg);
    }
    libxl_device_pci_dispose(&pci);
    if (rc < 0) {
        free(c);
        op_done(r, token, rc, &msg, NULL);
    }
}

static void detach_start(struct request *r, uint32_t domid, job_token token)
{
    struct pci_ctx *c = ctx_new(r, token, true);
    struct xn_msg msg;
    bool force = false;
    int rc;

    if (!c)
        return;
    if ((rc = arg_addr(r, &c->addr, &msg)) == 0 &&
        (rc = proto_arg_bool(r->args, "force", &force, &msg)) == 0)
        rc = hv_pci_detach(r->d->hv, domid, &c->addr, force, pci_done, c,
                           &msg);
    if (rc < 0) {
        free(c);
        op_done(r, token, rc, &msg, NULL);
    }
}

void op_pci_attach(struct request *r)
{
    libxl_device_pci pci;
    const char *spec;
    struct xn_msg msg;
    int rc;

    /* A bad spec is refused before the domain's turn comes. */
    libxl_device_pci_init(&pci);
    if ((rc = proto_arg_string(r->args, "spec", true, &spec, &msg)) == 0)
        rc = parse_spec(spec, &pci, &msg);
    libxl_device_pci_dispose(&pci);
    if (rc < 0)
        request_fail_msg(r, rc, &msg);
    else
        op_async(r, attach_start);
}

void op_pci_detach(struct request *r)
{
    struct hv_pci_addr a;
    struct xn_msg msg;
    int rc = arg_addr(r, &a, &msg);

    if (rc < 0)
        request_fail_msg(r, rc, &msg);
    else
        op_async(r, detach_start);
}
