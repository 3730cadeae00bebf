/*
 * sim_scenario.h - building a simulated host from a scenario: a small XML
 * file (format in docs/sim-host.md) or the built-in default.
 */
#ifndef XENITH_SIM_SCENARIO_H
#define XENITH_SIM_SCENARIO_H

#include "sim/sim_host.h"

/* The built-in scenario, as XML: 8 pCPUs, 16 GiB, credit2, Domain-0
 * (2 GiB, 2 vCPUs), web1 (PVH, 1 GiB, 2 vCPUs) and db1 (PV, 2 GiB,
 * 4 vCPUs), both running; three PCI accelerators on their host drivers
 * (two GPUs, 0000:03:00.0 and 0000:04:00.0, and an FPGA, 0000:81:00.0). */
extern const char sim_scenario_builtin[];

/*
 * Build the host `path` describes (NULL: the built-in scenario).  `name`,
 * when not NULL or empty, is the host's name, overriding the scenario's;
 * with neither the host is "default".  `clock` as sim_host_set_clock (NULL:
 * monotonic).  *h_r is owned by the caller.  Errors are one sentence
 * "FILE:LINE: ..." quoting the bad value; XN_EINVAL for a bad scenario,
 * another code when the file cannot be read.
 */
int sim_scenario_load(const char *path, const char *name,
                      sim_clock_fn *clock, void *clock_opaque,
                      struct sim_host **h_r, struct xn_msg *msg);

#endif
