/*
 * xlcfg_build.c - the domain itself: name, uuid, type, memory, vCPUs,
 * scheduling and shutdown actions.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"
#include "config/xlcfg_names.h"

#define MAX_VCPUS 4096

#define BI(f) offsetof(libxl_domain_config, b_info.f)

/* ---- identity ---- */

static int parse_type(struct xlcfg *c, libxl_domain_type *type)
{
    const char *v;
    int rc = xlcfg_get_str(c, "type", &v);

    *type = LIBXL_DOMAIN_TYPE_INVALID;
    if (rc == 1) {
        if (strcmp(v, "pv") == 0)
            *type = LIBXL_DOMAIN_TYPE_PV;
        else if (strcmp(v, "pvh") == 0)
            *type = LIBXL_DOMAIN_TYPE_PVH;
        else if (strcmp(v, "hvm") == 0)
            *type = LIBXL_DOMAIN_TYPE_HVM;
        else
            return xlcfg_fail(c, "type", -1, "\"%s\" is not a domain type "
                              "(pv, pvh or hvm)", v);
    }
    if (rc < 0)
        return rc;
    rc = xlcfg_get_str(c, "builder", &v);   /* xm's name for it */
    if (rc == 1) {
        libxl_domain_type b;
        if (strcmp(v, "hvm") == 0)
            b = LIBXL_DOMAIN_TYPE_HVM;
        else if (strcmp(v, "generic") == 0)
            b = LIBXL_DOMAIN_TYPE_PV;
        else
            return xlcfg_fail(c, "builder", -1, "\"%s\" is not a builder "
                              "(hvm or generic)", v);
        if (*type != LIBXL_DOMAIN_TYPE_INVALID && *type != b)
            return xlcfg_fail(c, "builder", -1, "\"%s\" contradicts type "
                              "\"%s\"", v, libxl_domain_type_to_string(*type));
        *type = b;
    }
    if (rc < 0)
        return rc;
    if (*type == LIBXL_DOMAIN_TYPE_INVALID)
        *type = LIBXL_DOMAIN_TYPE_PV;
    return 0;
}

static int parse_seclabels(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    int rc = xlcfg_get_strdup(c, "init_seclabel", &dc->c_info.ssid_label);

    if (rc < 0)
        return rc;
    /* With an init label, seclabel is the label the domain switches to. */
    rc = xlcfg_get_strdup(c, "seclabel", dc->c_info.ssid_label
                                             ? &dc->b_info.exec_ssid_label
                                             : &dc->c_info.ssid_label);
    return rc < 0 ? rc : 0;
}

int xlcfg_build_identity(struct xlcfg *c)
{
    libxl_domain_create_info *ci = &c->dc->c_info;
    libxl_domain_type type;
    const char *v;
    int rc;

    if ((rc = parse_seclabels(c)) < 0 || (rc = parse_type(c, &type)) < 0)
        return rc;
    ci->type = type;
    libxl_defbool_set(&ci->run_hotplug_scripts, true);

    rc = xlcfg_get_strdup(c, "name", &ci->name);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return xlcfg_fail(c, "name", -1, "missing; every domain needs "
                          "a name");
    if (!ci->name[0])
        return xlcfg_fail(c, "name", -1, "\"\" is not a domain name");

    rc = xlcfg_get_str(c, "uuid", &v);
    if (rc < 0)
        return rc;
    if (rc == 0)
        libxl_uuid_generate(&ci->uuid);
    else if (libxl_uuid_from_string(&ci->uuid, v) != 0)
        return xlcfg_fail(c, "uuid", -1, "\"%s\" is not a UUID", v);

    libxl_domain_build_info_init_type(&c->dc->b_info, type);
    return 0;
}

/* ---- memory, vCPUs, scheduling ---- */

static const struct xlcfg_field sched_fields[] = {
    {"cap", XK_INT, BI(sched_params.cap), XT_ALL, 0, INT_MAX},
    {"period", XK_INT, BI(sched_params.period), XT_ALL, 0, INT_MAX},
    {"slice", XK_INT, BI(sched_params.slice), XT_ALL, 0, INT_MAX},
    {"latency", XK_INT, BI(sched_params.latency), XT_ALL, 0, INT_MAX},
    {"extratime", XK_INT, BI(sched_params.extratime), XT_ALL, 0, INT_MAX},
};

