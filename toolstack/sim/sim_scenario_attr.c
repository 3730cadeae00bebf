/*
 * sim_scenario_attr.c - reading a scenario element's attributes: sizes,
 * numbers, durations, UUIDs, CPU lists, states.  Every error is one
 * sentence "FILE:LINE: WHAT: NAME \"VALUE\" why".
 */
#include "sim/sim_scenario_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sc_err(struct sc *sc, int line, int code, const char *fmt, ...)
{
    char text[XN_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return xn_msg_set(sc->msg, code, "%s:%d: %s", sc->file, line, text);
}

void elem_done(struct elem *e)
{
    for (int i = 0; i < SC_MAX_ATTRS; i++)
        if (e->val[i])
            xmlFree(e->val[i]);
    memset(e->val, 0, sizeof(e->val));
}

int elem_read(struct sc *sc, xmlNodePtr n, const char *const *names,
              struct elem *e)
{
    memset(e, 0, sizeof(*e));
    e->names = names;
    e->line = (int)xmlGetLineNo(n);
    snprintf(e->what, sizeof(e->what), "<%s>", (const char *)n->name);
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        int i = 0;
        while (names[i] && strcmp(names[i], (const char *)a->name) != 0)
            i++;
        if (!names[i]) {
            elem_done(e);
            return sc_err(sc, e->line, XN_EINVAL, "<%s> has no attribute "
                          "\"%s\"", (const char *)n->name,
                          (const char *)a->name);
        }
        e->val[i] = (char *)xmlNodeListGetString(sc->doc, a->children, 1);
        if (!e->val[i])
            e->val[i] = (char *)xmlStrdup((const xmlChar *)"");
    }
    return 0;
}

const char *elem_get(const struct elem *e, const char *name)
{
    for (int i = 0; e->names[i]; i++)
        if (strcmp(e->names[i], name) == 0)
            return e->val[i];
    return NULL;
}

int elem_bad(struct sc *sc, const struct elem *e, const char *name,
             const char *val, const char *why)
{
    return sc_err(sc, e->line, XN_EINVAL, "%s: %s \"%s\" %s", e->what, name,
                  val, why);
}

/* --- attribute values --- */

static bool parse_u64(const char *s, uint64_t *v, const char **end)
{
    char *e;

    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    *v = strtoull(s, &e, 10);
    *end = e;
    return errno == 0;
}

bool sc_parse_size(const char *v, uint64_t *kb)
{
    static const struct { const char *unit; unsigned shift; } units[] = {
        { "KiB", 0 }, { "K", 0 }, { "MiB", 10 }, { "M", 10 },
        { "GiB", 20 }, { "G", 20 }, { "TiB", 30 }, { "T", 30 },
    };
    const char *end;
    uint64_t n;

    if (parse_u64(v, &n, &end))
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strcmp(end, units[i].unit) == 0 && n > 0 &&
                n <= (UINT64_C(1) << 40) >> units[i].shift) {
                *kb = n << units[i].shift;
                return true;
            }
    return false;
}

int a_size(struct sc *sc, const struct elem *e, const char *name,
           uint64_t *kb)
{
    const char *v = elem_get(e, name);

    if (!v || sc_parse_size(v, kb))
        return 0;
    return elem_bad(sc, e, name, v, "is not a size (use a whole number with "
                    "KiB, MiB, GiB or TiB, e.g. 512MiB or 16GiB)");
}

int a_u32(struct sc *sc, const struct elem *e, const char *name,
          uint32_t lo, uint32_t hi, uint32_t *out)
{
    const char *v = elem_get(e, name), *end;
    char why[64];
    uint64_t n;

    if (!v)
        return 0;
    if (parse_u64(v, &n, &end) && !*end && n >= lo && n <= hi) {
        *out = (uint32_t)n;
        return 0;
    }
    snprintf(why, sizeof(why), "is not a number from %u to %u", lo, hi);
    return elem_bad(sc, e, name, v, why);
}

