/*
 * sim_scenario.c - the scenario file: XML read with libxml2, validated
 * strictly (unknown elements and attributes are errors), turned into a
 * sim_host through the model's own calls.
 */
#include "sim/sim_scenario_int.h"

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

const char sim_scenario_builtin[] =
    "<host cpus=\"8\" threads-per-core=\"2\" cores-per-socket=\"4\"\n"
    "      mhz=\"2400\" memory=\"16GiB\" overhead=\"128MiB\" "
    "sched=\"credit2\">\n"
    "  <dom0 memory=\"2GiB\" vcpus=\"2\"\n"
    "        uuid=\"00000000-0000-0000-0000-000000000000\"/>\n"
    "  <domain name=\"web1\" type=\"pvh\" memory=\"1GiB\" vcpus=\"2\"\n"
    "          demand=\"0.5\"\n"
    "          uuid=\"5e1a0c3e-7b2d-4d1e-9f00-000000000001\"/>\n"
    "  <domain name=\"db1\" type=\"pv\" memory=\"2GiB\" vcpus=\"4\"\n"
    "          demand=\"1.5\"\n"
    "          uuid=\"5e1a0c3e-7b2d-4d1e-9f00-000000000002\"/>\n"
    "  <pci addr=\"0000:03:00.0\" driver=\"nvidia\"\n"
    "       name=\"NVIDIA A100 80GB (GPU)\"/>\n"
    "  <pci addr=\"0000:04:00.0\" driver=\"nvidia\"\n"
    "       name=\"NVIDIA A100 80GB (GPU)\"/>\n"
    "  <pci addr=\"0000:81:00.0\" driver=\"xclmgmt\"\n"
    "       name=\"Xilinx Alveo U250 (FPGA accelerator)\"/>\n"
    "</host>\n";

/* --- elements --- */

