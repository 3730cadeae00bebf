/*
 * sim_scenario_pci.c - a scenario's <pci> elements: the host's PCI devices,
 * each with its address, the host driver bound to it and a description
 * (docs/sim-host.md, "<pci>").
 */
#include "sim/sim_scenario_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const pci_attrs[] = {"addr", "driver", "name", NULL};

/* A Linux driver's name: letters, digits, '_' and '-'. */
static bool driver_ok(const char *s)
{
    if (strlen(s) >= SIM_PCI_DRIVER_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

/* Printable, not too long: it is shown to people. */
static bool desc_ok(const char *s)
{
    if (strlen(s) >= SIM_PCI_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isprint((unsigned char)*s))
            return false;
    return true;
}

static int load_one(struct sc *sc, xmlNodePtr n)
{
    char s[HV_PCI_ADDR_LEN];
    const char *addr, *driver, *name;
    struct hv_pci_addr a;
    struct xn_msg inner;
    struct elem e;
    int rc = elem_read(sc, n, pci_attrs, &e);

    if (rc < 0)
        return rc;
    addr = elem_get(&e, "addr");
    driver = elem_get(&e, "driver") ? elem_get(&e, "driver") : "";
    name = elem_get(&e, "name") ? elem_get(&e, "name") : "";
    if (!addr) {
        rc = sc_err(sc, e.line, XN_EINVAL, "<pci> needs addr=\"...\" (e.g. "
                    "0000:03:00.0)");
        goto out;
    }
    if (hv_pci_addr_parse(addr, &a, &inner) < 0) {
        rc = elem_bad(sc, &e, "addr", addr, "is not a PCI address "
                      "(SSSS:BB:DD.F or BB:DD.F, in hex)");
        goto out;
    }
    hv_pci_addr_str(&a, s);
    snprintf(e.what, sizeof(e.what), "pci \"%s\"", s);
    if (!driver_ok(driver))
        rc = elem_bad(sc, &e, "driver", driver, "is not a driver name "
                      "(letters, digits, '_' and '-', at most 31)");
    else if (!desc_ok(name))
        rc = elem_bad(sc, &e, "name", name, "is not a description "
                      "(printable, at most 63 characters)");
    else if (sim_pci_add(sc->h, &a, driver, name, &inner) < 0)
        rc = sc_err(sc, e.line, XN_EINVAL, "%s", inner.text);
out:
    elem_done(&e);
    return rc;
}

int sc_load_pci(struct sc *sc, xmlNodePtr root)
{
    for (xmlNodePtr n = root->children; n; n = n->next) {
        int rc;
        if (n->type != XML_ELEMENT_NODE ||
            strcmp((const char *)n->name, "pci") != 0)
            continue;
        if ((rc = load_one(sc, n)) < 0)
            return rc;
    }
    return 0;
}
