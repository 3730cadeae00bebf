/*
 * xlcfg_devices.c - disk = [...] and vif = [...].
 *
 * Disk specifications are libxlutil's (xlu_disk_parse), as in xl.  A vif
 * specification is a comma-separated list of key=value options, parsed as
 * xl parses it: what xl reports and then ignores (an unknown option, a bad
 * type, accel=) is a warning, but a bad MAC, of which xl keeps the bytes
 * before the bad one, is an error.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"
#include "config/xlcfg_names.h"

/*
 * libxlutil's complaint, e.g.
 *   "config parsing error in disk specification: unknown value for format:
 *    near `qcow3' in `SPEC'"
 * reduced to  unknown value for format near "qcow3".
 */
static void tidy_reason(char *r, const char *prefix)
{
    size_t plen = strlen(prefix);
    char *p, *q;

    if (strncmp(r, prefix, plen) == 0)
        memmove(r, r + plen, strlen(r + plen) + 1);
    p = strstr(r, " in `");
    if (p)
        *p = '\0';
    p = strstr(r, ": near `");
    if (p) {
        q = p + strlen(": near `");
        size_t n = strlen(q);
        if (n && q[n - 1] == '\'')
            q[--n] = '\0';
        memmove(p + strlen(" near \""), q, n + 1);
        memcpy(p, " near \"", strlen(" near \""));
        strcat(p, "\"");
    }
}

/* ---- disks ---- */

int xlcfg_build_disks(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "disk", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->disks = calloc((size_t)n, sizeof(*dc->disks));
    if (!dc->disks)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        const char *spec = xlu_cfg_get_listitem(list, i);
        libxl_device_disk *disk = &dc->disks[i];
        char reason[256];
        size_t mark = xlcfg_report_mark(c);

        libxl_device_disk_init(disk);
        dc->num_disks = i + 1;
        if (xlu_disk_parse(c->xlu, 1, &spec, disk) != 0) {
            xlcfg_report_since(c, mark, reason, sizeof(reason));
            tidy_reason(reason, "config parsing error in disk "
                                "specification: ");
            return xlcfg_fail(c, "disk", i, "\"%s\" is not a valid disk "
                              "(%s)", spec, reason[0] ? reason : "?");
        }
    }
    return 0;
}

/* ---- network interfaces ---- */

int xlcfg_mac_parse(const char *text, libxl_mac mac)
{
    const char *p = text;

    for (int i = 0; i < 6; i++) {
        unsigned v = 0;
        int digits = 0;

        for (; digits < 2; digits++, p++) {
            char ch = *p;
            if (ch >= '0' && ch <= '9')
                v = v * 16 + (unsigned)(ch - '0');
            else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
                v = v * 16 + (unsigned)((ch | 0x20) - 'a' + 10);
            else
                break;
        }
        if (digits == 0 || *p != (i < 5 ? ':' : '\0'))
            return XN_EINVAL;
        if (i < 5)
            p++;
        mac[i] = (uint8_t)v;
    }
    return 0;
}

/* Options that just store their value (and the COLO ones, xlcfg_names.c). */
static const struct xlcfg_nic_opt nic_strings[] = {
    {"bridge", offsetof(libxl_device_nic, bridge)},
    {"gatewaydev", offsetof(libxl_device_nic, gatewaydev)},
    {"netdev", offsetof(libxl_device_nic, gatewaydev)}, /* deprecated */
    {"ip", offsetof(libxl_device_nic, ip)},
    {"script", offsetof(libxl_device_nic, script)},
    {"backend", offsetof(libxl_device_nic, backend_domname)},
    {"vifname", offsetof(libxl_device_nic, ifname)},
    {"model", offsetof(libxl_device_nic, model)},
};

/* The field of nic that option `key` stores its value in, or NULL. */
static char **string_opt(libxl_device_nic *nic, const char *key)
{
    const struct xlcfg_nic_opt *o = NULL;

    for (size_t k = 0; !o && k < sizeof(nic_strings) / sizeof(nic_strings[0]);
         k++)
        if (strcmp(key, nic_strings[k].key) == 0)
            o = &nic_strings[k];
    for (size_t k = 0; !o && k < xlcfg_nic_ncolo; k++)
        if (strcmp(key, xlcfg_nic_colo[k].key) == 0)
            o = &xlcfg_nic_colo[k];
    return o ? (char **)((char *)nic + o->off) : NULL;
}