int a_int(struct sc *sc, const struct elem *e, const char *name,
          int lo, int hi, int *out)
{
    uint32_t n = 0;
    int rc = a_u32(sc, e, name, (uint32_t)lo, (uint32_t)hi, &n);

    if (rc == 0 && elem_get(e, name))
        *out = (int)n;
    return rc;
}

int a_demand(struct sc *sc, const struct elem *e, double *out)
{
    const char *v = elem_get(e, "demand");
    char *end;
    double d;

    if (!v)
        return 0;
    errno = 0;
    d = strtod(v, &end);
    if (isdigit((unsigned char)*v) && !*end && errno == 0 && d >= 0 &&
        d <= SIM_VCPUS_MAX) {
        *out = d;
        return 0;
    }
    return elem_bad(sc, e, "demand", v,
                    "is not a number of CPUs from 0 to 512 (e.g. 1.5)");
}

int a_cpu_trace(struct sc *sc, const struct elem *e,
                struct sim_cpu_trace *out)
{
    const char *v = elem_get(e, "cpu-trace");
    char why[160], text[200];

    if (!v)
        return 0;
    if (elem_get(e, "demand"))
        return sc_err(sc, e->line, XN_EINVAL, "%s: cpu-trace \"%s\" and "
                      "demand \"%s\" are both given; a trace sets the "
                      "demand (keep one)", e->what, v, elem_get(e, "demand"));
    if (sim_cpu_trace_parse(v, out, why, sizeof(why)) == 0)
        return 0;
    snprintf(text, sizeof(text), "is not a CPU trace: %s", why);
    return elem_bad(sc, e, "cpu-trace", v, text);
}

int a_duration(struct sc *sc, const struct elem *e, const char *name,
               uint64_t *ns)
{
    static const struct { const char *unit; uint64_t mul; } units[] = {
        { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
    };
    const char *v = elem_get(e, name), *end;
    uint64_t n;

    if (!v)
        return 0;
    if (parse_u64(v, &n, &end)) {
        if (n == 0 && !*end) {
            *ns = 0;
            return 0;
        }
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strcmp(end, units[i].unit) == 0 &&
                n <= UINT64_C(3600000000000) / units[i].mul) {
                *ns = n * units[i].mul;
                return 0;
            }
    }
    return elem_bad(sc, e, name, v, "is not a duration up to an hour (e.g. "
                    "200ms or 2s)");
}

int a_bool(struct sc *sc, const struct elem *e, const char *name,
           bool *out)
{
    const char *v = elem_get(e, name);

    if (!v)
        return 0;
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        *out = true;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        *out = false;
    else
        return elem_bad(sc, e, name, v, "is not yes or no");
    return 0;
}

int a_uuid(struct sc *sc, const struct elem *e, uint8_t uuid[16],
           bool *has)
{
    const char *v = elem_get(e, "uuid");
    size_t n = 0;

    if (!v)
        return 0;
    for (size_t i = 0; v[i]; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? v[i] != '-' : !isxdigit((unsigned char)v[i]))
            goto bad_uuid;
        if (!dash) {
            unsigned x = (unsigned)(isdigit((unsigned char)v[i])
                                        ? v[i] - '0'
                                        : tolower((unsigned char)v[i]) - 'a'
                                              + 10);
            if (n % 2 == 0)
                uuid[n / 2] = (uint8_t)(x << 4);
            else
                uuid[n / 2] |= (uint8_t)x;
            n++;
        }
    }
    if (n == 32 && strlen(v) == 36) {
        *has = true;
        return 0;
    }
bad_uuid:
    return elem_bad(sc, e, "uuid", v, "is not a UUID (e.g. "
                    "5e1a0c3e-7b2d-4d1e-9f00-000000000001)");
}

