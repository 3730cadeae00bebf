/*
 * sim_scenario_int.h - what the scenario loader (sim_scenario.c) and its
 * attribute readers (sim_scenario_attr.c) share.
 */
#ifndef XENITH_SIM_SCENARIO_INT_H
#define XENITH_SIM_SCENARIO_INT_H

#include <libxml/tree.h>

#include "sim/sim_scenario.h"

#define SC_MAX_ATTRS 32

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
    char *val[SC_MAX_ATTRS];        /* xmlFree'd by elem_done */
    char what[HV_NAME_MAX + 16];    /* "domain \"web1\"", for messages */
};

/* "FILE:LINE: <text>" into sc->msg; returns code. */
int sc_err(struct sc *sc, int line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Read n's attributes; an unknown one is an error.  elem_done frees. */
int elem_read(struct sc *sc, xmlNodePtr n, const char *const *names,
              struct elem *e);
void elem_done(struct elem *e);
/* The attribute's value, NULL when absent. */
const char *elem_get(const struct elem *e, const char *name);
/* "FILE:LINE: WHAT: NAME \"VAL\" WHY" */
int elem_bad(struct sc *sc, const struct elem *e, const char *name,
             const char *val, const char *why);
bool sc_name_ok(const char *s);

/* "512MiB", "16G"...: a positive size, at most 1 PiB, into *kb (KiB). */
bool sc_parse_size(const char *v, uint64_t *kb);

/* Each reads one attribute into *out, leaving it alone when absent. */
int a_size(struct sc *sc, const struct elem *e, const char *name,
           uint64_t *kb);
int a_u32(struct sc *sc, const struct elem *e, const char *name, uint32_t lo,
          uint32_t hi, uint32_t *out);
int a_int(struct sc *sc, const struct elem *e, const char *name, int lo,
          int hi, int *out);
int a_demand(struct sc *sc, const struct elem *e, double *out);
/* cpu-trace= (an error with demand= too) */
int a_cpu_trace(struct sc *sc, const struct elem *e,
                struct sim_cpu_trace *out);
int a_duration(struct sc *sc, const struct elem *e, const char *name,
               uint64_t *ns);
int a_bool(struct sc *sc, const struct elem *e, const char *name, bool *out);
int a_uuid(struct sc *sc, const struct elem *e, uint8_t uuid[16],
           bool *has);
int a_sched(struct sc *sc, const struct elem *e, enum hv_sched *out);
int a_cpus(struct sc *sc, const struct elem *e, const char *name,
           struct cpuset *s, bool *has);
int a_type(struct sc *sc, const struct elem *e, enum hv_domtype *t);
/* state= and shutdown-reason= */
int a_state(struct sc *sc, const struct elem *e, struct sim_dom_spec *s);
/* The same CPU list for each of vmax vCPUs, malloc'd into *arr_r. */
int a_affinity(struct sc *sc, const struct elem *e, const char *name,
               uint32_t vmax, struct cpuset **arr_r);

/* sim_scenario_mem.c: guest memory */
/* balloon-speed=: a size per second ("64MiB" or "64MiB/s"), 0 = at once */
int a_speed(struct sc *sc, const struct elem *e, uint64_t *kb_s);
/* A <domain>'s balloon=, balloon-speed=, agent=, report-every=,
 * workload=, workload-mem=, swap= and workload-seed= into s->gm. */
int a_guest_mem(struct sc *sc, const struct elem *e, struct sim_dom_spec *s);
/* A <domain>'s dirty-rate= (a size per second, 0 = none) and dirty-set=
 * (a percentage) into w. */
int a_dirty(struct sc *sc, const struct elem *e, struct sim_dirty *w);

/* sim_scenario_pci.c: the <pci> elements, into sc->h. */
int sc_load_pci(struct sc *sc, xmlNodePtr root);

#endif
