/*
 * cpuset.h - a fixed-size set of physical CPUs, for affinity and pools.
 *
 * Plain value type: no allocation, copy with '='.
 */
#ifndef XENITH_CPUSET_H
#define XENITH_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CPUSET_MAX 1024

struct cpuset {
    uint64_t bits[CPUSET_MAX / 64];
};

void cpuset_clear(struct cpuset *s);
/* Set CPUs 0..n-1. */
void cpuset_fill(struct cpuset *s, unsigned n);
void cpuset_add(struct cpuset *s, unsigned cpu);
void cpuset_del(struct cpuset *s, unsigned cpu);
bool cpuset_has(const struct cpuset *s, unsigned cpu);
unsigned cpuset_count(const struct cpuset *s);
bool cpuset_empty(const struct cpuset *s);
/* Highest member + 1, or 0 when empty. */
unsigned cpuset_span(const struct cpuset *s);
bool cpuset_equal(const struct cpuset *a, const struct cpuset *b);

/*
 * Parse xl's CPU list syntax: "all", "3", "0-3", "0-7,^2", "1,4-5".
 * `ncpus` is the host's CPU count: "all" means 0..ncpus-1 and any CPU at or
 * above it is an error.  Pass ncpus = 0 to skip that bound (CPUSET_MAX).
 */
int cpuset_parse(struct cpuset *s, const char *text, unsigned ncpus,
                 struct xn_msg *msg);

/* Format as ranges ("0-3,6"), or "all" when s holds exactly 0..ncpus-1 and
 * ncpus > 0, or "none".  Returns buf. */
char *cpuset_format(const struct cpuset *s, unsigned ncpus, char *buf,
                    size_t len);

#endif
