/*
 * sim_scenario.c - the scenario file: XML read with libxml2, validated
 * strictly (unknown elements and attributes are errors), turned into a
 * sim_host through the model's own calls.
 */
#include "sim/sim_scenario.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define SCENARIO_MAX (1u << 20)
#define MAX_ATTRS 20

const char sim_scenario_builtin[] =
    "<host cpus=\"8\" threads-per-core=\"2\" cores-per-socket=\"4\"\n"
    "      mhz=\"2400\" memory=\"16GiB\" overhead=\"128MiB\" "
    "sched=\"credit2\">\n"
    "  <dom0 memory=\"2GiB\" vcpus=\"2\"\n"
    "        uuid=\"00000000-0000-0000-0000-000000000000\"/>\n"
    "  <domain name=\"web1\" type=\"pvh\" memory=\"1GiB\" vcpus=\"2\"\n"
    "          demand=\"0.5\" uuid=\"5e1a0c3e-7b2d-4d1e-9f00-000000000001\"/>\n"
    "  <domain name=\"db1\" type=\"pv\" memory=\"2GiB\" vcpus=\"4\"\n"
    "          demand=\"1.5\" uuid=\"5e1a0c3e-7b2d-4d1e-9f00-000000000002\"/>\n"
    "</host>\n";

/* A scenario being loaded. */
struct sc {
    const char *file;
    xmlDocPtr doc;
    struct sim_host *h;
    struct xn_msg *msg;
};

/* One element's attributes, checked against the names it may have. */
struct elem {
    int line;
    const char *const *names;       /* NULL-terminated */
    char *val[MAX_ATTRS];           /* xmlFree'd by elem_done */
    char what[HV_NAME_MAX + 16];    /* "domain \"web1\"", for messages */
};