int a_sched(struct sc *sc, const struct elem *e, enum hv_sched *out)
{
    const char *v = elem_get(e, "sched");
    enum hv_sched s;

    if (!v)
        return 0;
    s = hv_sched_parse(v);
    if (s != HV_SCHED_CREDIT && s != HV_SCHED_CREDIT2)
        return elem_bad(sc, e, "sched", v, "is not a scheduler the simulated "
                        "host runs (credit or credit2)");
    *out = s;
    return 0;
}

int a_cpus(struct sc *sc, const struct elem *e, const char *name,
           struct cpuset *s, bool *has)
{
    const char *v = elem_get(e, name);
    unsigned ncpus = sim_host_spec(sc->h)->nr_cpus;
    struct xn_msg inner;

    if (!v)
        return 0;
    if (cpuset_parse(s, v, ncpus, &inner) < 0)
        return sc_err(sc, e->line, XN_EINVAL, "%s: %s: %s", e->what, name,
                      inner.text);
    *has = true;
    return 0;
}

bool sc_name_ok(const char *s)
{
    bool digits = true;

    if (!*s || strlen(s) >= HV_NAME_MAX)
        return false;
    for (; *s; s++) {
        if (!isgraph((unsigned char)*s) || *s == '/')
            return false;
        digits &= isdigit((unsigned char)*s) != 0;
    }
    return !digits;
}

int a_state(struct sc *sc, const struct elem *e, struct sim_dom_spec *s)
{
    static const enum hv_shutdown reasons[] = {
        HV_SHUTDOWN_POWEROFF, HV_SHUTDOWN_REBOOT, HV_SHUTDOWN_SUSPEND,
        HV_SHUTDOWN_CRASH, HV_SHUTDOWN_WATCHDOG, HV_SHUTDOWN_SOFT_RESET,
    };
    const char *v = elem_get(e, "state"), *r = elem_get(e, "shutdown-reason");

    if (v && !strcmp(v, "running"))
        s->state = HV_STATE_RUNNING;
    else if (v && !strcmp(v, "paused"))
        s->state = HV_STATE_PAUSED;
    else if (v && !strcmp(v, "shutdown"))
        s->state = HV_STATE_SHUTDOWN;
    else if (v)
        return elem_bad(sc, e, "state", v,
                        "is not running, paused or shutdown");
    if (!r) {
        s->reason = HV_SHUTDOWN_POWEROFF;
        return 0;
    }
    if (s->state != HV_STATE_SHUTDOWN)
        return elem_bad(sc, e, "shutdown-reason", r,
                        "needs state=\"shutdown\"");
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (!strcmp(r, hv_shutdown_name(reasons[i]))) {
            s->reason = reasons[i];
            return 0;
        }
    return elem_bad(sc, e, "shutdown-reason", r, "is not poweroff, reboot, "
                    "suspend, crash, watchdog or soft_reset");
}

int a_type(struct sc *sc, const struct elem *e, enum hv_domtype *t)
{
    const char *v = elem_get(e, "type");

    if (!v)
        return 0;
    if (!strcmp(v, "pv"))
        *t = HV_TYPE_PV;
    else if (!strcmp(v, "pvh"))
        *t = HV_TYPE_PVH;
    else if (!strcmp(v, "hvm"))
        *t = HV_TYPE_HVM;
    else
        return elem_bad(sc, e, "type", v, "is not pv, pvh or hvm");
    return 0;
}

/* The same affinity for every vCPU. */
int a_affinity(struct sc *sc, const struct elem *e, const char *name,
               uint32_t vmax, struct cpuset **arr_r)
{
    struct cpuset c;
    bool has = false;
    int rc = a_cpus(sc, e, name, &c, &has);

    if (rc < 0 || !has)
        return rc;
    *arr_r = calloc(vmax, sizeof(**arr_r));
    if (!*arr_r)
        return xn_msg_set(sc->msg, XN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < vmax; i++)
        (*arr_r)[i] = c;
    return 0;
}