static int parse_vcpus(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    long l, maxv = 0;
    int rc = xlcfg_get_long(c, "vcpus", 1, MAX_VCPUS, "a number of vCPUs",
                            &l);

    if (rc < 0)
        return rc;
    if (rc == 1) {
        c->vcpus = l;
        if (xlcfg_bitmap_alloc(&bi->avail_vcpus, (int)l) < 0)
            return xlcfg_oom(c);
        for (long i = 0; i < l; i++)
            libxl_bitmap_set(&bi->avail_vcpus, (int)i);
    }
    rc = xlcfg_get_long(c, "maxvcpus", 1, MAX_VCPUS, "a number of vCPUs",
                        &maxv);
    if (rc < 0)
        return rc;
    if (rc == 1 && maxv < c->vcpus)
        return xlcfg_fail(c, "maxvcpus", -1, "\"%ld\" is less than "
                          "vcpus (%ld)", maxv, c->vcpus);
    bi->max_vcpus = (int)(rc == 1 ? maxv : c->vcpus);
    return 0;
}

/* xl stores any number; libxl's credit schedulers refuse what is outside
 * 1 to 65535 when they build the domain. */
static int parse_weight(struct xlcfg *c)
{
    const char *v;
    long l;
    int rc = xlcfg_get_long(c, "cpu_weight", LONG_MIN, LONG_MAX, "a number",
                            &l);

    if (rc <= 0)
        return rc;
    if ((l < 1 || l > 65535) && xlcfg_get_str(c, "cpu_weight", &v) == 1)
        return xlcfg_fail(c, "cpu_weight", -1, "\"%s\" is out of range: "
                          "libxl's credit schedulers take 1 to 65535", v);
    c->dc->b_info.sched_params.weight = (int)l;
    return 0;
}

int xlcfg_build_resources(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    long mem = 0, maxmem;
    int rc;

    if ((rc = parse_weight(c)) < 0)
        return rc;
    rc = xlcfg_apply_fields(c, sched_fields,
                            sizeof(sched_fields) / sizeof(sched_fields[0]));
    if (rc < 0)
        return rc;
    rc = xlcfg_get_long(c, "memory", 1, XLCFG_MAX_MIB, "a number of MiB",
                        &mem);
    if (rc < 0)
        return rc;
    if (rc == 1)
        bi->target_memkb = (uint64_t)mem * 1024;
    rc = xlcfg_get_long(c, "maxmem", 1, XLCFG_MAX_MIB, "a number of MiB",
                        &maxmem);
    if (rc < 0)
        return rc;
    if (rc == 1 && maxmem < mem)
        return xlcfg_fail(c, "maxmem", -1, "\"%ld\" is less than memory "
                          "(%ld MiB); xl.cfg(5) requires maxmem >= memory",
                          maxmem, mem);
    if (rc == 1)
        bi->max_memkb = (uint64_t)maxmem * 1024;
    else
        bi->max_memkb = bi->target_memkb;
    return parse_vcpus(c);
}

/* ---- shutdown actions ---- */

static int parse_action(struct xlcfg *c, const char *key, const char *dflt,
                        libxl_action_on_shutdown *a)
{
    const char *v = dflt;
    int rc = xlcfg_get_str(c, key, &v);

    if (rc < 0)
        return rc;
    if (xlcfg_action_parse(v, a))
        return 0;
    return xlcfg_fail(c, key, -1, "\"%s\" is not an action (destroy, "
                      "restart, rename-restart, preserve, coredump-destroy, "
                      "coredump-restart or soft-reset)", v);
}

int xlcfg_build_actions(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    int rc;

    if ((rc = parse_action(c, "on_poweroff", "destroy",
                           &dc->on_poweroff)) < 0 ||
        (rc = parse_action(c, "on_reboot", "restart", &dc->on_reboot)) < 0 ||
        (rc = parse_action(c, "on_watchdog", "destroy",
                           &dc->on_watchdog)) < 0 ||
        (rc = parse_action(c, "on_crash", "destroy", &dc->on_crash)) < 0 ||
        (rc = parse_action(c, "on_soft_reset", "soft-reset",
                           &dc->on_soft_reset)) < 0)
        return rc;
    return 0;
}