static int sc_err(struct sc *sc, int line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int sc_err(struct sc *sc, int line, int code, const char *fmt, ...)
{
    char text[XN_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return xn_msg_set(sc->msg, code, "%s:%d: %s", sc->file, line, text);
}

static void elem_done(struct elem *e)
{
    for (int i = 0; i < MAX_ATTRS; i++)
        if (e->val[i])
            xmlFree(e->val[i]);
    memset(e->val, 0, sizeof(e->val));
}

static int elem_read(struct sc *sc, xmlNodePtr n, const char *const *names,
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

static const char *get(const struct elem *e, const char *name)
{
    for (int i = 0; e->names[i]; i++)
        if (strcmp(e->names[i], name) == 0)
            return e->val[i];
    return NULL;
}

static int bad(struct sc *sc, const struct elem *e, const char *name,
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

static int a_size(struct sc *sc, const struct elem *e, const char *name,
                  uint64_t *kb)
{
    static const struct { const char *unit; unsigned shift; } units[] = {
        { "KiB", 0 }, { "K", 0 }, { "MiB", 10 }, { "M", 10 },
        { "GiB", 20 }, { "G", 20 }, { "TiB", 30 }, { "T", 30 },
    };
    const char *v = get(e, name), *end;
    uint64_t n;

    if (!v)
        return 0;
    if (parse_u64(v, &n, &end))
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strcmp(end, units[i].unit) == 0 && n > 0 &&
                n <= (UINT64_C(1) << 40) >> units[i].shift) {
                *kb = n << units[i].shift;
                return 0;
            }
    return bad(sc, e, name, v, "is not a size (use a whole number with "
               "KiB, MiB, GiB or TiB, e.g. 512MiB or 16GiB)");
}

static int a_u32(struct sc *sc, const struct elem *e, const char *name,
                 uint32_t lo, uint32_t hi, uint32_t *out)
{
    const char *v = get(e, name), *end;
    char why[64];
    uint64_t n;

    if (!v)
        return 0;
    if (parse_u64(v, &n, &end) && !*end && n >= lo && n <= hi) {
        *out = (uint32_t)n;
        return 0;
    }
    snprintf(why, sizeof(why), "is not a number from %u to %u", lo, hi);
    return bad(sc, e, name, v, why);
}

static int a_int(struct sc *sc, const struct elem *e, const char *name,
                 int lo, int hi, int *out)
{
    uint32_t n = 0;
    int rc = a_u32(sc, e, name, (uint32_t)lo, (uint32_t)hi, &n);

    if (rc == 0 && get(e, name))
        *out = (int)n;
    return rc;
}

static int a_demand(struct sc *sc, const struct elem *e, double *out)
{
    const char *v = get(e, "demand");
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
    return bad(sc, e, "demand", v, "is not a number of CPUs from 0 to 512 "
               "(e.g. 1.5)");
}

static int a_duration(struct sc *sc, const struct elem *e, const char *name,
                      uint64_t *ns)
{
    static const struct { const char *unit; uint64_t mul; } units[] = {
        { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
    };
    const char *v = get(e, name), *end;
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
    return bad(sc, e, name, v, "is not a duration up to an hour (e.g. "
               "200ms or 2s)");
}

static int a_bool(struct sc *sc, const struct elem *e, const char *name,
                  bool *out)
{
    const char *v = get(e, name);

    if (!v)
        return 0;
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        *out = true;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        *out = false;
    else
        return bad(sc, e, name, v, "is not yes or no");
    return 0;
}

static int a_uuid(struct sc *sc, const struct elem *e, uint8_t uuid[16],
                  bool *has)
{
    const char *v = get(e, "uuid");
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
    return bad(sc, e, "uuid", v, "is not a UUID (e.g. "
               "5e1a0c3e-7b2d-4d1e-9f00-000000000001)");
}

static int a_sched(struct sc *sc, const struct elem *e, enum hv_sched *out)
{
    const char *v = get(e, "sched");
    enum hv_sched s;

    if (!v)
        return 0;
    s = hv_sched_parse(v);
    if (s != HV_SCHED_CREDIT && s != HV_SCHED_CREDIT2)
        return bad(sc, e, "sched", v, "is not a scheduler the simulated "
                   "host runs (credit or credit2)");
    *out = s;
    return 0;
}

static int a_cpus(struct sc *sc, const struct elem *e, const char *name,
                  struct cpuset *s, bool *has)
{
    const char *v = get(e, name);
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

static bool name_ok(const char *s)
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

/* --- elements --- */

static const char *const host_attrs[] = {
    "name", "cpus", "threads-per-core", "cores-per-socket", "mhz", "memory",
    "overhead", "sched", "version", "dying-time", NULL,
};
static const char *const pool_attrs[] = {
    "name", "cpus", "sched", "tslice-ms", "ratelimit-us", NULL,
};
static const char *const dom0_attrs[] = {
    "memory", "maxmem", "vcpus", "maxvcpus", "weight", "cap", "demand",
    "uuid", NULL,
};
static const char *const domain_attrs[] = {
    "name", "type", "memory", "maxmem", "vcpus", "maxvcpus", "weight", "cap",
    "demand", "uuid", "pool", "state", "shutdown-reason", "shutdown-delay",
    "ignore-shutdown", "affinity", "soft-affinity", NULL,
};

static bool is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

static int host_spec(struct sc *sc, xmlNodePtr root, const char *name,
                     struct sim_host_spec *s)
{
    struct elem e;
    const char *v;
    int rc = elem_read(sc, root, host_attrs, &e);

    if (rc < 0)
        return rc;
    sim_host_spec_init(s);
    if ((v = get(&e, "name")) && !name_ok(v))
        rc = bad(sc, &e, "name", v, "is not a host name");
    else if (v)
        snprintf(s->name, sizeof(s->name), "%s", v);
    if (name && *name)
        snprintf(s->name, sizeof(s->name), "%s", name);
    if (rc == 0 && get(&e, "cpus")) {
        /* threads and cores follow the CPU count unless given */
        rc = a_u32(sc, &e, "cpus", 1, CPUSET_MAX, &s->nr_cpus);
        s->threads_per_core = s->nr_cpus % 2 ? 1 : 2;
        s->cores_per_socket = s->nr_cpus / s->threads_per_core;
    }
    if (rc == 0)
        rc = a_u32(sc, &e, "threads-per-core", 1, 64, &s->threads_per_core);
    if (rc == 0 && s->nr_cpus % s->threads_per_core)
        rc = bad(sc, &e, "threads-per-core", get(&e, "threads-per-core"),
                 "does not divide the CPUs into whole cores");
    if (rc == 0 && get(&e, "threads-per-core") && !get(&e, "cores-per-socket"))
        s->cores_per_socket = s->nr_cpus / s->threads_per_core;
    if (rc == 0)
        rc = a_u32(sc, &e, "cores-per-socket", 1, CPUSET_MAX,
                   &s->cores_per_socket);
    if (rc == 0 && s->nr_cpus % (s->threads_per_core * s->cores_per_socket))
        rc = bad(sc, &e, "cores-per-socket", get(&e, "cores-per-socket"),
                 "does not divide the cores into whole sockets");
    if (rc == 0)
        rc = a_u32(sc, &e, "mhz", 1, 100000, &s->cpu_mhz);
    if (rc == 0)
        rc = a_size(sc, &e, "memory", &s->total_kb);
    if (rc == 0)
        rc = a_size(sc, &e, "overhead", &s->overhead_kb);
    if (rc == 0 && s->overhead_kb >= s->total_kb)
        rc = sc_err(sc, e.line, XN_EINVAL, "<host>: overhead \"%s\" leaves "
                    "no memory for domains", get(&e, "overhead")
                    ? get(&e, "overhead") : "128MiB");
    if (rc == 0)
        rc = a_sched(sc, &e, &s->sched);
    if (rc == 0 && (v = get(&e, "version"))) {
        if (!*v || strlen(v) >= sizeof(s->version))
            rc = bad(sc, &e, "version", v, "is empty or too long");
        else
            snprintf(s->version, sizeof(s->version), "%s", v);
    }
    if (rc == 0)
        rc = a_duration(sc, &e, "dying-time", &s->dying_ns);
    elem_done(&e);
    return rc;
}

/* Pool-0 may be given as an element to set its CPUs, scheduler or
 * parameters; its scheduler is then the host's. */
static int pool0_sched(struct sc *sc, xmlNodePtr root,
                       struct sim_host_spec *s)
{
    for (xmlNodePtr n = root->children; n; n = n->next) {
        struct elem e;
        const char *v;
        int rc;
        if (!is_elem(n, "pool"))
            continue;
        rc = elem_read(sc, n, pool_attrs, &e);
        if (rc == 0 && (v = get(&e, "name")) && !strcmp(v, "Pool-0"))
            rc = a_sched(sc, &e, &s->sched);
        elem_done(&e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int load_pool(struct sc *sc, xmlNodePtr n)
{
    struct elem e;
    struct sim_pool *p;
    struct cpuset cpus;
    bool has_cpus = false;
    enum hv_sched sched = sim_host_spec(sc->h)->sched;
    struct hv_pool_sched ps = { HV_SCHED_UNKNOWN, -1, -1 };
    struct xn_msg inner;
    const char *name;
    int rc = elem_read(sc, n, pool_attrs, &e);

    if (rc < 0)
        return rc;
    name = get(&e, "name");
    if (!name || !*name || strlen(name) >= HV_NAME_MAX) {
        rc = sc_err(sc, e.line, XN_EINVAL, "<pool> needs a name=\"...\" "
                    "(got \"%s\")", name ? name : "");
        goto out;
    }
    snprintf(e.what, sizeof(e.what), "pool \"%s\"", name);
    rc = a_sched(sc, &e, &sched);
    if (rc == 0)
        rc = a_cpus(sc, &e, "cpus", &cpus, &has_cpus);
    if (rc == 0)
        rc = a_int(sc, &e, "tslice-ms", 1, 1000, &ps.tslice_ms);
    if (rc == 0)
        rc = a_int(sc, &e, "ratelimit-us", 0, 500000, &ps.ratelimit_us);
    if (rc == 0 && ps.ratelimit_us > 0 && ps.ratelimit_us < 100)
        rc = bad(sc, &e, "ratelimit-us", get(&e, "ratelimit-us"),
                 "is out of range (100-500000, or 0 for none)");
    if (rc == 0 && sched == HV_SCHED_CREDIT && ps.ratelimit_us >
        (ps.tslice_ms != -1 ? ps.tslice_ms : SIM_TSLICE_DEFAULT) * 1000)
        rc = bad(sc, &e, "ratelimit-us", get(&e, "ratelimit-us"),
                 "is longer than the pool's time slice (tslice-ms)");
    if (rc == 0 && sched != HV_SCHED_CREDIT && ps.tslice_ms != -1)
        rc = bad(sc, &e, "tslice-ms", get(&e, "tslice-ms"),
                 "applies only to the credit scheduler");
    if (rc < 0)
        goto out;
    p = sim_pool_by_name(sc->h, name);
    if (p && p->id != 0) {
        rc = sc_err(sc, e.line, XN_EINVAL, "pool \"%s\" is defined twice",
                    name);
        goto out;
    }
    if (!p && !has_cpus) {
        rc = sc_err(sc, e.line, XN_EINVAL, "pool \"%s\" needs cpus=\"...\"",
                    name);
        goto out;
    }
    if (p)
        rc = has_cpus ? sim_pool_set_cpus(sc->h, 0, &cpus, &inner) : 0;
    else
        rc = sim_pool_add(sc->h, name, sched, &cpus, NULL, &inner);
    if (rc < 0) {
        rc = sc_err(sc, e.line, XN_EINVAL, "%s (cpus \"%s\")", inner.text,
                    get(&e, "cpus"));
        goto out;
    }
    p = sim_pool_by_name(sc->h, name);
    rc = sim_pool_sched_set(sc->h, p->id, &ps, &inner);
    if (rc < 0)
        rc = sc_err(sc, e.line, XN_EINVAL, "%s", inner.text);
    else if (cpuset_empty(&sim_pool_get(sc->h, 0)->cpus))
        rc = sc_err(sc, e.line, XN_EINVAL, "pool \"%s\" takes the last CPU "
                    "of Pool-0, which needs at least one", name);
out:
    elem_done(&e);
    return rc;
}

/* Everything but Pool-0 first, so Pool-0's cpus= may name what is left. */
static int load_pools(struct sc *sc, xmlNodePtr root)
{
    for (int pass = 0; pass < 2; pass++) {
        for (xmlNodePtr n = root->children; n; n = n->next) {
            xmlChar *name;
            bool pool0;
            int rc;
            if (!is_elem(n, "pool"))
                continue;
            name = xmlGetProp(n, (const xmlChar *)"name");
            pool0 = name && !strcmp((const char *)name, "Pool-0");
            xmlFree(name);
            if (pool0 != (pass == 1))
                continue;
            rc = load_pool(sc, n);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int a_state(struct sc *sc, const struct elem *e, struct sim_dom_spec *s)
{
    static const enum hv_shutdown reasons[] = {
        HV_SHUTDOWN_POWEROFF, HV_SHUTDOWN_REBOOT, HV_SHUTDOWN_SUSPEND,
        HV_SHUTDOWN_CRASH, HV_SHUTDOWN_WATCHDOG, HV_SHUTDOWN_SOFT_RESET,
    };
    const char *v = get(e, "state"), *r = get(e, "shutdown-reason");

    if (v && !strcmp(v, "running"))
        s->state = HV_STATE_RUNNING;
    else if (v && !strcmp(v, "paused"))
        s->state = HV_STATE_PAUSED;
    else if (v && !strcmp(v, "shutdown"))
        s->state = HV_STATE_SHUTDOWN;
    else if (v)
        return bad(sc, e, "state", v, "is not running, paused or shutdown");
    if (!r) {
        s->reason = HV_SHUTDOWN_POWEROFF;
        return 0;
    }
    if (s->state != HV_STATE_SHUTDOWN)
        return bad(sc, e, "shutdown-reason", r, "needs state=\"shutdown\"");
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (!strcmp(r, hv_shutdown_name(reasons[i]))) {
            s->reason = reasons[i];
            return 0;
        }
    return bad(sc, e, "shutdown-reason", r, "is not poweroff, reboot, "
               "suspend, crash, watchdog or soft_reset");
}

static int a_type(struct sc *sc, const struct elem *e, enum hv_domtype *t)
{
    const char *v = get(e, "type");

    if (!v)
        return 0;
    if (!strcmp(v, "pv"))
        *t = HV_TYPE_PV;
    else if (!strcmp(v, "pvh"))
        *t = HV_TYPE_PVH;
    else if (!strcmp(v, "hvm"))
        *t = HV_TYPE_HVM;
    else
        return bad(sc, e, "type", v, "is not pv, pvh or hvm");
    return 0;
}

/* The same affinity for every vCPU. */
static int a_affinity(struct sc *sc, const struct elem *e, const char *name,
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

static int dom_attrs(struct sc *sc, const struct elem *e,
                     struct sim_dom_spec *s)
{
    int rc = a_type(sc, e, &s->type);

    s->vcpus = 1;
    if (rc == 0)
        rc = a_size(sc, e, "memory", &s->mem_kb);
    if (rc == 0 && s->mem_kb % SIM_PAGE_KB)
        rc = bad(sc, e, "memory", get(e, "memory"), "is not a whole number "
                 "of 4 KiB pages");
    if (rc == 0)
        rc = a_size(sc, e, "maxmem", &s->max_kb);
    if (rc == 0 && s->max_kb && s->max_kb < s->mem_kb)
        rc = sc_err(sc, e->line, XN_EINVAL, "%s: maxmem \"%s\" is below "
                    "memory \"%s\"", e->what, get(e, "maxmem"),
                    get(e, "memory") ? get(e, "memory") : "");
    if (rc == 0)
        rc = a_u32(sc, e, "vcpus", 1, SIM_VCPUS_MAX, &s->vcpus);
    s->vcpus_max = s->vcpus;
    if (rc == 0)
        rc = a_u32(sc, e, "maxvcpus", 1, SIM_VCPUS_MAX, &s->vcpus_max);
    if (rc == 0 && s->vcpus_max < s->vcpus)
        rc = sc_err(sc, e->line, XN_EINVAL, "%s: maxvcpus \"%s\" is below "
                    "vcpus \"%s\"", e->what, get(e, "maxvcpus"),
                    get(e, "vcpus"));
    if (rc == 0)
        rc = a_int(sc, e, "weight", 1, 65535, &s->weight);
    if (rc == 0)
        rc = a_int(sc, e, "cap", 0, 65535, &s->cap);
    if (rc == 0)
        rc = a_demand(sc, e, &s->demand);
    if (rc == 0)
        rc = a_uuid(sc, e, s->uuid, &s->has_uuid);
    if (rc == 0)
        rc = a_state(sc, e, s);
    if (rc == 0)
        rc = a_duration(sc, e, "shutdown-delay", &s->shutdown_delay_ns);
    if (rc == 0)
        rc = a_bool(sc, e, "ignore-shutdown", &s->ignore_shutdown);
    if (rc == 0)
        rc = a_affinity(sc, e, "affinity", s->vcpus_max, &s->hard);
    if (rc == 0)
        rc = a_affinity(sc, e, "soft-affinity", s->vcpus_max, &s->soft);
    return rc;
}

/* A uuid given twice in one scenario is a mistake (Xen would allow it). */
static int uuid_unique(struct sc *sc, const struct elem *e,
                       const struct sim_dom_spec *s)
{
    if (!s->has_uuid)
        return 0;
    for (struct sim_dom *d = sim_dom_next(sc->h, NULL); d;
         d = sim_dom_next(sc->h, d))
        if (memcmp(d->uuid, s->uuid, 16) == 0)
            return bad(sc, e, "uuid", get(e, "uuid"), "is already the uuid "
                       "of another domain");
    return 0;
}

static int load_domain(struct sc *sc, xmlNodePtr n, bool dom0)
{
    struct sim_dom_spec s;
    struct elem e;
    struct xn_msg inner;
    const char *v;
    int rc = elem_read(sc, n, dom0 ? dom0_attrs : domain_attrs, &e);

    if (rc < 0)
        return rc;
    sim_dom_spec_init(&s);
    s.dom0 = dom0;
    if (dom0) {
        uint64_t avail = sim_host_spec(sc->h)->total_kb -
                         sim_host_spec(sc->h)->overhead_kb;
        snprintf(s.name, sizeof(s.name), "Domain-0");
        snprintf(e.what, sizeof(e.what), "<dom0>");
        s.type = HV_TYPE_PV;
        s.mem_kb = avail / 4 < (2u << 20) ? avail / 4 / 1024 * 1024
                                          : (2u << 20);
        s.vcpus = sim_host_spec(sc->h)->nr_cpus < 2 ? 1 : 2;
    } else {
        v = get(&e, "name");
        if (!v || !name_ok(v)) {
            rc = sc_err(sc, e.line, XN_EINVAL, "<domain>: name \"%s\" is "
                        "missing or not a domain name (no spaces, no '/', "
                        "not a number)", v ? v : "");
            goto out;
        }
        snprintf(s.name, sizeof(s.name), "%s", v);
        snprintf(e.what, sizeof(e.what), "domain \"%s\"", v);
        if (!get(&e, "memory")) {
            rc = sc_err(sc, e.line, XN_EINVAL, "domain \"%s\" needs "
                        "memory=\"...\" (e.g. 1GiB)", v);
            goto out;
        }
    }
    if (dom0) {
        uint32_t vcpus = s.vcpus;
        rc = dom_attrs(sc, &e, &s);
        if (!get(&e, "vcpus")) {
            s.vcpus = vcpus;
            if (!get(&e, "maxvcpus"))
                s.vcpus_max = vcpus;
        }
    } else {
        rc = dom_attrs(sc, &e, &s);
    }
    if (rc == 0 && (v = get(&e, "pool"))) {
        const struct sim_pool *p = sim_pool_by_name(sc->h, v);
        if (!p)
            rc = bad(sc, &e, "pool", v, "is not a pool of this host");
        else
            s.poolid = p->id;
    }
    if (rc == 0)
        rc = uuid_unique(sc, &e, &s);
    if (rc == 0) {
        rc = sim_dom_add(sc->h, &s, NULL, &inner);
        if (rc < 0)
            rc = sc_err(sc, e.line, XN_EINVAL, "%s", inner.text);
    }
out:
    sim_dom_spec_dispose(&s);
    elem_done(&e);
    return rc;
}

/* Only <pool>, <dom0> (once) and <domain>, and no stray text. */
static int check_children(struct sc *sc, xmlNodePtr root)
{
    int n_dom0 = 0;

    for (xmlNodePtr n = root->children; n; n = n->next) {
        int line = (int)xmlGetLineNo(n);
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *c = n->content; c && *c; c++)
                if (!isspace(*c))
                    return sc_err(sc, line, XN_EINVAL, "unexpected text "
                                  "\"%.20s\" in <host>", (const char *)c);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE)
            continue;       /* comments, processing instructions */
        if (is_elem(n, "dom0") && ++n_dom0 > 1)
            return sc_err(sc, line, XN_EINVAL, "<dom0> is given twice");
        if (!is_elem(n, "pool") && !is_elem(n, "dom0") &&
            !is_elem(n, "domain"))
            return sc_err(sc, line, XN_EINVAL, "unknown element <%s> (a "
                          "<host> holds <pool>, <dom0> and <domain>)",
                          (const char *)n->name);
        if (n->children)
            return sc_err(sc, line, XN_EINVAL, "<%s> must be empty",
                          (const char *)n->name);
    }
    return 0;
}

static int load_domains(struct sc *sc, xmlNodePtr root)
{
    xmlNodePtr dom0 = NULL;
    int rc;

    for (xmlNodePtr n = root->children; n; n = n->next)
        if (is_elem(n, "dom0"))
            dom0 = n;
    if (dom0) {
        rc = load_domain(sc, dom0, true);
    } else {
        /* the default Domain-0, as if <dom0/> were written */
        xmlNodePtr fake = xmlNewNode(NULL, (const xmlChar *)"dom0");
        if (!fake)
            return xn_msg_set(sc->msg, XN_ENOMEM, "out of memory");
        fake->line = root->line;
        rc = load_domain(sc, fake, true);
        xmlFreeNode(fake);
    }
    for (xmlNodePtr n = root->children; rc == 0 && n; n = n->next)
        if (is_elem(n, "domain"))
            rc = load_domain(sc, n, false);
    return rc;
}

static int read_file(const char *path, char **buf_r, size_t *len_r,
                     struct xn_msg *msg)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

    if (fd < 0 || fstat(fd, &st) < 0) {
        rc = xn_msg_set(msg, errno == ENOENT ? XN_ENOENT : XN_EIO,
                        "cannot read scenario %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)SCENARIO_MAX) {
        rc = xn_msg_set(msg, XN_EINVAL, "scenario %s is not a regular file "
                        "of at most 1 MiB", path);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto out;
    }
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = xn_msg_set(msg, XN_EIO, "cannot read scenario %s: %s", path,
                            n < 0 ? strerror(errno) : "it shrank");
            goto out;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    *buf_r = buf;
    *len_r = len;
    buf = NULL;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

static int parse_xml(struct sc *sc, const char *text, size_t len)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    if (!ctxt)
        return xn_msg_set(sc->msg, XN_ENOMEM, "out of memory");
    sc->doc = xmlCtxtReadMemory(ctxt, text, (int)len, sc->file, NULL, opts);
    if (!sc->doc) {
        const xmlError *err = xmlCtxtGetLastError(ctxt);
        char what[200] = "unreadable";
        int line = err ? err->line : 0;
        if (err && err->message) {
            snprintf(what, sizeof(what), "%s", err->message);
            what[strcspn(what, "\n")] = '\0';
        }
        xmlFreeParserCtxt(ctxt);
        return sc_err(sc, line, XN_EINVAL, "not well-formed XML: %s", what);
    }
    xmlFreeParserCtxt(ctxt);
    return 0;
}

int sim_scenario_load(const char *path, const char *name,
                      sim_clock_fn *clock, void *clock_opaque,
                      struct sim_host **h_r, struct xn_msg *msg)
{
    struct sc sc = { .file = path ? path : "<built-in>", .msg = msg };
    struct sim_host_spec spec;
    struct xn_msg inner;
    xmlNodePtr root;
    char *text = NULL;
    size_t len = 0;
    int rc;

    *h_r = NULL;
    if (path) {
        rc = read_file(path, &text, &len, msg);
        if (rc < 0)
            return rc;
    }
    rc = parse_xml(&sc, text ? text : sim_scenario_builtin,
                   text ? len : strlen(sim_scenario_builtin));
    free(text);
    if (rc < 0)
        return rc;
    root = xmlDocGetRootElement(sc.doc);
    if (!root || !is_elem(root, "host")) {
        rc = sc_err(&sc, root ? (int)xmlGetLineNo(root) : 1, XN_EINVAL,
                    "the root element is <%s>, expected <host>",
                    root ? (const char *)root->name : "");
        goto out;
    }
    rc = check_children(&sc, root);
    if (rc == 0)
        rc = host_spec(&sc, root, name, &spec);
    if (rc == 0)
        rc = pool0_sched(&sc, root, &spec);
    if (rc == 0) {
        rc = sim_host_new(&spec, &sc.h, &inner);
        if (rc < 0)
            rc = sc_err(&sc, (int)xmlGetLineNo(root), XN_EINVAL, "%s",
                        inner.text);
    }
    if (rc == 0) {
        sim_host_set_clock(sc.h, clock, clock_opaque);
        rc = load_pools(&sc, root);
    }
    if (rc == 0)
        rc = load_domains(&sc, root);
out:
    xmlFreeDoc(sc.doc);
    if (rc < 0) {
        sim_host_free(sc.h);
        return rc;
    }
    *h_r = sc.h;
    return 0;
}
