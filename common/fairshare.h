/*
 * fairshare.h - weighted max-min fair division of a capacity: how a
 * proportional-share scheduler (Xen's credit and credit2) divides CPUs
 * among claimants with weights and limits.  Used by the simulated host's
 * scheduler model and by the tuner's prediction, so both agree.
 */
#ifndef XENITH_FAIRSHARE_H
#define XENITH_FAIRSHARE_H

#include <stddef.h>

/* Divide `capacity` among n claimants: each gets a share proportional to
 * its weight (> 0), never more than its limit (>= 0); what one cannot use
 * goes to the others by weight (work-conserving), so the total given is
 * min(capacity, sum of limits).  out[i] <= limit[i].  `order` is the
 * caller's scratch of n entries.  O(n log n), no allocation. */
void fairshare(size_t n, const double *weight, const double *limit,
               double capacity, double *out, size_t *order);

#endif