static const char *const host_attrs[] = {
    "name", "cpus", "threads-per-core", "cores-per-socket", "mhz", "memory",
    "overhead", "sched", "version", "dying-time", "balloon-speed", NULL,
};
static const char *const pool_attrs[] = {
    "name", "cpus", "sched", "tslice-ms", "ratelimit-us", NULL,
};
static const char *const dom0_attrs[] = {
    "memory", "maxmem", "vcpus", "maxvcpus", "weight", "cap", "demand",
    "cpu-trace", "uuid", NULL,
};
static const char *const domain_attrs[] = {
    "name", "type", "memory", "maxmem", "vcpus", "maxvcpus", "weight", "cap",
    "demand", "cpu-trace", "uuid", "pool", "state", "shutdown-reason", "shutdown-delay",
    "ignore-shutdown", "affinity", "soft-affinity", "balloon",
    "balloon-speed", "agent", "report-every", "workload", "workload-mem",
    "swap", "workload-seed", "dirty-rate", "dirty-set", NULL,
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
    if ((v = elem_get(&e, "name")) && !sc_name_ok(v))
        rc = elem_bad(sc, &e, "name", v, "is not a host name");
    else if (v)
        snprintf(s->name, sizeof(s->name), "%s", v);
    if (name && *name)
        snprintf(s->name, sizeof(s->name), "%s", name);
    if (rc == 0 && elem_get(&e, "cpus")) {
        /* threads and cores follow the CPU count unless given */
        rc = a_u32(sc, &e, "cpus", 1, CPUSET_MAX, &s->nr_cpus);
        s->threads_per_core = s->nr_cpus % 2 ? 1 : 2;
        s->cores_per_socket = s->nr_cpus / s->threads_per_core;
    }
    if (rc == 0)
        rc = a_u32(sc, &e, "threads-per-core", 1, 64, &s->threads_per_core);
    if (rc == 0 && s->nr_cpus % s->threads_per_core)
        rc = elem_bad(sc, &e, "threads-per-core",
                      elem_get(&e, "threads-per-core"),
                      "does not divide the CPUs into whole cores");
    if (rc == 0 && elem_get(&e, "threads-per-core") &&
        !elem_get(&e, "cores-per-socket"))
        s->cores_per_socket = s->nr_cpus / s->threads_per_core;
    if (rc == 0)
        rc = a_u32(sc, &e, "cores-per-socket", 1, CPUSET_MAX,
                   &s->cores_per_socket);
    if (rc == 0 && s->nr_cpus % (s->threads_per_core * s->cores_per_socket))
        rc = elem_bad(sc, &e, "cores-per-socket",
                      elem_get(&e, "cores-per-socket"),
                      "does not divide the cores into whole sockets");
    if (rc == 0)
        rc = a_u32(sc, &e, "mhz", 1, 100000, &s->cpu_mhz);
    if (rc == 0)
        rc = a_size(sc, &e, "memory", &s->total_kb);
    if (rc == 0)
        rc = a_size(sc, &e, "overhead", &s->overhead_kb);
    if (rc == 0 && s->overhead_kb >= s->total_kb)
        rc = sc_err(sc, e.line, XN_EINVAL, "<host>: overhead \"%s\" leaves "
                    "no memory for domains", elem_get(&e, "overhead")
                    ? elem_get(&e, "overhead") : "128MiB");
    if (rc == 0)
        rc = a_sched(sc, &e, &s->sched);
    if (rc == 0 && (v = elem_get(&e, "version"))) {
        if (!*v || strlen(v) >= sizeof(s->version))
            rc = elem_bad(sc, &e, "version", v, "is empty or too long");
        else
            snprintf(s->version, sizeof(s->version), "%s", v);
    }
    if (rc == 0)
        rc = a_duration(sc, &e, "dying-time", &s->dying_ns);
    if (rc == 0)
        rc = a_speed(sc, &e, &s->balloon_speed_kb_s);
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
        if (rc == 0 && (v = elem_get(&e, "name")) && !strcmp(v, "Pool-0"))
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
    name = elem_get(&e, "name");
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
        rc = elem_bad(sc, &e, "ratelimit-us", elem_get(&e, "ratelimit-us"),
                      "is out of range (100-500000, or 0 for none)");
    if (rc == 0 && sched == HV_SCHED_CREDIT && ps.ratelimit_us >
        (ps.tslice_ms != -1 ? ps.tslice_ms : SIM_TSLICE_DEFAULT) * 1000)
        rc = elem_bad(sc, &e, "ratelimit-us", elem_get(&e, "ratelimit-us"),
                      "is longer than the pool's time slice (tslice-ms)");
    if (rc == 0 && sched != HV_SCHED_CREDIT && ps.tslice_ms != -1)
        rc = elem_bad(sc, &e, "tslice-ms", elem_get(&e, "tslice-ms"),
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
                    elem_get(&e, "cpus"));
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

static int dom_attrs(struct sc *sc, const struct elem *e,
                     struct sim_dom_spec *s)
{
    int rc = a_type(sc, e, &s->type);

    s->vcpus = 1;
    if (rc == 0)
        rc = a_size(sc, e, "memory", &s->mem_kb);
    if (rc == 0 && s->mem_kb % SIM_PAGE_KB)
        rc = elem_bad(sc, e, "memory", elem_get(e, "memory"),
                      "is not a whole number of 4 KiB pages");
    if (rc == 0)
        rc = a_size(sc, e, "maxmem", &s->max_kb);
    if (rc == 0 && s->max_kb && s->max_kb < s->mem_kb)
        rc = sc_err(sc, e->line, XN_EINVAL, "%s: maxmem \"%s\" is below "
                    "memory \"%s\"", e->what, elem_get(e, "maxmem"),
                    elem_get(e, "memory") ? elem_get(e, "memory") : "");
    if (rc == 0)
        rc = a_u32(sc, e, "vcpus", 1, SIM_VCPUS_MAX, &s->vcpus);
    s->vcpus_max = s->vcpus;
    if (rc == 0)
        rc = a_u32(sc, e, "maxvcpus", 1, SIM_VCPUS_MAX, &s->vcpus_max);
    if (rc == 0 && s->vcpus_max < s->vcpus)
        rc = sc_err(sc, e->line, XN_EINVAL, "%s: maxvcpus \"%s\" is below "
                    "vcpus \"%s\"", e->what, elem_get(e, "maxvcpus"),
                    elem_get(e, "vcpus"));
    if (rc == 0)
        rc = a_int(sc, e, "weight", 1, 65535, &s->weight);
    if (rc == 0)
        rc = a_int(sc, e, "cap", 0, 65535, &s->cap);
    if (rc == 0)
        rc = a_demand(sc, e, &s->demand);
    if (rc == 0)
        rc = a_cpu_trace(sc, e, &s->cpu);
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
            return elem_bad(sc, e, "uuid", elem_get(e, "uuid"),
                            "is already the uuid of another domain");
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
        v = elem_get(&e, "name");
        if (!v || !sc_name_ok(v)) {
            rc = sc_err(sc, e.line, XN_EINVAL, "<domain>: name \"%s\" is "
                        "missing or not a domain name (no spaces, no '/', "
                        "not a number)", v ? v : "");
            goto out;
        }
        snprintf(s.name, sizeof(s.name), "%s", v);
        snprintf(e.what, sizeof(e.what), "domain \"%s\"", v);
        if (!elem_get(&e, "memory")) {
            rc = sc_err(sc, e.line, XN_EINVAL, "domain \"%s\" needs "
                        "memory=\"...\" (e.g. 1GiB)", v);
            goto out;
        }
    }
    if (dom0) {
        uint32_t vcpus = s.vcpus;
        rc = dom_attrs(sc, &e, &s);
        if (!elem_get(&e, "vcpus")) {
            s.vcpus = vcpus;
            if (!elem_get(&e, "maxvcpus"))
                s.vcpus_max = vcpus;
        }
    } else {
        rc = dom_attrs(sc, &e, &s);
        if (rc == 0)
            rc = a_guest_mem(sc, &e, &s);
        if (rc == 0)
            rc = a_dirty(sc, &e, &s.dirty);
    }
    if (rc == 0 && (v = elem_get(&e, "pool"))) {
        const struct sim_pool *p = sim_pool_by_name(sc->h, v);
        if (!p)
            rc = elem_bad(sc, &e, "pool", v, "is not a pool of this host");
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

/* Only <pool>, <dom0> (once), <domain> and <pci>, and no stray text. */
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
            !is_elem(n, "domain") && !is_elem(n, "pci"))
            return sc_err(sc, line, XN_EINVAL, "unknown element <%s> (a "
                          "<host> holds <pool>, <dom0>, <domain> and "
                          "<pci>)", (const char *)n->name);
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
        rc = sc_load_pci(&sc, root);
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
