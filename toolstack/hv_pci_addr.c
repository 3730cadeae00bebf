/*
 * hv_pci_addr.c - PCI addresses as admins write them: "0000:03:00.0", or
 * "03:00.0" for segment 0 (lspci's and xl's forms).
 */
#include "hv_types.h"

#include <stdio.h>
#include <string.h>

void hv_pci_addr_str(const struct hv_pci_addr *a, char out[HV_PCI_ADDR_LEN])
{
    snprintf(out, HV_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", a->seg, a->bus,
             a->dev & 0x1f, a->fn & 0x7);
}

/* Exactly `digits` hex digits (1..digits when `upto`) at *p, then advance. */
static bool hex_field(const char **p, int digits, bool upto, unsigned *v)
{
    int n = 0;

    *v = 0;
    while (n < digits) {
        char c = (*p)[n];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            break;
        *v = *v * 16 + (unsigned)d;
        n++;
    }
    *p += n;
    return upto ? n > 0 : n == digits;
}

int hv_pci_addr_parse(const char *text, struct hv_pci_addr *a,
                      struct xn_msg *msg)
{
    const char *p = text;
    unsigned seg = 0, bus, dev, fn;
    bool ok;

    /* A segment is there when two colons are. */
    const char *c1 = strchr(text, ':');
    if (c1 && strchr(c1 + 1, ':')) {
        ok = hex_field(&p, 4, true, &seg) && *p++ == ':';
        if (!ok || seg > 0xffff)
            goto bad;
    }
    ok = hex_field(&p, 2, true, &bus) && *p++ == ':' &&
         hex_field(&p, 2, true, &dev) && *p++ == '.' &&
         hex_field(&p, 1, false, &fn) && *p == '\0';
    if (!ok || dev > 0x1f || fn > 7)
        goto bad;
    a->seg = (uint16_t)seg;
    a->bus = (uint8_t)bus;
    a->dev = (uint8_t)dev;
    a->fn = (uint8_t)fn;
    return 0;
bad:
    return xn_msg_set(msg, XN_EINVAL, "\"%s\" is not a PCI address "
                      "(SSSS:BB:DD.F or BB:DD.F, in hex; device 00-1f, "
                      "function 0-7)", text);
}

bool hv_pci_addr_eq(const struct hv_pci_addr *a, const struct hv_pci_addr *b)
{
    return a->seg == b->seg && a->bus == b->bus && a->dev == b->dev &&
           a->fn == b->fn;
}