static int nic_number(const char *v, long max, int *out)
{
    char *end;
    long l;

    if (*v < '0' || *v > '9')
        return XN_EINVAL;
    errno = 0;
    l = strtol(v, &end, 10);
    if (*end || errno || l > max)
        return XN_EINVAL;
    *out = (int)l;
    return 0;
}

static void unknown_option(struct xlcfg *c, int i, const char *spec,
                           const char *tok)
{
    xlcfg_warn(c, "vif", i, "\"%s\" in \"%s\" is ignored, as xl ignores "
               "it: it is not a vif option", tok, spec);
}

/* One option of vif item `i`; `tok` is "key=value" or a flag. */
static int nic_option(struct xlcfg *c, int i, const char *spec,
                      libxl_device_nic *nic, char *tok)
{
    char *v = strchr(tok, '='), reason[256], **dst;
    size_t mark;

    if (strcmp(tok, "trusted") == 0 || strcmp(tok, "untrusted") == 0) {
        libxl_defbool_set(&nic->trusted, tok[0] == 't');
        return 0;
    }
    if (!v) {
        unknown_option(c, i, spec, tok);
        return 0;
    }
    *v++ = '\0';
    if (strcmp(tok, "netdev") == 0)
        xlcfg_warn(c, "vif", i, "netdev \"%s\" is deprecated, as xl warns; "
                   "it is used as gatewaydev, the new name", v);
    if ((dst = string_opt(nic, tok))) {
        free(*dst);
        *dst = strdup(v);
        return *dst ? 0 : xlcfg_oom(c);
    }
    if (strcmp(tok, "type") == 0) {
        if (strcmp(v, "vif") == 0)
            nic->nictype = LIBXL_NIC_TYPE_VIF;
        else if (strcmp(v, "ioemu") == 0)
            nic->nictype = LIBXL_NIC_TYPE_VIF_IOEMU;
        else
            xlcfg_warn(c, "vif", i, "type \"%s\" is ignored, as xl ignores "
                       "it: it is not a vif type (vif or ioemu)", v);
    } else if (strcmp(tok, "mac") == 0) {
        if (xlcfg_mac_parse(v, nic->mac) < 0)
            return xlcfg_fail(c, "vif", i, "mac \"%s\" is not a MAC "
                              "address (xx:xx:xx:xx:xx:xx)", v);
    } else if (strcmp(tok, "rate") == 0) {
        mark = xlcfg_report_mark(c);
        errno = 0;   /* libxlutil tests errno without clearing it */
        if (xlu_vif_parse_rate(c->xlu, v, nic) != 0) {
            xlcfg_report_since(c, mark, reason, sizeof(reason));
            tidy_reason(reason, "config parsing error in vif: ");
            return xlcfg_fail(c, "vif", i, "rate \"%s\" is not a valid rate "
                              "(%s)", v, reason[0] ? reason : "?");
        }
    } else if (strcmp(tok, "devid") == 0) {
        if (nic_number(v, INT_MAX, &nic->devid) < 0)
            return xlcfg_fail(c, "vif", i, "devid \"%s\" is not a device "
                              "number", v);
    } else if (strcmp(tok, "mtu") == 0) {
        if (nic_number(v, 65535, &nic->mtu) < 0)
            return xlcfg_fail(c, "vif", i, "mtu \"%s\" is not an MTU "
                              "(0 to 65535)", v);
    } else if (strcmp(tok, "accel") == 0) {
        xlcfg_warn(c, "vif", i, "accel \"%s\" is ignored, as xl ignores it: "
                   "vif acceleration is not supported", v);
    } else {
        v[-1] = '=';
        unknown_option(c, i, spec, tok);
    }
    return 0;
}

static int parse_nic(struct xlcfg *c, int i, const char *spec,
                     libxl_device_nic *nic)
{
    char *copy = strdup(spec), *tok, *save = NULL;
    int rc = 0;

    if (!copy)
        return xlcfg_oom(c);
    for (tok = strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        rc = nic_option(c, i, spec, nic, tok);
    }
    free(copy);
    return rc;
}

int xlcfg_build_nics(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "vif", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->nics = calloc((size_t)n, sizeof(*dc->nics));
    if (!dc->nics)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        libxl_device_nic *nic = &dc->nics[i];

        libxl_device_nic_init(nic);
        dc->num_nics = i + 1;
        nic->devid = i;
        rc = parse_nic(c, i, xlu_cfg_get_listitem(list, i), nic);
        if (rc < 0)
            return rc;
    }
    return 0;
}
