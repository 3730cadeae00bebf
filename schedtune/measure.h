/*
 * measure.h - a domain's CPU use and demand from its CPU-time counters:
 * the rate between two samples, smoothed by an exponential average whose
 * time constant is the service's smoothing setting.  Pure: the caller
 * supplies the clock and the counters (schedtune_pass.c from the
 * hypervisor's domain list, the bench from the simulated host).
 */
#ifndef XENITH_SCHEDTUNE_MEASURE_H
#define XENITH_SCHEDTUNE_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

struct smeasure {
    bool primed;                /* a first sample was taken */
    uint64_t at_ns;             /* clock of the last sample */
    uint64_t cpu_ns, wait_ns;   /* counters at the last sample */
    double use;                 /* smoothed CPUs used */
    double demand;              /* smoothed CPUs wanted (use + waiting) */
};

/* Take a sample: `cpu_ns` the domain's CPU time, `wait_ns` its runnable-
 * but-not-running time (ignored unless wait_known), `running` false for a
 * paused or shut-down domain (it wants nothing).  The first sample only
 * primes; a counter that went back (a restored or restarted domain)
 * primes again.  `tau_ns` is the smoothing time constant (0: none). */
void smeasure_sample(struct smeasure *m, uint64_t now_ns, uint64_t cpu_ns,
                     uint64_t wait_ns, bool wait_known, bool running,
                     uint64_t tau_ns);

#endif
