/*
 * sim_config.h - libxl_domain_config as the sim driver reads, keeps and
 * returns it.  Plain data: nothing here calls into Xen or needs a libxl ctx
 * (libxl's own _copy and _from_json crash without one).
 */
#ifndef XENITH_SIM_CONFIG_H
#define XENITH_SIM_CONFIG_H

#include "libxl_wrap.h"
#include "sim/sim_host.h"

/* What a domain made from `cfg` on host h looks like: name, uuid, type,
 * memory, vCPUs, affinity, weight/cap and pool (see docs/sim-host.md).
 * `s` must have been through sim_dom_spec_init; the caller disposes it. */
int simcfg_to_spec(struct sim_host *h, const libxl_domain_config *cfg,
                   struct sim_dom_spec *s, struct xn_msg *msg);

/*
 * Deep copy of the parts of a configuration the simulator keeps: c_info;
 * b_info except cpuid, vNUMA and SPICE; disks; nics (without the COLO
 * fields); the on_* actions.  Other device classes are dropped.  `dst` must
 * have been through libxl_domain_config_init; it is disposed first.  On
 * failure (XN_ENOMEM) dst is left initialised and empty.
 */
int simcfg_copy(libxl_domain_config *dst, const libxl_domain_config *src);

/* cfg as libxl's JSON, the document `xl -N create` prints.  Malloc'd, the
 * caller frees it; NULL on failure. */
char *simcfg_to_json(libxl_domain_config *cfg);

/* Rebuild a configuration from such JSON: the parts simcfg_copy keeps
 * except the HVM details, devices other than disks and nics, and unusual
 * b_info fields (sim_cfgjson.c lists them).  `cfg` must have been through
 * libxl_domain_config_init; the caller disposes it, success or not.
 * XN_ECORRUPT with the sentence when the JSON is not a configuration. */
int simcfg_from_json(const char *json, libxl_domain_config *cfg,
                     struct xn_msg *msg);

/* The configuration domain d runs with: `base` (its creation config, or
 * NULL to synthesise one) brought up to date with d's name, uuid, memory,
 * vCPUs, scheduler parameters, pool and PCI devices.  `out` as for
 * simcfg_copy. */
int simcfg_for_dom(struct sim_host *h, const struct sim_dom *d,
                   const libxl_domain_config *base, libxl_domain_config *out,
                   struct xn_msg *msg);

#endif
